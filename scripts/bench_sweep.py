"""Throughput of ``ganviz sweep`` against running ``ganviz train`` once per variant.

Both write a metrics file per variant every 50 iterations, as a user comparing the runs
would. Prints the seconds of each way and the ratio (sweep throughput / one-by-one).

    python scripts/bench_sweep.py                       # the issue's 16-variant sweep
    python scripts/bench_sweep.py --steps 500 --preset ring8 --vary lr_g=1e-4,1e-3
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="gaussian")
    parser.add_argument("--vary", action="append", default=None)
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args()
    axes = args.vary or ["lr_d=1e-4,3e-4,1e-3,3e-3", "k=1,2,3,5"]
    ganviz = [sys.executable, "-m", "ganviz"]
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        started = time.perf_counter()
        subprocess.run([*ganviz, "sweep", "--preset", args.preset,
                        *itertools.chain.from_iterable(("--vary", a) for a in axes),
                        "--steps", str(args.steps), "--metrics-dir", str(folder), "--quiet"],
                       check=True, stdout=subprocess.DEVNULL)
        swept = time.perf_counter() - started
        values = [[(a.partition("=")[0], v) for v in a.partition("=")[2].split(",")]
                  for a in axes]
        combos = list(itertools.product(*values))
        started = time.perf_counter()
        for number, combo in enumerate(combos):
            sets = itertools.chain.from_iterable(("--set", f"{n}={v}") for n, v in combo)
            subprocess.run([*ganviz, "train", "--preset", args.preset, *sets, "--steps",
                            str(args.steps), "--metrics", str(folder / f"{number}.jsonl"),
                            "--quiet"], check=True, stdout=subprocess.DEVNULL)
        single = time.perf_counter() - started
    print(f"{args.preset}, {len(combos)} variants × {args.steps:,} iterations")
    print(f"ganviz sweep:               {swept:7.1f} s")
    print(f"ganviz train, one by one:   {single:7.1f} s")
    print(f"throughput ratio:           {single / swept:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
