"""vmap of every funcgrad.scipy function: equal to the stacked per-example
results, over the specs of tests/scipy/specs.py (the check of
tests/numpy/test_vmap_registry.py); a loop over the examples must be declared
(docs/scipy.md lists those). The functions of :data:`NOT_BATCHED` read
concrete values (support masks, integer parameters, adaptive steps): under
vmap they raise the clear TypeError instead of mixing examples, never give a
wrong result."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

pytest.importorskip("scipy")

from funcgrad.scipy import REGISTRY  # noqa: E402

from ..numpy.test_vmap_registry import check_vmap_matches_stacked_examples  # noqa: E402
from .specs import SPECS  # noqa: E402


NOT_BATCHED = ("stats.", "signal.correlate", "linalg.lu_factor", "linalg.solve_banded")
UNTESTED = {"integrate.odeint"}  # under vmap: SciPy's own shape errors (docs/scipy.md: not supported)


def _cases():
    for name in sorted(set(REGISTRY) - UNTESTED):
        specs = SPECS.get(name, [])
        for k, spec in enumerate(specs if isinstance(specs, list) else [specs]):
            yield pytest.param(name, spec, id=f"{name}-{k}")


@pytest.mark.parametrize("name,spec", list(_cases()))
@settings(max_examples=3)
@given(data=st.data())
def test_vmap_matches_stacked_examples(name, spec, data):
    try:
        check_vmap_matches_stacked_examples(REGISTRY[name].fn, spec, data, name)
    except TypeError as e:
        if not name.startswith(NOT_BATCHED):
            raise
        assert "vmap: a batched value has no single concrete value" in str(e)
