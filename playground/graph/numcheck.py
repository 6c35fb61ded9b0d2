"""Numerical check of one backward node: its analytic gradient against central finite differences.

The node's forward is replayed in float64 on a fresh instance of its class, with the inputs it
saved (or, for ops that saved only their result, inputs recovered from it; for ops whose gradient
does not depend on their inputs, random inputs of the same shapes). The scalar checked is
``L(x) = sum(g * f(x))`` with ``g`` the gradient that arrived at the node, so dL/dx_i is exactly
the gradient the node sends to input ``i``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.fp_quiet import quiet
from playground.graph.model import GraphNode
from playground.graph.stepper import Step

# Ops that keep only their result: their input, recovered from it.
INVERSES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "ExpBackward0": np.log,
    "TanhBackward0": lambda o: np.arctanh(np.clip(o, -1 + 1e-12, 1 - 1e-12)),
    "SigmoidBackward0": lambda o: np.log(o / (1 - o)),
    "ReluBackward0": lambda o: np.where(o > 0, o, -1.0),
    "SqrtBackward0": lambda o: o * o,
    "RsqrtBackward0": lambda o: 1 / (o * o),
    "ReciprocalBackward0": lambda o: 1 / o,
    "TanBackward0": np.arctan,
    "LogSoftmaxBackward0": lambda o: o,
    "SoftmaxBackward0": np.log,
}


@dataclass
class NumCheck:
    available: bool
    message: str
    max_abs_error: float = float("nan")
    max_rel_error: float = float("nan")
    ok: bool | None = None
    at_actual_inputs: bool = False
    per_input: dict[int, float] = field(default_factory=dict)  # input slot -> max abs error


def _sum_to(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    g = np.asarray(g)
    if g.shape == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and g.shape[i + lead] != 1
    )
    return g.sum(axis=axes, keepdims=True).reshape(shape) if axes else g.reshape(shape)


def _array(t: Any) -> np.ndarray | None:
    from core.inspect import to_array

    return None if t is None else to_array(t)


def _inputs(fn: Any, n_in: int, meta: tuple, rng: np.random.Generator) -> tuple[list, bool, str]:
    """Input arrays (float64 where floating), whether they are the actual ones, and a note."""
    cls = type(fn)
    saves = tuple(getattr(cls, "saves", ()))
    xs: list[Any] = [None] * n_in
    for i, nm in enumerate(saves[:n_in]):
        try:
            xs[i] = _array(getattr(fn, "_saved_" + nm))
        except IndexError:  # an input given as a number: nothing saved for it
            xs[i] = None
    actual, note = True, "at the actual inputs"
    missing = [i for i in range(n_in) if xs[i] is None]
    if missing and getattr(cls, "saves_result", False) and cls.__name__ in INVERSES and n_in == 1:
        with np.errstate(all="ignore"):
            xs[0] = INVERSES[cls.__name__](_array(fn._saved_result).astype(np.float64))
        note = "at the actual input, recovered from the saved result"
    elif missing:
        actual = False
        note = "at random inputs of the same shapes (this node does not keep its inputs)"
        for i in missing:
            shape, dt = meta[i]
            if np.dtype(dt).kind not in "fc":
                raise ValueError(f"input {i} is not floating point and was not saved")
            xs[i] = rng.standard_normal(shape)
    # C order: the finite differences perturb elements through a flat view.
    xs = [
        np.array(x, dtype=np.float64, order="C") if np.asarray(x).dtype.kind in "fc" else x
        for x in xs
    ]
    return xs, actual, note


# Forward arguments of shape ops that keep them under another name (or not at all: the output
# shape is the gradient's shape).
PARAMS: dict[str, Callable[[Any, tuple[int, ...]], list[Any]]] = {
    "ViewBackward0": lambda fn, out: [out],
    "UnsafeViewBackward0": lambda fn, out: [out],
    "ExpandBackward0": lambda fn, out: [out],
    "SliceBackward0": lambda fn, out: [len(fn.key) - 1, fn.key[-1]],
    "CatBackward0": lambda fn, out: [fn.dim],
    "StackBackward0": lambda fn, out: [fn.dim],
    # target, weight (weights given to the loss make the replay check decline), reduction,
    # ignore_index (already folded into the kept target)
    "NllLossBackward0": lambda fn, out: [
        fn.safe[0] if fn.unbatched else fn.safe,
        None,
        fn.reduction,
        -100,
    ],
}


def _params(fn: Any, n_in: int, out_shape: tuple[int, ...] | None) -> tuple[list[Any], bool]:
    """The forward's non-array arguments, read back from the attributes the forward set, and
    whether they all were (a number the op did not keep is replaced by 1.0)."""
    adapter = PARAMS.get(type(fn).__name__)
    if adapter is not None and out_shape is not None:
        return adapter(fn, out_shape), True
    sig = inspect.signature(type(fn).forward)
    params = list(sig.parameters.values())[1 + n_in :]
    out: list[Any] = []
    exact = True
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            break
        if p.name in fn.__dict__:
            out.append(fn.__dict__[p.name])
        elif p.default is not p.empty:
            out.append(p.default)
        else:
            out.append(1.0)
            exact = False
    return out, exact


def check_node(
    node: GraphNode, step: Step | None = None, eps: float = 1e-6, samples: int = 48, seed: int = 0
) -> NumCheck:
    """Finite differences against the analytic gradient of ``node`` (largest error shown)."""
    fn = node.fn
    if node.kind == "leaf":
        return NumCheck(False, "AccumulateGrad only adds the arriving gradient into .grad.")
    if fn is None:
        return NumCheck(False, "Nothing to differentiate here.")
    if not hasattr(type(fn), "saves") or hasattr(fn, "_function"):
        return NumCheck(False, "Not available for a custom autograd.Function.")
    meta = tuple(getattr(fn, "_input_meta", ()))
    n_in = len(meta)
    if getattr(fn, "num_outputs", 1) != 1 or n_in == 0:
        return NumCheck(False, "Not available for this node (several outputs or no inputs).")
    rng = np.random.default_rng(seed)
    try:
        xs, actual, note = _inputs(fn, n_in, meta, rng)
        g_rec = (
            step.record.grad_outputs[0] if step is not None and step.record.grad_outputs else None
        )
        out_shape = tuple(g_rec.shape) if g_rec is not None else node.shape
        params, exact = _params(fn, n_in, out_shape)
        if not exact and actual:
            actual = False
            note = "at a substitute point (this node does not keep a number it was given)"
    except (ValueError, RuntimeError, AttributeError) as exc:
        return NumCheck(False, f"Not available: {exc}.")
    need = tuple(getattr(fn, "needs_input_grad", ())) or (True,) * n_in

    def fresh() -> Any:
        f = type(fn)()
        f.needs_input_grad = tuple(need)
        f._input_meta = meta
        return f

    def forward(args: list) -> np.ndarray:
        with quiet():  # as the op itself runs (see core.fp_quiet)
            return np.asarray(fresh().forward(*args, *params), dtype=np.float64)

    try:
        out = forward(xs)
        if out_shape is not None and tuple(out.shape) != tuple(out_shape):
            return NumCheck(False, "Could not replay this node's forward (its output shape).")
        g = _array(g_rec) if g_rec is not None else None
        g = np.ones(out.shape) if g is None or g.shape != out.shape else g.astype(np.float64)
        f = fresh()
        with quiet():
            f.forward(*xs, *params)
            back = tuple(f.backward(g))[:n_in]  # extra entries: numbers given to the op
        replay = [None if r is None else _sum_to(r, m[0]) for r, m in zip(back, meta)]
    except Exception as exc:  # noqa: BLE001 - a replay that fails is reported, never raised
        return NumCheck(
            False, f"Could not replay this node's forward ({type(exc).__name__}: {exc})."
        )
    analytic = replay
    if actual and step is not None:
        recorded = [_array(r) for r in step.record.grad_inputs]
        for i, (a, r) in enumerate(zip(replay, recorded)):
            if a is None or r is None:
                continue
            scale = max(1.0, float(np.abs(r).max(initial=0)))
            if a.shape != r.shape or np.abs(a - r).max(initial=0) > 1e-3 * scale:
                return NumCheck(False, f"Could not replay this node's forward (input {i} differs).")
        analytic = [r.astype(np.float64) if r is not None else None for r in recorded]

    def loss(args: list) -> float:
        return float(np.sum(g * forward(args)))

    per_input: dict[int, float] = {}
    worst_abs, worst_rel = 0.0, 0.0
    base = loss(xs)
    kinks = 0
    for i in range(n_in):
        if i >= len(analytic) or analytic[i] is None or not need[i]:
            continue
        x = xs[i]
        if x.dtype.kind not in "fc":
            continue
        flat = x.reshape(-1)
        picks = (
            np.arange(flat.size)
            if flat.size <= samples
            else rng.choice(flat.size, samples, replace=False)
        )
        fd = np.empty(len(picks))
        smooth = np.ones(len(picks), dtype=bool)
        for j, k in enumerate(picks):
            h = eps * max(1.0, abs(float(flat[k])))
            old = flat[k]
            flat[k] = old + h
            up = loss(xs)
            flat[k] = old - h
            down = loss(xs)
            flat[k] = old
            fd[j] = (up - down) / (2 * h)
            # One-sided slopes that disagree: a kink (relu at 0, a tie in max) where the
            # derivative is not defined and any subgradient is right.
            right, left = (up - base) / h, (base - down) / h
            smooth[j] = abs(right - left) <= 1e-3 * max(1.0, abs(right), abs(left))
        kinks += int((~smooth).sum())
        an = np.asarray(analytic[i], dtype=np.float64).reshape(-1)[picks]
        fd, an = fd[smooth], an[smooth]
        err = float(np.abs(fd - an).max(initial=0))
        scale = max(1e-12, float(np.abs(fd).max(initial=0)), float(np.abs(an).max(initial=0)))
        per_input[i] = err
        worst_abs, worst_rel = max(worst_abs, err), max(worst_rel, err / scale)
    if not per_input:
        return NumCheck(False, "No input of this node needs a gradient.")
    tol = 1e-3 if actual and step is not None else 1e-5  # the recorded gradient is float32
    ok = worst_rel <= tol or worst_abs <= 1e-6
    n = sum(1 for _ in per_input)
    return NumCheck(
        True,
        f"Finite differences {note}, {n} input(s): largest error {worst_abs:.3g} "
        f"(relative {worst_rel:.3g}) {'OK' if ok else 'MISMATCH'}."
        + (f" {kinks} element(s) at a kink (not differentiable there) skipped." if kinks else ""),
        worst_abs,
        worst_rel,
        ok,
        actual,
        per_input,
    )
