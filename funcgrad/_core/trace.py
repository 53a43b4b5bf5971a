"""Traces, graph nodes, and the hooks the engine borrows from the array layer.

Each transform call opens a :class:`ReverseTrace` with a fresh, higher level
than any trace opened before it. A primitive applied to boxes of several
traces is recorded on the innermost one; boxes of outer traces are constants
there and are recorded by their own traces when the call recurses on the
unboxed values. That ordering is what prevents perturbation confusion in
nested transforms.

The graph holds no reference cycles: a box points to its node, a node to its
parents and its saved values, never back to a box. Memory is returned by
reference counting as soon as the last box of a graph goes away.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable, Iterator, Optional

from .primitive import _NO_PARAMS, Box, Primitive, bind

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved "
    "tensors after they have already been freed). Saved intermediate values of the "
    "graph are freed when you call .backward() or autograd.grad(). Specify "
    "retain_graph=True if you need to backward through the graph a second time or "
    "if you need to access saved tensors after calling backward."
)


class EscapedTracerError(TypeError):
    """A traced value was used after the transform that created it returned."""


class _Ops:
    """Array operations the engine needs, installed by :mod:`funcgrad.numpy`.

    ``add(a, b)``: sum two cotangents; ``fit(ct, primal)``: sum ``ct`` over
    broadcast axes and cast it to ``primal``'s shape and dtype;
    ``zeros_like(x)``: a zero cotangent for ``x``; ``scalar_types``: types
    whose instances all have one dtype and shape (NumPy's numeric scalars),
    so that a cotangent of its primal's type among them fits as it is;
    ``value_boxes``: box types whose ``shape`` and ``dtype`` are computed in
    Python (the torch facade's tensors), so that the engine reads their
    values' instead; ``from_array(a)``: a plain array as a value of those
    types (set by the facade; see :meth:`like`).
    """

    add: Callable[[Any, Any], Any]
    fit: Callable[[Any, Any], Any]
    zeros_like: Callable[[Any], Any]

    def __init__(self) -> None:
        self.scalar_types: frozenset = frozenset()
        self.value_boxes: frozenset = frozenset()
        self.from_array: Optional[Callable[[Any], Any]] = None

    def like(self, value: Any, primal: Any) -> Any:
        """``value`` (a gradient, tangent or mapped output that a transform
        computed as a plain array: the gradient of a constant path, zeros)
        as a value of ``primal``'s kind: a facade tensor for a facade
        tensor's, so a transform returns what it was given."""
        if type(primal) in self.value_boxes and not isinstance(value, Box) \
                and self.from_array is not None:
            return self.from_array(value)
        return value


ops = _Ops()


class Meta:
    """Shape and dtype of a released value: all a shape-only rule needs."""

    __slots__ = ("shape", "dtype")

    def __init__(self, value: Any) -> None:
        self.shape = value.shape
        self.dtype = value.dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)


_node_numbers = itertools.count(0, -1)  # see Node.number


def number_below_all() -> int:
    """A number below every recorded node's (and above every later one's)."""
    return next(_node_numbers)


_new = object.__new__


class Node:
    """One recorded primitive application.

    ``parents`` lists ``(argnum, parent_node)`` for the arguments that were
    boxes of the same trace; ``args``/``out`` are the saved values the VJP
    rules read (arguments no rule reads may be :class:`Meta` stand-ins, and
    ``out`` ``None``); the rules run lazily at backward time. ``number``
    counts down with creation order (0, -1, -2, ...): a node's parents
    always exist before it, so increasing number is a reverse topological
    order (the order in which the backward pass's heap pops nodes).
    """

    __slots__ = ("prim", "args", "params", "out", "parents", "hooks", "number",
                 "__weakref__")
    is_leaf = False

    def __init__(self, prim: Optional[Primitive], args: Any, params: dict, out: Any,
                 parents: list) -> None:
        self.prim = prim
        self.args = args
        self.params = params
        self.out = out
        self.parents = parents
        self.hooks: Optional[list] = None
        self.number = next(_node_numbers)

    def parent_nodes(self) -> Iterator["Node"]:
        for _, p in self.parents:
            yield p

    def contributions(self, g: Any) -> list:
        """``[(parent, cotangent), ...]`` for the parents, given this node's
        total output cotangent ``g``."""
        prim = self.prim
        args = self.args
        if args is None:
            raise RuntimeError(SECOND_BACKWARD)
        rules = prim.vjps
        if rules is None:
            raise TypeError(f"funcgrad has no VJP rule for {prim.name!r}")
        out = self.out
        if prim.multiple_results:
            g = tuple(ops.zeros_like(o) if gi is None else gi for gi, o in zip(g, out))
        fit = ops.fit
        params = self.params if prim.rule_params else _NO_PARAMS
        result = []
        if prim.joint_vjp is not None:
            cts = prim.joint_vjp(g, out, *args, **params)
            for i, parent in self.parents:
                if cts[i] is not None:
                    result.append((parent, fit(cts[i], args[i])))
            return result
        nrules = len(rules)
        scalar_types = ops.scalar_types
        for i, parent in self.parents:
            rule = rules[i] if i < nrules else rules[-1]
            if rule is not None:
                ct = rule(g, out, *args, **params) if params else rule(g, out, *args)
                if ct is not None:
                    a = args[i]
                    t = type(ct)
                    if t in scalar_types and t is type(a):  # a 0-d value: fits as it is
                        result.append((parent, ct))
                        continue
                    c = ct
                    if t in ops.value_boxes:  # (same shape and dtype, read in C)
                        c = ct._value
                        if isinstance(a, Box):
                            a = a._value
                    try:  # fit's first test, inlined: usually nothing to do
                        if c.dtype is a.dtype and c.shape == a.shape:
                            result.append((parent, ct))
                            continue
                    except AttributeError:  # a Python scalar: fit converts it
                        pass
                    result.append((parent, fit(ct, a)))
        return result

    def checked_contributions(self, g: Any) -> Any:
        """:meth:`contributions`, for a node the backward pass was told to
        check (:func:`~funcgrad._core.backward.check_nodes_above`): a
        subclass whose saved values can change after recording checks them
        here first (the facade's nodes)."""
        return self.contributions(g)

    def release(self) -> None:
        """Drop the saved values (facade ``retain_graph=False``)."""
        args = self.args
        if args is None:
            return
        self.out = None
        if self.prim is None or self.prim.saves_values:
            self.args = None
            return
        self.args = tuple([Meta(a) if hasattr(a, "shape") and type(a) is not Meta else a
                           for a in args])

    def __repr__(self) -> str:
        name = self.prim.name if self.prim is not None else "input"
        return f"<Node {name}>"


class LeafNode(Node):
    """The node of an input: where the backward pass delivers gradients."""

    __slots__ = ()
    is_leaf = True

    def __init__(self) -> None:
        Node.__init__(self, None, (), {}, None, [])

    def contributions(self, g: Any) -> Iterator[tuple[Node, Any]]:
        return iter(())

    def release(self) -> None:
        pass


class ItemNode(Node):
    """Element ``index`` of a multiple-result node: passes ``g`` to its parent
    as a tuple that is ``None`` everywhere else."""

    __slots__ = ("index", "count")

    def __init__(self, parent: Node, index: int, count: int) -> None:
        Node.__init__(self, None, (), {}, None, [(0, parent)])
        self.index = index
        self.count = count

    def contributions(self, g: Any) -> Iterator[tuple[Node, Any]]:
        cts: list = [None] * self.count
        cts[self.index] = g
        yield self.parents[0][1], tuple(cts)

    def release(self) -> None:
        pass


_box_types: dict = {}
_default_box_type: list = [Box]


def register_box_type(value_type: Optional[type], box_type: type) -> None:
    """Box values of ``value_type`` (``None``: every other type) as ``box_type``.

    ``box_type`` is a :class:`Box` subclass that adds no state: the hot path
    makes boxes without calling ``__init__``.

    The NumPy layer registers its ``Tracer`` as the default; the torch facade
    registers a tensor-flavoured box so traced tensors keep the Tensor API.
    """
    if value_type is None:
        _default_box_type[0] = box_type
    else:
        _box_types[value_type] = box_type


class Trace:
    """Base of all traces: ``level`` orders them, innermost highest."""

    __slots__ = ("level", "alive", "__weakref__")
    concrete_values = True  # a box's _value is what user code sees (not so under vmap)

    def __init__(self, level: int) -> None:
        self.level = level
        self.alive = True

    def box(self, value: Any, node: Node) -> Box:
        return _box_types.get(type(value), _default_box_type[0])(value, node, self)

    def new_input(self, value: Any) -> Box:
        """Box ``value`` as an input of this trace (a leaf of its graph)."""
        return self.box(value, LeafNode())

    def box_results(self, node: Node, outs: Any) -> tuple:
        n = len(outs)
        return tuple(self.box(o, ItemNode(node, k, n)) for k, o in enumerate(outs))

    def unbox(self, args: Any) -> tuple[list, list]:
        """Split ``args`` into values with this trace's boxes opened, and the
        ``(argnum, node)`` pairs of those boxes."""
        if not self.alive:
            raise _escaped()
        vals = list(args)
        parents = []
        for i, a in enumerate(args):
            if isinstance(a, Box) and a._trace is self:
                vals[i] = a._value
                parents.append((i, a._node))
        return vals, parents

    def process(self, prim: Primitive, args: Any, params: dict) -> Any:
        raise NotImplementedError  # abstract: each trace kind records differently

    def process_nondiff(self, prim: Primitive, args: Any, params: dict) -> Any:
        vals, _ = self.unbox(args)
        return bind(prim, vals, params)


class ReverseTrace(Trace):
    """The trace of one functional transform call (``grad``, ``vjp``, ...)."""

    __slots__ = ()

    def process(self, prim: Primitive, args: Any, params: dict) -> Any:
        if not self.alive:
            raise _escaped()
        # Unbox this trace's boxes (as ``unbox``), noting whether any value is
        # still a box of an outer trace: if none is, call ``impl`` directly.
        vals = list(args)
        parents = []
        mask = 0
        outer = False
        for i, a in enumerate(args):
            if isinstance(a, Box):
                if a._trace is self:
                    parents.append((i, a._node))
                    mask |= 1 << i
                    a = vals[i] = a._value
                    if isinstance(a, Box):
                        outer = True
                else:
                    outer = True
        if outer:
            out = bind(prim, vals, params)
        else:
            out = prim.impl(*vals, **params) if params else prim.impl(*vals)
        if prim.multiple_results:
            return self.box_results(Node(prim, vals, params or _NO_PARAMS, out, parents), out)
        found = prim._residuals.get((mask, len(vals)))  # prim.residuals(), inlined
        keep_ans, unread = found if found is not None else prim.residuals(mask, len(vals))
        for i in unread:  # sizeable arrays no rule reads: keep shape and dtype only
            if getattr(vals[i], "nbytes", 0) >= SMALL_RESIDUAL and \
                    not hasattr(type(vals[i]), "__dask_graph__"):
                vals[i] = Meta(vals[i])  # (a lazy Dask array holds no data: its chunks stay)
        # Node(...) and box(...) without their __init__ frames: the hottest
        # allocation in funcgrad (keep in step with Node.__init__, Box.__init__)
        node = _new(Node)
        node.prim = prim
        node.args = tuple(vals)  # (a tuple of arrays: the collector untracks it)
        node.params = params or _NO_PARAMS
        node.out = out if keep_ans else None
        node.parents = parents
        node.hooks = None
        node.number = next(_node_numbers)
        box = _new(_box_types.get(type(out), _default_box_type[0]))
        box._value = out
        box._node = node
        box._trace = self
        return box


SMALL_RESIDUAL = 4096
"""Residuals smaller than this many bytes are kept even when no rule reads
them: the :class:`Meta` that would replace one costs about as much."""


_levels = itertools.count(1)  # level 0 is reserved for the facade's eager trace


def new_trace() -> ReverseTrace:
    """Open a trace innermost to every trace opened so far (thread-safe)."""
    return ReverseTrace(next(_levels))


def _escaped() -> EscapedTracerError:
    return EscapedTracerError(
        "A traced value was used after the transform that created it had returned "
        "(it escaped, e.g. through a global, a closure or a list). Its gradient "
        "can no longer be recorded. Return the value from the transformed "
        "function instead, or use funcgrad.stop_gradient / a concrete array if "
        "you only need its value."
    )
