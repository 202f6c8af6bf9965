"""Sessions: exact resume, refusal of unsafe or broken files, atomic writes, the CLI."""

import copy
import math
import os
import pickle
import time

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
    with pytest.raises(session.SessionError, match="trained on 60,000 images"):
        session.load(tmp_path / "full.ganviz")


# ------------------------------------------------------- refusals: issue #25, nothing breaks it
@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """A small 1-D run's session contents (torch.load of what session.save wrote)."""
    trainer = Trainer("gaussian", {"seed": 1})
    trainer.run(5)
    path = session.save(trainer, tmp_path_factory.mktemp("good") / "good.ganviz")
    return torch.load(path, weights_only=True)


def refusal(tmp_path, content, name="bad.ganviz") -> str:
    """The one line that opening ``content`` (a dict saved by torch.save) is refused with."""
    torch.save(content, tmp_path / name)
    with pytest.raises(session.SessionError) as error:
        session.load(tmp_path / name)
    message = str(error.value)
    assert message.startswith(f"{name}: ") and "\n" not in message
    return message


@pytest.mark.parametrize("network, key, label", [
    ("generator", "0.weight", "generator weights"),
    ("generator_ema", "2.bias", "averaged generator weights"),
    ("discriminator", "4.weight", "discriminator weights"),
])
def test_a_session_with_nan_weights_is_not_opened(tmp_path, good, network, key, label):
    content = copy.deepcopy(good)
    content["state"][network][key].view(-1)[0] = float("nan")
    assert refusal(tmp_path, content, "run.ganviz") == (
        f"run.ganviz: {label} hold NaN/inf (layer {key}); only finite weights are opened")
    content = copy.deepcopy(good)
    content["state"]["opt_g"]["state"][2]["exp_avg_sq"][0, 0] = float("inf")
    assert refusal(tmp_path, content, "run.ganviz") == (
        "run.ganviz: generator optimiser state holds NaN/inf (parameter 2, exp_avg_sq); only "
        "finite states are opened")


def _history(content, **fields):
    content["state"]["history"].update(fields)


def _nan_step(content):
    content["state"]["history"]["_steps"][1] = float("nan")


def _backwards(content):
    content["state"]["history"]["_steps"][:5] = torch.arange(5.0, 0.0, -1.0)


@pytest.mark.parametrize("change, message", [
    (lambda c: c["state"].update(step_count=-3),
     "state.step_count is -3; expected a whole number from 0 to 1,000,000,000,000"),
    (lambda c: c["state"].update(step_count=5.0), "state.step_count is 5.0; expected a whole"),
    (lambda c: c["state"].update(step_count=True), "state.step_count is True; expected a whole"),
    (lambda c: c["state"].update(g_updates=10**13), "state.g_updates is 10000000000000; expe"),
    (lambda c: c["state"].update(d_updates="7"), "state.d_updates is the text '7'; expected"),
    (lambda c: c["state"].pop("history"), "state lacks history; a ganviz session has them"),
    (lambda c: c["state"]["generator"].update({"0.weight": torch.zeros(3)}),
     "state.generator[0.weight] is a float32 tensor of shape [3]; expected a float32 tensor "
     "of shape [32, 1]"),
    (lambda c: c["state"]["discriminator"].update({"0.bias": torch.zeros(32).double()}),
     "state.discriminator[0.bias] is a float64 tensor of shape [32]; expected a float32"),
    (lambda c: c["state"]["generator"].pop("4.bias"),
     "state.generator does not fit the network its settings build (no 4.bias)"),
    (lambda c: c["state"]["generator"].update(extra=torch.zeros(1)),
     "state.generator does not fit the network its settings build (an unknown the text"),
    (lambda c: _history(c, _steps=torch.zeros(1024, 2, dtype=torch.float64)),
     "state.history._steps is a float64 tensor of shape [1024, 2]; expected a float64 "
     "tensor of shape [1024]"),
    (lambda c: _history(c, _values=torch.zeros(1024, 4)), "state.history._values is a float32"),
    (lambda c: _history(c, _bucket_sum=[0.0] * 4), "state.history._bucket_sum is a list; exp"),
    (lambda c: _history(c, _length=1024),
     "state.history._length is 1024; expected a whole number from 0 to 1,023"),
    (lambda c: _history(c, stride=3), "state.history.stride is 3; expected a power of 2"),
    (lambda c: _history(c, _bucket_count=1), "state.history._bucket_count is 1; expected a "
                                             "whole number from 0 to 0"),
    (lambda c: _history(c, names=("loss_d",)), "state.history.names is a tuple; expected the "
                                               "curves loss_d, loss_g, d_real, d_fake"),
    (lambda c: _history(c, capacity=4096), "state.history.capacity is 4096; expected a whole "
                                           "number from 1,024 to 1,024"),
    (_nan_step, "state.history._steps holds iterations that are not finite, in order"),
    (_backwards, "state.history._steps holds iterations that are not finite, in order"),
    (lambda c: c["state"].update(rng=torch.zeros(5056)),
     "state.rng is a float32 tensor of shape [5056]; expected a uint8 tensor of 1 dimension"),
    (lambda c: c["state"].update(eval_rng=torch.full((5056,), 255, dtype=torch.uint8)),
     "state.eval_rng is not a valid random stream state; expected one as torch saves it"),
    (lambda c: c["state"]["opt_d"]["state"][0].update(exp_avg=torch.zeros(2)),
     "state.opt_d.state[0].exp_avg is a float32 tensor of shape [2]; expected a float32 "
     "tensor of shape [32, 1]"),
    (lambda c: c["state"]["opt_d"]["state"][0].pop("exp_avg_sq"),
     "state.opt_d.state[0] is a dict of exp_avg, step; expected step, exp_avg, exp_avg_sq "
     "(or nothing)"),
    (lambda c: c["state"]["opt_d"]["state"][3]["exp_avg_sq"].neg_(),
     "state.opt_d.state[3].exp_avg_sq is negative in places; expected a running mean of "
     "squares (from 0)"),
    (lambda c: c["state"]["opt_g"]["state"][1].update(step=torch.tensor(-4.0)),
     "state.opt_g.state[1].step is -4; expected an update count from 0 to"),
    (lambda c: c["state"]["opt_g"]["state"].update({99: {}}),
     "state.opt_g.state key is 99; expected a parameter's index from 0 to 5"),
    (lambda c: c["state"]["opt_g"]["param_groups"][0].update(params=[0, 1]),
     "state.opt_g.param_groups do not fit the networks its settings build"),
    (lambda c: c["state"]["optimizer_kinds"].update(optimizer_g="lbfgs"),
     "state.optimizer_kinds.optimizer_g is the text 'lbfgs'; expected one of sgd, momentum"),
    (lambda c: c["state"]["last"].update(loss_d="nan"), "state.last.loss_d is the text 'nan'"),
    (lambda c: c["state"]["problem"].update(scale=0.0),
     "state.problem.scale is 0.0; expected a finite number from 0 to 1e+07, above 0"),
    (lambda c: c["state"]["problem"].update(offset=float("inf")), "state.problem.offset is inf"),
    (lambda c: c["settings"].update(lr_d=torch.ones(3)),
     "settings.lr_d is a float32 tensor of shape [3]; expected a number, a word, or a list"),
    (lambda c: c["settings"].update({"lr\nd": 1.0}), "settings name is the text 'lr\\nd'; exp"),
    (lambda c: c["state"].update(built_with=[("seed", 1)]),
     "state.built_with is a list; expected a dict"),
    (lambda c: c.update(preset=torch.zeros(2)), "preset a float32 tensor of shape [2] is unkn"),
])
def test_each_damaged_field_is_refused_naming_it(tmp_path, good, change, message):
    content = copy.deepcopy(good)
    change(content)
    assert refusal(tmp_path, content).removeprefix("bad.ganviz: ").startswith(message)


def test_damaged_2d_and_mnist_problem_states_are_refused(tmp_path):
    line = np.stack((np.linspace(-1, 1, 100), np.zeros(100)), 1).astype(np.float32)
    trainer = Trainer("line", {"g_width": 8, "d_width": 8}, data=data2d.Points2D(line, "drawn"))
    trainer.update_settings({"dataset": "custom"})
    trainer.run(2)
    good2d = torch.load(session.save(trainer, tmp_path / "p.ganviz"), weights_only=True)
    trainer = Trainer("mnist", {"batch_size": 8})
    trainer.run(2)
    mnist = torch.load(session.save(trainer, tmp_path / "m.ganviz"), weights_only=True)
    digits = len(trainer.problem.pixels)
    cases = [
        (good2d, lambda c: c.update(custom_points=torch.zeros(100, 2, dtype=torch.bfloat16)),
         "custom_points is a bfloat16 tensor of shape [100, 2]; expected a float32 or float64"),
        (good2d, lambda c: c["state"]["problem"]["offset"].fill_(float("nan")),
         "state.problem.offset is not finite or too large; expected two finite numbers"),
        (mnist, lambda c: c["state"]["problem"]["order"].fill_(0),
         f"state.problem.order is not a permutation; expected each of the {digits:,} digits"),
        (mnist, lambda c: c["state"]["problem"].update(position=digits + 1),
         f"state.problem.position is {digits + 1}; expected a whole number from 0 to"),
    ]
    for content, change, message in cases:
        content = copy.deepcopy(content)
        change(content)
        assert refusal(tmp_path, content).removeprefix("bad.ganviz: ").startswith(message)


def test_a_save_sweeps_the_partials_a_killed_save_left(tmp_path):
    names = {"stale": ".run.ganviz.4242.partial", "fresh": ".run.ganviz.4243.partial",
             "other session": ".other.ganviz.4242.partial", "not ours": ".run.ganviz.x.partial"}
    long_ago = time.time() - 2 * session.STALE_PARTIAL_S
    for label, name in names.items():
        (tmp_path / name).write_bytes(b"half a session")
        if label != "fresh":
            os.utime(tmp_path / name, (long_ago, long_ago))
    session.save(Trainer("gaussian"), tmp_path / "run.ganviz")
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {"run.ganviz", *names.values()} - {names["stale"]}
