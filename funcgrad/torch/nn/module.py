"""``Module``: the base class of every layer and model (PyTorch 2.x semantics).

Assigning a :class:`~funcgrad.torch.nn.Parameter` or a ``Module`` to an
attribute registers it; ``parameters()``/``named_parameters()`` then walk the
tree in registration order with dotted names, ``state_dict()`` snapshots it
and ``load_state_dict()`` restores it.
"""
from __future__ import annotations

import contextvars
from collections import OrderedDict, namedtuple
from typing import (Any, Callable, Dict, Iterator, List, Mapping, Optional, Set, Tuple,
                    TypeVar)

import funcgrad.torch as torch

from .parameter import Parameter

__all__ = ["Module"]

CALLED: contextvars.ContextVar = contextvars.ContextVar("funcgrad_torch_called_modules",
                                                        default=None)
"""While ``torch.compile`` traces: the list every called module appends
itself to (the program is valid for their ``training`` modes only)."""

T = TypeVar("T", bound="Module")


def _typename(obj: Any) -> str:
    if isinstance(obj, torch.Tensor):
        names = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                 "int64": "LongTensor", "bool": "BoolTensor"}
        return "torch." + names.get(str(obj.detach().numpy().dtype), "Tensor")
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in (None, "builtins") else f"{module}.{name}"


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it could not match."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    first = lines.pop(0)
    return first + "\n" + "\n".join(" " * spaces + line for line in lines)


class Module:
    """Base class for all neural network modules; subclass it and define
    ``forward``.

    >>> import funcgrad.torch as torch
    >>> from funcgrad.torch import nn
    >>> class Net(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = nn.Linear(3, 4)
    ...         self.out = nn.Linear(4, 1)
    ...     def forward(self, x):
    ...         return self.out(torch.relu(self.hidden(x)))
    >>> net = Net()
    >>> [name for name, _ in net.named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    >>> net(torch.ones(2, 3)).shape
    torch.Size([2, 1])
    >>> net
    Net(
      (hidden): Linear(in_features=3, out_features=4, bias=True)
      (out): Linear(in_features=4, out_features=1, bias=True)
    )
    """

    training: bool
    _version: int = 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected argument: "
                            "Module.__init__() takes no arguments")
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())

    forward: Callable[..., Any]

    def forward(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[no-redef]
        """Define the computation of the module (override in subclasses);
        call the module itself, not ``forward``, so that hooks run.

        >>> import funcgrad.torch as torch
        >>> torch.nn.Tanh().forward(torch.zeros(1))
        tensor([0.])
        """
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        called = CALLED.get()
        if called is not None:  # (torch.compile is tracing: its program assumes our mode)
            called.append(self)
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, out)
            if result is not None:
                out = result
        return out

    def register_forward_hook(self, hook: Callable[..., Any]) -> "_RemovableHandle":
        """Call ``hook(module, args, output)`` after every forward; a non-None
        result replaces the output. Returns a handle with ``remove()``.

        >>> import funcgrad.torch as torch
        >>> layer = torch.nn.Linear(2, 2)
        >>> handle = layer.register_forward_hook(lambda m, args, out: out.shape)
        >>> layer(torch.ones(1, 2))
        torch.Size([1, 2])
        >>> handle.remove()
        """
        return _RemovableHandle(self._forward_hooks, hook)

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> "_RemovableHandle":
        """Call ``hook(module, args)`` before every forward; a non-None result
        replaces the positional arguments. Returns a handle with ``remove()``.

        >>> import funcgrad.torch as torch
        >>> relu = torch.nn.ReLU()
        >>> handle = relu.register_forward_pre_hook(lambda m, args: (-args[0],))
        >>> relu(torch.tensor([1.0, -2.0]))
        tensor([0., 2.])
        """
        return _RemovableHandle(self._forward_pre_hooks, hook)

    # --- registration ---------------------------------------------------------
    def register_parameter(self, name: str, param: Optional[Parameter]) -> None:
        """Add a parameter under ``name`` (``None`` registers an absent one).

        >>> import funcgrad.torch as torch
        >>> m = torch.nn.Module(); m.register_parameter("w", torch.nn.Parameter(torch.ones(1)))
        >>> [n for n, _ in m.named_parameters()]
        ['w']
        """
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter", self._parameters)
        if param is None:
            self._parameters[name] = None
        elif not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        elif param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                f"created explicitly. To express '{name}' as a function of another Tensor, "
                "compute the value in the forward() method.")
        else:
            self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Optional[Any], persistent: bool = True) -> None:
        """Add a tensor that is state but not a parameter (saved in the
        ``state_dict`` unless ``persistent=False``).

        >>> import funcgrad.torch as torch
        >>> m = torch.nn.Module(); m.register_buffer("count", torch.zeros(1))
        >>> list(m.state_dict())
        ['count']
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"buffer name should be a string. Got {_typename(name)}")
        self._check_name(name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, torch.Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Optional["Module"]) -> None:
        """Add a child module under ``name``.

        >>> import funcgrad.torch as torch
        >>> m = torch.nn.Module(); m.add_module("act", torch.nn.ReLU())
        >>> m
        Module(
          (act): ReLU()
        )
        """
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        self._check_name(name, "module", self._modules)
        self._modules[name] = module

    register_module = add_module

    def _check_name(self, name: str, kind: str, table: Mapping[str, Any]) -> None:
        if hasattr(self, name) and name not in table:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, self.__dict__, self._buffers, self._modules,
                         self._non_persistent_buffers_set)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
            return
        modules = self.__dict__.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, self.__dict__, self._parameters, self._buffers,
                         self._non_persistent_buffers_set)
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(torch.nn.Module or None expected)")
            modules[name] = value
            return
        buffers = self.__dict__.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, torch.Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                "(torch.Tensor or None expected)")
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    @staticmethod
    def _forget(name: str, *tables: Any) -> None:
        for table in tables:
            if name in table:
                if isinstance(table, set):
                    table.discard(name)
                else:
                    del table[name]

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            entries = d.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> List[str]:
        keys = list(super().__dir__()) + list(self._parameters) + list(self._modules) \
            + list(self._buffers)
        return sorted(k for k in set(keys) if not k[0].isdigit())

    # --- traversal --------------------------------------------------------------
    def named_modules(self, memo: Optional[Set["Module"]] = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[Tuple[str, "Module"]]:
        """This module and every descendant, with dotted names ("" for self).

        >>> import funcgrad.torch as torch
        >>> net = torch.nn.Sequential(torch.nn.Sequential(torch.nn.ReLU()))
        >>> [name for name, _ in net.named_modules()]
        ['', '0', '0.0']
        """
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator["Module"]:
        """This module and every descendant (each once).

        >>> import funcgrad.torch as torch
        >>> [type(m).__name__ for m in torch.nn.Sequential(torch.nn.Linear(1, 1)).modules()]
        ['Sequential', 'Linear']
        """
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[Tuple[str, "Module"]]:
        """The direct children with their names (each once).

        >>> import funcgrad.torch as torch
        >>> [n for n, _ in torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Tanh()).named_children()]
        ['0', '1']
        """
        seen: Set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator["Module"]:
        """The direct children (each once).

        >>> import funcgrad.torch as torch
        >>> len(list(torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Tanh()).children()))
        2
        """
        for _, module in self.named_children():
            yield module

    def _named_members(self, table: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True) -> Iterator[Tuple[str, Any]]:
        seen: Set[int] = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, table).items():
                if value is None:
                    continue
                if remove_duplicate:
                    if id(value) in seen:
                        continue
                    seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[Tuple[str, Parameter]]:
        """``(dotted_name, parameter)`` pairs in registration order, each
        parameter once (shared ones under their first name).

        >>> import funcgrad.torch as torch
        >>> [n for n, _ in torch.nn.Sequential(torch.nn.Linear(2, 2)).named_parameters()]
        ['0.weight', '0.bias']
        """
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """The parameters, in registration order (what optimizers take).

        >>> import funcgrad.torch as torch
        >>> [tuple(p.shape) for p in torch.nn.Linear(3, 2).parameters()]
        [(2, 3), (2,)]
        """
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[Tuple[str, Any]]:
        """``(dotted_name, buffer)`` pairs.

        >>> import funcgrad.torch as torch
        >>> loss = torch.nn.CrossEntropyLoss(weight=torch.ones(3))
        >>> [name for name, _ in loss.named_buffers()]
        ['weight']
        """
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Any]:
        """The buffers (non-parameter state tensors).

        >>> import funcgrad.torch as torch
        >>> list(torch.nn.BCEWithLogitsLoss(pos_weight=torch.ones(1)).buffers())
        [tensor([1.])]
        """
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def apply(self: T, fn: Callable[["Module"], None]) -> T:
        """Call ``fn`` on every child (recursively), then on ``self``; returns self.

        >>> import funcgrad.torch as torch
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2))
        >>> _ = net.apply(lambda m: torch.nn.init.zeros_(m.bias) if hasattr(m, "bias") else None)
        >>> net[0].bias
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
        """
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # --- modes and gradients ---------------------------------------------------------
    def train(self: T, mode: bool = True) -> T:
        """Set training mode (``Dropout`` active) on this module and its
        descendants; returns ``self``.

        >>> import funcgrad.torch as torch
        >>> torch.nn.Dropout().eval().training
        False
        """
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self: T) -> T:
        """Set evaluation mode: ``train(False)``; returns ``self``.

        >>> import funcgrad.torch as torch
        >>> torch.nn.Sequential(torch.nn.Dropout()).eval()[0].training
        False
        """
        return self.train(False)

    def requires_grad_(self: T, requires_grad: bool = True) -> T:
        """Set ``requires_grad`` on every parameter (e.g. to freeze a part of a
        model); returns ``self``.

        >>> import funcgrad.torch as torch
        >>> frozen = torch.nn.Linear(2, 2).requires_grad_(False)
        >>> [p.requires_grad for p in frozen.parameters()]
        [False, False]
        """
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to ``None`` (default) or to zeros.

        >>> import funcgrad.torch as torch
        >>> m = torch.nn.Linear(2, 1); m(torch.ones(1, 2)).sum().backward()
        >>> m.zero_grad(); print(m.weight.grad)
        None
        """
        from .utils import zero_grads_
        zero_grads_(self.parameters(), set_to_none)

    # --- saving ---------------------------------------------------------------------
    def state_dict(self, *args: Any, destination: Optional[Dict[str, Any]] = None,
                   prefix: str = "", keep_vars: bool = False) -> Dict[str, Any]:
        """An ``OrderedDict`` of parameters and persistent buffers by dotted
        name, detached from the graph (``keep_vars=True`` keeps them as is).

        >>> import funcgrad.torch as torch
        >>> list(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU()).state_dict())
        ['0.weight', '0.bias']
        """
        if args:  # the positional form of old PyTorch: (destination, prefix, keep_vars)
            names = ("destination", "prefix", "keep_vars")
            given = dict(zip(names, args))
            destination = given.get("destination", destination)
            prefix = given.get("prefix", prefix)
            keep_vars = given.get("keep_vars", keep_vars)
        if destination is None:
            destination = OrderedDict()
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy parameters and buffers from ``state_dict`` into this module.

        With ``strict=True`` the keys must match exactly; in any case shapes
        must agree. Errors are collected and raised together as a
        ``RuntimeError`` starting ``Error(s) in loading state_dict for ...``.
        Returns ``(missing_keys, unexpected_keys)``.

        >>> import funcgrad.torch as torch
        >>> a, b = torch.nn.Linear(2, 1), torch.nn.Linear(2, 1)
        >>> b.load_state_dict(a.state_dict())
        <All keys matched successfully>
        >>> bool((a.weight == b.weight).all())
        True
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing: List[str] = []
        unexpected: List[str] = []
        errors: List[str] = []
        own: Dict[str, Tuple[Module, str, str]] = {}
        for module_prefix, module in self.named_modules(remove_duplicate=False):
            pre = module_prefix + "." if module_prefix else ""
            for name, p in module._parameters.items():
                if p is not None:
                    own[pre + name] = (module, "_parameters", name)
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent_buffers_set:
                    own[pre + name] = (module, "_buffers", name)
        for key, (module, table, name) in own.items():
            if key not in state_dict:
                missing.append(key)
                continue
            value = state_dict[key]
            current = getattr(module, table)[name]
            if not isinstance(value, torch.Tensor):
                errors.append(f'While copying the parameter named "{key}", expected torch.Tensor '
                              f"or Tensor-like object from checkpoint but received {type(value)}")
                continue
            if tuple(value.shape) != tuple(current.shape):
                errors.append(f"size mismatch for {key}: copying a param with shape "
                              f"{value.shape} from checkpoint, the shape in current model is "
                              f"{current.shape}.")
                continue
            with torch.no_grad():
                if assign:
                    if table == "_parameters":
                        new = Parameter(value.detach(), requires_grad=current.requires_grad)
                    else:
                        new = value
                    getattr(module, table)[name] = new
                else:
                    current.copy_(value)
        for key in state_dict:
            if key not in own:
                unexpected.append(key)
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(errors)))
        return _IncompatibleKeys(missing, unexpected)

    # --- dtype ------------------------------------------------------------------------
    def _cast(self: T, dtype: Any) -> T:
        with torch.no_grad():
            for module in self.modules():
                for name, p in module._parameters.items():
                    if p is not None and p.is_floating_point():
                        new = Parameter(p.detach().to(dtype), requires_grad=p.requires_grad)
                        module._parameters[name] = new
                for name, b in module._buffers.items():
                    if b is not None and b.is_floating_point():
                        module._buffers[name] = b.to(dtype)
        return self

    def float(self: T) -> T:
        """Cast floating parameters and buffers to float32; returns ``self``.

        >>> import funcgrad.torch as torch
        >>> torch.nn.Linear(1, 1, dtype=torch.float64).float().weight.dtype
        torch.float32
        """
        return self._cast(torch.float32)

    def double(self: T) -> T:
        """Cast floating parameters and buffers to float64; returns ``self``.

        >>> import funcgrad.torch as torch
        >>> torch.nn.Linear(1, 1).double().weight.dtype
        torch.float64
        """
        return self._cast(torch.float64)

    def to(self: T, *args: Any, **kwargs: Any) -> T:
        """``to(dtype)`` casts floating parameters and buffers; devices other
        than ``"cpu"`` are refused (funcgrad runs on the CPU).

        >>> import funcgrad.torch as torch
        >>> torch.nn.Linear(1, 1).to("cpu", torch.float64).bias.dtype
        torch.float64
        """
        from .._device import check_device, is_device_like
        dtype = kwargs.pop("dtype", None)
        check_device(kwargs.pop("device", None))
        for a in args:
            if isinstance(a, torch.Tensor):
                dtype = a.dtype
            elif is_device_like(a):
                check_device(a)
            elif dtype is None and a is not None and not isinstance(a, bool):
                dtype = a
        if dtype is not None and not torch._as_dtype(dtype).is_floating_point \
                and not torch._as_dtype(dtype).is_complex:
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, "
                            f"but got desired dtype={dtype}")
        return self._cast(dtype) if dtype is not None else self

    def cpu(self: T) -> T:
        """No-op (funcgrad runs on the CPU); returns ``self``.

        >>> import funcgrad.torch as torch
        >>> m = torch.nn.ReLU(); m.cpu() is m
        True
        """
        return self

    def cuda(self: T, device: Any = None) -> T:
        """Refused as in a CPU-only PyTorch build
        (``AssertionError: Torch not compiled with CUDA enabled``)."""
        from .._device import check_device
        check_device("cuda")
        return self

    # --- display ----------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The module-specific part of ``repr`` (override in subclasses).

        >>> import funcgrad.torch as torch
        >>> torch.nn.Linear(2, 3).extra_repr()
        'in_features=2, out_features=3, bias=True'
        """
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2)
                       for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


class _RemovableHandle:
    """Returned by the hook registrations; ``remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, table: "OrderedDict[int, Any]", hook: Callable[..., Any]) -> None:
        self._table = table
        self.id = _RemovableHandle._next_id
        _RemovableHandle._next_id += 1
        table[self.id] = hook

    def remove(self) -> None:
        self._table.pop(self.id, None)

    def __enter__(self) -> "_RemovableHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()
