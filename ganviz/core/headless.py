"""``ganviz train``: the same training as the window, without one."""

from __future__ import annotations

import contextlib
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from ganviz.core.controller import LastGoodState
from ganviz.core.trainer import Trainer


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
) -> RunSummary:
    """Train for ``steps`` iterations or ``seconds`` of wall time, logging metrics.

    A metrics record is made whenever the iteration count reaches a multiple of
    ``log_every``, and always after the last iteration: written as a line of
    ``metrics_path`` and given to ``on_record``. The run stops at the first non-finite
    loss, as the window's does (the summary says where); ``kept`` holds its last finite
    state (the caller's, to keep one across runs; else a new one).
    """
    if (steps is None) == (seconds is None):
        raise ValueError("give exactly one of steps and seconds")
    kept = kept if kept is not None else LastGoodState(trainer)
    bar = ProgressBar(steps if steps is not None else seconds) if progress else None
    recording = metrics_path is not None or on_record is not None
    with contextlib.ExitStack() as stack:
        # Line-buffered: each record is on disk as soon as it is made, for a reader
        # following the file and for a run that is interrupted.
        metrics_file = (
            stack.enter_context(open(metrics_path, "w", encoding="utf-8", buffering=1))
            if metrics_path else None
        )
        if bar is not None:
            stack.callback(bar.close)
            bar.start()
        start = time.perf_counter()
        training_time = 0.0  # excludes the metric evaluations, for an honest it/s
        done = 0
        last: dict = {}
        diverged = None
        finished = False
        while not finished:
            # Train up to the next log line, checking the clock every iteration.
            chunk_start = time.perf_counter()
            for _ in range(log_every - trainer.step_count % log_every):
                if steps is not None and done >= steps:
                    break
                if seconds is not None and time.perf_counter() - start >= seconds:
                    break
                trainer.step()
                done += 1
                diverged = kept.problem(trainer)
                if diverged is not None:
                    break
                kept.keep_if_due(trainer)
            training_time += time.perf_counter() - chunk_start
            elapsed = time.perf_counter() - start
            finished = diverged is not None or (
                done >= steps if steps is not None else elapsed >= seconds)
            if recording and done and (trainer.step_count % log_every == 0 or finished):
                last = metrics_line(trainer, elapsed)
                if metrics_file:
                    metrics_file.write(json.dumps(last) + "\n")
                if on_record is not None:
                    on_record(last)
            if bar is not None:
                rate = done / training_time if training_time > 0 else 0.0
                bar.update(done if steps is not None else elapsed, done, rate, force=finished)
        if not last:
            last = metrics_line(trainer, time.perf_counter() - start)
    total = time.perf_counter() - start
    return RunSummary(done, total, done / training_time if training_time else 0.0, last,
                      diverged, kept.step)


def save_samples(trainer: Trainer, path: Path, num_samples: int) -> np.ndarray:
    """Samples of the drawn generator: 1-D (N,) in data units; MNIST (N, 28, 28) in [0, 1]."""
    samples = trainer.sample(num_samples).astype(np.float32)
    np.save(path, samples)
    return samples
