"""``format(tensor)``: a 0-d plain tensor formats as its number, everything else as its repr."""
# ruff: noqa: UP032  -- the tutorials write "loss: {}".format(loss); that exact call is what is tested

import core


def test_zero_dim_formats_as_number() -> None:
    assert "{}".format(core.tensor(3.25)) == "3.25"
    assert "{:.1f}".format(core.tensor(2.25)) == "2.2"
    x = core.tensor(1.5, requires_grad=True)
    assert f"{x * 2}" == "3.0"


def test_other_tensors_format_as_repr() -> None:
    assert "{}".format(core.tensor([1.5])) == "tensor([1.5000])"
    p = core.nn.Parameter(core.tensor(1.0))
    assert "{}".format(p) == "Parameter containing:\ntensor(1., requires_grad=True)"
