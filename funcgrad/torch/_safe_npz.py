"""A bounded reader of ``.npz`` archives and ``.npy`` files from untrusted sources.

``numpy.load`` trusts the sizes a file declares: a member whose header says
4·10⁹ float64 allocates 30 GiB before anything is checked, and a deflate
bomb is inflated before its header is read. This reader parses each header
itself (``numpy.lib.format``), refuses object dtypes (pickled data), checks
that the declared shape and dtype account exactly for the member's size in
the zip directory, caps the total uncompressed size at ``max_bytes`` before
allocating anything, and then reads each array in place, chunk by chunk
(zipfile stops at the declared size and checks the CRC).

Every problem raises :class:`BadFile` with a short reason; the caller turns
it into the user-facing error.
"""
from __future__ import annotations

import zipfile
from typing import BinaryIO, Dict, Optional

import numpy as np
from numpy.lib import format as npy_format

__all__ = ["BadFile", "PickledData", "read_npz", "read_npy"]

_CHUNK = 1 << 20
_MAX_HEADER = 1 << 16  # bytes of one .npy header (NumPy's own default is 10,000)


class BadFile(ValueError):
    """The file is not a well-formed archive of plain arrays (the reason)."""


class PickledData(BadFile):
    """The file holds pickled Python objects."""


def read_npz(fh: BinaryIO, max_bytes: int) -> Dict[str, np.ndarray]:
    """The arrays of the ``.npz`` archive ``fh`` by member name (without ``.npy``)."""
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise BadFile(f"it is not a readable zip archive ({e})") from None
    with zf:
        infos = zf.infolist()
        total = sum(info.file_size for info in infos)
        if total > max_bytes:
            raise BadFile(f"its members declare {total:,} bytes uncompressed, more than "
                          f"max_bytes={max_bytes:,}")
        out = {}
        for info in infos:
            if not info.filename.endswith(".npy"):
                raise BadFile(f"member {info.filename!r} is not an .npy array")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                # (what numpy.savez writes; the others inflate a whole chunk at once)
                raise BadFile(f"member {info.filename!r} uses compression method "
                              f"{info.compress_type}, not stored or deflate")
            try:
                with zf.open(info) as member:
                    out[info.filename[:-4]] = read_npy(member, info.file_size, max_bytes,
                                                       info.filename)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError,
                    RuntimeError) as e:
                raise BadFile(f"member {info.filename!r} is corrupt or truncated ({e})") \
                    from None
    return out


def read_npy(fh: BinaryIO, size: Optional[int], max_bytes: int, what: str = "the array"
             ) -> np.ndarray:
    """One ``.npy`` array of ``size`` bytes (header included) from ``fh``."""
    start = fh.tell()
    try:
        version = npy_format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = npy_format.read_array_header_1_0(
                fh, max_header_size=_MAX_HEADER)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = npy_format.read_array_header_2_0(
                fh, max_header_size=_MAX_HEADER)
        else:  # pragma: no cover - read_magic accepts only these
            raise ValueError(f"unknown .npy version {version}")
    except (ValueError, SyntaxError, TypeError, EOFError) as e:
        raise BadFile(f"{what} has a malformed .npy header ({e})") from None
    if dtype.hasobject:
        raise PickledData(f"{what} holds Python objects (dtype {dtype}), i.e. pickled data")
    if not all(isinstance(n, int) and n >= 0 for n in shape):
        raise BadFile(f"{what} declares an invalid shape {shape}")
    count = 1
    for n in shape:
        count *= n
    nbytes = count * dtype.itemsize
    header = fh.tell() - start
    if nbytes > max_bytes:
        raise BadFile(f"{what} declares shape {shape} of {dtype} ({nbytes:,} bytes), more "
                      f"than max_bytes={max_bytes:,}")
    if size is not None and header + nbytes != size:
        raise BadFile(f"{what} declares shape {shape} of {dtype} ({nbytes:,} bytes) but "
                      f"holds {size - header:,} bytes of data")
    out = np.empty(shape[::-1] if fortran else shape, dtype)
    buf = memoryview(out.reshape(-1).view(np.uint8)) if nbytes else memoryview(b"")
    done = 0
    while done < nbytes:
        n = fh.readinto(buf[done:done + _CHUNK])
        if not n:
            raise BadFile(f"{what} is truncated ({done:,} of {nbytes:,} bytes)")
        done += n
    out = out.T if fortran else out
    return out if out.dtype.isnative else out.astype(out.dtype.newbyteorder("="))
