"""The sample diary in windows of its own, each on a temporary database thrown away on close:
the patient's own database never holds the example patient."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from paintrack.errors import UserError
from paintrack.operations import files

if TYPE_CHECKING:
    from paintrack.ui.host import WindowHost


class SampleWindows:
    def __init__(self, window: WindowHost, make_window: Callable[[Path], WindowHost]) -> None:
        self.window = window
        self.make_window = make_window  # a window of the same kind, for a sample database
        self.open: list[WindowHost] = []

    def open_sample(self) -> WindowHost | None:
        w = self.window
        try:
            db = files.prepare_sample_database()
        except UserError as error:
            w.problems.show(error, "The sample diary could not be opened.")
            return None
        sample = self.make_window(db)
        self.open.append(sample)
        sample.destroyed.connect(lambda _obj=None: self._forget(sample))
        return sample

    def _forget(self, sample: WindowHost) -> None:
        if sample in self.open:
            self.open.remove(sample)

    def close_all(self) -> None:
        for sample in list(self.open):
            sample.close()
