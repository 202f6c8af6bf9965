"""Closing the window ends the training process cleanly: asked to stop, it exits by
itself (exit status 0) rather than being killed, and within the close's time limit."""

import time


def test_closing_lets_the_trainer_exit_by_itself(open_window, qtbot):
    window = open_window("gaussian", {})
    window.set_running(True)
    qtbot.wait(300)
    process = window.training_worker._process
    started = time.perf_counter()
    window.close()
    closing_s = time.perf_counter() - started
    assert not process.is_alive()
    assert process.exitcode == 0, f"the trainer was killed (exit status {process.exitcode})"
    assert closing_s < 8.5


def test_a_trainer_that_does_not_answer_is_killed_in_time(open_window, qtbot):
    import os
    import signal

    window = open_window("gaussian", {})
    process = window.training_worker._process
    os.kill(process.pid, signal.SIGSTOP)  # frozen: it will never read Stop
    started = time.perf_counter()
    window.training_worker.stop(timeout_ms=1000)
    stopping_s = time.perf_counter() - started
    assert not process.is_alive()
    assert process.exitcode == -signal.SIGKILL
    assert stopping_s < 2.5
