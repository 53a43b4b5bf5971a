"""Numerics of the elementwise and reduction families: dtypes in values and
gradients (float16/32/64, complex64/128), integer and boolean constants, NumPy's
type promotion (Python scalars weak), JAX's complex convention, and the
documented conventions at non-differentiable points."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import funcgrad
import funcgrad.numpy as fnp
from funcgrad._core import Box
from funcgrad._core.trace import ops
from funcgrad.numpy import REGISTRY
from funcgrad.testing import check_grads

from funcgrad.numpy._compat import LEGACY_PROMOTION

from .specs import collect, numpy_accepts, numpy_function
from tests.doctests import run as run_doctests

SPECS = collect()
MINE = sorted(n for n, info in REGISTRY.items()
              if info.family in ("elementwise", "reductions") and not n.startswith("_"))
DIFF = [n for n in MINE if REGISTRY[n].differentiable]
NONDIFF = [n for n in MINE if not REGISTRY[n].differentiable]


def _low_precision_cases():
    for name in DIFF:
        for k, spec in enumerate(SPECS[name]):
            lows = ["float16", "float32", "complex64"] if spec.float32 else ["complex64"]
            for low in lows:
                yield pytest.param(name, spec, low, id=f"{name}-{k}-{low}")


def _call_with(fn, args, kwargs, argnums):
    def f(*diff):
        full = list(args)
        for i, v in zip(argnums, diff):
            full[i] = v
        return fn(*full, **kwargs)
    return f


def _precision(dt) -> int:
    """Bytes per real component: 2, 4 or 8."""
    dt = np.dtype(dt)
    return dt.itemsize // 2 if dt.kind == "c" else dt.itemsize


def _lower(a, i, argnums, low):
    """Argument ``a`` at position ``i`` in the low precision (float64 -> float16/32,
    complex128 -> complex64); other arguments unchanged."""
    v = np.asarray(a) if (isinstance(a, np.ndarray) or i in argnums) else None
    if v is None:
        return a
    if low == "complex64":
        return v.astype(np.complex64) if v.dtype == np.complex128 else a
    return v.astype(low) if v.dtype == np.float64 else a


# --- dtypes ---------------------------------------------------------------------
@pytest.mark.parametrize("name,spec,low", list(_low_precision_cases()))
@settings(max_examples=1)
@given(data=st.data())
def test_low_precision_is_preserved_by_every_rule(name, spec, low, data):
    """float16, float32 and complex64 inputs: the value has NumPy's dtype for the
    same inputs, every gradient has its input's dtype, and no rule hands the
    engine a float64/complex128 cotangent (the backward pass never widens)."""
    args, kwargs = data.draw(spec.args, label="arguments")
    if low == "complex64" and not any(np.iscomplexobj(args[i]) for i in spec.argnums):
        return  # a real spec: nothing complex to lower
    args = [_lower(a, i, spec.argnums, low) for i, a in enumerate(args)]
    fn = REGISTRY[name].fn
    f = _call_with(fn, args, kwargs, spec.argnums)
    seen = []
    fit = ops.fit

    def recording_fit(ct, primal):
        seen.append(np.result_type(ct))
        return fit(ct, primal)

    ref = spec.reference or numpy_function(name)
    if ref is not None and not numpy_accepts(ref, kwargs):
        ref = None  # a NumPy 2 keyword on NumPy 1.26
    with np.errstate(all="ignore"):
        out, f_vjp = funcgrad.vjp(f, *(args[i] for i in spec.argnums))
        want = [] if ref is None else funcgrad.tree_util.tree_leaves(ref(*args, **kwargs))
        for o, r in zip(funcgrad.tree_util.tree_leaves(out), want):
            assert np.asarray(o).dtype == np.asarray(r).dtype, f"{name}: value dtype differs"
        cts = funcgrad.tree_util.tree_map(lambda o: np.ones(np.shape(o), np.asarray(o).dtype), out)
        ops.fit = recording_fit
        try:
            grads = f_vjp(cts)
        finally:
            ops.fit = fit
    wide = [d for d in seen if d.kind in "fc" and _precision(d) > 4]
    outs = funcgrad.tree_util.tree_leaves(out)
    if LEGACY_PROMOTION and (any(np.ndim(args[i]) == 0 for i in spec.argnums) or any(
            np.ndim(o) == 0 or _precision(np.asarray(o).dtype) > 4 for o in outs)):
        # NumPy 1.x's value-based casting: np.float32(x) * 2.0 is float64, so a
        # rule's arithmetic on 0-d values (inputs, full reductions) widens, and a
        # result NumPy 1.x widens (quantile's) has wide cotangents (the gradient
        # is still cast back: checked below).
        wide = []
    assert not wide, f"{name}: a rule produced a {wide[0]} cotangent in a {low} computation"
    for g, i in zip(grads, spec.argnums):
        assert np.asarray(g).dtype == np.asarray(args[i]).dtype


UNARY = ["exp", "expm1", "log", "log1p", "sqrt", "square", "reciprocal", "sin", "cos", "tanh",
         "arctan", "sinh", "absolute", "cbrt", "sinc", "deg2rad", "exp2", "log2", "log10"]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name", UNARY)
def test_real_dtypes_preserved_in_values_and_gradients(name, dtype):
    x = np.array([0.3, 0.7, 1.3], dtype)
    fn = getattr(fnp, name)
    value, g = funcgrad.value_and_grad(lambda x: fnp.sum(fn(x)))(x)
    assert np.asarray(value).dtype == dtype and g.dtype == dtype
    assert fn(x).dtype == getattr(np, name)(x).dtype
    exact = funcgrad.grad(lambda x: fnp.sum(fn(x)))(x.astype(np.float64))
    tol = {np.float16: 2e-2, np.float32: 1e-5, np.float64: 1e-12}[dtype]
    np.testing.assert_allclose(g.astype(np.float64), exact, rtol=tol, atol=tol)


COMPLEX = ["exp", "log", "sqrt", "square", "reciprocal", "sin", "cos", "tan", "tanh", "sinh",
           "arcsin", "arctan", "arcsinh", "expm1", "log1p", "sinc", "exp2"]


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("name", COMPLEX)
def test_complex_dtypes_preserved_and_holomorphic_derivative(name, dtype):
    z = np.array([0.4 + 0.3j, 0.7 - 0.2j], dtype)
    fn = getattr(fnp, name)
    assert fn(z).dtype == dtype
    g = funcgrad.grad(lambda z: fnp.sum(fn(z)), holomorphic=True)(z)
    assert g.dtype == dtype
    # f'(z) by a complex-step-free central difference along the real axis
    zz = z.astype(np.complex128)
    h = 1e-6
    fd = (getattr(np, name)(zz + h) - getattr(np, name)(zz - h)) / (2 * h)
    tol = 1e-3 if dtype == np.complex64 else 1e-7
    np.testing.assert_allclose(g, fd, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("name", ["sum", "mean", "prod", "max", "var", "std", "cumsum",
                                  "cumprod", "median", "ptp", "nanmean", "nanstd"])
def test_reductions_keep_low_precision(name, dtype):
    x = np.array([[0.5, 1.5, 1.0], [2.0, 0.25, 0.75]], dtype)
    fn = getattr(fnp, name)
    out = fn(x)
    assert out.dtype == getattr(np, name)(x).dtype
    g = funcgrad.grad(lambda x: fnp.sum(fn(x, axis=0)))(x)
    assert g.dtype == dtype


def test_reduction_dtype_argument():
    x = np.array([1.0, 2.0, 3.0], np.float32)
    for fn in (fnp.sum, fnp.prod, fnp.mean, fnp.cumsum, fnp.cumprod, fnp.var, fnp.std,
               fnp.nansum, fnp.nanmean):
        assert fn(x, dtype=np.float64).dtype == np.float64
        g = funcgrad.grad(lambda x: fnp.sum(fn(x, dtype=np.float64)))(x)
        assert g.dtype == np.float32, fn
    np.testing.assert_array_equal(funcgrad.grad(lambda x: fnp.sum(x, dtype=np.float64))(x),
                                  np.ones(3, np.float32))


def test_float16_mean_accumulates_like_numpy():
    x = np.full(3000, 1.1, np.float16)
    assert fnp.mean(x) == np.mean(x) and fnp.mean(x).dtype == np.float16


# --- integer and boolean constants, type promotion -----------------------------
def test_integer_and_boolean_arrays_are_constants():
    x = np.array([1.0, 2.0, 3.0])
    ints = np.array([2, 0, -1])
    mask = np.array([True, False, True])
    np.testing.assert_array_equal(funcgrad.grad(lambda x: fnp.sum(x * ints))(x), ints)
    np.testing.assert_array_equal(funcgrad.grad(lambda x: fnp.sum(x ** 2))(x), 2 * x)
    np.testing.assert_array_equal(funcgrad.grad(lambda x: fnp.sum((x + True) * mask))(x),
                                  mask.astype(float))
    # rounding results and comparisons are constants: d/dx floor(x) * x = floor(x)
    y = np.array([1.5, -0.5, 2.25])
    np.testing.assert_array_equal(funcgrad.grad(lambda x: fnp.sum(fnp.floor(x) * x))(y),
                                  np.floor(y))
    np.testing.assert_array_equal(
        funcgrad.grad(lambda x: fnp.sum(fnp.astype(x > 0, np.float64) * x))(y), y > 0)
    # an integer array inside a reduction
    np.testing.assert_allclose(funcgrad.grad(lambda x: fnp.mean(ints) * fnp.sum(x))(x),
                               np.full(3, ints.mean()))


def test_integer_cast_is_constant():
    x = np.array([1.7, -2.2])
    g = funcgrad.grad(lambda x: fnp.sum(fnp.astype(x, np.int64) * x))(x)
    np.testing.assert_array_equal(g, np.array([1.0, -2.0]))


OPERANDS = [np.float32(1.5), 1.5, 2, True, 1j, np.array(2.0), np.array([1.0, 2.0]),
            np.array([1, 2], np.int64), np.array([1, 2], np.int8), np.array([1.0], np.float16),
            np.array([1 + 1j], np.complex64), np.array([1.0, 2.0], np.float32)]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.complex64])
@pytest.mark.parametrize("other", OPERANDS, ids=repr)
@pytest.mark.parametrize("op", ["add", "multiply", "subtract", "divide", "maximum", "power"])
def test_type_promotion_follows_numpy(op, other, dtype):
    """Traced values promote exactly like concrete ones (NEP 50: Python scalars
    are weak), and the gradient keeps the input's dtype."""
    if op == "maximum" and (np.iscomplexobj(other) or np.dtype(dtype).kind == "c"):
        pytest.skip("maximum on complex numbers is lexicographic: not differentiated here")
    x = np.array([0.5, 1.25], dtype)
    expected = getattr(np, op)(x, other)
    seen = {}

    def f(x):
        out = getattr(fnp, op)(x, other)
        seen["dtype"] = out.dtype
        return fnp.sum(fnp.real(out))

    g = funcgrad.grad(f)(x)
    assert seen["dtype"] == expected.dtype
    assert g.dtype == x.dtype


# --- complex convention (JAX) ------------------------------------------------------
Z = np.array([1.0 + 2.0j, -0.5 + 0.25j, 3.0 - 1.0j])


def test_grad_of_real_function_of_complex_is_conjugate_convention():
    # grad(|z|^2) = 2 conj(z), as JAX (PyTorch would give 2 z)
    np.testing.assert_allclose(funcgrad.grad(lambda z: fnp.sum(fnp.abs(z) ** 2))(Z),
                               2 * np.conj(Z))
    np.testing.assert_allclose(funcgrad.grad(lambda z: fnp.sum(fnp.real(z * fnp.conj(z))))(Z),
                               2 * np.conj(Z))
    np.testing.assert_allclose(funcgrad.grad(lambda z: fnp.sum(fnp.abs(z)))(Z),
                               np.conj(Z) / np.abs(Z))
    np.testing.assert_allclose(funcgrad.grad(lambda z: fnp.sum(fnp.real(z)))(Z), np.ones(3))
    np.testing.assert_allclose(funcgrad.grad(lambda z: fnp.sum(fnp.imag(z)))(Z), -1j * np.ones(3))
    # angle: d/dx - i d/dy of atan2(y, x) = (-y - i x) / |z|^2
    np.testing.assert_allclose(funcgrad.grad(lambda z: fnp.sum(fnp.angle(z)))(Z),
                               (-Z.imag - 1j * Z.real) / np.abs(Z) ** 2)
    check_grads(lambda z: fnp.angle(z) * fnp.abs(z), (Z,), order=2)


def test_holomorphic_grad():
    z = np.complex128(0.3 + 0.4j)
    assert np.isclose(funcgrad.grad(lambda z: z ** 3, holomorphic=True)(z), 3 * z ** 2)
    assert np.isclose(funcgrad.grad(fnp.exp, holomorphic=True)(z), np.exp(z))
    assert np.isclose(funcgrad.grad(funcgrad.grad(fnp.sin, holomorphic=True),
                                    holomorphic=True)(z), -np.sin(z))
    assert np.isclose(funcgrad.grad(fnp.arccosh, holomorphic=True)(z + 2),
                      1 / np.sqrt((z + 2) ** 2 - 1))
    with pytest.raises(TypeError):
        funcgrad.grad(fnp.exp)(z)          # complex output needs holomorphic=True


def test_complex_output_of_real_input_drops_imaginary_part():
    x = np.array([0.5, 1.5])
    g = funcgrad.grad(lambda x: fnp.sum(fnp.real(fnp.exp(1j * x))))(x)
    np.testing.assert_allclose(g, -np.sin(x))
    assert g.dtype == np.float64


# --- conventions at non-differentiable points --------------------------------------
def _g(f, x):
    return funcgrad.grad(lambda x: fnp.sum(f(x)))(np.asarray(x, float))


def test_abs_at_zero_is_zero():
    np.testing.assert_array_equal(_g(fnp.abs, [0.0, -2.0, 3.0]), [0.0, -1.0, 1.0])
    np.testing.assert_array_equal(_g(fnp.fabs, [0.0]), [0.0])
    assert funcgrad.grad(lambda z: fnp.abs(z))(np.complex128(0)) == 0


def test_maximum_minimum_ties_share_equally():
    for f in (fnp.maximum, fnp.minimum, fnp.fmax, fnp.fmin):
        gx, gy = funcgrad.grad(lambda x, y: fnp.sum(f(x, y)), argnums=(0, 1))(
            np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 5.0]))
        np.testing.assert_array_equal(gx + gy, np.ones(3))
        assert gx[0] == gy[0] == 0.5


def test_maximum_with_nan():
    x, y = np.array([np.nan, 1.0]), np.array([1.0, np.nan])
    gx, gy = funcgrad.grad(lambda x, y: fnp.sum(fnp.maximum(x, y)), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, [1.0, 0.0])   # NaN propagates: the NaN argument
    gx, gy = funcgrad.grad(lambda x, y: fnp.sum(fnp.fmax(x, y)), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, [0.0, 1.0])   # NaN ignored: the other argument


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name,pick,nan_wins", [("maximum", np.greater, True),
                                                ("minimum", np.less, True),
                                                ("fmax", np.greater, False),
                                                ("fmin", np.less, False)])
def test_extremum_cotangents_match_the_where_convention(name, pick, nan_wins, dtype):
    """The first-order rule multiplies by a mask; it must equal the ``where``
    convention (1 / 0.5 at ties / 0, NaN rules), keep the dtype, and still
    give 0 (not NaN) where a non-finite cotangent meets a losing argument."""
    rng = np.random.default_rng(3)
    x = rng.integers(-2, 3, (40, 5)).astype(dtype)
    x[0, 0], x[1, 1] = np.nan, np.inf
    y_arr = rng.integers(-2, 3, 5).astype(dtype)
    y_arr[2] = np.nan
    for y in (y_arr, 0.0, dtype(1)):
        for finite in (True, False):
            g = rng.standard_normal(x.shape).astype(dtype)
            if not finite:
                g[3, 3], g[4, 4] = np.inf, np.nan
            got = funcgrad.vjp(lambda x: getattr(fnp, name)(x, y), x)[1](g)[0]
            yv = np.asarray(y)
            wins, tie = pick(x, yv), x == yv
            nx, ny = np.isnan(x), np.isnan(yv)
            wins = wins | ((nx & ~ny) if nan_wins else (ny & ~nx))
            tie = tie | (nx & ny)
            expected = np.where(wins, g, np.where(tie, g * dtype(0.5), dtype(0)))
            assert got.dtype == dtype
            np.testing.assert_array_equal(got, expected)


def test_max_ties_split_equally():
    x = np.array([[3.0, 1.0, 3.0, 3.0], [0.0, 2.0, 2.0, -1.0]])
    np.testing.assert_allclose(_g(lambda x: fnp.max(x, axis=1), x),
                               [[1 / 3, 0, 1 / 3, 1 / 3], [0, 0.5, 0.5, 0]])
    np.testing.assert_allclose(_g(fnp.amin, np.ones(4)), np.full(4, 0.25))
    np.testing.assert_allclose(_g(fnp.nanmax, [np.nan, 2.0, 2.0]), [0.0, 0.5, 0.5])


def test_sqrt_cbrt_at_zero_are_infinite():
    assert _g(fnp.sqrt, [0.0])[0] == np.inf
    assert _g(fnp.cbrt, [0.0])[0] == np.inf


def test_power_corners():
    gx, gy = funcgrad.grad(lambda x, y: x ** y, argnums=(0, 1))(0.0, 0.0)
    assert gx == 0 and gy == 0
    gy = funcgrad.grad(lambda y: fnp.power(0.0, y))(2.0)
    assert gy == 0
    assert funcgrad.grad(lambda x: x ** 0)(0.0) == 0
    assert funcgrad.grad(lambda x: x ** 2.0)(0.0) == 0


def test_hypot_arctan2_angle_at_origin_are_zero():
    gx, gy = funcgrad.grad(lambda x, y: fnp.hypot(x, y), argnums=(0, 1))(0.0, 0.0)
    assert gx == 0 and gy == 0
    gx, gy = funcgrad.grad(lambda y, x: fnp.arctan2(y, x), argnums=(0, 1))(0.0, 0.0)
    assert gx == 0 and gy == 0
    assert funcgrad.grad(lambda z: fnp.angle(z))(np.complex128(0)) == 0


def test_clip_bounds_are_inclusive():
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
    np.testing.assert_array_equal(_g(lambda x: fnp.clip(x, 0.0, 1.0), x), [0, 1, 1, 1, 0])
    glo, ghi = funcgrad.grad(lambda lo, hi: fnp.sum(fnp.clip(x, lo, hi)), argnums=(0, 1))(0.0, 1.0)
    assert glo == 1 and ghi == 1


def test_sinc_is_smooth_at_zero():
    assert funcgrad.grad(fnp.sinc)(0.0) == 0
    assert np.isclose(funcgrad.grad(funcgrad.grad(fnp.sinc))(0.0), -np.pi ** 2 / 3)
    check_grads(fnp.sinc, (np.array([0.0, 1e-3, 0.0999, 0.1001]),), order=2)


def test_std_at_zero_spread_has_zero_gradient():
    for f in (fnp.std, fnp.nanstd, lambda x: fnp.std(x, ddof=1)):
        g = _g(f, [2.0, 2.0, 2.0])
        np.testing.assert_array_equal(g, np.zeros(3))
    g = _g(lambda x: fnp.std(x, axis=1), [[1.0, 1.0], [1.0, 3.0]])
    np.testing.assert_allclose(g, [[0.0, 0.0], [-0.5, 0.5]])


@pytest.mark.parametrize("x", [[2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 3.0, 4.0], [0.0, 0.0, 0.0, 1.0]])
def test_prod_and_cumprod_with_zeros_are_exact(x):
    x = np.array(x)
    others = np.array([np.prod(np.delete(x, i)) for i in range(4)])
    np.testing.assert_array_equal(_g(fnp.prod, x), others)
    check_grads(fnp.prod, (x,), order=3)
    check_grads(lambda x: fnp.prod(x.reshape(2, 2), axis=0), (x,), order=2)
    check_grads(fnp.cumprod, (x,), order=2)
    check_grads(lambda x: fnp.nanprod(x.reshape(2, 2), axis=1), (x,), order=2)


# --- NaN-ignoring reductions: the plain reduction on the valid entries -------------
NAN_PAIRS = [("nansum", "sum"), ("nanmean", "mean"), ("nanprod", "prod"), ("nanmax", "max"),
             ("nanmin", "min"), ("nanvar", "var"), ("nanstd", "std"), ("nanmedian", "median"),
             ("nancumsum", "cumsum"), ("nancumprod", "cumprod")]


@pytest.mark.parametrize("nan_name,name", NAN_PAIRS)
def test_nan_reductions_ignore_nans(nan_name, name):
    x = np.array([1.5, np.nan, -0.5, 2.25, np.nan])
    valid = ~np.isnan(x)
    nan_fn, fn = getattr(fnp, nan_name), getattr(fnp, name)
    np.testing.assert_allclose(nan_fn(x), getattr(np, nan_name)(x))
    g = _g(nan_fn, x)
    assert np.all(g[~valid] == 0)
    if not name.startswith("cum"):
        np.testing.assert_allclose(g[valid], _g(fn, x[valid]))


def test_nan_quantiles():
    x = np.array([[np.nan, 1.0, 4.0, 2.0], [3.0, np.nan, np.nan, 0.5]])
    for f, ref in [(lambda x: fnp.nanquantile(x, 0.3, axis=1), lambda x: np.nanquantile(x, 0.3, axis=1)),
                   (lambda x: fnp.nanpercentile(x, [10, 90], axis=1),
                    lambda x: np.nanpercentile(x, [10, 90], axis=1))]:
        np.testing.assert_allclose(f(x), ref(x))
        g = _g(f, x)
        assert np.all(g[np.isnan(x)] == 0)
    assert np.isnan(fnp.median(np.array([1.0, np.nan])))


# --- non-differentiable functions on traced values return constants ----------------
@pytest.mark.parametrize("name", NONDIFF)
@settings(max_examples=2)
@given(data=st.data())
def test_nondifferentiable_functions_accept_traced_values(name, data):
    args, kwargs = data.draw(SPECS[name][0].args, label="arguments")
    results = {}

    def f(x):
        full = [x] + list(args[1:])
        results["out"] = REGISTRY[name].fn(*full, **kwargs)
        return fnp.sum(x)

    x0 = np.asarray(args[0])
    if x0.dtype.kind in "iub":
        # integer-only functions see traced integers under allow_int=True
        funcgrad.grad(lambda x: (f(x), fnp.sum(fnp.astype(x, np.float64)))[1],
                      allow_int=True)(x0)
    else:
        np.testing.assert_array_equal(funcgrad.grad(f)(x0), np.ones_like(x0))
    assert not isinstance(results["out"], Box)
    np.testing.assert_array_equal(np.asarray(results["out"]),
                                  np.asarray(REGISTRY[name].fn(*args, **kwargs)))


# --- stable log-sum-exp, written as an ordinary composition ------------------------
def test_logsumexp_composition_is_stable_and_its_gradient_is_softmax():
    def logsumexp(x, axis=None):
        m = funcgrad.stop_gradient(fnp.max(x, axis=axis, keepdims=True))
        return fnp.log(fnp.sum(fnp.exp(x - m), axis=axis, keepdims=True)) + m

    x = np.array([[1000.0, 999.0, 0.0], [-1000.0, -1001.0, -1002.0]])
    val = logsumexp(x, axis=1)
    assert np.all(np.isfinite(val))
    g = funcgrad.grad(lambda x: fnp.sum(logsumexp(x, axis=1)))(x)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(g, e / e.sum(axis=1, keepdims=True))
    # logaddexp is the two-argument version, stable as well
    gx, gy = funcgrad.grad(fnp.logaddexp, argnums=(0, 1))(1000.0, 999.0)
    assert np.isclose(gx + gy, 1.0) and np.isfinite(gx)
    check_grads(lambda x: logsumexp(x, axis=0), (x / 500,), order=2)


# --- every docstring example of the two families runs as written -------------------
@pytest.mark.parametrize("module", ["elementwise", "reductions"])
def test_docstring_examples(module):
    import importlib
    mod = importlib.import_module(f"funcgrad.numpy.{module}")
    result = run_doctests(mod)
    assert result.attempted > 20 and result.failed == 0


# --- keyword arguments NumPy's reductions take ---------------------------------------
X = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
MASK = np.array([[True, False, True], [True, True, False]])
KEYWORD_CASES = [
    ("sum", dict(where=MASK)), ("sum", dict(initial=2.0, axis=0)),
    ("prod", dict(where=MASK, axis=1)), ("prod", dict(initial=2.0)),
    ("mean", dict(where=MASK, axis=1)), ("var", dict(where=MASK, axis=1)),
    ("std", dict(where=MASK)), ("max", dict(where=MASK, initial=-5.0, axis=1)),
    ("min", dict(initial=0.0)), ("var", dict(mean=X.mean(axis=1, keepdims=True), axis=1)),
    ("var", dict(correction=1)), ("nansum", dict(where=MASK)), ("nanmean", dict(where=MASK)),
    ("std", dict(axis=(0, 1), keepdims=True, ddof=1)), ("average", dict(axis=1, returned=True)),
    ("quantile", dict(q=[0.1, 0.6], axis=(0, 1), keepdims=True)),
]


@pytest.mark.parametrize("name,kw", KEYWORD_CASES, ids=[f"{n}-{i}" for i, (n, _) in
                                                        enumerate(KEYWORD_CASES)])
def test_reduction_keywords_match_numpy(name, kw):
    fn, ref = getattr(fnp, name), getattr(np, name)
    if numpy_accepts(ref, kw):  # (var's mean= and correction= are NumPy 2 keywords)
        np.testing.assert_allclose(fn(X, **kw), ref(X, **kw), rtol=1e-12)
    check_grads(lambda x: fn(x, **kw), (X,), order=2)


def test_reductions_accept_lists_of_traced_values():
    def f(x):
        return fnp.sum([x * x, 3 * x]) + fnp.mean([x, 2 * x]) + fnp.max([x, x + 1.0])
    assert np.isclose(funcgrad.grad(f)(2.0), 2 * 2.0 + 3 + 1.5 + 1)


def test_nan_to_num_complex_parts():
    z = np.array([complex(1.0, np.nan), complex(np.inf, 2.0)])
    g = funcgrad.vjp(fnp.nan_to_num, z)[1](np.array([1.0 + 1.0j, 1.0 + 1.0j]))[0]
    np.testing.assert_array_equal(g, [1.0 + 0.0j, 0.0 + 1.0j])
