"""``save`` / ``load``: state dicts as ``.npz`` archives or ``.safetensors``
files, never pickles.

``save(obj, f)`` writes ``obj`` -- nested dicts, lists and tuples of tensors,
NumPy arrays, numbers, strings, booleans and ``None`` (a model's or an
optimizer's ``state_dict()``) -- as an ``.npz`` archive: one ``.npy`` member per
tensor plus a JSON description of the structure. A path ending in
``.safetensors`` (or ``format="safetensors"``) writes a flat state dict in the
safetensors format instead (optional package ``safetensors``).

``load(f)`` recognises what the file is from its first bytes and reads only
plain data: nothing in a file can execute code, no array is allocated before
its declared size is checked against the file and against ``max_bytes``,
and every file it refuses raises :class:`StateFileError` (a
``pickle.UnpicklingError``, as ``torch.load(weights_only=True)`` raises)
saying what the file is and what funcgrad can load instead. A plain ``.npz``
written by ``numpy.savez`` loads as a dict of tensors, a ``.npy`` file as a
tensor.

>>> import io, funcgrad.torch as torch
>>> buf = io.BytesIO()
>>> torch.save({"w": torch.ones(2), "epoch": 3}, buf)
>>> _ = buf.seek(0)
>>> torch.load(buf)
{'w': tensor([1., 1.]), 'epoch': 3}
"""
from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from typing import Any, BinaryIO, Dict, Optional, Union

import numpy as np

import funcgrad.torch as torch
from . import _safetensors, _statefile
from ._safe_npz import BadFile, PickledData, read_npy, read_npz

__all__ = ["save", "load", "StateFileError", "DEFAULT_MAX_BYTES"]

FileLike = Union[str, "os.PathLike[str]", BinaryIO]

DEFAULT_MAX_BYTES = 1 << 33  # 8 GiB of array data per file; pass max_bytes= for more
_STRUCTURE = "__funcgrad_structure__"

CAN_LOAD = ("funcgrad.torch.load reads files written by funcgrad.torch.save (.npz archives of "
            "plain arrays), .npz/.npy files of numeric arrays (numpy.savez, numpy.save) and "
            ".safetensors files. To bring a PyTorch model over, save its state dict as "
            "safetensors in PyTorch (safetensors.torch.save_file(model.state_dict(), "
            "'model.safetensors')) and load that: model.load_state_dict("
            "funcgrad.torch.load('model.safetensors')).")


class StateFileError(pickle.UnpicklingError):
    """A file ``funcgrad.torch.load`` refuses: pickled data (a PyTorch ``.pt``
    file, a pickle, object arrays) or not a valid funcgrad state file (random
    bytes, truncated, malformed, too large). A ``pickle.UnpicklingError``, as
    PyTorch raises for files ``torch.load(weights_only=True)`` refuses."""


def save(obj: Any, f: FileLike, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True, *, format: Optional[str] = None) -> None:
    """Save ``obj`` (a state dict: nested dicts/lists/tuples of tensors,
    arrays, numbers, strings, ``None``) to the path or binary file ``f``.

    The file is an ``.npz`` archive (whatever its name): it holds only arrays
    and a JSON description, never a pickle. With ``format="safetensors"``, or
    a path ending in ``.safetensors``, ``obj`` must be a flat state dict (str
    -> tensor) and the file is in the safetensors format, which PyTorch and
    the Hugging Face tools read (needs the ``safetensors`` package).
    ``pickle_module`` and ``pickle_protocol`` are accepted for PyTorch
    compatibility and ignored.

    >>> import os, tempfile, funcgrad.torch as torch
    >>> path = os.path.join(tempfile.mkdtemp(), "model.pt")
    >>> torch.save(torch.nn.Linear(2, 1).state_dict(), path)
    >>> sorted(torch.load(path))
    ['bias', 'weight']
    """
    if format is None:
        is_path = isinstance(f, (str, os.PathLike))
        format = "safetensors" if is_path and os.fspath(f).endswith(".safetensors") else "npz"
    if format == "safetensors":
        data = _safetensors.save_bytes(obj)
        _write(f, lambda fh: fh.write(data))
        return
    if format != "npz":
        raise ValueError(f"funcgrad.torch.save: format must be 'npz' or 'safetensors', "
                         f"not {format!r}")
    arrays: Dict[str, np.ndarray] = {}
    structure = _statefile.encode(obj, arrays)
    header = json.dumps({"format": _statefile.FORMAT, "root": structure})
    arrays[_STRUCTURE] = np.array(header)
    _write(f, lambda fh: np.savez(fh, **arrays))


def _write(f: FileLike, write: Any) -> None:
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            write(fh)
    else:
        write(f)


def load(f: FileLike, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool = True, mmap: Any = None, max_bytes: int = DEFAULT_MAX_BYTES,
         **pickle_load_args: Any) -> Any:
    """Load an object saved by :func:`save` (or a ``.npz``/``.npy``/
    ``.safetensors`` file) from the path or binary file ``f``.

    Nothing in the file can execute code, and memory stays bounded: the
    array data a file declares is checked against its real size and against
    ``max_bytes`` (default 8 GiB) before anything is allocated. Every refusal
    raises :class:`StateFileError` (a ``pickle.UnpicklingError``): for
    pickled data (PyTorch's own ``.pt`` files, ``pickle`` dumps, object
    arrays) it says what the file is and how to convert it; for anything else
    it reads "not a valid funcgrad state file: ...". ``map_location`` is
    accepted and ignored (funcgrad has only the CPU); ``weights_only=False``
    is refused, since it would mean unpickling.

    >>> import io, funcgrad.torch as torch
    >>> buf = io.BytesIO(); torch.save([torch.tensor([1.5]), None, "x"], buf)
    >>> _ = buf.seek(0); torch.load(buf)
    [tensor([1.5000]), None, 'x']
    >>> torch.load(io.BytesIO(b"not a model"))
    Traceback (most recent call last):
        ...
    funcgrad.torch.serialization.StateFileError: not a valid funcgrad state file: <file>: it is neither an .npz/.npy archive nor a .safetensors file (it starts with b'not a mo'). ...
    """
    if weights_only is False:
        raise StateFileError(
            "funcgrad.torch.load never unpickles, so weights_only=False is not supported: "
            "files are .npz archives of plain arrays (or .safetensors), read without pickle.")
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<file>")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return _load(fh, str(name), max_bytes)
    if not (hasattr(f, "seekable") and f.seekable()):
        f = io.BytesIO(_read_at_most(f, max_bytes, str(name)))
    return _load(f, str(name), max_bytes)


def _read_at_most(fh: BinaryIO, limit: int, name: str) -> bytes:
    data = fh.read(limit + 1)
    if len(data) > limit:
        raise _invalid(name, f"it is larger than max_bytes={limit:,}")
    return data


def _load(fh: BinaryIO, name: str, max_bytes: int) -> Any:
    start = fh.tell()
    head = fh.read(16)
    fh.seek(start)
    kind = _sniff(head)
    try:
        if kind == "zip":
            return _load_zip(fh, name, max_bytes)
        if kind == "npy":
            size = fh.seek(0, io.SEEK_END) - start
            fh.seek(start)
            return _statefile.as_tensor(read_npy(fh, size, max_bytes, "the array"), "the array")
        if kind == "safetensors":
            data = _read_at_most(fh, max_bytes + SAFETENSORS_HEADER_MAX, name)
            return _safetensors.load_bytes(data)
    except PickledData as e:
        raise _pickled(name, str(e)) from None
    except (BadFile, ValueError) as e:
        raise _invalid(name, str(e)) from None
    if kind == "legacy-torch":
        raise _pickled(name, "it is a PyTorch torch.save file in the legacy (pre-1.6) format, "
                             "a pickle")
    if kind == "pickle":
        raise _pickled(name, "it is a Python pickle")
    raise _invalid(name, "it is neither an .npz/.npy archive nor a .safetensors file "
                         f"(it starts with {head[:8]!r})")


SAFETENSORS_HEADER_MAX = _safetensors.SAFETENSORS_MAGIC_MAX


def _sniff(head: bytes) -> str:
    """What a file is, from its first 16 bytes."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\x93NUMPY"):
        return "npy"
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        # PyTorch's legacy format starts with the pickled magic number 0x1950a86a20f9469cfc6c
        return "legacy-torch" if b"\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19" in head else "pickle"
    if len(head) >= 9 and head[8:9] == b"{":
        n = int.from_bytes(head[:8], "little")
        if 2 <= n <= SAFETENSORS_HEADER_MAX:
            return "safetensors"
    return "unknown"


def _load_zip(fh: BinaryIO, name: str, max_bytes: int) -> Any:
    try:
        names = zipfile.ZipFile(fh).namelist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise BadFile(f"it is not a readable zip archive ({e})") from None
    fh.seek(0)
    pkl = [n for n in names if n.endswith(".pkl")]
    if pkl:
        what = ("a PyTorch torch.save file (a zip archive whose " + repr(pkl[0]) + " is a pickle)"
                if any(n.endswith("/version") or n == "version" for n in names)
                else "a zip archive holding pickled data (" + repr(pkl[0]) + ")")
        raise PickledData(f"it is {what}")
    members = read_npz(fh, max_bytes)
    if _STRUCTURE not in members:
        return {key: _statefile.as_tensor(value, f"member {key!r}")
                for key, value in members.items()}
    text = members.pop(_STRUCTURE)
    if text.dtype.kind != "U" or text.shape != ():
        raise BadFile("its structure header is not a string")
    try:
        header = json.loads(str(text))
    except (ValueError, RecursionError) as e:
        raise BadFile(f"its structure header is not valid JSON ({type(e).__name__}: {e})") \
            from None
    return _statefile.decode(header, members)


def _pickled(name: str, what: str) -> StateFileError:
    return StateFileError(
        f"funcgrad.torch.load refused {name}: {what}. Loading pickled data can execute "
        f"arbitrary code, so funcgrad never unpickles. {CAN_LOAD}")


def _invalid(name: str, why: str) -> StateFileError:
    return StateFileError(f"not a valid funcgrad state file: {name}: {why}. {CAN_LOAD}")
