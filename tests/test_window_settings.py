"""The window's settings on the offscreen platform: the trainer is their one source of
truth; the panel shows what is asked at once and what the trainer answers."""

import pytest
from PySide6.QtCore import Qt

from ganviz.core import presets
from ganviz.core.protocol import Frame


@pytest.fixture
def window(open_window):
    return open_window("gaussian")


def step_of(window) -> int:
    return window.latest_frame.snapshot.step


def test_a_spinbox_change_reaches_the_trainer(window, qtbot):
    window.controls.editors["lr_d"].setValue(2e-4)
    window.controls.editors["k"].setValue(3)
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.settings["lr_d"] == 2e-4
                    and window.latest_frame.snapshot.settings["k"] == 3, timeout=10_000)
    window.step_action.trigger()
    qtbot.waitUntil(lambda: step_of(window) == 1, timeout=10_000)
    snapshot = window.latest_frame.snapshot
    assert (snapshot.d_updates, snapshot.g_updates) == (3, 1)  # k = 3 D steps, 1 G step


def test_an_out_of_range_value_is_refused_with_a_message(window, qtbot):
    editor = window.controls.editors["lr_d"]
    editor.lineEdit().selectAll()
    qtbot.keyClicks(editor.lineEdit(), "5")
    qtbot.keyClick(editor.lineEdit(), Qt.Key.Key_Return)
    editor.clearFocus()
    editor.interpretText()
    qtbot.wait(50)
    assert editor.value() == pytest.approx(1e-3)  # the user's previous value stays
    assert window.settings["lr_d"] == pytest.approx(1e-3)
    message = window.statusBar().currentMessage()
    assert message == "Learning rate D: 5 is out of range; expected a number from 1e-05 to 1"
    # Also at the field, where it stays: under it, and the field tinted red.
    controls = window.controls
    error = controls.errors["lr_d"]
    assert error.isVisibleTo(controls) and error.text() == (
        "5 is out of range; expected a number from 1e-05 to 1")
    assert tinted_pixels(editor) > editor.width() * editor.height() // 3
    editor.lineEdit().selectAll()
    qtbot.keyClicks(editor.lineEdit(), "0.002")  # a valid value: the error goes
    assert not error.isVisibleTo(controls) and error.text() == ""
    assert tinted_pixels(editor) == 0
    qtbot.keyClick(editor.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.settings["lr_d"] == pytest.approx(0.002), timeout=10_000)


def tinted_pixels(widget) -> int:
    """Pixels of the error tint (controls.ERROR_FILL) in ``widget`` as drawn now."""
    from PySide6.QtGui import QImage

    from ganviz.app.controls import ERROR_FILL

    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    return sum(image.pixelColor(x, y) == ERROR_FILL for y in range(image.height())
               for x in range(image.width()))


def test_model_settings_wait_for_reset(window, qtbot):
    window.controls.editors["seed"].setValue(9)
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.pending_on_reset == ("seed",),
                    timeout=10_000)
    qtbot.wait(100)
    assert "Random seed" in window.controls.pending_label.text()
    window.step_action.trigger()
    qtbot.waitUntil(lambda: step_of(window) == 1, timeout=10_000)
    window.reset_action.trigger()
    qtbot.waitUntil(lambda: step_of(window) == 0
                    and window.latest_frame.snapshot.pending_on_reset == (), timeout=10_000)
    qtbot.wait(100)
    assert window.controls.pending_label.text() == ""
    assert window.latest_frame.snapshot.settings["seed"] == 9


def test_switching_the_objective_relabels_the_plots(window, qtbot):
    controls = window.controls
    gp_row = controls.editors["gp_weight"]
    form = controls._forms["Stabilisers"]
    assert not form.isRowVisible(gp_row)  # only wgan-gp has a gradient penalty
    controls.editors["loss"].setCurrentText("wgan-gp")
    assert form.isRowVisible(gp_row)  # the panel shows what was asked at once
    qtbot.waitUntil(lambda: window.settings["loss"] == "wgan-gp", timeout=10_000)
    window.step_once()
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.settings["loss"] == "wgan-gp",
                    timeout=20_000)
    qtbot.wait(100)
    assert not window.d_outputs.equilibrium_line.isVisible()  # a critic has no 0.5
    assert not window.densities.d_line.isVisible()
    assert "critic" in window.densities.getAxis("right").labelText
    qtbot.waitUntil(lambda: "Objective is now wgan-gp" in window.statusBar().currentMessage(),
                    timeout=5_000)
    controls.editors["loss"].setCurrentText("nonsaturating")
    controls.editors["label_smoothing"].setValue(0.1)
    window.step_once()
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.settings["label_smoothing"] == 0.1,
                    timeout=20_000)
    qtbot.wait(100)
    assert window.d_outputs.equilibrium_line.value() == pytest.approx(0.45)
    assert window.densities.d_line.value() == pytest.approx(0.45)
    assert window.losses.loss_d_line.isVisible()


def test_an_inconsistent_mixture_is_refused_and_the_old_value_kept(window, qtbot):
    controls = window.controls
    controls.editors["target"].setCurrentText("mixture")
    editor = controls.editors["mixture_sigmas"]
    editor.setText("0.1, 0.2, 0.3")  # three sigmas for two means
    editor.editingFinished.emit()
    assert window.settings["mixture_sigmas"] == (0.5, 0.5)
    assert editor.text() == "0.5, 0.5"
    assert "mixture_sigmas: 3 numbers for 2 mixture means" in \
        window.statusBar().currentMessage()
    assert "3 numbers for 2 mixture means" in controls.errors["mixture_sigmas"].text()
    editor.setText("0.2, nonsense")
    editor.editingFinished.emit()
    assert "Mixture stds" in window.statusBar().currentMessage()
    assert window.settings["mixture_sigmas"] == (0.5, 0.5)


def test_save_and_open_a_session_and_a_bad_file_keeps_the_run(window, qtbot, tmp_path):
    window.set_running(True)
    qtbot.waitUntil(lambda: step_of(window) > 30, timeout=20_000)
    window.set_running(False)
    qtbot.waitUntil(lambda: not window.latest_frame.running, timeout=10_000)
    saved_at = step_of(window)
    window.save_session(str(tmp_path / "run"))
    qtbot.waitUntil(lambda: "Saved the run" in window.statusBar().currentMessage(),
                    timeout=10_000)
    assert (tmp_path / "run.ganviz").is_file()
    window.step_once()
    qtbot.waitUntil(lambda: step_of(window) == saved_at + 1, timeout=10_000)

    broken = tmp_path / "broken.ganviz"
    broken.write_bytes((tmp_path / "run.ganviz").read_bytes()[:500])
    window.load_session(str(broken))
    qtbot.waitUntil(lambda: "Not opened: broken.ganviz" in window.statusBar().currentMessage(),
                    timeout=10_000)
    assert step_of(window) == saved_at + 1 and window.preset == "gaussian"

    window.choose_preset("ring8")  # another mode: opening the session must bring it all back
    qtbot.waitUntil(lambda: window.mode == "2d", timeout=20_000)
    window.load_session(str(tmp_path / "run.ganviz"))
    qtbot.waitUntil(lambda: window.mode == "1d" and step_of(window) == saved_at,
                    timeout=20_000)
    assert window.preset == "gaussian" and window.controls.preset_combo.currentText() == \
        "gaussian"
    assert len(window.latest_frame.snapshot.history["step"]) > 0  # the curves came back


def test_the_window_remembers_preset_settings_and_geometry_and_restores_defaults(
        open_window, qtbot):
    from ganviz.app import remembered

    remembered.forget()
    window = open_window("bimodal")
    window.change_setting("lr_d", 0.002)
    window.resize(1000, 700)
    window.close()
    assert remembered.last_launch() == ("bimodal", {"lr_d": 0.002})
    assert remembered.geometry() is not None

    store = remembered.store()
    store.setValue("settings", '{"lr_d": 99, "k": 2}')  # no longer valid: all ignored
    assert remembered.last_launch() == ("bimodal", {})
    store.setValue("preset", "no-such-preset")
    assert remembered.last_launch() is None
    # Valid for the schema, not for this preset's networks (its BatchNorm needs 2): dropped.
    store.setValue("preset", "mnist-keras-mlp")
    store.setValue("settings", '{"batch_size": 1}')
    assert remembered.last_launch() == ("mnist-keras-mlp", {})

    again = open_window("gaussian", {"lr_g": 0.003, "k": 3})
    again.restore_defaults(confirm=False)
    assert again.controls.editors["k"].value() == 1
    qtbot.waitUntil(lambda: again.latest_frame.snapshot.settings["k"] == 1, timeout=10_000)
    # The trainer's answer to the Reset is the window's settings.
    qtbot.waitUntil(lambda: again.settings == presets.get("gaussian").settings(),
                    timeout=10_000)
    assert remembered.last_launch() is None  # forgotten until the next close


def test_a_device_the_trainer_refuses_snaps_back_in_the_panel(window, qtbot):
    """The trainer, not the window, knows which devices this machine has: the panel shows
    the choice at once, and the trainer's answer sets it back, with its reason."""
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: nothing to refuse")
    editor = window.controls.editors["device"]
    before = window.settings["device"]
    editor.setCurrentText("cuda")
    assert editor.value() == "cuda" and window.settings["device"] == before  # not stored
    qtbot.waitUntil(lambda: "device: cuda is not available on this machine" in
                    window.statusBar().currentMessage(), timeout=10_000)
    qtbot.waitUntil(lambda: editor.value() == before, timeout=10_000)
    assert window.settings["device"] == before == window.latest_frame.snapshot.settings["device"]
    # The reason stays under the field after the status bar's message is gone.
    assert window.controls.errors["device"].text().startswith(
        "cuda is not available on this machine")


def test_the_panel_shows_what_the_trainer_answers_and_ignores_older_frames(window, qtbot):
    """A frame that has answered every settings command sent holds the run's settings; an
    older one (a change still on its way) is not taken for an answer."""
    import dataclasses

    window.change_setting("lr_d", 2e-4)
    qtbot.waitUntil(lambda: window.settings["lr_d"] == 2e-4, timeout=10_000)  # accepted
    qtbot.wait(100)  # paused: no frame comes unasked

    def answered(handled: int, lr_d: float) -> Frame:
        frame = window.latest_frame
        snapshot = dataclasses.replace(frame.snapshot,
                                       settings={**frame.snapshot.settings, "lr_d": lr_d})
        return dataclasses.replace(frame, snapshot=snapshot, settings_handled=handled)

    editor = window.controls.editors["lr_d"]
    sent = window.ledger.sent
    window.training_worker.frame_ready.emit(answered(sent - 1, 5e-4))  # older than the change
    assert window.settings["lr_d"] == 2e-4 and editor.value() == pytest.approx(2e-4)
    window.training_worker.frame_ready.emit(answered(sent, 1e-3))  # as if refused
    assert window.settings["lr_d"] == 1e-3 and editor.value() == pytest.approx(1e-3)
