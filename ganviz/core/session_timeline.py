"""A run's timeline inside its session file: one archive (torch.save of the timeline)
stored as a byte tensor, so that the session's own caps stay as they are, and that this
archive is capped and checked like a session before anything in it is read.

Saved within MAX_TIMELINE_BYTES and MAX_TIMELINE_SNAPSHOTS: a timeline that holds more is
thinned evenly for the file (core/timeline.py), the window's own stays whole. Each
snapshot is checked like the session's own state (session_state.check_state), against
the trainer the session builds.
"""

from __future__ import annotations

import io

import torch

from ganviz.core.session_checks import (
    MAX_TIMELINE_BYTES,
    Invalid,
    check_zip,
    count,
    describe,
    mapping,
    plain_settings,
    refuse,
    tensor,
)

# A snapshot of a toy run is 45-135 KB and ~56 archive entries with a ~5 KB structure
# (measured); MNIST's is 12-30 MB. MAX_TIMELINE_BYTES (96 MiB) keeps a whole toy run (256
# snapshots) and 3-8 MNIST ones; the structure's cap bounds what unpickling it may grow
# to (~64 bytes a byte: 256 MB at most).
MAX_TIMELINE_SNAPSHOTS = 256
MAX_TIMELINE_ENTRIES = MAX_TIMELINE_SNAPSHOTS * 64 + 16
MAX_TIMELINE_PICKLE = 4 * 2**20
MAX_BRANCHES = 256
TIMELINE_KEYS = ("every", "fixed", "per_octave", "dense_until", "current", "branches",
                 "snapshots")
BRANCH_KEYS = ("number", "parent", "fork_step", "changes", "end_step")


def pack(timeline) -> torch.Tensor:
    """The timeline as the byte tensor a session holds."""
    buffer = io.BytesIO()
    torch.save(timeline.to_dict(MAX_TIMELINE_BYTES, MAX_TIMELINE_SNAPSHOTS), buffer)
    return torch.frombuffer(bytearray(buffer.getvalue()), dtype=torch.uint8)


def unpack(value, trainer, history) -> dict:
    """The checked content of a packed timeline (for Timeline.from_dict), each snapshot
    checked against ``trainer``; ``history``: the session's own (checked) curves, which
    a snapshot does not hold. Invalid, naming the field, for anything else."""
    packed = tensor(value, "timeline", (torch.uint8,), ndim=1,
                    max_numel=MAX_TIMELINE_BYTES + 2**20)
    data = packed.contiguous().numpy().tobytes()
    check_zip(io.BytesIO(data), MAX_TIMELINE_BYTES, MAX_TIMELINE_ENTRIES, MAX_TIMELINE_PICKLE,
              "a ganviz timeline")
    try:
        content = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as error:
        reason = str(error).splitlines()[0][:80] if str(error) else type(error).__name__
        raise Invalid(f"timeline is unreadable ({reason})") from None
    mapping(content, "timeline", TIMELINE_KEYS)
    clean = {key: count(content[key], f"timeline.{key}", maximum=2**40, minimum=1)
             for key in ("every", "per_octave", "dense_until")}
    if type(content["fixed"]) is not bool:
        raise refuse("timeline.fixed", describe(content["fixed"]), "true or false")
    clean["fixed"] = content["fixed"]
    clean["branches"] = _branches(content["branches"])
    numbers = {b["number"] for b in clean["branches"]}
    clean["current"] = _member(content["current"], "timeline.current", numbers)
    clean["snapshots"] = _snapshots(content["snapshots"], numbers, trainer, history)
    return clean


def _member(value, field: str, allowed: set) -> int:
    if type(value) is not int or value not in allowed:
        raise refuse(field, describe(value), "the number of one of its branches")
    return value


def _branches(value) -> list[dict]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_BRANCHES:
        raise refuse("timeline.branches", describe(value), f"a list of 1 to {MAX_BRANCHES}")
    branches, seen = [], set()
    for index, item in enumerate(value):
        field = f"timeline.branches[{index}]"
        mapping(item, field, BRANCH_KEYS)
        number = count(item["number"], f"{field}.number", maximum=MAX_BRANCHES * 4)
        parent = item["parent"]
        # Parents come first (a branch is made from one that exists): no cycles.
        if (parent is None) != (index == 0) or (parent is not None and parent not in seen):
            raise refuse(f"{field}.parent", describe(parent),
                         "none for the first branch, else an earlier branch's number")
        if number in seen:
            raise refuse(f"{field}.number", describe(number), "a number not used before")
        seen.add(number)
        branches.append({"number": number, "parent": parent,
                         "fork_step": count(item["fork_step"], f"{field}.fork_step"),
                         "changes": plain_settings(item["changes"], f"{field}.changes"),
                         "end_step": count(item["end_step"], f"{field}.end_step")})
    return branches


def _snapshots(value, numbers: set, trainer, history) -> list[dict]:
    from ganviz.core.session_state import check_state

    if not isinstance(value, list) or len(value) > MAX_TIMELINE_SNAPSHOTS:
        raise refuse("timeline.snapshots", describe(value),
                     f"a list of at most {MAX_TIMELINE_SNAPSHOTS}")
    snapshots = []
    for index, item in enumerate(value):
        field = f"timeline.snapshots[{index}]"
        mapping(item, field, ("step", "branch", "state"))
        state = mapping(item["state"], f"{field}.state")
        try:
            checked = check_state({**state, "history": history}, trainer)
        except Invalid as error:
            raise Invalid(f"{field}: {error}") from None
        checked.pop("history")
        checked["built_with"] = dict(trainer.built_with)
        step = count(item["step"], f"{field}.step")
        if step != checked["step_count"]:
            raise refuse(f"{field}.step", describe(step), "its state's step_count")
        snapshots.append({"step": step, "branch": _member(item["branch"], f"{field}.branch",
                                                          numbers), "state": checked})
    return snapshots
