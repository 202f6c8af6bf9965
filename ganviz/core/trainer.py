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

import numpy as np
import torch

from ganviz.core import config, objectives, presets, run_state, runtime
from ganviz.core.fast_adam import QuickAdam
from ganviz.core.history import BoundedHistory
from ganviz.core.optimizers import OPTIMIZER_NAMES, apply_settings, make_optimizer
from ganviz.core.protocol import Snapshot
from ganviz.core.snapshots import capture
from ganviz.core.theory import CURVES
from ganviz.core.timeline import DEFAULT_EVERY, Timeline
from ganviz.core.updates import NetworkUpdates


def make_problem(preset: presets.Preset, settings: dict, device: torch.device, data=None):
    if preset.mode == "1d":
        from ganviz.core.toy1d.problem import Toy1D

        return Toy1D(preset, settings, device)
    if preset.mode == "2d":
        from ganviz.core.toy2d.problem import Toy2D

        return Toy2D(preset, settings, device, data)
    from ganviz.core.mnist.problem import MnistProblem

    return MnistProblem(preset, settings, device, data)


# Generator samples are made this many at a time: more than any evaluation asks for at
# once (so their random draws are as one call's), few enough that the activations of a
# 512-wide layer stay near 128 MB.
SAMPLE_CHUNK = 65_536


class Trainer(NetworkUpdates):
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
        self._quick_adam = QuickAdam(lambda message: self.notices.append(message))
        # The `device` setting, unless the caller names one (tests, benchmarks).
        self.device = torch.device(device) if device is not None else \
            runtime.resolve_device(self.settings["device"], self.mode)
        # 1,024 points per curve: more than a plot is wide in pixels, and small enough that a
        # frame pickles to well under the 64 KB a pipe holds (see snapshot()).
        self.history = BoundedHistory(CURVES, capacity=1024)
        # The run's past (core/timeline.py), when kept: the window keeps one, `ganviz
        # train` with --snapshot-every. Set it with keep_timeline().
        self.timeline: Timeline | None = None
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
        # Built on first use (see the opt_d property): the first optimiser imports much of
        # torch.optim, which would otherwise delay the window's first frame.
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
        if self.timeline is not None:  # a new run has a past of its own
            self.keep_timeline(self.timeline.every if self.timeline.fixed else None)

    def keep_timeline(self, every: int | None = None) -> Timeline:
        """Keep snapshots of the run from now on: at every multiple of ``every``, or (None)
        on the thinning schedule of core/timeline.py. Starts with the present iteration."""
        self.timeline = Timeline(self.mode, every or DEFAULT_EVERY, fixed=every is not None)
        self.timeline.add(capture(self))
        return self.timeline

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
        s = self.settings
        scale = self.learning_rate_scale()
        apply_settings(self._opt_d, s["lr_d"] * scale, s)
        apply_settings(self._opt_g, s["lr_g"] * scale, s)

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
    def step(self, watch=None) -> None:
        """One iteration: k discriminator updates, then k_g generator updates.

        ``watch``: slow motion's observer (core/narration.py); the iteration is the same."""
        s = self.settings
        loss_d, real_out, fake_out, loss_g = self._iteration_updates(
            self.instance_noise_std(), watch)
        self.step_count += 1
        if s["lr_decay"] != 1.0 and self.step_count % s["lr_decay_every"] == 0:
            self._apply_learning_rates()
        objective = self.objective
        with torch.no_grad():
            values = torch.stack((loss_d.detach(), loss_g.detach(),
                                  objective.d_output(real_out.detach()).mean(),
                                  objective.d_output(fake_out.detach()).mean())).tolist()
        self.record_iteration(values)
        if self.timeline is not None and self.timeline.due(self.step_count):
            self.timeline.add(capture(self))  # the schedule is the timeline's

    def record_iteration(self, values: list[float]) -> None:
        """The curves' values (CURVES' order) of the iteration just counted: the history,
        the metrics records' means, ``last``. A sweep's batched variants use it too."""
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
        return run_state.keep(self)

    def restore_state(self, state: dict) -> bool:
        """Go back to a state taken by :meth:`keep_state` (same networks' shapes); the
        settings stay as they are now, so a learning rate lowered since is kept.

        Returns False when the random streams could not be restored (saved on another kind
        of device): they start afresh from the seed and the iteration count."""
        return run_state.restore(self, state)

    def _seed_streams(self, seed: int) -> None:
        self.rng.manual_seed(seed)
        self.eval_rng.manual_seed(seed + 7919)

    # ------------------------------------------------------------------------ measuring
    @torch.no_grad()
    def sample(self, n: int, averaged: bool = True, digits=None) -> np.ndarray:
        """``n`` generator samples in data units (1-D: (n,); MNIST: (n, 28, 28) in [0, 1]).

        In chunks of SAMPLE_CHUNK, so that millions of samples never hold millions of
        hidden activations at once; in eval mode, so that a BatchNorm generator samples
        with its running statistics, leaves them as they were, and takes a last chunk of
        one sample. A conditional MNIST preset draws the labels ``digits`` ((n,); default
        0 to 9 in order, a tenth of the samples each)."""
        network = self.generator_ema if averaged else self.generator
        if digits is None and getattr(self.problem, "conditional", False):
            digits = np.arange(n) * 10 // n
        training = network.training
        network.eval()
        try:
            chunks = [self.problem.sample(network, min(SAMPLE_CHUNK, n - start), self.eval_rng,
                                          *(() if digits is None else
                                            (digits[start: start + SAMPLE_CHUNK],)))
                      for start in range(0, n, SAMPLE_CHUNK)]
        finally:
            network.train(training)
        return np.concatenate(chunks) if len(chunks) > 1 else chunks[0]

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
            # the window to read it; a larger one blocks the trainer.
            history=self.history.as_arrays(np.float32),
            mode=self.mode,
            view=self.problem.view_data(self, self.settings),
            pending_on_reset=self.pending_on_reset(),
            gradient_norms=self.gradient_norms(),
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
