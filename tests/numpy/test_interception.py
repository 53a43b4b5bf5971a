"""Plain NumPy on traced values: ``numpy.<name>(traced)`` is funcgrad's rule,
ufunc methods, keyword pass-through, clear errors, and no object arrays."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import funcgrad
import funcgrad.numpy as fnp
from funcgrad import ConcretizationError
from funcgrad._core import new_trace
from funcgrad.numpy import REGISTRY
from funcgrad.testing import check_grads

from .specs import collect, numpy_accepts

SPECS = collect()


def _numpy_object(name):
    obj = np
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _dispatches(obj) -> bool:
    """Does NumPy hand calls of ``obj`` on a tracer to ``__array_function__``
    or ``__array_ufunc__``? (``np.array`` and friends do not.)"""
    return isinstance(obj, np.ufunc) or type(obj).__name__ == "_ArrayFunctionDispatcher"


# NumPy does not dispatch on these functions' differentiable argument
# (np.full_like(a, traced) dispatches on `a` only; its copyto then rejects the store).
NOT_DISPATCHED_ON = {"full_like"}


def _intercepted_cases():
    for name in sorted(REGISTRY):
        if name.split(".")[-1].startswith("_") or not REGISTRY[name].differentiable:
            continue
        obj = _numpy_object(name)
        if obj is None or not _dispatches(obj):
            continue
        for k, spec in enumerate(SPECS.get(name, [])):
            if name in NOT_DISPATCHED_ON:
                continue
            if spec.reference is None:  # the spec calls numpy.<name> with the same arguments
                yield pytest.param(name, spec, id=f"{name}-{k}")


def _leaves(x):
    return funcgrad.tree_util.tree_leaves(x)


@pytest.mark.parametrize("name,spec", list(_intercepted_cases()))
@settings(max_examples=2, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_plain_numpy_call_is_funcgrads_rule(name, spec, data):
    """numpy.<name>(traced) gives funcgrad.numpy.<name>'s value and gradient."""
    args, kwargs = data.draw(spec.args, label="arguments")
    ours, theirs = REGISTRY[name].fn, _numpy_object(name)
    if not numpy_accepts(theirs, kwargs):
        return  # a NumPy 2 keyword on NumPy 1.26 (cholesky's upper=): nothing to intercept

    def call(fn):
        def f(*diff):
            full = list(args)
            for i, v in zip(spec.argnums, diff):
                full[i] = v
            return fn(*full, **kwargs)
        return f

    primals = tuple(args[i] for i in spec.argnums)
    try:
        out_np, vjp_np = funcgrad.vjp(call(theirs), *primals)
    except ConcretizationError:
        # NumPy dispatches on the top-level arguments only: np.copy([t1, t2]) never
        # reaches a tracer (only sequence-taking functions like np.stack look inside).
        if any(isinstance(p, (list, tuple)) for p in primals):
            return
        raise
    out_fg, vjp_fg = funcgrad.vjp(call(ours), *primals)
    for a, b in zip(_leaves(out_np), _leaves(out_fg)):
        np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(0)
    cts = funcgrad.tree_util.tree_map(
        lambda o: rng.standard_normal(np.shape(o)).astype(np.asarray(o).dtype), out_fg)
    for a, b in zip(_leaves(vjp_np(cts)), _leaves(vjp_fg(cts))):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_every_function_family_is_intercepted():
    names = {p.values[0] for p in _intercepted_cases()}
    assert {"sum", "sin", "take"} <= names
    def family(prefix):
        return [n for n in REGISTRY if n.startswith(prefix) and REGISTRY[n].differentiable
                and not n.split(".")[-1].startswith("_")]
    linalg, fft = family("linalg."), family("fft.")
    for sub in (linalg, fft):
        covered = [n for n in sub if n in names]
        assert not sub or covered, f"no spec lets the interception test reach {sub}"


X = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.5]])

UFUNC_METHODS = {
    "add.reduce": lambda a: np.add.reduce(a, axis=1),
    "add.reduce keepdims": lambda a: np.add.reduce(a, axis=0, keepdims=True),
    "add.reduce initial": lambda a: np.add.reduce(a, axis=None, initial=2.0),
    "multiply.reduce": lambda a: np.multiply.reduce(a),
    "maximum.reduce": lambda a: np.maximum.reduce(a, axis=1),
    "minimum.reduce": lambda a: np.minimum.reduce(a, axis=None),
    "subtract.reduce (left fold)": lambda a: np.subtract.reduce(a, axis=1),
    "hypot.reduce": lambda a: np.hypot.reduce(a, axis=(0, 1)),
    "logaddexp.reduce": lambda a: np.logaddexp.reduce(a, axis=0),
    "add.accumulate": lambda a: np.add.accumulate(a, axis=1),
    "multiply.accumulate": lambda a: np.multiply.accumulate(a),
    "maximum.accumulate": lambda a: np.maximum.accumulate(a, axis=1),
    "multiply.outer": lambda a: np.multiply.outer(a[0], a[1, :2]),
    "subtract.outer": lambda a: np.subtract.outer(a, a[0]),
    "add.reduce dtype": lambda a: np.add.reduce(a, dtype=np.float64),
    "add.reduceat": lambda a: np.add.reduceat(a, [0, 2, 1], axis=1),
    "maximum.reduceat": lambda a: np.maximum.reduceat(a, [1, 0], axis=0),
    "multiply.reduceat": lambda a: np.multiply.reduceat(a.T, [0, 1]),
}


@pytest.mark.parametrize("fn", list(UFUNC_METHODS.values()), ids=list(UFUNC_METHODS))
def test_ufunc_methods(fn):
    out, _ = funcgrad.vjp(fn, X)
    np.testing.assert_allclose(out, fn(X), rtol=1e-13)
    check_grads(fn, (X,), order=2)


def _binary_ufuncs():
    for name in sorted(REGISTRY):
        u = getattr(np, name, None)
        if (isinstance(u, np.ufunc) and u.nin == 2 and u.nout == 1 and u.signature is None
                and REGISTRY[name].differentiable and name != "ldexp"):  # ldexp: int exponent
            yield name


Y = np.array([[0.7, 1.3, 0.9], [1.1, 0.6, 1.45]])  # in every binary ufunc's smooth domain


@pytest.mark.parametrize("name", list(_binary_ufuncs()))
def test_reduce_accumulate_outer_of_every_differentiable_binary_ufunc(name):
    u = getattr(np, name)
    acc = u.accumulate(Y, axis=1)
    # reduce is the left fold NumPy defines: the last accumulated value (NumPy 2.4's own
    # float power.reduce / arctan2.reduce skip middle elements; funcgrad does not).
    for f, ref in [(lambda a: u.accumulate(a, axis=1), acc),
                   (lambda a: u.outer(a[0], a[1]), u(Y[0][:, None], Y[1]))]:
        out, _ = funcgrad.vjp(f, Y)
        np.testing.assert_allclose(out, ref, rtol=1e-12)
        check_grads(f, (Y,), order=1)
    # (finite differences of np.<ufunc>.reduce itself would inherit NumPy's bug)
    out, pull = funcgrad.vjp(lambda a: u.reduce(a, axis=1), Y)
    np.testing.assert_allclose(out, acc[:, -1], rtol=1e-12)
    _, pull_acc = funcgrad.vjp(lambda a: u.accumulate(a, axis=1)[:, -1], Y)
    ct = np.array([0.3, -1.2])
    np.testing.assert_allclose(pull(ct)[0], pull_acc(ct)[0], rtol=1e-12)


@pytest.mark.parametrize("method", ["reduce", "accumulate", "outer"])
def test_generalized_ufunc_methods_fail_as_in_numpy(method):
    with pytest.raises((TypeError, RuntimeError)) as ours:
        funcgrad.grad(lambda a: fnp.sum(getattr(np.matmul, method)(a, a) if method == "outer"
                                        else getattr(np.matmul, method)(a)))(X)
    with pytest.raises(type(ours.value)):
        getattr(np.matmul, method)(X, X) if method == "outer" else getattr(np.matmul, method)(X)


def test_ufunc_methods_of_constant_ufuncs_run_on_values():
    def f(a):
        mask = np.logical_and.reduce(a > 0, axis=0)
        table = np.greater.outer(a[0], a[1])
        assert isinstance(mask, np.ndarray) and isinstance(table, np.ndarray)
        return (a * mask).sum() + table.sum()
    # column 0 is the only one positive in both rows
    np.testing.assert_array_equal(funcgrad.grad(f)(X), [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(funcgrad.grad(lambda a: (a * np.logical_or.reduce(a > 3.5)).sum())(X),
                                  [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])


def test_keyword_arguments_pass_through():
    f32 = X.astype(np.float32)
    g = funcgrad.grad(lambda a: np.sum(np.mean(a, axis=1, keepdims=True) * a))(X)
    check_grads(lambda a: np.sum(np.mean(a, axis=1, keepdims=True) * a), (X,), order=2)
    assert g.shape == X.shape
    out = funcgrad.vjp(lambda a: np.add(a, a, dtype=np.float64), f32)[0]
    assert out.dtype == np.float64
    assert funcgrad.grad(lambda a: np.add(a, 1.0, dtype=np.float64).sum())(f32).dtype == np.float32
    out = funcgrad.vjp(lambda a: np.sum(a, axis=(0, 1), keepdims=True), X)[0]
    assert out.shape == (1, 1)


UNSUPPORTED_KWARGS = {
    "ufunc where=": lambda a: np.add(a, a, where=np.ones(a.shape, bool)),
    "ufunc casting=": lambda a: np.add(a, a, casting="unsafe"),
    "reduce where=": lambda a: np.add.reduce(a, where=np.ones(a.shape, bool)),
    "accumulate axis=None": lambda a: np.add.accumulate(a, axis=None),
    "gufunc axes=": lambda a: np.matmul(a, a.T, axes=[(0, 1), (0, 1), (0, 1)]),
}


@pytest.mark.parametrize("fn", list(UNSUPPORTED_KWARGS.values()), ids=list(UNSUPPORTED_KWARGS))
def test_unsupported_keywords_raise_clearly(fn):
    with pytest.raises(TypeError, match="not supported|must be an integer"):
        funcgrad.grad(lambda a: fn(a).sum())(X)


# NumPy functions with no gradient rule (docs/numpy-coverage.md lists them all).
# If one gains a rule, this test fails: replace it with another rule-less one.
NO_RULE = {
    "i0": lambda a: np.i0(a),
    "intersect1d": lambda a: np.intersect1d(a, a),
    "union1d": lambda a: np.union1d(a, a),
    "setdiff1d": lambda a: np.setdiff1d(a, a[:1]),
    "setxor1d": lambda a: np.setxor1d(a, a),
}


@pytest.mark.parametrize("name", sorted(NO_RULE))
def test_function_without_rule_names_itself_and_points_to_custom_vjp(name):
    assert name not in REGISTRY, f"funcgrad.numpy.{name} has a rule now: pick another example"
    with pytest.raises(TypeError) as info:
        funcgrad.grad(lambda a: fnp.sum(NO_RULE[name](a)))(X)
    assert f"numpy.{name}" in str(info.value) and "custom_vjp" in str(info.value), str(info.value)


def _tracer(value):
    return new_trace().new_input(np.asarray(value))


CONCRETIZE = {
    "np.asarray": lambda t, u: np.asarray(t),
    "np.array": lambda t, u: np.array(t),
    "np.array copy=False": lambda t, u: np.array(u, copy=False),
    "np.asanyarray": lambda t, u: np.asanyarray(u),
    "np.ascontiguousarray": lambda t, u: np.ascontiguousarray(u),
    "list of tracers": lambda t, u: np.array([t, t]),
    "mixed list": lambda t, u: np.array([1.0, t]),
    "list of arrays": lambda t, u: np.asarray([u, u]),
    "dtype=object": lambda t, u: np.array(t, dtype=object),
    "list dtype=object": lambda t, u: np.array([t, u], dtype=object),
    "tuple": lambda t, u: np.array((t,)),
    "np.float64": lambda t, u: np.float64(t),
    "float": lambda t, u: float(t),
    "int": lambda t, u: int(t),
    "complex": lambda t, u: complex(t),
    "item": lambda t, u: t.item(),
    "tolist": lambda t, u: u.tolist(),
    "math": lambda t, u: __import__("math").exp(t),
}


@pytest.mark.parametrize("convert", list(CONCRETIZE.values()), ids=list(CONCRETIZE))
def test_concretization_raises_and_never_makes_object_arrays(convert):
    t, u = _tracer(1.5), _tracer([1.0, 2.0])
    with pytest.raises(ConcretizationError, match="gradient would be lost") as info:
        convert(t, u)
    assert isinstance(info.value, TypeError)


def test_storing_a_tracer_into_an_ndarray_fails():
    # NumPy replaces the ConcretizationError of float(t) by a ValueError of its own;
    # what matters is that the value is never stored without its gradient.
    a = np.zeros(2)
    with pytest.raises((ValueError, TypeError)):
        a[0] = _tracer(1.5)
    with pytest.raises((ValueError, TypeError)):
        a[:] = _tracer([1.0, 2.0])
    np.testing.assert_array_equal(a, [0.0, 0.0])


def test_arrays_of_traced_values_through_funcgrad_are_stacked():
    def f(x):
        out = fnp.stack([x[0] * 2, x[1]])
        assert not (isinstance(out, np.ndarray) and out.dtype == object)
        return out.sum()
    np.testing.assert_array_equal(funcgrad.grad(f)(np.array([1.0, 2.0])), [2.0, 1.0])


def test_numpy_keyword_funcgrad_lacks_raises_clearly():
    from funcgrad.numpy._dispatch import _call
    with pytest.raises(TypeError, match=r"numpy\.f: these arguments are not supported on traced"):
        _call(lambda a: a, "numpy.f", (1,), {"device": "cpu"})
    # end to end, with a keyword NumPy accepts and funcgrad.numpy.astype does not (yet)
    import inspect
    if hasattr(np, "astype") and "device" not in inspect.signature(fnp.astype).parameters:
        with pytest.raises(TypeError, match="numpy.astype: these arguments are not supported"):
            funcgrad.grad(lambda a: np.astype(a, np.float32, device="cpu").sum())(X)
