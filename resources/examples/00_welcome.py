"""Welcome: autograd in four lines (from the 60 Minute Blitz)"""
# Ctrl+Enter runs the selection (or everything). Pick a variable to inspect it; in the
# Graph panel, F10 steps the backward pass one node at a time.
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
print(out)
