"""The window's compare mode, trained in a child process: a sweep's variants (core/sweep.py)
trained together, sent as cells (core/compare_cells.py) at the window's frame rate.

As the main trainer (core/remote.py), it runs in a process of its own (the toys with one
torch thread, so that the window draws on the other core; MNIST with two); one frame is
in flight at a time (the window answers CellsDrawn), and commands are read between
iterations.
"""

from __future__ import annotations

import contextlib
import time
import traceback
from multiprocessing.connection import Connection

from ganviz.core import compare_protocol as messages
from ganviz.core import protocol, runtime
from ganviz.core.run_guard import RateMeter
from ganviz.core.sweep import Variant

# 25 frames a second asked for: the compare grid's goal is 20 (16 variants drawn each
# time), and a frame now and then is late by part of an iteration.
COMPARE_FRAME_INTERVAL_S = 0.04


class CompareRun:
    """``variants`` of ``preset`` trained together, measured as cells."""

    def __init__(self, preset: str, variants: list[Variant], base: dict | None = None,
                 data=None) -> None:
        """``data``: the main run's own data (2-D custom Points2D, MNIST's digits)."""
        from ganviz.core.compare_cells import cell_maker
        from ganviz.core.sweep_run import SweepRun

        self.sweep = SweepRun(preset, variants, base, device="cpu", data=data)
        self.maker = cell_maker(self.sweep.preset.mode, self.sweep.trainers)
        self.turn = 0  # the variant whose figures are measured afresh in the next frame
        self._number = {id(t): i for i, t in enumerate(self.sweep.trainers)}

    def layout(self) -> messages.CompareLayout:
        sweep = self.sweep
        from ganviz.core.sweep import BatchedGroup

        return messages.CompareLayout(
            sweep.preset.name, sweep.preset.mode, tuple(v.name for v in sweep.variants),
            tuple(self.maker.layouts), sweep.batched,
            sum(isinstance(g, BatchedGroup) for g in sweep.groups))

    def step(self) -> None:
        self.sweep.step()

    def cells(self) -> tuple:
        """Every variant's cell now; one of them (in turn, and any never measured) with
        its figures measured afresh."""
        from ganviz.core.sweep import BatchedGroup

        sweep = self.sweep
        count = len(sweep.trainers)
        cells: dict = {}
        batch = getattr(self.maker, "batch_cells", None)
        for group in sweep.groups:
            if batch is not None and isinstance(group, BatchedGroup):
                cells.update(batch(group, [self._number[id(t)] for t in group.trainers]))
        for index in range(count):
            judge = index == self.turn or index not in self.maker.figures
            if judge or index not in cells:
                cells[index] = self.maker.cell(index, sweep.for_picture(index), judge=judge)
        self.turn = (self.turn + 1) % count
        return tuple(cells[index] for index in range(count))

    def write(self, index: int, path: str) -> int:
        """Variant ``index``'s whole run as a session at ``path``; its iteration."""
        from ganviz.core import session

        trainer = self.sweep.trainer(index, whole=True)
        session.save(trainer, path, with_timeline=False)
        return trainer.step_count


class CompareProcess:
    """The compare mode's training process and both ends of its pipes, started at once."""

    def __init__(self, preset: str, variants: list[Variant], base: dict,
                 frame_interval: float = COMPARE_FRAME_INTERVAL_S, custom=None,
                 data_dir: str | None = None) -> None:
        """``custom``: the 2-D custom dataset as (points, description); ``data_dir``:
        MNIST's folder, as the main trainer was given them."""
        import multiprocessing

        context = multiprocessing.get_context("spawn")  # never fork a process running Qt
        commands_out, self.commands = context.Pipe(duplex=False)
        self.results, results_in = context.Pipe(duplex=False)
        self.process = context.Process(
            target=serve, name="ganviz-compare", daemon=True,
            args=(commands_out, results_in, preset, list(variants), dict(base),
                  frame_interval, custom, data_dir))
        self.process.start()
        for end in (commands_out, results_in):
            end.close()


def serve(commands: Connection, results: Connection, preset: str, variants: list[Variant],
          base: dict, frame_interval: float = COMPARE_FRAME_INTERVAL_S, custom=None,
          data_dir: str | None = None) -> None:
    """Train the variants until told to stop (the child process's entry point)."""
    try:
        _serve(commands, results, preset, variants, base, frame_interval,
               _data(preset, custom, data_dir))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return  # the window went away
    except Exception:
        message = traceback.format_exc(limit=3).strip().splitlines()[-1]
        with contextlib.suppress(BrokenPipeError, OSError):
            results.send(protocol.Failed(message))


def _data(preset: str, custom, data_dir: str | None):
    """The main run's own data for the variants' trainers, as the Controller gives it."""
    from ganviz.core import presets

    mode = presets.get(preset).mode
    if mode == "2d" and custom is not None:
        from ganviz.core.toy2d.data import Points2D

        return Points2D(*custom)
    if mode == "mnist":
        from ganviz.core.images.sources import load_data

        return load_data(presets.get(preset), data_dir)
    return None


def _serve(commands: Connection, results: Connection, preset: str, variants: list[Variant],
           base: dict, frame_interval: float, data=None) -> None:
    run = CompareRun(preset, variants, base, data)
    # The toys: one core, the window draws on the other. MNIST's convolutions and wide
    # layers use both (its frames come ~8 times a second, the window is mostly idle).
    runtime.configure_threads("mnist" if run.sweep.preset.mode == "mnist" else "1d")
    results.send(run.layout())
    rate = RateMeter()
    running, in_flight, changed = False, False, True
    ready: messages.CompareFrame | None = None  # measured when due, sent once drawn
    next_frame = time.perf_counter()
    # Typical times (moving averages): an iteration of every variant, a frame's cells, and
    # the window's answer (from a frame sent to CellsDrawn: 10-70 ms on a virtual screen
    # here, where the X server's copy of each frame takes a core's time too). A frame is
    # due at its time, and not before the window is expected to have drawn the last one;
    # training stops when it is nearer than half an iteration plus the cells, so that it
    # is measured on time and leaves when the window is ready. Training on while the
    # window drew made frames wait for an iteration's end (40 ms frames took 50-70 ms);
    # waiting for the window's answer instead of training starved the variants (10 it/s).
    step_s = cells_s = answer_s = 0.0
    stepped = False  # an iteration since the last frame
    sent_at = time.perf_counter()

    def measure() -> messages.CompareFrame:
        nonlocal cells_s
        began = time.perf_counter()
        cells = run.cells()
        cells_s += 0.2 * (time.perf_counter() - began - cells_s)
        return messages.CompareFrame(cells, rate.value(), running)

    while True:
        if not running and not changed and ready is None:
            wait = None  # paused, nothing new to show: block until a command comes
        else:
            wait = 0.25 if ready is not None and in_flight else 0  # the window's word
        while commands.poll(wait):
            wait = 0
            command = protocol.check_message(commands.recv(), messages.COMMANDS)
            if isinstance(command, protocol.Stop):
                results.send(protocol.Stopped())
                return
            if isinstance(command, messages.RunVariants):
                if command.running and not running:
                    rate.restart()  # a pause is no slow training
                running, changed, ready = command.running, True, None
            elif isinstance(command, messages.CellsDrawn):
                in_flight = False
                answer_s += 0.2 * (time.perf_counter() - sent_at - answer_s)
            elif isinstance(command, messages.OpenVariant):
                results.send(_write(run, command))
        if changed and ready is None:
            ready = measure()  # a pause or a start shows at once
        while running and ready is None and not commands.poll():
            due = max(next_frame, sent_at + answer_s) if in_flight else next_frame
            # At least one iteration a frame: MNIST's four variants take 60 ms or more.
            if stepped and time.perf_counter() + 0.5 * step_s + cells_s >= due:
                ready = measure()
                break
            began = time.perf_counter()
            run.step()
            rate.count()
            stepped = True
            step_s += 0.2 * (time.perf_counter() - began - step_s)
        if ready is not None and not in_flight:
            results.send(ready)
            sent_at = time.perf_counter()
            ready, in_flight, changed, stepped = None, True, False, False
            next_frame = max(next_frame + frame_interval,
                             time.perf_counter() + 0.5 * frame_interval)


def _write(run: CompareRun, command: messages.OpenVariant):
    from ganviz.core import session

    if not 0 <= command.index < len(run.sweep.trainers):
        return protocol.Rejected(f"no variant {command.index}")
    try:
        step = run.write(command.index, command.path)
    except (session.SessionError, OSError) as error:
        return protocol.Rejected(f"the variant could not be written: {error}")
    return messages.VariantWritten(command.index, command.path, step)
