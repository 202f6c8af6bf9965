"""What the training process sends the window, as plain numpy: free of torch and Qt.

The window unpickles these in its relay thread; were they defined next to the trainer,
unpickling the first frame would import torch into the window's process (2 s measured
here), on the path to the first drawn frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Snapshot:
    """The trainer's state at one iteration as plain numpy: safe to send to another thread.

    For the 1-D toy it carries the weights, not the densities: turning them into curves
    (:class:`~ganviz.core.evaluation.Evaluator`) costs far more than copying them, and the
    window does that on a thread of its own.
    """

    step: int
    d_updates: int
    g_updates: int
    settings: dict[str, int | float]
    history: dict[str, np.ndarray]
    mode: str
    view: object  # ModelState (1-D: the weights) or ImagesViewData (MNIST: grids, classes)
    pending_on_reset: tuple[str, ...] = field(default=())


@dataclass
class ModelState:
    """The networks, the target and the objective at one iteration, as plain numpy."""

    step: int
    generator: dict[str, np.ndarray]  # the averaged (EMA) generator: the one drawn
    raw_generator: dict[str, np.ndarray]  # the trained generator
    discriminator: dict[str, np.ndarray]
    spec: dict  # how the networks are built (Toy1D.spec)
    target: dict  # the target's settings
    loss: str
    label_smoothing: float
    noise: str
    noise_range: float
    batch_size: int
    offset: float  # the networks see (x - offset) / scale
    scale: float


NOISE_GRID_TITLE = "Generated digits (same noise every frame)"  # the default grid's title


@dataclass
class ImagesViewData:
    """What the MNIST view draws, as plain numpy."""

    step: int
    samples_grid: np.ndarray  # uint8, the generated samples tiled (see grid_layout)
    grid_layout: str  # the `sample_grid` layout drawn (noise, codes, continuous)
    grid_title: str  # what the grid shows, in words
    real_grid: np.ndarray | None  # uint8, real digits tiled the same way; first frame only
    class_counts: np.ndarray | None  # int64 (10,), or None before the first classification
    confident_counts: np.ndarray | None  # the same, counting only samples with p >= 0.9
    confident: float
    coverage: float
    classified_step: int
    data_source: str


@dataclass
class Toy2DState:
    """The 2-D networks and what the view needs of the data, as plain numpy."""

    step: int
    generator: dict[str, np.ndarray]  # the averaged (EMA) generator: the one measured
    raw_generator: dict[str, np.ndarray] | None  # the trained generator (None: the same)
    discriminator: dict[str, np.ndarray]
    spec: dict  # how the networks are built (Toy2D.spec)
    loss: str
    label_smoothing: float
    noise: str
    noise_range: float
    seed: int  # the fixed noise of the drawn fake points derives from it
    offset: np.ndarray  # (2,): the networks see (x - offset) / scale
    scale: float
    bounds: tuple[float, float, float, float]  # the square the data are drawn in
    # float32 (N, 2): a fixed sample of the real data; None when it is the same as in the
    # previous frame (the receiver keeps it: it is sent once per dataset)
    real_points: np.ndarray | None
    dataset: str  # its description
    modes: np.ndarray | None  # (M, 2) for mixtures of Gaussians
    mode_sigma: float
