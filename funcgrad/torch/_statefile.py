"""The structure of a ``funcgrad.torch.save`` file: a JSON tree whose leaves
name the archive's arrays.

:func:`encode` turns nested dicts/lists/tuples of tensors, arrays, numbers,
strings and ``None`` into that tree (filling ``arrays``); :func:`decode`
rebuilds the object and validates every node as it goes -- a header from an
untrusted file is data, so any deviation (an unknown kind, a missing or
mistyped field, a dangling array reference, nesting deeper than
``MAX_DEPTH``) raises :class:`Malformed` with where and what.
"""
from __future__ import annotations

import collections
from typing import Any, Dict

import numpy as np

import funcgrad.torch as torch

__all__ = ["FORMAT", "MAX_DEPTH", "Malformed", "encode", "decode", "as_tensor"]

FORMAT = "funcgrad.torch.save/1"
MAX_DEPTH = 200


class Malformed(ValueError):
    """The structure header does not describe a valid object (the reason)."""


# --- encoding ---------------------------------------------------------------
def encode(obj: Any, arrays: Dict[str, np.ndarray], path: str = "obj") -> Any:
    """The JSON-ready node for ``obj``; its arrays are added to ``arrays``."""
    if isinstance(obj, torch.Tensor):
        node = {"t": "tensor", "ref": _store(np.array(obj.detach().numpy()), arrays, path)}
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
            items.append([encode(key, arrays, f"{path}.<key>"),
                          encode(value, arrays, f"{path}[{key!r}]")])
        return {"t": kind, "items": items}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {"t": kind, "items": [encode(v, arrays, f"{path}[{i}]")
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
def decode(header: Any, members: Dict[str, np.ndarray]) -> Any:
    """The object described by the parsed JSON ``header`` over ``members``."""
    if not isinstance(header, dict) or "root" not in header:
        raise Malformed("the structure header is not an object with a 'root' entry")
    if header.get("format") != FORMAT:
        raise Malformed(f"unknown format {header.get('format')!r}; expected {FORMAT!r}")
    return _decode(header["root"], members, "root", 0)


def as_tensor(a: np.ndarray, what: str) -> Any:
    """A tensor sharing ``a``; :class:`Malformed` for a dtype tensors lack."""
    try:
        return torch.from_numpy(a)
    except TypeError:
        raise Malformed(f"{what} has dtype {a.dtype}, which funcgrad tensors do not "
                        "support") from None


def _field(node: dict, name: str, types: Any, where: str) -> Any:
    if name not in node:
        raise Malformed(f"entry {where} has no {name!r}")
    v = node[name]
    if not isinstance(v, types):
        raise Malformed(f"entry {where} has a {type(v).__name__} as {name!r}")
    return v


def _array(node: dict, members: Dict[str, np.ndarray], where: str) -> np.ndarray:
    ref = _field(node, "ref", str, where)
    if ref not in members:
        raise Malformed(f"entry {where} refers to a missing array {ref!r}")
    return members[ref]


def _number(text: str, kind: Any, where: str) -> Any:
    try:
        return kind(text)
    except (ValueError, OverflowError) as e:
        raise Malformed(f"entry {where} holds an invalid {kind.__name__}: {e}") from None


def _decode(node: Any, members: Dict[str, np.ndarray], where: str, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise Malformed(f"nesting deeper than {MAX_DEPTH} levels at {where}")
    if not isinstance(node, dict):
        raise Malformed(f"entry {where} is a {type(node).__name__}, not an object")
    kind = _field(node, "t", str, where)
    if kind == "tensor":
        t = as_tensor(_array(node, members, where), f"entry {where}")
        if node.get("parameter") is True:
            return torch.nn.Parameter(t, requires_grad=node.get("requires_grad") is True)
        if node.get("requires_grad") is True:
            if t.dtype.is_floating_point or t.dtype.is_complex:
                t.requires_grad_(True)
            else:
                raise Malformed(f"entry {where}: an integer tensor cannot require grad")
        return t
    if kind == "ndarray":
        return _array(node, members, where)
    if kind == "npscalar":
        a = _array(node, members, where)
        if a.shape != ():
            raise Malformed(f"entry {where}: a NumPy scalar must be 0-d, got shape {a.shape}")
        return a[()]
    if kind == "const":
        v = node.get("v")
        if not (v is None or isinstance(v, (bool, str))):
            raise Malformed(f"entry {where} holds a {type(v).__name__} constant")
        return v
    if kind == "int":
        return _number(_field(node, "v", str, where), int, where)
    if kind == "float":
        return _number(_field(node, "v", str, where), float, where)
    if kind == "complex":
        v = _field(node, "v", list, where)
        if len(v) != 2 or not all(isinstance(p, str) for p in v):
            raise Malformed(f"entry {where} is not a pair of strings")
        return complex(_number(v[0], float, where), _number(v[1], float, where))
    items = _field(node, "items", list, where) if kind in (
        "dict", "odict", "list", "tuple") else None
    if kind in ("dict", "odict"):
        pairs = []
        for i, item in enumerate(items):
            if not isinstance(item, list) or len(item) != 2:
                raise Malformed(f"item {i} of {where} is not a [key, value] pair")
            key = _key(_decode(item[0], members, f"{where}.<key {i}>", depth + 1), where)
            pairs.append((key, _decode(item[1], members, f"{where}[{key!r}]", depth + 1)))
        return collections.OrderedDict(pairs) if kind == "odict" else dict(pairs)
    if kind == "list":
        return [_decode(v, members, f"{where}[{i}]", depth + 1) for i, v in enumerate(items)]
    if kind == "tuple":
        return tuple(_decode(v, members, f"{where}[{i}]", depth + 1)
                     for i, v in enumerate(items))
    raise Malformed(f"entry {where} has an unknown kind {kind!r}")


def _key(k: Any, where: str) -> Any:
    k = _frozen(k)
    try:
        hash(k)
    except TypeError:
        raise Malformed(f"a key of {where} is not hashable ({type(k).__name__})") from None
    return k


def _frozen(k: Any) -> Any:
    return tuple(_frozen(v) for v in k) if isinstance(k, (list, tuple)) else k
