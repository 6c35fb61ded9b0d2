"""``core.optim``: PyTorch's optimizers and learning-rate schedulers on raw arrays.

Each optimizer follows PyTorch's single-tensor (``foreach=False``) update, so float32 trajectories
match PyTorch's to float32 precision. ``foreach``, ``fused``, ``capturable`` and ``differentiable``
are accepted and stored (state dicts keep PyTorch's keys) but select nothing here.
"""

from core.optim import lr_scheduler
from core.optim.adagrad import Adagrad
from core.optim.adam import Adam
from core.optim.adamw import AdamW
from core.optim.optimizer import Optimizer, optimizer_to
from core.optim.rmsprop import RMSprop
from core.optim.sgd import SGD

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Optimizer",
    "RMSprop",
    "lr_scheduler",
    "optimizer_to",
]
