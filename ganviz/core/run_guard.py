"""What a run keeps watch over between iterations: its rate and its last good state.

Shared by the window's run (core/controller.py) and ``ganviz train`` (core/headless.py).
Imports no torch: the window reads KEEP_STATE_EVERY before torch has loaded.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ganviz.core.trainer import Trainer

# A copy of the run is kept this often (iterations), in memory, while the losses are
# finite: a diverged run can go back to it. The copy is a deep copy of the networks and
# optimisers, so it is taken rarely enough to cost a negligible share of training.
KEEP_STATE_EVERY = 500


class RateMeter:
    """Iterations per second over the last second or so of running."""

    def __init__(self) -> None:
        self.restart()

    def restart(self) -> None:
        self._start = time.perf_counter()
        self._count = 0
        self._rate = 0.0

    def count(self) -> None:
        self._count += 1

    def value(self) -> float:
        now = time.perf_counter()
        elapsed = now - self._start
        if elapsed > 0 and self._count:
            self._rate = self._count / elapsed
        if elapsed > 1.0:  # start a new window, keeping the last rate for display
            self._start, self._count = now, 0
        return self._rate


class LastGoodState:
    """The divergence rules, shared by the window's run and ``ganviz train``.

    A run stops at the first non-finite loss, and a copy of it taken while all was finite
    (every KEEP_STATE_EVERY iterations) is what it can go back to.
    """

    def __init__(self, trainer: Trainer) -> None:
        self.keep(trainer)

    def keep(self, trainer: Trainer) -> None:
        """Keep ``trainer`` as it is now (a new run, an opened session)."""
        self.state, self.step = trainer.keep_state(), trainer.step_count

    def keep_if_due(self, trainer: Trainer) -> None:
        """Keep a new copy once KEEP_STATE_EVERY iterations have passed, if it is finite:
        a NaN weight only shows in the next iteration's losses, so both are checked."""
        if (trainer.step_count >= self.step + KEEP_STATE_EVERY
                and trainer.diverged() is None and trainer.weights_finite()):
            self.keep(trainer)

    def restore(self, trainer: Trainer) -> None:
        trainer.restore_state(self.state)

    @staticmethod
    def problem(trainer: Trainer) -> str | None:
        """What went non-finite and where, e.g. "D's loss became nan at iteration 37"."""
        problem = trainer.diverged()
        return None if problem is None else f"{problem} at iteration {trainer.step_count:,}"
