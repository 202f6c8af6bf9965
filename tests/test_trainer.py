import copy

import numpy as np
import pytest
import torch

from ganviz.core import config
from ganviz.core.fast_adam import step_optimizer
from ganviz.core.toy1d import evaluation
from ganviz.core.toy1d.evaluation import Evaluator
from ganviz.core.trainer import Trainer


def _adam_steps(optimizer) -> int:
    """Updates an Adam optimiser has made, by its own count (whichever path stepped it)."""
    counts = {int(state["step"]) for state in optimizer.state.values()}
    assert len(counts) == 1  # every parameter was updated as often
    return counts.pop()


@pytest.mark.parametrize("k", [1, 3, 7])
def test_k_discriminator_updates_per_generator_update(k):
    trainer = Trainer("gaussian", {"k": k})
    trainer.run(5)
    assert (_adam_steps(trainer.opt_d), _adam_steps(trainer.opt_g)) == (5 * k, 5)
    assert (trainer.d_updates, trainer.g_updates, trainer.step_count) == (5 * k, 5, 5)


def _twin_networks(seed: int = 0):
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.LeakyReLU(0.2),
                              torch.nn.Linear(16, 1))
    return net, copy.deepcopy(net)


@pytest.mark.parametrize("options", [{}, {"betas": (0.5, 0.999)}, {"eps": 1e-6}])
def test_quick_adam_step_gives_torchs_weights_and_state_bit_for_bit(options):
    reference, quick = _twin_networks()
    opt_reference = torch.optim.Adam(reference.parameters(), lr=1e-2, fused=True, **options)
    opt_quick = torch.optim.Adam(quick.parameters(), lr=1e-2, fused=True, **options)
    took_quick_path = []
    for step in range(30):
        if step == 15:  # a live learning-rate and beta change, as the window makes them
            for opt in (opt_reference, opt_quick):
                opt.param_groups[0]["lr"] = 3e-3
                opt.param_groups[0]["betas"] = (0.3, 0.99)
        x = torch.randn(8, 3)
        for net in (reference, quick):
            loss = net(x).square().mean()
            grads = torch.autograd.grad(loss, list(net.parameters()))
            for parameter, grad in zip(net.parameters(), grads, strict=True):
                parameter.grad = grad
        opt_reference.step()
        took_quick_path.append(step_optimizer(opt_quick))
    # The first step creates Adam's state through step(); every later one is quick.
    assert took_quick_path == [False] + [True] * 29
    for a, b in zip(reference.parameters(), quick.parameters(), strict=True):
        assert torch.equal(a, b)
        state_a, state_b = opt_reference.state[a], opt_quick.state[b]
        assert set(state_a) == set(state_b)
        assert all(torch.equal(state_a[key], state_b[key]) for key in state_a)


def _two_groups(params):
    first, *rest = list(params)
    return torch.optim.Adam([{"params": [first]}, {"params": rest, "lr": 1e-3}], lr=1e-2,
                            fused=True)


def _hooked(params):
    optimizer = torch.optim.Adam(params, lr=1e-2, fused=True)
    optimizer.register_step_post_hook(lambda *args: None)
    return optimizer


@pytest.mark.parametrize("make", [
    lambda params: torch.optim.Adam(params, lr=1e-2, amsgrad=True, fused=True),
    lambda params: torch.optim.Adam(params, lr=1e-2, maximize=True, fused=True),
    lambda params: torch.optim.Adam(params, lr=1e-2, weight_decay=1e-3, fused=True),
    lambda params: torch.optim.Adam(params, lr=1e-2, weight_decay=1e-3, fused=True,
                                    decoupled_weight_decay=True),
    lambda params: torch.optim.Adam(params, lr=torch.tensor(1e-2), fused=True),
    lambda params: torch.optim.Adam(params, lr=1e-2, foreach=True),
    lambda params: torch.optim.SGD(params, lr=1e-2, momentum=0.9),
    _two_groups,
    _hooked,
], ids=["amsgrad", "maximize", "weight-decay", "adamw", "tensor-lr", "foreach", "sgd",
        "two-groups", "hooked"])
def test_other_optimisers_step_as_torch_steps_them(make):
    reference, other = _twin_networks()
    opt_reference, opt_other = make(reference.parameters()), make(other.parameters())
    for _ in range(5):
        x = torch.randn(8, 3)
        for net in (reference, other):
            net.zero_grad()
            net(x).square().mean().backward()
        opt_reference.step()
        assert step_optimizer(opt_other) is False
    assert all(torch.equal(a, b)
               for a, b in zip(reference.parameters(), other.parameters(), strict=True))


def test_a_parameter_without_gradient_is_left_as_torch_leaves_it():
    reference, other = _twin_networks()
    optimizers = [torch.optim.Adam(net.parameters(), lr=1e-2, fused=True)
                  for net in (reference, other)]
    for step in range(4):
        x = torch.randn(8, 3)
        for net in (reference, other):
            net.zero_grad(set_to_none=True)
            net(x).square().mean().backward()
            if step >= 2:  # the last layer's bias gets no gradient from then on
                net[2].bias.grad = None
        optimizers[0].step()
        assert step_optimizer(optimizers[1]) is (step == 1)
    assert all(torch.equal(a, b)
               for a, b in zip(reference.parameters(), other.parameters(), strict=True))


def test_a_restored_run_goes_on_as_if_never_stopped():
    uninterrupted, restored = Trainer("gaussian"), Trainer("gaussian")
    uninterrupted.run(20)
    restored.run(10)
    kept = restored.keep_state()
    restored.run(5)
    restored.restore_state(kept)
    restored.run(10)
    for a, b in zip(uninterrupted._g_params + uninterrupted._d_params,
                    restored._g_params + restored._d_params, strict=True):
        assert torch.equal(a, b)
    assert step_optimizer(restored.opt_g) is True  # the restored Adam steps quickly too


def test_the_trainers_adam_takes_the_quick_path():
    trainer = Trainer("gaussian")
    trainer.run(2)
    trainer._update_discriminator(0.0)  # leaves D's gradients in place
    assert step_optimizer(trainer.opt_d) is True
    assert _adam_steps(trainer.opt_d) == 4


def test_k_changed_mid_run_applies_to_the_next_iteration():
    trainer = Trainer("gaussian", {"k": 1})
    trainer.run(2)
    trainer.update_settings({"k": 4})
    trainer.run(3)
    assert (trainer.d_updates, trainer.g_updates) == (2 + 12, 5)


def test_each_update_changes_only_its_own_network():
    trainer = Trainer()
    g_before = [p.detach().clone() for p in trainer.generator.parameters()]
    d_before = [p.detach().clone() for p in trainer.discriminator.parameters()]
    trainer.step()
    pairs = [*zip(g_before, trainer.generator.parameters(), strict=True),
             *zip(d_before, trainer.discriminator.parameters(), strict=True)]
    assert all(not torch.equal(before, after) for before, after in pairs)


def test_learning_rate_change_lands_in_the_optimiser_and_keeps_its_state():
    trainer = Trainer()
    trainer.run(20)
    opt_d, opt_g = trainer.opt_d, trainer.opt_g
    first = trainer._d_params[0]
    exp_avg = opt_d.state[first]["exp_avg"].clone()
    step_before = float(opt_d.state[first]["step"])

    pending = trainer.update_settings({"lr_d": 2e-4, "lr_g": 3e-3})

    assert pending == ()
    assert trainer.opt_d is opt_d and trainer.opt_g is opt_g  # no new optimiser
    assert [g["lr"] for g in opt_d.param_groups] == [2e-4]
    assert [g["lr"] for g in opt_g.param_groups] == [3e-3]
    assert torch.equal(opt_d.state[first]["exp_avg"], exp_avg)  # moments kept
    trainer.step()
    assert float(opt_d.state[first]["step"]) == step_before + 1  # Adam's count goes on


def test_learning_rate_change_matters():
    slow, fast = Trainer(), Trainer()
    fast.update_settings({"lr_d": 1e-1})
    slow.run(3)
    fast.run(3)
    assert not np.allclose(slow.history.column("loss_d"), fast.history.column("loss_d"))


def test_same_seed_same_losses_and_different_seed_different():
    a, b, c = Trainer("gaussian", {"seed": 3}), Trainer("gaussian", {"seed": 3}), Trainer()
    for trainer in (a, b, c):
        trainer.run(200)
    np.testing.assert_array_equal(a.history.column("loss_d"), b.history.column("loss_d"))
    np.testing.assert_array_equal(a.history.column("loss_g"), b.history.column("loss_g"))
    assert not np.array_equal(a.history.column("loss_d"), c.history.column("loss_d"))


def test_evaluating_does_not_change_the_training_numbers():
    quiet, watched = Trainer(), Trainer()
    for _ in range(10):
        quiet.run(10)
        watched.run(10)
        watched.evaluate()
        watched.snapshot()
    np.testing.assert_array_equal(quiet.history.column("loss_g"), watched.history.column("loss_g"))


def test_bad_change_is_refused_and_nothing_changes():
    trainer = Trainer()
    before = dict(trainer.settings)
    with pytest.raises(config.SettingError, match="k: 0 is out of range"):
        trainer.update_settings({"lr_d": 1e-2, "k": 0})
    assert trainer.settings == before
    assert trainer.opt_d.param_groups[0]["lr"] == before["lr_d"]


def test_model_settings_wait_for_reset():
    trainer = Trainer()
    trainer.run(3)
    weights = trainer.generator[0].weight.detach().clone()
    assert trainer.update_settings({"seed": 5, "g_width": 16}) == ("seed", "g_width")
    assert torch.equal(trainer.generator[0].weight, weights)  # nothing rebuilt yet
    trainer.reset()
    assert trainer.pending_on_reset() == ()
    assert trainer.step_count == 0 and len(trainer.history) == 0
    assert trainer.generator[0].weight.shape == (16, 1)
    fresh = Trainer("gaussian", {"seed": 5, "g_width": 16})
    assert torch.equal(trainer.generator[0].weight, fresh.generator[0].weight)


def test_reset_gives_the_same_run_again():
    trainer = Trainer()
    trainer.run(50)
    first = trainer.history.column("loss_d")
    trainer.reset()
    trainer.run(50)
    np.testing.assert_array_equal(first, trainer.history.column("loss_d"))


def test_target_change_moves_the_real_data_not_the_generator():
    trainer = Trainer()
    samples_before = trainer.sample(5000)
    trainer.update_settings({"target_mean": 1.0, "target_sigma": 0.25})
    real = trainer._real_batch(20_000) * trainer.scale + trainer.offset
    assert real.mean().item() == pytest.approx(1.0, abs=0.01)
    assert real.std().item() == pytest.approx(0.25, abs=0.01)
    # The generator's coordinates are fixed at Reset: it has to learn the new target.
    assert trainer.sample(5000).mean() == pytest.approx(samples_before.mean(), abs=0.05)
    evaluation = trainer.evaluate()
    assert evaluation.x[0] <= 1.0 - 5 * 0.25 and evaluation.x[-1] >= 4.0


def test_evaluation_of_a_perfect_generator():
    """A generator that is exactly the target gives JS ~ 0 and its own mean and std."""
    trainer = Trainer()
    identity = torch.nn.Linear(1, 1)  # in standardised units x_net = z: x = 4 + 0.5 z
    with torch.no_grad():
        identity.weight.fill_(1.0)
        identity.bias.zero_()
    result = evaluation.evaluate(
        trainer.snapshot().view, identity, identity, trainer.discriminator,
        torch.Generator().manual_seed(1), 20_000,
    )
    assert result.js_bits < 0.002  # only the sampling noise of 20,000 samples
    assert result.gen_mean == pytest.approx(4.0, abs=0.02)
    assert result.gen_std == pytest.approx(0.5, abs=0.01)
    area = (result.gen_density * np.diff(result.edges)).sum()
    assert area == pytest.approx(1.0, abs=0.001)
    centres = 0.5 * (result.edges[1:] + result.edges[:-1])
    np.testing.assert_allclose(result.gen_density, trainer.target.pdf(centres), atol=0.08)


def test_evaluation_of_a_distant_generator_is_near_one_bit():
    trainer = Trainer()
    trainer.update_settings({"target_mean": 40.0})
    evaluation = trainer.evaluate()
    assert evaluation.js_bits > 0.99
    assert evaluation.x[0] <= 4.0 <= evaluation.x[-1]  # the generator stays on the plot


def test_snapshot_is_plain_numpy_and_an_evaluator_reproduces_it():
    trainer = Trainer()
    trainer.run(100)
    snapshot = trainer.snapshot()
    assert snapshot.step == 100
    for weights in (snapshot.view.generator, snapshot.view.discriminator):
        assert all(isinstance(v, np.ndarray) for v in weights.values())
    assert set(snapshot.history) == {"step", "loss_d", "loss_g", "d_real", "d_fake"}
    mine, theirs = trainer.evaluate(), Evaluator().evaluate(snapshot.view)
    np.testing.assert_allclose(mine.d_curve, theirs.d_curve, atol=1e-6)
    assert mine.d_max_dev == pytest.approx(theirs.d_max_dev, abs=1e-6)
    assert mine.js_bits == pytest.approx(theirs.js_bits, abs=0.01)  # different samples


def test_losses_start_near_their_untrained_values():
    trainer = Trainer()
    trainer.step()
    last = trainer.last
    assert 0.5 < last["loss_d"] < 3.0 and 0.1 < last["loss_g"] < 3.0
    assert 0.0 < last["d_real"] < 1.0 and 0.0 < last["d_fake"] < 1.0


def test_thread_count_per_workload_and_its_override(monkeypatch):
    from ganviz.core import runtime

    try:
        assert runtime.configure_threads("1d") == 1 and torch.get_num_threads() == 1
        assert runtime.configure_threads("mnist") == 2
        monkeypatch.setenv("GANVIZ_TORCH_THREADS", "1")
        assert runtime.configure_threads("mnist") == 1 and torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(1)


def test_staircase_learning_rate_decay_keeps_adams_state():
    trainer = Trainer("gaussian", {"lr_decay": 0.5, "lr_decay_every": 3})
    optimizer = trainer.opt_d
    trainer.run(2)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(1e-3)
    trainer.run(1)  # 3 iterations done: one decay step
    assert optimizer.param_groups[0]["lr"] == pytest.approx(5e-4)
    trainer.run(4)  # 7 done: two steps
    assert trainer.opt_g.param_groups[0]["lr"] == pytest.approx(2.5e-4)
    assert trainer.opt_d is optimizer and optimizer.state  # same optimiser, state kept
    trainer.update_settings({"lr_d": 2e-3})  # a live change is decayed as far as the run is
    assert optimizer.param_groups[0]["lr"] == pytest.approx(5e-4)
    trainer.update_settings({"lr_decay": 1.0})
    assert optimizer.param_groups[0]["lr"] == pytest.approx(2e-3)


EXPLODING = {"loss": "lsgan", "lr_d": 1.0, "lr_g": 1.0, "optimizer_d": "sgd",
             "optimizer_g": "sgd", "standardize": False, "target_mean": 50.0}


def test_a_nan_loss_is_detected_and_named():
    trainer = Trainer("gaussian", EXPLODING)
    assert trainer.diverged() is None
    for _ in range(20):
        trainer.step()
        if trainer.diverged():
            break
    import re

    assert re.fullmatch(r"(D's loss|G's loss|D's loss and G's loss) became -?(nan|inf)",
                        trainer.diverged())


def test_a_kept_state_restores_the_run_exactly():
    trainer = Trainer("gaussian", {"seed": 5})
    trainer.run(60)
    kept = trainer.keep_state()
    trainer.run(40)
    after = (trainer.history.as_arrays(), [p.clone() for p in trainer.generator.parameters()])
    with torch.no_grad():  # wreck the run, as a divergence would
        for p in trainer.discriminator.parameters():
            p.fill_(float("nan"))
    trainer.step()
    assert trainer.diverged() is not None
    trainer.restore_state(kept)
    assert trainer.step_count == 60 and trainer.diverged() is None
    trainer.run(40)
    history, weights = after
    again = trainer.history.as_arrays()
    for name in history:
        assert np.array_equal(history[name], again[name]), name
    for a, b in zip(weights, trainer.generator.parameters(), strict=True):
        assert torch.equal(a, b)


def _generator_iterates(trainer: Trainer, steps: int) -> list[list[torch.Tensor]]:
    """The trained generator's weights before the first step and after each of ``steps``."""
    iterates = [[p.detach().clone() for p in trainer.generator.parameters()]]
    for _ in range(steps):
        trainer.step()
        iterates.append([p.detach().clone() for p in trainer.generator.parameters()])
    return iterates


def test_the_averaged_generator_starts_as_the_mean_of_the_iterates_so_far():
    """Until the decay is reached, the EMA is the plain mean of the generator's weights at
    every update so far, its initial weights included: it never lags behind the random
    initialisation."""
    trainer = Trainer("gaussian", {"ema": 0.999})
    iterates = _generator_iterates(trainer, 5)
    for index, averaged in enumerate(trainer.generator_ema.parameters()):
        mean = torch.stack([weights[index] for weights in iterates]).mean(0)
        torch.testing.assert_close(averaged.detach(), mean)


def test_the_averaged_mnist_generator_follows_the_recent_updates():
    """MNIST's generator keeps travelling: its average weighs the recent updates (after
    2,000 updates at decay 0.999 the first half of them keep < 1% of the weight, where the
    toys' ramp, the plain mean up to 999 updates, leaves them 37%) and still reaches the
    chosen decay in the end."""
    from ganviz.core.updates import ema_decay

    def weight_of_the_first(half: int, total: int, follow_recent: bool) -> float:
        kept = 1.0
        for update in range(half + 1, total + 1):
            kept *= ema_decay(update, 0.999, follow_recent)
        return kept

    assert weight_of_the_first(1_000, 2_000, follow_recent=True) < 0.01
    assert weight_of_the_first(1_000, 2_000, follow_recent=False) == pytest.approx(0.368, 0.01)
    assert ema_decay(100_000, 0.999, follow_recent=True) == 0.999

    trainer = Trainer("mnist", {"batch_size": 8})
    assert trainer.settings["ema"] == 0.999 and trainer.problem.ema_follows_recent
    iterates = _generator_iterates(trainer, 3)
    first = next(trainer.generator_ema.parameters()).detach()
    plain_mean = torch.stack([weights[0] for weights in iterates]).mean(0)
    assert not torch.allclose(first, plain_mean)  # nearer the last iterate than the mean
    assert (first - iterates[-1][0]).norm() < (plain_mean - iterates[-1][0]).norm()


def test_sampling_a_batchnorm_generator_leaves_it_as_it_was_and_takes_any_count():
    trainer = Trainer("mnist-keras-mlp", {"batch_size": 8})
    trainer.run(2)
    before = {k: v.clone() for k, v in trainer.generator.state_dict().items()}
    assert trainer.generator.training
    assert trainer.sample(513, averaged=False).shape == (513, 28, 28)  # a last chunk of one
    assert trainer.generator.training
    for name, value in trainer.generator.state_dict().items():
        assert torch.equal(value, before[name]), name


def test_many_samples_come_in_chunks(monkeypatch):
    from ganviz.core import trainer as trainer_module

    trainer = Trainer("ring8")
    trainer._seed_streams(3)
    whole = trainer.sample(1000)
    monkeypatch.setattr(trainer_module, "SAMPLE_CHUNK", 300)
    trainer._seed_streams(3)
    chunked = trainer.sample(1000)
    assert chunked.shape == whole.shape == (1000, 2)
    assert np.isfinite(chunked).all()
