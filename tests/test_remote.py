"""The training process's loop (core/remote.py), run in a thread of the test's process."""

import threading
import time
from multiprocessing import Pipe

from ganviz.core import presets, protocol, remote
from ganviz.core.trainer import Trainer

ITERATION_S = 0.03  # an MNIST-like iteration, from a toy slowed down


def _run_slow_trainer(monkeypatch, frame_interval: float, seconds: float) -> tuple[int, int]:
    """Frames received and iterations trained while running for ``seconds``, each frame
    acknowledged at once (a window that keeps up)."""
    step = Trainer.step

    def slow_step(self, *args, **kwargs):
        time.sleep(ITERATION_S)
        return step(self, *args, **kwargs)

    monkeypatch.setattr(Trainer, "step", slow_step)
    commands, trainer_commands = Pipe()
    trainer_results, results = Pipe()
    settings = presets.get("gaussian").settings()
    thread = threading.Thread(target=remote.serve, daemon=True, args=(
        trainer_commands, trainer_results, "gaussian", settings, frame_interval))
    thread.start()
    try:
        assert results.poll(60), "no first frame"
        assert isinstance(results.recv(), protocol.Frame)
        commands.send(protocol.Consumed())
        commands.send(protocol.Run(True))
        frames, first_step, last_step = 0, None, None
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            if not results.poll(0.5):
                continue
            frame = results.recv()
            if not isinstance(frame, protocol.Frame):
                continue
            commands.send(protocol.Consumed())
            if frame.running:
                frames += 1
                first_step = frame.snapshot.step if first_step is None else first_step
                last_step = frame.snapshot.step
    finally:
        commands.send(protocol.Stop())
        thread.join(10)
    assert not thread.is_alive()
    return frames, last_step - first_step


def test_frames_keep_their_rate_when_an_iteration_is_most_of_the_interval(monkeypatch):
    # 30 ms iterations, a frame wanted every 45 ms: on a schedule that is 2 frames per 3
    # iterations. Sending only once a whole interval had passed since the last frame gave
    # one frame per 2 iterations, and so did training on while the acknowledgement of
    # the previous frame waited unread (MNIST drew 18 frames/s instead of 22-30).
    frames, iterations = _run_slow_trainer(monkeypatch, 0.045, seconds=4.0)
    assert iterations >= 25
    assert frames / iterations > 0.58, (frames, iterations)


def test_frames_are_not_sent_faster_than_asked(monkeypatch):
    frames, iterations = _run_slow_trainer(monkeypatch, 0.1, seconds=2.0)
    assert iterations >= 20
    assert frames / iterations < 0.45, (frames, iterations)  # 0.3 on schedule


def test_a_malformed_command_ends_the_process_with_a_clear_failure():
    commands, trainer_commands = Pipe()
    trainer_results, results = Pipe()
    thread = threading.Thread(target=remote.serve, daemon=True, args=(
        trainer_commands, trainer_results, "gaussian", presets.get("gaussian").settings()))
    thread.start()
    assert results.poll(60) and isinstance(results.recv(), protocol.Frame)
    commands.send(("settings",))  # the old tuple protocol
    thread.join(10)
    assert not thread.is_alive()
    failure = results.recv()
    assert isinstance(failure, protocol.Failed)
    assert "unknown message ('settings',)" in failure.message
