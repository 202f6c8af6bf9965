"""Converged examples: a shipped session per toy preset, trained to its end state.

A lecture can start from the end (``ganviz --preset ring8 --example``, File > Open
example, ``ganviz train --preset NAME --example``) and then Reset to watch it happen, or
scrub back through the example's own timeline. Each file is made by
``scripts/build_examples.py`` from the preset's seed, so it can be rebuilt and checked;
:data:`PLAN` says how long each preset trains and how many snapshots its timeline keeps.
MNIST has none: its networks and optimiser state alone are ~13 MB, over the ~5 MB an
example may weigh in the repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ganviz.core import presets
from ganviz.core.config import SettingError
from ganviz.core.resources import resource_path

FOLDER = "examples"
SUFFIX = ".ganviz"


@dataclass(frozen=True)
class Plan:
    """How an example is trained: ``steps`` iterations from the preset's seed, keeping a
    snapshot every ``steps // snapshots`` iterations (the timeline a lecture scrubs)."""

    steps: int
    snapshots: int = 5

    def __post_init__(self) -> None:
        if self.steps % self.snapshots:  # the end state must be a snapshot
            raise ValueError(f"{self.steps} steps do not divide into {self.snapshots}")

    @property
    def every(self) -> int:
        return self.steps // self.snapshots


# A snapshot weighs ~45 KB for the 1-D networks and ~150 KB for the 2-D ones: 6 and 5 of
# them keep all the examples under 8 MB. Each toy trains to its end state: the converged
# ones long enough for the coach to say so (gaussian by 5,000; ring8 once 90% of its
# samples are within 3 sigma of a mode), the failure presets until their failure is plain
# (strong-d's vanishing gradient by 1,000; seed-toy for S1's own 1,200 steps).
PLAN: dict[str, Plan] = {
    "gaussian": Plan(5000),
    "seed-toy": Plan(1200),
    "bimodal": Plan(4000),
    "lazy-d": Plan(3000),
    "wgan-gp": Plan(3000),
    "strong-d": Plan(1000),
    "fast-lr": Plan(3000),
    "ring8": Plan(25000, snapshots=4),
    "grid25": Plan(20000, snapshots=4),
    "two-moons": Plan(10000, snapshots=4),
    "spiral": Plan(15000, snapshots=4),
    "line": Plan(5000, snapshots=4),
    "two-gaussians": Plan(10000, snapshots=4),
}


def path_of(preset: str) -> Path:
    """Where preset ``preset``'s example is (or would be, for the build script)."""
    return resource_path(FOLDER) / f"{preset}{SUFFIX}"


def available() -> list[str]:
    """The presets whose example ships, in the presets' own order."""
    return [name for name in presets.PRESETS if name in PLAN and path_of(name).is_file()]


def find(preset: str) -> Path:
    """The example of ``preset``; SettingError (one line, naming those there are) if it
    has none."""
    name = presets.get(preset).name
    if name in available():
        return path_of(name)
    there = ", ".join(available()) or "none (run scripts/build_examples.py)"
    raise SettingError(f"--example: preset {name} has no example; examples: {there}")
