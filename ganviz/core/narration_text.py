"""The words of slow motion: each part of a narrated iteration (core/narration.py) told in
a sentence or two with the run's own numbers. Which model-diagram parts each lights is
given here too (the names of app/diagram.py's PARTS)."""

from __future__ import annotations

import math

import numpy as np

from ganviz.core.protocol import NarratedPart
from ganviz.core.updates import ema_decay

D_LOSS = {
    "minimax": "−mean log D(real) − mean log(1 − D(fake))",
    "nonsaturating": "−mean log D(real) − mean log(1 − D(fake))",
    "lsgan": "½ mean (D(real) − 1)² + ½ mean D(fake)²",
    "hinge": "mean max(0, 1 − D(real)) + mean max(0, 1 + D(fake))",
    "wgan-gp": "mean C(fake) − mean C(real), plus the gradient penalty",
}
G_LOSS = {
    "minimax": "mean log(1 − D(G(z))) (the paper's minimax loss)",
    "nonsaturating": "−mean log D(G(z))",
    "lsgan": "½ mean (D(G(z)) − 1)²",
    "hinge": "−mean D(G(z))",
    "wgan-gp": "−mean C(G(z))",
}


def average_step(trainer) -> float:
    """How far the averaged generator moved toward G in the last update (1 − decay)."""
    s = trainer.settings
    if not s["ema"]:
        return 1.0
    return 1.0 - ema_decay(trainer.g_updates, s["ema"],
                           follow_recent=trainer.problem.ema_follows_recent)


def part(key: str, title: str, text: str, lit) -> NarratedPart:
    return NarratedPart(key, title, text, tuple(lit))


def _spread(batch: np.ndarray, mode: str) -> str:
    """A batch in a few words: 1-D mean and spread, 2-D centre and spread."""
    if mode == "1d":
        return f"mean {batch.mean():.2f}, spread {batch.std():.2f}"
    if mode == "2d":
        centre = batch.mean(axis=0)
        return (f"centred at ({centre[0]:.2f}, {centre[1]:.2f}), spread "
                f"{np.sqrt((batch.var(axis=0)).sum()):.2f}")
    return f"mean brightness {batch.mean():.2f}"


def _push(push: np.ndarray, mode: str) -> str:
    if mode == "1d":
        toward = "toward +x" if push.mean() >= 0 else "toward −x"
        return (f"on average {abs(push.mean()):.3g} {toward} (the arrows; the longest "
                f"{np.abs(push).max():.3g})")
    if mode == "2d":
        lengths = np.linalg.norm(push, axis=1)
        return f"the arrows: mean length {lengths.mean():.3g}, longest {lengths.max():.3g}"
    return f"a pixel-wise push of mean size {np.abs(push).mean():.3g}"


def tell(trainer, f: dict, real, d_fakes, g_fakes, push, moved) -> list[NarratedPart]:
    s, mode = trainer.settings, trainer.mode
    batch, k, k_g = f["batch"], s["k"], s["k_g"]
    loss = s["loss"]
    critic = loss == "wgan-gp"
    d = "C" if critic else "D"
    rate = "scored" if critic else "rated"
    kind = {"1d": "numbers", "2d": "points", "mnist": "digits"}[mode]
    noise = s["latent_dim"] if mode == "mnist" else s.get("noise_dim", 1)
    where = {"1d": "the real distribution", "2d": "the real 2-D data",
             "mnist": "the training digits"}[mode]
    d_after_real, d_after_fake = f["rated_after"]
    source = ("the preset's noise distribution" if mode == "mnist" else
              f"the {s['noise']} noise distribution")
    rates = "scores" if critic else "rates"
    norm_d, norm_g = f["norms"]
    lr_scale = trainer.learning_rate_scale()
    parts = [
        part("real", "Draw a real batch",
             f"{batch} real {kind} are drawn from {where} ({_spread(real, mode)}).", ["real"]),
        part("noise", "Draw z",
             f"{batch} noise vectors z of {noise} dimension{'s' if noise != 1 else ''} are "
             f"drawn from {source}: the generator's raw material.", ["z"]),
        part("fakes", "G makes fakes",
             f"G turns each z into a fake sample: {_spread(d_fakes, mode)}"
             + (f" (the real batch: {_spread(real, mode)})." if mode != "mnist" else "."),
             ["z", "G", "fake"]),
        part("scores", f"{d} judges both",
             f"{d} {rate} the {batch} real samples {f['d_real']:.3g} on average and the "
             f"{batch} fakes {f['d_fake']:.3g}"
             + ("." if critic else " (1 = surely real, 0 = surely fake)."),
             ["real", "fake", "D", "d_real", "d_fake"]),
        part("loss_d", f"{d}'s loss",
             f"{d}'s loss is {D_LOSS[loss]} = {f['d_losses'][0]:.4g}"
             + (" (2 ln 2 = 1.386 when D cannot tell them apart)."
                if loss in ("minimax", "nonsaturating") else "."), ["d_real", "d_fake", "loss_d"]),
        part("update_d", f"{d}'s update",
             f"The gradient of {d}'s loss moves {d}'s weights one {s['optimizer_d']} step "
             f"(learning rate {s['lr_d'] * lr_scale:.3g}). On the same batches {d} now {rates} "
             f"the real {d_after_real:.3g} and the fakes {d_after_fake:.3g}."
             + (f" The dashed green curve is {d}(x) before, the solid one after."
                if mode == "1d" else "")
             + (f" Then {k - 1} more step{'s' if k > 2 else ''} on fresh batches (k_d = {k});"
                f" its loss ends at {f['d_losses'][-1]:.4g}, gradient norm {norm_d:.3g}."
                if k > 1 else f" Gradient norm {norm_d:.3g}."),
             ["loss_d", "grad_d", "D"]),
        part("rescore", "Fresh fakes, judged again",
             f"For G's turn a fresh z goes through G; {d}, just updated and now held fixed, "
             f"{rates} these {batch} fakes {f['g_rating']:.3g} on average.",
             ["z", "G", "fake", "D", "d_fake"]),
        part("loss_g", "G's loss and gradient",
             f"G's loss is {G_LOSS[loss]} = {f['g_losses'][0]:.4g}. Its gradient, passed back "
             f"through {d} to each fake sample, says where a fake would look more real: "
             f"{_push(push, mode)}.", ["d_fake", "loss_g", "grad_g"]),
        part("update_g", "G's update",
             f"G's weights take one {s['optimizer_g']} step (gradient norm {norm_g:.3g}, "
             f"learning rate {s['lr_g'] * lr_scale:.3g}): the same z now give fakes "
             f"{_spread(moved, mode)}, which {d} {rate} {f['moved_rating']:.3g} (was "
             f"{f['g_rating']:.3g})."
             + (f" Then {k_g - 1} more G step{'s' if k_g > 2 else ''} (k_g = {k_g})."
                if k_g > 1 else ""), ["loss_g", "grad_g", "G", "fake"]),
    ]
    step = average_step(trainer)
    parts.append(part(
        "average", "The averaged generator",
        f"The generator drawn in the plots is an average of G's weights (EMA {s['ema']:g}): "
        f"it moved {step:.2%} of the way toward G in this update. Iteration "
        f"{trainer.step_count:,} is done." if s["ema"] else
        f"No averaging (EMA 0): the generator drawn is G itself. Iteration "
        f"{trainer.step_count:,} is done.", ["ema"]))
    if not all(math.isfinite(x) for x in (f["d_losses"][-1], f["g_losses"][-1])):
        parts.append(part("diverged", "A loss is not a number",
                          "A loss became NaN or infinite in this iteration: the run "
                          "diverged.", ["loss_d", "loss_g"]))
    return parts
