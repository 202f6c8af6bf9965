"""The copy of a run: everything a :class:`~ganviz.core.trainer.Trainer` is, kept and restored.

Weights, optimisers, random streams, counts and curves, so that a restored run goes on
exactly as if it had never stopped (the window's undo after a divergence, a saved session).
``trainer`` below is that Trainer (not imported here: it imports this module).
"""

from __future__ import annotations

import copy


def keep(trainer) -> dict:
    """A deep copy of ``trainer``'s run: :func:`restore` brings it back to exactly here."""
    return copy.deepcopy({
        "step_count": trainer.step_count, "d_updates": trainer.d_updates,
        "g_updates": trainer.g_updates,
        "generator": trainer.generator.state_dict(),
        "generator_ema": trainer.generator_ema.state_dict(),
        "discriminator": trainer.discriminator.state_dict(),
        "opt_d": None if trainer._opt_d is None else trainer._opt_d.state_dict(),
        "opt_g": None if trainer._opt_g is None else trainer._opt_g.state_dict(),
        "optimizer_kinds": dict(trainer._optimizer_kinds),
        "rng": trainer.rng.get_state(), "eval_rng": trainer.eval_rng.get_state(),
        "history": trainer.history.__dict__, "last": dict(trainer.last),
        # What the problem fixed at Reset or has moved on since (the inputs'
        # normalisation, MNIST's pass over the data).
        "problem": trainer.problem.keep_state(),
        "built_with": dict(trainer.built_with),
    })


def restore(trainer, state: dict) -> bool:
    """Bring ``trainer`` back to ``state`` (taken by :func:`keep`, same networks' shapes);
    its settings stay as they are now, so a learning rate lowered since is kept.

    Returns False when the random streams could not be restored: they were saved on
    another kind of device (a CUDA generator's state does not fit a CPU one), so they
    start afresh from the seed and the iteration count; all else is restored."""
    state = copy.deepcopy(state)
    trainer.generator.load_state_dict(state["generator"])
    trainer.generator_ema.load_state_dict(state["generator_ema"])
    trainer.discriminator.load_state_dict(state["discriminator"])
    trainer._opt_d = trainer._opt_g = None
    kinds = state["optimizer_kinds"]
    for name, opt_state in (("opt_d", state["opt_d"]), ("opt_g", state["opt_g"])):
        kind = "optimizer_d" if name == "opt_d" else "optimizer_g"
        optimizer = getattr(trainer, name)  # built from the settings now
        if opt_state is not None and kinds[kind] == trainer.settings[kind]:
            optimizer.load_state_dict(opt_state)
    # The counts first: the learning rates' staircase decay depends on them.
    trainer.step_count, trainer.d_updates = state["step_count"], state["d_updates"]
    trainer.g_updates = state["g_updates"]
    trainer._apply_learning_rates()
    trainer.problem.restore_state(state["problem"])
    try:
        trainer.rng.set_state(state["rng"])
        trainer.eval_rng.set_state(state["eval_rng"])
        streams_restored = True
    except RuntimeError:  # "Expected a CPUGeneratorImplState of size 5056 ..."
        trainer._seed_streams(trainer.settings["seed"] + trainer.step_count)
        streams_restored = False
    trainer.history.__dict__.update(state["history"])
    trainer.last = state["last"]
    trainer._window_sum[:] = 0.0
    trainer._window_count = 0
    return streams_restored
