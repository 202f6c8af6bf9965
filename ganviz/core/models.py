"""Generator and discriminator builders."""

from __future__ import annotations

from torch import nn


def mlp(in_features: int, width: int, layers: int, out_features: int) -> nn.Sequential:
    """``layers`` hidden layers of ``width`` LeakyReLU(0.2) units, then a linear output.

    The discriminator's output is a logit: the sigmoid lives in the loss
    (binary_cross_entropy_with_logits), which is exact where D saturates.
    """
    modules: list[nn.Module] = []
    features = in_features
    for _ in range(layers):
        modules += [nn.Linear(features, width), nn.LeakyReLU(0.2)]
        features = width
    modules.append(nn.Linear(features, out_features))
    return nn.Sequential(*modules)
