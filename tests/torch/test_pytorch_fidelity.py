"""Behaviours found by differential testing against PyTorch 2.x: views made
under ``no_grad``, ``retain_grad`` with ``autograd.grad``, and the
``grad_fn`` of combined indices. Each scenario runs on funcgrad.torch and,
when installed, on PyTorch; both must give the recorded outcome."""
from __future__ import annotations

import warnings

import pytest

import funcgrad.torch as T


def _outcome(f):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return f()
    except RuntimeError as e:
        return "RuntimeError: " + str(e).split(". ")[0]


VIEWS = {
    "view": lambda x: x.view(6), "reshape": lambda x: x.reshape(6),
    "transpose": lambda x: x.transpose(0, 1), "t": lambda x: x.t(), "T": lambda x: x.T,
    "x[0]": lambda x: x[0], "x[:, 1:]": lambda x: x[:, 1:], "x[...]": lambda x: x[...],
    "unsqueeze": lambda x: x.unsqueeze(0), "squeeze": lambda x: x.squeeze(),
    "expand": lambda x: x.expand(2, 2, 3), "narrow": lambda x: x.narrow(0, 0, 1),
    "unbind": lambda x: x.unbind(0)[0], "split": lambda x: x.split(1)[0],
    "chunk": lambda x: x.chunk(2)[0], "flatten": lambda x: x.flatten(),
    "permute": lambda x: x.permute(1, 0), "view_as": lambda x: x.view_as(x),
}
NOT_VIEWS = {
    "detach": lambda x: x.detach(), "x * 2": lambda x: x * 2, "clone": lambda x: x.clone(),
    "data": lambda x: x.data, "t().reshape (a copy)": lambda x: x.t().reshape(6),
}


def _libs():
    libs = [T]
    try:
        import torch
        libs.append(torch)
    except ImportError:  # pragma: no cover - CI without torch checks funcgrad alone
        pass
    return libs


@pytest.fixture(params=_libs(), ids=lambda m: m.__name__)
def torch(request):
    return request.param


@pytest.mark.parametrize("name", sorted(VIEWS) + sorted(NOT_VIEWS))
def test_flags_of_results_made_under_no_grad(torch, name):
    for base in (torch.ones(2, 3, requires_grad=True), torch.ones(2, 3, requires_grad=True) * 1):
        with torch.no_grad():
            r = {**VIEWS, **NOT_VIEWS}[name](base)
        want = name in VIEWS
        assert (r.requires_grad, r.is_leaf, r.grad_fn) == (want, True, None)


def test_no_grad_view_modified_in_place(torch):
    x = torch.ones(2, 3, requires_grad=True)
    with torch.no_grad():
        v = x.view(6)
    msg = "RuntimeError: A view was created in no_grad mode and is being modified inplace " \
          "with grad mode enabled"
    assert _outcome(lambda: v.mul_(2)) == msg
    assert _outcome(lambda: v.add_(1)) == msg
    with torch.no_grad():
        v2 = x.view(2, 3)
    for idx, what in [((0, 1), "Select"), ((0, slice(1, 2)), "Slice"), (None, "Unsqueeze")]:
        assert _outcome(lambda: v2.__setitem__(idx, 5.0)) == (
            f"RuntimeError: Output 0 of {what} is a view of a view which was created in no_grad "
            "mode and is being modified inplace with grad mode enabled")
    for idx in (Ellipsis, slice(None), [0, 1]):
        assert _outcome(lambda: v2.__setitem__(idx, 5.0)) == msg
    with torch.no_grad():
        v.mul_(2)  # both in no_grad: allowed
    assert x.tolist() == [[2.0] * 3] * 2
    y = x * 1
    with torch.no_grad():
        u = y[0]
    assert _outcome(lambda: u.add_(1)) == msg


def test_no_grad_view_used_after_its_base_changed(torch):
    x = torch.ones(2, 3, requires_grad=True)
    y = x * 1
    with torch.no_grad():
        u, w = y[0], y[1]
    assert _outcome(lambda: (u * 2).requires_grad) is True  # unchanged: fine
    y.add_(1)
    msg = ("RuntimeError: A view was created in no_grad mode and its base or another view of "
           "its base has been modified inplace with grad mode enabled")
    assert _outcome(lambda: u * 2) == msg
    with torch.no_grad():
        assert u.tolist() == [2.0] * 3  # (reading it without grad mode is fine)
    with torch.no_grad():
        w2 = y[1]
        w2.add_(1)  # another view, modified under no_grad
    assert _outcome(lambda: w * 2) == msg


def test_no_grad_view_passes_no_gradient(torch):
    x = torch.ones(2, 3, requires_grad=True)
    with torch.no_grad():
        v = x.view(6)
    out = (v * 2).sum()
    assert out.requires_grad and out.grad_fn.next_functions[0][0].next_functions == ((None, 0),
                                                                                      (None, 0))
    out.backward()
    assert x.grad is None and v.grad is None


def test_retain_grad_is_honoured_by_autograd_grad(torch):
    x = torch.tensor(1.0, requires_grad=True)
    y = x + 1
    y.retain_grad()
    z = y ** 2
    assert torch.autograd.grad(z, x, retain_graph=True)[0].item() == 4.0
    assert y.grad.item() == 4.0 and x.grad is None
    assert torch.autograd.grad(z, y, retain_graph=True)[0].item() == 4.0
    assert y.grad.item() == 8.0
    torch.autograd.grad(y * 3, x)
    assert y.grad.item() == 11.0


INDEX_NAMES = {
    "v[-1, 1:4]": "SliceBackward0", "v[1:2, 3]": "SelectBackward0", "v[0]": "SelectBackward0",
    "v[0, 1]": "SelectBackward0", "v[:, None]": "UnsqueezeBackward0",
    "v[..., 1]": "SelectBackward0", "v[0, ..., 1:]": "SliceBackward0",
    "v[None, 0]": "SelectBackward0", "v[1:, 2:]": "SliceBackward0", "v[:]": "SliceBackward0",
    "v[0, :]": "SelectBackward0", "v[0, 0:5]": "SelectBackward0", "v[::1]": "SliceBackward0",
    "v[..., None]": "UnsqueezeBackward0", "v[None, 1:]": "SliceBackward0",
    "v[1, None, 2]": "SelectBackward0", "v[..., ]": "AliasBackward0",
    "v[:, None, :]": "UnsqueezeBackward0", "v[True]": "IndexBackward0",
    "v[1:, [0, 1]]": "IndexBackward0",
}


@pytest.mark.parametrize("code", sorted(INDEX_NAMES))
def test_grad_fn_of_combined_indices(torch, code):
    v = torch.ones(3, 5, requires_grad=True) * 1
    node = eval(code, {"v": v})
    assert type(node.grad_fn).__name__ == INDEX_NAMES[code] == node.grad_fn.name()
