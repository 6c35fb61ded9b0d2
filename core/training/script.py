"""The text of an exported model.py: plain PyTorch, no playground needed."""

from __future__ import annotations

__all__ = ["model_script"]

_TEMPLATE = '''"""Exported from Tensor Playground: {title}.

Run `python model.py` (needs torch and safetensors) to rebuild the model, load its weights and
evaluate it on the exported validation split. `train(...)` continues training in PyTorch with the
playground's optimizer settings.
"""

from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn

HERE = Path(__file__).resolve().parent


{net_code}

def load_model() -> Net:
    """The architecture with the exported weights (PyTorch key names)."""
    model = Net()
    model.load_state_dict(load_file(str(HERE / "model.safetensors")))
    return model


def evaluate(model: nn.Module) -> tuple:
    """(loss, accuracy or None) on the exported validation split."""
    data = load_file(str(HERE / "validation.safetensors"))
    inputs, targets = data["inputs"], data["targets"]
    loss_fn = nn.{loss_class}()
    model.eval()
    with torch.no_grad():
        outputs = model(inputs)
        loss = loss_fn(outputs, targets).item()
        accuracy = {accuracy_expr}
    return loss, accuracy


def train(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, epochs: int = 1) -> None:
    """Continue training on your data with the playground's settings."""
    optimizer = {optimizer}
    loss_fn = nn.{loss_class}()
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(inputs))
        for i in range(0, len(inputs), {batch_size}):
            idx = order[i : i + {batch_size}]
            optimizer.zero_grad()
            loss = loss_fn(model(inputs[idx]), targets[idx])
            loss.backward()
            optimizer.step()


if __name__ == "__main__":
    model = load_model()
    loss, accuracy = evaluate(model)
    print(f"validation loss: {{loss:.8g}}")
    if accuracy is not None:
        print(f"validation accuracy: {{accuracy:.4f}}")
'''


def model_script(
    net_code: str,
    loss_class: str,
    classification: bool,
    optimizer: str,
    batch_size: int,
    title: str,
) -> str:
    accuracy = "(outputs.argmax(1) == targets).float().mean().item()" if classification else "None"
    return _TEMPLATE.format(
        title=title,
        net_code=net_code.rstrip() + "\n",
        loss_class=loss_class,
        accuracy_expr=accuracy,
        optimizer=optimizer,
        batch_size=batch_size,
    )
