"""The 1-D toy: real data with an exact density, small MLPs, densities and JS divergence."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ganviz.core import evaluation
from ganviz.core.data import Gaussian1D
from ganviz.core.evaluation import ModelState
from ganviz.core.models import mlp


class Toy1D:
    mode = "1d"

    def __init__(self, settings: dict, device: torch.device) -> None:
        self.device = device
        self.target = Gaussian1D(settings["target_mean"], settings["target_sigma"])
        self.reset(settings)

    def reset(self, settings: dict) -> None:
        self.update_settings(settings)
        # The networks see standardised data: x_net = (x - offset) / scale. Fed raw values
        # around 4, D goes flat at 0.5 long before the generator's spread is right. The
        # scale is fixed here, at Reset, so that a live change of the target moves the
        # real data and the generator has to follow it.
        self.offset = self.target.mean
        self.scale = self.target.sigma

    def build(self, settings: dict) -> tuple[nn.Module, nn.Module]:
        width, layers = settings["hidden_width"], settings["hidden_layers"]
        return mlp(1, width, layers, 1), mlp(1, width, layers, 1)

    def update_settings(self, settings: dict) -> None:
        mean, sigma = settings["target_mean"], settings["target_sigma"]
        if (mean, sigma) != (self.target.mean, self.target.sigma):
            self.target = Gaussian1D(mean, sigma)

    def real_batch(self, n: int, rng: torch.Generator) -> torch.Tensor:
        """A batch of real data in the networks' (standardised) units."""
        eps = torch.randn(n, 1, generator=rng, device=self.device)
        target = self.target
        return eps.mul_(target.sigma / self.scale).add_((target.mean - self.offset) / self.scale)

    def noise(self, n: int, rng: torch.Generator) -> torch.Tensor:
        return torch.randn(n, 1, generator=rng, device=self.device)

    # ------------------------------------------------------------------------ measuring
    def sample(self, generator: nn.Module, n: int, rng: torch.Generator) -> np.ndarray:
        """``n`` samples in data units, float32 (n,)."""
        return evaluation.sample(generator, n, self.offset, self.scale, rng)

    def evaluate(self, trainer, num_samples: int = evaluation.DENSITY_SAMPLES):
        return evaluation.evaluate(
            trainer.generator_ema, trainer.generator, trainer.discriminator, self.target,
            self.offset, self.scale, trainer.step_count, trainer.eval_rng, num_samples,
        )

    def metrics(self, trainer) -> dict:
        result = self.evaluate(trainer)
        return {"js_bits": result.js_bits, "gen_mean": result.gen_mean,
                "gen_std": result.gen_std, "d_max_dev": result.d_max_dev}

    def summary(self, metrics: dict) -> str:
        return (f"JS {metrics['js_bits']:.4f} bits, mean {metrics['gen_mean']:.3f}, "
                f"std {metrics['gen_std']:.3f}, max|D-0.5| {metrics['d_max_dev']:.3f}")

    def view_data(self, trainer, settings: dict) -> ModelState:
        """The weights, not the curves: the window's evaluation thread draws from them."""
        return ModelState(
            step=trainer.step_count,
            generator=evaluation.state_dict_numpy(trainer.generator_ema),
            raw_generator=evaluation.state_dict_numpy(trainer.generator),
            discriminator=evaluation.state_dict_numpy(trainer.discriminator),
            hidden_width=trainer.built_with["hidden_width"],
            hidden_layers=trainer.built_with["hidden_layers"],
            target_mean=settings["target_mean"],
            target_sigma=settings["target_sigma"],
            offset=self.offset,
            scale=self.scale,
        )
