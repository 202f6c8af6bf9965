"""mnist-cgan's digits, judged: train for SECONDS on each seed, draw 200 digits of each
class, and report how many each classifier puts in the class asked for.

    python scripts/measure_cgan.py [--seconds 120] [--seeds 0-2]

Two judges: the shipped classifier (resources/digit_classifier.pt) and a second one
trained here from scratch, of another design (a CNN with 5x5 convolutions of 32 and 64
channels and a 128-wide dense layer, five epochs over the bundled digits the shipped one
trained on; it prints its accuracy on the 2,000 held-out ones, overall and per digit), so
that a generator cannot pass by fooling one network. Per seed and judge: the smallest
per-digit share classified as asked, the mean, and the share classified as asked with
p >= 0.9. Not a test: minutes.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch

PER_DIGIT = 200


def second_classifier(seed: int = 0) -> torch.nn.Module:
    """A CNN trained here on the bundled digits the shipped classifier trained on."""
    from ganviz.core.mnist import data
    from ganviz.core.mnist.classifier import heldout_indices, train_indices

    digits = data.load_bundled()
    images = torch.from_numpy(digits.images.astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    labels = torch.from_numpy(digits.labels.astype(np.int64))
    train, held = train_indices(len(labels)), heldout_indices(len(labels))
    torch.manual_seed(seed)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    optimiser = torch.optim.Adam(model.parameters(), 1e-3)
    for _ in range(5):
        for batch in torch.from_numpy(train)[torch.randperm(len(train))].split(64):
            loss = torch.nn.functional.cross_entropy(model(images[batch]), labels[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    model.eval()
    with torch.no_grad():
        right = (model(images[held]).argmax(1) == labels[held]).numpy()
    per_digit = [f"{right[digits.labels[held] == d].mean():.1%}" for d in range(10)]
    print(f"second classifier: {right.mean():.1%} on {len(held):,} held-out digits; per "
          f"digit {', '.join(per_digit)}", flush=True)
    return model


def judge(probabilities: np.ndarray, asked: np.ndarray) -> dict:
    right = probabilities.argmax(1) == asked
    per_digit = [float(right[asked == d].mean()) for d in range(10)]
    sure = right & (probabilities.max(1) >= 0.9)
    return {"worst_digit": min(per_digit), "mean": float(right.mean()),
            "sure_as_asked": float(sure.mean()), "per_digit": per_digit}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--seeds", default="0-2")
    args = parser.parse_args()
    low, _, high = args.seeds.partition("-")
    seeds = range(int(low), int(high or low) + 1)

    from ganviz.core import runtime
    from ganviz.core.mnist.classifier import classify, load_classifier
    from ganviz.core.trainer import Trainer

    second = second_classifier()
    asked = np.repeat(np.arange(10), PER_DIGIT)
    results = []
    for seed in seeds:
        runtime.configure_threads("mnist")
        trainer = Trainer("mnist-cgan", {"seed": seed}, device="cpu")
        started = time.perf_counter()
        while time.perf_counter() - started < args.seconds:
            trainer.step()
        samples = trainer.sample(len(asked), digits=asked)
        shipped = judge(classify(load_classifier(), samples), asked)
        with torch.no_grad():
            logits = second(torch.from_numpy(samples).reshape(-1, 1, 28, 28))
        other = judge(torch.softmax(logits, 1).numpy(), asked)
        results.append({"seed": seed, "iterations": trainer.step_count,
                        "shipped": shipped, "second": other})
        print(f"seed {seed}: {trainer.step_count:,} iterations in {args.seconds:g} s | "
              f"shipped: worst digit {shipped['worst_digit']:.1%}, mean "
              f"{shipped['mean']:.1%}, sure as asked {shipped['sure_as_asked']:.1%} | "
              f"second: worst digit {other['worst_digit']:.1%}, mean {other['mean']:.1%}, "
              f"sure as asked {other['sure_as_asked']:.1%}", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
