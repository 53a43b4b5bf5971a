"""jit's passes and compiled replay do not change results: every benchmark
program (benchmarks/workloads.py), run as jit compiles it, equals the same
program staged without passes and evaluated equation by equation with the
primitives' implementations, bit for bit; and the fast dispatch path finds
the same programs as the general one."""
from __future__ import annotations

import collections
import os
import sys

import numpy as np
import pytest

import funcgrad as fg
import funcgrad.numpy as fnp
from funcgrad._core.passes import compile_program, optimise
from funcgrad._jit import _fast_signature
from funcgrad.tree_util import tree_flatten, tree_unflatten

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
W = pytest.importorskip("benchmarks.workloads")


def _programs():
    """``(name, function, args)`` for each benchmark program, small sizes."""
    rng = np.random.default_rng(0)
    out = []
    x0 = np.array(0.7)
    out.append(("chain", fg.grad(lambda y: W.chain(fnp.sin, y, 40)), (x0,)))
    for kind, dtype, sizes in (("tanh-mse", np.float64, (8, 16, 16, 1)),
                               ("relu-ce", np.float32, (12, 16, 16, 5))):
        params = W.init_mlp(sizes, dtype, rng)
        X = rng.standard_normal((6, sizes[0])).astype(dtype)
        Y = (rng.standard_normal((6, sizes[-1])).astype(dtype) if kind == "tanh-mse"
             else np.eye(sizes[-1], dtype=dtype)[rng.integers(0, sizes[-1], 6)])

        def loss(ps, X=X, Y=Y, kind=kind):
            if kind == "tanh-mse":
                return W.mse_loss(W.mlp_logits(ps, X, fnp.tanh), Y)
            z = W.mlp_logits(ps, X, lambda v: fnp.maximum(v, 0))
            return W.ce_loss(W.np_log_softmax(z, fnp, fg.stop_gradient), Y)
        out.append((f"mlp {kind}", fg.value_and_grad(loss), (params,)))
    n = 7
    Wm = rng.standard_normal((n, n))
    v = rng.standard_normal(n)

    def f(x):
        t = fnp.tanh(Wm @ x)
        return fnp.sum(t * t)
    out.append(("hvp", fg.grad(lambda x: fnp.sum(fg.grad(f)(x) * v)),
                (rng.standard_normal(n),)))
    params = W.init_mlp((4, 8, 8, 1), np.float64, rng)
    g = fg.grad(lambda ps, x, y: W.example_loss(ps, x, y, fnp.tanh))
    out.append(("per-example", fg.vmap(g, in_axes=(None, 0, 0)),
                (params, rng.standard_normal((5, 4)), rng.standard_normal((5, 1)))))
    Xj, Yj = rng.standard_normal((6, 8)), rng.standard_normal((6, 1))
    out.append(("jvp", lambda ps, ts: fg.jvp(
        lambda q: W.mse_loss(W.mlp_logits(q, Xj, fnp.tanh), Yj), (ps,), (ts,)),
        (W.init_mlp((8, 16, 16, 1), np.float64, rng),
         W.init_mlp((8, 16, 16, 1), np.float64, rng))))
    return out


PROGRAMS = _programs()


def _same(a, b):
    la, ta = tree_flatten(a)
    lb, tb = tree_flatten(b)
    assert ta == tb
    for x, y in zip(la, lb):
        assert type(x) is type(y)
        assert np.shape(x) == np.shape(y) and np.asarray(x).dtype == np.asarray(y).dtype
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("name,fun,args", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_benchmark_programs_equal_their_unoptimised_programs_bit_for_bit(name, fun, args):
    jaxpr = fg.make_jaxpr(fun)(*args)
    leaves = tree_flatten((args, {}))[0]
    plain = tree_unflatten(jaxpr.out_tree, jaxpr.program.eval(list(leaves)))
    jf = fg.jit(fun)
    for _ in range(2):  # the first call traces, the second replays (the fast path)
        _same(jf(*args), plain)
    # and the passes alone, compiled without the output tree (grad(jit)'s replay)
    fn, _ = compile_program(optimise(jaxpr.program))
    _same(tree_unflatten(jaxpr.out_tree, list(fn(*leaves))), plain)
    # new values, same signature: the replay equals a new unoptimised evaluation
    args2 = tree_unflatten(tree_flatten(args)[1],
                           [np.asarray(x * 0.5 + 0.1, x.dtype) for x in tree_flatten(args)[0]])
    leaves2 = tree_flatten((args2, {}))[0]
    _same(jf(*args2), tree_unflatten(jaxpr.out_tree, jaxpr.program.eval(list(leaves2))))
    assert jf._traces == 1


def test_compiled_mlp_gradient_calls_no_numpy_wrappers():
    """Transposes are array attributes and sums ``add.reduce`` calls."""
    name, fun, args = PROGRAMS[1]
    source = fg.jit(fun).lower_source(*args)
    assert ".T" in source and "swapaxes" not in source
    assert "_r" in source  # np.add.reduce, called positionally
    assert "return (" in source and "[" in source.splitlines()[-1]  # (loss, [grads])


def test_direct_calls_give_numpys_results():
    x = np.arange(24.0).reshape(2, 3, 4)
    m = np.arange(6.0).reshape(2, 3)
    cases = [
        (lambda a: fnp.swapaxes(a, 0, 2) * 1.0, x), (lambda a: fnp.swapaxes(a, -1, 0) + 0, x),
        (lambda a: fnp.swapaxes(a, 1, -2) * 2, m), (lambda a: fnp.swapaxes(a, 0, 1) * 2, m),
        (lambda a: fnp.transpose(a) * 2, m), (lambda a: fnp.transpose(a, (2, 0, 1)) * 2, x),
        (lambda a: fnp.transpose(a) * 2, x),
        (lambda a: fnp.sum(a), x), (lambda a: fnp.sum(a, axis=1, keepdims=True), x),
        (lambda a: fnp.sum(a, axis=(0, 2), dtype=np.float32), x),
        (lambda a: fnp.sum(a * 2, axis=-1), m),
    ]
    for f, a in cases:
        want = f(a)
        got = fg.jit(f)(a)
        assert type(got) is type(want) and got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_fast_signature_separates_what_the_signature_separates():
    f_calls = []

    def f(*args):
        f_calls.append(1)
        return tree_flatten(args)[0][0] * 2
    jf = fg.jit(f)
    calls = [
        (np.ones(2),), (np.ones(3),), (np.ones(2, np.float32),), (1.0,), (np.float64(1.0),),
        (1,), (True,), (np.array(1.0),), ([np.ones(2)],), ((np.ones(2),),),
        ([np.ones(2), None],), ({"a": np.ones(2), "b": 1.0},), ({"a": 1.0, "b": np.ones(2)},),
        (np.ones(2), 1.0), ([[np.ones(2)]],),
    ]
    for args in calls:
        np.testing.assert_array_equal(jf(*args), f(*args))
    assert len(f_calls) == 2 * len(calls)  # one trace each (plus the direct calls)
    for args in calls:  # all cached now: no new trace, same results
        np.testing.assert_array_equal(jf(*args), tree_flatten(args)[0][0] * 2)
    assert len(f_calls) == 2 * len(calls)
    # a dict's insertion order does not matter (its keys are sorted, as in the pytree)
    assert _fast_signature(({"a": 1.0, "b": 2.0},), frozenset()) == \
        _fast_signature(({"b": 2.0, "a": 1.0},), frozenset())
    jf({"b": np.ones(2), "a": 1.0})
    assert len(f_calls) == 2 * len(calls)


def test_fast_signature_declines_what_it_cannot_describe():
    Point = collections.namedtuple("Point", "x y")
    for args in [(Point(np.ones(2), 1.0),), (np.ma.masked_array([1.0]),), ([1.0, "a"],),
                 ({1: 1.0, "a": 2.0},)]:
        assert _fast_signature(args, frozenset()) is None
    jp = fg.jit(lambda p: Point(p.y, p.x * 2))
    out = jp(Point(np.ones(2), 3.0))
    assert type(out) is Point and out.x == 3.0
    np.testing.assert_array_equal(out.y, 2.0)


def test_static_arguments_on_the_fast_path():
    calls = []

    def f(x, n):
        calls.append(n)
        return x * n
    jf = fg.jit(f, static_argnums=1)
    assert jf(np.ones(2), 2)[0] == 2.0 and jf(np.ones(2), 3)[0] == 3.0
    assert jf(np.ones(2), 2)[0] == 2.0 and calls == [2, 3]
    with pytest.raises(ValueError, match="Non-hashable static arguments"):
        jf(np.ones(2), [1])


def test_outputs_of_every_pytree_kind_are_rebuilt():
    Point = collections.namedtuple("Point", "x y")
    jf = fg.jit(lambda x: {"p": Point(x, [x * 2, None]), "t": (x + 1,), "n": None})
    out = jf(np.ones(2))
    assert set(out) == {"p", "t", "n"} and out["n"] is None
    assert type(out["p"]) is Point and out["p"].y[1] is None
    np.testing.assert_array_equal(out["p"].y[0], 2.0)
    np.testing.assert_array_equal(out["t"][0], 2.0)
    assert fg.jit(lambda x: x * 2)(np.ones(2)).shape == (2,)  # a bare leaf, not a tuple
    assert fg.jit(lambda x: ())(np.ones(2)) == ()
