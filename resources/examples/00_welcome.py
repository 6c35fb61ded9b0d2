"""Welcome: autograd in four lines (from the 60 Minute Blitz)"""
# Ctrl+Enter runs the selection, or everything.
# Click a variable to inspect it; F10 steps backward through the graph.
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
print(out)
