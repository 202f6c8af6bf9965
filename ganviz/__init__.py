"""ganviz: watch a GAN learn, live.

``ganviz.Run`` trains one from Python (see :mod:`ganviz.core.api`). It is loaded on first
use: importing ``ganviz`` (or its command line) must not import torch, because the window
starts its training process before torch and Qt load.
"""

__version__ = "0.1.0"

_API = ("Run", "Diverged", "RunSummary", "SessionError", "SettingError", "OutputError")


def __getattr__(name: str):
    if name in _API:
        from ganviz.core import api

        return getattr(api, name)
    raise AttributeError(f"module 'ganviz' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
