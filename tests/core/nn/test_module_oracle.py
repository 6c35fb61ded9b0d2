"""Modules against PyTorch: printed forms, state_dict keys, error messages, outputs and gradients
for the same weights, BatchNorm's running statistics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import core

torch = pytest.importorskip("torch")


def copy_weights(src: Any, dst: Any) -> None:
    """core module -> torch module (same architecture), parameters and buffers by key."""
    sd = {k: torch.from_numpy(np.array(v.numpy())) for k, v in src.state_dict().items()}
    dst.load_state_dict(sd)


def _both(build: Callable[[Any], Any]) -> tuple[Any, Any]:
    return build(core), build(torch)


LAYERS: dict[str, Callable[[Any], Any]] = {
    "linear": lambda m: m.nn.Linear(1, 1),
    "linear_nobias": lambda m: m.nn.Linear(3, 4, bias=False),
    "conv": lambda m: m.nn.Conv2d(3, 4, 3, stride=2, padding=1, bias=False),
    "conv_groups": lambda m: m.nn.Conv2d(2, 4, (3, 5), dilation=2, groups=2),
    "conv_same": lambda m: m.nn.Conv2d(2, 4, 3, padding="same"),
    "maxpool": lambda m: m.nn.MaxPool2d(2),
    "maxpool_full": lambda m: m.nn.MaxPool2d(
        (2, 3), stride=1, padding=1, dilation=1, ceil_mode=True
    ),
    "avgpool": lambda m: m.nn.AvgPool2d(2),
    "adaptive": lambda m: m.nn.AdaptiveAvgPool2d((1, 1)),
    "adaptive_int": lambda m: m.nn.AdaptiveAvgPool2d(5),
    "bn1": lambda m: m.nn.BatchNorm1d(3),
    "bn2": lambda m: m.nn.BatchNorm2d(3, momentum=None, affine=False),
    "bn_nobias": lambda m: m.nn.BatchNorm2d(3, bias=False, track_running_stats=False),
    "ln": lambda m: m.nn.LayerNorm(3),
    "ln2": lambda m: m.nn.LayerNorm([2, 3], elementwise_affine=False),
    "dropout": lambda m: m.nn.Dropout(),
    "dropout_p": lambda m: m.nn.Dropout(0.2, inplace=True),
    "relu": lambda m: m.nn.ReLU(),
    "relu_inplace": lambda m: m.nn.ReLU(inplace=True),
    "leaky": lambda m: m.nn.LeakyReLU(),
    "leaky2": lambda m: m.nn.LeakyReLU(0.2, True),
    "elu": lambda m: m.nn.ELU(),
    "gelu": lambda m: m.nn.GELU(),
    "gelu_tanh": lambda m: m.nn.GELU("tanh"),
    "silu": lambda m: m.nn.SiLU(),
    "sigmoid": lambda m: m.nn.Sigmoid(),
    "tanh": lambda m: m.nn.Tanh(),
    "softmax": lambda m: m.nn.Softmax(dim=1),
    "softmax_none": lambda m: m.nn.Softmax(),
    "logsoftmax": lambda m: m.nn.LogSoftmax(1),
    "softplus": lambda m: m.nn.Softplus(),
    "embedding": lambda m: m.nn.Embedding(3, 4, padding_idx=0),
    "embedding_plain": lambda m: m.nn.Embedding(10, 2),
    "flatten": lambda m: m.nn.Flatten(),
    "unflatten": lambda m: m.nn.Unflatten(1, (2, 3)),
    "identity": lambda m: m.nn.Identity(),
    "mse": lambda m: m.nn.MSELoss(),
    "ce": lambda m: m.nn.CrossEntropyLoss(label_smoothing=0.1),
    "bce_logits": lambda m: m.nn.BCEWithLogitsLoss(pos_weight=m.ones(2)),
    "sequential": lambda m: m.nn.Sequential(m.nn.Linear(2, 2), m.nn.ReLU(), m.nn.Linear(2, 1)),
    "sequential_empty": lambda m: m.nn.Sequential(),
    "modulelist": lambda m: m.nn.ModuleList([m.nn.ReLU(), m.nn.ReLU(), m.nn.Linear(1, 1)]),
    "moduledict": lambda m: m.nn.ModuleDict({"a": m.nn.ReLU(), "b": m.nn.Sequential(m.nn.Tanh())}),
    "nested": lambda m: m.nn.Sequential(
        m.nn.Sequential(m.nn.Conv2d(1, 2, 3), m.nn.BatchNorm2d(2)),
        m.nn.Flatten(),
        m.nn.Linear(8, 3),
    ),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_repr_and_state_dict_keys_match_torch(name: str) -> None:
    c, t = _both(LAYERS[name])
    assert repr(c) == repr(t)
    assert list(c.state_dict()) == list(t.state_dict())
    assert [n for n, _ in c.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in c.named_buffers()] == [n for n, _ in t.named_buffers()]
    for (_, a), (_, b) in zip(c.state_dict().items(), t.state_dict().items()):
        assert tuple(a.shape) == tuple(b.shape) and a.dtype.name == str(b.dtype)[6:]


def test_net_repr_matches_torch() -> None:
    def build(m: Any) -> Any:
        class Net(m.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.fc1 = m.nn.Linear(1, 1)

        return Net()

    c, t = _both(build)
    assert (
        repr(c) == repr(t) == "Net(\n  (fc1): Linear(in_features=1, out_features=1, bias=True)\n)"
    )


class _Model:
    @staticmethod
    def build(m: Any) -> Any:
        class Net(m.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.features = m.nn.Sequential(
                    m.nn.Conv2d(2, 4, 3, padding=1),
                    m.nn.BatchNorm2d(4),
                    m.nn.ReLU(),
                    m.nn.MaxPool2d(2),
                    m.nn.Conv2d(4, 4, 3, groups=2),
                    m.nn.ELU(),
                    m.nn.AvgPool2d(2, ceil_mode=True),
                    m.nn.AdaptiveAvgPool2d((2, 2)),
                )
                self.emb = m.nn.Embedding(5, 3)
                self.head = m.nn.Sequential(
                    m.nn.Flatten(),
                    m.nn.Linear(16 + 3, 8),
                    m.nn.LayerNorm(8),
                    m.nn.SiLU(),
                    m.nn.Linear(8, 8),
                    m.nn.BatchNorm1d(8),
                    m.nn.GELU(),
                    m.nn.Linear(8, 3),
                )

            def forward(self, x: Any, ids: Any) -> Any:
                f = self.features(x).flatten(1)
                return self.head(m.cat([f, self.emb(ids)], 1))

        return Net()


@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
def test_model_outputs_and_gradients_match_torch(dtype_name: str) -> None:
    c, t = _both(_Model.build)
    c.to(getattr(core, dtype_name))
    t.to(getattr(torch, dtype_name))
    copy_weights(c, t)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 2, 10, 9))
    ids = np.array([0, 4, 2])
    y = np.array([2, 0, 1])
    tol = 1e-9 if dtype_name == "float64" else 2e-4
    for _step in range(2):  # twice: running statistics change between the steps
        outs = []
        for m, net in ((core, c), (torch, t)):
            xt = m.tensor(x, dtype=getattr(m, dtype_name))
            out = net(xt, m.tensor(ids))
            loss = m.nn.functional.cross_entropy(out, m.tensor(y))
            net.zero_grad()
            loss.backward()
            outs.append(out)
        np.testing.assert_allclose(
            outs[0].detach().numpy(), outs[1].detach().numpy(), rtol=tol, atol=tol
        )
        for (n, p), (_, q) in zip(c.named_parameters(), t.named_parameters()):
            np.testing.assert_allclose(
                p.grad.numpy(), q.grad.numpy(), rtol=tol, atol=tol, err_msg=n
            )
        for (n, b), (_, d) in zip(c.named_buffers(), t.named_buffers()):
            np.testing.assert_allclose(b.numpy(), d.numpy(), rtol=tol, atol=tol, err_msg=n)
    c.eval()
    t.eval()
    xe = rng.standard_normal((2, 2, 10, 9))
    oc = c(core.tensor(xe, dtype=getattr(core, dtype_name)), core.tensor([1, 3]))
    ot = t(torch.tensor(xe, dtype=getattr(torch, dtype_name)), torch.tensor([1, 3]))
    np.testing.assert_allclose(oc.detach().numpy(), ot.detach().numpy(), rtol=tol, atol=tol)


def test_batchnorm_momentum_none_and_untracked_match_torch() -> None:
    rng = np.random.default_rng(1)
    for kwargs in ({"momentum": None}, {"track_running_stats": False}, {"momentum": 0.5}):
        c, t = core.nn.BatchNorm1d(3, **kwargs), torch.nn.BatchNorm1d(3, **kwargs)
        for _ in range(3):
            x = rng.standard_normal((5, 3, 2))
            oc, ot = c(core.tensor(x, dtype=core.float32)), t(torch.tensor(x, dtype=torch.float32))
            np.testing.assert_allclose(
                oc.detach().numpy(), ot.detach().numpy(), rtol=1e-5, atol=1e-5
            )
        for (n, b), (_, d) in zip(c.named_buffers(), t.named_buffers()):
            np.testing.assert_allclose(b.numpy(), d.numpy(), rtol=1e-5, atol=1e-6, err_msg=n)


def _error(fn: Callable[[], Any]) -> tuple[type, str]:
    """The exception's class and message, or (NoneType, repr of the result)."""
    try:
        result = fn()
    except Exception as e:  # noqa: BLE001 - comparing whatever both libraries raise
        return type(e), str(e)
    return type(None), repr(result) if not hasattr(result, "shape") else ""


def test_load_state_dict_messages_match_torch() -> None:
    def net(m: Any) -> Any:
        class Net(m.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.fc1 = m.nn.Linear(2, 3)
                self.fc2 = m.nn.Linear(3, 1)

        return Net()

    for mutate in (
        lambda m, sd: sd.pop("fc1.bias"),
        lambda m, sd: sd.update({"fc3.weight": m.zeros(1), "extra": m.zeros(1)}),
        lambda m, sd: sd.update({"fc2.weight": m.zeros(2, 3)}),
        lambda m, sd: (sd.pop("fc2.bias"), sd.update({"fc1.weight": m.zeros(1)})),
    ):
        results = []
        for m in (core, torch):
            model = net(m)
            sd = dict(model.state_dict())
            mutate(m, sd)
            results.append(_error(lambda model=model, sd=sd: model.load_state_dict(sd)))
            results.append(
                _error(lambda model=model, sd=sd: model.load_state_dict(sd, strict=False))
            )
        assert results[0] == results[2]
        assert results[1] == results[3]


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.nn.functional.conv2d(m.randn(1, 4, 5, 5), m.randn(2, 3, 3, 3)),
        lambda m: m.nn.functional.conv2d(m.randn(1, 3, 2, 2), m.randn(2, 3, 3, 3)),
        lambda m: m.nn.functional.linear(m.randn(4, 5), m.randn(2, 3)),
        lambda m: m.nn.functional.max_pool2d(m.randn(1, 3, 5, 5), 3, padding=2),
        lambda m: m.nn.functional.cross_entropy(m.randn(4, 3), m.tensor([0, 1, 2, 3])),
        lambda m: m.nn.functional.cross_entropy(m.randn(4, 3), m.tensor([0, 1, 2])),
        lambda m: m.nn.functional.binary_cross_entropy(m.randn(4) + 5, m.rand(4)),
        lambda m: m.nn.functional.binary_cross_entropy(m.rand(4), m.rand(4, 1)),
        lambda m: m.nn.functional.embedding(m.tensor([5]), m.randn(3, 2)),
        lambda m: m.nn.BatchNorm1d(3)(m.randn(1, 3)),
        lambda m: m.nn.LayerNorm(3)(m.randn(2, 4)),
        lambda m: m.nn.functional.dropout(m.randn(2), 1.5),
        lambda m: m.nn.functional.nll_loss(
            m.randn(3, 2), m.tensor([0, 1, 0]), weight=m.ones(2, requires_grad=True)
        ),
        lambda m: m.nn.functional.mse_loss(m.randn(2), m.randn(2), reduction="avg"),
        lambda m: m.nn.Linear(2, 2).to(m.int64),
        lambda m: m.nn.functional.conv2d(m.randn(1, 3, 5, 5, dtype=m.float64), m.randn(2, 3, 3, 3)),
        lambda m: m.nn.functional.conv2d(m.randn(1, 3, 5, 5), m.randn(2, 3, 3, 3, dtype=m.float64)),
        lambda m: m.nn.functional.conv2d(
            m.randn(1, 3, 5, 5, dtype=m.float64), m.randn(2, 3, 3, 3, dtype=m.float64), m.randn(2)
        ),
        lambda m: m.nn.functional.linear(m.randn(4, 3, dtype=m.float64), m.randn(2, 3)),
        lambda m: m.nn.functional.linear(
            m.randn(4, 3, dtype=m.float64), m.randn(2, 3, dtype=m.float64), m.randn(2)
        ),
        lambda m: m.nn.Linear(3, 2)(m.randn(4, 2)),
        lambda m: m.nn.functional.softmax(m.tensor([1, 2]), 0),
        lambda m: m.nn.functional.log_softmax(m.tensor([True]), 0),
        lambda m: m.nn.functional.nll_loss(m.randn(3, 2), m.tensor([0.0, 1.0, 0.0])),
        lambda m: m.nn.functional.nll_loss(m.randn(3, 2), m.tensor([0, 1, 0], dtype=m.int32)),
        lambda m: m.nn.functional.cross_entropy(m.randn(3, 2), m.tensor([0, 1]), label_smoothing=2),
        lambda m: m.nn.functional.max_pool2d(m.randn(3, 5), 2),
        lambda m: m.nn.functional.avg_pool2d(m.randn(3, 5), 2),
        lambda m: m.nn.functional.adaptive_avg_pool2d(m.randn(3, 5), 2),
        lambda m: m.nn.Conv2d(3, 4, 3, groups=2),
        lambda m: m.nn.functional.one_hot(m.tensor([1.0])),
        lambda m: m.nn.functional.pad(m.randn(2), (1,)),
        lambda m: m.nn.functional.embedding(m.tensor([1.0]), m.randn(3, 2)),
        lambda m: m.nn.functional.binary_cross_entropy_with_logits(m.randn(2), m.randn(3)),
    ],
)
def test_errors_match_torch(call: Callable[[Any], Any]) -> None:
    assert _error(lambda: call(core)) == _error(lambda: call(torch))


def test_init_gain_and_fans_match_torch() -> None:
    for args in [("linear",), ("relu",), ("tanh",), ("leaky_relu", 0.2), ("selu",), ("sigmoid",)]:
        assert core.nn.init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)
    for shape in [(3, 4), (5, 2, 3, 3)]:
        assert core.nn.init._calculate_fan_in_and_fan_out(
            core.empty(*shape)
        ) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def test_init_distributions() -> None:
    core.manual_seed(0)
    w = core.empty(400, 300)
    core.nn.init.kaiming_uniform_(w, a=5**0.5)
    assert abs(float(w.abs().max()) - 1 / 300**0.5) < 1e-3
    core.nn.init.xavier_normal_(w)
    assert abs(float(w.std()) - (2 / 700) ** 0.5) < 2e-3
    core.nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(float(w.std()) - (2 / 400) ** 0.5) < 2e-3
    core.nn.init.trunc_normal_(w, std=1.0, a=-1.0, b=1.0)
    assert float(w.abs().max()) <= 1.0
    q = core.empty(5, 3)
    core.nn.init.orthogonal_(q)
    np.testing.assert_allclose(q.numpy().T @ q.numpy(), np.eye(3), atol=1e-5)
    core.nn.init.eye_(q)
    assert q.tolist()[1] == [0.0, 1.0, 0.0]


def test_embedding_max_norm_renormalises_like_torch() -> None:
    rows = []
    for m in (core, torch):
        w = m.tensor(np.arange(12.0).reshape(4, 3), dtype=m.float32)
        out = m.nn.functional.embedding(m.tensor([1, 3, 1]), w, max_norm=2.0)
        rows.append((w.numpy().copy(), out.numpy().copy()))
    np.testing.assert_allclose(rows[0][0], rows[1][0], rtol=1e-6)
    np.testing.assert_allclose(rows[0][1], rows[1][1], rtol=1e-6)


def test_containers_edit_like_torch() -> None:
    def build(m: Any) -> Any:
        ml = m.nn.ModuleList([m.nn.ReLU(), m.nn.Tanh()])
        ml.insert(1, m.nn.Sigmoid())
        ml += [m.nn.ReLU()]
        seq = m.nn.Sequential(m.nn.ReLU(), m.nn.Tanh(), m.nn.Sigmoid())
        seq.insert(0, m.nn.Identity())
        del seq[1:3]
        seq = seq + m.nn.Sequential(m.nn.ELU())
        md = m.nn.ModuleDict({"b": m.nn.ReLU()})
        md["a"] = m.nn.Tanh()
        md.pop("b")
        return repr(ml) + repr(seq) + repr(md) + repr(ml[1:]) + repr(m.nn.Unflatten(1, (2, 3)))

    assert build(core) == build(torch)


def test_clip_grad_norm_matches_torch() -> None:
    rng = np.random.default_rng(2)
    grads = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    for norm_type in (2.0, 1.0, float("inf")):
        results = []
        for m in (core, torch):
            ps = [m.nn.Parameter(m.zeros(*g.shape)) for g in grads]
            for p, g in zip(ps, grads):
                p.grad = m.tensor(g, dtype=m.float32)
            total = m.nn.utils.clip_grad_norm_(ps, 0.5, norm_type=norm_type)
            results.append((total.item(), [p.grad.numpy().copy() for p in ps]))
        assert abs(results[0][0] - results[1][0]) < 1e-5
        for a, b in zip(results[0][1], results[1][1]):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
def test_full_backward_hooks_match_torch() -> None:
    def structure(t: Any) -> list[str]:
        out: list[str] = []

        def walk(node: Any, depth: int) -> None:
            out.append("  " * depth + (node.name() if node is not None else "None"))
            for nxt, _ in node.next_functions if node is not None else ():
                walk(nxt, depth + 1)

        walk(t.grad_fn, 0)
        return out

    def run(m: Any) -> tuple:
        m.manual_seed(0)
        lin = m.nn.Linear(3, 2)
        calls: list = []
        lin.register_full_backward_hook(
            lambda mod, gi, go: calls.append(
                (
                    "hook",
                    [None if g is None else tuple(g.shape) for g in gi],
                    [tuple(g.shape) for g in go],
                )
            )
        )
        lin.register_full_backward_pre_hook(
            lambda mod, go: calls.append(("pre", [tuple(g.shape) for g in go]))
        )
        x = m.ones(4, 3, requires_grad=True)
        y = lin(x)
        graph = structure(y)
        y.sum().backward()
        lin(m.ones(4, 3)).sum().backward()  # no input needs grad: the hook gets None
        zero = m.nn.Linear(3, 2)
        zero.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 0,))
        x2 = m.ones(4, 3, requires_grad=True)
        zero(x2).sum().backward()
        return graph, calls, x2.grad.abs().sum().item()

    assert run(core) == run(torch)


def test_parameter_containers_match_torch() -> None:
    def run(m: Any) -> list:
        nn = m.nn
        out: list = []
        pl = nn.ParameterList(
            [nn.Parameter(m.zeros(2, 3)), nn.Parameter(m.zeros(3, dtype=m.float64))]
        )
        out += [repr(pl), list(pl.state_dict()), len(pl), tuple(pl[-1].shape)]
        pd = nn.ParameterDict({"b": nn.Parameter(m.zeros(2)), "a": nn.Parameter(m.zeros(1))})
        out += [repr(pd), list(pd.state_dict()), list(pd.keys())]

        class M(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.ps = nn.ParameterList([nn.Parameter(m.zeros(1))])
                self.lin = nn.Linear(1, 1)

        out += [repr(M()), [n for n, _ in M().named_parameters()]]
        pl.append(m.zeros(2))
        out += [type(pl[2]).__name__, pl[2].requires_grad, repr(pl[1:])]
        pd["c"] = m.ones(1)
        out += ["c" in pd, len(pd), tuple(pd.pop("a").shape), list(pd)]
        out += [repr(nn.ParameterList()), repr(nn.ParameterDict())]
        return out

    assert run(core) == run(torch)


@pytest.mark.parametrize("padding_idx", [None, 1])
def test_embedding_scale_grad_by_freq_against_torch(padding_idx):
    torch = pytest.importorskip("torch")
    w = np.random.default_rng(4).standard_normal((6, 3)).astype(np.float32)
    idx = np.array([[0, 1, 1, 5], [1, 3, 0, 1]])
    tw = torch.tensor(w, requires_grad=True)
    cw = core.tensor(w, requires_grad=True)
    torch.nn.functional.embedding(
        torch.tensor(idx), tw, padding_idx=padding_idx, scale_grad_by_freq=True
    ).pow(2).sum().backward()
    core.nn.functional.embedding(
        core.tensor(idx), cw, padding_idx=padding_idx, scale_grad_by_freq=True
    ).pow(2).sum().backward()
    np.testing.assert_allclose(cw.grad.numpy(), tw.grad.numpy(), rtol=1e-6)
