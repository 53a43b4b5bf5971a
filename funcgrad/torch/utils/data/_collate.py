"""``default_collate`` and ``default_convert`` (PyTorch's rules).

``default_collate`` turns a list of samples into a batch, by the type of
the first sample:

============================  =================================================
sample                        batch
============================  =================================================
tensor                        ``torch.stack(samples)`` (a new leading dimension)
NumPy array                   the stacked arrays as a tensor
NumPy scalar                  a 1-d tensor of the scalars
``float``                     a ``float64`` tensor
``int`` (``bool``)            an ``int64`` (``bool``) tensor
``str`` / ``bytes``           the list unchanged
mapping                       the same mapping type, each key collated
namedtuple                    the same namedtuple, each field collated
tuple / list / sequence       a **list** (tuple) or the same sequence type, per position
============================  =================================================

>>> import numpy as np, funcgrad.torch as torch
>>> default_collate([(np.zeros(2), 1, "a"), (np.ones(2), 2, "b")])
[tensor([[0., 0.],
        [1., 1.]], dtype=torch.float64), tensor([1, 2]), ['a', 'b']]
>>> default_collate([{"x": 1.5}, {"x": 2.5}])
{'x': tensor([1.5000, 2.5000], dtype=torch.float64)}
"""
from __future__ import annotations

import collections.abc
import copy
from typing import Any, List

import numpy as np

from ._arrays import stack

__all__ = ["default_collate", "default_convert"]

_ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
          "lists; found {}")


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _as_mapping(elem: Any, items: dict) -> Any:
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)  # keeps the mapping's type and attributes
            clone.update(items)
            return clone
        return type(elem)(items)
    except TypeError:
        return items  # the mapping type cannot be built from a dict


def default_collate(batch: List[Any]) -> Any:
    """Batch a list of samples (see the table in this module's docstring).

    >>> import funcgrad.torch as torch
    >>> default_collate([torch.tensor([1, 2]), torch.tensor([3, 4])])
    tensor([[1, 2],
            [3, 4]])
    >>> default_collate([object()])
    Traceback (most recent call last):
        ...
    TypeError: default_collate: batch must contain tensors, numpy arrays, numbers, dicts \
or lists; found <class 'object'>
    """
    import funcgrad.torch as torch
    elem = batch[0]
    if isinstance(elem, torch.Tensor):
        return stack(batch)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "OSUV":  # strings and objects cannot be tensors
            raise TypeError(_ERROR.format(elem.dtype))
        return default_collate([torch.as_tensor(b) for b in batch])
    if isinstance(elem, np.generic) and elem.shape == ():
        if elem.dtype.kind in "OSUV":
            raise TypeError(_ERROR.format(elem.dtype))
        return torch.as_tensor(np.array(batch))
    if isinstance(elem, float):
        return torch.tensor(batch, dtype=torch.float64)
    if isinstance(elem, int):  # (bool is an int: a bool tensor)
        return torch.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _as_mapping(elem, {key: default_collate([d[key] for d in batch]) for key in elem})
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(list(samples)) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        size = len(next(it))
        if not all(len(e) == size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [default_collate(list(samples)) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return transposed  # a list, as PyTorch (backwards compatibility)
        try:
            return type(elem)(transposed)  # type: ignore[call-arg]
        except TypeError:
            return transposed
    raise TypeError(_ERROR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Convert NumPy arrays (and scalars) inside ``data`` to tensors, keeping
    the structure (what the loader applies to each sample when
    ``batch_size=None`` turns batching off).

    >>> import numpy as np
    >>> default_convert((np.arange(2), "a"))
    [tensor([0, 1]), 'a']
    """
    import funcgrad.torch as torch
    if isinstance(data, torch.Tensor):
        return data
    if isinstance(data, np.ndarray):
        if data.dtype.kind in "OSUV":
            return data
        return torch.as_tensor(data)
    if isinstance(data, np.generic) and data.dtype.kind not in "OSUV":
        return torch.as_tensor(np.array(data))
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        return _as_mapping(data, {key: default_convert(data[key]) for key in data})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]  # a list, as PyTorch
    if isinstance(data, collections.abc.Sequence):
        try:
            return type(data)([default_convert(d) for d in data])  # type: ignore[call-arg]
        except TypeError:
            return [default_convert(d) for d in data]
    return data
