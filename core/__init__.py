"""core: a PyTorch-faithful tensor library with autograd on NumPy (CPU) and CuPy (GPU).

``import core as torch`` runs the PyTorch beginner tutorials unchanged.
"""

from __future__ import annotations

from core import backend, blas_threads, cuda
from core import dtypes as _dtypes
from core.device import device
from core.size import Size
from core.tensor import Tensor
from core import _methods  # installs methods and operators on Tensor
from core import autograd
from core._creation import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_dlpack,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from core._indexing import (
    gather,
    index_select,
    masked_fill,
    masked_select,
    scatter,
    scatter_add,
    take,
)
from core._linalg_fns import addmm, bmm, dot, ger, inner, matmul, mm, mv, outer, vdot
from core._math import *  # noqa: F403  elementwise functions
from core._math import (
    UNARY as _UNARY,
    add,
    addcdiv,
    addcmul,
    allclose,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    div,
    eq,
    equal,
    floor_divide,
    fmod,
    ge,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    le,
    lerp,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    maximum,
    minimum,
    mul,
    nan_to_num,
    ne,
    neg,
    negative,
    nonzero,
    pow,
    remainder,
    round,
    rsub,
    square,
    sub,
    true_divide,
    where,
)
from core._reductions import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    argsort,
    count_nonzero,
    cumprod,
    cumsum,
    logsumexp,
    max,
    mean,
    median,
    min,
    nansum,
    norm,
    prod,
    sort,
    std,
    std_mean,
    sum,
    topk,
    var,
    var_mean,
)
from core._shape_fns import (
    broadcast_to,
    cat,
    chunk,
    clone,
    concat,
    concatenate,
    diag,
    flatten,
    flip,
    hstack,
    movedim,
    moveaxis,
    narrow,
    permute,
    repeat,
    reshape,
    select,
    split,
    squeeze,
    stack,
    swapaxes,
    swapdims,
    t,
    tile,
    transpose,
    tril,
    triu,
    unbind,
    unflatten,
    unsqueeze,
    vstack,
)
from core._printing import get_printoptions, set_printoptions
from core.autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from core.autograd.grad_mode import is_inference_mode_enabled
from core.random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)

globals().update(_UNARY)

float32 = float = _dtypes.float32
float64 = double = _dtypes.float64
float16 = half = _dtypes.float16
int64 = long = _dtypes.int64
int32 = int = _dtypes.int32
int16 = short = _dtypes.int16
int8 = _dtypes.int8
uint8 = _dtypes.uint8
bool = _dtypes.bool_
dtype = _dtypes.dtype
get_default_dtype = _dtypes.get_default_dtype
set_default_dtype = _dtypes.set_default_dtype
promote_types = _dtypes.promote_types


def result_type(tensor1: object, tensor2: object) -> _dtypes.dtype:
    from core._dispatch import as_operand, promote

    if not isinstance(tensor1, Tensor):
        tensor1, tensor2 = tensor2, tensor1
    return promote(tensor1, as_operand(tensor2, tensor1))


def is_tensor(obj: object) -> object:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> object:
    return input.numel()


def is_floating_point(input: Tensor) -> object:
    return input.is_floating_point()


def detach(input: Tensor) -> Tensor:
    return input.detach()


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


def set_num_threads(n: int) -> None:
    """The number of BLAS threads NumPy's matrix products use (OpenBLAS or MKL, found at run time)."""
    blas_threads.set_blas_threads(n)


def get_num_threads() -> int:
    import os

    return blas_threads.blas_threads() or os.cpu_count() or 1


def compile(model: object, *args: object, **kwargs: object) -> object:  # noqa: A001
    """No compiler here: returns the model unchanged, so tutorial code runs."""
    return model


from core import serialization as _serialization  # noqa: E402
from core.serialization import load, save  # noqa: E402
from core import optim  # noqa: E402
from core import utils  # noqa: E402

__version__ = "2.13.0+core"

from core import nn  # noqa: E402
from core.nn.functional import log_softmax, softmax  # noqa: E402

if not hasattr(Tensor, "softmax"):  # PyTorch's Tensor.softmax / Tensor.log_softmax methods
    Tensor.softmax = lambda self, dim=None, dtype=None: softmax(self, dim, dtype=dtype)
    Tensor.log_softmax = lambda self, dim=None, dtype=None: log_softmax(self, dim, dtype=dtype)
