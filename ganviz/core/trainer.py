"""The training loop: k discriminator steps, then generator steps; changes between steps.

The trainer is plain Python + torch, driven one iteration at a time by whoever owns it
(the window's training process, ``ganviz train``, a test). Settings changed between two
iterations take effect on the next one without rebuilding anything; settings that
define the model (seed, layer sizes, latent size) are kept until :meth:`Trainer.reset`.
What the data are, how the networks look and what is measured belongs to a *problem*:
:class:`~ganviz.core.toy1d.problem.Toy1D` or :class:`~ganviz.core.mnist.problem.MnistProblem`.
"""

from __future__ import annotations

import copy
import math
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch.optim import optimizer as torch_optimizer

from ganviz.core import config, objectives, presets, runtime
from ganviz.core.history import BoundedHistory
from ganviz.core.protocol import Snapshot
from ganviz.core.theory import CURVES

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
    strokes, digits) for the whole run: with decay 0.999 the plain mean lagged so far that
    none of its samples was classified with p >= 0.9 at 1,000 iterations and 19% at 2,000,
    against 25% and 51% with this ramp (24% and 34% for the trained generator itself).
    """
    ramp = (1.0 + updates) / (10.0 + updates) if follow_recent else updates / (updates + 1.0)
    return min(decay, ramp)


def make_optimizer(kind: str, params, lr: float, settings: dict) -> torch.optim.Optimizer:
    """One of the optimisers of the ``optimizer_d``/``optimizer_g`` settings."""
    if kind == "adam":
        betas = (settings["adam_beta1"], settings["adam_beta2"])
        try:
            # The fused kernel does one pass over all parameters: the 1-D toy's step time
            # is per-op overhead, so this is a measurable share of it.
            return torch.optim.Adam(params, lr=lr, betas=betas, fused=True)
        except (RuntimeError, TypeError):
            return torch.optim.Adam(params, lr=lr, betas=betas, foreach=True)
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, foreach=True)
    momentum = settings["momentum"] if kind == "momentum" else 0.0
    return torch.optim.SGD(params, lr=lr, momentum=momentum, foreach=True)


def step_optimizer(optimizer: torch.optim.Optimizer) -> bool:
    """``optimizer.step()``, by a shorter path where it is a fused Adam; True if it took it.

    The 1-D toy's iteration (~2.4 ms here) is per-op overhead, and two Adam steps took a
    fifth of it, nearly all in Python: the step's profiler label and hooks (~60 us each),
    then the regrouping of tensors by device and dtype. This makes the same two kernel calls
    torch's fused Adam makes (the step counts, then the update) on the lists it keeps, so
    the weights come out bit for bit the same (a test checks it); it cost 56 us against
    165-194 us. Anything else (another optimiser, a first step that creates the state, a
    missing gradient, options ganviz does not set) goes through ``step()``.
    """
    lists = _fused_adam_lists(optimizer)
    if lists is None:
        optimizer.step()
        return False
    group, params, grads, exp_avgs, exp_avg_sqs, steps = lists
    beta1, beta2 = group["betas"]
    torch._foreach_add_(steps, 1)
    torch._fused_adam_(params, grads, exp_avgs, exp_avg_sqs, [], steps, amsgrad=False,
                       lr=group["lr"], beta1=beta1, beta2=beta2, weight_decay=0.0,
                       eps=group["eps"], maximize=False, grad_scale=None, found_inf=None)
    return True


def _fused_adam_lists(optimizer: torch.optim.Optimizer) -> tuple | None:
    """The group, parameters, gradients, moments and step counts of a fused Adam that
    step_optimizer can step itself, or None where ``step()`` must."""
    groups = optimizer.param_groups
    if type(optimizer) is not torch.optim.Adam or len(groups) != 1 or _step_is_hooked(optimizer):
        return None
    group = groups[0]
    params, state = group["params"], optimizer.state
    if (not group["fused"] or group["amsgrad"] or group["maximize"] or group["weight_decay"]
            or group["capturable"] or group["differentiable"]
            or group.get("decoupled_weight_decay") or isinstance(group["lr"], torch.Tensor)
            or len(state) != len(params)):  # len: the first step creates the state
        return None
    grads, exp_avgs, exp_avg_sqs, steps = [], [], [], []
    for p in params:
        if p.grad is None or p.grad.is_sparse:
            return None
        p_state = state[p]
        grads.append(p.grad)
        exp_avgs.append(p_state["exp_avg"])
        exp_avg_sqs.append(p_state["exp_avg_sq"])
        steps.append(p_state["step"])
    return group, params, grads, exp_avgs, exp_avg_sqs, steps


def _step_is_hooked(optimizer: torch.optim.Optimizer) -> bool:
    """Whether something expects ``step()`` itself to run: its hooks, a step replaced on
    this optimiser, gradient scaling (none of which ganviz uses)."""
    return bool(optimizer._optimizer_step_pre_hooks or optimizer._optimizer_step_post_hooks
                or getattr(torch_optimizer, "_global_optimizer_pre_hooks", None)
                or getattr(torch_optimizer, "_global_optimizer_post_hooks", None)
                or "step" in vars(optimizer) or hasattr(optimizer, "grad_scale"))


OPTIMIZER_NAMES = {"sgd": "plain SGD", "momentum": "SGD with momentum", "adam": "Adam",
                   "rmsprop": "RMSprop"}


def make_problem(preset: presets.Preset, settings: dict, device: torch.device, data=None):
    if preset.mode == "1d":
        from ganviz.core.toy1d.problem import Toy1D

        return Toy1D(preset, settings, device)
    if preset.mode == "2d":
        from ganviz.core.toy2d.problem import Toy2D

        return Toy2D(preset, settings, device, data)
    from ganviz.core.mnist.problem import MnistProblem

    return MnistProblem(preset, settings, device, data)


class Trainer:
    """A GAN stepped one iteration at a time."""

    def __init__(
        self,
        preset: str | presets.Preset = presets.DEFAULT_PRESET,
        overrides: dict | None = None,
        device: str | torch.device | None = None,
        data=None,
        pretrain: bool = True,
    ) -> None:
        """``pretrain=False``: skip S1's D pre-training at the start (a session's saved
        weights replace these anyway)."""
        self.preset = presets.get(preset) if isinstance(preset, str) else preset
        self.mode = self.preset.mode
        self.settings = self.preset.settings()
        self.settings.update(config.validate(overrides or {}, self.mode))
        config.check_consistency(self.settings)
        self.notices: list[str] = []  # what a change did that the user should be told
        # The `device` setting, unless the caller names one (tests, benchmarks).
        self.device = torch.device(device) if device is not None else \
            runtime.resolve_device(self.settings["device"], self.mode)
        # 1,024 points per curve: more than a plot is wide in pixels, and small enough that a
        # frame pickles to well under the 64 KB a pipe holds (see snapshot()).
        self.history = BoundedHistory(CURVES, capacity=1024)
        self.problem = make_problem(self.preset, self.settings, self.device, data)
        self.reset(pretrain)

    # ----------------------------------------------------------------------------- setup
    def reset(self, pretrain: bool = True) -> None:
        """New weights from the seed, fresh optimisers and history; settings kept.

        ``pretrain``: run S1's D pre-training if ``d_pretrain_steps`` asks for it (not when
        the weights are about to be replaced by a saved run's)."""
        s = self.settings
        self.built_with = {n: s[n] for n in s if not config.lookup(n).live}
        # InfoGAN's codes (MNIST) as the networks are built: changed codes wait for Reset,
        # and the networks' shapes depend on them.
        self._coded = bool(self.built_with.get("info_codes") or
                           self.built_with.get("info_continuous"))
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
        self.step_count = 0
        # Built on first use (see the opt_d property): the first optimiser costs ~1.7 s of
        # imports, which would otherwise delay the window's first frame.
        self._opt_d = self._opt_g = None
        self._optimizer_kinds = {"optimizer_d": s["optimizer_d"], "optimizer_g": s["optimizer_g"]}
        # Separate random streams: training noise and real batches come from one, the
        # views' evaluations from the other, so drawing more or less often never changes
        # the training numbers.
        self.rng, self.eval_rng = torch.Generator(self.device), torch.Generator(self.device)
        self._seed_streams(s["seed"])
        self.d_updates = 0
        self.g_updates = 0
        self.history.clear()
        self._window_sum = np.zeros(len(CURVES))
        self._window_count = 0
        self.last = dict.fromkeys(CURVES, float("nan"))
        self.objective = objectives.get(s["loss"])
        if pretrain and self.mode == "1d" and s["d_pretrain_steps"]:
            self.pretrain_discriminator(s["d_pretrain_steps"])

    @property
    def opt_d(self) -> torch.optim.Optimizer:
        if self._opt_d is None:
            self._build_optimizers(("optimizer_d",))
        return self._opt_d

    @property
    def opt_g(self) -> torch.optim.Optimizer:
        if self._opt_g is None:
            self._build_optimizers(("optimizer_g",))
        return self._opt_g

    def prepare(self) -> None:
        """Build what the first iteration needs now (the window calls it while idle)."""
        missing = [name for name, built in (("optimizer_d", self._opt_d),
                                            ("optimizer_g", self._opt_g)) if built is None]
        if missing:
            self._build_optimizers(missing)

    def _build_optimizers(self, which) -> None:
        s = self.settings
        if "optimizer_d" in which:
            self._opt_d = make_optimizer(s["optimizer_d"], self._d_params, s["lr_d"], s)
        if "optimizer_g" in which:
            self._opt_g = make_optimizer(s["optimizer_g"], self._g_params, s["lr_g"], s)
        self._optimizer_kinds = {"optimizer_d": s["optimizer_d"], "optimizer_g": s["optimizer_g"]}
        self._apply_learning_rates()

    def pretrain_discriminator(self, steps: int) -> float:
        """S1's D_pre: fit D to the real pdf by MSE (1-D only); returns the final MSE."""
        mse = self.problem.pretrain(self.discriminator, self.objective, steps, self.rng)
        self.notices.append(f"D pre-trained for {steps:,} steps on the real pdf (MSE {mse:.2g})")
        return mse

    def update_settings(self, changes: dict) -> tuple[str, ...]:
        """Validate and apply ``changes`` between two iterations.

        Live settings act on the next iteration: a learning rate is written into the
        optimiser's param_groups, which keeps Adam's moment estimates. Returns the
        names whose new value waits for Reset. Raises SettingError and changes nothing
        if any value is bad.
        """
        values = config.validate(changes, self.mode)
        merged = {**self.settings, **values}
        config.check_consistency(merged)
        if hasattr(self.problem, "check_settings"):
            self.problem.check_settings(merged)
        self.settings.update(values)
        switched = [n for n, kind in self._optimizer_kinds.items() if self.settings[n] != kind]
        if switched:
            built = {"optimizer_d": self._opt_d, "optimizer_g": self._opt_g}
            self._build_optimizers([n for n in switched if built[n] is not None])
            self._optimizer_kinds = {n: self.settings[n] for n in built}
            for name in switched:
                network = "D" if name == "optimizer_d" else "G"
                self.notices.append(
                    f"{network}'s optimiser is now {OPTIMIZER_NAMES[self.settings[name]]}: "
                    f"weights kept, its state (moments, momentum) starts afresh")
        if self.settings["loss"] != self.objective.name:
            self.objective = objectives.get(self.settings["loss"])
            self.notices.append(f"Objective is now {self.objective.name}; both networks kept")
        self._apply_learning_rates()
        self.problem.update_settings(self.settings)
        return self.pending_on_reset()

    def set_custom_points(self, custom) -> None:
        """The 2-D ``custom`` dataset's points (drawn, or read from a file)."""
        if self.mode != "2d":
            raise config.SettingError("custom points: only 2-D presets train on points")
        self.problem.set_custom(custom)
        self.notices.append(f"Custom data: {custom.description}")

    def take_notices(self) -> list[str]:
        notices, self.notices = self.notices, []
        return notices

    def learning_rate_scale(self) -> float:
        """S1's staircase decay: factor ** (iterations done // every)."""
        s = self.settings
        return s["lr_decay"] ** (self.step_count // s["lr_decay_every"])

    def _apply_learning_rates(self) -> None:
        # Written into the optimisers' param_groups: they keep their state (Adam's moments).
        s = self.settings
        scale = self.learning_rate_scale()
        for optimizer, name in ((self._opt_d, "lr_d"), (self._opt_g, "lr_g")):
            if optimizer is None:  # not built yet: it will start from the settings
                continue
            for group in optimizer.param_groups:
                group["lr"] = s[name] * scale
                if "betas" in group:
                    group["betas"] = (s["adam_beta1"], s["adam_beta2"])
                if isinstance(optimizer, torch.optim.SGD) and group["momentum"]:
                    group["momentum"] = s["momentum"]

    def instance_noise_std(self) -> float:
        """The instance noise now, in the networks' units: annealed linearly to 0."""
        s = self.settings
        if not s["instance_noise"]:
            return 0.0
        remaining = max(0.0, 1.0 - self.step_count / s["instance_noise_steps"])
        return s["instance_noise"] * remaining * self.problem.input_noise_scale()

    def pending_on_reset(self) -> tuple[str, ...]:
        return tuple(n for n, v in self.built_with.items() if self.settings[n] != v)

    # -------------------------------------------------------------------------- training
    def step(self) -> None:
        """One iteration: k discriminator updates, then k_g generator updates."""
        s = self.settings
        noise_std = self.instance_noise_std()
        for _ in range(s["k"]):
            loss_d, real_out, fake_out = self._update_discriminator(noise_std)
        for _ in range(s["k_g"]):
            loss_g = self._update_generator(noise_std)
        self.step_count += 1
        if s["lr_decay"] != 1.0 and self.step_count % s["lr_decay_every"] == 0:
            self._apply_learning_rates()

        objective = self.objective
        with torch.no_grad():
            values = torch.stack(
                (
                    loss_d.detach(),
                    loss_g.detach(),
                    objective.d_output(real_out.detach()).mean(),
                    objective.d_output(fake_out.detach()).mean(),
                )
            ).tolist()
        self.history.record(self.step_count, values)
        self._window_sum += values
        self._window_count += 1
        self.last = dict(zip(CURVES, values, strict=True))

    def step_network(self, network: str) -> None:
        """One update of one network ("d" or "g"), outside the k_d/k_g rhythm: GAN Lab's
        single-step buttons. The iteration count and the curves do not move."""
        if network == "d":
            self._update_discriminator(self.instance_noise_std())
        elif network == "g":
            self._update_generator(self.instance_noise_std())
        else:
            raise ValueError(f"network must be 'd' or 'g', not {network!r}")

    def _update_discriminator(self, noise_std: float):
        """One D update; returns its loss and D's raw outputs on the real and fake batch."""
        batch = self.settings["batch_size"]
        problem = self.problem
        real = problem.real_batch(batch, self.rng)
        noise, codes = self._noise(batch)
        with torch.no_grad():
            fake = self.generator(noise)
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
        step_optimizer(self.opt_d)
        self.d_updates += 1
        return loss_d, real_out, fake_out

    def _update_generator(self, noise_std: float) -> torch.Tensor:
        noise, codes = self._noise(self.settings["batch_size"])
        fake = self.generator(noise)
        if noise_std:
            fake = fake + noise_std * self._randn_like(fake)
        out, guesses = self._judge(fake)
        loss_g = self.objective.g_loss(out)
        # Without a code nothing is added: the toys' steps are mostly per-op overhead.
        total = loss_g if guesses is None else loss_g + self._code_loss(guesses, codes)
        grads = torch.autograd.grad(total, self._g_params)
        for p, g in zip(self._g_params, grads, strict=True):
            p.grad = g
        step_optimizer(self.opt_g)
        self.g_updates += 1
        self._update_ema()
        return loss_g

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

    # --------------------------------------------------------------- divergence, restore
    def diverged(self) -> str | None:
        """What went non-finite in the last iteration (a loss), or None if all is well.

        The losses are already on the CPU (read for the curves), so this costs nothing;
        a NaN or Inf in the weights shows up in the next iteration's losses.
        """
        if self.step_count == 0:  # no iteration yet: no losses to judge
            return None
        bad = [name for name in ("loss_d", "loss_g") if not math.isfinite(self.last[name])]
        if not bad:
            return None
        names = {"loss_d": "D's loss", "loss_g": "G's loss"}
        value = self.last[bad[0]]
        return " and ".join(names[b] for b in bad) + f" became {value}"

    def weights_finite(self) -> bool:
        """Every weight of both networks is a finite number (a state worth going back to)."""
        with torch.no_grad():
            return all(bool(torch.isfinite(p).all()) for p in (*self._g_params,
                                                                *self._d_params))

    def keep_state(self) -> dict:
        """A copy of everything a run is (weights, optimisers, random streams, counts,
        curves): :meth:`restore_state` brings the run back to exactly here."""
        return copy.deepcopy({
            "step_count": self.step_count, "d_updates": self.d_updates,
            "g_updates": self.g_updates,
            "generator": self.generator.state_dict(),
            "generator_ema": self.generator_ema.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "opt_d": None if self._opt_d is None else self._opt_d.state_dict(),
            "opt_g": None if self._opt_g is None else self._opt_g.state_dict(),
            "optimizer_kinds": dict(self._optimizer_kinds),
            "rng": self.rng.get_state(), "eval_rng": self.eval_rng.get_state(),
            "history": self.history.__dict__, "last": dict(self.last),
            # What the problem fixed at Reset or has moved on since (the inputs'
            # normalisation, MNIST's pass over the data).
            "problem": self.problem.keep_state(),
            "built_with": dict(self.built_with),
        })

    def _seed_streams(self, seed: int) -> None:
        self.rng.manual_seed(seed)
        self.eval_rng.manual_seed(seed + 7919)

    def restore_state(self, state: dict) -> bool:
        """Go back to a state taken by :meth:`keep_state` (same networks' shapes); the
        settings stay as they are now, so a learning rate lowered since is kept.

        Returns False when the random streams could not be restored: they were saved on
        another kind of device (a CUDA generator's state does not fit a CPU one), so they
        start afresh from the seed and the iteration count; all else is restored."""
        state = copy.deepcopy(state)
        self.generator.load_state_dict(state["generator"])
        self.generator_ema.load_state_dict(state["generator_ema"])
        self.discriminator.load_state_dict(state["discriminator"])
        self._opt_d = self._opt_g = None
        kinds = state["optimizer_kinds"]
        for name, opt_state in (("opt_d", state["opt_d"]), ("opt_g", state["opt_g"])):
            kind = "optimizer_d" if name == "opt_d" else "optimizer_g"
            optimizer = getattr(self, name)  # built from the settings now
            if opt_state is not None and kinds[kind] == self.settings[kind]:
                optimizer.load_state_dict(opt_state)
        # The counts first: the learning rates' staircase decay depends on them.
        self.step_count, self.d_updates = state["step_count"], state["d_updates"]
        self.g_updates = state["g_updates"]
        self._apply_learning_rates()
        self.problem.restore_state(state["problem"])
        try:
            self.rng.set_state(state["rng"])
            self.eval_rng.set_state(state["eval_rng"])
            streams_restored = True
        except RuntimeError:  # "Expected a CPUGeneratorImplState of size 5056 ..."
            self._seed_streams(self.settings["seed"] + self.step_count)
            streams_restored = False
        self.history.__dict__.update(state["history"])
        self.last = state["last"]
        self._window_sum[:] = 0.0
        self._window_count = 0
        return streams_restored

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
            # float32: a frame that fits in the pipe's buffer is sent without waiting for
            # the window to read it (measured: 76 KB frames blocked the trainer 7% of the time).
            history=self.history.as_arrays(np.float32),
            mode=self.mode,
            view=self.problem.view_data(self, self.settings),
            pending_on_reset=self.pending_on_reset(),
        )

    # 1-D conveniences, used by tests and the convergence benchmark.
    def evaluate(self, num_samples: int = 20_000):
        return self.problem.evaluate(self, num_samples)

    def discriminate(self, x: np.ndarray) -> np.ndarray:
        """D's output (probability or critic value) at points ``x`` in data units (1-D)."""
        from ganviz.core.toy1d import evaluation

        problem = self.problem
        reference = None
        if problem.batch_dependent:
            reference = self.sample(self.settings["batch_size"] - 1, averaged=False)
        return evaluation.discriminator_output(self.discriminator, x, problem.offset,
                                               problem.scale, self.objective, reference)

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
