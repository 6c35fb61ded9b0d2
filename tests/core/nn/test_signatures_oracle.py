"""Every nn name takes PyTorch's parameters, in PyTorch's order."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import core

torch = pytest.importorskip("torch")


def _params(fn: Any) -> list[str] | None:
    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):  # a builtin without a signature
        return None


def test_module_constructors() -> None:
    for name in (n for n in core.nn.__all__ if n[0].isupper()):
        assert _params(getattr(core.nn, name).__init__) == _params(
            getattr(torch.nn, name).__init__
        ), name


def test_functional_init_utils_and_module_methods() -> None:
    pairs = [
        (getattr(core.nn.functional, n), getattr(torch.nn.functional, n))
        for n in core.nn.functional.__all__
    ]
    pairs += [
        (getattr(core.nn.init, n), getattr(torch.nn.init, n))
        for n in (
            "uniform_",
            "normal_",
            "constant_",
            "zeros_",
            "ones_",
            "eye_",
            "dirac_",
            "xavier_uniform_",
            "xavier_normal_",
            "kaiming_uniform_",
            "kaiming_normal_",
            "trunc_normal_",
            "orthogonal_",
            "calculate_gain",
        )
    ]
    pairs += [
        (getattr(core.nn.utils, n), getattr(torch.nn.utils, n)) for n in core.nn.utils.__all__
    ]
    pairs += [
        (getattr(core.nn.Module, n), getattr(torch.nn.Module, n))
        for n in (
            "state_dict",
            "load_state_dict",
            "named_parameters",
            "named_modules",
            "named_buffers",
            "register_buffer",
            "register_parameter",
            "add_module",
            "register_forward_hook",
            "register_forward_pre_hook",
            "register_full_backward_hook",
            "register_full_backward_pre_hook",
            "to",
            "zero_grad",
            "train",
            "apply",
            "parameters",
            "buffers",
            "requires_grad_",
            "get_submodule",
        )
    ]
    for ours, theirs in pairs:
        expected = _params(theirs)
        if expected is not None and expected != ["args", "kwargs"]:
            assert _params(ours) == expected, ours.__qualname__
