"""Matrix products with PyTorch's dispatch: matmul picks dot, mv, mm or bmm as PyTorch does."""

from __future__ import annotations

from typing import Any

import numpy as np

from core._dispatch import check_same_device, with_out
from core.autograd.function import apply_op
from core.ops import linalg as L
from core.tensor import Tensor


def _dtype_name(t: Tensor) -> str:
    return {
        "float32": "float",
        "float64": "double",
        "float16": "c10::Half",
        "int64": "long int",
    }.get(t.dtype.name, t.dtype.name)


def _check_pair(a: Tensor, b: Tensor, kernel: str = "addmm_impl_cpu_") -> None:
    check_same_device(a, b)
    if a._data.dtype == np.bool_ and b._data.dtype == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_dtype_name(a)} != {_dtype_name(b)}"
        )


def mm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({input.shape[0]}x{input.shape[1]} and "
            f"{mat2.shape[0]}x{mat2.shape[1]})"
        )
    _check_pair(input, mat2)
    result = apply_op(L.MmBackward0, (input, mat2))
    if out is not None:
        from core._dispatch import write_out

        return write_out(out, result)
    return result


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    s1, s2, sb = mat1._data.shape, mat2._data.shape, input._data.shape
    if (
        len(s1) == 2
        and len(s2) == 2
        and s1[1] == s2[0]
        and (sb == (s2[1],) or sb == (s1[0], s2[1]))
        and type(mat1._data) is type(mat2._data)
        and mat1._data.dtype == mat2._data.dtype
        and mat1._data.dtype != np.bool_
    ):  # a Linear layer's call: every check below would pass
        return apply_op(L.AddmmBackward0, (input, mat1, mat2), beta, alpha)
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({mat1.shape[0]}x{mat1.shape[1]} and "
            f"{mat2.shape[0]}x{mat2.shape[1]})"
        )
    _check_pair(mat1, mat2)
    target = (mat1.shape[0], mat2.shape[1])
    bias = tuple(input.shape)
    if bias != target:
        lead = len(target) - len(bias)
        for i, n in enumerate(bias):
            if lead < 0 or (n != 1 and n != target[i + lead]):
                raise RuntimeError(
                    f"The expanded size of the tensor ({target[max(i + lead, 0)]}) must match the "
                    f"existing size ({n}) at non-singleton dimension {max(i + lead, 0)}.  Target "
                    f"sizes: {list(target)}.  Tensor sizes: {list(bias)}"
                )
    return apply_op(L.AddmmBackward0, (input, mat1, mat2), beta, alpha)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(
            "batch1 must be a 3D tensor" if input.ndim != 3 else "batch2 must be a 3D tensor"
        )
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{input.shape[0]}, "
            f"{input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}]."
        )
    _check_pair(input, mat2)
    return apply_op(L.BmmBackward0, (input, mat2))


def mv(input: Tensor, vec: Tensor) -> Tensor:
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x{input.shape[1]}), "
            f"vec ({vec.shape[0]})"
        )
    _check_pair(input, vec)
    return apply_op(L.MvBackward0, (input, vec))


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src [{tensor.shape[0]}] to have the same number of "
            f"elements, but got {input.shape[0]} and {tensor.shape[0]} elements respectively"
        )
    _check_pair(input, tensor, "dot")
    return apply_op(L.DotBackward0, (input, tensor))


vdot = inner = dot


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    return input.reshape(-1, 1) * vec2


ger = outer


def matmul(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """PyTorch's dispatch (so the graph has PyTorch's nodes): dot, mv, mm, folding into mm/mv
    where PyTorch folds, else expanded batches through bmm."""
    a, b = input, other
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        )
    if a.ndim == 1 and b.ndim == 1:
        result = dot(a, b)
    elif a.ndim == 2 and b.ndim == 1:
        result = mv(a, b)
    elif a.ndim == 1 and b.ndim == 2:
        result = mm(a.unsqueeze(0), b).squeeze_(0)
    elif a.ndim == 2 and b.ndim == 2:
        result = mm(a, b)
    elif _should_fold(a, b):
        result = _folded_matmul(a, b)
    else:
        result = _batched_matmul(a, b)
    if out is not None:
        from core._dispatch import write_out

        return write_out(out, result, "matmul")
    return result


def _should_fold(a: Tensor, b: Tensor) -> bool:
    """PyTorch folds the batch of the larger operand into mm/mv when that costs no copy, or when
    the smaller operand requires grad (a smaller tensor saved for backward)."""
    larger = a.ndim >= b.ndim
    t1 = a if larger else b.mT
    small = b if larger else a
    if not (t1.ndim >= 3 and small.ndim <= 2):
        return False
    if small.requires_grad:
        return True
    if a.ndim == 2:
        return False
    if t1.numel() == 0:
        return True
    shape, strides = t1.shape, t1.stride()
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(t1.ndim - 2))


def _folded_matmul(a: Tensor, b: Tensor) -> Tensor:
    from core.ops.shape import UnsafeViewBackward0

    transpose = b.ndim > a.ndim
    t1 = b.mT if transpose else a
    t2 = (a.t() if a.ndim == 2 else a) if transpose else b
    out_shape = tuple(t1.shape[:-1])
    folded = t1.reshape(int(np.prod(out_shape)), t1.shape[-1])
    if t2.ndim == 2:
        result = apply_op(UnsafeViewBackward0, (mm(folded, t2),), out_shape + (t2.shape[1],))
        return result.mT.contiguous() if transpose else result
    return apply_op(UnsafeViewBackward0, (mv(folded, t2),), out_shape)


def _batched_matmul(a: Tensor, b: Tensor) -> Tensor:
    from core.ops.shape import UnsafeViewBackward0

    n = a.shape[-2] if a.ndim > 1 else 1
    m1 = a.shape[-1]
    m2 = b.shape[-2] if b.ndim > 1 else b.shape[0]
    p = b.shape[-1] if b.ndim > 1 else 1
    batch1, batch2 = tuple(a.shape[: max(a.ndim - 2, 0)]), tuple(b.shape[: max(b.ndim - 2, 0)])
    if m1 != m2:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{int(np.prod(batch1 or (1,)))}, {m1}] but got: [{int(np.prod(batch2 or (1,)))}, {m2}]."
        )
    if a.ndim == 3 and b.ndim == 3 and batch1[0] != batch2[0]:
        # a broadcast batch of one is squeezed away, so that PyTorch's fold applies
        if batch1[0] == 1 and a.requires_grad:
            return matmul(a.squeeze(0), b)
        if batch2[0] == 1 and b.requires_grad:
            return matmul(a, b.squeeze(0))
    batch = tuple(np.broadcast_shapes(batch1, batch2))
    size = int(np.prod(batch)) if batch else 1
    ea = a.expand(*batch, n, m1).reshape(size, n, m1)
    if b.ndim == 1:
        eb = b.expand(*batch, m2).reshape(size, m2).unsqueeze(2)
    else:
        eb = b.expand(*batch, m2, p).reshape(size, m2, p)
    shape = batch + ((n,) if a.ndim > 1 else ()) + ((p,) if b.ndim > 1 else ())
    out = bmm(ea, eb)
    if b.ndim == 1:
        out = out.squeeze(-1)
    return apply_op(UnsafeViewBackward0, (out,), shape)


# PyTorch's ``out=`` keyword for the functions that have it
for _name in ("bmm", "mv", "dot", "outer"):
    globals()[_name] = with_out(globals()[_name])
