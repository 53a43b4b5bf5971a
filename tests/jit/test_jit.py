"""funcgrad.jit: the cache (one trace per signature), static arguments, weak
types, errors, threads, make_jaxpr, and composition with the other
transforms in every order."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import funcgrad as fg
import funcgrad.numpy as fnp


def _counting(body):
    calls = []

    def f(*args, **kwargs):
        calls.append(1)
        return body(*args, **kwargs)
    return f, calls


def loss(w, x):
    return np.sum(np.tanh(x @ w) ** 2)


def test_traced_once_per_signature_and_replayed_with_new_values():
    f, calls = _counting(lambda x: np.sin(x) * 2 + x)
    jf = fg.jit(f)
    for v in (np.ones(3), np.arange(3.0), -np.ones(3)):
        np.testing.assert_allclose(jf(v), np.sin(v) * 2 + v)
    assert len(calls) == 1
    jf(np.ones(4))                      # a new shape
    jf(np.ones(3, np.float32))          # a new dtype
    jf(np.arange(3.0))                  # the first signature again
    assert len(calls) == 3


def test_dtype_is_preserved_and_python_scalars_are_weak():
    jf = fg.jit(lambda x, s: x * s)
    x32 = np.ones(2, np.float32)
    assert jf(x32, 2.0).dtype == np.float32      # a Python float adopts float32
    assert jf(x32, np.float64(2.0)).dtype == np.float64
    assert jf(x32, 3.0)[0] == 3.0                # same signature, new value


def test_pytrees_in_and_out():
    jf = fg.jit(lambda p: {"s": p["a"] + p["b"][0], "t": (p["b"][1] * 2,)})
    out = jf({"a": np.ones(2), "b": [np.ones(2), 3.0]})
    np.testing.assert_allclose(out["s"], 2.0)
    assert out["t"][0] == 6.0


def test_static_argnums_and_argnames():
    f, calls = _counting(lambda x, n, *, mode="sum": (np.sum(x) if mode == "sum" else
                                                      np.max(x)) * n)
    jf = fg.jit(f, static_argnums=1, static_argnames="mode")
    assert jf(np.arange(3.0), 2) == 6.0
    assert jf(np.arange(3.0), 2) == 6.0
    assert jf(np.arange(3.0), 3) == 9.0
    assert jf(np.arange(3.0), 3, mode="max") == 6.0
    assert len(calls) == 3
    with pytest.raises(ValueError, match="Non-hashable static arguments"):
        jf(np.ones(2), [1])


def test_static_argnames_completes_argnums():
    jf = fg.jit(lambda x, n: x * n if n > 1 else x, static_argnames="n")
    assert jf(np.ones(2), 3)[0] == 3.0
    assert jf(np.ones(2), n=1)[0] == 1.0


def test_closed_over_arrays_are_constants():
    c = np.array([1.0, 2.0])
    jf = fg.jit(lambda x: x * c)
    np.testing.assert_allclose(jf(np.ones(2)), [1.0, 2.0])
    text = str(fg.make_jaxpr(lambda x: x * c)(np.ones(2)))
    assert "const:f64[2]" in text


@pytest.mark.parametrize("body,what", [
    (lambda x: x if x > 0 else -x, "a Python bool"),
    (lambda x: float(x), "a Python float"),
    (lambda x: x.item(), r"\.item\(\)"),
    (lambda x: int(x), "a Python int"),
    (lambda x: np.asarray(x), "a NumPy array"),
])
def test_control_flow_on_traced_values_is_refused(body, what):
    with pytest.raises(fg.ConcretizationError, match=what) as info:
        fg.jit(body)(np.float64(1.0))
    assert isinstance(info.value, TypeError)
    msg = str(info.value)
    assert ("f64[]" in msg or "bool[]" in msg) and "static_argnums" in msg and "funcgrad.lax" in msg


def test_value_dependent_shapes_are_refused():
    with pytest.raises(fg.ConcretizationError, match="boolean mask"):
        fg.jit(lambda x: x[x > 0])(np.arange(3.0))
    with pytest.raises(fg.ConcretizationError):
        fg.jit(lambda x: fnp.nonzero(x))(np.arange(3.0))


def test_argument_checks():
    with pytest.raises(TypeError, match=r"^jit: Expected a callable value, got 3$"):
        fg.jit(3)
    with pytest.raises(TypeError, match=r"^make_jaxpr: Expected a callable value"):
        fg.make_jaxpr(None)
    with pytest.raises(TypeError, match=r"^jit: Argument 'abc' of type <class 'str'> is not a "
                                        r"valid funcgrad type.*static_argnums"):
        fg.jit(lambda x: x)("abc")


def test_eight_threads_get_sequential_results_and_one_trace():
    f, calls = _counting(lambda w, x: fg.value_and_grad(loss)(w, x))
    jf = fg.jit(f)
    rng = np.random.default_rng(0)
    inputs = [(rng.normal(size=(4, 3)), rng.normal(size=(5, 4))) for _ in range(8)]
    want = [fg.value_and_grad(loss)(w, x) for w, x in inputs]
    got = [None] * 8
    start = threading.Barrier(8)

    def run(i):
        start.wait()
        for _ in range(20):
            got[i] = jf(*inputs[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    for (gv, gg), (wv, wg) in zip(got, want):
        np.testing.assert_allclose(gv, wv)
        np.testing.assert_allclose(gg, wg)


def test_outputs_are_fresh_buffers():
    x = np.ones(3)
    jf = fg.jit(lambda x: (x, x * 1, x + 1.0))
    a, b, c = jf(x)
    assert not np.shares_memory(a, x) and not np.shares_memory(b, x)
    a[0] = 5.0
    assert x[0] == 1.0 and jf(x)[0][0] == 1.0


def test_make_jaxpr_prints_one_equation_per_line():
    text = str(fg.make_jaxpr(lambda x, y: np.sin(x) * y)(np.ones(3), 2.0))
    assert text == ("{ lambda ; a:f64[3] b:f64[]. let\n"
                    "    c:f64[3] = sin a\n"
                    "    d:f64[3] = multiply c b\n"
                    "  in (d,) }")
    jaxpr = fg.make_jaxpr(lambda x: np.sum(x, axis=0))(np.ones((2, 3), np.float32))
    assert [e.prim.name for e in jaxpr.eqns] == ["sum"]
    assert "f32[3] = sum[axis=0" in str(jaxpr)


def test_make_jaxpr_optimized_drops_dead_code_and_unit_cotangents():
    f = fg.grad(lambda x: np.sum(np.sin(x)))
    plain = fg.make_jaxpr(f)(np.ones(3))
    opt = fg.make_jaxpr(f, optimize=True)(np.ones(3))
    assert len(opt.eqns) < len(plain.eqns)
    assert [e.prim.name for e in opt.eqns] == ["cos"]  # sin and sum are dead; 1 * g is g


# --- composition ------------------------------------------------------------------------
W = np.random.default_rng(1).normal(size=(4, 3))
X = np.random.default_rng(2).normal(size=(5, 4))


def test_jit_of_value_and_grad():
    v, g = fg.jit(fg.value_and_grad(loss))(W, X)
    wv, wg = fg.value_and_grad(loss)(W, X)
    np.testing.assert_allclose(v, wv)
    np.testing.assert_allclose(g, wg)


def test_grad_of_jit_differentiates_the_program_without_retracing():
    f, calls = _counting(loss)
    jf = fg.jit(f)
    for k in range(3):
        np.testing.assert_allclose(fg.grad(jf)(W + k, X), fg.grad(loss)(W + k, X))
    assert len(calls) == 1


def test_jvp_vjp_hessian_of_jit():
    f = lambda x: np.sum(np.sin(x) * x ** 2)  # noqa: E731
    jf = fg.jit(f)
    x, t = np.linspace(-1, 1, 4), np.arange(4.0)
    for got, want in [(fg.jvp(jf, (x,), (t,)), fg.jvp(f, (x,), (t,))),
                      (fg.vjp(jf, x)[1](1.0), fg.vjp(f, x)[1](1.0)),
                      (fg.hessian(jf)(x), fg.hessian(f)(x)),
                      (fg.jit(fg.hessian(f))(x), fg.hessian(f)(x)),
                      (fg.jit(lambda x: fg.jvp(f, (x,), (t,)))(x), fg.jvp(f, (x,), (t,)))]:
        for a, b in zip(fg.tree_util.tree_leaves(got), fg.tree_util.tree_leaves(want)):
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_jit_inside_jit():
    inner = fg.jit(lambda x: np.exp(x) + 1)
    outer = fg.jit(lambda x: inner(x) * inner(2 * x))
    x = np.linspace(0, 1, 3)
    np.testing.assert_allclose(outer(x), (np.exp(x) + 1) * (np.exp(2 * x) + 1))


def test_closure_over_an_outer_tracer_no_perturbation_confusion():
    # d/dy [ y * d/dx (x * y) ] at x = 1 = d/dy y**2 = 2y ; a jit in the middle.
    def f(y):
        inner = fg.jit(lambda x: x * y)
        return y * fg.grad(inner)(1.0)
    assert np.isclose(fg.grad(f)(3.0), 6.0)
    assert np.isclose(fg.jit(fg.grad(f))(3.0), 6.0)

    def g(y):  # jit closes over y being differentiated: y is an input, not a constant
        return fg.jit(lambda x: np.sin(x * y))(2.0)
    assert np.isclose(fg.grad(g)(0.3), 2 * np.cos(0.6))
    assert np.isclose(fg.jvp(g, (0.3,), (1.0,))[1], 2 * np.cos(0.6))


def test_custom_vjp_and_checkpoint_under_jit():
    @fg.custom_vjp
    def clip_grad(x):
        return x

    clip_grad.defvjp(lambda x: (x, None), lambda _, g: (np.clip(g, -1, 1),))
    f = lambda x: np.sum(clip_grad(x) * 5.0)  # noqa: E731
    np.testing.assert_allclose(fg.jit(fg.grad(f))(np.ones(2)), [1.0, 1.0])
    h = lambda x: np.sum(fg.checkpoint(np.sin)(x) ** 2)  # noqa: E731
    np.testing.assert_allclose(fg.jit(fg.grad(h))(np.ones(2)), fg.grad(h)(np.ones(2)))


def test_grad_of_jit_is_one_staged_primitive_whose_vjp_is_jitted():
    jf = fg.jit(lambda x: np.sum(np.sin(x) ** 2))
    names = [e.prim.name for e in fg.make_jaxpr(fg.grad(jf))(np.ones(3)).eqns]
    assert names[0] == "pjit" and "pjit" not in names[1:]  # the backward is inlined
    x = np.linspace(0, 1, 3)
    np.testing.assert_allclose(fg.grad(jf)(x), np.sin(2 * x))
    entry, = jf._cache.values()
    vjp_fn = entry.program.derived["vjp"]
    before = vjp_fn._traces
    for k in range(1, 4):  # the VJP program is replayed, not traced again
        np.testing.assert_allclose(fg.grad(jf)(x + k), np.sin(2 * (x + k)))
    assert vjp_fn._traces == before
    np.testing.assert_allclose(fg.hessian(jf)(x), np.diag(2 * np.cos(2 * x)), atol=1e-12)
    np.testing.assert_allclose(fg.jvp(jf, (x,), (np.ones(3),))[1], np.sum(np.sin(2 * x)))


def test_integer_inputs_and_outputs_of_a_jitted_function_under_grad():
    jf = fg.jit(lambda x, n: (x * n, n + 1))
    assert fg.grad(lambda x: jf(x, 3)[0])(2.0) == 3.0
    assert fg.jvp(lambda x: jf(x, 3)[0], (2.0,), (1.0,))[1] == 3.0


def test_numpy_comparisons_and_predicates_are_staged():
    """Non-differentiable ufuncs called through NumPy (``np.greater``,
    ``np.isnan``) on staged values are staged, as the operators are; the
    extremum rules use them (``maximum``'s VJP under ``jit(grad)``)."""
    x = np.array([1.0, -1.0, np.nan, 0.0])
    for f in (lambda v: np.greater(v, 0), lambda v: np.isnan(v), lambda v: np.equal(v, 0),
              lambda v: np.logical_not(v > 0)):
        np.testing.assert_array_equal(fg.jit(f)(x), f(x))
    g = fg.grad(lambda v: np.sum(np.maximum(v, 0) * v))
    y = np.array([1.5, -1.0, 2.0])
    np.testing.assert_array_equal(fg.jit(g)(y), g(y))
