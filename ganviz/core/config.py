"""Settings: one schema for the window, the headless command and the trainer.

Every setting is described once here (name, type, range, when it applies, help), so the
control panel, ``ganviz train --set``, ``ganviz train --help`` and the trainer's
validation cannot disagree. This module imports neither torch nor Qt: the window
builds its controls from it before torch has finished loading.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


class SettingError(ValueError):
    """A bad setting value. ``str()`` is one line naming the setting and what is allowed."""


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Setting:
    """Description of one user-facing setting.

    ``kind`` is int or float (a number in [minimum, maximum]), str (one of ``choices``),
    bool (on or off) or tuple (a list of 2 to 5 numbers, each in [minimum, maximum]: the
    components of a mixture).
    """

    name: str
    label: str
    kind: type
    default: Any
    minimum: float | int = 0
    maximum: float | int = 0
    help: str = ""
    live: bool = True  # applied between two training steps; False: applied on Reset
    log_scale: bool = False  # edited by factors (learning rates), not by steps
    group: str = "Training"
    modes: tuple[str, ...] = ("1d", "2d", "mnist")  # the data modes it exists in
    choices: tuple[str, ...] = ()  # kind str: the allowed values
    lengths: tuple[int, int] = (2, 5)  # kind tuple: fewest and most numbers

    def allowed(self) -> str:
        """Human description of the allowed values, used in every error message."""
        if self.kind is str:
            return "one of " + ", ".join(self.choices)
        if self.kind is bool:
            return "on or off (true/false, 1/0)"
        if self.kind is tuple:
            low, high = self.lengths
            return (f"{low} to {high} comma-separated numbers from {self.minimum:g} "
                    f"to {self.maximum:g}")
        if self.kind is int:
            return f"a whole number from {self.minimum} to {self.maximum}"
        return f"a number from {self.minimum:g} to {self.maximum:g}"

    def _refuse(self, value: Any) -> SettingError:
        return SettingError(f"{self.name}: expected {self.allowed()}, got {value!r}")

    def validate(self, value: Any) -> Any:
        """Return ``value`` converted to this setting's type, or raise SettingError."""
        if self.kind is bool:
            return self._validate_bool(value)
        if self.kind is str:
            if not isinstance(value, str) or value.strip().lower() not in self.choices:
                raise self._refuse(value)
            return value.strip().lower()
        if self.kind is tuple:
            return self._validate_numbers(value)
        if isinstance(value, bool):
            raise self._refuse(value)
        if isinstance(value, str):
            return self.parse(value)
        return self._validate_number(value)

    def _validate_bool(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
            return value.strip().lower() in _TRUE
        raise self._refuse(value)

    def _validate_number(self, value: Any, name: str | None = None) -> int | float:
        name = name or self.name
        if self.kind is int:
            if isinstance(value, float):
                if not math.isfinite(value) or value != int(value):
                    raise self._refuse(value)
                value = int(value)
            if not isinstance(value, int) or isinstance(value, bool):
                raise self._refuse(value)
        else:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise self._refuse(value)
            value = float(value)
            if not math.isfinite(value):
                raise SettingError(f"{name}: expected {self.allowed()}, got {value}")
        if not self.minimum <= value <= self.maximum:
            raise SettingError(f"{name}: {value:g} is out of range; expected {self.allowed()}")
        return value

    def _validate_numbers(self, value: Any) -> tuple[float, ...]:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").split(",") if p.strip()]
            try:
                numbers = [float(p) for p in parts]
            except ValueError:
                raise SettingError(
                    f"{self.name}: {value!r} is not a list of numbers; expected {self.allowed()}"
                ) from None
        elif isinstance(value, (list, tuple)):
            numbers = list(value)
        else:
            raise self._refuse(value)
        low, high = self.lengths
        if not low <= len(numbers) <= high:
            raise SettingError(f"{self.name}: {len(numbers)} numbers given; expected "
                               f"{self.allowed()}")
        for number in numbers:
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                raise self._refuse(value)
            if not math.isfinite(number) or not self.minimum <= number <= self.maximum:
                raise SettingError(f"{self.name}: {number:g} is out of range; expected "
                                   f"{self.allowed()}")
        return tuple(float(n) for n in numbers)

    def parse(self, text: str) -> Any:
        """Parse a value typed by a user (``--set name=text``)."""
        text = text.strip()
        if self.kind in (str, bool, tuple):
            return self.validate(text)
        try:
            number: float | int = int(text) if self.kind is int else float(text)
        except ValueError:
            # "1e3" is a fine way to type a whole number; "2.5" is not.
            try:
                number = float(text)
            except ValueError:
                raise SettingError(
                    f"{self.name}: {text!r} is not a number; expected {self.allowed()}"
                ) from None
        return self._validate_number(number)

    def format(self, value: Any) -> str:
        """The value as a user would type it."""
        if self.kind is bool:
            return "on" if value else "off"
        if self.kind is tuple:
            return ", ".join(f"{v:g}" for v in value)
        if self.kind is str:
            return value
        return f"{value:g}"


LOSSES = ("minimax", "nonsaturating", "lsgan", "wgan-gp", "hinge")
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")
TARGETS = ("gaussian", "mixture", "uniform", "laplace")
NOISES = ("gaussian", "uniform", "stratified")
DEVICES = ("auto", "cpu", "cuda", "mps")
GRID_LAYOUTS = ("noise", "codes", "continuous")  # the MNIST sample grid's layouts
DATASETS_2D = ("ring8", "grid25", "two-moons", "spiral", "line", "two-gaussians",
               "custom")

# The order here is the order of the controls in the window and of `ganviz train --help`.
SETTINGS: tuple[Setting, ...] = (
    Setting("loss", "Objective", str, "nonsaturating", choices=LOSSES,
            help="The GAN game. minimax: G minimises log(1 - D(G(z))), the paper's "
                 "saturating loss; nonsaturating: G minimises -log D(G(z)); lsgan: least "
                 "squares; wgan-gp: a critic (no sigmoid) with gradient penalty; hinge. "
                 "Switchable while training: the networks are kept."),
    Setting("lr_d", "Learning rate D", float, 1e-3, 1e-5, 1.0, log_scale=True,
            help="Step size of the discriminator's optimiser. Applied at once; the "
                 "optimiser keeps its state."),
    Setting("lr_g", "Learning rate G", float, 1e-3, 1e-5, 1.0, log_scale=True,
            help="Step size of the generator's optimiser. Applied at once; the optimiser "
                 "keeps its state."),
    Setting("optimizer_d", "Optimiser D", str, "adam", choices=OPTIMIZERS,
            help="The discriminator's optimiser: plain SGD, SGD with momentum, Adam or "
                 "RMSprop. Switching keeps the weights; the optimiser's state (moments, "
                 "momentum) starts afresh."),
    Setting("optimizer_g", "Optimiser G", str, "adam", choices=OPTIMIZERS,
            help="The generator's optimiser (as for D). Switching keeps the weights; the "
                 "optimiser's state starts afresh."),
    Setting("adam_beta1", "Adam beta1", float, 0.5, 0.0, 0.999,
            help="Adam's first-moment decay (both networks). Applied at once, state kept."),
    Setting("adam_beta2", "Adam beta2", float, 0.999, 0.0, 0.99999,
            help="Adam's second-moment decay (both networks). Applied at once, state kept."),
    Setting("momentum", "Momentum", float, 0.9, 0.0, 0.999,
            help="Momentum of the 'momentum' optimiser (SGD with heavy-ball momentum)."),
    Setting("k", "D steps per iteration (k_d)", int, 1, 1, 50,
            help="Discriminator updates in each iteration, before the generator's (k of "
                 "Algorithm 1 in Goodfellow et al. 2014; also accepted as k_d)."),
    Setting("k_g", "G steps per iteration", int, 1, 1, 20,
            help="Generator updates in each iteration, after the discriminator's (the "
                 "DCGAN tutorial of the seed systems uses 2)."),
    Setting("lr_decay", "LR decay factor", float, 1.0, 0.01, 1.0,
            help="Staircase decay of both learning rates (as in the 1-D tutorial S1): "
                 "multiplied by this factor every 'LR decay every' iterations; 1 = none."),
    Setting("lr_decay_every", "LR decay every", int, 1000, 1, 1_000_000,
            help="Iterations between two learning-rate decay steps."),
    Setting("batch_size", "Batch size", int, 64, 1, 4096,
            help="Real and fake samples per step, for both networks. Applied at once."),
    Setting("ema", "Generator EMA decay", float, 0.999, 0.0, 0.9999,
            help="The generator drawn and measured is an exponential moving average of the "
                 "trained generator's weights (0 = the trained weights themselves). "
                 "Averaging removes the oscillation around the equilibrium."),
    Setting("gp_weight", "WGAN-GP weight", float, 10.0, 0.0, 1000.0, group="Stabilisers",
            help="Weight of the gradient penalty (||grad C|| - 1)^2 on points between real "
                 "and fake samples; used by the wgan-gp objective only."),
    Setting("gp_one_sided", "One-sided gradient penalty", bool, False, group="Stabilisers",
            help="WGAN-GP's penalty on slopes above 1 only, max(0, ||grad C|| - 1)^2 (Gulrajani "
                 "et al. 2017, appendix), instead of (||grad C|| - 1)^2. In 1-D the two-sided "
                 "penalty can trap the critic upside down: to flip its sign it must pass a "
                 "flat critic, which costs gp_weight."),
    Setting("r1_weight", "R1 penalty", float, 0.0, 0.0, 1000.0, group="Stabilisers",
            help="Zero-centred gradient penalty on real data, weight/2 * ||grad D(x)||^2 "
                 "(Mescheder et al. 2018); 0 = off."),
    Setting("instance_noise", "Instance noise", float, 0.0, 0.0, 10.0, group="Stabilisers",
            help="Std of Gaussian noise added to every input of D, real and fake (data "
                 "units; MNIST: pixel units), annealed linearly to 0; 0 = off."),
    Setting("instance_noise_steps", "Noise annealed over", int, 5000, 1, 1_000_000,
            group="Stabilisers",
            help="Iterations over which the instance noise falls linearly to 0."),
    Setting("label_smoothing", "One-sided label smoothing", float, 0.0, 0.0, 0.5,
            group="Stabilisers",
            help="D's target for real data is 1 - this (minimax and nonsaturating only). "
                 "With 0.1 the optimal D at equilibrium is 0.45, not 0.5."),
    Setting("minibatch_discrimination", "Minibatch discrimination", bool, False, live=False,
            group="Stabilisers", modes=("1d",),
            help="S1's later version: D also sees, per sample, how close it is to the rest "
                 "of its batch (5 kernels of dimension 3), which punishes a generator "
                 "collapsed to a spike. D(x) then depends on the batch. Applied on Reset."),
    Setting("d_pretrain_steps", "D pre-training steps", int, 0, 0, 20_000, live=False,
            group="Stabilisers", modes=("1d",),
            help="S1's D_pre: before the game, fit D(x) to the real pdf (scaled to peak at "
                 "0.8, as N(4, 0.5) does) by mean squared error for this many steps. "
                 "Applied on Reset; the window's 'Pre-train D' button does it at once."),
    Setting("target", "Target", str, "gaussian", group="Target", modes=("1d",),
            choices=TARGETS,
            help="The real data: a Gaussian, a mixture of 2-5 Gaussians, a uniform or a "
                 "Laplace distribution. Applied at once."),
    Setting("target_mean", "Target mean", float, 4.0, -50.0, 50.0, group="Target", modes=("1d",),
            help="Mean of the real data (gaussian, uniform, laplace). Applied at once: watch "
                 "the generator follow."),
    Setting("target_sigma", "Target std", float, 0.5, 0.01, 20.0, group="Target",
            modes=("1d",),
            help="Standard deviation of the real data (gaussian, uniform, laplace). Applied "
                 "at once."),
    Setting("mixture_means", "Mixture means", tuple, (-2.0, 2.0), -50.0, 50.0,
            group="Target", modes=("1d",),
            help="Means of the mixture's components, comma-separated (2 to 5)."),
    Setting("mixture_sigmas", "Mixture stds", tuple, (0.5, 0.5), 0.01, 20.0, group="Target",
            modes=("1d",),
            help="Standard deviations of the components; one number applies to all."
                 , lengths=(1, 5)),
    Setting("mixture_weights", "Mixture weights", tuple, (1.0, 1.0), 0.0, 100.0,
            group="Target", modes=("1d",), lengths=(1, 5),
            help="Relative weights of the components (normalised); one number: equal."),
    Setting("dataset", "Dataset", str, "ring8", group="Target", modes=("2d",),
            choices=DATASETS_2D,
            help="The real 2-D data: 8 Gaussians on a ring, a 5x5 grid of Gaussians, two "
                 "moons, a spiral, a line, two Gaussians, or custom (points drawn with the "
                 "mouse or read from a file: Data menu). Applied at once: the generator "
                 "has to follow."),
    Setting("noise", "Generator noise", str, "gaussian", group="Noise", modes=("1d", "2d"),
            choices=NOISES,
            help="The generator's input z: N(0, 1), U(-range, range), or (1-D only) S1's "
                 "stratified "
                 "linspace(-range, range, batch) + U(0, 0.01). Applied at once."),
    Setting("noise_range", "Noise range", float, 1.0, 0.01, 100.0, group="Noise",
            modes=("1d", "2d"),
            help="The range of uniform and stratified noise (S1 uses 8)."),
    Setting("noise_dim", "Noise dimension", int, 2, 1, 8, live=False, group="Noise",
            modes=("2d",),
            help="Dimension of the generator's input z. With 2 the window draws the "
                 "generator's manifold: the image of a grid of z. Applied on Reset."),
    Setting("seed", "Random seed", int, 0, 0, 2**31 - 1, live=False, group="Model",
            help="Seeds the weights, the noise and the real samples. Applied on Reset."),
    Setting("g_width", "G hidden units", int, 32, 1, 512, live=False, group="Model",
            modes=("1d", "2d"),
            help="Units in each hidden layer of the generator. Applied on Reset."),
    Setting("g_layers", "G hidden layers", int, 2, 0, 6, live=False, group="Model",
            modes=("1d", "2d"),
            help="Hidden layers of the generator (0: a linear map). Applied on Reset."),
    Setting("d_width", "D hidden units", int, 32, 1, 512, live=False, group="Model",
            modes=("1d", "2d"),
            help="Units in each hidden layer of the discriminator. Applied on Reset."),
    Setting("d_layers", "D hidden layers", int, 2, 0, 6, live=False, group="Model",
            modes=("1d", "2d"),
            help="Hidden layers of the discriminator (0: logistic regression, which can "
                 "only tell means apart). Applied on Reset."),
    Setting("standardize", "Standardise inputs", bool, True, live=False, group="Model",
            modes=("1d",),
            help="The networks see (x - mean) / std of the target instead of raw x. Off, "
                 "D tends to go flat at 0.5 before the generator's spread is right. "
                 "Applied on Reset."),
    Setting("device", "Device", str, "auto", live=False, group="Model", choices=DEVICES,
            help="Where the networks train. auto: MNIST on CUDA or Apple's MPS when "
                 "present, the 1-D and 2-D toys on the CPU (their networks are so small that "
                 "a GPU runs them slower: launching its kernels costs more than the "
                 "arithmetic). The window draws from copies on the CPU. Applied on Reset."),
    Setting("latent_dim", "Latent size", int, 64, 1, 512, live=False, group="Model",
            modes=("mnist",),
            help="Dimension of the generator's noise input z. Applied on Reset."),
    Setting("info_codes", "InfoGAN code values", int, 0, 0, 100, live=False, group="Model",
            modes=("mnist",),
            help="InfoGAN (Chen et al. 2016): the generator's input also gets a categorical "
                 "code, one of this many values (one-hot; 1 is a constant, no code), and D "
                 "a second head Q that guesses the code from the digit. G and Q are trained "
                 "to make it guessable, so each value comes to stand for one kind of digit "
                 "and fewer samples fall between two classes. 0 = off. Applied on Reset."),
    Setting("info_continuous", "InfoGAN continuous codes", int, 0, 0, 8, live=False,
            group="Model", modes=("mnist",),
            help="InfoGAN's continuous codes: this many numbers from U(-1, 1) also join the "
                 "generator's input, and Q estimates each of them too (a unit-variance "
                 "Gaussian: half the squared error). In the InfoGAN paper two of them came "
                 "to stand for a digit's slant and width. 0 = off. Applied on Reset."),
    Setting("info_weight", "InfoGAN weight", float, 1.0, 0.0, 100.0, group="Model",
            modes=("mnist",),
            help="Weight of Q's loss (the categorical code's cross-entropy plus the "
                 "continuous codes' term) in both networks' losses, InfoGAN's lambda; 0 lets "
                 "the generator ignore its codes. The loss curves show the GAN's own "
                 "losses, without this term. Applied at once."),
    Setting("sample_grid", "Sample grid", str, "noise", group="Model", modes=("mnist",),
            choices=GRID_LAYOUTS,
            help="What the grid of generated digits shows. noise: 64 fixed inputs, the same "
                 "every frame. codes: one row per value of InfoGAN's categorical code, the "
                 "same z down each column (what each value has come to stand for). "
                 "continuous: each continuous code from -1 to 1 across a row, the rest "
                 "fixed (InfoGAN's slant and width, if learnt). A layout the run's codes do "
                 "not have shows noise. Applied at once; training is unchanged."),
)

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}

# Aliases accepted wherever a setting name is typed.
ALIASES = {"k_d": "k"}


def lookup(name: str) -> Setting:
    """Find a setting by name, or raise SettingError listing the known names."""
    name = ALIASES.get(name, name)
    try:
        return SETTINGS_BY_NAME[name]
    except KeyError:
        known = ", ".join(SETTINGS_BY_NAME)
        raise SettingError(f"unknown setting {name!r}; known settings: {known}") from None


def settings_for(mode: str) -> tuple[Setting, ...]:
    return tuple(s for s in SETTINGS if mode in s.modes)


def defaults(mode: str = "1d") -> dict[str, Any]:
    return {s.name: s.default for s in settings_for(mode)}


def validate(values: dict[str, Any], mode: str | None = None) -> dict[str, Any]:
    """Validate a partial mapping of settings; returns the converted values.

    With ``mode``, a setting that does not exist in that mode is refused.
    """
    result = {}
    for name, value in values.items():
        setting = lookup(name)
        if mode is not None and mode not in setting.modes:
            names = ", ".join(s.name for s in settings_for(mode))
            raise SettingError(
                f"{setting.name}: not a setting of {mode} presets; their settings: {names}"
            )
        result[setting.name] = setting.validate(value)
    return result


def check_consistency(settings: dict[str, Any]) -> None:
    """Checks that span several settings (the mixture's lists); raises SettingError."""
    if "dataset" in settings and settings.get("noise") == "stratified":
        raise SettingError("noise: stratified is S1's 1-D noise; 2-D presets take gaussian "
                           "or uniform")
    if "mixture_means" not in settings:
        return
    count = len(settings["mixture_means"])
    for name in ("mixture_sigmas", "mixture_weights"):
        given = len(settings[name])
        if given not in (1, count):
            raise SettingError(f"{name}: {given} numbers for {count} mixture means; give 1 "
                               f"or {count}")
    if sum(settings["mixture_weights"]) <= 0:
        raise SettingError("mixture_weights: at least one weight must be above 0")


def _has_codes(settings: dict[str, Any], pending: tuple[str, ...], values_from: int) -> bool:
    """Whether the settings, or the run as built, have InfoGAN codes (a categorical code
    counts from ``values_from`` values). A code setting waiting for Reset differs from the
    run's: one set to 0 means the run still has it."""
    get = settings.get
    now = get("info_codes", 0) >= values_from or bool(get("info_continuous", 0))
    built = any(name in pending and not get(name, 0)
                for name in ("info_codes", "info_continuous"))
    return now or built


def relevant(name: str, settings: dict[str, Any], pending: tuple[str, ...] = ()) -> bool:
    """Whether a setting does anything with the others as they are (the window hides the
    rest: the gradient-penalty weight only matters for wgan-gp, say). ``pending``: the
    settings changed but waiting for Reset (the run still trains with their old values)."""
    get = settings.get
    rules = {
        "gp_weight": lambda: get("loss") == "wgan-gp",
        "gp_one_sided": lambda: get("loss") == "wgan-gp",
        "label_smoothing": lambda: get("loss") in ("minimax", "nonsaturating"),
        "adam_beta1": lambda: "adam" in (get("optimizer_d"), get("optimizer_g")),
        "adam_beta2": lambda: "adam" in (get("optimizer_d"), get("optimizer_g")),
        "momentum": lambda: "momentum" in (get("optimizer_d"), get("optimizer_g")),
        "instance_noise_steps": lambda: bool(get("instance_noise")),
        "lr_decay_every": lambda: get("lr_decay", 1.0) != 1.0,
        "mixture_means": lambda: get("target") == "mixture",
        "mixture_sigmas": lambda: get("target") == "mixture",
        "mixture_weights": lambda: get("target") == "mixture",
        "target_mean": lambda: get("target") != "mixture",
        "target_sigma": lambda: get("target") != "mixture",
        "noise_range": lambda: get("noise") != "gaussian",
        "info_weight": lambda: _has_codes(settings, pending, 1),
        "sample_grid": lambda: _has_codes(settings, pending, 2),  # one value is a constant
    }
    rule = rules.get(name)
    return rule() if rule is not None else True


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse ``name=value`` as typed after ``--set``."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise SettingError(f"--set expects name=value, got {text!r}")
    setting = lookup(name.strip())
    return setting.name, setting.parse(value)


def describe_settings() -> str:
    """A table of every setting with its range, default and modes, for ``--help``."""
    lines = []
    for s in SETTINGS:
        when = "live" if s.live else "on Reset"
        if s.kind is str:
            allowed = "|".join(s.choices)
        elif s.kind is bool:
            allowed = "on|off"
        elif s.kind is tuple:
            allowed = f"list {s.minimum:g}..{s.maximum:g}"
        elif s.kind is int:
            allowed = f"{s.minimum}..{s.maximum}"
        else:
            allowed = f"{s.minimum:g}..{s.maximum:g}"
        modes = "" if len(s.modes) > 1 else f", {s.modes[0]} only"
        lines.append(f"  {s.name:<24} {allowed:<36} default {s.format(s.default):<13} "
                     f"({when}{modes})")
    return "\n".join(lines)
