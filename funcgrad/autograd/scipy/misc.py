"""``autograd.scipy.misc``: ``logsumexp`` (SciPy's old home for it)."""
from funcgrad.scipy.special import logsumexp  # noqa: F401

__all__ = ["logsumexp"]
