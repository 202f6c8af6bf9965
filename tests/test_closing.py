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


def test_the_window_never_waits_on_a_trainer_that_does_not_read(open_window, qtbot):
    """Commands to a frozen trainer pile up beyond what its pipe holds (64 KiB): each call
    still returns at once, and the trainer, thawed, answers the last one."""
    import os
    import signal

    window = open_window("gaussian", {})
    worker = window.training_worker
    os.kill(worker._process.pid, signal.SIGSTOP)
    started = time.perf_counter()
    for index in range(3000):  # ~150 bytes each: several times the pipe's capacity
        worker.request_settings({"lr_d": 1e-4 + index * 1e-8})
    sending_s = time.perf_counter() - started
    os.kill(worker._process.pid, signal.SIGCONT)
    assert sending_s < 5.0, sending_s  # a blocked write would never have returned
    last = 1e-4 + 2999 * 1e-8
    qtbot.waitUntil(lambda: window.latest_frame.snapshot.settings["lr_d"] == last,
                    timeout=60_000)
