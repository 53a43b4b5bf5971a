"""Indexing of traced arrays and JAX-style functional updates (``x.at``)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ._registry import primitive

F = "indexing"


def _scatter_add_impl(g, shape, index, dtype=None):
    out = np.zeros(shape, dtype=g.dtype if dtype is None else dtype)
    np.add.at(out, index, g)
    return out


getitem = primitive("getitem", lambda x, index: x[index],
                    lambda g, ans, x, index: scatter_add(g, x.shape, index),
                    family=F, saves_values=False, register_as="_getitem",
                    notes="Basic, integer-array and boolean indices; repeated indices accumulate.")

scatter_add = primitive("scatter_add", _scatter_add_impl,
                        lambda g, ans, v, shape, index, dtype=None: getitem(g, index),
                        family=F, saves_values=False, register_as="_scatter_add",
                        notes="zeros(shape) with v added at index (repeats accumulate).")
