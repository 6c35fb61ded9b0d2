"""Autograd: requires_grad, grad_fn, backward and .grad"""
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
print(y.grad_fn)  # y was made by an operation, so it has a grad_fn

z = y * y * 3
out = z.mean()
print(z, out)

# Select `out` in Variables and step its graph with F10, or run backward here:
out.backward()
print(x.grad)  # d(out)/dx = 1.5 * (x + 2) = 4.5

# Gradients accumulate: zero them before another backward
x.grad.zero_()

# Vector-Jacobian product: backward of a non-scalar needs a gradient argument
v = torch.randn(3, requires_grad=True)
w = v * 2
while w.data.norm() < 1000:
    w = w * 2
w.backward(torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float))
print(v.grad)

# Stop tracking history
with torch.no_grad():
    print((v**2).requires_grad)
