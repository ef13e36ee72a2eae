"""Opening the window: checks that Qt can start on this machine before importing it.

Qt's own message when a system library is missing ("could not load the Qt platform plugin
xcb") helps nobody; we look for the libraries first and print the exact apt-get line.
"""

from __future__ import annotations

import argparse
import ctypes.util
import os
import sys

from paintrack.paths import resolve_db_target

# Debian package -> a shared library it provides (as ctypes.util.find_library names it).
XCB_PACKAGES: dict[str, str] = {
    "libxcb-cursor0": "xcb-cursor",
    "libxcb-icccm4": "xcb-icccm",
    "libxcb-keysyms1": "xcb-keysyms",
    "libxcb-image0": "xcb-image",
    "libxcb-render-util0": "xcb-render-util",
    "libxkbcommon-x11-0": "xkbcommon-x11",
    "libxkbcommon0": "xkbcommon",
    "libegl1": "EGL",
    "libgl1": "GL",
    "libfontconfig1": "fontconfig",
    "libdbus-1-3": "dbus-1",
    "libx11-6": "X11",
    "libglib2.0-0": "glib-2.0",
    "libfreetype6": "freetype",
}


def missing_system_packages(platform: str | None = None) -> list[str]:
    """Debian packages Qt needs for `platform` (default: what this session would use) and lacks."""
    platform = platform or os.environ.get("QT_QPA_PLATFORM") or "xcb"
    wanted = dict(XCB_PACKAGES)
    if not platform.startswith("xcb"):
        wanted = {k: v for k, v in wanted.items() if not v.startswith(("xcb", "xkbcommon-x11"))}
    return [package for package, lib in wanted.items() if ctypes.util.find_library(lib) is None]


def check_can_open_window() -> str | None:
    """A message saying what to install or set, or None when Qt should start."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if sys.platform.startswith("linux"):
        missing = missing_system_packages(platform or None)
        if missing:
            return (
                "the window needs system libraries this machine lacks. Install them with:\n"
                f"    sudo apt-get install -y {' '.join(missing)}\n"
                "then run paintrack again."
            )
        if not platform and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return (
                "there is no screen to open the window on (neither DISPLAY nor WAYLAND_DISPLAY "
                "is set). Run paintrack from a desktop session, or use the headless commands "
                "(paintrack --help)."
            )
    return None


def run_window(args: argparse.Namespace, *, demo_diary: bool = False) -> int:
    problem = check_can_open_window()
    if problem:
        print(f"paintrack: {problem}", file=sys.stderr)
        return 1
    # The window's pure parts first: PySide6's import hook reads the source of every module
    # imported after it (about 100 here, 60 ms before the first paint); these need none of it.
    import paintrack.operations.diary
    import paintrack.wording.people  # noqa: F401
    from paintrack.ui.app import report_bugs_calmly, run_app

    # Process-wide, so installed here for the real app only, never inside a test session.
    report_bugs_calmly()

    return run_app(
        resolve_db_target(getattr(args, "db", None)),
        smoke_test=bool(getattr(args, "smoke_test", False)),
        demo=demo_diary,
    )


if __name__ == "__main__":
    # `python -m paintrack.commands.window offscreen`: the test command's check that Qt can run
    # headless here, printing the apt-get line when it cannot.
    wanted_platform = sys.argv[1] if len(sys.argv) > 1 else None
    lacking = missing_system_packages(wanted_platform)
    if lacking:
        print(
            "paintrack: Qt needs system libraries this machine lacks. Install them with:\n"
            f"    sudo apt-get install -y {' '.join(lacking)}",
            file=sys.stderr,
        )
        sys.exit(1)
