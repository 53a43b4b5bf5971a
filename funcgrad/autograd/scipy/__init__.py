"""``autograd.scipy``: funcgrad.scipy under autograd's module path (needs SciPy:
``pip install funcgrad[scipy]``)."""
from . import integrate, linalg, misc, signal, special, stats  # noqa: F401
