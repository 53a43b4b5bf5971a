"""Shape and assembly functions beyond the registry walk: plain-NumPy calls on
traced values, ndarray methods, third-order gradients, documented conventions
(sort ties, interp knots) and errors."""
import numpy as np
import pytest

import funcgrad
import funcgrad.numpy as fnp
from funcgrad.testing import check_grads
from tests.doctests import run as run_doctests

from .specs import lacks, numpy_function

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4))
V = RNG.standard_normal(5)

# (call written with plain numpy on a traced x, same call on plain values)
PLAIN_CALLS = {
    "reshape": lambda x: np.reshape(x, (4, -1)),
    "ravel": lambda x: np.ravel(x, order="F"),
    "transpose": lambda x: np.transpose(x, (-1, 0)),
    "moveaxis": lambda x: np.moveaxis(x[None], 0, -1),
    "swapaxes": lambda x: np.swapaxes(x, 0, -1),
    "squeeze": lambda x: np.squeeze(x[:, :1], axis=-1),
    "expand_dims": lambda x: np.expand_dims(x, (0, -1)),
    "broadcast_to": lambda x: np.broadcast_to(x[:1], (2, 3, 4)),
    "broadcast_arrays": lambda x: np.broadcast_arrays(x, x[:1] ** 2)[1],
    "atleast_3d": lambda x: np.atleast_3d(x),
    "concatenate": lambda x: np.concatenate([x, x[:1]], axis=None),
    "stack": lambda x: np.stack([x, 2 * x], axis=-1),
    "hstack": lambda x: np.hstack([x, x[:, :1]]),
    "vstack": lambda x: np.vstack([x, x[0]]),
    "dstack": lambda x: np.dstack([x, x]),
    "column_stack": lambda x: np.column_stack([x[0], x[1]]),
    "split": lambda x: np.split(x, [1, 3], axis=1)[1],
    "array_split": lambda x: np.array_split(x, 3, axis=-1)[0],
    "hsplit": lambda x: np.hsplit(x, 2)[1],
    "vsplit": lambda x: np.vsplit(x, [2])[0],
    "tile": lambda x: np.tile(x, (2, 1, 2)),
    "repeat": lambda x: np.repeat(x, [1, 0, 2], axis=0),
    "flip": lambda x: np.flip(x, -1),
    "fliplr": lambda x: np.fliplr(x),
    "flipud": lambda x: np.flipud(x),
    "roll": lambda x: np.roll(x, (1, -2), axis=(0, 1)),
    "rot90": lambda x: np.rot90(x, -1),
    "pad": lambda x: np.pad(x, ((1, 0), (2, 3)), mode="symmetric"),
    "pad_ramp_mean": lambda x: np.pad(np.pad(x, 1, mode="linear_ramp", end_values=2.0),
                                      ((0, 2), (1, 0)), mode="mean", stat_length=2),
    "diag": lambda x: np.diag(x, -1),
    "diagflat": lambda x: np.diagflat(x[0], 1),
    "diagonal": lambda x: np.diagonal(x, 1),
    "trace": lambda x: np.trace(x, -1),
    "triu": lambda x: np.triu(x, 1),
    "tril": lambda x: np.tril(x),
    "sort": lambda x: np.sort(x, axis=0),
    "partition": lambda x: np.partition(x, 2, axis=1),
    "diff": lambda x: np.diff(x, 2, axis=1),
    "ediff1d": lambda x: np.ediff1d(x, to_begin=[0.0]),
    "kron": lambda x: np.kron(x, x[:2, :2]),
    "cross": lambda x: np.cross(x[:, :3], x[:, 1:]),
    "convolve": lambda x: np.convolve(x[0], x[1, :2], mode="same"),
    "correlate": lambda x: np.correlate(x[0], x[1, :3], mode="full"),
    "polyval": lambda x: np.polyval(x[0], x[1]),
    "interp": lambda x: np.interp(x[0], [-1.0, 0.0, 1.5], x[1, :3]),
    "meshgrid": lambda x: np.meshgrid(x[0], x[1, :2])[0],
    "append": lambda x: np.append(x, x[0]),
    "insert": lambda x: np.insert(x, 1, x[2], axis=0),
    "delete": lambda x: np.delete(x, [0, 2], axis=1),
    "resize": lambda x: np.resize(x, (5, 3)),
    "copy": lambda x: np.copy(x),
    "rollaxis": lambda x: np.rollaxis(x[None], 2),
    "matrix_transpose": lambda x: np.matrix_transpose(x),
    "permute_dims": lambda x: np.permute_dims(x, (1, 0)),
    "sort_complex": lambda x: np.real(np.sort_complex(x[0])),
    "block": lambda x: np.block([[x, x[:, :1]], [x[:1], x[2, 3]]]),
    "polyadd": lambda x: np.polyadd(x[0], x[1, :2]),
    "polysub": lambda x: np.polysub(x[0, :1], x[1]),
    "polymul": lambda x: np.polymul(x[0], x[1, :2]),
    "polyder": lambda x: np.polyder(x[0], 2),
    "polyint": lambda x: np.polyint(x[0], 2, k=x[1, :2]),
    "vander": lambda x: np.vander(x[0], 3),
    "unwrap": lambda x: np.unwrap(3 * x),
    "gradient": lambda x: np.gradient(x, 0.5, [0.0, 1.0, 1.5, 3.0])[1],
    "linspace": lambda x: np.linspace(x[0], x[1], 4, axis=-1),
    "logspace": lambda x: np.logspace(x[0], 1.0, 3, base=2.0),
    "sliding_window_view": lambda x: np.lib.stride_tricks.sliding_window_view(x, (2, 3)),
    "polydiv": lambda x: np.polydiv(x[0], x[1, :2] + 3.0)[0],
    "poly": lambda x: np.poly(x[0]),
    "polyfit": lambda x: np.polyfit([0.0, 0.5, 1.0, 2.0], x.T, 2),
}


@pytest.mark.parametrize("name", sorted(PLAIN_CALLS))
def test_plain_numpy_calls_on_traced_values(name):
    if numpy_function(name) is None:
        pytest.skip(lacks(name))
    call = PLAIN_CALLS[name]
    expected = call(X)
    seen = {}

    def f(x):
        out = call(x)
        seen["out"] = np.shape(out)
        return out

    check_grads(f, (X,), order=1)
    assert seen["out"] == np.shape(expected)


def test_methods_of_traced_values():
    def f(x):
        return (fnp.sum(x.flatten() ** 2) + fnp.sum(x[:1].squeeze(0).repeat(2))
                + x.trace(1) + fnp.sum(x.diagonal() ** 3) + x.copy().swapaxes(0, 1).ravel()[2]
                + fnp.sum(x.reshape(-1)[:3]) + fnp.sum(x.transpose(1, 0)[0] ** 2))
    check_grads(f, (X,), order=2)


@pytest.mark.parametrize("fn", [
    lambda x: fnp.split(x, [1, -1], axis=-1)[1] ** 2,
    lambda x: fnp.concatenate([x, x ** 2], axis=0),
    lambda x: fnp.convolve(x[0], x[1] ** 2, mode="valid"),
    lambda x: fnp.correlate(x[0] ** 2, x[2], mode="same"),
    lambda x: fnp.pad(x ** 2, 2, mode="reflect"),
    lambda x: fnp.interp(x[0], [-2.0, 0.1, 0.5, 2.0], x[1] ** 2),
    lambda x: fnp.array([x[0] ** 2, x[1], [1.0, 2.0, 3.0, 4.0]]),
])
def test_third_order(fn):
    check_grads(fn, (X,), order=3)


@pytest.mark.parametrize("fn", [
    lambda x: fnp.split(x, [1, 3], axis=1),
    lambda x: fnp.pad(x, 2, mode="wrap"),
    lambda x: fnp.sort(x, axis=None),
    lambda x: fnp.convolve(x[0], x[1]),
    lambda x: fnp.block([[x, x[:, :1]]]),
    lambda x: fnp.gradient(x),
    lambda x: fnp.roll(fnp.tile(x, 2), 1),
])
def test_forward_mode(fn):
    check_grads(fn, (X,), order=2, modes=("rev", "fwd"))


def test_split_pieces_that_overlap_or_skip():
    # Out-of-order indices make overlapping pieces; the gradient sums them.
    g = funcgrad.grad(lambda v: sum(fnp.sum(p) for p in fnp.split(v, [3, 1])))(V)
    np.testing.assert_allclose(g, [1.0, 2.0, 2.0, 1.0, 1.0])
    check_grads(lambda v: fnp.split(v, [4, 2, -1]), (V,), order=2)


def test_sort_ties_follow_the_stable_permutation():
    g = funcgrad.grad(lambda x: fnp.sort(x)[0] * 1.0 + fnp.sort(x)[1] * 10.0)(
        np.array([2.0, 1.0, 1.0]))
    np.testing.assert_allclose(g, [0.0, 1.0, 10.0])


def test_interp_conventions():
    xp, fp = np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0, 3.0])
    dx = funcgrad.grad(lambda x: fnp.interp(x, xp, fp))
    assert dx(1.0) == 0.5  # a knot takes the slope on its right
    assert dx(0.5) == 2.0
    assert dx(3.0) == 0.0 and dx(-1.0) == 0.0 and dx(4.0) == 0.0
    assert fnp.interp(np.float32(0.5), xp, fp).dtype == np.float64
    g = funcgrad.grad(lambda f: fnp.interp(4.0, xp, f, right=f[0] * 7))(fp)
    np.testing.assert_allclose(g, [7.0, 0.0, 0.0])


def test_array_of_traced_values_stacks_never_object_arrays():
    def f(x):
        a = fnp.array([[x, 1.0], [2.0, x * x]], dtype=np.float64, ndmin=3)
        assert a.shape == (1, 2, 2) and a.dtype == np.float64
        return fnp.sum(a)
    assert funcgrad.grad(f)(3.0) == 7.0
    assert fnp.asarray([1.0, 2.0]).dtype == np.float64
    g = funcgrad.grad(lambda x: fnp.sum(fnp.asarray((x, x))))(np.float32(1.0))
    assert g.dtype == np.float32 and g == 2.0


def test_float32_stays_float32_through_assembly():
    x = X.astype(np.float32)

    def f(x):
        parts = fnp.array_split(x, 3, axis=1)
        out = fnp.concatenate([fnp.pad(p, 1, mode="edge") for p in parts], axis=1)
        assert out.dtype == np.float32
        return fnp.sum(fnp.sort(out, axis=None) ** 2)
    assert funcgrad.grad(f)(x).dtype == np.float32


def test_errors_match_numpy():
    with pytest.raises(ValueError, match="equal division"):
        fnp.split(np.ones(3), 2)
    with pytest.raises(ValueError, match="size not equal to one"):
        fnp.squeeze(np.ones((2, 1)), axis=0)
    with pytest.raises(ValueError, match="zero-dimensional"):
        fnp.concatenate([np.ones(()), np.ones(())])
    with pytest.raises(ValueError, match="same shape"):
        fnp.stack([np.ones(2), np.ones(3)])
    with pytest.raises(np.exceptions.AxisError):
        fnp.moveaxis(np.ones((2, 3)), 2, 0)
    with pytest.raises(NotImplementedError, match="modes"):
        funcgrad.grad(lambda x: fnp.sum(fnp.pad(x, 1, mode="empty")))(np.ones(3))
    assert fnp.atleast_1d() == () and fnp.meshgrid() == ()
    with pytest.raises(ValueError, match="cannot be empty"):
        fnp.convolve(np.ones(0), np.ones(2))


@pytest.mark.parametrize("module", ["shaping", "assembly", "combining"])
def test_docstring_examples(module):
    import importlib
    mod = importlib.import_module(f"funcgrad.numpy.{module}")
    result = run_doctests(mod)
    assert result.attempted > 30 and result.failed == 0


REAL_ONLY = {"interp", "unwrap", "sort", "partition", "sort_complex",  # order or real x
             "logspace"}  # complex powers: covered by the registry's real specs
WIDENS = {"polyder", "polyint", "vander", "polyfit"}  # NumPy mixes in int64/float64 arrays


@pytest.mark.parametrize("name", sorted(set(PLAIN_CALLS) - REAL_ONLY))
def test_complex_values_keep_their_dtype(name):
    if numpy_function(name) is None:
        pytest.skip(lacks(name))
    z = X + 1j * RNG.standard_normal(X.shape)
    check_grads(PLAIN_CALLS[name], (z,), order=1)
    if name in WIDENS:
        return
    small = z.astype(np.complex64)
    out, pull = funcgrad.vjp(PLAIN_CALLS[name], small)
    assert out.dtype == np.complex64
    (g,) = pull(np.ones(out.shape, out.dtype))
    assert g.dtype == np.complex64
