"""PyTorch's printed form of tensors, on NumPy arrays.

Reproduces, byte for byte, what ``repr(t)`` / ``str(t)`` give in PyTorch 2.x: the choice between
fixed, integer-valued (``1.``) and scientific notation, column alignment, wrapping at the line
width, summarisation with ``...``, nesting, and the ``device=`` / ``dtype=`` / ``size=`` /
``requires_grad=`` / ``grad_fn=`` suffixes. Everything here works on plain NumPy arrays so that the
Tensor class only has to hand over its data and metadata.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = [
    "PRINT_OPTS",
    "format_parameter",
    "format_tensor",
    "get_printoptions",
    "printoptions",
    "set_printoptions",
]


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()

# profile name -> (precision, threshold, edgeitems, linewidth), as in torch.set_printoptions.
_PROFILES: dict[str, tuple[int, float, int, int]] = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set options for printing tensors, with ``torch.set_printoptions`` semantics.

    A profile ("default", "short", "full") sets its values first; explicit arguments override it.
    As in PyTorch, ``sci_mode`` is always assigned, so leaving it out resets it to automatic.
    """
    if profile is not None and profile in _PROFILES:
        (
            PRINT_OPTS.precision,
            PRINT_OPTS.threshold,
            PRINT_OPTS.edgeitems,
            PRINT_OPTS.linewidth,
        ) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments for :func:`set_printoptions`."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily change the print options (same arguments as :func:`set_printoptions`)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# ---------------------------------------------------------------------------------------------
# Element formatting


class _Formatter:
    """Decides the notation and the common width of all printed elements of one tensor.

    ``values`` are the elements that will be shown (the summarised data when summarising), in the
    tensor's own dtype: PyTorch checks integrality in that dtype and compares magnitudes in double.
    """

    def __init__(self, values: np.ndarray, floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        precision = PRINT_OPTS.precision

        if not floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(f"{v}"))
            return

        nonzero_finite = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero_finite.size == 0:
            return  # only zeros, nan and inf: integer-style printing with width 1
        abs_vals = np.abs(nonzero_finite).astype(np.float64)
        vmin, vmax = abs_vals.min(), abs_vals.max()
        self.int_mode = bool(np.all(nonzero_finite == np.ceil(nonzero_finite)))
        if PRINT_OPTS.sci_mode is None:
            with np.errstate(over="ignore"):  # e.g. 1e300 / 1e-300 is inf, which is right
                ratio = vmax / vmin
            self.sci_mode = bool(ratio > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4)
        else:
            self.sci_mode = bool(PRINT_OPTS.sci_mode)

        pyvals = nonzero_finite.tolist()
        if self.sci_mode:
            widths = (len(f"{v:.{precision}e}") for v in pyvals)
        elif self.int_mode:
            widths = (len(f"{v:.0f}") + 1 for v in pyvals)  # +1 for the trailing "."
        else:
            widths = (len(f"{v:.{precision}f}") for v in pyvals)
        self.max_width = max(self.max_width, max(widths))

    def format(self, value: Any) -> str:
        """Format one Python scalar, right-aligned to the common width."""
        if self.floating:
            if self.sci_mode:
                s = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                s = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    s += "."  # marks the tensor as floating although the values are whole
            else:
                s = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            s = f"{value}"
        return " " * (self.max_width - len(s)) + s


# ---------------------------------------------------------------------------------------------
# Layout


def _summarized_data(a: np.ndarray) -> np.ndarray:
    """The elements that a summarised print shows (leading and trailing ``edgeitems`` per dim)."""
    edge = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        # Note: with edgeitems == 0, a[-0:] is the whole vector, as in PyTorch.
        return np.concatenate((a[:edge], a[-edge:])) if a.shape[0] > 2 * edge else a
    if not edge:
        return np.empty((0,) * a.ndim, dtype=a.dtype)
    rows = list(range(edge)) + list(range(a.shape[0] - edge, a.shape[0]))
    if a.shape[0] <= 2 * edge:
        rows = list(range(a.shape[0]))
    return np.stack([_summarized_data(a[i]) for i in rows])


def _vector_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    edge = PRINT_OPTS.edgeitems
    element_length = fmt.max_width + 2  # ", " between elements
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    if summarize and not edge:
        items = ["..."]
    elif summarize and a.shape[0] > 2 * edge:
        items = (
            [fmt.format(v) for v in a[:edge].tolist()]
            + [" ..."]
            + [fmt.format(v) for v in a[-edge:].tolist()]
        )
    else:
        items = [fmt.format(v) for v in a.tolist()]

    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)

    edge = PRINT_OPTS.edgeitems
    n = a.shape[0]
    if summarize and n > 2 * edge:
        slices = (
            [_nested_str(a[i], indent + 1, summarize, fmt) for i in range(edge)]
            + ["..."]
            + [_nested_str(a[i], indent + 1, summarize, fmt) for i in range(n - edge, n)]
        )
    else:
        slices = [_nested_str(a[i], indent + 1, summarize, fmt) for i in range(n)]
    # Blocks of higher dimensions are separated by (ndim - 1) newlines.
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _body_str(a: np.ndarray, indent: int, floating: bool) -> str:
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    fmt = _Formatter(_summarized_data(a) if summarize else a, floating)
    return _nested_str(a, indent, summarize, fmt)


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    # PyTorch's own measure of the last line (one more than its length when there is no newline).
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Public entry points

_NUMPY_DTYPES = {
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "bool",
}


def _canonical_dtype_name(name: str) -> str:
    return name[len("torch.") :] if name.startswith("torch.") else name


def format_tensor(
    data: np.ndarray,
    *,
    dtype_name: str,
    default_dtype_name: str = "float32",
    device: str | None = None,
    requires_grad: bool = False,
    grad_fn_name: str | None = None,
    prefix: str = "tensor(",
) -> str:
    """PyTorch's ``repr`` of a tensor holding ``data``.

    ``dtype_name`` is the tensor's dtype ("float32", "int64", "bool", ...), ``default_dtype_name``
    the current ``torch.get_default_dtype()``. ``device`` is printed unless it is None or "cpu".
    ``grad_fn_name`` (e.g. "AddBackward0") wins over ``requires_grad``, as in PyTorch.
    Complex dtypes are not supported.
    """
    dtype_name = _canonical_dtype_name(dtype_name)
    default_dtype_name = _canonical_dtype_name(default_dtype_name)
    if dtype_name.startswith("complex"):
        raise NotImplementedError("printing complex tensors is not supported")
    if dtype_name in _NUMPY_DTYPES:
        data = np.asarray(data, dtype=np.dtype(dtype_name))  # no copy when already that dtype
    else:
        data = np.asarray(data)
    floating = dtype_name.startswith(("float", "bfloat"))
    indent = len(prefix)
    suffixes: list[str] = []

    if device is not None:
        device = str(device)
        if device == "cuda":
            device = "cuda:0"  # a tensor's device always carries its index
        if device != "cpu":
            suffixes.append(f"device='{device}'")

    shape_str = str(tuple(int(s) for s in data.shape))
    dtype_suffix = f"dtype=torch.{dtype_name}"
    if data.size == 0:
        # NumPy-like: the shape is shown unless it is (0,); the dtype cannot be inferred from
        # the values, so anything but the default float dtype is named (int64 and bool too).
        if data.ndim != 1:
            suffixes.append("size=" + shape_str)
        if dtype_name != default_dtype_name:
            suffixes.append(dtype_suffix)
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + shape_str)
        if dtype_name not in (default_dtype_name, "int64", "bool"):
            suffixes.append(dtype_suffix)
        body = _body_str(data, indent, floating)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")

    return _add_suffixes(prefix + body, suffixes, indent)


def format_parameter(
    data: np.ndarray,
    *,
    dtype_name: str,
    default_dtype_name: str = "float32",
    device: str | None = None,
    requires_grad: bool = True,
) -> str:
    """PyTorch's ``repr`` of an ``nn.Parameter``: a header line, then the tensor's repr."""
    return "Parameter containing:\n" + format_tensor(
        data,
        dtype_name=dtype_name,
        default_dtype_name=default_dtype_name,
        device=device,
        requires_grad=requires_grad,
    )
