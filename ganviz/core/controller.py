"""The run as the window drives it, without the window or a process: :class:`Controller`.

The training process (:mod:`ganviz.core.remote`) only decodes commands and calls the
controller's methods; everything a run keeps between two commands lives here, and every
result leaves through the one ``emit`` callable it was given (a pipe's ``send``, or a
list's ``append`` in the tests). Nothing here imports Qt or, at import time, torch: the
window reads these constants before torch has loaded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ganviz.core import config, presets, runtime
from ganviz.core.images.sources import data_kind, load_data
from ganviz.core.protocol import (
    Diverged,
    Explored,
    Frame,
    Loaded,
    LoadFailed,
    Notice,
    Rejected,
)
from ganviz.core.run_guard import LastGoodState, RateMeter

EXPLORER_PAUSE_S = 0.3

if TYPE_CHECKING:
    from ganviz.core.trainer import Trainer

# The toys' frames (a new evaluation of the densities is drawn with the next frame, or at once
# while paused).
FRAME_INTERVAL_S = 1.0 / 30.0
# MNIST's frames cost much more on both sides (the grid's 64 digits generated in the trainer,
# an image and four long curves painted in the window beside a two-thread trainer), and
# every frame drawn is training time lost: MNIST's frames come less often, at the rate that
# measured best, where the digits still move smoothly and training keeps most of its
# headless rate.
MNIST_FRAME_INTERVAL_S = 1.0 / 22.0
DEVICE_UNAVAILABLE = "device: {value} is not available on this machine; usable here: {usable}"
CUSTOM_WITHOUT_POINTS = ("dataset: custom needs points: draw them or open a points file first "
                         "(Data menu)")


class Controller:
    """One run of the window: the trainer, its pacing and the state kept between commands.

    ``emit(result)`` receives every result (:data:`ganviz.core.protocol.RESULTS`).
    ``custom``: the 2-D custom dataset as (points, description), if one was given.
    Call :meth:`start` once, then the command methods and :meth:`advance` in turn.
    """

    def __init__(self, preset: str, settings: dict, emit: Callable[[object], None],
                 frame_interval: float = FRAME_INTERVAL_S, data_dir: str | None = None,
                 custom=None) -> None:
        from ganviz.core.toy2d.data import Points2D

        self._emit = emit
        self.frame_interval = frame_interval
        # The image mode's images, read from ``data_from``, (kind, folder) (None: as ganviz
        # finds them; see core/images/sources.py)
        self.data = None
        self.data_from: tuple[str, str | None] | None = None
        # The 2-D custom dataset: kept across Resets, preset switches and opened sessions.
        self.custom_points = Points2D(*custom) if custom is not None else None
        self.trainer, self.threads = self._make_trainer(preset, settings, data_dir)
        # torch-free at import: the window imports this module (for its constants)
        from ganviz.core.timeline_control import TimelineControl

        self.timeline = TimelineControl()
        self.timeline.follow(self.trainer)
        self.device = str(self.trainer.device)
        self.available = runtime.available_devices()
        self.kept = LastGoodState(self.trainer)
        self.rate = RateMeter()
        self.running = False
        self.steps_requested = 0
        self.settings_handled = 0
        self.frame_in_flight = False
        self.show_now = False  # a command changed something: send a frame before training
        self.next_frame = time.perf_counter()  # when the next frame is due
        self.step_time = 0.0  # running mean of one iteration's duration
        self._explorer_until = 0.0  # training yields to the latent explorer's pad until

    def _make_trainer(self, name: str, values: dict, folder: str | None) -> tuple[Trainer, int]:
        from ganviz.core.trainer import Trainer

        preset = presets.get(name)
        if preset.mode == "mnist" and (data_kind(preset), folder) != self.data_from:
            self.data = load_data(preset, folder)
            self.data_from = (data_kind(preset), folder)
        threads = runtime.configure_threads(preset.mode)
        given = {"mnist": self.data, "2d": self.custom_points}.get(preset.mode)
        return Trainer(preset, values, data=given), threads

    @property
    def busy(self) -> bool:
        """Running or stepping: commands are polled for, not waited for."""
        return self.running or self.steps_requested > 0

    def command_wait(self) -> float | None:
        """How long the serving loop may wait for a command: 0 while busy, None (for
        ever) while paused, and while the latent explorer's pad is in use (see
        :meth:`explore`) what is left of training's pause."""
        yielding = self._explorer_until - time.perf_counter()
        if self.running and yielding > 0:
            return yielding
        return 0 if self.busy else None

    def start(self) -> None:
        """Send the first frame, then build the optimisers: the window shows up sooner
        than if it waited for them."""
        self._send_frame()
        self.trainer.prepare()
        self.next_frame = time.perf_counter() + self._interval()

    # ------------------------------------------------------------------------ commands
    def run(self, running: bool) -> None:
        if running != self.running:
            self.running = running
            self.rate.restart()
            self.show_now = True
        self.steps_requested = 0

    def step(self) -> None:
        """One iteration at the next :meth:`advance`, if paused (ignored while running)."""
        if not self.running:
            self.steps_requested += 1

    def step_network(self, network: str) -> None:
        if not self.running:
            self.trainer.step_network(network)
        self.show_now = True

    def narrate(self) -> None:
        """Slow motion: the next iteration now, taken apart (Narrated), then its frame;
        ignored while running."""
        if self.running:
            return
        from ganviz.core.narration import narrate

        self._emit(narrate(self.trainer))
        self._check_divergence()
        self.show_now = True

    def explore(self, cells: tuple, point: tuple) -> None:
        """MNIST's latent explorer (core/mnist/latent.py), answered at once, running or
        not: nothing of it changes training."""
        from ganviz.core.mnist.latent import explore

        if self.trainer.mode != "mnist":
            self._emit(Rejected("the latent explorer is for MNIST presets"))
            return
        try:
            digits = explore(self.trainer, tuple(cells), tuple(point))
        except ValueError as error:
            self._emit(Rejected(f"latent explorer: {error}"))
            return
        self._emit(Explored(tuple(cells), tuple(point), self.trainer.step_count, digits))
        if len(cells) == 1:
            # A drag on the pad: MNIST's training takes both cores, and with it each
            # redraw took 80 ms (the window waited for a core); training pauses while the
            # pad moves, and goes on EXPLORER_PAUSE_S after the last move.
            self._explorer_until = time.perf_counter() + EXPLORER_PAUSE_S

    def change_settings(self, changes: dict) -> None:
        """Apply live changes, or refuse them all with one Rejected. Counted either way:
        the frame's settings_handled tells the window when its panel may trust them."""
        self.settings_handled += 1
        self.show_now = True
        try:
            self._check_usable(changes)
            self.trainer.update_settings(changes)
        except config.SettingError as error:
            self._emit(Rejected(str(error)))
        else:
            self.timeline.note(self.trainer, changes)

    def _check_usable(self, changes: dict) -> None:
        """The rules the schema cannot know: what this machine and this run have."""
        device = changes.get("device")
        if device is not None and device not in self.available:
            raise config.SettingError(DEVICE_UNAVAILABLE.format(
                value=device, usable=", ".join(self.available)))
        if changes.get("dataset") == "custom" and self.custom_points is None:
            raise config.SettingError(CUSTOM_WITHOUT_POINTS)

    def pretrain(self, steps: int) -> None:
        if self.trainer.mode == "1d":
            self.trainer.pretrain_discriminator(steps)
        self.show_now = True

    def set_points(self, points, description: str) -> None:
        from ganviz.core.toy2d.data import Points2D

        self.custom_points = Points2D(points, description)
        if self.trainer.mode == "2d":
            self.trainer.set_custom_points(self.custom_points)
        self.show_now = True

    def view_at(self, step: int | None) -> None:
        """Show the run as it was at ``step`` (None: live again) while it trains on."""
        from ganviz.core.timeline import TimelineError

        self.show_now = True
        try:
            self.timeline.view_at(self.trainer, step)
        except TimelineError as error:
            self._emit(Rejected(f"Cannot show that moment: {error}"))

    def branch_here(self, step: int) -> None:
        """Go on from the snapshot at ``step`` as a new branch; the run so far is kept."""
        from ganviz.core.timeline import TimelineError

        self.show_now = True
        try:
            self._emit(Notice(self.timeline.branch_here(self.trainer, step)))
        except TimelineError as error:
            self._emit(Rejected(f"Cannot branch there: {error}"))
            return
        self.kept = LastGoodState(self.trainer)
        self.rate.restart()

    def switch_branch(self, number: int) -> None:
        from ganviz.core.timeline import TimelineError

        self.show_now = True
        try:
            self._emit(Notice(self.timeline.switch(self.trainer, number)))
        except TimelineError as error:
            self._emit(Rejected(f"Cannot switch: {error}"))
            return
        self.kept = LastGoodState(self.trainer)
        self.rate.restart()

    def restore(self) -> None:
        self.timeline.viewing = None
        self.kept.restore(self.trainer)
        self._emit(Notice(f"Restored the run as it was at iteration {self.kept.step:,}; "
                          f"settings as they are now"))
        self.show_now = True

    def save(self, path: str, with_timeline: bool = True) -> None:
        from ganviz.core import session

        try:
            saved = session.save(self.trainer, path, with_timeline)
        except session.SessionError as error:
            self._emit(Rejected(str(error)))
        else:
            self._emit(Notice(f"Saved the run at iteration {self.trainer.step_count:,} to "
                              f"{saved.name}"))

    def load(self, path: str) -> None:
        """Replace the run by a saved session (paused), or keep it and say why not."""
        from ganviz.core import session

        self.show_now = True
        try:
            trainer = session.load(path, data=self.data)  # data: MNIST's, if any
        except session.SessionError as error:
            self._emit(LoadFailed(f"Not opened: {error}; the current run goes on"))
            return
        self._adopt(trainer, runtime.configure_threads(trainer.mode))
        self.running = False
        custom = getattr(trainer.problem, "custom", None)
        if custom is not None:  # the session's points become the custom data
            self.custom_points = custom
        self._emit(Loaded(trainer.preset.name, dict(trainer.settings),
                          None if custom is None else (custom.points.numpy(),
                                                       custom.description)))
        self._emit(Notice(f"Opened {Path(path).name}: {trainer.preset.name} at iteration "
                          f"{trainer.step_count:,}"))

    def reset(self, preset: str, settings: dict, data_dir: str | None = None) -> None:
        """New networks, or the current run kept if the settings cannot be built here."""
        self.show_now = True
        try:
            self._adopt(*self._make_trainer(preset, settings, data_dir))
        except config.SettingError as error:  # e.g. a device this machine lacks
            self._emit(Rejected(f"{error}; the current run goes on"))
        self.rate.restart()

    def _adopt(self, trainer: Trainer, threads: int) -> None:
        self.trainer, self.threads = trainer, threads
        self.timeline.follow(trainer)
        self.device = str(trainer.device)
        self.kept = LastGoodState(trainer)
        self.rate.restart()

    def frame_consumed(self) -> None:
        self.frame_in_flight = False

    # ------------------------------------------------------------------------- training
    def frame(self) -> Frame:
        snapshot = self.timeline.snapshot(self.trainer)
        return Frame(snapshot, self.rate.value(), self.running, self.threads, self.device,
                     self.available, self.settings_handled, self.timeline.view(self.trainer),
                     self.timeline.live_view)

    def advance(self, command_waiting: Callable[[], bool] = lambda: False) -> None:
        """Do what is due after the commands read: a requested step, or training until
        the next frame (or a waiting command), then that frame if it is due and no
        command waits: the latent explorer's pad waited for MNIST frames (and their
        classification every few seconds), 83 ms a redraw while training instead of 14."""
        if self.steps_requested and not self.running:
            self.steps_requested -= 1
            self.trainer.step()
            self._check_divergence()
            self.show_now = True
        elif (self.running and not self._frame_waiting()
              and time.perf_counter() >= self._explorer_until):
            self.train_until_frame_due(command_waiting)
        if not command_waiting():
            self._send_frame_if_due()

    def train_until_frame_due(self, command_waiting: Callable[[], bool]) -> None:
        """Train until the next frame is due, a command waits or a loss goes non-finite.

        A waiting command is checked before each iteration, so pausing stops before the
        next one, never after one more.
        """
        while not command_waiting():
            started = time.perf_counter()
            self.trainer.step()
            self.rate.count()
            if self._check_divergence():
                self.show_now = True
                break
            now = time.perf_counter()
            self.step_time += 0.1 * ((now - started) - self.step_time)
            if now >= self._frame_due():
                break
        self.kept.keep_if_due(self.trainer)

    def _check_divergence(self) -> bool:
        """Pause at once on a NaN/Inf loss, and say where the last good state is."""
        problem = self.kept.problem(self.trainer)
        if problem is None:
            return False
        self.running = False
        self._emit(Diverged(problem, self.kept.step))
        return True

    # -------------------------------------------------------------------------- pacing
    def _interval(self) -> float:
        return max(self.frame_interval,
                   MNIST_FRAME_INTERVAL_S if self.trainer.mode == "mnist" else 0)

    def _frame_due(self) -> float:
        # A frame goes at the end of the iteration nearest to its time (half an iteration
        # early at most): waiting for the iteration that crosses it makes a slow preset,
        # whose iteration is a large part of the interval, draw far fewer frames than asked.
        return self.next_frame - 0.5 * self.step_time

    def _frame_waiting(self) -> bool:
        """A frame is due and the window has drawn the previous one. It goes before any
        more training: one more iteration first would delay every such frame by a whole
        iteration, and for a slow preset halve its frame rate."""
        return not self.frame_in_flight and time.perf_counter() >= self._frame_due()

    def _send_frame_if_due(self) -> None:
        # Only one frame is in flight at a time, so a busy window never makes the trainer
        # compute frames that would only be thrown away; a change a command made is shown
        # at once all the same.
        now = time.perf_counter()
        due = now >= self._frame_due()
        if self.show_now or (due and not self.frame_in_flight):
            self._send_frame()
            self.trainer.prepare()  # a new trainer (Reset) builds its optimisers while idle
            if due:
                # Frames keep to a schedule, so that their mean rate is 1/interval even when
                # an iteration is a large part of the interval; after a pause or a slow
                # window the schedule starts again from now.
                self.next_frame += self._interval()
                if self.next_frame < now:
                    self.next_frame = now + self._interval()
        self.show_now = False

    def _send_frame(self) -> None:
        for notice in self.trainer.take_notices():
            self._emit(Notice(notice))
        self.frame_in_flight = True
        self._emit(self.frame())
