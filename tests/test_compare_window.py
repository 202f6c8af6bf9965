"""Compare mode in the window: the chooser, the live grid, highlighting, and a variant
opened as the main run."""

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from ganviz.app.compare.chooser import CompareDialog
from ganviz.app.compare.grid import FADED_ALPHA
from ganviz.core import sweep

AXES = ["lr_d=3e-4,1e-3", "k=1,2"]


def test_the_chooser_checks_values_as_they_are_typed(qtbot):
    dialog = CompareDialog("gaussian", {"lr_d": 3e-4, "k": 1})
    qtbot.addWidget(dialog)
    assert dialog.axes()[0].startswith("lr_d=") and dialog.axes()[1].startswith("k=")
    assert dialog.start.isEnabled() and len(dialog.chosen) >= 4
    dialog.values[0].setText("3e-4,fast")
    assert not dialog.start.isEnabled()
    assert "lr_d" in dialog.verdict.text()
    dialog.values[0].setText("3e-4,1e-3")
    dialog.values[1].setText("1,2,3")
    assert dialog.start.isEnabled()
    assert [v.name for v in dialog.chosen][:2] == ["lr_d=3e-4,k=1", "lr_d=3e-4,k=2"]
    assert len(dialog.chosen) == 6 and dialog.columns() == 3
    dialog.second.setChecked(False)
    assert len(dialog.chosen) == 2 and dialog.columns() == 2


def test_compare_trains_draws_lights_and_opens_a_variant(open_window, qtbot):
    window = open_window("gaussian", {})
    window.compare.start(sweep.variants(AXES, "gaussian"), AXES, 2)
    page = window.compare.page
    assert window.central_pages.currentWidget() is page
    assert not window.controls_dock.isVisible() and not window.run_toolbar.isVisible()
    assert not window.status.iteration.isVisible()  # the paused main run's, not shown
    qtbot.waitUntil(lambda: page.grid is not None and page.grid.frames >= 12,
                    timeout=60_000)
    grid = page.grid
    assert len(grid.cells) == 4
    first = page.last_frame.cells[0].step
    qtbot.waitUntil(lambda: page.last_frame.cells[0].step > first + 20, timeout=30_000)
    for index in range(4):  # every variant has curves, and its cell its histogram
        assert len(grid.d_curves[index].getData()[0]) >= 2
        assert len(grid.items[index]["fake"].getData()[0]) > 0
        assert grid.titles[index].count(page.names[index]) == 1

    # Hover lights a variant's curves and fades the others; a click keeps it lit.
    centre = grid.cells[1].sceneBoundingRect().center()
    grid._hover(centre)
    assert grid.lit() == 1
    assert grid.js_curves[1].opts["pen"].width() == 3
    assert grid.js_curves[0].opts["pen"].color().alpha() == FADED_ALPHA
    grid._hover(QPointF(-10, -10))
    assert grid.lit() is None
    assert grid.js_curves[0].opts["pen"].color().alpha() == 255

    # Space pauses the variants (the window's Start routes it while comparing); what
    # would act on the hidden main run is refused.
    QTest.keyClick(window, Qt.Key.Key_Space)
    assert not page.running
    qtbot.waitUntil(lambda: not page.last_frame.running, timeout=10_000)
    paused_at = page.last_frame.cells[2].step
    QTest.keyClick(window, Qt.Key.Key_R)
    assert "not while comparing" in window.statusBar().currentMessage()
    assert window.latest_frame.snapshot.step == 0  # the main run never moved

    # Double-click: variant 2 (lr_d=1e-3, k=1) becomes the main run, whole.
    grid.open_requested.emit(2)
    qtbot.waitUntil(lambda: not window.compare.active, timeout=30_000)
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.step == paused_at
                    and window.settings["lr_d"] == 1e-3, timeout=30_000)
    assert window.settings["k"] == 1
    assert window.central_pages.currentIndex() == 0 and window.controls_dock.isVisible()
    assert window.status.iteration.isVisible()
    window.set_running(True)  # it trains on there
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.step > paused_at + 10,
                    timeout=30_000)


def test_a_restarted_comparison_leaves_nothing_of_the_first(open_window, qtbot):
    """Ctrl+K again before the first comparison has drawn: what its process sent while
    it stopped reaches neither the page nor the main run."""
    from ganviz.app.compare.grid import CompareGrid

    window = open_window("gaussian", {})
    first = sweep.variants(AXES, "gaussian")
    window.compare.start(first, AXES, 2)
    second = sweep.variants(["k=1,2,3"], "gaussian")
    window.compare.start(second, ["k=1,2,3"], 2)
    page = window.compare.page
    qtbot.waitUntil(lambda: page.grid is not None and page.grid.frames >= 3, timeout=60_000)
    qtbot.wait(500)
    grids = page.findChildren(CompareGrid)
    assert len(grids) == 1 and len(grids[0].cells) == 3
    assert page.names == ("k=1", "k=2", "k=3")
    window.compare.end()
    assert window.latest_frame.snapshot.step == 0
