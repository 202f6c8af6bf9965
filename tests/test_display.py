"""Before Qt aborts with its page about platform plugins, ganviz says what is missing."""

import pytest

from ganviz.app.display import display_problem


def found(_name):
    return "libxcb-cursor.so.0"


def missing(_name):
    return None


def test_a_desktop_with_the_library_is_fine():
    assert display_problem({"DISPLAY": ":0"}, "linux", found) is None


def test_no_display_is_named_with_what_to_do():
    problem = display_problem({}, "linux", found)
    assert "DISPLAY is not set" in problem and "ganviz train" in problem
    assert "\n" not in problem


def test_missing_xcb_cursor_names_the_package():
    problem = display_problem({"DISPLAY": ":0"}, "linux", missing)
    assert "libxcb-cursor0" in problem and "apt-get install libxcb-cursor0" in problem


def test_platforms_that_need_no_x11_are_not_checked():
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", missing) is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen:size=800x600"}, "linux", missing) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux", missing) is None
    assert display_problem({}, "win32", missing) is None
    assert display_problem({}, "darwin", missing) is None


def test_xcb_named_explicitly_is_checked_even_under_wayland():
    problem = display_problem({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "w"}, "linux", found)
    assert "DISPLAY is not set" in problem


def test_the_window_command_says_what_is_missing_and_starts_nothing(monkeypatch, capsys):
    from ganviz import cli

    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setattr(cli, "launch_trainer",
                        lambda *a: pytest.fail("a trainer started without a display"))
    assert cli.main(["--preset", "gaussian"]) == cli.NO_DISPLAY
    error = capsys.readouterr().err.strip()
    assert error.startswith("ganviz: cannot open the window: no display")
    assert len(error.splitlines()) == 1
