"""What the timeline costs: training speed with snapshots against without, the time to show
a past moment, and the memory the snapshots take.

    python scripts/bench_timeline.py [--preset gaussian --preset ring8 --preset mnist]
                                     [--rounds 5] [--threads 1]

For each preset, two trainers of the same seed train in turn, chunk by chunk (A B A B ...),
in one process: one without a timeline, one with snapshots every 50 iterations (as
``ganviz train --snapshot-every 50``, the densest schedule), and the ratio of their chunk
times is taken pair by pair (the median is printed). Then the window's timeline (the
thinning schedule) shows past moments, alternating between two so that none is cached:
the median time from the request to the frame's snapshot. Not a test: it takes minutes.
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

CHUNK = {"1d": 2000, "2d": 1000, "mnist": 60}  # iterations a chunk: about 2-4 s each here


def _time(trainer, steps: int) -> float:
    started = time.perf_counter()
    trainer.run(steps)
    return time.perf_counter() - started


def snapshot_cost(preset: str, rounds: int) -> dict:
    from ganviz.core import presets
    from ganviz.core.trainer import Trainer

    mode = presets.get(preset).mode
    plain, kept = Trainer(preset, {"seed": 0}), Trainer(preset, {"seed": 0})
    kept.keep_timeline(50)
    chunk = CHUNK[mode]
    _time(plain, chunk // 4), _time(kept, chunk // 4)  # warm-up
    ratios = []
    for _ in range(rounds):
        without = _time(plain, chunk)
        with_snapshots = _time(kept, chunk)
        ratios.append(with_snapshots / without)
    timeline = kept.timeline
    # The same cost from its parts, free of the chunks' noise: one capture against the 50
    # iterations between two snapshots.
    from ganviz.core.snapshots import capture

    captures = []
    for _ in range(20):
        started = time.perf_counter()
        capture(plain)
        captures.append(time.perf_counter() - started)
    step_s = _time(plain, chunk) / chunk
    return {"chunk": chunk, "ratio": statistics.median(ratios), "ratios": ratios,
            "capture_ms": 1000 * statistics.median(captures), "step_ms": 1000 * step_s,
            "from_parts": 1.0 + statistics.median(captures) / (50 * step_s),
            "snapshots": len(timeline), "memory_mb": timeline.memory_bytes() / 2**20,
            "disk_mb": timeline.disk_bytes() / 2**20, "iterations": kept.step_count}


def past_view_latency(preset: str, repeats: int = 12) -> dict:
    from ganviz.core import presets
    from ganviz.core.timeline_control import TimelineControl
    from ganviz.core.trainer import Trainer

    mode = presets.get(preset).mode
    trainer = Trainer(preset, {"seed": 0})
    control = TimelineControl()
    control.follow(trainer)  # the window's thinning schedule
    trainer.run(CHUNK[mode] * 2)
    steps = trainer.timeline.steps()
    first, second = steps[len(steps) // 3], steps[2 * len(steps) // 3]
    times = []
    for index in range(repeats):
        started = time.perf_counter()
        control.view_at(trainer, first if index % 2 else second)
        control.snapshot(trainer)
        times.append(time.perf_counter() - started)
    live = []
    control.view_at(trainer, None)
    for _ in range(repeats):
        started = time.perf_counter()
        control.snapshot(trainer)
        live.append(time.perf_counter() - started)
    return {"past_ms": 1000 * statistics.median(times), "live_ms": 1000 * statistics.median(live),
            "kept": len(steps), "at": [int(first), int(second)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", action="append", default=None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    results = {}
    print(f"{'preset':10} {'with/without':>12} {'from parts':>10} {'snapshots':>9} "
          f"{'memory MB':>9} {'past view ms':>12} {'live frame ms':>13}")
    for preset in args.preset or ["gaussian", "ring8", "mnist"]:
        cost = snapshot_cost(preset, args.rounds)
        view = past_view_latency(preset)
        results[preset] = {**cost, **view}
        print(f"{preset:10} {cost['ratio']:12.3f} {cost['from_parts']:10.3f} "
              f"{cost['snapshots']:9d} "
              f"{cost['memory_mb']:9.1f} {view['past_ms']:12.1f} {view['live_ms']:13.1f}",
              flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
