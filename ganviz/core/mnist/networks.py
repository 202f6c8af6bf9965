"""The MNIST presets' networks: the seed systems' generators and discriminators.

Each ``architecture`` setting names one (S2's TensorFlow MLP, S3's Keras MLP, S4's
PyTorch MLP, S5's DCGAN adapted to 28x28, ganviz's own fast MLP), with its own
initialisation; with InfoGAN's codes the discriminator also guesses them.
"""

from __future__ import annotations

import itertools
import math

import torch
from torch import nn

# Output layer of the generator -> the range the real data are scaled to.
OUTPUT_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "half-tanh": (-0.5, 0.5)}


class HalfTanh(nn.Module):
    """tanh scaled to [-0.5, 0.5], the data range of the DCGAN seed system (S5)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 0.5 * torch.tanh(x)


class Reshape(nn.Module):
    def __init__(self, *shape: int) -> None:
        super().__init__()
        self.shape = shape

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)


def _output_layer(kind: str) -> nn.Module:
    return {"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "half-tanh": HalfTanh()}[kind]


def _lrelu() -> nn.Module:
    return nn.LeakyReLU(0.2)


class CodeGuessingDiscriminator(nn.Module):
    """D with InfoGAN's second head Q (Chen et al. 2016): from the same features it also
    guesses the codes the generator was given (logits over the categorical code's values,
    then an estimate of each continuous code).

    ``forward`` is D alone (the logit), so everything that only judges real against fake
    (the losses, the penalties, the curves) sees an ordinary discriminator. D's output
    keeps its architecture's initialisation; Q's rows start as torch's default.
    """

    def __init__(self, discriminator: nn.Sequential, guesses: int) -> None:
        super().__init__()
        *body, last = discriminator
        if not isinstance(last, nn.Linear) or last.out_features != 1:
            raise ValueError("the discriminator must end in a linear layer to one logit")
        self.body = nn.Sequential(*body)
        self.head = nn.Linear(last.in_features, 1 + guesses)  # D's logit, then Q's
        with torch.no_grad():  # D's column keeps its architecture's initialisation
            self.head.weight[:1].copy_(last.weight)
            self.head.bias[:1].copy_(last.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))[:, :1]

    def forward_with_codes(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """D's logits (N, 1) and Q's guesses (N, code values + continuous codes)."""
        out = self.head(self.body(x))
        return out[:, :1], out[:, 1:]


class LabelledGenerator(nn.Module):
    """A conditional G: from z and the one-hot label, the image followed by that label,
    (N, 784 + labels), so that D judges each image with the digit asked for (Mirza &
    Osindero 2014) while the losses, updates and penalties stay those of any GAN."""

    def __init__(self, generator: nn.Module, latent: int, labels: int) -> None:
        super().__init__()
        self.generator, self.latent, self.labels = generator, latent, labels

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        label = inputs[:, self.latent: self.latent + self.labels]
        return torch.cat((self.generator(inputs).flatten(1), label), dim=1)


class ConditionedDiscriminator(nn.Module):
    """D of an image with its one-hot label appended, (N, 784 + labels) -> a logit. It
    guesses no code: ``forward_with_codes`` answers None for Q, as the trainer asks of a
    run with codes."""

    def __init__(self, body: nn.Sequential) -> None:
        super().__init__()
        self.body = body

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def forward_with_codes(self, x: torch.Tensor) -> tuple[torch.Tensor, None]:
        return self.body(x), None


def build_conditional(architecture: str, latent: int, output: str,
                      labels: int) -> tuple[nn.Module, nn.Module]:
    """The conditional preset's networks: fast-mlp's, D widened by the label."""
    if architecture != "fast-mlp":
        raise ValueError(f"a conditional {architecture} is not built; use fast-mlp")
    g, _ = _build_networks(architecture, latent + labels, output)
    d = nn.Sequential(nn.Linear(784 + labels, 512), _lrelu(), nn.Linear(512, 256), _lrelu(),
                      nn.Linear(256, 1))
    return LabelledGenerator(g, latent, labels), ConditionedDiscriminator(d)


def build(architecture: str, latent: int, output: str, code_values: int = 0,
          continuous_codes: int = 0) -> tuple[nn.Module, nn.Module]:
    """Generator (z [+ one-hot code] [+ continuous codes] -> (N, C, S, S) in the output
    range: (N, 1, 28, 28) for digits) and discriminator (-> logit; with codes, a
    CodeGuessingDiscriminator)."""
    codes = code_values + continuous_codes
    g, d = _build_networks(architecture, latent + codes, output)
    if codes:
        d = CodeGuessingDiscriminator(d, codes)
    return g, d


def _build_networks(architecture: str, latent: int, output: str) -> tuple[nn.Module, nn.Module]:
    out = _output_layer(output)
    if architecture == "tf-mlp":  # S2
        g = nn.Sequential(nn.Linear(latent, 128), nn.ReLU(), nn.Linear(128, 784), out,
                          Reshape(1, 28, 28))
        d = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 1))
        for layer in (*g, *d):  # "Xavier-style": normal with stddev 1 / sqrt(fan_in / 2)
            if isinstance(layer, nn.Linear):
                nn.init.normal_(layer.weight, 0.0, 1.0 / math.sqrt(layer.in_features / 2.0))
                nn.init.zeros_(layer.bias)
    elif architecture == "keras-mlp":  # S3: Dense -> LeakyReLU -> BatchNorm(momentum 0.8)
        layers: list[nn.Module] = []
        features = latent
        for width in (256, 512, 1024):
            # Keras' momentum 0.8 keeps 80% of the old running average: torch's 0.2.
            layers += [nn.Linear(features, width), _lrelu(), nn.BatchNorm1d(width, momentum=0.2)]
            features = width
        g = nn.Sequential(*layers, nn.Linear(1024, 784), out, Reshape(1, 28, 28))
        d = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), _lrelu(), nn.Linear(512, 256),
                          _lrelu(), nn.Linear(256, 1))
        for layer in (*g, *d):  # Keras' default glorot_uniform, zero bias
            if isinstance(layer, nn.Linear):
                nn.init.xavier_uniform_(layer.weight)
                nn.init.zeros_(layer.bias)
    elif architecture == "torch-mlp":  # S4, hidden 256
        g = nn.Sequential(nn.Linear(latent, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                          nn.Linear(256, 784), out, Reshape(1, 28, 28))
        d = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), _lrelu(), nn.Linear(256, 256),
                          _lrelu(), nn.Linear(256, 1))
    elif architecture == "dcgan":  # S5 adapted to 28x28: 4x4x128 -> 7 -> 14 -> 28
        # S5's layout (a dense layer, then four transposed convolutions with BatchNorm and
        # ReLU; a LeakyReLU convolutional D), with its 64x64 channel widths divided by four
        # for 28x28 digits: at S5's widths an iteration is too slow on a CPU to watch.
        g = nn.Sequential(
            nn.Linear(latent, 4 * 4 * 128), Reshape(128, 4, 4), nn.BatchNorm2d(128), nn.ReLU(),
            nn.ConvTranspose2d(128, 64, 4, 1, 0), nn.BatchNorm2d(64), nn.ReLU(),  # 7x7
            nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.BatchNorm2d(32), nn.ReLU(),  # 14x14
            nn.ConvTranspose2d(32, 16, 4, 2, 1), nn.BatchNorm2d(16), nn.ReLU(),  # 28x28
            nn.ConvTranspose2d(16, 1, 3, 1, 1), out,
        )
        d = nn.Sequential(
            nn.Conv2d(1, 32, 4, 2, 1), _lrelu(),  # 14x14
            nn.Conv2d(32, 64, 4, 2, 1), _lrelu(),  # 7x7
            nn.Conv2d(64, 128, 3, 2, 1), _lrelu(),  # 4x4
            nn.Flatten(), nn.Linear(128 * 16, 1),
        )
        _dcgan_init(g, d)
    elif architecture in COLOUR_DCGANS:
        g, d = COLOUR_DCGANS[architecture](latent, out)
        _dcgan_init(g, d)
    elif architecture == "fast-mlp":  # ganviz's default, made for a CPU (see presets.py)
        g = nn.Sequential(nn.Linear(latent, 256), _lrelu(), nn.Linear(256, 512), _lrelu(),
                          nn.Linear(512, 784), out, Reshape(1, 28, 28))
        d = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), _lrelu(), nn.Linear(512, 256),
                          _lrelu(), nn.Linear(256, 1))
    else:
        raise ValueError(f"unknown MNIST architecture {architecture!r}")
    return g, d


def _colour_generator(latent: int, out: nn.Module, widths: tuple[int, ...],
                      kernel: int) -> nn.Sequential:
    """A DCGAN generator to colour: a dense layer from the noise to 4x4x``widths[0]``, then
    transposed convolutions of stride 2 (each doubles the side) through ``widths`` to 3
    channels, each but the last followed by batch norm and ReLU, the last by ``out``."""
    padding, extra = (kernel - 1) // 2, kernel % 2  # the side exactly doubles
    layers: list[nn.Module] = [nn.Linear(latent, 4 * 4 * widths[0]), Reshape(widths[0], 4, 4),
                               nn.BatchNorm2d(widths[0]), nn.ReLU()]
    for wide, narrow in itertools.pairwise(widths):
        layers += [nn.ConvTranspose2d(wide, narrow, kernel, 2, padding, output_padding=extra),
                   nn.BatchNorm2d(narrow), nn.ReLU()]
    layers += [nn.ConvTranspose2d(widths[-1], 3, kernel, 2, padding, output_padding=extra),
               out]
    return nn.Sequential(*layers)


def _colour_discriminator(widths: tuple[int, ...], kernel: int,
                          normalised: bool) -> nn.Sequential:
    """A DCGAN D of colour images: convolutions of stride 2 (each halves the side, to 4x4)
    through ``widths`` with LeakyReLU, then a dense layer to one logit. DCGAN's D
    normalises every hidden convolution but the first (Radford et al. 2015); a WGAN-GP
    critic has no batch norm, whose batch statistics the per-sample penalty forbids."""
    layers: list[nn.Module] = []
    for index, (wide, narrow) in enumerate(itertools.pairwise((3, *widths))):
        layers.append(nn.Conv2d(wide, narrow, kernel, 2, (kernel - 1) // 2))
        if normalised and index > 0:
            layers.append(nn.BatchNorm2d(narrow))
        layers.append(_lrelu())
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(widths[-1] * 4 * 4, 1))


S5_WIDTHS = (512, 256, 128, 64)  # S5's generator; its D goes the other way
# CIFAR-10's on a CPU: 4x4 kernels at a quarter of S5's widths. S5's own layout cut to
# 32x32 (5x5 kernels, 256-128-64) ran 2.8 iterations/s here, this one 10.
CIFAR_WIDTHS = (128, 64, 32)

# Colour DCGANs by architecture name: (latent, output layer) -> (G, D).
COLOUR_DCGANS = {
    "s5-dcgan": lambda latent, out: (_colour_generator(latent, out, S5_WIDTHS, 5),
                                     _colour_discriminator(S5_WIDTHS[::-1], 5, True)),
    "s5-wgan-gp": lambda latent, out: (_colour_generator(latent, out, S5_WIDTHS, 5),
                                       _colour_discriminator(S5_WIDTHS[::-1], 5, False)),
    "dcgan32": lambda latent, out: (_colour_generator(latent, out, CIFAR_WIDTHS, 4),
                                    _colour_discriminator(CIFAR_WIDTHS[::-1], 4, True)),
}


def _dcgan_init(*networks: nn.Module) -> None:
    """DCGAN's initialisation (Radford et al. 2015): N(0, 0.02), BatchNorm scale N(1, 0.02)."""
    for network in networks:
        for layer in network.modules():
            if isinstance(layer, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                nn.init.normal_(layer.weight, 0.0, 0.02)
                nn.init.zeros_(layer.bias)
            elif isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
                nn.init.normal_(layer.weight, 1.0, 0.02)
                nn.init.zeros_(layer.bias)
