"""The 1-D verdict banner above the plots: the run's verdict in words (core/toy1d/verdict),
coloured by what it says, at a height that never changes."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF
from PySide6.QtWidgets import QLabel

# The verdict banner's colours: background, text.
VERDICT_COLOURS = {
    "converged": ("#dff3df", "#1b5e20"),
    "d-not-optimal": ("#fff1d6", "#8a4b00"),
    "not-converged": ("#eeeeee", "#333333"),
}
WAITING_VERDICT = "Verdict: waiting for the first evaluation…"
VERDICT_HELP = (
    "converged: the averaged generator's p_g matches p_data (JS below its threshold), D is "
    "at its equilibrium value where the data lie, and D agrees with D*, the optimal D for "
    "that generator. 'D is not optimal': D is flat although the generator (or D*) is not. "
    "A condition met stops holding only clearly above its threshold, so the verdict does "
    "not flicker while a number hovers at it.")


class VerdictBanner(QLabel):
    """The 1-D verdict in words, coloured by what it says, always two lines high.

    Its height never changes: a banner that grew with a longer verdict pushed the plots
    down and back several times a second. Text longer than two lines is cut with "…"; the
    tooltip has all of it.
    """

    LINES = 2
    FONT_PX = 13  # at scale 1
    PADDING = (6, 10)  # px: vertical, horizontal

    def __init__(self) -> None:
        super().__init__(wordWrap=True)
        self.full_text = ""
        self.verdict = "not-converged"
        self.scale = 1.0
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setMinimumWidth(1)  # the text is cut to the width, which never grows for it
        self.show_verdict("not-converged", WAITING_VERDICT)

    def show_verdict(self, verdict: str, text: str) -> None:
        if (verdict, text) == (self.verdict, self.full_text):
            return
        if verdict != self.verdict or not self.styleSheet():
            self.verdict = verdict
            self._restyle()
        self.full_text = text
        self.setToolTip(f"{text}\n\n{VERDICT_HELP}")
        self._show_text()

    def set_scale(self, scale: float) -> None:
        self.scale = scale
        self._restyle()
        self._show_text()

    def _restyle(self) -> None:
        background, colour = VERDICT_COLOURS[self.verdict]
        vertical, horizontal = (round(p * self.scale) for p in self.PADDING)
        self.setStyleSheet(
            f"QLabel {{ background: {background}; color: {colour}; "
            f"padding: {vertical}px {horizontal}px; "
            f"font-size: {round(self.FONT_PX * self.scale)}px; font-weight: 600; }}")
        self.ensurePolished()  # the style sheet's font, for the metrics below
        vertical_padding = 2 * round(self.PADDING[0] * self.scale)
        self.setFixedHeight(self.LINES * self.fontMetrics().lineSpacing() + vertical_padding
                            + 2)

    def _show_text(self) -> None:
        # The whole text where it wraps into the banner's lines, as QLabel wraps it; else
        # the lines that fit, the last cut with "…".
        width = max(50, self.width() - 2 * round(self.PADDING[1] * self.scale) - 4)
        metrics = QFontMetrics(self.font())
        needed = metrics.boundingRect(QRect(0, 0, width, 100_000),
                                      Qt.TextFlag.TextWordWrap, self.full_text).height()
        text = self.full_text
        if needed > self.LINES * metrics.lineSpacing() + 1:
            text = fit_lines(self.full_text, self.font(), width, self.LINES)
        if text != self.text():
            self.setText(text)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._show_text()


def fit_lines(text: str, font: QFont, width: float, lines: int) -> str:
    """``text`` wrapped at spaces into at most ``lines`` lines of ``width`` px, the last
    cut with "…" where the text does not fit (lines joined by newlines)."""
    metrics = QFontMetricsF(font)
    words, result, line = text.split(), [], ""
    for index, word in enumerate(words):
        candidate = f"{line} {word}" if line else word
        if metrics.horizontalAdvance(candidate) <= width or not line:
            line = candidate
            continue
        if len(result) == lines - 1:  # the last line: what is left, cut to fit
            rest = " ".join((line, *words[index:]))
            return "\n".join((*result, metrics.elidedText(rest, Qt.TextElideMode.ElideRight,
                                                           width)))
        result.append(line)
        line = word
    return "\n".join((*result, line))
