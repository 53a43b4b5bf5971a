"""The runnable examples in the facade's docstrings."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "funcgrad.torch", "funcgrad.torch._tensor", "funcgrad.torch._functions",
    "funcgrad.torch._creation", "funcgrad.torch._grad_mode", "funcgrad.torch._dtype",
    "funcgrad.torch._graph", "funcgrad.torch._ops", "funcgrad.torch._dims",
    "funcgrad.torch.serialization", "funcgrad.torch.autograd",
    "funcgrad.torch.autograd.function", "funcgrad.torch.autograd.variable",
    "funcgrad.torch.autograd.anomaly_mode", "funcgrad.torch.autograd.gradcheck",
    "funcgrad.torch.autograd.graph", "funcgrad.torch.autograd.functional", "funcgrad.torch.linalg",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
