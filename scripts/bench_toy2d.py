"""2-D mode coverage and sharpness over seeds, measured as the issues specify them.

    python scripts/bench_toy2d.py [--preset ring8] [--seeds 0-9] [--steps 20000 | --seconds 60]
                                  [--jobs 2] [--set NAME=VALUE ...]

Trains the preset headless for ``--steps`` iterations, or ``--seconds`` of wall time (as
the window's 2-D trainer: one torch thread; run no more ``--jobs`` than cores, and nothing
else), on each seed, draws 10,000 samples of the drawn generator (in data units) and
reports, per seed: the iterations, the modes holding >= ``--min-share`` of the samples,
the smallest mode share, the share within 3 sigma of some mode, KL and JS on the grid, and
whether the seed meets the target (every mode >= ``--min-share`` and >= ``--min-quality``
within 3 sigma; defaults: issue 26's 1% and 95%). Prints a table, then one JSON line.
Not a test: it takes minutes.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time

from ganviz.core import presets


def run_seed(job: tuple) -> dict:
    import torch

    from ganviz.core.trainer import Trainer

    preset, seed, steps, seconds, overrides, min_share, min_quality = job
    torch.set_num_threads(1)  # two jobs on two cores: one thread each
    trainer = Trainer(preset, {**overrides, "seed": seed})
    started = time.perf_counter()
    if seconds is None:
        trainer.run(steps)
    else:
        while time.perf_counter() - started < seconds:
            trainer.run(50)
        steps = trainer.step_count
    seconds = time.perf_counter() - started
    metrics = trainer.metrics()
    shares = metrics.get("mode_shares", [])
    passed = bool(shares) and min(shares) >= min_share and \
        metrics["high_quality"] >= min_quality
    return {"seed": seed, "steps": steps, "seconds": round(seconds, 1), "ms_per_iteration":
            round(1000 * seconds / steps, 2), "modes_covered": metrics.get("modes_covered"),
            "min_share": min(shares) if shares else None,
            "high_quality": metrics.get("high_quality"), "kl_bits": metrics["kl_bits"],
            "js_bits": metrics["js_bits"], "passed": passed}


def seed_list(text: str) -> list[int]:
    if "-" in text:
        first, last = text.split("-")
        return list(range(int(first), int(last) + 1))
    return [int(s) for s in text.split(",")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="ring8", choices=[
        n for n, p in presets.PRESETS.items() if p.mode == "2d"])
    parser.add_argument("--seeds", type=seed_list, default=list(range(10)))
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=None,
                        help="train this long (wall time) instead of --steps")
    parser.add_argument("--min-share", type=float, default=0.01)
    parser.add_argument("--min-quality", type=float, default=0.95)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--set", dest="assignments", action="append", default=[],
                        metavar="NAME=VALUE")
    args = parser.parse_args()
    from ganviz.core import config

    overrides = dict(config.parse_assignment(a) for a in args.assignments)
    jobs = [(args.preset, seed, args.steps, args.seconds, overrides, args.min_share,
             args.min_quality) for seed in args.seeds]
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        results = pool.map(run_seed, jobs)
    budget = f"{args.seconds:g} s" if args.seconds else f"{args.steps:,} iterations"
    print(f"{args.preset}, {budget}, {overrides or 'preset settings'}, 10,000 samples per seed")
    print("seed  iterations  modes>=5%  min share  within 3σ  KL bits  JS bits  ms/it  target")
    for r in results:
        print(f"{r['seed']:>4}  {r['steps']:>10,}  {r['modes_covered']:>9}  "
              f"{r['min_share']:>9.3f}  {r['high_quality']:>9.1%}  {r['kl_bits']:>7.3f}  "
              f"{r['js_bits']:>7.4f}  {r['ms_per_iteration']:>5.2f}  "
              f"{'met' if r['passed'] else 'missed'}")
    met = sum(r["passed"] for r in results)
    print(f"target met on {met} of {len(results)} seeds")
    print(json.dumps({"preset": args.preset, "steps": args.steps, "seconds": args.seconds,
                      "overrides": overrides,
                      "met": met, "seeds": results}))


if __name__ == "__main__":
    main()
