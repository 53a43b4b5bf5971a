"""HIPS autograd's `autograd.tracer` (engine internals) is not available in funcgrad."""
from ._unsupported import internals_error

raise internals_error("autograd.tracer module")
