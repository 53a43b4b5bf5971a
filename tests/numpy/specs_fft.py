"""Specs for numpy.fft: every transform with drawn ``n``/``s``, ``axis``/``axes``
and ``norm`` (cropping and zero-padding both exercised), values against
NumPy and gradients against finite differences (second order). Complex
inputs and closed forms are checked in test_fft.py."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .specs import Spec, arrays

_NORMS = st.sampled_from([None, "backward", "ortho", "forward"])


@st.composite
def _one_d(d, real_output_default=False):
    """A 1-to-3-d real array, an axis, an optional length n and a norm."""
    shape = tuple(d(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    x = d(arrays(shape))
    axis = d(st.integers(-len(shape), len(shape) - 1))
    n = d(st.sampled_from([None, 1, 2, 3, 5]))
    if real_output_default and n is None and shape[axis] == 1:
        n = 2  # irfft's default length 2 * (m - 1) would be 0
    return (x,), {"n": n, "axis": axis, "norm": d(_NORMS)}


@st.composite
def _n_d(d, two=False, inverse_real=False):
    shape = tuple(d(st.lists(st.integers(1, 3), min_size=2, max_size=3)))
    x = d(arrays(shape))
    nd = len(shape)
    if two:
        axes = d(st.sampled_from([(-2, -1), (0, 1), (1, 0)]))
    else:
        axes = d(st.sampled_from([None, (0,), (0, -1), (-1, 0), tuple(range(nd))]))
    kwargs = {"norm": d(_NORMS)}
    if axes is not None:
        kwargs["axes"] = axes
        if d(st.booleans()):
            kwargs["s"] = tuple(d(st.integers(1, 4)) for _ in axes)
    if inverse_real and "s" not in kwargs:
        last = axes[-1] if axes is not None else -1
        if shape[last] == 1:
            kwargs["s"] = tuple(2 for _ in (axes if axes is not None else shape))
            if axes is None:
                kwargs["axes"] = tuple(range(nd))
    return (x,), kwargs


@st.composite
def _shift_args(d):
    shape = tuple(d(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    axes = d(st.sampled_from([None, 0, (0,), tuple(range(len(shape)))]))
    return (d(arrays(shape)),), {"axes": axes}


@st.composite
def _freq_args(d):
    n = d(st.integers(1, 6))
    return (n, np.asarray(d(st.floats(0.2, 2.0)))), {}


SPECS = {
    "fft.fft": Spec(_one_d()),
    "fft.ifft": Spec(_one_d()),
    "fft.rfft": Spec(_one_d()),
    "fft.irfft": Spec(_one_d(real_output_default=True)),
    "fft.hfft": Spec(_one_d(real_output_default=True)),
    "fft.ihfft": Spec(_one_d()),
    "fft.fftn": Spec(_n_d()),
    "fft.ifftn": Spec(_n_d()),
    "fft.fft2": Spec(_n_d(two=True)),
    "fft.ifft2": Spec(_n_d(two=True)),
    "fft.rfftn": Spec(_n_d()),
    "fft.irfftn": Spec(_n_d(inverse_real=True)),
    "fft.rfft2": Spec(_n_d(two=True)),
    "fft.irfft2": Spec(_n_d(two=True, inverse_real=True)),
    "fft.fftshift": Spec(_shift_args()),
    "fft.ifftshift": Spec(_shift_args()),
    "fft.fftfreq": Spec(_freq_args(), argnums=(1,), float32=False),
    "fft.rfftfreq": Spec(_freq_args(), argnums=(1,), float32=False),
}
