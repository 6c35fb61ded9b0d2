"""Tensors: creation, seeds, memory sharing, the Python protocol, printing, devices, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

import core


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


# --- creation ---------------------------------------------------------------------------------------
CREATION = {
    "tensor": (lambda m: m.tensor([[1, 2], [3, 4]]), "int64", (2, 2)),
    "tensor-float": (lambda m: m.tensor([5.5, 3]), "float32", (2,)),
    "tensor-dtype": (lambda m: m.tensor([1, 2], dtype=m.float64), "float64", (2,)),
    "tensor-scalar": (lambda m: m.tensor(3.5), "float32", ()),
    "tensor-bool": (lambda m: m.tensor([True, False]), "bool", (2,)),
    "as_tensor": (lambda m: m.as_tensor([1.0, 2.0]), "float32", (2,)),
    "empty": (lambda m: m.empty(5, 3), "float32", (5, 3)),
    "zeros": (lambda m: m.zeros(2, 3), "float32", (2, 3)),
    "zeros-tuple": (lambda m: m.zeros((2, 3), dtype=m.long), "int64", (2, 3)),
    "ones": (lambda m: m.ones(3, 1), "float32", (3, 1)),
    "full": (lambda m: m.full((2, 2), 7), "int64", (2, 2)),
    "full-float": (lambda m: m.full((2,), 1.5), "float32", (2,)),
    "full-bool": (lambda m: m.full((2,), True), "bool", (2,)),
    "eye": (lambda m: m.eye(3), "float32", (3, 3)),
    "eye-rect": (lambda m: m.eye(2, 3), "float32", (2, 3)),
    "arange": (lambda m: m.arange(5), "int64", (5,)),
    "arange-float": (lambda m: m.arange(0, 5, 0.5), "float32", (10,)),
    "arange-start": (lambda m: m.arange(2, 8, 2), "int64", (3,)),
    "linspace": (lambda m: m.linspace(0, 1, 5), "float32", (5,)),
    "zeros_like": (lambda m: m.zeros_like(m.ones(2, 3, dtype=m.int32)), "int32", (2, 3)),
    "ones_like": (lambda m: m.ones_like(m.ones(2)), "float32", (2,)),
    "full_like": (lambda m: m.full_like(m.ones(2), 3), "float32", (2,)),
    "empty_like": (lambda m: m.empty_like(m.ones(2, dtype=m.float64)), "float64", (2,)),
    "new_ones": (lambda m: m.ones(1).new_ones(5, 3, dtype=m.double), "float64", (5, 3)),
    "new_zeros": (lambda m: m.ones(1, dtype=m.int16).new_zeros((2,)), "int16", (2,)),
    "new_full": (lambda m: m.ones(1).new_full((2,), 4.0), "float32", (2,)),
    "new_tensor": (lambda m: m.ones(1, dtype=m.float64).new_tensor([1, 2]), "float64", (2,)),
    "new_empty": (lambda m: m.ones(1).new_empty(3), "float32", (3,)),
    "legacy-Tensor-size": (lambda m: m.Tensor(5, 3), "float32", (5, 3)),
    "legacy-Tensor-data": (lambda m: m.Tensor([3.2, 4.3, 5.5]), "float32", (3,)),
    "legacy-Tensor-numpy": (lambda m: m.Tensor(np.array([[3.2], [4.3]])), "float32", (2, 1)),
    "legacy-FloatTensor": (lambda m: m.FloatTensor([1]), "float32", (1,)),
    "legacy-DoubleTensor": (lambda m: m.DoubleTensor(2), "float64", (2,)),
    "legacy-LongTensor": (lambda m: m.LongTensor(3), "int64", (3,)),
    "legacy-LongTensor-data": (lambda m: m.LongTensor([1, 2]), "int64", (2,)),
    "legacy-IntTensor": (lambda m: m.IntTensor([1, 2]), "int32", (2,)),
    "legacy-ByteTensor": (lambda m: m.ByteTensor([1, 2]), "uint8", (2,)),
    "legacy-BoolTensor": (lambda m: m.BoolTensor([True]), "bool", (1,)),
}
VALUED = {
    "tensor",
    "tensor-float",
    "tensor-dtype",
    "tensor-scalar",
    "tensor-bool",
    "as_tensor",
    "zeros",
    "zeros-tuple",
    "ones",
    "full",
    "full-float",
    "full-bool",
    "eye",
    "eye-rect",
    "arange",
    "arange-float",
    "arange-start",
    "linspace",
    "zeros_like",
    "ones_like",
    "full_like",
    "new_ones",
    "new_zeros",
    "new_full",
    "new_tensor",
    "legacy-Tensor-data",
    "legacy-Tensor-numpy",
    "legacy-FloatTensor",
    "legacy-LongTensor-data",
    "legacy-IntTensor",
    "legacy-ByteTensor",
    "legacy-BoolTensor",
}


@pytest.mark.parametrize("name", CREATION)
def test_creation(name: str) -> None:
    make, dtype, shape = CREATION[name]
    x = make(core)
    assert isinstance(x, core.Tensor)
    assert x.dtype.name == dtype and tuple(x.shape) == shape
    assert x.is_leaf and not x.requires_grad


@pytest.mark.parametrize("name", sorted(VALUED))
def test_creation_against_torch(name: str, torch) -> None:
    make = CREATION[name][0]
    got, exp = make(core), make(torch)
    assert got.dtype.name == str(exp.dtype)[6:]
    np.testing.assert_allclose(got.numpy(), exp.numpy(), rtol=1e-6)
    assert repr(got) == repr(exp)


def test_empty_is_zero_filled_here() -> None:
    assert not core.empty(3, 2).numpy().any()  # PyTorch's is uninitialised; ours is harmless


def test_random_creation_shapes_dtypes_and_ranges() -> None:
    core.manual_seed(0)
    assert core.rand(3, 2).dtype is core.float32
    r = core.rand(1000)
    assert 0 <= r.min().item() and r.max().item() < 1
    n = core.randn(2000)
    assert abs(n.mean().item()) < 0.1 and abs(n.std().item() - 1) < 0.1
    i = core.randint(0, 5, (3, 3))
    assert i.dtype is core.int64 and i.min().item() >= 0 and i.max().item() < 5
    assert core.randint(low=0, high=5, size=(3, 3)).shape == (3, 3)
    assert core.randint(3, (2,)).max().item() < 3
    p = core.randperm(6)
    assert p.dtype is core.int64 and sorted(p.tolist()) == list(range(6))
    g = core.normal(2.0, 3.0, size=(500,))
    assert abs(g.mean().item() - 2) < 0.5
    assert core.normal(core.zeros(3), core.ones(3)).shape == (3,)
    assert core.rand_like(core.ones(2, dtype=core.float64)).dtype is core.float64
    assert core.randn_like(core.ones(2)).shape == (2,)
    assert core.randint_like(core.ones(4), 0, 3).dtype is core.float32


def test_inplace_fills() -> None:
    x = core.Tensor(5, 3).uniform_(-1, 1)
    assert x.min().item() >= -1 and x.max().item() <= 1 and x.std().item() > 0
    y = core.LongTensor(3).random_(10)
    assert y.dtype is core.int64 and 0 <= y.min().item() and y.max().item() < 10
    z = core.LongTensor(4, 6).random_(3, 5)
    assert set(z.unique().tolist() if hasattr(z, "unique") else z.flatten().tolist()) <= {3, 4}
    w = core.zeros(1000).normal_(5, 0.1)
    assert abs(w.mean().item() - 5) < 0.05
    f = core.zeros(2, 2).fill_(3.5)
    assert f.tolist() == [[3.5, 3.5], [3.5, 3.5]]
    assert f.zero_().tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert core.empty(3).fill_(core.tensor(2.0)).tolist() == [2.0, 2.0, 2.0]


def test_manual_seed_reproducible() -> None:
    def draw():
        return [
            core.rand(3).tolist(),
            core.randn(2).tolist(),
            core.randint(0, 100, (4,)).tolist(),
            core.randperm(5).tolist(),
            core.Tensor(3).uniform_().tolist(),
            core.LongTensor(3).random_(10).tolist(),
        ]

    core.manual_seed(42)
    a = draw()
    core.manual_seed(42)
    b = draw()
    core.manual_seed(43)
    c = draw()
    assert a == b and a != c
    g1, g2 = core.Generator().manual_seed(7), core.Generator().manual_seed(7)
    assert core.rand(3, generator=g1).tolist() == core.rand(3, generator=g2).tolist()
    core.manual_seed(1)
    state = core.get_rng_state()
    x = core.rand(4)
    core.set_rng_state(state)
    assert core.rand(4).tolist() == x.tolist()


def test_requires_grad_on_creation() -> None:
    x = core.ones(2, 2, requires_grad=True)
    assert x.requires_grad and x.is_leaf and x.grad_fn is None
    with pytest.raises(RuntimeError, match="floating point"):
        core.ones(2, dtype=core.long, requires_grad=True)


# --- Size ---------------------------------------------------------------------------------------
def test_size() -> None:
    x = core.zeros(4, 4)
    assert isinstance(x.size(), tuple) and x.size() == (4, 4)
    assert repr(x.size()) == "torch.Size([4, 4])" == str(x.shape)
    assert x.size(1) == 4 and x.size(-1) == 4
    assert x.shape == core.Size([4, 4])
    assert repr(core.zeros(()).shape) == "torch.Size([])"
    assert x.dim() == 2 and x.ndim == 2 and x.numel() == 16
    assert core.numel(x) == 16
    y = x.view(16)
    z = x.view(-1, 8)
    assert (y.size(), z.size()) == ((16,), (2, 8))
    assert isinstance(x.shape[0], int)
    assert x.shape[1:] == (4,) and isinstance(x.shape[1:], core.Size)


# --- memory sharing -------------------------------------------------------------------------------
VIEWS = {
    "view": lambda x: x.view(12),
    "view-minus1": lambda x: x.view(-1, 6),
    "slice": lambda x: x[1:],
    "index-int": lambda x: x[0],
    "column": lambda x: x[:, 1],
    "t": lambda x: x.t(),
    "T": lambda x: x.T,
    "transpose": lambda x: x.transpose(0, 1),
    "permute": lambda x: x.permute(1, 0),
    "unsqueeze": lambda x: x.unsqueeze(0),
    "squeeze": lambda x: x.unsqueeze(1).squeeze(1),
    "expand": lambda x: x[:1].expand(5, 4),
    "reshape-viewable": lambda x: x.reshape(4, 3),
    "flatten": lambda x: x.flatten(),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "split": lambda x: x.split(1)[1],
    "chunk": lambda x: x.chunk(3, 1)[0],
    "unbind": lambda x: x.unbind(0)[2],
    "detach": lambda x: x.detach(),
    "data": lambda x: x.data,
    "view_as": lambda x: x.view_as(core.zeros(2, 6)),
}


@pytest.mark.parametrize("name", VIEWS)
def test_views_share_memory_and_version_with_base(name: str) -> None:
    x = core.arange(12.0).view(3, 4).clone()
    v = VIEWS[name](x)
    assert np.shares_memory(v.numpy(), x.numpy())
    before = x._version
    x.add_(1)  # through the base, seen in the view
    np.testing.assert_array_equal(v.numpy(), VIEWS[name](core.arange(12.0).view(3, 4) + 1).numpy())
    if name != "data":  # .data has its own version counter, as in PyTorch
        assert v._version == x._version == before + 1
    if name != "expand":  # an expanded view is not writable (PyTorch refuses too)
        v.mul_(0)  # in place through the view changes the base
        assert x.numpy().sum() < (core.arange(12.0) + 1).sum().item()


def test_views_against_torch_data_ptr_and_version(torch) -> None:
    for name, fn in VIEWS.items():
        if name in ("view_as",):
            continue
        for m in (core, torch):
            x = m.arange(12.0).view(3, 4).clone()
            v = fn(x) if m is core else _torch_view(name, x, torch)
            x.add_(1)
            if name != "data":
                assert v._version == x._version, (m.__name__, name)


def _torch_view(name: str, x, torch):
    return VIEWS[name](x)


def test_reshape_copies_when_it_must() -> None:
    x = core.arange(6.0).view(2, 3)
    r = x.t().reshape(6)
    assert not np.shares_memory(r.numpy(), x.numpy())
    assert r.tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    c = x.t().contiguous()
    assert c.is_contiguous() and not x.t().is_contiguous()
    assert x.contiguous() is x


def test_strides() -> None:
    x = core.zeros(2, 3, 4)
    assert x.stride() == (12, 4, 1) and x.stride(0) == 12
    assert x.transpose(0, 2).stride() == (1, 4, 12)
    assert x[:, ::2].stride() == (12, 8, 1)
    assert x.expand(5, 2, 3, 4).stride() == (0, 12, 4, 1)


def test_numpy_bridge_shares_memory_both_ways() -> None:
    a = core.ones(5)
    b = a.numpy()
    a.add_(1)
    assert b.tolist() == [2.0] * 5
    b[0] = 7
    assert a[0].item() == 7
    n = np.ones(5)
    t = core.from_numpy(n)
    np.add(n, 1, out=n)
    assert t.tolist() == [2.0] * 5 and t.dtype is core.float64
    t.mul_(3)
    assert n.tolist() == [6.0] * 5
    g = np.zeros(5)
    assert repr(core.from_numpy(g)) == "tensor([0., 0., 0., 0., 0.], dtype=torch.float64)"
    assert np.shares_memory(core.as_tensor(n).numpy(), n)
    assert not np.shares_memory(core.tensor(n).numpy(), n)


def test_inplace_through_view_changes_base() -> None:
    x = core.zeros(3, 3)
    x[1].fill_(2)
    x[:, 0].add_(1)
    x.t()[2].mul_(5)
    assert x.tolist() == [[1, 0, 0], [3, 2, 10], [1, 0, 0]]
    x[0, 1] = 9
    assert x[0, 1].item() == 9
    x[x > 2] = -1
    assert (x == -1).sum().item() == 3


# --- view errors and slicing rules -------------------------------------------------------------
def test_view_on_incompatible_layout_raises(torch) -> None:
    for m in (core, torch):
        x = m.zeros(2, 3).t()
        with pytest.raises(RuntimeError, match="view size is not compatible"):
            x.view(6)
        with pytest.raises(RuntimeError, match=r"shape '\[4, 2\]' is invalid for input of size 6"):
            m.zeros(2, 3).view(4, 2)
        with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
            m.zeros(2, 3).view(-1, -1)


def test_negative_step_slice_raises(torch) -> None:
    for m in (core, torch):
        x = m.arange(5)
        with pytest.raises(ValueError, match="step must be greater than zero"):
            x[::-1]
        with pytest.raises(ValueError, match="step must be greater than zero"):
            x[::-1] = 0


# --- the Python protocol ----------------------------------------------------------------------------
def test_item_and_scalar_conversion() -> None:
    x = core.randn(1)
    assert isinstance(x.item(), float)
    assert isinstance(core.tensor([3]).item(), int)
    assert isinstance(core.tensor(True).item(), bool)
    assert core.tensor(2.5).item() == 2.5
    assert float(core.tensor([2.5])) == 2.5 and int(core.tensor(3.9)) == 3
    assert [10, 20, 30][core.tensor(1)] == 20  # __index__
    with pytest.raises(
        RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"
    ):
        core.ones(2).item()
    with pytest.raises(TypeError):
        float(core.ones(2))


def test_tolist_len_iter() -> None:
    x = core.tensor([[1, 2], [3, 4]])
    assert x.tolist() == [[1, 2], [3, 4]] and isinstance(x.tolist()[0][0], int)
    assert core.tensor(1.5).tolist() == 1.5
    assert len(x) == 2
    rows = list(x)
    assert len(rows) == 2 and rows[1].tolist() == [3, 4] and isinstance(rows[0], core.Tensor)
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(core.tensor(1))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(core.tensor(1))


def test_bool(torch) -> None:
    assert bool(core.tensor([1.0])) and not bool(core.tensor(0))
    for m in (core, torch):
        with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value"):
            bool(m.ones(2))
        with pytest.raises(RuntimeError):
            if m.ones(2) > 0:
                pass


def test_format(torch) -> None:
    for m in (core, torch):
        x = m.tensor(3.14159)
        assert f"{x:.2f}" == "3.14"
        assert f"{m.tensor(7):5d}" == "    7"
        assert f"{m.tensor([1, 2])}" == "tensor([1, 2])"
        assert f"{m.tensor(1.5)}" == "1.5"  # a 0-d tensor formats as its number


def test_array_protocol() -> None:
    x = core.tensor([[1.0, 2.0]])
    a = np.asarray(x)
    assert a.dtype == np.float32 and a.tolist() == [[1.0, 2.0]]
    assert np.asarray(x, dtype=np.float64).dtype == np.float64


def test_dlpack_round_trip_numpy() -> None:
    x = core.arange(6.0).view(2, 3)
    a = np.from_dlpack(x)
    assert np.shares_memory(a, x.numpy()) and a.tolist() == x.tolist()
    n = np.arange(4.0)
    t = core.from_dlpack(n)
    n[0] = 9
    assert t[0].item() == 9
    assert x.__dlpack_device__()[0] == 1  # kDLCPU


def test_dlpack_round_trip_torch(torch) -> None:
    x = core.arange(6.0).view(2, 3)
    tt = torch.from_dlpack(x)
    tt[0, 0] = 42
    assert x[0, 0].item() == 42
    back = core.from_dlpack(torch.arange(3.0))
    assert back.tolist() == [0.0, 1.0, 2.0] and back.dtype is core.float32


# --- printing against torch --------------------------------------------------------------------------
PRINT = [
    lambda m: m.tensor([5.5, 3]),
    lambda m: m.ones(5, 3, dtype=m.double),
    lambda m: m.zeros(5, 2, dtype=m.long),
    lambda m: m.tensor([[1e-5, 1.0], [1e5, 3.0]]),
    lambda m: m.tensor([True, False]),
    lambda m: m.arange(2000.0),
    lambda m: m.arange(12).view(3, 4),
    lambda m: m.ones(2, 2, requires_grad=True),
    lambda m: m.ones(2, 2, requires_grad=True) + 2,
    lambda m: (m.ones(2, 2, requires_grad=True) * 3).mean(),
    lambda m: m.ones(2, requires_grad=True).sum(),
    lambda m: m.tensor(27.0),
    lambda m: m.tensor([1.5], dtype=m.float16),
    lambda m: m.tensor([1, 2], dtype=m.uint8),
    lambda m: m.zeros(0, 3),
    lambda m: m.tensor([float("nan"), float("inf"), 1.0]),
    lambda m: m.ones(2, 3, 4),
    lambda m: m.ones(1, 1, 1),
    lambda m: m.tensor([-0.0352]),
    lambda m: m.tensor([[0.4489, 0.1336, 0.5693], [0.3049, 0.7561, 0.9073]]),
]


@pytest.mark.parametrize("i", range(len(PRINT)))
def test_repr_matches_torch(i: int, torch) -> None:
    got, exp = PRINT[i](core), PRINT[i](torch)
    assert repr(got) == repr(exp)
    assert str(got) == str(exp)


def test_repr_known_strings() -> None:
    x = core.ones(2, 2, requires_grad=True)
    assert repr(x) == "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)"
    assert repr(x + 2) == "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)"
    assert repr(((x + 2) * (x + 2) * 3).mean()) == "tensor(27., grad_fn=<MeanBackward0>)"
    assert repr(core.ones(2, dtype=core.float64)) == "tensor([1., 1.], dtype=torch.float64)"
    assert repr((x + 2).grad_fn).startswith("<AddBackward0 object at 0x")


# --- devices --------------------------------------------------------------------------------------
def test_device_objects() -> None:
    assert core.device("cpu").type == "cpu"
    d = core.device("cuda:1")
    assert (d.type, d.index) == ("cuda", 1) and str(d) == "cuda:1"
    assert core.device("cuda", 0) == core.device("cuda:0")
    assert repr(core.device("cpu")) == "device(type='cpu')"
    assert core.ones(2).device == core.device("cpu")
    assert core.ones(2).is_cpu and not core.ones(2).is_cuda
    assert core.ones(2).cpu().device.type == "cpu"
    assert core.ones(2).to(core.device("cpu")).device.type == "cpu"
    assert isinstance(core.cuda.device_count(), int)


@pytest.mark.skipif(core.cuda.is_available(), reason="checks the message without CUDA")
def test_cuda_requests_fail_as_pytorch_without_cuda() -> None:
    assert not core.cuda.is_available() and core.cuda.device_count() == 0
    assert core.cuda.unavailable_reason()
    x = core.ones(2)
    for request in (
        lambda: x.cuda(),
        lambda: x.to("cuda"),
        lambda: core.ones(2, device="cuda"),
        lambda: core.zeros(2, device=core.device("cuda")),
        lambda: core.tensor([1.0], device="cuda"),
    ):
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled|NVIDIA"):
            request()


@pytest.mark.skipif(not core.cuda.is_available(), reason="CUDA is not available here")
def test_cuda_round_trip() -> None:
    x = core.arange(6.0, device="cuda").view(2, 3)
    assert x.is_cuda and repr(x).endswith("device='cuda:0')")
    assert (x @ x.t()).cpu().tolist() == (
        core.arange(6.0).view(2, 3) @ core.arange(6.0).view(3, 2).view(2, 3).t()
    ).tolist()
    with pytest.raises(TypeError, match="cpu"):
        x.numpy()
    with pytest.raises(RuntimeError, match="same device"):
        x + core.ones(2, 3)


def test_numpy_refused_when_requires_grad(torch) -> None:
    for m in (core, torch):
        x = m.ones(2, requires_grad=True)
        with pytest.raises(
            RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"
        ):
            x.numpy()
        assert x.detach().numpy().tolist() == [1.0, 1.0]


# --- bad input: the same exception class as torch ---------------------------------------------------
BAD = {
    "add-shape-mismatch": lambda m: m.ones(2, 3) + m.ones(4, 3),
    "mul-shape-mismatch": lambda m: m.ones(3) * m.ones(2),
    "mm-shapes": lambda m: m.ones(2, 3).mm(m.ones(2, 3)),
    "matmul-shapes": lambda m: m.ones(2, 3) @ m.ones(2, 3),
    "matmul-0d": lambda m: m.tensor(1.0) @ m.ones(2),
    "mv-shapes": lambda m: m.mv(m.ones(2, 3), m.ones(2)),
    "dot-shapes": lambda m: m.dot(m.ones(2), m.ones(3)),
    "bmm-dims": lambda m: m.bmm(m.ones(2, 3), m.ones(3, 2)),
    "mm-dtypes": lambda m: m.mm(m.ones(2, 2), m.ones(2, 2, dtype=m.float64)),
    "item-several": lambda m: m.ones(3).item(),
    "index-out-of-range": lambda m: m.ones(3)[3],
    "index-out-of-range-neg": lambda m: m.ones(3)[-4],
    "index-list-out-of-range": lambda m: m.ones(3)[[0, 5]],
    "too-many-indices": lambda m: m.ones(3)[0, 0],
    "dim-out-of-range": lambda m: m.ones(2, 3).sum(2),
    "transpose-dim": lambda m: m.ones(2, 3).transpose(0, 3),
    "view-incompatible": lambda m: m.ones(2, 3).t().view(6),
    "view-size": lambda m: m.ones(2, 3).view(5),
    "reshape-size": lambda m: m.ones(2, 3).reshape(4, -1),
    "expand-bad": lambda m: m.ones(2, 3).expand(3, 3),
    "cat-shapes": lambda m: m.cat([m.ones(2, 3), m.ones(2, 4)]),
    "cat-dims": lambda m: m.cat([m.ones(2, 3), m.ones(3)]),
    "stack-shapes": lambda m: m.stack([m.ones(2), m.ones(3)]),
    "squeeze-dim": lambda m: m.ones(2).squeeze(3),
    "permute-dims": lambda m: m.ones(2, 3).permute(0),
    "neg-bool": lambda m: -m.tensor([True]),
    "sub-bool": lambda m: m.tensor([True]) - m.tensor([False]),
    "bitwise-float": lambda m: m.ones(2) & m.ones(2),
    "invert-float": lambda m: ~m.ones(2),
    "int-neg-pow": lambda m: m.tensor([2]) ** -1,
    "div-rounding-mode": lambda m: m.div(m.ones(2), 2, rounding_mode="round"),
    "int-div-zero": lambda m: m.tensor([1]) // 0,
    "requires-grad-int": lambda m: m.ones(2, dtype=m.long).requires_grad_(),
    "numpy-requires-grad": lambda m: m.ones(2, requires_grad=True).numpy(),
    "leaf-inplace": lambda m: m.ones(2, requires_grad=True).add_(1),
    "backward-nonscalar": lambda m: (m.ones(2, requires_grad=True) * 2).backward(),
    "backward-no-grad": lambda m: m.ones(2).sum().backward(),
    "inplace-broadcast": lambda m: m.ones(3).add_(m.ones(2, 3)),
    "inplace-int-from-float": lambda m: m.ones(3, dtype=m.long).add_(1.5),
    "where-non-bool": lambda m: m.where(m.ones(2), m.ones(2), m.zeros(2)),
    "gather-index-float": lambda m: m.gather(m.ones(2, 2), 0, m.zeros(2, 2)),
    "index_select-out-of-range": lambda m: m.ones(3).index_select(0, m.tensor([5])),
    "masked_fill-non-bool": lambda m: m.ones(2).masked_fill(m.ones(2), 0),
    "clamp-no-bounds": lambda m: m.clamp(m.ones(2)),
    "split-sizes-sum": lambda m: m.ones(4).split([1, 2]),
    "chunk-zero": lambda m: m.ones(4).chunk(0),
    "zeros-negative": lambda m: m.zeros(-1),
    "tensor-ragged": lambda m: m.tensor([[1, 2], [3]]),
    "tensor-bad-type": lambda m: m.tensor("abc"),
    "from_numpy-not-array": lambda m: m.from_numpy([1, 2]),
    "len-0d": lambda m: len(m.tensor(1)),
    "bool-ambiguous": lambda m: bool(m.ones(2)),
    "setitem-shape": lambda m: m.ones(2, 3).__setitem__(0, m.ones(4)),
    "0d-index": lambda m: m.tensor(1.0)[0],
    "mean-int": lambda m: m.ones(2, dtype=m.long).mean(),
    "set-grad-wrong-shape": lambda m: setattr(m.ones(2, requires_grad=True), "grad", m.ones(3)),
}


def _second_backward(m):
    x = m.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


BAD["second-backward"] = _second_backward


def _saved_modified(m):
    x = m.ones(2, requires_grad=True)
    y = x * 2
    z = y * y
    y.add_(1)
    z.sum().backward()


BAD["saved-tensor-modified"] = _saved_modified


@pytest.mark.parametrize("name", BAD)
def test_bad_input_same_exception_as_torch(name: str, torch) -> None:
    with pytest.raises(Exception) as t_err:
        BAD[name](torch)
    with pytest.raises(Exception) as c_err:
        BAD[name](core)
    assert type(c_err.value) is type(t_err.value), (str(c_err.value), str(t_err.value))


def test_shape_mismatch_message_names_both_shapes_and_dim() -> None:
    with pytest.raises(RuntimeError) as err:
        core.ones(2, 3) + core.ones(4, 3)
    assert (
        "The size of tensor a (2) must match the size of tensor b (4) at non-singleton "
        "dimension 0" in str(err.value)
    )
    with pytest.raises(
        RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"
    ):
        core.ones(2, 3) @ core.ones(2, 3)
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        core.ones(3)[3]
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        _second_backward(core)


def test_nothing_silently_cast_or_truncated() -> None:
    x = core.ones(3, dtype=core.long)
    with pytest.raises(
        RuntimeError, match="result type Float can't be cast to the desired output type Long"
    ):
        x.add_(1.5)
    with pytest.raises(RuntimeError):
        core.ones(3).add_(core.ones(2, 3))
    assert math.isinf((core.ones(1, dtype=core.float16) * 1e5).item())


# --- odds and ends found against torch ----------------------------------------------------------
PROTOCOL = [
    "x=m.ones(2); y=x[0]; y.add_(1); r=[x._version, y._version, x.tolist()]",
    "x=m.ones(3); u=x.unbind(0)[1]; u.mul_(5); r=x.tolist()",
    "x=m.ones(2, 2); x[0][1] = 7; r=x.tolist()",
    "x=m.ones(2); v=x._version; x.add_(1); x.mul_(2); x[0]=3; x.zero_(); x.fill_(1); "
    "x.copy_(m.zeros(2)); x.clamp_(0,1); x.t_(); r=[v, x._version]",
    "x=m.ones(2); d=x.data; d.add_(1); r=[x._version, d._version, x.tolist()]",
    "x=m.ones(2); d=x.detach(); d.add_(1); r=[x._version, d._version, x.tolist()]",
    "x=m.ones(2, dtype=m.uint8); x -= 3; r=x.tolist()",
    "x=m.zeros(2,2); x[0, 0, 0] = 1",
    "x=m.tensor([1., 2.]); r=(np.float64(2.0) * x).dtype",
    "x=m.tensor([1., 2.]); r=(x + np.ones(2)).dtype",
    "x=m.tensor([1., 2.]); r=x + [1, 2]",
    "x=m.tensor([1., 2.]); r=x * (1, 2)",
    "x=m.tensor([1., 2.]); r=x + 'a'",
    "x=m.tensor([1., 2.]); r=(x == None)",  # noqa: E711
    "x=m.tensor([1, 2]); r=(x * np.float64(1.5)).dtype",
]


@pytest.mark.parametrize("code", PROTOCOL)
def test_protocol_odds_against_torch(code: str, torch) -> None:
    def run(m):
        ns = {"m": m, "np": np}
        try:
            exec(code, ns)
        except Exception as e:  # noqa: BLE001 - the exception class and words are compared
            return ("raises", type(e).__name__, str(e))
        r = ns["r"]
        return ("ok", str(r).replace("torch.", "") if not isinstance(r, list) else r)

    assert run(core) == run(torch)


EDGES = [
    "m.zeros(0).sum()",
    "m.zeros(0).mean()",
    "m.zeros(0).prod()",
    "m.zeros(0).max()",
    "m.zeros(0, 3).max(1)[0]",
    "m.zeros(0, 3).max(0)[0]",
    "m.zeros(0).std()",
    "m.ones(1).std()",
    "m.zeros(0).all()",
    "m.zeros(0).any()",
    "m.zeros(0).norm()",
    "m.zeros(0).cumsum(0)",
    "m.zeros(2, 0) @ m.zeros(0, 3)",
    "m.zeros(0).view(-1, 5)",
    "m.zeros(3, 0).reshape(-1)",
    "m.cat([m.zeros(0), m.ones(2)])",
    "m.stack([])",
    "m.cat([])",
    "m.zeros(2).split(0)",
    "m.zeros(3)[m.tensor([], dtype=m.long)]",
    "m.zeros(3)[m.zeros(3, dtype=m.bool)]",
    "m.eye(0)",
    "m.arange(0)",
    "m.arange(5, 0)",
    "m.arange(0, 5, 0)",
    "m.linspace(0, 1, 0)",
    "m.full((0, 2), 1.)",
    "m.empty(2, -1)",
    "m.zeros((2, 3.0))",
    "m.ones(2, dtype=float)",
    "m.ones(2, dtype=int)",
    "m.ones(2, dtype=bool)",
    "m.tensor([1, 2], dtype=float)",
    "m.zeros(2).to(float)",
    "m.randn(2, dtype=m.long)",
    "m.rand(2, dtype=m.int32)",
    "m.zeros_like(m.ones(2), dtype=m.long)",
    "m.full_like(m.ones(2, dtype=m.long), 2.7)",
    "m.ones(2).new_tensor([1, 2])",
    "m.tensor(True) + 1",
    "m.tensor(1) / m.tensor(2)",
    "m.tensor(7) // m.tensor(-2)",
    "m.tensor(-7) % m.tensor(2)",
    "m.tensor(-7.) % m.tensor(2.)",
    "m.tensor([5]) % 0",
    "m.tensor([5]) % m.tensor([0])",
    "m.fmod(m.tensor([5]), 0)",
    "m.tensor([5, 2]).fmod(m.tensor([0, 1]))",
    "m.tensor([5]).remainder_(0)",
    "m.remainder(5, m.tensor([0]))",
    "m.tensor([5]) % 0.0",
    "m.tensor([1e300], dtype=m.float32)",
    "m.tensor([1e300], dtype=m.float64).float()",
    "m.tensor([float('nan')]) == m.tensor([float('nan')])",
    "m.maximum(m.tensor([1., float('nan')]), m.tensor([2., 1.]))",
    "m.tensor([1., float('nan')]).clamp(0, 0.5)",
    "m.tensor([-0.5, 0.5, 1.5, 2.5]).round()",
    "m.tensor([3.7]).to(m.uint8)",
    "m.arange(0, 1, 0.1)",
    "m.arange(10, 0, -3)",
    "m.linspace(-1, 1, 4, dtype=m.float64)",
    "m.tensor([True, 2])",
    "m.tensor([1, 2.0, True])",
    "m.tensor([])",
    "m.tensor([m.tensor(1.0), m.tensor(2.0)])",
    "m.zeros(0).chunk(3)",
    "m.zeros(6).chunk(4)",
    "m.zeros(0).argmax()",
    "m.zeros(0).logsumexp(0)",
]


@pytest.mark.parametrize("expr", EDGES)
def test_edge_cases_against_torch(expr: str, torch) -> None:
    def run(m):
        try:
            r = eval(expr, {"m": m})
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            return ("raises", type(e).__name__)
        if isinstance(r, tuple):
            return ("tuple", len(r))
        v = np.asarray(r.numpy(), float)
        return (str(r.dtype)[6:], tuple(r.shape), np.round(v, 4).tolist())

    got, exp = run(core), run(torch)
    assert str(got) == str(exp)


def test_std_warns_on_no_degrees_of_freedom(torch) -> None:
    msgs = []
    for m in (core, torch):
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0") as rec:
            assert math.isnan(m.ones(1).std().item())
        msgs.append(str(rec[0].message).split(" (Triggered internally")[0])
    assert msgs[0] == msgs[1]


def test_special_values_come_silently_as_in_pytorch() -> None:
    import warnings

    x = core.tensor([1.0, 0.0, -1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (x / 0).tolist()[0] == math.inf and math.isnan((x / 0).tolist()[1])
        assert (x / x).isnan().tolist() == [False, True, False]
        assert (core.tensor([1]) / 0).tolist() == [math.inf]
        assert x.log().tolist()[1] == -math.inf and math.isnan(x.log().tolist()[2])
        assert (x**-1).tolist() == [1.0, math.inf, -1.0]
        assert core.tensor([100.0]).exp().tolist() == [math.inf]
        assert x.sqrt().isnan().tolist() == [False, False, True]
        assert x.reciprocal().tolist()[1] == math.inf
