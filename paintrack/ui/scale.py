"""The 0-10 pain scale: eleven large buttons with colour and words, digits on the keyboard.

Typing "1" then "0" gives 10; "1" alone stays 1. Arrow keys move one step. The scale itself
takes the keyboard focus (drawn as a thick outline) so digits always land where the patient
is looking; Enter is left to the page, which saves.
"""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from paintrack.clinical.model import Site
from paintrack.ui.widgets import relative_font

MIN_BUTTON_PX = 44  # touch-target guidance; the buttons grow with the window
# After "1", wait this long for a "0" (making 10) before the 1 counts as complete.
ONE_WAIT_MS = 1000


def band(score: int) -> str:
    """The word for a score band: 0 no pain, 1-3 mild, 4-6 moderate, 7-10 severe."""
    if score <= 0:
        return "no pain"
    if score <= 3:
        return "mild"
    if score <= 6:
        return "moderate"
    return "severe"


def describe(score: int) -> str:
    return f"{score} — {band(score)}" if score else "0 — no pain"


class PainScale(QFrame):
    """Eleven buttons, 0 to 10. `value` is None until the patient chooses."""

    value_changed = Signal(object)  # int | None
    # A whole score was typed (a digit other than 1, "1" then "0", or "1" then a pause);
    # the argument is a digit typed after "1" that belongs to the next scale, or None.
    completed = Signal(object)

    def __init__(self, label: str = "Your pain now", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PainScale")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(f"Pain score 0 to 10: {label}")
        self.setAccessibleDescription("Type a number 0 to 10, or use the arrow keys.")
        self._value: int | None = None
        self._pending_one = False  # "1" typed: a following "0" makes 10
        self._one_timer = QTimer(self)
        self._one_timer.setSingleShot(True)
        self._one_timer.timeout.connect(self._one_timed_out)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 6, 8, 6)
        # The question wraps on its own line; the badge and the chosen score share the next
        # one. Nothing here may be wider than the eleven buttons, or the panel would grow
        # past its column and hide 9 and 10 (the panel never scrolls sideways).
        self.title = QLabel(label)
        self.title.setObjectName("ScaleTitle")
        self.title.setWordWrap(True)
        outer.addWidget(self.title)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        # With more than one scale: which one the keyboard is rating now.
        self.now_rating = QLabel("")
        self.now_rating.setObjectName("NowRating")
        relative_font(self.now_rating, 1.0, bold=True)
        self.now_rating.setVisible(False)
        self.rating_name = ""
        top.addWidget(self.now_rating)
        top.addStretch(1)
        self.chosen = QLabel("Not chosen yet")
        self.chosen.setObjectName("ScaleChosen")
        relative_font(self.chosen, 1.0, bold=True)
        top.addWidget(self.chosen)
        outer.addLayout(top)

        grid = QGridLayout()
        grid.setHorizontalSpacing(3)
        grid.setVerticalSpacing(2)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: list[QPushButton] = []
        for score in range(11):
            button = QPushButton(str(score))
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumSize(MIN_BUTTON_PX, MIN_BUTTON_PX)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setProperty("band", band(score).replace(" ", "-"))
            button.setAccessibleName(describe(score))
            button.setToolTip(describe(score))
            relative_font(button, 1.45, bold=True)
            self.group.addButton(button, score)
            grid.addWidget(button, 0, score)
            self.buttons.append(button)
        # The words under the colours, so colour is never the only cue.
        for text, first, span in (
            ("No\npain", 0, 1),
            ("Mild", 1, 3),
            ("Moderate", 4, 3),
            ("Severe", 7, 4),
        ):
            word = QLabel(text)
            word.setAlignment(Qt.AlignmentFlag.AlignCenter)
            word.setObjectName("BandWord")
            word.setProperty("band", band(first).replace(" ", "-"))
            grid.addWidget(word, 1, first, 1, span)
        outer.addLayout(grid)
        # Never squeezed: a cramped window scrolls (see LogPanel) rather than overlap the buttons.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.group.idClicked.connect(self._clicked)

    # -- value -------------------------------------------------------------------------------

    def value(self) -> int | None:
        return self._value

    def set_value(self, score: int | None) -> None:
        if score is not None and not 0 <= score <= 10:
            raise ValueError(f"score out of range: {score}")
        self._value = score
        if score is None:
            self.group.setExclusive(False)
            for button in self.buttons:
                button.setChecked(False)
            self.group.setExclusive(True)
            self.chosen.setText("Not chosen yet")
        else:
            self.buttons[score].setChecked(True)
            self.chosen.setText(f"Chosen: {describe(score)}")
        self.setAccessibleDescription(
            f"Chosen {describe(score)}" if score is not None else "Nothing chosen yet"
        )
        self.value_changed.emit(score)

    def clear(self) -> None:
        self._stop_waiting()
        self.set_value(None)

    def _stop_waiting(self) -> None:
        self._pending_one = False
        self._one_timer.stop()

    def _one_timed_out(self) -> None:
        if self._pending_one:
            self._pending_one = False
            self.completed.emit(None)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if self.rating_name:
            self.now_rating.setText(f"▶ Now rating: {self.rating_name.upper()}")
            self.now_rating.setVisible(True)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.now_rating.setVisible(False)
        if self._pending_one:
            # Leaving after "1": the 1 stands.
            self._stop_waiting()

    def _clicked(self, score: int) -> None:
        self._stop_waiting()
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        self.set_value(score)

    # -- keyboard ----------------------------------------------------------------------------

    def type_digit(self, digit: int) -> None:
        """As if `digit` had been typed on this scale."""
        self.keyPressEvent(
            QKeyEvent(QKeyEvent.Type.KeyPress, Qt.Key.Key_0 + digit, Qt.KeyboardModifier.NoModifier)
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
            digit = key - Qt.Key.Key_0
            if self._pending_one:
                self._stop_waiting()
                if digit == 0:
                    self.set_value(10)
                    self.completed.emit(None)
                else:
                    # "1" stands; this digit is the next side's score.
                    self.completed.emit(digit)
                return
            self.set_value(digit)
            if digit == 1:
                self._pending_one = True
                self._one_timer.start(ONE_WAIT_MS)
            else:
                self.completed.emit(None)
            return
        self._stop_waiting()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Plus):
            self.set_value(min(10, (self._value if self._value is not None else -1) + 1))
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Down, Qt.Key.Key_Minus):
            self.set_value(max(0, (self._value if self._value is not None else 1) - 1))
            return
        if key == Qt.Key.Key_Home:
            self.set_value(0)
            return
        if key == Qt.Key.Key_End:
            self.set_value(10)
            return
        super().keyPressEvent(event)


class ScalePanel(QWidget):
    """One scale per rated site: one for the usual pain, left and right after a bilateral block."""

    SITE_LABELS: ClassVar[dict[str, str]] = {
        Site.INDEX: "Your usual pain",
        Site.LEFT: "Left side",
        Site.RIGHT: "Right side",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.scales: dict[str, PainScale] = {}

    # A score chosen on any side (for messages that no longer apply, such as "choose the right
    # side"): (site, value).
    chosen = Signal(str, object)

    def _label(self, site: str, sites: tuple[str, ...], question: str | None) -> str:
        label = self.SITE_LABELS.get(site, site)
        if question and len(sites) == 1:
            return question
        if question:
            return f"{label}: {question[0].lower()}{question[1:]}"
        return label

    def set_sites(self, sites: tuple[str, ...], question: str | None = None) -> None:
        if tuple(self.scales) == tuple(sites):
            # Same sites: relabel only, so the focus and the chosen score stay where they are.
            for site, scale in self.scales.items():
                label = self._label(site, sites, question)
                scale.title.setText(label)
                scale.setAccessibleName(f"Pain score 0 to 10: {label}")
            return
        for scale in self.scales.values():
            scale.setParent(None)
            scale.deleteLater()
        self.scales = {}
        for site in sites:
            scale = PainScale(self._label(site, sites, question), self)
            self._layout.addWidget(scale)
            self.scales[site] = scale
        many = len(sites) > 1
        for site, scale in self.scales.items():
            scale.rating_name = self.SITE_LABELS.get(site, site) if many else ""
            scale.completed.connect(lambda carry, site=site: self._completed(site, carry))
            scale.value_changed.connect(lambda value, site=site: self.chosen.emit(site, value))

    def _completed(self, site: str, carry: object) -> None:
        """A whole score on one side: the keyboard moves on to the next side's scale."""
        names = list(self.scales)
        index = names.index(site)
        if index + 1 >= len(names):
            if isinstance(carry, int):
                # No side after this one: the new digit is a new score for this scale.
                self.scales[site].type_digit(carry)
            return
        following = self.scales[names[index + 1]]
        following.setFocus(Qt.FocusReason.TabFocusReason)
        if isinstance(carry, int):
            following.type_digit(carry)

    def values(self) -> dict[str, int | None]:
        return {site: scale.value() for site, scale in self.scales.items()}

    def missing(self) -> list[str]:
        return [site for site, scale in self.scales.items() if scale.value() is None]

    def clear(self) -> None:
        for scale in self.scales.values():
            scale.clear()

    def focus_first(self) -> None:
        missing = self.missing()
        target = self.scales[missing[0]] if missing else next(iter(self.scales.values()), None)
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)
