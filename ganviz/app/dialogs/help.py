"""The Help menu's windows: the keyboard shortcuts, what each view shows, and versions."""

from __future__ import annotations

import platform
from importlib import metadata

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
)

WHEEL_NOTE = ("Mouse: the wheel scrolls the settings panel; click a field (or Tab to it) "
              "before turning the wheel to change its value. In a number field, Enter "
              "applies what you typed and the up and down arrow keys step the value.")


def shortcut_rows(window) -> list[tuple[str, str, str]]:
    """(keys, action, what it does) for each of the window's actions that has a shortcut,
    in the order they were made (toolbar, then menus). Read from the actions themselves,
    so the list cannot go stale when a shortcut is added or changed."""
    rows = []
    for action in window.findChildren(QAction):
        keys = [key.toString(QKeySequence.SequenceFormat.NativeText)
                for key in action.shortcuts()]
        if keys:
            name = action.text().replace("&", "").removesuffix("…")
            rows.append((", ".join(keys), name, action.toolTip()))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(window)
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(["Keys", "Action", "What it does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        note = QLabel(WHEEL_NOTE, wordWrap=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(760, 420)


# ------------------------------------------------------------------ what am I looking at?
_CURVES = """
<h3>Losses (adversarial terms only)</h3>
<p>How each network is doing in its own game. D's loss (green) falls when D tells real
from fake; G's (orange) falls when G fools D. Neither should reach 0: when G is perfect,
D can only guess, and the losses settle at the dashed lines (2 ln 2 for D and ln 2 for G
with the default objective). One loss falling to 0 usually means that network has won
and the other has stopped learning.</p>
<h3>Mean D output on each batch</h3>
<p>D's average answer on the real samples (blue) and on the generated ones (orange). D
answers how sure it is that a sample is real: near 1 real, near 0 fake. Early on the two
lines are far apart; as G learns they meet at 0.5 (dashed), where D is guessing. (A
Wasserstein critic answers with any number, not a probability: there is no 0.5.)</p>
"""

EXPLANATIONS = {
    "1d": """
<p>A generator G turns random noise into numbers; a discriminator D sees real numbers and
G's, and learns to tell them apart. Each plot shows one side of that game.</p>
<h3>Densities and discriminator (the large plot)</h3>
<p>Along the x axis: the numbers. <b>Blue</b>: how often each value occurs in the real
data (its exact density). <b>Orange</b>: a histogram of 20,000 of G's numbers, the
generator's density (dotted: the network as trained; solid: its smoothed average copy).
<b>Green</b>, on the right axis: D(x), D's answer at each x, near 1 for "real", near 0
for "fake". <b>Dashed purple</b>: D*(x), the best D possible against G as it is now. The
goal: orange covers blue, and the green line flattens to 0.5, where D cannot tell.</p>
<h3>Divergence and game value</h3>
<p>Red: the Jensen-Shannon divergence between the real and the generated densities, in
bits on a log axis: 0 means identical, and under 0.01 (dashed) counts as converged. Grey,
on the right axis: the value of the game, V(D, G), which tends to -log 4 at the
equilibrium.</p>
<p>The banner above the plots sums the numbers up in one sentence: converged or not, and
what is going wrong when something is.</p>
""" + _CURVES,
    "2d": """
<p>GAN Lab's picture: each sample is a point in a plane. A generator G moves random noise
points to where the real points are; a discriminator D learns to tell the two apart.</p>
<h3>Real and generated points on D's surface (left)</h3>
<p><b>Blue dots</b>: 500 real points, fixed for the run. <b>Orange dots</b>: where G puts
500 fixed noise values, so you can follow each point from frame to frame. <b>Background
colour</b>: D's answer at each place: green where D says "real", purple where it says
"fake", white (0.5) where it cannot tell (see the colour bar). <b>Arrows</b>: where G's
loss pushes each orange point: G follows D's slope uphill toward the green. <b>Orange
mesh</b> (manifold): where a grid of noise values lands, showing how G folds and
stretches its noise plane. The check boxes above switch each layer on or off.</p>
<h3>Divergence on a 32×32 grid (right, at the bottom)</h3>
<p>The plane cut into 32×32 cells; the real and the generated points counted in each.
KL (purple) and JS (red) divergences between the two counts, in bits on a log axis: the
lower, the closer G's points are to the real ones. A generator that covers only some of
the real clusters (mode collapse) keeps KL high.</p>
""" + _CURVES,
    "mnist": """
<p>The generator G draws 28×28 images of handwritten digits from random noise; the
discriminator D compares them with real MNIST digits. (Fashion-MNIST, CIFAR-10 and your own
pictures show the same grids and curves, without the class bars and the quality chart: the
shipped classifier knows digits only.)</p>
<h3>Generated digits (same noise every frame)</h3>
<p>G's images for the same noise values in every frame: watch each one turn from a grey
blur into a digit.</p>
<h3>Real digits (beside them)</h3>
<p>Real MNIST digits, for comparison (the toolbar's Real images button hides them).</p>
<h3>Classes of 500 fresh samples (right)</h3>
<p>A classifier trained on the real digits labels 500 new generated images. Each bar is
the share of images labelled 0, 1, … 9; the darker part counts the images it is sure of
(probability at least 0.9). A good generator draws every digit about equally often (the
dashed line at 0.1); missing bars mean G has stopped drawing some digits (mode collapse).
The title gives the share it is sure of and the coverage of the ten classes.</p>
<h3>Quality of the averaged generator's digits</h3>
<p>The same 500 images over time: the share the classifier is sure of, the class coverage,
and against real digits (on the classifier's features) the <i>precision</i> (the share of
generated digits that look like real ones), the <i>recall</i> (the share of real digits the
generated ones reach; a generator stuck on a few digits loses it) and the Fréchet distance
(dashed, right axis, lower is better). Click a generated digit to walk the latent space
around it (<i>View &gt; Latent explorer</i>).</p>
""" + _CURVES,
}
MODE_TITLES = {"1d": "1-D: densities on a line", "2d": "2-D: points in a plane",
               "mnist": "Images: MNIST's digits and others"}


class ExplanationDialog(QDialog):
    """What each view of ``mode`` shows, in plain words; not modal, so the plots stay in
    view beside it while it is read."""

    def __init__(self, window, mode: str) -> None:
        super().__init__(window)
        self.setWindowTitle(f"What am I looking at? ({MODE_TITLES[mode]})")
        self.text = QTextBrowser()
        self.text.setHtml(EXPLANATIONS[mode])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(620, 560)


# --------------------------------------------------------------------------------- about
def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def about_text(window) -> str:
    """Versions, and what the training process runs on (as its last frame said). Read from
    the installed packages' metadata: the window's process need not import torch."""
    import ganviz

    frame = window.latest_frame
    if frame is None:
        device = "the training process is starting"
    else:
        threads = f"{frame.threads} torch thread{'s' if frame.threads != 1 else ''}"
        device = (f"{frame.device.upper()}, {threads} (usable here: "
                  f"{', '.join(frame.available_devices)})")
    return (f"<h3>ganviz {ganviz.__version__}</h3>"
            "<p>Watch a GAN learn, live.</p>"
            f"<p>PyTorch {_version('torch')}<br>Training on: {device}<br>"
            f"Qt {qVersion()}, PySide6 {PySide6.__version__}<br>"
            f"pyqtgraph {_version('pyqtgraph')}, NumPy {_version('numpy')}<br>"
            f"Python {platform.python_version()} ({platform.system()})</p>")


def show_about(window) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.NoIcon, "About ganviz", about_text(window),
                      QMessageBox.StandardButton.Close, window)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
