"""The docstring examples of jit, make_jaxpr, lax and the staging modules run as written."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["funcgrad._jit", "funcgrad.lax", "funcgrad._core.staging", "funcgrad._core.passes"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, name
    assert result.failed == 0, name
