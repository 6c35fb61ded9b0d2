"""The five tutorials in ../shared/seeds run with ``import core as torch``.

The Python blocks are extracted from each tutorial's text and run in order in one namespace per
tutorial, with these substitutions (each a consequence of running here, none a change of what the
code asks of the library):

- ``import torch...`` / ``from torch...`` become the same imports of ``core``;
- notebook lines (``%matplotlib inline``, ``!pip ...``) are dropped and matplotlib is a stub;
- the two training loops of 001, whose indentation the web page lost, are re-indented;
- ``.cuda()`` becomes ``.to(device)`` with the tutorial's own ``device`` (CUDA when available,
  else its CPU fallback), and the GPU timing of a 10000x10000 sine runs on 100x100 and only with
  CUDA;
- 001 reads ``loss.data[0]`` on a 0-d loss, which PyTorch >= 0.5 rejects (IndexError, checked
  below for both): it reads ``loss.item()``;
- 002 is prose around snippets: the names its snippets assume (``torch``, ``x``, ``y``,
  ``Variable``, a ``loss`` of the linear model it describes) are defined first, and the 5x3
  uniform tensor it creates is named ``x``, as its next snippet reads it.

004 holds notes and no code block; its CIFAR classifier (DataLoader, the conv net, the 5-step
optimizer loop, evaluation under ``no_grad``) is trained on real pictures in
``tests/test_tutorial_classifier.py``.
"""

from __future__ import annotations

import ast
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import core

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
if not SEEDS.is_dir():  # a checkout outside the workplace layout
    SEEDS = Path(__file__).resolve().parents[1] / "resources" / "seeds"

FILES = sorted(SEEDS.glob("0*.txt")) if SEEDS.is_dir() else []
pytestmark = pytest.mark.skipif(not FILES, reason=f"seed tutorials not found at {SEEDS}")

FENCE = re.compile(r"^```[ \t]*(\w*)[ \t]*\n(.*?)^```", re.M | re.S)


def extract_blocks(text: str) -> list[str]:
    """The tutorial's Python code: fenced blocks that parse (output blocks, shown indented, don't)."""
    blocks = []
    for lang, body in FENCE.findall(text):
        if lang and lang != "python":
            continue
        lines = [ln for ln in body.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        code = "\n".join(lines).strip("\n")
        if not code.strip():
            continue
        try:
            ast.parse(code)
        except IndentationError:
            if code[:1].isspace():  # an output block, shown indented
                continue
            code = reindent(code)
        except SyntaxError:
            continue
        blocks.append(code)
    return blocks


def reindent(code: str) -> str:
    """001's loops lost their indentation on the web page: the first header takes every line that
    follows, a header inside it takes the one line after it (as the tutorial's loops read)."""
    out, depth, extra = [], 0, 0
    for line in code.splitlines():
        out.append("    " * (depth + extra) + line)
        extra = 0
        if line.rstrip().endswith(":") and not line.lstrip().startswith("#"):
            if depth == 0:
                depth = 1
            else:
                extra = 1
    fixed = "\n".join(out)
    ast.parse(fixed)
    return fixed


def adapt(code: str, tutorial: str) -> str:
    code = re.sub(r"^(\s*)import torch\s*$", r"\1import core as torch", code, flags=re.M)
    code = re.sub(r"^(\s*)import torch\.(\S+) as", r"\1import core.\2 as", code, flags=re.M)
    code = re.sub(r"^(\s*)from torch(\S*) import", r"\1from core\2 import", code, flags=re.M)
    code = code.replace(".cuda()", ".to(device)")
    code = code.replace("time_numpy(10000)", "time_numpy(100)")
    code = code.replace(
        "print(time_torch(10000))", "print(time_torch(100) if torch.cuda.is_available() else '-')"
    )
    if tutorial.startswith("001"):
        code = code.replace("loss.data[0]", "loss.item()")
    if tutorial.startswith("002"):  # "print(x.size())" follows: the x the prose creates
        code = re.sub(
            r"^torch\.Tensor\(5, 3\)\.uniform_", "x = torch.Tensor(5, 3).uniform_", code, flags=re.M
        )
    return code


def _plt_stub() -> types.ModuleType:
    plt = types.ModuleType("matplotlib.pyplot")
    for name in ("scatter", "show", "plot", "figure", "title", "xlabel", "ylabel", "legend"):
        setattr(plt, name, lambda *a, **k: None)
    mpl = types.ModuleType("matplotlib")
    mpl.pyplot = plt
    return mpl


def _prelude(tutorial: str) -> dict:
    ns: dict = {"__name__": f"seed_{tutorial[:3]}"}
    if tutorial.startswith("002"):  # imports nothing: its snippets assume torch and Variable
        ns.update(torch=core, np=np, x=5, y=3, Variable=core.autograd.Variable)
    return ns


# Lines that PyTorch 2.13 itself rejects, with the exception it raises (core must raise the same).
RAISES = {
    # 001 shows that (4, 6) * (6, 4) used to broadcast "inadvertently"; PyTorch now refuses it
    'print("x * y (elementwise multiply) : ", x * y)': RuntimeError,
}


def _002_loss_prelude(ns: dict) -> None:
    """002 calls ``loss(x_val, y_val)`` of the linear model w*x it describes, never defined."""
    w = ns["w"]
    ns["x_val"] = core.Tensor([ns["x_data"][0]])
    ns["y_val"] = core.Tensor([ns["y_data"][0]])
    ns["loss"] = lambda x, y: ((x * w - y) ** 2).sum()


CASES = []
for path in FILES:
    for i, block in enumerate(extract_blocks(path.read_text(encoding="utf-8"))):
        CASES.append(pytest.param(path.name, i, block, id=f"{path.name[:3]}-block{i:02d}"))

NAMESPACES: dict[str, dict] = {}


@pytest.fixture(autouse=True)
def _stub_matplotlib(monkeypatch):
    mpl = _plt_stub()
    monkeypatch.setitem(sys.modules, "matplotlib", mpl)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", mpl.pyplot)


def test_every_tutorial_with_code_has_blocks() -> None:
    counts = {p.name[:3]: len(extract_blocks(p.read_text(encoding="utf-8"))) for p in FILES}
    assert all(counts[k] >= 5 for k in ("000", "001", "002", "003")), counts
    assert counts["004"] == 0  # notes only: its classifier is tests/test_tutorial_classifier.py


@pytest.mark.parametrize("tutorial,index,block", CASES)
def test_seed_block(tutorial: str, index: int, block: str, capsys) -> None:
    ns = NAMESPACES.setdefault(tutorial, _prelude(tutorial))
    if tutorial.startswith("002") and "loss(x_val, y_val)" in block:
        _002_loss_prelude(ns)
    core.manual_seed(index)
    code = compile(adapt(block, tutorial), f"<{tutorial} block {index}>", "exec")
    expected = [exc for line, exc in RAISES.items() if line in block]
    if expected:
        with pytest.raises(expected[0]):
            exec(code, ns)
    else:
        exec(code, ns)
    capsys.readouterr()


# --- what the blocks print, where the tutorial shows it and it does not depend on randomness ----
def test_000_printed_results() -> None:
    torch = core
    x = torch.tensor([5.5, 3])
    assert repr(x) == "tensor([5.5000, 3.0000])"
    x = x.new_ones(5, 3, dtype=torch.double)
    assert repr(x).endswith("dtype=torch.float64)")
    assert repr(torch.zeros(4, 4).view(-1, 8).size()) == "torch.Size([2, 8])"
    a = torch.ones(5)
    b = a.numpy()
    a.add_(1)
    assert repr(a) == "tensor([2., 2., 2., 2., 2.])" and str(b) == "[2. 2. 2. 2. 2.]"
    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    assert repr(t) == "tensor([2., 2., 2., 2., 2.], dtype=torch.float64)"
    x = torch.ones(2, 2, requires_grad=True)
    assert repr(x) == "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)"
    y = x + 2
    assert repr(y) == "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)"
    assert re.fullmatch(r"<AddBackward0 object at 0x[0-9a-f]+>", repr(y.grad_fn))
    z = y * y * 3
    out = z.mean()
    assert repr(z) == "tensor([[27., 27.],\n        [27., 27.]], grad_fn=<MulBackward0>)"
    assert repr(out) == "tensor(27., grad_fn=<MeanBackward0>)"
    out.backward()
    assert repr(x.grad) == "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])"


def test_001_loss_data_index_on_0d_raises_as_in_pytorch() -> None:
    loss = core.nn.functional.mse_loss(core.ones(3, 1), core.zeros(3, 1))
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        loss.data[0]  # noqa: B018
    try:
        import torch
    except ImportError:
        return
    with pytest.raises(IndexError, match="invalid index of a 0-dim tensor"):
        torch.nn.functional.mse_loss(torch.ones(3, 1), torch.zeros(3, 1)).data[0]  # noqa: B018


def test_001_variable_and_grad_fn() -> None:
    ns = NAMESPACES.get("001_7da401996fb2d863.txt")
    if ns is None or "z_sum" not in ns:
        pytest.skip("runs after the 001 blocks")
    assert ns["z_sum"].grad_fn.name() == "SumBackward0"
    assert ns["z"].grad_fn.name() == "AddBackward0"
    assert ns["x"].data is not None


def test_003_perceptron_learns_y_equals_3x() -> None:
    ns = NAMESPACES.get("003_8201f0f80e7f6c80.txt")
    if ns is None or "net" not in ns:
        pytest.skip("runs after the 003 blocks")
    out = ns["net"](core.ones(1, 1, 1))
    assert abs(out.item() - 3.0) < 0.1
    assert out.grad_fn is not None


def test_001_regression_fits_the_line() -> None:
    ns = NAMESPACES.get("001_7da401996fb2d863.txt")
    if ns is None or "opt" not in ns:
        pytest.skip("runs after the 001 blocks")
    w, b = (p.item() for p in ns["my_model"].parameters())
    first = core.nn.functional.mse_loss(core.zeros(10, 1), ns["y"]).item()
    assert ns["loss"].item() < first / 100
    assert abs(w - np.pi) < 1.0 and abs(b - 42.5) < 3.0, (w, b)
