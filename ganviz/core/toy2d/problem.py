"""The 2-D toy: GAN Lab's game on points in the plane.

The trainer steps it like the other problems; :mod:`ganviz.core.toy2d.evaluation` turns a
copy of its weights into what the window draws (D's surface, the points, the
generator's gradients, its manifold, KL and JS on a grid).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ganviz.core import config
from ganviz.core.networks import mlp, state_dict_numpy
from ganviz.core.noise import draw_noise
from ganviz.core.toy2d import data as data2d
from ganviz.core.toy2d.state import Toy2DState

REAL_POINTS = 2000  # the fixed real sample the view scatters (a part) and measures KL/JS on
METRIC_SAMPLES = 10_000  # generator samples of the headless metrics


def build_networks(spec: dict) -> tuple[nn.Module, nn.Module]:
    generator = mlp(spec["noise_dim"], spec["g_width"], spec["g_layers"], 2,
                    spec.get("activation", "leaky_relu"))
    discriminator = mlp(2, spec["d_width"], spec["d_layers"], 1,
                        spec.get("activation", "leaky_relu"))
    return generator, discriminator



class Toy2D:
    mode = "2d"
    batch_dependent = False
    ema_follows_recent = False  # see updates.ema_decay

    def __init__(self, preset, settings: dict, device: torch.device,
                 custom: data2d.Points2D | None = None) -> None:
        self.device = device
        self.model = dict(preset.model)
        self.custom = custom
        self._dataset_key: tuple | None = None
        self.reset(settings)

    # ------------------------------------------------------------------------ settings
    def check_settings(self, settings: dict) -> None:
        """Refuse what cannot be trained (custom data before any was given)."""
        if settings["dataset"] == "custom" and self.custom is None:
            raise config.SettingError("dataset: custom needs points: draw them or open a "
                                      "points file first (Data menu, or --points FILE)")

    def reset(self, settings: dict) -> None:
        self.check_settings(settings)
        self.update_settings(settings)
        # The networks see (x - offset) / scale, fixed here at Reset: a live change of the
        # dataset moves the real data, and the generator has to follow it.
        points = self.dataset.sample(8192, torch.Generator().manual_seed(0)).numpy()
        self.offset = points.mean(0).astype(np.float32)
        self.scale = float(np.sqrt(((points - self.offset) ** 2).sum(1).mean())) or 1.0
        self._offset_t = torch.as_tensor(self.offset, device=self.device)
        self._data_rng = None if self.device.type == "cpu" else \
            torch.Generator().manual_seed(settings["seed"] + 17)
        self.spec = {"noise_dim": settings["noise_dim"], "g_width": settings["g_width"],
                     "g_layers": settings["g_layers"], "d_width": settings["d_width"],
                     "d_layers": settings["d_layers"],
                     "activation": self.model.get("activation", "leaky_relu")}

    def set_custom(self, custom: data2d.Points2D) -> None:
        self.custom = custom
        self._dataset_key = None  # resample even if "custom" was already chosen
        if self.settings["dataset"] == "custom":
            self.update_settings(self.settings)

    def update_settings(self, settings: dict) -> None:
        self.settings = settings
        key = (settings["dataset"], id(self.custom) if settings["dataset"] == "custom" else 0)
        if key != self._dataset_key:
            self.dataset = data2d.make_dataset(settings["dataset"], self.custom)
            self.bounds = self.dataset.bounds()
            # A fixed real sample per dataset (not per frame): the view's real points stay
            # put, and KL/JS are measured against the same sample throughout.
            rng = torch.Generator().manual_seed(settings["seed"] + 31)
            self.real_points = self.dataset.sample(REAL_POINTS, rng).numpy().astype(np.float32)
            self._dataset_key = key
            self._real_points_sent = False

    def build(self, settings: dict) -> tuple[nn.Module, nn.Module]:
        return build_networks(self.spec)

    def keep_state(self) -> dict:
        """The inputs' normalisation, fixed at Reset (the dataset may have changed since),
        and the data's own random stream where it has one (networks on a GPU)."""
        return {"offset": torch.as_tensor(self.offset).clone(), "scale": float(self.scale),
                "data_rng": None if self._data_rng is None else self._data_rng.get_state()}

    def restore_state(self, state: dict) -> None:
        self.offset = np.asarray(state["offset"], dtype=np.float32).reshape(2)
        self.scale = float(state["scale"])
        self._offset_t = torch.as_tensor(self.offset, device=self.device)
        if self._data_rng is not None and state.get("data_rng") is not None:
            self._data_rng.set_state(state["data_rng"])

    # ------------------------------------------------------------------------ training
    def to_network(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self._offset_t) / self.scale

    def real_batch(self, n: int, rng: torch.Generator) -> torch.Tensor:
        # The datasets sample on the CPU (cheap, and the same numbers on any device): with
        # the networks on a GPU, from a CPU stream of their own.
        stream = rng if self._data_rng is None else self._data_rng
        return self.to_network(self.dataset.sample(n, stream).to(self.device))

    def noise(self, n: int, rng: torch.Generator) -> torch.Tensor:
        s = self.settings
        return draw_noise(n, s["noise"], s["noise_range"], rng, self.spec["noise_dim"])

    def input_noise_scale(self) -> float:
        return 1.0 / self.scale  # instance noise is given in data units

    # ------------------------------------------------------------------------ measuring
    @torch.inference_mode()
    def sample(self, generator: nn.Module, n: int, rng: torch.Generator) -> np.ndarray:
        """``n`` samples in data units, float32 (n, 2)."""
        out = generator(self.noise(n, rng)) * self.scale + self._offset_t
        return out.cpu().numpy().astype(np.float32)

    def metrics(self, trainer) -> dict:
        samples = self.sample(trainer.generator_ema, METRIC_SAMPLES, trainer.eval_rng)
        return measure(samples, self.real_points, self.bounds, self.dataset.modes,
                       self.dataset.mode_sigma)

    def summary(self, metrics: dict) -> str:
        text = f"KL {metrics['kl_bits']:.3f} bits, JS {metrics['js_bits']:.4f} bits"
        if "modes_covered" in metrics:
            text += (f", {metrics['modes_covered']} of {len(metrics['mode_shares'])} modes "
                     f"covered, {metrics['high_quality']:.0%} of samples within 3 sigma")
        return text

    def view_data(self, trainer, settings: dict) -> Toy2DState:

        # The real sample is the same until the dataset changes: sent once, it keeps a frame
        # (16 KB smaller) nearer the 64 KB a pipe holds without waiting for the reader.
        real_points = None if self._real_points_sent else self.real_points
        self._real_points_sent = True
        return Toy2DState(
            step=trainer.step_count,
            generator=state_dict_numpy(trainer.generator_ema),
            # Without averaging both generators are the same: sent once, the frame is
            # a third smaller.
            raw_generator=None if settings["ema"] == 0 else state_dict_numpy(trainer.generator),
            discriminator=state_dict_numpy(trainer.discriminator),
            spec=dict(self.spec), loss=settings["loss"],
            label_smoothing=settings["label_smoothing"], noise=settings["noise"],
            noise_range=settings["noise_range"], seed=settings["seed"],
            offset=self.offset.copy(), scale=self.scale, bounds=self.bounds,
            real_points=real_points, dataset=self.dataset.description,
            modes=self.dataset.modes, mode_sigma=self.dataset.mode_sigma,
        )


# A mode holding under this share of the samples counts as dropped (ring8: 5% against
# the 12.5% each mode holds in the real data).
MODE_COVERED_SHARE = 0.05


def measure(samples: np.ndarray, real_points: np.ndarray, bounds, modes: np.ndarray | None,
            mode_sigma: float, bins: int = 32) -> dict:
    """The 2-D figures, headless and in the window: KL and JS on a ``bins`` x ``bins`` grid,
    and mode coverage for mixtures of Gaussians (``modes`` not None)."""
    finite = samples[np.isfinite(samples).all(1)]
    kl, js = data2d.grid_divergences(real_points, finite, bounds, bins) if len(finite) else \
        (float("nan"), float("nan"))
    result: dict = {"kl_bits": kl, "js_bits": js,
                    "gen_mean": [float(v) for v in finite.mean(0)] if len(finite) else None}
    if modes is not None:
        shares, within = data2d.mode_coverage(finite, modes, mode_sigma)
        shares = shares * len(finite) / max(len(samples), 1)
        result["mode_shares"] = [round(float(v), 4) for v in shares]
        result["modes_covered"] = int((shares >= MODE_COVERED_SHARE).sum())
        result["high_quality"] = within * len(finite) / max(len(samples), 1)
    return result

