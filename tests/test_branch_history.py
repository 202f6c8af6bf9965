"""The window's evaluation curves by branch: a new branch starts from what it shares with
the one it leaves, and switching back finds a branch's curves as they were left."""

import math
from types import SimpleNamespace

import numpy as np

from ganviz.core.branch_history import BranchHistories, lineage, shared_until
from ganviz.core.history import BoundedHistory


def evaluation(step, js=0.5):
    return SimpleNamespace(step=step, js_bits=js, value=-1.0, kl_bits=float("nan"))


# main; 2 from main at 500; 3 from 2 at 800; 4 from 2 at 300 (before 2's own fork: main's)
TREE = {1: (None, 0), 2: (1, 500), 3: (2, 800), 4: (2, 300)}


def test_lineage_and_shared_iterations():
    assert lineage(TREE, 1) == {1: math.inf}
    assert lineage(TREE, 3) == {3: math.inf, 2: 800, 1: 500}
    assert lineage(TREE, 4) == {4: math.inf, 2: 300, 1: 300}
    assert shared_until(TREE, 1, 2) == 500 == shared_until(TREE, 2, 1)
    assert shared_until(TREE, 2, 3) == 800
    assert shared_until(TREE, 3, 4) == 300
    assert shared_until(TREE, 1, 3) == 500
    assert shared_until(TREE, 3, 3) == math.inf


def test_truncate_and_copy_keep_the_points_up_to_a_step():
    history = BoundedHistory(("a",), capacity=8)
    for step in range(1, 21):
        history.record(step, [float(step)])
    steps = history.steps()
    twin = history.copy()
    twin.truncate(12)
    assert twin.steps().max() <= 12 and len(twin) == int((steps <= 12).sum())
    np.testing.assert_array_equal(history.steps(), steps)  # the original untouched
    twin.record(13, [13.0])  # goes on with the stride it had
    assert len(twin) <= twin.capacity


def test_a_new_branch_keeps_what_it_shares_and_switching_back_restores_the_old_one():
    histories = BranchHistories()
    histories.follow(1, {1: (None, 0)})
    for step in range(100, 1100, 100):
        histories.add(evaluation(step), "converged" if step >= 600 else "not-converged")
    assert histories.verdicts == [(100, "not-converged"), (600, "converged")]
    tree = {1: (None, 0), 2: (1, 500)}
    assert histories.follow(2, tree)
    assert list(histories.current.as_arrays()["step"]) == [100, 200, 300, 400, 500]
    assert histories.verdicts == [(100, "not-converged")]
    assert histories.current.latest is None  # main's newest (1,000) lies past the fork
    histories.add(evaluation(600, js=0.1), "not-converged")  # the branch goes on
    assert histories.current.last_step == 600
    assert histories.follow(1, tree)  # back to main: its curves as left
    assert list(histories.current.as_arrays()["step"])[-1] == 1000
    assert histories.verdicts[-1] == (600, "converged")
    assert histories.follow(2, tree)
    assert list(histories.current.as_arrays()["step"])[-1] == 600
    assert not histories.follow(2, tree)  # already there


def test_a_restored_state_goes_on_from_its_iteration_and_a_new_run_forgets_branches():
    histories = BranchHistories()
    histories.follow(1, {1: (None, 0)})
    histories.add(evaluation(100), "not-converged")
    histories.add(evaluation(300), "converged")
    histories.add(evaluation(200), "not-converged")  # Restore after a divergence
    assert list(histories.current.as_arrays()["step"]) == [100, 200]
    assert histories.verdicts == [(100, "not-converged")]
    histories.clear()
    assert histories.number is None and len(histories.current.history) == 0


def test_a_frame_of_the_run_before_a_reset_does_not_stop_the_curves():
    histories = BranchHistories()
    histories.follow(1, {0: (None, 0), 1: (0, 500)})  # a stale frame, on branch 1
    assert histories.follow(0, {0: (None, 0)})  # the new run: branch 1 no longer exists
    assert histories.number == 0


def test_a_divergence_stays_on_the_verdicts_until_a_state_is_restored():
    histories = BranchHistories()
    histories.add(evaluation(100), "not-converged")
    histories.mark_diverged(150)
    histories.add(evaluation(150, js=float("nan")), "not-converged")  # the NaN state judged
    assert histories.verdicts == [(100, "not-converged"), (150, "diverged")]
    histories.add(evaluation(120), "not-converged")  # Restore: from before the divergence
    assert histories.verdicts == [(100, "not-converged")]
