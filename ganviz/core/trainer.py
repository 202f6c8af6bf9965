"""The training loop: k discriminator steps, one generator step, changes between steps.

The trainer is plain Python + torch, driven one iteration at a time by whoever owns it
(the window's worker thread, ``ganviz train``, a test). Settings changed between two
iterations take effect on the next one without rebuilding anything; settings that
define the model (seed, layer sizes) are kept until :meth:`Trainer.reset`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from ganviz.core import config, evaluation, presets
from ganviz.core.data import Gaussian1D
from ganviz.core.evaluation import ModelState
from ganviz.core.history import BoundedHistory
from ganviz.core.models import mlp
from ganviz.core.theory import CURVES

# Adam's betas of DCGAN (Radford et al. 2015), which every seed system uses or allows.
ADAM_BETAS = (0.5, 0.999)

# The EMA's decay is ramped as t / (t + 1) up to the chosen decay: for the first
# 1 / (1 - decay) generator updates the averaged generator is the plain mean of all the
# iterates so far, instead of an average lagging behind the random initialisation.
def ema_decay(updates: int, decay: float) -> float:
    return min(decay, updates / (updates + 1.0))


@dataclass
class Snapshot:
    """The trainer's state at one iteration as plain numpy: safe to send to another thread.

    It carries the weights, not the densities: turning them into curves
    (:class:`~ganviz.core.evaluation.Evaluator`) costs far more than copying them, and the
    window does it off the training thread.
    """

    step: int
    d_updates: int
    g_updates: int
    settings: dict[str, int | float]
    history: dict[str, np.ndarray]
    model: ModelState
    pending_on_reset: tuple[str, ...] = field(default=())


def make_adam(params, lr: float) -> torch.optim.Adam:
    try:
        # The fused kernel does one pass over all parameters: the 1-D toy's step time is
        # per-op overhead, so this is a measurable share of it.
        return torch.optim.Adam(params, lr=lr, betas=ADAM_BETAS, fused=True)
    except (RuntimeError, TypeError):
        return torch.optim.Adam(params, lr=lr, betas=ADAM_BETAS, foreach=True)


class Trainer:
    """A GAN on a 1-D target, stepped one iteration at a time."""

    def __init__(
        self,
        preset: str | presets.Preset = presets.DEFAULT_PRESET,
        overrides: dict | None = None,
        device: str | torch.device = "cpu",
    ) -> None:
        self.preset = presets.get(preset) if isinstance(preset, str) else preset
        self.settings = self.preset.settings()
        self.settings.update(config.validate(overrides or {}))
        self.device = torch.device(device)
        self.history = BoundedHistory(CURVES)
        self.reset()

    # ----------------------------------------------------------------------------- setup
    def reset(self) -> None:
        """New weights from the seed, fresh optimisers and history; settings kept."""
        s = self.settings
        self._built_with = {n: s[n] for n in config.SETTINGS_BY_NAME if not config.lookup(n).live}
        self.target = Gaussian1D(s["target_mean"], s["target_sigma"])
        # The networks see standardised data: x_net = (x - offset) / scale. Fed raw values
        # around 4, D goes flat at 0.5 long before the generator's spread is right. The
        # scale is fixed here, at Reset, so that a live change of the target moves the
        # real data and the generator has to follow it.
        self.offset = self.target.mean
        self.scale = self.target.sigma
        width, layers = s["hidden_width"], s["hidden_layers"]
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(s["seed"])
            self.generator = mlp(1, width, layers, 1).to(self.device)
            self.discriminator = mlp(1, width, layers, 1).to(self.device)
        self.generator_ema = copy.deepcopy(self.generator).requires_grad_(False)
        self._g_params = list(self.generator.parameters())
        self._d_params = list(self.discriminator.parameters())
        self._ema_params = list(self.generator_ema.parameters())
        self.opt_d = make_adam(self._d_params, s["lr_d"])
        self.opt_g = make_adam(self._g_params, s["lr_g"])
        # Separate random streams: training noise and real batches come from one, the
        # views' evaluations from the other, so drawing more or less often never changes
        # the training numbers.
        self.rng = torch.Generator(self.device).manual_seed(s["seed"])
        self.eval_rng = torch.Generator(self.device).manual_seed(s["seed"] + 7919)
        self.step_count = 0
        self.d_updates = 0
        self.g_updates = 0
        self.history.clear()
        self._window_sum = np.zeros(len(CURVES))
        self._window_count = 0
        self.last = dict.fromkeys(CURVES, float("nan"))

    def update_settings(self, changes: dict) -> tuple[str, ...]:
        """Validate and apply ``changes`` between two iterations.

        Live settings act on the next iteration: a learning rate is written into the
        optimiser's param_groups, which keeps Adam's moment estimates. Returns the
        names whose new value waits for Reset. Raises SettingError and changes nothing
        if any value is bad.
        """
        values = config.validate(changes)
        self.settings.update(values)
        s = self.settings
        for group in self.opt_d.param_groups:
            group["lr"] = s["lr_d"]
        for group in self.opt_g.param_groups:
            group["lr"] = s["lr_g"]
        if (s["target_mean"], s["target_sigma"]) != (self.target.mean, self.target.sigma):
            self.target = Gaussian1D(s["target_mean"], s["target_sigma"])
        return self.pending_on_reset()

    def pending_on_reset(self) -> tuple[str, ...]:
        return tuple(n for n, v in self._built_with.items() if self.settings[n] != v)

    # -------------------------------------------------------------------------- training
    def _real_batch(self, n: int) -> torch.Tensor:
        """A batch of real data in the networks' (standardised) units."""
        eps = torch.randn(n, 1, generator=self.rng, device=self.device)
        target = self.target
        return eps.mul_(target.sigma / self.scale).add_((target.mean - self.offset) / self.scale)

    def _noise(self, n: int) -> torch.Tensor:
        return torch.randn(n, 1, generator=self.rng, device=self.device)

    def step(self) -> None:
        """One iteration: k discriminator updates, then one generator update."""
        s = self.settings
        batch = s["batch_size"]
        for _ in range(s["k"]):
            real = self._real_batch(batch)
            with torch.no_grad():
                fake = self.generator(self._noise(batch))
            # One forward pass over real and fake together: fewer ops per step.
            logits = self.discriminator(torch.cat((real, fake)))
            real_logits, fake_logits = logits[:batch], logits[batch:]
            loss_d = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
            # autograd.grad computes only what this update needs and replaces zero_grad.
            grads = torch.autograd.grad(loss_d, self._d_params)
            for p, g in zip(self._d_params, grads, strict=True):
                p.grad = g
            self.opt_d.step()
            self.d_updates += 1

        fake_logits_g = self.discriminator(self.generator(self._noise(batch)))
        loss_g = F.softplus(-fake_logits_g).mean()  # non-saturating: -log D(G(z))
        for p, g in zip(self._g_params, torch.autograd.grad(loss_g, self._g_params), strict=True):
            p.grad = g
        self.opt_g.step()
        self.g_updates += 1
        self._update_ema()
        self.step_count += 1

        with torch.no_grad():
            values = torch.stack(
                (
                    loss_d.detach(),
                    loss_g.detach(),
                    torch.sigmoid(real_logits.detach()).mean(),
                    torch.sigmoid(fake_logits.detach()).mean(),
                )
            ).tolist()
        self.history.record(self.step_count, values)
        self._window_sum += values
        self._window_count += 1
        self.last = dict(zip(CURVES, values, strict=True))

    def _update_ema(self) -> None:
        t = self.g_updates
        decay = ema_decay(t, self.settings["ema"])
        with torch.no_grad():
            torch._foreach_lerp_(self._ema_params, self._g_params, 1.0 - decay)

    def run(self, iterations: int) -> None:
        for _ in range(iterations):
            self.step()

    def take_window_means(self) -> dict[str, float]:
        """Mean of each curve over the iterations since the previous call."""
        if self._window_count == 0:
            return dict(self.last)
        means = self._window_sum / self._window_count
        self._window_sum[:] = 0.0
        self._window_count = 0
        return dict(zip(CURVES, means.tolist(), strict=True))

    # ------------------------------------------------------------------------ measuring
    def sample(self, n: int, averaged: bool = True) -> np.ndarray:
        """``n`` generator samples in data units, float32 (n,)."""
        network = self.generator_ema if averaged else self.generator
        return evaluation.sample(network, n, self.offset, self.scale, self.eval_rng)

    def discriminate(self, x: np.ndarray) -> np.ndarray:
        """D(x) for points ``x`` in data units."""
        return evaluation.discriminate(self.discriminator, x, self.offset, self.scale)

    def evaluate(self, num_samples: int = evaluation.DENSITY_SAMPLES) -> evaluation.Evaluation:
        """Densities, D(x) and the divergence of the current networks."""
        return evaluation.evaluate(
            self.generator_ema, self.generator, self.discriminator, self.target,
            self.offset, self.scale, self.step_count, self.eval_rng, num_samples,
        )

    def model_state(self) -> ModelState:
        s = self.settings
        return ModelState(
            step=self.step_count,
            generator=evaluation.state_dict_numpy(self.generator_ema),
            raw_generator=evaluation.state_dict_numpy(self.generator),
            discriminator=evaluation.state_dict_numpy(self.discriminator),
            hidden_width=self._built_with["hidden_width"],
            hidden_layers=self._built_with["hidden_layers"],
            target_mean=s["target_mean"],
            target_sigma=s["target_sigma"],
            offset=self.offset,
            scale=self.scale,
        )

    def snapshot(self) -> Snapshot:
        """Everything the window draws, cheap to take between two iterations."""
        return Snapshot(
            step=self.step_count,
            d_updates=self.d_updates,
            g_updates=self.g_updates,
            settings=dict(self.settings),
            history=self.history.as_arrays(),
            model=self.model_state(),
            pending_on_reset=self.pending_on_reset(),
        )
