"""``ganviz train``: the same training as the window, without one."""

from __future__ import annotations

import contextlib
import json
import math
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TextIO

import numpy as np

from ganviz.core.atomic import atomic_write
from ganviz.core.coach import Coach
from ganviz.core.run_guard import LastGoodState
from ganviz.core.trainer import Trainer


class OutputError(OSError):
    """A file could not be written (a full disk, say): ``path``, the system's ``reason``,
    and for the metrics file ``step``, the iteration training had reached."""

    def __init__(self, path: Path, error: OSError, step: int | None = None) -> None:
        self.path, self.reason, self.step = Path(path), error.strerror or str(error), step
        super().__init__(error.errno, f"{path}: not written ({self.reason})")

    def __str__(self) -> str:
        return self.strerror


@contextlib.contextmanager
def output_file(path: Path, mode: str = "wb", **open_args) -> Iterator[IO]:
    """An open file whose content becomes ``path``, under exactly that name.

    A regular file (or a new name) is written through a temporary file beside it and
    renamed over it when the block succeeds (:func:`~ganviz.core.atomic.atomic_write`):
    an old file stays whole until the new one is complete, and a failed write leaves it
    as it was. Anything else that exists (/dev/stdout, a pipe, /dev/null) cannot be
    replaced, so it is written into directly. An OSError comes out as OutputError.
    """
    path = Path(path)
    direct = path.exists() and not path.is_file()
    try:
        with (open(path, mode, **open_args) if direct
              else atomic_write(path, mode, **open_args)) as file:
            yield file
    except OSError as error:
        # A write that failed left its data in the buffer, and closing the file tries it
        # again: report the first failure, which knows the iteration.
        first: BaseException | None = error
        while first is not None and not isinstance(first, OutputError):
            first = first.__context__
        raise (first or OutputError(path, error)) from None


@dataclass
class RunSummary:
    steps: int
    seconds: float
    iterations_per_second: float
    last_metrics: dict
    # What went non-finite and where ("D's loss became nan at iteration 37"), if the run
    # stopped there, and the iteration of the last finite state kept.
    diverged: str | None = None
    kept_step: int | None = None


def metrics_line(trainer: Trainer, elapsed: float) -> dict:
    """One JSONL record: curve means since the previous record, then the mode's figures."""
    record: dict = {"step": trainer.step_count, "time": round(elapsed, 4)}
    record.update(trainer.take_window_means())
    record.update(trainer.metrics())
    # JSON has no NaN: a diverged value is written as null, never as an invalid token.
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v)
        for k, v in record.items()
    }


class ProgressBar:
    """A one-line progress bar on a terminal; a line per tenth of the run otherwise."""

    def __init__(self, total: float, stream: TextIO | None = None) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self._last_draw = 0.0
        self._last_tenth = -1

    def update(self, done: float, steps: int, rate: float, force: bool = False) -> None:
        now = time.perf_counter()
        fraction = min(1.0, done / self.total) if self.total else 1.0
        if self.tty:
            if not force and now - self._last_draw < 0.1:
                return
            self._last_draw = now
            filled = int(fraction * 30)
            bar = "#" * filled + "-" * (30 - filled)
            remaining = (self.total - done) / (done / max(now - self._start, 1e-9)) if done else 0
            self.stream.write(
                f"\r[{bar}] {fraction:4.0%}  {steps} it  {rate:7.0f} it/s  "
                f"eta {max(0.0, remaining):4.0f}s "
            )
            self.stream.flush()
        else:
            tenth = int(fraction * 10)
            if tenth != self._last_tenth or force:
                self._last_tenth = tenth
                self.stream.write(f"{fraction:4.0%}  {steps} it  {rate:.0f} it/s\n")
                self.stream.flush()

    def start(self) -> None:
        self._start = time.perf_counter()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def run(
    trainer: Trainer,
    steps: int | None = None,
    seconds: float | None = None,
    log_every: int = 50,
    metrics_path: Path | None = None,
    progress: bool = True,
    on_record: Callable[[dict], None] | None = None,
    kept: LastGoodState | None = None,
    coach: Coach | None = None,
) -> RunSummary:
    """Train for ``steps`` iterations or ``seconds`` of wall time, logging metrics.

    A metrics record is made whenever the iteration count reaches a multiple of
    ``log_every``, and always after the last iteration: written as a line of
    ``metrics_path`` and given to ``on_record``. The run stops at the first non-finite
    loss, as the window's does (the summary says where); ``kept`` holds its last finite
    state (the caller's, to keep one across runs; else a new one).

    ``metrics_path`` is written line by line under its own name, so that ``tail -f``
    shows each record as it is made; it is opened (an old file of that name emptied) only
    at the first record, so a run refused or stopped before then leaves an old file as it
    was. A write that fails stops the run with :class:`OutputError`.
    """
    if (steps is None) == (seconds is None):
        raise ValueError("give exactly one of steps and seconds")
    kept = kept if kept is not None else LastGoodState(trainer)
    coach = coach if coach is not None else Coach(trainer.mode, trainer.settings)
    bar = ProgressBar(steps if steps is not None else seconds) if progress else None
    loop = _Loop(trainer, kept, steps, seconds, log_every, on_record,
                 recording=metrics_path is not None or on_record is not None)
    loop.coach = coach
    with contextlib.ExitStack() as stack:
        if metrics_path is not None:
            metrics = stack.enter_context(_MetricsFile(metrics_path, trainer))
            loop.write = metrics.write
        if bar is not None:
            stack.callback(bar.close)
        loop.run(bar)
    if not loop.last:
        loop.last = metrics_line(trainer, time.perf_counter() - loop.start)
    total = time.perf_counter() - loop.start
    return RunSummary(loop.done, total,
                      loop.done / loop.training_time if loop.training_time else 0.0,
                      loop.last, loop.diverged, kept.step)


class _Loop:
    """The training loop of :func:`run` and what it has done so far (kept when it is
    interrupted)."""

    def __init__(self, trainer: Trainer, kept: LastGoodState, steps: int | None,
                 seconds: float | None, log_every: int,
                 on_record: Callable[[dict], None] | None, recording: bool) -> None:
        self.trainer, self.kept, self.steps, self.seconds = trainer, kept, steps, seconds
        self.log_every, self.on_record, self.recording = log_every, on_record, recording
        self.write: Callable[[str], None] | None = None  # a metrics line to the file
        self.coach: Coach | None = None  # names each record's diagnosis
        self.start = time.perf_counter()
        self.training_time = 0.0  # excludes the metric evaluations, for an honest it/s
        self.done = 0
        self.last: dict = {}
        self.diverged: str | None = None

    def run(self, bar: ProgressBar | None) -> None:
        trainer, kept, steps, seconds = self.trainer, self.kept, self.steps, self.seconds
        log_every = self.log_every
        if bar is not None:
            bar.start()
        self.start = start = time.perf_counter()
        finished = False
        alone = steps == 0  # measure the run as it is (a saved one): one record, judged alone
        while not finished:
            # Train up to the next log line, checking the clock every iteration.
            chunk_start = time.perf_counter()
            for _ in range(log_every - trainer.step_count % log_every):
                if steps is not None and self.done >= steps:
                    break
                if seconds is not None and time.perf_counter() - start >= seconds:
                    break
                trainer.step()
                self.done += 1
                self.diverged = kept.problem(trainer)
                if self.diverged is not None:
                    break
                kept.keep_if_due(trainer)
            self.training_time += time.perf_counter() - chunk_start
            elapsed = time.perf_counter() - start
            finished = self.diverged is not None or (
                self.done >= steps if steps is not None else elapsed >= seconds)
            if self.recording and (self.done or alone) and (
                    trainer.step_count % log_every == 0 or finished):
                self.last = metrics_line(trainer, elapsed)
                if self.coach is not None:
                    judge = self.coach.judge_alone if alone else self.coach.update
                    self.last["diagnosis"] = judge(self.last).name
                if self.write is not None:
                    self.write(json.dumps(self.last))
                if self.on_record is not None:
                    self.on_record(self.last)
            if bar is not None:
                rate = self.done / self.training_time if self.training_time > 0 else 0.0
                bar.update(self.done if steps is not None else elapsed, self.done, rate,
                           force=finished)


class _MetricsFile:
    """The metrics file of :func:`run`, opened at its first line and line-buffered: each
    record is on disk as soon as it is made, for a reader following the file and for a
    run that is interrupted. An OSError comes out as OutputError, with the iteration."""

    def __init__(self, path: Path, trainer: Trainer) -> None:
        self.path, self.trainer = Path(path), trainer
        self.file: IO | None = None

    def write(self, line: str) -> None:
        try:
            if self.file is None:
                self.file = open(self.path, "w", encoding="utf-8", buffering=1)  # noqa: SIM115
            self.file.write(line + "\n")
        except OSError as error:
            raise OutputError(self.path, error, self.trainer.step_count) from None

    def __enter__(self) -> _MetricsFile:
        return self

    def __exit__(self, *failure) -> None:
        if self.file is None:
            return
        try:
            self.file.close()
        except OSError as error:  # the last line did not fit either: the first error says
            if failure[0] is None:
                raise OutputError(self.path, error, self.trainer.step_count) from None


def save_samples(trainer: Trainer, path: Path, num_samples: int,
                 digit: int | None = None) -> np.ndarray:
    """Samples of the drawn generator as .npy: 1-D (N,) and 2-D (N, 2) in data units;
    MNIST (N, 28, 28) in [0, 1] (a conditional preset: all of ``digit``, or a tenth of
    each digit 0-9 in order). Written to ``path`` exactly (np.save given a name adds
    .npy to it) and atomically (:func:`output_file`); OutputError if that fails."""
    digits = None if digit is None else np.full(num_samples, digit)
    samples = trainer.sample(num_samples, digits=digits).astype(np.float32)
    with output_file(path) as file:
        np.save(file, samples)
    return samples
