"""The model diagram: the game's boxes and arrows with the run's live numbers on them.

noise z -> G -> fake samples, and real samples, -> D -> D(real), D(fake) -> both losses,
the gradients flowing back (D's loss to D, G's loss through D to G) and the k_d / k_g
loop. Painted with QPainter in a fixed logical frame scaled to the widget, so it keeps its
proportions at any size and in presentation mode. Which parts are lit is set from outside:
slow motion lights the part it narrates (app/slow_motion.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

WIDTH, HEIGHT = 320.0, 440.0  # the logical frame the parts are laid out in

# name: (x, y, width, height) in the logical frame
PARTS = {
    "z": (10, 40, 130, 44),
    "real": (180, 40, 130, 44),
    "G": (10, 120, 130, 52),
    "fake": (10, 208, 130, 44),
    "D": (95, 288, 130, 52),
    "d_fake": (10, 372, 130, 26),
    "d_real": (180, 372, 130, 26),
    "loss_g": (10, 406, 130, 26),
    "loss_d": (180, 406, 130, 26),
}
LIT = QColor(255, 200, 60)
NETWORK = QColor(225, 235, 250)
DATA = QColor(240, 240, 240)
REAL, FAKE = QColor(31, 119, 180), QColor(255, 127, 14)
D_COLOUR, G_COLOUR = QColor(44, 160, 44), QColor(214, 39, 40)


@dataclass
class DiagramNumbers:
    """What the diagram writes on its parts, from a frame (NaN: not known yet)."""

    batch: int = 64
    noise: str = "z"
    k_d: int = 1
    k_g: int = 1
    d_real: float = math.nan
    d_fake: float = math.nan
    loss_d: float = math.nan
    loss_g: float = math.nan
    grad_d: float = math.nan
    grad_g: float = math.nan
    ema: float = 0.0
    critic: bool = False  # WGAN-GP: D is a critic with raw values, not a probability
    rate: float = 0.0  # iterations per second while running; 0 paused

    @classmethod
    def from_frame(cls, frame) -> DiagramNumbers:
        snapshot, settings = frame.snapshot, frame.snapshot.settings
        history = snapshot.history

        def last(name: str) -> float:
            values = history.get(name)
            return float(values[-1]) if values is not None and len(values) else math.nan

        norms = (*snapshot.gradient_norms, math.nan, math.nan)
        noise = settings.get("latent_dim") if snapshot.mode == "mnist" else \
            settings.get("noise_dim", 1)
        return cls(batch=int(settings.get("batch_size", 64)), noise=f"{noise}-d",
                   k_d=int(settings.get("k", 1)), k_g=int(settings.get("k_g", 1)),
                   d_real=last("d_real"), d_fake=last("d_fake"), loss_d=last("loss_d"),
                   loss_g=last("loss_g"), grad_d=norms[0], grad_g=norms[1],
                   ema=float(settings.get("ema", 0.0)),
                   critic=settings.get("loss") == "wgan-gp",
                   rate=frame.iterations_per_second if frame.running else 0.0)


def _number(value: float, digits: int = 3) -> str:
    return "–" if not math.isfinite(value) else f"{value:.{digits}g}"


class GameDiagram(QWidget):
    """The diagram; :meth:`show_numbers` after each frame, :meth:`light` for slow motion."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.numbers = DiagramNumbers()
        self.lit: frozenset[str] = frozenset()
        self.setMinimumSize(200, 250)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_numbers(self, numbers: DiagramNumbers) -> None:
        if numbers != self.numbers:
            self.numbers = numbers
            self.update()

    def light(self, parts) -> None:
        """Highlight these parts (names of PARTS, or "grad_d" / "grad_g" / "ema" for the
        update arrows and the averaged generator); none: nothing lit."""
        parts = frozenset(parts)
        if parts != self.lit:
            self.lit = parts
            self.update()

    def sizeHint(self):
        return QSize(280, 385)  # the logical frame at 7/8: the plots keep their room

    # ------------------------------------------------------------------------ painting
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale = min(self.width() / WIDTH, self.height() / HEIGHT)
        painter.translate((self.width() - WIDTH * scale) / 2, 0)  # at the top: text below
        painter.scale(scale, scale)
        self._paint(painter)
        painter.end()

    def _paint(self, p: QPainter) -> None:
        n = self.numbers
        d_name = "C" if n.critic else "D"
        self._title(p)
        self._box(p, "z", f"noise z ({n.noise})", f"{n.batch} draws", DATA)
        self._box(p, "real", "real data", f"batch of {n.batch}", DATA, REAL)
        ema = f" · averaged copy (EMA {n.ema:g})" if n.ema else ""
        self._box(p, "G", "G  generator", f"‖∇‖ {_number(n.grad_g)}{ema}", NETWORK, G_COLOUR,
                  bold=True)
        self._box(p, "fake", "fake samples", f"G(z), batch of {n.batch}", DATA, FAKE)
        self._box(p, "D", f"{d_name}  {'critic' if n.critic else 'discriminator'}",
                  f"‖∇‖ {_number(n.grad_d)}", NETWORK, D_COLOUR, bold=True)
        self._box(p, "d_fake", f"{d_name}(fake) {_number(n.d_fake)}", "", DATA, FAKE)
        self._box(p, "d_real", f"{d_name}(real) {_number(n.d_real)}", "", DATA, REAL)
        self._box(p, "loss_g", f"G's loss {_number(n.loss_g)}", "", DATA, G_COLOUR)
        self._box(p, "loss_d", f"{d_name}'s loss {_number(n.loss_d)}", "", DATA, D_COLOUR)
        forward = QPen(QColor(70, 70, 70), 1.6)
        self._arrow(p, [(75, 84), (75, 120)], forward)
        self._arrow(p, [(75, 172), (75, 208)], forward)
        self._arrow(p, [(75, 252), (75, 270), (130, 270), (130, 288)], forward)
        self._arrow(p, [(245, 84), (245, 270), (190, 270), (190, 288)], forward)
        self._arrow(p, [(130, 340), (75, 356), (75, 372)], forward)
        self._arrow(p, [(190, 340), (245, 356), (245, 372)], forward)
        # The gradients flow back: D's loss to D, G's loss through D to G.
        back_d = QPen(D_COLOUR, 2.4 if "grad_d" in self.lit else 1.4, Qt.PenStyle.DashLine)
        self._arrow(p, [(310, 419), (316, 419), (316, 314), (225, 314)], back_d)
        back_g = QPen(G_COLOUR, 2.4 if "grad_g" in self.lit else 1.4, Qt.PenStyle.DashLine)
        self._arrow(p, [(10, 419), (4, 419), (4, 146), (10, 146)], back_g)
        self._label(p, QRectF(226, 300, 90, 12), f"update {d_name} ×{n.k_d}", D_COLOUR)
        self._label(p, QRectF(6, 176, 70, 12), f"update G ×{n.k_g}", G_COLOUR, left=True)

    def _title(self, p: QPainter) -> None:
        n = self.numbers
        loop = f"each iteration: D ×{n.k_d}, then G ×{n.k_g}"
        state = f"  ·  {n.rate:,.0f} it/s" if n.rate else ""
        font = QFont(self.font())
        font.setPointSizeF(9.5)
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor(40, 40, 40))
        p.drawText(QRectF(0, 4, WIDTH, 28), Qt.AlignmentFlag.AlignCenter, loop + state)

    def _box(self, p: QPainter, name: str, title: str, detail: str, fill: QColor,
             edge: QColor | None = None, bold: bool = False) -> None:
        x, y, w, h = PARTS[name]
        rect = QRectF(x, y, w, h)
        lit = name in self.lit or (name == "G" and "ema" in self.lit)
        p.setBrush(LIT if lit else fill)
        p.setPen(QPen(edge or QColor(120, 120, 120), 2.6 if lit else 1.3))
        p.drawRoundedRect(rect, 6, 6)
        font = QFont(self.font())
        font.setPointSizeF(9.0)
        font.setBold(bold)
        p.setFont(font)
        p.setPen(QColor(20, 20, 20))
        if detail:
            p.drawText(rect.adjusted(4, 2, -4, -h / 2), Qt.AlignmentFlag.AlignCenter, title)
            font.setBold(False)
            font.setPointSizeF(7.5)
            p.setFont(font)
            p.drawText(rect.adjusted(3, h / 2 - 2, -3, -2),
                       Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, detail)
        else:
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, title)

    def _label(self, p: QPainter, rect: QRectF, text: str, colour: QColor,
               left: bool = False) -> None:
        font = QFont(self.font())
        font.setPointSizeF(7.5)
        p.setFont(font)
        p.setPen(colour)
        align = Qt.AlignmentFlag.AlignLeft if left else Qt.AlignmentFlag.AlignRight
        p.drawText(rect, align | Qt.AlignmentFlag.AlignVCenter, text)

    @staticmethod
    def _arrow(p: QPainter, points: list[tuple[float, float]], pen: QPen) -> None:
        path = QPainterPath(QPointF(*points[0]))
        for point in points[1:]:
            path.lineTo(QPointF(*point))
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
        (x0, y0), (x1, y1) = points[-2], points[-1]
        angle = math.atan2(y1 - y0, x1 - x0)
        head = QPolygonF([QPointF(x1, y1)] + [
            QPointF(x1 - 7 * math.cos(angle + s), y1 - 7 * math.sin(angle + s))
            for s in (0.45, -0.45)])
        p.setBrush(pen.color())
        p.setPen(QPen(pen.color(), 1))
        p.drawPolygon(head)
