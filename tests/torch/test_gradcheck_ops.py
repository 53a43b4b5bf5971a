"""First and second derivatives of facade operations against finite
differences (``torch.autograd.gradcheck`` / ``gradgradcheck`` in float64).

This exercises the facade's own primitives (``funcgrad.torch._ops``) and the
``create_graph=True`` path, where the VJP rules run on tensors.
"""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad.torch as torch

CASES = {
    "mean": (lambda x: x.mean(1), [(2, 3)]),
    "sigmoid": (lambda x: x.sigmoid(), [(4,)]),
    "relu": (lambda x: (x + 0.05).relu(), [(4,)]),
    "softmax": (lambda x: x.softmax(1), [(2, 3)]),
    "log_softmax": (lambda x: x.log_softmax(0), [(2, 3)]),
    "logsumexp": (lambda x: x.logsumexp(1), [(2, 3)]),
    "max_all": (lambda x: x.max(), [(5,)]),
    "max_dim": (lambda x: x.max(1).values, [(2, 3)]),
    "amin": (lambda x: x.amin(0), [(2, 3)]),
    "gather": (lambda x: x.gather(1, torch.tensor([[2, 0], [1, 1]])), [(2, 3)]),
    "clamp": (lambda x: x.clamp(-0.5, 0.5), [(5,)]),
    "pow_scalar": (lambda x: (x.abs() + 0.5) ** 2.5, [(4,)]),
    "pow_tensor": (lambda x, y: (x.abs() + 0.5) ** y, [(3,), (3,)]),
    "rpow": (lambda x: 2 ** x, [(3,)]),
    "div": (lambda x, y: x / (y.abs() + 1), [(2, 3), (3,)]),
    "cumsum": (lambda x: x.cumsum(1), [(2, 3)]),
    "norm": (lambda x: x.norm(), [(2, 3)]),
    "norm_p1": (lambda x: x.norm(p=3, dim=1), [(2, 3)]),
    "prod": (lambda x: x.prod(1), [(2, 3)]),
    "var": (lambda x: x.var(0), [(3, 2)]),
    "std": (lambda x: x.std(), [(2, 3)]),
    "log1p_expm1": (lambda x: x.abs().log1p() + x.expm1(), [(4,)]),
    "rsqrt": (lambda x: (x.abs() + 1).rsqrt(), [(4,)]),
    "mm": (lambda a, b: a @ b, [(2, 3), (3, 2)]),
    "mv": (lambda a, b: a @ b, [(2, 3), (3,)]),
    "vm": (lambda a, b: a @ b, [(3,), (3, 2)]),
    "bmm": (lambda a, b: a @ b, [(2, 2, 3), (3, 2)]),
    "index": (lambda x: x[[0, 0, 1], 1:], [(2, 3)]),
    "setitem": (lambda x, v: _put(x, v), [(3,), ()]),
    "where": (lambda x, y: torch.where(x > 0, x * y, y), [(4,), (4,)]),
    "cat_stack": (lambda x, y: torch.stack([torch.cat([x, y]), torch.cat([y, x])]), [(2,), (2,)]),
    "expand_repeat": (lambda x: x.expand(2, 3) * x.repeat(2, 1), [(3,)]),
    "permute": (lambda x: x.permute(2, 0, 1).reshape(-1), [(2, 3, 2)]),
    "sin_cos_tanh": (lambda x: x.sin() * x.cos() + x.tanh(), [(3,)]),
    "masked_fill": (lambda x: x.masked_fill(x > 0.5, 2.0) * x, [(5,)]),
    # multiple-result primitives, one result used or both
    "eigh": (lambda a: torch.linalg.eigh(a @ a.mT)[0], [(3, 3)]),
    "eigh_vectors": (lambda a: torch.linalg.eigh(a @ a.mT)[1][0] ** 2, [(3, 3)]),
    "slogdet": (lambda a: torch.linalg.slogdet(a + 3 * torch.eye(3, dtype=torch.float64))[1],
                [(3, 3)]),
    "qr": (lambda a: torch.linalg.qr(a)[1], [(3, 3)]),
    "svd": (lambda a: torch.linalg.svd(a, full_matrices=False)[1], [(3, 2)]),
}


def _put(x, v):
    y = x * 1
    y[1] = v * 3
    return y


def _inputs(shapes, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for s in shapes:
        v = rng.uniform(-1.0, 1.0, s)
        out.append(torch.tensor(v, dtype=torch.float64, requires_grad=True))
    return tuple(out)


@pytest.mark.parametrize("name", list(CASES))
def test_first_and_second_derivatives(name: str) -> None:
    fn, shapes = CASES[name]
    xs = _inputs(shapes)
    assert torch.autograd.gradcheck(fn, xs)
    assert torch.autograd.gradgradcheck(fn, xs)


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 3 * x.detach() ** 2  # first derivative right, second lost

    x = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(Cube.apply, (x,))
    with pytest.raises(torch.autograd.GradcheckError, match="Jacobian mismatch"):
        torch.autograd.gradgradcheck(Cube.apply, (x,))


# --- the shared machinery, layout, complex numbers ---------------------------------------
def test_gradcheck_uses_funcgrad_testing(monkeypatch):
    import sys

    import funcgrad.testing._check as chk
    gc = sys.modules["funcgrad.torch.autograd.gradcheck"]   # the attribute is the function
    calls = []
    real = chk.numerical_jacobian

    def spy(*args, **kwargs):
        calls.append(kwargs.get("direction", 1.0))
        return real(*args, **kwargs)
    monkeypatch.setattr(gc, "numerical_jacobian", spy)
    x = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda v: v.exp(), (x,))
    assert calls == [1.0]


def test_gradcheck_error_prints_input_major_jacobians():
    # f(x) = (x0, 2 x0 + x1, 0 x1) with a backward that drops the cross term:
    # PyTorch prints Jacobians as (input.numel(), output.numel())
    class Cross(torch.autograd.Function):
        @staticmethod
        def forward(ctx, v):
            return torch.stack([v[0], 2 * v[0] + v[1], v[1] * 0])

        @staticmethod
        def backward(ctx, g):
            return torch.stack([g[0], g[1]])

    x = torch.tensor([0.3, 0.7], dtype=torch.float64, requires_grad=True)
    with pytest.raises(torch.autograd.GradcheckError) as info:
        torch.autograd.gradcheck(Cross.apply, (x,))
    assert str(info.value) == (
        "Jacobian mismatch for output 0 with respect to input 0,\n"
        "numerical:tensor([[1.0000, 2.0000, 0.0000],\n"
        "        [0.0000, 1.0000, 0.0000]], dtype=torch.float64)\n"
        "analytical:tensor([[1., 0., 0.],\n"
        "        [0., 1., 0.]], dtype=torch.float64)\n")


def test_gradcheck_nan_gradient_fails_as_allclose_does():
    x = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True)
    # sqrt's analytical gradient at 0 is inf, the central difference NaN
    assert torch.autograd.gradcheck(lambda v: v.sqrt(), (x,), raise_exception=False) is False


def test_gradcheck_warns_for_single_precision():
    x = torch.tensor([0.5, 1.5], requires_grad=True)
    with pytest.warns(UserWarning, match="is not a double precision floating point"):
        assert torch.autograd.gradcheck(lambda v: v * 2, (x,), eps=1e-2, atol=1e-3)


def _complex_input(seed: int = 0, n: int = 3):
    rng = np.random.default_rng(seed)
    v = rng.uniform(-1, 1, n) + 1j * rng.uniform(-1, 1, n)
    return torch.tensor(v, dtype=torch.complex128, requires_grad=True)


@pytest.mark.parametrize("fn", [
    lambda z: (z * z.conj()).real.sum(),         # real output, non-holomorphic
    lambda z: z.abs() * 2,                       # real output
    lambda z: z.exp() * z,                       # complex output, holomorphic
    lambda z: z.conj() * z.sin(),                # complex output, non-holomorphic
], ids=["abs2", "abs", "zexp", "conjsin"])
def test_complex_inputs_first_and_second_order(fn):
    z = _complex_input()
    assert torch.autograd.gradcheck(fn, (z,))
    assert torch.autograd.gradgradcheck(fn, (z,))


def test_complex_mixed_real_and_complex_inputs():
    z = _complex_input()
    w = torch.tensor([0.2, -0.4, 0.9], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda z, w: z * w.exp(), (z, w))


def test_complex_jax_convention_is_caught():
    # a backward returning JAX's cotangent (the conjugate of PyTorch's gradient)
    class JaxStyle(torch.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return (z * z.conj()).real

        @staticmethod
        def backward(ctx, g):
            z, = ctx.saved_tensors
            return g * 2 * z.conj()                 # PyTorch's is g * 2 * z

    z = _complex_input()
    with pytest.raises(torch.autograd.GradcheckError,
                       match="^Jacobian mismatch for output 0 with respect to input 0,"):
        torch.autograd.gradcheck(JaxStyle.apply, (z,))


def test_complex_output_part_is_named():
    class WrongImag(torch.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            return z * 2

        @staticmethod
        def backward(ctx, g):
            return g.conj() * 2                     # right for real g only

    z = _complex_input()
    with pytest.raises(torch.autograd.GradcheckError,
                       match="^While considering the imaginary part of complex outputs only, "
                             "Jacobian mismatch for output 0 with respect to input 0,"):
        torch.autograd.gradcheck(WrongImag.apply, (z,))


def test_complex_gradgradcheck_catches_a_lost_second_derivative():
    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return z * z

        @staticmethod
        def backward(ctx, g):
            z, = ctx.saved_tensors
            return g * 2 * z.detach().conj()     # PyTorch: g * conj(f'(z)); graph cut

    z = _complex_input(n=2)
    assert torch.autograd.gradcheck(Square.apply, (z,))
    with pytest.raises(torch.autograd.GradcheckError, match="Jacobian mismatch"):
        torch.autograd.gradgradcheck(Square.apply, (z,))
