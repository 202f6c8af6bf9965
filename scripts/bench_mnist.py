"""MNIST benchmark: sample quality after a fixed time, and training throughput.

    python scripts/bench_mnist.py quality [--preset mnist] [--seconds 120] [--png grid.png]
    python scripts/bench_mnist.py throughput [--preset NAME ...] [--seconds 20] [--rounds 2]

``quality`` trains headless for the given wall time, draws 2,000 samples of the drawn
generator and judges them with ganviz's digit classifier: the share classified with
p >= 0.9, the class coverage and each class's share. ``throughput`` measures iterations
per second of the same preset headless, in the real window (offscreen platform, drawing
live) and, for the seed systems' MLP presets, in a plain PyTorch loop of the same networks
and loss written here (the yardstick a user would otherwise run), interleaved over rounds
so that a noisy machine affects all three alike. Both print a table, then one JSON line.
Not a test: these machines are shared, so read the numbers as ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from ganviz.core import presets, runtime
from ganviz.core.trainer import Trainer


def quality(preset: str, seconds: float, samples: int, png: str | None) -> dict:
    from ganviz.core.classifier import class_stats, classify, load_classifier

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

    from ganviz.core.mnist_gan import tile

    grid = np.ascontiguousarray(tile(images, side=int(len(images) ** 0.5)))
    image = QImage(grid.data, grid.shape[1], grid.shape[0], grid.shape[1],
                   QImage.Format.Format_Grayscale8)
    image.scaled(grid.shape[1] * 2, grid.shape[0] * 2).save(path)


def headless_rate(preset: str, seconds: float) -> float:
    runtime.configure_threads(presets.get(preset).mode)
    trainer = Trainer(preset)
    trainer.run(3)  # warm-up: first iterations allocate
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.step()
        done += 1
    return done / (time.perf_counter() - start)


def window_rate(preset: str, seconds: float) -> tuple[float, float]:
    """Iterations per second and frames drawn per second in the real window."""
    from PySide6.QtWidgets import QApplication

    from ganviz.app.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(preset)
    window.show()
    drawn: list[float] = []
    window.drawn.connect(lambda _step: drawn.append(time.perf_counter()))

    def pump(until) -> None:
        while not until():
            app.processEvents()
            time.sleep(0.002)

    pump(lambda: window.latest_frame is not None)
    window.set_running(True)
    pump(lambda: window.latest_frame.running and window.latest_frame.snapshot.step >= 3)
    first_step, start = window.latest_frame.snapshot.step, time.perf_counter()
    drawn.clear()
    pump(lambda: time.perf_counter() - start >= seconds)
    rate = (window.latest_frame.snapshot.step - first_step) / (time.perf_counter() - start)
    fps = len(drawn) / (time.perf_counter() - start)
    window.close()
    return rate, fps


def plain_rate(preset: str, seconds: float) -> float:
    """The same networks and loss in the loop most tutorials write: BCE on D's sigmoid
    output, separate real and fake passes, zero_grad / backward / step."""
    torch.set_num_threads(os.cpu_count() or 1)  # torch's default: what a user would get
    reference = Trainer(preset)
    problem, settings = reference.problem, reference.settings
    g, d = reference.generator, reference.discriminator
    opt_g = torch.optim.Adam(g.parameters(), lr=settings["lr_g"], betas=reference.preset.betas)
    opt_d = torch.optim.Adam(d.parameters(), lr=settings["lr_d"], betas=reference.preset.betas)
    batch = settings["batch_size"]
    ones, zeros = torch.ones(batch, 1), torch.zeros(batch, 1)

    def iteration() -> None:
        real = problem.real_batch(batch, reference.rng)
        fake = g(problem.noise(batch, reference.rng))
        opt_d.zero_grad()
        loss_d = (F.binary_cross_entropy(torch.sigmoid(d(real)), ones)
                  + F.binary_cross_entropy(torch.sigmoid(d(fake.detach())), zeros))
        loss_d.backward()
        opt_d.step()
        for _ in range(settings["k_g"]):
            opt_g.zero_grad()
            loss_g = F.binary_cross_entropy(torch.sigmoid(d(g(problem.noise(batch,
                                                                         reference.rng)))), ones)
            loss_g.backward()
            opt_g.step()
        print_every.append(loss_d.item() + loss_g.item())  # what such loops print

    print_every: list[float] = []
    for _ in range(3):
        iteration()
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        iteration()
        done += 1
    return done / (time.perf_counter() - start)


def throughput(names: list[str], seconds: float, rounds: int) -> dict:
    results: dict[str, dict[str, list[float]]] = {}
    for _ in range(rounds):
        for name in names:
            row = results.setdefault(name, {"headless": [], "window": [], "fps": [],
                                             "plain": []})
            row["headless"].append(headless_rate(name, seconds))
            rate, fps = window_rate(name, seconds)
            row["window"].append(rate)
            row["fps"].append(fps)
            if presets.get(name).model.get("architecture", "").endswith("mlp"):
                row["plain"].append(plain_rate(name, seconds))
    summary = {}
    print(f"{'preset':<18}{'headless it/s':>14}{'window it/s':>13}{'fps':>6}"
          f"{'plain it/s':>12}{'window/headless':>17}{'headless/plain':>16}")
    for name, row in results.items():
        headless, window = float(np.mean(row["headless"])), float(np.mean(row["window"]))
        plain = float(np.mean(row["plain"])) if row["plain"] else None
        summary[name] = {
            "headless_its": round(headless, 2), "window_its": round(window, 2),
            "fps": round(float(np.mean(row["fps"])), 1),
            "plain_its": round(plain, 2) if plain else None,
            "window_ratio": round(window / headless, 3),
            "plain_ratio": round(headless / plain, 3) if plain else None,
        }
        s = summary[name]
        print(f"{name:<18}{headless:>14.1f}{window:>13.1f}{s['fps']:>6.0f}"
              f"{plain or float('nan'):>12.1f}{s['window_ratio']:>17.2f}"
              f"{s['plain_ratio'] or float('nan'):>16.2f}")
    return summary


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
    t.add_argument("--seconds", type=float, default=20.0)
    t.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if args.command == "quality":
        result = quality(args.preset, args.seconds, args.samples, args.png)
    else:
        names = args.preset or [n for n, p in presets.PRESETS.items() if p.mode == "mnist"]
        result = throughput(names, args.seconds, args.rounds)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
