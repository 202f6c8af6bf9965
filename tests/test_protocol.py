"""The typed messages between the window and the training process (core/protocol.py)."""

import pickle

import numpy as np
import pytest

from ganviz.core import protocol
from ganviz.core.protocol import COMMANDS, RESULTS, ProtocolError, check_message

SNAPSHOT = protocol.Snapshot(step=3, d_updates=3, g_updates=3, settings={"lr_d": 0.001},
                             history={"loss_d": np.zeros(3, np.float32)}, mode="1d", view=None)

EXAMPLES = [
    protocol.Run(True), protocol.Step(), protocol.StepNetwork("d"),
    protocol.ChangeSettings({"lr_d": 0.001}), protocol.Pretrain(200),
    protocol.SetPoints(np.zeros((4, 2), np.float32), "4 points"), protocol.Restore(),
    protocol.Save("/tmp/run.pt"), protocol.Load("/tmp/run.pt"),
    protocol.Reset("gaussian", {"k": 2}, None), protocol.Reset("mnist", {}, "/data"),
    protocol.Consumed(), protocol.Stop(), protocol.ViewAt(50), protocol.ViewAt(None),
    protocol.Explore((3,), (1.5, -2.0)), protocol.Explore((3, 17)),
    protocol.Explored((3, 17), (0.0, 0.0), 120, np.zeros((12, 28, 28), np.uint8)),
    protocol.BranchHere(50), protocol.SwitchBranch(0),
    protocol.Frame(SNAPSHOT, 12.5, True, 1, "cpu", ("auto", "cpu"), 4),
    protocol.Rejected("lr_d: 5 is out of range"), protocol.Notice("Saved"),
    protocol.Diverged("D's loss became nan at iteration 7", 0),
    protocol.Loaded("ring8", {"k": 1}, (np.zeros((2, 2), np.float32), "drawn")),
    protocol.Loaded("gaussian", {"k": 1}, None), protocol.LoadFailed("Not opened: x"),
    protocol.Failed("ValueError: x"), protocol.Stopped(), protocol.Narrate(),
    protocol.Narrated(4, "1d", (protocol.NarratedPart("real", "Draw a real batch", "64 real",
                                                      ("real",)),),
                      *(np.zeros(4, np.float32) for _ in range(5))),
]


def test_every_message_kind_has_an_example():
    assert {type(m) for m in EXAMPLES} == set(COMMANDS) | set(RESULTS)


@pytest.mark.parametrize("message", EXAMPLES, ids=lambda m: type(m).__name__)
def test_every_message_round_trips_through_pickle(message):
    copy = pickle.loads(pickle.dumps(message))
    allowed = COMMANDS if type(message) in COMMANDS else RESULTS
    assert check_message(copy, allowed) is copy
    assert type(copy) is type(message)
    assert repr(copy) == repr(message)


@pytest.mark.parametrize(("message", "fragment"), [
    (("run", True), "unknown message ('run', True); expected one of: Run, Step"),
    (None, "unknown message None"),
    (protocol.Notice("a result"), "unknown message Notice(message='a result')"),
    (protocol.Run("yes"), "malformed Run: running is 'yes', expected <class 'bool'>"),
    (protocol.Pretrain(True), "malformed Pretrain: steps is True"),
    (protocol.Pretrain(0), "malformed Pretrain: steps 0 is not positive"),
    (protocol.StepNetwork("x"), "malformed StepNetwork: network 'x' is not d or g"),
    (protocol.ChangeSettings([("lr_d", 1)]), "malformed ChangeSettings: changes is"),
    (protocol.Reset("gaussian", {}, 3), "malformed Reset: data_dir is 3"),
    (protocol.ViewAt("50"), "malformed ViewAt: step is '50'"),
    (protocol.SwitchBranch(None), "malformed SwitchBranch: number is None"),
])
def test_an_unknown_or_malformed_command_is_one_clear_error(message, fragment):
    with pytest.raises(ProtocolError) as info:
        check_message(message, COMMANDS)
    assert fragment in str(info.value)


def test_a_long_message_is_shortened_in_the_error():
    with pytest.raises(ProtocolError) as info:
        check_message(("points", list(range(1000))), RESULTS)
    # what arrived is shortened (the list of what is expected grows with the protocol)
    arrived = str(info.value).split("; expected")[0]
    assert len(arrived) < 120 and arrived.endswith("...")


def test_the_protocol_imports_neither_torch_nor_qt():
    import subprocess
    import sys

    code = "import ganviz.core.protocol, sys; print(' '.join(sys.modules))"
    modules = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 timeout=120, check=True).stdout.split())
    assert "torch" not in modules
    assert not {m for m in modules if m.startswith("PySide6")}
