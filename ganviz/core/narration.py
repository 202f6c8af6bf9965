"""Slow motion: the run's next iteration, trained as any other and taken apart.

:func:`narrate` steps the trainer once with a watcher (Trainer.step(watch=...)): the
iteration's updates, random draws and results are exactly those of a plain step, and the
watcher keeps what the first D and G updates saw (the batches, D's outputs, G's gradient on
its fakes) and measures around them without drawing random numbers from the run's stream:
D(x) before and after D's update(s) (1-D), D's ratings after its update, the same z through
G after G's update. The result (:class:`~ganviz.core.protocol.Narrated`) tells the
iteration in PARTS, each in a sentence or two with the run's own numbers.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ganviz.core.narration_text import tell
from ganviz.core.protocol import Narrated

PARTS = ("real", "noise", "fakes", "scores", "loss_d", "update_d", "rescore", "loss_g",
         "update_g", "average", "diverged")
GRID_POINTS = 256  # D(x) before and after, 1-D
SHOWN_DIGITS = 8  # MNIST: the images of each batch kept


class Watch:
    """What Trainer.step tells slow motion; measures between the updates."""

    def __init__(self, trainer) -> None:
        self.trainer = trainer
        self.d_record: dict = {}
        self.g_record: dict = {}
        self.d_losses: list[float] = []
        self.g_losses: list[float] = []
        self.d_before = self.d_after = None
        self.rated_after: tuple[float, float] = (math.nan, math.nan)
        self.moved = None
        self.moved_rating = math.nan

    def before(self, network: str, index: int) -> None:
        if network == "d" and index == 0:
            self.d_before = self._d_curve()

    def after(self, network: str, index: int, loss: float) -> None:
        trainer = self.trainer
        if network == "d":
            self.d_losses.append(loss)
            if index == 0:
                record = self.d_record
                self.rated_after = (self._rating(record["real"]), self._rating(record["fake"]))
            if index == trainer.settings["k"] - 1:
                self.d_after = self._d_curve()
            return
        self.g_losses.append(loss)
        if index == 0:
            with torch.no_grad():
                moved = _without_buffer_changes(trainer.generator, self.g_record["noise"])
            self.moved = moved
            self.moved_rating = self._rating(moved)

    def _rating(self, batch: torch.Tensor) -> float:
        """D's mean output (probability or critic value) on ``batch``, as the plots show."""
        trainer = self.trainer
        with torch.no_grad():
            out = trainer._judge(batch)[0]
            return float(trainer.objective.d_output(out).mean())

    def _d_curve(self):
        trainer = self.trainer
        if trainer.mode != "1d":
            return None
        return trainer.discriminate(_grid(trainer)).astype(np.float32)


def _without_buffer_changes(generator: torch.nn.Module, noise: torch.Tensor) -> torch.Tensor:
    """``generator(noise)`` as training computes it, leaving BatchNorm's running
    statistics as they were (the next iteration must not see this extra pass)."""
    buffers = [b.clone() for b in generator.buffers()]
    try:
        return generator(noise)
    finally:
        for kept, buffer in zip(buffers, generator.buffers(), strict=True):
            buffer.copy_(kept)


def _grid(trainer) -> np.ndarray:
    target = trainer.target
    mean, std = float(target.mean), float(target.std)
    return np.linspace(mean - 4.5 * std, mean + 4.5 * std, GRID_POINTS, dtype=np.float32)


def _in_data_units(trainer, x: torch.Tensor, gradient: bool = False) -> np.ndarray:
    """A batch as the plots show it: 1-D (B,), 2-D (B, 2), images (<= 8, S, S[, 3]).
    ``gradient``: the network-unit gradient of a loss, turned into data units."""
    problem = trainer.problem
    if trainer.mode == "mnist":
        x = x[:SHOWN_DIGITS]
        if gradient:
            return problem.to_unit(x, shift=False)
        return problem.to_unit(x)
    x = x.detach().float()
    values = x / problem.scale if gradient else x * problem.scale + torch.as_tensor(
        problem.offset, device=x.device)
    values = values.cpu().numpy()
    return values.reshape(-1) if trainer.mode == "1d" else values.reshape(-1, 2)


def narrate(trainer) -> Narrated:
    """Train ``trainer``'s next iteration and return it narrated."""
    watch = Watch(trainer)
    trainer.step(watch=watch)
    d, g = watch.d_record, watch.g_record
    objective = trainer.objective
    d_real = objective.d_output(d["real_out"]).reshape(-1)
    d_fake = objective.d_output(d["fake_out"]).reshape(-1)
    g_rating = float(objective.d_output(g["out"]).mean())
    unit = lambda x: _in_data_units(trainer, x)  # noqa: E731
    real, d_fakes, g_fakes = unit(d["real"]), unit(d["fake"]), unit(g["fake"])
    push = -_in_data_units(trainer, g["on_fakes"], gradient=True)
    figures = {
        "batch": trainer.settings["batch_size"], "d_real": float(d_real.mean()),
        "d_fake": float(d_fake.mean()), "g_rating": g_rating, "rated_after": watch.rated_after,
        "moved_rating": watch.moved_rating, "d_losses": watch.d_losses,
        "g_losses": watch.g_losses, "norms": trainer.gradient_norms(),
    }
    moved = unit(watch.moved)
    parts = tell(trainer, figures, real, d_fakes, g_fakes, push, moved)
    return Narrated(
        step=trainer.step_count, mode=trainer.mode, parts=tuple(parts), real=real,
        d_fake_batch=d_fakes, g_fake=g_fakes, push=push, moved=moved,
        grid=_grid(trainer) if trainer.mode == "1d" else None,
        d_before=watch.d_before, d_after=watch.d_after)
