"""Snippets of PyTorch's own autograd tutorials (the 60-minute blitz, "A
Gentle Introduction to torch.autograd", "Automatic differentiation with
torch.autograd") print exactly what PyTorch 2.x prints (object addresses
masked)."""
from __future__ import annotations

import contextlib
import io
import re

import funcgrad.torch as torch

CODE = """a = torch.tensor([2., 3.], requires_grad=True)
b = torch.tensor([6., 4.], requires_grad=True)
Q = 3*a**3 - b**2
print(Q)
external_grad = torch.tensor([1., 1.])
Q.backward(gradient=external_grad)
print(9*a**2 == a.grad)
print(-2*b == b.grad)
x = torch.tensor([0.5, -1.25, 2.0], requires_grad=True)
y = x * 2
while y.data.norm() < 1000:
    y = y * 2
print(y)
v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(v)
print(x.grad)
print(x.requires_grad)
print((x ** 2).requires_grad)
with torch.no_grad():
    print((x ** 2).requires_grad)
y = x.detach()
print(y.requires_grad)
print(x.eq(y).all())
inp = torch.eye(4, 5, requires_grad=True)
out = (inp+1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\\nSecond call\\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\\nCall after zeroing gradients\\n{inp.grad}")
print(out.grad_fn, out.grad_fn.next_functions[0][0].next_functions)
x = torch.ones(2, 2, requires_grad=True)
print(x)
y = x + 2
print(y)
print(y.grad_fn)
z = y * y * 3
out = z.mean()
print(z, out)
a = torch.randn(2, 2)
a = ((a * 3) / (a - 1))
print(a.requires_grad)
a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
print(b.grad_fn)
out.backward()
print(x.grad)
w = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
h = torch.tanh(w @ torch.tensor([1., -1.])).sum()
g, = torch.autograd.grad(h, w, create_graph=True)
print(g)
print(torch.autograd.grad(g.sum(), w))
print(torch.tensor([[1e-3, 2.5e5], [3., 4.]]))
print(torch.arange(12.).reshape(3, 4).T @ torch.ones(3))
print(torch.zeros(2, 3, dtype=torch.int32), torch.tensor(3), torch.tensor([1.5], dtype=torch.float64, requires_grad=True))
"""

EXPECTED = """tensor([-12.,  65.], grad_fn=<SubBackward0>)
tensor([True, True])
tensor([True, True])
tensor([ 256., -640., 1024.], grad_fn=<MulBackward0>)
tensor([5.1200e+01, 5.1200e+02, 5.1200e-02])
True
True
False
False
tensor(True)
First call
tensor([[4., 2., 2., 2., 2.],
        [2., 4., 2., 2., 2.],
        [2., 2., 4., 2., 2.],
        [2., 2., 2., 4., 2.]])

Second call
tensor([[8., 4., 4., 4., 4.],
        [4., 8., 4., 4., 4.],
        [4., 4., 8., 4., 4.],
        [4., 4., 4., 8., 4.]])

Call after zeroing gradients
tensor([[4., 2., 2., 2., 2.],
        [2., 4., 2., 2., 2.],
        [2., 2., 4., 2., 2.],
        [2., 2., 2., 4., 2.]])
<TBackward0 object at 0x...> ((<AddBackward0 object at 0x...>, 0),)
tensor([[1., 1.],
        [1., 1.]], requires_grad=True)
tensor([[3., 3.],
        [3., 3.]], grad_fn=<AddBackward0>)
<AddBackward0 object at 0x...>
tensor([[27., 27.],
        [27., 27.]], grad_fn=<MulBackward0>) tensor(27., grad_fn=<MeanBackward0>)
False
True
<SumBackward0 object at 0x...>
tensor([[4.5000, 4.5000],
        [4.5000, 4.5000]])
tensor([[ 0.4200, -0.4200],
        [ 0.4200, -0.4200]], grad_fn=<MulBackward0>)
(tensor([[0., -0.],
        [0., -0.]]),)
tensor([[1.0000e-03, 2.5000e+05],
        [3.0000e+00, 4.0000e+00]])
tensor([12., 15., 18., 21.])
tensor([[0, 0, 0],
        [0, 0, 0]], dtype=torch.int32) tensor(3) tensor([1.5000], dtype=torch.float64, requires_grad=True)
"""


def test_pytorch_tutorial_snippets_print_the_same() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(CODE, {"torch": torch})
    assert re.sub(r"0x[0-9a-f]+", "0x...", out.getvalue()) == EXPECTED


SETITEM_CODE = """w = torch.tensor(2.0, requires_grad=True)
z = torch.zeros(3)
z[0] = w
z[1:] = w * 3
print(z, z.is_leaf)
(z * torch.tensor([1., 2., 3.])).sum().backward()
print(w.grad)
x = torch.ones(3, requires_grad=True)
y = x * 2
y[y > 1] = 0.5
print(y)
y.sum().backward(); print(x.grad)
m = torch.ones(2, 3)
m[:, 1] = torch.tensor([7., 8.])
print(m, m._version)
a = torch.arange(6.).reshape(2, 3)
v = a[0]
v.add_(10)
print(a, a._version, v._version)
b = a.view(3, 2); b.mul_(2); print(a)
c = a.detach(); c.zero_(); print(a, a._version)
"""

SETITEM_EXPECTED = """tensor([2., 6., 6.], grad_fn=<CopySlices>) False
tensor(16.)
tensor([0.5000, 0.5000, 0.5000], grad_fn=<IndexPutBackward0>)
tensor([0., 0., 0.])
tensor([[1., 7., 1.],
        [1., 8., 1.]]) 1
tensor([[10., 11., 12.],
        [ 3.,  4.,  5.]]) 1 1
tensor([[20., 22., 24.],
        [ 6.,  8., 10.]])
tensor([[0., 0., 0.],
        [0., 0., 0.]]) 3
"""


def test_index_assignment_and_views_print_the_same() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(SETITEM_CODE, {"torch": torch})
    assert out.getvalue() == SETITEM_EXPECTED


MISC_CODE = """x = torch.tensor([1., 2.], requires_grad=True)
print(torch.autograd.grad(x, x, torch.ones(2)))
s = torch.tensor(3., requires_grad=True); s.backward(); print(s.grad)
a = torch.tensor(2., requires_grad=True)
print(torch.autograd.grad([a * 2, a ** 2], [a]))
print(torch.autograd.grad([a * 2, a ** 2], a, [torch.tensor(1.), None]) if False else "")
h = a.register_hook(lambda g: g * 10)
(a * a + a).backward(); print(a.grad)
y = a * 3; y.retain_grad(); y.register_hook(lambda g: g + 1); (y * 2).backward(); print(y.grad, a.grad)
b = torch.ones(2, 2, requires_grad=True)
c = b.sum(0); d = c * torch.tensor([1., 2.]); d.backward(torch.ones(2)); print(b.grad)
print(torch.ones(3, requires_grad=True).sum(dim=0, keepdim=True))
print(torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)[1])
print(torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)[:, 0])
print(torch.tensor([1., 2.], requires_grad=True).unsqueeze(0).T)
q = torch.tensor([3., 4.], requires_grad=True); n = q / q.norm(); print(n); n[0].backward(); print(q.grad)
"""

MISC_EXPECTED = """(tensor([1., 1.]),)
tensor(1.)
(tensor(6.),)

tensor(50.)
tensor(3.) tensor(140.)
tensor([[1., 2.],
        [1., 2.]])
tensor([3.], grad_fn=<SumBackward1>)
tensor([3., 4.], grad_fn=<SelectBackward0>)
tensor([1., 3.], grad_fn=<SelectBackward0>)
tensor([[1.],
        [2.]], grad_fn=<PermuteBackward0>)
tensor([0.6000, 0.8000], grad_fn=<DivBackward0>)
tensor([ 0.1280, -0.0960])
"""


def test_hooks_leaf_roots_and_views_print_the_same() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(MISC_CODE, {"torch": torch})
    assert out.getvalue() == MISC_EXPECTED


COMPLEX_CODE = """z = torch.tensor([1+2j, -0.5+1j], requires_grad=True)
w = torch.tensor([0.5-1j, 2+0j], requires_grad=True)
l = (z * w).abs().sum()
l.backward(); print(z.grad, w.grad)
z.grad = None
y = (z * z)
y.backward(torch.tensor([1+1j, 1j]))
print(z.grad)
z.grad = None
r = (z.conj() * z).real.sum() + z.imag.sum() * 2
r.backward(); print(z.grad)
g, = torch.autograd.grad((z.exp()).abs().sum(), z); print(g)
z.grad = None
h = z.register_hook(lambda g: print("hook", g))
(z * 2).real.sum().backward(); print(z.grad)
print(torch.tensor([1+2j]) * 2.5, torch.tensor([1.5]) + 1j)
"""

COMPLEX_EXPECTED = """tensor([ 0.5000+1.0000j, -0.8944+1.7889j]) tensor([1.0000-2.j, 1.1180+0.j])
tensor([6.-2.j, 2.-1.j])
tensor([ 2.+6.j, -1.+4.j])
tensor([2.7183-4.0141e-08j, 0.6065+2.0844e-08j])
hook tensor([2.+0.j, 2.+0.j])
tensor([2.+0.j, 2.+0.j])
tensor([2.5000+5.j]) tensor([1.5000+1.j])
"""


def test_complex_gradients_print_the_same() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(COMPLEX_CODE, {"torch": torch})
    assert out.getvalue() == COMPLEX_EXPECTED
