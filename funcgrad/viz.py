"""Pictures of backward graphs, as Graphviz DOT text.

* :func:`to_dot` draws the graph behind a traced value: a facade tensor
  (nodes named as their ``grad_fn``: ``MulBackward0``, leaves as
  ``AccumulateGrad``) or a value traced inside a transformed function (nodes
  named by their primitive: ``multiply``, ``sin``).
* :func:`graph_of` traces ``f`` at given inputs and draws its graph: the
  functional side's way to look at a function.
* :func:`render` turns DOT text into an SVG, PNG or PDF file with Graphviz.

Each node shows its operation, the shape and dtype of its value; inputs
(leaves) are filled light blue, outputs green. Edges follow the data, from
inputs to outputs (gradients flow against them).

>>> import numpy as np
>>> from funcgrad.viz import graph_of
>>> print(graph_of(lambda x: np.sin(x) * x, np.array([1.0, 2.0])))  # doctest: +ELLIPSIS
digraph funcgrad {
  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica"];
  n0 [label="multiply\\n(2,) float64", fillcolor=darkolivegreen1];
  n1 [label="sin\\n(2,) float64"];
  n2 [label="x\\n(2,) float64", fillcolor=lightblue];
  ...
}
"""
from __future__ import annotations

import inspect
import pathlib
import shutil
import subprocess
from typing import Any, Callable, Optional, Union

import numpy as np

from ._core import Box, Node, ReverseTrace, new_trace
from ._core.trace import ItemNode
from .tree_util import tree_flatten, tree_leaves, tree_unflatten

__all__ = ["to_dot", "graph_of", "render", "GraphvizNotFoundError"]

LEAF_COLOR = "lightblue"
OUTPUT_COLOR = "darkolivegreen1"
FORMATS = ("svg", "png", "pdf")


class GraphvizNotFoundError(RuntimeError):
    """Rendering needs Graphviz, which is not installed."""


def to_dot(output: Any) -> str:
    """Graphviz DOT text of the backward graph that produced ``output``.

    ``output`` is a traced value, or a pytree (tuple, list, dict) of them:
    a facade tensor with a ``grad_fn`` or a leaf that requires grad, or a
    value inside a function being transformed by ``funcgrad.grad`` & co. A
    facade node is labelled with its ``grad_fn`` name, a functional node with
    its primitive's name; every node with the shape and dtype of its value.

    >>> import funcgrad, numpy as np
    >>> pictures = []
    >>> def f(x):
    ...     y = np.tanh(x) ** 2
    ...     pictures.append(to_dot(y))
    ...     return np.sum(y)
    >>> _ = funcgrad.grad(f)(np.array([0.5, 1.0]))
    >>> "tanh" in pictures[0] and "power" in pictures[0]
    True
    """
    roots = _roots(output)
    return _dot(roots, {}, {})


def graph_of(f: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """DOT text of the graph of ``f(*args, **kwargs)``.

    Floating-point and complex leaves of ``args`` (pytrees allowed) are the
    inputs, named after ``f``'s parameters (``x``, ``params['w']``);
    ``kwargs`` and integer leaves are constants. Every floating-point output
    leaf that depends on an input is drawn as an output.

    >>> import numpy as np
    >>> dot = graph_of(lambda params, x: np.tanh(x @ params["w"]),
    ...                {"w": np.ones((3, 2))}, np.ones((4, 3)))
    >>> "params['w']\\\\n(3, 2) float64" in dot, "matmul\\\\n(4, 2) float64" in dot
    (True, True)
    """
    leaves, tree = tree_flatten(args)
    names = _input_names(f, tree)
    trace = _RecordingTrace(new_trace().level)
    labels: dict = {}
    boxed = []
    for x, name in zip(leaves, names):
        x = x if hasattr(x, "shape") and hasattr(x, "dtype") else np.asarray(x)
        if np.dtype(x.dtype).kind in "fc":
            b = trace.new_input(x)
            labels[b._node] = (name, x)
            boxed.append(b)
        else:
            boxed.append(x)
    try:
        out = f(*tree_unflatten(tree, boxed), **kwargs)
    finally:
        trace.alive = False
    roots = [o for o in tree_leaves(out) if isinstance(o, Box) and o._trace is trace]
    if not roots:
        raise ValueError(
            "graph_of: the output does not depend on any floating-point input, so there is "
            "no graph to draw (integer inputs and keyword arguments are constants).")
    return _dot(roots, labels, trace.values)


class _RecordingTrace(ReverseTrace):
    """A reverse trace that remembers the shape and dtype of every value it
    records (nodes need not keep their outputs)."""

    def __init__(self, level: int) -> None:
        ReverseTrace.__init__(self, level)
        self.values: dict = {}

    def process(self, prim: Any, args: Any, params: dict) -> Any:
        out = ReverseTrace.process(self, prim, args, params)
        for b in (out if isinstance(out, tuple) else (out,)):
            if isinstance(b, Box):
                self.values[b._node] = _Meta(b._value)
        return out


class _Meta:
    __slots__ = ("shape", "dtype")

    def __init__(self, value: Any) -> None:
        self.shape = tuple(getattr(value, "shape", np.shape(value)))
        self.dtype = getattr(value, "dtype", None)


def render(dot_or_output: Any, path: Union[str, pathlib.Path], format: str = "svg") -> pathlib.Path:
    """Draw a graph into ``path`` as ``format`` (``"svg"``, ``"png"`` or ``"pdf"``)
    and return the path. ``dot_or_output`` is DOT text (from :func:`to_dot`
    or :func:`graph_of`) or anything :func:`to_dot` accepts.

    Uses Graphviz's ``dot`` program when it is on ``PATH``, else the
    ``graphviz`` Python package (which needs the Graphviz programs too);
    without either it raises :class:`GraphvizNotFoundError` saying what to
    install. funcgrad does not depend on Graphviz.

    >>> import shutil, tempfile, pathlib, numpy as np
    >>> dot = graph_of(np.sin, np.array(1.0))
    >>> if shutil.which("dot"):
    ...     out = render(dot, pathlib.Path(tempfile.mkdtemp()) / "g.svg")
    ...     assert out.read_text().lstrip().startswith("<?xml")
    """
    if format not in FORMATS:
        raise ValueError(f"render: format must be one of {', '.join(FORMATS)}, got {format!r}")
    dot = dot_or_output if isinstance(dot_or_output, str) else to_dot(dot_or_output)
    path = pathlib.Path(path)
    exe = shutil.which("dot")
    if exe is not None:
        done = subprocess.run([exe, f"-T{format}", "-o", str(path)], input=dot.encode(),
                              capture_output=True)
        if done.returncode != 0:
            raise RuntimeError(f"Graphviz's dot failed (exit code {done.returncode}): "
                               f"{done.stderr.decode(errors='replace').strip()}")
        return path
    try:
        import graphviz  # type: ignore[import-not-found]
    except ImportError:
        graphviz = None
    if graphviz is not None:
        try:
            data = graphviz.Source(dot).pipe(format=format)
        except graphviz.ExecutableNotFound:
            pass
        else:
            path.write_bytes(data)
            return path
    raise GraphvizNotFoundError(
        "funcgrad.viz.render needs Graphviz to draw a graph, but found neither its `dot` "
        "program on PATH nor a working `graphviz` Python package (which calls the same "
        "program). Install Graphviz: `sudo apt-get install graphviz` (Debian/Ubuntu), "
        "`brew install graphviz` (macOS), `conda install graphviz`, or see "
        "https://graphviz.org/download/ (optionally `pip install graphviz` too). "
        "Without it, write the DOT text from funcgrad.viz.to_dot(...) to a .dot file "
        "and open it in any Graphviz viewer.")


# --- building the text --------------------------------------------------------
def _roots(output: Any) -> list:
    roots = []
    for o in tree_leaves(output):
        if not isinstance(o, Box):
            raise TypeError(
                f"to_dot: expected a traced value (a facade tensor, or a value inside a "
                f"function being differentiated), got {type(o).__name__}. To draw a "
                "function, use funcgrad.viz.graph_of(f, *args).")
        if o._node is None:
            raise ValueError(
                "to_dot: this tensor has no backward graph (it does not require grad, or "
                "was computed under no_grad).")
        roots.append(o)
    if not roots:
        raise ValueError("to_dot: nothing to draw (the output holds no traced value)")
    return roots


def _input_names(f: Callable[..., Any], tree: Any) -> list:
    from .testing._check import _walk_names
    try:
        params = [p.name for p in inspect.signature(f).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    names: list = []
    for i, child in enumerate(tree.children):
        _walk_names(child, params[i] if i < len(params) else f"arg{i}", names)
    return names


def _describe(value: Any) -> str:
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is None or dtype is None:
        return ""
    return f"{tuple(int(s) for s in shape)} {_dtype_name(dtype)}"


def _dtype_name(dtype: Any) -> str:
    try:
        return str(np.dtype(dtype))
    except TypeError:
        return str(dtype)


def _node_label(node: Node, labels: dict, values: dict) -> tuple:
    """(label text, is_leaf) for one node."""
    if node in labels:
        name, value = labels[node]
        return _join(name, _describe(value)), True
    namer = getattr(node, "name", None)
    if callable(namer):  # a facade node: PyTorch's grad_fn name
        name = namer()
        if node.is_leaf:
            var = getattr(node, "variable", None)
            return _join(name.split("::")[-1], _describe(var)), True
        return _join(name, _describe(_value_of(node, values))), False
    if node.is_leaf:
        return "input", True
    if isinstance(node, ItemNode):
        parent = node.parents[0][1]
        base = parent.prim.name if parent.prim is not None else "custom_vjp"
        return _join(f"{base}[{node.index}]", _describe(_value_of(node, values))), False
    name = node.prim.name if node.prim is not None else "custom_vjp"
    return _join(name, _describe(_value_of(node, values))), False


def _join(name: str, description: str) -> str:
    """A two-line DOT label (``\\n`` is DOT's line break)."""
    return f"{name}\\n{description}" if description else name


def _value_of(node: Node, values: dict) -> Any:
    if node in values:
        return values[node]
    if isinstance(node, ItemNode):
        parent_out = node.parents[0][1].out
        if isinstance(parent_out, (tuple, list)) and node.index < len(parent_out):
            return parent_out[node.index]
        return None
    out = node.out
    return None if isinstance(out, (tuple, list)) else out


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _dot(roots: list, labels: dict, values: dict) -> str:
    ids: dict = {}
    order: list = []
    edges: list = []
    seen: set = set()
    root_nodes = {r._node for r in roots}
    stack = [r._node for r in roots]
    while stack:  # iterative: deep graphs need no recursion
        node = stack.pop()
        if node in ids:
            continue
        ids[node] = f"n{len(ids)}"
        order.append(node)
        for _, parent in reversed(node.parents):
            if parent not in ids:
                stack.append(parent)
    values = dict(values)
    for r in roots:
        values.setdefault(r._node, _Meta(r._value))
    for node in order:
        saved = node.args if isinstance(node.args, (list, tuple)) else ()
        for i, parent in node.parents:
            # a node's saved inputs tell its parents' shapes when they keep no output
            if parent not in values and i < len(saved) and hasattr(saved[i], "shape"):
                values[parent] = _Meta(saved[i])
            edge = (ids[parent], ids[node])
            if edge not in seen:
                seen.add(edge)
                edges.append(edge)
    lines = ["digraph funcgrad {",
             '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica"];']
    for node in order:
        text, leaf = _node_label(node, labels, values)
        attrs = [f"label={_quote(text)}"]
        if leaf:
            attrs.append(f"fillcolor={LEAF_COLOR}")
        elif node in root_nodes:
            attrs.append(f"fillcolor={OUTPUT_COLOR}")
        lines.append(f"  {ids[node]} [{', '.join(attrs)}];")
    for a, b in edges:
        lines.append(f"  {a} -> {b};")
    lines.append("}")
    return "\n".join(lines)
