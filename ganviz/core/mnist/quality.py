"""How far generated digits are from real ones, on the shipped classifier's features.

* Fréchet distance (FD): fit a Gaussian to each set's features and take
  |mu_r - mu_g|^2 + Tr(C_r + C_g - 2 (C_r C_g)^(1/2)), FID's formula (Heusel et al. 2017)
  on the classifier's 64 penultimate features instead of Inception's: 0 for the same
  distribution, larger as the digits differ in look or in mix.
* Precision and recall by k nearest neighbours (Kynkäänniemi et al. 2019): each set's
  manifold is the union of balls around its points reaching their k-th nearest neighbour
  in the same set. Precision is the share of generated digits inside the real manifold
  (are they realistic?), recall the share of real digits inside the generated one (is all
  of the data covered?). A collapsed generator keeps its precision and loses recall.

The real side is REFERENCE_COUNT digits of the bundled split the classifier never trained
on (core/mnist/classifier.heldout_indices), featurised once. Measured together with the
confident share on the same classified samples, the three figures cost 9 ms more than
the classification itself (23-32 ms for 500 digits here): a 64x64 eigendecomposition
and distance matrices of 500 x 500 and 500 x 1000 features.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch

K_NEAREST = 3  # Kynkäänniemi et al.'s choice
REFERENCE_COUNT = 1000
CHUNK = 256  # images per pass of the classifier


@dataclass(frozen=True)
class Quality:
    fd: float
    precision: float
    recall: float
    # A conditional preset's: the share classified as the digit asked for (else NaN)
    class_accuracy: float = float("nan")


def features_and_probabilities(model, images) -> tuple[np.ndarray, np.ndarray]:
    """The classifier's penultimate features (N, 64) and class probabilities (N, 10) of
    images in [0, 1], (N, 28, 28), in one pass."""
    batch = torch.as_tensor(np.asarray(images, dtype=np.float32)).reshape(-1, 1, 28, 28)
    hidden, probabilities = [], []
    with torch.inference_mode():
        # In chunks: the first convolution's output is 43 KB an image.
        for chunk in batch.split(CHUNK):
            features = model.head[:-1](model.features(chunk))
            hidden.append(features)
            probabilities.append(torch.softmax(model.head[-1](features), dim=1))
    return (torch.cat(hidden).numpy().astype(np.float64),
            torch.cat(probabilities).numpy())


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """FD between Gaussians fitted to the rows of ``a`` and ``b``."""
    mean_a, mean_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # Tr((C_a C_b)^(1/2)) = sum of the square roots of the eigenvalues of
    # C_a^(1/2) C_b C_a^(1/2), a symmetric matrix: no complex square root needed.
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
    middle = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = float(np.sqrt(np.clip(middle, 0.0, None)).sum())
    distance = float(((mean_a - mean_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b)
                     - 2.0 * trace_root)
    return max(distance, 0.0)


def _squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.clip((a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T,
                   0.0, None)


def _radii(points: np.ndarray, k: int) -> np.ndarray:
    """Each point's squared distance to its k-th nearest other point of the set."""
    within = _squared_distances(points, points)
    return np.partition(within, k, axis=1)[:, k]  # column 0 is the point itself


def precision_recall(real: np.ndarray, fake: np.ndarray, k: int = K_NEAREST,
                     real_radii: np.ndarray | None = None) -> tuple[float, float]:
    """Kynkäänniemi et al.'s precision and recall of ``fake`` against ``real``."""
    real_radii = _radii(real, k) if real_radii is None else real_radii
    fake_radii = _radii(fake, k)
    between = _squared_distances(fake, real)  # (fake, real)
    precision = float((between <= real_radii[None, :]).any(1).mean())
    recall = float((between <= fake_radii[:, None]).any(0).mean())
    return precision, recall


def reference_indices(n: int, count: int = REFERENCE_COUNT) -> np.ndarray:
    """``count`` of the held-out digits, drawn at random: the bundled split is ordered by
    its writers' groups, and its first thousand against the next five hundred already
    differ by an FD of 24 (shuffled: 7)."""
    from ganviz.core.mnist.classifier import heldout_indices

    return np.random.default_rng(0).permutation(heldout_indices(n))[:count]


@functools.cache
def _reference() -> tuple[np.ndarray, np.ndarray]:
    """Features of the held-out real digits and their k-NN radii (computed once)."""
    from ganviz.core.mnist import data
    from ganviz.core.mnist.classifier import load_classifier

    digits = data.load_bundled()
    chosen = reference_indices(len(digits.images))
    images = digits.images[chosen].astype(np.float32) / 255.0
    features, _ = features_and_probabilities(load_classifier(), images)
    return features, _radii(features, K_NEAREST)


def quality(features: np.ndarray) -> Quality:
    """FD, precision and recall of generated digits' features against the real ones."""
    real, radii = _reference()
    if len(features) <= K_NEAREST or not np.isfinite(features).all():
        return Quality(float("nan"), float("nan"), float("nan"))
    precision, recall = precision_recall(real, features, real_radii=radii)
    return Quality(frechet_distance(real, features), precision, recall)
