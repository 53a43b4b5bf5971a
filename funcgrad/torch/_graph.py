"""The facade's eager trace: a trace at level 0 that never closes.

Every :class:`~funcgrad.torch.Tensor` is a box of the one :data:`EAGER`
trace. A primitive applied to tensors reaches :meth:`EagerTrace.process`
through the engine's ``bind``; it computes the value and records a
:class:`BackwardNode` (the tensor's ``grad_fn``) when grad mode is on and an
input requires grad. Leaves that require grad own an :class:`AccumulateGrad`
node. ``backward()`` and ``autograd.grad`` run the engine's ``backward_pass``
over these nodes (:func:`run_backward`).

Nodes carry PyTorch's names: each node's ``_kind`` is a per-name subclass of
:class:`BackwardNode` (``type(y.grad_fn).__name__ == "AddBackward0"``), picked
from the primitive by :func:`default_name` and overridden by the facade op
that knows the torch-level call (``sum(dim)`` is ``SumBackward1``). Nodes are
recorded as plain ``BackwardNode`` instances and take their kind as their
class only when user code first sees them (:func:`present`: ``grad_fn``,
``next_functions``): the engine's attribute look-ups on nodes then meet one
class instead of a dozen, which CPython's specialising interpreter turns
into direct slot reads (7% of the instructions of a recorded operation).
"""
from __future__ import annotations

import contextvars
import operator
import sys
import threading
import traceback
import weakref
from typing import Any, Callable, Iterator, Optional, Sequence

import numpy as np

from .._core import backward_pass
from .._core.backward import check_nodes_above
from .._core import concrete as _strip
from .._core.primitive import Box, Primitive
from .._core import trace as _trace_module
from .._core.primitive import bind
from .._core.trace import (SECOND_BACKWARD, SMALL_RESIDUAL, ItemNode, LeafNode, Meta, Node,
                            Trace, number_below_all)
from ._grad_mode import _GRAD_ENABLED

__all__ = ["EAGER", "EagerTrace", "BackwardNode", "AccumulateGrad", "VersionCounter",
           "run_backward", "set_name"]


_TENSOR_CLS: Any = None  # funcgrad.torch.Tensor, set by _tensor.py (which imports this module)


class VersionCounter:
    """How many times a tensor's data was modified in place; shared by a
    tensor, its ``detach()``/``.data`` aliases and its views."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    def bump(self) -> None:
        """Count an in-place update (every in-place update goes through
        here): the nodes recorded so far check their saved tensors' versions
        when a backward pass reaches them."""
        global _last_inplace
        self.value += 1
        with _CHECKS_LOCK:
            _last_inplace = number_below_all()
            _refresh_checks()


# --- anomaly mode ---------------------------------------------------------
_ANOMALY: contextvars.ContextVar = contextvars.ContextVar("funcgrad_anomaly", default=None)
# None: off; otherwise a tuple (check_nan,)

# Markers that make the per-node tests read the context variables above: the
# string "anomaly" once anomaly mode was ever turned on (in any thread),
# "post_hooks" once a node hook was registered, and a token per running
# create_graph backward pass. Empty (the common case), no recorded operation
# and no backward node needs to look further. Changed by special_on/off only.
_SPECIAL: set = set()
# Whether _SPECIAL ever held one of the two lasting markers (anomaly mode,
# node hooks): until then, a create_graph pass's nodes and operations need
# not read _ANOMALY nor look for hooks.
_WATCHED = False

# Which nodes a backward pass asks for checked_contributions() (the engine's
# check_nodes_above): those recorded before the last in-place update
# (_last_inplace), or all while _SPECIAL is not empty. Changed under the lock.
_CHECKS_LOCK = threading.Lock()
_last_inplace = 0  # (0: no update yet, no node to check)


def _refresh_checks() -> None:
    check_nodes_above(float("-inf") if _SPECIAL else _last_inplace)


def special_on(marker: Any) -> None:
    """Add ``marker`` to ``_SPECIAL``: every node takes its checked path.
    A string marks a lasting reason ("anomaly", "post_hooks")."""
    global _WATCHED
    with _CHECKS_LOCK:
        _SPECIAL.add(marker)
        if isinstance(marker, str):
            _WATCHED = True
        _refresh_checks()


def special_off(marker: Any) -> None:
    with _CHECKS_LOCK:
        _SPECIAL.discard(marker)
        _refresh_checks()


# --- state of the running backward pass -----------------------------------
# (create_graph, accumulate_into_retained_grads)
_BACKWARD: contextvars.ContextVar = contextvars.ContextVar("funcgrad_backward",
                                                           default=(False, True))

_PRIM_NAMES = {
    "add": "AddBackward0", "subtract": "SubBackward0", "multiply": "MulBackward0",
    "divide": "DivBackward0", "negative": "NegBackward0", "power": "PowBackward0",
    "exp": "ExpBackward0", "log": "LogBackward0", "sqrt": "SqrtBackward0",
    "sin": "SinBackward0", "cos": "CosBackward0", "tan": "TanBackward0",
    "tanh": "TanhBackward0", "_tanh_grad": "TanhBackwardBackward0",
    "_sigmoid_grad": "SigmoidBackwardBackward0", "absolute": "AbsBackward0",
    "square": "PowBackward0",
    "maximum": "MaximumBackward0", "minimum": "MinimumBackward0", "where": "WhereBackward0",
    "sum": "SumBackward0", "reshape": "ViewBackward0", "broadcast_to": "ExpandBackward0",
    "transpose": "PermuteBackward0", "swapaxes": "TransposeBackward0",
    "concatenate": "CatBackward0", "stack": "StackBackward0", "astype": "ToCopyBackward0",
    "getitem": "IndexBackward0", "real": "RealBackward0", "imag": "ImagBackward0",
    "conjugate": "ConjBackward0", "log1p": "Log1PBackward0", "expm1": "Expm1Backward0",
    "reciprocal": "ReciprocalBackward0", "sinh": "SinhBackward0", "cosh": "CoshBackward0",
    "log2": "Log2Backward0", "log10": "Log10Backward0", "clip": "ClampBackward1",
    "cumsum": "CumsumBackward0", "prod": "ProdBackward0", "outer": "MulBackward0",
    "dot": "DotBackward0", "trace": "TraceBackward0", "tril": "TrilBackward0",
    "triu": "TriuBackward0", "flip": "FlipBackward0", "roll": "RollBackward0",
    "repeat": "RepeatInterleaveBackward0", "tile": "RepeatBackward0",
    "pjit": "CompiledFunctionBackward",
}


def default_name(prim: Primitive) -> str:
    """PyTorch's node name for a primitive when the facade does not set one."""
    name = prim.name
    known = _PRIM_NAMES.get(name)
    if known is not None:
        return known
    return "".join(part.capitalize() for part in name.strip("_").split("_")) + "Backward0"


_NODE_CLASSES: dict = {}
_PRIM_CLASS: dict = {}


def node_class(name: str) -> type:
    """The :class:`BackwardNode` subclass named ``name`` (made once)."""
    cls = _NODE_CLASSES.get(name)
    if cls is None:
        cls = type(name, (BackwardNode,), {"__slots__": ()})
        cls.__module__ = "funcgrad.torch.autograd.graph"
        _NODE_CLASSES[name] = cls
    return cls


def _modified_error(shape: tuple, dtype: Any, creator: Optional[str], now: int,
                    expected: int) -> RuntimeError:
    from ._tensor import legacy_type_name
    what = f"[{legacy_type_name(dtype)} [{', '.join(str(s) for s in shape)}]]"
    if creator is not None:
        op = creator
        for suffix in ("Backward0", "Backward1", "Backward2", "Backward"):
            if op.endswith(suffix):
                op = op[: -len(suffix)]
                break
        what += f", which is output 0 of {op},"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {what} is at version {now}; expected version {expected} instead. Hint: "
        "enable anomaly detection to find the operation that failed to compute its gradient, "
        "with torch.autograd.set_detect_anomaly(True, check_nan=False).")


class _SavedInfo:
    """What a ``Function``'s ctx needs to check that a saved tensor was not
    modified (graph nodes keep ``(counter, version, tensor)`` tuples)."""

    __slots__ = ("counter", "version", "shape", "dtype", "creator_ref", "tensor_ref",
                 "is_output")

    def __init__(self, t: Any, is_output: bool = False) -> None:
        self.is_output = is_output
        self.counter = t._version_counter
        self.version = self.counter.value
        self.shape = tuple(t._value.shape)
        self.dtype = t._value.dtype
        node = t._node
        self.creator_ref = weakref.ref(node) if node is not None and not node.is_leaf else None
        self.tensor_ref = weakref.ref(t)

    @property
    def creator(self) -> Optional[str]:
        # PyTorch names the saved tensor's grad_fn as it is now (an in-place
        # operation has rebased it), falling back to the one at save time.
        t = None if self.is_output else self.tensor_ref()
        node = t._node if t is not None else (
            self.creator_ref() if self.creator_ref is not None else None)
        return node.name() if node is not None and not node.is_leaf else None

    def check(self) -> None:
        if self.counter.value != self.version:
            raise _modified_error(self.shape, self.dtype, self.creator, self.counter.value,
                                  self.version)


class _FnMixin:
    """The ``grad_fn`` API shared by every facade node."""

    __slots__ = ()

    def name(self) -> str:
        n = type(self).__name__
        return "torch::autograd::" + n if n in ("CopySlices", "CopyBackwards") else n

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def metadata(self) -> dict:
        return {}

    def register_hook(self, fn: Callable[..., Any]) -> Any:
        """``fn(grad_inputs, grad_outputs)`` runs after this node computed the
        gradients of its inputs; a tuple it returns replaces them."""
        raise NotImplementedError(
            f"register_hook is not supported on {type(self).__name__}; use "
            "Tensor.register_hook on the tensor instead.")

    def register_prehook(self, fn: Callable[..., Any]) -> Any:
        def hook(g: Any) -> Any:
            out = fn((_as_tensor(g),))
            return None if out is None else _as_value(out[0])
        return _add_hook(self, hook)


_node_contributions = Node.contributions
_node_release = Node.release


class BackwardNode(_FnMixin, Node):
    """A recorded facade operation: a ``grad_fn``.

    Besides the engine's saved values it holds:

    - ``tensor_args``: the input tensors, when it needs them (a saved
      tensor's version to check, or a constant tensor for
      ``create_graph=True``, which runs the rules on tensors); otherwise
      ``None``: no rule reads an input tensor's value, and ``create_graph``
      gives the rules the saved values (for their shapes and dtypes), so
      intermediate tensors are freed as soon as the user drops them;
    - ``saved_info``: what tells whether saved tensors were modified in
      place (see :meth:`check_saved`);
    - ``_kind``: its PyTorch class (``MulBackward0``...), taken when user
      code first sees it (:func:`present`);
    - ``nargs``: the positions ``next_functions`` lists, set when recorded.

    Rarely set fields live in the instance ``__dict__`` (their class defaults
    are ``None``): ``stack`` (the forward call's stack under anomaly
    detection) and ``post_hooks`` (:meth:`register_hook`).
    """

    __slots__ = ("tensor_args", "saved_info", "_kind", "nargs", "__dict__")
    stack: Optional[list] = None
    post_hooks: Optional[list] = None

    def __init__(self, prim: Optional[Primitive], args: Any, params: dict, out: Any,
                 parents: list) -> None:
        Node.__init__(self, prim, args, params, out, parents)
        self.tensor_args: Optional[tuple] = None
        self.saved_info: Any = None
        self._kind: type = type(self)
        self.nargs: Optional[tuple] = None

    def name(self) -> str:
        n = self._kind.__name__
        return "torch::autograd::" + n if n in ("CopySlices", "CopyBackwards") else n

    def __repr__(self) -> str:
        return f"<{self._kind.__name__} object at {hex(id(self))}>"

    def register_hook(self, fn: Callable[..., Any]) -> Any:
        """``fn(grad_inputs, grad_outputs)`` runs once this node has computed
        the gradients of its inputs (a tuple aligned with
        ``next_functions``, ``None`` where there is none); a tuple it
        returns replaces them. Returns a handle with ``.remove()``.

        >>> import funcgrad.torch as torch
        >>> x = torch.ones(2, requires_grad=True)
        >>> y = x * 3
        >>> h = y.grad_fn.register_hook(lambda gi, go: (gi[0] * 10, gi[1]))
        >>> y.sum().backward(); x.grad
        tensor([30., 30.])
        """
        if self.post_hooks is None:
            self.post_hooks = []
        self.post_hooks.append(fn)
        special_on("post_hooks")  # from now on, backward nodes look for them
        return _RemovableHandle(self.post_hooks, fn)

    def _run_post_hooks(self, parts: Iterator[tuple[Node, Any]], g: Any) -> list:
        """Apply the ``register_hook`` hooks to this node's contributions."""
        shown = self.next_functions
        by_node: dict = {}
        order = []
        for parent, ct in parts:
            if id(parent) in by_node:
                by_node[id(parent)] = (parent, _add(by_node[id(parent)][1], ct))
            else:
                by_node[id(parent)] = (parent, ct)
                order.append(id(parent))
        grad_inputs = tuple(None if p is None or id(p) not in by_node
                            else _as_tensor(by_node[id(p)][1]) for p, _ in shown)
        grad_outputs = (_as_tensor(g),)
        for hook in list(self.post_hooks or ()):
            new = hook(grad_inputs, grad_outputs)
            if new is not None:
                grad_inputs = tuple(new)
        out = []
        for (p, _), gi in zip(shown, grad_inputs):
            if p is not None and gi is not None and id(p) in by_node:
                out.append((p, _as_value(gi)))
                by_node.pop(id(p))
        return out

    @property
    def next_functions(self) -> tuple:
        """``((parent_node or None, 0), ...)``, one entry per tensor input."""
        by_arg = dict(self.parents)
        shown = self.nargs  # (set when recorded; else the inputs that have nodes)
        if shown is None:
            shown = sorted(by_arg)
        return tuple((present(by_arg.get(i)), 0) for i in shown)

    def check_saved(self) -> None:
        """Raise PyTorch's error if a saved tensor was modified in place.

        ``saved_info`` is ``None`` or empty (nothing to check), a tuple of
        positions in ``tensor_args`` (tensors that had no version counter
        when saved: version 0, the common case, recorded for free), or a
        list of ``(counter, version, tensor)`` records (``tensor`` is
        ``None`` for this node's own saved output)."""
        saved = self.saved_info
        if not saved:
            return
        if type(saved) is tuple:
            targs = self.tensor_args
            saved = [(targs[j]._version_counter, 0, targs[j]) for j in saved]
        for counter, version, t in saved:
            if counter.value == version:
                continue
            if t is None:  # the saved result: named after this node
                out = self.out
                raise _modified_error(tuple(out.shape), out.dtype, self.name(), counter.value,
                                      version)
            # an input: PyTorch names its grad_fn as it is now
            node = t._node
            creator = node.name() if node is not None and not node.is_leaf else None
            raise _modified_error(tuple(t._value.shape), t._value.dtype, creator,
                                  counter.value, version)

    def checked_contributions(self, g: Any) -> Any:
        # The backward pass calls this instead of contributions() for the
        # nodes recorded before the last in-place update, and for every node
        # while _SPECIAL is not empty (_refresh_checks); the others cannot
        # have a modified saved tensor, and need nothing special.
        saved = self.saved_info
        if saved:  # check_saved(), its tests inlined
            if type(saved) is tuple:
                targs = self.tensor_args
                for j in saved:
                    c = targs[j]._vc
                    if c is not None and c.value:
                        self.check_saved()
            else:
                for counter, version, _ in saved:
                    if counter.value != version:
                        self.check_saved()
        if not _SPECIAL:
            return _node_contributions(self, g)  # the common case: the engine's list
        if self.args is None:
            raise RuntimeError(SECOND_BACKWARD)
        create_graph = _BACKWARD.get()[0]
        if _WATCHED:  # (a node hook or anomaly mode was used: this node may need them)
            anomaly = _ANOMALY.get()
            if self.post_hooks or anomaly is not None:
                return self._contributions(g, create_graph, anomaly)
        return self._graph_contributions(g) if create_graph else _node_contributions(self, g)

    def _contributions(self, g: Any, create_graph: bool,
                       anomaly: Optional[tuple]) -> Iterator[tuple[Node, Any]]:
        if not create_graph:
            parts = Node.contributions(self, g)
        else:
            parts = self._graph_contributions(g)
        if self.post_hooks:
            parts = iter(self._run_post_hooks(parts, g))
        if anomaly is None:
            yield from parts
            return
        try:
            for parent, ct in parts:
                if anomaly[0] and _has_nan(ct):
                    idx = [p for _, p in self.parents].index(parent)
                    raise RuntimeError(
                        f"Function '{self.name()}' returned nan values in its {idx}th output.")
                yield parent, ct
        except Exception:
            _warn_anomaly(self)
            raise

    def _graph_contributions(self, g: Any) -> list:
        # Run the rules on tensors, so that what they compute is recorded:
        # the input tensors, and the output as a tensor whose grad_fn is this
        # very node. (The engine's list: every rule has run when this
        # returns.) A node keeps its input tensors whenever a rule reads an
        # input tensor's value (EagerTrace.process's plan); without them the
        # rules read only the inputs' shapes and dtypes, which the saved
        # values give. A cotangent that is not a tensor is a constant (the
        # seed, and what shape-only rules made of it): rules that read no
        # saved value make a constant of it again, with nothing to record;
        # the others get it as a tensor. (A tuple, for a multiple-result
        # node, goes as it is.)
        prim = self.prim
        if not isinstance(g, Box) and type(g) is not tuple:
            if prim is not None and not prim.saves_values:
                return _node_contributions(self, g)
            g = _as_tensor(g)
        saved_args, saved_out = self.args, self.out
        tensors = self.tensor_args
        if tensors is not None:
            self.args = tensors
        if saved_out is not None:
            if prim is not None and prim.multiple_results:  # each result as its own tensor
                n = len(saved_out)
                self.out = tuple(_TENSOR_CLS._wrap(_as_array(o), _FnItemNode(self, k, n))
                                 for k, o in enumerate(saved_out))
            else:
                self.out = _TENSOR_CLS._wrap(saved_out, self)
        try:
            return _node_contributions(self, g)
        finally:
            self.args, self.out = saved_args, saved_out

    def release(self) -> None:
        self.tensor_args = None
        self.saved_info = None
        prim = self.prim
        if prim is not None and prim.saves_values:  # Node.release, inlined
            self.args = None
            self.out = None
        else:
            _node_release(self)


def _has_nan(ct: Any) -> bool:
    v = ct
    while isinstance(v, Box):
        v = v._value
    try:
        return bool(np.isnan(np.asarray(v)).any())
    except TypeError:
        return False


def _warn_anomaly(node: Any) -> None:
    import warnings
    stack = getattr(node, "stack", None)
    if stack:
        trace = "".join(stack)
        warnings.warn(
            f"Error detected in {node.name()}. Traceback of forward call that caused the "
            f"error:\n{trace}", UserWarning, stacklevel=3)


class AccumulateGrad(_FnMixin, LeafNode):
    """The node of a leaf that requires grad; ``.variable`` is the leaf."""

    __slots__ = ("_ref",)

    def __init__(self, tensor: Any) -> None:
        LeafNode.__init__(self)
        self._ref = weakref.ref(tensor)

    @property
    def variable(self) -> Any:
        return self._ref()

    @property
    def next_functions(self) -> tuple:
        return ()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {hex(id(self))}>"


class NoGradViewLeaf(LeafNode):
    """The node of a view made under ``no_grad`` of a tensor that requires
    grad. As in PyTorch the view requires grad and is a leaf, gradients that
    reach it are dropped (``next_functions`` shows ``None``), and modifying
    it in place with grad mode on is an error (``NO_GRAD_VIEW_INPLACE``)."""

    __slots__ = ()


NO_GRAD_VIEW_INPLACE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block "
    "(if you don't want the inplace to be tracked) or both outside (if you want the inplace "
    "to be tracked).")
NO_GRAD_VIEW_REBASED = (
    "A view was created in no_grad mode and its base or another view of its base has been "
    "modified inplace with grad mode enabled. Given that this use case is ambiguous and "
    "error-prone, it is forbidden. You can clarify your code by moving both the view and the "
    "inplace either both inside the no_grad block (if you don't want the inplace to be "
    "tracked) or both outside (if you want the inplace to be tracked).")
# Set once a NoGradViewLeaf exists: only then does recording look for them.
_NO_GRAD_VIEWS = [False]


def _check_no_grad_views(args: Any) -> None:
    """PyTorch's error for a no_grad view used in a graph after its data
    was modified in place (through it, its base or another view)."""
    for a in args:
        if isinstance(a, Box) and type(a._node) is NoGradViewLeaf \
                and a._version_counter.value != a._view_version:
            raise RuntimeError(NO_GRAD_VIEW_REBASED)


class _FnItemNode(_FnMixin, ItemNode):
    """Output ``index`` of a multiple-result operation."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{display_name(self)} object at {hex(id(self))}>"

    def name(self) -> str:
        return self.parents[0][1].name()

    @property
    def next_functions(self) -> tuple:
        return self.parents[0][1].next_functions


def set_name(t: Any, name: str) -> Any:
    """Give ``t``'s grad_fn PyTorch's name ``name``; returns ``t``."""
    node = getattr(t, "_node", None)
    if node is None or type(t) is _TracerType[0]:
        return t
    if isinstance(node, _FnItemNode):  # one output of a multiple-result node
        node = node.parents[0][1]
    if isinstance(node, BackwardNode) and node._kind.__name__ != name:
        node._kind = node_class(name)
        if type(node) is not BackwardNode and _NODE_CLASSES.get(type(node).__name__) is \
                type(node):  # already presented
            node.__class__ = node._kind
    return t


def present(node: Any) -> Any:
    """``node`` as user code sees it: a recorded ``BackwardNode`` takes its
    kind (``MulBackward0``...) as its class, once."""
    if type(node) is BackwardNode:
        node.__class__ = node._kind
    elif type(node) is NoGradViewLeaf:
        return None
    return node


def display_name(node: Any) -> str:
    """The name a tensor's repr shows for its grad_fn (``type(...).__name__``)."""
    if isinstance(node, _FnItemNode):
        node = node.parents[0][1]
    if isinstance(node, BackwardNode):
        return node._kind.__name__
    return type(node).__name__


_TracerType: list = [None]


class _RemovableHandle:
    """Returned by ``register_hook``: ``.remove()`` unregisters the hook."""

    def __init__(self, hooks: list, hook: Any) -> None:
        self._hooks = hooks
        self._hook = hook

    def remove(self) -> None:
        try:
            self._hooks.remove(self._hook)
        except ValueError:
            pass

    def __enter__(self) -> "_RemovableHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def _add_hook(node: Node, hook: Callable[[Any], Any]) -> _RemovableHandle:
    """Append ``hook`` to ``node.hooks``, before a ``retain_grad`` hook (as in
    PyTorch, the retained gradient is the one after every tensor hook)."""
    if node.hooks is None:
        node.hooks = []
    hooks = node.hooks
    pos = len(hooks)
    if not getattr(hook, "_retains_grad", False):
        for i, h in enumerate(hooks):
            if getattr(h, "_retains_grad", False):
                pos = i
                break
    hooks.insert(pos, hook)
    return _RemovableHandle(hooks, hook)


def _as_tensor(g: Any) -> Any:
    if isinstance(g, Box):
        return g
    return _TENSOR_CLS._wrap(np.asarray(g), None)


def _as_value(g: Any) -> Any:
    """A hook's result in the form the running backward pass uses."""
    if _BACKWARD.get()[0]:
        return g
    while isinstance(g, Box):
        g = g._value
    return g


# --- the eager trace --------------------------------------------------------
def _errstate_is_context_local() -> bool:
    """Whether ``np.seterr`` run in another :class:`contextvars.Context`
    leaves this one's error state alone (NumPy >= 2 keeps it in a context
    variable; NumPy 1.x per thread). Found by trying, with public calls
    only; the state is put back if it changed."""
    before = np.geterr()
    contextvars.Context().run(np.seterr, all="ignore")
    if np.geterr() == before:
        return True
    np.seterr(**before)
    return False


_CONTEXT_ERRSTATE = _errstate_is_context_local()

# True while a backward pass runs under np.errstate(all="ignore")
# (:func:`_quietly`): its operations (a create_graph pass's) need not enter
# the quiet context again.
_QUIET_NOW: contextvars.ContextVar = contextvars.ContextVar("funcgrad_quiet_now", default=False)


def _quietly(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` under ``np.errstate(all="ignore")`` (like
    PyTorch: inf/nan without warnings), for code that reads context
    variables (a backward pass reads grad mode). NumPy's public
    ``np.errstate`` (~1.2 µs) once per backward pass; implementations of
    single operations run in :func:`_quiet_context` instead.
    """
    if _quiet_now():
        return fn(*args, **kwargs)
    with np.errstate(all="ignore"):
        token = _set_quiet_now(True)
        try:
            return fn(*args, **kwargs)
        finally:
            _reset_quiet_now(token)


_LOCAL = threading.local()


def _new_quiet_context() -> contextvars.Context:
    """A context for running primitives' implementations: a fresh one
    (every context variable at its default) in which NumPy ignores
    floating-point errors, as PyTorch does (inf/nan, no warnings).

    Entering it costs ~0.03 µs against ~0.2 µs for setting and resetting the
    error state around each call (``_quietly``). Implementations are plain
    NumPy code on plain values: they read no context variable but NumPy's
    error state. (Anything that does, such as a backward pass reading grad
    mode, runs under :func:`_quietly` instead.) Only with
    ``_CONTEXT_ERRSTATE``: under NumPy 1.x ``np.seterr`` would change the
    thread's state, so each operation enters ``np.errstate`` instead.
    """
    context = contextvars.Context()
    context.run(np.seterr, all="ignore")  # sets the error state of that context only
    return context


# The one context every thread tries first (``process``): a module global,
# found faster than a thread-local one. A context can be entered by one
# thread at a time and not twice; a call that finds it in use (another
# thread's operation, an implementation that runs a facade operation) runs
# in its thread's own context instead (:func:`_quiet_context`).
_SHARED_QUIET = _new_quiet_context() if _CONTEXT_ERRSTATE else None
_BUSY = object()  # process's marker for "the shared context was in use"


def _quiet_context() -> contextvars.Context:
    """This thread's own context for implementations (made when first
    needed)."""
    context = _LOCAL.context = _new_quiet_context()
    return context


def _run_quietly(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, an implementation, in :func:`_quiet_context`."""
    if not _CONTEXT_ERRSTATE:  # NumPy 1.x
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    try:
        context = _LOCAL.context
    except AttributeError:
        context = _quiet_context()
    return context.run(fn, *args, **kwargs)


_new_object = object.__new__
_getrefcount = sys.getrefcount
# Hot-path names bound once. CPython 3.11 cannot specialise ``np.X`` (NumPy's
# module has a ``__getattr__``) nor ``imported_object.method(...)`` (compiled
# as an attribute read that builds a bound method on every call); module
# globals are read at full speed.
_ndarray = np.ndarray
_asarray = np.asarray
_grad_enabled = _GRAD_ENABLED.get
_set_grad_enabled, _reset_grad_enabled = _GRAD_ENABLED.set, _GRAD_ENABLED.reset
_set_backward, _reset_backward = _BACKWARD.set, _BACKWARD.reset
_quiet_now, _set_quiet_now, _reset_quiet_now = _QUIET_NOW.get, _QUIET_NOW.set, _QUIET_NOW.reset
_run_in = contextvars.Context.run  # _run_in(context, fn, *args)

# The engine's Node fields, set directly by ``EagerTrace.process`` (one frame
# instead of two ``__init__`` calls per recorded operation). If the engine's
# Node changes shape, nodes are built through the constructors instead.
_NODE_SLOTS = ("prim", "args", "params", "out", "parents", "hooks", "number", "__weakref__")
_node_numbers = getattr(_trace_module, "_node_numbers", None)
_INLINE_NODE = Node.__slots__ == _NODE_SLOTS and _node_numbers is not None


class _PrimInfo:
    """What recording needs to know about a primitive, found once; ``plans``
    caches, per ``(grad mask, tensor mask, nargs)``, what a node keeps
    (:meth:`plan`)."""

    __slots__ = ("cls", "uses_output", "needs", "saves", "plans", "scalars")

    def __init__(self, prim: Primitive) -> None:
        self.scalars = prim in _scalar_prims()
        self.cls = node_class(default_name(prim))
        self.uses_output = prim.name in _USES_OUTPUT_NAMES
        self.needs = _SAVES_OTHER.get(prim.name)
        self.saves = prim.saves_values
        self.plans: dict = {}

    def plan(self, prim: Primitive, key: tuple) -> tuple:
        """``(keep_out, unread, checked, check_out, shown, keep_tensors)``:
        whether the node keeps its result, the arguments no rule reads
        (``Primitive.residuals``), the positions of the saved tensors (those
        a rule reads) whose version is checked at backward, whether the
        result's version is checked, the positions ``next_functions`` lists
        when the key settles them (:func:`_shown_inputs`: all tensors, or
        ``tensor op anything``; else ``None``), and whether the node keeps
        its input tensors (a version to check, or a tensor that requires no
        grad; otherwise the rules read no input tensor's value)."""
        mask, boxes, n = key
        if prim.multiple_results:
            keep_out, unread = True, ()
        else:
            keep_ans, unread = prim.residuals(mask, n)
            keep_out = keep_ans or self.uses_output
        checked: tuple = ()
        if self.saves:
            grads = {i for i in range(n) if mask >> i & 1}
            needs = self.needs
            checked = tuple(i for i in range(n) if boxes >> i & 1 and i not in unread
                            and (needs is None or needs(i, grads)))
        if boxes == (1 << n) - 1:
            shown: Optional[tuple] = tuple(range(n))
        elif n == 2 and boxes & 1 and prim.name in _BINARY:
            shown = (0, 1)
        else:
            shown = None
        keep_tensors = bool(checked) or bool(boxes & ~mask)
        found = self.plans[key] = (keep_out, tuple(unread), checked, self.uses_output, shown,
                                   keep_tensors)
        return found


_PRIM_INFO: dict = {}

# Elementwise primitives whose implementation gives the same result for a
# NumPy scalar as for a 0-d array (ufuncs): a 0-d tensor's value is passed
# to them (and saved for their rules) as a scalar, on which NumPy is 2-8x
# faster (np.sin 0.11 vs 0.24 us, multiply by a float 0.05 vs 0.40 us).
_SCALAR_SAFE = ("add", "subtract", "multiply", "divide", "negative", "positive", "power",
                "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "square",
                "reciprocal", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh",
                "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "absolute", "maximum",
                "minimum", "arctan2", "hypot")
_SCALAR_PRIMS: list = []


def _scalar_prims() -> frozenset:
    if not _SCALAR_PRIMS:
        from .. import numpy as fnp
        from . import _ops
        prims = {getattr(fnp, n, None) for n in _SCALAR_SAFE}
        prims |= {_ops.sigmoid, _ops.relu, _ops.log1p, _ops.expm1, _ops.pow_scalar}
        _SCALAR_PRIMS.append(frozenset(p for p in prims if isinstance(p, Primitive)))
    return _SCALAR_PRIMS[0]


def _prim_info(prim: Primitive) -> _PrimInfo:
    info = _PRIM_INFO.get(prim)
    if info is None:
        info = _PRIM_INFO[prim] = _PrimInfo(prim)
    return info


class EagerTrace(Trace):
    """The never-closing trace of facade tensors (level 0, outermost)."""

    __slots__ = ()

    def process(self, prim: Primitive, args: Any, params: dict, cls: Optional[type] = None,
                lead: int = 0) -> Any:
        """Apply ``prim`` to ``args`` (boxes of this trace and constants) and
        record a node when grad mode is on and an input requires grad.

        ``cls`` is the node's class (PyTorch's name) when the facade op knows
        it; otherwise the primitive's default. Residuals no rule reads are
        dropped, as ``ReverseTrace.process`` does (``Primitive.residuals``):
        the result when no rule reads it, sizeable arguments (and their
        tensors) no rule reads. ``lead=1`` says the caller has checked
        that ``args[0]`` is a ``Tensor`` (of this trace, as every one is)
        and that no other argument is a tensor (a
        unary operation, ``tensor op number``): then only the first argument
        is unboxed, without the loop over all of them. (An int, not a bool:
        comparing a bool with an int is not specialised.)

        Elementwise primitives (``info.scalars``) get 0-d inputs as NumPy
        scalars, and a floating scalar result stays one in the result
        tensor (:data:`SCALAR_VALUES`); other primitives get arrays
        (:func:`own_array`). ``lead=2`` says ``args`` is two ``Tensor`` objects whose
        values are arrays (``tensor op tensor``, ``matmul``).
        """
        info = _PRIM_INFO.get(prim)
        if info is None:
            info = _prim_info(prim)
        scalars = info.scalars
        if lead == 1:  # the loop below, for one tensor first
            vals = list(args)  # boxes' values replace them below
            a = args[0]
            v = a._value
            if type(v) is _ndarray:
                if scalars and not v.ndim:
                    v = v[()]
            elif not scalars:  # a value kept as a NumPy scalar (see below), to an array
                v = own_array(a)
            vals[0] = v
            node = a._node
            if node is None:
                parents, mask = [], 0
            else:
                parents, mask = [(0, node)], 1
            boxes = 1
            i = len(vals)
        elif lead == 2:
            # the loop below, for (tensor, tensor) with array values
            a, b = args
            v, w = a._value, b._value
            if scalars:
                if not v.ndim:
                    v = v[()]
                if not w.ndim:
                    w = w[()]
            vals = [v, w]
            parents = []
            mask = 0
            node = a._node
            if node is not None:
                parents.append((0, node))
                mask = 1
            node = b._node
            if node is not None:
                parents.append((1, node))
                mask |= 2
            boxes = 3
            i = 2
        else:
            vals = list(args)
            parents = []
            mask = boxes = i = 0
            for a in args:
                if isinstance(a, Box):
                    if a._trace is not self:  # a facade op called inside a transform
                        res = bind(prim, args, params)
                        return res if cls is None else set_name(res, cls.__name__)
                    v = a._value
                    if type(v) is _ndarray:
                        if scalars and not v.ndim:
                            v = v[()]
                    elif not scalars:
                        v = own_array(a)
                    vals[i] = v
                    boxes |= 1 << i
                    node = a._node
                    if node is not None:
                        parents.append((i, node))
                        mask |= 1 << i
                i += 1
        if not boxes:  # nothing to record (a facade op on plain numbers)
            return prim.impl(*vals, **params)
        # prim.impl with NumPy's errors ignored, in the shared quiet context
        if _SPECIAL and _quiet_now():
            # ignored already: an operation of a create_graph pass (_quietly)
            out = prim.impl(*vals, **params) if params else prim.impl(*vals)
        elif _CONTEXT_ERRSTATE:
            try:
                out = _run_in(_SHARED_QUIET, prim.impl, *vals, **params) if params else \
                    _run_in(_SHARED_QUIET, prim.impl, *vals)
            except RuntimeError:  # in use ("cannot enter context"), or raised by impl
                out = _BUSY
            if out is _BUSY:  # (outside the handler: an error of impl's is not chained)
                out = _run_quietly(prim.impl, *vals, **params)
        else:  # NumPy 1.x: the error state is per thread
            with np.errstate(all="ignore"):
                out = prim.impl(*vals, **params)
        # fresh: a result that shares no one's data; None: a tuple of results
        kind = type(out)
        if kind is _ndarray:
            fresh = out.base is None
        elif scalars and kind in SCALAR_VALUES:
            fresh = True  # an elementwise primitive's 0-d floating result stays a
            # NumPy scalar, as the engine keeps it (see SCALAR_VALUES)
        elif prim.multiple_results:
            out = tuple(_as_array(o) for o in out)
            fresh = None
        else:  # another NumPy scalar
            out = _asarray(out)
            fresh = True
        if parents and _grad_enabled():
            if not lead and type(args) is not tuple:  # (lead callers pass tuples)
                args = tuple(args)
            if _NO_GRAD_VIEWS[0]:
                _check_no_grad_views(args)
            key = (mask, boxes, i)
            plan = info.plans.get(key)
            if plan is None:
                plan = info.plan(prim, key)
            keep_out, unread, checked, check_out, shown, keep_tensors = plan
            if shown is None:  # (an input pattern the plan cannot settle)
                shown = _shown_inputs(prim, args)
            if _INLINE_NODE:
                node = _new_object(BackwardNode)  # its kind is its class once seen: present()
                node.prim = prim
                node.args = vals
                node.params = params
                node.out = out if keep_out else None
                node.parents = parents
                node.hooks = None
                node.number = next(_node_numbers)
                node.tensor_args = args if keep_tensors else None
                node.nargs = shown
            else:  # pragma: no cover - the engine's Node changed
                node = BackwardNode(prim, vals, params, out, parents)
                node.tensor_args = args if keep_tensors else None
                node.nargs = shown
                if not keep_out:
                    node.out = None
            node._kind = cls or info.cls
            # The saved tensors' versions, checked at backward: usually each
            # is at version 0 (most have no counter yet), and the positions
            # say it all (a tensor's counter, once made, is never replaced).
            node.saved_info = checked
            for j in checked:
                counter = args[j]._vc
                if counter is not None and counter.value:
                    node.saved_info = _version_records(args, checked)
                    break
            for j in unread:  # sizeable arguments no rule reads (ReverseTrace.process)
                v = vals[j]
                if type(v) is _ndarray and v.nbytes >= SMALL_RESIDUAL:
                    _drop_residuals(node, unread)
                    break
            if _WATCHED and _ANOMALY.get() is not None:
                node.stack = _user_stack()
        else:
            node = None
            check_out = False
        if fresh:  # Tensor._wrap, inlined
            result = _new_object(_TENSOR_CLS)
            result._value = out
            result._node = node
            result._trace = self
            result._vc = None  # made when first needed (Tensor._version_counter)
        elif fresh is None:
            return _wrap_results(out, node, args)
        else:  # a view
            result = _wrap_view(out, node, args)
        if check_out:  # the rule reads the result: check its version at backward
            counter = result._version_counter
            saved = node.saved_info
            if type(saved) is tuple:
                saved = node.saved_info = _version_records(args, saved)
            saved.append((counter, counter.value, None))
        return result

    def process_nondiff(self, prim: Primitive, args: Any, params: dict) -> Any:
        Tensor = _TENSOR_CLS
        vals = [a._value if isinstance(a, Box) and a._trace is self else a for a in args]
        out = _run_quietly(prim.impl, *vals, **params)
        if prim.multiple_results:
            return tuple(Tensor._wrap(_as_array(o), None) for o in out)
        return Tensor._wrap(_as_array(out), None)


def _wrap_results(out: tuple, node: Optional[BackwardNode], args: Any) -> tuple:
    """The tensors of a multiple-result primitive's results (its own
    function: a generator in ``process`` would make ``node`` a cell there,
    created on every call)."""
    n = len(out)
    return tuple(_wrap_view(o, None if node is None else _FnItemNode(node, k, n), args)
                 for k, o in enumerate(out))


# The types of the 0-d values a tensor may hold as a NumPy scalar instead of
# a 0-d array: the floating results of elementwise primitives on 0-d inputs
# (EagerTrace.process). A chain of 0-d operations then skips a 0-d array per
# operation (np.asarray of the result, and [()] to read it back), 5% of its
# instructions. Anything that needs the array itself (to write into it, or to
# share it with another tensor or with the caller) takes own_array() first.
SCALAR_VALUES = frozenset({np.float16, np.float32, np.float64, np.longdouble, np.complex64,
                           np.complex128, np.clongdouble})


def own_array(t: Any) -> np.ndarray:
    """``t``'s value as an array: a value kept as a NumPy scalar becomes a
    0-d array that ``t`` holds from then on (a new array, shared with no one
    since no one else had the scalar's tensor)."""
    v = t._value
    if type(v) in SCALAR_VALUES:
        v = t._value = np.array(v)
    return v


def _version_records(args: tuple, checked: tuple) -> list:
    """``[(counter, version, tensor), ...]`` for the tensors at positions
    ``checked`` of ``args`` (counters made where missing)."""
    records = []
    for j in checked:
        c = args[j]._version_counter
        records.append((c, c.value, args[j]))
    return records


def _drop_residuals(node: BackwardNode, unread: tuple) -> None:
    """Replace sizeable saved arguments no rule reads by their shape and
    dtype (``Meta``), in ``args`` and in ``tensor_args`` (what
    ``create_graph`` runs the rules on), as ``ReverseTrace`` does."""
    vals = node.args
    targs = None if node.tensor_args is None else list(node.tensor_args)
    for i in unread:
        v = vals[i]
        if getattr(v, "nbytes", 0) >= SMALL_RESIDUAL:  # as ReverseTrace.process
            vals[i] = Meta(vals[i])
            if targs is not None:
                targs[i] = vals[i]
    if targs is not None:
        node.tensor_args = tuple(targs)


_BINARY = frozenset({"add", "subtract", "multiply", "divide"})

# Which saved inputs a rule reads, given the positions that need gradients:
# as in PyTorch, ``x * c`` saves ``c`` (for x's gradient) but not ``x``
# unless ``c`` requires grad too. Other primitives: every tensor input.
_SAVES_OTHER = {
    "multiply": lambda i, grads: (1 - i) in grads,
    "matmul": lambda i, grads: (1 - i) in grads,
    "divide": lambda i, grads: i == 1 or 1 in grads,
}


def _shown_inputs(prim: Primitive, args: Any) -> tuple:
    """The argument positions PyTorch lists in ``next_functions``: tensors
    and floating arrays, and a Python number second operand of arithmetic
    (``x + 1`` lists ``(None, 0)`` for the 1)."""
    if len(args) == 2 and isinstance(args[0], Box) and prim.name in _BINARY:
        return (0, 1)  # the loop below, for ``tensor op anything``
    shown = []
    for i, a in enumerate(args):
        if isinstance(a, Box) or (isinstance(a, np.ndarray) and a.dtype.kind in "fc"):
            shown.append(i)
        elif i == 1 and prim.name in _BINARY:
            shown.append(i)
    return tuple(shown)


def _user_stack() -> list:
    """The current stack without funcgrad's own frames (anomaly mode)."""
    import os
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frames = [f for f in traceback.extract_stack()
              if not os.path.abspath(f.filename).startswith(root + os.sep)]
    return traceback.format_list(frames)


def _as_array(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return x
    return np.asarray(x)


def _wrap_view(out: np.ndarray, node: Any, args: Any) -> Any:
    """Wrap a result of an operation on ``args``; a view (``x[0]``,
    ``x.view(...)``) of a tensor among them shares that tensor's version
    counter and remembers its base."""
    Tensor = _TENSOR_CLS
    base = out.base
    if base is not None:
        for t in args:
            if not isinstance(t, Box):
                continue
            v = t._value
            if base is v or np.may_share_memory(out, v):  # (the first: a direct view)
                r = Tensor._wrap(out, node, t._version_counter)
                r._base = t._base if t._base is not None else t
                if node is None and t._node is not None:  # made under no_grad
                    r._node = NoGradViewLeaf()
                    r._view_version = r._version_counter.value
                    _NO_GRAD_VIEWS[0] = True
                return r
    return Tensor._wrap(out, node)


_USES_OUTPUT_NAMES = frozenset({"exp", "sqrt", "tanh", "tan", "sigmoid", "softmax",
                                "log_softmax", "expm1", "norm2", "logsumexp"})


EAGER = EagerTrace(0)
# EAGER.process, for the facade's fast paths (see _run_in: called through
# the imported name, the method would be looked up and bound on every call)
record = EAGER.process


# --- backward ---------------------------------------------------------------
_node_of = operator.attrgetter("_node")


def run_backward(roots: Sequence[Any], cotangents: Sequence[Any], *, retain_graph: bool,
                 create_graph: bool, capture: Optional[Sequence[Any]] = None,
                 accumulate: bool = True) -> Optional[list]:
    """Run the engine from ``roots`` (tensors with nodes) with ``cotangents``.

    ``accumulate=True`` (``backward``): leaf gradients are added to the
    leaves' ``.grad`` (only those in ``capture`` if given). Otherwise
    (``autograd.grad``) the cotangents of the tensors in ``capture`` are
    returned, ``None`` for those the graph does not reach.
    """
    capture_nodes = list(map(_node_of, capture)) if capture is not None else None
    captured: dict = {}
    handles: list = []
    if capture_nodes is not None:
        for node in capture_nodes:
            if node is not None and not node.is_leaf:
                def grab(g: Any, node: Any = node) -> None:
                    captured[node] = g if node not in captured else _add(captured[node], g)
                handles.append(_add_hook(node, grab))
    try:
        leaves = sweep(list(map(_node_of, roots)), cotangents, retain_graph, create_graph,
                       accumulate)
    finally:
        for h in handles:
            h.remove()
    if not accumulate:
        if not handles:  # (every captured tensor a leaf: nothing captured by a hook)
            return list(map(leaves.get, capture_nodes))  # (None for None)
        captured.update(leaves)
        return [None if n is None or n not in captured else captured[n] for n in capture_nodes]
    # (before captured holds them: a cotangent a capture hook kept counts as seen)
    refs = None if create_graph else _refcounts(leaves)
    captured.update(leaves)
    wanted = None if capture_nodes is None else set(id(n) for n in capture_nodes)
    for node, g in leaves.items():
        if wanted is not None and id(node) not in wanted:
            continue
        t = node.variable if isinstance(node, AccumulateGrad) else None
        if t is not None:
            t._accumulate_grad(g, create_graph, owned=refs is not None and _exclusive(
                g, refs[node]))
    if capture_nodes is not None:
        for t, node in zip(capture, capture_nodes):
            if node is not None and not node.is_leaf and node in captured:
                t._accumulate_grad(captured[node], create_graph)
    return None


def sweep(roots: list, cotangents: Sequence[Any], retain_graph: bool, create_graph: bool,
          accumulate: bool) -> dict:
    """The engine's pass from the nodes ``roots`` with ``cotangents``
    (arrays), in the state a facade backward pass runs in: grad mode on
    only with ``create_graph`` (every node then runs its rules on tensors),
    NumPy's floating-point errors ignored. Returns ``{leaf node:
    cotangent}``; :func:`run_backward` does the rest."""
    token_b = _set_backward((create_graph, accumulate))
    token_g = _set_grad_enabled(create_graph)
    marker = object() if create_graph else None
    if marker is not None:
        special_on(marker)
    try:
        # (_as_value without create_graph is _strip; with it, a seed that
        # is not a tensor stays a constant array: _graph_contributions)
        cts = cotangents if create_graph else list(map(_strip, cotangents))
        return _quietly(backward_pass, roots, cts, release=not retain_graph)
    finally:
        if marker is not None:
            special_off(marker)
        _reset_grad_enabled(token_g)
        _reset_backward(token_b)


def _refcounts(leaves: dict) -> dict:
    """``sys.getrefcount`` of each leaf cotangent while ``leaves`` (and
    nothing else of ours) holds it."""
    return {node: _getrefcount(g) for node, g in leaves.items()}


_EXCLUSIVE: list = []


def _exclusive(g: Any, refs: int) -> bool:
    """Whether the cotangent ``g`` is an array no one else can see: the
    backward pass allocated it and nothing (a hook, a retained node, the
    caller's gradient, another leaf) holds it or a view of it. ``.grad`` can
    then take it as is instead of a copy (PyTorch's AccumulateGrad steals
    such gradients too). ``refs`` is its count from :func:`_refcounts`,
    compared with that of a fresh array in the same position (measured once,
    so it holds for the running interpreter)."""
    if type(g) is not np.ndarray or g.base is not None:
        return False
    if not _EXCLUSIVE:
        _EXCLUSIVE.append(_refcounts({0: np.empty(1)})[0])
    flags = g.flags
    return refs <= _EXCLUSIVE[0] and flags.owndata and flags.writeable


def _add(a: Any, b: Any) -> Any:
    from .._core import ops
    return ops.add(a, b)


