"""``autograd.gradcheck``: analytic gradients against central finite differences (float64)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


class GradcheckError(RuntimeError):
    pass


def numerical_jacobian_column(
    fn: Callable[[], Any], arr: np.ndarray, i: int, eps: float
) -> np.ndarray:
    flat = arr.reshape(-1)
    orig = flat[i].item()
    flat[i] = orig + eps
    plus = _as_numpy(fn())
    flat[i] = orig - eps
    minus = _as_numpy(fn())
    flat[i] = orig
    return (plus - minus) / (2 * eps)


def _as_numpy(out: Any) -> np.ndarray:
    from core.backend import to_numpy

    outs = out if isinstance(out, (tuple, list)) else (out,)
    return np.concatenate([to_numpy(o._data).astype(np.float64).reshape(-1) for o in outs])


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    **_: Any,
) -> bool:
    """True when every input's analytic Jacobian matches finite differences."""
    from core.autograd.engine import grad as autograd_grad
    from core.autograd.grad_mode import no_grad
    from core.tensor import Tensor

    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    with no_grad():
        out_ref = func(*inputs)
    n_out = _as_numpy(out_ref).size
    for t in diff:
        if t.dtype.name != "float64":
            import warnings

            warnings.warn(
                "Input #0 requires gradient and is not a double precision floating point.",
                stacklevel=2,
            )
        arr = t._data
        numeric = np.zeros((arr.size, n_out))
        with no_grad():
            for i in range(arr.size):
                numeric[i] = numerical_jacobian_column(lambda: func(*inputs), arr, i, eps)
        analytic = np.zeros_like(numeric)
        for j in range(n_out):
            out = func(*inputs)
            outs = out if isinstance(out, (tuple, list)) else (out,)
            flat = [o.reshape(-1) for o in outs]
            sizes = [f.numel() for f in flat]
            k, offset = 0, j
            while offset >= sizes[k]:
                offset -= sizes[k]
                k += 1
            (g,) = autograd_grad(flat[k][offset], t, allow_unused=True)
            if g is not None:
                analytic[:, j] = np.asarray(g._data, dtype=np.float64).reshape(-1)
        if not np.allclose(analytic, numeric, atol=atol, rtol=rtol):
            if raise_exception:
                err = np.abs(analytic - numeric).max()
                raise GradcheckError(
                    "Jacobian mismatch for output 0 with respect to input 0,\n"
                    f"numerical:{numeric}\nanalytical:{analytic}\nlargest error: {err:.3g}\n"
                )
            return False
    return True
