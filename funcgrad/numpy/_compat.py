"""The few NumPy names whose home moved in NumPy 2.0 (funcgrad supports
NumPy >= 1.26; CI runs both: .ci/run)."""
from __future__ import annotations

try:  # NumPy >= 2.0: the public home
    from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple
except ImportError:  # NumPy 1.26: numpy.core, public in 1.x
    from numpy.core.multiarray import normalize_axis_index  # type: ignore[no-redef]
    from numpy.core.numeric import normalize_axis_tuple  # type: ignore[no-redef]

__all__ = ["normalize_axis_index", "normalize_axis_tuple"]

import numpy as np

# NumPy's named-tuple results of linalg (numpy.linalg._linalg in 2.x,
# numpy.linalg.linalg in 1.26), found from what the public functions return.
_I1 = np.eye(1)
SlogdetResult = type(np.linalg.slogdet(_I1))
EighResult = type(np.linalg.eigh(_I1))
SVDResult = type(np.linalg.svd(_I1))
QRResult = type(np.linalg.qr(_I1))
EigResult = type(np.linalg.eig(_I1))
del _I1
__all__ += ["SlogdetResult", "EighResult", "SVDResult", "QRResult", "EigResult"]
