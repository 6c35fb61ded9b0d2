"""The NumPy bridge: from_numpy and .numpy() share memory"""
a = torch.ones(5)
b = a.numpy()  # b is a view of a's memory
a.add_(1)
print(a)
print(b)  # changed too

c = np.ones(5)
d = torch.from_numpy(c)  # d shares c's memory (and keeps its dtype, float64)
np.add(c, 1, out=c)
print(d)

# Copies break the link
e = torch.tensor(c)
c[0] = 100
print(e[0].item(), d[0].item())

# A cuda tensor must come back to the cpu before .numpy()
if torch.cuda.is_available():
    g = torch.ones(3, device="cuda")
    print(g.cpu().numpy())
