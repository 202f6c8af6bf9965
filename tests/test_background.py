"""Worker threads hand results to the GUI thread in order, without emitting Qt signals."""

from __future__ import annotations

import threading

from PySide6.QtCore import Signal

from ganviz.app.background import BackgroundThread


class Counter(BackgroundThread):
    counted = Signal(int, object)  # the number, the thread that emitted it

    def __init__(self, count: int) -> None:
        super().__init__(name="test-counter")
        self.count = count
        self.worker_ident = None

    def run(self) -> None:
        self.worker_ident = threading.get_ident()
        for number in range(self.count):
            self.post(lambda n: self.counted.emit(n, threading.get_ident()), number)


def test_results_arrive_in_order_on_the_gui_thread(qtbot):
    # 20,000 posts overflow the wake-up socket's buffer many times over: none is lost.
    counter = Counter(20_000)
    received = []
    counter.counted.connect(lambda n, ident: received.append((n, ident)))
    counter.start()
    assert counter.wait(10_000) and not counter.isRunning()
    qtbot.waitUntil(lambda: len(received) == 20_000, timeout=10_000)
    assert [n for n, _ in received] == list(range(20_000))
    gui = threading.get_ident()
    assert {ident for _, ident in received} == {gui} and counter.worker_ident != gui


def test_nothing_is_delivered_until_the_gui_thread_runs_its_events(qtbot):
    counter = Counter(3)
    received = []
    counter.counted.connect(lambda n, _ident: received.append(n))
    counter.start()
    counter.wait(5_000)
    assert received == []  # the worker never called into Qt
    qtbot.waitUntil(lambda: received == [0, 1, 2], timeout=5_000)


def test_wait_before_start_and_a_second_start():
    counter = Counter(1)
    assert counter.wait(10) and not counter.isRunning()
    counter.start()
    counter.start()  # ignored while running, as QThread's
    assert counter.wait(5_000)


def test_a_failing_delivery_does_not_hold_back_the_results_behind_it(qtbot):
    class Failing(Counter):
        def run(self) -> None:
            def broken() -> None:
                raise RuntimeError("a delivery's bug")

            self.post(broken)
            super().run()

    counter = Failing(2)
    received = []
    counter.counted.connect(lambda n, _ident: received.append(n))
    counter.start()
    counter.wait(5_000)
    qtbot.waitUntil(lambda: received == [0, 1], timeout=5_000)
