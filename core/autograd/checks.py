"""Checks made while running backward: saved tensors changed in place, NaN under anomaly mode."""

from __future__ import annotations

from core.autograd import anomaly
from core.autograd.function import (
    Node,
)


def _check_versions(node: Node) -> None:
    for box, version, array, creator in node._saved_versions:
        if box[0] != version:
            from core import dtypes

            if isinstance(creator, str):  # the node's own result, or a view
                what = f", which is output 0 of {_short_name(creator)},"
            else:  # an input, named by its grad_fn now (a leaf is not named)
                t = creator() if callable(creator) else None
                fn = t.grad_fn if t is not None else None
                what = (
                    f", which is output {t._output_nr} of {_short_name(fn.name())}," if fn else ""
                )
            kind = dtypes.from_numpy(array.dtype).legacy_type_name
            dims = ", ".join(str(s) for s in array.shape)
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{kind} [{dims}]]{what} is at version {box[0]}; "
                f"expected version {version} instead. Hint: enable anomaly detection to find the "
                "operation that failed to compute its gradient, with "
                "torch.autograd.set_detect_anomaly(True, check_nan=False)."
            )


def _short_name(name: str) -> str:
    """``AddBackward0`` -> ``Add``, as PyTorch names the creator in this message."""
    import re

    return re.sub(r"Backward\d*$", "", name.removeprefix("torch::autograd::"))


def _check_nan(node: Node, out: tuple) -> None:
    from core.backend import array_module

    for i, g in enumerate(out):
        if g is not None and array_module(g).isnan(g).any():
            anomaly.warn_forward_trace(node)
            raise RuntimeError(
                f"Function '{type(node).__name__}' returned nan values in its {i}th output."
            )
