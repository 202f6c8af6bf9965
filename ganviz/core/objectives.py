"""The GAN objectives: each network's loss, what "D's output" means, and the equilibrium.

Every loss takes D's raw outputs (logits, or critic values for wgan-gp) on a real and a
fake batch. What the plots call D is :meth:`Objective.d_output`: the probability
sigmoid(logit) for the cross-entropy games, the raw output for the others. The
equilibrium values are where the curves settle when p_g = p_data and D is optimal: the
window draws them as reference lines, and the verdict measures D against them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ganviz.core.theory import INFO, Equilibrium, ObjectiveInfo

__all__ = ["OBJECTIVES", "Equilibrium", "Objective", "get"]


@dataclass(frozen=True)
class Objective(ObjectiveInfo):
    """An objective's losses, on top of what the theory says about it."""

    def d_output(self, raw: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(raw) if self.d_is_probability else raw

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor, smoothing: float = 0.0,
               mean=torch.mean):
        """D's loss without penalties (those are added by the trainer). ``mean``: how a
        batch's terms are averaged (a sweep's batched variants: over all but the first
        dimension, one loss per variant)."""
        name = self.name
        if name in ("minimax", "nonsaturating"):
            # BCE with target 1 - smoothing for real data, 0 for fake; -log D = softplus(-l).
            real_term = mean(F.softplus(-real))
            if smoothing:
                real_term = (1.0 - smoothing) * real_term + smoothing * mean(F.softplus(real))
            return real_term + mean(F.softplus(fake))
        if name == "lsgan":  # Mao et al. 2017 with a = 0, b = c = 1, and their factor 1/2
            return 0.5 * mean((real - 1.0).square()) + 0.5 * mean(fake.square())
        if name == "hinge":
            return mean(F.relu(1.0 - real)) + mean(F.relu(1.0 + fake))
        if name == "wgan-gp":  # minus the Wasserstein estimate
            return mean(fake) - mean(real)
        raise ValueError(name)

    def g_loss(self, fake: torch.Tensor, mean=torch.mean) -> torch.Tensor:
        name = self.name
        if name == "minimax":  # log(1 - D(G(z))) = -softplus(logit): saturates when D wins
            return -mean(F.softplus(fake))
        if name == "nonsaturating":  # -log D(G(z))
            return mean(F.softplus(-fake))
        if name == "lsgan":
            return 0.5 * mean((fake - 1.0).square())
        return -mean(fake)  # hinge and wgan-gp


OBJECTIVES: dict[str, Objective] = {
    name: Objective(**vars(meta)) for name, meta in INFO.items()
}


def get(name: str) -> Objective:
    return OBJECTIVES[name]
