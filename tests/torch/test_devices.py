"""Devices and the default dtype, as in a CPU-only PyTorch build.

The expected errors and values are those of PyTorch 2.x's CPU build
(``torch.cuda.is_available()`` False, ``"cuda"`` refused with
``AssertionError: Torch not compiled with CUDA enabled``).
"""
from __future__ import annotations

import doctest
import importlib
import pickle

import numpy as np
import pytest

import funcgrad.torch as torch
from funcgrad.torch import nn

CUDA = "Torch not compiled with CUDA enabled"


def test_device_selection_lines_of_the_tutorials_run():
    # "Build the Neural Network" / "Quickstart" (PyTorch 2.x tutorials)
    device = (torch.accelerator.current_accelerator().type
              if torch.accelerator.is_available() else "cpu")
    assert device == "cpu"
    device = ("cuda" if torch.cuda.is_available()
              else "mps" if torch.backends.mps.is_available() else "cpu")
    assert device == "cpu"
    torch.set_default_device(device)
    model = nn.Linear(3, 2).to(device)
    x = torch.ones(4, 3, device=device)
    assert model(x).device == torch.device("cpu")
    dev = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    assert torch.zeros(2).to(dev).device.type == "cpu"


def test_queries_answer_as_a_cpu_build():
    assert torch.cuda.is_available() is False and torch.cuda.device_count() == 0
    assert torch.cuda.is_initialized() is False
    assert torch.accelerator.is_available() is False
    assert torch.accelerator.current_accelerator() is None
    assert torch.accelerator.device_count() == 0
    assert torch.backends.mps.is_available() is False and torch.backends.mps.is_built() is False
    assert torch.backends.cudnn.is_available() is False
    torch.cuda.manual_seed(0); torch.cuda.manual_seed_all(0); torch.cuda.empty_cache()
    assert torch.get_default_device() == torch.device("cpu")
    with pytest.raises(AssertionError, match=CUDA):
        torch.cuda.current_device()
    with pytest.raises(AssertionError, match=CUDA):
        torch.cuda.synchronize()
    with pytest.raises(RuntimeError, match="Cannot access accelerator device when none"):
        torch.accelerator.current_device_index()


def test_device_objects():
    assert repr(torch.device("cpu")) == "device(type='cpu')"
    d = torch.device("cuda:1")
    assert (d.type, d.index, str(d), repr(d)) == ("cuda", 1, "cuda:1",
                                                    "device(type='cuda', index=1)")
    assert torch.device("cuda", 1) == d and torch.device(d) == d and hash(d) == hash(
        torch.device("cuda", 1))
    assert torch.device("cpu") != torch.device("cpu", 0)
    assert torch.device("cpu") != "cpu"  # as PyTorch: a device is not a string
    assert pickle.loads(pickle.dumps(d)) == d
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda.* device type at start "
                                           "of device string: gpu"):
        torch.device("gpu")
    with pytest.raises(RuntimeError, match="Invalid device string: 'cpu:-1'"):
        torch.device("cpu:-1")


FACTORIES = {
    "tensor": lambda d: torch.tensor([1.0], device=d),
    "as_tensor": lambda d: torch.as_tensor([1.0], device=d),
    "zeros": lambda d: torch.zeros(2, device=d),
    "ones": lambda d: torch.ones(2, device=d),
    "empty": lambda d: torch.empty(2, device=d),
    "full": lambda d: torch.full((2,), 1.5, device=d),
    "zeros_like": lambda d: torch.zeros_like(torch.ones(2), device=d),
    "ones_like": lambda d: torch.ones_like(torch.ones(2), device=d),
    "empty_like": lambda d: torch.empty_like(torch.ones(2), device=d),
    "full_like": lambda d: torch.full_like(torch.ones(2), 2.0, device=d),
    "rand": lambda d: torch.rand(2, device=d),
    "randn": lambda d: torch.randn(2, device=d),
    "rand_like": lambda d: torch.rand_like(torch.ones(2), device=d),
    "randn_like": lambda d: torch.randn_like(torch.ones(2), device=d),
    "normal": lambda d: torch.normal(0.0, 1.0, (2,), device=d),
    "randint": lambda d: torch.randint(0, 3, (2,), device=d),
    "randperm": lambda d: torch.randperm(3, device=d),
    "arange": lambda d: torch.arange(0, 1, 0.5, device=d),
    "linspace": lambda d: torch.linspace(0, 1, 3, device=d),
    "eye": lambda d: torch.eye(2, device=d),
    "Generator": lambda d: torch.Generator(device=d),
    "Linear": lambda d: nn.Linear(2, 2, device=d),
    "Embedding": lambda d: nn.Embedding(3, 2, device=d),
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_device_argument_accepted_and_cuda_refused(name):
    make = FACTORIES[name]
    for d in ("cpu", "cpu:0", torch.device("cpu"), None):
        make(d)
    with pytest.raises(AssertionError, match=CUDA):
        make("cuda")
    with pytest.raises(AssertionError, match=CUDA):
        make(torch.device("cuda", 0))
    with pytest.raises(RuntimeError, match="CPU only"):
        make("mps")


def test_to_and_cuda_of_tensors_and_modules():
    x = torch.ones(2)
    assert x.to("cpu") is x and x.to(device="cpu") is x and x.cpu() is x
    assert x.to("cpu", torch.float64).dtype == torch.float64
    assert x.to(torch.device("cpu"), dtype=torch.float64).dtype == torch.float64
    y = x.to("cpu", copy=True)
    assert y is not x and torch.equal(x, y)
    assert x.get_device() == -1 and x.is_cuda is False and x.is_pinned() is False
    for bad in (lambda: x.to("cuda"), lambda: x.to(device="cuda"), x.cuda):
        with pytest.raises(AssertionError, match=CUDA):
            bad()
    m = nn.Linear(2, 2)
    assert m.to("cpu") is m and m.cpu() is m and m.to(device="cpu") is m
    assert m.to(torch.device("cpu"), torch.float64).weight.dtype == torch.float64
    assert m.to(torch.ones(1, dtype=torch.float32)).weight.dtype == torch.float32
    for bad in (lambda: m.to("cuda"), lambda: m.to(device="cuda:0"), m.cuda):
        with pytest.raises(AssertionError, match=CUDA):
            bad()
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex"):
        m.to(torch.int64)


def test_default_device():
    torch.set_default_device("cpu")
    with torch.device("cpu"):
        assert torch.zeros(1).device.type == "cpu"
    with pytest.raises(AssertionError, match=CUDA):
        torch.set_default_device("cuda")
    torch.set_default_device(None)
    assert torch.get_default_device() == torch.device("cpu")


@pytest.fixture
def float64_default():
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(torch.float32)


DTYPE_FOLLOWERS = {
    **{k: v for k, v in FACTORIES.items()
       if k not in ("randint", "randperm", "Generator", "zeros_like", "ones_like",
                    "empty_like", "full_like", "rand_like", "randn_like")},
    "arange_float": lambda d: torch.arange(3.0),
    "Tensor": lambda d: torch.Tensor(2, 3),
    "Parameter": lambda d: nn.Parameter(),
    "int_true_divide": lambda d: torch.tensor([1, 2]) / 2,
}


@pytest.mark.parametrize("name", sorted(DTYPE_FOLLOWERS))
def test_every_factory_and_layer_honours_set_default_dtype(name, float64_default):
    out = DTYPE_FOLLOWERS[name](None)
    tensors = list(out.parameters()) if isinstance(out, nn.Module) else [out]
    assert tensors and all(t.dtype == torch.float64 for t in tensors), name


def test_linear_in_float64_trains_in_float64(float64_default):
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = model(torch.randn(4, 3)).pow(2).mean()
    loss.backward(); opt.step()
    assert loss.dtype == torch.float64 and model.weight.grad.dtype == torch.float64


@pytest.mark.parametrize("name", ["funcgrad.torch._device", "funcgrad.torch.cuda",
                                  "funcgrad.torch.accelerator", "funcgrad.torch.backends"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name),
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_sgd_momentum_on_0d_parameters_is_the_tutorials_dynamic_net_case():
    # PyTorch's "dynamic_net" example: 0-d Parameters optimised with SGD(momentum=0.9)
    for dtype in (torch.float32, torch.float64, torch.complex64):
        w = nn.Parameter(torch.tensor(1.0, dtype=dtype))
        opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
        for _ in range(3):
            opt.zero_grad()
            (w * w.conj()).real.backward() if dtype.is_complex else (w ** 2).backward()
            opt.step()
        # w: 1 -> 0.8 -> 0.46 -> 0.062 (b = 2, 3.4, 3.98)
        np.testing.assert_allclose(np.real(w.detach().numpy()), 0.062, rtol=1e-5)
        buf = opt.state[w]["momentum_buffer"]
        assert buf.shape == torch.Size([]) and buf.dtype == dtype
