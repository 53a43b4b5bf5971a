"""HIPS autograd's `autograd.numpy.numpy_jvps` (engine internals) is not available in funcgrad."""
from .._unsupported import internals_error

raise internals_error("autograd.numpy.numpy_jvps module")
