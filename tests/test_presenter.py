"""The presenter with fake frames and a fake view: no training process, no plots."""

import time
from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QMainWindow

from ganviz.app.presenter import MIN_DRAW_INTERVAL_S, VERDICT_COLOURS, Presenter
from ganviz.core.protocol import Frame, Snapshot


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


def evaluation(step: int, mode: str = "1d", verdict: str = "not-converged"):
    return SimpleNamespace(step=step, mode=mode, verdict=verdict, js_bits=0.1, value=-1.3,
                           verdict_text=f"Verdict at {step}: {verdict}")


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
    presenter.take_evaluation(evaluation(4, verdict="converged"))
    qtbot.waitUntil(lambda: banner.text() == "Verdict at 4: converged")
    background, colour = VERDICT_COLOURS["converged"]
    assert background in banner.styleSheet() and colour in banner.styleSheet()
    presenter.take_frame(frame(5, mode="2d"))
    presenter.take_evaluation(evaluation(5, mode="2d", verdict="d-not-optimal"))
    qtbot.waitUntil(lambda: parts.view.evaluations == [4, 5])
    assert banner.text() == "Verdict at 4: converged"  # 2-D evaluations have no verdict


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
