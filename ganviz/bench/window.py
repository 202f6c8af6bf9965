"""The window's measurement of ``ganviz bench``: the real app on Qt's offscreen platform.

:func:`window_run` launches ``ganviz --preset NAME --start`` in a fresh process of its own
(:func:`window_main`, instrumented) and reads back the time from its launch to the first
drawn frame, the frames drawn per second, the event loop's lateness (a timer asked to fire
every ``STALL_TICK_MS``) and the peak memory of the window and its trainer process. The
window process is timed from launch: this module's own imports stay light.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from ganviz.core import config, presets

STALL_TICK_MS = 10  # the event-loop probe asks to fire this often
WARM_UP_S = 0.5  # training settles this long before anything is timed
RESULT_PREFIX = "GANVIZ_BENCH_RESULT "  # marks the window process's result line


class WindowError(RuntimeError):
    """The window's process failed or gave no result."""


def window_run(name: str, seconds: float, soak_seconds: float | None = None,
               device: str | None = None) -> dict:
    """Launch the app for ``name`` in a fresh process and measure it (see :func:`window_main`)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-c",
               "import sys, time; t = time.time()\n"
               "from ganviz.bench.window import window_main\n"
               "sys.exit(window_main(t, sys.argv[1:]))",
               name, str(seconds), str(soak_seconds or 0), device or ""]
    timeout = 180 + seconds + (soak_seconds or 0) * 1.5
    launched = time.time()
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True,
                                timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise WindowError(f"{name}: the window gave no result within {timeout:.0f} s") from None
    lines = [line for line in result.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if result.returncode != 0 or not lines:
        lines = result.stderr.strip().splitlines() or ["no output"]
        # The Python error that ended it, if any: a crash in Qt's teardown can come after it.
        errors = [line for line in lines if re.match(r"\w+(Error|Exception): ", line)]
        tail = (errors or lines)[-1]
        raise WindowError(f"{name}: the window process failed (status {result.returncode}): "
                          f"{tail}")
    record = json.loads(lines[-1][len(RESULT_PREFIX):])
    marks = record.pop("marks")
    # Queued after the window's own slot, this mark can come after the first draw.
    marks["frame_received"] = min(marks.get("frame_received", math.inf), marks["first_drawn"])
    # The window first painted with its plots (for 1-D the real density is drawn before the
    # training process has loaded torch); then the first frame of training drawn in it.
    marks.setdefault("window_painted", marks["first_drawn"])
    record["first_frame_s"] = marks["window_painted"] - launched
    record["first_trained_frame_s"] = marks["first_drawn"] - launched
    record["parts"] = {part: round(at - launched, 3) for part, at in marks.items()}
    return record


def window_main(started: float, argv: list[str]) -> int:
    """The window process: ``ganviz --preset NAME --start``, instrumented.

    Prints one line, RESULT_PREFIX + JSON: wall-clock marks (time.time()) of the start-up
    stages, iterations and frames per second while training, the event loop's lateness
    samples (ms), peak memory of this process and the trainer's, and memory growth over
    the soak if one was asked for.
    """
    name, seconds, soak_seconds = argv[0], float(argv[1]), float(argv[2])
    device = argv[3] if len(argv) > 3 else ""
    marks = {"python_ready": started}
    # The same steps as `ganviz --preset NAME --start` (cli._window, then app.main.run_app):
    # the training process starts before Qt is imported.
    preset = presets.get(name)
    overrides = config.validate({"device": config.lookup("device").parse(device)}
                                if device else {}, preset.mode)
    from ganviz.core import remote

    launched = remote.TrainerProcess(preset.name, {**preset.settings(), **overrides})
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication, QGraphicsView

    from ganviz.app.main import prepare_qt
    from ganviz.app.main_window import MainWindow

    prepare_qt()
    # The benchmark's window remembers its preset and geometry on closing, as any window
    # does: into a folder of its own, so that the user's remembered window is untouched.
    settings_folder = tempfile.TemporaryDirectory(prefix="ganviz-bench-settings-")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      settings_folder.name)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("ganviz")
    app.setOrganizationName("ganviz")
    marks["qt_ready"] = time.time()
    window = MainWindow(preset.name, overrides, launched=launched)

    class FirstPaint(QObject):
        """Marks the first time the window's plots are painted on the screen."""

        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.Paint:
                marks.setdefault("window_painted", time.time())
            return False

    first_paint = FirstPaint()
    # The view's plots: its own viewport (1-D, MNIST) or its first plot widget's (2-D).
    view = window.views[window.mode]
    plots = view if isinstance(view, QGraphicsView) else view.findChild(QGraphicsView)
    plots.viewport().installEventFilter(first_paint)
    window.show()
    window.set_running(True)
    marks["window_shown"] = time.time()

    drawn: list[tuple[float, int]] = []

    def on_frame(_frame) -> None:
        marks.setdefault("frame_received", time.time())

    def on_drawn(step: int) -> None:
        marks.setdefault("first_drawn", time.time())
        drawn.append((time.perf_counter(), step))

    window.training_worker.frame_ready.connect(on_frame)
    window.drawn.connect(on_drawn)

    def spin(seconds: float, until: Callable[[], bool] | None = None) -> bool:
        """Run the event loop for ``seconds`` or until ``until()``; returns ``until()``.

        Without a condition nothing polls: a 5 ms poll woke this process 200 times a second
        while training was timed, and each wakeup can take a core from a torch thread (a
        cost the benchmark would have charged to the window). The stall probe's 10 ms timer
        still runs while training is timed: it is the measurement the issue asks for."""
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        if until is None:
            loop.exec()
            return False
        if until():
            return True
        poll = QTimer(interval=5)
        poll.timeout.connect(lambda: until() and loop.quit())
        poll.start()
        loop.exec()
        poll.stop()
        return until()

    def step() -> int:
        frame = window.latest_frame
        return frame.snapshot.step if frame is not None and frame.running else -1

    try:
        if not spin(120, lambda: "first_drawn" in marks):
            raise WindowError("no frame was drawn within 120 s")
        if not spin(60, lambda: step() >= 3 and (
                window.mode == "mnist" or window.latest_evaluation is not None)):
            raise WindowError("training did not start within 60 s")
        spin(WARM_UP_S)

        ticks: list[float] = []
        probe = QTimer(interval=STALL_TICK_MS)
        probe.setTimerType(Qt.TimerType.PreciseTimer)
        probe.timeout.connect(lambda: ticks.append(time.perf_counter()))
        drawn.clear()
        first_step, start = step(), time.perf_counter()
        probe.start()
        spin(seconds)
        probe.stop()
        elapsed = time.perf_counter() - start
        if len(drawn) >= 2:
            its = (drawn[-1][1] - drawn[0][1]) / max(drawn[-1][0] - drawn[0][0], 1e-9)
        else:
            its = (step() - first_step) / elapsed
        late = [max(0.0, (b - a) * 1000.0 - STALL_TICK_MS) for a, b in itertools.pairwise(ticks)]
        record = {"its": its, "fps": len(drawn) / elapsed,
                  "lateness_ms": [round(x, 2) for x in late], "rss_growth_mb": None}
        if soak_seconds > 0:
            record["rss_growth_mb"] = _soak(spin, soak_seconds)
        record["rss_mb"] = (_peak_rss_mb(os.getpid()) or 0.0) + (
            _peak_rss_mb(_trainer_pid()) or 0.0)
        record["marks"] = marks
    finally:
        # Closing while training: the window must be gone, trainer and threads with it,
        # within a second (the trainer is killed if it does not answer in time).
        closing = time.perf_counter()
        window.close()
        close_s = time.perf_counter() - closing
    record["close_s"] = round(close_s, 3)
    print(RESULT_PREFIX + json.dumps(record), flush=True)
    return 0


def _soak(spin: Callable[[float], bool], seconds: float) -> float:
    """Memory growth (MB) of the window and its trainer while training for ``seconds``.

    Measured from a baseline taken a tenth into the run (at most a minute): by then
    buffers that legitimately fill up once (histories reaching their capacity, caches)
    have mostly done so.
    """
    start = time.perf_counter()
    baseline_at = min(60.0, seconds / 10)
    spin(baseline_at)
    baseline = _rss_now_mb()
    while (left := seconds - (time.perf_counter() - start)) > 0:
        spin(min(10.0, left))
    return _rss_now_mb() - baseline


def _trainer_pid() -> int | None:
    import multiprocessing

    children = [p for p in multiprocessing.active_children() if p.name == "ganviz-trainer"]
    return children[0].pid if children else None


def _proc_status_mb(pid: int | None, field: str) -> float | None:
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0  # kB
    except OSError:
        return None
    return None


def _peak_rss_mb(pid: int | None) -> float | None:
    """Peak resident memory of ``pid`` (Linux); elsewhere this process's own peak only."""
    peak = _proc_status_mb(pid, "VmHWM")
    if peak is None and pid == os.getpid():
        import resource

        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak = maxrss / 1024.0 / (1024.0 if sys.platform == "darwin" else 1.0)
    return peak


def _rss_now_mb() -> float:
    return sum(_proc_status_mb(pid, "VmRSS") or 0.0 for pid in (os.getpid(), _trainer_pid()))
