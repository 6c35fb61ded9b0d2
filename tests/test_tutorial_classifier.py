"""The tutorials' CIFAR classifier (004), unchanged, trained on real pictures: the bundled digits.

The 8x8 digits are scaled up to CIFAR's 3x32x32 so the tutorial's network runs as written.
"""

from __future__ import annotations

import numpy as np

import core as torch
import core.nn as nn
import core.nn.functional as F
import core.optim as optim
from core import datasets
from core.utils.data import DataLoader, TensorDataset

REQUIRED_ACCURACY = 0.90


class Net(nn.Module):  # the tutorial's network, as written there
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def _cifar_shaped(images: np.ndarray) -> torch.Tensor:
    """(n, 1, 8, 8) in [0, 1] -> (n, 3, 32, 32), normalised as the tutorial does (mean .5, std .5)."""
    big = np.kron(images, np.ones((1, 3, 4, 4), dtype=np.float32))
    return torch.from_numpy((big - 0.5) / 0.5)


def test_the_tutorial_classifier_learns_the_digits() -> None:
    torch.manual_seed(0)
    X, y = datasets.make("digits")
    (xt, yt), (xv, yv) = datasets.train_val_split(X, y, val_fraction=0.2, seed=0)
    generator = torch.Generator().manual_seed(0)
    trainloader = DataLoader(
        TensorDataset(_cifar_shaped(xt), torch.from_numpy(yt)),
        batch_size=16,
        shuffle=True,
        generator=generator,
    )
    net = Net()
    before = [p.detach().clone() for p in net.parameters()]
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    for _epoch in range(6):
        for inputs, labels in trainloader:
            optimizer.zero_grad()
            loss = criterion(net(inputs), labels)
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        outputs = net(_cifar_shaped(xv))
        _, predicted = torch.max(outputs.data, 1)
    accuracy = (predicted == torch.from_numpy(yv)).sum().item() / len(yv)
    assert accuracy >= REQUIRED_ACCURACY, accuracy
    assert all(not torch.equal(a, b) for a, b in zip(before, net.parameters()))
    single = _cifar_shaped(xv[:1])[0].unsqueeze(0)  # "use input.unsqueeze(0) to fake a batch"
    assert net(single).shape == (1, 10)
