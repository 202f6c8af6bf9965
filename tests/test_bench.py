"""`ganviz bench`: the smoke run prints a table, then one JSON line with every field."""

import json
import math

import pytest
import torch

from ganviz import bench, cli

POSITIVE = ("headless_its", "window_its", "plain_its", "window_ratio", "plain_ratio", "fps",
            "first_frame_s", "first_trained_frame_s", "rss_mb")


@pytest.mark.parametrize("name", ["gaussian", "ring8"])  # the two views the toys draw in
def test_smoke_run_prints_a_table_then_json_with_every_field(name, capsys, tmp_path,
                                                             monkeypatch):
    # The user's remembered window (QSettings' INI file under XDG_CONFIG_HOME here) is
    # not the benchmark's to change.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    # One round of 1 s per way, the window in a process of its own, and a 1.2 s soak.
    status = cli.main(["bench", "--preset", name, "--seconds", "1", "--rounds", "1",
                       "--soak", "0.02"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    lines = captured.out.strip().splitlines()
    assert any(line.startswith(f"{name} ") for line in lines[:-1])  # the table's row
    result = json.loads(lines[-1])
    assert list(result) == [name]
    record = result[name]
    assert set(bench.FIELDS) <= set(record)
    for field in POSITIVE:
        assert isinstance(record[field], (int, float)), field
        assert math.isfinite(record[field]) and record[field] > 0, (field, record[field])
    assert 0 <= record["stall_p99_ms"] <= record["stall_max_ms"] < 10_000
    assert math.isfinite(record["rss_growth_mb"])
    assert record["window_ratio"] == pytest.approx(
        record["window_its"] / record["headless_its"], rel=0.01)
    assert record["plain_ratio"] == pytest.approx(
        record["headless_its"] / record["plain_its"], rel=0.01)
    # The window is painted (1-D: the real density shown) before training's first frame is.
    assert 0 < record["first_frame_s"] <= record["first_trained_frame_s"] < 120
    parts = record["first_frame_parts_s"]
    assert parts["window_shown"] <= parts["window_painted"] <= parts["first_drawn"]
    assert list(tmp_path.rglob("*")) == []  # nothing remembered in the user's settings
    assert 0 < record["close_s_max"] < 10  # measured; the 1 s target is the benchmark's
    assert record["threads"] == 1
    assert record["device"] == "cpu"  # the preset's own setting, auto: the CPU for the toys


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preset", "nope"], "unknown preset 'nope'"),
        (["--seconds", "0"], "--seconds: 0 is not allowed"),
        (["--rounds", "0"], "--rounds: 0 is out of range"),
        (["--soak", "-1"], "--soak: '-1' is not allowed"),
        (["--device", "tpu"], "device: expected one of auto, cpu, cuda, mps, got 'tpu'"),
        pytest.param(["--device", "cuda"], "device: cuda is not available here",
                     marks=pytest.mark.skipif(torch.cuda.is_available(),
                                              reason="this machine has a CUDA GPU")),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message, capsys):
    assert cli.main(["bench", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"ganviz bench: error: {message}")


@pytest.mark.parametrize("name", ["gaussian", "mnist"])
def test_plain_loop_trains_the_presets_networks(name):
    iteration = bench.plain_loop(name)
    losses = [iteration() for _ in range(3)]
    assert all(math.isfinite(value) and value > 0 for pair in losses for value in pair)


def test_summary_takes_medians_and_pools_stalls():
    window = {"its": 90.0, "fps": 40.0, "first_frame_s": 1.5, "first_trained_frame_s": 2.5,
              "rss_mb": 300.0,
              "rss_growth_mb": None, "parts": {"first_drawn": 1.5}}
    samples = {
        "headless": [100.0, 120.0, 110.0],
        "plain": [50.0, 60.0, 55.0],
        "window": [dict(window, lateness_ms=[0.0] * 99 + [30.0]),
                   dict(window, its=99.0, lateness_ms=[1.0] * 100, rss_mb=350.0),
                   dict(window, its=88.0, lateness_ms=[2.0] * 100)],
    }
    record = bench.summarise("gaussian", samples)
    assert (record["headless_its"], record["window_its"], record["plain_its"]) == (110, 90, 55)
    assert record["window_ratio"] == pytest.approx(90 / 110, abs=1e-3)
    assert record["plain_ratio"] == 2.0
    assert record["stall_max_ms"] == 30.0 and record["stall_p99_ms"] == 2.0
    assert record["rss_mb"] == 350.0 and record["rss_growth_mb"] is None


def test_measurements_made_while_other_processes_ran_are_left_out():
    window = {"its": 90.0, "fps": 40.0, "first_frame_s": 1.5, "first_trained_frame_s": 2.5,
              "rss_mb": 300.0,
              "rss_growth_mb": 3.0, "lateness_ms": [1.0], "parts": {}}
    quiet, busy = (0.1, 10.0), (9.0, 10.0)  # (other processes' CPU seconds, wall seconds)
    samples = {
        "headless": [100.0, 40.0], "headless_load": [quiet, busy],
        "plain": [50.0, 60.0], "plain_load": [busy, busy],  # no quiet round: both kept
        "window": [dict(window, its=20.0), window], "window_load": [busy, quiet],
    }
    record = bench.summarise("gaussian", samples)
    assert (record["headless_its"], record["window_its"], record["plain_its"]) == (100, 90, 55)
    assert record["noisy_dropped"] == 2 and record["rss_growth_mb"] == 3.0
    assert record["other_load_cores"] == pytest.approx((0.1 + 18 + 0.1) / 40, abs=0.01)
