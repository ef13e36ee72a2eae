"""Draw a matplotlib Figure onto a reportlab canvas as vector paths and real text.

A small matplotlib renderer: every path becomes a PDF path, every label a string in an embedded
TrueType font (selectable, searchable), and raster images are refused. This keeps the chart code
shared with the window (charts.py builds plain Figures) without a second PDF library to merge
pages, and without any raster image in the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, cast

from matplotlib.backend_bases import FigureCanvasBase, GraphicsContextBase, RendererBase
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import Transform
from matplotlib.typing import ColorType
from numpy.typing import ArrayLike
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject

from paintrack.report.fonts import face_for, register_fonts

_CAPS = {"butt": 0, "round": 1, "projecting": 2}
_JOINS = {"miter": 0, "round": 1, "bevel": 2}
_BOLD_WEIGHTS = {"semibold", "demibold", "demi", "bold", "heavy", "extra bold", "black"}


class RasterInChartError(TypeError):
    """A chart tried to draw a raster image: the report must stay vector."""


class ReportlabRenderer(RendererBase):
    """Renders at 72 dpi, so one display unit is one PDF point."""

    def __init__(self, canvas: Canvas, width: float, height: float) -> None:
        super().__init__()
        self.canvas = canvas
        self.width = width
        self.height = height

    def flipy(self) -> bool:
        return False

    def get_canvas_width_height(self) -> tuple[float, float]:
        return self.width, self.height

    def points_to_pixels(self, points: ArrayLike) -> ArrayLike:
        return points

    def new_gc(self) -> GraphicsContextBase:
        return GraphicsContextBase()

    def option_image_nocomposite(self) -> bool:
        return True

    def draw_image(
        self,
        gc: GraphicsContextBase,
        x: float,
        y: float,
        im: ArrayLike,
        transform: Transform | None = None,
    ) -> None:
        raise RasterInChartError("a report chart must not contain raster images")

    # --- helpers -------------------------------------------------------------------------

    def _clip(self, gc: GraphicsContextBase) -> None:
        canvas = self.canvas
        rect = gc.get_clip_rectangle()
        if rect is not None:
            x0, y0, w, h = rect.bounds
            clip = canvas.beginPath()
            clip.rect(x0, y0, w, h)
            canvas.clipPath(clip, stroke=0, fill=0)
        clip_path, affine = gc.get_clip_path()
        if clip_path is not None:
            # What comes back is the clip's Path, already transformed (the stub says
            # TransformedPath, which is what it was made from).
            path = self._pdf_path(cast(MplPath, clip_path), affine)
            canvas.clipPath(path, stroke=0, fill=0)

    def _pdf_path(self, path: MplPath, transform: Transform | None) -> PDFPathObject:
        out = self.canvas.beginPath()
        last = (0.0, 0.0)
        for points, code in path.iter_segments(transform, remove_nans=True, curves=True):
            if code == MplPath.MOVETO:
                last = (points[0], points[1])
                out.moveTo(*last)
            elif code == MplPath.LINETO:
                last = (points[0], points[1])
                out.lineTo(*last)
            elif code == MplPath.CURVE3:
                # A quadratic Bezier as the equivalent cubic.
                cx, cy, ex, ey = points
                c1 = (last[0] + 2 / 3 * (cx - last[0]), last[1] + 2 / 3 * (cy - last[1]))
                c2 = (ex + 2 / 3 * (cx - ex), ey + 2 / 3 * (cy - ey))
                out.curveTo(c1[0], c1[1], c2[0], c2[1], ex, ey)
                last = (ex, ey)
            elif code == MplPath.CURVE4:
                out.curveTo(*points)
                last = (points[4], points[5])
            elif code == MplPath.CLOSEPOLY:
                out.close()
        return out

    # --- drawing -------------------------------------------------------------------------

    def draw_path(
        self,
        gc: GraphicsContextBase,
        path: MplPath,
        transform: Transform,
        rgbFace: ColorType | None = None,
    ) -> None:
        # matplotlib hands the face over as an RGB or RGBA tuple (or None: no fill).
        face = None if rgbFace is None else tuple(cast(Sequence[float], rgbFace))
        canvas = self.canvas
        linewidth = gc.get_linewidth()
        rgba = gc.get_rgb()
        forced = gc.get_forced_alpha()
        stroke_alpha = gc.get_alpha() if forced else rgba[3]
        stroke = linewidth > 0 and stroke_alpha > 0
        fill = face is not None
        fill_alpha = 0.0
        if face is not None:
            fill_alpha = gc.get_alpha() if forced or len(face) == 3 else face[3] * gc.get_alpha()
            fill = fill_alpha > 0
        if not (stroke or fill):
            return
        canvas.saveState()
        self._clip(gc)
        if stroke:
            canvas.setStrokeColorRGB(rgba[0], rgba[1], rgba[2], alpha=stroke_alpha)
            canvas.setLineWidth(linewidth)
            canvas.setLineCap(_CAPS.get(gc.get_capstyle(), 0))
            canvas.setLineJoin(_JOINS.get(gc.get_joinstyle(), 0))
            offset, dashes = gc.get_dashes()
            dash_lengths = cast(Sequence[float] | None, dashes)  # points, scaled by matplotlib
            if dash_lengths is not None and len(dash_lengths):
                canvas.setDash([float(d) for d in dash_lengths], float(offset or 0))
        if face is not None and fill:
            canvas.setFillColorRGB(face[0], face[1], face[2], alpha=fill_alpha)
        canvas.drawPath(
            self._pdf_path(path, transform), stroke=int(stroke), fill=int(fill), fillMode=1
        )
        canvas.restoreState()

    def draw_text(
        self,
        gc: GraphicsContextBase,
        x: float,
        y: float,
        s: str,
        prop: FontProperties,
        angle: float,
        ismath: bool | Literal["TeX"] = False,
        mtext: Text | None = None,
    ) -> None:
        if ismath:
            # Mathtext has no plain-string form; draw it as vector outlines.
            self._draw_text_as_path(gc, x, y, s, prop, angle, ismath, mtext)  # type: ignore[attr-defined]
            return
        weight = prop.get_weight()
        bold = weight >= 600 if isinstance(weight, int) else weight in _BOLD_WEIGHTS
        oblique = prop.get_style() in ("italic", "oblique")
        rgba = gc.get_rgb()
        alpha = gc.get_alpha() if gc.get_forced_alpha() else rgba[3]
        canvas = self.canvas
        canvas.saveState()
        self._clip(gc)
        canvas.setFillColorRGB(rgba[0], rgba[1], rgba[2], alpha=alpha)
        canvas.translate(x, y)
        if angle:
            canvas.rotate(angle)
        canvas.setFont(face_for(bold, oblique), prop.get_size_in_points())
        canvas.drawString(0, 0, s)
        canvas.restoreState()


class _ReportlabFigureCanvas(FigureCanvasBase):
    """Lets the figure's layout engine measure text with the renderer that will draw it."""

    def __init__(self, figure: Figure, renderer: ReportlabRenderer) -> None:
        super().__init__(figure)
        self._renderer = renderer

    def get_renderer(self) -> ReportlabRenderer:
        return self._renderer


def draw_figure(
    figure: Figure, canvas: Canvas, x: float, y: float, width: float, height: float
) -> None:
    """Draw `figure` with its lower-left corner at (x, y), sized width x height points."""
    register_fonts()
    figure.set_dpi(72)
    figure.set_size_inches(width / 72, height / 72)
    renderer = ReportlabRenderer(canvas, width, height)
    _ReportlabFigureCanvas(figure, renderer)
    canvas.saveState()
    canvas.translate(x, y)
    figure.draw(renderer)
    canvas.restoreState()
