"""The timeline in the window: a past moment shown in every view while the run goes on,
its evaluation kept off the curves, a branch from it with the old run drawn faded, and a
switch back to where the first branch was left."""

import pytest
from PySide6.QtCore import Qt


def _frame(window):
    return window.latest_frame


def _steps(window):
    return list(window.presenter.evaluation_history.as_arrays()["step"])


def test_view_a_past_moment_branch_from_it_and_switch_back(open_window, qtbot):
    window = open_window("gaussian")
    bar = window.timeline_bar
    window.set_running(True)
    qtbot.waitUntil(lambda: _frame(window) is not None and _frame(window).snapshot.step > 400
                    and window.latest_evaluation is not None, timeout=40_000)
    window.set_running(False)
    qtbot.waitUntil(lambda: not _frame(window).running, timeout=10_000)
    qtbot.wait(500)  # the last frames and evaluations of the run
    live = _frame(window).timeline.live_step
    qtbot.waitUntil(lambda: bar.track.live_step == live and _steps(window)[-1] == live,
                    timeout=5_000)
    assert {0, 50, 100, 150} <= set(bar.track.steps)
    assert not bar.live_button.isEnabled() and not bar.branch_button.isEnabled()
    assert bar.where.text() == f"live · iteration {live:,}"
    evaluated = _steps(window)
    assert evaluated and evaluated[-1] <= live

    # A click on the tick at 100: every view shows iteration 100, judged on its own.
    bar.track.choose(100)
    qtbot.waitUntil(lambda: window.latest_evaluation.step == 100, timeout=10_000)
    qtbot.waitUntil(lambda: "viewing iteration 100" in bar.where.text(), timeout=5_000)
    assert _frame(window).snapshot.step == 100 and _frame(window).timeline.live_step == live
    assert bar.live_button.isEnabled() and bar.branch_button.isEnabled()
    assert _steps(window) == evaluated  # a past evaluation is not a point of the curves
    # the banner follows at the next draw (at most 60 a second)
    qtbot.waitUntil(lambda: window.verdict_label.full_text.startswith(
        "Iteration 100 (the past): "), timeout=5_000)
    for marks in window.toy1d.past:  # the moment marked on every curve over iterations
        assert marks.moment.isVisible() and marks.moment.value() == 100
    assert "viewing the past" in window.status.iteration.text()

    # Arrow keys step from snapshot to snapshot.
    bar.track.setFocus()
    qtbot.keyClick(bar.track, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: window.latest_evaluation.step == 150, timeout=10_000)
    qtbot.keyClick(bar.track, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: window.latest_evaluation.step == 100, timeout=10_000)
    window.live_action.trigger()  # L, from anywhere: live again
    qtbot.waitUntil(lambda: _frame(window).timeline.viewing is None, timeout=10_000)
    bar.track.choose(100)
    qtbot.waitUntil(lambda: window.latest_evaluation.step == 100, timeout=10_000)

    # Branch from 100: live goes on from there; the first run is kept, drawn faded.
    bar.branch_button.click()
    qtbot.waitUntil(lambda: len(_frame(window).timeline.branches) == 2
                    and _frame(window).timeline.viewing is None, timeout=10_000)
    timeline = _frame(window).timeline
    main = next(b.number for b in timeline.branches if b.parent is None)
    assert timeline.current != main and timeline.live_step == 100
    qtbot.waitUntil(lambda: bar.branches.isVisible() and bar.branches.count() == 2,
                    timeout=5_000)
    assert max(_steps(window)) <= 100  # the curves of what the branch shares with main
    faded = [item for item in window.toy1d.past[0]._faded if item.isVisible()]
    assert len(faded) == 2  # main's two losses
    assert faded[0].getData()[0][-1] >= live - 50
    assert not any(marks.moment.isVisible() for marks in window.toy1d.past)
    for _ in range(3):
        window.step_once()
    qtbot.waitUntil(lambda: _frame(window).snapshot.step >= 103, timeout=10_000)

    # Back to main: exactly where it was left, its curves as they were.
    bar.branch_switched.emit(main)
    qtbot.waitUntil(lambda: _frame(window).timeline.current == main
                    and _frame(window).snapshot.step == live, timeout=10_000)
    qtbot.wait(300)
    steps = _steps(window)
    assert steps[-1] == live and steps[:len(evaluated)] == evaluated, (steps, evaluated, live)
    assert bar.branches.currentData() == main


def test_replay_writes_one_frame_per_snapshot_without_training_again(open_window, qtbot,
                                                                     tmp_path):
    from PIL import Image

    window = open_window("gaussian")
    qtbot.waitUntil(lambda: _frame(window) is not None, timeout=20_000)
    window.set_running(True)
    qtbot.waitUntil(lambda: _frame(window).snapshot.step > 160, timeout=30_000)
    window.set_running(False)
    qtbot.waitUntil(lambda: not _frame(window).running, timeout=10_000)
    live = _frame(window).timeline.live_step
    steps = [0, 50, 100, 150]
    replay = window.files.export_replay(str(tmp_path / "replay.gif"), steps)
    messages = []
    replay.finished.connect(messages.append)
    qtbot.waitUntil(lambda: replay.done, timeout=60_000)
    assert messages and messages[0].startswith("Replay of 4 snapshots saved to replay.gif")
    with Image.open(tmp_path / "replay.gif") as gif:
        assert gif.n_frames == 4
        pictures = []
        for index in range(4):
            gif.seek(index)
            pictures.append(gif.convert("L").tobytes())
    assert len(set(pictures)) == 4  # each moment looks different
    qtbot.waitUntil(lambda: _frame(window).timeline.viewing is None, timeout=5_000)
    assert _frame(window).snapshot.step == live  # nothing trained; the views back live


def test_a_session_saved_with_or_without_its_timeline(open_window, qtbot, tmp_path):
    from ganviz.core import session

    window = open_window("gaussian")
    window.set_running(True)
    qtbot.waitUntil(lambda: _frame(window) is not None and _frame(window).snapshot.step > 260,
                    timeout=30_000)
    window.set_running(False)
    full, small = tmp_path / "full.ganviz", tmp_path / "small.ganviz"
    window.save_session(str(full))
    window.save_session(str(small), with_timeline=False)
    qtbot.waitUntil(lambda: full.exists() and small.exists(), timeout=20_000)
    assert small.stat().st_size * 3 < full.stat().st_size
    kept = session.read(str(full))["timeline"]
    assert kept is not None and session.read(str(small)).get("timeline") is None


def test_the_coach_line_names_the_problem_and_applies_its_suggestion(open_window, qtbot):
    window = open_window("strong-d")
    window.set_running(True)
    line = window.coach_line
    qtbot.waitUntil(lambda: line.diagnosis is not None
                    and line.diagnosis.name == "vanishing-gradient", timeout=60_000)
    assert "vanishing-gradient" in line.label.text() and line.apply_button.isVisible()
    assert line.label.full_text.startswith("Coach · vanishing-gradient: G's gradient")
    assert line.apply_button.text() == "Try loss = nonsaturating"
    assert "nonsaturating" in line.label.toolTip()
    line.apply_button.click()
    qtbot.waitUntil(lambda: window.settings["loss"] == "nonsaturating", timeout=10_000)
    assert window.controls.editors["loss"].value() == "nonsaturating"
    window.set_running(False)
    window.reset()
    qtbot.waitUntil(lambda: line.diagnosis is None, timeout=10_000)


@pytest.mark.parametrize("preset", ["gaussian", "ring8"])
def test_the_live_run_is_still_evaluated_while_a_past_moment_is_shown(open_window, qtbot,
                                                                      preset):
    window = open_window(preset)
    failures = []
    window.evaluation_worker.failed.connect(failures.append)
    window.set_running(True)
    qtbot.waitUntil(lambda: _frame(window) is not None and _frame(window).snapshot.step > 300
                    and window.latest_evaluation is not None, timeout=40_000)
    window.timeline_bar.track.choose(100)
    qtbot.waitUntil(lambda: window.latest_evaluation.step == 100, timeout=10_000)
    since = _steps(window)[-1]
    # Training goes on: the JS curve and the coach follow the live run, the views stay.
    qtbot.waitUntil(lambda: _steps(window)[-1] > since + 300, timeout=20_000)
    assert window.latest_evaluation.step == 100 and _frame(window).timeline.viewing == 100
    if preset == "gaussian":
        assert window.verdict_label.full_text.startswith("Iteration 100 (the past)")
    assert window.coach_line.diagnosis is not None and not failures
    window.set_running(False)
