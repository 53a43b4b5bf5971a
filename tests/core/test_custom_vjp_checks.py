"""What a custom_vjp's bwd rule returns is checked against the primal
arguments, as JAX checks it (issue 22): the same containers (``None`` for a
zero subtree), and each cotangent's shape and dtype. A wrong shape is never
broadcast into a wrong gradient."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import funcgrad as fg
import funcgrad.numpy as fnp

SHAPE_MSG = (r"Custom VJP bwd rule must produce an output with the same shape/dtypes as "
             r"the args tuple of the primal function")
STRUCT_MSG = (r"Custom VJP bwd rule must produce an output with the same container "
              r"\(pytree\) structure as the args tuple of the primal function")


def identity_with(bwd):
    @fg.custom_vjp
    def ident(x):
        return x

    ident.defvjp(lambda x: (x, None), bwd)
    return ident


def test_broadcastable_wrong_shape_is_refused_not_broadcast():
    def one_bwd(res, g):
        return (np.ones(1),)

    f = identity_with(one_bwd)
    with pytest.raises(ValueError, match=SHAPE_MSG) as info:
        fg.grad(lambda x: fnp.sum(f(x)))(np.ones(3))
    msg = str(info.value)
    assert "At output[0]" in msg and "float64[1]" in msg and "float64[3]" in msg
    assert "'identity_with.<locals>.ident'" in msg and "one_bwd" in msg


def test_non_broadcastable_wrong_shape_is_the_same_clear_error():
    f = identity_with(lambda res, g: (np.ones(4),))
    with pytest.raises(ValueError, match=SHAPE_MSG):
        fg.grad(lambda x: fnp.sum(f(x)))(np.ones(3))


def test_wrong_dtype_is_refused():
    f = identity_with(lambda res, g: (g.astype(np.float32),))
    with pytest.raises(ValueError, match=SHAPE_MSG + r".*float32\[3\].*float64\[3\]"):
        fg.grad(lambda x: fnp.sum(f(x)))(np.ones(3))


shapes = st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple)


@given(primal=shapes, returned=shapes)
def test_every_shape_other_than_the_primal_s_is_refused(primal, returned):
    f = identity_with(lambda res, g: (np.ones(returned),))
    loss = lambda x: fnp.sum(f(x))  # noqa: E731
    if primal == returned:
        np.testing.assert_array_equal(fg.grad(loss)(np.zeros(primal)), np.ones(primal))
    else:
        with pytest.raises(ValueError, match=SHAPE_MSG):
            fg.grad(loss)(np.zeros(primal))


@pytest.mark.parametrize("bad", [
    lambda g: g,                 # not a tuple
    lambda g: (g, g),            # one cotangent too many
    lambda g: (),                # too few
    lambda g: ([g],),            # a container where the primal is a leaf
], ids=["bare", "too-many", "too-few", "list-for-leaf"])
def test_wrong_structure_is_refused(bad):
    f = identity_with(lambda res, g: bad(g))
    with pytest.raises(TypeError, match=STRUCT_MSG):
        fg.grad(lambda x: fnp.sum(f(x)))(np.ones(2))


def pair_function(bwd):
    @fg.custom_vjp
    def h(p):
        return p["a"] * p["b"][0]

    h.defvjp(lambda p: (h(p), p), bwd)
    return h


P = {"a": 2.0, "b": (3.0, 4.0)}


def test_none_is_zero_for_an_argument_or_any_subtree():
    h = pair_function(lambda p, g: ({"a": g * p["b"][0], "b": (g * p["a"], None)},))
    g = fg.grad(h)(P)
    assert (g["a"], g["b"][0], g["b"][1]) == (3.0, 2.0, 0.0)
    h = pair_function(lambda p, g: ({"a": g * p["b"][0], "b": None},))
    g = fg.grad(h)(P)
    assert (g["a"], g["b"][0], g["b"][1]) == (3.0, 0.0, 0.0)
    h = pair_function(lambda p, g: (None,))
    assert fg.grad(h)(P)["a"] == 0.0


def test_nested_structure_mismatch_names_its_place():
    h = pair_function(lambda p, g: ({"a": g, "b": [g, g]},))
    with pytest.raises(TypeError, match=STRUCT_MSG + r".*at output\[0\]\['b'\]"):
        fg.grad(h)(P)
    h = pair_function(lambda p, g: ({"a": g, "b": (np.ones(2), g)},))
    with pytest.raises(ValueError, match=SHAPE_MSG + r"\. At output\[0\]\['b'\]\[0\]"):
        fg.grad(h)(P)


def test_python_scalars_are_weakly_typed():
    # (0,) or (1.0,) for a 0-d float32 primal fits, as in JAX
    for ct in (0, 1.0):
        f = identity_with(lambda res, g, ct=ct: (ct,))
        g = fg.grad(f)(np.float32(2.0))
        assert g == ct and g.dtype == np.float32
    f = identity_with(lambda res, g: (1.0,))
    with pytest.raises(ValueError, match=SHAPE_MSG):
        fg.grad(lambda x: fnp.sum(f(x)))(np.ones(2))


def test_integer_argument_takes_float0_or_none():
    @fg.custom_vjp
    def scale(x, n):
        return x * n

    scale.defvjp(lambda x, n: (x * n, n),
                 lambda n, g: (g * n, np.zeros(np.shape(n), fg.float0)))
    assert fg.grad(scale)(2.0, 3) == 3.0
    scale.defvjp(lambda x, n: (x * n, n), lambda n, g: (g * n, None))
    assert fg.grad(scale)(2.0, 3) == 3.0
    scale.defvjp(lambda x, n: (x * n, n), lambda n, g: (g * n, np.zeros(2)))
    with pytest.raises(ValueError, match=SHAPE_MSG + r"\. At output\[1\]"):
        fg.grad(scale)(2.0, 3)


def test_checks_hold_under_nested_transforms():
    @fg.custom_vjp
    def cube(x):
        return x ** 3

    cube.defvjp(lambda x: (x ** 3, x), lambda x, g: (3 * x ** 2 * g,))
    assert fg.grad(fg.grad(cube))(2.0) == 12.0
    bad = identity_with(lambda res, g: (fnp.stack([g, g]),))
    with pytest.raises(ValueError, match=SHAPE_MSG):
        fg.grad(fg.grad(bad))(2.0)
