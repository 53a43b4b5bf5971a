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


MORE_OPS_CODE = """x = torch.tensor([0.1, 0.5, -0.3], requires_grad=True)
for n in ['asin','acos','atan','sinh','cosh','asinh','atanh','exp2']:
    y = getattr(torch, n)(x); y.sum().backward(); print(n, y, x.grad); x.grad = None
y = torch.atan2(x, x + 1); y.sum().backward(); print(y, x.grad); x.grad = None
print(torch.acosh(x + 2))
s = x.sort(descending=True); print(s); (s.values * torch.tensor([1., 2., 3.])).sum().backward(); print(x.grad); x.grad = None
print(x.argsort(), x.topk(2))
t = x.topk(2, largest=False).values; t.sum().backward(); print(t, x.grad); x.grad = None
y = x.index_select(0, torch.tensor([2, 0, 2])); y.sum().backward(); print(y, x.grad); x.grad = None
y = x.masked_select(x > 0); y.sum().backward(); print(y, x.grad); x.grad = None
e = torch.einsum('i,i->', x, x); e.backward(); print(e.item() - 0.35 < 1e-6, x.grad)
M = torch.tensor([[1., 2.], [3., 4.]]); print(torch.einsum('ij,jk->ik', M, M))
"""

MORE_OPS_EXPECTED = """asin tensor([ 0.1002,  0.5236, -0.3047], grad_fn=<AsinBackward0>) tensor([1.0050, 1.1547, 1.0483])
acos tensor([1.4706, 1.0472, 1.8755], grad_fn=<AcosBackward0>) tensor([-1.0050, -1.1547, -1.0483])
atan tensor([ 0.0997,  0.4636, -0.2915], grad_fn=<AtanBackward0>) tensor([0.9901, 0.8000, 0.9174])
sinh tensor([ 0.1002,  0.5211, -0.3045], grad_fn=<SinhBackward0>) tensor([1.0050, 1.1276, 1.0453])
cosh tensor([1.0050, 1.1276, 1.0453], grad_fn=<CoshBackward0>) tensor([ 0.1002,  0.5211, -0.3045])
asinh tensor([ 0.0998,  0.4812, -0.2957], grad_fn=<AsinhBackward0>) tensor([0.9950, 0.8944, 0.9578])
atanh tensor([ 0.1003,  0.5493, -0.3095], grad_fn=<AtanhBackward0>) tensor([1.0101, 1.3333, 1.0989])
exp2 tensor([1.0718, 1.4142, 0.8123], grad_fn=<Exp2Backward0>) tensor([0.7429, 0.9803, 0.5630])
tensor([ 0.0907,  0.3218, -0.4049], grad_fn=<Atan2Backward0>) tensor([0.8197, 0.4000, 1.7241])
tensor([1.3729, 1.5668, 1.1232], grad_fn=<AcoshBackward0>)
torch.return_types.sort(
values=tensor([ 0.5000,  0.1000, -0.3000], grad_fn=<SortBackward0>),
indices=tensor([1, 0, 2]))
tensor([2., 1., 3.])
tensor([2, 0, 1]) torch.return_types.topk(
values=tensor([0.5000, 0.1000], grad_fn=<TopkBackward0>),
indices=tensor([1, 0]))
tensor([-0.3000,  0.1000], grad_fn=<TopkBackward0>) tensor([1., 0., 1.])
tensor([-0.3000,  0.1000, -0.3000], grad_fn=<IndexSelectBackward0>) tensor([1., 0., 2.])
tensor([0.1000, 0.5000], grad_fn=<MaskedSelectBackward0>) tensor([1., 1., 0.])
True tensor([ 0.2000,  1.0000, -0.6000])
tensor([[ 7., 10.],
        [15., 22.]])
"""


def test_more_operations_print_the_same() -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(MORE_OPS_CODE, {"torch": torch})
    assert out.getvalue() == MORE_OPS_EXPECTED
