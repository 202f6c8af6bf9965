"""The window's timeline on the trainer's side: a past moment shown while training goes
on, branching from it, switching back; what each frame carries for the timeline bar."""

import numpy as np

from ganviz.core import presets, protocol
from ganviz.core.controller import Controller


def _controller(preset="gaussian", **overrides):
    results = []
    settings = {**presets.get(preset).settings(), **overrides}
    controller = Controller(preset, settings, results.append, 0.01)
    controller.start()
    return controller, results


def _frames(results):
    return [r for r in results if isinstance(r, protocol.Frame)]


def _train(controller, steps):
    for _ in range(steps):
        controller.step()
        controller.advance()


def test_frames_carry_the_timeline_and_a_past_moment_is_shown_while_training_goes_on():
    controller, results = _controller()
    _train(controller, 120)
    timeline = _frames(results)[-1].timeline
    assert list(timeline.steps) == [0, 50, 100] and timeline.live_step == 120
    assert timeline.viewing is None and [b.name for b in timeline.branches] == ["main"]
    controller.view_at(50)
    controller.advance()
    frame = _frames(results)[-1]
    assert frame.snapshot.step == 50 and frame.timeline.viewing == 50
    assert frame.timeline.live_step == 120
    saved = controller.trainer.timeline.get(50)["generator_ema"]
    shown = frame.snapshot.view.generator
    for name, value in saved.items():
        assert np.array_equal(shown[name], value.numpy()), name
    assert len(frame.snapshot.history["step"]) == len(controller.trainer.history)  # all
    controller.run(True)  # training goes on under the past view
    for _ in range(5):
        controller.advance()
    frame = _frames(results)[-1]
    assert controller.trainer.step_count > 120
    assert frame.snapshot.step == 50 and frame.timeline.live_step > 120
    controller.view_at(None)
    controller.advance()
    assert _frames(results)[-1].snapshot.step == controller.trainer.step_count


def test_viewing_a_moment_without_a_snapshot_is_refused_naming_the_nearest():
    controller, results = _controller()
    _train(controller, 60)
    controller.view_at(37)
    rejected = [r.message for r in results if isinstance(r, protocol.Rejected)]
    assert rejected == ["Cannot show that moment: no snapshot at iteration 37 (nearest kept: "
                        "0, 50)"]
    assert controller.timeline.viewing is None


def test_branching_keeps_the_earlier_run_and_switching_goes_back_to_it_exactly():
    controller, results = _controller()
    _train(controller, 120)
    main_weights = controller.trainer.generator.state_dict()["0.weight"].clone()
    controller.branch_here(50)
    controller.change_settings({"lr_g": 5e-4})
    controller.advance()
    frame = _frames(results)[-1]
    assert controller.trainer.step_count == 50
    assert [b.name for b in frame.timeline.branches] == ["main", "branch 1"]
    assert frame.timeline.branches[1].changes == "lr_g=0.0005"
    assert frame.timeline.marks == ((50, "lr_g=0.0005"),)
    faded = dict(frame.timeline.faded)
    assert faded["main"]["step"][-1] == 120  # the earlier run's curves, to draw faded
    _train(controller, 30)
    assert _frames(results)[-1].timeline.faded is None  # sent once, when they changed
    controller.switch_branch(0)
    controller.advance()
    assert controller.trainer.step_count == 120
    assert np.array_equal(controller.trainer.generator.state_dict()["0.weight"], main_weights)
    assert controller.trainer.history.steps()[-1] == 120
    assert dict(_frames(results)[-1].timeline.faded)["branch 1"]["step"][-1] == 80
    notices = [r.message for r in results if isinstance(r, protocol.Notice)]
    assert notices[-2].startswith("Branch 1 goes on from iteration 50")
    assert notices[-1] == "Back on main, from iteration 120"


def test_a_past_mnist_moment_is_classified_afresh_and_leaves_the_live_run_alone():
    controller, results = _controller("mnist-dcgan", batch_size=8)
    _train(controller, 2)
    problem = controller.trainer.problem
    classified_before = problem._classified
    controller.view_at(0)
    controller.advance()
    frame = _frames(results)[-1]
    assert frame.snapshot.step == 0 and frame.snapshot.view.classified_step == 0
    assert frame.snapshot.view.samples_grid.shape == _frames(results)[0].snapshot.view \
        .samples_grid.shape
    assert problem._classified is classified_before
