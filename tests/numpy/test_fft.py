"""numpy.fft gradients: complex inputs for the complex transforms (JAX's
convention, against complex finite differences), closed forms (Parseval,
round trips, shifts), and plain ``numpy.fft`` interception."""
from __future__ import annotations

import numpy as np
import pytest

import funcgrad
import funcgrad.numpy as fnp
from funcgrad.testing import check_grads
from tests.doctests import run as run_doctests

RNG = np.random.default_rng(3)
X = RNG.standard_normal((3, 5))
Z = X + 1j * RNG.standard_normal((3, 5))
NORMS = [None, "ortho", "forward"]


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n", [None, 3, 7])
@pytest.mark.parametrize("name", ["fft", "ifft", "irfft", "hfft"])
def test_complex_input_transforms(name, n, norm):
    fn = getattr(fnp.fft, name)
    np.testing.assert_allclose(fn(Z, n=n, axis=0, norm=norm),
                               getattr(np.fft, name)(Z, n=n, axis=0, norm=norm), atol=1e-12)
    check_grads(lambda z: fn(z, n=n, axis=0, norm=norm), (Z,), order=2 if n == 3 else 1)


@pytest.mark.parametrize("name", ["fftn", "ifftn", "fft2", "ifft2", "irfftn", "irfft2"])
def test_complex_input_nd_transforms(name):
    z = RNG.standard_normal((2, 3, 4)) + 1j * RNG.standard_normal((2, 3, 4))
    fn = getattr(fnp.fft, name)
    kwargs = {"s": (3, 4), "axes": (0, 2)}
    np.testing.assert_allclose(fn(z, **kwargs), getattr(np.fft, name)(z, **kwargs), atol=1e-12)
    check_grads(lambda a: fn(a, **kwargs), (z,), order=1)


@pytest.mark.parametrize("norm", NORMS)
def test_parseval(norm):
    # sum |fft(x)|^2 = scale * sum |x|^2, so the gradient is 2 * scale * conj(x).
    scale = {None: 5.0, "ortho": 1.0, "forward": 1.0 / 5.0}[norm]
    for x in (X[0], Z[0]):
        g = funcgrad.grad(lambda v: fnp.sum(fnp.abs(fnp.fft.fft(v, norm=norm)) ** 2))(x)
        np.testing.assert_allclose(g, 2 * scale * np.conj(x), rtol=1e-10)


@pytest.mark.parametrize("n", [4, 5])
@pytest.mark.parametrize("norm", NORMS)
def test_rfft_irfft_round_trip_has_identity_gradient(n, norm):
    w = RNG.standard_normal(n)
    x = RNG.standard_normal(n)
    g = funcgrad.grad(lambda v: fnp.sum(w * fnp.fft.irfft(fnp.fft.rfft(v, norm=norm), n=n,
                                                           norm=norm)))(x)
    np.testing.assert_allclose(g, w, rtol=1e-10)


def test_irfft_ignores_imaginary_parts_of_zero_and_nyquist_frequencies():
    z = np.array([1.0 + 5j, 2.0 - 1j, 3.0 + 7j])
    g = funcgrad.grad(lambda a: fnp.sum(fnp.fft.irfft(a) * np.arange(4.0)))(z)
    assert g[0].imag == 0 and g[2].imag == 0
    check_grads(lambda a: fnp.fft.irfft(a), (z,), order=2)


def test_shift_gradients_are_the_inverse_shift():
    x = RNG.standard_normal((3, 4))
    c = RNG.standard_normal((3, 4))
    g = funcgrad.grad(lambda v: fnp.sum(c * fnp.fft.fftshift(v)))(x)
    np.testing.assert_allclose(g, np.fft.ifftshift(c))
    g = funcgrad.grad(lambda v: fnp.sum(c * fnp.fft.ifftshift(v, axes=0)))(x)
    np.testing.assert_allclose(g, np.fft.fftshift(c, axes=0))


def test_frequencies_are_constants_unless_the_spacing_is_traced():
    np.testing.assert_allclose(fnp.fft.fftfreq(6, 0.1), np.fft.fftfreq(6, 0.1))
    g = funcgrad.grad(lambda d: fnp.sum(fnp.fft.rfftfreq(6, d)))(0.5)
    np.testing.assert_allclose(g, -np.sum(np.fft.rfftfreq(6, 1.0)) / 0.25)


def test_every_public_numpy_fft_name_resolves_and_dispatches():
    for name in dir(np.fft):
        if not name.startswith("_"):
            assert hasattr(fnp.fft, name)
    g = funcgrad.grad(lambda v: np.sum(np.abs(np.fft.rfft2(v)) ** 2))(X)
    g_ours = funcgrad.grad(lambda v: fnp.sum(fnp.abs(fnp.fft.rfft2(v)) ** 2))(X)
    np.testing.assert_allclose(g, g_ours)


def test_float32_stays_float32():
    x = X.astype(np.float32)
    out, f_vjp = funcgrad.vjp(lambda v: fnp.fft.irfft(fnp.fft.rfft(v) * 2), x)
    assert out.dtype == np.fft.irfft(np.fft.rfft(x) * 2).dtype  # (float64 on NumPy 1.x)
    assert f_vjp(np.ones_like(out))[0].dtype == np.float32


def test_out_is_rejected():
    with pytest.raises(TypeError, match="out="):
        fnp.fft.fft(X, out=np.empty((3, 5), complex))


@pytest.mark.parametrize("module", ["fft", "random"])
def test_docstring_examples(module):
    import importlib
    mod = importlib.import_module(f"funcgrad.numpy.{module}")
    result = run_doctests(mod)
    assert result.attempted > 10 and result.failed == 0
