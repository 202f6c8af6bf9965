"""Where ganviz's bundled files are (the MNIST test split, the digit classifier's weights).

Installed, they are the package ``ganviz.resources``. In a source checkout that package
does not exist (``resources/`` only becomes ``ganviz/resources`` at install time), so the
checkout's own ``resources/`` folder is used.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

CHECKOUT_RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def resource_path(relative: str) -> Path:
    """The bundled file or folder ``relative`` (e.g. ``"mnist"``), installed or not."""
    try:
        root = importlib.resources.files("ganviz.resources")
    except ImportError:
        pass
    else:
        # Only a real folder will do: a plain or editable install gives one; ganviz is not
        # meant to run zipped, so a zipfile.Path falls through to the checkout layout.
        if isinstance(root, Path) and (root / relative).exists():
            return root / relative
    return CHECKOUT_RESOURCES / relative
