"""The training loop: k discriminator steps, then generator steps; changes between steps.

The trainer is plain Python + torch, driven one iteration at a time by whoever owns it
(the window's training process, ``ganviz train``, a test). Settings changed between two
iterations take effect on the next one without rebuilding anything; settings that
define the model (seed, layer sizes, latent size) are kept until :meth:`Trainer.reset`.
What the data are, how the networks look and what is measured belongs to a *problem*:
:class:`~ganviz.core.toy1d.Toy1D` or :class:`~ganviz.core.mnist_gan.MnistProblem`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from ganviz.core import config, presets
from ganviz.core.history import BoundedHistory
from ganviz.core.theory import CURVES


# The EMA's decay is ramped as t / (t + 1) up to the chosen decay: for the first
# 1 / (1 - decay) generator updates the averaged generator is the plain mean of all the
# iterates so far, instead of an average lagging behind the random initialisation.
def ema_decay(updates: int, decay: float) -> float:
    return min(decay, updates / (updates + 1.0))


@dataclass
class Snapshot:
    """The trainer's state at one iteration as plain numpy: safe to send to another thread.

    For the 1-D toy it carries the weights, not the densities: turning them into curves
    (:class:`~ganviz.core.evaluation.Evaluator`) costs far more than copying them, and the
    window does that on a thread of its own.
    """

    step: int
    d_updates: int
    g_updates: int
    settings: dict[str, int | float]
    history: dict[str, np.ndarray]
    mode: str
    view: object  # ModelState (1-D: the weights) or ImagesViewData (MNIST: grids, classes)
    pending_on_reset: tuple[str, ...] = field(default=())


def make_adam(params, lr: float, betas: tuple[float, float]) -> torch.optim.Adam:
    try:
        # The fused kernel does one pass over all parameters: the 1-D toy's step time is
        # per-op overhead, so this is a measurable share of it.
        return torch.optim.Adam(params, lr=lr, betas=betas, fused=True)
    except (RuntimeError, TypeError):
        return torch.optim.Adam(params, lr=lr, betas=betas, foreach=True)


def make_problem(preset: presets.Preset, settings: dict, device: torch.device, data=None):
    if preset.mode == "1d":
        from ganviz.core.toy1d import Toy1D

        return Toy1D(settings, device)
    from ganviz.core.mnist_gan import MnistProblem

    return MnistProblem(preset, settings, device, data)


class Trainer:
    """A GAN stepped one iteration at a time."""

    def __init__(
        self,
        preset: str | presets.Preset = presets.DEFAULT_PRESET,
        overrides: dict | None = None,
        device: str | torch.device = "cpu",
        data=None,
    ) -> None:
        self.preset = presets.get(preset) if isinstance(preset, str) else preset
        self.mode = self.preset.mode
        self.settings = self.preset.settings()
        self.settings.update(config.validate(overrides or {}, self.mode))
        self.device = torch.device(device)
        self.history = BoundedHistory(CURVES)
        self.problem = make_problem(self.preset, self.settings, self.device, data)
        self.reset()

    # ----------------------------------------------------------------------------- setup
    def reset(self) -> None:
        """New weights from the seed, fresh optimisers and history; settings kept."""
        s = self.settings
        self.built_with = {n: s[n] for n in s if not config.lookup(n).live}
        self.problem.reset(s)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(s["seed"])
            generator, discriminator = self.problem.build(s)
        self.generator = generator.to(self.device)
        self.discriminator = discriminator.to(self.device)
        self.generator_ema = copy.deepcopy(self.generator).requires_grad_(False).eval()
        self._g_params = list(self.generator.parameters())
        self._d_params = list(self.discriminator.parameters())
        self._ema_params = list(self.generator_ema.parameters())
        self._g_buffers = [b for b in self.generator.buffers() if b.is_floating_point()]
        self._ema_buffers = [b for b in self.generator_ema.buffers() if b.is_floating_point()]
        betas = self.preset.betas
        self.opt_d = make_adam(self._d_params, s["lr_d"], betas)
        self.opt_g = make_adam(self._g_params, s["lr_g"], betas)
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
        values = config.validate(changes, self.mode)
        self.settings.update(values)
        self._apply_learning_rates()
        self.problem.update_settings(self.settings)
        return self.pending_on_reset()

    def learning_rate_scale(self) -> float:
        """S1's staircase decay: factor ** (iterations done // every)."""
        s = self.settings
        return s["lr_decay"] ** (self.step_count // s["lr_decay_every"])

    def _apply_learning_rates(self) -> None:
        # Written into the optimisers' param_groups: Adam keeps its moment estimates.
        scale = self.learning_rate_scale()
        for optimizer, name in ((self.opt_d, "lr_d"), (self.opt_g, "lr_g")):
            for group in optimizer.param_groups:
                group["lr"] = self.settings[name] * scale

    def pending_on_reset(self) -> tuple[str, ...]:
        return tuple(n for n, v in self.built_with.items() if self.settings[n] != v)

    # -------------------------------------------------------------------------- training
    def step(self) -> None:
        """One iteration: k discriminator updates, then k_g generator updates."""
        s = self.settings
        batch = s["batch_size"]
        problem = self.problem
        for _ in range(s["k"]):
            real = problem.real_batch(batch, self.rng)
            with torch.no_grad():
                fake = self.generator(problem.noise(batch, self.rng))
            # One forward pass over real and fake together: fewer ops per step.
            logits = self.discriminator(torch.cat((real, fake)))
            n_real = real.shape[0]
            real_logits, fake_logits = logits[:n_real], logits[n_real:]
            # Summed BCE: -log D(x) - log(1 - D(G(z))), with D = sigmoid(logit).
            loss_d = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
            # autograd.grad computes only what this update needs and replaces zero_grad.
            grads = torch.autograd.grad(loss_d, self._d_params)
            for p, g in zip(self._d_params, grads, strict=True):
                p.grad = g
            self.opt_d.step()
            self.d_updates += 1

        for _ in range(s["k_g"]):
            fake_logits_g = self.discriminator(self.generator(problem.noise(batch, self.rng)))
            loss_g = F.softplus(-fake_logits_g).mean()  # non-saturating: -log D(G(z))
            grads = torch.autograd.grad(loss_g, self._g_params)
            for p, g in zip(self._g_params, grads, strict=True):
                p.grad = g
            self.opt_g.step()
            self.g_updates += 1
            self._update_ema()
        self.step_count += 1
        if s["lr_decay"] != 1.0 and self.step_count % s["lr_decay_every"] == 0:
            self._apply_learning_rates()

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
        decay = ema_decay(self.g_updates, self.settings["ema"])
        with torch.no_grad():
            torch._foreach_lerp_(self._ema_params, self._g_params, 1.0 - decay)
            if self._g_buffers:  # BatchNorm's running statistics follow the trained G
                torch._foreach_copy_(self._ema_buffers, self._g_buffers)

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
        """``n`` generator samples in data units (1-D: (n,); MNIST: (n, 28, 28) in [0, 1])."""
        network = self.generator_ema if averaged else self.generator
        return self.problem.sample(network, n, self.eval_rng)

    def metrics(self) -> dict:
        """The figures of the metrics JSONL that depend on the data mode."""
        return self.problem.metrics(self)

    def snapshot(self) -> Snapshot:
        """Everything the window draws, cheap to take between two iterations."""
        return Snapshot(
            step=self.step_count,
            d_updates=self.d_updates,
            g_updates=self.g_updates,
            settings=dict(self.settings),
            history=self.history.as_arrays(),
            mode=self.mode,
            view=self.problem.view_data(self, self.settings),
            pending_on_reset=self.pending_on_reset(),
        )

    # 1-D conveniences, used by tests and the convergence benchmark.
    def evaluate(self, num_samples: int = 20_000):
        return self.problem.evaluate(self, num_samples)

    def discriminate(self, x: np.ndarray) -> np.ndarray:
        from ganviz.core import evaluation

        problem = self.problem
        return evaluation.discriminate(self.discriminator, x, problem.offset, problem.scale)

    @property
    def target(self):
        return self.problem.target

    @property
    def offset(self) -> float:
        return self.problem.offset

    @property
    def scale(self) -> float:
        return self.problem.scale

    def _real_batch(self, n: int) -> torch.Tensor:
        return self.problem.real_batch(n, self.rng)
