"""``funcgrad.torch.func``: PyTorch's function transforms (``torch.func``)
with PyTorch's signatures and errors, built on funcgrad's own transforms
(:func:`funcgrad.grad`, :func:`funcgrad.vjp`, :func:`funcgrad.jvp`,
:func:`funcgrad.linearize`, :func:`funcgrad.jacrev`, :func:`funcgrad.hessian`),
and ``functional_call`` to run an ``nn.Module`` with parameters given as a
dict -- so a model's gradient is a function of its parameters.

>>> import funcgrad.torch as torch
>>> from funcgrad.torch.func import functional_call, grad
>>> model = torch.nn.Linear(2, 1)
>>> params = {k: v.detach() for k, v in model.named_parameters()}
>>> x, y = torch.ones(4, 2), torch.zeros(4, 1)
>>> loss = lambda p: ((functional_call(model, p, (x,)) - y) ** 2).mean()
>>> g = grad(loss)(params)
>>> sorted(g), g["weight"].shape
(['bias', 'weight'], torch.Size([1, 2]))

Arguments and results are tensors or (nested) tuples, lists and dicts of
tensors, as in PyTorch. ``jacfwd`` runs one Jacobian-vector product per
input element (through one :func:`funcgrad.linearize`).
"""
from __future__ import annotations

import contextlib
import functools
from typing import Any, Callable, Dict, Iterator, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

import funcgrad
import funcgrad.torch as torch
from funcgrad.tree_util import tree_flatten, tree_map, tree_unflatten

from . import _creation
from ._tensor import _TensorBase

__all__ = ["functional_call", "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd",
           "hessian", "vmap"]

ArgNums = Union[int, Tuple[int, ...]]


# --- shared checks --------------------------------------------------------------------------
def _argnums_tuple(argnums: ArgNums, nargs: int, api: str) -> Tuple[int, ...]:
    """``argnums`` as a tuple of non-negative positions, checked as PyTorch does."""
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if not nums:
        raise RuntimeError(f"{api}: argnums must be non-empty")
    out = []
    for num in nums:
        if not isinstance(num, int) or isinstance(num, bool):
            raise RuntimeError(f"{api}: argnums must be int or Tuple[int, ...], got: "
                               f"{type(argnums)}")
        if not -nargs <= num < nargs:
            raise RuntimeError(f"Got argnum={num}, but only {nargs} positional inputs")
        out.append(num % nargs)
    if len(set(out)) != len(out):
        raise RuntimeError(f"{api}: argnums must be unique, got {argnums}")
    return tuple(out)


def _in_order(tree: Any, template: Any) -> Any:
    """``tree`` with its dicts' keys in ``template``'s order: funcgrad's
    pytrees sort dict keys (JAX's rule), PyTorch's keep insertion order, so a
    gradient dict comes back ordered as the parameters were given.

    >>> _in_order({"a": 1, "b": 2}, {"b": 0, "a": 0})
    {'b': 2, 'a': 1}
    """
    if isinstance(tree, dict) and isinstance(template, Mapping) and set(tree) == set(template):
        return {k: _in_order(tree[k], template[k]) for k in template}
    if type(tree) in (tuple, list) and isinstance(template, (tuple, list)) \
            and len(tree) == len(template):
        return type(tree)(_in_order(t, u) for t, u in zip(tree, template))
    return tree


def _split_aux(out: Any, has_aux: bool, api: str) -> Tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{api}(f)(*args): output of function f should be a tuple: "
                           "(output, aux) if has_aux is True")
    return out


def _scalar_checked(func: Callable, has_aux: bool, api: str) -> Callable:
    """``func``, checking it returns a 0-d tensor (first of ``(output, aux)``)."""
    def checked(*args: Any) -> Any:
        out = func(*args)
        value, _ = _split_aux(out, has_aux, api)
        if not isinstance(value, _TensorBase):
            raise RuntimeError(f"{api}(f)(*args): Expected f(*args) to return a Tensor, got "
                               f"{type(value)}")
        if value.dim() != 0:
            raise RuntimeError(f"{api}(f)(*args): Expected f(*args) to return a scalar Tensor, "
                               f"got tensor with {value.dim()} dims. Maybe you wanted to use "
                               "the vjp or jacrev APIs instead?")
        return out
    return checked


def _bind(func: Callable, kwargs: Dict[str, Any]) -> Callable:
    """Keyword arguments are passed through, never differentiated (PyTorch's rule)."""
    return (lambda *args: func(*args, **kwargs)) if kwargs else func


# --- gradients --------------------------------------------------------------------------------
def grad_and_value(func: Callable, argnums: ArgNums = 0, has_aux: bool = False) -> Callable:
    """``(gradient, value)`` of a function returning a 0-d tensor, w.r.t. the
    positional arguments ``argnums`` (a tuple gives a tuple of gradients); with
    ``has_aux``, ``func`` returns ``(value, aux)`` and the result is
    ``(gradient, (value, aux))``.

    >>> import funcgrad.torch as torch
    >>> from funcgrad.torch.func import grad_and_value
    >>> grad_and_value(lambda x: (x ** 2).sum())(torch.tensor([1.0, 2.0]))
    (tensor([2., 4.]), tensor(5.))
    """
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums_tuple(argnums, len(args), "grad_and_value")
        target = nums if isinstance(argnums, tuple) else nums[0]
        fun = _scalar_checked(_bind(func, kwargs), has_aux, "grad_and_value")
        value, g = funcgrad.value_and_grad(fun, argnums=target, has_aux=has_aux)(*args)
        template = tuple(args[i] for i in nums) if isinstance(target, tuple) else args[target]
        return _in_order(g, template), value
    return wrapper


def grad(func: Callable, argnums: ArgNums = 0, has_aux: bool = False) -> Callable:
    """The gradient of a function returning a 0-d tensor (``(gradient, aux)``
    with ``has_aux``); composes with every other transform.

    >>> import funcgrad.torch as torch
    >>> from funcgrad.torch.func import grad
    >>> grad(grad(torch.sin))(torch.tensor(0.5))
    tensor(-0.4794)
    >>> grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(torch.ones(2), torch.tensor([3.0, 4.0]))
    (tensor([3., 4.]), tensor([1., 1.]))
    """
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = grad_and_value(func, argnums, has_aux)(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return wrapper


def vjp(func: Callable, *primals: Any, has_aux: bool = False) -> Tuple[Any, ...]:
    """``(output, vjp_fn)`` (``(output, vjp_fn, aux)`` with ``has_aux``);
    ``vjp_fn(cotangents)`` returns a tuple with one entry per primal.

    >>> import funcgrad.torch as torch
    >>> from funcgrad.torch.func import vjp
    >>> out, vjp_fn = vjp(torch.sin, torch.tensor([0.0, 1.0]))
    >>> vjp_fn(torch.ones(2))
    (tensor([1.0000, 0.5403]),)
    """
    res = funcgrad.vjp(func, *primals, has_aux=has_aux)
    back = res[1]

    def vjp_fn(cotangents: Any) -> Tuple[Any, ...]:
        return _in_order(tuple(back(cotangents)), primals)
    return (res[0], vjp_fn) + tuple(res[2:])


def _structure_check(primals: Any, tangents: Any) -> None:
    api = "jvp(f, primals, tangents)"
    for name, value in (("primals", primals), ("tangents", tangents)):
        if not isinstance(value, tuple):
            raise RuntimeError(f"{api}: Expected {name} to be a tuple. E.g. it should be valid "
                               "to call f(*primals).")
    p_leaves, p_tree = tree_flatten(primals)
    t_leaves, t_tree = tree_flatten(tangents)
    if p_tree != t_tree:
        raise RuntimeError(f"{api}: Expected primals and tangents to have the same python "
                           f"structure. For example, if primals is a tuple of 3 tensors, "
                           f"tangents also must be. Got primals with structure {p_tree} and "
                           f"tangents with structure {t_tree}")
    for p, t in zip(p_leaves, t_leaves):
        if tuple(np.shape(p)) != tuple(np.shape(t)):
            raise RuntimeError("Trying to set a forward gradient that has a different size "
                               "than that of the original Tensor, this is not supported. "
                               f"Tensor is of size {list(np.shape(p))} while the given forward "
                               f"gradient is of size {list(np.shape(t))}.")


def jvp(func: Callable, primals: Any, tangents: Any, *, strict: bool = False,
        has_aux: bool = False) -> Tuple[Any, ...]:
    """``(output, jvp_out)``: ``func(*primals)`` and its derivative along
    ``tangents`` (forward mode; ``(output, jvp_out, aux)`` with ``has_aux``).

    >>> import funcgrad.torch as torch
    >>> from funcgrad.torch.func import jvp
    >>> jvp(lambda x: x ** 3, (torch.tensor(2.0),), (torch.tensor(1.0),))
    (tensor(8.), tensor(12.))
    """
    _structure_check(primals, tangents)
    return funcgrad.jvp(func, primals, tangents, has_aux=has_aux)


# --- Jacobians and Hessians ----------------------------------------------------------------
def _check_chunk_size(chunk_size: Optional[int], api: str) -> None:
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"{api}: `chunk_size` should be greater than 0.")


def jacrev(func: Callable, argnums: ArgNums = 0, *, has_aux: bool = False,
           chunk_size: Optional[int] = None) -> Callable:
    """The Jacobian by reverse mode (one VJP batched over the output basis): shape
    ``output.shape + input.shape`` per output and input; ``(jacobian, aux)``
    with ``has_aux``. ``chunk_size`` (a memory knob in PyTorch) is checked
    and does not change the result.

    >>> import funcgrad.torch as torch
    >>> from funcgrad.torch.func import jacrev
    >>> jacrev(lambda x: x ** 2)(torch.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    _check_chunk_size(chunk_size, "jacrev")

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums_tuple(argnums, len(args), "jacrev")
        target = nums if isinstance(argnums, tuple) else nums[0]
        return funcgrad.jacrev(_bind(func, kwargs), argnums=target, has_aux=has_aux)(*args)
    return wrapper


def _basis(leaves: Sequence[Any], j: int, k: int) -> list:
    """Zero tangents for every leaf but element ``k`` of leaf ``j`` (a one)."""
    tangents = [torch.zeros_like(x) for x in leaves]
    flat = np.zeros(int(np.prod(leaves[j].shape)), dtype=tangents[j].numpy().dtype)
    flat[k] = 1
    tangents[j] = torch.from_numpy(flat.reshape(tuple(leaves[j].shape)))
    return tangents


def jacfwd(func: Callable, argnums: ArgNums = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable:
    """The Jacobian by forward mode: one Jacobian-vector product per input
    element, through one :func:`funcgrad.linearize` of ``func``; the same
    layout as :func:`jacrev`.

    >>> import funcgrad.torch as torch
    >>> from funcgrad.torch.func import jacfwd
    >>> jacfwd(lambda x: x.sum() * x)(torch.tensor([1.0, 2.0]))
    tensor([[4., 1.],
            [2., 5.]])
    """
    _check_randomness(randomness)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums_tuple(argnums, len(args), "jacfwd")
        bound = _bind(func, kwargs)

        def of_primals(*xs: Any) -> Any:
            full = list(args)
            for i, x in zip(nums, xs):
                full[i] = x
            return bound(*full)
        res = funcgrad.linearize(of_primals, *(args[i] for i in nums), has_aux=has_aux)
        out, f_jvp = res[0], res[1]
        in_leaves, in_tree = tree_flatten(tuple(args[i] for i in nums))
        out_leaves, out_tree = tree_flatten(out)
        blocks = [[None] * len(in_leaves) for _ in out_leaves]
        for j, x in enumerate(in_leaves):
            columns = [tree_flatten(f_jvp(*tree_unflatten(in_tree, _basis(in_leaves, j, k))))[0]
                       for k in range(int(np.prod(x.shape)))]
            for o, y in enumerate(out_leaves):
                shape = tuple(y.shape) + tuple(x.shape)
                blocks[o][j] = (torch.stack([c[o] for c in columns], dim=-1)
                                .reshape(*shape) if columns else torch.zeros(*shape,
                                                                           dtype=y.dtype))
        per_output = [tree_unflatten(in_tree, row) for row in blocks]
        jac = tree_unflatten(out_tree, [row if isinstance(argnums, tuple) else row[0]
                                        for row in per_output])
        return (jac, res[2]) if has_aux else jac
    return wrapper


def hessian(func: Callable, argnums: ArgNums = 0) -> Callable:
    """The Hessian of a function returning a 0-d tensor (forward over
    reverse, as PyTorch's ``jacfwd(jacrev(func))``).

    >>> import funcgrad.torch as torch
    >>> from funcgrad.torch.func import hessian
    >>> hessian(lambda x: (x ** 3).sum())(torch.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums_tuple(argnums, len(args), "hessian")
        target = nums if isinstance(argnums, tuple) else nums[0]
        return funcgrad.hessian(_bind(func, kwargs), argnums=target)(*args)
    return wrapper


def _check_randomness(randomness: str) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")


# --- vmap -------------------------------------------------------------------------------------
def vmap(func: Callable, in_dims: Any = 0, out_dims: Any = 0, randomness: str = "error", *,
         chunk_size: Optional[int] = None) -> Callable:
    """``func`` mapped over a dimension of its inputs (PyTorch's
    ``torch.func.vmap``), on :func:`funcgrad.vmap`: ``func`` runs once, on
    tensors that look like one example, and each operation's batching rule
    computes the whole batch.

    ``in_dims``: an int, ``None`` (not mapped) or a tuple with one entry per
    positional argument (nested like the argument: a dict of parameters takes
    ``None`` or a dict); keyword arguments are passed unmapped, as PyTorch
    does. ``out_dims``: likewise for the outputs. ``randomness="error"``
    (the default) makes a random operation inside ``func`` raise PyTorch's
    error; ``"same"`` draws one sample shared by every example (what a
    random operation of the per-example shape gives); ``"different"`` is
    not supported (it raises when a random operation is met). ``chunk_size``
    is checked and does not change the result (the batch is computed in one
    pass).

    Per-example gradients of a model, over :func:`functional_call`:

    >>> import funcgrad.torch as torch
    >>> from funcgrad.torch.func import functional_call, grad, vmap
    >>> model = torch.nn.Linear(3, 1)
    >>> params = {k: v.detach() for k, v in model.named_parameters()}
    >>> def loss(p, x, y):
    ...     return ((functional_call(model, p, (x,)) - y) ** 2).sum()
    >>> xs, ys = torch.randn(5, 3), torch.randn(5, 1)
    >>> g = vmap(grad(loss), in_dims=(None, 0, 0))(params, xs, ys)
    >>> g["weight"].shape, g["bias"].shape
    (torch.Size([5, 1, 3]), torch.Size([5, 1]))
    >>> vmap(torch.dot)(torch.ones(2, 3), torch.ones(2, 3))
    tensor([3., 3.])
    """
    _check_randomness(randomness)
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")
    if isinstance(in_dims, list):
        raise ValueError(f"vmap(f, in_dims={in_dims}, ...): expected `in_dims` to be int or a "
                         f"(potentially nested) tuple matching the structure of inputs, got: "
                         f"{type(in_dims)}.")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        raw: list = []

        def noted(*a: Any) -> Any:  # (dicts in the caller's order, in and out)
            out = func(*_in_order(a, args), **kwargs)
            raw.append(out)
            return out
        token = _creation.RANDOMNESS.set(randomness)
        try:
            out = funcgrad.vmap(noted, in_axes=in_dims, out_axes=out_dims)(*args)
        finally:
            _creation.RANDOMNESS.reset(token)
        return _in_order(out, raw[0])
    return wrapper


# --- functional_call --------------------------------------------------------------------------
def _merge(dicts: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]) -> Dict[str, Any]:
    if isinstance(dicts, Mapping):
        return dict(dicts)
    merged: Dict[str, Any] = {}
    for d in dicts:
        for key, value in d.items():
            if key in merged:
                raise ValueError(f"{key} appeared in multiple dictionaries; behavior of "
                                 "functional call is ambiguous")
            merged[key] = value
    return merged


def _owner(module: Any, name: str) -> Tuple[Any, str]:
    *path, leaf = name.split(".")
    for part in path:
        module = module._modules[part]
    return module, leaf


@contextlib.contextmanager
def _reparametrized(module: Any, values: Dict[str, Any], tie_weights: bool,
                    strict: bool) -> Iterator[None]:
    """Swap the named parameters/buffers of ``module`` for ``values`` (and, with
    ``tie_weights``, every other name of a tied tensor), restoring them after."""
    named = list(module.named_parameters(remove_duplicate=False)) + \
        list(module.named_buffers(remove_duplicate=False))
    known = dict(named)
    if strict:
        missing = [n for n in known if n not in values]
        unexpected = [n for n in values if n not in known]
        if missing or unexpected:
            lines = [f"\tUnexpected key(s): {', '.join(repr(n) for n in unexpected)}."] * \
                bool(unexpected) + [f"\tMissing key(s): {', '.join(repr(n) for n in missing)}."] * \
                bool(missing)
            raise RuntimeError(f"Error(s) in reparametrizing for {module._get_name()}:\n" +
                               "\n".join(lines))
    values = dict(values)
    if tie_weights:
        by_tensor = {id(known[n]): values[n] for n in values if n in known}
        for name, tensor in named:
            if name not in values and id(tensor) in by_tensor:
                values[name] = by_tensor[id(tensor)]
    saved = []
    try:
        for name, value in values.items():
            owner, leaf = _owner(module, name)
            table = owner._parameters if leaf in owner._parameters else \
                owner._buffers if leaf in owner._buffers else None
            if table is None:
                saved.append((owner, leaf, None, owner.__dict__.get(leaf, _MISSING)))
                object.__setattr__(owner, leaf, value)
            else:
                saved.append((owner, leaf, table, table[leaf]))
                table[leaf] = value
        yield
    finally:
        for owner, leaf, table, old in reversed(saved):
            if table is not None:
                table[leaf] = old
            elif old is _MISSING:
                object.__delattr__(owner, leaf)
            else:
                object.__setattr__(owner, leaf, old)


_MISSING = object()


def functional_call(module: Any, parameter_and_buffer_dicts: Any, args: Any = None,
                    kwargs: Optional[Dict[str, Any]] = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """Call ``module(*args, **kwargs)`` with its parameters and buffers
    replaced by the given tensors (dotted names as in ``named_parameters``;
    a dict or a sequence of dicts), restoring them afterwards. ``strict``:
    every parameter and buffer must be given, and only those.

    >>> import funcgrad.torch as torch
    >>> from funcgrad.torch.func import functional_call
    >>> lin = torch.nn.Linear(2, 1)
    >>> functional_call(lin, {"weight": torch.ones(1, 2), "bias": torch.zeros(1)},
    ...                 torch.tensor([1.0, 2.0]))
    tensor([3.])
    """
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrized(module, _merge(parameter_and_buffer_dicts), tie_weights, strict):
        return module(*args, **(kwargs or {}))
