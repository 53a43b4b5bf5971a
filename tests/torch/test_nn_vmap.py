"""vmap of the facade's nn primitives that have batching rules (sigmoid,
softplus, erf, softmax, log_softmax, addmm): equal to the stacked
per-example results, with each argument batched or not."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import funcgrad
from funcgrad.torch.nn import _activations, functional as F

R = np.random.default_rng(3)


def _stacked(fn, args, mapped):
    n = next(a.shape[0] for a, m in zip(args, mapped) if m)
    return np.stack([fn(*[a[k] if m else a for a, m in zip(args, mapped)]) for k in range(n)])


@pytest.mark.parametrize("prim", [F._sigmoid, F._softplus, _activations._erf])
@pytest.mark.parametrize("shape", [(4,), (4, 3), (4, 2, 3)])
def test_elementwise(prim, shape):
    x = R.normal(size=shape)
    np.testing.assert_allclose(funcgrad.vmap(prim)(x), _stacked(prim, [x], [True]), rtol=1e-12)


@pytest.mark.parametrize("prim", [F._softmax, F._log_softmax])
@pytest.mark.parametrize("shape,dim", [((4,), 0), ((4,), -1), ((4, 3), 0), ((4, 3), -1),
                                       ((4, 2, 3), 1), ((4, 2, 3), -2)])
def test_softmax_along_dim(prim, shape, dim):
    x = R.normal(size=shape)
    got = funcgrad.vmap(lambda v: prim(v, dim))(x)
    np.testing.assert_allclose(got, _stacked(lambda v: prim(v, dim), [x], [True]), rtol=1e-12)


@pytest.mark.parametrize("mapped", [m for m in itertools.product([False, True], repeat=3) if any(m)])
def test_addmm_with_any_argument_batched(mapped):
    b, x, w = R.normal(size=(2,)), R.normal(size=(5, 3)), R.normal(size=(2, 3))
    args = [np.stack([a * (1 + 0.1 * k) for k in range(4)]) if m else a
            for a, m in zip((b, x, w), mapped)]
    got = funcgrad.vmap(F._addmm, in_axes=tuple(0 if m else None for m in mapped))(*args)
    np.testing.assert_allclose(got, _stacked(F._addmm, args, mapped), rtol=1e-12)
