"""The backward pass: one iterative sweep in reverse topological order."""
from __future__ import annotations

import heapq
from typing import Any, Sequence

from .primitive import Box
from .trace import Node, ops


def accumulate(prev: Any, ct: Any) -> Any:
    """Sum two cotangents of one node (tuples for multiple-result nodes)."""
    if prev is None:
        return ct
    if isinstance(prev, tuple):
        return tuple(b if a is None else a if b is None else ops.add(a, b)
                     for a, b in zip(prev, ct))
    return ops.add(prev, ct)


def add_into(buf: Any, ct: Any) -> Any:
    """``buf + ct``, written into ``buf`` when both are concrete: only for a
    ``buf`` this pass allocated itself (no one else holds it) and a ``ct``
    fitted to the same primal (same shape and dtype)."""
    if isinstance(buf, Box) or isinstance(ct, Box):
        return ops.add(buf, ct)  # traced (higher order): record the sum
    buf += ct  # in place for arrays; NumPy scalars are immutable and rebind
    return buf


_check_above: Any = 0
# The sweep runs ``checked_contributions`` instead of ``contributions`` for
# nodes numbered above this. Node numbers count down from 0 (Node.number), so
# these are the nodes recorded before it was set. Set by check_nodes_above().


def check_nodes_above(number: Any) -> None:
    """From now on, backward passes ask the nodes numbered above ``number``
    for their :meth:`~funcgrad._core.trace.Node.checked_contributions`;
    ``float("-inf")`` means every node, ``0`` none.

    The facade sets it to :func:`~funcgrad._core.trace.number_below_all`
    when a tensor is modified in place (the nodes recorded before then check
    their saved tensors' versions) and to ``-inf`` while anomaly detection,
    a node hook or a ``create_graph`` pass needs every node's own code. Other
    nodes take ``contributions`` directly: a per-node check that cannot fail
    costs nothing.
    """
    global _check_above
    _check_above = number


RELEASE_PLAIN = 2
"""``release`` for a functional transform's own pass: as ``True``, but a
plain :class:`Node` is released inline (and keeps the small arguments of a
primitive that saves no values, as its graph goes when the transform
returns)."""


def backward_pass(roots: Sequence[Node], cotangents: Sequence[Any], *,
                  release: int = False) -> dict:
    """Propagate ``cotangents`` from ``roots`` to every reachable leaf.

    Returns ``{leaf_node: cotangent}``. Each node's hooks (``node.hooks``, a
    list of ``g -> g or None``) see its total cotangent before its rules run.
    With ``release=True`` each node drops its saved values right after its
    rules have run, so memory falls as the sweep proceeds (``RELEASE_PLAIN``:
    see there). A node with many
    children accumulates their cotangents in place, into the buffer the
    first sum allocated.
    """
    return _sweep(roots, cotangents, release)


def _sweep(roots: Sequence[Node], cotangents: Sequence[Any], release: int) -> dict:
    cts: dict = {}
    owned: set = set()  # nodes whose pending cotangent this pass allocated
    for node, g in zip(roots, cotangents):
        cts[node] = accumulate(cts.get(node), g)
    # The nodes that have a cotangent and have not run, newest first (by
    # Node.number; a node is created after its parents, so every child of a
    # node runs before it): no separate topological sort, and nodes that
    # receive no cotangent are never visited.
    pending = [(node.number, node) for node in cts]
    heapq.heapify(pending)
    push, pop = heapq.heappush, heapq.heappop
    leaves: dict = {}
    while pending:
        number, node = pop(pending)
        g = cts.pop(node, None)
        if g is None:
            continue
        hooks = node.hooks
        if hooks:
            for hook in hooks:
                new = hook(g)
                if new is not None:
                    g = new
        if node.is_leaf:
            leaves[node] = g
            continue
        parts = node.contributions(g) if number <= _check_above else \
            node.checked_contributions(g)
        for parent, ct in parts:
            prev = cts.get(parent)
            if prev is None:
                cts[parent] = ct
                push(pending, (parent.number, parent))
            elif parent in owned:
                cts[parent] = add_into(prev, ct)
            else:
                cts[parent] = total = accumulate(prev, ct)
                if not isinstance(total, tuple):
                    owned.add(parent)
        if release == 1:  # (True)
            node.release()
        elif release:  # RELEASE_PLAIN
            if type(node) is Node:
                # A functional transform's node: Node.release, except that a
                # primitive whose rules read only shapes and dtypes keeps its
                # arguments (those of 4 KB or more are Meta since recording,
                # and the graph goes when the transform returns).
                node.out = None
                if node.prim.saves_values:
                    node.args = None
            else:
                node.release()
    return leaves
