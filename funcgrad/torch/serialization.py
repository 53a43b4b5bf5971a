"""``save`` / ``load``: state dicts in NumPy's ``.npz`` format, never pickles.

``save(obj, f)`` writes ``obj`` -- nested dicts, lists and tuples of tensors,
NumPy arrays, numbers, strings, booleans and ``None`` (a model's or an
optimizer's ``state_dict()``) -- as an ``.npz`` archive: one ``.npy`` member per
tensor plus a JSON description of the structure. ``load(f)`` reads it back with
``numpy.load(..., allow_pickle=False)``, so loading an untrusted file cannot
execute code: a file that contains pickled data is refused with
``pickle.UnpicklingError``. A plain ``.npz`` written by ``numpy.savez`` loads
as a dict of tensors.

>>> import io, funcgrad.torch as torch
>>> buf = io.BytesIO()
>>> torch.save({"w": torch.ones(2), "epoch": 3}, buf)
>>> _ = buf.seek(0)
>>> torch.load(buf)
{'w': tensor([1., 1.]), 'epoch': 3}
"""
from __future__ import annotations

import collections
import json
import os
import pickle
import zipfile
from typing import Any, BinaryIO, Dict, Union

import numpy as np

import funcgrad.torch as torch

__all__ = ["save", "load"]

FileLike = Union[str, "os.PathLike[str]", BinaryIO]

_STRUCTURE = "__funcgrad_structure__"
_FORMAT = "funcgrad.torch.save/1"


def save(obj: Any, f: FileLike, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Save ``obj`` (a state dict: nested dicts/lists/tuples of tensors,
    arrays, numbers, strings, ``None``) to the path or binary file ``f``.

    The file is an ``.npz`` archive (whatever its name): it holds only arrays
    and a JSON description, never a pickle. ``pickle_module`` and
    ``pickle_protocol`` are accepted for PyTorch compatibility and ignored.

    >>> import os, tempfile, funcgrad.torch as torch
    >>> path = os.path.join(tempfile.mkdtemp(), "model.pt")
    >>> torch.save(torch.nn.Linear(2, 1).state_dict(), path)
    >>> sorted(torch.load(path))
    ['bias', 'weight']
    """
    arrays: Dict[str, np.ndarray] = {}
    structure = _encode(obj, arrays, path="obj")
    header = json.dumps({"format": _FORMAT, "root": structure})
    arrays[_STRUCTURE] = np.array(header)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            np.savez(fh, **arrays)
    else:
        np.savez(f, **arrays)


def load(f: FileLike, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool = True, mmap: Any = None, **pickle_load_args: Any) -> Any:
    """Load an object saved by :func:`save` from the path or binary file ``f``.

    The file is read with ``numpy.load(..., allow_pickle=False)``: nothing in
    it can execute code. Files containing pickled data (``torch.save`` files
    from PyTorch, ``pickle`` dumps, object arrays) raise
    ``pickle.UnpicklingError``. ``map_location`` is accepted and ignored (funcgrad
    has only the CPU); ``weights_only=False`` is refused, since it would mean
    unpickling.

    >>> import io, funcgrad.torch as torch
    >>> buf = io.BytesIO(); torch.save([torch.tensor([1.5]), None, "x"], buf)
    >>> _ = buf.seek(0); torch.load(buf)
    [tensor([1.5000]), None, 'x']
    """
    if weights_only is False:
        raise pickle.UnpicklingError(
            "funcgrad.torch.load never unpickles, so weights_only=False is not supported: "
            "files are .npz archives of plain arrays, loaded with allow_pickle=False.")
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<file>")
    try:
        data = np.load(f, allow_pickle=False)
    except ValueError as e:
        if "pickle" in str(e):
            raise _refused(name, "it contains pickled data") from None
        raise
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise RuntimeError(f"funcgrad.torch.load: {name!s} is not a file written by "
                           f"funcgrad.torch.save (an .npz archive): {e}") from None
    if isinstance(data, np.ndarray):  # a bare .npy file
        return torch.from_numpy(data)
    with data:
        try:
            members = {key: data[key] for key in data.files}
        except ValueError as e:
            if "pickle" in str(e) or "Object arrays" in str(e):
                raise _refused(name, "one of its arrays holds Python objects (pickled data)") \
                    from None
            raise
    if _STRUCTURE not in members:
        return {key: torch.from_numpy(value)
                for key, value in members.items()}
    header = json.loads(str(members.pop(_STRUCTURE)))
    if header.get("format") != _FORMAT:
        raise RuntimeError(f"funcgrad.torch.load: {name!s} has an unknown format "
                           f"{header.get('format')!r}; expected {_FORMAT!r}.")
    return _decode(header["root"], members)


def _refused(name: str, why: str) -> pickle.UnpicklingError:
    return pickle.UnpicklingError(
        f"funcgrad.torch.load refused {name!s}: {why}. Loading pickled data can execute "
        "arbitrary code, so funcgrad only reads .npz archives of plain arrays "
        "(numpy.load with allow_pickle=False). If you trust the file, load it with the "
        "library that wrote it and re-save the state dict with funcgrad.torch.save.")


# --- encoding ---------------------------------------------------------------
def _encode(obj: Any, arrays: Dict[str, np.ndarray], path: str) -> Any:
    if isinstance(obj, torch.Tensor):
        ref = _store(np.array(obj.detach().numpy()), arrays, path)
        node = {"t": "tensor", "ref": ref}
        if obj.requires_grad:
            node["requires_grad"] = True
        if isinstance(obj, torch.nn.Parameter):
            node["parameter"] = True
        return node
    if isinstance(obj, np.ndarray):
        return {"t": "ndarray", "ref": _store(obj, arrays, path)}
    if isinstance(obj, np.generic):
        return {"t": "npscalar", "ref": _store(np.asarray(obj), arrays, path)}
    if obj is None or isinstance(obj, (bool, str)):
        return {"t": "const", "v": obj}
    if isinstance(obj, int):
        return {"t": "int", "v": str(obj)}  # exact, even beyond 2**53
    if isinstance(obj, float):
        return {"t": "float", "v": repr(obj)}
    if isinstance(obj, complex):
        return {"t": "complex", "v": [repr(obj.real), repr(obj.imag)]}
    if isinstance(obj, dict):
        kind = "odict" if isinstance(obj, collections.OrderedDict) else "dict"
        items = []
        for key, value in obj.items():
            if not (key is None or isinstance(key, (bool, int, float, str, tuple))):
                raise TypeError(f"funcgrad.torch.save: dictionary key {key!r} at {path} has "
                                f"type {type(key).__name__}; keys must be str, int, float, "
                                "bool, None or tuples of those.")
            items.append([_encode(key, arrays, f"{path}.<key>"),
                          _encode(value, arrays, f"{path}[{key!r}]")])
        return {"t": kind, "items": items}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {"t": kind, "items": [_encode(v, arrays, f"{path}[{i}]")
                                     for i, v in enumerate(obj)]}
    raise TypeError(
        f"funcgrad.torch.save cannot store {type(obj).__name__} (at {path}): only tensors, "
        "NumPy arrays, numbers, strings, None and dicts/lists/tuples of them can be saved "
        "(save a module's or optimizer's state_dict(), not the object itself).")


def _store(array: np.ndarray, arrays: Dict[str, np.ndarray], path: str) -> str:
    if array.dtype.hasobject:
        raise TypeError(f"funcgrad.torch.save: the array at {path} has dtype object, which "
                        "can only be stored by pickling; convert it to a numeric dtype.")
    ref = f"a{len(arrays)}"
    arrays[ref] = array
    return ref


# --- decoding ---------------------------------------------------------------
def _decode(node: Any, members: Dict[str, np.ndarray]) -> Any:
    kind = node["t"]
    if kind == "tensor":
        t = torch.from_numpy(members[node["ref"]])
        if node.get("parameter"):
            return torch.nn.Parameter(t, requires_grad=bool(node.get("requires_grad")))
        if node.get("requires_grad"):
            t.requires_grad_(True)
        return t
    if kind == "ndarray":
        return members[node["ref"]]
    if kind == "npscalar":
        return members[node["ref"]][()]
    if kind == "const":
        return node["v"]
    if kind == "int":
        return int(node["v"])
    if kind == "float":
        return float(node["v"])
    if kind == "complex":
        return complex(float(node["v"][0]), float(node["v"][1]))
    if kind in ("dict", "odict"):
        pairs = [(_key(_decode(k, members)), _decode(v, members)) for k, v in node["items"]]
        return collections.OrderedDict(pairs) if kind == "odict" else dict(pairs)
    if kind == "list":
        return [_decode(v, members) for v in node["items"]]
    if kind == "tuple":
        return tuple(_decode(v, members) for v in node["items"])
    raise RuntimeError(f"funcgrad.torch.load: unknown entry kind {kind!r} in the file")


def _key(k: Any) -> Any:
    return tuple(k) if isinstance(k, list) else k
