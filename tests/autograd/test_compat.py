"""funcgrad.autograd runs programs written for HIPS autograd (only the imports
changed) and gets autograd's numbers: each program of programs.py runs on both
when autograd is installed (the comparison is skipped otherwise, and the
programs still run and are checked against finite differences where noted)."""
from __future__ import annotations

import importlib.util

import numpy as np
import pytest

pytest.importorskip("scipy")

import funcgrad  # noqa: E402
from funcgrad.testing import check_grads  # noqa: E402

from .programs import PROGRAMS, RECORDED, load, ode  # noqa: E402

HAVE_AUTOGRAD = importlib.util.find_spec("autograd") is not None


def _leaves(x):
    return [np.asarray(v) for v in funcgrad.tree_util.tree_leaves(x)]


def _assert_same(got, want):
    g, w = _leaves(got), _leaves(want)
    assert len(g) == len(w)
    for a, b in zip(g, w):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-11)


@pytest.fixture(scope="module")
def ours():
    return load("funcgrad.autograd")


@pytest.fixture(scope="module")
def theirs():
    if not HAVE_AUTOGRAD:
        pytest.skip("HIPS autograd is not installed: nothing to compare with")
    return load("autograd")


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_program_matches_hips_autograd(program, ours, theirs):
    _assert_same(program(ours), program(theirs))


@pytest.mark.parametrize("program", list(RECORDED), ids=lambda p: p.__name__)
def test_program_matches_recorded_results(program, ours):
    got = program(ours)
    assert [k for k, _ in got] == [k for k, _ in RECORDED[program]]
    _assert_same([v for _, v in got], [v for _, v in RECORDED[program]])


def test_odeint_program_against_finite_differences(ours):
    g0, gk = ode(ours)
    np_ = ours["np"]

    def loss(y0, k):
        return np_.sum(ours["odeint"](lambda y, t, k: -k * y + np_.sin(t), y0,
                                      np.array([0.0, 0.5, 1.0]), (k,)) ** 2)
    check_grads(loss, (np.array([1.0, 2.0]), np.array(0.7)), atol=1e-5, rtol=1e-5)
    assert g0.shape == (2,) and np.ndim(gk) == 0


def test_internals_raise_import_errors_that_say_so():
    with pytest.raises(ImportError, match="does not provide HIPS autograd's"):
        from funcgrad.autograd.extend import VSpace  # noqa: F401
    with pytest.raises(ImportError, match="tracer"):
        import funcgrad.autograd.tracer  # noqa: F401
    with pytest.raises(ImportError, match="numpy_boxes"):
        import funcgrad.autograd.numpy.numpy_boxes  # noqa: F401


def test_missing_vjp_and_errors_read_like_autograd(ours):
    extend, np_ = ours["extend"], ours["np"]

    @extend.primitive
    def f(x, y):
        return x * y

    extend.defvjp(f, lambda ans, x, y: lambda g: g * y)
    assert ours["ag"].grad(f)(2.0, 3.0) == 3.0
    with pytest.raises(TypeError, match="VJP of f wrt argnum 1 not defined"):
        ours["ag"].grad(f, 1)(2.0, 3.0)
    with pytest.raises(TypeError, match="no JVP rule"):
        ours["ag"].make_jvp(f)(2.0, 3.0)(1.0)
    with pytest.raises(TypeError, match="scalar-output"):
        ours["ag"].grad(np_.sin)(np.ones(2))
    with pytest.raises(ValueError, match="modes"):
        ours["check_grads"](np_.sin, modes=["sideways"])(1.0)


def test_defjvp_same_and_def_linear(ours):
    extend, ag = ours["extend"], ours["ag"]

    @extend.primitive
    def twice(x):
        return 2.0 * x

    extend.defvjp(twice, lambda ans, x: lambda g: 2.0 * g)
    extend.defjvp(twice, "same")
    assert ag.make_jvp(twice)(1.0)(3.0)[1] == 6.0

    @extend.primitive
    def dot(a, b):
        return np.dot(a, b)

    extend.defvjp(dot, lambda ans, a, b: lambda g: g * b, lambda ans, a, b: lambda g: g * a)
    extend.def_linear(dot)
    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    assert ag.make_jvp(lambda a: dot(a, b))(a)(np.array([1.0, 0.0]))[1] == 3.0
    ours["check_grads"](dot, modes=["fwd", "rev"], order=2)(a, b)


def test_flatten_round_trips_autograd_structures(ours):
    np_, flatten = ours["np"], ours["flatten"]
    r = np.random.default_rng(0).normal
    x = (1.0, r(size=(2, 3)), [r(size=(1, 4)), {"x": 2.0, "y": r(size=(4, 2))}])
    x_flat, unflatten = flatten(x)
    assert x_flat.shape == (20,) and x_flat[0] == 1.0
    assert np_.all(x_flat == flatten(unflatten(x_flat))[0])
    y = (1.0, 2.0, [3.0, {"x": 2.0, "y": 4.0}])
    y_flat, unflatten = flatten(y)
    assert y_flat.shape == (5,) and y == unflatten(y_flat)
    z_flat, unflatten = flatten(2 + 3j)
    assert np_.all(z_flat == np.array([2 + 3j])) and unflatten(z_flat) == 2 + 3j
    assert ours["ag"].grad(lambda t: np_.sum(flatten(t)[0] ** 2))((1.0, [2.0]))[1] == [4.0]


def test_const_graph_is_refused_clearly():
    with pytest.raises(ImportError, match="const_graph"):
        from funcgrad.autograd.misc import const_graph  # noqa: F401
