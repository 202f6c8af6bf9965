"""The Python API: a GAN run to train, measure and save from a script or a notebook.

    >>> import ganviz
    >>> run = ganviz.Run("gaussian", seed=1, lr_d=5e-4)
    >>> summary = run.train(steps=2000)
    >>> run.metrics[-1]["js_bits"], run.samples(10_000).shape

``ganviz train`` is built on :class:`Run`, so the two train, record and stop alike. A run
whose loss goes NaN/Inf stops there, goes back to the last finite state it kept, and
raises :class:`Diverged` (the command line exits with status 3).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganviz.core import config, headless, presets, runtime, session
from ganviz.core.coach import Coach
from ganviz.core.config import SettingError
from ganviz.core.headless import OutputError, RunSummary
from ganviz.core.run_guard import KEEP_STATE_EVERY, LastGoodState
from ganviz.core.trainer import Trainer

__all__ = ["Diverged", "OutputError", "Run", "RunSummary", "SessionError", "SettingError"]

SessionError = session.SessionError


class Diverged(RuntimeError):
    """A loss became NaN/Inf: training stopped and the run went back to its last finite
    state (``kept_step``). ``what``: what went non-finite and at which iteration."""

    def __init__(self, what: str, kept_step: int, summary: RunSummary) -> None:
        super().__init__(f"{what}; the run went back to iteration {kept_step:,}, the last "
                         f"finite state kept (one is kept every {KEEP_STATE_EVERY:,})")
        self.what = what
        self.kept_step = kept_step
        self.summary = summary


class Run:
    """One GAN run of a preset, with keyword settings (validated as ``--set`` is)."""

    def __init__(self, preset: str = presets.DEFAULT_PRESET, *, data=None, points=None,
                 **settings) -> None:
        """``data``: MNIST's digits (``ganviz.core.mnist.data.load_dir``); ``points``: the
        2-D custom dataset, an (N, 2) array or (array, description), which sets
        dataset=custom. A bad preset, name or value raises one SettingError line."""
        chosen = presets.get(preset)
        settings = config.validate(settings, chosen.mode)
        if points is not None:
            if chosen.mode != "2d":
                raise SettingError(f"points: preset {chosen.name} is not a 2-D preset")
            from ganviz.core.toy2d.data import Points2D

            array, description = points if isinstance(points, tuple) else (
                points, f"{len(points):,} points")
            data = Points2D(np.asarray(array, dtype=np.float32), description)
            settings["dataset"] = "custom"
        self.threads = runtime.configure_threads(chosen.mode)
        self._adopt(Trainer(chosen, settings, data=data))

    def _adopt(self, trainer: Trainer) -> None:
        self.trainer = trainer  # for power users: the torch networks, optimisers, history
        self.kept = LastGoodState(trainer)
        self.metrics: list[dict] = []  # the records `ganviz train --metrics` writes
        # What is going wrong, from the records (each gets its "diagnosis" name).
        self.coach = Coach(trainer.mode, trainer.settings)

    @classmethod
    def load(cls, path: str | Path, data=None) -> Run:
        """The run saved in ``path`` (by :meth:`save`, ``--checkpoint`` or the window),
        ready to train on. A bad file raises one SessionError line."""
        trainer = session.load(path, data=data)
        run = cls.__new__(cls)
        run.threads = runtime.configure_threads(trainer.mode)  # before the first step
        run._adopt(trainer)
        return run

    # ------------------------------------------------------------------------ reading
    @property
    def preset(self) -> str:
        return self.trainer.preset.name

    @property
    def settings(self) -> dict:
        """Every setting's current value (a copy)."""
        return dict(self.trainer.settings)

    @property
    def step_count(self) -> int:
        return self.trainer.step_count

    def samples(self, n: int, averaged: bool = True) -> np.ndarray:
        """``n`` generator samples in data units (1-D: (n,); 2-D: (n, 2); MNIST:
        (n, 28, 28) in [0, 1])."""
        return self.trainer.sample(n, averaged=averaged)

    def take_notices(self) -> list[str]:
        """What changes did that a user should be told (an optimiser restarted, say)."""
        return self.trainer.take_notices()

    # ----------------------------------------------------------------------- changing
    def change(self, **changes) -> tuple[str, ...]:
        """Change settings between iterations, as the window does; returns the names
        whose new value waits for a new run. SettingError changes nothing."""
        pending = self.trainer.update_settings(changes)
        self.coach.change_settings(self.trainer.settings)
        return pending

    def train(self, steps: int | None = None, seconds: float | None = None, *,
              log_every: int = 50, metrics_path: str | Path | None = None,
              progress: bool = False, keep_metrics: bool = True) -> RunSummary:
        """Train ``steps`` more iterations or for ``seconds`` of wall time.

        A metrics record is appended to :attr:`metrics` (and written as a line of
        ``metrics_path``) every ``log_every`` iterations and after the last one;
        ``keep_metrics=False`` records only the last (the figures cost time).
        ``metrics_path`` gets this call's records only: an old file of that name is
        replaced, atomically, when training ends (see :func:`headless.run`); a failed
        write raises :class:`OutputError` (an OSError) and stops training there.
        Raises :class:`Diverged` at a NaN/Inf loss, after going back to the last finite
        state kept; the records up to the divergence stay in :attr:`metrics`.
        """
        record = self.metrics.append
        summary = headless.run(
            self.trainer, steps=steps, seconds=seconds, log_every=log_every,
            metrics_path=None if metrics_path is None else Path(metrics_path),
            progress=progress, on_record=record if keep_metrics else None, kept=self.kept,
            coach=self.coach)
        if not keep_metrics:
            record(summary.last_metrics)
        if summary.diverged is not None:
            self.kept.restore(self.trainer)
            raise Diverged(summary.diverged, self.kept.step, summary)
        return summary

    def save(self, path: str | Path) -> Path:
        """Write the whole run to ``path`` (atomically), for :meth:`load`, ``--resume``
        or the window's File > Open. A folder that is not there raises SessionError."""
        return session.save(self.trainer, path)

    def summary(self, metrics: dict | None = None) -> str:
        """One line on how the run is doing (the figures of the last record by default)."""
        if metrics is None:
            metrics = self.metrics[-1] if self.metrics else headless.metrics_line(
                self.trainer, 0.0)
        return self.trainer.problem.summary(metrics)
