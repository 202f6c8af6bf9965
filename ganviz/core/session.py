"""Sessions: a run saved to one file and resumed exactly where it stopped.

A session file holds the preset, every setting, both networks' weights (and the averaged
generator's), both optimisers' states, the random streams, the iteration counts and the
curves, plus the 2-D custom points if the run trains on them. It is written by
``torch.save`` and read back with ``torch.load(weights_only=True)``: only tensors and
plain containers are accepted, so a crafted file cannot run code when it is opened.
Writes go to a temporary file that replaces the old one only once it is complete.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import torch

from ganviz.core import config, presets

FORMAT = "ganviz-session"
VERSION = 1
SUFFIX = ".ganviz"


class SessionError(ValueError):
    """A session that cannot be saved or opened; ``str()`` is one line naming the file."""


def _to_tensors(value):
    """numpy arrays -> tensors, recursively (weights_only loading accepts no numpy)."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(value))
    if isinstance(value, dict):
        return {k: _to_tensors(v) for k, v in value.items()}
    return value


def _history_to_numpy(history: dict) -> dict:
    return {k: v.numpy().copy() if isinstance(v, torch.Tensor) else v
            for k, v in history.items()}


def save(trainer, path: str | Path) -> Path:
    """Write ``trainer``'s whole run to ``path`` atomically; returns the path."""
    path = Path(path)
    state = trainer.keep_state()
    state["history"] = _to_tensors(state["history"])
    problem_state = getattr(trainer.problem, "keep_state", None)
    custom = getattr(trainer.problem, "custom", None)
    content = {
        "format": FORMAT,
        "version": VERSION,
        "preset": trainer.preset.name,
        "settings": dict(trainer.settings),
        "state": state,
        "problem": problem_state() if problem_state is not None else None,
        "custom_points": None if custom is None else custom.points.clone(),
        "custom_description": None if custom is None else custom.description,
    }
    if not path.parent.is_dir():
        raise SessionError(f"{path.name}: folder {path.parent} does not exist")
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with open(temporary, "wb") as file:
            torch.save(content, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)  # atomic: the old file stays whole until this instant
    except OSError as error:
        raise SessionError(f"{path.name}: not saved ({error.strerror or error})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return path


def read(path: str | Path) -> dict:
    """The checked contents of a session file; SessionError for anything else."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise SessionError(f"{name}: no such file")
    try:
        content = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        # torch names the GLOBAL it refused: a callable the file asked to import and run.
        if "GLOBAL" in str(error) or "Unsupported global" in str(error):
            raise SessionError(f"{name}: refused: it holds Python objects that could run code "
                               f"when opened; a ganviz session holds only numbers") from None
        raise SessionError(f"{name}: not a ganviz session (unreadable data)") from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError, ValueError) as error:
        reason = str(error).splitlines()[0][:80] if str(error) else type(error).__name__
        raise SessionError(f"{name}: not a ganviz session, or truncated ({reason})") from None
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise SessionError(f"{name}: not a ganviz session (no ganviz header)")
    if content.get("version") != VERSION:
        raise SessionError(f"{name}: session version {content.get('version')!r}; this ganviz "
                           f"reads version {VERSION}")
    missing = {"preset", "settings", "state"} - set(content)
    if missing:
        raise SessionError(f"{name}: incomplete session (missing {', '.join(sorted(missing))})")
    return content


def load(path: str | Path, device=None, data=None):
    """A :class:`~ganviz.core.trainer.Trainer` continuing the run saved in ``path``.

    ``data``: MNIST presets' digits (default: as ``ganviz`` finds them). The settings are
    validated as if typed; a file whose networks do not fit its settings is refused.
    """
    from ganviz.core.trainer import Trainer

    path = Path(path)
    content = read(path)
    name = path.name
    try:
        preset = presets.get(str(content["preset"]))
        settings = config.validate(dict(content["settings"]), preset.mode)
        config.check_consistency({**preset.settings(), **settings})
    except (config.SettingError, TypeError) as error:
        raise SessionError(f"{name}: {error}") from None
    if preset.mode == "2d" and content.get("custom_points") is not None:
        from ganviz.core.data2d import Points2D

        data = Points2D(content["custom_points"].numpy(),
                        str(content.get("custom_description") or "custom points"))
    try:
        trainer = Trainer(preset, settings, device=device, data=data)
    except config.SettingError as error:  # a device this machine lacks, say
        raise SessionError(f"{name}: {error}") from None
    try:
        state = dict(content["state"])
        state["history"] = _history_to_numpy(state["history"])
        trainer.restore_state(state)
        restore_problem = getattr(trainer.problem, "restore_state", None)
        if restore_problem is not None and content.get("problem") is not None:
            restore_problem(content["problem"])
    except (RuntimeError, KeyError, TypeError, ValueError) as error:
        reason = str(error).splitlines()[0][:100]
        raise SessionError(f"{name}: its networks do not match its settings ({reason})") \
            from None
    return trainer
