"""The draw-your-own-distribution dialog, driven by simulated mouse input."""

import itertools

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog

from ganviz.app.dialogs.draw import DrawDialog, StrokeCanvas

BLUE = (31, 119, 180)


@pytest.fixture
def canvas(qtbot):
    canvas = StrokeCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(400, 400)
    canvas.show()
    qtbot.waitExposed(canvas)
    return canvas


@pytest.fixture
def dialog(qtbot):
    dialog = DrawDialog()
    qtbot.addWidget(dialog)
    dialog.resize(480, 560)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def pixel(canvas, x, y) -> QPoint:
    return canvas.to_pixel(x, y).toPoint()


def move_with_left_button(canvas, position: QPoint) -> None:
    """A mouse move with the left button held (QTest.mouseMove carries no buttons)."""
    local = QPointF(position)
    event = QMouseEvent(QEvent.Type.MouseMove, local, QPointF(canvas.mapToGlobal(local)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(canvas, event)


def drag(canvas, points, steps: int = 8) -> None:
    """Press at the first data point, move through the others, release at the last."""
    pixels = [pixel(canvas, x, y) for x, y in points]
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     pixels[0])
    for start, end in itertools.pairwise(pixels):
        for t in np.linspace(0.0, 1.0, steps + 1)[1:]:
            move_with_left_button(canvas, QPoint(round(start.x() + t * (end.x() - start.x())),
                                                 round(start.y() + t * (end.y() - start.y()))))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       pixels[-1])


def one_pixel(canvas) -> float:
    """Data units per widget pixel."""
    return (canvas.bounds[1] - canvas.bounds[0]) / canvas.plot_rect().width()


def test_horizontal_drag_across_the_middle(canvas, qtbot):
    with qtbot.waitSignal(canvas.changed, timeout=1000):
        drag(canvas, [(-2.0, 0.0), (2.0, 0.0)])
    strokes = canvas.strokes()
    assert len(strokes) == 1
    stroke = strokes[0]
    assert stroke.dtype == np.float64 and stroke.ndim == 2 and stroke.shape[1] == 2
    assert len(stroke) > 2
    tolerance = one_pixel(canvas)
    assert np.abs(stroke[:, 1]).max() <= tolerance
    assert stroke[0, 0] == pytest.approx(-2.0, abs=tolerance)
    assert stroke[-1, 0] == pytest.approx(2.0, abs=tolerance)
    assert np.all(np.diff(stroke[:, 0]) > 0)  # in the order the mouse moved


def test_y_grows_upwards(canvas):
    drag(canvas, [(-1.0, 1.5), (1.0, 2.0)])
    stroke = canvas.strokes()[0]
    assert np.all(stroke[:, 1] > 1.0)
    assert stroke[0, 1] == pytest.approx(1.5, abs=one_pixel(canvas))
    assert stroke[-1, 1] == pytest.approx(2.0, abs=one_pixel(canvas))
    drag(canvas, [(0.0, -2.0), (0.0, -1.0)])
    assert np.all(canvas.strokes()[1][:, 1] < 0.0)


def test_click_makes_a_one_point_stroke(canvas):
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     pixel(canvas, 1.0, -1.0))
    (stroke,) = canvas.strokes()
    assert stroke.shape == (1, 2)
    np.testing.assert_allclose(stroke[0], (1.0, -1.0), atol=one_pixel(canvas))


def test_drag_past_the_edge_is_clamped_and_right_button_draws_nothing(canvas):
    drag(canvas, [(0.0, 0.0), (3.6, 0.0)])
    assert canvas.strokes()[0][:, 0].max() == pytest.approx(3.0)
    QTest.mouseClick(canvas, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier,
                     pixel(canvas, 1.0, 1.0))
    assert len(canvas.strokes()) == 1


def test_non_square_canvas_is_letterboxed(canvas):
    canvas.resize(560, 380)
    rect = canvas.plot_rect()
    assert rect.width() == pytest.approx(rect.height())
    assert rect.width() < 380
    drag(canvas, [(-3.0, -3.0), (3.0, 3.0)])
    stroke = canvas.strokes()[0]
    np.testing.assert_allclose(stroke[:, 0], stroke[:, 1], atol=1.5 * one_pixel(canvas))


def test_undo_and_clear(canvas, qtbot):
    drag(canvas, [(-2.0, 1.0), (2.0, 1.0)])
    drag(canvas, [(-2.0, -1.0), (2.0, -1.0)])
    assert len(canvas.strokes()) == 2
    with qtbot.waitSignal(canvas.changed, timeout=1000):
        canvas.undo()
    (stroke,) = canvas.strokes()
    assert stroke[:, 1].mean() == pytest.approx(1.0, abs=one_pixel(canvas))
    with qtbot.waitSignal(canvas.changed, timeout=1000):
        canvas.clear()
    assert canvas.strokes() == []
    with qtbot.assertNotEmitted(canvas.changed):
        canvas.undo()


def test_painted_stroke_has_the_stroke_colour(canvas):
    drag(canvas, [(-2.0, 1.5), (2.0, 1.5)])
    image = canvas.grab().toImage()
    ratio = image.devicePixelRatio()

    def colour_at(point: QPointF) -> QColor:
        return image.pixelColor(int(point.x() * ratio), int(point.y() * ratio))

    on_stroke = [colour_at(canvas.to_pixel(x, 1.5)) for x in np.linspace(-1.5, 1.5, 7)]
    for colour in on_stroke:
        assert colour.blue() > colour.red() + 60 and colour.blue() > colour.green() + 30
    assert any(abs(c.red() - BLUE[0]) + abs(c.green() - BLUE[1]) + abs(c.blue() - BLUE[2]) < 30
               for c in on_stroke)
    for corner in (QPointF(1, 1), canvas.to_pixel(-2.8, 2.8)):
        colour = colour_at(corner)
        assert min(colour.red(), colour.green(), colour.blue()) > 230  # light background


def test_dialog_buttons_follow_the_strokes(dialog, qtbot):
    assert dialog.windowTitle() == "Draw 2-D data"
    assert not dialog.use_button.isEnabled()
    assert not dialog.undo_button.isEnabled()
    drag(dialog.canvas, [(-1.0, 0.0), (1.0, 0.0)])
    QTest.mouseClick(dialog.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     pixel(dialog.canvas, 0.0, 2.0))
    assert dialog.use_button.isEnabled() and dialog.clear_button.isEnabled()
    assert "2 strokes" in dialog.status_label.text()
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert len(dialog.canvas.strokes()) == 1
    assert "1 stroke " in dialog.status_label.text()
    qtbot.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)
    assert dialog.canvas.strokes() == []
    assert not dialog.use_button.isEnabled() and not dialog.clear_button.isEnabled()


def test_ctrl_z_undoes_and_escape_cancels(dialog, qtbot):
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    drag(dialog.canvas, [(-1.0, 0.0), (1.0, 0.0)])
    drag(dialog.canvas, [(-1.0, 1.0), (1.0, 1.0)])
    qtbot.keyClick(dialog, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(dialog.canvas.strokes()) == 1
    with qtbot.assertNotEmitted(dialog.points_ready):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not dialog.isVisible()


def test_use_these_data_emits_points_on_the_stroke(dialog, qtbot):
    canvas = dialog.canvas
    drag(canvas, [(-2.0, 0.0), (2.0, 0.0)])
    assert "1 stroke \u2192" in dialog.status_label.text()
    with qtbot.waitSignal(dialog.points_ready, timeout=1000) as blocker:
        qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    (points,) = blocker.args
    assert isinstance(points, np.ndarray)
    assert points.dtype == np.float32 and points.ndim == 2 and points.shape[1] == 2
    tolerance = one_pixel(canvas)
    length = float(np.ptp(canvas.strokes()[0][:, 0]))
    assert len(points) == pytest.approx(length / 0.01, abs=3)
    assert np.abs(points[:, 1]).max() <= tolerance
    assert points[:, 0].min() == pytest.approx(-2.0, abs=tolerance)
    assert points[:, 0].max() == pytest.approx(2.0, abs=tolerance)
    assert f"{len(points):,} points" in dialog.status_label.text()
    assert dialog.points() is points
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not dialog.isVisible()
