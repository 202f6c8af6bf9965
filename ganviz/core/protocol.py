"""The messages between the window and the training process.

Plain numpy and dataclasses, free of torch and Qt: the window unpickles them in its relay
thread, and importing torch there would add seconds before its first drawn frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
