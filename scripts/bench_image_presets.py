"""Iterations per second of the image presets beyond MNIST on this machine, headless.

Trains each preset for SECONDS (after two warm-up iterations) on random images of its size
(the rate does not depend on what the pictures show) with the thread count the window
and `ganviz train` use, and prints iterations/s and images/s (a batch of real and one of
fake images per D step). `--device cuda` measures a GPU.

    python scripts/bench_image_presets.py --seconds 30
"""

from __future__ import annotations

import argparse
import time

import numpy as np

PRESETS = ("fashion-mnist", "cifar10-dcgan", "s5-dcgan", "s5-wgan-gp", "mnist-dcgan", "mnist")


def measure(name: str, seconds: float, device: str) -> tuple[float, int]:
    from ganviz.core import presets, runtime
    from ganviz.core.images.dataset import ImageSet
    from ganviz.core.trainer import Trainer

    preset = presets.get(name)
    threads = runtime.configure_threads(preset.mode)
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (2048, preset.image_size, preset.image_size,
                                   preset.channels), dtype=np.uint8)
    labels = rng.integers(0, 10, 2048).astype(np.uint8)
    trainer = Trainer(name, {"device": device},
                      data=ImageSet(pixels, labels, "random test images"))
    trainer.run(2)
    start, steps = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        trainer.run(1)
        steps += 1
    return steps / (time.perf_counter() - start), threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--presets", default=",".join(PRESETS))
    args = parser.parse_args()
    from ganviz.core import presets

    for name in args.presets.split(","):
        rate, threads = measure(name, args.seconds, args.device)
        preset = presets.get(name)
        settings = preset.settings()
        print(f"{name:15s} {preset.image_size}x{preset.image_size}x{preset.channels}  "
              f"{rate:7.2f} it/s  {rate * settings['batch_size'] * settings['k']:8.0f} real "
              f"images/s  ({threads} torch threads, {args.device})", flush=True)


if __name__ == "__main__":
    main()
