"""A sweep's run: its variants trained together (core/sweep.py), measured as ``ganviz
train`` measures a run, each with its own coach. Used by ``ganviz sweep``."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ganviz.core import presets, runtime
from ganviz.core.coach import Coach
from ganviz.core.headless import metrics_line
from ganviz.core.sweep import BatchedGroup, Variant, build_groups
from ganviz.core.trainer import Trainer


@dataclass
class SweepSummary:
    steps: int
    seconds: float  # wall time, the records' measurements included
    training_seconds: float  # the iterations alone
    last: list[dict]  # each variant's last record

    @property
    def iterations_per_second(self) -> float:
        """Iterations of each variant per second of training (all of them advance)."""
        return self.steps / self.training_seconds if self.training_seconds else 0.0


class SweepRun:
    """``variants`` of ``preset`` (with ``base`` settings for all), trained together;
    ``data``: the run's own data (2-D custom points, MNIST digits from a folder)."""

    def __init__(self, preset: str, variants: list[Variant], base: dict | None = None,
                 device: str | None = None, data=None) -> None:
        self.preset = presets.get(preset)
        self.variants = variants
        # A batched sweep is arithmetic enough for both cores (runtime.THREADS_BY_MODE).
        self.threads = runtime.configure_threads(
            "sweep" if self.preset.mode in ("1d", "2d") else self.preset.mode)
        self.trainers = [Trainer(self.preset, {**(base or {}), **v.changes}, device=device,
                                 data=data) for v in variants]
        self.groups = build_groups(self.trainers)
        self._group_of = {id(t): g for g in self.groups for t in g.trainers}
        self.coaches = [Coach(t.mode, t.settings) for t in self.trainers]

    @property
    def batched(self) -> int:
        """How many variants train in batches (the others take turns)."""
        return sum(len(g.trainers) for g in self.groups if isinstance(g, BatchedGroup))

    def step(self) -> None:
        for group in self.groups:
            group.step()

    def trainer(self, index: int, whole: bool = False) -> Trainer:
        """Variant ``index``'s trainer, up to date (``whole``: optimisers too, so that it
        trains on alone as the single run would)."""
        trainer = self.trainers[index]
        return self._group_of[id(trainer)].sync(trainer, whole)

    def for_picture(self, index: int) -> Trainer:
        """Variant ``index``'s trainer with D and the averaged generator up to date (its
        other weights may lag): what a picture of it needs."""
        trainer = self.trainers[index]
        return self._group_of[id(trainer)].for_picture(trainer)

    def record(self, index: int, elapsed: float) -> dict:
        """Variant ``index``'s metrics record now, as ``ganviz train --metrics`` writes it,
        with its coach's diagnosis."""
        record = metrics_line(self.trainer(index), elapsed)
        record["diagnosis"] = self.coaches[index].update(record).name
        return record

    def train(self, steps: int | None = None, seconds: float | None = None,
              log_every: int = 50,
              on_record: Callable[[int, dict], None] | None = None) -> SweepSummary:
        """``steps`` iterations of every variant (or ``seconds`` of wall time); a record of
        each every ``log_every`` iterations and at the end, given to ``on_record``."""
        if (steps is None) == (seconds is None):
            raise ValueError("give exactly one of steps and seconds")
        start = time.perf_counter()
        training, done, last = 0.0, 0, []
        while True:
            began = time.perf_counter()
            self.step()
            training += time.perf_counter() - began
            done += 1
            elapsed = time.perf_counter() - start
            finished = done >= steps if steps is not None else elapsed >= seconds
            if done % log_every == 0 or finished:
                last = [self.record(i, elapsed) for i in range(len(self.trainers))]
                if on_record is not None:
                    for i, record in enumerate(last):
                        on_record(i, record)
            if finished:
                return SweepSummary(done, time.perf_counter() - start, training, last)
