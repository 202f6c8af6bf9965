"""Sweeps: variants of a preset trained together (core/sweep.py), equal to their single
runs, opened as a main run, and `ganviz sweep` on the command line."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from ganviz import cli
from ganviz.core import config, sweep
from ganviz.core.sweep_run import SweepRun
from ganviz.core.trainer import Trainer

CURVES = ("loss_d", "loss_g", "d_real", "d_fake")


def test_variants_are_every_combination_named_as_given():
    made = sweep.variants(["lr_d=1e-4,3e-4", "k=1,5"], "gaussian")
    assert [v.name for v in made] == ["lr_d=1e-4,k=1", "lr_d=1e-4,k=5", "lr_d=3e-4,k=1",
                                      "lr_d=3e-4,k=5"]
    assert made[3].changes == {"lr_d": 3e-4, "k": 5}
    assert sweep.variants(["k_d=1,2"], "gaussian")[1].changes == {"k": 2}  # the alias


@pytest.mark.parametrize("axes, message", [
    (["speed=1,2"], "unknown setting 'speed'"),
    (["lr_d"], "--vary expects NAME=V1,V2,..."),
    (["lr_d=1e-3"], "1 variants; expected 2 to 64"),
    (["lr_d=1e-3,1e-3"], "each value once"),
    (["lr_d=1e-3,5"], "lr_d: 5 is out of range"),
    (["lr_d=1,2e-3", "lr_d=1e-4,1e-3"], "lr_d is varied twice"),
    (["lr_d=1e-4,1e-3", "k=1,2", "seed=1,2"], "3 settings; vary one or two"),
    ([], "0 settings; vary one or two"),
    ([f"seed={','.join(map(str, range(9)))}", "k=1,2,3,4,5,6,7,8"], "72 variants"),
])
def test_bad_vary_is_one_setting_error(axes, message):
    with pytest.raises(config.SettingError, match=message):
        sweep.variants(axes, "gaussian")
    with pytest.raises(config.SettingError, match="expected 2 to 4 for a mnist preset"):
        sweep.variants(["seed=1,2,3,4,5"], "mnist")


def _groups(preset: str, axes: list[str], base=None):
    made = sweep.variants(axes, preset)
    trainers = [Trainer(preset, {**(base or {}), **v.changes}, device="cpu") for v in made]
    return made, trainers, sweep.build_groups(trainers)


def test_grouping_batches_what_shares_a_computation():
    _, _, groups = _groups("gaussian", ["lr_d=1e-4,1e-3", "k=1,3"])  # k: a prefix each step
    assert [(type(g).__name__, len(g.trainers)) for g in groups] == [("BatchedGroup", 4)]
    _, _, groups = _groups("gaussian", ["loss=minimax,lsgan", "seed=1,2"])
    assert [len(g.trainers) for g in groups] == [2, 2]  # an objective each
    _, trainers, groups = _groups("gaussian", ["seed=1,2"], {"minibatch_discrimination": True})
    assert all(isinstance(g, sweep.PlainGroup) for g in groups)
    assert sweep.why_not_batched(trainers[0]) == "minibatch discrimination"
    assert sweep.why_not_batched(Trainer("wgan-gp", device="cpu")) == "the gradient penalty"


@pytest.mark.parametrize("preset, axes, base", [
    ("gaussian", ["lr_d=1e-4,1e-3,3e-3", "k=1,3"], {}),
    ("ring8", ["lr_g=1e-4,1e-3"], {}),
    ("seed-toy", ["lr_d=0.03,0.01"], {}),  # plain SGD, tanh and softplus layers
    ("gaussian", ["momentum=0.5,0.9"], {"optimizer_d": "momentum", "k_g": 2}),
    ("lazy-d", ["ema=0,0.99", "adam_beta1=0.5,0.9"], {}),
])
def test_each_variant_trains_as_its_single_run(preset, axes, base):
    """50 iterations: the same curves to float tolerance (batched products sum in another
    order; measured up to 3e-5, on fast-lr's learning rates 20 times the default)."""
    made, trainers, groups = _groups(preset, axes, base)
    assert isinstance(groups[0], sweep.BatchedGroup)
    for _ in range(50):
        for group in groups:
            group.step()
    for variant, trainer in zip(made, trainers, strict=True):
        single = Trainer(preset, {**base, **variant.changes}, device="cpu")
        single.run(50)
        ours, theirs = trainer.history.as_arrays(), single.history.as_arrays()
        for name in CURVES:
            np.testing.assert_allclose(ours[name], theirs[name], atol=1e-4, rtol=1e-4)
        assert (trainer.step_count, trainer.d_updates, trainer.g_updates) == (
            single.step_count, single.d_updates, single.g_updates)
        groups[0].sync(trainer)
        for mine, its in zip(trainer.generator_ema.parameters(),
                             single.generator_ema.parameters(), strict=True):
            torch.testing.assert_close(mine, its, atol=1e-4, rtol=1e-4)


def test_a_variant_opened_as_the_main_run_trains_on_as_its_single_run():
    made = sweep.variants(["lr_d=3e-4,1e-3", "k=1,2"], "gaussian")
    run = SweepRun("gaussian", made)
    run.train(steps=30, log_every=10)
    trainer = run.trainer(3, whole=True)  # lr_d=1e-3,k=2 with its optimisers' state
    trainer.run(20)
    single = Trainer("gaussian", made[3].changes, device="cpu")
    single.run(50)
    for name in CURVES:
        np.testing.assert_allclose(trainer.history.as_arrays()[name],
                                   single.history.as_arrays()[name], atol=1e-4, rtol=1e-4)


def test_sweep_command_writes_the_table_the_metrics_and_the_grid(tmp_path, capsys):
    status = cli.main(["sweep", "--preset", "gaussian", "--vary", "lr_d=3e-4,1e-3",
                       "--vary", "k=1,2", "--steps", "100", "--log-every", "50",
                       "--metrics-dir", str(tmp_path), "--png", str(tmp_path / "grid.png")])
    assert status == 0
    out, err = capsys.readouterr()
    rows = out.strip().splitlines()
    assert rows[0].split()[:2] == ["variant", "JS"] and len(rows) == 5
    assert rows[1].startswith("lr_d=3e-4,k=1 ")
    assert "4 variants × 100 iterations" in err and "4 of 4 trained as batches" in err
    records = [json.loads(line) for line in
               (tmp_path / "lr_d=1e-3,k=2.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [50, 100]
    assert records[-1]["variant"] == "lr_d=1e-3,k=2" and "diagnosis" in records[-1]
    assert Image.open(tmp_path / "grid.png").size == (2 * 300, 2 * 220)


@pytest.mark.parametrize("argv, message", [
    (["--vary", "lr_d=1,x"], "lr_d: 'x' is not a number"),
    (["--vary", "lr_d=1e-4,1e-3", "--set", "lr_d=1e-3"], "also given with --set"),
    (["--vary", "lr_d=1e-4,1e-3", "--metrics-dir", "/nonexistent"], "is not a folder"),
    (["--preset", "ring8", "--vary", "noise_dim=1,9"], "noise_dim: 9 is out of range"),
])
def test_bad_sweep_input_exits_2_with_one_line(argv, message, capsys):
    assert cli.main(["sweep", *argv, "--steps", "5"]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
