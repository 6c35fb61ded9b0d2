"""nn.Module behaviour that needs no oracle: registration, traversal, state dicts, modes, hooks."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import core
import core.nn as nn
import core.nn.functional as F
from core.autograd import function as autograd_function


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.bn = nn.BatchNorm1d(3)
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(3, 1))

    def forward(self, x: core.Tensor) -> core.Tensor:
        return self.head(self.bn(self.fc1(x)))


def test_registration_by_attribute() -> None:
    net = Net()
    assert list(net._parameters) == []
    assert list(net._modules) == ["fc1", "bn", "head"]
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "fc1.weight",
        "fc1.bias",
        "bn.weight",
        "bn.bias",
        "head.1.weight",
        "head.1.bias",
    ]
    assert [n for n, _ in net.named_buffers()] == [
        "bn.running_mean",
        "bn.running_var",
        "bn.num_batches_tracked",
    ]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "bn", "head", "head.0", "head.1"]
    assert [n for n, _ in net.named_children()] == ["fc1", "bn", "head"]
    assert len(list(net.parameters(recurse=False))) == 0
    assert all(isinstance(p, nn.Parameter) for p in net.parameters())


def test_shared_modules_and_parameters_are_listed_once() -> None:
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, lin)
    assert len(list(seq.modules())) == 2
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in seq.named_parameters(remove_duplicate=False)] == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
    ]


def test_register_errors() -> None:
    m = nn.Module()
    with pytest.raises(KeyError, match="contain"):
        m.register_parameter("a.b", None)
    with pytest.raises(KeyError, match="empty string"):
        m.register_buffer("", None)
    with pytest.raises(
        TypeError, match="cannot assign 'torch.FloatTensor' object to parameter 'w'"
    ):
        m.register_parameter("w", core.zeros(2))
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)
    m.x = 1
    with pytest.raises(KeyError, match="attribute 'x' already exists"):
        m.register_buffer("x", core.zeros(1))
    m.w = nn.Parameter(core.zeros(2))
    with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' as parameter 'w'"):
        m.w = core.zeros(2)
    m.w = None
    assert m.w is None and "w" in m._parameters
    with pytest.raises(TypeError, match="torch.nn.Parameter or None required"):
        m.register_parameter("v", nn.Parameter(core.zeros(2)) * 1)
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nope'"):
        _ = m.nope


def test_assign_before_init_raises() -> None:
    class Bad(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(core.zeros(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        Bad()


def test_buffers_persistent_and_reassigned() -> None:
    m = nn.Module()
    m.register_buffer("a", core.zeros(2))
    m.register_buffer("b", core.ones(2), persistent=False)
    assert list(m.state_dict()) == ["a"]
    m.a = core.ones(3)
    assert m._buffers["a"].shape == (3,)
    with pytest.raises(TypeError, match="cannot assign 'int' as buffer 'a'"):
        m.a = 3
    del m.a
    assert "a" not in m._buffers


def test_state_dict_detached_shares_memory_and_order() -> None:
    net = Net()
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == [
        "fc1.weight",
        "fc1.bias",
        "bn.weight",
        "bn.bias",
        "bn.running_mean",
        "bn.running_var",
        "bn.num_batches_tracked",
        "head.1.weight",
        "head.1.bias",
    ]
    assert not sd["fc1.weight"].requires_grad
    with core.no_grad():
        net.fc1.weight.fill_(2.0)
    assert float(sd["fc1.weight"][0, 0]) == 2.0
    assert sd._metadata[""] == {"version": 1}
    assert sd._metadata["bn"] == {"version": 2}


def test_load_state_dict_roundtrip_and_strict_false() -> None:
    a, b = Net(), Net()
    result = b.load_state_dict(a.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy())
    sd = a.state_dict()
    del sd["fc1.bias"]
    sd["extra"] = core.zeros(1)
    keys = b.load_state_dict(sd, strict=False)
    assert keys.missing_keys == ["fc1.bias"] and keys.unexpected_keys == ["extra"]


def test_load_state_dict_errors_leave_module_unchanged() -> None:
    a, b = Net(), Net()
    before = {k: v.clone() for k, v in b.state_dict().items()}
    sd = a.state_dict()
    del sd["fc1.bias"]
    sd["fc9.weight"] = core.zeros(1)
    with pytest.raises(RuntimeError) as err:
        b.load_state_dict(sd)
    assert str(err.value) == (
        'Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: "fc1.bias". '
        '\n\tUnexpected key(s) in state_dict: "fc9.weight". '
    )
    sd = a.state_dict()
    sd["head.1.weight"] = core.zeros(2, 3)
    with pytest.raises(
        RuntimeError,
        match=r"size mismatch for head.1.weight: copying a param "
        r"with shape torch.Size\(\[2, 3\]\) from checkpoint, the shape in current "
        r"model is torch.Size\(\[1, 3\]\).",
    ):
        b.load_state_dict(sd, strict=False)
    for k, v in b.state_dict().items():
        assert np.array_equal(v.numpy(), before[k].numpy()), k
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        b.load_state_dict([1, 2])


def test_batchnorm_loads_without_num_batches_tracked() -> None:
    a, b = nn.BatchNorm1d(3), nn.BatchNorm1d(3)
    sd = dict(a.state_dict())
    del sd["num_batches_tracked"]
    assert b.load_state_dict(sd).missing_keys == []


def test_train_eval_apply_requires_grad_zero_grad() -> None:
    net = Net()
    assert net.training and net.head[1].training
    net.eval()
    assert not net.training and not net.bn.training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train(1)
    net.train()
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "BatchNorm1d", "ReLU", "Linear", "Sequential", "Net"]
    net(core.randn(4, 2)).sum().backward()
    assert net.fc1.weight.grad is not None
    net.zero_grad(set_to_none=False)
    assert float(net.fc1.weight.grad.abs().sum()) == 0.0
    net.zero_grad()
    assert net.fc1.weight.grad is None
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_to_dtype_keeps_parameter_identity() -> None:
    net = Net()
    w = net.fc1.weight
    net(core.randn(4, 2)).sum().backward()
    assert net.to(core.float64) is net
    assert net.fc1.weight is w and w.dtype is core.float64 and w.grad.dtype is core.float64
    assert net.bn.running_mean.dtype is core.float64
    assert net.bn.num_batches_tracked.dtype is core.int64  # integer buffers keep their dtype
    net.float()
    assert w.dtype is core.float32
    net.double().cpu()
    assert w.dtype is core.float64 and w.device.type == "cpu"
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point"):
        net.to(core.int64)


def test_forward_hooks_and_pre_hooks() -> None:
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    out = lin(core.randn(3, 2))
    assert calls == [core.Size([3, 2])]
    np.testing.assert_allclose(
        out.detach().numpy(), (lin.bias + 1).detach().numpy()[None].repeat(3, 0), rtol=1e-6
    )
    h1.remove()
    h2.remove()
    lin(core.randn(3, 2))
    assert len(calls) == 1


def test_nodes_are_tagged_with_module_paths() -> None:
    net = Net()
    out = net(core.randn(4, 2))
    assert out.grad_fn.name() == "AddmmBackward0"
    assert out.grad_fn.metadata["module"] == "head.1"
    assert out.grad_fn.metadata["module_type"] == "Linear"
    relu = out.grad_fn.next_functions[1][0]
    assert relu.name() == "ReluBackward0" and relu.metadata["module"] == "head.0"
    bn = relu.next_functions[0][0]
    assert bn.metadata["module"] == "bn"
    assert bn.next_functions[0][0].metadata["module"] == "fc1"
    assert autograd_function.module_stack() == []
    root = net.head[1].weight.grad_fn  # a leaf: no node
    assert root is None
    with core.no_grad():
        net(core.randn(4, 2))
    assert autograd_function.module_stack() == []


def test_tagging_survives_errors_in_forward() -> None:
    lin = nn.Linear(2, 2)
    with pytest.raises(RuntimeError):
        lin(core.randn(3, 5))
    assert autograd_function.module_stack() == []


def test_root_module_nodes_are_tagged_with_its_class() -> None:
    class Scale(nn.Module):
        def forward(self, x: core.Tensor) -> core.Tensor:
            return x * 2

    out = Scale()(core.ones(2, requires_grad=True))
    assert out.grad_fn.metadata["module"] == "Scale"
    assert "module_type" not in out.grad_fn.metadata  # the path is the class name already


def test_sequential_indexing_slicing_and_editing() -> None:
    seq = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3))
    assert isinstance(seq[-1], nn.Linear) and seq[-1].out_features == 3
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and list(sub._modules) == ["1", "2"]
    with pytest.raises(IndexError, match="index 3 is out of range"):
        seq[3]
    del seq[0]
    assert list(seq._modules) == ["0", "1"]
    seq.append(nn.Tanh())
    assert len(seq) == 3 and isinstance(seq[2], nn.Tanh)
    named = nn.Sequential(OrderedDict([("a", nn.ReLU()), ("b", nn.Tanh())]))
    assert list(named._modules) == ["a", "b"]
    assert named(core.tensor([-1.0])).item() == 0.0


def test_module_list_and_dict() -> None:
    ml = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)])
    assert len(ml) == 3 and len(list(ml.parameters())) == 6
    ml.append(nn.ReLU())
    assert isinstance(ml[-1], nn.ReLU)
    assert [n for n, _ in ml.named_parameters()][:2] == ["0.weight", "0.bias"]
    md = nn.ModuleDict({"act": nn.ReLU(), "lin": nn.Linear(2, 2)})
    assert list(md.keys()) == ["act", "lin"] and "lin" in md
    assert [n for n, _ in md.named_parameters()] == ["lin.weight", "lin.bias"]


def test_parameter_basics() -> None:
    t = core.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert p.requires_grad and p.is_leaf and isinstance(p, core.Tensor)
    with core.no_grad():
        p.mul_(2)
    assert t.tolist() == [2.0, 4.0]  # shares memory with the given tensor
    assert repr(p) == "Parameter containing:\ntensor([2., 4.], requires_grad=True)"
    assert repr(nn.Parameter(t, requires_grad=False)) == "Parameter containing:\ntensor([2., 4.])"
    assert type(p * 2) is core.Tensor


def test_default_init_bounds() -> None:
    lin = nn.Linear(16, 4)
    bound = 1 / 4
    assert float(lin.weight.abs().max()) <= bound and float(lin.bias.abs().max()) <= bound
    conv = nn.Conv2d(2, 3, 3)
    bound = 1 / np.sqrt(2 * 9)
    assert float(conv.weight.abs().max()) <= bound and float(conv.bias.abs().max()) <= bound
    emb = nn.Embedding(5, 3, padding_idx=2)
    assert emb.weight[2].tolist() == [0.0, 0.0, 0.0]


def test_init_seeded_and_reproducible() -> None:
    core.manual_seed(3)
    a = nn.Linear(4, 4).weight.detach().clone()
    core.manual_seed(3)
    b = nn.Linear(4, 4).weight.detach().clone()
    assert np.array_equal(a.numpy(), b.numpy())


def test_dropout_behaviour() -> None:
    core.manual_seed(0)
    x = core.ones(200, 50)
    d = nn.Dropout(0.3)
    y = d(x)
    kept = (y != 0).float().mean().item()
    assert 0.65 < kept < 0.75
    np.testing.assert_allclose(np.unique(y.numpy()), [0.0, 1 / 0.7], rtol=1e-6)
    d.eval()
    assert d(x) is x
    core.manual_seed(5)
    a = F.dropout(x, 0.5)
    core.manual_seed(5)
    b = F.dropout(x, 0.5)
    assert np.array_equal(a.numpy(), b.numpy())
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(1.5)


def test_utils_clip_and_vectors() -> None:
    a = nn.Parameter(core.tensor([3.0, 4.0]))
    a.grad = core.tensor([3.0, 4.0])
    total = nn.utils.clip_grad_norm_([a], 1.0)
    assert abs(total.item() - 5.0) < 1e-6
    np.testing.assert_allclose(a.grad.numpy(), [0.6, 0.8], rtol=1e-5)
    a.grad = core.tensor([3.0, -4.0])
    nn.utils.clip_grad_value_([a], 1.0)
    assert a.grad.tolist() == [1.0, -1.0]
    lin = nn.Linear(2, 2)
    vec = nn.utils.parameters_to_vector(lin.parameters())
    assert vec.shape == (6,)
    nn.utils.vector_to_parameters(core.arange(6.0), lin.parameters())
    assert lin.weight.tolist() == [[0.0, 1.0], [2.0, 3.0]] and lin.bias.tolist() == [4.0, 5.0]
    assert isinstance(lin.weight, nn.Parameter)


def test_embedding_from_pretrained_and_lookup() -> None:
    table = core.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad and repr(emb) == "Embedding(3, 2)"
    assert emb(core.tensor([[2, 0]])).tolist() == [[[4.0, 5.0], [0.0, 1.0]]]
    trainable = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=1)
    out = trainable(core.tensor([1, 2, 2]))
    out.sum().backward()
    assert trainable.weight.grad.tolist() == [[0.0, 0.0], [0.0, 0.0], [2.0, 2.0]]
    with pytest.raises(IndexError, match="index out of range in self"):
        emb(core.tensor([3]))


def test_unflatten_flatten_identity() -> None:
    x = core.arange(24.0).reshape(2, 12)
    y = nn.Unflatten(1, (3, 4))(x)
    assert y.shape == (2, 3, 4)
    assert nn.Flatten()(y).shape == (2, 12) and nn.Flatten(0, -1)(y).shape == (24,)
    assert nn.Identity(54, unused="x")(x) is x


def test_tags_stay_within_their_thread() -> None:
    import threading

    class Wrap(nn.Module):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.add_module(name, nn.Sequential(nn.Linear(3, 3), nn.Tanh()))
            self.name = name

        def forward(self, x: core.Tensor) -> core.Tensor:
            return getattr(self, self.name)(x)

    import sys
    import time

    errors: list[str] = []

    def work(name: str) -> None:
        model = Wrap(name)
        end = time.perf_counter() + 0.3
        while time.perf_counter() < end:
            out = model(core.randn(2, 3))
            tags = {out.grad_fn.metadata.get("module")}
            tags.add(out.grad_fn.next_functions[0][0].metadata.get("module"))
            if tags != {f"{name}.1", f"{name}.0"}:
                errors.append(f"{name}: {tags}")

    threads = [threading.Thread(target=work, args=(n,)) for n in ("left", "right", "mid")]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so their modules' calls interleave
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert autograd_function.module_stack() == []
