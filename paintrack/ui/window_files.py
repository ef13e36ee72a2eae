"""File ▸ Export and Import, and Help ▸ About: the file dialogs, then the operation off the UI
thread with a progress dialog, and what it did in the status bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QFileDialog, QMessageBox

from paintrack import __version__
from paintrack.operations import files
from paintrack.operations.files import Exported, Imported, MatchNeeded
from paintrack.wording.people import patient_description

if TYPE_CHECKING:
    from paintrack.ui.host import WindowHost

T = TypeVar("T")

NOT_A_DIARY = (
    "This file could not be read as a paintrack diary. Nothing was imported, and your diary is "
    "unchanged."
)


def default_folder() -> str:
    """Where file dialogs start the first time: the user's Documents folder, else home."""
    from PySide6.QtCore import QStandardPaths

    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return documents
    return str(Path.home())


class WindowFiles:
    def __init__(
        self,
        window: WindowHost,
        *,
        busy_actions: Callable[[], Sequence[QAction]],
        after: Callable[[], None],
    ) -> None:
        self.window = window
        self.busy_actions = busy_actions  # disabled while a file job runs
        self.after = after  # then what is offered is worked out again

    def ask_path(self, title: str, suggested: str, filters: str, *, save: bool) -> str:
        prefs = self.window.prefs
        folder = str(prefs.value("last_folder", "") or "") or default_folder()
        start = str(Path(folder) / suggested) if suggested else folder
        if save:
            path, _ = QFileDialog.getSaveFileName(self.window.widget, title, start, filters)
        else:
            path, _ = QFileDialog.getOpenFileName(self.window.widget, title, start, filters)
        if path:
            prefs.setValue("last_folder", str(Path(path).parent))
        return path

    def suggested_name(self, extension: str) -> str:
        diary = self.window.diary.diary if self.window.diary is not None else None
        name = "-".join(diary.patient.name.lower().split()) if diary is not None else ""
        return f"{name or 'diary'}-paintrack.{extension}"

    def _run(
        self, label: str, work: Callable[[], T], done: Callable[[T], None], what_happened: str
    ) -> None:
        window = self.window
        window.runner.run(
            label,
            work,
            done,
            what_happened=what_happened,
            actions=self.busy_actions(),
            after=self.after,
        )

    def export_json(self, path: str | None = None) -> None:
        self._export("json", path)

    def export_csv(self, path: str | None = None) -> None:
        self._export("csv", path)

    def _export(self, kind: str, path: str | None) -> None:
        window, patient_id = self.window, self.window.current_patient_id
        if patient_id is None or window.store is None:
            return
        title, filters, label, said = {
            "json": ("Export diary", "Diary files (*.json)", "the diary file", "Diary"),
            "csv": (
                "Export as spreadsheet",
                "Spreadsheet (*.csv)",
                "the spreadsheet",
                "Spreadsheet",
            ),
        }[kind]
        path = path or self.ask_path(title, self.suggested_name(kind), filters, save=True)
        if not path:
            return
        store, target = window.store, path
        export = files.export_json if kind == "json" else files.export_csv

        def done(result: Exported) -> None:
            window.statusBar().showMessage(f"{said} saved to {result.path}", 15000)

        self._run(
            f"Writing {label}…",
            lambda: export(store, patient_id, target),
            done,
            "Nothing was changed.",
        )

    def import_diary(self, path: str | None = None, *, match_patient: str | None = None) -> None:
        window = self.window
        if window.store is None:
            return
        path = path or self.ask_path(
            "Import a diary file", "", "Diary files (*.json);;All files (*)", save=False
        )
        if not path:
            return
        store, source = window.store, path

        def done(imported: Imported | MatchNeeded) -> None:
            if isinstance(imported, MatchNeeded):
                chosen = self.ask_match(imported)
                if chosen is not None:
                    self.import_diary(source, match_patient=chosen)
                return
            window.statusBar().showMessage(imported.summary(), 20000)
            window.open_patient(imported.patient_id)

        # One plain sentence first; the file's technical details follow for a helper.
        self._run(
            "Reading the diary file…",
            lambda: files.import_file(store, source, match_patient=match_patient),
            done,
            NOT_A_DIARY,
        )

    def ask_match(self, needed: MatchNeeded) -> str | None:
        """Whose diary is it? The patients of the file's name and birth date, one button each,
        and "Don't import". Returns the chosen patient's id, or None (nothing imported)."""
        count = len(needed.candidates)
        box = QMessageBox(self.window.widget)
        box.setWindowTitle("Is this the same patient?")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(
            f"The diary in {Path(needed.path).name} is for "
            f"{patient_description(needed.diary_patient)}."
        )
        same = "a patient" if count == 1 else f"{count} patients"
        box.setInformativeText(
            f"The diary open here has no patient with the file's own id, but it has {same} "
            "with the same name and birth date. If the file is theirs, its blocks and scores "
            "are added to their diary; anything already here stays as it is. Nothing is "
            "imported until you choose."
        )
        buttons: dict[QAbstractButton, str] = {}
        described = [patient_description(p) for p in needed.candidates]
        for patient, description in zip(needed.candidates, described, strict=True):
            label = f"Add to {description}"
            if described.count(description) > 1:  # told apart only by their ids
                label += f" (id {patient.id[:8]})"
            buttons[box.addButton(label, QMessageBox.ButtonRole.AcceptRole)] = patient.id
        cancel = box.addButton("Don't import", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(cancel)  # a slip of Enter imports nothing
        box.setEscapeButton(cancel)
        box.exec()
        return buttons.get(box.clickedButton())

    def about(self) -> None:
        window = self.window
        place = files.diary_place(window.store, window.db_target)
        box = QMessageBox(window.widget)
        box.setWindowTitle("About paintrack")
        box.setIcon(QMessageBox.Icon.Information)
        box.setText(f"paintrack {__version__}\nA pain diary for medial branch blocks.")
        box.setInformativeText(f"Your diary is kept in:\n{place.where}\n\n{place.backups_text()}")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()
        box.deleteLater()
