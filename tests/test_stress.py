"""Thousands of random actions fired at a training window: nothing may break."""

import random

import numpy as np
import pytest

from ganviz.app.main_window import MainWindow
from ganviz.core import config, presets

# Cheap presets of every mode (MNIST's networks make a Reset cost ~0.3 s: fewer of those).
PRESETS = ("gaussian", "bimodal", "seed-toy", "lazy-d", "ring8", "two-moons", "line")
# Values that would make one iteration take seconds are left out: the test is about the
# window's robustness, not about waiting for a 4096-sample batch through 50 D steps.
CAPS = {"batch_size": 256, "k": 5, "k_g": 3, "g_width": 64, "d_width": 64, "g_layers": 3,
        "d_layers": 3, "d_pretrain_steps": 200, "noise_dim": 4, "lr_decay_every": 5000,
        "instance_noise_steps": 5000}
ACTIONS = 2000


def random_value(setting: config.Setting, rng: random.Random):
    if setting.kind is bool:
        return rng.random() < 0.5
    if setting.kind is str:
        return rng.choice(setting.choices)
    if setting.kind is tuple:
        count = rng.randint(2, 3)
        low, high = max(setting.minimum, 0.05), min(setting.maximum, 5.0)
        return tuple(round(rng.uniform(low, high), 2) for _ in range(count))
    high = min(setting.maximum, CAPS.get(setting.name, setting.maximum))
    if setting.kind is int:
        return rng.randint(int(setting.minimum), int(high))
    if setting.log_scale:
        return float(np.exp(rng.uniform(np.log(setting.minimum), np.log(high))))
    return rng.uniform(setting.minimum, high)


@pytest.mark.slow
def test_random_actions_never_break_the_window(qtbot, tmp_path):
    rng = random.Random(2026)
    window = MainWindow("gaussian")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.latest_frame is not None, timeout=20_000)
    session = str(tmp_path / "s.ganviz")
    (tmp_path / "broken.ganviz").write_bytes(b"PK\x03\x04 broken")

    def change_setting():
        mode = presets.get(window.preset).mode
        setting = rng.choice(config.settings_for(mode))
        value = random_value(setting, rng)
        if setting.name == "device":
            value = rng.choice(("auto", "cpu", "cuda"))  # cuda: refused here, kept
        window.change_setting(setting.name, value)

    actions = [
        (20, lambda: window.set_running(True)),
        (10, lambda: window.set_running(False)),
        (10, window.toggle_running),
        (8, window.step_once),
        (4, lambda: window.step_network(rng.choice("dg"))),
        (30, change_setting),
        (3, window.reset),
        (2, lambda: window.choose_preset(rng.choice(PRESETS))),
        (2, lambda: window.save_session(session)),
        (1, lambda: window.load_session(rng.choice((session, str(tmp_path / "broken.ganviz"))))),
        (1, window.restore_last_good_state),
        (2, lambda: window.toy2d.layer_boxes[rng.choice(list(window.toy2d.layer_boxes))]
            .toggle()),
        (6, lambda: qtbot.wait(rng.randint(1, 30))),
    ]
    weights = [w for w, _ in actions]
    for _ in range(ACTIONS):
        rng.choices(actions, weights)[0][1]()
        if rng.random() < 0.3:
            qtbot.wait(1)  # let frames, evaluations and draws interleave with the actions

    # Still alive and answering. The actions came faster than a trainer answers them
    # (each command is followed by a frame), so first let it work through its backlog:
    # settled when no frame came for 1.5 s.
    window.set_running(False)
    last = None
    quiet = 0
    for _ in range(240):
        qtbot.wait(250)
        frame = window.latest_frame
        quiet = quiet + 1 if frame is last else 0
        last = frame
        if quiet >= 6 and not frame.running and not window._opening_session:
            break
    assert window.training_worker.isRunning(), window.statusBar().currentMessage()
    assert quiet >= 6, "the trainer kept sending frames while paused"
    before = window.latest_frame.snapshot.step
    window.step_once()
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.step == before + 1, timeout=30_000)
    # Consistent: what the window shows is what the trainer uses.
    trainer_settings = window.latest_frame.snapshot.settings
    assert window.settings == trainer_settings
    for name, value in window.settings.items():
        shown = window.controls.editors[name].value()
        assert shown == pytest.approx(value) if isinstance(value, float) else shown == value, \
            name
    assert window.controls.preset_combo.currentText() == window.preset


def _responsive(qtbot) -> bool:
    """The event loop still runs: a timer asked for in 50 ms fires within 2 s."""
    from PySide6.QtCore import QTimer

    fired = []
    QTimer.singleShot(50, lambda: fired.append(True))
    qtbot.waitUntil(lambda: bool(fired), timeout=2000)
    return bool(fired)


def test_killed_trainers_bad_values_and_a_close_mid_save(qtbot, tmp_path):
    """The trainer killed at random moments, values out of range, closing while saving:
    after each, the window answers and its status bar says what happened."""
    import os
    import signal

    from ganviz.core import session

    rng = random.Random(25)
    window = MainWindow("gaussian")
    qtbot.addWidget(window)
    window.show()
    for _ in range(3):
        qtbot.waitUntil(lambda: window.latest_frame is not None, timeout=30_000)
        window.set_running(True)
        qtbot.wait(rng.randint(20, 600))
        os.kill(window.training_worker._process.pid, signal.SIGKILL)
        qtbot.waitUntil(lambda: "Training stopped" in window.statusBar().currentMessage(),
                        timeout=10_000)
        assert "Reset starts it again" in window.statusBar().currentMessage()
        assert _responsive(qtbot)
        assert window.reset_action.isEnabled()
        window.reset()  # a new trainer, from the same settings
        qtbot.waitUntil(lambda: window.latest_frame is not None, timeout=30_000)

    # Out of range: refused by name, and the panel keeps the value the run uses.
    before = window.latest_frame.snapshot.settings["lr_d"]
    for value in (-1.0, 0.0, 1e9, float("nan")):
        window.change_setting("lr_d", value)
        qtbot.waitUntil(lambda: "lr_d" in window.statusBar().currentMessage(), timeout=10_000)
        qtbot.waitUntil(lambda: window.controls.editors["lr_d"].value() == before,
                        timeout=10_000)
        assert _responsive(qtbot)
        window.statusBar().clearMessage()
    assert window.latest_frame.snapshot.settings["lr_d"] == before

    # Closed while a session is being written: the file is whole or absent, never torn.
    path = tmp_path / "closing.ganviz"
    window.set_running(True)
    window.save_session(str(path))
    window.close()
    assert not window.training_worker._process.is_alive()
    if path.exists():
        assert session.read(path)["preset"] == "gaussian"
    assert [p.name for p in tmp_path.iterdir() if p.name != path.name] == []
