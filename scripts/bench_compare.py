"""Compare mode's drawing rate: 16 variants in the window for SECONDS, frames/s printed.

Run it on a screen (a virtual one: `Xvfb :9 &`, then `DISPLAY=:9 python
scripts/bench_compare.py`) or offscreen (`QT_QPA_PLATFORM=offscreen`). Prints the frames
drawn per second over the last 40 frames every 5 s, the time one grid update and repaint
takes in the window, and each variant's iterations per second.
"""

from __future__ import annotations

import argparse
import time

PRESET_AXES = {
    "gaussian": ["lr_d=1e-4,3e-4,1e-3,3e-3", "k=1,2,3,5"],
    "ring8": ["lr_d=1e-4,3e-4,1e-3,3e-3", "k=1,2,3,5"],
    "mnist": ["lr_g=1e-4,2e-4", "lr_d=1e-4,2e-4"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="gaussian", choices=sorted(PRESET_AXES))
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from ganviz.app.compare.chooser import columns_for
    from ganviz.app.main import prepare_qt
    from ganviz.app.main_window import MainWindow
    from ganviz.core import sweep

    prepare_qt()
    app = QApplication([])
    window = MainWindow(args.preset)
    window.resize(1366, 740)
    window.show()
    axes = PRESET_AXES[args.preset]
    made = sweep.variants(axes, args.preset)
    window.compare.start(made, axes, columns_for(axes, len(made)))
    page = window.compare.page
    draw_ms = []
    original = page._draw

    def timed(frame):
        began = time.perf_counter()
        original(frame)
        page.grid and page.grid.repaint()
        draw_ms.append((time.perf_counter() - began) * 1000)

    page.worker.frame_ready.disconnect(original)
    page.worker.frame_ready.connect(timed)
    start = time.perf_counter()
    report = start + 5
    rates = []
    while time.perf_counter() - start < args.seconds:
        app.processEvents()
        time.sleep(0.002)
        if time.perf_counter() >= report and page.last_frame is not None:
            report += 5
            rates.append(page.frames_per_second())
            recent = sorted(draw_ms[-100:])
            print(f"{time.perf_counter() - start:5.1f} s: {rates[-1]:5.1f} frames/s, "
                  f"draw+repaint median {recent[len(recent) // 2]:.1f} ms, "
                  f"{page.last_frame.rate:,.0f} it/s each, iteration "
                  f"{page.last_frame.cells[0].step:,}", flush=True)
    settled = rates[1:] or rates
    print(f"{args.preset}: {len(page.names)} variants, {sum(settled) / len(settled):.1f} "
          f"frames/s (mean of the 5 s reports after the first)")
    window.close()


if __name__ == "__main__":
    main()
