"""``torch.utils``: the data-loading utilities (``torch.utils.data``).

>>> import funcgrad.torch as torch
>>> torch.utils.data.TensorDataset(torch.zeros(3, 2))[0]
(tensor([0., 0.]),)
"""
import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    if name == "data":
        return importlib.import_module(f"{__name__}.data")
    raise AttributeError(f"module 'funcgrad.torch.utils' has no attribute {name!r}")
