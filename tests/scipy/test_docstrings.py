"""Every docstring example in funcgrad.scipy, flatten_util and optimizers runs as written."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["funcgrad.flatten_util", "funcgrad.optimizers", "funcgrad.extend", "funcgrad.autograd"]
SCIPY_MODULES = ["funcgrad.scipy", "funcgrad.scipy.special", "funcgrad.scipy.linalg",
                 "funcgrad.scipy.signal", "funcgrad.scipy.integrate", "funcgrad.scipy.stats",
                 "funcgrad.scipy.optimize"]


@pytest.mark.parametrize("name", MODULES + SCIPY_MODULES)
def test_docstring_examples(name):
    if name in SCIPY_MODULES:
        pytest.importorskip("scipy")
    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
