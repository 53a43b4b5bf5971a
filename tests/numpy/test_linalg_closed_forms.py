"""Linear-algebra and product gradients against closed forms, complex inputs
(JAX's convention), conventions at non-differentiable points, and plain
``numpy.linalg`` interception."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad
import funcgrad.numpy as fnp
from funcgrad.testing import check_grads
from tests.doctests import run as run_doctests

RNG = np.random.default_rng(7)


def _general(n=3, batch=()):
    return 2.0 * np.eye(n) + 0.4 * RNG.standard_normal(batch + (n, n))


def _spd(n=3):
    x = RNG.standard_normal((n, n))
    return x @ x.T + n * np.eye(n)


def _complex(n=3):
    return _general(n) + 0.4j * RNG.standard_normal((n, n))


def _hermitian_pd(n=3):
    x = RNG.standard_normal((n, n)) + 1j * RNG.standard_normal((n, n))
    return x @ x.conj().T + n * np.eye(n)


# --- determinants and inverses ---------------------------------------------------------
def test_det_gradient_is_det_times_inverse_transpose():
    a = _general(3, (2,))
    g = funcgrad.grad(lambda m: fnp.sum(fnp.linalg.det(m)))(a)
    expected = np.linalg.det(a)[:, None, None] * np.linalg.inv(a).transpose(0, 2, 1)
    np.testing.assert_allclose(g, expected, rtol=1e-10)


def _adjugate(m):
    n = m.shape[0]
    out = np.zeros_like(m)
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(m, i, 0), j, 1)
            out[j, i] = (-1) ** (i + j) * np.linalg.det(minor)
    return out


@pytest.mark.parametrize("m", [np.array([[1.0, 2.0], [2.0, 4.0]]), np.zeros((3, 3)),
                               np.diag([1.0, 0.0, 3.0]),
                               np.outer([1.0, 2.0, 3.0], [0.5, -1.0, 2.0])])
def test_det_gradient_at_singular_matrices_is_the_adjugate(m):
    g = funcgrad.grad(fnp.linalg.det)(m)
    np.testing.assert_allclose(g, _adjugate(m).T, atol=1e-12)
    batch = funcgrad.grad(lambda x: fnp.sum(fnp.linalg.det(x)))(np.stack([m, 2 * np.eye(len(m))]))
    np.testing.assert_allclose(batch[0], _adjugate(m).T, atol=1e-12)


def test_complex_det_gradient_at_a_singular_matrix():
    z = np.array([[1 + 1j, 2.0], [2 + 2j, 4.0]])
    _, f_vjp = funcgrad.vjp(fnp.linalg.det, z)
    (g,) = f_vjp(np.complex128(1.0))
    np.testing.assert_allclose(g, np.array([[4.0, -(2 + 2j)], [-2.0, 1 + 1j]]), atol=1e-12)


def test_logabsdet_gradient_is_inverse_transpose_also_for_negative_det():
    a = np.diag([2.0, -3.0, 0.5]) + 0.1 * RNG.standard_normal((3, 3))
    assert np.linalg.det(a) < 0
    sign, _ = fnp.linalg.slogdet(a)
    assert sign == -1.0
    g = funcgrad.grad(lambda m: fnp.linalg.slogdet(m)[1])(a)
    np.testing.assert_allclose(g, np.linalg.inv(a).T, rtol=1e-10)


def test_slogdet_returns_numpys_result_type():
    res = fnp.linalg.slogdet(_general())
    assert type(res) is type(np.linalg.slogdet(np.eye(2)))
    assert res.logabsdet == res[1]


def test_gradient_of_trace_of_inverse():
    a = _general()
    g = funcgrad.grad(lambda m: fnp.einsum("ii", fnp.linalg.inv(m)))(a)
    inv = np.linalg.inv(a)
    np.testing.assert_allclose(g, -(inv @ inv).T, rtol=1e-10)


def test_solve_gradients():
    a, b = _general(), RNG.standard_normal(3)
    ga, gb = funcgrad.grad(lambda m, v: fnp.sum(fnp.linalg.solve(m, v)), argnums=(0, 1))(a, b)
    x = np.linalg.solve(a, b)
    gb_expected = np.linalg.solve(a.T, np.ones(3))
    np.testing.assert_allclose(gb, gb_expected, rtol=1e-10)
    np.testing.assert_allclose(ga, -np.outer(gb_expected, x), rtol=1e-10)


def test_solve_broadcasts_a_vector_over_batched_matrices():
    a, b = _general(3, (2,)), RNG.standard_normal(3)
    np.testing.assert_allclose(fnp.linalg.solve(a, b),
                               np.linalg.solve(a, np.broadcast_to(b[:, None], (2, 3, 1)))[..., 0])
    check_grads(fnp.linalg.solve, (a, b), order=2)


def test_pinv_and_lstsq_agree_with_inv_and_solve_for_square_matrices():
    a, b = _general(), RNG.standard_normal(3)
    g_pinv = funcgrad.grad(lambda m: fnp.sum(fnp.sin(fnp.linalg.pinv(m))))(a)
    g_inv = funcgrad.grad(lambda m: fnp.sum(fnp.sin(fnp.linalg.inv(m))))(a)
    np.testing.assert_allclose(g_pinv, g_inv, rtol=1e-8, atol=1e-10)
    g_lstsq = funcgrad.grad(lambda m, v: fnp.sum(fnp.linalg.lstsq(m, v)[0] ** 2),
                            argnums=(0, 1))(a, b)
    g_solve = funcgrad.grad(lambda m, v: fnp.sum(fnp.linalg.solve(m, v) ** 2),
                            argnums=(0, 1))(a, b)
    for x, y in zip(g_lstsq, g_solve):
        np.testing.assert_allclose(x, y, rtol=1e-8, atol=1e-10)


def test_lstsq_of_a_rank_deficient_system_differentiates_in_b():
    a = np.outer(RNG.standard_normal(4), RNG.standard_normal(3))  # rank 1
    b = RNG.standard_normal(4)
    x, _, rank, _ = fnp.linalg.lstsq(a, b)
    assert rank == 1
    g = funcgrad.grad(lambda v: fnp.sum(fnp.linalg.lstsq(a, v)[0]))(b)
    np.testing.assert_allclose(g, np.linalg.pinv(a).T @ np.ones(3), rtol=1e-8, atol=1e-12)


def test_lstsq_residuals_are_differentiable():
    a, b = RNG.standard_normal((5, 2)), RNG.standard_normal(5)
    x, res, rank, s = fnp.linalg.lstsq(a, b)
    assert rank == 2 and res.shape == (1,)
    check_grads(lambda m, v: fnp.linalg.lstsq(m, v)[1], (a, b), order=2)


# --- Cholesky, eigh, svd -------------------------------------------------------------------
def test_cholesky_logdet_gradient_lives_on_the_lower_triangle():
    a = _spd()
    g = funcgrad.grad(lambda m: 2.0 * fnp.sum(fnp.log(fnp.linalg.diagonal(fnp.linalg.cholesky(m)))))(a)
    s = np.linalg.inv(a)
    expected = np.tril(2.0 * s, -1) + np.diag(np.diag(s))
    np.testing.assert_allclose(g, expected, rtol=1e-10, atol=1e-12)
    g_up = funcgrad.grad(lambda m: 2.0 * fnp.sum(fnp.log(fnp.linalg.diagonal(
        fnp.linalg.cholesky(m, upper=True)))))(a)
    np.testing.assert_allclose(g_up, expected.T, rtol=1e-10, atol=1e-12)


def test_cholesky_reads_only_the_lower_triangle_like_numpy():
    a = _spd() + np.triu(np.full((3, 3), 5.0), 1)
    np.testing.assert_allclose(fnp.linalg.cholesky(a), np.linalg.cholesky(a))
    g = funcgrad.grad(lambda m: fnp.sum(fnp.linalg.cholesky(m)))(a)
    assert np.all(np.triu(g, 1) == 0)


def test_eigh_of_a_diagonal_matrix():
    d = np.diag([3.0, 1.0, 2.0])
    w, v = fnp.linalg.eigh(d)
    np.testing.assert_allclose(w, [1.0, 2.0, 3.0])
    for k in range(3):
        g = funcgrad.grad(lambda m: fnp.linalg.eigh(m)[0][k])(d)
        e = np.zeros((3, 3))
        e[v[:, k].argmax(), v[:, k].argmax()] = 1.0
        np.testing.assert_allclose(np.abs(g), e, atol=1e-12)


def test_eigenvalue_sum_of_repeated_eigenvalues_has_a_finite_gradient():
    g = funcgrad.grad(lambda m: fnp.sum(fnp.linalg.eigvalsh(m)))(np.eye(3))
    np.testing.assert_allclose(g, np.eye(3), atol=1e-12)
    g2 = funcgrad.grad(lambda m: fnp.sum(fnp.linalg.eigh(m)[1] ** 2))(np.eye(3))
    assert np.all(np.isfinite(g2))


def test_eigh_gradient_is_v_diag_vt():
    a = _spd()
    c = RNG.standard_normal(3)
    g = funcgrad.grad(lambda m: fnp.sum(c * fnp.linalg.eigvalsh(m)))(a)
    _, v = np.linalg.eigh(a)
    full = (v * c) @ v.T
    np.testing.assert_allclose(g, np.tril(full) + np.tril(full, -1), rtol=1e-8, atol=1e-10)


def test_complex_hermitian_eigh_with_a_phase_invariant_loss():
    h = _hermitian_pd()
    check_grads(lambda m: fnp.sum(fnp.linalg.eigh(m)[0] * fnp.abs(fnp.linalg.eigh(m)[1]) ** 2),
                (h,), order=2)
    check_grads(fnp.linalg.eigvalsh, (h,), order=2)


def test_nuclear_norm_gradient_is_u_vh():
    a = RNG.standard_normal((4, 3))
    u, _, vt = np.linalg.svd(a, full_matrices=False)
    np.testing.assert_allclose(funcgrad.grad(lambda m: fnp.linalg.norm(m, "nuc"))(a), u @ vt,
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(funcgrad.grad(lambda m: fnp.linalg.norm(m, 2))(a),
                               np.outer(u[:, 0], vt[0]), rtol=1e-10, atol=1e-12)


def test_svd_full_matrices_gradient_through_extra_columns_raises():
    a = RNG.standard_normal((4, 2))
    with pytest.raises(ValueError, match="full_matrices=False"):
        funcgrad.grad(lambda m: fnp.sum(fnp.linalg.svd(m)[0]))(a)
    # Through S only it works with full_matrices=True too.
    check_grads(lambda m: fnp.linalg.svd(m)[1], (a,), order=2)


def test_complex_svd_with_a_phase_invariant_loss():
    a = RNG.standard_normal((4, 3)) + 1j * RNG.standard_normal((4, 3))

    def loss(m):
        u, s, vt = fnp.linalg.svd(m, full_matrices=False)
        return fnp.sum(fnp.abs(u) ** 2 * s) + fnp.sum(fnp.abs(vt) ** 3 * s[:, None])
    check_grads(loss, (a,), order=2)
    check_grads(loss, (a.T.copy(),), order=2)
    check_grads(lambda m: fnp.linalg.svd(m, compute_uv=False), (a,), order=2)


def test_qr_reconstructs_and_differentiates_complex_and_wide():
    for a in [RNG.standard_normal((4, 3)) + 1j * RNG.standard_normal((4, 3)),
              RNG.standard_normal((2, 4))]:
        q, r = fnp.linalg.qr(a)
        np.testing.assert_allclose(q @ r, a, atol=1e-12)
        check_grads(lambda m: fnp.linalg.qr(m), (a,), order=2)


def test_eig_eigenvalue_gradient_of_a_real_matrix_with_complex_eigenvalues():
    a = np.array([[0.0, -1.0, 0.2], [1.0, 0.3, 0.0], [0.1, 0.2, 2.0]])
    w, v = np.linalg.eig(a)
    assert np.iscomplexobj(w)
    check_grads(fnp.linalg.eigvals, (a,), order=2)
    c = RNG.standard_normal(3)
    g = funcgrad.grad(lambda m: fnp.real(fnp.sum(c * fnp.linalg.eigvals(m))))(a)
    np.testing.assert_allclose(g, np.real(np.linalg.inv(v).T @ np.diag(c) @ v.T), rtol=1e-8)


# --- complex holomorphic rules (JAX's convention: no conjugation) ------------------------------
@pytest.mark.parametrize("fn", [fnp.linalg.inv, fnp.linalg.det,
                                lambda m: fnp.linalg.solve(m, np.arange(3.0)),
                                lambda m: fnp.linalg.slogdet(m)])
def test_complex_matrix_functions(fn):
    check_grads(fn, (_complex(),), order=2)


def test_complex_det_vjp_is_holomorphic_derivative():
    z = _complex()
    _, f_vjp = funcgrad.vjp(fnp.linalg.det, z)
    (g,) = f_vjp(np.complex128(1.0))
    np.testing.assert_allclose(g, np.linalg.det(z) * np.linalg.inv(z).T, rtol=1e-10)


def test_cholesky_of_complex_hermitian():
    check_grads(fnp.linalg.cholesky, (_hermitian_pd(),), order=2)


# --- norms at zero and ties -------------------------------------------------------------
@pytest.mark.parametrize("ord", [None, 1, 2, 3, 0.5, np.inf, -np.inf, 0])
def test_vector_norm_gradient_at_zero_is_zero(ord):
    for x in [np.zeros(3), np.zeros(3, complex)]:
        g = funcgrad.grad(lambda v: fnp.linalg.norm(v, ord))(x)
        np.testing.assert_array_equal(g, np.zeros(3))


@pytest.mark.parametrize("ord", [None, "fro", 1, -1, np.inf, -np.inf])
def test_matrix_norm_gradient_at_zero_is_zero(ord):
    g = funcgrad.grad(lambda m: fnp.linalg.norm(m, ord))(np.zeros((2, 3)))
    np.testing.assert_array_equal(g, np.zeros((2, 3)))


@pytest.mark.parametrize("ord", ["nuc", 2, -2])
def test_spectral_norms_at_zero_are_finite(ord):
    g = funcgrad.grad(lambda m: fnp.linalg.norm(m, ord))(np.zeros((2, 3)))
    assert np.all(np.isfinite(g))


def test_inf_norm_ties_share_the_gradient():
    g = funcgrad.grad(lambda v: fnp.linalg.norm(v, np.inf))(np.array([-2.0, 1.0, 2.0]))
    np.testing.assert_allclose(g, [-0.5, 0.0, 0.5])


def test_complex_vector_norm():
    z = RNG.standard_normal(4) + 1j * RNG.standard_normal(4)
    g = funcgrad.grad(fnp.linalg.norm)(z)
    np.testing.assert_allclose(g, np.conj(z) / np.linalg.norm(z))
    for ord in (1, 2, 3, np.inf):
        check_grads(lambda v: fnp.linalg.norm(v, ord), (z,), order=2)


# --- products -------------------------------------------------------------------------------
def test_einsum_diagonal_and_trace_gradients():
    a = RNG.standard_normal((3, 3))
    np.testing.assert_allclose(funcgrad.grad(lambda m: fnp.einsum("ii", m))(a), np.eye(3))
    c = RNG.standard_normal(3)
    g = funcgrad.grad(lambda m: fnp.sum(c * fnp.einsum("ii->i", m)))(a)
    np.testing.assert_allclose(g, np.diag(c))


def test_einsum_interleaved_form_and_ellipsis_broadcasting():
    a, b = RNG.standard_normal((2, 1, 3)), RNG.standard_normal((4, 3))
    np.testing.assert_allclose(fnp.einsum(a, [Ellipsis, 0], b, [Ellipsis, 0]),
                               np.einsum(a, [Ellipsis, 0], b, [Ellipsis, 0]))
    check_grads(lambda x, y: fnp.einsum("...i,...i->...", x, y), (a, b), order=2)


def test_complex_products_do_not_conjugate_except_vdot():
    z, w = RNG.standard_normal(3) + 1j * RNG.standard_normal(3), RNG.standard_normal(3) + 0j
    _, f_vjp = funcgrad.vjp(fnp.dot, z, w)
    gz, gw = f_vjp(np.complex128(1.0))
    np.testing.assert_allclose(gz, w)
    np.testing.assert_allclose(gw, z)
    _, f_vjp = funcgrad.vjp(fnp.vdot, z, w)
    gz, gw = f_vjp(np.complex128(1.0))
    np.testing.assert_allclose(gz, np.conj(w))
    np.testing.assert_allclose(gw, np.conj(z))


@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 3), (3, 4)),
                                   ((2, 1, 2, 3), (4, 3, 2)), ((3,), (2, 3, 2)), ((2, 2, 3), (3,)),
                                   ((1, 2, 3), (2, 3, 1))])
def test_matmul_every_rank_combination_to_second_order(sa, sb):
    a, b = RNG.standard_normal(sa), RNG.standard_normal(sb)
    np.testing.assert_array_equal(fnp.matmul(a, b), np.matmul(a, b))
    check_grads(fnp.matmul, (a, b), order=2)
    check_grads(lambda x, y: x @ y, (a, b), order=1)


def test_vecdot_along_another_axis():
    z = RNG.standard_normal((3, 2)) + 1j * RNG.standard_normal((3, 2))
    w = RNG.standard_normal((3, 1))
    np.testing.assert_allclose(fnp.vecdot(z, w, axis=0), np.sum(np.conj(z) * w, axis=0))
    check_grads(lambda x, y: fnp.vecdot(x, y, axis=0), (z, w), order=2)


def test_matrix_power_closed_form():
    a = _general()
    g = funcgrad.grad(lambda m: fnp.einsum("ii", fnp.linalg.matrix_power(m, 3)))(a)
    np.testing.assert_allclose(g, 3 * (a @ a).T, rtol=1e-10)
    np.testing.assert_allclose(fnp.linalg.matrix_power(a, -2), np.linalg.matrix_power(a, -2))


# --- plain numpy calls reach these rules -------------------------------------------------
def test_plain_numpy_linalg_and_products_are_intercepted():
    a = _general()

    def f(m):
        return (np.linalg.slogdet(m)[1] + np.linalg.norm(m) + np.trace(np.linalg.inv(m))
                + np.einsum("ij,ji", m, m) + np.dot(m[0], m[1]) + np.linalg.eigvalsh(m @ m.T).sum())
    check_grads(f, (a,), order=1)


# --- less common arguments ------------------------------------------------------------------
def test_hermitian_flags_read_the_lower_triangle():
    h = _spd() + np.triu(np.full((3, 3), 4.0), 1)  # upper triangle is ignored
    for fn, ref in [(lambda m: fnp.linalg.svd(m, hermitian=True, compute_uv=False),
                     lambda m: np.linalg.svd(m, hermitian=True, compute_uv=False)),
                    (lambda m: fnp.linalg.pinv(m, hermitian=True),
                     lambda m: np.linalg.pinv(m, hermitian=True))]:
        np.testing.assert_allclose(fn(h), ref(h), atol=1e-12)
        check_grads(fn, (h,), order=2)
        assert np.all(np.triu(fg_grad_sum(fn, h), 1) == 0)


def fg_grad_sum(fn, x):
    return funcgrad.grad(lambda m: fnp.sum(fnp.sin(fn(m))))(x)


def test_complex_eigh_upper_triangle():
    h = _hermitian_pd()
    w = fnp.linalg.eigh(h, UPLO="U")[0]
    np.testing.assert_allclose(w, np.linalg.eigh(h, UPLO="U")[0])
    check_grads(lambda m: fnp.linalg.eigvalsh(m, UPLO="U"), (h,), order=2)
    g = fg_grad_sum(lambda m: fnp.linalg.eigvalsh(m, UPLO="U"), h)
    assert np.all(np.tril(g, -1) == 0)


def test_qr_complete_mode_of_a_wide_matrix_and_raw_mode():
    a = RNG.standard_normal((2, 4))
    q, r = fnp.linalg.qr(a, mode="complete")
    q_np, r_np = np.linalg.qr(a, mode="complete")
    np.testing.assert_allclose(q, q_np, atol=1e-12)
    np.testing.assert_allclose(r, r_np, atol=1e-12)
    check_grads(lambda m: fnp.linalg.qr(m, mode="complete"), (a,), order=2)
    h, tau = fnp.linalg.qr(a, mode="raw")
    np.testing.assert_allclose(h, np.linalg.qr(a, mode="raw")[0])
    with pytest.raises(ValueError, match="not unique"):
        funcgrad.grad(lambda m: fnp.sum(fnp.linalg.qr(m, mode="complete")[0]))(a.T.copy())


def test_lstsq_with_matrix_right_hand_side():
    a, b = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 2))
    ours, theirs = fnp.linalg.lstsq(a, b), np.linalg.lstsq(a, b)
    for x, y in zip(ours, theirs):
        np.testing.assert_allclose(x, y, atol=1e-12)
    check_grads(lambda m, v: fnp.linalg.lstsq(m, v)[:2], (a, b), order=2)


@pytest.mark.parametrize("kwargs", [{"axis": (0, 2)}, {"axis": 1, "keepdims": True},
                                    {"axis": None, "keepdims": True}, {"ord": 1, "axis": -1}])
def test_vector_norm_axes_and_keepdims(kwargs):
    x = RNG.standard_normal((2, 3, 4))
    if hasattr(np.linalg, "vector_norm"):  # (NumPy >= 2.0)
        np.testing.assert_allclose(fnp.linalg.vector_norm(x, **kwargs),
                                   np.linalg.vector_norm(x, **kwargs))
    check_grads(lambda v: fnp.linalg.vector_norm(v, **kwargs), (x,), order=2)


def test_norm_keepdims_with_matrix_axes():
    x = RNG.standard_normal((2, 3, 4))
    for ord in ("fro", "nuc", 2, 1, np.inf):
        ours = fnp.linalg.norm(x, ord, axis=(2, 0), keepdims=True)
        np.testing.assert_allclose(ours, np.linalg.norm(x, ord, axis=(2, 0), keepdims=True))
        check_grads(lambda v: fnp.linalg.norm(v, ord, axis=(2, 0), keepdims=True), (x,), order=1)
    np.testing.assert_allclose(fnp.linalg.norm(x, keepdims=True), np.linalg.norm(x, keepdims=True))
    with pytest.raises(ValueError):
        fnp.linalg.norm(x, "fro", axis=0)


def test_tensorsolve_with_axes():
    a = (2 * np.eye(6) + 0.3 * RNG.standard_normal((6, 6))).reshape(6, 2, 3)
    b = RNG.standard_normal(6)
    np.testing.assert_allclose(fnp.linalg.tensorsolve(a, b), np.linalg.tensorsolve(a, b))
    moved = np.ascontiguousarray(a.transpose(1, 2, 0))  # (2, 3, 6): axes 0, 1 go right
    np.testing.assert_allclose(fnp.linalg.tensorsolve(moved, b, axes=(0, 1)),
                               np.linalg.tensorsolve(moved, b, axes=(0, 1)))
    check_grads(lambda m, v: fnp.linalg.tensorsolve(m, v, axes=(0, 1)), (moved, b), order=2)


# --- float32 stays float32 inside the backward pass, not only at its end --------------------
_F32 = (lambda x: (x @ x.T + 3 * np.eye(3)).astype(np.float32))(RNG.standard_normal((3, 3)))
_F32_CASES = {
    "inv": fnp.linalg.inv, "det": fnp.linalg.det, "slogdet": lambda m: fnp.linalg.slogdet(m)[1],
    "solve": lambda m: fnp.linalg.solve(m, np.ones(3, np.float32)),
    "cholesky": fnp.linalg.cholesky, "eigh": lambda m: fnp.linalg.eigh(m)[1],
    "svd": lambda m: fnp.linalg.svd(m)[0], "svdvals": lambda m: fnp.linalg.svd(m, compute_uv=False),
    "qr": lambda m: fnp.linalg.qr(m)[0], "pinv": fnp.linalg.pinv,
    "eig": lambda m: fnp.real(fnp.linalg.eig(m)[1]), "nuc": lambda m: fnp.linalg.norm(m, "nuc"),
    "norm1": lambda m: fnp.linalg.norm(m, 1), "vnorm_inf": lambda m: fnp.linalg.norm(m[0], np.inf),
    "einsum": lambda m: fnp.einsum("ii->i", m), "dot": lambda m: fnp.dot(m, m[0]),
    "lstsq": lambda m: fnp.linalg.lstsq(m, np.ones(3, np.float32))[0],
    "matrix_power": lambda m: fnp.linalg.matrix_power(m, 3), "cond": fnp.linalg.cond,
    "fft": lambda m: fnp.real(fnp.fft.fft(m)), "rfft": lambda m: fnp.imag(fnp.fft.rfft(m, n=5)),
    "irfft": lambda m: fnp.fft.irfft(m), "fftn": lambda m: fnp.real(fnp.fft.fftn(m, s=(2, 4), axes=(0, 1))),
}


@pytest.mark.parametrize("name", sorted(_F32_CASES))
def test_float32_backward_never_computes_in_float64(name, monkeypatch):
    from funcgrad._core.primitive import Primitive
    wide = []
    call = Primitive.__call__

    def spy(self, *args, **params):
        for a in args:
            d = getattr(a, "dtype", None)
            if d is not None and np.dtype(d) in (np.float64, np.complex128):
                wide.append(self.name)
        return call(self, *args, **params)
    if name in ("fft", "rfft", "irfft", "fftn") and np.fft.fft(_F32).dtype == np.complex128:
        pytest.skip(f"NumPy {np.__version__} computes FFTs in float64 only "
                    "(float32 FFTs are new in NumPy 2.0)")
    monkeypatch.setattr(Primitive, "__call__", spy)
    fn = _F32_CASES[name]
    g = funcgrad.grad(lambda m: fnp.sum(fnp.sin(fn(m))))(_F32)
    assert g.dtype == np.float32
    assert wide == [], f"float64 values reached {sorted(set(wide))}"


# --- every docstring example of products and linalg runs as written --------------------------
@pytest.mark.parametrize("module", ["products", "linalg", "linalg._basic", "linalg._decomp",
                                    "linalg._norms", "linalg._lstsq"])
def test_docstring_examples(module):
    import importlib
    mod = importlib.import_module(f"funcgrad.numpy.{module}")
    result = run_doctests(mod)
    assert result.attempted > 0 and result.failed == 0
