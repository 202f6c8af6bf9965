"""The records and the table of ``ganviz bench``: medians over the rounds kept, then one
row per preset."""

from __future__ import annotations

import math
import os
import statistics

from ganviz.bench.measure import threads_for

WAYS = ("headless", "window", "plain")
# A measurement during which other processes used more CPU than this (in cores) is left
# out of the medians when a quieter round of the same measurement exists.
NOISY_CORES = 0.25


def _kept(samples: dict[str, list], way: str) -> tuple[list, list]:
    """The measurements of ``way`` during which other processes left the machine alone
    (all of them if there is none such), and the load of those kept."""
    values = samples[way]
    loads = samples.get(f"{way}_load") or [None] * len(values)
    pairs = list(zip(values, loads, strict=True))
    clean = [(v, load) for v, load in pairs
             if load is None or load[1] <= 0 or load[0] / load[1] <= NOISY_CORES]
    kept = clean or pairs
    return [v for v, _ in kept], [load for _, load in kept if load is not None]


def summarise(name: str, samples: dict[str, list]) -> dict:
    """One preset's record: medians over the rounds kept (see ``_kept``); stalls pooled;
    the highest peak memory over all rounds."""
    kept = {way: _kept(samples, way) for way in WAYS}
    windows = kept["window"][0]
    headless = statistics.median(kept["headless"][0])
    window = statistics.median(w["its"] for w in windows)
    plain = statistics.median(kept["plain"][0])
    lateness = sorted(x for w in windows for x in w["lateness_ms"]) or [0.0]
    growth = [w["rss_growth_mb"] for w in samples["window"]
              if w.get("rss_growth_mb") is not None]
    loads = [load for way in WAYS for load in kept[way][1] if load[1] > 0]
    dropped = sum(len(samples[way]) - len(kept[way][0]) for way in WAYS)
    first = min(windows, key=lambda w: abs(w["first_frame_s"]
                                          - statistics.median(v["first_frame_s"]
                                                              for v in windows)))
    return {
        "headless_its": round(headless, 2),
        "window_its": round(window, 2),
        "plain_its": round(plain, 2),
        "window_ratio": round(window / headless, 3),
        "plain_ratio": round(headless / plain, 3),
        "fps": round(statistics.median(w["fps"] for w in windows), 1),
        "stall_p99_ms": round(_percentile(lateness, 0.99), 2),
        "stall_max_ms": round(lateness[-1], 2),
        "first_frame_s": round(statistics.median(w["first_frame_s"] for w in windows), 3),
        "first_trained_frame_s": round(
            statistics.median(w["first_trained_frame_s"] for w in windows), 3),
        "close_s_max": round(max(w.get("close_s", 0.0) for w in samples["window"]), 3),
        "rss_mb": round(max(w["rss_mb"] for w in samples["window"]), 1),
        "rss_growth_mb": round(growth[-1], 1) if growth else None,
        "threads": threads_for(name),
        "other_load_cores": (round(sum(o[0] for o in loads) / sum(o[1] for o in loads), 2)
                             if loads else None),
        "noisy_dropped": dropped,
        "first_frame_parts_s": first["parts"],
    }


def _percentile(ordered: list[float], q: float) -> float:
    """The nearest-rank ``q`` quantile of an ascending list."""
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


# What ganviz aims for, one line per column of the table (docs/performance.md explains
# them).
TARGETS = """goals:
  win/head >= 0.9: the window trains at 90% or more of the headless speed
  head/plain >= 1.5 (1-D), >= 1.0 (MNIST): ganviz's loop against a plain PyTorch loop
  fps >= 30 (1-D), >= 20 (MNIST): frames the window draws per second while training
  stall p99 < 50 ms: 99% of the window's timer ticks come less than 50 ms late
  1st frame < 2 s: from launch to the window showing its plots"""


def print_table(results: dict[str, dict], seconds: float, rounds: int,
                soak_minutes: float | None) -> None:
    soak = soak_minutes is not None
    devices = ", ".join(dict.fromkeys(r["device"] for r in results.values()))
    # Each preset trains three ways (headless, in the window, in a plain PyTorch loop) for
    # `seconds` each, that time split over `rounds` rounds that take turns.
    rounds_text = "in one go" if rounds == 1 else f"split over {rounds} rounds"
    print(f"ganviz bench: each preset trained {seconds:g} s headless, {seconds:g} s in the "
          f"window and {seconds:g} s in a plain PyTorch loop ({rounds_text}); "
          f"{os.cpu_count()} CPU cores; device: {devices}")
    header = (f"{'preset':<16}{'threads':>8}{'headless':>10}{'window':>9}{'plain':>9}"
              f"{'win/head':>10}{'head/plain':>11}{'fps':>7}{'stall p99':>11}{'max':>8}"
              f"{'1st frame':>11}{'RSS':>8}" + (f"{'growth':>8}" if soak else "")
              + f"{'others':>8}")
    print(header)
    print(f"{'':<16}{'':>8}{'it/s':>10}{'it/s':>9}{'it/s':>9}{'':>10}{'':>11}{'':>7}"
          f"{'ms':>11}{'ms':>8}{'s':>11}{'MB':>8}" + (f"{'MB':>8}" if soak else "")
          + f"{'cores':>8}")
    for name, r in results.items():
        growth = r["rss_growth_mb"]
        print(f"{name:<16}{r['threads']:>8}{r['headless_its']:>10.1f}{r['window_its']:>9.1f}"
              f"{r['plain_its']:>9.1f}{r['window_ratio']:>10.2f}{r['plain_ratio']:>11.2f}"
              f"{r['fps']:>7.1f}{r['stall_p99_ms']:>11.1f}{r['stall_max_ms']:>8.1f}"
              f"{r['first_frame_s']:>11.2f}{r['rss_mb']:>8.0f}"
              + (f"{_number(growth):>8.1f}" if soak else "")
              + f"{_number(r['other_load_cores']):>8.2f}")
    print("1st frame: launch to the window first painted with its plots (1-D: the real "
          "density, drawn before torch is loaded); then, seconds from launch: python ready / "
          "Qt ready / window shown / window painted / first frame of training received / "
          "drawn")
    for name, r in results.items():
        parts = r["first_frame_parts_s"]
        stages = ("python_ready", "qt_ready", "window_shown", "window_painted",
                  "frame_received", "first_drawn")
        print(f"  {name:<14}" + " / ".join(f"{parts.get(s, math.nan):.2f}" for s in stages))
    print("others: CPU cores used by other processes during the measurements kept "
          "(noise; ideally 0); measurements left out as noisy: "
          + ", ".join(f"{name} {r['noisy_dropped']}" for name, r in results.items()))
    busy = [name for name, r in results.items()
            if (r["other_load_cores"] or 0) > NOISY_CORES]
    if busy:
        print(f"warning: other processes kept the machine busy while {', '.join(busy)} ran: "
              "its figures are not this machine's best; run again when it is idle")
    print(TARGETS)


def _number(value: float | None) -> float:
    return math.nan if value is None else value
