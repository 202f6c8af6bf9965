"""The core stays free of Qt, and the window shows before torch has loaded."""

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return set(result.stdout.split())


def test_core_imports_no_qt():
    modules = _modules_after(
        "import ganviz.core.trainer, ganviz.core.headless, ganviz.core.toy1d.evaluation, "
        "ganviz.core.mnist.data, ganviz.core.mnist.download, ganviz.cli"
    )
    assert "torch" in modules
    assert not {m for m in modules if m.startswith(("PySide6", "pyqtgraph", "shiboken"))}


def test_window_module_does_not_import_torch():
    # torch takes seconds to import: the worker thread imports it after the window shows.
    modules = _modules_after("import ganviz.app.main_window")
    assert "PySide6.QtWidgets" in modules
    assert "torch" not in modules


def test_the_1d_targets_load_without_torch():
    # The window draws the real density from them before torch has loaded.
    modules = _modules_after("import ganviz.core.toy1d.data, ganviz.core.metrics")
    assert "torch" not in modules
