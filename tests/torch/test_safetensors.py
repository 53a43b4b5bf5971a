"""State dicts as ``.safetensors`` files (optional extra ``safetensors``):
round trips, PyTorch models in and out by name, and malformed files."""
from __future__ import annotations

import io
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

import funcgrad.torch as torch
from funcgrad.torch import nn
from funcgrad.torch.serialization import StateFileError

pytest.importorskip("safetensors")


def test_safetensors_is_imported_only_when_used():
    code = ("import io, sys, funcgrad, funcgrad.torch as t; b = io.BytesIO(); "
            "t.save({'w': t.ones(1)}, b); b.seek(0); t.load(b); "
            "print('safetensors' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=os.path.dirname(os.path.dirname(
                             os.path.dirname(os.path.abspath(__file__)))))
    assert out.stdout.strip() == "False"


def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def test_roundtrip_by_path_and_by_format(tmp_path):
    sd = _model().state_dict()
    sd["counts"] = torch.arange(3)
    sd["half"] = torch.ones(2, dtype=torch.float64)
    path = tmp_path / "m.safetensors"
    torch.save(sd, path)
    assert path.read_bytes()[8:9] == b"{"  # a safetensors header, not a zip
    for back in (torch.load(path), torch.load(io.BytesIO(path.read_bytes()))):
        assert set(back) == set(sd)
        for k, v in sd.items():
            assert back[k].dtype == v.dtype and back[k].tolist() == v.tolist()
    buf = io.BytesIO()
    torch.save(sd, buf, format="safetensors")
    assert buf.getvalue() == path.read_bytes()


def test_loads_into_a_module(tmp_path):
    a, b = _model(), nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    torch.save(a.state_dict(), tmp_path / "a.safetensors")
    b.load_state_dict(torch.load(tmp_path / "a.safetensors"))
    x = torch.randn(5, 3)
    assert b(x).tolist() == a(x).tolist()


def test_only_flat_state_dicts(tmp_path):
    with pytest.raises(TypeError, match="flat state dict"):
        torch.save([torch.ones(1)], tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match="tensors only"):
        torch.save({"step": 3}, tmp_path / "x.safetensors")
    with pytest.raises(ValueError, match="format must be"):
        torch.save({}, io.BytesIO(), format="pickle")


def _header(meta: str, data: bytes = b"") -> bytes:
    h = meta.encode()
    return struct.pack("<Q", len(h)) + h + data


@pytest.mark.parametrize("data", [
    _header('{"w": {"dtype": "F32", "shape": [1000000], "data_offsets": [0, 4000000]}}',
            b"\0" * 16),
    _header('{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}', b"\0" * 4),
    _header('{"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 8]}}', b"\0" * 8),
    _header('{"w": {"dtype": "XYZ", "shape": [2], "data_offsets": [0, 8]}}', b"\0" * 8),
    _header('{"w": 5}'),
    _header('{not json at all}'),
], ids=["offsets-beyond-file", "truncated", "shape-vs-offsets", "dtype", "entry", "json"])
def test_malformed_safetensors(data):
    with pytest.raises(StateFileError, match="not a valid funcgrad state file"):
        torch.load(io.BytesIO(data))


def test_pytorch_model_in_and_out(tmp_path):
    real = pytest.importorskip("torch")
    st = pytest.importorskip("safetensors.torch")
    real.manual_seed(0)
    theirs = real.nn.Sequential(real.nn.Linear(3, 4), real.nn.ReLU(), real.nn.Linear(4, 2))
    st.save_file(theirs.state_dict(), str(tmp_path / "pt.safetensors"))
    ours = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    ours.load_state_dict(torch.load(tmp_path / "pt.safetensors"))
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    want = theirs(real.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(ours(torch.from_numpy(x)).detach().numpy(), want, rtol=1e-6)
    # and back: funcgrad writes, PyTorch reads by name
    ours[0].weight.data.mul_(2.0)
    torch.save(ours.state_dict(), tmp_path / "fg.safetensors")
    theirs.load_state_dict(st.load_file(str(tmp_path / "fg.safetensors")))
    np.testing.assert_allclose(theirs(real.from_numpy(x)).detach().numpy(),
                               ours(torch.from_numpy(x)).detach().numpy(), rtol=1e-6)
