"""``torch.autograd.Function``: operations with hand-written backward.

>>> import funcgrad.torch as torch
>>> class Exp(torch.autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         y = x.exp()
...         ctx.save_for_backward(y)
...         return y
...     @staticmethod
...     def backward(ctx, g):
...         y, = ctx.saved_tensors
...         return g * y
>>> x = torch.zeros(2, requires_grad=True)
>>> y = Exp.apply(x); y
tensor([1., 1.], grad_fn=<ExpBackward>)
>>> y.sum().backward(); x.grad
tensor([1., 1.])
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Iterator, Optional

import numpy as np

from ..._core.primitive import Box
from ..._core.trace import SECOND_BACKWARD, Node
from .. import _graph
from .._grad_mode import _GRAD_ENABLED, no_grad
from .._graph import _BACKWARD, _FnItemNode, _SavedInfo, _as_tensor
from .._tensor import Tensor, _conj_value

__all__ = ["Function", "FunctionCtx", "once_differentiable", "NestedIOFunction"]


class FunctionCtx:
    """The ``ctx`` passed to ``forward`` and ``backward``: ``save_for_backward``
    / ``saved_tensors``, ``needs_input_grad``, ``mark_dirty``,
    ``mark_non_differentiable``, ``set_materialize_grads``, and any
    attribute you set on it (see the module example).

    >>> ctx = FunctionCtx(); ctx.k = 3; ctx.saved_tensors
    ()
    """

    def __init__(self) -> None:
        self.needs_input_grad: tuple = ()
        self.materialize_grads = True
        self._saved: Optional[tuple] = None
        self._saved_info: list = []
        self._freed = False
        self._dirty: tuple = ()
        self._non_differentiable: tuple = ()
        self.to_save: tuple = ()

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep tensors for backward; read them back with ``saved_tensors``
        (which checks that they were not modified in place)."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{tensors.index(t)} is of type {type(t).__name__}")
        self._saved = tuple(tensors)
        self._saved_info = [_SavedInfo(t) if t is not None else None for t in tensors]

    save_for_forward = save_for_backward

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(SECOND_BACKWARD)
        if self._saved is None:
            return ()
        for info in self._saved_info:
            if info is not None:
                info.check()
        return self._saved

    def mark_dirty(self, *tensors: Any) -> None:
        """Declare inputs that ``forward`` modified in place."""
        self._dirty = tuple(tensors)

    def mark_non_differentiable(self, *tensors: Any) -> None:
        """Declare outputs that carry no gradient."""
        self._non_differentiable = tuple(tensors)

    def set_materialize_grads(self, value: bool) -> None:
        """With ``False``, missing output gradients reach ``backward`` as
        ``None`` instead of zeros."""
        self.materialize_grads = bool(value)


class _FunctionNode(_graph.BackwardNode):
    """The ``grad_fn`` of a custom Function's outputs."""

    __slots__ = ("ctx", "fn_cls", "out_meta", "input_meta")

    # Its own contributions() always: ctx.saved_tensors checks the versions.
    checked_contributions = Node.checked_contributions

    @property
    def next_functions(self) -> tuple:
        by_arg = dict(self.parents)
        return tuple((by_arg.get(i), 0) for i in self.nargs or ())

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<funcgrad.torch.autograd.function.{type(self).__name__} object at {hex(id(self))}>"

    def contributions(self, g: Any) -> Iterator[tuple[Node, Any]]:
        ctx = self.ctx
        if ctx is None or ctx._freed:
            raise RuntimeError(SECOND_BACKWARD)
        create_graph = _BACKWARD.get()[0]
        multi = isinstance(g, tuple)
        gs = list(g) if multi else [g]
        grads_in = []
        for gi, (shape, dt) in zip(gs, self.out_meta):
            if gi is None:
                grads_in.append(Tensor._wrap(np.zeros(shape, dt), None)
                                if ctx.materialize_grads else None)
                continue
            t = _as_tensor(gi)
            if dt.kind == "c":
                t = _conj_value(t) if create_graph else Tensor._wrap(_conj_value(t._value), None)
            grads_in.append(t)
        token = _GRAD_ENABLED.set(create_graph)
        try:
            result = self.fn_cls.backward(ctx, *grads_in)
        finally:
            _GRAD_ENABLED.reset(token)
        if not isinstance(result, tuple):
            result = (result,)
        n = len(self.nargs or ())
        if len(result) != n:
            if len(result) > n and all(r is None for r in result[n:]):
                result = result[:n]
            else:
                raise RuntimeError(
                    f"function {self.name()} returned an incorrect number of gradients "
                    f"(expected {n}, got {len(result)})")
        from ..._core import ops
        for i, parent in self.parents:
            r = result[i]
            if r is None:
                continue
            shape, dt = self.input_meta[i]
            r_shape = tuple(np.shape(r._value if isinstance(r, Tensor) else r))
            if r_shape != tuple(shape):
                try:
                    # the input's shape must expand to the gradient's (then summed)
                    ok = np.broadcast_shapes(r_shape, shape) == r_shape
                except ValueError:
                    ok = False
                if not ok:
                    raise RuntimeError(
                        f"Function {self.name()} returned an invalid gradient at index {i} - got "
                        f"{list(r_shape)} but expected shape compatible with {list(shape)}")
            if not create_graph:
                r = r._value if isinstance(r, Box) else np.asarray(r)
            if dt.kind == "c":
                r = _conj_value(r)
            anomaly = _graph._ANOMALY.get()
            if anomaly is not None and anomaly[0] and _graph._has_nan(r):
                _graph._warn_anomaly(self)
                raise RuntimeError(
                    f"Function '{self.name()}' returned nan values in its {i}th output.")
            yield parent, ops.fit(r, _Meta(shape, dt))

    def release(self) -> None:
        if self.ctx is not None:
            self.ctx._freed = True
            self.ctx._saved = None

    def __init__(self, *a: Any, **k: Any) -> None:
        _graph.BackwardNode.__init__(self, *a, **k)
        self.ctx = None


class _Meta:
    __slots__ = ("shape", "dtype")

    def __init__(self, shape: tuple, dtype: Any) -> None:
        self.shape = tuple(shape)
        self.dtype = dtype


_FN_NODE_CLASSES: dict = {}


def _node_class(cls: type) -> type:
    k = _FN_NODE_CLASSES.get(cls)
    if k is None:
        k = type(cls.__name__ + "Backward", (_FunctionNode,), {"__slots__": ()})
        k.__module__ = "funcgrad.torch.autograd.function"
        _FN_NODE_CLASSES[cls] = k
    return k


class _FunctionMeta(type):
    pass


class Function(metaclass=_FunctionMeta):
    """Base class of custom differentiable operations: define static
    ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)`` (one
    gradient per ``forward`` argument, ``None`` for non-tensors), call
    ``MyFunction.apply(*args)``. A ``setup_context(ctx, inputs, output)``
    with a ``forward`` without ``ctx`` works too (PyTorch 2 style).
    Inside ``funcgrad.grad`` & co., ``apply`` becomes a
    ``funcgrad.custom_vjp``, so ``backward`` is used there as well.

    >>> import funcgrad.torch as torch
    >>> class Double(torch.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         return x * 2
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         return g * 2
    >>> x = torch.ones(1, requires_grad=True)
    >>> Double.apply(x).sum().backward(); x.grad
    tensor([2.])
    """

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode "
                                  "AD.")

    vjp = backward

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> None:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        if any(isinstance(a, Box) and not isinstance(a, Tensor) for a in args):
            return _apply_traced(cls, args, kwargs)
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        outputs = _run_forward(cls, ctx, args, kwargs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        record = _GRAD_ENABLED.get() and any(ctx.needs_input_grad)
        if not record:
            return outputs
        parents = [(i, a._node) for i, a in enumerate(args)
                   if isinstance(a, Tensor) and a._node is not None]
        node = _node_class(cls)(None, (), {}, None, parents)
        node.ctx = ctx
        node.fn_cls = cls
        node.nargs = tuple(range(len(args)))
        node.input_meta = [(tuple(a._value.shape), a._value.dtype) if isinstance(a, Tensor)
                           else ((), np.dtype(np.float64)) for a in args]
        tensor_outs = [o for o in outs if isinstance(o, Tensor)]
        node.out_meta = [(tuple(o._value.shape), o._value.dtype) for o in tensor_outs]
        if _graph._ANOMALY.get() is not None:
            node.stack = _graph._user_stack()
        n = len(tensor_outs)
        nondiff = {id(t) for t in ctx._non_differentiable}
        dirty = {id(t) for t in ctx._dirty}
        result = []
        k = 0
        for o in outs:
            if not isinstance(o, Tensor):
                result.append(o)
                continue
            out_node = node if n == 1 else _FnItemNode(node, k, n)
            k += 1
            if id(o) in nondiff or o._value.dtype.kind not in "fc":
                r = Tensor._wrap(_graph.own_array(o), None, o._version_counter)
            elif id(o) in dirty:
                if o._node is not None and o._node.is_leaf:
                    raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                       "in-place operation.")
                o._node = out_node
                r = o
            elif any(o is a for a in args):
                r = Tensor._wrap(_graph.own_array(o), out_node, o._version_counter)
            else:
                o._node = out_node
                r = o
            result.append(r)
        return result[0] if single else tuple(result)


def _run_forward(cls: type, ctx: Any, args: tuple, kwargs: dict) -> Any:
    """``cls.forward`` without grad mode: ``forward(ctx, *args)``, or, for a
    Function that overrides ``setup_context``, ``forward(*args)`` followed by
    ``setup_context(ctx, args, output)``."""
    with no_grad():
        if cls.setup_context is not Function.setup_context:
            outputs = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, outputs)
            return outputs
        return cls.forward(ctx, *args, **kwargs)


def _apply_traced(cls: type, args: tuple, kwargs: dict) -> Any:
    """``Function.apply`` inside a functional transform (``funcgrad.grad`` of
    facade code): the Function becomes a ``funcgrad.custom_vjp``, so its
    hand-written ``backward`` is used there too."""
    from ...transforms import custom_vjp
    diff = [i for i, a in enumerate(args) if isinstance(a, Box)]
    nondiff = tuple(i for i in range(len(args)) if i not in diff)

    def fun(*xs: Any) -> Any:  # only reached without traced inputs
        return cls.apply(*xs, **kwargs)

    def fwd(*xs: Any) -> tuple:
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(i in diff for i in range(len(xs)))
        out = _run_forward(cls, ctx, xs, kwargs)
        return out, ctx

    def bwd(*rest: Any) -> tuple:
        ctx, g = rest[-2], rest[-1]
        gs = g if isinstance(g, tuple) else (g,)
        gs = tuple(_conj_value(_as_tensor(x)) if _is_complex(x) else _as_tensor(x) for x in gs)
        res = cls.backward(ctx, *gs)
        res = res if isinstance(res, tuple) else (res,)
        if len(res) < len(args):
            raise RuntimeError(
                f"function {cls.__name__}Backward returned an incorrect number of gradients "
                f"(expected {len(args)}, got {len(res)})")
        out = []
        for i in diff:
            r = res[i]
            out.append(_conj_value(r) if r is not None and _is_complex(r) else r)
        return tuple(out)

    wrapped = custom_vjp(fun, nondiff_argnums=nondiff)
    wrapped.defvjp(fwd, bwd)
    return wrapped(*args)


def _is_complex(x: Any) -> bool:
    d = getattr(x, "dtype", None)
    return d is not None and np.dtype(d).kind == "c"


class NestedIOFunction(Function):
    """Kept for API compatibility; use :class:`Function`.

    >>> issubclass(NestedIOFunction, Function)
    True
    """


def once_differentiable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a ``backward`` that cannot itself be differentiated: it runs
    under ``no_grad`` and its results carry no graph.

    >>> import funcgrad.torch as torch
    >>> class Square(torch.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     @once_differentiable
    ...     def backward(ctx, g):
    ...         x, = ctx.saved_tensors
    ...         return 2 * x * g
    >>> x = torch.tensor(3.0, requires_grad=True)
    >>> g, = torch.autograd.grad(Square.apply(x), x, create_graph=True); g.requires_grad
    False
    """

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with no_grad():
            out = fn(ctx, *args)
        return out
    return wrapper
