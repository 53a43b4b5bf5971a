"""Specs for products (matmul, dot, einsum, ...) and numpy.linalg.

Matrices are drawn well conditioned: SPD as ``A A^T + n I``, general square
as ``I * n + small noise``, distinct eigenvalues / singular values where
eigenvector or singular-vector gradients are checked.
"""
from __future__ import annotations

import numpy as np
from hypothesis import assume, strategies as st

from .specs import Spec, arrays

_ELEMS = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False, width=64)


def _arr(shape):
    return arrays(tuple(shape))


# --- products ------------------------------------------------------------------
@st.composite
def _matmul_args(d):
    """Every rank combination matmul accepts, batch dims broadcasting."""
    ra, rb = d(st.sampled_from([(1, 1), (1, 2), (2, 1), (2, 2), (3, 2), (2, 3), (3, 3), (1, 3),
                                (3, 1)]))
    n, m, k = d(st.integers(1, 3)), d(st.integers(1, 3)), d(st.integers(1, 3))
    batch_a = tuple(d(st.sampled_from([1, 2])) for _ in range(max(ra - 2, 0)))
    batch_b = (2,) * max(rb - 2, 0)
    sa = (k,) if ra == 1 else batch_a + (n, k)
    sb = (k,) if rb == 1 else batch_b + (k, m)
    return (d(_arr(sa)), d(_arr(sb))), {}


@st.composite
def _dot_args(d):
    """Every rank combination of numpy.dot, 0-d included."""
    ra, rb = d(st.sampled_from([(0, 0), (0, 2), (2, 0), (1, 1), (1, 2), (2, 1), (2, 2), (3, 1),
                                (3, 2), (1, 3), (2, 3), (3, 3)]))
    k = d(st.integers(1, 3))

    def shape(r, contracted_at):
        if r == 0:
            return ()
        s = [d(st.integers(1, 3)) for _ in range(r)]
        s[contracted_at % r] = k
        return tuple(s)
    sa = shape(ra, -1)
    sb = shape(rb, -2 if rb >= 2 else -1)
    return (d(_arr(sa)), d(_arr(sb))), {}


@st.composite
def _inner_args(d):
    ra, rb = d(st.sampled_from([(0, 1), (1, 1), (2, 1), (1, 2), (2, 2), (3, 1)]))
    k = d(st.integers(1, 3))
    sa = () if ra == 0 else tuple(d(st.integers(1, 3)) for _ in range(ra - 1)) + (k,)
    sb = tuple(d(st.integers(1, 3)) for _ in range(rb - 1)) + (k,)
    return (d(_arr(sa)), d(_arr(sb))), {}


@st.composite
def _tensordot_args(d):
    kind = d(st.sampled_from(["int0", "int1", "int2", "pairs"]))
    if kind == "pairs":
        a = d(_arr((2, 3, 1)))
        b = d(_arr((3, 2, 2)))
        return (a, b), {"axes": ([1, 0], [0, 2])}
    n = int(kind[-1])
    a = d(_arr((2,) + (3,) * n))
    b = d(_arr((3,) * n + (2,)))
    return (a, b), {"axes": n}


_EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 2)]),
    ("ij,jk", [(2, 3), (3, 1)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->ji", [(2, 3)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 2)]),
    ("...i,...i", [(2, 1, 3), (2, 3)]),
    ("i,j,k->ijk", [(2,), (3,), (2,)]),
    ("bij,bjk,bkl->bil", [(2, 2, 2), (2, 2, 3), (1, 3, 2)]),
    ("iij->j", [(2, 2, 3)]),
    ("ij,ij->i", [(1, 3), (2, 3)]),
]


@st.composite
def _vdot_args(d):
    """Two arrays of equal size and possibly different shapes."""
    shape = d(st.sampled_from([(1,), (3,), (2, 3), (3, 2), (6,), (1, 2, 3)]))
    other = d(st.sampled_from([s for s in [(1,), (3,), (6,), (2, 3), (3, 1), (1, 6)]
                               if int(np.prod(s)) == int(np.prod(shape))] or [shape]))
    return (d(_arr(shape)), d(_arr(other))), {}


def _einsum_spec():
    # argnums depend on the operand count; one spec per arity.
    specs = []
    for arity in (1, 2, 3):
        cases = [c for c in _EINSUM_CASES if len(c[1]) == arity]

        @st.composite
        def draw(d, cases=cases):
            sub, shapes = d(st.sampled_from(cases))
            return (sub,) + tuple(d(_arr(s)) for s in shapes), {}
        specs.append(Spec(draw(), argnums=tuple(range(1, arity + 1))))
    return specs


@st.composite
def _multi_dot_args(d):
    n = d(st.integers(3, 4))
    dims = [d(st.integers(1, 3)) for _ in range(n + 1)]
    arrs = [d(_arr((dims[i], dims[i + 1]))) for i in range(n)]
    if d(st.booleans()):
        arrs[0] = arrs[0][0]
    if d(st.booleans()):
        arrs[-1] = arrs[-1][:, 0]
    return (arrs,), {}


@st.composite
def _matrix_power_args(d):
    n = d(st.sampled_from([-2, -1, 1, 2, 3, 4]))
    k = d(st.integers(1, 3))
    batch = d(st.sampled_from([(), (2,)]))
    a = d(_arr(batch + (k, k))) * 0.3 + np.eye(k)
    return (a, n), {}


@st.composite
def _gufunc_args(d, core_a, core_b):
    k, m = d(st.integers(1, 3)), d(st.integers(1, 3))
    ba = d(st.sampled_from([(), (2,), (1, 2)]))
    bb = d(st.sampled_from([(), (2,)]))
    sizes = {"n": k, "m": m}
    sa = ba + tuple(sizes[c] for c in core_a)
    sb = bb + tuple(sizes[c] for c in core_b)
    return (d(_arr(sa)), d(_arr(sb))), {}


SPECS: dict = {
    "dot": Spec(_dot_args(), argnums=(0, 1)),
    "inner": Spec(_inner_args(), argnums=(0, 1)),
    "vdot": Spec(_vdot_args(), argnums=(0, 1)),
    "outer": Spec(_inner_args(), argnums=(0, 1)),
    "tensordot": Spec(_tensordot_args(), argnums=(0, 1)),
    "einsum": _einsum_spec(),
    "vecdot": Spec(_gufunc_args("n", "n"), argnums=(0, 1)),
    "matvec": Spec(_gufunc_args("mn", "n"), argnums=(0, 1)),
    "vecmat": Spec(_gufunc_args("n", "nm"), argnums=(0, 1)),
    "linalg.multi_dot": Spec(_multi_dot_args(), argnums=(0,)),
    "linalg.matrix_power": Spec(_matrix_power_args()),
}


# --- numpy.linalg ----------------------------------------------------------------
_BATCH = st.sampled_from([(), (), (2,)])


@st.composite
def _general(d, n=None, batch=True):
    """Square, well conditioned: 2 I + 0.3 * noise."""
    n = d(st.integers(1, 3)) if n is None else n
    b = d(_BATCH) if batch else ()
    return 2.0 * np.eye(n) + 0.3 * d(_arr(b + (n, n)))


@st.composite
def _spd(d, n=None, batch=True):
    """Symmetric positive definite: X X^T + n I."""
    n = d(st.integers(1, 3)) if n is None else n
    b = d(_BATCH) if batch else ()
    x = d(_arr(b + (n, n)))
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


_DENSE = np.array([[1.0, 2.0, 0.5, -1.0], [-0.6, 1.3, 2.0, 0.7], [0.3, -2.0, 1.1, 1.5],
                   [0.8, 0.4, -1.2, 2.0]])


@st.composite
def _orthogonal(d, n):
    """Orthogonal with no entry near 0 (so eigenvector and singular-vector
    signs chosen by LAPACK do not flip under finite-difference steps)."""
    x = _DENSE[:n, :n] + 0.1 * d(_arr((n, n)))
    return np.linalg.qr(x)[0]


def _eigenvector_signs(result):
    """``(w, v)`` with each eigenvector's largest entry positive: LAPACK's
    sign choice depends on which triangle it reads (funcgrad symmetrizes
    and reads the lower one), so values are compared up to these signs."""
    w, v = (np.asarray(getattr(r, "_value", r)) for r in result)
    big = np.take_along_axis(v, np.argmax(np.abs(v), axis=-2)[..., None, :], axis=-2)
    return w, v * np.sign(big)


@st.composite
def _distinct_eigs(d, n=None, batch_done=False):
    """Symmetric with eigenvalues at least 0.5 apart: Q diag(w) Q^T; sometimes
    a stack of two."""
    n = d(st.integers(1, 3)) if n is None else n
    if not batch_done and d(st.integers(0, 3)) == 0:
        return np.stack([d(_distinct_eigs(n, batch_done=True)) for _ in range(2)])
    q = d(_orthogonal(n))
    w = np.arange(n) * 1.0 + d(arrays((n,), 0.0, 0.5)) + 0.5
    return (q * w) @ q.T


@st.composite
def _distinct_svals(d, m=None, n=None, batch_done=False):
    """m x n with singular values at least 0.5 apart: U diag(s) V^T."""
    m = d(st.integers(1, 4)) if m is None else m
    n = d(st.integers(1, 4)) if n is None else n
    if not batch_done and d(st.integers(0, 3)) == 0:
        return np.stack([d(_distinct_svals(m, n, batch_done=True)) for _ in range(2)])
    k = min(m, n)
    u = d(_orthogonal(m))[:, :k]
    v = d(_orthogonal(n))[:, :k]
    s = (k - np.arange(k)) * 1.0 + d(arrays((k,), 0.0, 0.4)) + 0.3
    return (u * s) @ v.T


@st.composite
def _full_rank(d):
    """Tall, square or wide and well conditioned."""
    m, n = d(st.sampled_from([(3, 2), (2, 2), (2, 3), (4, 3), (1, 2)]))
    return d(_distinct_svals(m, n))


def _one(strategy, **kwargs):
    return strategy.map(lambda a: ((a,), dict(kwargs)))


def _numpy2_solve():
    """numpy.linalg.solve with NumPy 2's rule for b (a vector only when 1-d);
    NumPy 1.x reads b as a stack of vectors when b.ndim == a.ndim - 1, so
    there b is broadcast to a's batch shape first (matrices for both rules)."""
    if int(np.__version__.split(".")[0]) >= 2:
        return None

    def solve(a, b):
        vector = b.ndim == 1
        bm = b[:, None] if vector else b
        batch = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
        x = np.linalg.solve(np.broadcast_to(a, batch + a.shape[-2:]),
                            np.broadcast_to(bm, batch + bm.shape[-2:]))
        return x[..., 0] if vector else x
    return solve


@st.composite
def _solve_args(d):
    a = d(_general())
    n = a.shape[-1]
    kind = d(st.sampled_from(["vector", "matrix", "batched"]))
    if kind == "vector":
        b = d(_arr((n,)))
    elif kind == "matrix":
        b = d(_arr((n, d(st.integers(1, 2)))))
    else:
        b = d(_arr((2, n, 1)))
    return (a, b), {}


@st.composite
def _qr_args(d):
    mode = d(st.sampled_from(["reduced", "r", "complete"]))
    m, n = d(st.sampled_from([(3, 2), (2, 2), (2, 3), (3, 3)] if mode != "complete"
                             else [(2, 2), (2, 3), (1, 3)]))
    return (d(_distinct_svals(m, n)),), {"mode": mode}


@st.composite
def _svd_args(d):
    kind = d(st.sampled_from(["reduced", "square", "values"]))
    if kind == "square":
        n = d(st.integers(1, 3))
        return (d(_distinct_svals(n, n)),), {}
    a = d(_distinct_svals())
    if kind == "values":
        return (a,), {"compute_uv": False}
    return (a,), {"full_matrices": False}


@st.composite
def _lstsq_args(d):
    m, n = d(st.sampled_from([(3, 2), (2, 2), (4, 2), (3, 1)]))
    a = d(_distinct_svals(m, n, batch_done=True))
    b = d(_arr((m,) if d(st.booleans()) else (m, 2)))
    return (a, b), {}


@st.composite
def _kinkless(d, shape):
    """Elements with |x| in [0.2, 2], random signs, distinct absolute values
    (no kinks of |x|, no ties of max/min)."""
    size = int(np.prod(shape))
    mags = 0.2 + 1.8 * (np.arange(size) + d(arrays((size,), 0.05, 0.6))) / max(size, 1)
    perm = d(st.permutations(range(size)))
    signs = np.where(d(hnp_bools(size)), 1.0, -1.0)
    return (mags[list(perm)] * signs).reshape(shape)


def hnp_bools(size):
    from hypothesis.extra import numpy as hnp
    return hnp.arrays(bool, (size,))


@st.composite
def _vector_norm_args(d):
    ord = d(st.sampled_from([None, 1, 2, np.inf, -np.inf, 3, 0.5, 0]))
    shape = d(st.sampled_from([(3,), (1,), (2, 3), (4,)]))
    x = d(_kinkless(shape))
    if len(shape) == 1 or d(st.booleans()):
        return (x,), {"ord": ord} if len(shape) == 1 else {"ord": ord, "axis": -1,
                                                            "keepdims": d(st.booleans())}
    return (x,), {"ord": ord, "axis": 0}


@st.composite
def _matrix_norm_args(d):
    ord = d(st.sampled_from([None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]))
    if ord in ("nuc", 2, -2):
        x = d(_distinct_svals(batch_done=True))
    else:
        x = d(_kinkless(d(st.sampled_from([(2, 3), (3, 2), (2, 2)]))))
        if ord in (1, -1, np.inf, -np.inf):  # no tie between column or row sums: a kink
            for axis in (0, 1):  # (the stacked case below reads x transposed)
                assume(np.all(np.diff(np.sort(np.abs(x).sum(axis=axis))) > 0.05))
    if d(st.booleans()):
        return (x,), {"ord": ord}
    x3 = np.stack([x, 1.5 * x[::-1, ::-1]], axis=1)
    return (x3,), {"ord": ord, "axis": (2, 0), "keepdims": d(st.booleans())}


@st.composite
def _eig_args(d):
    """Dense, with real eigenvalues at least 0.5 apart: S diag(w) S^{-1}
    (a dense S keeps LAPACK's eigenvalue order and eigenvector signs stable
    under finite-difference steps)."""
    n = d(st.integers(1, 3))
    s = _DENSE[:n, :n] + 0.1 * d(_arr((n, n)))
    w = np.arange(1.0, n + 1) + d(arrays((n,), 0.0, 0.4))
    return ((s * w) @ np.linalg.inv(s),), {}


@st.composite
def _tensorsolve_args(d):
    a = d(_general(6, batch=False)).reshape(6, 2, 3)
    return (a, d(_arr((6,)))), {}


@st.composite
def _cross_args(d):
    s1 = d(st.sampled_from([(3,), (2, 3), (1, 3)]))
    s2 = d(st.sampled_from([(3,), (2, 3)]))
    return (d(_arr(s1)), d(_arr(s2))), {}


def _triangle_args():
    return st.tuples(_arr((2, 3, 4)) if False else arrays((2, 3, 4)),
                     st.sampled_from([-1, 0, 1, 2])).map(lambda t: ((t[0],), {"offset": t[1]}))


SPECS.update({
    "linalg.inv": Spec(_one(_general())),
    "linalg.solve": Spec(_solve_args(), argnums=(0, 1), reference=_numpy2_solve()),
    "linalg.det": Spec(_one(_general())),
    "linalg.slogdet": Spec(_one(_general())),
    "linalg.cholesky": [Spec(_one(_spd())), Spec(_one(_spd(), upper=True))],
    "linalg.eigh": [Spec(_one(_distinct_eigs()), canonical=_eigenvector_signs),
                    Spec(_one(_distinct_eigs(), UPLO="U"), canonical=_eigenvector_signs)],
    "linalg.eigvalsh": Spec(_one(_distinct_eigs())),
    "linalg.svd": Spec(_svd_args()),
    "linalg.svdvals": Spec(_one(_distinct_svals())),
    "linalg.qr": Spec(_qr_args()),
    "linalg.eig": Spec(_eig_args()),
    "linalg.eigvals": Spec(_eig_args()),
    "linalg.pinv": Spec(_one(_full_rank())),
    "linalg.lstsq": Spec(_lstsq_args(), argnums=(0, 1)),
    "linalg.norm": [Spec(_vector_norm_args()), Spec(_matrix_norm_args())],
    "linalg.vector_norm": Spec(_vector_norm_args().map(
        lambda t: (t[0], {"ord": 2 if t[1]["ord"] is None else t[1]["ord"],
                          **{k: v for k, v in t[1].items() if k != "ord"}}))),
    "linalg.matrix_norm": Spec(_matrix_norm_args().filter(lambda t: "axis" not in t[1]).map(
        lambda t: (t[0], {"ord": "fro" if t[1]["ord"] is None else t[1]["ord"]}))),
    "linalg.cond": [Spec(_one(_distinct_svals(2, 2))),
                    Spec(st.tuples(_kinkless((2, 2)), st.sampled_from([1, np.inf, "fro"])).map(
                        lambda t: ((np.diag([2.0, 3.1]) + 0.3 * t[0],), {"p": t[1]})))],
    "linalg.tensorinv": Spec(_one(_general(4, batch=False).map(lambda a: a.reshape(4, 2, 2)),
                                  ind=1)),
    "linalg.tensorsolve": Spec(_tensorsolve_args(), argnums=(0, 1)),
    "linalg.matrix_transpose": Spec(_one(arrays((2, 3, 1)))),
    "linalg.diagonal": Spec(_triangle_args()),
    "linalg.trace": Spec(_triangle_args()),
    "linalg.cross": Spec(_cross_args(), argnums=(0, 1)),
})


SPECS["matmul"] = Spec(_matmul_args(), argnums=(0, 1))
