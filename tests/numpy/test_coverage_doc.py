"""docs/numpy-coverage.md is generated from the registry and must be current."""
from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest

from funcgrad.numpy import REGISTRY

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("gen_coverage", ROOT / "scripts" / "gen_coverage.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_coverage_doc_is_current():
    pytest.importorskip("dask.array", reason="the doc's Dask column is found by running Dask")
    current = (ROOT / "docs" / "numpy-coverage.md").read_text(encoding="utf-8")
    assert current == _script().render(), (
        "docs/numpy-coverage.md is out of date: run python scripts/gen_coverage.py")


def test_coverage_doc_lists_every_public_function_and_the_count():
    pytest.importorskip("dask.array", reason="the doc's Dask column is found by running Dask")
    text = _script().render()
    public = [n for n in REGISTRY if not n.split(".")[-1].startswith("_")]
    for name in public:
        assert f"| `numpy.{name}` |" in text, name
    n_diff = sum(REGISTRY[n].differentiable for n in public)
    assert f"**{n_diff} differentiable functions**" in text
    # a function without a rule is listed as such
    if "apply_along_axis" not in REGISTRY:
        assert "`apply_along_axis`" in text
    assert np.sum  # numpy imported for the script's walk
