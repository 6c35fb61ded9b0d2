"""ModelSpec: parsing, validation, planning, and PyTorch code with the same state_dict."""

from __future__ import annotations

import pytest

from core.training import ConfigError, ModelSpec

SPECS = [
    ("linear", (1,), 1),
    ("mlp:64,64:relu", (2,), 2),
    ("mlp:32:tanh:dropout=0.1:bn", (2,), 3),
    ("mlp:16,8:sigmoid:bn", (1, 8, 8), 10),
    ("lenet", (1, 8, 8), 10),
    ("lenet", (3, 32, 32), 10),
]


@pytest.mark.parametrize(
    "text", ["linear", "mlp:64,64:relu", "mlp:32:tanh:dropout=0.1:bn", "lenet"]
)
def test_short_form_round_trips(text: str) -> None:
    spec = ModelSpec.parse(text)
    assert str(spec) == text
    assert ModelSpec.from_dict(spec.to_dict()) == spec
    assert ModelSpec.coerce(spec.to_dict()) == spec


def test_mlp_layers() -> None:
    spec = ModelSpec.parse("mlp:8,4:tanh:dropout=0.25:bn")
    kinds = [layer["type"] for layer in spec.layers]
    assert kinds == ["linear", "batchnorm", "activation", "dropout"] * 2
    assert spec.layers[0]["out"] == 8 and spec.layers[4]["out"] == 4
    assert spec.layers[2]["name"] == "tanh"


def test_names_and_shapes() -> None:
    names = ModelSpec.parse("mlp:16:relu").layer_names((1, 8, 8), 10)
    assert [n for n, _, _ in names] == ["flatten", "fc1", "act1", "fc2"]
    assert names[-1][2] == (10,)
    lenet = ModelSpec.lenet().layer_names((3, 32, 32), 10)
    assert ("fc1", "Linear(400, 120)", (120,)) in lenet
    assert lenet[0] == ("conv1", "Conv2d(3, 6, kernel_size=5)", (6, 28, 28))


def test_parameter_counts() -> None:
    assert ModelSpec.linear().parameter_count((1,), 1) == 2
    assert (
        ModelSpec.parse("mlp:64,64:relu").parameter_count((2,), 2)
        == 2 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2
    )
    # PyTorch's CIFAR tutorial LeNet
    assert ModelSpec.lenet().parameter_count((3, 32, 32), 10) == 62006


@pytest.mark.parametrize(
    "bad, words",
    [
        ("cnn", "unknown model"),
        ("mlp:a,b", "integers"),
        ("mlp:4:swish", "unknown option"),
        ("mlp:4:dropout=x", "dropout"),
        ("linear:4", "no options"),
    ],
)
def test_bad_strings_say_what_to_fix(bad: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        ModelSpec.parse(bad)


@pytest.mark.parametrize(
    "layers, words",
    [
        ([{"type": "dense", "out": 3}], "unknown type"),
        ([{"type": "linear"}], "'out' is required"),
        ([{"type": "linear", "out": 0}], "positive integer"),
        ([{"type": "linear", "out": 3, "size": 2}], "unknown option"),
        ([{"type": "dropout", "p": 1.5}], r"\[0, 1\)"),
        ([{"type": "activation", "name": "swish"}], "unknown activation"),
        ([{"type": "pool", "kind": "min"}], "'max' or 'avg'"),
    ],
)
def test_bad_layers_name_the_layer(layers: list, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        ModelSpec(layers)


def test_shape_errors() -> None:
    with pytest.raises(ConfigError, match="image-shaped"):
        ModelSpec([{"type": "conv", "out": 4}]).plan((2,), 2)
    with pytest.raises(ConfigError, match="larger than"):
        ModelSpec([{"type": "conv", "out": 4, "kernel": 9}]).plan((1, 8, 8), 2)


@pytest.mark.parametrize("text, shape, outputs", SPECS)
def test_pytorch_code_has_the_same_state_dict(text: str, shape: tuple, outputs: int) -> None:
    torch = pytest.importorskip("torch")
    spec = ModelSpec.parse(text)
    namespace: dict = {}
    exec(spec.to_pytorch_code(shape, outputs), namespace)  # noqa: S102
    net = namespace["Net"]()
    out = net.eval()(torch.zeros(2, *shape))
    assert tuple(out.shape) == (2, outputs)
    theirs = {k: tuple(v.shape) for k, v in net.state_dict().items()}
    ours = {k: tuple(v.shape) for k, v in spec.build(shape, outputs).state_dict().items()}
    assert ours == theirs
    assert spec.parameter_count(shape, outputs) == sum(p.numel() for p in net.parameters())


@pytest.mark.parametrize(
    "text",
    [
        f"mlp:8:{a}"
        for a in ("relu", "tanh", "sigmoid", "leaky_relu", "elu", "gelu", "silu", "softplus")
    ]
    + ["mlp:8,6:relu:dropout=0.3:bn", "lenet"],
)
def test_built_module_computes_what_the_pytorch_code_computes(text: str) -> None:
    torch = pytest.importorskip("torch")
    import numpy as np

    import core

    shape = (1, 8, 8) if text == "lenet" else (3,)
    spec = ModelSpec.parse(text)
    core.manual_seed(0)
    ours = spec.build(shape, 4).eval()
    namespace: dict = {}
    exec(spec.to_pytorch_code(shape, 4), namespace)  # noqa: S102
    theirs = namespace["Net"]().eval()
    theirs.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    )
    x = np.random.default_rng(0).standard_normal((5, *shape)).astype(np.float32)
    with core.no_grad(), torch.no_grad():
        got = ours(core.from_numpy(x)).numpy()
        want = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
