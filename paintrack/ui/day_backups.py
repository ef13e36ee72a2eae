"""A diary file's backups while the window is open: one after the day's first save (the
start-of-day copy was made before any), and one on closing after new entries. None for a
sample, a demo or a database server."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from paintrack.operations import files

if TYPE_CHECKING:
    from paintrack.ui.host import WindowHost


class DayBackups:
    def __init__(self, window: WindowHost) -> None:
        self.window = window
        self._backup_day: date | None = None
        self._unbacked_saves = False

    def saved(self) -> None:
        """A change was saved: the day's backup, once a day."""
        self._unbacked_saves = True
        today = self.window.clock.now().astimezone().date()
        if self._backup_day != today and self._backup(f"after the first save of {today}"):
            self._backup_day = today

    def closing(self) -> None:
        if self._unbacked_saves:
            self._backup("on closing after new entries")

    def _backup(self, why: str) -> bool:
        w = self.window
        path = None if w.demo or w.sample_folder else files.backup_file(w.db_target)
        if path is None or w.store is None:
            return False
        from paintrack.operations import startup

        made = startup.backup_of_the_day(path, w.clock.now().astimezone(), why)
        if made is not None:
            self._unbacked_saves = False
        return made is not None
