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
    "reshape": Spec(fixed(np.arange(6.0), (2, 3))),
    "transpose": Spec(unary()),
    "broadcast_to": Spec(fixed(np.array([1.0, 2.0]), (3, 2))),
    "swapaxes": Spec(fixed(np.arange(6.0).reshape(1, 2, 3), 0, 2)),
    "concatenate": Spec(fixed([np.ones(2), np.arange(3.0)]), argnums=(0,),
                        reference=np.concatenate),
    "stack": Spec(fixed([np.ones(2), np.arange(2.0)], axis=1), argnums=(0,)),
    "matmul": Spec(fixed(np.arange(6.0).reshape(2, 3) / 3, np.arange(3.0) - 1), argnums=(0, 1)),
}
