"""Exports: plots as PNG/SVG, metrics as CSV/JSONL, recordings as GIF; bounded recording."""

import csv
import json

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

from ganviz.app.exports import Recorder
from ganviz.app.main_window import MainWindow
from ganviz.core.export import metrics_rows


@pytest.fixture
def trained_window(qtbot):
    window = MainWindow("gaussian")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.latest_frame is not None, timeout=20_000)
    window.set_running(True)
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.step > 200
                    and window.latest_evaluation is not None, timeout=20_000)
    window.set_running(False)
    qtbot.waitUntil(lambda: not window.latest_frame.running, timeout=10_000)
    qtbot.wait(100)
    return window


def test_plots_export_as_png_of_the_chosen_width_and_as_svg(trained_window, tmp_path):
    plots = trained_window.current_plots()
    assert "Densities and discriminator" in plots and len(plots) == 4
    trained_window.export_plot("Densities and discriminator", str(tmp_path / "d.png"), 1200)
    image = QImage(str(tmp_path / "d.png"))
    assert image.width() == 1200 and image.height() > 200
    colours = {image.pixelColor(x, y).name() for x in range(0, 1200, 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 20  # curves and text, not a blank picture
    trained_window.export_plot("Divergence and game value", str(tmp_path / "c.svg"))
    text = (tmp_path / "c.svg").read_text()
    assert "<svg" in text and "</svg>" in text and "<path" in text


def test_metrics_export_as_csv_and_jsonl_with_the_headless_names(trained_window, tmp_path):
    trained_window.export_metrics(str(tmp_path / "m.csv"))
    with open(tmp_path / "m.csv") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["step", "loss_d", "loss_g", "d_real", "d_fake", "js_bits",
                             "value"]
    steps = [int(r["step"]) for r in rows]
    assert steps == sorted(steps) and steps[-1] == trained_window.latest_frame.snapshot.step
    assert float(rows[-1]["js_bits"]) >= 0 and float(rows[-1]["loss_d"]) > 0
    trained_window.export_metrics(str(tmp_path / "m.jsonl"))
    lines = [json.loads(line) for line in (tmp_path / "m.jsonl").read_text().splitlines()]
    assert len(lines) == len(rows) and lines[-1]["step"] == steps[-1]


def test_metrics_rows_take_the_latest_evaluation_at_or_before_each_step():
    history = {"step": np.array([1, 2, 3, 4]), "loss_d": np.array([1.0, np.nan, 1, 1]),
               "loss_g": np.ones(4), "d_real": np.ones(4), "d_fake": np.ones(4)}
    evaluations = {"step": np.array([2, 4]), "js_bits": np.array([0.5, 0.25]),
                   "value": np.array([-1.0, -1.3]), "kl_bits": np.full(2, np.nan)}
    columns, rows = metrics_rows(history, evaluations, "1d")
    assert columns[-2:] == ["js_bits", "value"]
    assert [r["js_bits"] for r in rows] == [None, 0.5, 0.5, 0.25]
    assert rows[1]["loss_d"] is None  # NaN is written as null / an empty cell


def test_recording_saves_a_gif_with_its_frames(trained_window, qtbot, tmp_path):
    trained_window.set_recording_rate(25)
    trained_window.set_running(True)
    trained_window.record_action.setChecked(True)
    qtbot.waitUntil(lambda: len(trained_window.recorder.frames) >= 6, timeout=10_000)
    trained_window.record_action.setChecked(False)
    frames = len(trained_window.recorder.frames)
    assert trained_window.save_recording_action.isEnabled()
    trained_window.save_recording(str(tmp_path / "run.gif"))
    with Image.open(tmp_path / "run.gif") as gif:
        # Pillow merges identical consecutive frames (their durations add up), so a frame
        # that saw no new drawing may be folded into the one before.
        assert 2 <= gif.n_frames <= frames
        assert gif.width <= 960 and gif.height > 100
        durations = []
        for index in range(gif.n_frames):
            gif.seek(index)
            durations.append(gif.info["duration"])
        assert sum(durations) == 40 * frames and all(d % 40 == 0 for d in durations)
    assert "Saved" in trained_window.statusBar().currentMessage()


def test_a_long_recording_keeps_its_span_at_a_lower_rate_within_its_bound(qtbot):
    label = QLabel("ganviz")
    qtbot.addWidget(label)
    label.resize(300, 100)
    recorder = Recorder(label, fps=10, max_frames=8)
    for _ in range(40):
        recorder.capture()
    assert len(recorder.frames) < 8
    assert recorder.interval_s > 0.1  # thinned: each kept frame stands for more time
    with pytest.raises(ValueError, match="nothing recorded"):
        Recorder(label).save("x.gif")


def test_a_recording_saves_as_mp4_where_imageio_ffmpeg_is_installed(qtbot, tmp_path):
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    label = QLabel("ganviz")
    qtbot.addWidget(label)
    label.resize(321, 121)  # odd sizes: H.264 needs them even, the writer crops
    recorder = Recorder(label, fps=10)
    for index in range(12):
        label.setText(f"frame {index}")
        recorder.capture()
    path = recorder.save(tmp_path / "run.mp4")
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    frames = sum(1 for _ in reader)
    assert meta["size"] == (320, 120) and frames == 12
    assert meta["fps"] == pytest.approx(10, rel=0.01)
