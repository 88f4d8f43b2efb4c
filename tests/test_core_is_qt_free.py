"""The core library must never import Qt (the GUI is a separate package).

Imports every module of ``landtool`` in a fresh interpreter and checks that no Qt binding was
loaded; import-linter checks the same statically from ``pyproject.toml`` in ``run.py test``.
"""

import pkgutil
import subprocess
import sys

import landtool

QT_MODULES = ("PySide6", "PyQt5", "PyQt6", "qtpy", "shiboken6")


def test_no_module_of_landtool_imports_qt():
    names = [m.name for m in pkgutil.walk_packages(landtool.__path__, "landtool.")]
    assert "landtool.cli" in names and "landtool.workspace" in names
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"landtool imported Qt: {out.stdout}"
