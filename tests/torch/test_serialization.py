"""torch.save / torch.load: .npz archives, never pickles."""
from __future__ import annotations

import io
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import funcgrad.torch as torch
from funcgrad.torch import nn
from funcgrad.torch.serialization import StateFileError


def _roundtrip(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return torch.load(buf)


def test_nested_state_dict_roundtrip_keeps_values_types_and_dtypes():
    obj = {
        "f32": torch.tensor([[1.5, -2.0]]),
        "f64": torch.tensor([1.0, 2.0], dtype=torch.float64),
        "i64": torch.tensor([3, 4]),
        "flag": torch.tensor([True, False]),
        "scalar": torch.tensor(7.25),
        "array": np.arange(3, dtype=np.int32),
        "np_scalar": np.float32(0.5),
        "numbers": [1, 2.5, True, None, "text", 2 ** 70, complex(1, -2)],
        "tuple": (1, (2, 3)),
        "int_keys": {0: {"step": torch.tensor(3.0)}, 1: {}},
        "odict": OrderedDict([("b", 1), ("a", 2)]),
        "nan_inf": [float("nan"), float("inf")],
    }
    back = _roundtrip(obj)
    assert list(back) == list(obj)
    for key in ("f32", "f64", "i64", "flag", "scalar"):
        assert isinstance(back[key], torch.Tensor)
        assert back[key].dtype == obj[key].dtype
        assert back[key].shape == obj[key].shape
        assert torch.equal(back[key], obj[key])
    assert isinstance(back["array"], np.ndarray) and back["array"].dtype == np.int32
    assert isinstance(back["np_scalar"], np.float32) and back["np_scalar"] == 0.5
    assert back["numbers"] == obj["numbers"]
    assert back["tuple"] == (1, (2, 3))
    assert set(back["int_keys"]) == {0, 1}
    assert back["int_keys"][0]["step"].item() == 3.0
    assert isinstance(back["odict"], OrderedDict) and list(back["odict"]) == ["b", "a"]
    assert np.isnan(back["nan_inf"][0]) and back["nan_inf"][1] == float("inf")


def test_parameters_and_requires_grad_survive():
    p = nn.Parameter(torch.ones(2))
    t = torch.zeros(3, requires_grad=True)
    back = _roundtrip({"p": p, "t": t, "frozen": nn.Parameter(torch.ones(1), requires_grad=False)})
    assert isinstance(back["p"], nn.Parameter) and back["p"].requires_grad and back["p"].is_leaf
    assert not isinstance(back["t"], nn.Parameter) and back["t"].requires_grad
    assert isinstance(back["frozen"], nn.Parameter) and not back["frozen"].requires_grad


def test_model_and_optimizer_checkpoint_to_a_path(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    x = torch.randn(5, 3)
    model(x).pow(2).sum().backward()
    opt.step()
    path = tmp_path / "ckpt.pt"
    torch.save({"model": model.state_dict(), "opt": opt.state_dict()}, path)
    assert path.exists() and zipfile.is_zipfile(path)          # exactly this name, an .npz
    assert not (tmp_path / "ckpt.pt.npz").exists()
    ckpt = torch.load(str(path))
    fresh = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    fresh.load_state_dict(ckpt["model"])
    fresh_opt = torch.optim.Adam(fresh.parameters(), lr=0.1)
    fresh_opt.load_state_dict(ckpt["opt"])
    with torch.no_grad():
        assert torch.equal(fresh(x), model(x))
    # one more identical step on both keeps them identical (Adam's moments were restored)
    for m, o in ((model, opt), (fresh, fresh_opt)):
        o.zero_grad()
        m(x).pow(2).sum().backward()
        o.step()
    for a, b in zip(model.parameters(), fresh.parameters()):
        assert torch.allclose(a, b, atol=0, rtol=0)


class _Boom:
    """Unpickling this writes a marker file: the 'code execution' to prevent."""

    marker = ""

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_file_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    _Boom.marker = str(marker)
    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps({"w": _Boom()}))
    with pytest.raises(pickle.UnpicklingError, match="pickled data"):
        torch.load(evil)
    assert not marker.exists()


def test_an_npz_with_an_object_array_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    _Boom.marker = str(marker)
    evil = tmp_path / "evil.npz"
    arr = np.empty(1, dtype=object)
    arr[0] = _Boom()
    with open(evil, "wb") as fh:
        np.savez(fh, weights=arr)
    with pytest.raises(pickle.UnpicklingError, match="refused"):
        torch.load(evil)
    assert not marker.exists()


def test_weights_only_false_is_refused():
    buf = io.BytesIO()
    torch.save({"a": 1}, buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="never unpickles"):
        torch.load(buf, weights_only=False)


def test_plain_npz_loads_as_dict_of_tensors(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, a=np.ones(2, np.float32), b=np.arange(3))
    out = torch.load(path)
    assert set(out) == {"a", "b"}
    assert out["a"].dtype == torch.float32 and out["b"].dtype == torch.int64


def test_not_an_archive_gives_a_clear_error(tmp_path):
    path = tmp_path / "junk.pt"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(StateFileError, match="not a valid funcgrad state file: .*junk.pt: "
                       "it is not a readable zip archive"):
        torch.load(path)


def test_unsupported_objects_are_rejected_on_save():
    with pytest.raises(TypeError, match="cannot store Linear"):
        torch.save({"model": nn.Linear(1, 1)}, io.BytesIO())
    with pytest.raises(TypeError, match="dtype object"):
        torch.save({"x": np.array([object()])}, io.BytesIO())


def test_functional_params_pytree_roundtrip():
    params = {"w0": np.ones((2, 3), np.float32), "b0": np.zeros(3, np.float32)}
    back = _roundtrip(params)
    assert set(back) == {"w0", "b0"}
    np.testing.assert_array_equal(back["w0"], params["w0"])
    assert back["w0"].dtype == np.float32
