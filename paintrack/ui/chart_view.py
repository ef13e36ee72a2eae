"""The live chart in the window: a FigureCanvasQTAgg around `paintrack.charts.DiaryChart`.

matplotlib is imported only when `ensure_loaded()` runs, which the window schedules after it
has first been shown, so start-up stays fast. Only a chart on screen is drawn: while the view is
hidden (another tab, another mode) a change only marks it stale, and it is drawn once when it is
shown again. Draws go through draw_idle, so several changes in one event-loop turn make one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from paintrack.clinical.results import BlockResult

if TYPE_CHECKING:
    from paintrack.charts import DiaryChart


class ChartView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Chart of your pain scores")
        self.setMinimumHeight(260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.placeholder = QLabel("The chart is loading…")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addWidget(self.placeholder)
        self.chart: DiaryChart | None = None
        self.canvas: QWidget | None = None
        self._pending: tuple[BlockResult | None, int] | None = None
        self.high_contrast = False
        self.stale = False  # changed while hidden: drawn when next shown

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.stale:
            self._draw()

    def _draw(self) -> None:
        """Draw soon if the chart is on screen; otherwise when it is shown."""
        if self.canvas is None:
            return
        if not self.isVisible():
            self.stale = True
            return
        self.stale = False
        self.canvas.draw_idle()  # type: ignore[attr-defined]

    def ensure_loaded(self) -> DiaryChart:
        if self.chart is None:
            from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

            from paintrack.charts import DiaryChart

            # Text in the chart follows the window's font size (and so the system's).
            chart = DiaryChart(fontsize=max(9.0, self.font().pointSizeF()))
            canvas = FigureCanvasQTAgg(chart.figure)  # type: ignore[no-untyped-call]
            canvas.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            # Never so small that the figure's layout collapses.
            canvas.setMinimumSize(320, 260)
            canvas.setAccessibleName("Chart of your pain scores")
            # A new size: the legend's columns chosen again for the width (the layout follows).
            canvas.mpl_connect("resize_event", lambda _event: chart.fit_to_size())
            self.placeholder.setVisible(False)
            self._layout.addWidget(canvas)
            self.canvas = canvas
            self.chart = chart
            if self.high_contrast:
                self.set_high_contrast(True)
            if self._pending is not None:
                self.show_result(*self._pending)
        return self.chart

    def set_high_contrast(self, on: bool) -> None:
        """High contrast reaches the chart: black background, light text, strong lines."""
        self.high_contrast = on
        if self.chart is not None:
            from paintrack.charts import CALM_LOOK, CONTRAST_LOOK

            self.chart.set_look(CONTRAST_LOOK if on else CALM_LOOK)
            self._draw()

    def font_size_changed(self) -> None:
        """Larger or normal text: the chart's texts follow the window's font."""
        if self.chart is not None:
            self.chart.set_fontsize(max(9.0, self.font().pointSizeF()))
            self._draw()

    def show_result(self, result: BlockResult | None, threshold: int) -> None:
        """Draw `result` if the chart is loaded; otherwise remember it for when it is."""
        self._pending = (result, threshold)
        if self.chart is None:
            return
        self.chart.update(result, threshold)
        self._draw()
