"""The views' drawing economies: what is redrawn, when, and that it still draws right."""

import os
from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from ganviz.app.views.curves import LossesPlot
from ganviz.app.views.mnist import GreyImage, ImagesView
from ganviz.core.mnist.state import ImagesViewData


def test_grey_image_draws_its_values_pixel_for_pixel(qtbot):
    grey = np.array([[0, 64, 128], [192, 255, 7]], dtype=np.uint8)
    item = GreyImage()
    item.setImage(grey)
    assert item.image.dtype == np.uint8 and np.array_equal(item.image, grey)
    assert item.boundingRect() == QRectF(0, 0, 3, 2)
    canvas = QImage(3, 2, QImage.Format.Format_RGB32)
    canvas.fill(QColor(255, 0, 0))
    painter = QPainter(canvas)
    item.paint(painter)
    painter.end()
    drawn = np.array([[QColor(canvas.pixel(x, y)).getRgb()[:3] for x in range(3)]
                      for y in range(2)])
    assert np.array_equal(drawn, np.repeat(grey[..., None], 3, axis=-1))


def test_grey_image_copies_what_it_draws(qtbot):
    grey = np.full((4, 5), 100, dtype=np.uint8)
    item = GreyImage()
    item.setImage(grey)
    grey[:] = 0  # the caller reuses its array
    canvas = QImage(5, 4, QImage.Format.Format_RGB32)
    painter = QPainter(canvas)
    item.paint(painter)
    painter.end()
    assert QColor(canvas.pixel(2, 2)).red() == 100


def _history(points: int, first: float = 0.7, level: float = 0.5,
             every: int = 1) -> dict[str, np.ndarray]:
    """A recorded history as snapshots carry it: a point every ``every`` iterations."""
    steps = (np.arange(points, dtype=np.float32) + 1) * every
    values = np.full(points, level, dtype=np.float32)
    values[0] = first
    return {"step": steps, "loss_d": values, "loss_g": values.copy(),
            "d_real": values.copy(), "d_fake": values.copy()}


@pytest.fixture
def losses(qtbot):
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    plot = LossesPlot()
    widget.addItem(plot)
    widget.resize(600, 300)
    widget.show()
    qtbot.waitExposed(widget)
    yield plot
    del widget  # kept until here: the plot's C++ side lives in the widget's scene


def test_curves_are_redrawn_when_they_grow_by_a_pixel(losses):
    first = _history(1_000)
    assert losses.take_news(first)
    losses.show_history(first)
    per_pixel = losses._x_top / losses.vb.width()  # 1,000 iterations over ~500 px
    assert 1.5 < per_pixel < 8.0
    assert not losses.take_news(first)  # the same history again
    assert not losses.take_news(_history(1_000 + int(per_pixel) - 1))  # under a pixel
    assert losses.take_news(_history(1_000 + int(per_pixel) + 1))


def test_a_new_run_merged_points_or_another_run_are_news(losses):
    losses.show_history(_history(1_000))
    assert losses.take_news(_history(1_000))  # drawn above without take_news: unknown
    assert not losses.take_news(_history(1_000))
    assert losses.take_news(_history(5))  # a new run: fewer iterations
    assert losses.take_news(_history(1_000))
    assert losses.take_news(_history(501, every=2))  # the history merged its points
    assert losses.take_news(_history(501, first=0.9, every=2))  # another run (a session)
    # Another run that began alike (same seed) but went elsewhere: its points differ.
    assert losses.take_news(_history(501, first=0.9, level=0.6, every=2))
    losses.set_objective("lsgan", 0.0)
    assert losses.take_news(_history(501, first=0.9, level=0.6, every=2))  # new lines
    assert not losses.take_news(_history(501, first=0.9, level=0.6, every=2))
    losses.forget_drawn()  # a reset or an opened session: whatever comes next is drawn
    assert losses.take_news(_history(501, first=0.9, level=0.6, every=2))


def test_while_paused_every_iteration_is_drawn(losses):
    """One Step shows at once, even when it does not move the curve by a pixel."""
    assert losses.take_news(_history(1_000))
    losses.show_history(_history(1_000))  # its x range: ~2 iterations a pixel
    assert not losses.take_news(_history(1_001))  # running: under a pixel
    assert losses.take_news(_history(1_001), every_point=True)
    assert losses.take_news(_history(1_002), every_point=True)


def test_unchanged_class_shares_are_not_redrawn(qtbot, monkeypatch):
    view = ImagesView()
    qtbot.addWidget(view)
    drawn = []
    monkeypatch.setattr(view.classes, "show_counts", lambda *args: drawn.append(args))

    def frame(step: int, counts) -> object:
        counts = np.array(counts)
        data = ImagesViewData(
            step=step, samples_grid=np.zeros((238, 238), np.uint8), grid_layout="noise",
            grid_title="Generated digits (same noise every frame)", real_grid=None,
            class_counts=counts, confident_counts=counts // 2, confident=0.5,
            coverage=0.9, classified_step=step - step % 100, data_source="bundled")
        return type("Snapshot", (), {"view": data, "history": _history(step),
                                      "settings": {"loss": "nonsaturating",
                                                   "label_smoothing": 0.0}})()

    view.show_frame(frame(100, [50] * 10))
    view.show_frame(frame(102, [50] * 10))  # the same classification, repeated
    assert len(drawn) == 1
    view.show_frame(frame(200, [50] * 10))  # classified again, same shares
    view.show_frame(frame(203, [100] + [44] * 9))
    assert len(drawn) == 3


def test_qt_paints_in_the_gui_thread(monkeypatch):
    from ganviz.app.main import prepare_qt

    monkeypatch.delenv("QT_NO_GUI_THREADPOOL", raising=False)
    prepare_qt()
    assert os.environ["QT_NO_GUI_THREADPOOL"] == "1"
    monkeypatch.setenv("QT_NO_GUI_THREADPOOL", "yes")  # a value already there is kept
    prepare_qt()
    assert os.environ["QT_NO_GUI_THREADPOOL"] == "yes"


def test_both_digit_grids_get_the_same_room(qtbot):
    view = ImagesView()
    qtbot.addWidget(view)
    view.resize(1070, 780)
    view.show()
    qtbot.waitExposed(view)

    def widths() -> tuple[float, float]:
        return view.samples_plot.geometry().width(), view.real_plot.geometry().width()

    samples, real = widths()
    assert samples > 300 and abs(samples - real) < 2  # a short title no longer shrinks one
    view.show_real(False)
    qtbot.waitUntil(lambda: widths()[1] < 1)  # hidden: its column is given to the samples
    assert widths()[0] > 1.4 * samples
    view.show_real(True)
    qtbot.waitUntil(lambda: abs(widths()[0] - widths()[1]) < 2)


def _grab_rect(widget, rect: QRectF) -> np.ndarray:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    r = rect.toAlignedRect()
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1, 4)
    return pixels[r.top(): r.bottom(), r.left(): r.right(), :3].copy()


def test_cached_axes_are_not_repainted_by_the_curves_yet_follow_the_range(losses, qtbot,
                                                                          monkeypatch):
    """The axes paint into a pixmap kept until they change: curves repainted every frame
    (their area overlaps the axes' inward ticks) no longer repaint them, and a new range
    still draws new tick labels."""
    widget = losses.scene().views()[0]
    bottom = losses.getAxis("bottom")
    painted = []
    original = pg.AxisItem.paint
    monkeypatch.setattr(pg.AxisItem, "paint",
                        lambda axis, *args: (painted.append(axis), original(axis, *args)))
    losses.show_history(_history(1_200))  # x range 0-2,000
    before = _grab_rect(widget, bottom.sceneBoundingRect())
    painted.clear()
    for points in range(1_210, 1_300, 10):  # curves change, the ranges do not
        losses.show_history(_history(points, level=0.4 + points / 10_000))
        widget.grab()
    assert painted == []
    losses.show_history(_history(30_000))  # a range ten times as long: new tick labels
    after = _grab_rect(widget, bottom.sceneBoundingRect())
    assert bottom in painted
    assert before.shape == after.shape
    assert (np.abs(before.astype(int) - after.astype(int)).sum(axis=-1) > 100).sum() > 20


SETTINGS = {"loss": "nonsaturating", "label_smoothing": 0.0, "batch_size": 64}


def _snapshot_for(mode: str, history: dict):
    """A frame's snapshot as each view reads it: the history, the settings, the view data."""
    if mode == "mnist":
        counts = np.full(10, 50)
        view = ImagesViewData(
            step=1, samples_grid=np.zeros((238, 238), np.uint8), grid_layout="noise",
            grid_title="Generated digits", real_grid=np.full((238, 238), 200, np.uint8),
            class_counts=counts, confident_counts=counts, confident=0.5, coverage=0.9,
            classified_step=1, data_source="bundled")
    elif mode == "2d":
        view = SimpleNamespace(real_points=np.ones((500, 2), np.float32))
    else:
        view = SimpleNamespace(spec={"minibatch": False})
    return SimpleNamespace(step=int(history["step"][-1]), history=history, settings=SETTINGS,
                           view=view, mode=mode, pending_on_reset=())


@pytest.mark.parametrize("mode", ["1d", "2d", "mnist"])
def test_clear_makes_a_view_forget_its_drawn_curves_and_keep_its_plots(qtbot, mode):
    from ganviz.app.views.toy1d import Toy1DView
    from ganviz.app.views.toy2d import Toy2DView

    view = {"1d": Toy1DView, "2d": Toy2DView, "mnist": ImagesView}[mode]()
    qtbot.addWidget(view)
    history = _history(1_000)
    view.show_frame(_snapshot_for(mode, history), running=True)
    curves = (view.losses, view.d_outputs)
    assert all(not plot.take_news(history) for plot in curves)  # drawn: nothing new
    view.clear()
    assert all(plot.take_news(history) for plot in curves)  # a new run: drawn again
    # The View protocol's clear(), not GraphicsLayoutWidget's (which removes every plot).
    assert all(plot.scene() is not None for plot in curves)


def test_the_2d_view_keeps_the_real_sample_sent_once_per_dataset(qtbot):
    from ganviz.app.views.toy2d import Toy2DView

    view = Toy2DView()
    qtbot.addWidget(view)
    first = _snapshot_for("2d", _history(5))
    view.receive(first)
    later = _snapshot_for("2d", _history(6))
    later.view.real_points = None  # the trainer sends the sample with the first frame only
    view.receive(later)
    assert later.view.real_points is first.view.real_points  # filled in for the evaluation
    view.clear()  # a Reset the trainer refuses goes on with the same dataset
    again = _snapshot_for("2d", _history(7))
    again.view.real_points = None
    view.receive(again)
    assert again.view.real_points is first.view.real_points


def test_the_images_view_keeps_the_real_digits_of_a_frame_never_drawn(qtbot):
    view = ImagesView()
    qtbot.addWidget(view)
    view.receive(_snapshot_for("mnist", _history(1)))  # the run's first frame, not drawn
    later = _snapshot_for("mnist", _history(2))
    later.view.real_grid = None
    view.receive(later)
    view.show_frame(later, running=True)
    assert view.real_image.image is not None and view.real_image.image.mean() == 200
