"""Build the converged examples shipped in resources/examples/ (see core/examples.py).

Each toy preset is trained from its own seed, on the CPU with one torch thread (so that
the same torch builds the same file), for its PLAN's iterations, keeping a snapshot every
PLAN.every iterations; the session is saved with that timeline. Prints, per example, the
iterations, the seconds, the file's size and the coach's diagnosis of the end state.

    python scripts/build_examples.py            # every toy preset
    python scripts/build_examples.py gaussian   # one
"""

from __future__ import annotations

import sys
import time

import torch

from ganviz.core import examples
from ganviz.core.api import Run


def build(name: str, path=None) -> dict:
    """Train ``name``'s example and save it to ``path`` (default: where it ships)."""
    plan = examples.PLAN[name]
    torch.set_num_threads(1)
    run = Run(name, device="cpu")
    run.trainer.keep_timeline(plan.every)
    start = time.perf_counter()
    run.train(steps=plan.steps, log_every=50)
    seconds = time.perf_counter() - start
    path = examples.path_of(name) if path is None else path
    path.parent.mkdir(parents=True, exist_ok=True)
    run.save(path)
    last = run.metrics[-1]
    return {"preset": name, "steps": run.step_count, "seconds": seconds,
            "megabytes": path.stat().st_size / 2**20, "diagnosis": last["diagnosis"],
            "summary": run.summary(last)}


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in examples.PLAN]
    if unknown:
        print(f"no plan for {', '.join(unknown)}; presets with one: "
              f"{', '.join(examples.PLAN)}", file=sys.stderr)
        return 2
    total = 0.0
    for name in names or list(examples.PLAN):
        row = build(name)
        total += row["megabytes"]
        print(f"{row['preset']:14s} {row['steps']:>6,} it {row['seconds']:6.1f} s "
              f"{row['megabytes']:5.2f} MB  {row['diagnosis']:18s} {row['summary']}",
              flush=True)
    print(f"total {total:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
