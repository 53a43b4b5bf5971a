"""``funcgrad.torch.load`` on hostile files: pickles with ``__reduce__``,
object arrays, PyTorch archives, huge declared sizes, deflate bombs,
truncated files, random bytes and malformed structure headers.

Every case asserts that no code from the file runs (each payload would
create a marker file), that memory stays bounded (``tracemalloc`` sees NumPy's
allocations) and that the error is the documented one: ``StateFileError``
(a ``pickle.UnpicklingError``) with "refused ...: it is <what the file is>"
for pickled data and "not a valid funcgrad state file: ..." for the rest.
"""
from __future__ import annotations

import io
import json
import os
import pickle
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

import funcgrad.torch as torch
from funcgrad.torch.serialization import StateFileError

MARKER = {"path": ""}
BOUND = 16 << 20  # bytes of Python/NumPy memory any refusal may use


def _touch(path: str) -> None:  # what a payload would do if it ran
    open(path, "w").close()


class Payload:
    def __reduce__(self):
        return (_touch, (MARKER["path"],))


@pytest.fixture
def marker(tmp_path):
    MARKER["path"] = str(tmp_path / "pwned")
    yield tmp_path / "pwned"
    assert not (tmp_path / "pwned").exists(), "code from the file ran"


def _refuse(data: bytes, match: str, **kw) -> str:
    """Load ``data`` (as a path and as a file object); the message."""
    tracemalloc.start()
    try:
        with pytest.raises(StateFileError, match=match) as info:
            torch.load(io.BytesIO(data), **kw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < BOUND + len(data), f"refusal used {peak:,} bytes"
    assert isinstance(info.value, pickle.UnpicklingError)
    return str(info.value)


def _npz(members: dict, compression=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, a, allow_pickle=True)
    return buf.getvalue()


def _npy_header(shape, descr="<f8") -> bytes:
    """A version-1.0 .npy header declaring ``shape`` of ``descr`` (no data)."""
    d = repr({"descr": descr, "fortran_order": False, "shape": tuple(shape)})
    pad = 64 - (10 + len(d) + 1) % 64
    h = (d + " " * pad + "\n").encode()
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h


def _good() -> bytes:
    buf = io.BytesIO()
    torch.save({"w": torch.ones(3, 2), "step": 7, "nested": [torch.zeros(2), None]}, buf)
    return buf.getvalue()


def _with_structure(text) -> bytes:
    """A funcgrad file whose structure member is replaced by ``text``."""
    return _npz({"a0.npy": _npy(np.ones(2)),
                 "__funcgrad_structure__.npy": _npy(np.array(text))})


# --- pickled data -----------------------------------------------------------------
@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_pickle_with_reduce(marker, protocol):
    msg = _refuse(pickle.dumps({"w": Payload()}, protocol=protocol), "refused")
    assert "it is a Python pickle" in msg and "never unpickles" in msg
    assert "safetensors" in msg  # says what funcgrad can load instead


def test_object_array_npy_and_npz(marker):
    arr = np.empty(2, dtype=object)
    arr[0] = Payload()
    assert "holds Python objects" in _refuse(_npy(arr), "refused")
    assert "holds Python objects" in _refuse(_npz({"w.npy": _npy(arr)}), "refused")
    rec = np.zeros(1, dtype=[("a", "f8"), ("b", "O")])
    assert "holds Python objects" in _refuse(_npz({"w.npy": _npy(rec)}), "refused")


def test_handmade_pytorch_zip(marker):
    data = _npz({"archive/data.pkl": pickle.dumps({"w": Payload()}), "archive/version": b"3\n",
                 "archive/data/0": b"\0" * 8})
    msg = _refuse(data, "refused")
    assert "a PyTorch torch.save file" in msg and "data.pkl" in msg


def test_handmade_legacy_pytorch_file(marker):
    data = pickle.dumps(0x1950a86a20f9469cfc6c, protocol=2) + pickle.dumps(Payload())
    assert "legacy (pre-1.6) format" in _refuse(data, "refused")


def test_real_pytorch_files(tmp_path, marker):
    real = pytest.importorskip("torch")
    model = real.nn.Linear(2, 1)
    for legacy in (False, True):
        buf = io.BytesIO()
        real.save(model.state_dict(), buf, _use_new_zipfile_serialization=not legacy)
        msg = _refuse(buf.getvalue(), "refused")
        assert ("legacy" in msg) == legacy and "PyTorch torch.save file" in msg
    path = tmp_path / "model.pt"
    real.save(model.state_dict(), path)
    with pytest.raises(pickle.UnpicklingError, match="model.pt: it is a PyTorch"):
        torch.load(path)


# --- sizes: huge headers and bombs ------------------------------------------------
def test_huge_declared_array_is_refused_before_allocating(marker):
    header = _npy_header((4_000_000_000,))  # 29.8 GiB of float64
    msg = _refuse(_npz({"a0.npy": header + b"\0" * 64}), "not a valid funcgrad state file")
    assert "more than max_bytes" in msg or "declares" in msg
    _refuse(header + b"\0" * 64, "declares shape")  # a bare .npy file too


def test_declared_size_must_match_the_member(marker):
    header = _npy_header((1_000_000,))  # 8 MB declared, 80 bytes present
    _refuse(_npz({"a0.npy": header + b"\0" * 80}), "holds 80 bytes of data")
    _refuse(header + b"\0" * 80, "holds 80 bytes of data")


def _bomb(header: bytes, zeros: int) -> bytes:
    """A deflated member: ``header`` then ``zeros`` zero bytes (written in chunks)."""
    buf, chunk = io.BytesIO(), bytes(1 << 20)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("a0.npy", "w", force_zip64=True) as m:
            m.write(header)
            for _ in range(zeros // len(chunk)):
                m.write(chunk)
    return buf.getvalue()


def test_deflate_bomb_is_capped(marker):
    n = 100 << 17  # 100 MiB of float64 zeros, about 0.1 MB deflated
    bomb = _bomb(_npy_header((n,)), 8 * n)
    assert len(bomb) < 1_000_000
    _refuse(bomb, "more than max_bytes=50,000,000", max_bytes=50_000_000)


def test_bomb_with_a_lying_directory_is_bounded(marker):
    """The zip directory claims a small member; the deflate stream is huge."""
    bomb = bytearray(_bomb(_npy_header((10,)), 64 << 20))
    cd = bomb.index(b"PK\x01\x02")
    struct.pack_into("<I", bomb, cd + 24, 128 + 80)  # uncompressed size: header + 10 float64
    _refuse(bytes(bomb), "not a valid funcgrad state file")


def test_other_compression_methods_and_members_are_refused(marker):
    _refuse(_npz({"a0.npy": _npy(np.ones(3))}, zipfile.ZIP_BZIP2), "compression method")
    _refuse(_npz({"notes.txt": b"hello"}), "'notes.txt' is not an .npy array")


def test_total_cap(marker):
    data = _npz({f"a{i}.npy": _npy(np.ones(1000)) for i in range(5)})
    _refuse(data, "more than max_bytes=10,000", max_bytes=10_000)
    assert len(torch.load(io.BytesIO(data), max_bytes=100_000)) == 5


# --- truncated, random, malformed ---------------------------------------------------
def test_truncated_files():
    good = _good()
    for cut in range(0, len(good), max(1, len(good) // 40)):
        msg = _refuse(good[:cut], "not a valid funcgrad state file")
        assert "pickle" not in msg.split(". ")[0]


def test_truncated_npy():
    data = _npy(np.arange(100.0))
    for cut in (5, 20, 100, len(data) - 1):
        _refuse(data[:cut], "not a valid funcgrad state file")


@pytest.mark.parametrize("prefix", [b"", b"PK\x03\x04", b"\x93NUMPY", b"\x10\0\0\0\0\0\0\0{"])
def test_random_bytes(prefix):
    rng = np.random.default_rng(len(prefix))
    for size in (0, 1, 7, 64, 1000, 100_000):
        data = prefix + rng.integers(0, 256, size, dtype=np.uint8).tobytes()
        if data[:1] == b"\x80" or data[:2] == b"PK":
            data = b"\0" + data
        msg = _refuse(data, "not a valid funcgrad state file")
        assert "pickled" not in msg


MALFORMED = [
    ("not json", "not valid JSON"),
    ("[" * 100_000, "not valid JSON"),
    ("[1, 2]", "not an object with a 'root'"),
    ('{"format": "funcgrad.torch.save/1"}', "not an object with a 'root'"),
    ('{"format": "other/9", "root": {}}', "unknown format"),
    ('{"format": "funcgrad.torch.save/1", "root": 3}', "is a int, not an object"),
    ('{"format": "funcgrad.torch.save/1", "root": {}}', "has no 't'"),
    ('{"format": "funcgrad.torch.save/1", "root": {"t": "bogus"}}', "unknown kind 'bogus'"),
    ('{"format": "funcgrad.torch.save/1", "root": {"t": "tensor", "ref": "a9"}}',
     "missing array 'a9'"),
    ('{"format": "funcgrad.torch.save/1", "root": {"t": "tensor", "ref": 0}}', "as 'ref'"),
    ('{"format": "funcgrad.torch.save/1", "root": {"t": "list", "items": 5}}', "as 'items'"),
    ('{"format": "funcgrad.torch.save/1", "root": {"t": "dict", "items": [[1]]}}',
     "not a \\[key, value\\] pair"),
    ('{"format": "funcgrad.torch.save/1", "root": {"t": "dict", "items": [[{"t": "dict", '
     '"items": []}, {"t": "const", "v": null}]]}}', "not hashable"),
    ('{"format": "funcgrad.torch.save/1", "root": {"t": "int", "v": "' + "9" * 5000 + '"}}',
     "invalid int"),
    ('{"format": "funcgrad.torch.save/1", "root": {"t": "float", "v": "x"}}', "invalid float"),
    ('{"format": "funcgrad.torch.save/1", "root": {"t": "const", "v": [1]}}', "constant"),
    ('{"format": "funcgrad.torch.save/1", "root": ' + '{"t": "list", "items": [' * 250 +
     "]}" * 250 + "}", "nesting deeper than 200"),
]


@pytest.mark.parametrize("text,why", MALFORMED, ids=[f"{i}-{w[:20]}" for i, (_, w) in
                                                     enumerate(MALFORMED)])
def test_malformed_structure(text, why):
    msg = _refuse(_with_structure(text), "not a valid funcgrad state file")
    assert why.replace("\\", "") in msg


def test_structure_member_of_the_wrong_type():
    _refuse(_npz({"__funcgrad_structure__.npy": _npy(np.ones(3))}), "not a string")


def test_good_files_still_load():
    out = torch.load(io.BytesIO(_good()))
    assert out["step"] == 7 and out["w"].shape == (3, 2) and out["nested"][1] is None
    f = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(torch.load(io.BytesIO(_npy(f))).numpy(), f)
    big_endian = np.arange(4, dtype=">i4")
    assert torch.load(io.BytesIO(_npy(big_endian))).tolist() == [0, 1, 2, 3]


def test_unseekable_stream_is_bounded():
    class Stream(io.RawIOBase):
        def __init__(self, data):
            self._src = io.BytesIO(data)

        def readable(self):
            return True

        def seekable(self):
            return False

        def readinto(self, b):
            return self._src.readinto(b)

    assert torch.load(Stream(_good()))["step"] == 7
    with pytest.raises(StateFileError, match="larger than max_bytes=100"):
        torch.load(Stream(_good()), max_bytes=100)


@pytest.mark.parametrize("dtype", ["S3", "U2", "V8", "f8,i4", "M8[s]"])
def test_arrays_tensors_cannot_hold(dtype):
    a = np.zeros(2, dtype)
    _refuse(_npy(a), "which funcgrad tensors do not support")
    _refuse(_npz({"w.npy": _npy(a)}), "member 'w' has dtype")


def test_byte_flips_give_the_documented_error_or_a_load(marker):
    """Every single-byte corruption of a good file (a sample of positions)
    either still loads or raises StateFileError: never another exception."""
    good = bytearray(_good())
    rng = np.random.default_rng(7)
    for pos in rng.choice(len(good), size=300, replace=False):
        bad = bytearray(good)
        bad[pos] ^= int(rng.integers(1, 256))
        try:
            torch.load(io.BytesIO(bytes(bad)))
        except StateFileError:
            pass
