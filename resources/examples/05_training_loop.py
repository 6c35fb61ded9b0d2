"""A training loop: fit a line with nn.Linear, MSELoss and SGD"""
torch.manual_seed(0)

# Data: y = 2x + 1, with noise
x = torch.linspace(-1, 1, 100).view(-1, 1)
y = 2 * x + 1 + 0.1 * torch.randn(100, 1)

model = nn.Linear(1, 1)
loss_fn = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.1)

losses = []
for epoch in range(100):
    optimizer.zero_grad()  # 1. clear old gradients
    prediction = model(x)  # 2. forward
    loss = loss_fn(prediction, y)  # 3. loss
    loss.backward()  # 4. gradients
    optimizer.step()  # 5. update
    losses.append(loss.item())
    if epoch % 20 == 0:
        print(f"epoch {epoch:3d}  loss {loss.item():.4f}")

print("weight", model.weight.item(), "bias", model.bias.item())
