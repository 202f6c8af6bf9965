"""Teaching in the window: the model diagram's live numbers, slow motion walking through
the run's own next iteration (plots marked, diagram lit), and File > Open example."""

import math

import numpy as np

from ganviz.core import examples


def _frame(window):
    return window.latest_frame


def test_diagram_shows_the_frames_numbers(open_window, qtbot):
    window = open_window("gaussian")
    window.game.diagram_action.trigger()  # View > Model diagram (M)
    assert window.game.isVisible()
    window.set_running(True)
    qtbot.waitUntil(lambda: _frame(window) is not None and _frame(window).snapshot.step > 100,
                    timeout=20_000)
    window.set_running(False)
    qtbot.waitUntil(lambda: not _frame(window).running, timeout=10_000)
    qtbot.wait(200)
    numbers, history = window.game.diagram.numbers, _frame(window).snapshot.history
    assert numbers.d_real == float(history["d_real"][-1])
    assert numbers.loss_g == float(history["loss_g"][-1])
    assert numbers.batch == 64 and numbers.k_d == 1 and numbers.k_g == 1
    grad_d, grad_g = _frame(window).snapshot.gradient_norms
    assert numbers.grad_d == grad_d > 0 and math.isfinite(grad_g) and grad_g > 0
    image = window.game.diagram.grab().toImage()
    assert image.width() >= 200 and image.height() >= 270


def test_slow_motion_walks_through_the_next_iteration(open_window, qtbot):
    window = open_window("gaussian")
    qtbot.waitUntil(lambda: _frame(window) is not None, timeout=20_000)
    start = _frame(window).snapshot.step
    game = window.game
    assert game.panel is None  # built when first shown: the window's start does not wait
    game.slow_action.trigger()  # View > Slow motion (N): paused, the next iteration told
    panel = game.panel
    assert game.isVisible() and panel.isVisible() and not window.running
    qtbot.waitUntil(lambda: panel.position == (0, 0), timeout=20_000)
    narrated = panel.kept[0]
    assert narrated.step == start + 1
    assert "Draw a real batch" in panel.heading.text() and "64 real numbers" in panel.text.text()
    marks = window.toy1d._narration
    assert marks.real.isVisible() and not marks.fakes.isVisible()
    assert game.diagram.lit == frozenset({"real"})
    keys = [part.key for part in narrated.parts]
    for key in keys[1:]:
        game.next_action.trigger()  # "."
        assert panel.position[1] == keys.index(key)
    # At G's update: the fakes, G's push as arrows and where they moved are on the plot.
    panel.back()
    assert narrated.parts[panel.position[1]].key == "update_g"
    assert marks.arrows.isVisible() and marks.moved.isVisible()
    assert {"G", "grad_g"} <= game.diagram.lit
    np.testing.assert_allclose(marks.moved.getData()[0], narrated.moved)
    panel.back()
    panel.back()
    panel.back()  # D's update: D(x) before (dashed) and after
    assert narrated.parts[panel.position[1]].key == "update_d"
    assert marks.d_before.isVisible() and marks.d_after.isVisible()
    # Past the last part, the next iteration is trained and told.
    for _ in range(len(keys)):
        panel.forward()
    qtbot.waitUntil(lambda: len(panel.kept) == 2 and panel.position == (1, 0), timeout=20_000)
    assert panel.kept[1].step == start + 2
    qtbot.waitUntil(lambda: _frame(window).snapshot.step == start + 2, timeout=10_000)
    # Start leaves slow motion and clears the marks.
    window.set_running(True)
    assert not game.slow and not game.slow_action.isChecked() and not marks.real.isVisible()
    assert game.diagram.lit == frozenset()


def test_slow_motion_in_2d_draws_the_batches_on_the_plane(open_window, qtbot):
    window = open_window("ring8")
    qtbot.waitUntil(lambda: _frame(window) is not None, timeout=20_000)
    window.game.set_slow_motion(True)
    panel = window.game.panel
    qtbot.waitUntil(lambda: panel.position == (0, 0), timeout=20_000)
    while panel.kept[0].parts[panel.position[1]].key != "loss_g":
        panel.forward()
    marks = window.toy2d._narration
    assert marks.fakes.isVisible() and marks.arrows.isVisible() and not marks.real.isVisible()
    assert len(marks.fakes.getData()[0]) == panel.kept[0].g_fake.shape[0] == 128


def test_open_example_opens_the_converged_run_paused(open_window, qtbot):
    window = open_window("ring8")
    qtbot.waitUntil(lambda: _frame(window) is not None, timeout=20_000)
    assert set(window.example_actions) == set(examples.available())
    window.example_actions["gaussian"].trigger()  # File > Open example > gaussian
    end = examples.PLAN["gaussian"].steps
    qtbot.waitUntil(lambda: _frame(window).snapshot.step == end
                    and _frame(window).snapshot.mode == "1d", timeout=30_000)
    assert window.preset == "gaussian" and not _frame(window).running
    timeline = _frame(window).timeline
    assert timeline.steps[0] == 0 and timeline.steps[-1] == end and len(timeline.steps) == 6
    history = _frame(window).snapshot.history
    assert history["step"][-1] == end and len(history["step"]) > 100  # its curves came too
    # The coach judges the opened state on its own: a converged example says so at once.
    qtbot.waitUntil(lambda: window.coach_line.diagnosis is not None
                    and window.coach_line.diagnosis.name == "converged", timeout=20_000)
