"""Curves over iterations whose memory stays bounded however long training runs."""

from __future__ import annotations

import numpy as np


class BoundedHistory:
    """Per-iteration values, averaged into buckets; at most ``capacity`` points kept.

    Every iteration is recorded, but into a bucket of ``stride`` iterations whose mean
    becomes one point. When ``capacity`` points are reached, neighbouring pairs are merged and
    the stride doubles: the whole run stays visible at evenly spaced points, and memory
    and drawing cost stay constant over a run of any length.
    """

    def __init__(self, names: tuple[str, ...], capacity: int = 2048) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number >= 2")
        self.names = names
        self.capacity = capacity
        self.stride = 1
        self._steps = np.zeros(capacity, dtype=np.float64)
        self._values = np.zeros((capacity, len(names)), dtype=np.float64)
        self._length = 0
        self._bucket_sum = np.zeros(len(names), dtype=np.float64)
        self._bucket_count = 0

    def __len__(self) -> int:
        return self._length

    def record(self, step: int, values: list[float] | np.ndarray) -> None:
        """Add one iteration's values; ``step`` is the iteration count after it."""
        self._bucket_sum += values
        self._bucket_count += 1
        if self._bucket_count < self.stride:
            return
        self._steps[self._length] = step
        self._values[self._length] = self._bucket_sum / self._bucket_count
        self._length += 1
        self._bucket_sum[:] = 0.0
        self._bucket_count = 0
        if self._length == self.capacity:
            # Merge now, so that the next bucket already collects the doubled stride.
            self._halve()

    def _halve(self) -> None:
        half = self.capacity // 2
        self._steps[:half] = self._steps[1::2]  # a merged bucket ends where its second part ends
        self._values[:half] = 0.5 * (self._values[0::2] + self._values[1::2])
        self._length = half
        self.stride *= 2

    def steps(self) -> np.ndarray:
        return self._steps[: self._length].copy()

    def column(self, name: str) -> np.ndarray:
        return self._values[: self._length, self.names.index(name)].copy()

    def as_arrays(self, dtype=np.float64) -> dict[str, np.ndarray]:
        """A copy of every curve, safe to hand to another thread (values as ``dtype``)."""
        arrays = {"step": self._steps[: self._length].astype(np.int64)}
        for index, name in enumerate(self.names):
            arrays[name] = self._values[: self._length, index].astype(dtype)
        return arrays

    def clear(self) -> None:
        self.stride = 1
        self._length = 0
        self._bucket_sum[:] = 0.0
        self._bucket_count = 0

    def copy(self) -> BoundedHistory:
        twin = BoundedHistory(self.names, self.capacity)
        twin.stride, twin._length, twin._bucket_count = (self.stride, self._length,
                                                         self._bucket_count)
        twin._steps[:] = self._steps
        twin._values[:] = self._values
        twin._bucket_sum[:] = self._bucket_sum
        return twin

    def truncate(self, step: int) -> None:
        """Keep only the points at or before ``step`` (a branch goes on from there); the
        bucket being filled is dropped (iterations on both sides of ``step`` may be in it)."""
        self._length = int(np.searchsorted(self._steps[: self._length], step, side="right"))
        self._bucket_sum[:] = 0.0
        self._bucket_count = 0


class EvaluationHistory:
    """JS divergence, V(D, G) and KL of successive evaluations, over iterations, bounded.

    Evaluations come at the drawing rate, not every iteration; a step lower than the last
    one means the run was reset, and starts the curves afresh.
    """

    # The 1-D view draws JS and V(D, G); the 2-D view JS and KL on its grid, and for
    # mixtures the share of samples within 3 sigma of a mode and of modes covered. A name
    # an evaluation does not have is recorded as NaN.
    NAMES = ("js_bits", "value", "kl_bits", "high_quality", "modes_covered_share")

    def __init__(self, capacity: int = 1024) -> None:
        self.history = BoundedHistory(self.NAMES, capacity)
        self.last_step = -1
        self.latest = None  # the newest evaluation added


    def add(self, evaluation) -> None:
        self.latest = evaluation
        if evaluation.step < self.last_step:  # a state restored: the curves go on from it
            self.history.truncate(evaluation.step - 1)
        elif evaluation.step == self.last_step:
            return  # paused: the same iteration evaluated again
        self.last_step = evaluation.step
        self.history.record(evaluation.step,
                            [getattr(evaluation, name, float("nan")) for name in self.NAMES])

    def clear(self) -> None:
        self.history.clear()
        self.last_step = -1
        self.latest = None

    def until(self, step: int) -> EvaluationHistory:
        """A copy holding the evaluations at or before ``step``."""
        twin = EvaluationHistory(self.history.capacity)
        twin.history = self.history.copy()
        twin.history.truncate(step)
        steps = twin.history.steps()
        twin.last_step = int(steps[-1]) if len(steps) else -1
        if self.latest is not None and self.latest.step <= step:
            twin.latest = self.latest
        return twin

    def as_arrays(self) -> dict[str, np.ndarray]:
        return self.history.as_arrays()
