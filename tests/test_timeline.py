"""The run's past: snapshots on a thinning schedule within a budget, exact resumption
from any of them, and branches."""

import numpy as np
import pytest
import torch

from ganviz.core import presets
from ganviz.core.snapshots import capture, restore
from ganviz.core.timeline import Timeline, TimelineError
from ganviz.core.trainer import Trainer


def fake_state(step: int, nbytes: int = 1000) -> dict:
    return {"step_count": step, "weights": torch.zeros(nbytes // 4)}


def test_schedule_is_dense_early_and_thins_as_the_run_grows():
    timeline = Timeline("1d", every=50, per_octave=8)
    kept = [step for step in range(0, 6401) if timeline.due(step)]
    assert kept[:9] == list(range(0, 401, 50))  # every 50 for the first 8
    gaps = np.diff(kept)
    assert gaps.min() == 50 and gaps.max() == 800
    assert list(gaps) == sorted(gaps)  # never denser later than earlier
    assert len(kept) < 6400 // 50 / 2


def test_fixed_schedule_keeps_every_multiple():
    timeline = Timeline("1d", every=100, fixed=True)
    assert [s for s in range(0, 1001) if timeline.due(s)] == list(range(0, 1001, 100))


def test_over_budget_the_spacing_doubles_and_memory_stays_bounded():
    timeline = Timeline("1d", every=10, fixed=True, memory_budget=20_000)
    for step in range(0, 10_001, 10):
        if timeline.due(step):
            timeline.add(fake_state(step))
    assert timeline.memory_bytes() <= 20_000
    steps = timeline.steps()
    assert steps[0] == 0 and len(steps) >= 10
    assert len(set(np.diff(steps))) == 1  # still evenly spaced, at a wider spacing
    assert timeline.every > 10


def test_over_memory_snapshots_spill_to_disk_and_read_back(tmp_path):
    timeline = Timeline("mnist", every=1, fixed=True, memory_budget=3000, disk_budget=10_000)
    for step in range(8):
        timeline.add(fake_state(step))
    assert timeline.memory_bytes() <= 3000 and 0 < timeline.disk_bytes() <= 10_000
    assert timeline.get(timeline.steps()[0])["step_count"] == timeline.steps()[0]
    folder = timeline._folder
    assert folder.is_dir()
    del timeline
    import gc

    gc.collect()
    assert not folder.exists()  # the temporary folder goes with the timeline


def test_a_missing_step_names_the_nearest_kept():
    timeline = Timeline("1d", every=100, fixed=True)
    for step in (0, 100, 200):
        timeline.add(fake_state(step))
    with pytest.raises(TimelineError, match=r"no snapshot at iteration 150 .*100, 200"):
        timeline.get(150)


def test_branches_own_their_future_and_share_their_past():
    timeline = Timeline("1d", every=100, fixed=True)
    for step in range(0, 501, 100):
        timeline.add(fake_state(step))
    number = timeline.branch(200, {"lr_g": 1e-3})
    assert not timeline.due(200)  # the fork point is the parent's
    for step in (300, 400):
        timeline.add(fake_state(step))
    assert timeline.steps() == [0, 100, 200, 300, 400]
    assert timeline.steps(0) == [0, 100, 200, 300, 400, 500]
    assert timeline.switch(0) == 500 and timeline.current == 0
    assert timeline.branches[number].changes == {"lr_g": 1e-3}
    again = Timeline.from_dict(timeline.to_dict(), "1d")
    assert again.steps(number) == [0, 100, 200, 300, 400] and again.current == 0


@pytest.mark.parametrize("name", ["gaussian", "ring8", "mnist-dcgan"])
def test_resuming_from_a_snapshot_repeats_the_run_bit_for_bit(name):
    preset = presets.get(name)
    steps = 40 if preset.mode == "mnist" else 200
    trainer = Trainer(preset, {"batch_size": 16} if preset.mode == "mnist" else {})
    timeline = Timeline(preset.mode, every=steps // 4, fixed=True)
    trainer.timeline = timeline  # the trainer keeps a snapshot at each due iteration
    timeline.add(capture(trainer))
    for _ in range(steps):
        trainer.step()
    assert timeline.steps() == list(range(0, steps + 1, steps // 4))
    expected = dict(trainer.last)
    sample = trainer.sample(64)

    # A fresh trainer, brought to the middle of the run, trains the second half again.
    other = Trainer(preset, {"batch_size": 16} if preset.mode == "mnist" else {},
                    pretrain=False)
    assert restore(other, timeline.get(steps // 2))
    other.run(steps - steps // 2)
    assert other.last == expected
    assert np.array_equal(other.sample(64), sample)

    # And the same trainer, taken back in time, too.
    assert restore(trainer, timeline.get(steps // 4))
    assert trainer.history.steps()[-1] <= steps // 4
    trainer.run(steps - steps // 4)
    assert trainer.last == expected


def test_a_snapshot_holds_the_run_but_not_its_curves():
    trainer = Trainer("gaussian")
    trainer.run(3)
    state = capture(trainer)
    assert state["step_count"] == 3 and "history" not in state
    trainer.run(2)  # later training leaves the snapshot as it was
    assert not torch.equal(state["generator"]["0.weight"],
                           trainer.generator.state_dict()["0.weight"])


def test_a_trainer_keeps_its_timeline_as_it_trains_and_afresh_after_reset():
    trainer = Trainer("gaussian")
    timeline = trainer.keep_timeline(every=10)
    trainer.run(35)
    assert timeline.steps() == [0, 10, 20, 30]
    trainer.reset()
    assert trainer.timeline is not timeline and trainer.timeline.steps() == [0]
    assert trainer.timeline.fixed and trainer.timeline.every == 10


def test_a_timeline_written_within_a_size_is_thinned_evenly():
    timeline = Timeline("1d", every=10, fixed=True)
    for step in range(0, 1001, 10):
        timeline.add(fake_state(step))
    content = timeline.to_dict(max_bytes=30_000)
    steps = [item["step"] for item in content["snapshots"]]
    assert sum(1000 for _ in steps) <= 30_000 and steps[0] == 0
    assert len(set(np.diff(steps))) == 1 and content["every"] == steps[1]
    assert len(timeline) == 101  # the timeline itself keeps all
