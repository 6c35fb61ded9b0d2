"""The dependency rules of DESIGN.md, enforced."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imported_modules(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(out.stdout.split())


def test_core_imports_no_qt_pyqtgraph_playground_or_torch():
    mods = _imported_modules("import core, core.nn, core.optim, core.utils.data")
    for banned in ("PySide6", "pyqtgraph", "playground", "torch"):
        assert not any(m == banned or m.startswith(banned + ".") for m in mods), banned


def _imports(path: Path) -> set[str]:
    """Top-level package names a source file imports (real statements, not text in strings)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_backend_imports_cupy():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "core").rglob("*.py")
        if _imports(p) & {"cupy", "cupyx"} and p.name != "backend.py"
    ]
    assert offenders == []


def test_torch_is_never_imported_by_the_product():
    # Generated PyTorch code (the exported model.py) lives in strings, never as our import.
    offenders = [
        str(p.relative_to(ROOT))
        for pkg in ("core", "playground")
        for p in (ROOT / pkg).rglob("*.py")
        if "torch" in _imports(p)
    ]
    assert offenders == []
