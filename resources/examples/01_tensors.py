"""Tensors: creating them, their shape and dtype, operations, indexing and reshaping"""
# Each block can be run on its own: select it and press Ctrl+Enter.

# Create tensors
x = torch.empty(5, 3)  # uninitialised: whatever was in memory
r = torch.rand(5, 3)  # uniform in [0, 1)
z = torch.zeros(5, 3, dtype=torch.long)
d = torch.tensor([5.5, 3])  # from data
print(r.size(), r.dtype, z.dtype)

# New tensors like an existing one
ones = r.new_ones(5, 3, dtype=torch.double)
noise = torch.randn_like(ones, dtype=torch.float)

# Operations: three spellings of the same addition
a = r + noise
b = torch.add(r, noise)
r.add_(noise)  # in place: the trailing underscore
print(torch.equal(a, b))

# Indexing and reshaping (view shares memory with its base)
column = a[:, 1]
m = torch.randn(4, 4)
flat = m.view(16)
halves = m.view(-1, 8)
print(m.size(), flat.size(), halves.size())

# A one-element tensor gives back a Python number
s = torch.randn(1)
print(s.item())

# Broadcasting: shapes (3, 1) and (1, 4) combine into (3, 4)
grid = torch.arange(3).view(3, 1) * 10 + torch.arange(4).view(1, 4)
grid
