"""The trainer in a child process, driven by messages: how the window trains.

Why a process: PySide holds Python's GIL while pyqtgraph paints, and torch hands the GIL
back and forth around every operation, dozens of times per training iteration. Sharing a
process, the training thread waited behind every repaint: measured here, the 1-D toy
trained at 22-26% of its headless rate while the window drew. In its own process the
trainer keeps a core to itself and the window draws on the other.

The protocol is plain tuples over two one-way pipes (commands in, results out):

    commands: ("run", bool) | ("step",) | ("step_network", "d" or "g")
              | ("settings", dict) | ("pretrain", steps) | ("points", array, description)
              | ("restore",) | ("save", path) | ("load", path)
              | ("reset", preset, dict, data_dir or None) | ("consumed",) | ("stop",)
    results:  ("frame", Frame) | ("rejected", message) | ("notice", message)
              | ("diverged", message, iteration of the last good state)
              | ("loaded", preset, settings, custom points or None) | ("load_failed", message)
              | ("failed", message)
              | ("stopped",)

While running, a frame is sent about every ``frame_interval`` seconds (MNIST's at most
every MNIST_FRAME_INTERVAL_S), and only once the previous one was consumed, so a busy
window never makes the trainer queue frames that would only be thrown away. Nothing here
imports Qt.
"""

from __future__ import annotations

import contextlib
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path

from ganviz.core import config, presets, runtime
from ganviz.core.protocol import Frame

# The toys' frames (a new evaluation of the densities is drawn with the next frame, or at once
# while paused).
FRAME_INTERVAL_S = 1.0 / 30.0
# MNIST's frames cost much more on both sides (the grid's 64 digits generated in the trainer,
# an image and four long curves painted in the window beside a two-thread trainer): 22 a
# second is enough for the digits to move smoothly. Measured here: at 27 frames/s the
# window trained at 0.49 of the headless rate, at 18 frames/s 0.63, at 22 frames/s 0.67.
MNIST_FRAME_INTERVAL_S = 1.0 / 22.0
# A copy of the run is kept this often (iterations), in memory, while the losses are
# finite: a diverged run can go back to it. Copying MNIST's networks and Adam's moments
# takes ~10 ms, 0.05% of 500 iterations.
KEEP_STATE_EVERY = 500


class TrainerProcess:
    """The training process and both ends of its pipes, started at once.

    The window starts it before it imports Qt and builds itself (see ``ganviz``'s
    command line): importing torch in the child is the longest wait before a first frame,
    and it then overlaps with the window's own start.
    """

    def __init__(self, preset: str, settings: dict, frame_interval: float = FRAME_INTERVAL_S,
                 data_dir: str | None = None, custom=None) -> None:
        """``custom``: the 2-D custom dataset as (points, description), if one was given."""
        import multiprocessing

        # Forking a process that already runs Qt's threads is unsafe; a fresh interpreter
        # is not.
        context = multiprocessing.get_context("spawn")
        commands_out, self.commands = context.Pipe(duplex=False)
        self.results, results_in = context.Pipe(duplex=False)
        self.process = context.Process(
            target=serve, name="ganviz-trainer", daemon=True,
            args=(commands_out, results_in, presets.get(preset).name, dict(settings),
                  frame_interval, None if data_dir is None else str(data_dir), custom),
        )
        self.process.start()
        for end in (commands_out, results_in):  # the child holds its own copies now
            end.close()



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


def serve(commands: Connection, results: Connection, preset: str, settings: dict,
          frame_interval: float = FRAME_INTERVAL_S, data_dir: str | None = None,
          custom=None) -> None:
    """Run a trainer until told to stop (the child process's entry point)."""
    try:
        _serve(commands, results, preset, settings, frame_interval, data_dir, custom)
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return  # the window went away
    except Exception:  # a crash must reach the user, not end the process silently
        message = traceback.format_exc(limit=3).strip().splitlines()[-1]
        with contextlib.suppress(BrokenPipeError, OSError):
            results.send(("failed", message))
    else:
        results.send(("stopped",))


def _serve(commands: Connection, results: Connection, preset_name: str, settings: dict,
           frame_interval: float, data_dir: str | None, custom=None) -> None:
    from ganviz.core.toy2d.data import Points2D
    from ganviz.core.trainer import Trainer

    data = None
    loaded_from = None
    # The 2-D custom dataset: kept across Resets, preset switches and opened sessions.
    custom_points = Points2D(*custom) if custom is not None else None

    def make_trainer(name: str, values: dict, folder: str | None) -> tuple[Trainer, int]:
        nonlocal data, loaded_from
        preset = presets.get(name)
        if preset.mode == "mnist" and folder != loaded_from:
            from ganviz.core.mnist import data as mnist

            data = mnist.load_dir(folder) if folder is not None else None
            loaded_from = folder
        threads = runtime.configure_threads(preset.mode)
        given = {"mnist": data, "2d": custom_points}.get(preset.mode)
        return Trainer(preset, values, data=given), threads

    trainer, threads = make_trainer(preset_name, settings, data_dir)
    kept_state, kept_step = trainer.keep_state(), 0  # the last good state
    device = str(trainer.device)
    available = runtime.available_devices()
    rate = RateMeter()
    running = False
    steps_requested = 0
    frame_in_flight = False

    def send_frame() -> None:
        nonlocal frame_in_flight
        for notice in trainer.take_notices():
            results.send(("notice", notice))
        frame_in_flight = True
        results.send(("frame", Frame(trainer.snapshot(), rate.value(), running, threads, device,
                                       available)))

    def interval() -> float:
        return max(frame_interval, MNIST_FRAME_INTERVAL_S if trainer.mode == "mnist" else 0)

    send_frame()
    trainer.prepare()  # after the first frame: the window shows up ~1.7 s sooner
    next_frame = time.perf_counter() + interval()  # when the next frame is due
    step_time = 0.0  # running mean of one iteration's duration

    def check_divergence() -> bool:
        """Pause at once on a NaN/Inf loss, and say where the last good state is."""
        nonlocal running
        problem = trainer.diverged()
        if problem is None:
            return False
        running = False
        results.send(("diverged", f"{problem} at iteration {trainer.step_count:,}",
                      kept_step))
        return True

    def frame_due(step_time: float) -> float:
        # Frames are sent at the end of the iteration nearest to their time (half an
        # iteration early at most): waiting for the iteration that crosses it made slow
        # presets (MNIST, ~30 ms per iteration) draw ~18 frames/s instead of 30.
        return next_frame - 0.5 * step_time

    def frame_waiting() -> bool:
        """A frame is due and the window has drawn the previous one."""
        return not frame_in_flight and time.perf_counter() >= frame_due(step_time)
    while True:
        force_frame = False
        # Paused with nothing to do: block until a command comes (no CPU used).
        while commands.poll(None if not (running or steps_requested) else 0):
            message = commands.recv()
            kind = message[0]
            if kind == "stop":
                return
            if kind == "run":
                if message[1] != running:
                    running = message[1]
                    rate.restart()
                    force_frame = True
                steps_requested = 0
            elif kind == "step":
                if not running:
                    steps_requested += 1
            elif kind == "settings":
                try:
                    trainer.update_settings(message[1])
                except config.SettingError as error:
                    results.send(("rejected", str(error)))
                force_frame = True
            elif kind == "step_network":
                if not running:
                    trainer.step_network(message[1])
                force_frame = True
            elif kind == "save":
                from ganviz.core import session

                try:
                    saved = session.save(trainer, message[1])
                    results.send(("notice", f"Saved the run at iteration "
                                            f"{trainer.step_count:,} to {saved.name}"))
                except session.SessionError as error:
                    results.send(("rejected", str(error)))
            elif kind == "load":
                from ganviz.core import session

                try:
                    loaded = session.load(message[1], data=data)  # data: MNIST's, if any
                except session.SessionError as error:
                    results.send(("load_failed", f"Not opened: {error}; the current run goes "
                                                 f"on"))
                else:
                    trainer = loaded
                    threads = runtime.configure_threads(trainer.mode)
                    device = str(trainer.device)
                    kept_state, kept_step = trainer.keep_state(), trainer.step_count
                    running = False
                    rate.restart()
                    custom = getattr(trainer.problem, "custom", None)
                    if custom is not None:  # the session's points become the custom data
                        custom_points = custom
                    results.send(("loaded", trainer.preset.name, dict(trainer.settings),
                                  None if custom is None else (custom.points.numpy(),
                                                               custom.description)))
                    results.send(("notice", f"Opened {Path(message[1]).name}: "
                                            f"{trainer.preset.name} at iteration "
                                            f"{trainer.step_count:,}"))
                force_frame = True
            elif kind == "restore":
                trainer.restore_state(kept_state)
                results.send(("notice", f"Restored the run as it was at iteration "
                                        f"{kept_step:,}; settings as they are now"))
                force_frame = True
            elif kind == "points":
                custom_points = Points2D(message[1], message[2])
                if trainer.mode == "2d":
                    trainer.set_custom_points(custom_points)
                force_frame = True
            elif kind == "pretrain":
                if trainer.mode == "1d":
                    trainer.pretrain_discriminator(message[1])
                force_frame = True
            elif kind == "reset":
                try:
                    trainer, threads = make_trainer(message[1], message[2], message[3])
                    kept_state, kept_step = trainer.keep_state(), 0
                    device = str(trainer.device)
                except config.SettingError as error:  # e.g. a device this machine lacks
                    results.send(("rejected", f"{error}; the current run goes on"))
                rate.restart()
                force_frame = True
            elif kind == "consumed":
                frame_in_flight = False
            if force_frame:
                break  # show the change before doing anything else

        if steps_requested and not running:
            steps_requested -= 1
            trainer.step()
            check_divergence()
            force_frame = True
        elif running and not frame_waiting():
            # Train until the next frame is due or a command arrives; pausing stops before
            # the next iteration, never after one more. A frame already due whose
            # predecessor has just been drawn goes first: training one more iteration
            # before it halved MNIST's frame rate (one frame per two ~30 ms iterations).
            while not commands.poll():
                started = time.perf_counter()
                trainer.step()
                rate.count()
                if check_divergence():
                    force_frame = True
                    break
                now = time.perf_counter()
                step_time += 0.1 * ((now - started) - step_time)
                if now >= frame_due(step_time):
                    break
            if (trainer.step_count >= kept_step + KEEP_STATE_EVERY
                    and trainer.diverged() is None and trainer.weights_finite()):
                kept_state, kept_step = trainer.keep_state(), trainer.step_count

        now = time.perf_counter()
        due = now >= frame_due(step_time)
        if force_frame or (due and not frame_in_flight):
            send_frame()
            trainer.prepare()  # a new trainer (Reset) builds its optimisers while idle
            if due:
                # Frames keep to a schedule, so that their mean rate is 1/interval even when
                # an iteration is a large part of the interval; after a pause or a slow
                # window the schedule starts again from now.
                next_frame += interval()
                if next_frame < now:
                    next_frame = now + interval()
