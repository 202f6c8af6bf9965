"""The two threads behind the window: one drives the trainer, one turns weights into curves.

Neither touches a widget, nor Qt at all (:mod:`ganviz.app.background` says why). The GUI
thread sends intents through the small thread-safe API of :class:`TrainingWorker` (start,
pause, step, settings, reset, stop); results come back as plain numpy, handed to the GUI
thread, which emits them as signals. The trainer itself runs in a child process
(:mod:`ganviz.core.remote` says why); the training thread here starts it, passes it the
commands and emits what it sends back. Both threads keep at most one result in flight, so
a busy GUI never makes them compute frames it would only throw away.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
import traceback

import numpy as np
from PySide6.QtCore import Signal

from ganviz.app.background import BackgroundThread
from ganviz.core import protocol, remote, runtime
from ganviz.core.protocol import Frame
from ganviz.core.remote import FRAME_INTERVAL_S

__all__ = ["FRAME_INTERVAL_S", "EvaluationWorker", "Frame", "TrainingWorker"]


# A trainer told to stop gets this long to exit by itself before it is killed. It finishes
# its iteration, answers, and unwinds torch; a kill could cut a session save in half. On a
# loaded 2-core machine the whole took 3.5 s (2.0 s to answer, 1.5 s to exit).
STOP_TIMEOUT_MS = 8000


class ProcessRelay(BackgroundThread):
    """A child process driven by typed messages: commands go out from a sender thread,
    results come back on this thread and are emitted as signals on the GUI thread
    (subclasses map each result type to its signal in ``_relay``). Failed and Stopped end
    the relay."""

    failed = Signal(str)

    def __init__(self, launched, results: tuple[type, ...], parent=None) -> None:
        """``launched``: the process with its ``commands`` and ``results`` pipe ends;
        ``results``: the message types it may send."""
        super().__init__(parent, name="ganviz-results")
        self._commands = launched.commands
        self._results = launched.results
        self._process = launched.process
        self._allowed = results
        # Commands go out from a thread of their own: a pipe write blocks once the pipe
        # holds 64 KiB the child has not read (a long iteration, a child stuck in a write
        # of its own), and the window must never wait on a child.
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._sender = threading.Thread(target=self._send_commands, name="ganviz-commands",
                                        daemon=True)
        self._sender.start()
        self._stopping = False
        self._relay: dict[type, object] = {}

    def stop(self, timeout_ms: int = STOP_TIMEOUT_MS) -> bool:
        """Stop the child after its current iteration; both are gone when this returns.

        A child that has not exited within ``timeout_ms`` (frozen, say) is killed.
        """
        self._stopping = True
        deadline = time.monotonic() + timeout_ms / 1000.0
        self._send(protocol.Stop())
        if self.isRunning():
            self.wait(timeout_ms)
        # The relay ends when Stopped arrives, while the process is still unwinding
        # (closing its pipes, torch's exit): the process gets the rest of the time to exit
        # by itself, and only then is killed.
        self._process.join(max(0.0, deadline - time.monotonic()))
        if self._process.is_alive():
            self._process.kill()  # the relay thread then reads end-of-file and returns
        finished = self.wait(5000)
        if self._process.pid is not None:
            self._process.join(5.0)
        self._outbox.put(None)  # the sender's end (a kill above unblocked its write)
        self._sender.join(5.0)
        return finished

    def _send(self, message: object) -> None:
        self._outbox.put(message)

    def _send_commands(self) -> None:
        """The sender thread: each command in the order given, until None."""
        while (message := self._outbox.get()) is not None:
            # If the process has ended, failed() has told the window why: nothing to send
            # to, and what is still queued is dropped.
            with contextlib.suppress(BrokenPipeError, OSError):
                self._commands.send(message)

    def run(self) -> None:
        try:
            while True:
                try:
                    message = self._results.recv()
                except EOFError:
                    if not self._stopping:
                        self.post(self.failed.emit, "the training process ended unexpectedly")
                    return
                try:
                    result = protocol.check_message(message, self._allowed)
                except protocol.ProtocolError as error:
                    self._abandon()
                    self.post(self.failed.emit, f"the training process sent {error}")
                    return
                self.post(self._relay[type(result)], result)
                if isinstance(result, (protocol.Failed, protocol.Stopped)):
                    return  # nothing follows either
        except Exception:
            self._abandon()
            self.post(self.failed.emit, traceback.format_exc(limit=3).strip().splitlines()[-1])

    def _abandon(self) -> None:
        """A child whose results can no longer be read is killed: left alone it would
        block for ever writing its next result, and stop reading commands."""
        if self._process.is_alive():
            self._process.kill()


class TrainingWorker(ProcessRelay):
    """Owns the training process; relays commands to it and results from it."""

    frame_ready = Signal(object)  # Frame
    narrated = Signal(object)  # protocol.Narrated: slow motion's iteration, taken apart
    explored = Signal(object)  # protocol.Explored: the latent explorer's digits
    settings_rejected = Signal(str)
    notice = Signal(str)  # what a change did (an optimiser's state restarted, say)
    diverged = Signal(str, int)  # what went NaN/Inf and where; iteration of the kept state
    # preset, settings and 2-D custom points ((points, description) or None) of the run a
    # session brought
    session_loaded = Signal(str, dict, object)
    session_failed = Signal(str)  # why a session was not opened (the run goes on)

    def __init__(self, preset: str, settings: dict, frame_interval: float = FRAME_INTERVAL_S,
                 parent=None, data_dir: str | None = None,
                 launched: remote.TrainerProcess | None = None, custom=None) -> None:
        """Relay for ``launched`` (a training process started earlier), or for a new one
        (given the 2-D ``custom`` data as (points, description), if any)."""
        if launched is None:
            launched = remote.TrainerProcess(preset, settings, frame_interval, data_dir,
                                             custom=custom)
        super().__init__(launched, protocol.RESULTS, parent)
        # Each result's signal; Failed and Stopped also end the relay.
        self._relay = {
            Frame: self.frame_ready.emit,
            protocol.Narrated: self.narrated.emit,
            protocol.Explored: self.explored.emit,
            protocol.Rejected: lambda r: self.settings_rejected.emit(r.message),
            protocol.Notice: lambda r: self.notice.emit(r.message),
            protocol.Diverged: lambda r: self.diverged.emit(r.message, r.kept_step),
            protocol.Loaded: lambda r: self.session_loaded.emit(r.preset, r.settings, r.custom),
            protocol.LoadFailed: lambda r: self.session_failed.emit(r.message),
            protocol.Failed: lambda r: self.failed.emit(r.message),
            protocol.Stopped: lambda r: None,
        }

    # ------------------------------------------------------------ API for the GUI thread
    def set_running(self, running: bool) -> None:
        self._send(protocol.Run(bool(running)))

    def request_step(self) -> None:
        """One iteration, if paused (ignored while running)."""
        self._send(protocol.Step())

    def request_narrated_step(self) -> None:
        """Slow motion: the next iteration, if paused, answered taken apart (Narrated)."""
        self._send(protocol.Narrate())

    def request_explore(self, cells: tuple, point: tuple = (0.0, 0.0)) -> None:
        """MNIST's latent explorer: the digits between two grid cells, or one cell's
        moved to ``point`` on the pad (answered by ``explored``, running or not)."""
        self._send(protocol.Explore(tuple(int(c) for c in cells),
                                    tuple(float(v) for v in point)))

    def request_network_step(self, network: str) -> None:
        """One update of D ("d") or G ("g") alone, if paused."""
        self._send(protocol.StepNetwork(network))

    def request_points(self, points, description: str) -> None:
        """The 2-D custom dataset: float32 (N, 2) points in data units."""
        self._send(protocol.SetPoints(np.asarray(points), description))

    def request_save(self, path: str, with_timeline: bool = True) -> None:
        """Save the whole run to ``path`` (a notice or a rejection comes back)."""
        self._send(protocol.Save(str(path), with_timeline))

    def request_load(self, path: str) -> None:
        """Replace the run by the session in ``path``, or keep it if that fails."""
        self._send(protocol.Load(str(path)))

    def request_restore(self) -> None:
        """Go back to the last state kept while the losses were finite."""
        self._send(protocol.Restore())

    def request_settings(self, changes: dict) -> None:
        self._send(protocol.ChangeSettings(dict(changes)))

    def request_pretrain(self, steps: int) -> None:
        """Fit D to the real pdf now (1-D: S1's D_pre), then go on as before."""
        self._send(protocol.Pretrain(int(steps)))

    def request_reset(self, preset: str, settings: dict, data_dir: str | None = None) -> None:
        """New networks for ``preset`` with ``settings`` (MNIST: from ``data_dir``)."""
        self._send(protocol.Reset(preset, dict(settings),
                                  None if data_dir is None else str(data_dir)))

    def request_view_at(self, step: int | None) -> None:
        self._send(protocol.ViewAt(step))

    def request_branch(self, step: int) -> None:
        self._send(protocol.BranchHere(step))

    def request_switch_branch(self, number: int) -> None:
        self._send(protocol.SwitchBranch(number))

    def frame_consumed(self) -> None:
        self._send(protocol.Consumed())


# Densities are re-estimated at most this often. Each estimate runs 40,000 samples through
# two generators and D: at the 30 frames/s the trainer sends it took 0.43 of a core (measured
# by `ganviz bench`), which the training process then lacked; a histogram refreshed 12
# times a second still moves smoothly.
EVALUATION_RATE_HZ = 12
# The 2-D view's points move with every evaluation, so it gets more of them: one costs
# ~10 ms (D on a 64 x 64 grid, 2,500 generator samples, 500 gradients).
EVALUATION_RATE_2D_HZ = 25


class EvaluationWorker(BackgroundThread):
    """Turns the newest model state into densities and D(x), on its own thread.

    The 20,000-sample density estimate costs several milliseconds; here it runs on the
    core the training process does not use, at most ``EVALUATION_RATE_HZ`` times a second.
    Only the newest state is kept: states that arrive in between replace each other.
    """

    # An Evaluation (1-D) or Evaluation2D, and the tag its state was submitted with.
    evaluated = Signal(object, object)
    failed = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, name="ganviz-evaluation")
        # A Python condition, not a QMutex: the GUI thread holds the GIL when it submits,
        # and a QMutex taken there could wait on this thread waiting for the GIL.
        self._wake = threading.Condition()
        # The newest state of each kind waiting: "past" (a moment the timeline shows, the
        # user waits for it: first) and "live"; each is (state, tag).
        self._pending: dict[str, tuple] = {}
        self._abort = False

    def submit(self, model_state, tag=None) -> None:
        """Evaluate ``model_state`` when the rate allows, unless a newer state replaces it
        first; ``tag`` comes back with its evaluation (the window's: which branch, and
        which moment of it; a past moment's does not replace a live state waiting)."""
        kind = "past" if isinstance(tag, tuple) and tag[1] is not None else "live"
        with self._wake:
            self._pending[kind] = (model_state, tag)
            self._wake.notify_all()

    def stop(self, timeout_ms: int = 5000) -> bool:
        with self._wake:
            self._abort = True
            self._wake.notify_all()
        return self.wait(timeout_ms)

    def run(self) -> None:
        try:
            runtime.configure_threads("1d")
            from ganviz.core.toy1d.evaluation import Evaluator
            from ganviz.core.toy2d.evaluation import Evaluator2D
            from ganviz.core.toy2d.state import Toy2DState

            evaluator, evaluator_2d = Evaluator(), Evaluator2D()
            last_start = -1000.0
            while True:
                with self._wake:
                    while not self._abort:
                        kind = "past" if "past" in self._pending else "live"
                        planar = isinstance(self._pending.get(kind, (None,))[0], Toy2DState)
                        rate = EVALUATION_RATE_2D_HZ if planar else EVALUATION_RATE_HZ
                        rest = last_start + 1.0 / rate - time.monotonic()
                        if not self._pending:
                            self._wake.wait()
                        elif rest > 0:  # too soon after the last one: wait, newer may come
                            self._wake.wait(rest)
                        else:
                            break
                    if self._abort:
                        return
                    state, tag = self._pending.pop(kind)
                last_start = time.monotonic()
                chosen = evaluator_2d if isinstance(state, Toy2DState) else evaluator
                self.post(self.evaluated.emit, chosen.evaluate(state), tag)
        except Exception:
            self.post(self.failed.emit, traceback.format_exc(limit=3).strip().splitlines()[-1])
