"""Can a window open here? Asked before Qt is imported, because Qt cannot answer politely.

Without a display, or on X11 without the libxcb-cursor library that Qt >= 6.5 needs, Qt
prints a page about platform plugins and aborts the process (exit 134). These checks
find the two usual causes first and say in one line what to do. No Qt import here.
"""

from __future__ import annotations

import ctypes.util
import os
import sys

# Qt loads the xcb platform plugin only with this library (Qt 6.5 and later); the package
# is libxcb-cursor0 on Debian and Ubuntu, xcb-util-cursor on Fedora and Arch.
XCB_CURSOR_LIBRARY = "xcb-cursor"
INSTALL_HINT = ("install it (Debian/Ubuntu: sudo apt-get install libxcb-cursor0; "
                "Fedora: sudo dnf install xcb-util-cursor; Arch: sudo pacman -S xcb-util-cursor)")


def _platform(environ) -> str:
    """The Qt platform plugin that will be used: the first of QT_QPA_PLATFORM's list."""
    chosen = environ.get("QT_QPA_PLATFORM", "")
    return chosen.split(";")[0].split(":")[0].strip().lower()


def display_problem(environ=None, platform: str | None = None,
                    find_library=ctypes.util.find_library) -> str | None:
    """Why no window can open here, as one line; None when nothing is known to be wrong.

    Only Linux (and other X11 systems) is checked, and only for the xcb plugin: offscreen,
    minimal, vnc and eglfs need no display, and with no platform named Qt prefers Wayland
    where WAYLAND_DISPLAY is set.
    """
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if platform in ("win32", "darwin"):
        return None
    chosen = _platform(environ)
    if chosen not in ("", "xcb"):
        return None
    if chosen == "" and environ.get("WAYLAND_DISPLAY"):
        return None
    if not environ.get("DISPLAY"):
        return ("no display to open the window on (DISPLAY is not set): run it from a "
                "desktop session, under `xvfb-run ganviz`, or train without a window with "
                "`ganviz train`")
    if find_library(XCB_CURSOR_LIBRARY) is None:
        return f"Qt needs the system library libxcb-cursor0 to open a window: {INSTALL_HINT}"
    return None
