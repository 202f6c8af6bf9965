import json
import os
import subprocess
import sys

import numpy as np
import pytest

from ganviz import cli

REQUIRED = {"step", "time", "loss_d", "loss_g", "d_real", "d_fake", "js_bits", "gen_mean",
            "gen_std"}


def test_train_writes_metrics_every_log_every_and_at_the_last_step(tmp_path, capsys):
    metrics, samples = tmp_path / "m.jsonl", tmp_path / "s.npy"
    status = cli.main(["train", "--steps", "120", "--log-every", "50", "--metrics", str(metrics),
                       "--save-samples", str(samples), "--num-samples", "3000", "--quiet"])
    assert status == 0
    lines = [json.loads(line) for line in metrics.read_text().splitlines()]
    assert [line["step"] for line in lines] == [50, 100, 120]
    for line in lines:
        assert set(line) >= REQUIRED
        assert all(isinstance(line[k], (int, float)) for k in REQUIRED)
        assert 0.0 <= line["js_bits"] <= 1.0 and 0.0 <= line["d_real"] <= 1.0
    times = [line["time"] for line in lines]
    assert times == sorted(times) and times[0] > 0
    array = np.load(samples)
    assert array.shape == (3000,) and array.dtype == np.float32
    # After 120 iterations the generator sits near the target already (data units).
    assert 2.5 < array.mean() < 5.5
    assert capsys.readouterr().err == ""  # --quiet: no progress bar, no summary


def test_train_is_deterministic(tmp_path):
    runs = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.jsonl"
        cli.main(["train", "--steps", "60", "--log-every", "20", "--seed", "4",
                  "--set", "k=2", "--metrics", str(path), "--quiet"])
        runs.append([json.loads(line) for line in path.read_text().splitlines()])
    assert len(runs[0]) == len(runs[1]) == 3
    for first, second in zip(*runs, strict=True):
        assert {k: first[k] for k in ("loss_d", "loss_g", "d_real", "d_fake")} == {
            k: second[k] for k in ("loss_d", "loss_g", "d_real", "d_fake")
        }


def test_seconds_mode_ends_with_a_metrics_line(tmp_path):
    metrics = tmp_path / "m.jsonl"
    assert cli.main(["train", "--seconds", "0.5", "--metrics", str(metrics), "--quiet"]) == 0
    last = json.loads(metrics.read_text().splitlines()[-1])
    assert last["step"] > 0 and last["time"] >= 0.5


def test_progress_bar_on_stderr(capsys):
    assert cli.main(["train", "--steps", "30", "--log-every", "10"]) == 0
    err = capsys.readouterr().err
    assert "100%" in err and "it/s" in err and "JS" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preset", "nope"], "unknown preset 'nope'; known presets: gaussian, seed-toy, bimodal"),
        (["--set", "lr_d=5"], "lr_d: 5 is out of range; expected a number from 1e-05 to 1"),
        (["--set", "lr_g=nan"], "lr_g: expected a number from 1e-05 to 1, got nan"),
        (["--set", "k=abc"], "k: 'abc' is not a number; expected a whole number from 1 to 50"),
        (["--set", "speed=3"], "unknown setting 'speed'"),
        (["--set", "k"], "--set expects name=value"),
        (["--steps", "0"], "--steps: 0 only measures a saved run"),
        (["--steps", "-3"], "--steps: -3 is out of range"),
        (["--steps", "ten"], "--steps: 'ten' is not a whole number"),
        (["--seconds", "-1"], "--seconds: -1 is not allowed"),
        (["--seconds", "inf"], "--seconds: inf is not allowed"),
        (["--seed", "x"], "seed: 'x' is not a number"),
        (["--steps", "5", "--seconds", "1"], "not allowed with argument"),
        (["--metrics", "/no/such/folder/m.jsonl"], "folder /no/such/folder does not exist"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message, capsys):
    assert cli.main(["train", *args, "--quiet"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("ganviz train: error: ")
    assert message in lines[0]


def test_bad_input_has_no_traceback_in_a_real_process():
    result = subprocess.run(
        [sys.executable, "-m", "ganviz", "train", "--set", "batch_size=0"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "ganviz train: error: batch_size: 0 is out of range; expected a whole number from 1 "
        "to 4096"
    )


def test_presets_lists_names_and_descriptions(capsys):
    assert cli.main(["presets"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("gaussian  (1d)")
    assert "N(4, 0.5)" in out


def test_help_lists_every_setting_with_its_range(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["train", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for fragment in ("lr_d", "1e-05..1", "k", "1..20", "batch_size", "seed", "(on Reset)",
                     "--log-every", "--save-samples", "--num-samples", "--quiet"):
        assert fragment in out


def test_window_option_errors_exit_2(capsys):
    assert cli.main(["--preset", "nope"]) == 2
    from ganviz.core.presets import PRESETS

    assert capsys.readouterr().err.strip() == (
        f"ganviz: error: unknown preset 'nope'; known presets: {', '.join(PRESETS)}"
    )


def test_mnist_train_writes_class_figures_and_digit_samples(tmp_path):
    metrics, samples = tmp_path / "m.jsonl", tmp_path / "s.npy"
    status = cli.main(["train", "--preset", "mnist", "--steps", "4", "--log-every", "2",
                       "--set", "batch_size=16", "--metrics", str(metrics),
                       "--save-samples", str(samples), "--num-samples", "20", "--quiet"])
    assert status == 0
    lines = [json.loads(line) for line in metrics.read_text().splitlines()]
    assert [line["step"] for line in lines] == [2, 4]
    for line in lines:
        assert {"step", "time", "loss_d", "loss_g", "d_real", "d_fake", "confident",
                "coverage"} <= set(line)
        assert 0.0 <= line["confident"] <= 1.0 and 0.0 <= line["coverage"] <= 1.0
    array = np.load(samples)
    assert array.shape == (20, 28, 28) and array.dtype == np.float32
    assert array.min() >= 0.0 and array.max() <= 1.0


def test_data_folder_is_read_and_a_bad_one_refused(tmp_path, capsys):
    import shutil

    from ganviz.core.mnist.data import bundled_dir

    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(bundled_dir() / "mnist" / name, tmp_path / name)
    assert cli.main(["train", "--preset", "mnist", "--data", str(tmp_path), "--steps", "1",
                     "--set", "batch_size=8", "--quiet"]) == 0
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b broken")
    assert cli.main(["train", "--preset", "mnist", "--data", str(tmp_path), "--quiet"]) == 2
    line = capsys.readouterr().err.strip()
    assert line.startswith("ganviz train: error: --data: t10k-images-idx3-ubyte.gz")
    assert "\n" not in line
    assert cli.main(["train", "--data", str(tmp_path), "--quiet"]) == 2  # gaussian: no data
    assert "does not train on images" in capsys.readouterr().err


def test_data_download_from_a_local_mirror(tmp_path, capsys, monkeypatch):
    """`ganviz data download` against a real HTTP server on 127.0.0.1."""
    import functools
    import http.server
    import threading

    from ganviz.core.mnist import download as mnist_download
    from ganviz.core.mnist.data import bundled_dir

    # The train files are not available offline: serve and expect only the test split.
    names = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    monkeypatch.setattr(mnist_download, "STANDARD_FILES",
                        {n: mnist_download.STANDARD_FILES[n] for n in names})
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=str(bundled_dir() / "mnist"))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        mirror = f"http://127.0.0.1:{server.server_port}/"
        dest = tmp_path / "cache"
        assert cli.main(["data", "download", "--mirror", mirror, "--dest", str(dest)]) == 0
        assert sorted(p.name for p in dest.iterdir()) == sorted(names)
        assert "ready in" in capsys.readouterr().err
        # Offline: a port nothing listens on.
        server.shutdown()
        status = cli.main(["data", "download", "--mirror", mirror, "--dest",
                           str(tmp_path / "empty"), "--quiet"])
        assert status == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith("ganviz data: error: ") and "bundled 10,000 digits" in err
        assert "\n" not in err
    finally:
        server.shutdown()
        server.server_close()


def test_ring8_train_writes_2d_samples_and_mode_figures(tmp_path):
    metrics, samples = tmp_path / "m.jsonl", tmp_path / "s.npy"
    status = cli.main(["train", "--preset", "ring8", "--steps", "20", "--log-every", "10",
                       "--set", "g_width=16", "--set", "d_width=16", "--metrics", str(metrics),
                       "--save-samples", str(samples), "--num-samples", "700", "--quiet"])
    assert status == 0
    lines = [json.loads(line) for line in metrics.read_text().splitlines()]
    assert [line["step"] for line in lines] == [10, 20]
    for line in lines:
        assert {"kl_bits", "js_bits", "mode_shares", "modes_covered", "high_quality"} <= set(line)
        assert len(line["mode_shares"]) == 8 and 0.0 <= line["js_bits"] <= 1.0
    array = np.load(samples)
    assert array.shape == (700, 2) and array.dtype == np.float32


def test_points_file_trains_the_custom_dataset_and_a_bad_one_is_refused(tmp_path, capsys):
    points, samples = tmp_path / "p.csv", tmp_path / "s.npy"
    rows = (f"{x / 50:.3f},{1 + x / 100:.3f}" for x in range(-50, 51))
    points.write_text("x,y\n" + "\n".join(rows))
    assert cli.main(["train", "--preset", "line", "--points", str(points), "--steps", "5",
                     "--set", "g_width=16", "--set", "d_width=16", "--save-samples",
                     str(samples), "--num-samples", "10"]) == 0
    assert "KL" in capsys.readouterr().err  # the summary line of a 2-D run
    assert np.load(samples).shape == (10, 2)
    points.write_text("1,2,3\n")
    assert cli.main(["train", "--preset", "line", "--points", str(points), "--quiet"]) == 2
    line = capsys.readouterr().err.strip()
    assert line == "ganviz train: error: --points: p.csv: line 1 has 3 columns; expected 2 (x, y)"
    assert cli.main(["train", "--points", str(points), "--quiet"]) == 2  # gaussian is 1-D
    assert "not a 2-D preset" in capsys.readouterr().err


def test_plain_ganviz_starts_where_the_last_window_left_off(monkeypatch):
    from ganviz.app import main as app_main
    from ganviz.app import remembered

    remembered.forget()
    store = remembered.store()
    store.setValue("preset", "bimodal")
    store.setValue("settings", '{"lr_d": 0.002, "loss": "nonsaturating"}')
    launched = []
    monkeypatch.setattr(cli, "launch_trainer", lambda args, overrides, custom=None: None)
    monkeypatch.setattr(app_main, "run_app", lambda **kwargs: launched.append(kwargs) or 0)
    assert cli.main([]) == 0
    assert cli.main(["--preset", "gaussian"]) == 0  # asked for: the preset's defaults
    assert cli.main(["--set", "k=2"]) == 0
    assert [(k["preset"], k["overrides"]) for k in launched] == [
        ("bimodal", {"lr_d": 0.002}), ("gaussian", {}), ("gaussian", {"k": 2})]
    remembered.forget()


DIVERGING = ["--set", "loss=wgan-gp", "--set", "gp_weight=0", "--set", "optimizer_d=momentum",
             "--set", "optimizer_g=momentum", "--set", "momentum=0.999", "--set", "lr_d=1",
             "--set", "lr_g=1"]


def test_divergence_exits_3_with_one_line_and_the_kept_checkpoint(tmp_path, capsys):
    checkpoint, samples = tmp_path / "c.pt", tmp_path / "s.npy"
    status = cli.main(["train", *DIVERGING, "--steps", "60", "--quiet", "--checkpoint",
                       str(checkpoint), "--save-samples", str(samples)])
    assert status == cli.DIVERGED == 3
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("ganviz train: diverged: ")
    assert "at iteration" in lines[0] and "c.pt holds iteration 0" in lines[0]
    assert not samples.exists()
    from ganviz.core import session

    assert session.load(checkpoint).step_count == 0


def test_quiet_still_prints_the_summary_on_stdout(capsys):
    assert cli.main(["train", "--steps", "20", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith("gaussian: 20 iterations in ") and "JS" in captured.out
    assert len(captured.out.strip().splitlines()) == 1


def _one_error_line(capsys, status_expected, status):
    captured = capsys.readouterr()
    assert status == status_expected, captured.err
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("ganviz train: error: ")
    return lines[0]


@pytest.fixture
def no_training(monkeypatch):
    """Fails a test that gets as far as building a run: its input must be refused first."""
    from ganviz.core import api

    def refuse(*args, **kwargs):
        raise AssertionError("a run was built: the bad input was not refused before it")

    monkeypatch.setattr(api, "Run", refuse)


@pytest.mark.parametrize(("args", "message"), [
    (["--metrics", "{tmp}"], "--metrics: {tmp} is a folder; give a file name (e.g. "
                             "{tmp}/metrics.jsonl)"),
    (["--metrics", "{tmp}/new/"], "--metrics: {tmp}/new/ names a folder; give a file name"),
    (["--metrics", "{tmp}/notes.txt/m.jsonl"], "--metrics: {tmp}/notes.txt is a file, not a "
                                               "folder"),
    (["--metrics", "{tmp}/notes.txt/a/m.jsonl"], "--metrics: {tmp}/notes.txt is a file, not "
                                                 "a folder"),
    (["--save-samples", "{tmp}/no/s.npy"], "--save-samples: folder {tmp}/no does not exist"),
    (["--checkpoint", "{tmp}"], "--checkpoint: {tmp} is a folder"),
    (["--checkpoint", "/dev/null"], "--checkpoint: /dev/null is not a regular file"),
    (["--metrics", "{tmp}/a", "--save-samples", "{tmp}/a"],
     "--metrics and --save-samples both name {tmp}/a; give each its own file"),
    (["--resume", "{tmp}/notes.txt", "--metrics", "{tmp}/notes.txt"],
     "--metrics and --resume both name"),
    (["--preset", "mnist", "--num-samples", "342393"],
     "--num-samples: 342,393 MNIST samples would take 1.0 GiB (3,136 bytes each); the most "
     "allowed is 342,392 (1 GiB)"),
    (["--num-samples", "10000001"], "--num-samples: 10000001 is out of range; expected 1 to "
                                    "10000000"),
    (["--preset", "mnist-keras-mlp", "--set", "batch_size=1"],
     "batch_size: 1 is too small for mnist-keras-mlp: its generator's BatchNorm layers need "
     "at least 2 samples per batch; use 2 to 4096"),
])
def test_bad_outputs_and_settings_exit_2_before_training(args, message, tmp_path, capsys,
                                                         no_training):
    (tmp_path / "notes.txt").write_text("keep me")
    args = [a.format(tmp=tmp_path) for a in args]
    line = _one_error_line(capsys, 2, cli.main(["train", *args, "--quiet"]))
    assert message.format(tmp=tmp_path) in line
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_the_window_refuses_a_batch_its_networks_cannot_take(monkeypatch, capsys):
    monkeypatch.setattr(cli, "launch_trainer", lambda *args: pytest.fail("launched"))
    assert cli.main(["--preset", "mnist-keras-mlp", "--set", "batch_size=1"]) == 2
    assert capsys.readouterr().err.startswith("ganviz: error: batch_size: 1 is too small")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
@pytest.mark.parametrize(("option", "message"), [
    ("--metrics", "--metrics /dev/full: not written (No space left on device); training "
                  "stopped at iteration 4"),
    ("--save-samples", "--save-samples /dev/full: not written (No space left on device)"),
])
def test_a_full_disk_exits_1_with_one_line(option, message, capsys):
    status = cli.main(["train", "--steps", "4", "--log-every", "4", option, "/dev/full",
                       "--quiet"])
    assert _one_error_line(capsys, cli.WRITE_FAILED, status) == f"ganviz train: error: {message}"


def test_a_checkpoint_that_cannot_be_written_exits_1(tmp_path, capsys, monkeypatch):
    from ganviz.core import session

    def full(trainer, path):
        raise session.SessionError(f"{path.name}: not saved (No space left on device)")

    monkeypatch.setattr(session, "save", full)
    status = cli.main(["train", "--steps", "2", "--checkpoint", str(tmp_path / "c.ganviz"),
                       "--quiet"])
    assert _one_error_line(capsys, 1, status) == (
        "ganviz train: error: --checkpoint: c.ganviz: not saved (No space left on device)")


def test_samples_keep_the_name_given_and_an_old_file_is_replaced(tmp_path):
    out, metrics = tmp_path / "out", tmp_path / "m.jsonl"
    metrics.write_text("old\n")
    assert cli.main(["train", "--steps", "4", "--log-every", "2", "--save-samples", str(out),
                     "--num-samples", "5", "--metrics", str(metrics), "--quiet"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.jsonl", "out"]
    assert np.load(out).shape == (5,)
    assert [json.loads(line)["step"] for line in metrics.read_text().splitlines()] == [2, 4]


def test_version_names_torch_its_devices_and_the_window_libraries(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    import torch

    from ganviz import __version__

    assert lines[0] == f"ganviz {__version__}"
    assert lines[1].startswith(f"torch {torch.__version__}; can train on: cpu")
    assert lines[2].startswith(f"Python {sys.version.split()[0]}, PySide6 ")
    assert "pyqtgraph" in lines[2]


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("ganviz [options]", "open the window", "ganviz train", "ganviz presets",
                    "ganviz data download", "ganviz bench"):
        assert command in out
