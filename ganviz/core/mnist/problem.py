"""MNIST: real digits, the seed systems' networks, fixed-noise sample grids, class shares."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ganviz.core.images.sources import data_kind, load_data
from ganviz.core.mnist import data as mnist
from ganviz.core.mnist.idx import DataError
from ganviz.core.mnist.networks import OUTPUT_RANGES, build, build_conditional
from ganviz.core.mnist.state import GRID_GAP, GRID_SIDE, NOISE_GRID_TITLE, ImagesViewData

# The `sample_grid` layout "codes" has one row per value of the categorical code, at most
# this many (the first values): more rows would make each digit too small to read.
MAX_CODE_ROWS = 16
CLASSIFIED_SAMPLES = 500  # fresh samples classified per refresh of the class histogram
# The class histogram refreshes at most this often in the window: the samples are
# classified inside the training process, and every refresh takes its time from training.
CLASSIFY_EVERY_S = 2.0


class Codes(NamedTuple):
    """The InfoGAN codes drawn into a batch of generator inputs (None: that kind is off)."""

    values: torch.Tensor | None  # the categorical code's values, (N,) int64
    continuous: torch.Tensor | None  # the continuous codes, (N, info_continuous) in [-1, 1]


def tile(images: np.ndarray, columns: int = GRID_SIDE, gap: int = GRID_GAP) -> np.ndarray:
    """(N, H, W) grey or (N, H, W, 3) colour images in [0, 1] -> one uint8 image of
    ``columns`` images a row, filled row by row (the last row may be short)."""
    n, h, w = images.shape[:3]
    rows = max(1, -(-n // columns))
    grid = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap, *images.shape[3:]), 64,
                   dtype=np.uint8)
    pixels = (np.clip(images, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    for index in range(n):
        row, col = divmod(index, columns)
        grid[row * (h + gap): row * (h + gap) + h, col * (w + gap): col * (w + gap) + w] = (
            pixels[index])
    return grid


def grid_title(layout: str, values: int, count: int, conditional: bool = False,
               digits: bool = True) -> str:
    """What the sample grid of ``layout`` shows, for its plot's title (see
    MnistProblem._grid_inputs), given ``values`` categorical values and ``count``
    continuous codes (``conditional``: the categorical code is the digit asked for;
    ``digits``: MNIST's, else pictures of another kind)."""
    if layout == "codes" and conditional:
        return "One row per digit asked for, 0-9 (z per column)"
    if layout == "codes":
        rows = min(values, MAX_CODE_ROWS)
        shown = f"0-{rows - 1} of {values}" if rows < values else f"0-{values - 1}"
        return f"One row per code value {shown} (z per column)"
    if layout == "continuous":
        band = max(1, GRID_SIDE // count)
        codes = ", ".join(f"c{code + 1}" for code in range(count)) if count <= 3 else \
            f"c1-c{count}"
        rows = f" ({band} rows each)" if count > 1 and band > 1 else ""
        return f"{codes}: -1 to 1 left to right{rows}"
    return NOISE_GRID_TITLE if digits else NOISE_GRID_TITLE.replace("digits", "images")


class MnistProblem:
    """The image mode: MNIST's digits, and any other set of square images (Fashion-MNIST,
    CIFAR-10, a folder of pictures: core/images). Only digits are classified (the shipped
    classifier knows nothing else): the class bars and quality figures are MNIST's."""

    mode = "mnist"
    batch_dependent = False  # D scores each image on its own
    ema_follows_recent = True  # its generator keeps travelling: see updates.ema_decay

    def input_noise_scale(self) -> float:
        return 1.0  # instance noise is given in pixel units of the networks' range

    def __init__(self, preset, settings: dict, device: torch.device,
                 data: mnist.MnistData | None = None) -> None:
        self.preset = preset
        self.check_settings(settings)  # before the data load: a refusal comes at once
        self.device = device
        self.architecture = preset.model["architecture"]
        self.noise_kind = preset.model["noise"]
        self.output = preset.model["output"]
        # Conditional: D sees each image with its label, G's output carries the label it
        # was asked for (networks.LabelledGenerator); its categorical code is the label.
        self.conditional = bool(preset.model.get("conditional"))
        self.size, self.channels = preset.image_size, preset.channels
        # Digits are classified by the shipped classifier; other images are not.
        self.classified = data_kind(preset) == "mnist"
        if data is None:
            data = load_data(preset) or mnist.load_default()
        self.data_source = data.source
        self.low, self.high = OUTPUT_RANGES[self.output]
        # uint8 (N, S, S, C), converted batch by batch: a folder's 200,000 colour pictures
        # are 2.4 GB as bytes (memory-mapped), four times that as floats.
        self.pixels = data.images[..., None] if isinstance(data, mnist.MnistData) else \
            data.pixels
        if self.pixels.shape[1:] != (self.size, self.size, self.channels):
            raise DataError(data.source, f"{preset.name} trains on {self.size}x{self.size}x"
                            f"{self.channels} images; these are "
                            f"{'x'.join(map(str, self.pixels.shape[1:]))}")
        self.labels = None if data.labels is None else \
            torch.from_numpy(data.labels.astype(np.int64)).to(device)
        self.reset(settings)

    def check_settings(self, settings: dict) -> None:
        """Refuse settings these networks cannot train with (a batch of one for a
        generator with BatchNorm1d): one SettingError line. The trainer calls it for every
        change, so a live change from the window comes back Rejected and the run goes on."""
        self.preset.check(settings)

    def reset(self, settings: dict) -> None:
        self.latent = settings["latent_dim"]
        self.code_values = settings["info_codes"]
        self.continuous_codes = settings["info_continuous"]
        self._order: torch.Tensor | None = None
        self._position = 0
        # The grid's noise is drawn once per run, from a stream of its own, so that each
        # cell shows the same z from the first iteration to the last.
        grid_rng = torch.Generator(self.device).manual_seed(settings["seed"] + 104_729)
        self.fixed_noise = self.noise(GRID_SIDE * GRID_SIDE, grid_rng)
        self.grid_inputs = self._grid_inputs(self.fixed_noise)
        real = torch.randperm(len(self.pixels), generator=grid_rng, device=self.device)
        self.real_grid = tile(self.to_unit(self.real_images(real[: GRID_SIDE * GRID_SIDE])))
        self._classified: tuple[float, int, object] | None = None
        self._real_grid_sent = False

    def _grid_inputs(self, fixed: torch.Tensor) -> dict[str, torch.Tensor]:
        """The generator's inputs for each `sample_grid` layout this run's codes allow, all
        made of the fixed noise: rows of GRID_SIDE digits, so that a row or column varies
        one thing while the rest stays as it was.

        - "noise": the fixed inputs themselves (random code values among them);
        - "codes": one row per categorical value; column j has the z of the j-th fixed
          input, and the continuous codes at 0, their mean;
        - "continuous": a band of rows per continuous code, which goes from -1 to 1 across
          each row; the row keeps the z and categorical value of a fixed input, and the
          other continuous codes are 0.
        """
        latent, values, count = self.latent, self.code_values, self.continuous_codes
        inputs = {"noise": fixed}
        if values >= 2:  # one value is a constant, not a code
            rows = min(values, MAX_CODE_ROWS)
            grid = fixed[:GRID_SIDE].repeat(rows, 1)  # row r, column j: fixed input j
            grid[:, latent:] = 0.0  # every code: the one-hot is set below
            cells = torch.arange(rows * GRID_SIDE, device=fixed.device)
            grid[cells, latent + cells // GRID_SIDE] = 1.0
            inputs["codes"] = grid
        if count:
            band = max(1, GRID_SIDE // count)  # rows per continuous code
            sweep = torch.linspace(-1.0, 1.0, GRID_SIDE, device=fixed.device)
            rows = []
            for code in range(count):
                for row in range(band):
                    block = fixed[code * band + row].repeat(GRID_SIDE, 1)
                    block[:, latent + values:] = 0.0
                    block[:, latent + values + code] = sweep
                    rows.append(block)
            inputs["continuous"] = torch.cat(rows)
        return inputs

    def grid_layout(self, wanted: str) -> str:
        """The layout drawn for the `sample_grid` setting ``wanted``: "noise" when this
        run's codes (as built: changed codes wait for Reset) have none of that kind."""
        return wanted if wanted in self.grid_inputs else "noise"

    def build(self, settings: dict) -> tuple[nn.Module, nn.Module]:
        if self.conditional:
            return build_conditional(self.architecture, settings["latent_dim"], self.output,
                                     settings["info_codes"])
        return build(self.architecture, settings["latent_dim"], self.output,
                     settings["info_codes"], settings["info_continuous"])

    def keep_state(self) -> dict:
        """Where the pass over the data is (sessions resume it exactly), and which data."""
        order = None if self._order is None else self._order.cpu().clone()
        return {"order": order, "position": self._position, "count": len(self.pixels),
                "source": self.data_source}

    def restore_state(self, state: dict) -> None:
        """Raises ValueError when the run was trained on other data (another size)."""
        count = int(state.get("count", len(self.pixels)))
        if count != len(self.pixels):
            raise ValueError(f"it was trained on {count:,} images ({state.get('source')}); "
                             f"the data here have {len(self.pixels):,} (use --data or the "
                             f"Data menu)")
        order = state["order"]
        self._order = None if order is None else order.to(self.device)
        self._position = int(state["position"])

    def update_settings(self, settings: dict) -> None:
        pass  # MNIST's live settings act on the training loop, or (sample_grid) on frames

    def noise_and_codes(self, n: int, rng: torch.Generator) -> tuple[torch.Tensor, Codes]:
        """The generator's input for ``n`` samples, and the InfoGAN codes drawn into it.

        The input is z (the preset's noise, ``latent_dim`` numbers), then with
        ``info_codes`` a one-hot categorical code of uniformly drawn values, then
        ``info_continuous`` codes from U(-1, 1).
        """
        if self.noise_kind == "uniform":
            z = torch.rand(n, self.latent, generator=rng, device=self.device).mul_(2).sub_(1)
        else:
            z = torch.randn(n, self.latent, generator=rng, device=self.device)
        parts, values, continuous = [z], None, None
        if self.code_values:
            values = torch.randint(self.code_values, (n,), generator=rng, device=self.device)
            parts.append(F.one_hot(values, self.code_values).to(z.dtype))
        if self.continuous_codes:
            continuous = torch.rand(n, self.continuous_codes, generator=rng,
                                    device=self.device).mul_(2).sub_(1)
            parts.append(continuous)
        return (torch.cat(parts, dim=1) if len(parts) > 1 else z), Codes(values, continuous)

    def code_loss(self, guesses: torch.Tensor, codes: Codes) -> torch.Tensor:
        """InfoGAN's term, before its weight: how badly Q's ``guesses`` recover ``codes``.

        The cross-entropy of the categorical code, plus for the continuous codes the
        negative log-likelihood of a unit-variance Gaussian around Q's estimate (half the
        squared error, as the InfoGAN paper models them). Minimised over G and Q, it
        maximises a lower bound on the mutual information between codes and digits.
        """
        loss = guesses.new_zeros(())
        if codes.values is not None:
            loss = loss + F.cross_entropy(guesses[:, : self.code_values], codes.values)
        if codes.continuous is not None:
            estimate = guesses[:, self.code_values:]
            loss = loss + 0.5 * (estimate - codes.continuous).square().sum(dim=1).mean()
        return loss

    def noise(self, n: int, rng: torch.Generator) -> torch.Tensor:
        return self.noise_and_codes(n, rng)[0]

    def real_batch(self, n: int, rng: torch.Generator) -> torch.Tensor:
        """The next ``n`` digits of a shuffled pass over the data (a new order each epoch)."""
        count = len(self.pixels)
        if self._order is None or self._position + n > count:
            self._order = torch.randperm(count, generator=rng, device=self.device)
            self._position = 0
        indices = self._order[self._position: self._position + min(n, count)]
        self._position += len(indices)
        images = self.real_images(indices)
        if self.conditional:  # the image, then its label (what LabelledGenerator draws)
            label = F.one_hot(self.labels[indices], self.code_values).to(images.dtype)
            return torch.cat((images.flatten(1), label), dim=1)
        return images

    def real_images(self, indices: torch.Tensor) -> torch.Tensor:
        """The images at ``indices``, float32 (n, C, S, S) in the networks' range (0 to
        ``low``, 255 to ``high``: 255 / 255 is exactly 1, so ink lands exactly on it)."""
        chosen = torch.from_numpy(np.ascontiguousarray(self.pixels[indices.cpu().numpy()]))
        unit = chosen.to(self.device).permute(0, 3, 1, 2).float().div_(255.0)
        return unit.mul_(self.high - self.low).add_(self.low).contiguous()

    def to_unit(self, images: torch.Tensor, shift: bool = True) -> np.ndarray:
        """Generator or data images -> float32 (N, S, S) grey or (N, S, S, 3) colour in
        [0, 1]; ``shift`` False: a gradient, only scaled to those units."""
        side, channels = self.size, self.channels
        if images.ndim == 2:  # a conditional G's or batch's label after the pixels
            images = images[:, : side * side * channels]
        images = images.detach().float()
        unit = ((images - self.low) / (self.high - self.low)).clamp_(0.0, 1.0) if shift else \
            images / (self.high - self.low)
        unit = unit.reshape(-1, channels, side, side)
        unit = unit[:, 0] if channels == 1 else unit.permute(0, 2, 3, 1)
        return np.ascontiguousarray(unit.cpu().numpy())

    # ------------------------------------------------------------------------ measuring
    @torch.inference_mode()
    def sample(self, generator: nn.Module, n: int, rng: torch.Generator,
               digits: np.ndarray | None = None) -> np.ndarray:
        """``n`` generated digits, float32 (n, 28, 28) in [0, 1]; conditional: ``digits``
        asks for each one's label (default: 0-9 in turn)."""
        if self.conditional and digits is None:
            digits = np.arange(n) % self.code_values
        chunks = []
        for start in range(0, n, 512):
            inputs = self.noise(min(512, n - start), rng)
            if self.conditional:
                wanted = torch.as_tensor(np.asarray(digits[start: start + len(inputs)]),
                                         dtype=torch.int64, device=self.device)
                inputs[:, self.latent: self.latent + self.code_values] = F.one_hot(
                    wanted, self.code_values).to(inputs.dtype)
            chunks.append(self.to_unit(generator(inputs)))
        return np.concatenate(chunks).astype(np.float32, copy=False)

    def class_stats(self, trainer, n: int = CLASSIFIED_SAMPLES, digit: str = "all"):
        """The classes of ``n`` fresh digits of the averaged generator, and their quality
        against real digits (core/mnist/quality.py), from one pass of the classifier; a
        conditional preset asks for ``digit`` (all: 0-9 in turn) and measures the share
        classified as asked."""
        from ganviz.core.mnist.classifier import class_stats, load_classifier
        from ganviz.core.mnist.quality import features_and_probabilities, quality

        asked = None
        if self.conditional:
            asked = (np.arange(n) % self.code_values if digit == "all"
                     else np.full(n, int(digit)))
        samples = self.sample(trainer.generator_ema, n, trainer.eval_rng, asked)
        features, probabilities = features_and_probabilities(load_classifier(), samples)
        measured = quality(features)
        if asked is not None:
            measured = replace(measured, class_accuracy=float(
                (probabilities.argmax(1) == asked).mean()))
        return class_stats(probabilities), measured

    def metrics(self, trainer) -> dict:
        if not self.classified:  # nothing judges these images: the losses say it all
            return {}
        stats, measured = self.class_stats(trainer)
        figures = {"confident": stats.confident, "coverage": stats.coverage,
                   "fd": measured.fd, "precision": measured.precision,
                   "recall": measured.recall}
        if self.conditional:  # the share classified as the digit asked for
            figures["class_accuracy"] = measured.class_accuracy
        return figures

    def summary(self, metrics: dict) -> str:
        if "confident" not in metrics:
            return f"{self.size}x{self.size} images from {self.data_source}"
        return (f"{metrics['confident']:.0%} of samples classified with confidence >= 0.9, "
                f"class coverage {metrics['coverage']:.3f}")

    @torch.inference_mode()
    def view_data(self, trainer, settings: dict) -> ImagesViewData:
        now = time.perf_counter()
        # Classifying a few hundred fresh samples costs far more than the grid: refresh the
        # histogram every CLASSIFY_EVERY_S, not at every frame.
        digit = settings.get("digit", "all")
        if self._classified is None or now - self._classified[0] >= CLASSIFY_EVERY_S \
                or self._classified[3] != digit:
            self._classified = (now, trainer.step_count, self._shown_stats(trainer, digit),
                                digit)
        _, classified_step, (stats, measured), _ = self._classified
        # The real grid is the same for the whole run: sent once, it keeps a frame under the
        # 64 KB a pipe holds, so sending one does not wait for the window to read it.
        real_grid = None if self._real_grid_sent else self.real_grid
        self._real_grid_sent = True
        return self._view(trainer, settings, stats, measured, classified_step, real_grid)

    def _shown_stats(self, trainer, digit: str):
        """The bars' classes (of the digit asked for), with the coverage and confident
        share of all ten digits: the coach judges the generator, not the digit chosen.
        A digit chosen costs a second classification every CLASSIFY_EVERY_S. Images no
        classifier judges: (None, None)."""
        if not self.classified:
            return None, None
        stats, measured = self.class_stats(trainer, digit=digit)
        if digit != "all":  # the quality chart too: of the generator, all ten digits
            every, of_all = self.class_stats(trainer)
            stats = replace(stats, confident=every.confident, coverage=every.coverage)
            measured = replace(of_all, class_accuracy=measured.class_accuracy)
        return stats, measured

    @torch.inference_mode()
    def past_view_data(self, moment, settings: dict) -> ImagesViewData:
        """view_data for a past moment of the run (core/past.py): its digits classified
        afresh, and the live run's refresh clock left alone."""
        stats, measured = self._shown_stats(moment, settings.get("digit", "all"))
        return self._view(moment, settings, stats, measured, moment.step_count, None)

    def _view(self, trainer, settings: dict, stats, measured, classified_step: int,
              real_grid) -> ImagesViewData:
        layout = self.grid_layout(settings["sample_grid"])
        inputs, title = self.grid_inputs[layout], grid_title(
            layout, self.code_values, self.continuous_codes, self.conditional, self.classified)
        digit = settings.get("digit", "all")
        if self.conditional and digit != "all":  # the 64 fixed z, each asked for the digit
            layout, inputs = "noise", self.grid_inputs["noise"].clone()
            inputs[:, self.latent: self.latent + self.code_values] = 0.0
            inputs[:, self.latent + int(digit)] = 1.0
            title = f"Digit {digit} asked for (64 fixed z)"
        grid = tile(self.to_unit(trainer.generator_ema(inputs)))
        view = ImagesViewData(
            step=trainer.step_count, samples_grid=grid, grid_layout=layout,
            grid_title=title, real_grid=real_grid, class_counts=None, confident_counts=None,
            confident=float("nan"), coverage=float("nan"), classified_step=0,
            data_source=self.data_source, conditional=self.conditional, digit=digit,
            classified=stats is not None)
        if stats is not None:  # else images no classifier judges: the grids alone
            view = replace(
                view, class_counts=stats.counts, confident_counts=stats.confident_counts,
                confident=stats.confident, coverage=stats.coverage,
                classified_step=classified_step, fd=measured.fd,
                precision=measured.precision, recall=measured.recall,
                class_accuracy=measured.class_accuracy)
        return view
