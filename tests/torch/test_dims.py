"""Every dim-taking facade operation, called with every dim from far out of
range on the negative side to far out on the positive side, against PyTorch.

The operations are found by introspection (any public function, ``Tensor``
method, ``nn.functional``/``linalg`` function or ``nn`` layer with a
``dim``-like parameter), so a new operation that takes a ``dim`` must get a
row in ``CALLS`` -- and is then checked like the others. An out-of-range
``dim`` must raise PyTorch's error (type and message), never wrap around.

Each outcome is compared with real PyTorch when it is installed, and always
with the outcomes recorded from PyTorch 2.13 in ``dims_torch.json`` (so CI
without torch still checks them). ``python -m tests.torch.test_dims``
re-records that file (needs torch).
"""
from __future__ import annotations

import inspect
import json
import os
import re
import types
import warnings
from typing import Any, Callable, Dict

import numpy as np
import pytest

import funcgrad.torch as T
import funcgrad.torch.linalg as L
import funcgrad.torch.nn as nn
import funcgrad.torch.nn.functional as F

RECORD = os.path.join(os.path.dirname(__file__), "dims_torch.json")
DIM_PARAMS = {"dim", "dims", "dim0", "dim1", "start_dim", "end_dim", "source", "destination"}
SHAPES = [(), (3,), (2, 1, 3)]
DIMS = [-8] + list(range(-5, 5)) + [7]
# Errors whose message is about the dim argument: the message must be PyTorch's, exactly.
DIM_ERROR = re.compile(r"Dimension out of range|appears multiple times|duplicate dims|"
                       r"[Dd]imension specified as")


def _idx(m: Any, x: Any) -> Any:
    return m.T.zeros(tuple(x.shape), dtype=m.T.long)


# How to call each operation with tensor ``x`` and the dim ``d`` under test
# (``f`` is the namespace function, the method, or the layer class; ``m`` the
# library: funcgrad's or PyTorch's ``T``, ``F``, ``L``, ``nn``).
Call = Callable[[Callable[..., Any], Any, Any, int], Any]
_X_D: Call = lambda f, m, x, d: f(x, d)
CALLS: Dict[str, Call] = {
    **{n: _X_D for n in ("sum", "mean", "std", "var", "prod", "max", "min", "amax", "amin",
                         "argmax", "argmin", "all", "any", "cumsum", "logsumexp", "softmax",
                         "log_softmax", "squeeze", "unsqueeze", "unbind", "sort", "argsort",
                         "flatten")},
    "sum.tuple": lambda f, m, x, d: f(x, (0, d)),
    "flatten.end": lambda f, m, x, d: f(x, 0, d),
    "flip": lambda f, m, x, d: f(x, (d,)),
    "flip.tuple": lambda f, m, x, d: f(x, (0, d)),
    "norm": lambda f, m, x, d: f(x, dim=d),
    "gather": lambda f, m, x, d: f(x, d, _idx(m, x)),
    "index_select": lambda f, m, x, d: f(x, d, m.T.tensor([0])),
    "narrow": lambda f, m, x, d: f(x, d, 0, 1),
    "split": lambda f, m, x, d: f(x, 1, d),
    "chunk": lambda f, m, x, d: f(x, 2, d),
    "topk": lambda f, m, x, d: f(x, 1, d),
    "transpose": lambda f, m, x, d: f(x, 0, d),
    "transpose.first": lambda f, m, x, d: f(x, d, -1),
    "permute": lambda f, m, x, d: f(x, (d,) + tuple(range(1, x.dim()))),
    "cat": lambda f, m, x, d: f([x, x], d),
    "stack": lambda f, m, x, d: f([x, x], d),
    "size": _X_D,
    "F.softmax": lambda f, m, x, d: f(x, dim=d),
    "F.cosine_similarity": lambda f, m, x, d: f(x, x, d),
    "F.normalize": lambda f, m, x, d: f(x, dim=d),
    "L.vector_norm": lambda f, m, x, d: f(x, dim=d),
    "L.norm": lambda f, m, x, d: f(x, dim=d),
    "L.matrix_norm": lambda f, m, x, d: f(x, dim=(0, d)),
    "L.cross": lambda f, m, x, d: f(x, x, dim=d),
    "nn.Softmax": lambda f, m, x, d: f(d)(x),
    "nn.Flatten": lambda f, m, x, d: f(d)(x),
    "nn.Flatten.end": lambda f, m, x, d: f(0, d)(x),
    "nn.Unflatten": lambda f, m, x, d: f(d, (1, -1))(x),
}
# Names that share a row with another (aliases, or the same calling convention).
SAME = {"concat": "cat", "concatenate": "cat", "swapaxes": "transpose",
        "swapdims": "transpose", "F.log_softmax": "F.softmax", "nn.LogSoftmax": "nn.Softmax"}
# Extra rows for an operation: (name of the row, callee name).
EXTRA = {"sum": ["sum.tuple"], "flatten": ["flatten.end"], "flip": ["flip.tuple"],
         "transpose": ["transpose.first"], "nn.Flatten": ["nn.Flatten.end"]}


def _takes_dim(obj: Any) -> bool:
    try:
        params = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return False
    return bool(DIM_PARAMS & set(params))


def discovered() -> list:
    """``(key, where, name)`` for every public facade callable taking a dim."""
    found = []
    for prefix, mod in (("", T), ("F.", F), ("L.", L)):
        for name in sorted(dir(mod)):
            obj = getattr(mod, name)
            if name.startswith("_") or isinstance(obj, type) or not callable(obj) \
                    or isinstance(obj, types.ModuleType):
                continue
            if _takes_dim(obj):
                found.append((prefix + name, prefix or "T.", name))
    for name in sorted(dir(T.Tensor)):
        obj = getattr(T.Tensor, name)
        if not name.startswith("_") and callable(obj) and _takes_dim(obj):
            found.append((name, "Tensor.", name))
    for name in sorted(dir(nn)):
        obj = getattr(nn, name)
        if isinstance(obj, type) and _takes_dim(obj.__init__):
            found.append(("nn." + name, "nn.", name))
    return found


def _row(key: str) -> str:
    key = SAME.get(key, key)
    if key in CALLS:
        return key
    bare = key.split(".", 1)[1] if key.startswith(("F.", "L.")) else key
    return SAME.get(bare, bare)


def cases() -> list:
    """``(case id, where, name, row)``: every discovered operation, every row."""
    out = []
    for key, where, name in discovered():
        row = _row(key)
        for r in [row] + EXTRA.get(row, []):
            out.append((f"{where}{name}" + ("" if r == row else r[r.rfind("."):]), where,
                        name, r))
    return out


def _lib(torch_mod: Any) -> Any:
    if torch_mod is T:
        return types.SimpleNamespace(T=T, F=F, L=L, nn=nn)
    return types.SimpleNamespace(T=torch_mod, F=torch_mod.nn.functional,
                                 L=torch_mod.linalg, nn=torch_mod.nn)


def _callee(m: Any, where: str, name: str) -> Callable[..., Any]:
    if where == "Tensor.":
        return lambda x, *a, **k: getattr(x, name)(*a, **k)
    return getattr({"T.": m.T, "F.": m.F, "L.": m.L, "nn.": m.nn}[where], name)


def _input(m: Any, shape: tuple) -> Any:
    n = int(np.prod(shape))
    vals = ((np.arange(n) * 7) % 5 + 1.0).reshape(shape)  # distinct enough, positive
    return m.T.tensor(vals.tolist(), dtype=m.T.float64)


def _summary(r: Any) -> Any:
    if isinstance(r, (tuple, list)):
        return [_summary(v) for v in r]
    if isinstance(r, (int, float, bool)):
        return ["value", r]
    return ["shape", list(r.shape)]


def _values(r: Any) -> list:
    if isinstance(r, (tuple, list)):
        return [v for x in r for v in _values(x)]
    if isinstance(r, (int, float, bool)):
        return [np.asarray(r, float)]
    return [np.asarray(r.detach().tolist(), float)]


def outcome(m: Any, where: str, name: str, row: str, shape: tuple, d: int,
            values: bool = False) -> Any:
    """``["ok", summary]`` or ``[exception type, message]`` of one call."""
    x = _input(m, shape)
    try:
        with warnings.catch_warnings():  # (std/var of one element: both libraries warn)
            warnings.simplefilter("ignore")
            r = CALLS[row](_callee(m, where, name), m, x, d)
    except Exception as e:  # noqa: BLE001 - the outcome is what is compared
        return [type(e).__name__, str(e).splitlines()[0] if str(e) else ""]
    return ["ok", _summary(r)] + ([_values(r)] if values else [])


def _key(case_id: str, shape: tuple, d: int) -> str:
    return f"{case_id}|{list(shape)}|{d}"


def _check(got: list, want: list, what: str) -> None:
    if want[0] == "ok":
        assert got[0] == "ok", f"{what}: PyTorch gives {want[1]}, funcgrad raises {got}"
        assert got[1] == want[1], f"{what}: PyTorch gives {want[1]}, funcgrad {got[1]}"
        if len(want) > 2:
            for a, b in zip(got[2], want[2]):
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=what)
    elif DIM_ERROR.search(want[1]):
        assert got[:2] == want[:2], f"{what}: PyTorch raises {want}, funcgrad gives {got[:2]}"
    else:  # an error about something else than the dim (a size, an unsupported layout)
        assert got[0] != "ok", f"{what}: PyTorch raises {want}, funcgrad gives {got}"


def _recorded() -> dict:
    with open(RECORD) as fh:
        return json.load(fh)


CASES = cases()


def test_every_dim_taking_op_has_a_row():
    missing = sorted({_row(k) for k, _, _ in discovered()} - set(CALLS))
    assert not missing, f"add a row to CALLS for these dim-taking ops: {missing}"


def test_recording_covers_every_case():
    rec = _recorded()
    missing = [_key(c, s, d) for c, _, _, _ in CASES for s in SHAPES for d in DIMS
               if _key(c, s, d) not in rec]
    assert not missing, (f"{len(missing)} outcomes not recorded (first: {missing[:3]}); "
                         "re-record with `python -m tests.torch.test_dims` (needs torch)")


@pytest.mark.parametrize("case_id,where,name,row", CASES, ids=[c[0] for c in CASES])
def test_dims_match_recorded_pytorch(case_id, where, name, row):
    rec = _recorded()
    m = _lib(T)
    for shape in SHAPES:
        for d in DIMS:
            k = _key(case_id, shape, d)
            if k in rec:
                _check(outcome(m, where, name, row, shape, d), rec[k], k)


def test_dims_match_live_pytorch():
    torch = pytest.importorskip("torch")
    ours, theirs = _lib(T), _lib(torch)
    for case_id, where, name, row in CASES:
        for shape in SHAPES:
            for d in DIMS:
                what = _key(case_id, shape, d)
                want = outcome(theirs, where, name, row, shape, d, values=True)
                _check(outcome(ours, where, name, row, shape, d, values=True), want, what)


def test_out_of_range_never_wraps():
    """The issue's examples, spelled out."""
    x = T.arange(6.).reshape(2, 3)
    with pytest.raises(IndexError, match=re.escape(
            "Dimension out of range (expected to be in range of [-2, 1], but got 5)")):
        x.sum(dim=5)
    with pytest.raises(IndexError, match=re.escape("[-2, 1], but got 5")):
        x.permute(0, 5)
    with pytest.raises(IndexError, match=re.escape("[-2, 1], but got 5")):
        T.gather(x, 5, T.zeros(2, 3, dtype=T.long))
    with pytest.raises(IndexError, match=re.escape("[-3, 2], but got 3")):
        x.unsqueeze(3)
    with pytest.raises(IndexError, match=re.escape("[-1, 0], but got 1")):
        T.tensor(1.0).sum(1)
    with pytest.raises(RuntimeError, match="permute\\(\\): duplicate dims are not allowed"):
        x.permute(0, 0)


def record() -> None:  # pragma: no cover - run by hand, with torch installed
    import torch
    m = _lib(torch)
    rec = {_key(c, s, d): outcome(m, w, n, r, s, d)
           for c, w, n, r in CASES for s in SHAPES for d in DIMS}
    with open(RECORD, "w") as fh:  # one outcome a line, so diffs read well
        fh.write("{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(rec[k])}"
                                     for k in sorted(rec)) + "\n}\n")
    print(f"recorded {len(rec)} outcomes from torch {torch.__version__} in {RECORD}")


if __name__ == "__main__":
    record()
