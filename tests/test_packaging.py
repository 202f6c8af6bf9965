"""The installed package must hold every subpackage: CI installs with `pip install .`,
not in editable mode, so a folder missing from pyproject's list breaks every import."""

from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_folder_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "ganviz").rglob("__init__.py")
    }
    assert found - listed == set(), "add these to [tool.setuptools] packages"
    for package, folder in config["package-dir"].items():
        assert (ROOT / folder / "__init__.py").is_file(), package
    assert listed - found - {"ganviz.resources", "ganviz.resources.examples",
                             "ganviz.resources.mnist"} == set()
