"""The window's timeline, on the trainer's side: which moment the views show, branching
and switching branches, and the TimelineView every frame carries. Used by
:class:`~ganviz.core.controller.Controller`; Qt-free.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ganviz.core.past import PastViewer
from ganviz.core.protocol import BranchInfo, Snapshot, TimelineView
from ganviz.core.snapshots import branch_from, switch_to
from ganviz.core.timeline import TimelineError


def changes_text(changes: dict) -> str:
    return ", ".join(f"{name}={value}" for name, value in changes.items())


class TimelineControl:
    """One run's timeline as the window uses it (see the module's docstring)."""

    def __init__(self) -> None:
        self.viewing: int | None = None  # the past iteration shown; None: live
        self._viewer: PastViewer | None = None
        self._past: tuple[int, int, object] | None = None  # (step, branch, view) shown
        self._faded_changed = True
        self.live_view = None  # the live run's view data, beside a past snapshot

    def follow(self, trainer) -> None:
        """A new run (Reset, an opened session): it keeps a timeline, the views go live."""
        if trainer.timeline is None:
            trainer.keep_timeline()
        self.viewing, self._past, self._faded_changed = None, None, True

    # ------------------------------------------------------------------------ commands
    def view_at(self, trainer, step: int | None) -> None:
        """Show the snapshot at ``step`` (None or the live iteration: the live run).
        TimelineError, naming the nearest kept, if there is none there."""
        if step is None or step == trainer.step_count:
            self.viewing = None
            return
        trainer.timeline.get(step)  # raises when there is none
        self.viewing = step

    def branch_here(self, trainer, step: int) -> str:
        number = branch_from(trainer, step)
        self.viewing, self._faded_changed = None, True
        # Short: the status bar shows it beside the iteration count, at 1366 px too.
        parent = trainer.timeline.branches[trainer.timeline.branches[number].parent].name
        return (f"Branch {number} goes on from iteration {step:,}; {parent} is kept, faded "
                f"on the curves")

    def switch(self, trainer, number: int) -> str:
        if number not in trainer.timeline.branches:
            raise TimelineError(f"no branch {number}")
        step = switch_to(trainer, number)
        self.viewing, self._faded_changed = None, True
        return (f"Back on {trainer.timeline.branches[number].name}, from iteration "
                f"{step:,}")

    def note(self, trainer, changes: dict) -> None:
        """A settings change marked on the timeline (and on a branch made just now, as
        what that branch changed)."""
        timeline = trainer.timeline
        timeline.note(trainer.step_count, changes_text(changes))
        branch = timeline.branches[timeline.current]
        if branch.parent is not None and trainer.step_count == branch.fork_step:
            branch.changes.update(changes)

    # -------------------------------------------------------------------------- frames
    def snapshot(self, trainer) -> Snapshot:
        """The frame's snapshot: the live run's, or (viewing) the past moment's networks
        and iteration with the live settings and curves."""
        live = trainer.snapshot()
        self.live_view = None
        if self.viewing is None:
            return live
        self.live_view = live.view
        timeline = trainer.timeline
        if self._past is None or self._past[:2] != (self.viewing, timeline.current):
            if self._viewer is None or not self._viewer.fits(trainer):
                self._viewer = PastViewer(trainer)
            past = self._viewer.snapshot(timeline.get(self.viewing), live)
            self._past = (self.viewing, timeline.current, past)
        past = self._past[2]
        return replace(live, step=past.step, d_updates=past.d_updates,
                       g_updates=past.g_updates, view=past.view)

    def view(self, trainer) -> TimelineView:
        timeline = trainer.timeline
        branches = tuple(
            BranchInfo(b.number, b.name, b.parent, b.fork_step,
                       trainer.step_count if b.number == timeline.current else b.end_step,
                       changes_text(b.changes))
            for b in timeline.branches.values())
        faded = None
        if self._faded_changed:
            faded = tuple((b.name, b.curves()) for b in timeline.branches.values()
                          if b.number != timeline.current and b.history is not None)
            self._faded_changed = False
        return TimelineView(np.asarray(timeline.steps(), dtype=np.int64), trainer.step_count,
                            self.viewing, timeline.current, branches,
                            tuple(timeline.marks()), faded)
