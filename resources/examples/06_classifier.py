"""A classifier: two moons, an MLP, DataLoader mini-batches and Adam"""
torch.manual_seed(0)
rng = np.random.default_rng(0)

# Two interleaving half circles, 2-d points with labels 0 and 1
n = 400
angle = rng.uniform(0, np.pi, n)
label = rng.integers(0, 2, n)
points = np.stack([np.cos(angle) + label, np.sin(angle) * (1 - 2 * label) + 0.5 * label], axis=1)
points += rng.normal(0, 0.1, points.shape)

features = torch.tensor(points, dtype=torch.float32)
labels = torch.tensor(label, dtype=torch.long)
dataset = torch.utils.data.TensorDataset(features, labels)
loader = torch.utils.data.DataLoader(dataset, batch_size=32, shuffle=True)

model = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))
optimizer = optim.Adam(model.parameters(), lr=0.01)
criterion = nn.CrossEntropyLoss()

for epoch in range(20):
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    if epoch % 5 == 4:
        print(f"epoch {epoch + 1:2d}  loss {total / n:.4f}")

with torch.no_grad():
    accuracy = (model(features).argmax(dim=1) == labels).float().mean()
print(f"accuracy {accuracy.item():.1%}")
