"""Sessions: a run saved to one file and resumed exactly where it stopped.

A session file holds the preset, every setting, both networks' weights (and the averaged
generator's), both optimisers' states, the random streams, the iteration counts and the
curves, plus the 2-D custom points if the run trains on them. It is written by
``torch.save`` and read back with ``torch.load(weights_only=True)``: only tensors and
plain containers are accepted, so a crafted file cannot run code when it is opened.
Writes go to a temporary file that replaces the old one only once it is complete.
Opening checks the archive's sizes before torch.load and every field after
(:mod:`session_checks`, :mod:`session_state`): a damaged or crafted file is refused with
one line, never a crash and never a huge allocation, and a run with NaN weights is not
opened as a good one.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import numpy as np
import torch

from ganviz.core import config, presets, session_checks
from ganviz.core.atomic import atomic_write, sweep_partials
from ganviz.core.session_checks import Invalid

FORMAT = "ganviz-session"
VERSION = 1
SUFFIX = ".ganviz"
# A `.partial` left by a save that was killed is swept at the next save of that name; one
# younger than this may be another process's save still being written.
STALE_PARTIAL_S = 3600.0


class SessionError(ValueError):
    """A session that cannot be saved or opened; ``str()`` is one line naming the file."""

    def __init__(self, message: str) -> None:
        # One line, whatever a file put into it (a crafted name or setting could hold a
        # line break, or much text); 1,000 characters hold a setting error listing every
        # setting's name.
        super().__init__(re.sub(r"[\x00-\x1f\x7f]", " ", str(message))[:1000])


def _to_tensors(value):
    """numpy arrays -> tensors, recursively (weights_only loading accepts no numpy)."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(value))
    if isinstance(value, dict):
        return {k: _to_tensors(v) for k, v in value.items()}
    return value


def save(trainer, path: str | Path, with_timeline: bool = True) -> Path:
    """Write ``trainer``'s whole run to ``path`` atomically, with its timeline's snapshots
    (thinned to fit, see core/session_timeline.py) unless ``with_timeline`` is False;
    returns the path."""
    from ganviz.core import session_timeline

    path = Path(path)
    state = trainer.keep_state()
    state["history"] = _to_tensors(state["history"])
    custom = getattr(trainer.problem, "custom", None)
    content = {
        "format": FORMAT,
        "version": VERSION,
        "preset": trainer.preset.name,
        # The settings as the user left them, including changes still waiting for Reset;
        # state["built_with"] holds the values the networks were built with.
        "settings": dict(trainer.settings),
        "state": state,
        "custom_points": None if custom is None else custom.points.clone(),
        "custom_description": None if custom is None else custom.description,
    }
    if with_timeline and trainer.timeline is not None:
        content["timeline"] = session_timeline.pack(trainer.timeline)
    if not path.parent.is_dir():
        raise SessionError(f"{path.name}: folder {path.parent} does not exist")
    sweep_partials(path.parent, path.name, STALE_PARTIAL_S)
    try:
        with atomic_write(path) as file:  # the old file stays whole until it is complete
            torch.save(content, file)
    except OSError as error:
        raise SessionError(f"{path.name}: not saved ({error.strerror or error})") from None
    return path


def read(path: str | Path) -> dict:
    """The checked contents of a session file; SessionError for anything else."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise SessionError(f"{name}: no such file")
    try:
        session_checks.check_archive(path)  # sizes capped before anything is allocated
    except Invalid as error:
        raise SessionError(f"{name}: {error}") from None
    except OSError as error:
        raise SessionError(f"{name}: cannot be read ({error.strerror or error})") from None
    try:
        content = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        # torch names the GLOBAL it refused: a callable the file asked to import and run.
        if "GLOBAL" in str(error) or "Unsupported global" in str(error):
            raise SessionError(f"{name}: refused: it holds Python objects that could run code "
                               f"when opened; a ganviz session holds only numbers") from None
        raise SessionError(f"{name}: not a ganviz session (unreadable data)") from None
    except Exception as error:
        reason = str(error).splitlines()[0][:80] if str(error) else type(error).__name__
        raise SessionError(f"{name}: not a ganviz session, or truncated ({reason})") from None
    # Types before values: a tensor compared with == answers with a tensor.
    if not isinstance(content, dict) or type(content.get("format")) is not str or \
            content["format"] != FORMAT:
        raise SessionError(f"{name}: not a ganviz session (no ganviz header)")
    version = content.get("version")
    if type(version) is not int or version != VERSION:
        raise SessionError(f"{name}: session version {session_checks.describe(version)}; this "
                           f"ganviz reads version {VERSION}")
    missing = {"preset", "settings", "state"} - set(content)
    if missing:
        raise SessionError(f"{name}: incomplete session (missing {', '.join(sorted(missing))})")
    preset = content["preset"]
    if type(preset) is not str or preset not in presets.PRESETS:
        described = repr(preset[:40]) if type(preset) is str else session_checks.describe(preset)
        raise SessionError(f"{name}: preset {described} is unknown to this ganviz")
    if not isinstance(content["settings"], dict) or not isinstance(content["state"], dict):
        raise SessionError(f"{name}: damaged session (settings or state of the wrong kind)")
    try:
        session_checks.plain_settings(content["settings"], "settings")
        built_with = content["state"].get("built_with")
        session_checks.plain_settings({} if built_with is None else built_with,
                                      "state.built_with")
        description = content.get("custom_description")
        if description is not None and type(description) is not str:
            raise session_checks.refuse("custom_description", session_checks.describe(
                description), "a text")
    except Invalid as error:
        raise SessionError(f"{name}: {error}") from None
    return content


def _custom_points(content: dict, name: str):
    """The saved 2-D custom points, checked as a points file would be."""
    from ganviz.core.toy2d.data import Points2D
    from ganviz.core.toy2d.points import PointsError, check_points

    points = content.get("custom_points")
    if points is None:
        return None
    try:
        # A float tensor of two columns, before numpy sees it (a dtype numpy lacks, a
        # claimed shape of 10^12 rows over one number); check_points bounds the rows.
        session_checks.tensor(points, "custom_points", ndim=2)
        checked = check_points(points.numpy(), name)
    except Invalid as error:
        raise SessionError(f"{name}: {error}") from None
    except PointsError as error:
        raise SessionError(str(error)) from None
    return Points2D(checked, str(content.get("custom_description") or "custom points")[:200])


def load(path: str | Path, device=None, data=None):
    """A :class:`~ganviz.core.trainer.Trainer` continuing the run saved in ``path``.

    ``data``: an image preset's images (default: as ``ganviz`` finds them; they must be as
    many as the run was trained on), or a callable that reads them for the saved run's
    preset; other modes ignore it. The settings are validated as
    if typed; a file whose networks do not fit its settings is refused. Any problem is one
    SessionError line.
    """
    from ganviz.core import session_timeline
    from ganviz.core.session_state import check_state
    from ganviz.core.timeline import Timeline
    from ganviz.core.trainer import Trainer

    path = Path(path)
    content = read(path)
    name = path.name
    preset = presets.get(str(content["preset"]))
    state = dict(content["state"])
    try:
        saved, preset_settings = dict(content["settings"]), preset.settings()
        # A setting newer than the file: one the networks are built with takes its schema
        # default, which is how the run was built (the preset's own value may differ: the
        # mnist preset's InfoGAN code); a live one takes the preset's value (right while a
        # new live setting does nothing unless one built with it is on, as info_weight).
        for setting in config.settings_for(preset.mode):
            if setting.name not in saved:
                saved[setting.name] = (preset_settings[setting.name] if setting.live
                                       else setting.default)
        settings = config.validate(saved, preset.mode)
        built_with = config.validate(dict(state.get("built_with") or {}), preset.mode)
        config.check_consistency({**preset_settings, **settings})
    except (config.SettingError, TypeError, ValueError, AttributeError) as error:
        raise SessionError(f"{name}: {error}") from None
    if preset.mode == "2d":
        data = _custom_points(content, name)
    elif callable(data):  # the images read for the saved run's own preset (--resume --data)
        try:
            data = data(preset)
        except ValueError as error:  # a DataError: one line naming the file and problem
            raise SessionError(f"{name}: {error}") from None
    # The networks as they were built; settings changed since and waiting for Reset are
    # applied after, so that they go on waiting.
    waiting = {k: v for k, v in settings.items() if k in built_with and built_with[k] != v}
    try:
        trainer = Trainer(preset, {**settings, **built_with}, device=device, data=data,
                          pretrain=False)
    except config.SettingError as error:  # a device this machine lacks, say
        raise SessionError(f"{name}: {error}") from None
    except Exception as error:
        raise SessionError(f"{name}: cannot be trained here ({_reason(error)})") from None
    try:
        history = state.get("history")
        state = check_state(state, trainer)
        timeline = None
        if content.get("timeline") is not None:  # its snapshots share the checked curves
            timeline = session_timeline.unpack(content["timeline"], trainer, history)
    except Invalid as error:
        raise SessionError(f"{name}: {error}") from None
    except Exception as error:  # a case the checks did not foresee: still one line
        raise SessionError(f"{name}: damaged session ({_reason(error)})") from None
    try:
        streams_restored = trainer.restore_state(state)
        if waiting:
            trainer.update_settings(waiting)
    except Exception as error:
        raise SessionError(f"{name}: its saved run does not fit its settings "
                           f"({_reason(error)})") from None
    if timeline is not None:
        trainer.timeline = Timeline.from_dict(timeline, preset.mode)
    trainer.take_notices()  # what restoring did is not news to the user
    if not streams_restored:
        trainer.notices.append(f"{name} was saved on another kind of device: its networks and "
                               "history are restored, its random streams start afresh")
    return trainer


def _reason(error: Exception) -> str:
    text = str(error).splitlines()[0][:120] if str(error) else ""
    return text or type(error).__name__
