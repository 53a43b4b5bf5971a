"""grad of a jitted function: the forward program returns the residuals its
VJP reads, the backward program consumes them (no recomputed forward)."""
import threading

import numpy as np
import pytest

import funcgrad as fg


def mlp(w, x):
    h = np.tanh(x @ w[0])
    return np.sum(np.maximum(h @ w[1], 0.0) ** 2)


def _params():
    rng = np.random.default_rng(0)
    return [rng.standard_normal((5, 4)), rng.standard_normal((4, 3))], rng.standard_normal((6, 5))


def _split(jf):
    (entry,) = jf._cache.values()
    return entry.program.derived["split"]


def test_grad_of_jit_equals_eager_bit_for_bit_and_keeps_residuals():
    w, x = _params()
    jf = fg.jit(mlp)
    for _ in range(3):
        a, b = fg.value_and_grad(jf)(w, x), fg.value_and_grad(mlp)(w, x)
        assert a[0] == b[0]
        assert all(np.array_equal(p, q) for p, q in zip(a[1], b[1]))
    split = _split(jf)
    # the backward part recomputes nothing of the forward: no tanh, no maximum
    assert not {e.prim.name for e in split.backward.eqns} & {"tanh", "maximum"}
    assert {e.prim.name for e in split.forward.eqns} >= {"tanh", "maximum"}
    assert jf._traces == 1


def test_float32_and_several_outputs_and_identity():
    f = lambda x, y: (np.sin(x) * y, np.cos(x).sum(), (x > 0).astype(int))  # noqa: E731
    x = np.linspace(-1, 1, 4).astype(np.float32)
    y = np.float32(2.0)
    jf = fg.jit(f)
    ct = (np.ones(4, np.float32), np.float32(1.0), None)
    p1, v1 = fg.vjp(lambda x, y: f(x, y)[:2], x, y)
    p2, v2 = fg.vjp(lambda x, y: jf(x, y)[:2], x, y)
    for a, b in zip(v1(ct[:2]), v2(ct[:2])):
        assert np.asarray(a).dtype == np.asarray(b).dtype == np.float32
        assert np.array_equal(a, b)
    assert np.array_equal(v2(ct[:2])[0], v1(ct[:2])[0])  # a vjp function runs twice
    assert fg.grad(fg.jit(lambda x: x))(2.0) == 1.0
    assert fg.grad(lambda x: fg.jit(f)(x, 3.0)[1])(np.ones(2)).shape == (2,)


def test_compositions():
    g = lambda x: np.sum(np.sin(x) ** 3)  # noqa: E731
    x = np.arange(3.0)
    jg = fg.jit(g)
    np.testing.assert_allclose(fg.hessian(jg)(x), fg.hessian(g)(x))
    assert fg.grad(fg.grad(fg.jit(lambda x: np.sin(x) * x)))(1.2) == \
        fg.grad(fg.grad(lambda x: np.sin(x) * x))(1.2)
    assert np.array_equal(fg.jit(fg.grad(jg))(x), fg.grad(g)(x))
    assert np.array_equal(fg.vmap(fg.grad(jg))(np.ones((2, 3))), fg.vmap(fg.grad(g))(np.ones((2, 3))))
    f = lambda x, y: (np.sin(x) * y, np.cos(x).sum())  # noqa: E731
    assert np.array_equal(fg.jacobian(fg.jit(f))(x, 2.0)[0], fg.jacobian(f)(x, 2.0)[0])
    _, vf = fg.vjp(fg.jit(f), x, 2.0)
    _, ve = fg.vjp(f, x, 2.0)
    t1 = fg.jvp(lambda c: vf((c, 1.0)), (np.ones(3),), (np.ones(3),))
    t2 = fg.jvp(lambda c: ve((c, 1.0)), (np.ones(3),), (np.ones(3),))
    np.testing.assert_allclose(t1[1][0], t2[1][0])


def test_threads_share_one_split():
    w, x = _params()
    jf = fg.jit(mlp)
    want = fg.grad(mlp)(w, x)
    errors: list = []

    def work(k):
        try:
            for _ in range(5):
                got = fg.grad(jf)([w[0] * (1 + k), w[1]], x)
                ref = fg.grad(mlp)([w[0] * (1 + k), w[1]], x)
                assert all(np.array_equal(p, q) for p, q in zip(got, ref))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(np.array_equal(p, q) for p, q in zip(fg.grad(jf)(w, x), want))
    assert _split(jf) is _split(jf)


def test_released_residuals_raise():
    from funcgrad._jit import _ResidualNode
    jf = fg.jit(lambda x: np.sum(np.sin(x)))
    fg.grad(jf)(np.ones(2))
    node = _ResidualNode(None, (), {}, None, [])
    node.split, node.res, node.in_meta = _split(jf), [], {}
    node.release()
    with pytest.raises(RuntimeError, match="backward"):
        list(node.contributions(1.0))
