"""Tensor: one array of an array module (NumPy or CuPy), plus autograd state and a version counter.

Views (``view``, slicing, ``t()``, ``transpose``, ``expand`` ...) hold NumPy views of their base's
array and share its version counter (``_vbox``), so an in-place change through any of them is seen
by autograd's saved-tensor check. Math is delegated to the function layers (``core/_math.py`` ...),
whose functions are also installed here as methods.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from core import backend
from core import dtypes as _dt
from core.autograd.grad_mode import _state as _grad_state
from core.device import CPU, device, device_of_array
from core.size import Size


class Tensor:
    __slots__ = (
        "_data",
        "_requires_grad",
        "grad_fn",
        "_grad",
        "_vbox",
        "_base",
        "_output_nr",
        "_accumulator",
        "_view_fn",
        "_keep",
        "__weakref__",
        "__dict__",
    )

    # --- construction -------------------------------------------------------------------------
    def __new__(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Legacy constructor: ``Tensor(5, 3)`` (zero-filled), ``Tensor([...])`` (float32)."""
        from core._creation import legacy_new

        return legacy_new(cls, _dt.get_default_dtype(), args, kwargs)

    @classmethod
    def _wrap(cls, array: Any, requires_grad: bool = False) -> Tensor:
        """A Tensor around ``array`` without copying (internal)."""
        if type(array) is not np.ndarray:
            if isinstance(array, np.generic) or not hasattr(array, "__cuda_array_interface__"):
                array = np.asarray(array)
        t = object.__new__(cls)
        t._data = array
        t._requires_grad = requires_grad
        t.grad_fn = None
        t._grad = None
        t._vbox = [0]
        t._base = None
        t._output_nr = 0
        t._accumulator = None
        t._view_fn = None
        t._keep = None
        return t

    def _as_view_of(self, base: Tensor, view_fn: Any = None) -> Tensor:
        """Mark self as a view of ``base``: shared version counter and (root) base."""
        self._vbox = base._vbox
        self._base = base._base if base._base is not None else base
        if view_fn is not None and base._view_fn is not None:
            outer = base._view_fn
            self._view_fn = lambda a, f=view_fn, o=outer: f(o(a))
        else:
            self._view_fn = view_fn
        return self

    def _xp(self) -> Any:
        return np if type(self._data) is np.ndarray else backend.array_module(self._data)

    # --- metadata -----------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self) -> _dt.dtype:
        return _dt.from_numpy(self._data.dtype)

    @property
    def device(self) -> device:
        if type(self._data) is np.ndarray:
            return CPU
        return device_of_array(self._data)

    @property
    def is_cuda(self) -> bool:
        return type(self._data) is not np.ndarray

    @property
    def is_cpu(self) -> bool:
        return type(self._data) is np.ndarray

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)

    def stride(self, dim: int | None = None) -> Any:
        item = self._data.itemsize
        st = tuple(s // item for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self) -> int:
        if self._base is None:
            return 0
        base = self._base._data
        return (
            int(
                (self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0])
                // self._data.itemsize
            )
            if type(self._data) is np.ndarray
            else 0
        )

    def is_contiguous(self, memory_format: Any = None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return False

    def is_signed(self) -> bool:
        return self.dtype.is_signed

    @property
    def _version(self) -> int:
        return self._vbox[0]

    def _bump(self) -> None:
        self._vbox[0] += 1

    def data_ptr(self) -> int:
        if type(self._data) is np.ndarray:
            return int(self._data.__array_interface__["data"][0])
        return int(self._data.data.ptr)

    # --- autograd state -----------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        if self.grad_fn is None:
            self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        if self.grad_fn is not None and self._grad is None and not self.retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access "
                "the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}"
                )
            if tuple(value.shape) != tuple(self.shape):
                raise RuntimeError(
                    f"assigned grad has data of a different size: expected {list(self.shape)}, "
                    f"got {list(value.shape)}"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        fn = self.grad_fn
        return fn is not None and bool(fn._retain_grad) and self._output_nr in fn._retain_grad

    def retain_grad(self) -> None:
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        fn = self.grad_fn
        if fn is None:
            return
        import weakref

        if fn._retain_grad is None:
            fn._retain_grad = {}
        fn._retain_grad[self._output_nr] = weakref.ref(self)

    def register_hook(self, hook: Any) -> Any:
        """``hook(grad)`` when this tensor's gradient is computed; may return a replacement."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from core.autograd.function import edge_of

        node, nr = edge_of(self)
        if self.grad_fn is None:
            self._keep = node  # the leaf's accumulator must outlive this call to keep the hook
        if node._tensor_pre_hooks is None:
            node._tensor_pre_hooks = {}
        hooks = node._tensor_pre_hooks.setdefault(nr, [])
        hooks.append(hook)
        from core.autograd.function import _RemovableHandle

        return _RemovableHandle(hooks, hook)

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        from core.autograd.engine import backward

        backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self) -> Tensor:
        """Same memory and version counter, no history."""
        out = Tensor._wrap(self._data)
        out._vbox = self._vbox
        out._base = self._base if self._base is not None else self
        return out

    def detach_(self) -> Tensor:
        if self._base is not None and self.grad_fn is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
                "(DDP) for training, ..."
            )
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        """Same memory, no history, its own version counter (PyTorch's ``.data``)."""
        out = Tensor._wrap(self._data)
        out._base = self._base if self._base is not None else self
        return out

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    # --- conversion ---------------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        if force:
            return backend.to_numpy(self._data.copy() if self.is_cpu else self._data)
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
            )
        if type(self._data) is not np.ndarray:
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to "
                "copy the tensor to host memory first."
            )
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        arr = backend.to_numpy(self._data)
        return arr if dtype is None else arr.astype(dtype)

    def __dlpack__(self, *args: Any, **kwargs: Any) -> Any:
        return self._data.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self) -> Any:
        return self._data.__dlpack_device__()

    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return backend.to_numpy(self._data).reshape(()).item()

    def tolist(self) -> Any:
        return backend.to_numpy(self._data).tolist()

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Any:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
                if self._data.size > 1
                else "Boolean value of Tensor with no values is ambiguous"
            )
        return bool(self.item())

    def __float__(self) -> float:
        return float(self._scalar_for("float"))

    def __int__(self) -> int:
        return int(self._scalar_for("int"))

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def _scalar_for(self, what: str) -> Any:
        if self._data.size != 1:
            raise TypeError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __format__(self, spec: str) -> str:
        # PyTorch formats a 0-d plain Tensor as its number ("{}".format(loss) -> "0.25")
        if self._data.ndim == 0 and type(self) is Tensor:
            return format(self.item(), spec)
        return format(repr(self), spec)

    def __hash__(self) -> int:
        return id(self)

    def __reduce_ex__(self, protocol: int) -> Any:
        return (_rebuild, (backend.to_numpy(self._data).copy(), self._requires_grad))

    def __deepcopy__(self, memo: dict) -> Tensor:
        if not self.is_leaf:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment."
            )
        out = type(self)._wrap(self._data.copy())
        out._requires_grad = self._requires_grad
        if self._grad is not None:
            out._grad = Tensor._wrap(self._grad._data.copy())
        if hasattr(self, "__dict__"):
            for k, v in self.__dict__.items():
                out.__dict__[k] = v
        memo[id(self)] = out
        return out

    # --- printing -----------------------------------------------------------------------------
    def __repr__(self, *, tensor_contents: Any = None) -> str:
        from core._printing import format_tensor

        fn = self.grad_fn
        return format_tensor(
            _printable(self._data),
            dtype_name=self.dtype.name,
            default_dtype_name=_dt.get_default_dtype().name,
            device=None if self.is_cpu else str(self.device),
            requires_grad=self._requires_grad and fn is None,
            grad_fn_name=fn.name().removeprefix("torch::autograd::") if fn is not None else None,
        )

    __str__ = __repr__

    @property
    def T(self) -> Tensor:  # noqa: N802
        n = self._data.ndim
        return self.permute(*range(n - 1, -1, -1)) if n != 2 else self.permute(1, 0)

    @property
    def mT(self) -> Tensor:  # noqa: N802
        return self.transpose(-2, -1)

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def layout(self) -> str:
        return "torch.strided"

    @property
    def names(self) -> tuple:
        return (None,) * self._data.ndim


def _printable(arr: Any) -> np.ndarray:
    """A NumPy copy of what printing needs: the whole array, or its edges when it is huge."""
    if type(arr) is np.ndarray:
        return arr
    return backend.to_numpy(arr)


def _rebuild(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(array)
    t._requires_grad = requires_grad
    return t


def _wrap_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else dim


def grad_enabled() -> bool:
    return _grad_state.enabled


def _bind() -> None:
    from core.autograd import function

    function._Tensor = Tensor


_bind()
