"""Engine properties: deep graphs, memory, threads, no reference cycles."""
from __future__ import annotations

import gc
import sys
import threading
import tracemalloc
import weakref

import numpy as np
import pytest

import funcgrad as fg
import funcgrad.numpy as fnp


def _chain(n):
    def f(x):
        for _ in range(n):
            x = x * 1.0000001
        return x
    return f


def test_million_operation_chain():
    # Iterative backward: no recursion limit, and the answer is exact.
    limit = sys.getrecursionlimit()
    g = fg.grad(_chain(1_000_000))(1.0)
    assert sys.getrecursionlimit() == limit
    np.testing.assert_allclose(g, 1.0000001 ** 1_000_000, rtol=1e-9)


def test_memory_returns_after_gradient():
    x = np.ones(1000)

    def f(x):
        for _ in range(200):
            x = fnp.sin(x)  # sin's rule needs x: every step keeps a residual
        return fnp.sum(x)
    fg.grad(f)(x)  # warm up caches
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(3):
        fg.grad(f)(x)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert current - base < 100_000, f"{current - base} bytes still held"
    assert peak - base > 8 * 1000 * 100  # the graph did hold the activations meanwhile


def test_graph_is_freed_by_reference_counting_alone():
    gc.disable()
    try:
        refs = []

        def f(x):
            y = fnp.exp(x) * x
            refs.append(weakref.ref(y._node))
            return fnp.sum(y)
        fg.grad(f)(np.ones(3))
        assert refs[0]() is None, "graph nodes survived without the garbage collector"
    finally:
        gc.enable()


def test_threads_give_sequential_results():
    xs = [np.linspace(-1, 1, 5) * (k + 1) for k in range(8)]
    f = lambda x: fnp.sum(fnp.sin(x) * fg.grad(lambda y: fnp.sum(fnp.tanh(x * y)))(x))
    expected = [fg.grad(f)(x) for x in xs]
    results = [None] * 8
    barrier = threading.Barrier(8)

    def work(k):
        barrier.wait()
        for _ in range(20):
            results[k] = fg.grad(f)(xs[k])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for got, want in zip(results, expected):
        np.testing.assert_array_equal(got, want)


def test_checkpoint_lowers_peak_memory():
    def block(x):
        for _ in range(20):
            x = fnp.sin(x)
        return x
    ck = fg.checkpoint(block)
    x = np.ones(20_000)

    def peak(f):
        gc.collect()
        tracemalloc.start()
        fg.grad(f)(x)
        p = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return p

    plain = peak(lambda x: fnp.sum(block(block(block(block(x))))))
    checkpointed = peak(lambda x: fnp.sum(ck(ck(ck(ck(x))))))
    assert checkpointed < 0.6 * plain, (checkpointed, plain)


def test_second_order_through_many_nested_levels():
    f = np.exp
    for _ in range(5):
        f = fg.grad(f)
    assert f(0.0) == 1.0


def test_scalar_cotangents_pass_as_is_only_with_the_primal_type():
    """``ops.scalar_types`` lets a 0-d cotangent of its primal's exact NumPy
    scalar type skip ``fit``; any other type is still cast to the primal's."""
    from funcgrad._core.trace import ops
    assert np.float64 in ops.scalar_types and np.float32 in ops.scalar_types
    for t in ops.scalar_types:
        assert np.dtype(t).type is t and t(0).shape == ()
    # float32 input, float64 result (NEP 50): sin's cotangent is a float64
    # scalar, which must come back as a float32 gradient
    g = fg.grad(lambda x: fnp.sin(x) * np.float64(2.0))(np.float32(0.5))
    assert type(g) in (np.float32, np.ndarray) and g.dtype == np.float32
    np.testing.assert_allclose(g, 2 * np.cos(0.5), rtol=1e-6)
    # same type throughout: the value itself, exact
    g64 = fg.grad(lambda x: fnp.sin(x) * 3.0)(np.float64(0.5))
    assert g64.dtype == np.float64 and g64 == 3.0 * np.cos(np.float64(0.5))


def test_grad_frees_each_nodes_saved_values_as_its_sweep_passes_it():
    # sin's node is the only holder of b's value; by the time the sweep reaches
    # the earlier probe node, grad's pass has released it (vjp's pass keeps it).
    from funcgrad._core import Primitive, defvjp
    ref = []
    alive_at_probe = []
    probe = defvjp(Primitive("probe", lambda x: x * 1.0),
                   lambda g, ans, x: (alive_at_probe.append(ref[0]() is not None), g)[1])

    def f(x):
        b = probe(x) * 2.0
        ref[:] = [weakref.ref(b._value)]
        return fnp.sum(fnp.sin(b))

    x = np.linspace(0.0, 1.0, 10)
    g = fg.grad(f)(x)
    np.testing.assert_allclose(g, 2.0 * np.cos(2.0 * x))
    _, pullback = fg.vjp(f, x)
    pullback(np.float64(1.0))
    assert alive_at_probe == [False, True]
