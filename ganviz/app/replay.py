"""Replay: the timeline's snapshots as an animation, without training again.

Each snapshot of the current branch (or those in a span) is shown as the timeline shows a
past moment, and the plots are grabbed once it is drawn: for the toys, once the evaluation
of that moment (densities, D, the 2-D surface) is drawn too. Training goes on meanwhile;
at the end the views go back to what they showed before, and the frames are written as a
GIF or MP4 like a recording (app/exports.py).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from ganviz.app.exports import Recorder

STEP_TIMEOUT_MS = 5000  # a moment not drawn within this is skipped (said at the end)
SETTLE_MS = 30  # after the moment is drawn, before grabbing: the last repaint
REPLAY_FPS = 5.0  # snapshots a second in the animation


class Replay(QObject):
    """One replay in progress. ``finished(text)`` says what was written, or why not."""

    progress = Signal(int, int)  # moments done, moments in all
    finished = Signal(str)

    def __init__(self, window, steps: list[int], path: str | Path,
                 fps: float = REPLAY_FPS) -> None:
        super().__init__(window)
        self.window, self.steps, self.path, self.fps = window, list(steps), Path(path), fps
        self.recorder = Recorder(window.stack, fps=fps, max_frames=10**6)
        self.index = 0
        self.skipped: list[int] = []
        self.returning_to = window.presenter.viewing()  # what the views showed before
        self.cancelled = False
        self.done = False
        self._timeout = QTimer(self, singleShot=True, interval=STEP_TIMEOUT_MS)
        self._timeout.timeout.connect(self._skip)
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._grab)

    def start(self) -> None:
        if not self.steps:
            self._finish("Nothing to replay: the timeline has no snapshot yet")
            return
        self.window.presenter.drawn.connect(self._drawn)
        self._ask()

    def cancel(self) -> None:
        self.cancelled = True
        self._finish("Replay cancelled")

    def _ask(self) -> None:
        self._timeout.start()
        self.window.training_worker.request_view_at(self.steps[self.index])

    def _ready(self) -> bool:
        """The moment asked for is on screen, with its evaluation where the mode has one."""
        presenter, step = self.window.presenter, self.steps[self.index]
        frame = presenter.latest_frame
        if frame is None or frame.timeline is None:
            return False
        timeline = frame.timeline
        # A snapshot at the live iteration is shown as the live run.
        if timeline.viewing != step and not (timeline.viewing is None
                                             and frame.snapshot.step == step):
            return False
        if presenter.frame_dirty:
            return False
        if frame.snapshot.mode == "mnist":
            return True
        evaluation = presenter.latest_evaluation
        return (evaluation is not None and evaluation.step == step
                and not presenter.evaluation_dirty)

    def _drawn(self, _step: int) -> None:
        if not self.done and not self._settle.isActive() and self._ready():
            self._settle.start()

    def _grab(self) -> None:
        if self.done:
            return
        if not self._ready():  # moved on meanwhile (the user scrubbed): wait again
            return
        self._timeout.stop()
        self.recorder.capture()
        self._next()

    def _skip(self) -> None:
        self.skipped.append(self.steps[self.index])
        self._next()

    def _next(self) -> None:
        self.index += 1
        self.progress.emit(self.index, len(self.steps))
        if self.index < len(self.steps):
            self._ask()
            return
        try:
            written = self.recorder.save(self.path, self.fps)
        except (OSError, ValueError, RuntimeError) as error:
            self._finish(f"Replay not saved: {error}")
            return
        skipped = (f"; {len(self.skipped)} moment(s) not drawn in time were left out"
                   if self.skipped else "")
        self._finish(f"Replay of {len(self.recorder.frames)} snapshots saved to "
                     f"{written.name}{skipped}")

    def _finish(self, text: str) -> None:
        if self.done:
            return
        self.done = True
        self._timeout.stop()
        self._settle.stop()
        with contextlib.suppress(RuntimeError, TypeError):  # never connected
            self.window.presenter.drawn.disconnect(self._drawn)
        if self.steps:
            self.window.training_worker.request_view_at(self.returning_to)
        self.finished.emit(text)
        self.recorder.frames.clear()  # written: the PNGs need not stay in memory
        self.recorder.deleteLater()
