"""The sample diary in windows of its own, each on a temporary database thrown away on close:
the patient's own database never holds the example patient."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from paintrack.errors import UserError
from paintrack.operations import files

if TYPE_CHECKING:
    from paintrack.ui.main_window import MainWindow


class SampleWindows:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.open: list[MainWindow] = []

    def open_sample(self) -> MainWindow | None:
        from paintrack.ui.main_window import MainWindow

        w = self.window
        try:
            db = files.prepare_sample_database()
        except UserError as error:
            w.problems.show(error, "The sample diary could not be opened.")
            return None
        sample = MainWindow(str(db), demo=True, clock=w.clock, settings=w.prefs, quiet=w.quiet)
        sample.sample_folder = db.parent
        sample.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sample.resize(w.size())
        sample.show()
        sample.start()
        self.open.append(sample)
        sample.destroyed.connect(lambda _obj=None: self._forget(sample))
        return sample

    def _forget(self, sample: MainWindow) -> None:
        if sample in self.open:
            self.open.remove(sample)

    def close_all(self) -> None:
        for sample in list(self.open):
            sample.close()
