"""The 1-D toy: real data with an exact density, small MLPs, densities and JS divergence."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ganviz.core.networks import build_toy_networks, state_dict_numpy
from ganviz.core.noise import draw_noise
from ganviz.core.toy1d import evaluation
from ganviz.core.toy1d.data import make_target, target_key
from ganviz.core.toy1d.state import ModelState

PRETRAIN_PEAK = 0.8  # D_pre's target: the real pdf scaled to this peak (N(4, 0.5): 0.798)



class Toy1D:
    mode = "1d"
    ema_follows_recent = False  # see updates.ema_decay

    def __init__(self, preset, settings: dict, device: torch.device) -> None:
        self.device = device
        self.model = dict(preset.model)
        self._target_key = None
        self.update_settings(settings)
        self.reset(settings)

    def reset(self, settings: dict) -> None:
        self.update_settings(settings)
        # The networks see standardised data: x_net = (x - offset) / scale. Fed raw values
        # around 4, D goes flat at 0.5 long before the generator's spread is right (the
        # `standardize` setting turns this off, to show exactly that). The scale is fixed
        # here, at Reset, so that a live change of the target moves the real data and the
        # generator has to follow it.
        if settings["standardize"]:
            self.offset, self.scale = self.target.mean, self.target.std
        else:
            self.offset, self.scale = 0.0, 1.0
        self.spec = {
            "g_width": settings["g_width"], "g_layers": settings["g_layers"],
            "d_width": settings["d_width"], "d_layers": settings["d_layers"],
            "g_activation": self.model.get("g_activation", "leaky_relu"),
            "d_activation": self.model.get("d_activation", "leaky_relu"),
            "init": self.model.get("init", "default"),
            "minibatch": settings["minibatch_discrimination"],
        }

    def build(self, settings: dict) -> tuple[nn.Module, nn.Module]:
        return build_toy_networks(self.spec)

    def keep_state(self) -> dict:
        """The inputs' normalisation, fixed at Reset (the target may have moved since)."""
        return {"offset": float(self.offset), "scale": float(self.scale)}

    def restore_state(self, state: dict) -> None:
        self.offset, self.scale = float(state["offset"]), float(state["scale"])

    @property
    def batch_dependent(self) -> bool:
        """D's output for a sample depends on its batch: real and fake go in separately."""
        return self.spec["minibatch"]

    def update_settings(self, settings: dict) -> None:
        self.settings = settings
        key = target_key(settings)
        if key != self._target_key:
            self.target = make_target(settings)
            self._target_key = key

    def to_network(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.offset) / self.scale

    def real_batch(self, n: int, rng: torch.Generator) -> torch.Tensor:
        """A batch of real data in the networks' (standardised) units."""
        return self.to_network(self.target.sample(n, rng, self.device))

    def noise(self, n: int, rng: torch.Generator) -> torch.Tensor:
        s = self.settings
        return draw_noise(n, s["noise"], s["noise_range"], rng)

    def input_noise_scale(self) -> float:
        """Instance noise is set in data units: this converts it to the networks' units."""
        return 1.0 / self.scale

    # --------------------------------------------------------------------- pre-training
    def pretrain(self, discriminator: nn.Module, objective, steps: int,
                 rng: torch.Generator, batch: int = 64) -> float:
        """S1's D_pre: fit D's output to the real pdf by mean squared error; returns the MSE.

        Points are drawn uniformly over the plotted range; the pdf is scaled to peak at
        0.8, which is what S1's N(4, 0.5) does, so that a sigmoid D can reach it for any
        target width. Uses an optimiser of its own: the game's optimiser is untouched.
        """
        lo, hi = self.target.support(5.0)
        grid = np.linspace(lo, hi, 2001)
        peak = float(self.target.pdf(grid).max())
        optimizer = torch.optim.Adam(discriminator.parameters(), lr=3e-3)
        loss = torch.tensor(float("nan"))
        for _ in range(steps):
            x = torch.rand(batch, 1, generator=rng, device=rng.device).mul_(hi - lo).add_(lo)
            wanted = torch.as_tensor(self.target.pdf(x.cpu().numpy()) * (PRETRAIN_PEAK / peak),
                                     dtype=torch.float32, device=self.device)
            loss = (objective.d_output(discriminator(self.to_network(x))) - wanted).square()
            loss = loss.mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        return float(loss.detach())

    # ------------------------------------------------------------------------ measuring
    def sample(self, generator: nn.Module, n: int, rng: torch.Generator) -> np.ndarray:
        """``n`` samples in data units, float32 (n,)."""
        s = self.settings
        return evaluation.sample(generator, n, self.offset, self.scale, rng, s["noise"],
                                 s["noise_range"])

    def evaluate(self, trainer, num_samples: int = evaluation.DENSITY_SAMPLES):
        return evaluation.Evaluator.evaluate_networks(
            self.view_data(trainer, trainer.settings), trainer.generator_ema,
            trainer.generator, trainer.discriminator, trainer.eval_rng, num_samples)

    def metrics(self, trainer) -> dict:
        result = self.evaluate(trainer)
        return {"js_bits": result.js_bits, "gen_mean": result.gen_mean,
                "gen_std": result.gen_std, "d_max_dev": result.d_max_dev,
                "d_star_gap": result.d_star_gap, "value": result.value,
                "verdict": result.verdict,
                **({"mode_shares": list(result.mode_shares)} if result.mode_shares else {})}

    def summary(self, metrics: dict) -> str:
        gap = metrics["d_star_gap"]
        gap_text = "n/a" if gap is None or gap != gap else f"{gap:.3f}"
        return (f"{metrics['verdict']}: JS {metrics['js_bits']:.4f} bits, mean "
                f"{metrics['gen_mean']:.3f}, std {metrics['gen_std']:.3f}, max|D-eq| "
                f"{metrics['d_max_dev']:.3f}, max|D-D*| {gap_text}")

    def view_data(self, trainer, settings: dict) -> ModelState:
        """The weights, not the curves: the window's evaluation thread draws from them."""
        return ModelState(
            step=trainer.step_count,
            generator=state_dict_numpy(trainer.generator_ema),
            raw_generator=state_dict_numpy(trainer.generator),
            discriminator=state_dict_numpy(trainer.discriminator),
            spec=dict(self.spec),
            target={name: settings[name] for name in (
                "target", "target_mean", "target_sigma", "mixture_means", "mixture_sigmas",
                "mixture_weights")},
            loss=settings["loss"],
            label_smoothing=settings["label_smoothing"],
            noise=settings["noise"],
            noise_range=settings["noise_range"],
            batch_size=settings["batch_size"],
            offset=self.offset,
            scale=self.scale,
        )

