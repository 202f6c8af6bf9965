"""The messages between the window and the training process.

Plain numpy and dataclasses, free of torch and Qt: the window unpickles them in its relay
thread, and importing torch there would add seconds before its first drawn frame.

Commands go from the window to the trainer (:data:`COMMANDS`), results come back
(:data:`RESULTS`; a :class:`Frame` is itself a result). A receiver passes what it read to
:func:`check_message`, so that anything else (an old tuple, a field of the wrong type) is
one clear :class:`ProtocolError` naming what arrived, not an IndexError deep in a loop.
"""

from __future__ import annotations

import functools
import typing
from dataclasses import dataclass, field, fields
from types import UnionType

import numpy as np


@dataclass
class Snapshot:
    """The trainer's state at one iteration as plain numpy: safe to send to another thread.

    For the 1-D toy it carries the weights, not the densities: turning them into curves
    (:class:`~ganviz.core.toy1d.evaluation.Evaluator`) costs far more than copying them, and the
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
    # The norms of D's and G's gradients in their last updates (NaN before one).
    gradient_norms: tuple[float, ...] = field(default=())


@dataclass(frozen=True)
class BranchInfo:
    """One branch of the run's timeline (core/timeline.py), as the window lists it."""

    number: int
    name: str
    parent: int | None
    fork_step: int
    end_step: int
    changes: str  # the settings changed on it, as text ("" for none)


@dataclass
class TimelineView:
    """The run's past as the window's timeline draws it."""

    steps: np.ndarray  # int64: the iterations with a snapshot along the current branch
    live_step: int
    viewing: int | None  # the past iteration the views show; None: the live run
    current: int  # the current branch's number
    branches: tuple  # BranchInfo of each branch, the first one "main"
    marks: tuple  # (iteration, what changed): settings changed along the current branch
    # (branch name, curves) of the other branches, drawn faded: only in the frame after
    # they changed (a branch made or switched to), None in the others.
    faded: tuple | None = None


@dataclass
class Frame:
    """What the trainer sends to the window."""

    snapshot: Snapshot
    iterations_per_second: float
    running: bool
    threads: int
    device: str
    available_devices: tuple[str, ...] = ("auto", "cpu")  # values of `device` usable here
    # How many settings commands the trainer has handled (accepted or refused) since it
    # started: once it equals the number the window sent, snapshot.settings is the truth
    # the panel must show (a refused value snaps back).
    settings_handled: int = 0
    timeline: TimelineView | None = None
    # While the snapshot shows a past moment: the live run's view data, so that the window
    # goes on evaluating (and coaching) the run that trains.
    live_view: object = None


class ProtocolError(ValueError):
    """A message that is not one of the protocol's, or one with a field of the wrong type."""


# ----------------------------------------------------------------------------- commands
@dataclass(frozen=True)
class Run:
    """Train continuously (True) or pause (False); either way, requested steps are dropped."""

    running: bool


@dataclass(frozen=True)
class Step:
    """One iteration, if paused (ignored while running)."""


@dataclass(frozen=True)
class StepNetwork:
    """One update of D ("d") or G ("g") alone, if paused."""

    network: str

    def problem(self) -> str | None:
        return None if self.network in ("d", "g") else f"network {self.network!r} is not d or g"


@dataclass(frozen=True)
class Narrate:
    """Slow motion: train the next iteration (while paused) and answer with it narrated
    (:class:`Narrated`), then its frame."""


@dataclass(frozen=True)
class Explore:
    """MNIST's latent explorer: two grid cells, the digits between them; one cell, its
    digit moved to ``point`` on the pad (core/mnist/latent.py). Answered by Explored."""

    cells: tuple
    point: tuple = (0.0, 0.0)

    def problem(self) -> str | None:
        if not 1 <= len(self.cells) <= 2 or not all(
                isinstance(c, int) and not isinstance(c, bool) for c in self.cells):
            return f"cells {self.cells!r}: one or two cell numbers"
        return None


@dataclass(frozen=True)
class ChangeSettings:
    """Live changes, validated by the trainer (a refusal comes back as :class:`Rejected`)."""

    changes: dict


@dataclass(frozen=True)
class Pretrain:
    """Fit D to the real pdf for ``steps`` steps (1-D only; S1's D_pre)."""

    steps: int

    def problem(self) -> str | None:
        return None if self.steps > 0 else f"steps {self.steps} is not positive"


@dataclass(frozen=True)
class SetPoints:
    """The 2-D custom dataset: float32 (N, 2) points in data units, and where they came from."""

    points: np.ndarray
    description: str


@dataclass(frozen=True)
class Restore:
    """Go back to the last state kept while the losses were finite."""


@dataclass(frozen=True)
class Save:
    """Save the whole run to ``path`` (a notice or a rejection comes back), with its
    timeline's snapshots unless ``with_timeline`` is False."""

    path: str
    with_timeline: bool = True


@dataclass(frozen=True)
class Load:
    """Replace the run by the session in ``path`` (:class:`Loaded`), or keep it
    (:class:`LoadFailed`)."""

    path: str


@dataclass(frozen=True)
class Reset:
    """New networks for ``preset`` with ``settings`` (MNIST: read from ``data_dir``)."""

    preset: str
    settings: dict
    data_dir: str | None = None


@dataclass(frozen=True)
class Consumed:
    """The window has drawn the last frame: the next one may be sent."""


@dataclass(frozen=True)
class Stop:
    """End the training process after the current iteration."""


@dataclass(frozen=True)
class ViewAt:
    """Show the run as it was at the snapshot at ``step`` while it trains on (None: show
    the live run again)."""

    step: int | None


@dataclass(frozen=True)
class BranchHere:
    """Go back to the snapshot at ``step`` and train on from there as a new branch; the
    earlier continuation is kept."""

    step: int


@dataclass(frozen=True)
class SwitchBranch:
    """Go on with branch ``number`` from where it was left."""

    number: int


COMMANDS = (Run, Step, StepNetwork, Narrate, Explore, ChangeSettings, Pretrain, SetPoints,
            Restore, Save, Load, Reset, Consumed, Stop, ViewAt, BranchHere, SwitchBranch)


# ------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class Rejected:
    """A setting, a save or a Reset refused; the run goes on as it was."""

    message: str


@dataclass(frozen=True)
class Notice:
    """What a command or a change did, for the user (an optimiser's state restarted, say)."""

    message: str


@dataclass(frozen=True)
class Diverged:
    """A loss went NaN/Inf (the message says which and where); training paused.
    ``kept_step``: the iteration of the last finite state, where Restore goes back to."""

    message: str
    kept_step: int


@dataclass(frozen=True)
class Loaded:
    """A session replaced the run: its preset, settings and 2-D custom points
    ((points, description) or None)."""

    preset: str
    settings: dict
    custom: tuple | None = None


@dataclass(frozen=True)
class LoadFailed:
    """Why a session was not opened (the run goes on)."""

    message: str


@dataclass(frozen=True)
class Failed:
    """The training process crashed: the last line of the error. Nothing follows."""

    message: str


@dataclass(frozen=True)
class Stopped:
    """The training process ended as asked. Nothing follows."""


@dataclass(frozen=True)
class NarratedPart:
    """One sub-step of a narrated iteration: what happened, with the run's numbers."""

    key: str  # one of core.narration.PARTS
    title: str
    text: str
    lit: tuple[str, ...]  # the model diagram's parts it is about


@dataclass(frozen=True)
class Narrated:
    """One iteration of the run, trained as any other and taken apart (core/narration.py).

    Batches in data units: 1-D (B,), 2-D (B, 2), MNIST (up to 8, 28, 28) in [0, 1].
    ``push``: where G's update pushes each fake of ``g_fake`` (minus the gradient of G's
    loss on it, data units); ``moved``: the same z through G after its update. ``grid``,
    ``d_before``, ``d_after``: 1-D only, D(x) on a grid before and after D's update(s).
    """

    step: int  # the iteration's number (the count after it)
    mode: str
    parts: tuple
    real: np.ndarray
    d_fake_batch: np.ndarray  # the fakes D was trained on
    g_fake: np.ndarray  # the fakes of G's update (a fresh z)
    push: np.ndarray
    moved: np.ndarray
    grid: np.ndarray | None = None
    d_before: np.ndarray | None = None
    d_after: np.ndarray | None = None


@dataclass(frozen=True)
class Explored:
    """The latent explorer's digits, uint8 (N, 28, 28), for ``cells`` and ``point``, drawn
    by the averaged generator at iteration ``step``."""

    cells: tuple
    point: tuple
    step: int
    digits: np.ndarray


RESULTS = (Frame, Narrated, Explored, Rejected, Notice, Diverged, Loaded, LoadFailed, Failed,
           Stopped)


# ----------------------------------------------------------------------------- checking
def _describe(obj: object) -> str:
    text = repr(obj)
    return text if len(text) <= 80 else text[:77] + "..."


def _accepted_types(hint) -> tuple[type, ...] | None:
    """The runtime classes a field's annotation allows, or None if it allows anything."""
    if hint is object or hint is typing.Any:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, UnionType):
        accepted: tuple[type, ...] = ()
        for arg in typing.get_args(hint):
            classes = _accepted_types(arg)
            if classes is None:
                return None
            accepted += classes
        return accepted
    if origin is not None:  # dict[str, int], tuple[str, ...]: the container is checked
        return (origin,)
    if hint is type(None):
        return (type(None),)
    if hint is float:  # a whole number is a number too
        return (int, float, np.floating, np.integer)
    if hint is int:
        return (int, np.integer)
    return (hint,)


@functools.cache
def _field_hints(kind: type) -> dict:
    return typing.get_type_hints(kind)  # resolved once per class: frames come 30 a second


def check_message(obj: object, allowed: tuple[type, ...]) -> object:
    """``obj`` itself if it is one of ``allowed`` with fields of the declared types;
    ProtocolError otherwise, naming what arrived."""
    if type(obj) not in allowed:
        names = ", ".join(kind.__name__ for kind in allowed)
        raise ProtocolError(f"unknown message {_describe(obj)}; expected one of: {names}")
    hints = _field_hints(type(obj))
    for declared in fields(obj):
        if not hasattr(obj, declared.name):
            raise ProtocolError(f"malformed {type(obj).__name__}: no {declared.name}")
        value = getattr(obj, declared.name)
        accepted = _accepted_types(hints[declared.name])
        # bool is an int to isinstance, but True is no iteration count
        if accepted is not None and (not isinstance(value, accepted)
                                     or (isinstance(value, bool) and bool not in accepted)):
            raise ProtocolError(f"malformed {type(obj).__name__}: {declared.name} is "
                                f"{_describe(value)}, expected {hints[declared.name]}")
    problem = getattr(obj, "problem", None)
    if problem is not None and problem() is not None:
        raise ProtocolError(f"malformed {type(obj).__name__}: {problem()}")
    return obj
