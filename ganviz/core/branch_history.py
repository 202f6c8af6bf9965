"""The evaluations' curves (JS, V(D, G), KL) of each branch of a run's timeline.

The trainer keeps each branch's losses; the window's evaluations (JS and the rest) are made
beside it, so the window keeps their history per branch here: a new branch starts from a
copy of the branch it leaves, cut at the last iteration the two share, and switching back
finds a branch's curves as they were left.
"""

from __future__ import annotations

import math

from ganviz.core.history import EvaluationHistory


def lineage(branches: dict[int, tuple[int | None, int]], number: int) -> dict[int, float]:
    """Each branch that ``number`` descends from (itself included), with the iteration up
    to which ``number``'s history is that branch's: infinity for itself, else the step
    where the line of descent left it. ``branches``: number -> (parent, fork step)."""
    limits: dict[int, float] = {number: math.inf}
    limit = math.inf
    while True:
        parent, fork = branches[number]
        if parent is None or parent in limits:
            return limits
        limit = min(limit, fork)  # a fork before the parent's own: the grandparent's past
        limits[parent] = limit
        number = parent


def shared_until(branches: dict[int, tuple[int | None, int]], a: int, b: int) -> float:
    """The last iteration whose history branches ``a`` and ``b`` share (infinity for one
    branch; 0 when they share only the start)."""
    of_a, of_b = lineage(branches, a), lineage(branches, b)
    common = [min(of_a[n], of_b[n]) for n in of_a if n in of_b]
    return max(common, default=0.0)


MAX_VERDICT_CHANGES = 4096  # a verdict that flips more often than this is thinned


class BranchHistories:
    """Evaluation histories, and where the 1-D verdict changed, by branch number;
    ``current`` and ``verdicts`` are the ones being extended."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """A new run: no branches, empty curves."""
        self.current = EvaluationHistory()
        self.verdicts: list[tuple[int, str]] = []  # (iteration, verdict from there on)
        self.number: int | None = None  # the current branch (None: no timeline seen yet)
        self._left: dict[int, tuple[EvaluationHistory, list]] = {}  # switched away from

    def add(self, evaluation, verdict: str | None = None) -> None:
        """A live evaluation of the current branch, and the run's verdict after it (1-D)."""
        if evaluation.step < self.current.last_step:  # a state restored: from there on
            self.verdicts[:] = [v for v in self.verdicts if v[0] < evaluation.step]
        self.current.add(evaluation)
        if self.verdicts and self.verdicts[-1][1] == "diverged":
            return  # it stays diverged until a state from before is restored
        if verdict is not None and (not self.verdicts or self.verdicts[-1][1] != verdict):
            self.verdicts.append((int(evaluation.step), verdict))
            if len(self.verdicts) > MAX_VERDICT_CHANGES:
                del self.verdicts[1::2]

    def mark_diverged(self, step: int) -> None:
        """The run diverged at ``step``: the timeline is red from there."""
        if not self.verdicts or self.verdicts[-1][1] != "diverged":
            self.verdicts.append((int(step), "diverged"))

    def follow(self, number: int, branches: dict[int, tuple[int | None, int]]) -> bool:
        """The run is now on branch ``number`` (``branches``: number -> (parent, fork
        step)); whether that changed the current history."""
        if self.number is None:
            self.number = number
        if number == self.number:
            return False
        if self.number not in branches:  # a frame of the run before a Reset came between
            self.clear()
            self.number = number
            return True
        self._left[self.number] = (self.current, self.verdicts)
        kept = self._left.pop(number, None)
        if kept is None:  # a new branch: what it shares with the one it leaves
            shared = int(min(shared_until(branches, self.number, number), 2**62))
            kept = (self.current.until(shared),
                    [(step, verdict) for step, verdict in self.verdicts if step <= shared])
        (self.current, self.verdicts), self.number = kept, number
        for gone in set(self._left) - set(branches):  # a session opened, say
            del self._left[gone]
        return True
