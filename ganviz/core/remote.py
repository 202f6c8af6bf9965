"""The trainer in a child process, driven by messages: how the window trains.

Why a process: PySide holds Python's GIL while pyqtgraph paints, and torch hands the GIL
back and forth around every operation, dozens of times per training iteration. Sharing a
process, the training thread waited behind every repaint and trained at a fraction of its
headless rate. In its own process the trainer keeps a core to itself and the window draws
on the other.

Two one-way pipes carry the typed messages of :mod:`ganviz.core.protocol` (commands in,
results out). This module only decodes a command and calls the
:class:`~ganviz.core.controller.Controller` method that handles it; the run itself, its
frame pacing and its divergence rules live there. Nothing here imports Qt.
"""

from __future__ import annotations

import contextlib
import traceback
from multiprocessing.connection import Connection

from ganviz.core import presets, protocol
from ganviz.core.controller import FRAME_INTERVAL_S, Controller
from ganviz.core.protocol import Frame  # noqa: F401  (the relay's historical import)


class TrainerProcess:
    """The training process and both ends of its pipes, started at once.

    The window starts it before it imports Qt and builds itself (see ``ganviz``'s
    command line): importing torch in the child is the longest wait before a first frame,
    and it then overlaps with the window's own start.
    """

    def __init__(self, preset: str, settings: dict, frame_interval: float = FRAME_INTERVAL_S,
                 data_dir: str | None = None, custom=None) -> None:
        """``custom``: the 2-D custom dataset as (points, description), if one was given."""
        import multiprocessing

        # Forking a process that already runs Qt's threads is unsafe; a fresh interpreter
        # is not.
        context = multiprocessing.get_context("spawn")
        commands_out, self.commands = context.Pipe(duplex=False)
        self.results, results_in = context.Pipe(duplex=False)
        self.process = context.Process(
            target=serve, name="ganviz-trainer", daemon=True,
            args=(commands_out, results_in, presets.get(preset).name, dict(settings),
                  frame_interval, None if data_dir is None else str(data_dir), custom),
        )
        self.process.start()
        for end in (commands_out, results_in):  # the child holds its own copies now
            end.close()


def serve(commands: Connection, results: Connection, preset: str, settings: dict,
          frame_interval: float = FRAME_INTERVAL_S, data_dir: str | None = None,
          custom=None) -> None:
    """Run a trainer until told to stop (the child process's entry point)."""
    try:
        _serve(commands, results, preset, settings, frame_interval, data_dir, custom)
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return  # the window went away
    except Exception:  # a crash (a malformed command too) must reach the user
        message = traceback.format_exc(limit=3).strip().splitlines()[-1]
        with contextlib.suppress(BrokenPipeError, OSError):
            results.send(protocol.Failed(message))
    else:
        results.send(protocol.Stopped())


def handlers(controller: Controller) -> dict[type, object]:
    """Each command's controller method, called with the command's fields."""
    return {
        protocol.Run: lambda c: controller.run(c.running),
        protocol.Step: lambda c: controller.step(),
        protocol.StepNetwork: lambda c: controller.step_network(c.network),
        protocol.Narrate: lambda c: controller.narrate(),
        protocol.Explore: lambda c: controller.explore(c.cells, c.point),
        protocol.ChangeSettings: lambda c: controller.change_settings(dict(c.changes)),
        protocol.Pretrain: lambda c: controller.pretrain(c.steps),
        protocol.SetPoints: lambda c: controller.set_points(c.points, c.description),
        protocol.Restore: lambda c: controller.restore(),
        protocol.Save: lambda c: controller.save(c.path, c.with_timeline),
        protocol.Load: lambda c: controller.load(c.path),
        protocol.Reset: lambda c: controller.reset(c.preset, dict(c.settings), c.data_dir),
        protocol.Consumed: lambda c: controller.frame_consumed(),
        protocol.ViewAt: lambda c: controller.view_at(c.step),
        protocol.BranchHere: lambda c: controller.branch_here(c.step),
        protocol.SwitchBranch: lambda c: controller.switch_branch(c.number),
    }


def _serve(commands: Connection, results: Connection, preset: str, settings: dict,
           frame_interval: float, data_dir: str | None, custom=None) -> None:
    controller = Controller(preset, settings, results.send, frame_interval, data_dir, custom)
    handle = handlers(controller)
    controller.start()
    while True:
        # Paused with nothing to do: block until a command comes (no CPU used).
        while commands.poll(controller.command_wait()):
            command = protocol.check_message(commands.recv(), protocol.COMMANDS)
            if isinstance(command, protocol.Stop):
                return
            handle[type(command)](command)
            if controller.show_now:
                break  # show the change before doing anything else
        controller.advance(command_waiting=commands.poll)
