"""A newcomer's first minutes: the window fits a laptop's screen, the wheel scrolls the
settings, the presets are grouped, and the Help menu explains the window."""

import pytest
from PySide6.QtCore import QMargins, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QAction, QKeySequence, QWheelEvent
from PySide6.QtWidgets import QApplication

from ganviz.app import screen_fit
from ganviz.app.dialogs import help as help_dialogs

LAPTOP = QRect(0, 0, 1366, 728)  # a 1366x768 screen less a 40 px task bar


@pytest.fixture
def laptop(monkeypatch):
    """Windows opened in this test find a 1366x768 laptop screen's free area."""
    monkeypatch.setattr(screen_fit, "available_geometry", lambda widget: QRect(LAPTOP))


@pytest.fixture
def window(laptop, open_window):
    return open_window("gaussian")


def test_fitted_shrinks_and_moves_a_window_into_the_free_area():
    frame = QMargins(4, 36, 4, 4)
    assert screen_fit.fitted(QRect(500, 300, 1400, 860), frame, LAPTOP) == QRect(4, 36, 1358,
                                                                                 688)
    assert screen_fit.fitted(QRect(100, 100, 800, 500), frame, LAPTOP) == QRect(100, 100, 800,
                                                                                500)  # fits
    second = QRect(1920, 0, 1366, 728)  # a window remembered on the left screen, now gone
    assert screen_fit.fitted(QRect(0, 0, 1000, 600), frame, second) == QRect(1924, 36, 1000,
                                                                             600)
    assert screen_fit.starting_size(None, QRect(0, 0, 2560, 1400)) == \
        screen_fit.PREFERRED_SIZE


def wheel(widget, down: bool = True) -> QWheelEvent:
    """A wheel notch over ``widget``'s centre, sent through the application (which hands an
    ignored wheel event on to the parents)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre)), QPoint(0, 0),
                        QPoint(0, -120 if down else 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)
    return event


def shown(field) -> str:
    return field.currentText() if hasattr(field, "currentText") else field.text()


def test_the_window_fits_a_laptop_screen_and_the_panel_scrolls_vertically_only(window, qtbot):
    frame = window.frameGeometry()
    assert LAPTOP.contains(frame), frame
    assert window.width() < 1400 and window.height() <= 728 - 40
    inside = window.rect()
    for part in (window.statusBar(), window.centralWidget(), window.controls.scroll,
                 window.menuBar()):
        assert inside.contains(part.geometry()), part  # nothing cut off at the edges
    scroll = window.controls.scroll
    assert not scroll.horizontalScrollBar().isVisible()
    assert scroll.verticalScrollBar().isVisible()  # the settings are taller than 688 px
    assert window.controls.width() >= window.controls.minimumSizeHint().width()  # no clipping
    # A larger font (presentation mode) widens the panel with its rows: nothing cut off.
    narrow = scroll.width()
    font = window.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    window.setFont(font)
    qtbot.waitUntil(lambda: scroll.width() > narrow * 1.3, timeout=2_000)
    qtbot.waitUntil(lambda: window.controls.width() >= window.controls.minimumSizeHint().width(),
                    timeout=2_000)
    assert not scroll.horizontalScrollBar().isVisible()
    # Remembered on a larger screen: shrunk to this one's free area, frame included.
    window.resize(1900, 1150)
    window.restoreGeometry(window.saveGeometry())
    assert LAPTOP.contains(window.frameGeometry()), window.frameGeometry()


def test_the_wheel_scrolls_the_panel_over_an_unfocused_field_and_edits_a_focused_one(
        window, qtbot):
    controls = window.controls
    bar = controls.scroll.verticalScrollBar()
    target, lr = controls.editors["target"], controls.editors["lr_d"]
    assert target.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel gives no focus
    for field in (target, lr, controls.preset_combo):
        before, position = shown(field), bar.value()
        wheel(field)
        assert shown(field) == before and not field.hasFocus()
        assert bar.value() > position  # the panel scrolled instead
    window.activateWindow()
    target.setFocus()
    qtbot.waitUntil(target.hasFocus, timeout=2_000)
    position = bar.value()
    wheel(target)
    assert target.currentText() == "mixture" and bar.value() == position  # edited, no scroll
    qtbot.waitUntil(lambda: window.settings["target"] == "mixture", timeout=10_000)


def test_presets_are_grouped_by_mode_and_headers_cannot_be_chosen(qtbot):
    from ganviz.app.preset_box import GROUPS, PresetBox
    from ganviz.core import presets

    box = PresetBox()
    qtbot.addWidget(box)
    combo, model = box.combo, box.combo.model()
    texts = [combo.itemText(i) for i in range(combo.count())]
    headers = [header for _, header in GROUPS]
    assert combo.count() == len(presets.PRESETS) + 3 == 27
    assert [t for t in texts if t not in presets.PRESETS] == headers
    for header in headers:
        assert model.item(texts.index(header)).flags() == Qt.ItemFlag.NoItemFlags
    mode = None  # each preset under its mode's header
    for text in texts:
        mode = next((m for m, h in GROUPS if h == text), mode)
        assert text in headers or presets.get(text).mode == mode
    chosen = []
    box.preset_chosen.connect(chosen.append)
    box.set_preset("fast-lr")  # the last 1-D preset; shown without a signal
    assert combo.currentText() == "fast-lr" and not chosen
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # over the 2-D header
    assert combo.currentText() == "ring8" and chosen == ["ring8"]
    box.set_preset("gaussian")
    qtbot.keyClick(combo, Qt.Key.Key_Up)  # only the 1-D header above: stays
    assert combo.currentText() == "gaussian" and chosen == ["ring8"]
    box.set_preset("mnist")
    assert combo.currentText() == "mnist" and box.description.text() == \
        presets.get("mnist").description


def test_the_shortcuts_dialog_lists_every_shortcut_from_the_actions(window, qtbot):
    dialog = help_dialogs.ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    table = dialog.table
    rows = {table.item(r, 1).text(): table.item(r, 0).text() for r in range(table.rowCount())}
    assert rows["Start"] == "Space" and rows["Step"] == "S" and rows["Reset"] == "R"
    assert rows["D step"] == "D" and rows["G step"] == "G" and rows["Full screen"] == "F11"
    assert rows["Quit"] == "Ctrl+Q" and rows["Save session"] == "Ctrl+S"
    assert rows["What am I looking at?"] == "F1" and rows["Open session"] == "Ctrl+O"
    with_keys = {a for a in window.findChildren(QAction) if a.shortcuts()}
    assert table.rowCount() == len(with_keys) >= 10
    # A new shortcut is listed the next time the dialog opens: nothing to keep in step.
    extra = QAction("Zoom in", window, shortcut=QKeySequence("Ctrl++"), toolTip="Bigger")
    assert ("Ctrl++", "Zoom in", "Bigger") in help_dialogs.shortcut_rows(window)
    extra.deleteLater()


def test_quit_closes_the_window(window, qtbot):
    assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")
    assert window.quit_action in window.menuBar().actions()[0].menu().actions()
    window.quit_action.trigger()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5_000)
    assert not window.training_worker.isRunning()


def _plot_names(graphics) -> list[str]:
    """The names of a page's plots: their titles, up to a colon (after it, some titles say
    what is drawn now)."""
    import pyqtgraph as pg

    def plots(layout):  # nested layouts too (MNIST's row of curves)
        for item in layout.items:
            if isinstance(item, pg.GraphicsLayout):
                yield from plots(item)
            elif isinstance(item, pg.PlotItem) and item.titleLabel.text:
                yield item

    return [item.titleLabel.text.split(":")[0] for item in plots(graphics.ci)]


def test_what_am_i_looking_at_names_every_plot_of_each_mode(window, qtbot):
    from ganviz.app.views.pages import VIEW_CLASSES

    for mode, view_class in VIEW_CLASSES.items():
        view = view_class()
        qtbot.addWidget(view)
        dialog = help_dialogs.ExplanationDialog(window, mode)
        qtbot.addWidget(dialog)
        text = dialog.text.toPlainText()
        names = _plot_names(getattr(view, "graphics", view))
        assert len(names) >= 4, names
        missing = [name for name in names if name not in text]
        assert not missing, (mode, missing)
    window.explain_action.trigger()  # the dialog of the mode shown
    dialogs = [d for d in window.findChildren(help_dialogs.ExplanationDialog) if d.isVisible()]
    assert len(dialogs) == 1 and "1-D" in dialogs[0].windowTitle()
    dialogs[0].close()


def test_about_names_the_versions_and_the_device(window):
    import platform
    from importlib import metadata

    from PySide6.QtCore import qVersion

    import ganviz

    text = help_dialogs.about_text(window)
    for part in (f"ganviz {ganviz.__version__}", f"PyTorch {metadata.version('torch')}",
                 f"Qt {qVersion()}", f"Python {platform.python_version()}",
                 f"Training on: {window.latest_frame.device.upper()}"):
        assert part in text, part
