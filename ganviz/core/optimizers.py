"""The optimisers of the ``optimizer_d``/``optimizer_g`` settings, and their live settings.

A learning rate, Adam's betas or SGD's momentum changed between two iterations is written
into the optimiser's param_groups: it keeps its state (Adam's moments).
"""

from __future__ import annotations

import torch

OPTIMIZER_NAMES = {"sgd": "plain SGD", "momentum": "SGD with momentum", "adam": "Adam",
                   "rmsprop": "RMSprop"}


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


def apply_settings(optimizer: torch.optim.Optimizer | None, lr: float, settings: dict) -> None:
    """Write the learning rate ``lr`` and the settings' betas and momentum into
    ``optimizer``'s param_groups (None: not built yet, it will start from the settings)."""
    if optimizer is None:
        return
    for group in optimizer.param_groups:
        group["lr"] = lr
        if "betas" in group:
            group["betas"] = (settings["adam_beta1"], settings["adam_beta2"])
        if isinstance(optimizer, torch.optim.SGD) and group["momentum"]:
            group["momentum"] = settings["momentum"]
