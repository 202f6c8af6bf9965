"""Train the digit classifier of MNIST mode and save its weights.

This script produced the shipped weights, ``resources/digit_classifier.pt``. Run it
from the repository root, with ganviz installed (``pip install -e .``)::

    python scripts/train_classifier.py            # writes resources/digit_classifier.pt
    python scripts/train_classifier.py --out /tmp/classifier.pt

It trains :class:`ganviz.core.mnist.classifier.DigitClassifier` on 8,000 of the 10,000 bundled
test-split digits, keeping the other 2,000 (:func:`ganviz.core.mnist.classifier.heldout_indices`,
the same split ``tests/test_classifier.py`` measures) to report held-out accuracy after
every epoch. Training uses light augmentation (random shifts of up to 2 pixels), Adam
with a cosine learning-rate decay, one CPU thread and fixed seeds; it takes about a
minute on one core. The last line reads ``held-out accuracy: 0.98xx on 2000 digits``.

Alongside the digits, every batch holds some noise images (:func:`non_digits`) that the
network learns to give no class (10% to each digit). Without them it calls pure noise an
8 with near 100% certainty, which would make an untrained generator look "confident".
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ganviz.core.mnist.classifier import (
    DigitClassifier,
    classify,
    heldout_indices,
    train_indices,
)
from ganviz.core.mnist.data import load_bundled

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "resources" / "digit_classifier.pt"
SHIFT = 2  # augmentation: shift each training digit by up to this many pixels each way


def shift_batch(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Each (1, 28, 28) image moved by its own random offset in [-SHIFT, SHIFT]^2.

    Pixels shifted in from outside are background (0); MNIST digits are centred in a
    20x20 box, so +-2 pixels never cuts off ink that matters.
    """
    n, _, height, width = images.shape
    padded = nn.functional.pad(images, (SHIFT, SHIFT, SHIFT, SHIFT))
    dy = torch.randint(0, 2 * SHIFT + 1, (n,), generator=generator)
    dx = torch.randint(0, 2 * SHIFT + 1, (n,), generator=generator)
    rows = (dy[:, None] + torch.arange(height))[:, :, None]  # (n, 28, 1)
    cols = (dx[:, None] + torch.arange(width))[:, None, :]  # (n, 1, 28)
    return padded[torch.arange(n)[:, None, None], 0, rows, cols].unsqueeze(1)


def non_digits(n: int, generator: torch.Generator) -> torch.Tensor:
    """``n`` images of noise, in the styles an untrained or broken generator draws.

    A quarter each: uniform noise of a random brightness, sparse salt noise of a random
    density, blurred noise (blobs) and flat grey. Left out of training, the network calls
    all of these an 8 with 100% certainty; taught that they have no class (see ``main``),
    it spreads its probability over the ten digits instead, so that ``confident`` in
    :func:`ganviz.core.mnist.classifier.class_stats` means "looks like a digit".
    """
    size = (n, 1, 28, 28)
    level = torch.rand(n, 1, 1, 1, generator=generator)
    uniform = torch.rand(size, generator=generator) * level
    sparse = (torch.rand(size, generator=generator) < 0.4 * level).float()
    blurred = nn.functional.avg_pool2d(
        torch.rand(size, generator=generator), kernel_size=5, stride=1, padding=2
    )
    low = blurred.amin(dim=(2, 3), keepdim=True)
    high = blurred.amax(dim=(2, 3), keepdim=True)
    blobs = (blurred - low) / (high - low + 1e-6) * level
    flat = level.expand(size)
    kind = torch.randint(0, 4, (n, 1, 1, 1), generator=generator)
    out = torch.where(kind == 0, uniform, sparse)
    out = torch.where(kind == 2, blobs, out)
    return torch.where(kind == 3, flat, out)


def accuracy(model: nn.Module, images: np.ndarray, labels: np.ndarray) -> float:
    model.eval()
    predicted = classify(model, images).argmax(axis=1)
    return float(np.mean(predicted == labels))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to save weights")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3, help="initial learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--noise-weight",
        type=float,
        default=0.5,
        help="weight of the loss that teaches 'noise has no class' (0: no noise images)",
    )
    args = parser.parse_args(argv)

    torch.set_num_threads(1)  # small network, shared machine: one thread is fastest
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)

    data = load_bundled()
    images = data.as_float(0.0, 1.0)
    labels = data.labels.astype(np.int64)
    train, held_out = train_indices(len(data)), heldout_indices(len(data))
    train_x = torch.from_numpy(images[train]).unsqueeze(1)
    train_y = torch.from_numpy(labels[train])
    held_x, held_y = images[held_out], labels[held_out]
    print(f"training on {len(train)} digits, holding out {len(held_out)}")

    model = DigitClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = math.ceil(len(train) / args.batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=args.epochs * steps_per_epoch
    )
    loss_fn = nn.CrossEntropyLoss()

    started = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(train), generator=generator)
        digit_loss = noise_loss = 0.0
        for start in range(0, len(train), args.batch_size):
            batch = order[start : start + args.batch_size]
            x = shift_batch(train_x[batch], generator)
            loss = loss_fn(model(x), train_y[batch])
            digit_loss += loss.item() * len(batch)
            if args.noise_weight > 0:
                # Cross-entropy against the uniform distribution over the ten classes;
                # its minimum, log 10, is reached when noise gets 10% for every digit.
                noise = non_digits(max(1, len(batch) // 4), generator)
                uniform_ce = -torch.log_softmax(model(noise), dim=1).mean(dim=1).mean()
                loss = loss + args.noise_weight * uniform_ce
                noise_loss += (uniform_ce.item() - math.log(10)) * len(batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
        held_acc = accuracy(model, held_x, held_y)
        print(
            f"epoch {epoch:2d}/{args.epochs}: train loss {digit_loss / len(train):.4f} "
            f"(noise: {noise_loss / len(train):.4f} above log 10), "
            f"held-out accuracy {held_acc:.4f} ({time.perf_counter() - started:.0f} s)"
        )

    model.eval()
    state = {k: v.detach().cpu().float().contiguous() for k, v in model.state_dict().items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, args.out)
    print(f"saved {args.out} ({args.out.stat().st_size} bytes)")
    print(f"held-out accuracy: {accuracy(model, held_x, held_y):.4f} on {len(held_out)} digits")


if __name__ == "__main__":
    main()
