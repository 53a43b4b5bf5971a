"""Format NumPy arrays exactly the way PyTorch 2.x prints tensors.

This module is pure: it depends only on NumPy and the standard library, so the
``funcgrad.torch`` facade can build ``repr(tensor)`` from a tensor's values and
a few facts about it (dtype, autograd state) without this module knowing what a
tensor is.

The rules reproduced here are those of ``torch/_tensor_str.py``:

* Floating values share one style, picked from the nonzero finite values:
  *integer mode* (``1.``, ``-3.``) when all of them are whole numbers,
  *scientific mode* (``1.0000e-05``) when ``max/min > 1000``, ``max > 1e8`` or
  ``min < 1e-4`` (of their absolute values), and fixed ``precision`` decimals
  otherwise.  ``sci_mode`` in the print options forces the choice.
* Every value is right-aligned to one common width, measured on the nonzero
  finite values only (so ``nan``, ``inf`` and ``0`` may stick out).
* Arrays with more than ``threshold`` elements are summarised: each dimension
  keeps ``edgeitems`` entries per side around a ``...``.
* Rows wrap so that a line holds as many cells as fit in ``linewidth``.
* ``size=``, ``dtype=``, ``grad_fn=``/``requires_grad=`` follow the values and
  move to their own line when the current line would exceed ``linewidth``.

Example:
    >>> import numpy as np
    >>> print(format_tensor(np.array([[1.0, 2.5], [-3.0, 4.0]], np.float32),
    ...                     dtype_suffix=None, requires_grad=True))
    tensor([[ 1.0000,  2.5000],
            [-3.0000,  4.0000]], requires_grad=True)
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

__all__ = [
    "PRINT_OPTIONS",
    "PrintOptions",
    "dtype_suffix",
    "format_tensor",
    "get_printoptions",
    "printoptions",
    "set_printoptions",
]


@dataclasses.dataclass
class PrintOptions:
    """Mutable printing options; the module-wide instance is ``PRINT_OPTIONS``.

    Attributes:
        precision: digits after the decimal point for floating values.
        threshold: arrays with more elements than this are summarised.
        edgeitems: entries kept at each end of a summarised dimension.
        linewidth: characters per line used for wrapping rows and suffixes.
        sci_mode: ``True``/``False`` forces scientific notation on/off;
            ``None`` lets the values decide.
    """

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTIONS = PrintOptions()

_PROFILES: dict[str, dict[str, Any]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Change ``PRINT_OPTIONS`` like ``torch.set_printoptions``.

    ``profile`` ("default", "short" or "full") is applied first, then any
    explicit option overrides it.  As in PyTorch, ``sci_mode`` is always
    assigned, so a call that omits it switches back to automatic notation, and
    an unknown profile name is ignored.

    Example:
        >>> set_printoptions(precision=2)
        >>> format_tensor(np.array([1.12345], np.float32), dtype_suffix=None)
        'tensor([1.12])'
        >>> set_printoptions(profile="default")
        >>> format_tensor(np.array([1.12345], np.float32), dtype_suffix=None)
        'tensor([1.1235])'
    """
    if profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTIONS, name, value)
    if precision is not None:
        PRINT_OPTIONS.precision = precision
    if threshold is not None:
        PRINT_OPTIONS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTIONS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTIONS.linewidth = linewidth
    PRINT_OPTIONS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Return the current options as keyword arguments for ``set_printoptions``.

    Example:
        >>> get_printoptions()["precision"]
        4
    """
    return dataclasses.asdict(PRINT_OPTIONS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily change the print options (same arguments as ``set_printoptions``).

    Example:
        >>> with printoptions(threshold=5):
        ...     format_tensor(np.arange(10), dtype_suffix=None)
        'tensor([0, 1, 2,  ..., 7, 8, 9])'
    """
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# ---------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------

_TORCH_DTYPE_NAMES: dict[np.dtype, str] = {
    np.dtype(np.bool_): "torch.bool",
    np.dtype(np.uint8): "torch.uint8",
    np.dtype(np.uint16): "torch.uint16",
    np.dtype(np.uint32): "torch.uint32",
    np.dtype(np.uint64): "torch.uint64",
    np.dtype(np.int8): "torch.int8",
    np.dtype(np.int16): "torch.int16",
    np.dtype(np.int32): "torch.int32",
    np.dtype(np.int64): "torch.int64",
    np.dtype(np.float16): "torch.float16",
    np.dtype(np.float32): "torch.float32",
    np.dtype(np.float64): "torch.float64",
    np.dtype(np.complex64): "torch.complex64",
    np.dtype(np.complex128): "torch.complex128",
}


def _torch_dtype_name(np_dtype: Any) -> str:
    """Name PyTorch gives the dtype matching ``np_dtype``.

    Example:
        >>> _torch_dtype_name(np.int32)
        'torch.int32'
    """
    dtype = np.dtype(np_dtype)
    if dtype not in _TORCH_DTYPE_NAMES:
        raise TypeError(f"no PyTorch dtype corresponds to NumPy dtype {dtype}")
    return _TORCH_DTYPE_NAMES[dtype]


def dtype_suffix(np_dtype: Any, default_float: Any = np.float32) -> str | None:
    """Dtype name PyTorch would print as ``dtype=...`` for a non-empty tensor.

    Returns ``None`` for the dtypes PyTorch leaves implicit: the default float
    dtype, its complex counterpart (complex128 when the default is float64,
    complex64 otherwise), int64 and bool.  Raises ``TypeError`` for dtypes
    PyTorch does not have.

    Example:
        >>> dtype_suffix(np.float64)
        'torch.float64'
        >>> dtype_suffix(np.float32) is None, dtype_suffix(np.int64) is None
        (True, True)
        >>> dtype_suffix(np.float32, default_float=np.float64)
        'torch.float32'
    """
    dtype = np.dtype(np_dtype)
    name = _torch_dtype_name(dtype)
    default = np.dtype(default_float)
    default_complex = np.dtype(np.complex128 if default == np.float64 else np.complex64)
    if dtype in (default, default_complex, np.dtype(np.int64), np.dtype(np.bool_)):
        return None
    return name


# ---------------------------------------------------------------------------
# cells: one value -> one right-aligned string
# ---------------------------------------------------------------------------


class _RealFormatter:
    """Formats the values of one real array in a single style and width.

    The style and width are chosen from ``sample`` (the values that will be
    shown), following PyTorch's ``_Formatter``.

    Example:
        >>> f = _RealFormatter(np.array([1.0, -20.0]))
        >>> f.width, f.format(1.0), f.format(float("nan"))
        (4, '  1.', ' nan')
    """

    def __init__(self, sample: np.ndarray) -> None:
        self.floating = sample.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.precision = PRINT_OPTIONS.precision
        if self.floating:
            self.width = self._choose_float_style(sample.ravel())
        else:
            self.width = max([1] + [len(str(v)) for v in sample.ravel().tolist()])

    def _choose_float_style(self, values: np.ndarray) -> int:
        """Set ``int_mode``/``sci_mode`` from ``values`` and return the width."""
        shown = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if shown.size == 0:
            return 1
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        self.sci_mode = _wants_sci_mode(np.abs(shown))
        return max(len(self._plain(v)) for v in shown.tolist())

    def _plain(self, value: float) -> str:
        """``value`` in the chosen style, unpadded."""
        if not self.floating:
            return str(value)
        if self.sci_mode:
            return f"{value:.{self.precision}e}"
        if self.int_mode:
            text = f"{value:.0f}"
            return text if math.isinf(value) or math.isnan(value) else text + "."
        return f"{value:.{self.precision}f}"

    def format(self, value: Any) -> str:
        """``value`` in the chosen style, right-aligned to ``width``."""
        return self._plain(value).rjust(self.width)


def _wants_sci_mode(magnitudes: np.ndarray) -> bool:
    """PyTorch's choice of scientific notation for nonzero finite ``magnitudes``.

    Example:
        >>> _wants_sci_mode(np.array([1.0, 2000.0])), _wants_sci_mode(np.array([1.0, 2.0]))
        (True, False)
    """
    if PRINT_OPTIONS.sci_mode is not None:
        return bool(PRINT_OPTIONS.sci_mode)
    largest, smallest = float(magnitudes.max()), float(magnitudes.min())
    return largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4


class _CellFormatter:
    """Turns one element (real, integer, bool or complex) into its cell text.

    ``width`` is the cell width PyTorch uses to decide how many cells fit on a
    line (for complex values: real width + imaginary width + 1 for the ``j``).

    Example:
        >>> cells = _CellFormatter(np.array([1 + 2j, 2 - 3.5j]))
        >>> cells(1 + 2j), cells(2 - 3.5j)
        ('1.+2.0000j', '2.-3.5000j')
    """

    def __init__(self, sample: np.ndarray) -> None:
        self.complex = sample.dtype.kind == "c"
        if self.complex:
            self.real = _RealFormatter(sample.real)
            self.imag: _RealFormatter | None = _RealFormatter(sample.imag)
            self.width = self.real.width + self.imag.width + 1
        else:
            self.real = _RealFormatter(sample)
            self.imag = None
            self.width = self.real.width

    def __call__(self, value: Any) -> str:
        if self.imag is None:
            return self.real.format(value)
        real = self.real.format(value.real)
        imag = (self.imag.format(value.imag) + "j").lstrip()
        return real + imag if imag[0] in "+-" else real + "+" + imag


# ---------------------------------------------------------------------------
# layout: nested brackets, summarisation, wrapping
# ---------------------------------------------------------------------------


def _kept_indices(length: int, summarize: bool) -> tuple[list[int], list[int]]:
    """Indices printed before and after the ``...`` of one dimension.

    Example:
        >>> _kept_indices(10, summarize=True)
        ([0, 1, 2], [7, 8, 9])
        >>> _kept_indices(4, summarize=True)
        ([0, 1, 2, 3], [])
    """
    edge = PRINT_OPTIONS.edgeitems
    if summarize and length > 2 * edge:
        return list(range(edge)), list(range(length - edge, length))
    return list(range(length)), []


def _summarized_sample(values: np.ndarray) -> np.ndarray:
    """The elements a summarised print shows (used to pick style and width).

    Example:
        >>> _summarized_sample(np.arange(10)).tolist()
        [0, 1, 2, 7, 8, 9]
    """
    axes = [sum(_kept_indices(n, summarize=True), []) for n in values.shape]
    return values[np.ix_(*axes)]


def _render_row(row: np.ndarray, indent: int, summarize: bool, cells: _CellFormatter) -> str:
    """A 1-d array as ``[a, b, ...]``, wrapped to ``linewidth``.

    Example:
        >>> row = np.arange(30)
        >>> print(_render_row(row, 0, False, _CellFormatter(row)))
        [ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
         20, 21, 22, 23, 24, 25, 26, 27, 28, 29]
    """
    if summarize and not PRINT_OPTIONS.edgeitems:
        items = ["..."]
    else:
        head, tail = _kept_indices(len(row), summarize)
        items = [cells(v) for v in row[head].tolist()]
        if tail:
            items += [" ..."] + [cells(v) for v in row[tail].tolist()]
    per_line = max(1, (PRINT_OPTIONS.linewidth - indent) // (cells.width + 2))
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _render(values: np.ndarray, indent: int, summarize: bool, cells: _CellFormatter) -> str:
    """Any non-empty array as nested brackets; ``indent`` is its opening column.

    Sub-arrays of a d-dimensional block are separated by ``d - 1`` newlines.

    Example:
        >>> a = np.arange(4).reshape(2, 2)
        >>> print(_render(a, 0, False, _CellFormatter(a)))
        [[0, 1],
         [2, 3]]
    """
    if values.ndim == 0:
        return cells(values.item())
    if values.ndim == 1:
        return _render_row(values, indent, summarize, cells)
    head, tail = _kept_indices(values.shape[0], summarize)
    parts = [_render(values[i], indent + 1, summarize, cells) for i in head]
    if tail or (summarize and not PRINT_OPTIONS.edgeitems):
        parts += ["..."] + [_render(values[i], indent + 1, summarize, cells) for i in tail]
    separator = "," + "\n" * (values.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _values_text(values: np.ndarray, indent: int) -> str:
    """The bracketed values of a non-empty array, summarised if it is large."""
    summarize = values.size > PRINT_OPTIONS.threshold
    sample = _summarized_sample(values) if summarize else values
    return _render(values, indent, summarize, _CellFormatter(np.asarray(sample)))


def _append_suffixes(text: str, suffixes: Sequence[str], indent: int) -> str:
    """Close ``text`` with ``, suffix`` items and ``)``, wrapping past ``linewidth``.

    The line-length bookkeeping (including its extra 2) mirrors PyTorch.

    Example:
        >>> _append_suffixes("tensor([1.]", ["dtype=torch.float64"], 7)
        'tensor([1.], dtype=torch.float64)'
    """
    pieces = [text]
    line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_length + len(suffix) + 2 > PRINT_OPTIONS.linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            line_length = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            line_length += len(suffix) + 2
    pieces.append(")")
    return "".join(pieces)


# ---------------------------------------------------------------------------
# public entry point
# ---------------------------------------------------------------------------

_PARAMETER_HEADER = "Parameter containing:\n"


def format_tensor(
    values: np.ndarray,
    *,
    dtype_suffix: str | None,
    grad_fn_name: str | None = None,
    requires_grad: bool = False,
    prefix: str = "tensor(",
    is_parameter: bool = False,
) -> str:
    """Return exactly what PyTorch's ``repr`` prints for a tensor holding ``values``.

    Args:
        values: the tensor's elements (any shape, including 0-d and empty).
        dtype_suffix: torch dtype name to print as ``dtype=...`` (normally
            ``dtype_suffix(tensor_dtype)``), or ``None`` when PyTorch leaves the
            dtype implicit.  Empty tensors always name a dtype other than the
            default float: with ``None`` it is taken from ``values.dtype``
            (a real floating ``values.dtype`` is then assumed to be the default).
        grad_fn_name: e.g. ``"AddBackward0"``; printed as ``grad_fn=<...>``.
        requires_grad: printed as ``requires_grad=True`` when there is no
            ``grad_fn_name``.
        prefix: text before the values; continuation lines are indented by
            the length of its last line (``Parameter containing:\\ntensor(``
            indents like ``tensor(``).
        is_parameter: put ``Parameter containing:`` on a line of its own
            before the tensor, as ``torch.nn.Parameter`` does (unless
            ``prefix`` already starts with it).

    Example:
        >>> format_tensor(np.float32(24.0), dtype_suffix=None, grad_fn_name="AddBackward0")
        'tensor(24., grad_fn=<AddBackward0>)'
        >>> format_tensor(np.zeros((0, 3), np.int64), dtype_suffix=None)
        'tensor([], size=(0, 3), dtype=torch.int64)'
        >>> print(format_tensor(np.ones(2, np.float64), dtype_suffix="torch.float64",
        ...                     requires_grad=True, is_parameter=True))
        Parameter containing:
        tensor([1., 1.], dtype=torch.float64, requires_grad=True)
    """
    values = np.asarray(values)
    if is_parameter and not prefix.startswith(_PARAMETER_HEADER):
        prefix = _PARAMETER_HEADER + prefix
    indent = len(prefix) - prefix.rfind("\n") - 1
    if dtype_suffix is not None and dtype_suffix.startswith("dtype="):
        dtype_suffix = dtype_suffix[len("dtype=") :]

    suffixes = []
    if values.size == 0:
        text = "[]"
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
        if dtype_suffix is None and values.dtype.kind != "f":
            dtype_suffix = _torch_dtype_name(values.dtype)
    else:
        text = _values_text(values, indent)
        if not PRINT_OPTIONS.edgeitems:
            suffixes.append(f"size={tuple(values.shape)}")
    if dtype_suffix is not None:
        suffixes.append(f"dtype={dtype_suffix}")
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _append_suffixes(prefix + text, suffixes, indent)
