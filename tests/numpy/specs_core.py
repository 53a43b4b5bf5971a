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
    "add": Spec(binary(), argnums=(0, 1)),
    "subtract": Spec(binary(), argnums=(0, 1)),
    "multiply": Spec(binary(), argnums=(0, 1)),
    "divide": Spec(binary(hi=2.0, lo2=0.5, hi2=2.0), argnums=(0, 1)),
    "negative": Spec(unary()),
    "positive": Spec(unary()),
    "power": Spec(binary(lo=0.5, hi=2.0), argnums=(0, 1)),
    "exp": Spec(unary()),
    "log": Spec(unary(0.2, 3.0)),
    "sqrt": Spec(unary(0.2, 3.0)),
    "square": Spec(unary()),
    "sin": Spec(unary()),
    "cos": Spec(unary()),
    "tan": Spec(unary(-1.2, 1.2)),
    "tanh": Spec(unary()),
    "absolute": Spec(unary(avoid=(0.0,))),
    "maximum": Spec(binary(where=_apart), argnums=(0, 1)),
    "minimum": Spec(binary(where=_apart), argnums=(0, 1)),
    "real": Spec(unary()),
    "imag": Spec(unary(), float32=False),
    "conjugate": Spec(unary()),
    "remainder": Spec(binary(0.1, 3.0, lo2=0.7, hi2=1.3, where=_off_multiples), argnums=(0, 1)),
    "where": Spec(fixed(np.array([True, False, True]), np.array([1.0, 2.0, 3.0]), np.array(0.5)),
                  argnums=(1, 2)),
    "astype": Spec(fixed(np.array([1.0, 2.5]), np.float32), float32=False, atol=1e-2, rtol=1e-2,
                   reference=lambda x, d: x.astype(d)),
    "sum": Spec(unary()),
    "mean": Spec(unary()),
    "reshape": Spec(fixed(np.arange(6.0), (2, 3))),
    "transpose": Spec(unary()),
    "broadcast_to": Spec(fixed(np.array([1.0, 2.0]), (3, 2))),
    "swapaxes": Spec(fixed(np.arange(6.0).reshape(1, 2, 3), 0, 2)),
    "concatenate": Spec(fixed([np.ones(2), np.arange(3.0)]), argnums=(0,),
                        reference=np.concatenate),
    "stack": Spec(fixed([np.ones(2), np.arange(2.0)], axis=1), argnums=(0,)),
    "matmul": Spec(fixed(np.arange(6.0).reshape(2, 3) / 3, np.arange(3.0) - 1), argnums=(0, 1)),
}
# non-differentiable comparisons and rounding: values only
for _name in ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"]:
    SPECS[_name] = Spec(binary())
for _name in ["sign", "floor", "ceil", "isfinite", "isnan", "isinf"]:
    SPECS[_name] = Spec(unary())
SPECS["floor_divide"] = Spec(binary(lo2=0.5, hi2=2.0))
