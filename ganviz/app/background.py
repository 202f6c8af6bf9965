"""Work on a Python thread that hands its results to the GUI thread without touching Qt.

A Qt signal emitted from a worker thread takes Qt's connection locks and then asks for the
GIL (PySide looks up Python overrides), while the GUI thread may hold the GIL and wait for
those very locks (PySide keeps the GIL in some calls, ``QObject::connect`` among them): a
CI run here hung for good that way. So the threads behind the window are plain Python
threads and never call Qt: a result is put in a Python queue, and one byte written to a
socket wakes the GUI thread, whose ``QSocketNotifier`` delivers the queue's results there.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import traceback

from PySide6.QtCore import QObject, QSocketNotifier

__all__ = ["BackgroundThread"]


class BackgroundThread(QObject):
    """A thread with QThread's small API (``start``, ``isRunning``, ``wait``) whose
    ``run`` hands results to the GUI thread with ``post``. Subclasses implement ``run``."""

    def __init__(self, parent=None, name: str = "ganviz-worker") -> None:
        super().__init__(parent)
        self._name = name
        self._thread: threading.Thread | None = None
        self._outgoing: queue.SimpleQueue = queue.SimpleQueue()
        # The sockets close when this object is collected, which the thread's reference
        # to it prevents while the thread runs: a write never reaches a reused descriptor.
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._wake_writer.setblocking(False)
        self._notifier = QSocketNotifier(self._wake_reader.fileno(),
                                         QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._deliver)

    def run(self) -> None:  # pragma: no cover - every subclass has its own
        raise NotImplementedError

    def start(self) -> None:
        if self.isRunning():
            return
        self._thread = threading.Thread(target=self.run, name=self._name, daemon=True)
        self._thread.start()

    def isRunning(self) -> bool:  # QThread's name, which callers use
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout_ms: int | None = None) -> bool:
        """Wait for the thread to end, at most ``timeout_ms``; True once it has."""
        if self._thread is None:
            return True
        self._thread.join(None if timeout_ms is None else timeout_ms / 1000.0)
        return not self._thread.is_alive()

    def post(self, deliver, *args) -> None:
        """From the worker thread: call ``deliver(*args)`` on the GUI thread, in order."""
        self._outgoing.put((deliver, args))
        # A full socket already holds a wake-up the GUI thread has not read: enough.
        with contextlib.suppress(BlockingIOError, OSError):
            self._wake_writer.send(b"\0")

    def _deliver(self, *_notifier_args) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            while self._wake_reader.recv(4096):
                pass
        while True:
            try:
                deliver, args = self._outgoing.get_nowait()
            except queue.Empty:
                return
            try:
                deliver(*args)
            except Exception:  # a failing slot must not hold back the results behind it
                traceback.print_exc()
