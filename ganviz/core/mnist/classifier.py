"""A small digit classifier that tells which digits a generator draws, and how surely.

In MNIST mode, a histogram of the classes of generated digits shows mode collapse as it
happens: a healthy generator spreads its samples over all ten digits, a collapsing one
piles them onto a few. :func:`class_stats` condenses that histogram into two numbers,
``coverage`` (how evenly the classes are used) and ``confident`` (how many samples look
like a digit at all, rather than like a smudge the classifier has to guess at).

The network is a tiny CNN (about 57,000 weights, about 230 KB as float32) trained by
``scripts/train_classifier.py`` on 8,000 of the 10,000 bundled test-split digits; the
other 2,000 (:func:`heldout_indices`) are kept aside to measure its accuracy. Its weights
ship as ``resources/digit_classifier.pt`` (the package ``ganviz.resources``) and are
loaded with ``torch.load(..., weights_only=True)``: tensors only, never arbitrary pickle.

Qt-free, like all of :mod:`ganviz.core`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from ganviz.core.resources import resource_path

__all__ = [
    "CONFIDENCE",
    "HELD_OUT_COUNT",
    "HELD_OUT_SEED",
    "NUM_CLASSES",
    "WEIGHTS_FILE",
    "ClassStats",
    "DigitClassifier",
    "class_stats",
    "classify",
    "heldout_indices",
    "load_classifier",
    "train_indices",
    "weights_path",
]

WEIGHTS_FILE = "digit_classifier.pt"
NUM_CLASSES = 10
CONFIDENCE = 0.9  # a sample is "confident" when its top class has at least this probability

# The held-out split of the bundled digits: the first HELD_OUT_COUNT entries of a fixed
# permutation. Training (scripts/train_classifier.py) and the accuracy test both use it.
HELD_OUT_SEED = 20_240_601
HELD_OUT_COUNT = 2_000

_BATCH = 1_024  # images per forward pass in classify(): bounds memory, not results


class DigitClassifier(nn.Module):
    """A small CNN: (N, 1, 28, 28) images in [0, 1] (0 = background) -> (N, 10) logits."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3),  # 28 -> 26
            nn.ReLU(),
            nn.MaxPool2d(2),  # 26 -> 13
            nn.Conv2d(16, 32, kernel_size=3),  # 13 -> 11
            nn.ReLU(),
            nn.MaxPool2d(2),  # 11 -> 5
        )
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(32 * 5 * 5, 64),
            nn.ReLU(),
            nn.Linear(64, NUM_CLASSES),
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(images))


# ------------------------------------------------------------------------ split


def _permutation(n: int) -> NDArray[np.int64]:
    return np.random.default_rng(HELD_OUT_SEED).permutation(n).astype(np.int64)


def heldout_indices(n: int, count: int = HELD_OUT_COUNT) -> NDArray[np.int64]:
    """Sorted indices of the ``count`` digits (out of ``n``) the classifier never trained on."""
    if not 0 <= count <= n:
        raise ValueError(f"cannot hold out {count} of {n} digits")
    return np.sort(_permutation(n)[:count])


def train_indices(n: int, count: int = HELD_OUT_COUNT) -> NDArray[np.int64]:
    """Sorted indices of the other ``n - count`` digits: the classifier's training set."""
    if not 0 <= count <= n:
        raise ValueError(f"cannot hold out {count} of {n} digits")
    return np.sort(_permutation(n)[count:])


# ---------------------------------------------------------------------- weights


def weights_path() -> Path:
    """Where the shipped weights are (see :mod:`ganviz.core.resources`)."""
    return resource_path(WEIGHTS_FILE)


def load_classifier(device: str | torch.device = "cpu") -> DigitClassifier:
    """The shipped classifier on ``device``, in eval mode with gradients off.

    Loaded once per device and then shared: callers must not train or modify it.
    Sharing across threads is fine, as inference changes no state.
    """
    return _load_cached(str(torch.device(device)))


@functools.cache
def _load_cached(device: str) -> DigitClassifier:
    path = weights_path()
    if not path.is_file():
        raise FileNotFoundError(
            f"classifier weights not found at {path}; "
            "run scripts/train_classifier.py to produce them"
        )
    # weights_only=True: the file may only hold tensors, so a tampered file cannot run code.
    state = torch.load(path, map_location=device, weights_only=True)
    model = DigitClassifier()
    model.load_state_dict(state)  # strict: a file for another architecture is refused
    # Channels-last: torch's CPU max-pooling is several times faster on it than on the
    # default layout, with the same results.
    # The weights' layout is enough: the one-channel input is channels-last either way, and
    # each convolution's output follows its weights.
    model.to(device, memory_format=torch.channels_last)
    model.eval()
    model.requires_grad_(False)
    return model


# ---------------------------------------------------------------------- inference


def classify(model: nn.Module, images: NDArray[np.floating] | torch.Tensor) -> NDArray[np.float32]:
    """Class probabilities, float32 ``(N, 10)``, of images in [0, 1] (0 = background).

    ``images`` is numpy or torch, ``(N, 28, 28)`` or ``(N, 1, 28, 28)``. A generator
    ending in tanh draws in [-1, 1]: map it with ``(x + 1) / 2`` first. The images are
    fed in batches, so N can be large; the model's device is used for the work.
    """
    batch = torch.as_tensor(images)
    shape = tuple(batch.shape)
    if batch.ndim == 3:
        batch = batch.unsqueeze(1)
    if batch.ndim != 4 or tuple(batch.shape[1:]) != (1, 28, 28):
        raise ValueError(f"images must be (N, 28, 28) or (N, 1, 28, 28), got {shape}")
    try:
        device = next(model.parameters()).device
    except StopIteration:
        device = torch.device("cpu")
    out = np.empty((batch.shape[0], NUM_CLASSES), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, batch.shape[0], _BATCH):
            chunk = batch[start : start + _BATCH].to(device=device, dtype=torch.float32)
            probabilities = torch.softmax(model(chunk), dim=1)
            out[start : start + chunk.shape[0]] = probabilities.cpu().numpy()
    return out


@dataclass(frozen=True, eq=False)  # eq=False: numpy arrays do not compare to one bool
class ClassStats:
    """What the classes of a batch of samples say about the generator.

    ``counts``: int64 ``(10,)``, how many samples fell into each class (by argmax).
    ``confident``: the share of samples whose top probability is >= the threshold.
    ``coverage``: entropy of ``counts`` normalised by log(10), in [0, 1]: 1 when all ten
    classes occur equally often, 0 when every sample is one class (or there are none).
    ``confident_counts``: like ``counts``, for the confidently classified samples only
    (noise lands in some class by argmax, but seldom confidently).
    """

    counts: NDArray[np.int64]
    confident: float
    coverage: float
    confident_counts: NDArray[np.int64]

    @property
    def total(self) -> int:
        return int(self.counts.sum())


def class_stats(probabilities: NDArray[np.floating], confidence: float = CONFIDENCE) -> ClassStats:
    """Histogram, confident share and coverage of ``(N, 10)`` class probabilities."""
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2 or probabilities.shape[1] != NUM_CLASSES:
        raise ValueError(f"probabilities must be (N, {NUM_CLASSES}), got {probabilities.shape}")
    n = probabilities.shape[0]
    if n == 0:
        zeros = np.zeros(NUM_CLASSES, dtype=np.int64)
        return ClassStats(zeros, 0.0, 0.0, zeros.copy())

    classes = probabilities.argmax(axis=1)
    counts = np.bincount(classes, minlength=NUM_CLASSES).astype(np.int64)
    top = probabilities.max(axis=1)
    # Compare in the array's own precision: float32(0.9) is a hair below the float64 0.9,
    # and a probability written as 0.9 must count as reaching a threshold of 0.9.
    threshold = np.asarray(confidence).astype(top.dtype) if top.dtype.kind == "f" else confidence
    sure = top >= threshold
    confident = float(np.count_nonzero(sure)) / n
    confident_counts = np.bincount(classes[sure], minlength=NUM_CLASSES).astype(np.int64)
    return ClassStats(counts, confident, _coverage(counts), confident_counts)


def _coverage(counts: NDArray[np.int64]) -> float:
    used = counts[counts > 0]
    if used.size <= 1:
        return 0.0
    if np.all(used == used[0]):
        # k classes used equally: the entropy is exactly log(k). Computing it that way keeps
        # a perfect spread over all ten classes at exactly 1.0 (the sum gives 0.9999...).
        entropy = math.log(used.size)
    else:
        p = used / used.sum()
        entropy = float(-(p * np.log(p)).sum())
    return min(1.0, max(0.0, entropy / math.log(NUM_CLASSES)))
