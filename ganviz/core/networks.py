"""Generator and discriminator builders for the 1-D toy."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

ACTIVATIONS = {
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "softplus": nn.Softplus,
}


def mlp(in_features: int, width: int, layers: int, out_features: int,
        activation: str = "leaky_relu") -> nn.Sequential:
    """``layers`` hidden layers of ``width`` units, then a linear output.

    The discriminator's output is a logit (or a critic value): the sigmoid lives in the
    loss, which is exact where D saturates.
    """
    return nn.Sequential(*_hidden(in_features, width, layers, activation),
                         nn.Linear(width if layers else in_features, out_features))


def _hidden(in_features: int, width: int, layers: int, activation: str) -> list[nn.Module]:
    modules: list[nn.Module] = []
    features = in_features
    for _ in range(layers):
        modules += [nn.Linear(features, width), ACTIVATIONS[activation]()]
        features = width
    return modules


def normal_init(module: nn.Module, std: float = 1.0) -> None:
    """S1's initialisation: weights N(0, std^2), biases 0."""
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, 0.0, std)
            nn.init.zeros_(layer.bias)


class MinibatchDiscriminator(nn.Module):
    """An MLP discriminator with minibatch discrimination before its output (S1's later toy).

    Each sample's last hidden features are projected to ``kernels`` vectors of
    ``kernel_dim``; per kernel, the sample gets sum_j exp(-L1 distance to sample j) over
    its batch (itself included, as in S1). A collapsed generator's batch scores high on
    these features, which a real batch never does: D learns to tell them apart.

    D(x) of one point therefore depends on the batch. :meth:`forward` with ``reference``
    scores each row of ``x`` as one member of the batch ``reference`` plus itself: that is
    how the 1-D view draws D's curve (against a batch of generator samples).
    """

    def __init__(self, width: int, layers: int, activation: str = "leaky_relu",
                 kernels: int = 5, kernel_dim: int = 3) -> None:
        super().__init__()
        self.trunk = nn.Sequential(*_hidden(1, width, layers, activation))
        features = width if layers else 1
        self.kernels, self.kernel_dim = kernels, kernel_dim
        self.projection = nn.Parameter(torch.randn(features, kernels * kernel_dim) * 0.1)
        self.out = nn.Linear(features + kernels, 1)

    def _project(self, h: torch.Tensor) -> torch.Tensor:
        return (h @ self.projection).view(-1, self.kernels, self.kernel_dim)

    def forward(self, x: torch.Tensor, reference: torch.Tensor | None = None) -> torch.Tensor:
        h = self.trunk(x)
        m = self._project(h)
        if reference is None:
            others, self_term = m, 0.0  # the batch itself: the i = j term is in the sum
        else:
            others, self_term = self._project(self.trunk(reference)), 1.0
        distances = (m[:, None] - others[None]).abs().sum(-1)  # (n, batch, kernels)
        features = torch.exp(-distances).sum(1) + self_term
        return self.out(torch.cat((h, features), dim=1))


def build_toy_networks(spec: dict) -> tuple[nn.Module, nn.Module]:
    """The 1-D generator and discriminator that ``spec`` describes (see Toy1D.spec)."""
    generator = mlp(1, spec["g_width"], spec["g_layers"], 1, spec["g_activation"])
    if spec["minibatch"]:
        discriminator: nn.Module = MinibatchDiscriminator(
            spec["d_width"], spec["d_layers"], spec["d_activation"])
    else:
        discriminator = mlp(1, spec["d_width"], spec["d_layers"], 1, spec["d_activation"])
    if spec["init"] == "normal":
        normal_init(generator)
        normal_init(discriminator)
    return generator, discriminator

def state_dict_numpy(module: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.detach().cpu().numpy().copy() for k, v in module.state_dict().items()}


def _spec_key(spec: dict) -> tuple:
    return tuple(sorted(spec.items()))


class NetworkCopies:
    """Copies of a trainer's averaged G, trained G and D, built once per network spec by
    ``build`` (spec -> (generator, discriminator)) and loaded from numpy weights: how the
    window's evaluation thread gets networks to draw from. A missing trained G (the
    trainer sends None when it averages nothing) is the averaged one."""

    def __init__(self, build, device: torch.device) -> None:
        self.build = build
        self.device = device
        self._networks: dict[tuple, tuple[nn.Module, nn.Module, nn.Module]] = {}

    def load(self, spec: dict, generator: dict, raw_generator: dict | None,
             discriminator: dict) -> tuple[nn.Module, nn.Module, nn.Module]:
        key = _spec_key(spec)
        if key not in self._networks:
            averaged, critic = self.build(spec)
            trained, _ = self.build(spec)
            self._networks[key] = tuple(n.to(self.device).requires_grad_(False)
                                        for n in (averaged, trained, critic))
        networks = self._networks[key]
        for network, weights in zip(networks, (generator, raw_generator, discriminator),
                                    strict=True):
            if weights is not None:
                network.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})
        averaged, trained, critic = networks
        return averaged, trained if raw_generator is not None else averaged, critic
