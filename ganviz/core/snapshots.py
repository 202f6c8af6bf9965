"""A run's snapshots taken and given back: what core/timeline.py keeps, and going back
to one of them, or on with another branch, in a trainer.

A snapshot is everything the run is at one iteration except its curves (see
core/timeline.py); restoring one and training on gives, bit for bit, the numbers the run
gave from there.
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from ganviz.core.timeline import TimelineError


def _clone(value):
    """A deep copy whose tensors are cloned directly (deepcopy's generic path is ~3x
    slower for a state dict, and a snapshot is taken while training waits)."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, dict):
        return {key: _clone(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_clone(item) for item in value)
    if isinstance(value, np.ndarray):
        return value.copy()
    return copy.copy(value)


def capture(trainer) -> dict:
    """The run as it is now, less its curves (see the module's docstring)."""
    return {
        "step_count": trainer.step_count, "d_updates": trainer.d_updates,
        "g_updates": trainer.g_updates,
        "generator": _clone(trainer.generator.state_dict()),
        "generator_ema": _clone(trainer.generator_ema.state_dict()),
        "discriminator": _clone(trainer.discriminator.state_dict()),
        "opt_d": None if trainer._opt_d is None else _clone(trainer._opt_d.state_dict()),
        "opt_g": None if trainer._opt_g is None else _clone(trainer._opt_g.state_dict()),
        "optimizer_kinds": dict(trainer._optimizer_kinds),
        "rng": trainer.rng.get_state(), "eval_rng": trainer.eval_rng.get_state(),
        "last": dict(trainer.last),
        "problem": _clone(trainer.problem.keep_state()),
        "built_with": dict(trainer.built_with),
    }


def history_until(history, step: int) -> dict:
    """``history``'s state (a BoundedHistory's fields) with the points after ``step`` cut
    off: the curves as far as a snapshot at ``step`` had them (at today's spacing)."""
    state = copy.deepcopy(history.__dict__)
    keep = int(np.searchsorted(state["_steps"][: state["_length"]], step, side="right"))
    state["_length"] = keep
    state["_bucket_sum"][:] = 0.0
    state["_bucket_count"] = 0
    return state


def restore(trainer, snapshot: dict) -> bool:
    """Bring ``trainer`` back to ``snapshot``; its curves are cut at that iteration.
    Returns False when the random streams could not be restored (see run_state)."""
    from ganviz.core import run_state

    state = dict(snapshot, history=history_until(trainer.history, snapshot["step_count"]))
    return run_state.restore(trainer, state)


def branch_from(trainer, step: int, changes: dict | None = None) -> int:
    """Take ``trainer`` back to its snapshot at ``step`` and go on from there as a new
    branch of its timeline (``changes``: the settings changed for it, already applied).
    Returns the branch's number; TimelineError (naming the nearest kept) if no snapshot."""
    timeline = trainer.timeline
    if timeline is None:
        raise TimelineError("the run keeps no snapshots")
    snapshot = timeline.get(step)
    _leave(trainer)
    timeline.branch(step, changes)
    restore(trainer, snapshot)
    return timeline.current


def switch_to(trainer, number: int) -> int:
    """Go on with branch ``number`` of ``trainer``'s timeline from where it was left (its
    curves as they were). Returns the iteration it goes on from."""
    timeline = trainer.timeline
    if number == timeline.current:
        return trainer.step_count
    if number not in timeline.branches:
        raise TimelineError(f"no branch {number}")
    _leave(trainer)
    end = timeline.switch(number)
    branch = timeline.branches[number]
    from ganviz.core import run_state

    state = dict(timeline.get(end, number))
    state["history"] = (copy.deepcopy(branch.history) if branch.history is not None
                        else history_until(trainer.history, end))
    run_state.restore(trainer, state)
    return end


def _leave(trainer) -> None:
    """Before another branch is taken up: this one's present state is kept (going back
    to it goes on exactly from here), and its curves (drawn faded meanwhile)."""
    timeline = trainer.timeline
    if (trainer.step_count, timeline.current) not in timeline._kept:
        timeline.add(capture(trainer))
    timeline.branches[timeline.current].history = copy.deepcopy(trainer.history.__dict__)
