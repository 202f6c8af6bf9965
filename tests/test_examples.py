"""Converged examples: shipped for every toy preset, opened headless and in the window,
and rebuilt by scripts/build_examples.py to the same weights."""

import importlib.util
import json
from pathlib import Path

import pytest
import torch

from ganviz import cli
from ganviz.core import examples, presets, session

ROOT = Path(__file__).resolve().parents[1]


def test_every_toy_preset_ships_an_example_small_enough():
    toys = [n for n, p in presets.PRESETS.items() if p.mode in ("1d", "2d")]
    assert examples.available() == toys
    sizes = [examples.path_of(n).stat().st_size for n in toys]
    assert max(sizes) < 1.5 * 2**20 and sum(sizes) < 8 * 2**20
    content = session.read(examples.path_of("gaussian"))
    assert content["preset"] == "gaussian" and content["state"]["step_count"] == 5000


def _measure(tmp_path, preset: str) -> dict:
    metrics = tmp_path / f"{preset}.jsonl"
    status = cli.main(["train", "--preset", preset, "--example", "--steps", "0", "--metrics",
                       str(metrics), "--quiet"])
    assert status == 0
    (record,) = [json.loads(line) for line in metrics.read_text().splitlines()]
    return record


def test_the_gaussian_example_is_converged_as_it_is(tmp_path):
    record = _measure(tmp_path, "gaussian")
    assert record["step"] == examples.PLAN["gaussian"].steps
    assert record["verdict"] == "converged" and record["diagnosis"] == "converged"


def test_the_ring8_example_is_converged_by_its_mode_figures(tmp_path):
    record = _measure(tmp_path, "ring8")
    assert record["modes_covered"] == 8 and record["high_quality"] >= 0.9
    assert record["diagnosis"] == "converged"


def test_an_example_trains_on_like_a_resumed_run(tmp_path):
    metrics = tmp_path / "m.jsonl"
    assert cli.main(["train", "--preset", "strong-d", "--example", "--steps", "20",
                     "--log-every", "10", "--set", "loss=nonsaturating", "--metrics",
                     str(metrics), "--quiet"]) == 0
    steps = [json.loads(line)["step"] for line in metrics.read_text().splitlines()]
    assert steps == [1010, 1020]


@pytest.mark.parametrize("argv, message", [
    (["--preset", "mnist", "--example"], "preset mnist has no example; examples: gaussian"),
    (["--example", "--seed", "3"], "--example: --seed cannot change a saved run"),
    (["--steps", "0"], "--steps: 0 only measures a saved run"),
    (["--example", "--set", "seed=2"], "--example: seed only applies on Reset"),
])
def test_bad_example_input_is_one_line_and_exit_2(argv, message, capsys):
    assert cli.main(["train", *argv, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_the_window_opens_the_example(monkeypatch):
    from ganviz.app import main as app_main

    launched = []
    monkeypatch.setattr(cli, "launch_trainer", lambda args, overrides, custom=None: None)
    monkeypatch.setattr(app_main, "run_app", lambda **kwargs: launched.append(kwargs) or 0)
    assert cli.main(["--preset", "ring8", "--example"]) == 0
    assert launched[0]["preset"] == "ring8" and launched[0]["example"] == \
        examples.path_of("ring8")
    assert cli.main(["--preset", "ring8", "--example", "--set", "k=2"]) == 2


def test_an_example_rebuilds_to_the_same_weights(tmp_path):
    """Reproducible from its seed: the build script makes the shipped file again (seed-toy,
    1,200 iterations, ~2 s)."""
    spec = importlib.util.spec_from_file_location("build_examples",
                                                  ROOT / "scripts" / "build_examples.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    threads = torch.get_num_threads()
    try:
        script.build("seed-toy", tmp_path / "seed-toy.ganviz")
    finally:
        torch.set_num_threads(threads)
    rebuilt = session.read(tmp_path / "seed-toy.ganviz")["state"]
    shipped = session.read(examples.path_of("seed-toy"))["state"]
    for network in ("generator", "discriminator", "generator_ema"):
        for name, value in shipped[network].items():
            torch.testing.assert_close(rebuilt[network][name], value, rtol=1e-5, atol=1e-6)
