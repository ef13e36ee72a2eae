"""What the window takes from the package's resources and the user's preferences: the icon,
the style sheets, and the QSettings of the window's own choices (never clinical data)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon

ORGANISATION = "paintrack"
APPLICATION = "paintrack"


def resource_text(*parts: str) -> str:
    return resources.files("paintrack.resources").joinpath(*parts).read_text(encoding="utf-8")


def app_icon() -> QIcon:
    icon_file = resources.files("paintrack.resources").joinpath("icons", "paintrack.svg")
    with resources.as_file(icon_file) as path:
        return QIcon(str(path))


def style_sheet(high_contrast: bool) -> str:
    text = resource_text("styles", "high-contrast.qss" if high_contrast else "calm.qss")
    # The arrows of drop-downs and number boxes are drawn from resources/icons.
    icons = Path(str(resources.files("paintrack.resources").joinpath("icons")))
    return text.replace("{icons}", icons.as_posix())


def user_settings() -> QSettings:
    """The window's own preferences (last patient, high contrast): not clinical data."""
    return QSettings(ORGANISATION, APPLICATION)
