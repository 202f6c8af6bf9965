"""The MNIST-mode digit classifier: shipped weights, held-out accuracy, class statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ganviz.core.mnist import classifier
from ganviz.core.mnist.classifier import (
    ClassStats,
    DigitClassifier,
    class_stats,
    classify,
    heldout_indices,
    load_classifier,
    train_indices,
)
from ganviz.core.mnist.data import load_bundled

torch.set_num_threads(1)  # also done in conftest; repeated so the module stands alone


@pytest.fixture(scope="module")
def model() -> DigitClassifier:
    return load_classifier()


def one_hot_rows(classes: list[int]) -> np.ndarray:
    probabilities = np.zeros((len(classes), 10), dtype=np.float32)
    probabilities[np.arange(len(classes)), classes] = 1.0
    return probabilities


# ------------------------------------------------------------------- weights


def test_shipped_weights_are_small_and_load_as_plain_tensors():
    path = classifier.weights_path()
    assert path.name == classifier.WEIGHTS_FILE
    assert path.is_file()
    assert path.stat().st_size < 1_000_000
    state = torch.load(path, map_location="cpu", weights_only=True)
    assert set(state) == set(DigitClassifier().state_dict())
    assert all(t.dtype == torch.float32 for t in state.values())


def test_loaded_model_is_frozen_in_eval_mode_and_cached(model):
    assert not model.training
    assert not any(p.requires_grad for p in model.parameters())
    assert load_classifier("cpu") is model
    assert load_classifier(torch.device("cpu")) is model


def test_held_out_split_is_fixed_and_disjoint():
    held, train = heldout_indices(10_000), train_indices(10_000)
    assert len(held) == 2_000 and len(train) == 8_000
    assert len(np.intersect1d(held, train)) == 0
    assert np.array_equal(np.union1d(held, train), np.arange(10_000))
    assert np.array_equal(held, heldout_indices(10_000))


def test_accuracy_on_held_out_digits(model):
    data = load_bundled()
    held = heldout_indices(len(data))
    probabilities = classify(model, data.as_float(0.0, 1.0)[held])
    accuracy = float(np.mean(probabilities.argmax(axis=1) == data.labels[held]))
    assert accuracy >= 0.97, accuracy
    # Real digits are recognised with confidence and spread over all ten classes.
    stats = class_stats(probabilities)
    assert stats.confident > 0.9, stats.confident
    assert stats.coverage > 0.99, stats.coverage


# ------------------------------------------------------------------- classify


def test_classify_accepts_numpy_and_torch_shapes(model):
    rng = np.random.default_rng(1)
    images = rng.random((5, 28, 28), dtype=np.float32)
    from_numpy = classify(model, images)
    from_torch = classify(model, torch.from_numpy(images).unsqueeze(1))
    for probabilities in (from_numpy, from_torch):
        assert probabilities.shape == (5, 10)
        assert probabilities.dtype == np.float32
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(from_numpy, from_torch, atol=1e-6)


def test_classify_batches_give_the_same_answer(model):
    data = load_bundled()
    images = data.as_float(0.0, 1.0)[:1_500]  # more than one internal batch
    whole = classify(model, images)
    parts = np.concatenate([classify(model, images[:700]), classify(model, images[700:])])
    np.testing.assert_allclose(whole, parts, atol=1e-5)


def test_channels_last_layout_changes_no_answer(model):
    """The shipped model runs channels-last (faster pooling); a plain one must agree."""
    plain = DigitClassifier()
    plain.load_state_dict(torch.load(classifier.weights_path(), weights_only=True))
    plain.eval()
    images = load_bundled().as_float(0.0, 1.0)[:300]
    with torch.inference_mode():
        expected = torch.softmax(plain(torch.from_numpy(images).unsqueeze(1)), dim=1).numpy()
    np.testing.assert_allclose(classify(model, images), expected, atol=1e-5)
    # conv2's weight: conv1's, with one input channel, is channels-last in either layout.
    conv2 = model.features[3].weight
    assert conv2.is_contiguous(memory_format=torch.channels_last) and not conv2.is_contiguous()


def test_classify_refuses_wrong_shapes(model):
    with pytest.raises(ValueError, match="28, 28"):
        classify(model, np.zeros((3, 32, 32), dtype=np.float32))
    with pytest.raises(ValueError, match="28, 28"):
        classify(model, np.zeros((3, 3, 28, 28), dtype=np.float32))


def test_noise_is_not_classified_confidently(model):
    rng = np.random.default_rng(0)
    noise = rng.random((200, 28, 28), dtype=np.float32)
    stats = class_stats(classify(model, noise))
    assert stats.confident < 0.5, stats.confident
    blank = class_stats(classify(model, np.zeros((10, 28, 28), dtype=np.float32)))
    assert blank.confident < 0.5, blank.confident


# ---------------------------------------------------------------- class_stats


def test_even_spread_over_all_classes_has_full_coverage():
    stats = class_stats(one_hot_rows(list(range(10)) * 7))
    assert isinstance(stats, ClassStats)
    assert stats.counts.dtype == np.int64
    assert stats.counts.tolist() == [7] * 10
    assert stats.coverage == 1.0
    assert stats.confident == 1.0
    assert stats.total == 70


def test_soft_uniform_rows_still_count_by_argmax():
    # Every row uniform: argmax picks class 0 each time, a single class, not confident.
    stats = class_stats(np.full((20, 10), 0.1, dtype=np.float32))
    assert stats.counts.tolist() == [20] + [0] * 9
    assert stats.coverage == 0.0
    assert stats.confident == 0.0


def test_a_single_class_has_zero_coverage():
    stats = class_stats(one_hot_rows([3] * 50))
    assert stats.counts.tolist() == [0, 0, 0, 50, 0, 0, 0, 0, 0, 0]
    assert stats.coverage == 0.0


def test_coverage_of_uneven_histograms():
    # Two classes equally often: entropy log 2, so coverage log 2 / log 10.
    two = class_stats(one_hot_rows([1, 7] * 10))
    assert two.coverage == pytest.approx(math.log(2) / math.log(10), abs=1e-12)
    # Skewed over two classes: 3/4 and 1/4.
    skewed = class_stats(one_hot_rows([1, 1, 1, 7]))
    entropy = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25))
    assert skewed.coverage == pytest.approx(entropy / math.log(10), abs=1e-12)
    assert 0.0 < skewed.coverage < two.coverage < 1.0


def test_confident_share_at_the_threshold():
    # Top probabilities 0.95, 0.5 and exactly 0.9: the last one counts (>= 0.9).
    # float32 (what classify returns) and float64 alike: 0.9 in either precision is
    # compared with the threshold 0.9 in that same precision.
    rows = [
        [0.95] + [0.05 / 9] * 9,
        [0.5, 0.5] + [0.0] * 8,
        [0.1, 0.9] + [0.0] * 8,
    ]
    for dtype in (np.float32, np.float64):
        probabilities = np.array(rows, dtype=dtype)
        stats = class_stats(probabilities)
        assert stats.confident == pytest.approx(2 / 3)
        assert stats.counts.tolist() == [2, 1, 0, 0, 0, 0, 0, 0, 0, 0]
        assert class_stats(probabilities, confidence=0.95).confident == pytest.approx(1 / 3)


def test_no_samples_and_bad_shapes():
    empty = class_stats(np.zeros((0, 10), dtype=np.float32))
    assert empty.counts.tolist() == [0] * 10
    assert empty.confident == 0.0
    assert empty.coverage == 0.0
    with pytest.raises(ValueError, match="10"):
        class_stats(np.zeros((4, 9), dtype=np.float32))


def test_confident_counts_count_only_sure_samples():
    probabilities = np.full((3, 10), 0.0, dtype=np.float32)
    probabilities[0, 2] = 0.95
    probabilities[0, 3] = 0.05
    probabilities[1, 2] = 0.5
    probabilities[1, 4] = 0.5
    probabilities[2, 7] = 1.0
    stats = class_stats(probabilities)
    assert stats.counts.tolist() == [0, 0, 2, 0, 0, 0, 0, 1, 0, 0]
    assert stats.confident_counts.tolist() == [0, 0, 1, 0, 0, 0, 0, 1, 0, 0]
