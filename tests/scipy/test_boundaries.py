"""Gradient conventions of funcgrad.scipy at boundaries, -inf and nan, and the
errors it raises (the registry tests keep away from these points)."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("scipy")
import scipy.special as ssp  # noqa: E402
import scipy.stats as sst  # noqa: E402

import funcgrad  # noqa: E402
from funcgrad.scipy import linalg, special, stats  # noqa: E402
from funcgrad.scipy.integrate import odeint  # noqa: E402

grad = funcgrad.grad


def test_xlogy_family_at_zero():
    assert special.xlogy(0.0, 0.0) == 0.0
    assert grad(lambda y: special.xlogy(0.0, y))(0.0) == 0.0      # 0 in y at (0, 0)
    assert grad(lambda y: special.xlogy(0.0, y))(2.0) == 0.0      # x == 0: 0 * (1 / y)
    assert grad(special.xlogy)(0.0, 2.0) == np.log(2.0)           # log(y) in x
    assert grad(special.xlogy)(0.0, 0.0) == -np.inf               # the limit from x > 0
    assert grad(lambda y: special.xlog1py(0.0, y))(-1.0) == 0.0
    assert grad(lambda y: special.rel_entr(0.0, y))(0.0) == 0.0
    assert grad(special.entr)(0.0) == np.inf
    assert grad(lambda y: special.kl_div(0.0, y))(2.0) == 1.0
    # the mixed partial at x == 0 is the plain one (the function is smooth in x there)
    h = grad(grad(special.xlogy, argnums=1))(0.0, 2.0)
    assert np.isclose(h, 0.5)


def test_logsumexp_of_all_minus_inf_rows():
    a = np.array([[-np.inf, -np.inf], [0.0, np.log(3.0)]])
    val = special.logsumexp(a, axis=1)
    np.testing.assert_array_equal(val, ssp.logsumexp(a, axis=1))
    g = grad(lambda a: np.sum(np.where(np.isfinite(special.logsumexp(a, axis=1)),
                                       special.logsumexp(a, axis=1), 0.0)))(a)
    np.testing.assert_allclose(g, [[0.0, 0.0], [0.25, 0.75]])
    assert not np.any(np.isnan(g))


def test_logsumexp_return_sign_and_negative_weights():
    a, b = np.array([1.0, 2.0]), np.array([1.0, -2.0])
    val, sign = special.logsumexp(a, b=b, return_sign=True)
    want_val, want_sign = ssp.logsumexp(a, b=b, return_sign=True)
    assert np.isclose(val, want_val) and sign == want_sign == -1.0
    # d/da log|sum b e^a| = b e^a / sum(b e^a)
    s = np.sum(b * np.exp(a))
    np.testing.assert_allclose(grad(lambda a: special.logsumexp(a, b=b, return_sign=True)[0])(a),
                               b * np.exp(a) / s)


def test_softmax_with_minus_inf_has_zero_gradient_there():
    x = np.array([-np.inf, 0.0, 1.0])
    g = grad(lambda x: special.softmax(x)[2])(x)
    assert g[0] == 0.0 and np.all(np.isfinite(g))
    g = grad(lambda x: special.log_softmax(x)[2])(x)
    assert g[0] == 0.0


def test_bessel_and_removable_singularities():
    assert grad(special.i1)(0.0) == 0.5
    assert grad(special.i1e)(0.0) == 0.5
    assert grad(special.i0e)(0.0) == 0.0
    assert np.isclose(grad(grad(special.i1))(1e-9), 0.0, atol=1e-8)


def test_log_ndtr_gradient_is_finite_far_in_the_tail():
    g = grad(special.log_ndtr)(-40.0)
    assert np.isfinite(g) and np.isclose(g, 40.0, rtol=1e-2)   # ~ -x for x -> -inf


@pytest.mark.parametrize("fn,args,arg", [
    (special.gammainc, (2.0, 1.0), 0), (special.gammaincc, (2.0, 1.0), 0),
    (special.betainc, (2.0, 3.0, 0.5), 1), (special.stdtr, (3.0, 0.5), 0)])
def test_shape_parameters_without_a_derivative_raise(fn, args, arg):
    with pytest.raises(TypeError, match="differentiable in"):
        grad(fn, argnums=arg)(*args)


def test_densities_outside_the_support():
    assert stats.expon.logpdf(-1.0) == -np.inf and stats.expon.pdf(-1.0) == 0.0
    assert grad(stats.expon.logpdf)(-1.0) == 0.0
    assert grad(stats.beta.pdf)(1.5, 2.0, 3.0) == 0.0
    assert stats.uniform.cdf(2.0) == 1.0 and grad(stats.uniform.cdf)(2.0) == 0.0
    assert stats.poisson.logpmf(1.5, 2.0) == -np.inf
    assert np.isnan(stats.norm.logpdf(1.0, 0.0, -1.0)) and np.isnan(sst.norm.logpdf(1.0, 0, -1))
    assert stats.binom.cdf(3.0, 3, 0.4) == 1.0 == sst.binom.cdf(3, 3, 0.4)


def test_distribution_arguments_are_checked():
    with pytest.raises(TypeError, match="missing shape"):
        stats.t.logpdf(1.0)
    with pytest.raises(TypeError, match="unexpected"):
        stats.norm.logpdf(1.0, sigma=2.0)


def test_solve_rejects_unsupported_structures():
    with pytest.raises(NotImplementedError, match="assume_a"):
        linalg.solve(np.eye(2), np.ones(2), assume_a="banded")


def test_odeint_time_gradient_and_scipy_style_args():
    t = np.array([0.0, 0.5, 1.0])
    ys = odeint(lambda y, t, k: -k * y, np.array([2.0]), t, args=(0.5,))
    np.testing.assert_allclose(ys[:, 0], 2.0 * np.exp(-0.5 * t), rtol=1e-7)
    # d/dt1 y(t1) = -k y(t1); d/dt0 y(t1) = +k y(t1) (shifting the start)
    g = grad(lambda t: odeint(lambda y, s, k: -k * y, np.array([2.0]), t, 0.5)[1, 0])(t)
    want = 0.5 * 2.0 * np.exp(-0.25)
    np.testing.assert_allclose(g, [want, -want, 0.0], rtol=1e-5, atol=1e-9)


def test_odeint_closure_over_traced_values_is_refused():
    def loss(k):
        return odeint(lambda y, t: -k * y, np.array([1.0]), np.array([0.0, 1.0]))[-1, 0]
    with pytest.raises(TypeError, match="extra arguments"):
        grad(loss)(0.5)


def test_odeint_second_order_is_refused():
    f = lambda y0: odeint(lambda y, t: -y, y0, np.array([0.0, 1.0]))[-1]  # noqa: E731
    with pytest.raises(NotImplementedError, match="first order"):
        grad(grad(f))(1.0)


def test_import_without_scipy_names_the_extra():
    code = ("import sys; sys.modules['scipy'] = None\n"
            "try:\n    import funcgrad.scipy\nexcept ImportError as e:\n    print(e)\n"
            "import funcgrad, funcgrad.numpy, funcgrad.torch, funcgrad.optimizers\n"
            "import funcgrad.flatten_util, funcgrad.extend, funcgrad.autograd.misc.optimizers\n"
            "try:\n    import funcgrad.autograd.scipy\nexcept ImportError as e:\n    print('ag', e)\n"
            "print('core ok', 'scipy' in sys.modules and sys.modules['scipy'] is not None)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert "pip install funcgrad[scipy]" in out.stdout, out.stderr
    assert "core ok False" in out.stdout, out.stderr
    assert "ag funcgrad.scipy needs SciPy" in out.stdout, out.stdout


_TWO_ARGS = {"xlogy", "xlog1py", "rel_entr", "kl_div", "betaln", "beta", "zeta"}
_SHAPE_FIRST = {"polygamma": 1, "gammainc": 2.0, "gammaincc": 2.0, "stdtr": 3.0, "jn": 2, "yn": 2,
                "iv": 1.5, "ive": 1.5}


@pytest.mark.parametrize("name", sorted(n for n in __import__("funcgrad.scipy").scipy.REGISTRY
                                        if n.startswith("special.")
                                        and n not in ("special.betainc", "special.multigammaln")))
def test_float32_inputs_give_scipys_dtype_and_float32_gradients(name):
    from funcgrad.scipy import REGISTRY
    fn = REGISTRY[name].fn
    short = name.split(".")[1]
    x = np.array([0.3, 0.6], np.float32)
    if short in _TWO_ARGS:
        args, argnums = (x + np.float32(1.5), x + np.float32(1.0)), (0, 1)
    elif short in _SHAPE_FIRST:
        args, argnums = (_SHAPE_FIRST[short], x), (1,)
    else:
        args, argnums = (x,), (0,)
    diff = tuple(args[i] for i in argnums)

    def f(*d):
        full = list(args)
        for i, v in zip(argnums, d):
            full[i] = v
        return fn(*full)
    out, f_vjp = funcgrad.vjp(f, *diff)
    reference = ssp.sinc if short == "sinc" else getattr(ssp, short)
    assert out.dtype == np.asarray(reference(*args)).dtype  # (float64 with a Python shape)
    assert all(g.dtype == np.float32 for g in f_vjp(np.ones_like(out)))


def test_plain_scipy_special_ufuncs_on_traced_values():
    # after importing funcgrad.scipy, SciPy's own ufuncs differentiate too
    g = grad(lambda x: np.sum(ssp.gammaln(x) + ssp.expit(x) * ssp.xlogy(x, x)))(
        np.array([0.5, 2.0]))
    want = grad(lambda x: np.sum(special.gammaln(x) + special.expit(x) * special.xlogy(x, x)))(
        np.array([0.5, 2.0]))
    np.testing.assert_allclose(g, want)
    assert np.isclose(grad(ssp.erf)(0.0), 2 / np.sqrt(np.pi))


def test_odeint_under_forward_mode_says_reverse_only():
    f = lambda y0: odeint(lambda y, t: -y, y0, np.array([0.0, 1.0]))  # noqa: E731
    with pytest.raises(TypeError, match="odeint_adjoint.*reverse mode"):
        funcgrad.jvp(f, (np.array([1.0]),), (np.array([1.0]),))


def test_frozen_distributions():
    x = np.array([0.2, 1.5])
    np.testing.assert_allclose(stats.norm(1.0, 2.0).logpdf(x), sst.norm(1.0, 2.0).logpdf(x))
    np.testing.assert_allclose(stats.gamma(2.5, scale=1.5).cdf(x), sst.gamma(2.5, scale=1.5).cdf(x))
    np.testing.assert_allclose(stats.poisson(3.0).logpmf(np.array([1.0, 4.0])),
                               sst.poisson(3.0).logpmf(np.array([1.0, 4.0])))
    g = grad(lambda s: np.sum(stats.norm(0.5, s).logpdf(x)))(2.0)
    assert np.isclose(g, grad(lambda s: np.sum(stats.norm.logpdf(x, 0.5, s)))(2.0))
    with pytest.raises(AttributeError, match="no method"):
        stats.norm(0.0, 1.0).entropy
