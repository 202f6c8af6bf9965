"""Every MNIST preset trains: finite losses, right shapes, its seed system's settings."""

import numpy as np
import pytest
import torch

from ganviz.core import config, presets
from ganviz.core.mnist.data import load_bundled
from ganviz.core.mnist.problem import GRID_SIDE, MAX_CODE_ROWS, tile
from ganviz.core.mnist.state import NOISE_GRID_TITLE
from ganviz.core.trainer import Trainer

# The digit presets (tests/test_image_presets.py has the other images').
MNIST_PRESETS = [name for name, p in presets.PRESETS.items()
                 if p.mode == "mnist" and p.model.get("data", "mnist") == "mnist"]


@pytest.fixture(scope="module")
def small_data():
    """A 512-digit slice of the bundled split keeps these tests quick."""
    data = load_bundled()
    return type(data)(data.images[:512], data.labels[:512], "test slice")


def test_every_seed_system_has_a_preset():
    assert set(MNIST_PRESETS) == {"mnist", "mnist-cgan", "mnist-tf-mlp", "mnist-keras-mlp",
                                  "mnist-torch-mlp", "mnist-dcgan", "mnist-wgan-gp"}


@pytest.mark.parametrize("name", MNIST_PRESETS)
def test_preset_trains_with_finite_losses_and_right_shapes(name, small_data):
    trainer = Trainer(name, {"batch_size": 16}, data=small_data)
    trainer.run(3)
    assert all(np.isfinite(v) for v in trainer.last.values())
    assert trainer.step_count == 3
    assert trainer.g_updates == 3 * trainer.settings["k_g"]
    samples = trainer.sample(10)
    assert samples.shape == (10, 28, 28) and samples.dtype == np.float32
    assert samples.min() >= 0.0 and samples.max() <= 1.0
    snapshot = trainer.snapshot()
    side = GRID_SIDE * 30 - 2
    rows = 10 * 30 - 2 if trainer.problem.conditional else side  # a row per digit asked
    assert snapshot.view.samples_grid.shape == (rows, side)
    assert snapshot.view.samples_grid.dtype == np.uint8
    assert snapshot.view.class_counts.sum() == 500


def test_seed_system_settings():
    tf = presets.get("mnist-tf-mlp")
    assert tf.settings()["latent_dim"] == 100 and tf.settings()["batch_size"] == 128
    assert tf.model["noise"] == "uniform" and tf.model["output"] == "sigmoid"
    assert tf.betas == (0.9, 0.999) and tf.settings()["lr_d"] == 1e-3
    keras = presets.get("mnist-keras-mlp")
    assert keras.settings()["batch_size"] == 32 and keras.settings()["lr_g"] == 2e-4
    assert keras.betas == (0.5, 0.999) and keras.model["output"] == "tanh"
    dcgan = presets.get("mnist-dcgan")
    assert dcgan.settings()["k_g"] == 2 and dcgan.model["output"] == "half-tanh"
    assert dcgan.settings()["latent_dim"] == 128


def test_architectures_match_the_seed_systems(small_data):
    def linear_shapes(network):
        return [tuple(m.weight.shape) for m in network.modules()
                if isinstance(m, torch.nn.Linear)]

    tf = Trainer("mnist-tf-mlp", data=small_data)
    assert linear_shapes(tf.generator) == [(128, 100), (784, 128)]
    assert linear_shapes(tf.discriminator) == [(128, 784), (1, 128)]
    keras = Trainer("mnist-keras-mlp", data=small_data)
    assert linear_shapes(keras.generator) == [(256, 100), (512, 256), (1024, 512), (784, 1024)]
    assert linear_shapes(keras.discriminator) == [(512, 784), (256, 512), (1, 256)]
    norms = [m for m in keras.generator.modules() if isinstance(m, torch.nn.BatchNorm1d)]
    assert len(norms) == 3 and all(m.momentum == pytest.approx(0.2) for m in norms)
    torch_mlp = Trainer("mnist-torch-mlp", data=small_data)
    assert linear_shapes(torch_mlp.generator) == [(256, 64), (256, 256), (784, 256)]


def test_data_are_scaled_to_the_generator_range(small_data):
    for name, (low, high) in {"mnist-tf-mlp": (0, 1), "mnist-keras-mlp": (-1, 1),
                              "mnist-dcgan": (-0.5, 0.5)}.items():
        trainer = Trainer(name, data=small_data)
        batch = trainer._real_batch(256)
        assert batch.shape == (256, 1, 28, 28)
        assert batch.min().item() == pytest.approx(low)
        assert batch.max().item() == pytest.approx(high)


def test_real_batches_walk_through_the_data_in_epochs(small_data):
    trainer = Trainer("mnist", data=small_data)
    seen = torch.cat([trainer._real_batch(64) for _ in range(8)])  # 512 = one epoch
    flat = seen.reshape(512, -1)
    assert torch.unique(flat, dim=0).shape[0] == torch.unique(
        torch.from_numpy(trainer.problem.pixels.reshape(512, -1)), dim=0).shape[0]


def test_fixed_noise_grid_is_the_same_z_every_frame(small_data):
    trainer = Trainer("mnist", data=small_data)
    first = trainer.snapshot().view.samples_grid
    assert np.array_equal(first, trainer.snapshot().view.samples_grid)  # no training: same
    trainer.run(2)
    assert not np.array_equal(first, trainer.snapshot().view.samples_grid)
    fixed = trainer.problem.fixed_noise.clone()
    trainer.run(1)
    assert torch.equal(fixed, trainer.problem.fixed_noise)


def test_mnist_runs_are_deterministic(small_data):
    a = Trainer("mnist", {"seed": 5}, data=small_data)
    b = Trainer("mnist", {"seed": 5}, data=small_data)
    a.run(3)
    b.run(3)
    np.testing.assert_array_equal(a.history.column("loss_d"), b.history.column("loss_d"))


def test_latent_size_applies_on_reset(small_data):
    trainer = Trainer("mnist", data=small_data)
    assert trainer.update_settings({"latent_dim": 16}) == ("latent_dim",)
    trainer.reset()
    assert trainer.generator[0].in_features == 16 + 10 + 2  # z, then InfoGAN's codes
    assert trainer.problem.fixed_noise.shape == (64, 28)


def test_infogan_codes_join_the_noise_and_d_gets_a_head_to_guess_them(small_data):
    trainer = Trainer("mnist", data=small_data)
    assert (trainer.settings["info_codes"], trainer.settings["info_continuous"]) == (10, 2)
    assert trainer.generator[0].in_features == 64 + 10 + 2
    assert trainer.discriminator.head.out_features == 1 + 10 + 2
    noise, codes = trainer.problem.noise_and_codes(2000, torch.Generator().manual_seed(0))
    assert noise.shape == (2000, 76) and codes.values.shape == (2000,)
    assert torch.equal(noise[:, 64:74].argmax(1), codes.values)
    assert torch.equal(noise[:, 64:74].sum(1), torch.ones(2000))
    assert np.bincount(codes.values.numpy(), minlength=10).min() > 150  # uniform: ~200 each
    assert torch.equal(noise[:, 74:], codes.continuous)
    assert codes.continuous.min() >= -1 and codes.continuous.max() <= 1
    assert codes.continuous.std().item() == pytest.approx(3 ** -0.5, abs=0.02)  # U(-1, 1)
    d_logit, guesses = trainer.discriminator.forward_with_codes(noise.new_zeros(5, 1, 28, 28))
    assert d_logit.shape == (5, 1) and guesses.shape == (5, 12)
    assert torch.equal(trainer.discriminator(noise.new_zeros(5, 1, 28, 28)), d_logit)
    # The seed systems' presets keep their own networks: no code, no second head.
    seed_system = Trainer("mnist-torch-mlp", data=small_data)
    assert seed_system.settings["info_codes"] == seed_system.settings["info_continuous"] == 0
    assert seed_system.generator[0].in_features == 64
    assert isinstance(seed_system.discriminator, torch.nn.Sequential)


@pytest.mark.parametrize("name, overrides", [
    ("mnist", {"loss": "wgan-gp"}),
    ("mnist", {"loss": "hinge", "r1_weight": 1.0}),
    ("mnist", {"loss": "lsgan", "instance_noise": 0.1}),
    ("mnist", {"info_codes": 0}),  # continuous codes alone
    ("mnist", {"info_continuous": 0}),  # the categorical code alone
    ("mnist", {"info_codes": 1}),  # one value: a constant input, nothing to guess
    ("mnist-dcgan", {}),
    ("mnist-keras-mlp", {"loss": "minimax"}),
])
def test_the_codes_train_with_every_objective_stabiliser_and_architecture(name, overrides,
                                                                          small_data):
    settings = {"batch_size": 16, "info_codes": 6, "info_continuous": 2, **overrides}
    trainer = Trainer(name, settings, data=small_data)
    values, continuous = settings["info_codes"], settings["info_continuous"]
    head = trainer.discriminator.head.weight
    assert head.shape[0] == 1 + values + continuous
    before = head.detach().clone()
    trainer.run(2)
    assert all(np.isfinite(v) for v in trainer.last.values())
    changed = [not torch.equal(head[row], before[row]) for row in range(head.shape[0])]
    # Every guessing row learns, except a one-valued code's (its cross-entropy is 0).
    assert changed[1:] == [values > 1] * values + [True] * continuous
    assert trainer.sample(4).shape == (4, 28, 28)


def guessed_codes(trainer: Trainer) -> tuple[float, float]:
    """How well D's second head recovers the codes of 500 fresh generated digits: the
    share of categorical values guessed right, and the continuous codes' mean squared
    error (0.33 for a guess of 0: the variance of U(-1, 1))."""
    noise, codes = trainer.problem.noise_and_codes(500, torch.Generator().manual_seed(1))
    with torch.no_grad():
        _, guesses = trainer.discriminator.forward_with_codes(trainer.generator(noise))
    accuracy = (guesses[:, :10].argmax(1) == codes.values).float().mean().item()
    return accuracy, (guesses[:, 10:] - codes.continuous).square().mean().item()


def test_the_generator_learns_to_make_its_codes_guessable(small_data):
    trainer = Trainer("mnist", {"batch_size": 16, "info_weight": 1.0}, data=small_data)
    accuracy, error = guessed_codes(trainer)
    assert accuracy < 0.25 and error > 0.25  # chance: 0.1 and 0.33
    trainer.run(400)  # measured: accuracy 0.98-0.99, error 0.06-0.11 on seeds 0-2
    accuracy, error = guessed_codes(trainer)
    assert accuracy > 0.8 and error < 0.2


def test_without_its_weight_the_code_is_not_trained(small_data):
    trainer = Trainer("mnist", {"batch_size": 16}, data=small_data)
    assert trainer.update_settings({"info_weight": 0.0}) == ()  # live: no Reset needed
    head = trainer.discriminator.head.weight
    d_row, guessing_rows = head[:1].detach().clone(), head[1:].detach().clone()
    trainer.run(5)
    assert not torch.equal(head[:1], d_row)  # D trains...
    assert torch.equal(head[1:], guessing_rows)  # ...and Q, with nothing to learn, does not
    trainer.update_settings({"info_weight": 0.5})
    trainer.run(1)
    assert not torch.equal(trainer.discriminator.head.weight[1:], guessing_rows)


def test_the_code_grid_has_a_row_per_code_value_and_a_z_per_column(small_data):
    trainer = Trainer("mnist", {"info_codes": 10, "info_continuous": 2}, data=small_data)
    problem, latent = trainer.problem, trainer.settings["latent_dim"]
    fixed, grid = problem.fixed_noise, problem.grid_inputs["codes"].reshape(10, GRID_SIDE, -1)
    assert torch.equal(grid[..., :latent], fixed[:GRID_SIDE, :latent].expand(10, -1, -1))
    values = grid[..., latent: latent + 10]
    assert torch.equal(values.sum(-1), torch.ones(10, GRID_SIDE))  # one-hot
    assert torch.equal(values.argmax(-1), torch.arange(10)[:, None].expand(-1, GRID_SIDE))
    assert torch.equal(grid[..., latent + 10:], torch.zeros(10, GRID_SIDE, 2))  # their mean
    trainer.update_settings({"sample_grid": "codes"})
    view = trainer.snapshot().view
    assert view.grid_layout == "codes"
    assert view.samples_grid.shape == (10 * 30 - 2, GRID_SIDE * 30 - 2)
    assert view.grid_title == "One row per code value 0-9 (z per column)"
    # The generated rows differ (each value its own input) and so do the columns.
    digits = view.samples_grid.astype(float)
    assert np.abs(digits[:28] - digits[30:58]).mean() > 0.5
    assert np.abs(digits[:, :28] - digits[:, 30:58]).mean() > 0.5


def test_the_continuous_grid_sweeps_each_code_across_its_band_of_rows(small_data):
    trainer = Trainer("mnist", {"info_codes": 10, "info_continuous": 2}, data=small_data)
    problem, latent = trainer.problem, trainer.settings["latent_dim"]
    grid = problem.grid_inputs["continuous"].reshape(GRID_SIDE, GRID_SIDE, -1)
    sweep = torch.linspace(-1.0, 1.0, GRID_SIDE)
    for row in range(GRID_SIDE):
        code = row // 4  # 8 rows: 4 for c1, then 4 for c2
        fixed = problem.fixed_noise[row]
        assert torch.equal(grid[row, :, : latent + 10], fixed[: latent + 10].expand(GRID_SIDE, -1))
        assert torch.equal(grid[row, :, latent + 10 + code], sweep)
        assert torch.equal(grid[row, :, latent + 10 + 1 - code], torch.zeros(GRID_SIDE))
    trainer.update_settings({"sample_grid": "continuous"})
    view = trainer.snapshot().view
    assert (view.grid_layout, view.samples_grid.shape) == ("continuous", (238, 238))
    assert view.grid_title == "c1, c2: -1 to 1 left to right (4 rows each)"


@pytest.mark.parametrize(("overrides", "layouts"), [
    ({"info_codes": 0, "info_continuous": 0}, {"noise"}),
    ({"info_codes": 1, "info_continuous": 0}, {"noise"}),  # a constant, not a code
    ({"info_codes": 4, "info_continuous": 0}, {"noise", "codes"}),
    ({"info_codes": 0, "info_continuous": 3}, {"noise", "continuous"}),
])
def test_a_layout_the_codes_lack_shows_the_fixed_noise(overrides, layouts, small_data):
    trainer = Trainer("mnist", overrides, data=small_data)
    assert set(trainer.problem.grid_inputs) == layouts
    for wanted in config.GRID_LAYOUTS:
        trainer.update_settings({"sample_grid": wanted})
        view = trainer.snapshot().view
        drawn = wanted if wanted in layouts else "noise"
        assert view.grid_layout == drawn
        if drawn == "noise":
            assert view.grid_title == NOISE_GRID_TITLE and view.samples_grid.shape == (238, 238)
    # Codes changed but not yet applied (they wait for Reset): the grid keeps the built ones.
    trainer.update_settings({"info_codes": 6, "info_continuous": 1, "sample_grid": "codes"})
    assert trainer.snapshot().view.grid_layout == ("codes" if "codes" in layouts else "noise")
    trainer.reset()
    assert trainer.snapshot().view.grid_layout == "codes"


def test_many_code_values_show_their_first_rows(small_data):
    trainer = Trainer("mnist", {"info_codes": 40, "sample_grid": "codes"}, data=small_data)
    view = trainer.snapshot().view
    assert view.samples_grid.shape == (MAX_CODE_ROWS * 30 - 2, 238)
    assert view.grid_title == f"One row per code value 0-{MAX_CODE_ROWS - 1} of 40 (z per column)"


def test_the_sample_grid_setting_is_checked_and_shown_only_with_codes():
    with pytest.raises(config.SettingError,
                       match="sample_grid: expected one of noise, codes, continuous"):
        Trainer("mnist", {"sample_grid": "rows"})
    assert not config.relevant("sample_grid", {"info_codes": 1, "info_continuous": 0})
    assert config.relevant("sample_grid", {"info_codes": 2, "info_continuous": 0})
    assert config.relevant("sample_grid", {"info_codes": 0, "info_continuous": 1})
    # Codes turned off for the next run: this run still has them, until Reset.
    off = {"info_codes": 0, "info_continuous": 0}
    for name in ("sample_grid", "info_weight"):
        assert not config.relevant(name, off)
        assert config.relevant(name, off, pending=("info_codes",))
        assert config.relevant(name, off, pending=("info_continuous", "seed"))
        assert not config.relevant(name, off, pending=("seed",))
    # Codes turned on for the next run: shown now, a layout waits for Reset like the codes.
    assert config.relevant("sample_grid", {"info_codes": 10, "info_continuous": 0},
                           pending=("info_codes",))


def test_one_d_settings_are_refused_for_mnist():
    with pytest.raises(config.SettingError, match="target_mean: not a setting of mnist presets"):
        Trainer("mnist", {"target_mean": 3.0})


def test_tile_layout():
    images = np.zeros((4, 28, 28), dtype=np.float32)
    images[3] = 1.0
    grid = tile(images, columns=2, gap=2)
    assert grid.shape == (58, 58)
    assert grid[30:, 30:].min() == 255 and grid[:28, :28].max() == 0
    assert grid[28, 0] == 64  # the gap


ARCHITECTURES = sorted({p.model["architecture"] for p in presets.PRESETS.values()
                        if p.mode == "mnist"})


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_min_batch_is_the_smallest_batch_each_architecture_trains_on(architecture):
    """presets.MIN_BATCH is torch-free (the command line checks before torch loads): this
    keeps it true to the networks."""
    from ganviz.core.mnist.networks import build

    generator, discriminator = build(architecture, 8, "tanh")
    smallest = presets.MIN_BATCH.get(architecture, 1)
    discriminator(generator(torch.randn(smallest, 8))).sum().backward()
    if smallest > 1:
        with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
            generator(torch.randn(smallest - 1, 8))


def test_a_batch_the_networks_cannot_take_is_refused_at_start_and_when_changed(small_data):
    message = ("batch_size: 1 is too small for mnist-keras-mlp: its generator's BatchNorm "
               "layers need at least 2 samples per batch; use 2 to 4096")
    with pytest.raises(config.SettingError) as info:
        Trainer("mnist-keras-mlp", {"batch_size": 1}, data=small_data)
    assert str(info.value) == message
    trainer = Trainer("mnist-keras-mlp", data=small_data)
    with pytest.raises(config.SettingError, match="batch_size: 1 is too small"):
        trainer.update_settings({"batch_size": 1})
    assert trainer.settings["batch_size"] == 32  # nothing changed
    trainer.update_settings({"batch_size": 2})
    trainer.run(1)
    Trainer("mnist-dcgan", {"batch_size": 1}, data=small_data).run(1)  # BatchNorm2d: fine


def test_the_window_gets_a_refusal_and_its_run_goes_on(monkeypatch, small_data):
    """The window's changes reach the trainer through the controller, which answers a
    refused one with Rejected."""
    from ganviz.core import protocol
    from ganviz.core.controller import Controller
    from ganviz.core.mnist import data as mnist

    monkeypatch.setattr(mnist, "load_default", lambda: small_data)
    results = []
    preset = presets.get("mnist-keras-mlp")
    controller = Controller(preset.name, preset.settings(), results.append)
    controller.change_settings({"batch_size": 1})
    rejected = [r for r in results if isinstance(r, protocol.Rejected)]
    assert len(rejected) == 1 and rejected[0].message.startswith("batch_size: 1 is too small")
    assert controller.trainer.settings["batch_size"] == 32
    controller.reset(preset.name, {**preset.settings(), "batch_size": 1})
    assert [r.message for r in results if isinstance(r, protocol.Rejected)][-1].endswith(
        "the current run goes on")
    assert controller.trainer.settings["batch_size"] == 32


def test_sample_shapes_match_what_the_trainer_draws(small_data):
    trainer = Trainer("mnist", data=small_data)
    assert trainer.sample(3).shape == (3, *presets.get("mnist").sample_shape)
    assert presets.get("ring8").sample_shape == (2,) and presets.get("gaussian").sample_shape == ()
