"""Shared test set-up: offscreen Qt, one torch thread, and no thread left behind."""

import os
import sys
import tempfile

import pytest
import torch

from ganviz.app.main import prepare_qt  # imports no Qt

# Before any Qt import: tests never need a screen, and never read or write the user's
# remembered window state (QSettings' INI file lives under $XDG_CONFIG_HOME).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="ganviz-test-config-")
prepare_qt()  # as the app does: Qt paints in the GUI thread only

# The suite's training loops are tiny: one intra-op thread each, as in the app. Two
# threads per torch user on two cores made such loops 5-50x slower here.
torch.set_num_threads(1)


@pytest.fixture
def open_window(qtbot):
    """Opens a window with its first frame: ``open_window(preset, overrides, ...)`` takes
    MainWindow's arguments, shows the window and waits until the trainer's first frame has
    arrived. Each window is closed at teardown, which stops its threads and its trainer."""

    def open_(*args, **kwargs):
        from ganviz.app.main_window import MainWindow

        window = MainWindow(*args, **kwargs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.latest_frame is not None, timeout=20_000)
        return window

    return open_


@pytest.fixture(autouse=True)
def deadlock_watchdog():
    """Print every thread's stack and end the run if a test takes 10 minutes. A C thread
    of faulthandler's, needing no GIL: pytest-timeout could not fire when the GUI thread,
    holding the GIL, waited for a Qt mutex that a worker thread held while it waited for
    the GIL (seen once in a CI run here, in a window test)."""
    import faulthandler

    faulthandler.dump_traceback_later(600, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(autouse=True)
def no_thread_left_behind(monkeypatch):
    """Fail any test that leaves one of the app's threads running (as napari's suite does).

    Core tests never import Qt; this only watches threads when the app is loaded.
    """
    if "ganviz.app.worker" not in sys.modules:
        yield
        return
    from ganviz.app import worker

    started = []
    for cls in (worker.ProcessRelay, worker.EvaluationWorker):  # trainers, comparisons
        original = cls.start

        def tracking_start(self, *args, _original=original):
            started.append(self)
            return _original(self, *args)

        monkeypatch.setattr(cls, "start", tracking_start)
    yield
    running = [thread for thread in started if _is_running(thread)]
    assert not running, f"threads still running after the test: {running}"


def _is_running(thread) -> bool:
    try:
        return thread.isRunning()
    except RuntimeError:  # the C++ object is already gone, so is its thread
        return False
