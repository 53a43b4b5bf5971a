"""Pytrees: nested containers of arrays, flattened to leaves and rebuilt.

Containers: tuple, list, dict (keys sorted), namedtuple, ``None`` (a node
with no children), and any class registered with
:func:`register_pytree_node` or :func:`register_dataclass`. Everything else
is a leaf.

>>> leaves, tree = tree_flatten({"b": 2.0, "a": (1.0, None)})
>>> leaves
[1.0, 2.0]
>>> tree_unflatten(tree, [10.0, 20.0])
{'a': (10.0, None), 'b': 20.0}
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Hashable, Iterable, NamedTuple, Optional, Sequence

__all__ = [
    "PyTreeDef", "tree_flatten", "tree_unflatten", "tree_map", "tree_leaves",
    "tree_structure", "register_pytree_node", "register_dataclass",
]


class _NodeType(NamedTuple):
    flatten: Callable[[Any], tuple[Iterable[Any], Hashable]]
    unflatten: Callable[[Hashable, list], Any]


_registry: dict[type, _NodeType] = {}


def register_pytree_node(nodetype: type, flatten_func: Callable[[Any], tuple[Iterable[Any], Hashable]],
                         unflatten_func: Callable[[Hashable, list], Any]) -> None:
    """Teach the pytree functions to see inside ``nodetype``.

    ``flatten_func(x) -> (children, aux_data)``; ``unflatten_func(aux_data,
    children) -> x``. ``aux_data`` must be hashable and comparable.

    >>> class Pair:
    ...     def __init__(self, a, b): self.a, self.b = a, b
    >>> register_pytree_node(Pair, lambda p: ((p.a, p.b), None), lambda _, c: Pair(*c))
    >>> tree_leaves(Pair(1.0, [2.0, 3.0]))
    [1.0, 2.0, 3.0]
    """
    _registry[nodetype] = _NodeType(flatten_func, unflatten_func)


def register_dataclass(cls: type, data_fields: Optional[Sequence[str]] = None,
                       meta_fields: Sequence[str] = ()) -> type:
    """Register a dataclass as a pytree node (usable as a decorator).

    ``data_fields`` (default: every field not in ``meta_fields``) are
    children; ``meta_fields`` are static and must be hashable.

    >>> @register_dataclass
    ... @dataclasses.dataclass
    ... class Params:
    ...     w: float
    ...     b: float
    >>> tree_leaves(Params(1.0, 2.0))
    [1.0, 2.0]
    """
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"register_dataclass expects a dataclass, got {cls!r}")
    meta = tuple(meta_fields)
    data = tuple(data_fields) if data_fields is not None else tuple(
        f.name for f in dataclasses.fields(cls) if f.name not in meta)

    def flatten(x: Any) -> tuple[list, tuple]:
        return [getattr(x, n) for n in data], tuple(getattr(x, n) for n in meta)

    def unflatten(aux: tuple, children: list) -> Any:
        return cls(**dict(zip(data, children)), **dict(zip(meta, aux)))

    register_pytree_node(cls, flatten, unflatten)
    return cls


register_pytree_node(tuple, lambda t: (t, None), lambda _, c: tuple(c))
register_pytree_node(list, lambda l: (l, None), lambda _, c: list(c))
register_pytree_node(type(None), lambda n: ((), None), lambda _, c: None)


def _dict_flatten(d: dict) -> tuple[list, tuple]:
    keys = tuple(sorted(d))
    return [d[k] for k in keys], keys


register_pytree_node(dict, _dict_flatten, lambda keys, c: dict(zip(keys, c)))


def _node_type(x: Any) -> Optional[_NodeType]:
    kind = _registry.get(type(x))
    if kind is None and isinstance(x, tuple) and hasattr(type(x), "_fields"):
        cls = type(x)
        kind = _NodeType(lambda t: (tuple(t), None), lambda _, c: cls(*c))
    return kind


class PyTreeDef:
    """The structure of a pytree: its containers without the leaves."""

    __slots__ = ("nodetype", "aux", "children", "num_leaves", "_k")

    def __init__(self, nodetype: Optional[type], aux: Any, children: tuple) -> None:
        self.nodetype = nodetype
        self.aux = aux
        self.children = children
        self.num_leaves = 1 if nodetype is None else sum(c.num_leaves for c in children)
        self._k = None

    def _key(self) -> tuple:
        k = self._k  # (a structure never changes: computed once; jit hashes it per call)
        if k is None:
            k = self._k = (self.nodetype, self.aux, tuple(c._key() for c in self.children))
        return k

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PyTreeDef) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"PyTreeDef({self._describe()})"

    def _describe(self) -> str:
        if self.nodetype is None:
            return "*"
        inner = ", ".join(c._describe() for c in self.children)
        if self.nodetype is type(None):
            return "None"
        if self.nodetype is dict:
            return "{" + ", ".join(f"{k!r}: {c._describe()}" for k, c in zip(self.aux, self.children)) + "}"
        if self.nodetype is list:
            return f"[{inner}]"
        if self.nodetype is tuple:
            return f"({inner}{',' if len(self.children) == 1 else ''})"
        return f"{self.nodetype.__name__}({inner})"


_LEAF = PyTreeDef(None, None, ())


def tree_flatten(tree: Any, is_leaf: Optional[Callable[[Any], bool]] = None) -> tuple[list, PyTreeDef]:
    """Return the leaves of ``tree`` (left to right) and its structure.

    >>> tree_flatten([1, (2, 3)])[0]
    [1, 2, 3]
    """
    leaves: list = []
    treedef = _flatten_into(tree, leaves, is_leaf)
    return leaves, treedef


# Module-level recursion (no nested closures): a recursive closure is a
# reference cycle, which would keep traced values alive until the garbage
# collector runs.
def _flatten_into(x: Any, leaves: list, is_leaf: Optional[Callable[[Any], bool]]) -> PyTreeDef:
    kind = None if (is_leaf is not None and is_leaf(x)) else _node_type(x)
    if kind is None:
        leaves.append(x)
        return _LEAF
    children, aux = kind.flatten(x)
    return PyTreeDef(type(x), aux, tuple(_flatten_into(c, leaves, is_leaf) for c in children))


def tree_unflatten(treedef: PyTreeDef, leaves: Iterable[Any]) -> Any:
    """Rebuild a pytree of structure ``treedef`` from ``leaves``.

    >>> leaves, tree = tree_flatten((1, [2]))
    >>> tree_unflatten(tree, ["a", "b"])
    ('a', ['b'])
    """
    it = iter(leaves)
    try:
        out = _build(treedef, it)
    except StopIteration:
        raise ValueError(f"too few leaves for {treedef}") from None
    if next(it, _LEAF) is not _LEAF:
        raise ValueError(f"too many leaves for {treedef}")
    return out


def _build(td: PyTreeDef, it: Any) -> Any:
    if td.nodetype is None:
        return next(it)
    children = [_build(c, it) for c in td.children]
    kind = _registry.get(td.nodetype)
    if kind is None:  # namedtuple
        return td.nodetype(*children)
    return kind.unflatten(td.aux, children)


def tree_leaves(tree: Any, is_leaf: Optional[Callable[[Any], bool]] = None) -> list:
    """The leaves of ``tree``, left to right.

    >>> tree_leaves({"a": 1, "b": [2, None]})
    [1, 2]
    """
    return tree_flatten(tree, is_leaf)[0]


def tree_structure(tree: Any, is_leaf: Optional[Callable[[Any], bool]] = None) -> PyTreeDef:
    """The structure of ``tree`` without its leaves."""
    return tree_flatten(tree, is_leaf)[1]


def tree_map(f: Callable[..., Any], tree: Any, *rest: Any,
             is_leaf: Optional[Callable[[Any], bool]] = None) -> Any:
    """Apply ``f`` leafwise; ``rest`` are trees of the same structure whose
    leaves are passed as further arguments.

    >>> tree_map(lambda a, b: a + b, {"x": 1, "y": (2,)}, {"x": 10, "y": (20,)})
    {'x': 11, 'y': (22,)}
    """
    leaves, treedef = tree_flatten(tree, is_leaf)
    others = []
    for r in rest:
        r_leaves, r_def = tree_flatten(r, is_leaf)
        if r_def != treedef:
            raise ValueError(f"tree_map: structures differ: {treedef} vs {r_def}")
        others.append(r_leaves)
    return tree_unflatten(treedef, [f(*xs) for xs in zip(leaves, *others)])
