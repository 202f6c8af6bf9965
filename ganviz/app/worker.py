"""The two threads behind the window: one trains, one turns weights into curves.

Neither touches a widget. The GUI thread sends intents through the small thread-safe
API of :class:`TrainingWorker` (start, pause, step, settings, reset, stop); the
workers send plain-numpy results back by queued signals. Both keep at most one result
in flight, so a busy GUI never makes them compute frames it would only throw away.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass

from PySide6.QtCore import QMutex, QMutexLocker, QThread, QWaitCondition, Signal

from ganviz.core import config, presets, runtime

FRAME_INTERVAL_S = 1.0 / 30.0


@dataclass
class Frame:
    """What the training thread sends to the window, at most every FRAME_INTERVAL_S."""

    snapshot: object  # ganviz.core.trainer.Snapshot
    iterations_per_second: float
    running: bool
    threads: int
    device: str


@dataclass
class _Reset:
    preset: str
    settings: dict


class TrainingWorker(QThread):
    """Runs the trainer; applies commands between two iterations."""

    frame_ready = Signal(object)  # Frame
    settings_rejected = Signal(str)
    failed = Signal(str)

    def __init__(self, preset: str, settings: dict, frame_interval: float = FRAME_INTERVAL_S,
                 parent=None) -> None:
        super().__init__(parent)
        self._preset = presets.get(preset)
        self._initial_settings = dict(settings)
        self.frame_interval = frame_interval
        self._mutex = QMutex()
        self._wake = QWaitCondition()
        # Commands, guarded by _mutex. _commands_waiting is read without the lock as a
        # cheap hint in the training loop; the lock is taken before acting on it.
        self._running = False
        self._steps_requested = 0
        self._changes: dict = {}
        self._reset: _Reset | None = None
        self._abort = False
        self._commands_waiting = False
        self._frame_in_flight = False

    # ------------------------------------------------------------ API for the GUI thread
    def set_running(self, running: bool) -> None:
        with QMutexLocker(self._mutex):
            self._running = running
            self._notify()

    def request_step(self) -> None:
        """One iteration, if paused (ignored while running)."""
        with QMutexLocker(self._mutex):
            if not self._running:
                self._steps_requested += 1
                self._notify()

    def request_settings(self, changes: dict) -> None:
        with QMutexLocker(self._mutex):
            self._changes.update(changes)
            self._notify()

    def request_reset(self, preset: str, settings: dict) -> None:
        """New networks for ``preset`` with ``settings`` (pending changes are dropped)."""
        with QMutexLocker(self._mutex):
            self._reset = _Reset(preset, dict(settings))
            self._changes.clear()
            self._notify()

    def frame_consumed(self) -> None:
        with QMutexLocker(self._mutex):
            self._frame_in_flight = False

    def stop(self, timeout_ms: int = 5000) -> bool:
        """Ask the thread to finish after the current iteration, and wait for it."""
        with QMutexLocker(self._mutex):
            self._abort = True
            self._notify()
        return self.wait(timeout_ms)

    def _notify(self) -> None:  # with the mutex held
        self._commands_waiting = True
        self._wake.wakeAll()

    # -------------------------------------------------------------- the training thread
    def run(self) -> None:
        try:
            self._train()
        except Exception:  # a crash must reach the user, not kill the thread silently
            self.failed.emit(traceback.format_exc(limit=3).strip().splitlines()[-1])

    def _train(self) -> None:
        threads = runtime.configure_threads(self._preset.mode)
        # torch is imported here, on this thread, so the window appears without waiting.
        from ganviz.core.trainer import Trainer

        trainer = Trainer(self._preset, self._initial_settings)
        self.threads, self.device = threads, str(trainer.device)
        rate = _RateMeter()
        was_running = False
        self._emit(trainer, rate, False)
        last_emit = time.perf_counter()
        while True:
            with QMutexLocker(self._mutex):
                while not (self._abort or self._running or self._steps_requested
                           or self._changes or self._reset):
                    self._wake.wait(self._mutex)  # paused: sleep until a command comes
                if self._abort:
                    return
                running = self._running
                step_once = not running and self._steps_requested > 0
                self._steps_requested = max(0, self._steps_requested - 1) if not running else 0
                changes, self._changes = self._changes, {}
                reset, self._reset = self._reset, None
                self._commands_waiting = False
                frame_in_flight = self._frame_in_flight

            force_frame = running != was_running
            if reset is not None:
                trainer = Trainer(presets.get(reset.preset), reset.settings)
                rate.restart()
                force_frame = True
            if changes:
                try:
                    trainer.update_settings(changes)
                except config.SettingError as error:
                    self.settings_rejected.emit(str(error))
                force_frame = True
            if step_once:
                trainer.step()
                force_frame = True
            elif running:
                if not was_running:
                    rate.restart()
                deadline = last_emit + self.frame_interval
                # Train until the next frame is due or a command arrives; pausing stops
                # before the next iteration, never after one more.
                while not self._commands_waiting:
                    trainer.step()
                    rate.count()
                    if time.perf_counter() >= deadline:
                        break
            was_running = running

            now = time.perf_counter()
            if force_frame or (now - last_emit >= self.frame_interval and not frame_in_flight):
                self._emit(trainer, rate, running)
                last_emit = now

    def _emit(self, trainer, rate: _RateMeter, running: bool) -> None:
        with QMutexLocker(self._mutex):
            self._frame_in_flight = True
        self.frame_ready.emit(Frame(trainer.snapshot(), rate.value(), running,
                                    self.threads, self.device))


class _RateMeter:
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


class EvaluationWorker(QThread):
    """Turns the newest model state into densities and D(x), on its own thread.

    The 20,000-sample density estimate costs several milliseconds; here it runs on the
    core the training thread does not use. Only the newest state is kept: states that
    arrive while one is being evaluated replace each other.
    """

    evaluated = Signal(object)  # ganviz.core.evaluation.Evaluation
    failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._mutex = QMutex()
        self._wake = QWaitCondition()
        self._pending = None
        self._abort = False

    def submit(self, model_state) -> None:
        with QMutexLocker(self._mutex):
            self._pending = model_state
            self._wake.wakeAll()

    def stop(self, timeout_ms: int = 5000) -> bool:
        with QMutexLocker(self._mutex):
            self._abort = True
            self._wake.wakeAll()
        return self.wait(timeout_ms)

    def run(self) -> None:
        try:
            runtime.configure_threads("1d")
            from ganviz.core.evaluation import Evaluator

            evaluator = Evaluator()
            while True:
                with QMutexLocker(self._mutex):
                    while self._pending is None and not self._abort:
                        self._wake.wait(self._mutex)
                    if self._abort:
                        return
                    state, self._pending = self._pending, None
                self.evaluated.emit(evaluator.evaluate(state))
        except Exception:
            self.failed.emit(traceback.format_exc(limit=3).strip().splitlines()[-1])
