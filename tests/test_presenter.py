"""The presenter with fake frames and a fake view: no training process, no plots."""

import time
from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QApplication, QMainWindow, QVBoxLayout, QWidget

from ganviz.app.presenter import MIN_DRAW_INTERVAL_S, Presenter
from ganviz.app.verdict_banner import VERDICT_COLOURS, VerdictBanner
from ganviz.core.protocol import Frame, Snapshot
from ganviz.core.toy1d.verdict import PROBABILITY_D


class FakeView:
    """Records what the presenter asks of a view."""

    def __init__(self) -> None:
        self.received: list[int] = []  # steps of the frames received
        self.frames: list[tuple[int, bool]] = []  # (step, running) of the frames drawn
        self.evaluations: list[int] = []  # steps of the evaluations drawn
        self.cleared = 0

    def receive(self, snapshot) -> None:
        self.received.append(snapshot.step)

    def show_frame(self, snapshot, running: bool) -> None:
        self.frames.append((snapshot.step, running))

    def show_evaluation(self, evaluation, history: dict) -> None:
        self.evaluations.append(evaluation.step)

    def clear(self) -> None:
        self.cleared += 1


def frame(step: int, mode: str = "1d", running: bool = False, rate: float = 0.0) -> Frame:
    snapshot = Snapshot(step=step, d_updates=2 * step, g_updates=step,
                        settings={"batch_size": 64}, history={}, mode=mode, view=None,
                        pending_on_reset=("seed",) if step == 7 else ())
    return Frame(snapshot, iterations_per_second=rate, running=running, threads=2,
                 device="cpu")


def evaluation(step: int, mode: str = "1d", js: float = 0.1, dev: float = 0.2,
               gap: float = 0.3):
    """An evaluation's numbers, as the verdict reads them (JS, max|D - 1/2|, max|D - D*|)."""
    return SimpleNamespace(step=step, mode=mode, js_bits=js, d_max_dev=dev, d_star_gap=gap,
                           value=-1.3, words=PROBABILITY_D)


CONVERGED = {"js": 0.005, "dev": 0.01, "gap": 0.03}


@pytest.fixture
def parts(qtbot):
    """A presenter over one fake view for every mode, in a bare window's status bar."""
    window = QMainWindow()
    qtbot.addWidget(window)
    view = FakeView()
    pending: list[tuple] = []
    presenter = Presenter(lambda mode: view, window.statusBar(), pending.append, window)
    drawn: list[int] = []
    presenter.drawn.connect(drawn.append)
    return SimpleNamespace(presenter=presenter, view=view, drawn=drawn, pending=pending,
                           window=window)


def test_frames_arriving_together_are_drawn_once_with_the_newest(parts, qtbot):
    presenter, view = parts.presenter, parts.view
    for step in (1, 2, 3):
        presenter.take_frame(frame(step))
    assert view.received == [1, 2, 3]  # every frame reaches the view as it arrives...
    qtbot.waitUntil(lambda: parts.drawn == [3])
    assert view.frames == [(3, False)]  # ...but only the newest is drawn
    qtbot.wait(3 * int(MIN_DRAW_INTERVAL_S * 1000))
    assert parts.drawn == [3] and not presenter.draw_timer.isActive()  # nothing new, no draw


def test_draws_keep_to_the_draw_rate(parts, qtbot):
    presenter = parts.presenter
    presenter.take_frame(frame(1))
    qtbot.waitUntil(lambda: parts.drawn == [1])
    presenter.last_draw_time = time.perf_counter()  # as if it had just drawn
    presenter.take_frame(frame(2))
    assert presenter.draw_timer.interval() >= 0.9 * MIN_DRAW_INTERVAL_S * 1000
    qtbot.waitUntil(lambda: parts.drawn == [1, 2])


def test_a_new_evaluation_waits_for_the_next_frame_while_training(parts, qtbot):
    presenter, view = parts.presenter, parts.view
    presenter.take_frame(frame(1))
    qtbot.waitUntil(lambda: parts.drawn == [1])
    presenter.take_evaluation(evaluation(1))  # paused: drawn at once
    qtbot.waitUntil(lambda: view.evaluations == [1])
    presenter.training = True
    presenter.take_frame(frame(2, running=True))
    qtbot.waitUntil(lambda: parts.drawn == [1, 1, 2])
    presenter.take_evaluation(evaluation(2))
    assert not presenter.draw_timer.isActive() and presenter.evaluation_dirty
    presenter.take_frame(frame(3, running=True))  # the next frame draws both
    qtbot.waitUntil(lambda: parts.drawn[-1] == 3)
    assert view.evaluations == [1, 2] and view.frames[-1] == (3, True)


def test_an_evaluation_of_another_mode_is_not_drawn(parts, qtbot):
    presenter, view = parts.presenter, parts.view
    presenter.take_frame(frame(1, mode="2d"))
    presenter.take_evaluation(evaluation(1, mode="1d"))  # the run before a preset switch
    qtbot.waitUntil(lambda: parts.drawn == [1])
    assert view.evaluations == [] and not presenter.evaluation_dirty


def test_the_verdict_banner_shows_1d_verdicts_in_their_colours(parts, qtbot):
    presenter = parts.presenter
    banner = presenter.verdict
    assert banner.text() == "Verdict: waiting for the first evaluation…"
    presenter.take_frame(frame(4))
    presenter.take_evaluation(evaluation(4, **CONVERGED))
    qtbot.waitUntil(lambda: banner.full_text.startswith("Converged: p_g matches p_data"))
    background, colour = VERDICT_COLOURS["converged"]
    assert background in banner.styleSheet() and colour in banner.styleSheet()
    assert banner.full_text in banner.toolTip()
    presenter.take_frame(frame(5, mode="2d"))
    presenter.take_evaluation(evaluation(5, mode="2d"))
    qtbot.waitUntil(lambda: parts.view.evaluations == [4, 5])
    assert banner.full_text.startswith("Converged")  # 2-D evaluations have no verdict


def test_the_banner_follows_the_runs_verdict_and_a_new_run_starts_it_afresh(parts, qtbot):
    presenter, banner = parts.presenter, parts.presenter.verdict
    presenter.take_frame(frame(1))
    presenter.take_evaluation(evaluation(1, **CONVERGED))
    qtbot.waitUntil(lambda: banner.verdict == "converged")
    presenter.take_frame(frame(2))
    presenter.take_evaluation(evaluation(2, **{**CONVERGED, "js": 0.012}))  # hovering
    qtbot.waitUntil(lambda: "0.0120 bits" in banner.full_text)
    assert banner.verdict == "converged"  # above 0.01, below the 0.015 it leaves at
    presenter.clear([parts.view])  # a Reset: the new run has met no condition yet
    presenter.take_frame(frame(0))
    presenter.take_evaluation(evaluation(0, **{**CONVERGED, "js": 0.012}))
    qtbot.waitUntil(lambda: banner.verdict == "d-not-optimal")


@pytest.mark.parametrize("scale", [1.0, 2.0])
def test_the_banner_keeps_its_height_whatever_it_says(qtbot, scale):
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    banner, below = VerdictBanner(), QWidget()
    layout.addWidget(banner)
    layout.addWidget(below, 1)
    qtbot.addWidget(page)
    page.resize(700, 400)
    page.show()
    banner.set_scale(scale)
    qtbot.waitExposed(page)
    lines = banner.fontMetrics().lineSpacing()
    assert banner.font().pixelSize() == round(VerdictBanner.FONT_PX * scale)
    short = ("converged", "Converged.")
    long = ("not-converged", "Not converged. " + "JS 0.1234 bits (needs < 0.01), " * 20)
    medium = ("d-not-optimal", "D is at 0.5 but the generator has not matched the data. " * 2)
    geometry = []
    for verdict, text in (short, long, medium, short):
        banner.show_verdict(verdict, text)
        QApplication.processEvents()
        geometry.append((banner.height(), below.y(), below.height()))
        assert banner.full_text == text and text in banner.toolTip()
        shown = banner.text().split("\n")
        assert len(shown) <= 2  # two lines at most, each within the banner's width
        assert all(banner.fontMetrics().horizontalAdvance(line) < banner.width()
                   for line in shown)
    assert len(set(geometry)) == 1, geometry  # the plots below never move
    assert 2 * lines <= geometry[0][0] <= 2 * lines + 2 * 6 * scale + 4
    banner.show_verdict(*long)
    assert banner.text().endswith("…")  # cut, not wrapped onto a hidden third line


def test_the_status_bar_says_where_the_run_is(parts, qtbot):
    presenter, status = parts.presenter, parts.presenter.status
    assert status.iteration.text() == "Loading PyTorch…"
    presenter.take_frame(frame(7, running=True, rate=412.4))
    qtbot.waitUntil(lambda: parts.drawn == [7])
    assert status.iteration.text() == "Iteration 7  (D updates 14, G updates 7)"
    assert status.rate.text() == "412 it/s"
    assert status.device.text() == "CPU, 2 torch threads"
    assert status.fps.text().endswith("frames/s")
    assert parts.pending == [("seed",)]  # the settings waiting for Reset, with the frame
    presenter.take_frame(frame(8, mode="mnist", running=True, rate=2.5))
    qtbot.waitUntil(lambda: parts.drawn == [7, 8])
    assert status.rate.text() == "2.5 it/s, 160 images/s"  # 64 images a batch
    presenter.take_frame(frame(9))
    qtbot.waitUntil(lambda: parts.drawn == [7, 8, 9])
    assert status.rate.text() == "paused"
    assert not status.fps.isVisibleTo(parts.window.statusBar())  # no stale draw rate
    presenter.training = True  # Start pressed; the trainer's frame still says paused
    presenter.take_frame(frame(10))
    qtbot.waitUntil(lambda: parts.drawn == [7, 8, 9, 10])
    assert status.rate.text() == "starting…"
    presenter.take_frame(frame(11, running=True, rate=300.0))
    qtbot.waitUntil(lambda: parts.drawn[-1] == 11)
    assert status.rate.text() == "300 it/s"
    assert status.fps.isVisibleTo(parts.window.statusBar())
    assert status.fps.text().endswith("frames/s")
    status.show_message("hello")
    assert parts.window.statusBar().currentMessage() == "hello"


def test_clearing_asks_each_view_and_forgets_the_evaluations(parts, qtbot):
    presenter = parts.presenter
    presenter.take_frame(frame(1))
    presenter.take_evaluation(evaluation(1))
    assert len(presenter.evaluation_history.as_arrays()["step"]) == 1
    presenter.clear([parts.view, parts.view])
    assert parts.view.cleared == 2
    assert len(presenter.evaluation_history.as_arrays()["step"]) == 0


def test_nothing_is_drawn_once_stopped(parts, qtbot):
    presenter = parts.presenter
    presenter.take_frame(frame(1))
    presenter.stop()
    presenter.take_frame(frame(2))
    qtbot.wait(3 * int(MIN_DRAW_INTERVAL_S * 1000))
    assert parts.drawn == [] and parts.view.frames == []
