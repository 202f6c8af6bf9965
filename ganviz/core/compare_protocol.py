"""The messages between the window's compare mode and its training process: plain numpy
and dataclasses, free of torch and Qt (the window's relay thread unpickles them), checked
on arrival by :func:`ganviz.core.protocol.check_message` as the trainer's are."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganviz.core.protocol import Failed, Rejected, Stop, Stopped


@dataclass(frozen=True)
class Layout1D:
    """A 1-D cell's fixed axes and real density."""

    x: np.ndarray  # float32 (P,)
    real_pdf: np.ndarray  # float32 (P,)
    edges: np.ndarray  # float32 (B + 1,)
    judged_at: np.ndarray  # float64: where D is judged, the data's 95% of highest density
    # D is a probability (0.5 at the equilibrium); else a critic, drawn centred and scaled
    d_is_probability: bool = True


@dataclass(frozen=True)
class Layout2D:
    bounds: tuple
    real_points: np.ndarray  # float32 (N, 2)
    modes: int


@dataclass(frozen=True)
class LayoutImages:
    """An MNIST cell: a DIGITS_SIDE x DIGITS_SIDE grid of digits."""

    side: int


@dataclass(frozen=True)
class Cell:
    """One variant now. 1-D: ``density`` (B,) on its layout's edges and ``d_curve`` (P,);
    2-D: ``points`` (N, 2) and ``surface`` (S, S), D's output as 0..1 colours; MNIST:
    ``digits``, a uint8 grid of the averaged generator's digits on fixed noise, and
    ``confident``, the share classified with p >= 0.9 (``js_bits`` is NaN)."""

    step: int
    loss_d: float
    loss_g: float
    js_bits: float
    verdict: str  # 1-D: the verdict's name or "diverged"; 2-D: "8/8 modes · 92% within 3σ"
    fresh: bool = True  # JS and the verdict measured for this frame (else the last ones)
    density: np.ndarray | None = None
    d_curve: np.ndarray | None = None
    points: np.ndarray | None = None
    surface: np.ndarray | None = None
    digits: np.ndarray | None = None
    confident: float = float("nan")


# ------------------------------------------------------------------------------ commands
@dataclass(frozen=True)
class RunVariants:
    """Train (True) or pause (False) every variant."""

    running: bool


@dataclass(frozen=True)
class CellsDrawn:
    """The window has drawn the last frame: the next may come."""


@dataclass(frozen=True)
class OpenVariant:
    """Write variant ``index``'s whole run (weights, optimisers, random streams, curves)
    as a session to ``path``, to be opened as the main run."""

    index: int
    path: str


COMMANDS = (RunVariants, CellsDrawn, OpenVariant, Stop)


# ------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class CompareLayout:
    """Sent once, first: what is compared and each cell's fixed axes."""

    preset: str
    mode: str
    names: tuple  # each variant's name, "lr_d=3e-4,k=2"
    layouts: tuple  # a Layout1D or Layout2D a variant
    batched: int  # how many variants train in batches (the others take turns)
    batches: int  # in how many batches


@dataclass(frozen=True)
class CompareFrame:
    cells: tuple  # a Cell a variant
    rate: float  # iterations of each variant per second
    running: bool


@dataclass(frozen=True)
class VariantWritten:
    index: int
    path: str
    step: int


RESULTS = (CompareLayout, CompareFrame, VariantWritten, Rejected, Failed, Stopped)
