"""A run's past: full-state snapshots kept on a thinning schedule within a memory budget,
and the branches taken from them.

A snapshot is everything the run is at one iteration (both networks, the averaged
generator, optimiser states, random streams, counts, the problem's own state) except
the curves, which are the run's present ones cut at that iteration: restoring one and
training on gives, bit for bit, the numbers the run gave from there.

Which iterations are kept: every ``every`` iterations for the first ``per_octave``
snapshots, then the spacing doubles each time the run's length doubles (``per_octave /
2`` snapshots per doubling), so the early, fast-changing part stays dense while a long
run costs little more. ``fixed`` keeps every multiple of ``every`` instead (``ganviz
train --snapshot-every``). When the kept snapshots pass the budget, every spacing
doubles and the snapshots off the new grid (a subset of the old one) are dropped; the
first, iteration 0, and the points branches fork from are always kept.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

# Per-mode budgets. A toy snapshot is 60-150 KB (measured): 64 MB keeps over 400 of them,
# a whole run at the dense spacing. An MNIST one is 15-30 MB: 300 MB in memory, the rest
# spilled to a temporary folder up to 2 GB, beyond which the schedule thins.
MEMORY_BUDGET = {"1d": 64 << 20, "2d": 64 << 20, "mnist": 300 << 20}
DISK_BUDGET = {"1d": 0, "2d": 0, "mnist": 2 << 30}
DEFAULT_EVERY = 50
PER_OCTAVE = 32


class TimelineError(ValueError):
    """An iteration with no snapshot, or a branch that does not exist."""


def state_bytes(state) -> int:
    """What a snapshot holds in memory, in bytes (tensors and arrays; the rest is small)."""
    if isinstance(state, torch.Tensor):
        return state.numel() * state.element_size()
    if isinstance(state, np.ndarray):
        return state.nbytes
    if isinstance(state, dict):
        return sum(state_bytes(item) for item in state.values())
    if isinstance(state, (list, tuple)):
        return sum(state_bytes(item) for item in state)
    return 0


@dataclass
class Branch:
    """One line of the run's history: where it forked from, and what was changed then."""

    number: int
    parent: int | None
    fork_step: int
    changes: dict = field(default_factory=dict)
    end_step: int = 0
    # Its curves (a BoundedHistory's fields) when another branch was taken up: drawn
    # faded meanwhile, and its own again when it is switched back to.
    history: dict | None = None
    marks: list = field(default_factory=list)  # (iteration, what changed), in the window

    def curves(self) -> dict | None:
        """Its curves as arrays ("step" and one per curve), if it was left."""
        if self.history is None:
            return None
        length = self.history["_length"]
        arrays = {"step": self.history["_steps"][:length].astype(np.int64)}
        for index, name in enumerate(self.history["names"]):
            arrays[name] = self.history["_values"][:length, index].astype(np.float32)
        return arrays

    @property
    def name(self) -> str:
        return "main" if self.parent is None else f"branch {self.number}"


@dataclass
class _Kept:
    step: int
    branch: int
    nbytes: int
    state: dict | None = None  # in memory, or
    path: Path | None = None  # spilled to the temporary folder


class Timeline:
    """Snapshots of one run and its branches, within ``memory_budget`` (+ ``disk_budget``
    spilled to a temporary folder removed when the timeline goes)."""

    def __init__(self, mode: str = "1d", every: int = DEFAULT_EVERY, fixed: bool = False,
                 per_octave: int = PER_OCTAVE, memory_budget: int | None = None,
                 disk_budget: int | None = None) -> None:
        if every < 1:
            raise ValueError("every must be at least 1")
        self.every, self.fixed, self.per_octave = int(every), fixed, per_octave
        self.dense_until = self.every * per_octave  # fixed, so that thinning is uniform
        self.memory_budget = MEMORY_BUDGET[mode] if memory_budget is None else memory_budget
        self.disk_budget = DISK_BUDGET[mode] if disk_budget is None else disk_budget
        self.branches = {0: Branch(0, None, 0)}
        self.current = 0
        self._kept: dict[tuple[int, int], _Kept] = {}
        self._folder: Path | None = None

    # ------------------------------------------------------------------------ schedule
    def spacing(self, step: int, every: int | None = None) -> int:
        """The distance between snapshots around iteration ``step`` (for a base spacing
        ``every``, default the present one)."""
        every = self.every if every is None else every
        if self.fixed:
            return every
        return every << (step // self.dense_until).bit_length()

    def due(self, step: int) -> bool:
        """A branch's snapshots begin after its fork point (that one is its parent's)."""
        branch = self.branches[self.current]
        if branch.parent is not None and step <= branch.fork_step:
            return False
        return step % self.spacing(step) == 0 and (step, self.current) not in self._kept

    # ------------------------------------------------------------------------- storage
    def add(self, state: dict) -> None:
        step = int(state["step_count"])
        self._kept[(step, self.current)] = _Kept(step, self.current, state_bytes(state), state)
        self.branches[self.current].end_step = max(self.branches[self.current].end_step, step)
        self._fit_budget()

    def _memory_used(self) -> int:
        return sum(k.nbytes for k in self._kept.values() if k.state is not None)

    def _disk_used(self) -> int:
        return sum(k.nbytes for k in self._kept.values() if k.path is not None)

    def _fit_budget(self) -> None:
        while self._memory_used() > self.memory_budget:
            oldest = min((k for k in self._kept.values() if k.state is not None),
                         key=lambda k: (k.step, k.branch))
            if self._disk_used() + oldest.nbytes <= self.disk_budget:
                self._spill(oldest)
            elif not self._thin():
                break  # nothing left to drop: the budget is smaller than two snapshots

    def _spill(self, kept: _Kept) -> None:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="ganviz-timeline-"))
            weakref.finalize(self, shutil.rmtree, self._folder, True)
        kept.path = self._folder / f"{kept.branch}-{kept.step}.pt"
        torch.save(kept.state, kept.path)
        kept.state = None

    def _pinned(self) -> set[tuple[int, int]]:
        """Snapshots that are never thinned: each branch's first one and its fork point."""
        pinned = {(0, 0)}
        for branch in self.branches.values():
            if branch.parent is not None:
                pinned.add((branch.fork_step, self._owner(branch.parent, branch.fork_step)))
        return pinned

    def _thin(self) -> bool:
        """Double the spacing until something is off the grid, and drop it; False when
        only pinned snapshots are left."""
        self.every, dropped = self._thinned(self._kept, self.every)
        for key in dropped:
            kept = self._kept.pop(key)
            if kept.path is not None:
                kept.path.unlink(missing_ok=True)
        return bool(dropped)

    def _thinned(self, kept: dict, every: int) -> tuple[int, list]:
        """(the doubled spacing, the keys off its grid) for snapshots ``kept``."""
        pinned = self._pinned()
        if all(key in pinned for key in kept):
            return every, []
        dropped: list = []
        while not dropped and every < 1 << 40:  # any step > 0 goes off the grid at last
            every *= 2
            dropped = [key for key, k in kept.items()
                       if key not in pinned and k.step % self.spacing(k.step, every)]
        return every, dropped

    # ------------------------------------------------------------------------- reading
    def _lineage(self, number: int | None = None) -> list[tuple[int, int]]:
        """(branch, last step it owns) from ``number`` up to main: a branch owns its own
        snapshots and its ancestors' up to where it forked."""
        number = self.current if number is None else number
        lineage, limit = [], None
        while number is not None:
            lineage.append((number, limit))
            branch = self.branches[number]
            limit = branch.fork_step if limit is None else min(limit, branch.fork_step)
            number = branch.parent
        return lineage

    def _owner(self, number: int, step: int) -> int:
        for branch, limit in self._lineage(number):
            if (step, branch) in self._kept and (limit is None or step <= limit):
                return branch
        raise TimelineError(self._missing(step, number))

    def steps(self, number: int | None = None) -> list[int]:
        """The iterations with a snapshot along branch ``number`` (default: the current)."""
        found = set()
        for branch, limit in self._lineage(number):
            found.update(k.step for k in self._kept.values()
                         if k.branch == branch and (limit is None or k.step <= limit))
        return sorted(found)

    def nearest(self, step: int, number: int | None = None, count: int = 2) -> list[int]:
        return sorted(sorted(self.steps(number), key=lambda s: (abs(s - step), s))[:count])

    def _missing(self, step: int, number: int | None) -> str:
        near = ", ".join(str(s) for s in self.nearest(step, number)) or "none"
        return f"no snapshot at iteration {step} (nearest kept: {near})"

    def get(self, step: int, number: int | None = None) -> dict:
        """The snapshot at ``step`` along branch ``number``; TimelineError if none."""
        kept = self._kept[(step, self._owner(self.current if number is None else number, step))]
        if kept.state is not None:
            return kept.state
        return torch.load(kept.path, map_location="cpu", weights_only=True)

    def note(self, step: int, text: str) -> None:
        """Mark a settings change at ``step`` on the current branch."""
        self.branches[self.current].marks.append((int(step), text))

    def marks(self, number: int | None = None) -> list[tuple[int, str]]:
        """The changes marked along branch ``number`` (its ancestors' up to its fork)."""
        found = []
        for branch, limit in self._lineage(number):
            found += [m for m in self.branches[branch].marks if limit is None or m[0] <= limit]
        return sorted(found)

    def own_steps(self, number: int) -> list[int]:
        """The iterations of the snapshots branch ``number`` took itself."""
        return sorted(k.step for k in self._kept.values() if k.branch == number)

    def memory_bytes(self) -> int:
        return self._memory_used()

    def disk_bytes(self) -> int:
        return self._disk_used()

    def __len__(self) -> int:
        return len(self._kept)

    # ------------------------------------------------------------------------ branches
    def branch(self, step: int, changes: dict | None = None) -> int:
        """Start a new branch from the snapshot at ``step`` of the current one; returns its
        number."""
        self._owner(self.current, step)  # raises when there is no such snapshot
        number = max(self.branches) + 1
        self.branches[number] = Branch(number, self.current, step, dict(changes or {}), step)
        self.current = number
        return number

    def switch(self, number: int) -> int:
        """Make branch ``number`` current; returns the iteration it ends at (restore its
        snapshot there to go on with it)."""
        if number not in self.branches:
            raise TimelineError(f"no branch {number} (there are {len(self.branches)})")
        self.current = number
        return max(self.steps(number))

    # --------------------------------------------------------------------- for sessions
    def to_dict(self, max_bytes: int | None = None, max_count: int | None = None) -> dict:
        """Everything, in plain values and tensors (spilled snapshots read back); with
        ``max_bytes`` or ``max_count``, thinned as the budget would thin it until the
        snapshots fit."""
        kept, every = dict(self._kept), self.every
        max_bytes = 1 << 62 if max_bytes is None else max_bytes
        max_count = 1 << 62 if max_count is None else max_count
        while sum(k.nbytes for k in kept.values()) > max_bytes or len(kept) > max_count:
            every, dropped = self._thinned(kept, every)
            if not dropped:
                break
            for key in dropped:
                del kept[key]
        return {
            "every": every, "fixed": self.fixed, "per_octave": self.per_octave,
            "dense_until": self.dense_until,
            "current": self.current,
            "branches": [{"number": b.number, "parent": b.parent, "fork_step": b.fork_step,
                          "changes": dict(b.changes), "end_step": b.end_step}
                         for b in self.branches.values()],
            "snapshots": [{"step": k.step, "branch": k.branch,
                           "state": self.get(k.step, k.branch)}
                          for k in sorted(kept.values(), key=lambda k: (k.branch, k.step))],
        }

    @classmethod
    def from_dict(cls, content: dict, mode: str) -> Timeline:
        timeline = cls(mode, int(content["every"]), bool(content["fixed"]),
                       int(content["per_octave"]))
        timeline.dense_until = int(content["dense_until"])
        timeline.branches = {}
        for b in content["branches"]:
            parent = None if b["parent"] is None else int(b["parent"])
            timeline.branches[int(b["number"])] = Branch(int(b["number"]), parent,
                                                         int(b["fork_step"]),
                                                         dict(b["changes"]), int(b["end_step"]))
        timeline.current = int(content["current"])
        for item in content["snapshots"]:
            timeline.current = int(item["branch"])
            timeline.add(item["state"])
        timeline.current = int(content["current"])
        return timeline

    def serialised_bytes(self) -> int:
        buffer = io.BytesIO()
        torch.save(self.to_dict(), buffer)
        return buffer.tell()
