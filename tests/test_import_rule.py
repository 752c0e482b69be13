"""DESIGN.md: the core never imports Textual; only tui/console/ does."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import keys
import tui

ROOT = Path(__file__).resolve().parents[1]


def core_modules() -> list[str]:
    names = []
    for pkg in (keys, tui):
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{pkg.__name__}."):
            if info.name.startswith("tui.console") or info.name == "tui.__main__":
                continue
            names.append(info.name)
    return names


def test_core_has_modules_to_check():
    names = core_modules()
    assert "keys.signing" in names and "tui.cli" in names and "tui.catalog.documents" in names


def test_core_never_imports_textual():
    names = core_modules()
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({n!r})\n" for n in names)
    code += "import tui.cli; tui.cli.build_parser()\n"
    code += "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\nprint(bad)\n"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
