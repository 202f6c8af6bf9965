"""One update of the discriminator or the generator: the inner part of an iteration.

:class:`NetworkUpdates` is mixed into :class:`~ganviz.core.trainer.Trainer`, which owns
the networks, their optimisers, the problem, the objective, the settings and the random
stream these updates use.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from ganviz.core.mnist.problem import Codes


def ema_decay(updates: int, decay: float, follow_recent: bool = False) -> float:
    """The EMA's decay after ``updates`` generator updates, ramped up to ``decay``.

    By default the ramp is t / (t + 1): for the first 1 / (1 - decay) updates the averaged
    generator is the plain mean of all the iterates so far, instead of an average lagging
    behind the random initialisation. The toys reach their target within about a thousand
    updates, and their measured behaviour (README) is with this ramp.

    ``follow_recent``: the ramp (1 + t) / (10 + t), which puts ~85% of the weight on the
    last fifth of the updates so far. For MNIST, whose generator keeps travelling (noise,
    strokes, digits) for the whole run: the plain mean of all its iterates lags so far
    behind that its samples are classified as digits much later than the generator's own.
    """
    ramp = (1.0 + updates) / (10.0 + updates) if follow_recent else updates / (updates + 1.0)
    return min(decay, ramp)


class NetworkUpdates:
    """The D and G updates of :class:`~ganviz.core.trainer.Trainer` (see there)."""

    def _iteration_updates(self, noise_std: float, watch=None):
        """An iteration's updates: k D updates, then k_g G updates; returns the last D
        update's loss and raw outputs on the real and fake batch, and the last G loss.
        ``watch`` (slow motion, core/narration.py) is told before and after each update and
        given the first D and G updates' insides."""
        s = self.settings
        for i in range(s["k"]):
            if watch is not None:
                watch.before("d", i)
            loss_d, real_out, fake_out = self._update_discriminator(
                noise_std, None if watch is None or i else watch.d_record)
            if watch is not None:
                watch.after("d", i, float(loss_d.detach()))
        for i in range(s["k_g"]):
            if watch is not None:
                watch.before("g", i)
            loss_g = self._update_generator(noise_std,
                                            None if watch is None or i else watch.g_record)
            if watch is not None:
                watch.after("g", i, float(loss_g.detach()))
        return loss_d, real_out, fake_out, loss_g

    def _update_discriminator(self, noise_std: float, record: dict | None = None):
        """One D update; returns its loss and D's raw outputs on the real and fake batch.
        ``record``: a dict to keep the batches, D's outputs and gradients in (slow motion,
        core/narration.py); the update is the same with or without it."""
        batch = self.settings["batch_size"]
        problem = self.problem
        real = problem.real_batch(batch, self.rng)
        noise, codes = self._noise(batch)
        with torch.no_grad():
            fake = self.generator(noise)
        if record is not None:
            record.update(real=real.detach().clone(), noise=noise, fake=fake.clone())
        if noise_std:
            real = real + noise_std * self._randn_like(real)
            fake = fake + noise_std * self._randn_like(fake)
        if self.settings["r1_weight"]:
            real.requires_grad_(True)
        if problem.batch_dependent:  # minibatch features must come from one kind of batch
            real_out = self.discriminator(real)
            fake_out, guesses = self._judge(fake)
        else:
            # One forward pass over real and fake together: fewer ops per step.
            out, guesses = self._judge(torch.cat((real, fake)))
            real_out, fake_out = out[: real.shape[0]], out[real.shape[0]:]
            guesses = None if guesses is None else guesses[real.shape[0]:]
        smoothing = self.settings["label_smoothing"] if self.objective.uses_smoothing() else 0.0
        loss_d = self.objective.d_loss(real_out, fake_out, smoothing)
        # Q shares D's layers and learns to read the code from D's update, as in InfoGAN.
        total = loss_d + self._penalties(real, fake, real_out)
        if guesses is not None:
            total = total + self._code_loss(guesses, codes)
        # autograd.grad computes only what this update needs and replaces zero_grad.
        grads = torch.autograd.grad(total, self._d_params)
        for p, g in zip(self._d_params, grads, strict=True):
            p.grad = g
        if record is not None:
            record.update(real_out=real_out.detach().clone(), fake_out=fake_out.detach().clone(),
                          loss=float(loss_d.detach()))
        self._quick_adam.step(self.opt_d)
        self.d_updates += 1
        return loss_d, real_out, fake_out

    def _update_generator(self, noise_std: float, record: dict | None = None) -> torch.Tensor:
        """One G update; returns its loss. ``record``: as for the D update, with G's
        gradient on each fake sample (where G's update pushes them)."""
        noise, codes = self._noise(self.settings["batch_size"])
        fake = self.generator(noise)
        if noise_std:
            fake = fake + noise_std * self._randn_like(fake)
        out, guesses = self._judge(fake)
        loss_g = self.objective.g_loss(out)
        # Without a code nothing is added: the toys' steps are mostly per-op overhead.
        total = loss_g if guesses is None else loss_g + self._code_loss(guesses, codes)
        if record is None:
            grads = torch.autograd.grad(total, self._g_params)
        else:  # the same parameters' gradients, and the loss's gradient on the fakes
            *grads, on_fakes = torch.autograd.grad(total, [*self._g_params, fake])
            record.update(noise=noise, fake=fake.detach().clone(), out=out.detach().clone(),
                          loss=float(loss_g.detach()),
                          # per sample: the loss is a mean over the batch
                          on_fakes=on_fakes.detach() * fake.shape[0])
        for p, g in zip(self._g_params, grads, strict=True):
            p.grad = g
        self._quick_adam.step(self.opt_g)
        self.g_updates += 1
        self._update_ema()
        return loss_g

    @torch.no_grad()
    def gradient_norms(self) -> tuple[float, float]:
        """The norms of D's and G's whole gradients in their last updates (NaN before
        one): what the model diagram shows. The gradients stay on the parameters after an
        update, so this costs two reductions, only when a frame is taken."""
        norms = []
        for params in (self._d_params, self._g_params):
            grads = [p.grad for p in params if p.grad is not None]
            norms.append(float(torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads))))
                         if grads else math.nan)
        return norms[0], norms[1]

    def _noise(self, n: int) -> tuple[torch.Tensor, Codes | None]:
        """The generator's input, and the InfoGAN codes in it (None without codes)."""
        if self._coded:
            return self.problem.noise_and_codes(n, self.rng)
        return self.problem.noise(n, self.rng), None

    def _judge(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """D's output on ``x``, and Q's guesses of the codes (None without codes)."""
        if self._coded:
            return self.discriminator.forward_with_codes(x)
        return self.discriminator(x), None

    def _code_loss(self, guesses: torch.Tensor, codes: Codes) -> torch.Tensor | float:
        """InfoGAN's term, info_weight x how badly Q recovers the codes: minimised over G
        and Q, so that each code value comes to stand for one kind of digit instead of
        being ignored (see MnistProblem.code_loss)."""
        if not self.settings["info_weight"]:
            return 0.0
        return self.settings["info_weight"] * self.problem.code_loss(guesses, codes)

    def _randn_like(self, x: torch.Tensor) -> torch.Tensor:
        return torch.randn(x.shape, generator=self.rng, device=x.device)

    def _penalties(self, real: torch.Tensor, fake: torch.Tensor,
                   real_out: torch.Tensor) -> torch.Tensor | float:
        """R1 (on real data) and WGAN-GP's gradient penalty, both by double backprop."""
        s = self.settings
        penalty: torch.Tensor | float = 0.0
        if s["r1_weight"]:
            (grad,) = torch.autograd.grad(real_out.sum(), real, create_graph=True)
            penalty = penalty + 0.5 * s["r1_weight"] * grad.square().flatten(1).sum(1).mean()
        if self.objective.name == "wgan-gp" and s["gp_weight"]:
            shape = (real.shape[0],) + (1,) * (real.dim() - 1)
            alpha = torch.rand(shape, generator=self.rng, device=real.device)
            between = (alpha * real.detach() + (1 - alpha) * fake.detach()).requires_grad_(True)
            (grad,) = torch.autograd.grad(self.discriminator(between).sum(), between,
                                          create_graph=True)
            excess = grad.flatten(1).norm(dim=1) - 1.0
            if s["gp_one_sided"]:
                # Penalise slopes above 1 only: the critic may flatten on its way to flipping
                # its sign, which the two-sided penalty makes a barrier of gp_weight.
                excess = excess.clamp(min=0.0)
            penalty = penalty + s["gp_weight"] * excess.square().mean()
        return penalty

    def _update_ema(self) -> None:
        decay = ema_decay(self.g_updates, self.settings["ema"],
                          follow_recent=self.problem.ema_follows_recent)
        with torch.no_grad():
            torch._foreach_lerp_(self._ema_params, self._g_params, 1.0 - decay)
            if self._g_buffers:  # BatchNorm's running statistics follow the trained G
                torch._foreach_copy_(self._ema_buffers, self._g_buffers)
