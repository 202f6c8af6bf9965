"""Slow motion's core: a narrated iteration is the run's own next one, taken apart."""

import numpy as np
import pytest
import torch

from ganviz.core import narration, protocol
from ganviz.core.controller import Controller
from ganviz.core.trainer import Trainer


def _states_equal(a: Trainer, b: Trainer) -> bool:
    pairs = [(a.generator, b.generator), (a.discriminator, b.discriminator),
             (a.generator_ema, b.generator_ema)]
    same = all(torch.equal(x, y) for m, n in pairs
               for x, y in zip(m.state_dict().values(), n.state_dict().values(), strict=True))
    return same and torch.equal(a.rng.get_state(), b.rng.get_state())


@pytest.mark.parametrize("preset", ["gaussian", "wgan-gp", "ring8", "mnist-dcgan", "mnist-cgan"])
def test_a_narrated_iteration_trains_exactly_as_a_plain_one(preset):
    """Same updates, same random draws: the run goes on as if nothing watched (wgan-gp: five
    D steps and a penalty; mnist-dcgan: BatchNorm, whose statistics the extra pass through
    G must not move)."""
    told, plain = Trainer(preset, device="cpu"), Trainer(preset, device="cpu")
    for trainer in (told, plain):
        trainer.run(2)
    narrated = narration.narrate(told)
    plain.step()
    assert _states_equal(told, plain) and told.step_count == plain.step_count == 3
    told.step()
    plain.step()
    assert _states_equal(told, plain)
    assert narrated.step == 3 and narrated.mode == told.mode
    assert [p.key for p in narrated.parts] == list(narration.PARTS[:-1])
    protocol.check_message(narrated, protocol.RESULTS)  # it crosses the pipe as a result


def test_the_parts_tell_the_runs_own_numbers():
    trainer = Trainer("gaussian", device="cpu")
    trainer.run(20)
    narrated = narration.narrate(trainer)
    text = {p.key: p.text for p in narrated.parts}
    last = trainer.last
    assert f"{last['d_real']:.3g}" in text["scores"] and f"{last['d_fake']:.3g}" in text["scores"]
    assert f"{last['loss_d']:.4g}" in text["loss_d"] and f"{last['loss_g']:.4g}" in text["loss_g"]
    assert "64 real numbers" in text["real"] and "1.386" in text["loss_d"]
    assert text["average"].endswith("Iteration 21 is done.")
    assert narrated.real.shape == narrated.g_fake.shape == narrated.moved.shape == (64,)
    assert narrated.d_before.shape == narrated.d_after.shape == narrated.grid.shape == (256,)
    assert not np.array_equal(narrated.d_before, narrated.d_after)  # D's update moved D(x)
    np.testing.assert_allclose(narrated.d_after, trainer.discriminate(narrated.grid), atol=1e-6)


def test_gs_push_points_up_ds_slope():
    """Non-saturating G: -d(-log D(x))/dx = D'(x) / D(x), so each fake is pushed the way
    D rises (D is not updated in G's step)."""
    trainer = Trainer("gaussian", device="cpu")
    trainer.run(30)
    narrated = narration.narrate(trainer)
    x, h = narrated.g_fake.astype(np.float64), 1e-3
    slope = trainer.discriminate((x + h).astype(np.float32)) - trainer.discriminate(
        (x - h).astype(np.float32))
    clear = np.abs(slope) > 1e-5
    assert clear.sum() > 32
    assert np.mean(np.sign(narrated.push[clear]) == np.sign(slope[clear])) > 0.95
    # G's step moves the fakes the way they are pushed, on average.
    assert np.sign(np.mean(narrated.moved - narrated.g_fake)) == np.sign(np.mean(narrated.push))


def test_the_controller_narrates_only_while_paused():
    results = []
    controller = Controller("gaussian", {}, results.append)
    controller.start()
    controller.narrate()
    told = [r for r in results if isinstance(r, protocol.Narrated)]
    assert len(told) == 1 and told[0].step == 1 and controller.show_now
    controller.run(True)
    controller.narrate()
    assert len([r for r in results if isinstance(r, protocol.Narrated)]) == 1
