"""add/subtract/multiply/divide on NumPy scalars take the Python operator
(NumPy's scalar arithmetic) instead of the ufunc call: same value, type and
floating-point error handling, for every mix of scalar kinds."""
import itertools

import numpy as np
import pytest

import funcgrad.numpy as fnp

OPERANDS = [np.float64(0.7), np.float32(-1.5), np.float16(3.0), np.longdouble(2.5),
            np.complex128(1 - 2j), np.complex64(0.5j), 1.1, 3, 2j, 10**30, True,
            np.int64(7), np.float64(0.0), 0, np.float64(np.nan), np.float64(1e308)]


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide"])
def test_scalar_arithmetic_matches_the_ufunc(name):
    ours, theirs = getattr(fnp, name), getattr(np, name)
    for x, y in itertools.product(OPERANDS, repeat=2):
        with np.errstate(all="ignore"):
            try:
                want = theirs(x, y)
            except Exception as e:  # noqa: BLE001 - then ours must raise alike
                with pytest.raises(type(e)):
                    ours(x, y)
                continue
            got = ours(x, y)
        assert type(got) is type(want), (x, y)
        np.testing.assert_array_equal(got, want)


def test_scalar_arithmetic_keeps_numpy_error_handling():
    with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
        fnp.divide(np.float64(1.0), 0.0)
    with pytest.warns(RuntimeWarning, match="overflow"):
        fnp.multiply(np.float64(1e308), 10.0)
