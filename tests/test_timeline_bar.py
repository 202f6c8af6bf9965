"""The timeline bar: keys and drags ask for moments, what the frames say is shown."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from ganviz.app.timeline_bar import HANDLE, TimelineBar
from ganviz.core.protocol import BranchInfo, TimelineView

MAIN = BranchInfo(0, "main", None, 0, 400, "")


def view(viewing=None, live=400, branches=(MAIN,), current=0, marks=()):
    return TimelineView(np.arange(0, 351, 50), live, viewing, current, branches, marks)


@pytest.fixture
def bar(qtbot):
    bar = TimelineBar()
    qtbot.addWidget(bar)
    bar.resize(1000, 32)
    bar.show()
    bar.show_timeline(view())
    return bar


def test_arrow_keys_step_from_snapshot_to_snapshot_and_end_goes_live(bar, qtbot):
    asked = []
    bar.moment_chosen.connect(asked.append)
    bar.track.setFocus()
    QTest.keyClick(bar.track, Qt.Key.Key_Left)  # from live: the last snapshot
    bar.show_timeline(view(viewing=350))
    QTest.keyClick(bar.track, Qt.Key.Key_Left)
    bar.show_timeline(view(viewing=300))
    QTest.keyClick(bar.track, Qt.Key.Key_Right)
    QTest.keyClick(bar.track, Qt.Key.Key_Home)
    QTest.keyClick(bar.track, Qt.Key.Key_End)
    assert asked == [350, 300, 350, 0, None]


def test_a_click_asks_for_the_nearest_snapshot_and_near_the_end_for_live(bar, qtbot):
    asked = []
    bar.moment_chosen.connect(asked.append)
    track = bar.track
    QTest.mouseClick(track, Qt.MouseButton.LeftButton, pos=QPointF(track._x(106), 10).toPoint())
    QTest.mouseClick(track, Qt.MouseButton.LeftButton, pos=QPointF(track._x(395), 10).toPoint())
    assert asked == [100, None]


def test_the_bar_says_what_is_shown_and_offers_branching_only_in_the_past(bar):
    assert bar.where.text() == "live · iteration 400"
    assert not bar.branch_button.isEnabled() and not bar.live_button.isEnabled()
    bar.show_timeline(view(viewing=150))
    assert bar.where.text() == "viewing iteration 150 · live at 400"
    assert bar.branch_button.isEnabled() and bar.live_button.isEnabled()
    requested = []
    bar.branch_requested.connect(requested.append)
    bar.branch_button.click()
    assert requested == [150]
    # The handle is drawn where the moment shown is.
    image = bar.track.grab().toImage()
    x = round(bar.track._x(150))
    assert image.pixelColor(x, bar.track.height() // 2) == HANDLE


def test_branches_are_listed_and_one_is_switched_to(bar):
    other = BranchInfo(1, "branch 1", 0, 200, 260, "lr_g=0.0005")
    bar.show_timeline(view(branches=(MAIN, other), current=1, live=260))
    assert bar.branches.isVisibleTo(bar)
    assert [bar.branches.itemText(i) for i in range(bar.branches.count())] == [
        "main", "branch 1 (from 200, lr_g=0.0005)"]
    assert bar.branches.currentIndex() == 1 and bar.track.forks == [200]
    switched = []
    bar.branch_switched.connect(switched.append)
    bar.branches.activated.emit(0)
    assert switched == [0]
