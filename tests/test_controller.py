"""The window's run without a window or a process (core/controller.py)."""

import time

import numpy as np
import pytest

from ganviz.core import presets, protocol
from ganviz.core.controller import CUSTOM_WITHOUT_POINTS, Controller

DIVERGING = {"loss": "wgan-gp", "gp_weight": 0, "optimizer_d": "momentum",
             "optimizer_g": "momentum", "momentum": 0.999, "lr_d": 1, "lr_g": 1}


def _controller(preset="gaussian", frame_interval=0.01, **overrides):
    results = []
    settings = {**presets.get(preset).settings(), **overrides}
    controller = Controller(preset, settings, results.append, frame_interval)
    controller.start()
    return controller, results


def _of(kind, results):
    return [r for r in results if isinstance(r, kind)]


def test_start_sends_one_frame_and_pausing_blocks():
    controller, results = _controller()
    frames = _of(protocol.Frame, results)
    assert len(frames) == 1 and frames[0].snapshot.step == 0 and not frames[0].running
    assert frames[0].settings_handled == 0
    assert not controller.busy  # paused with nothing to do: the process waits for a command


def test_steps_count_only_while_paused():
    controller, results = _controller()
    controller.step()
    controller.step()
    assert controller.busy
    controller.advance()
    controller.advance()
    assert controller.trainer.step_count == 2 and not controller.busy
    d_updates, g_updates = controller.trainer.d_updates, controller.trainer.g_updates
    controller.step_network("d")
    assert (controller.trainer.d_updates, controller.trainer.g_updates) == (d_updates + 1,
                                                                            g_updates)
    controller.run(True)
    controller.step()  # ignored while running
    assert controller.steps_requested == 0
    controller.step_network("g")  # ignored while running
    assert controller.trainer.g_updates == g_updates
    controller.advance()
    assert controller.trainer.step_count > 2
    controller.run(False)
    stopped_at = controller.trainer.step_count
    controller.advance()
    assert controller.trainer.step_count == stopped_at
    assert _of(protocol.Frame, results)[-1].running is False


def test_a_refused_setting_is_rejected_counted_and_the_old_value_shown():
    controller, results = _controller()
    old = controller.trainer.settings["lr_d"]
    controller.change_settings({"lr_d": 5})
    controller.advance()
    assert "lr_d: 5 is out of range" in _of(protocol.Rejected, results)[0].message
    frame = _of(protocol.Frame, results)[-1]
    assert frame.snapshot.settings["lr_d"] == old and frame.settings_handled == 1
    controller.change_settings({"lr_d": 0.002})
    controller.advance()
    frame = _of(protocol.Frame, results)[-1]
    assert frame.snapshot.settings["lr_d"] == 0.002 and frame.settings_handled == 2
    assert len(_of(protocol.Rejected, results)) == 1


def test_a_device_this_machine_lacks_is_refused_with_the_usable_ones():
    controller, results = _controller()
    controller.available = ("auto", "cpu")  # as on a machine without a GPU
    controller.change_settings({"device": "cuda"})
    assert _of(protocol.Rejected, results)[-1].message == (
        "device: cuda is not available on this machine; usable here: auto, cpu")
    assert controller.settings_handled == 1
    assert controller.trainer.settings["device"] != "cuda"


def test_the_custom_dataset_needs_points():
    controller, results = _controller("ring8", g_width=16, d_width=16)
    controller.change_settings({"dataset": "custom"})
    assert _of(protocol.Rejected, results)[-1].message == CUSTOM_WITHOUT_POINTS
    assert controller.trainer.settings["dataset"] == "ring8"
    points = np.random.default_rng(0).normal(size=(200, 2)).astype(np.float32)
    controller.set_points(points, "200 points")
    controller.change_settings({"dataset": "custom"})
    assert len(_of(protocol.Rejected, results)) == 1
    assert controller.trainer.settings["dataset"] == "custom"
    assert controller.settings_handled == 2


def test_divergence_pauses_names_the_kept_step_and_restore_goes_back():
    controller, results = _controller(**DIVERGING)
    controller.frame_consumed()
    controller.run(True)
    for _ in range(200):
        controller.advance()
        controller.frame_consumed()
        if _of(protocol.Diverged, results):
            break
    diverged = _of(protocol.Diverged, results)
    assert len(diverged) == 1 and diverged[0].kept_step == 0
    assert "became" in diverged[0].message and "at iteration" in diverged[0].message
    assert not controller.running and _of(protocol.Frame, results)[-1].running is False
    controller.restore()
    assert controller.trainer.step_count == 0 and controller.trainer.diverged() is None
    assert "as it was at iteration 0" in _of(protocol.Notice, results)[-1].message


def test_no_second_frame_while_one_is_in_flight():
    controller, results = _controller(frame_interval=0.005)
    controller.frame_consumed()
    controller.run(True)
    controller.advance()  # the change is shown at once
    frames = len(_of(protocol.Frame, results))
    for _ in range(5):
        time.sleep(0.01)  # each frame is overdue
        controller.advance()
    assert len(_of(protocol.Frame, results)) == frames  # the window has not drawn it yet
    trained = controller.trainer.step_count
    assert trained > 0
    controller.frame_consumed()
    time.sleep(0.01)
    controller.advance()
    assert len(_of(protocol.Frame, results)) == frames + 1
    assert controller.trainer.step_count == trained  # a due frame goes before training


def test_a_failed_load_keeps_the_run_and_a_save_reports(tmp_path):
    controller, results = _controller()
    controller.step()
    controller.advance()
    controller.save(str(tmp_path / "run.pt"))
    assert "Saved the run at iteration 1 to run.pt" in _of(protocol.Notice, results)[-1].message
    controller.load(str(tmp_path / "missing.pt"))
    assert _of(protocol.LoadFailed, results)[-1].message.startswith("Not opened: ")
    controller.load(str(tmp_path / "run.pt"))
    loaded = _of(protocol.Loaded, results)[-1]
    assert loaded.preset == "gaussian" and loaded.custom is None
    assert controller.kept.step == 1 and not controller.running


@pytest.mark.parametrize("device", ["cuda", "mps"])
def test_a_reset_to_a_device_here_missing_keeps_the_run(device):
    controller, results = _controller()
    if device in controller.available:
        pytest.skip(f"{device} is here")
    trainer = controller.trainer
    controller.reset("gaussian", {**presets.get("gaussian").settings(), "device": device})
    assert controller.trainer is trainer
    assert _of(protocol.Rejected, results)[-1].message.endswith("; the current run goes on")
