"""How the facade records: the fast paths of ``EagerTrace.process`` and
``run_backward`` must keep PyTorch's semantics (node fields, saved values,
versions, memory, gradient ownership)."""
from __future__ import annotations

import contextlib
from typing import Iterator

import numpy as np
import pytest

import funcgrad.torch as torch
from funcgrad._core.trace import Meta, Node
from funcgrad.torch import _graph


def test_recorded_nodes_have_every_engine_field():
    # process builds nodes without their constructors: every slot the
    # engine's Node declares must be set (a new engine field would be missing).
    x = torch.ones(3, requires_grad=True)
    node = (x * 2).grad_fn
    for slot in Node.__slots__:
        if slot != "__weakref__":
            getattr(node, slot)
            getattr(x._node, slot)  # and AccumulateGrad has them too
    assert x._node.number > node.number and x._node.parents == []  # (numbers count down)
    assert node.params == {} and node.hooks is None
    assert type(node).__name__ == "MulBackward0"
    assert (x * 3).grad_fn.number < node.number  # the engine's creation order
    # and the fast path is the one in use: a change to the engine's Node must
    # update _graph._NODE_SLOTS and the field list in EagerTrace.process
    assert _graph._INLINE_NODE, "engine Node changed: update EagerTrace.process"


def test_unread_residuals_are_dropped_and_next_functions_kept():
    x = torch.ones(1000, dtype=torch.float64, requires_grad=True)
    y = torch.sin(x)            # sin's rule reads x, not its result
    z = y * 1.5                 # the rule for y reads 1.5 only
    assert y.grad_fn.out is None and y.grad_fn.args[0] is x._value
    assert isinstance(z.grad_fn.args[0], Meta) and z.grad_fn.out is None
    assert z.grad_fn.next_functions == ((y.grad_fn, 0), (None, 0))
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * np.cos(1.0))
    # small values are kept (the Meta would cost as much)
    a = torch.ones(3, requires_grad=True)
    b = torch.sin(a) * 2.0
    assert not isinstance(b.grad_fn.args[0], Meta)


def test_create_graph_through_pruned_nodes():
    x = torch.full((600,), 0.3, dtype=torch.float64, requires_grad=True)
    y = torch.sin(x) * 2.0 + x * x
    g, = torch.autograd.grad(y.sum(), x, create_graph=True)
    gg, = torch.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(g.detach().numpy(), 2 * np.cos(0.3) + 2 * 0.3)
    np.testing.assert_allclose(gg.numpy(), -2 * np.sin(0.3) + 2)


def test_zero_dim_values_saved_as_scalars_keep_inplace_semantics():
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    y = x * 1.0
    z = torch.sin(y)            # saves y's value (a NumPy scalar)
    with torch.no_grad():
        pass
    y.mul_(3)                   # modifies y in place: sin's saved input is stale
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()
    # an op recorded from y, then y modified: the node keeps the old value
    x2 = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    y2 = x2 * 1.0
    w = y2 * y2
    g, = torch.autograd.grad(w, x2, create_graph=True)
    assert float(g) == pytest.approx(1.0)


def test_inplace_on_zero_dim_input_under_create_graph():
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    y = x * 1.0
    y.exp_()                    # exp's node saved the old y (now overwritten)
    g, = torch.autograd.grad(y, x, create_graph=True)
    assert float(g) == pytest.approx(np.exp(0.5))
    gg, = torch.autograd.grad(g, x)
    assert float(gg) == pytest.approx(np.exp(0.5))


def test_leaf_grad_takes_fresh_arrays_only():
    x = torch.ones(4, requires_grad=True)
    y = torch.ones(4, requires_grad=True)
    (x + y).sum().backward()    # one cotangent for both leaves: no sharing
    assert not np.shares_memory(x.grad.numpy(), y.grad.numpy())
    x.grad.zero_()
    assert float(y.grad.sum()) == 4.0

    w = torch.ones(2, 3, requires_grad=True)
    (w * torch.ones(3)).sum().backward()
    assert w.grad.numpy().flags.writeable
    w.grad.add_(1)              # .grad is writeable and owned
    assert float(w.grad.sum()) == 12.0

    v = torch.ones(3, requires_grad=True)
    seed = torch.tensor([1.0, 2.0, 3.0])
    v.backward(seed)            # the caller's gradient is copied
    assert not np.shares_memory(v.grad.numpy(), seed.numpy())

    kept = []
    u = torch.ones(3, requires_grad=True)
    u.register_hook(lambda g: kept.append(g))
    (u * 2).sum().backward()    # a hook holds the gradient: copied
    assert not np.shares_memory(u.grad.numpy(), kept[0].numpy())


def test_relu_rule_matches_where_bit_for_bit():
    x = torch.tensor([-1.0, 0.0, 2.0, 3.0, 4.0, -2.0], requires_grad=True)
    g = torch.tensor([5.0, -1.0, -0.0, float("nan"), float("inf"), float("-inf")])
    torch.relu(x).backward(g)
    want = np.where(np.array([-1.0, 0.0, 2.0, 3.0, 4.0, -2.0]) > 0, g.numpy(), 0)
    assert want.dtype == np.float32
    assert x.grad.numpy().view(np.int32).tolist() == want.view(np.int32).tolist()


def test_facade_op_inside_a_transform_keeps_its_name():
    import funcgrad
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    g = funcgrad.grad(lambda w: (torch.sin(w) * 2.0).sum())(w)
    np.testing.assert_allclose(g.detach().numpy(), 2 * np.cos([1.0, 2.0]), rtol=1e-6)
    assert g.grad_fn is not None   # recorded on the eager graph (w requires grad)


def test_plan_cache_distinguishes_masks():
    a = torch.ones(3, requires_grad=True)
    b = torch.ones(3)
    n1 = (a * b).grad_fn
    n2 = (b * a).grad_fn
    c = torch.ones(3, requires_grad=True)
    n3 = (a * c).grad_fn
    # x * c saves c (for x's gradient) but checks x only if c requires grad
    assert [t is b for t in _checked(n1)] == [True]
    assert [t is b for t in _checked(n2)] == [True]
    assert sorted(id(t) for t in _checked(n3)) == sorted([id(a), id(c)])
    assert _graph._PRIM_INFO  # the cache is in use


def _checked(node):
    """The tensors whose versions ``node`` checks at backward."""
    saved = node.saved_info
    if type(saved) is tuple:  # positions of tensors saved at version 0
        return [node.tensor_args[j] for j in saved]
    return [t for _, _, t in saved]


def test_saved_versions_are_positions_while_at_version_0():
    x = torch.ones(3, requires_grad=True)
    y = torch.sin(x)
    assert y.grad_fn.saved_info == (0,) and x._vc is None  # no counter made
    x.detach()  # an alias: x now has a counter (at version 0)
    z = torch.sin(x)
    assert z.grad_fn.saved_info == (0,) and x._vc is not None  # still version 0
    with torch.no_grad():
        x.mul_(2)
    w = torch.sin(x)  # saved at version 1: a record of the version
    assert [(v, t is x) for _, v, t in w.grad_fn.saved_info] == [(1, True)]
    for out in (y, z):  # positions see the modification through the counter
        with pytest.raises(RuntimeError, match="is at version 1; expected version 0"):
            out.sum().backward()
    w.sum().backward(retain_graph=True)  # unmodified since saved
    with torch.no_grad():
        x.mul_(2)
    with pytest.raises(RuntimeError, match="is at version 2; expected version 1"):
        w.sum().backward()


def test_nodes_take_their_kind_as_class_when_seen():
    x = torch.ones(2, requires_grad=True)
    y = torch.sin(x) * 2.0
    inner = y._node.parents[0][1]
    # recorded as one class (monomorphic for the engine) until user code sees them
    assert type(y._node) is _graph.BackwardNode and type(inner) is _graph.BackwardNode
    assert inner.name() == "SinBackward0" and repr(inner).startswith("<SinBackward0 object")
    assert "grad_fn=<MulBackward0>" in repr(y)
    fn = y.grad_fn
    assert type(fn).__name__ == "MulBackward0" and fn is y.grad_fn
    assert type(fn.next_functions[0][0]).__name__ == "SinBackward0"
    assert isinstance(fn, torch.autograd.graph.Node)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.cos(np.ones(2)), rtol=1e-6)


def test_tensor_op_tensor_fast_path_matches_the_general_path():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 5.0], requires_grad=True)
    for y, name, ga, gb in ((a * b, "MulBackward0", [3.0, 5.0], [1.0, 2.0]),
                            (a + b, "AddBackward0", [1.0, 1.0], [1.0, 1.0]),
                            (a - b, "SubBackward0", [1.0, 1.0], [-1.0, -1.0]),
                            (a / b, "DivBackward0", [1 / 3, 1 / 5], [-1 / 9, -2 / 25])):
        assert y.grad_fn.name() == name
        assert [f[0] for f in y.grad_fn.next_functions] == [a.grad_fn or a._node, b._node]
        ga_, gb_ = torch.autograd.grad(y.sum(), (a, b))
        np.testing.assert_allclose(ga_.numpy(), ga, rtol=1e-6)
        np.testing.assert_allclose(gb_.numpy(), gb, rtol=1e-6)
    i = torch.tensor([7, 2])
    assert (i / i).dtype == torch.float32 and (i - i).dtype == torch.int64  # promotion kept


def test_eager_ops_ignore_floating_point_errors_and_leave_numpy_state_alone():
    import threading
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            x = torch.tensor([1.0, 0.0], dtype=torch.float64, requires_grad=True)
            y = torch.log(x) + x / x      # -inf + 0 / 0: nan, without a warning or an error
            assert np.isnan(y.detach().numpy()[1])
            y.sum().backward()
            assert np.geterr()["divide"] == "raise"  # the caller's error state is unchanged
            with pytest.raises(FloatingPointError):
                np.log(np.zeros(1))
    errors = []

    def worker() -> None:
        try:
            for _ in range(300):
                t = torch.tensor(0.0, requires_grad=True)
                (torch.exp(t * 1e4) / t).backward()
        except Exception as e:  # pragma: no cover - the failure being tested for
            errors.append(e)
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []


@contextlib.contextmanager
def _shared_quiet_context_held() -> Iterator[None]:
    """Another thread holds the facade's shared quiet context meanwhile."""
    import threading
    from funcgrad.torch import _graph
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        inside.set()
        release.wait(10)
    holder = threading.Thread(target=lambda: _graph._SHARED_QUIET.run(hold))
    holder.start()
    try:
        assert inside.wait(10)
        yield
    finally:
        release.set()
        holder.join()


def test_ops_stay_quiet_while_another_thread_holds_the_shared_context():
    """Operations run in one shared quiet context; one that finds it in use
    (here held by another thread) runs in its thread's own, still quiet."""
    import warnings
    with _shared_quiet_context_held(), warnings.catch_warnings():
        warnings.simplefilter("error")
        x = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True)
        y = torch.log(x)  # divide by zero: -inf, no warning
        assert y.grad_fn.name() == "LogBackward0"
        y.sum().backward()
    assert x.grad.numpy()[0] == np.inf and x.grad.numpy()[1] == 1.0


def test_a_create_graph_pass_runs_its_operations_without_the_quiet_context(monkeypatch):
    """The operations a ``create_graph`` pass records run their
    implementations directly (the pass made NumPy quiet already); others
    take the quiet context, also while a pass or a node hook keeps
    ``_SPECIAL`` non-empty. Here another thread holds the shared context, so
    each operation that asks for it falls back to ``_run_quietly``."""
    import warnings
    from funcgrad.torch import _graph
    calls = []
    fallback = _graph._run_quietly
    monkeypatch.setattr(_graph, "_run_quietly",
                        lambda fn, *a, **k: calls.append(fn) or fallback(fn, *a, **k))
    with _shared_quiet_context_held(), warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        x = torch.tensor([0.0, 2.0], dtype=torch.float64, requires_grad=True)
        s = torch.log(x).sum()  # divide by zero: -inf, quietly
        assert len(calls) == 2
        g, = torch.autograd.grad(s, x, create_graph=True)  # 1 / x: inf, quietly
        assert len(calls) == 2 and g.grad_fn is not None
        assert g.detach().numpy().tolist() == [np.inf, 0.5]
        monkeypatch.setattr(_graph, "_SPECIAL", {"a marker"})
        z = torch.log(x)  # outside a pass, with _SPECIAL not empty
        assert len(calls) == 3 and z.detach().numpy()[0] == -np.inf


def test_a_runtime_error_of_an_implementation_reaches_the_caller_unchained():
    from funcgrad._core.primitive import Primitive
    from funcgrad.torch._graph import EAGER
    calls = []

    def impl(x):
        calls.append(1)
        raise RuntimeError("impl failed")
    prim = Primitive("failing", impl)
    with pytest.raises(RuntimeError, match="impl failed") as info:
        EAGER.process(prim, (torch.ones(2, requires_grad=True),), {})
    assert info.value.__context__ is None and info.value.__cause__ is None
    assert len(calls) == 2  # the shared context, then the thread's own


def test_bias_broadcast_fast_path_matches_the_general_path():
    h = torch.ones(4, 3, dtype=torch.float64, requires_grad=True)
    b = torch.nn.Parameter(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64))
    y = h * 2.0 + b
    assert y.grad_fn.name() == "AddBackward0" and y.shape == (4, 3)
    (y * b).sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), 4 * 2.0 * np.ones(3) + 8 * np.array([1, 2, 3]))
    np.testing.assert_allclose(h.grad.numpy(), 2.0 * np.tile([1.0, 2.0, 3.0], (4, 1)))
    with pytest.raises(RuntimeError, match="must match the size"):
        h + torch.ones(2, dtype=torch.float64)   # does not broadcast: the general path's error


def test_nodes_keep_input_tensors_only_when_needed():
    import weakref
    x = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    h = torch.sin(x)             # sin saves x: its version is checked
    assert h.grad_fn.tensor_args == (x,)
    y = h * 3.0                  # reads only 3.0: h need not be kept
    assert y.grad_fn.tensor_args is None
    assert y.grad_fn.next_functions == ((h.grad_fn, 0), (None, 0))
    gone = weakref.ref(h)
    del h
    assert gone() is None        # freed with the user's last reference
    c = torch.tensor([2.0, 4.0], dtype=torch.float64)
    assert (x * c).grad_fn.tensor_args[1] is c  # a constant tensor is kept
    # create_graph rebuilds what it needs from the saved values and parents
    z = torch.tanh(x) * x.exp()
    g, = torch.autograd.grad(z.sum(), x, create_graph=True)
    g2, = torch.autograd.grad(g.sum(), x)
    t, e = np.tanh([0.5, 1.5]), np.exp([0.5, 1.5])
    d1 = 1 - t ** 2
    want = (-2 * t * d1) * e + 2 * d1 * e + t * e
    np.testing.assert_allclose(g2.numpy(), want, rtol=1e-12)


@pytest.mark.parametrize("shape", [(), (3,)])
def test_lead_path_records_what_the_general_path_records(shape):
    """``EagerTrace.process(..., lead=True)`` (unary ops, tensor op number)
    skips the unboxing loop; the node, its saved values and the result must
    be those of the loop."""
    from funcgrad import numpy as fnp
    for prim, extra in ((fnp.sin, ()), (fnp.multiply, (1.5,)), (fnp.tanh, ())):
        results = []
        for lead in (1, 0):
            x = torch.tensor(np.linspace(0.2, 0.7, 3).reshape(shape) if shape else 0.3,
                             dtype=torch.float64, requires_grad=True)
            h = x * 2.0  # an interior node as the parent, and a constant input
            c = torch.tensor(np.full(shape, 0.5))
            for t in (h, c):
                y = _graph.EAGER.process(prim, (t, *extra), {}, None, lead)
                node = y._node
                results.append((
                    np.asarray(y._value).tolist(), type(y._value),
                    None if node is None else (
                        [type(v).__name__ for v in node.args], node.parents[0][0],
                        node.parents[0][1] is h._node, _versions(node.saved_info),
                        node.tensor_args is not None, node.nargs, node.out is not None)))
        half = len(results) // 2
        assert results[:half] == results[half:], prim.name


@pytest.mark.parametrize("shape", [(), (3,)])
def test_two_tensor_lead_path_records_what_the_general_path_records(shape):
    """``lead=2`` (``tensor op tensor``, ``matmul``) unboxes both tensors
    without the loop: node, saved values and result as the loop's, for
    every mix of tensors with and without a node."""
    from funcgrad import numpy as fnp
    prims = [fnp.multiply, fnp.add, fnp.subtract, fnp.divide] + ([fnp.matmul] if shape else [])
    for prim in prims:
        results = []
        for lead in (2, 0):
            x = torch.tensor(np.linspace(0.2, 0.7, 3).reshape(shape) if shape else 0.3,
                             dtype=torch.float64, requires_grad=True)
            h = x * 2.0
            c = torch.tensor(np.full(shape, 0.5))
            for a, b in ((h, c), (c, h), (h, x), (c, c)):
                y = _graph.EAGER.process(prim, (a, b), {}, None, lead)
                node = y._node
                results.append((
                    np.asarray(y._value).tolist(), type(y._value),
                    None if node is None else (
                        [type(v).__name__ for v in node.args],
                        [(i, p is a._node or p is b._node) for i, p in node.parents],
                        _versions(node.saved_info), node.tensor_args is not None,
                        node.nargs, node.out is not None)))
        half = len(results) // 2
        assert results[:half] == results[half:], prim.name


def _versions(saved):
    """``saved_info`` with version counters replaced by their values."""
    if type(saved) is list:
        return [(c.value, v, t is None) for c, v, t in saved]
    return saved


def test_backward_checks_only_the_nodes_recorded_before_an_in_place_update(monkeypatch):
    """Saved tensors can only have changed if something was updated in place
    after the node was recorded: the backward pass runs the version checks
    (checked_contributions) for those nodes only."""
    from funcgrad.torch import _graph
    checked = []
    original = _graph.BackwardNode.checked_contributions

    def spy(self, g):
        checked.append(self.name())
        return original(self, g)
    monkeypatch.setattr(_graph.BackwardNode, "checked_contributions", spy)
    # (earlier tests may have turned anomaly mode or node hooks on for good)
    monkeypatch.setattr(_graph, "_SPECIAL", set())
    _graph._refresh_checks()
    try:
        a = torch.ones(3, requires_grad=True)
        y = a.exp()
        torch.zeros(2).add_(1)  # an unrelated in-place update
        (y * 2).sum().backward()
        assert checked == ["ExpBackward0"]
        np.testing.assert_allclose(a.grad.numpy(), 2 * np.e * np.ones(3))
        checked.clear()
        (a.exp() * 2).sum().backward()  # recorded after every update: no checks
        assert checked == []
        with pytest.warns(UserWarning, match="Anomaly Detection"):
            anomaly = torch.autograd.detect_anomaly()
        with anomaly:  # every node, while it is on
            (a.exp() * 2).sum().backward()
        assert checked == ["SumBackward0", "MulBackward0", "ExpBackward0"]
    finally:
        monkeypatch.undo()
        _graph._refresh_checks()
