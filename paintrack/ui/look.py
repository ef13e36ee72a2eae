"""View ▸ High contrast and Larger text: the style sheet and the application font, kept in the
user's preferences. Restyling re-polishes every widget, so it is done only on a change."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from paintrack.ui.widgets import refresh_relative_fonts

LARGER_TEXT = 1.25  # View > Larger text, on top of the system size


class Look(QObject):
    contrast_changed = Signal(bool)
    text_size_changed = Signal()  # widgets with their own sizes (charts, tables) follow

    def __init__(self, prefs: QSettings, parent: QObject) -> None:
        super().__init__(parent)
        self.prefs = prefs
        self.high_contrast_action = QAction("High contrast", parent)
        self.high_contrast_action.setCheckable(True)
        self.high_contrast_action.setChecked(bool(prefs.value("high_contrast", False, bool)))
        self.high_contrast_action.toggled.connect(self.set_high_contrast)
        self.larger_text_action = QAction("Larger text", parent)
        self.larger_text_action.setCheckable(True)
        self.larger_text_action.setShortcut(QKeySequence("Ctrl++"))
        self.larger_text_action.setChecked(bool(prefs.value("larger_text", False, bool)))
        self.larger_text_action.toggled.connect(self.set_larger_text)

    @property
    def high_contrast(self) -> bool:
        return self.high_contrast_action.isChecked()

    def apply(self) -> None:
        """The look as the preferences say (at start-up)."""
        self.apply_style()
        self.apply_text_size()

    def apply_style(self, *, again: bool = False) -> None:
        from paintrack.ui.assets import style_sheet

        app = QApplication.instance()
        sheet = style_sheet(self.high_contrast)
        # Only on a change (or `again`, after a font change): restyling re-polishes every
        # widget of the application.
        if isinstance(app, QApplication) and (again or app.styleSheet() != sheet):
            app.setStyleSheet(sheet)

    def set_high_contrast(self, on: bool) -> None:
        self.prefs.setValue("high_contrast", on)
        self.apply_style()
        self.contrast_changed.emit(on)
        # A new style sheet puts every font back to the application's default: set the text
        # size (and the larger headings and scale digits) again, or Larger text is lost.
        self.apply_text_size(force=True)

    def set_larger_text(self, on: bool) -> None:
        self.prefs.setValue("larger_text", on)
        self.apply_text_size()

    def apply_text_size(self, *, force: bool = False) -> None:
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return
        font = app.font()
        base = app.property("paintrack_base_point_size")
        if not isinstance(base, float):
            base = font.pointSizeF()
            app.setProperty("paintrack_base_point_size", base)
        size = base * (LARGER_TEXT if self.larger_text_action.isChecked() else 1.0)
        if force or abs(font.pointSizeF() - size) > 0.01:
            font.setPointSizeF(size)
            app.setFont(font)
            # The rest follow the application font once the style sheet is re-applied;
            # widgets with their own size (headings, the scale) keep their proportion.
            if not force:
                self.apply_style(again=True)
            refresh_relative_fonts()
            self.text_size_changed.emit()
