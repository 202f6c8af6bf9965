"""The Python API (ganviz.Run)."""

import json
import subprocess
import sys

import pytest

import ganviz
from ganviz.core import headless

DIVERGING = {"loss": "wgan-gp", "gp_weight": 0, "optimizer_d": "momentum",
             "optimizer_g": "momentum", "momentum": 0.999, "lr_d": 1, "lr_g": 1}


def test_run_trains_records_metrics_and_samples():
    run = ganviz.Run("gaussian", seed=1, lr_d=5e-4)
    assert run.settings["lr_d"] == 5e-4 and run.preset == "gaussian"
    summary = run.train(steps=60, log_every=20)
    assert summary.steps == 60 and run.step_count == 60 and summary.diverged is None
    assert [record["step"] for record in run.metrics] == [20, 40, 60]
    assert {"loss_d", "loss_g", "js_bits", "gen_mean"} <= set(run.metrics[-1])
    run.train(steps=10, log_every=20)  # records go on across calls
    assert [record["step"] for record in run.metrics][-1] == 70
    assert run.samples(500).shape == (500,)
    assert "JS" in run.summary()


def test_save_and_load_continue_the_same_run(tmp_path):
    run = ganviz.Run("gaussian", seed=3, k=2)
    run.train(steps=30)
    path = run.save(tmp_path / "run.pt")
    loaded = ganviz.Run.load(path)
    assert loaded.step_count == 30 and loaded.settings == run.settings
    run.train(steps=20, log_every=10)
    loaded.train(steps=20, log_every=10)
    assert run.metrics[-1]["loss_d"] == loaded.metrics[-1]["loss_d"]


@pytest.mark.parametrize(("settings", "message"), [
    ({"speed": 3}, "unknown setting 'speed'"),
    ({"lr_d": 5}, "lr_d: 5 is out of range; expected a number from 1e-05 to 1"),
])
def test_a_bad_setting_is_one_clear_error(settings, message):
    with pytest.raises(ganviz.SettingError) as info:
        ganviz.Run("gaussian", **settings)
    assert message in str(info.value)


def test_divergence_raises_and_goes_back_to_the_kept_state():
    run = ganviz.Run("gaussian", **DIVERGING)
    with pytest.raises(ganviz.Diverged) as info:
        run.train(steps=60)
    assert info.value.kept_step == 0 and run.step_count == 0
    assert "at iteration" in info.value.what
    assert run.trainer.diverged() is None  # finite again: it can be saved or sampled
    assert run.metrics[-1]["loss_d"] is None or run.metrics[-1]["loss_g"] is None


def test_metrics_lines_are_on_disk_as_soon_as_written(tmp_path):
    path = tmp_path / "m.jsonl"
    seen = []
    run = ganviz.Run("gaussian")
    headless.run(run.trainer, steps=30, log_every=10, metrics_path=path, progress=False,
                 on_record=lambda record: seen.append(path.read_text().splitlines()))
    assert [len(lines) for lines in seen] == [1, 2, 3]
    assert json.loads(seen[-1][-1])["step"] == 30


def test_importing_ganviz_does_not_import_torch():
    code = "import ganviz, ganviz.cli, sys; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.strip() == "False"
    with pytest.raises(AttributeError):
        ganviz.Nothing  # noqa: B018
