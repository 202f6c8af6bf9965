"""The quick Adam step falls back to torch's own step() when torch's private calls fail."""

import pytest
import torch

from ganviz.core import fast_adam
from ganviz.core.trainer import Trainer


def _failing_once(monkeypatch, name: str) -> list[int]:
    """Make ``torch.<name>`` raise on its first call (only fast_adam's calls come first:
    torch's own step() calls it too, and must still work); returns the calls made."""
    real = getattr(torch, name)
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError(f"{name}: not in this torch")
        return real(*args, **kwargs)

    monkeypatch.setattr(torch, name, flaky)
    return calls


@pytest.mark.parametrize("name", ["_fused_adam_", "_foreach_add_"])
def test_a_failing_quick_step_falls_back_to_step_with_the_same_weights(monkeypatch, name):
    reference, trainer = Trainer("gaussian"), Trainer("gaussian")
    reference.run(3)
    trainer.run(3)  # both Adams have their state: the next steps are quick
    reference.run(10)
    _failing_once(monkeypatch, name)
    trainer.run(10)
    for a, b in zip(reference._g_params + reference._d_params,
                    trainer._g_params + trainer._d_params, strict=True):
        assert torch.equal(a, b)
    counts = [{int(s["step"]) for s in opt.state.values()} for opt in (trainer.opt_d,
                                                                       trainer.opt_g)]
    assert counts == [{13 * trainer.settings["k"]}, {13 * trainer.settings["k_g"]}]
    notices = [n for n in trainer.take_notices() if "quick Adam step" in n]
    assert len(notices) == 1
    assert "not in this torch" in notices[0]


def test_after_a_failure_that_optimiser_steps_through_step(monkeypatch):
    trainer = Trainer("gaussian")
    trainer.run(2)
    quick = trainer._quick_adam
    _failing_once(monkeypatch, "_fused_adam_")
    trainer._update_discriminator(0.0)  # D's quick step fails: D falls back
    trainer.take_notices()
    trainer._update_discriminator(0.0)
    assert quick.step(trainer.opt_d) is False  # D: step() for the rest of the run
    trainer._update_generator(0.0)
    assert trainer.take_notices() == []  # one notice, not one per step


def test_the_quick_path_restores_step_counts_when_the_update_raises(monkeypatch):
    net = torch.nn.Linear(3, 1)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2, fused=True)
    net(torch.randn(4, 3)).sum().backward()
    optimizer.step()  # creates the state
    monkeypatch.setattr(torch, "_fused_adam_", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        fast_adam.step_optimizer(optimizer)
    assert {int(s["step"]) for s in optimizer.state.values()} == {1}
