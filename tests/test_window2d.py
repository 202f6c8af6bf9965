"""The 2-D mode in the window on the offscreen platform: layers, steps, custom data."""

import numpy as np
import pytest

# Small networks: the window tests watch the drawing, not the learning.
SMALL = {"g_width": 16, "d_width": 16, "g_layers": 2, "d_layers": 2, "batch_size": 64}


@pytest.fixture
def window(open_window):
    return open_window("ring8", SMALL)


def evaluated_at(window, step: int) -> bool:
    evaluation = window.latest_evaluation
    return evaluation is not None and evaluation.mode == "2d" and evaluation.step >= step


def test_ring8_trains_and_draws_the_plane_with_every_layer(window, qtbot):
    assert window.stack.currentWidget() is window.toy2d
    window.set_running(True)
    qtbot.waitUntil(lambda: evaluated_at(window, 30), timeout=20_000)
    qtbot.wait(100)  # the draw timer draws the newest evaluation
    plane = window.toy2d.plane
    assert plane.fake.data.shape[0] == 500 and plane.real.data.shape[0] == 500
    assert plane.surface.image.shape == (64, 64)
    assert len(plane.arrows.getData()[0]) == 6 * 500  # shaft and head: 3 segments an arrow
    assert len(plane.manifold.getData()[0]) == 2 * 21 * 21
    history = window.toy2d.divergence.kl.getData()
    assert len(history[0]) >= 1 and np.all(history[1] > 0)
    assert "frames/s" in window.status.fps.text()


def test_layers_toggle(window, qtbot):
    plane = window.toy2d.plane
    for name, box in window.toy2d.layer_boxes.items():
        box.setChecked(False)
        assert not window.toy2d.layer_shown(name)
        box.setChecked(True)
        assert window.toy2d.layer_shown(name)
    window.toy2d.layer_boxes["surface"].setChecked(False)
    assert not plane.surface.isVisible() and not window.toy2d.colour_bar.isVisible()
    window.toy2d.layer_boxes["gradients"].setChecked(False)
    assert not plane.arrows.isVisible()


def test_single_d_and_g_steps_while_paused(window, qtbot):
    frame = window.latest_frame.snapshot
    d, g = frame.d_updates, frame.g_updates
    window.step_d_action.trigger()
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.d_updates == d + 1, timeout=10_000)
    window.step_g_action.trigger()
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.g_updates == g + 1, timeout=10_000)
    assert window.latest_frame.snapshot.step == frame.step  # no full iteration
    window.step_action.trigger()
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.step == frame.step + 1, timeout=10_000)
    window.set_running(True)
    assert not window.step_d_action.isEnabled() and not window.step_g_action.isEnabled()


def test_points_files_bad_and_good(window, qtbot, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,3\n")
    window.load_points_file(str(bad))
    assert "Not used: bad.csv" in window.statusBar().currentMessage()
    assert window.settings["dataset"] == "ring8"
    good = tmp_path / "line.npy"
    np.save(good, np.stack((np.linspace(-1, 1, 300), np.zeros(300)), 1))
    window.load_points_file(str(good))
    assert window.controls.editors["dataset"].value() == "custom"
    qtbot.waitUntil(lambda: window.settings["dataset"] == "custom", timeout=10_000)
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.settings["dataset"] == "custom",
                    timeout=10_000)
    qtbot.waitUntil(lambda: window.latest_evaluation is not None
                    and window.latest_evaluation.mode == "2d", timeout=10_000)
    window.step_action.trigger()
    qtbot.waitUntil(lambda: evaluated_at(window, 1) and abs(
        window.latest_evaluation.real_points[:, 1]).max() < 0.2, timeout=10_000)
    # The custom data survive a Reset (a new trainer in the same process).
    window.reset()
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.step == 0, timeout=10_000)
    assert window.latest_frame.snapshot.settings["dataset"] == "custom"


def test_the_preset_box_says_when_the_data_are_your_own(window, qtbot):
    from PySide6.QtCore import Qt

    from ganviz.app.preset_box import CUSTOM_TITLE, TITLE
    from ganviz.core import presets

    box, combo = window.controls.preset_box, window.controls.preset_combo
    assert box.title() == TITLE and box.description.text() == presets.get("ring8").description
    line = np.stack((np.linspace(-1, 1, 300), np.zeros(300)), 1)
    window.use_points(line, "300 points drawn by hand")  # what the Draw dialog hands on
    assert combo.currentText() == "ring8" and box.title() == CUSTOM_TITLE
    assert box.description.text().startswith("Your own points (300 points drawn by hand), "
                                             "trained with the networks and settings of ring8")
    qtbot.waitUntil(lambda: window.settings["dataset"] == "custom", timeout=10_000)
    # Picking ring8 in the list again (the text does not change) brings its data back.
    combo.showPopup()
    view = combo.view()
    ring8 = view.visualRect(combo.model().index(combo.findText("ring8"), 0)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=ring8)
    assert box.title() == TITLE and box.description.text() == presets.get("ring8").description
    qtbot.waitUntil(lambda: window.settings["dataset"] == "ring8", timeout=10_000)


def test_choosing_custom_without_points_is_refused_and_keeps_the_dataset(window, qtbot):
    window.change_setting("dataset", "custom")  # the trainer refuses it
    qtbot.waitUntil(lambda: "custom needs points" in window.statusBar().currentMessage(),
                    timeout=10_000)
    assert window.settings["dataset"] == "ring8"
    qtbot.waitUntil(lambda: window.controls.editors["dataset"].value() == "ring8",
                    timeout=10_000)  # the panel snaps back
    assert window.controls.errors["dataset"].text().startswith("custom needs points")
    assert not window.controls.preset_box.showing_custom()
    window.step_action.trigger()
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.step == 1, timeout=10_000)
    assert window.latest_frame.snapshot.settings["dataset"] == "ring8"


def test_arrows_run_from_each_point_along_its_push_with_a_head_at_the_tip():
    from ganviz.app.views.toy2d import arrow_segments

    starts = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]], dtype=np.float32)
    vectors = np.array([[0.5, 0.0], [0.0, -0.2], [0.0, 0.0]], dtype=np.float32)
    segments = arrow_segments(starts, vectors, width=5.0).reshape(3, 3, 2, 2)
    for arrow, start, vector in zip(segments, starts, vectors, strict=True):
        shaft, left, right = arrow
        assert np.allclose(shaft, [start, start + vector])
        for stroke in (left, right):
            assert np.allclose(stroke[0], start + vector)  # heads start at the tip
            back = stroke[1] - stroke[0]
            assert np.dot(back, vector) <= 0  # and point backwards
    assert np.allclose(segments[2], starts[2])  # no push: a point, no arrow


def test_a_diverged_2d_run_is_drawn_without_errors_and_pauses(open_window, qtbot, recwarn):
    exploding = {**SMALL, "loss": "lsgan", "lr_d": 1.0, "lr_g": 1.0, "optimizer_d": "sgd",
                 "optimizer_g": "sgd"}
    window = open_window("ring8", exploding)
    window.set_running(True)
    qtbot.waitUntil(lambda: window.divergence_box is not None, timeout=20_000)
    qtbot.waitUntil(lambda: evaluated_at(window, window.latest_frame.snapshot.step)
                    and not window.latest_frame.running, timeout=10_000)
    qtbot.wait(100)  # drawn
    assert not np.isfinite(window.latest_evaluation.fake_points).any()
    errors = [w for w in recwarn if "Ignored exception" in str(w.message)]
    assert not errors, errors[0].message


def test_a_session_on_custom_points_brings_the_points_back(open_window, qtbot, tmp_path):
    from ganviz.core import session
    from ganviz.core.toy2d.data import Points2D
    from ganviz.core.trainer import Trainer

    line = np.stack((np.linspace(-1, 1, 200), np.full(200, 0.7)), 1).astype(np.float32)
    trainer = Trainer("line", SMALL, data=Points2D(line, "a test line"))
    trainer.update_settings({"dataset": "custom"})
    trainer.run(5)
    path = session.save(trainer, tmp_path / "line.ganviz")

    window = open_window("gaussian")  # a fresh window that never saw those points
    window.load_session(str(path))
    qtbot.waitUntil(lambda: window.mode == "2d" and window.latest_frame.snapshot.step == 5,
                    timeout=20_000)
    assert window.settings["dataset"] == "custom" and window.custom_points is not None
    window.reset()  # a new trainer on the same points
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.step == 0, timeout=20_000)
    window.step_once()
    qtbot.waitUntil(lambda: evaluated_at(window, 1), timeout=20_000)
    assert abs(window.latest_evaluation.real_points[:, 1] - 0.7).max() < 0.2
