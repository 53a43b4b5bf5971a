"""``torch.linalg`` against PyTorch 2.x: grad_fn names, values and
gradients (to float32 accuracy; expected numbers produced with PyTorch)."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad.torch as torch

EXPECTED = {'chol': ('LinalgCholeskyExBackward0',
          [[1.4142135381698608, 0.0], [0.7071067690849304, 1.5811388492584229]],
          [[0.13945099711418152, 0.4282046854496002], [0.4282047152519226, 1.2649110555648804]],
          None),
 'det': ('LinalgDetBackward0', 5.0, [[3.0, -1.0], [-1.0, 2.0]], None),
 'eigh': ('LinalgEighBackward0',
          [1.3819661140441895, 3.6180338859558105],
          [[1.2763934135437012, 0.44721364974975586], [0.44721364974975586, 1.723607063293457]],
          None),
 'inv': ('LinalgInvExBackward0',
         [[0.6000000238418579, -0.20000000298023224], [-0.20000000298023224, 0.4000000059604645]],
         [[0.07999999076128006, -0.1600000113248825], [-0.36000001430511475, -0.2800000011920929]],
         None),
 'mnorm': ('LinalgVectorNormBackward0',
           3.872983455657959,
           [[0.5163977742195129, 0.25819888710975647], [0.25819888710975647, 0.774596631526947]],
           None),
 'mpow': ('MmBackward0', [[15.0, 20.0], [20.0, 35.0]], [[53.0, 84.0], [104.0, 157.0]], None),
 'norm': ('LinalgVectorNormBackward0', 2.2360680103302, None, [0.4472135901451111, 0.8944271802902222]),
 'normM': ('LinalgVectorNormBackward0',
           3.872983455657959,
           [[0.5163977742195129, 0.25819888710975647], [0.25819888710975647, 0.774596631526947]],
           None),
 'pinv': ('LinalgPinvBackward0',
          [[0.5999999642372131, -0.20000001788139343], [-0.20000001788139343, 0.40000003576278687]],
          [[0.07999998331069946, -0.15999990701675415], [-0.3599999248981476, -0.2800000011920929]],
          None),
 'slogdet': ('LinalgSlogdetBackward0',
             1.6094379425048828,
             [[0.6000000238418579, -0.20000000298023224], [-0.20000000298023224, 0.4000000059604645]],
             None),
 'solve': ('LinalgSolveExBackward0',
           [0.19999998807907104, 0.6000000238418579],
           [[-0.03999999538064003, -0.11999999731779099], [-0.11999999731779099, -0.36000001430511475]],
           [0.19999998807907104, 0.6000000238418579]),
 'svdvals': ('LinalgSvdBackward0',
             [3.6180338859558105, 1.3819659948349],
             [[1.723606824874878, -0.44721361994743347], [-0.44721361994743347, 1.276393175125122]],
             None),
 'tdet': ('LinalgDetBackward0', 5.0, [[3.0, -1.0], [-1.0, 2.0]], None),
 'tinv': ('LinalgInvExBackward0',
          [[0.6000000238418579, -0.20000000298023224], [-0.20000000298023224, 0.4000000059604645]],
          [[0.07999999076128006, -0.1600000113248825], [-0.36000001430511475, -0.2800000011920929]],
          None),
 'vnorm': ('LinalgVectorNormBackward0',
           3.872983455657959,
           [[0.5163977742195129, 0.25819888710975647], [0.25819888710975647, 0.774596631526947]],
           None)}


CASES = {
    "inv": lambda L, A, b: L.inv(A), "det": lambda L, A, b: L.det(A),
    "solve": lambda L, A, b: L.solve(A, b), "norm": lambda L, A, b: L.norm(b),
    "normM": lambda L, A, b: L.norm(A), "vnorm": lambda L, A, b: L.vector_norm(A),
    "mnorm": lambda L, A, b: L.matrix_norm(A), "chol": lambda L, A, b: L.cholesky(A),
    "slogdet": lambda L, A, b: L.slogdet(A).logabsdet, "pinv": lambda L, A, b: L.pinv(A),
    "mpow": lambda L, A, b: L.matrix_power(A, 3), "eigh": lambda L, A, b: L.eigh(A).eigenvalues,
    "svdvals": lambda L, A, b: L.svdvals(A), "tdet": lambda L, A, b: torch.det(A),
    "tinv": lambda L, A, b: torch.inverse(A),
}


@pytest.mark.parametrize("name", list(CASES))
def test_linalg_matches_pytorch(name: str) -> None:
    A = torch.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
    b = torch.tensor([1.0, 2.0], requires_grad=True)
    r = CASES[name](torch.linalg, A, b)
    (r * torch.arange(1.0, r.numel() + 1).reshape(r.shape)).sum().backward()
    want_name, want_value, want_ga, want_gb = EXPECTED[name]
    assert r.grad_fn.name() == want_name
    assert r.dtype is torch.float32
    assert np.allclose(r.tolist(), want_value, atol=1e-5)
    if want_ga is None:
        assert A.grad is None
    else:
        assert A.grad.dtype is torch.float32
        assert np.allclose(A.grad.tolist(), want_ga, atol=1e-5)
    if want_gb is None:
        assert b.grad is None
    else:
        assert np.allclose(b.grad.tolist(), want_gb, atol=1e-5)


def test_linalg_return_types():
    A = torch.tensor([[2.0, 1.0], [1.0, 3.0]])
    s = torch.linalg.slogdet(A)
    assert repr(s).startswith("torch.return_types.linalg_slogdet(\nsign=tensor(1.)")
    w, v = torch.linalg.eigh(A)
    assert torch.allclose(v @ torch.diag(w) @ v.T, A, atol=1e-5)
    q, r = torch.linalg.qr(A)
    assert torch.allclose(q @ r, A, atol=1e-5)
