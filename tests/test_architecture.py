"""The dependency rules of DESIGN.md, enforced."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imported_modules(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(out.stdout.split())


def test_core_imports_no_qt_pyqtgraph_playground_or_torch():
    mods = _imported_modules("import core, core.nn, core.optim, core.utils.data")
    for banned in ("PySide6", "pyqtgraph", "playground", "torch"):
        assert not any(m == banned or m.startswith(banned + ".") for m in mods), banned


def test_only_backend_imports_cupy():
    offenders = []
    for path in (ROOT / "core").rglob("*.py"):
        text = path.read_text()
        if re.search(r"^\s*(import cupy|from cupy)", text, re.M) and path.name != "backend.py":
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_torch_is_never_imported_by_the_product():
    offenders = []
    for pkg in ("core", "playground"):
        for path in (ROOT / pkg).rglob("*.py"):
            if re.search(r"^\s*(import torch|from torch)\b", path.read_text(), re.M):
                offenders.append(str(path.relative_to(ROOT)))
    # Generated PyTorch code lives in strings (model.py export), never as an import of ours.
    assert offenders == []
