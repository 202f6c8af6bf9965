"""Presentation mode: F5 scales the window's text and every plot's text and lines, Ctrl +
and Ctrl − change the scale, 1.0 restores the built sizes exactly, and it is remembered."""

import pytest

from ganviz.app import remembered
from ganviz.app.views import presentation
from ganviz.app.views.presentation import DEFAULT_SCALE, clamp_scale


@pytest.mark.parametrize(("value", "expected"), [
    (1.4, 1.4), ("2.0", 2.0), (0.2, 1.0), (99, 3.0), ("nonsense", DEFAULT_SCALE),
    (None, DEFAULT_SCALE), (float("nan"), DEFAULT_SCALE), (1.26, 1.3)])
def test_a_stored_or_asked_for_scale_is_clamped_and_rounded(value, expected):
    assert clamp_scale(value) == expected


def _sizes(window):
    """The window's font size, the banner's font size, a 1-D plot's tick font and its
    density curve's pen width."""
    view = window.toy1d
    axis = view.densities.getAxis("bottom")
    tick = axis.style["tickFont"].pointSizeF() if axis.style["tickFont"] else None
    curve = next(item for item in view.densities.vb.addedItems if hasattr(item, "opts")
                 and "pen" in item.opts)
    return (window.font().pointSizeF(), window.presenter.verdict.font().pixelSize(), tick,
            curve.opts["pen"].widthF())


def test_f5_scales_text_and_lines_and_back_exactly(open_window, qtbot):
    window = open_window("gaussian")
    mode = window.presentation
    assert not mode.enabled
    before = _sizes(window)
    assert before[2] is None  # Qt's own tick font at scale 1

    mode.action.trigger()  # as F5 does
    assert mode.enabled and mode.applied_scale() == DEFAULT_SCALE
    on = _sizes(window)
    assert on[0] == pytest.approx(before[0] * DEFAULT_SCALE)
    assert on[1] == round(13 * DEFAULT_SCALE)
    assert on[2] is not None and on[2] > before[0]  # ticks larger than the unscaled font
    assert on[3] >= before[3]
    assert "Presentation mode" in window.statusBar().currentMessage()

    mode.larger.trigger()
    assert mode.scale == pytest.approx(DEFAULT_SCALE + 0.2)
    assert _sizes(window)[0] == pytest.approx(before[0] * mode.scale)

    mode.action.trigger()  # off: every size as built
    assert _sizes(window) == before


def test_ctrl_minus_turns_it_on_and_the_mode_is_remembered(open_window, qtbot):
    window = open_window("ring8")
    assert not window.presentation.enabled
    expected = window.presentation.scale - 0.2  # the scale last chosen, remembered
    window.presentation.smaller.trigger()
    assert window.presentation.enabled
    assert window.presentation.scale == pytest.approx(expected)
    store = remembered.store()
    assert store.value(presentation.ENABLED_KEY) == "true"
    assert float(store.value(presentation.SCALE_KEY)) == pytest.approx(expected)
    window.close()

    again = open_window("ring8")
    assert again.presentation.enabled
    assert again.font().pointSizeF() == pytest.approx(
        again.presentation.base_font.pointSizeF() * expected)
    # A view built after the scale was set takes it too.
    again.choose_preset("gaussian")
    assert again.toy1d.densities.scale == pytest.approx(expected)
