"""A module: define a network with nn.Module, look at its parameters and output"""


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


torch.manual_seed(0)
net = Net()
print(net)

for name, p in net.named_parameters():
    print(name, tuple(p.shape))

inputs = torch.randn(8, 4)
logits = net(inputs)  # inspect it: its graph runs back through both layers
target = torch.randint(0, 3, (8,))
loss = F.cross_entropy(logits, target)
print(loss)

net.zero_grad()
loss.backward()
print(net.fc1.weight.grad.shape)
