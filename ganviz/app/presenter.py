"""What the window shows of a run: the newest frame and evaluation, drawn at a bounded rate,
the 1-D verdict banner (app/verdict_banner.py), the coach, the timeline and the status bar.

The presenter owns no thread and no plot: it keeps the newest results, asks the view of
their mode to draw them (through the :class:`~ganviz.app.views.View` protocol) and writes
the status bar. It runs in the GUI thread only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QStatusBar

from ganviz.app.verdict_banner import VerdictBanner
from ganviz.app.views import View
from ganviz.core.branch_history import BranchHistories
from ganviz.core.coach import WindowFeed, figures_1d, figures_2d
from ganviz.core.protocol import Frame, TimelineView
from ganviz.core.toy1d.verdict import Verdict

# The view redraws at most this often; newer data replaces older data that was never drawn.
MAX_DRAW_RATE_HZ = 60
MIN_DRAW_INTERVAL_S = 1.0 / MAX_DRAW_RATE_HZ
MESSAGE_TIMEOUT_MS = 8000  # how long a message stays in the status bar


class StatusLabels:
    """The status bar's permanent part: iteration, training rate, draw rate, device."""

    def __init__(self, bar: QStatusBar) -> None:
        self.bar = bar
        self.iteration = QLabel("Loading PyTorch…")
        self.rate = QLabel()
        self.fps = QLabel()
        self.device = QLabel()
        for label in (self.iteration, self.rate, self.fps, self.device):
            bar.addPermanentWidget(label)

    def show_frame(self, frame: Frame, frames_per_second: float, training: bool) -> None:
        """``training``: the user asked to train (the trainer's frames say so a moment
        later, or seconds later while an MNIST trainer builds its first frame)."""
        snapshot = frame.snapshot
        timeline = frame.timeline
        where = ("" if timeline is None or timeline.viewing is None
                 else f", viewing the past: live at {timeline.live_step:,}")
        self.iteration.setText(
            f"Iteration {snapshot.step:,}  (D updates {snapshot.d_updates:,}, "
            f"G updates {snapshot.g_updates:,}{where})")
        rate = frame.iterations_per_second
        if not frame.running:
            # Asked to train, the trainer has not said so yet: not "paused".
            self.rate.setText("starting…" if training else "paused")
        elif snapshot.mode == "mnist":
            images = rate * snapshot.settings["batch_size"]
            self.rate.setText(f"{rate:,.1f} it/s, {images:,.0f} images/s")
        else:
            self.rate.setText(f"{rate:,.0f} it/s")
        # Paused, the window draws only what changes: a draw rate would be a stale number
        # from the last second of training.
        self.fps.setText(f"{frames_per_second:.0f} frames/s" if frame.running else "")
        self.fps.setVisible(frame.running)
        threads = f"{frame.threads} torch thread{'s' if frame.threads > 1 else ''}"
        self.device.setText(f"{frame.device.upper()}, {threads}")

    def show_message(self, text: str) -> None:
        self.bar.showMessage(text, MESSAGE_TIMEOUT_MS)

    def set_shown(self, shown: bool) -> None:
        """Hidden while another page (compare mode) has its own: these describe the main
        run, paused behind it."""
        for label in (self.iteration, self.rate, self.device):
            label.setVisible(shown)
        self.fps.setVisible(shown and bool(self.fps.text()))


class Presenter(QObject):
    """Keeps the newest frame and evaluation and draws them, at most MAX_DRAW_RATE_HZ times a
    second.

    Drawing is asked for by what arrives, not polled: a timer ticking at the draw rate would
    wake the GUI thread with nothing new, and each wakeup can take a core from the training
    process. What arrives before the next draw is allowed is drawn together.
    """

    drawn = Signal(int)  # the step shown, after each frame drawn (for tests and benchmarks)

    def __init__(self, view_of: Callable[[str], View], status_bar: QStatusBar,
                 show_pending: Callable[[tuple], None] = lambda names: None,
                 parent: QObject | None = None) -> None:
        """``view_of(mode)``: the view that draws ``mode``; ``show_pending(names)``: show the
        settings that wait for a Reset; ``show_timeline(view, verdicts)`` (set later): draw
        the timeline and the verdict along it."""
        super().__init__(parent)
        self.view_of = view_of
        self.show_pending = show_pending
        self.verdict = VerdictBanner()
        # The run's verdict, with hysteresis: the banner follows it, not each evaluation.
        self.verdict_state = Verdict()
        self.status = StatusLabels(status_bar)
        self.training = False  # the user asked to train (the trainer says so in its frames)
        self.latest_frame: Frame | None = None
        self.latest_evaluation = None  # the one the views show (a past one while viewing)
        self.histories = BranchHistories()  # the evaluations' curves, by branch
        self.live_verdict: tuple[str, str] | None = None
        self.show_timeline: Callable[[TimelineView, list], None] = lambda view, verdicts: None
        self.coach = WindowFeed()  # the coach, fed from the live frames and evaluations
        self.show_diagnosis: Callable[[object], None] = lambda diagnosis: None
        self.show_numbers: Callable[[Frame], None] = lambda frame: None  # the model diagram
        # The other branches' curves, drawn faded: frames carry them only when they change.
        self.faded: tuple = ()
        self.timeline_dirty = False
        self.frame_dirty = False  # a frame not drawn yet
        self.evaluation_dirty = False  # an evaluation not drawn yet
        self.last_draw_time = -MIN_DRAW_INTERVAL_S
        self._draw_times: list[float] = []  # the draws of the last second
        self._stopped = False
        self.draw_timer = QTimer(self, singleShot=True)
        self.draw_timer.timeout.connect(self.draw)

    # ------------------------------------------------------------------------ arriving
    @property
    def evaluation_history(self):
        """The evaluations' curves of the branch being trained."""
        return self.histories.current

    def viewing(self) -> int | None:
        """The past iteration the views show, or None: the live run."""
        frame = self.latest_frame
        return None if frame is None or frame.timeline is None else frame.timeline.viewing

    def take_frame(self, frame: Frame) -> None:
        view = self.view_of(frame.snapshot.mode)
        view.receive(frame.snapshot)
        if frame.live_view is not None:  # filled in the same way (2-D: the real sample)
            view.receive(replace(frame.snapshot, view=frame.live_view))
        previous = self.viewing()
        self.latest_frame = frame
        self.frame_dirty = True
        timeline = frame.timeline
        if timeline is not None:
            branches = {b.number: (b.parent, b.fork_step) for b in timeline.branches}
            if self.histories.follow(timeline.current, branches):
                self.evaluation_dirty = True  # the convergence curves of the other branch
                self._forget_judging()  # the verdict and the coach judged the branch left
            if timeline.faded is not None:
                self.faded = timeline.faded
            self.timeline_dirty = True
            if timeline.viewing is None and previous is not None:
                self._back_to_live()
        self._coach_frame(frame)
        self.request_draw()

    def _coach_frame(self, frame: Frame) -> None:
        snapshot = frame.snapshot
        self.coach.follow(snapshot.mode, snapshot.settings)
        # Viewing a past moment, the live run's figures come beside it.
        view = frame.live_view if self.viewing() is not None else snapshot.view
        if snapshot.mode == "mnist" and getattr(view, "class_counts", None) is not None \
                and view.classified_step > 0:
            self._coached(self.coach.record(view.classified_step, snapshot.history, {
                "confident": view.confident, "coverage": view.coverage}))

    def _coached(self, diagnosis) -> None:
        if diagnosis is not None:
            self.show_diagnosis(diagnosis)

    def mark_diverged(self) -> None:
        """The run diverged at the newest frame's iteration: shown on the timeline."""
        frame = self.latest_frame
        if frame is not None and frame.timeline is not None:
            self.histories.mark_diverged(frame.timeline.live_step)
            self.timeline_dirty = True
            self.request_draw()

    def _back_to_live(self) -> None:
        """Live again: the views show the newest live evaluation, not the past one."""
        live = self.histories.current.latest
        self.latest_evaluation = live
        self.evaluation_dirty = live is not None

    @staticmethod
    def tag_of(frame: Frame) -> tuple | None:
        """What an evaluation of ``frame``'s state is of: (branch, past moment or None)."""
        timeline = frame.timeline
        return None if timeline is None else (timeline.current, timeline.viewing)

    def take_evaluation(self, evaluation, tag: tuple | None = None) -> None:
        """An evaluation of the live run, or of the past moment the user views (``tag``,
        see tag_of; None: the live run): shown, but only the live run's are points of the
        curves over iterations. One of a branch left since, or of a moment no longer
        viewed, is dropped."""
        viewing = self.viewing()
        branch, past = tag if tag is not None else (self.histories.number, None)
        if self.histories.number is not None and branch != self.histories.number:
            return  # made before a branch was made or switched to
        if past is not None:
            if past != viewing:
                return  # the user has moved on to another moment, or back to live
        else:
            verdict = None
            if evaluation.mode == "1d":
                self.live_verdict = self.verdict_state.update_from(evaluation)
                verdict = self.live_verdict[0]
            self.histories.add(evaluation, verdict)
            self.timeline_dirty |= verdict is not None
            frame = self.latest_frame
            if frame is not None and frame.snapshot.mode == evaluation.mode:
                figures = (figures_1d if evaluation.mode == "1d" else figures_2d)(evaluation)
                self._coached(self.coach.record(evaluation.step, frame.snapshot.history,
                                                figures))
            if viewing is not None:  # the curves grow; the views keep the past moment
                self.evaluation_dirty = self.latest_evaluation is not None
                return
        self.latest_evaluation = evaluation
        self.evaluation_dirty = True
        # While training, the next frame (normally within 1/30 s) draws it too: a draw of
        # its own would add the evaluation rate to the frame rate. A trainer that stops or
        # fails sends no more frames: the window then asks for a draw itself.
        frame = self.latest_frame
        if not (self.training and frame is not None and frame.running):
            self.request_draw()

    def forget_frame(self) -> None:
        """No frame yet (a new training process is starting)."""
        self.latest_frame = None
        self.frame_dirty = False

    def forget_evaluation(self) -> None:
        """Another run: the old run's evaluation is not drawn again."""
        self.latest_evaluation = None
        self.evaluation_dirty = False

    def clear(self, views: list[View]) -> None:
        """A new run: ``views`` forget what they drew, and the evaluations start afresh."""
        for view in views:
            view.clear()
        self.histories.clear()
        self._forget_judging()
        self.faded = ()

    def _forget_judging(self) -> None:
        """The verdict's hysteresis and the coach start afresh (another run or branch)."""
        self.verdict_state.reset()
        self.live_verdict = None
        self.coach.clear()
        self.show_diagnosis(None)

    def stop(self) -> None:
        """Nothing more is drawn (the window closes while results are still queued)."""
        self._stopped = True
        self.draw_timer.stop()

    # ------------------------------------------------------------------------- drawing
    def request_draw(self) -> None:
        """Draw what is new at once, or as soon as MAX_DRAW_RATE_HZ allows."""
        if self.draw_timer.isActive() or self._stopped:
            return
        wait_s = self.last_draw_time + MIN_DRAW_INTERVAL_S - time.perf_counter()
        self.draw_timer.start(max(0, int(wait_s * 1000.0 + 0.999)))

    def draw(self) -> None:
        self.last_draw_time = time.perf_counter()
        frame = self.latest_frame
        if frame is None or not (self.frame_dirty or self.evaluation_dirty
                                 or self.timeline_dirty):
            return
        snapshot = frame.snapshot
        view = self.view_of(snapshot.mode)
        evaluation = self.latest_evaluation
        # An evaluation of another mode belongs to the run before a preset switch.
        if self.evaluation_dirty and evaluation is not None and evaluation.mode == snapshot.mode:
            view.show_evaluation(evaluation, self.evaluation_history.as_arrays())
            if evaluation.mode == "1d":
                self._show_verdict(evaluation)
        self.evaluation_dirty = False
        if self.frame_dirty:
            view.show_frame(snapshot, running=frame.running)
            self.show_pending(snapshot.pending_on_reset)
            self.show_numbers(frame)
            self.frame_dirty = False
        if self.timeline_dirty and frame.timeline is not None:
            view.show_timeline(frame.timeline, self.faded)
            self.show_timeline(frame.timeline, self.histories.verdicts)
            self.timeline_dirty = False
        self._count_draw()
        self.status.show_frame(frame, self.frames_per_second(), self.training)
        self.drawn.emit(snapshot.step)

    def _show_verdict(self, evaluation) -> None:
        """The run's verdict (with hysteresis); a past moment's judged on its own."""
        viewing = self.viewing()
        if viewing is not None and evaluation.step == viewing:
            verdict, text = evaluation.verdict, evaluation.verdict_text
            self.verdict.show_verdict(verdict, f"Iteration {viewing:,} (the past): {text}")
        elif self.live_verdict is not None:
            self.verdict.show_verdict(*self.live_verdict)

    def _count_draw(self) -> None:
        now = time.perf_counter()
        self._draw_times.append(now)
        while self._draw_times and now - self._draw_times[0] > 1.0:
            self._draw_times.pop(0)

    def frames_per_second(self) -> float:
        """Draws per second over the last second."""
        times = self._draw_times
        if len(times) < 2:
            return 0.0
        return (len(times) - 1) / max(times[-1] - times[0], 1e-9)
