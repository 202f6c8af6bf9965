"""The Python API (ganviz.Run)."""

import errno
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import ganviz
import ganviz.core.api
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
    """Line by line under the name given, so that `tail -f` follows the run; an old file
    of that name is kept until the first record."""
    path = tmp_path / "m.jsonl"
    path.write_text("old\n")
    seen = []
    run = ganviz.Run("gaussian")
    step = run.trainer.step

    def step_looking():
        if run.trainer.step_count == 5:
            seen.append(path.read_text())  # nothing recorded yet: the old file is whole
        step()

    run.trainer.step = step_looking
    headless.run(run.trainer, steps=30, log_every=10, metrics_path=path, progress=False,
                 on_record=lambda record: seen.append(path.read_text().splitlines()))
    assert seen[0] == "old\n"
    assert [len(lines) for lines in seen[1:]] == [1, 2, 3]
    assert json.loads(seen[-1][-1])["step"] == 30
    assert path.read_text().splitlines() == seen[-1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.jsonl"]


class _FullDisk:
    """A file whose third line does not fit on the disk."""

    def __init__(self, real):
        self.real, self.lines = real, 0

    def write(self, text):
        self.lines += 1
        if self.lines == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.real.write(text)

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.real.close()


def test_a_failed_metrics_write_stops_training_with_the_records_so_far(tmp_path,
                                                                        monkeypatch):
    path = tmp_path / "m.jsonl"
    monkeypatch.setattr(headless, "open", lambda *a, **k: _FullDisk(open(*a, **k)),  # noqa: SIM115
                        raising=False)
    run = ganviz.Run("gaussian")
    with pytest.raises(ganviz.core.api.OutputError) as info:
        run.train(steps=50, log_every=10, metrics_path=path)
    assert info.value.step == 30 and run.step_count == 30  # stopped at the failed line
    assert str(info.value) == f"{path}: not written (No space left on device)"
    assert [json.loads(line)["step"] for line in path.read_text().splitlines()] == [10, 20]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.jsonl"]


def test_ctrl_c_keeps_the_records_made_so_far_and_nothing_else(tmp_path, monkeypatch):
    path = tmp_path / "m.jsonl"
    path.write_text("old\n")
    run = ganviz.Run("gaussian")
    step = run.trainer.step

    def interrupted_at(when):
        def fake_step():
            if run.trainer.step_count == when:
                raise KeyboardInterrupt
            step()
        return fake_step

    monkeypatch.setattr(run.trainer, "step", interrupted_at(5))
    with pytest.raises(KeyboardInterrupt):  # before the first record: the old file stays
        run.train(steps=50, log_every=10, metrics_path=path)
    assert path.read_text() == "old\n"
    monkeypatch.setattr(run.trainer, "step", interrupted_at(25))
    with pytest.raises(KeyboardInterrupt):  # after two: they replace it
        run.train(steps=50, log_every=10, metrics_path=path)
    assert [json.loads(line)["step"] for line in path.read_text().splitlines()] == [10, 20]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.jsonl"]


def test_samples_are_written_under_the_name_given(tmp_path):
    run = ganviz.Run("gaussian")
    headless.save_samples(run.trainer, tmp_path / "out", 10)
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert np.load(tmp_path / "out").shape == (10,)


def test_a_batch_the_networks_cannot_take_is_refused():
    with pytest.raises(ganviz.SettingError, match="batch_size: 1 is too small for "
                       "mnist-keras-mlp"):
        ganviz.Run("mnist-keras-mlp", batch_size=1)


def test_importing_ganviz_does_not_import_torch():
    code = "import ganviz, ganviz.cli, sys; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.strip() == "False"
    with pytest.raises(AttributeError):
        ganviz.Nothing  # noqa: B018
