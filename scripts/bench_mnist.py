"""MNIST benchmark: sample quality after a fixed time, and training throughput.

    python scripts/bench_mnist.py quality [--preset mnist] [--seconds 120] [--png grid.png]
    python scripts/bench_mnist.py throughput [--preset NAME ...] [--seconds 20] [--rounds 2]

``quality`` trains headless for the given wall time, draws 2,000 samples of the drawn
generator and judges them with ganviz's digit classifier: the share classified with
p >= 0.9, the class coverage and each class's share. ``throughput`` is ``ganviz bench``
(ganviz/bench.py) over every MNIST preset by default: iterations per second headless, in
the real window and in a plain PyTorch loop, interleaved over rounds, with the window's
frame rate, stalls, time to first frame and memory. Both print a table, then one JSON
line. Not a test: these machines are shared, so read the numbers as ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

from ganviz.core import presets, runtime
from ganviz.core.trainer import Trainer


def quality(preset: str, seconds: float, samples: int, png: str | None) -> dict:
    from ganviz.core.mnist.classifier import class_stats, classify, load_classifier

    runtime.configure_threads(presets.get(preset).mode)
    trainer = Trainer(preset)
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.step()
    images = trainer.sample(samples)
    stats = class_stats(classify(load_classifier(), images))
    if png:
        save_grid(images[:100], png)
    shares = (stats.counts / stats.counts.sum()).round(3).tolist()
    print(f"{preset}: {trainer.step_count} iterations in {seconds:.0f} s; of {samples} samples "
          f"{stats.confident:.1%} classified with p >= 0.9, coverage {stats.coverage:.3f}")
    print("class shares: " + "  ".join(f"{d}:{s:.3f}" for d, s in enumerate(shares)))
    return {"preset": preset, "seconds": seconds, "iterations": trainer.step_count,
            "confident": stats.confident, "coverage": stats.coverage, "class_shares": shares,
            "confident_class_shares": (stats.confident_counts / samples).round(3).tolist()}


def save_grid(images: np.ndarray, path: str) -> None:
    from PySide6.QtGui import QImage

    from ganviz.core.mnist.problem import tile

    grid = np.ascontiguousarray(tile(images, columns=int(len(images) ** 0.5)))
    image = QImage(grid.data, grid.shape[1], grid.shape[0], grid.shape[1],
                   QImage.Format.Format_Grayscale8)
    image.scaled(grid.shape[1] * 2, grid.shape[0] * 2).save(path)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    q = commands.add_parser("quality")
    q.add_argument("--preset", default="mnist")
    q.add_argument("--seconds", type=float, default=120.0)
    q.add_argument("--samples", type=int, default=2000)
    q.add_argument("--png", default=None)
    t = commands.add_parser("throughput")
    t.add_argument("--preset", action="append", default=None)
    t.add_argument("--seconds", default="20", help="per preset and way, over all rounds")
    t.add_argument("--rounds", default="2")
    args = parser.parse_args()
    if args.command == "throughput":
        from ganviz import cli

        names = args.preset or [n for n, p in presets.PRESETS.items() if p.mode == "mnist"]
        return cli.main(["bench", *[a for n in names for a in ("--preset", n)],
                         "--seconds", args.seconds, "--rounds", args.rounds])
    print(json.dumps(quality(args.preset, args.seconds, args.samples, args.png)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
