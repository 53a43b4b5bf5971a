"""Tests for funcgrad.torch._printing: byte-for-byte PyTorch 2.x tensor reprs.

Every expected string below was produced by ``repr`` of the matching tensor in
PyTorch 2.13 (CPU) and is hard-coded here: these tests never import torch.
"""

from __future__ import annotations

import ast
import pathlib
from typing import Any

import numpy as np
import pytest

from funcgrad.torch import _printing
from funcgrad.torch._printing import (
    PRINT_OPTIONS,
    dtype_suffix,
    format_tensor,
    get_printoptions,
    printoptions,
    set_printoptions,
)

nan, inf = np.nan, np.inf


@pytest.fixture(autouse=True)
def _default_print_options():
    set_printoptions(profile="default")
    yield
    set_printoptions(profile="default")


def _format(values: Any, **kwargs: Any) -> str:
    """``format_tensor`` with the dtype suffix PyTorch would pick for ``values``."""
    values = np.asarray(values)
    return format_tensor(values, dtype_suffix=dtype_suffix(values.dtype), **kwargs)


# (id, values, format_tensor keyword arguments, repr printed by PyTorch)
CASES = [
    ('scalar_int_mode', np.float32(2.0), {},
     'tensor(2.)'),
    ('scalar_fraction', np.float32(5.56051), {},
     'tensor(5.5605)'),
    ('scalar_nan', np.float32(nan), {},
     'tensor(nan)'),
    ('scalar_int64', np.int64(-7), {},
     'tensor(-7)'),
    ('scalar_bool', np.bool_(True), {},
     'tensor(True)'),
    ('scalar_float64', np.float64(0.1), {},
     'tensor(0.1000, dtype=torch.float64)'),
    ('scalar_complex', np.complex64(1 + 2j), {},
     'tensor(1.+2.j)'),
    ('scalar_grad_fn', np.float32(24.0), {'grad_fn_name': 'AddBackward0'},
     'tensor(24., grad_fn=<AddBackward0>)'),
    ('scalar_sum_grad_fn', np.float32(5.5605), {'grad_fn_name': 'SumBackward0'},
     'tensor(5.5605, grad_fn=<SumBackward0>)'),
    ('vector_int_mode', np.array([1.0, 2.0, 3.0], np.float32), {},
     'tensor([1., 2., 3.])'),
    ('vector_fixed', np.array([1.5, -0.25, 3.0], np.float32), {},
     'tensor([ 1.5000, -0.2500,  3.0000])'),
    ('vector_widths', np.array([-1234.5678, 0.5, 12.0], np.float32), {},
     'tensor([-1.2346e+03,  5.0000e-01,  1.2000e+01])'),
    ('matrix_requires_grad', np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], np.float32), {'requires_grad': True},
     'tensor([[1., 2., 3.],\n        [3., 2., 1.]], requires_grad=True)'),
    ('sci_ratio', np.array([1.0, 1001.0], np.float32), {},
     'tensor([1.0000e+00, 1.0010e+03])'),
    ('no_sci_ratio_1000', np.array([1.0, 1000.0], np.float32), {},
     'tensor([   1., 1000.])'),
    ('sci_large', np.array([1.5e8], np.float32), {},
     'tensor([1.5000e+08])'),
    ('sci_small', np.array([5e-5, 0.5], np.float32), {},
     'tensor([5.0000e-05, 5.0000e-01])'),
    ('sci_small_boundary', np.array([1e-4, 0.05], np.float64), {},
     'tensor([0.0001, 0.0500], dtype=torch.float64)'),
    ('sci_int_mode', np.array([1.0, 1e9], np.float32), {},
     'tensor([1.0000e+00, 1.0000e+09])'),
    ('nonfinite', np.array([nan, inf, -inf, 1.0], np.float32), {},
     'tensor([nan, inf, -inf, 1.])'),
    ('nonfinite_fixed', np.array([nan, -inf, 1.5], np.float32), {},
     'tensor([   nan,   -inf, 1.5000])'),
    ('only_nonfinite', np.array([nan, inf, 0.0], np.float32), {},
     'tensor([nan, inf, 0.])'),
    ('zeros', np.zeros(3, np.float32), {},
     'tensor([0., 0., 0.])'),
    ('negative_zero', np.array([-0.0, 1.0], np.float32), {},
     'tensor([-0., 1.])'),
    ('negative_zero_fixed', np.array([-0.0, 0.5], np.float32), {},
     'tensor([-0.0000, 0.5000])'),
    ('ints', np.array([1, -20, 300]), {},
     'tensor([  1, -20, 300])'),
    ('int32', np.array([[1, 2], [3, 4]], np.int32), {},
     'tensor([[1, 2],\n        [3, 4]], dtype=torch.int32)'),
    ('uint8', np.array([0, 255], np.uint8), {},
     'tensor([  0, 255], dtype=torch.uint8)'),
    ('bool', np.array([True, False, True]), {},
     'tensor([ True, False,  True])'),
    ('float16', np.array([0.1, 65504.0], np.float16), {},
     'tensor([9.9976e-02, 6.5504e+04], dtype=torch.float16)'),
    ('float64', np.array([0.1, 0.2], np.float64), {},
     'tensor([0.1000, 0.2000], dtype=torch.float64)'),
    ('float64_requires_grad', np.array([0.1, 0.2], np.float64), {'requires_grad': True},
     'tensor([0.1000, 0.2000], dtype=torch.float64, requires_grad=True)'),
    ('float64_grad_fn', np.array([0.1, 0.2], np.float64), {'grad_fn_name': 'MulBackward0'},
     'tensor([0.1000, 0.2000], dtype=torch.float64, grad_fn=<MulBackward0>)'),
    ('complex64', np.array([1 + 2j, -3.5 - 0.5j, 0.25j], np.complex64), {},
     'tensor([ 1.0000+2.0000j, -3.5000-0.5000j,  0.0000+0.2500j])'),
    ('complex128', np.array([[1 + 1j, 2 - 2j], [nan + 0j, 1e-5 + 1e5j]], np.complex128), {},
     'tensor([[1.0000e+00+1.0000e+00j, 2.0000e+00-2.0000e+00j],\n        [       nan+0.0000e+00j, 1.0000e-05+1.0000e+05j]],\n       dtype=torch.complex128)'),
    ('complex_negative_zero_imag', np.array([complex(1.0, -0.0), 2 + 1j], np.complex64), {},
     'tensor([1.-0.j, 2.+1.j])'),
    ('empty_float', np.array([], np.float32), {},
     'tensor([])'),
    ('empty_float64', np.array([], np.float64), {},
     'tensor([], dtype=torch.float64)'),
    ('empty_int64', np.array([], np.int64), {},
     'tensor([], dtype=torch.int64)'),
    ('empty_bool', np.array([], np.bool_), {},
     'tensor([], dtype=torch.bool)'),
    ('empty_2d', np.zeros((0, 3), np.float32), {},
     'tensor([], size=(0, 3))'),
    ('empty_3d_int32', np.zeros((2, 0, 3), np.int32), {},
     'tensor([], size=(2, 0, 3), dtype=torch.int32)'),
    ('empty_requires_grad', np.zeros((0, 3), np.float32), {'requires_grad': True},
     'tensor([], size=(0, 3), requires_grad=True)'),
    ('3d_blank_lines', np.arange(12, dtype=np.float32).reshape(2, 2, 3), {},
     'tensor([[[ 0.,  1.,  2.],\n         [ 3.,  4.,  5.]],\n\n        [[ 6.,  7.,  8.],\n         [ 9., 10., 11.]]])'),
    ('4d_blank_lines', np.arange(16).reshape(2, 2, 2, 2), {},
     'tensor([[[[ 0,  1],\n          [ 2,  3]],\n\n         [[ 4,  5],\n          [ 6,  7]]],\n\n\n        [[[ 8,  9],\n          [10, 11]],\n\n         [[12, 13],\n          [14, 15]]]])'),
    ('wrap_1d', np.arange(30, dtype=np.float32) / 7, {},
     'tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,\n        3.8571, 4.0000, 4.1429])'),
    ('wrap_nested_rows', np.arange(40).reshape(2, 20) * 1000, {},
     'tensor([[    0,  1000,  2000,  3000,  4000,  5000,  6000,  7000,  8000,  9000,\n         10000, 11000, 12000, 13000, 14000, 15000, 16000, 17000, 18000, 19000],\n        [20000, 21000, 22000, 23000, 24000, 25000, 26000, 27000, 28000, 29000,\n         30000, 31000, 32000, 33000, 34000, 35000, 36000, 37000, 38000, 39000]])'),
    ('summarized_1d', np.arange(2000), {},
     'tensor([   0,    1,    2,  ..., 1997, 1998, 1999])'),
    ('summarized_1d_float', np.linspace(0, 1, 1001, dtype=np.float32), {},
     'tensor([0.0000, 0.0010, 0.0020,  ..., 0.9980, 0.9990, 1.0000])'),
    ('summarized_2d', np.arange(2500, dtype=np.float32).reshape(50, 50), {},
     'tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,\n         4.9000e+01],\n        [5.0000e+01, 5.1000e+01, 5.2000e+01,  ..., 9.7000e+01, 9.8000e+01,\n         9.9000e+01],\n        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.4700e+02, 1.4800e+02,\n         1.4900e+02],\n        ...,\n        [2.3500e+03, 2.3510e+03, 2.3520e+03,  ..., 2.3970e+03, 2.3980e+03,\n         2.3990e+03],\n        [2.4000e+03, 2.4010e+03, 2.4020e+03,  ..., 2.4470e+03, 2.4480e+03,\n         2.4490e+03],\n        [2.4500e+03, 2.4510e+03, 2.4520e+03,  ..., 2.4970e+03, 2.4980e+03,\n         2.4990e+03]])'),
    ('summarized_3d', np.arange(2000).reshape(10, 20, 10), {},
     'tensor([[[   0,    1,    2,  ...,    7,    8,    9],\n         [  10,   11,   12,  ...,   17,   18,   19],\n         [  20,   21,   22,  ...,   27,   28,   29],\n         ...,\n         [ 170,  171,  172,  ...,  177,  178,  179],\n         [ 180,  181,  182,  ...,  187,  188,  189],\n         [ 190,  191,  192,  ...,  197,  198,  199]],\n\n        [[ 200,  201,  202,  ...,  207,  208,  209],\n         [ 210,  211,  212,  ...,  217,  218,  219],\n         [ 220,  221,  222,  ...,  227,  228,  229],\n         ...,\n         [ 370,  371,  372,  ...,  377,  378,  379],\n         [ 380,  381,  382,  ...,  387,  388,  389],\n         [ 390,  391,  392,  ...,  397,  398,  399]],\n\n        [[ 400,  401,  402,  ...,  407,  408,  409],\n         [ 410,  411,  412,  ...,  417,  418,  419],\n         [ 420,  421,  422,  ...,  427,  428,  429],\n         ...,\n         [ 570,  571,  572,  ...,  577,  578,  579],\n         [ 580,  581,  582,  ...,  587,  588,  589],\n         [ 590,  591,  592,  ...,  597,  598,  599]],\n\n        ...,\n\n        [[1400, 1401, 1402,  ..., 1407, 1408, 1409],\n         [1410, 1411, 1412,  ..., 1417, 1418, 1419],\n         [1420, 1421, 1422,  ..., 1427, 1428, 1429],\n         ...,\n         [1570, 1571, 1572,  ..., 1577, 1578, 1579],\n         [1580, 1581, 1582,  ..., 1587, 1588, 1589],\n         [1590, 1591, 1592,  ..., 1597, 1598, 1599]],\n\n        [[1600, 1601, 1602,  ..., 1607, 1608, 1609],\n         [1610, 1611, 1612,  ..., 1617, 1618, 1619],\n         [1620, 1621, 1622,  ..., 1627, 1628, 1629],\n         ...,\n         [1770, 1771, 1772,  ..., 1777, 1778, 1779],\n         [1780, 1781, 1782,  ..., 1787, 1788, 1789],\n         [1790, 1791, 1792,  ..., 1797, 1798, 1799]],\n\n        [[1800, 1801, 1802,  ..., 1807, 1808, 1809],\n         [1810, 1811, 1812,  ..., 1817, 1818, 1819],\n         [1820, 1821, 1822,  ..., 1827, 1828, 1829],\n         ...,\n         [1970, 1971, 1972,  ..., 1977, 1978, 1979],\n         [1980, 1981, 1982,  ..., 1987, 1988, 1989],\n         [1990, 1991, 1992,  ..., 1997, 1998, 1999]]])'),
    ('summarized_width_from_edges_only', np.concatenate([np.ones(3), np.full(995, 1e6), np.ones(3)]).astype(np.float32), {},
     'tensor([1., 1., 1.,  ..., 1., 1., 1.])'),
    ('suffix_wraps', np.array([1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5], np.float64), {'grad_fn_name': 'AddBackward0'},
     'tensor([1.5000, 2.5000, 3.5000, 4.5000, 5.5000, 6.5000, 7.5000, 8.5000, 9.5000],\n       dtype=torch.float64, grad_fn=<AddBackward0>)'),
    ('suffix_wraps_after_multiline', np.arange(25, dtype=np.float64).reshape(5, 5) / 3, {'requires_grad': True},
     'tensor([[0.0000, 0.3333, 0.6667, 1.0000, 1.3333],\n        [1.6667, 2.0000, 2.3333, 2.6667, 3.0000],\n        [3.3333, 3.6667, 4.0000, 4.3333, 4.6667],\n        [5.0000, 5.3333, 5.6667, 6.0000, 6.3333],\n        [6.6667, 7.0000, 7.3333, 7.6667, 8.0000]], dtype=torch.float64,\n       requires_grad=True)'),
    ('parameter', np.array([[1.0, 2.0], [3.0, 4.0]], np.float32), {'requires_grad': True, 'is_parameter': True},
     'Parameter containing:\ntensor([[1., 2.],\n        [3., 4.]], requires_grad=True)'),
    ('parameter_float64', np.arange(12, dtype=np.float64).reshape(3, 4) / 4, {'requires_grad': True, 'is_parameter': True},
     'Parameter containing:\ntensor([[0.0000, 0.2500, 0.5000, 0.7500],\n        [1.0000, 1.2500, 1.5000, 1.7500],\n        [2.0000, 2.2500, 2.5000, 2.7500]], dtype=torch.float64,\n       requires_grad=True)'),
    ('parameter_prefix', np.array([0.5, -0.5], np.float32), {'requires_grad': True, 'prefix': 'Parameter containing:\ntensor('},
     'Parameter containing:\ntensor([ 0.5000, -0.5000], requires_grad=True)'),
]


@pytest.mark.parametrize(
    "values, kwargs, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_matches_pytorch_repr(values: Any, kwargs: dict, expected: str) -> None:
    assert _format(values, **kwargs) == expected


# (id, values, set_printoptions keyword arguments, repr printed by PyTorch)
OPTION_CASES = [
    ('precision_2', np.array([1.12345, -2.5], np.float32), {'precision': 2},
     'tensor([ 1.12, -2.50])'),
    ('precision_0', np.array([1.5, 2.25, 3.0], np.float32), {'precision': 0},
     'tensor([2, 2, 3])'),
    ('precision_6_sci', np.array([1e-6, 1.0], np.float64), {'precision': 6},
     'tensor([1.000000e-06, 1.000000e+00], dtype=torch.float64)'),
    ('threshold_5', np.arange(10), {'threshold': 5},
     'tensor([0, 1, 2,  ..., 7, 8, 9])'),
    ('threshold_0_scalar', np.float32(3.5), {'threshold': 0},
     'tensor(3.5000)'),
    ('threshold_edgeitems_1', np.arange(24, dtype=np.float32).reshape(2, 3, 4), {'threshold': 5, 'edgeitems': 1},
     'tensor([[[ 0.,  ...,  3.],\n         ...,\n         [ 8.,  ..., 11.]],\n\n        [[12.,  ..., 15.],\n         ...,\n         [20.,  ..., 23.]]])'),
    ('edgeitems_0', np.arange(10), {'threshold': 5, 'edgeitems': 0},
     'tensor([...], size=(10,))'),
    ('edgeitems_0_2d', np.arange(12).reshape(3, 4), {'threshold': 5, 'edgeitems': 0},
     'tensor([...], size=(3, 4))'),
    ('edgeitems_0_unsummarized', np.arange(3), {'edgeitems': 0},
     'tensor([0, 1, 2], size=(3,))'),
    ('linewidth_40', np.arange(20, dtype=np.float32) / 3, {'linewidth': 40},
     'tensor([0.0000, 0.3333, 0.6667, 1.0000,\n        1.3333, 1.6667, 2.0000, 2.3333,\n        2.6667, 3.0000, 3.3333, 3.6667,\n        4.0000, 4.3333, 4.6667, 5.0000,\n        5.3333, 5.6667, 6.0000, 6.3333])'),
    ('linewidth_tiny', np.array([[1, 2], [3, 4]]), {'linewidth': 5},
     'tensor([[1,\n         2],\n        [3,\n         4]])'),
    ('linewidth_suffix', np.array([0.5, 1.5], np.float64), {'linewidth': 30},
     'tensor([0.5000, 1.5000],\n       dtype=torch.float64)'),
    ('sci_mode_true', np.array([1.0, 2.5], np.float32), {'sci_mode': True},
     'tensor([1.0000e+00, 2.5000e+00])'),
    ('sci_mode_true_ints', np.array([1, 2]), {'sci_mode': True},
     'tensor([1, 2])'),
    ('sci_mode_false', np.array([1e-6, 1e6], np.float32), {'sci_mode': False},
     'tensor([      0.0000, 1000000.0000])'),
    ('sci_mode_false_int_mode', np.array([1.0, 1e10], np.float64), {'sci_mode': False},
     'tensor([          1., 10000000000.], dtype=torch.float64)'),
    ('sci_mode_true_complex', np.array([1 + 1j], np.complex64), {'sci_mode': True},
     'tensor([1.0000e+00+1.0000e+00j])'),
    ('profile_short', np.array([1.12345, 2.0, 3.0, 4.0, 5.0] * 300, np.float32), {'profile': 'short'},
     'tensor([1.12, 2.00,  ..., 4.00, 5.00])'),
]


@pytest.mark.parametrize(
    "values, options, expected",
    [c[1:] for c in OPTION_CASES],
    ids=[c[0] for c in OPTION_CASES],
)
def test_matches_pytorch_repr_with_options(values: Any, options: dict, expected: str) -> None:
    set_printoptions(**options)
    assert _format(values) == expected


# ---------------------------------------------------------------------------
# print options
# ---------------------------------------------------------------------------


def test_default_options() -> None:
    assert get_printoptions() == {
        "precision": 4,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": None,
    }


def test_profile_full_never_summarizes() -> None:
    set_printoptions(profile="full")
    text = _format(np.arange(1001))
    assert "..." not in text
    assert text.startswith("tensor([   0,    1,    2,")
    assert text.endswith(" 998,  999, 1000])")


def test_profile_then_explicit_override() -> None:
    set_printoptions(profile="short", precision=3)
    assert (PRINT_OPTIONS.precision, PRINT_OPTIONS.edgeitems) == (3, 2)


def test_profile_default_restores() -> None:
    set_printoptions(precision=1, threshold=3, edgeitems=1, linewidth=20, sci_mode=True)
    set_printoptions(profile="default")
    assert _format(np.array([1.12345], np.float32)) == "tensor([1.1235])"
    assert get_printoptions()["threshold"] == 1000


def test_set_printoptions_resets_sci_mode_like_pytorch() -> None:
    set_printoptions(sci_mode=True)
    set_printoptions(precision=4)  # sci_mode omitted -> back to automatic
    assert PRINT_OPTIONS.sci_mode is None
    assert _format(np.array([1.5], np.float32)) == "tensor([1.5000])"


def test_unknown_profile_is_ignored() -> None:
    set_printoptions(profile="nonsense")
    assert get_printoptions()["precision"] == 4


def test_printoptions_context_manager_restores() -> None:
    with printoptions(threshold=5, sci_mode=True):
        assert _format(np.arange(10)) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
        assert PRINT_OPTIONS.sci_mode is True
    assert get_printoptions()["threshold"] == 1000
    assert PRINT_OPTIONS.sci_mode is None


# ---------------------------------------------------------------------------
# dtype_suffix and format_tensor arguments
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "np_dtype, expected",
    [
        (np.float32, None),
        (np.int64, None),
        (np.bool_, None),
        (np.complex64, None),
        (np.float16, "torch.float16"),
        (np.float64, "torch.float64"),
        (np.complex128, "torch.complex128"),
        (np.int8, "torch.int8"),
        (np.int16, "torch.int16"),
        (np.int32, "torch.int32"),
        (np.uint8, "torch.uint8"),
        ("uint16", "torch.uint16"),
        (np.dtype("uint32"), "torch.uint32"),
        (np.uint64, "torch.uint64"),
    ],
)
def test_dtype_suffix(np_dtype: Any, expected: str | None) -> None:
    assert dtype_suffix(np_dtype) == expected


def test_dtype_suffix_with_float64_default() -> None:
    assert dtype_suffix(np.float64, default_float=np.float64) is None
    assert dtype_suffix(np.complex128, default_float=np.float64) is None
    assert dtype_suffix(np.float32, default_float=np.float64) == "torch.float32"
    assert dtype_suffix(np.complex64, default_float=np.float64) == "torch.complex64"


@pytest.mark.parametrize("np_dtype", [object, "U3", "datetime64[s]"])
def test_dtype_suffix_rejects_dtypes_torch_lacks(np_dtype: Any) -> None:
    with pytest.raises(TypeError):
        dtype_suffix(np_dtype)


def test_dtype_suffix_argument_may_include_prefix() -> None:
    values = np.array([1.0], np.float64)
    assert format_tensor(values, dtype_suffix="dtype=torch.float64") == (
        "tensor([1.], dtype=torch.float64)"
    )


def test_empty_tensor_uses_given_dtype_suffix() -> None:
    # e.g. a float64 tensor whose values the caller keeps as float64 under a
    # float64 default: no suffix requested, none printed.
    assert format_tensor(np.zeros((0,), np.float64), dtype_suffix=None) == "tensor([])"
    assert format_tensor(np.zeros((0,), np.float32), dtype_suffix="torch.float16") == (
        "tensor([], dtype=torch.float16)"
    )


def test_grad_fn_takes_precedence_over_requires_grad() -> None:
    text = format_tensor(
        np.float32(1.0), dtype_suffix=None, grad_fn_name="MulBackward0", requires_grad=True
    )
    assert text == "tensor(1., grad_fn=<MulBackward0>)"


def test_is_parameter_does_not_repeat_header() -> None:
    prefix = "Parameter containing:\ntensor("
    text = format_tensor(np.float32(1.0), dtype_suffix=None, prefix=prefix, is_parameter=True)
    assert text == "Parameter containing:\ntensor(1.)"


def test_custom_prefix_sets_indentation() -> None:
    text = format_tensor(np.eye(2, dtype=np.float32), dtype_suffix=None, prefix="x(")
    assert text == "x([[1., 0.],\n   [0., 1.]])"


def test_accepts_array_likes() -> None:
    assert format_tensor([[1, 2]], dtype_suffix=None) == "tensor([[1, 2]])"


def test_module_depends_only_on_numpy_and_stdlib() -> None:
    tree = ast.parse(pathlib.Path(_printing.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert "funcgrad" not in imported
    assert imported <= {"__future__", "collections", "contextlib", "dataclasses", "math", "numpy", "typing"}
