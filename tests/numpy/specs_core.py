"""Specs for the first rule tables (arithmetic, a few ufuncs, reductions,
shape, products). Family owners move entries to their own specs_<family>.py."""
import numpy as np

from .specs import Spec, binary, fixed, shapes, arrays, unary



def _apart(a, b):
    return np.abs(a - b) > 0.05


def _off_multiples(a, b):
    frac = np.mod(a / b, 1.0)
    return (frac > 0.02) & (frac < 0.98)


SPECS = {
    "matmul": Spec(fixed(np.arange(6.0).reshape(2, 3) / 3, np.arange(3.0) - 1), argnums=(0, 1)),
}
