"""The module a ModelSpec builds: named submodules called in order, as the generated code does."""

from __future__ import annotations

from typing import Any

from core import nn
from core.training.spec import LayerPlan

__all__ = ["Net", "build_network"]


class Net(nn.Module):
    """A feed-forward network whose forward calls its children in registration order."""

    def forward(self, x: Any) -> Any:
        for module in self.children():
            x = module(x)
        return x


def build_network(plans: list[LayerPlan]) -> Net:
    net = Net()
    for p in plans:
        cls = getattr(nn, p.cls)
        net.add_module(p.name, cls(*p.args, **dict(p.kwargs)))
    return net
