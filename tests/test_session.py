"""Sessions: exact resume, refusal of unsafe or broken files, atomic writes, the CLI."""

import math
import os
import pickle

import numpy as np
import pytest
import torch

from ganviz import cli
from ganviz.core import session
from ganviz.core.toy2d import data as data2d
from ganviz.core.trainer import Trainer


def same_run(a: Trainer, b: Trainer) -> None:
    assert (a.step_count, a.d_updates, a.g_updates) == (b.step_count, b.d_updates, b.g_updates)
    ha, hb = a.history.as_arrays(), b.history.as_arrays()
    for name in ha:
        assert np.array_equal(ha[name], hb[name]), name
    for net in ("generator", "generator_ema", "discriminator"):
        for p, q in zip(getattr(a, net).state_dict().values(),
                        getattr(b, net).state_dict().values(), strict=True):
            assert torch.equal(p, q), net


@pytest.mark.parametrize("preset, overrides", [
    # Past two staircase decays of the learning rates (every 15 iterations).
    ("gaussian", {"seed": 4, "optimizer_g": "momentum", "lr_decay": 0.5, "lr_decay_every": 15}),
    ("ring8", {"g_width": 16, "d_width": 16, "batch_size": 32, "ema": 0.9}),
    ("mnist", {"batch_size": 8}),
])
def test_a_resumed_run_gives_the_same_numbers_as_an_uninterrupted_one(tmp_path, preset,
                                                                       overrides):
    steps = 4 if preset == "mnist" else 40
    uninterrupted = Trainer(preset, overrides)
    uninterrupted.run(steps)
    path = session.save(uninterrupted, tmp_path / "run.ganviz")
    uninterrupted.run(steps)
    resumed = session.load(path)
    assert resumed.settings == uninterrupted.settings
    assert resumed.step_count == steps
    resumed.run(steps)
    same_run(uninterrupted, resumed)
    assert np.array_equal(uninterrupted.sample(50), resumed.sample(50))


def test_a_run_saved_on_another_kind_of_device_opens_with_fresh_random_streams(tmp_path,
                                                                                capsys):
    trainer = Trainer("gaussian", {"seed": 3})
    trainer.run(20)
    path = session.save(trainer, tmp_path / "from-a-gpu.ganviz")
    content = torch.load(path, weights_only=True)
    for stream in ("rng", "eval_rng"):  # a CUDA generator's state: 16 bytes
        content["state"][stream] = torch.zeros(16, dtype=torch.uint8)
    torch.save(content, path)
    resumed = session.load(path)
    assert resumed.step_count == 20
    for before, now in zip(trainer.generator.parameters(), resumed.generator.parameters(),
                           strict=True):
        assert torch.equal(before, now)
    notices = resumed.take_notices()
    assert len(notices) == 1 and "random streams start afresh" in notices[0]
    resumed.run(5)
    assert math.isfinite(resumed.last["loss_d"])
    # Headless, the same notice goes to stderr.
    assert cli.main(["train", "--resume", str(path), "--steps", "2", "--quiet"]) == 0
    assert "random streams start afresh" in capsys.readouterr().err


def test_custom_2d_points_travel_with_the_session(tmp_path):
    line = np.stack((np.linspace(-1, 1, 100), np.zeros(100)), 1).astype(np.float32)
    trainer = Trainer("line", {"g_width": 8, "d_width": 8}, data=data2d.Points2D(line, "drawn"))
    trainer.update_settings({"dataset": "custom"})
    trainer.run(3)
    resumed = session.load(session.save(trainer, tmp_path / "drawn.ganviz"))
    assert resumed.settings["dataset"] == "custom"
    assert np.array_equal(resumed.problem.custom.points.numpy(), line)


class RunsCode:
    def __reduce__(self):
        return (os.system, (f"touch {RunsCode.marker}",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_a_file_that_would_run_code_is_refused_and_nothing_runs(tmp_path):
    RunsCode.marker = tmp_path / "pwned"
    path = tmp_path / "evil.ganviz"
    torch.save({"format": session.FORMAT, "version": 1, "preset": "gaussian",
                "settings": {}, "state": RunsCode()}, path)
    with pytest.raises(session.SessionError, match=r"evil\.ganviz: refused: it holds Python "
                                                   r"objects that could run code"):
        session.load(path)
    assert not RunsCode.marker.exists()
    plain = tmp_path / "plain.ganviz"  # a bare pickle, not torch's format
    plain.write_bytes(pickle.dumps(RunsCode()))
    with pytest.raises(session.SessionError):
        session.load(plain)
    assert not RunsCode.marker.exists()


def test_corrupt_truncated_and_foreign_files_get_one_line(tmp_path):
    trainer = Trainer("gaussian")
    trainer.run(5)
    good = session.save(trainer, tmp_path / "good.ganviz").read_bytes()
    cases = {
        "truncated.ganviz": good[: len(good) // 2],
        "noise.ganviz": os.urandom(2000),
        "empty.ganviz": b"",
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
    torch.save({"weights": torch.zeros(3)}, tmp_path / "foreign.ganviz")
    torch.save({"format": session.FORMAT, "version": 99}, tmp_path / "future.ganviz")
    bad_settings = {"format": session.FORMAT, "version": 1, "preset": "gaussian",
                    "settings": {"lr_d": 7.0}, "state": {}}
    torch.save(bad_settings, tmp_path / "settings.ganviz")
    messages = {}
    for name in (*cases, "foreign.ganviz", "future.ganviz", "settings.ganviz", "none.ganviz"):
        with pytest.raises(session.SessionError) as error:
            session.load(tmp_path / name)
        messages[name] = str(error.value)
        assert messages[name].startswith(name) and "\n" not in messages[name]
    assert "no ganviz header" in messages["foreign.ganviz"]
    assert "version 99" in messages["future.ganviz"]
    assert "lr_d: 7 is out of range" in messages["settings.ganviz"]
    assert "no such file" in messages["none.ganviz"]


def test_a_failure_mid_save_leaves_the_old_file_whole(tmp_path, monkeypatch):
    trainer = Trainer("gaussian")
    path = session.save(trainer, tmp_path / "run.ganviz")
    before = path.read_bytes()
    trainer.run(10)

    def fail_midway(obj, file):
        file.write(b"half a session")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch, "save", fail_midway)
    with pytest.raises(session.SessionError, match=r"run\.ganviz: not saved \(No space left"):
        session.save(trainer, path)
    assert path.read_bytes() == before  # the good file is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.ganviz"]  # no partial file
    monkeypatch.undo()
    assert session.load(path).step_count == 0


def test_cli_checkpoint_and_resume_continue_the_curves(tmp_path, capsys):
    checkpoint, first, second = tmp_path / "c.ganviz", tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert cli.main(["train", "--steps", "100", "--seed", "3", "--log-every", "50",
                     "--metrics", str(first), "--checkpoint", str(checkpoint), "--quiet"]) == 0
    assert cli.main(["train", "--resume", str(checkpoint), "--steps", "100", "--log-every",
                     "50", "--metrics", str(second), "--quiet"]) == 0
    straight = tmp_path / "s.jsonl"
    assert cli.main(["train", "--steps", "200", "--seed", "3", "--log-every", "50",
                     "--metrics", str(straight), "--quiet"]) == 0
    import json

    resumed = [json.loads(line) for line in second.read_text().splitlines()]
    whole = [json.loads(line) for line in straight.read_text().splitlines()]
    assert [r["step"] for r in resumed] == [150, 200]
    for a, b in zip(resumed, whole[2:], strict=True):
        assert a["loss_d"] == b["loss_d"] and a["js_bits"] == b["js_bits"]
    assert cli.main(["train", "--resume", str(checkpoint), "--set", "seed=4", "--quiet"]) == 2
    assert "seed only applies on Reset" in capsys.readouterr().err
    assert cli.main(["train", "--resume", str(tmp_path / "a.jsonl"), "--quiet"]) == 2
    assert "--resume: a.jsonl: not a ganviz session" in capsys.readouterr().err


@pytest.mark.parametrize("preset, change", [
    ("gaussian", {"target_mean": 6.0}),  # the networks' normalisation stays as at Reset
    ("ring8", {"dataset": "two-moons"}),
])
def test_a_run_whose_data_moved_live_resumes_exactly(tmp_path, preset, change):
    small = {"g_width": 16, "d_width": 16, "batch_size": 32} if preset == "ring8" else {}
    uninterrupted = Trainer(preset, small)
    uninterrupted.run(20)
    uninterrupted.update_settings(change)
    uninterrupted.run(20)
    resumed = session.load(session.save(uninterrupted, tmp_path / "moved.ganviz"))
    assert resumed.problem.scale == uninterrupted.problem.scale
    assert np.array_equal(np.asarray(resumed.problem.offset),
                          np.asarray(uninterrupted.problem.offset))
    uninterrupted.run(20)
    resumed.run(20)
    same_run(uninterrupted, resumed)


def test_a_file_older_than_a_setting_opens_as_it_was_built(tmp_path):
    """Files saved before InfoGAN's settings existed trained without codes, though the
    mnist preset now has them: such a file opens with the schema's default for settings
    the networks are built with (no codes), and the preset's value for live ones."""
    trainer = Trainer("mnist", {"batch_size": 8, "info_codes": 0, "info_continuous": 0})
    trainer.run(3)
    path = session.save(trainer, tmp_path / "older.ganviz")
    content = torch.load(path, weights_only=True)
    for names in (content["settings"], content["state"]["built_with"]):
        del names["info_codes"], names["info_continuous"]
    del content["settings"]["info_weight"]
    torch.save(content, path)
    resumed = session.load(path)
    assert resumed.settings["info_codes"] == resumed.settings["info_continuous"] == 0
    assert not resumed.pending_on_reset()
    assert resumed.settings["info_weight"] == 0.5  # live: the preset's, ready for a code
    assert resumed.generator[0].in_features == 64
    resumed.run(3)
    trainer.run(3)
    same_run(trainer, resumed)


def test_a_change_waiting_for_reset_is_saved_and_still_waits(tmp_path):
    trainer = Trainer("gaussian", {"d_pretrain_steps": 50})
    trainer.run(10)
    trainer.update_settings({"g_width": 8, "seed": 9})
    assert set(trainer.pending_on_reset()) == {"g_width", "seed"}
    resumed = session.load(session.save(trainer, tmp_path / "pending.ganviz"))
    assert resumed.settings["g_width"] == 8 and resumed.settings["seed"] == 9
    assert set(resumed.pending_on_reset()) == {"g_width", "seed"}
    assert resumed.generator[0].out_features == 32  # the network as it was built
    assert not resumed.take_notices()  # no D pre-training was run on opening
    resumed.run(5)
    trainer.run(5)
    same_run(trainer, resumed)


def test_damaged_sessions_are_one_line_never_a_crash(tmp_path):
    trainer = Trainer("ring8", {"g_width": 8, "d_width": 8})
    trainer.run(3)
    good = torch.load(session.save(trainer, tmp_path / "good.ganviz"), weights_only=True)
    damaged = {
        "preset.ganviz": {**good, "preset": "no-such-preset"},
        "points.ganviz": {**good, "settings": {**good["settings"], "dataset": "custom"},
                          "custom_points": [1, 2, 3]},
        "nan_points.ganviz": {**good, "settings": {**good["settings"], "dataset": "custom"},
                              "custom_points": torch.full((5, 2), float("nan"))},
        "history.ganviz": {**good, "state": {**good["state"], "history": [1, 2]}},
        "weights.ganviz": {**good, "state": {**good["state"], "generator": {"x": 1}}},
        "state.ganviz": {**good, "state": "nothing"},
    }
    for name, content in damaged.items():
        torch.save(content, tmp_path / name)
        with pytest.raises(session.SessionError) as error:
            session.load(tmp_path / name)
        assert str(error.value).startswith(name) and "\n" not in str(error.value), name


def test_an_mnist_run_is_refused_on_data_of_another_size(tmp_path):
    trainer = Trainer("mnist", {"batch_size": 8})
    trainer.run(2)
    content = torch.load(session.save(trainer, tmp_path / "m.ganviz"), weights_only=True)
    content["state"]["problem"]["count"] = 60_000
    torch.save(content, tmp_path / "full.ganviz")
    with pytest.raises(session.SessionError, match="trained on 60,000 digits"):
        session.load(tmp_path / "full.ganviz")
