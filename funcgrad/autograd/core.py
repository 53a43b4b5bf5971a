"""HIPS autograd's `autograd.core` (engine internals) is not available in funcgrad."""
from ._unsupported import internals_error

raise internals_error("autograd.core module")
