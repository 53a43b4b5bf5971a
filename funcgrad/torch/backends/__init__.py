"""``torch.backends``: which backends this build has (only the CPU's).

>>> import funcgrad.torch as torch
>>> torch.backends.mps.is_available(), torch.backends.cudnn.is_available()
(False, False)
"""
from . import cudnn, mps

__all__ = ["cudnn", "mps"]
