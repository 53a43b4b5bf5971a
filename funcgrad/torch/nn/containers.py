"""Containers ``ModuleDict``, ``ParameterList``, ``ParameterDict`` and the
``Unflatten`` layer (PyTorch 2.x semantics, names and reprs).

>>> import funcgrad.torch as torch
>>> from funcgrad.torch import nn
>>> heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "reg": nn.Linear(4, 1)})
>>> [name for name, _ in heads.named_parameters()]
['cls.weight', 'cls.bias', 'reg.weight', 'reg.bias']
"""
from __future__ import annotations

import operator
from collections import OrderedDict
from typing import Any, Iterable, Iterator, Mapping, Optional, Tuple, Union

import funcgrad.torch as torch
from funcgrad.torch._dims import wrap_dim

from .module import Module
from .parameter import Parameter

__all__ = ["ModuleDict", "ParameterList", "ParameterDict", "Unflatten"]

Tensor = Any


class ModuleDict(Module):
    """An ordered dict of modules, registered under their keys.

    >>> import funcgrad.torch as torch
    >>> d = torch.nn.ModuleDict({"act": torch.nn.ReLU()})
    >>> d["out"] = torch.nn.Tanh()
    >>> list(d.keys()), len(d), "act" in d
    (['act', 'out'], 2, True)
    """

    def __init__(self, modules: Optional[Any] = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def clear(self) -> None:
        """Remove every module.

        >>> import funcgrad.torch as torch
        >>> d = torch.nn.ModuleDict({"a": torch.nn.ReLU()}); d.clear(); len(d)
        0
        """
        self._modules.clear()

    def pop(self, key: str) -> Module:
        """Remove ``key`` and return its module.

        >>> import funcgrad.torch as torch
        >>> torch.nn.ModuleDict({"a": torch.nn.ReLU()}).pop("a")
        ReLU()
        """
        v = self[key]
        del self[key]
        return v

    def keys(self):
        """The keys, in insertion order."""
        return self._modules.keys()

    def items(self):
        """``(key, module)`` pairs, in insertion order."""
        return self._modules.items()

    def values(self):
        """The modules, in insertion order."""
        return self._modules.values()

    def update(self, modules: Any) -> None:
        """Add the modules of a mapping or of an iterable of ``(key, module)`` pairs.

        >>> import funcgrad.torch as torch
        >>> d = torch.nn.ModuleDict(); d.update([("a", torch.nn.ReLU())]); list(d)
        ['a']
        """
        if isinstance(modules, Mapping):
            items = modules.items()
        else:
            items = []
            for j, m in enumerate(modules):
                if not isinstance(m, (tuple, list)) or len(m) != 2:
                    raise ValueError(f"ModuleDict update sequence element #{j} has length "
                                     f"{len(m) if hasattr(m, '__len__') else '?'}; 2 is "
                                     "required")
                items.append(m)
        for key, module in items:
            self[key] = module


def _param_line(key: Any, p: Any, typename: str) -> str:
    if isinstance(p, torch.Tensor):
        size = "x".join(str(s) for s in p.shape)
        kind = "Parameter" if isinstance(p, Parameter) else "Tensor"
        return f"  ({key}): {kind} containing: [{typename} of size {size}]"
    return f"  ({key}): Object of type: {type(p).__name__}"


def _as_parameter(value: Any) -> Any:
    if isinstance(value, torch.Tensor) and not isinstance(value, Parameter):
        return Parameter(value)
    return value


class ParameterList(Module):
    """A list of parameters (plain tensors are wrapped as ``Parameter``).

    >>> import funcgrad.torch as torch
    >>> params = torch.nn.ParameterList([torch.ones(2), torch.zeros(3)])
    >>> [name for name, _ in params.named_parameters()]
    ['0', '1']
    >>> params
    ParameterList(
        (0): Parameter containing: [torch.float32 of size 2]
        (1): Parameter containing: [torch.float32 of size 3]
    )
    """

    def __init__(self, values: Optional[Iterable[Any]] = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def _key(self, idx: int) -> str:
        idx = operator.index(idx)
        if not -self._size <= idx < self._size:
            raise IndexError(f"index {idx} is out of range")
        return str(idx % self._size)

    def __getitem__(self, idx: Union[int, slice]) -> Any:
        if isinstance(idx, slice):
            return type(self)([self[i] for i in range(self._size)[idx]])
        return getattr(self, self._key(idx))

    def __setitem__(self, idx: int, param: Any) -> None:
        setattr(self, self._key(idx), _as_parameter(param))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return iter(self[i] for i in range(self._size))

    def append(self, value: Any) -> "ParameterList":
        """Add ``value`` at the end; returns ``self``.

        >>> import funcgrad.torch as torch
        >>> len(torch.nn.ParameterList().append(torch.ones(1)))
        1
        """
        self._size += 1
        setattr(self, str(self._size - 1), _as_parameter(value))
        return self

    def extend(self, values: Iterable[Any]) -> "ParameterList":
        """Append every value; returns ``self``.

        >>> import funcgrad.torch as torch
        >>> len(torch.nn.ParameterList().extend([torch.ones(1), torch.ones(2)]))
        2
        """
        for v in values:
            self.append(v)
        return self

    def extra_repr(self) -> str:
        return "\n".join(_param_line(k, p, str(p.dtype) if isinstance(p, torch.Tensor) else "")
                         for k, p in enumerate(self))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """An ordered dict of parameters (plain tensors are wrapped as ``Parameter``).

    >>> import funcgrad.torch as torch
    >>> params = torch.nn.ParameterDict({"scale": torch.ones(2, 3)})
    >>> params
    ParameterDict(  (scale): Parameter containing: [torch.FloatTensor of size 2x3])
    """

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        self._keys: dict = {}
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._keys[key] = None
        setattr(self, key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def keys(self):
        """The keys, in insertion order."""
        return self._keys.keys()

    def items(self):
        """``(key, parameter)`` pairs, in insertion order."""
        return [(k, self[k]) for k in self._keys]

    def values(self):
        """The parameters, in insertion order."""
        return [self[k] for k in self._keys]

    def get(self, key: str, default: Any = None) -> Any:
        """The parameter at ``key``, or ``default``."""
        return self[key] if key in self else default

    def pop(self, key: str) -> Any:
        """Remove ``key`` and return its parameter."""
        v = self[key]
        del self[key]
        return v

    def update(self, parameters: Any) -> None:
        """Add the entries of a mapping or of ``(key, value)`` pairs.

        >>> import funcgrad.torch as torch
        >>> d = torch.nn.ParameterDict(); d.update({"a": torch.ones(1)}); list(d)
        ['a']
        """
        items = parameters.items() if isinstance(parameters, Mapping) else parameters
        for key, value in items:
            self[key] = value

    def extra_repr(self) -> str:
        from .._tensor import legacy_type_name
        return "\n".join(_param_line(k, p, legacy_type_name(p.dtype) if isinstance(
            p, torch.Tensor) else "") for k, p in self.items())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("ParameterDict should not be called.")


class Unflatten(Module):
    """Expand dimension ``dim`` into ``unflattened_size`` (the inverse of ``Flatten``).

    >>> import funcgrad.torch as torch
    >>> layer = torch.nn.Unflatten(1, (2, 3))
    >>> layer, layer(torch.zeros(4, 6)).shape
    (Unflatten(dim=1, unflattened_size=(2, 3)), torch.Size([4, 2, 3]))
    """

    def __init__(self, dim: int, unflattened_size: Tuple[int, ...]) -> None:
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)) and not hasattr(unflattened_size,
                                                                           "__iter__"):
            raise TypeError("unflattened_size must be tuple of ints, but found type "
                            f"{type(unflattened_size).__name__}")
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        dim = wrap_dim(wrap_dim(self.dim, input.dim()), input.dim(), scalar=False)
        shape = list(input.shape)
        return input.reshape(*(shape[:dim] + list(self.unflattened_size) + shape[dim + 1:]))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
