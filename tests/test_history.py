import numpy as np

from ganviz.core.history import BoundedHistory


def test_history_keeps_every_point_until_capacity():
    history = BoundedHistory(("a",), capacity=8)
    for step in range(1, 6):
        history.record(step, [float(step)])
    assert history.steps().tolist() == [1, 2, 3, 4, 5]
    assert history.column("a").tolist() == [1, 2, 3, 4, 5]


def test_history_stays_bounded_and_averages_whole_run():
    history = BoundedHistory(("a", "b"), capacity=64)
    n = 100_000
    for step in range(1, n + 1):
        history.record(step, [float(step), 1.0])
    assert 32 <= len(history) <= 64
    steps = history.steps()
    assert np.all(np.diff(steps) == history.stride)  # evenly spaced after merging
    assert steps[-1] <= n and steps[-1] > n - history.stride
    # Each point is the mean of its bucket of iterations: for a = step that's the bucket's
    # middle, stride/2 - 0.5 below the bucket's last step.
    np.testing.assert_allclose(history.column("a"), steps - (history.stride - 1) / 2)
    np.testing.assert_allclose(history.column("b"), 1.0)


def test_clear_restarts_at_stride_one():
    history = BoundedHistory(("a",), capacity=4)
    for step in range(1, 50):
        history.record(step, [0.0])
    history.clear()
    assert len(history) == 0 and history.stride == 1
    history.record(1, [2.0])
    assert history.as_arrays()["a"].tolist() == [2.0]
