"""jacfwd: forward-mode Jacobians (one jvp over every basis tangent, batched by
vmap) equal reverse-mode ones and closed forms, over pytrees, 0-d inputs,
argnums tuples, has_aux and nesting with grad."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import funcgrad
import funcgrad.numpy as fnp

R = np.random.default_rng(0)


def _f(x):
    return fnp.tanh(x) * fnp.sum(x ** 2) + fnp.cumsum(fnp.ravel(x))[-1]


@settings(max_examples=10)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=3),
                  elements=st.floats(-2, 2)))
def test_equals_the_reverse_mode_jacobian(x):
    np.testing.assert_allclose(funcgrad.jacfwd(_f)(x), funcgrad.jacrev(_f)(x), rtol=1e-12,
                               atol=1e-12)


def test_closed_form_and_layout():
    a = R.normal(size=(4, 3))
    x = R.normal(size=3)
    np.testing.assert_allclose(funcgrad.jacfwd(lambda x: a @ x)(x), a)
    j = funcgrad.jacfwd(lambda m: fnp.sin(m))(a)
    assert j.shape == (4, 3, 4, 3)
    np.testing.assert_allclose(j.reshape(12, 12), np.diag(np.cos(a).ravel()))


def test_pytrees_argnums_and_aux():
    a, b = R.normal(size=3), R.normal(size=(2, 2))

    def g(a, b):
        return {"u": a * fnp.sum(b), "v": fnp.tanh(a)}, "aux"
    jf, aux = funcgrad.jacfwd(g, argnums=(0, 1), has_aux=True)(a, b)
    jr, _ = funcgrad.jacobian(g, argnums=(0, 1), has_aux=True)(a, b)
    assert aux == "aux"
    for k in "uv":
        for i in range(2):
            np.testing.assert_allclose(jf[k][i], jr[k][i], rtol=1e-12, atol=1e-14)


def test_hessian_forward_over_reverse_and_grad_of_jacfwd():
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(funcgrad.jacfwd(funcgrad.grad(lambda x: fnp.sum(x ** 3)))(x),
                               np.diag(6 * x))
    # d/dx_i of sum_i cos(x_i) x_i (the trace of jacfwd(sin(y) * x) at y = x)
    got = funcgrad.grad(lambda x: fnp.sum(funcgrad.jacfwd(lambda y: fnp.sin(y) * x)(x)))(x)
    np.testing.assert_allclose(got, np.cos(x) - x * np.sin(x))


def test_errors():
    with pytest.raises(TypeError, match="callable"):
        funcgrad.jacfwd(3)
    with pytest.raises(TypeError):
        funcgrad.jacfwd(lambda n: n * 2)(np.arange(3))


def test_jacrev_is_one_vmapped_backward_pass(monkeypatch):
    """jacrev pulls every output basis cotangent back in ONE backward pass
    (vmap of the pullback), not a Python loop over the output elements; the
    rows equal the closed form, over pytree outputs of several shapes."""
    from funcgrad import transforms

    calls = []
    real = transforms.backward_pass
    monkeypatch.setattr(transforms, "backward_pass",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    a, x = R.normal(size=(5, 3)), R.normal(size=3)
    jac = funcgrad.jacrev(lambda x: {"lin": a @ x, "sq": x ** 2, "s": fnp.sum(x)})(x)
    assert len(calls) == 1
    np.testing.assert_allclose(jac["lin"], a)
    np.testing.assert_allclose(jac["sq"], np.diag(2 * x))
    np.testing.assert_allclose(jac["s"], np.ones(3))


def test_jacrev_edge_cases():
    x = R.normal(size=(2, 2))
    assert funcgrad.jacrev(lambda x: x[:0])(x).shape == (0, 2, 2, 2)  # an empty output
    np.testing.assert_array_equal(funcgrad.jacrev(lambda x: fnp.ones(3))(x), np.zeros((3, 2, 2)))
    jx, jn = funcgrad.jacrev(lambda x, n: x * n, argnums=(0, 1), allow_int=True)(
        np.array([1.0, 2.0]), np.array([3, 4]))
    np.testing.assert_array_equal(jx, np.diag([3.0, 4.0]))
    assert jn.dtype == funcgrad.float0 and jn.shape == (2, 2)
    with pytest.raises(TypeError, match="holomorphic=True"):
        funcgrad.jacrev(lambda x: x * 1j)(np.ones(2))
    # nested: jacrev of jacrev is the Hessian, and vmap of jacrev gives batched Jacobians
    np.testing.assert_allclose(funcgrad.jacrev(funcgrad.jacrev(lambda v: fnp.sum(v ** 3)))(x[0]),
                               np.diag(6 * x[0]))
    xs = R.normal(size=(4, 3))
    np.testing.assert_allclose(funcgrad.vmap(funcgrad.jacrev(fnp.sin))(xs),
                               np.stack([np.diag(np.cos(v)) for v in xs]))
