"""Matrix and tensor products: matmul, dot, vdot, inner, outer, tensordot,
einsum, vecdot, matvec, vecmat, and ``linalg.multi_dot`` /
``linalg.matrix_power``.

Every product except ``matmul`` is recorded as one *contraction*: operand
index labels plus output labels, in ``numpy.einsum``'s integer-sublist form.
The value is computed by the NumPy function the user called (``np.dot``,
``np.tensordot``, ``np.einsum``...), so it is NumPy's to the last bit; the
gradient of operand ``k`` is itself an einsum of the output cotangent with
the other operands, so derivatives of any order follow. Products are
multilinear, hence holomorphic: rules never conjugate (JAX's convention).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .._core.primitive import defjvp_multilinear

from ._arraytypes import is_foreign_array

from ._registry import (REGISTRY, alias, dtype_of, joint_primitive, namespace, primitive, register,
                        shape_of)

F = "linalg"


class _Namespace:
    """``funcgrad.numpy``, looked up when a function runs: the family
    modules are imported in any order and reorganized freely, while the
    public names stay put."""

    _module: Any = None  # namespace(), kept once the first rule runs

    def __getattr__(self, name: str) -> Any:
        # (only for a name not yet read: it is kept as an instance attribute,
        # which the interpreter then reads without calling this method)
        mod = _Namespace._module
        if mod is None:
            mod = _Namespace._module = namespace()
        value = getattr(mod, name)
        setattr(self, name, value)
        return value


fnp = _Namespace()


def reshape(x: Any, shape: tuple) -> Any:
    return fnp.reshape(x, shape)


def swapaxes(x: Any, a: int, b: int) -> Any:
    return fnp.swapaxes(x, a, b)


def conjugate(x: Any) -> Any:
    return fnp.conjugate(x)


def multiply(x: Any, y: Any) -> Any:
    return fnp.multiply(x, y)


def _mT(x):
    return swapaxes(x, -1, -2)


def expand(x, axis):
    """``x`` with a new axis of length 1 at ``axis``."""
    shape = list(x.shape)
    shape.insert(axis % (len(shape) + 1), 1)
    return reshape(x, tuple(shape))


def squeeze_last(x):
    """``x`` without its last axis (which has length 1)."""
    return reshape(x, tuple(x.shape[:-1]))


# --- matmul -----------------------------------------------------------------
def _matmul_lhs(g, ans, a, b):
    if b.ndim == 1:
        if a.ndim == 1:
            return g * b
        return expand(g, -1) * b
    if a.ndim == 1:
        if b.ndim == 2:
            return matmul(b, g)                 # (k, n) @ (n,): one primitive
        return squeeze_last(matmul(b, expand(g, -1)))
    return matmul(g, _mT(b))


def _matmul_rhs(g, ans, a, b):
    if a.ndim == 1:
        if b.ndim == 1:
            return g * a
        return expand(a, -1) * expand(g, -2)
    if b.ndim == 1:
        if a.ndim == 2:
            return matmul(g, a)                 # (n,) @ (n, k) = a.T @ g: one primitive
        return squeeze_last(matmul(_mT(a), expand(g, -1)))
    return matmul(_mT(a), g)


_ndarray = np.ndarray


def _matmul_impl(a: Any, b: Any) -> Any:
    """``np.matmul(a, b)``; ``np.dot`` (the same product) when a Dask-like array
    meets a 1-d operand and neither has more than 2 axes: Dask's matmul makes a
    matrix of the vector and squeezes the result, a pass per chunk that its
    optimiser does not fuse (20 extra tasks per product on 20 chunks)."""
    if (type(a) is not _ndarray or type(b) is not _ndarray) and \
            (is_foreign_array(a) or is_foreign_array(b)) and \
            {getattr(a, "ndim", 0), getattr(b, "ndim", 0)} in ({1}, {1, 2}):
        return np.dot(a, b)
    return np.matmul(a, b)


matmul = primitive("matmul", _matmul_impl, _matmul_lhs, _matmul_rhs, family=F,
                   notes="Any ranks, with NumPy's 1-d promotion and batch broadcasting.")


# --- the contraction primitive ------------------------------------------------
def _interleave(operands: Sequence[Any], ins: Sequence[tuple]) -> list:
    out: list = []
    for op, labels in zip(operands, ins):
        out.append(op)
        out.append(list(labels))
    return out


def _contract_impl(*operands: Any, ins: tuple, out: tuple, native: Any = None) -> Any:
    if native is not None:
        return native(*operands)
    big = len(operands) > 2 or sum(int(getattr(op, "size", 1)) for op in operands) > 4096
    return np.einsum(*_interleave(operands, ins), list(out), optimize=big)


class _LazyCotangents:
    """The cotangents of a contraction's operands, each computed only when the
    engine asks for it (constant operands cost nothing)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Any) -> None:
        self.fn = fn

    def __getitem__(self, k: int) -> Any:
        return self.fn(k)


def _label_sizes(operands: Sequence[Any], ins: Sequence[tuple]) -> dict:
    sizes: dict = {}
    for op, labels in zip(operands, ins):
        for lab, n in zip(labels, shape_of(op)):
            if n != 1 or lab not in sizes:
                sizes[lab] = n
    return sizes


def _contract_operand_ct(k: int, g: Any, operands: tuple, ins: tuple, out: tuple) -> Any:
    """The cotangent of operand ``k``: an einsum of ``g`` with the others.

    Labels of operand ``k`` found nowhere else are summed in the forward
    pass, so their cotangent is constant along them (a ones operand);
    repeated labels (a diagonal, ``"ii->i"``) put the cotangent on the
    diagonal (an identity operand); labels of length 1 that broadcast are
    summed back by the engine's ``fit``.
    """
    mine = ins[k]
    sizes = _label_sizes(operands, ins)
    own_sizes = dict(zip(mine, shape_of(operands[k])))
    terms: list = [(g, tuple(out))]
    for j, (op, labels) in enumerate(zip(operands, ins)):
        if j != k:
            terms.append((op, tuple(labels)))
    available = set(out)
    for j, labels in enumerate(ins):
        if j != k:
            available.update(labels)
    used = set(sizes) | set(mine)
    fresh = (lab for lab in range(52) if lab not in used)
    dtype = np.result_type(*[dtype_of(op) for op in operands])
    target = []
    seen: set = set()
    for lab in mine:
        if lab in seen:
            # A repeated label: a diagonal. Give this position a fresh label
            # tied to the first by an identity matrix.
            new = next(fresh)
            used.add(new)
            n = own_sizes[lab]
            terms.append((np.eye(n, dtype=dtype), (lab, new)))
            target.append(new)
            continue
        seen.add(lab)
        target.append(lab)
        if lab not in available:
            terms.append((np.ones(own_sizes[lab], dtype=dtype), (lab,)))
            available.add(lab)
    ops = [t[0] for t in terms]
    labs = tuple(t[1] for t in terms)
    return _contract(*ops, ins=labs, out=tuple(target))


def _contract_rule(g, ans, *operands, ins, out, native=None):
    return _LazyCotangents(lambda k: _contract_operand_ct(k, g, operands, ins, out))


_contract = joint_primitive("einsum", _contract_impl, _contract_rule, family=F,
                            register_as="_contract",
                            notes="Contraction in einsum sublist form; see products.py.")


def _labels(n: int, start: int = 0) -> tuple:
    return tuple(range(start, start + n))


# --- einsum -----------------------------------------------------------------
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_subscripts(subscripts: str, shapes: Sequence[tuple]) -> tuple:
    """``(ins, out)`` integer labels for an einsum subscripts string, with
    each ellipsis expanded to labels aligned from the right, and NumPy's
    implicit output (ellipsis dimensions, then the labels used once, in
    ASCII order)."""
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        lhs, rhs = subscripts.split("->")
    else:
        lhs, rhs = subscripts, None
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: {len(terms)} operand subscripts given for "
                         f"{len(shapes)} operands")
    letters = sorted({c for c in subscripts if c.isalpha()})
    code = {c: i for i, c in enumerate(letters)}
    ell_ndims = []
    for term, shape in zip(terms, shapes):
        if "..." in term:
            ell_ndims.append(len(shape) - (len(term) - 3))
            if ell_ndims[-1] < 0:
                raise ValueError(f"einsum: operand has fewer dimensions than subscripts {term!r}")
        else:
            if len(term) != len(shape):
                raise ValueError(f"einsum: subscripts {term!r} do not match an operand of "
                                 f"shape {tuple(shape)}")
            ell_ndims.append(0)
    n_ell = max(ell_ndims, default=0)
    ell = _labels(n_ell, len(letters))
    if len(letters) + n_ell > 52:
        raise ValueError("einsum: too many distinct indices (at most 52)")

    def expand_term(term: str, ndim_ell: int) -> tuple:
        if "..." in term:
            before, after = term.split("...")
            return (tuple(code[c] for c in before) + ell[n_ell - ndim_ell:]
                    + tuple(code[c] for c in after))
        return tuple(code[c] for c in term)

    ins = tuple(expand_term(t, e) for t, e in zip(terms, ell_ndims))
    if rhs is None:
        counts: dict = {}
        for t in terms:
            for c in t.replace("...", ""):
                counts[c] = counts.get(c, 0) + 1
        out = ell + tuple(code[c] for c in sorted(c for c, n in counts.items() if n == 1))
    else:
        if "..." not in rhs and n_ell and any(
                shapes[i][j] != 1 for i, t in enumerate(terms) if "..." in t
                for j in range(len(t.split("...")[0]), len(t.split("...")[0]) + ell_ndims[i])):
            raise ValueError("output has more dimensions than subscripts given in einstein "
                             "sum, but no '...' ellipsis provided to broadcast the extra "
                             "dimensions.")
        out = expand_term(rhs, n_ell) if "..." in rhs else tuple(code[c] for c in rhs)
    return ins, out


def _sublist_to_string(args: Sequence[Any]) -> tuple:
    """Convert einsum's interleaved form ``(op, sublist, op, sublist, ...[, out])``
    to ``(subscripts, operands)``."""
    args = list(args)
    out = args.pop() if len(args) % 2 == 1 else None
    operands = args[0::2]

    def letters(sub: Sequence[Any]) -> str:
        return "".join("..." if s is Ellipsis else _LETTERS[int(s)] for s in sub)

    subscripts = ",".join(letters(s) for s in args[1::2])
    if out is not None:
        subscripts += "->" + letters(out)
    return subscripts, operands


def einsum(*operands: Any, out: None = None, optimize: Any = False, **kwargs: Any) -> Any:
    """Differentiable ``numpy.einsum``: any subscripts, ellipses, implicit
    output, repeated indices (``"ii->i"``, ``"ii"``), any number of operands,
    and the interleaved ``(op, sublist, ...)`` form.

    The value is NumPy's; the gradient of each operand is an einsum of the
    output cotangent with the other operands.

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> a = np.arange(6.0).reshape(2, 3)
    >>> funcgrad.grad(lambda m: fnp.einsum("ij,ij->", m, m))(a)
    array([[ 0.,  2.,  4.],
           [ 6.,  8., 10.]])
    >>> funcgrad.grad(lambda m: fnp.einsum("ii", m))(np.ones((2, 2)))
    array([[1., 0.],
           [0., 1.]])
    """
    if out is not None:
        raise TypeError("funcgrad.numpy.einsum does not support out=: use the returned value")
    if isinstance(operands[0], str):
        subscripts, ops = operands[0], list(operands[1:])
    else:
        subscripts, ops = _sublist_to_string(operands)
    shapes = [tuple(shape_of(op)) for op in ops]
    ins, res = _parse_subscripts(subscripts, shapes)
    extra = dict(kwargs, optimize=optimize)

    def native(*vals: Any) -> Any:
        return np.einsum(subscripts, *vals, **extra)

    return _contract(*ops, ins=ins, out=res, native=native)


register("einsum", einsum, F, notes="Any subscripts (ellipsis, implicit output, repeated "
         "indices, several operands); the gradient is an einsum with permuted subscripts.")


# --- dot, inner, vdot, outer, tensordot ----------------------------------------
def _is_scalar(x: Any) -> bool:
    return len(shape_of(x)) == 0


def dot(a: Any, b: Any, out: None = None) -> Any:
    """Differentiable ``numpy.dot`` with NumPy's rules for every rank: a
    product for 0-d operands, the inner product of vectors, the matrix
    product, and for N-d ``a`` the sum over the last axis of ``a`` and the
    second-to-last axis of ``b`` (the last, if ``b`` is 1-d).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda v: fnp.dot(v, v))(np.array([1.0, 2.0]))
    array([2., 4.])
    """
    if out is not None:
        raise TypeError("funcgrad.numpy.dot does not support out=: use the returned value")
    if _is_scalar(a) or _is_scalar(b):
        return multiply(a, b)
    na, nb = len(shape_of(a)), len(shape_of(b))
    la = _labels(na)
    lb = list(_labels(nb, na))
    summed = la[-1]
    pos = nb - 2 if nb >= 2 else 0
    lb[pos] = summed
    res = la[:-1] + tuple(lab for i, lab in enumerate(lb) if i != pos)
    return _contract(a, b, ins=(la, tuple(lb)), out=res, native=np.dot)


def inner(a: Any, b: Any) -> Any:
    """Differentiable ``numpy.inner``: the sum over the last axes (a product
    if either operand is 0-d).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> fnp.inner(np.ones((2, 3)), np.arange(3.0))
    array([3., 3.])
    """
    if _is_scalar(a) or _is_scalar(b):
        return multiply(a, b)
    na, nb = len(shape_of(a)), len(shape_of(b))
    la = _labels(na)
    lb = _labels(nb - 1, na) + (la[-1],)
    return _contract(a, b, ins=(la, lb), out=la[:-1] + lb[:-1], native=np.inner)


def vdot(a: Any, b: Any) -> Any:
    """Differentiable ``numpy.vdot``: both operands flattened, the first
    conjugated, then the inner product.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.vdot(np.array([1j, 2.0]), np.array([1j, 1.0]))
    np.complex128(3+0j)
    """
    fa = reshape(a, (-1,))
    fb = reshape(b, (-1,))
    if dtype_of(a).kind == "c":
        fa = conjugate(fa)
    return _contract(fa, fb, ins=((0,), (0,)), out=(), native=np.dot)


def outer(a: Any, b: Any, out: None = None) -> Any:
    """Differentiable ``numpy.outer``: both operands flattened, then
    ``result[i, j] = a[i] * b[j]``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.outer(np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])).shape
    (2, 3)
    """
    if out is not None:
        raise TypeError("funcgrad.numpy.outer does not support out=: use the returned value")
    return _contract(reshape(a, (-1,)), reshape(b, (-1,)), ins=((0,), (1,)), out=(0, 1),
                     native=np.outer)


def _tensordot_axes(axes: Any, na: int, nb: int) -> tuple:
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        return tuple(range(na - n, na)), tuple(range(n))
    axes_a, axes_b = axes
    axes_a = (axes_a,) if isinstance(axes_a, (int, np.integer)) else tuple(axes_a)
    axes_b = (axes_b,) if isinstance(axes_b, (int, np.integer)) else tuple(axes_b)
    if len(axes_a) != len(axes_b):
        raise ValueError("shape-mismatch for sum")
    return tuple(int(x) % na for x in axes_a), tuple(int(x) % nb for x in axes_b)


def tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
    """Differentiable ``numpy.tensordot``: ``axes`` an int N (the last N axes
    of ``a`` with the first N of ``b``) or a pair of axis sequences.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.tensordot(np.ones((2, 3, 4)), np.ones((3, 4, 5)), axes=2).shape
    (2, 5)
    >>> fnp.tensordot(np.ones((2, 3)), np.ones((3, 2)), axes=([0, 1], [1, 0]))
    array(6.)
    """
    na, nb = len(shape_of(a)), len(shape_of(b))
    axes_a, axes_b = _tensordot_axes(axes, na, nb)
    la = _labels(na)
    lb = list(_labels(nb, na))
    for i, j in zip(axes_a, axes_b):
        lb[j] = la[i]
    res = (tuple(lab for i, lab in enumerate(la) if i not in axes_a)
           + tuple(lab for j, lab in enumerate(lb) if j not in axes_b))
    return _contract(a, b, ins=(la, tuple(lb)), out=res,
                     native=lambda x, y: np.tensordot(x, y, axes))


# --- vecdot, matvec, vecmat (NumPy 2 gufuncs) ------------------------------------
def _is_complex(x: Any) -> bool:
    return dtype_of(x).kind == "c"


def _broadcast_labels(sa: tuple, sb: tuple, core_a: int, core_b: int, start: int) -> tuple:
    """Labels for the batch (loop) dimensions of two gufunc operands."""
    ba, bb = len(sa) - core_a, len(sb) - core_b
    nbatch = max(ba, bb)
    batch = _labels(nbatch, start)
    return batch[nbatch - ba:], batch[nbatch - bb:], batch


def vecdot(x1: Any, x2: Any, /, *, axis: int = -1, **kwargs: Any) -> Any:
    """Differentiable ``numpy.vecdot``: ``sum(conj(x1) * x2)`` over ``axis``,
    broadcasting the other dimensions.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.vecdot(np.ones((2, 3)), np.arange(3.0))
    array([3., 3.])
    """
    s1, s2 = tuple(shape_of(x1)), tuple(shape_of(x2))
    if _is_complex(x1):
        x1 = conjugate(x1)
    x1 = swapaxes(x1, axis, -1) if axis not in (-1, len(s1) - 1) else x1
    x2 = swapaxes(x2, axis, -1) if axis not in (-1, len(s2) - 1) else x2
    l1, l2, batch = _broadcast_labels(s1, s2, 1, 1, 1)
    return _contract(x1, x2, ins=(l1 + (0,), l2 + (0,)), out=batch)


def matvec(x1: Any, x2: Any, /, **kwargs: Any) -> Any:
    """Differentiable ``numpy.matvec``: matrix-vector products over broadcast
    batch dimensions, ``(..., m, n), (..., n) -> (..., m)``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.matvec(np.eye(2), np.array([1.0, 2.0]))
    array([1., 2.])
    """
    s1, s2 = tuple(shape_of(x1)), tuple(shape_of(x2))
    l1, l2, batch = _broadcast_labels(s1, s2, 2, 1, 2)
    return _contract(x1, x2, ins=(l1 + (0, 1), l2 + (1,)), out=batch + (0,))


def vecmat(x1: Any, x2: Any, /, **kwargs: Any) -> Any:
    """Differentiable ``numpy.vecmat``: ``conj(x1) @ x2`` over broadcast batch
    dimensions, ``(..., m), (..., m, n) -> (..., n)``.

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.vecmat(np.array([1.0, 2.0]), np.eye(2))
    array([1., 2.])
    """
    s1, s2 = tuple(shape_of(x1)), tuple(shape_of(x2))
    if _is_complex(x1):
        x1 = conjugate(x1)
    l1, l2, batch = _broadcast_labels(s1, s2, 1, 2, 2)
    return _contract(x1, x2, ins=(l1 + (0,), l2 + (0, 1)), out=batch + (1,))


register("dot", dot, F, notes="NumPy's rules for every rank combination.")
register("inner", inner, F)
register("vdot", vdot, F, notes="Conjugates (and flattens) its first argument.")
if "outer" not in REGISTRY:
    register("outer", outer, F, notes="Flattens both operands.")
register("tensordot", tensordot, F, notes="axes: an int or a pair of axis sequences.")
register("vecdot", vecdot, F, notes="Conjugates its first argument.")
register("matvec", matvec, F)
register("vecmat", vecmat, F, notes="Conjugates its first argument.")


# --- linalg.multi_dot, linalg.matrix_power ---------------------------------------
def _chain_order(dims: Sequence[int]) -> list:
    """The cheapest parenthesization of a matrix chain (dynamic programming);
    ``split[i][j]`` is where the product of matrices i..j is split."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            best = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if best is None or c < best:
                    best, split[i][j] = c, k
            cost[i][j] = best
    return split


def multi_dot(arrays: Sequence[Any], *, out: None = None) -> Any:
    """Differentiable ``numpy.linalg.multi_dot``: the product of a chain of
    matrices, evaluated in the cheapest order; the first array may be 1-d (a
    row vector) and the last 1-d (a column vector).

    >>> import funcgrad.numpy as fnp, numpy as np
    >>> fnp.linalg.multi_dot([np.ones(2), np.ones((2, 3)), np.ones((3, 4))]).shape
    (4,)
    """
    if out is not None:
        raise TypeError("funcgrad.numpy.linalg.multi_dot does not support out=: use the "
                        "returned value")
    arrays = list(arrays)
    if len(arrays) < 2:
        raise ValueError("Expecting at least two arrays.")
    if len(arrays) == 2:
        return dot(arrays[0], arrays[1])
    first_1d = len(shape_of(arrays[0])) == 1
    last_1d = len(shape_of(arrays[-1])) == 1
    if first_1d:
        arrays[0] = reshape(arrays[0], (1, -1))
    if last_1d:
        arrays[-1] = reshape(arrays[-1], (-1, 1))
    for a in arrays:
        if len(shape_of(a)) != 2:
            raise ValueError("multi_dot: every array but the first and last must be 2-d")
    dims = [shape_of(a)[0] for a in arrays] + [shape_of(arrays[-1])[1]]
    split = _chain_order(dims)

    def product(i: int, j: int) -> Any:
        if i == j:
            return arrays[i]
        k = split[i][j]
        return dot(product(i, k), product(k + 1, j))

    result = product(0, len(arrays) - 1)
    if first_1d and last_1d:
        return reshape(result, ())
    if first_1d:
        return reshape(result, (-1,))
    if last_1d:
        return reshape(result, tuple(shape_of(result)[:-1]))
    return result


def matrix_power(a: Any, n: int) -> Any:
    """Differentiable ``numpy.linalg.matrix_power``: ``a`` (a stack of square
    matrices) to the integer power ``n`` by repeated squaring; negative
    powers invert first, and ``n == 0`` gives identities (zero gradient).

    >>> import funcgrad, funcgrad.numpy as fnp, numpy as np
    >>> funcgrad.grad(lambda m: fnp.einsum("ii", fnp.linalg.matrix_power(m, 3)))(np.eye(2))
    array([[3., 0.],
           [0., 3.]])
    """
    n = int(n) if not isinstance(n, (int, np.integer)) else n
    shape = tuple(shape_of(a))
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise np.linalg.LinAlgError("Last 2 dimensions of the array must be square")
    if n == 0:
        return np.broadcast_to(np.eye(shape[-1], dtype=dtype_of(a)), shape).copy()
    if n < 0:
        from .linalg._basic import inv
        a = inv(a)
        n = -n
    if n == 1:
        return a
    if n == 2:
        return matmul(a, a)
    if n == 3:
        return matmul(matmul(a, a), a)
    result = None
    square = a
    while n > 0:
        if n & 1:
            result = square if result is None else matmul(result, square)
        n >>= 1
        if n:
            square = matmul(square, square)
    return result


register("linalg.multi_dot", multi_dot, F, notes="Evaluated in the cheapest order.")
register("linalg.matrix_power", matrix_power, F,
         notes="Repeated squaring; negative powers through inv; n == 0 is a constant.")
alias("linalg.matmul", "matmul")
alias("linalg.tensordot", "tensordot")
alias("linalg.vecdot", "vecdot")
if REGISTRY.get("outer") is not None and REGISTRY["outer"].fn is outer:
    alias("linalg.outer", "outer")


# --- JVP rules (forward mode) -----------------------------------------------
# Products are linear in each operand: the product rule.
defjvp_multilinear(matmul)
defjvp_multilinear(_contract)

# --- batching rules (vmap) ------------------------------------------------
from .._core import defbatch as _defbatch  # noqa: E402
from . import _batching as _B  # noqa: E402

_defbatch(_B.matmul, matmul)
_defbatch(_B.contract, _contract)
