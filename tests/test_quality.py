"""Fréchet distance and k-NN precision/recall on the shipped classifier's features
(core/mnist/quality.py), on cases whose answer is known."""

import numpy as np
import pytest

from ganviz.core.mnist import data, quality
from ganviz.core.mnist.classifier import heldout_indices, load_classifier


@pytest.fixture(scope="module")
def digits():
    return data.load_bundled()


def _features(digits, indices):
    images = digits.images[indices].astype(np.float32) / 255.0
    return quality.features_and_probabilities(load_classifier(), images)[0]


def _other_real(digits, count=500):
    """Held-out digits the reference does not hold (it takes the first thousand)."""
    shuffled = np.random.default_rng(0).permutation(heldout_indices(len(digits.images)))
    reference = set(quality.reference_indices(len(digits.images)).tolist())
    rest = [i for i in shuffled if i not in reference]
    return np.asarray(rest[:count])


def test_gaussians_known_in_closed_form():
    rng = np.random.default_rng(1)
    a = rng.normal(0.0, 1.0, (20_000, 3))
    b = rng.normal(0.0, 2.0, (20_000, 3)) + np.array([1.0, 0.0, 0.0])
    # |mu|^2 = 1; Tr(I + 4I - 2 * 2I) = 3: FD = 4
    assert quality.frechet_distance(a, b) == pytest.approx(4.0, rel=0.03)
    assert quality.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)


def test_real_digits_against_real_digits_are_near_zero_and_fully_covered(digits):
    measured = quality.quality(_features(digits, _other_real(digits)))
    assert measured.fd < 12  # sampling noise of 500 against 1,000 digits: ~6 here
    assert measured.precision > 0.8 and measured.recall > 0.8


def test_a_collapsed_set_keeps_its_precision_and_loses_its_recall(digits):
    rest = _other_real(digits, 2000)
    ones = np.resize(rest[digits.labels[rest] == 1], 500)  # a generator of ones only
    measured = quality.quality(_features(digits, ones))
    assert measured.precision > 0.8  # each is a real-looking digit...
    assert measured.recall < 0.2  # ...but nine classes of the data are missed
    assert measured.fd > 10 * quality.quality(_features(digits, rest[:500])).fd


def test_noise_is_neither_precise_nor_covering(digits):
    noise = np.random.default_rng(2).random((300, 28, 28)).astype(np.float32)
    features, probabilities = quality.features_and_probabilities(load_classifier(), noise)
    measured = quality.quality(features)
    assert measured.precision < 0.05 and measured.recall < 0.05
    assert probabilities.shape == (300, 10)
    np.testing.assert_allclose(probabilities.sum(1), 1.0, atol=1e-5)


def test_mnist_metrics_records_carry_the_quality_figures():
    from ganviz.core.trainer import Trainer

    trainer = Trainer("mnist", {}, device="cpu")
    trainer.run(3)
    record = trainer.metrics()
    assert {"fd", "precision", "recall", "confident", "coverage"} <= set(record)
    assert record["fd"] > 100  # three iterations in: noise, far from digits
    assert 0.0 <= record["precision"] <= 1.0 and 0.0 <= record["recall"] <= 1.0
