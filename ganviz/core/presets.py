"""Named starting points: a data mode, a model, and the settings that differ from defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from ganviz.core import config


@dataclass(frozen=True)
class Preset:
    name: str
    mode: str  # "1d" or "mnist"
    description: str  # two sentences, shown in the window and by `ganviz presets`
    overrides: dict[str, int | float] = field(default_factory=dict)
    # What the user does not edit: architecture, noise, output range, Adam's betas.
    model: dict = field(default_factory=dict)

    def settings(self) -> dict[str, int | float]:
        values = config.defaults(self.mode)
        values.update(config.validate(self.overrides, self.mode))
        return values

    @property
    def betas(self) -> tuple[float, float]:
        return tuple(self.model.get("betas", (0.5, 0.999)))


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "gaussian", "1d",
            "Real data N(4, 0.5); generator and discriminator are small MLPs trained with the "
            "non-saturating loss and Adam. The generator's density slides onto the real one "
            "while D(x) flattens to 0.5.",
        ),
        Preset(
            "mnist", "mnist",
            "Made for a laptop CPU: LeakyReLU MLPs (G 64-256-512-784, D 784-512-256-1) at "
            "about 55 iterations/s, Adam 1e-3, and a weight-averaged generator; digits of all "
            "ten classes form within two minutes. The grid uses fixed noise, so each cell can "
            "be followed as its digit forms.",
            # Measured here over 120 s (see the README): this MLP pair runs ~6,700 iterations
            # and beat DCGAN-style convolutional networks, which manage ~1,700-3,200 on two
            # cores: 69-71% of samples classified with p >= 0.9 against 40-59%.
            overrides={"lr_d": 1e-3, "lr_g": 1e-3, "batch_size": 64, "latent_dim": 64,
                       "ema": 0.99},
            model={"architecture": "fast-mlp", "noise": "normal", "output": "tanh",
                   "betas": (0.5, 0.999)},
        ),
        Preset(
            "mnist-tf-mlp", "mnist",
            "The TensorFlow MLP GAN of the seed systems (S2): D 784-128-1, G 100-128-784 "
            "sigmoid, uniform noise, Adam with default settings, batch 128. Expect blurry, "
            "noisy digits for a long while.",
            overrides={"lr_d": 1e-3, "lr_g": 1e-3, "batch_size": 128, "latent_dim": 100,
                       "ema": 0.0},
            model={"architecture": "tf-mlp", "noise": "uniform", "output": "sigmoid",
                   "betas": (0.9, 0.999)},
        ),
        Preset(
            "mnist-keras-mlp", "mnist",
            "The Keras MLP GAN of the seed systems (S3): G 100-256-512-1024-784 with "
            "LeakyReLU and BatchNorm, D 784-512-256-1, Adam 2e-4 with beta1 0.5, batch 32. "
            "Data in [-1, 1], Gaussian noise.",
            overrides={"lr_d": 2e-4, "lr_g": 2e-4, "batch_size": 32, "latent_dim": 100,
                       "ema": 0.0},
            model={"architecture": "keras-mlp", "noise": "normal", "output": "tanh",
                   "betas": (0.5, 0.999)},
        ),
        Preset(
            "mnist-torch-mlp", "mnist",
            "The PyTorch MLP GAN of the seed systems (S4): D 784-256-256-1 and G 64-256-256-784 "
            "tanh, Gaussian noise, Adam 2e-4, batch 100. Its text promises blurry digits after "
            "5 epochs of 60,000 images.",
            overrides={"lr_d": 2e-4, "lr_g": 2e-4, "batch_size": 100, "latent_dim": 64,
                       "ema": 0.0},
            model={"architecture": "torch-mlp", "noise": "normal", "output": "tanh",
                   "betas": (0.9, 0.999)},
        ),
        Preset(
            "mnist-dcgan", "mnist",
            "The DCGAN of the seed systems (S5) adapted to 28x28: a dense layer to 4x4x128, four "
            "transposed convolutions with BatchNorm and ReLU, a LeakyReLU convolutional D, data "
            "in [-0.5, 0.5]. Like S5 it trains D once and G twice per iteration.",
            overrides={"lr_d": 2e-4, "lr_g": 2e-4, "batch_size": 64, "latent_dim": 128,
                       "k_g": 2, "ema": 0.0},
            model={"architecture": "dcgan", "noise": "normal", "output": "half-tanh",
                   "betas": (0.5, 0.999)},
        ),
    )
}

DEFAULT_PRESET = "gaussian"


def get(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        known = ", ".join(PRESETS)
        raise config.SettingError(f"unknown preset {name!r}; known presets: {known}") from None
