"""Samplers: the order in which a :class:`DataLoader` visits a map-style dataset.

A sampler is an iterable of indices (or, for a batch sampler, of lists of
indices). Random samplers draw from a :class:`funcgrad.torch.Generator`
(``generator=``), or, without one, from a fresh generator seeded from the
default one at each pass, so ``torch.manual_seed`` makes them reproducible.
The streams differ from PyTorch's (another generator); the semantics do not.

>>> import funcgrad.torch as torch
>>> from funcgrad.torch.utils.data import BatchSampler, SequentialSampler
>>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
[[0, 1], [2, 3], [4]]
"""
from __future__ import annotations

from itertools import islice
from typing import Any, Generic, Iterable, Iterator, List, Optional, Sequence, Sized, TypeVar

import numpy as np

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]

T_co = TypeVar("T_co", covariant=True)


def _check_positive_int(name: str, value: Any) -> None:
    """PyTorch's check of ``num_samples`` / ``batch_size`` arguments."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value}")


def _check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"{name} should be a boolean value, but got {name}={value}")


def _numpy_rng(generator: Optional[Any]) -> np.random.Generator:
    """The NumPy generator behind ``generator``; without one, a new generator
    seeded from the default generator (PyTorch draws a seed the same way)."""
    if generator is not None:
        return generator._rng
    from ..._creation import default_generator
    seed = int(default_generator._rng.integers(0, 2 ** 63, dtype=np.int64))
    return np.random.Generator(np.random.PCG64(seed))


class Sampler(Generic[T_co]):
    """Base class: subclasses define ``__iter__`` (and usually ``__len__``)."""

    def __init__(self, data_source: Optional[Sized] = None) -> None:
        pass

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError


class SequentialSampler(Sampler[int]):
    """``0, 1, ..., len(data_source) - 1``.

    >>> list(SequentialSampler("abc"))
    [0, 1, 2]
    """

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """A random permutation of the indices (``replacement=False``), repeated
    for ``num_samples`` beyond the length; or ``num_samples`` indices drawn
    uniformly with replacement.

    >>> import funcgrad.torch as torch
    >>> g = torch.Generator().manual_seed(0)
    >>> sorted(RandomSampler(range(4), generator=g))
    [0, 1, 2, 3]
    >>> len(list(RandomSampler(range(4), num_samples=10)))
    10
    >>> RandomSampler(range(4), num_samples=0)
    Traceback (most recent call last):
        ...
    ValueError: num_samples should be a positive integer value, but got num_samples=0
    """

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: Optional[int] = None, generator: Optional[Any] = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        _check_bool("replacement", replacement)
        _check_positive_int("num_samples", self.num_samples)

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n = len(self.data_source)
        rng = _numpy_rng(self.generator)
        if self.replacement:
            yield from rng.integers(0, n, self.num_samples).tolist()
            return
        for _ in range(self.num_samples // n):
            yield from rng.permutation(n).tolist()
        yield from rng.permutation(n)[:self.num_samples % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given ``indices`` in a random order.

    >>> sorted(SubsetRandomSampler([5, 7, 9]))
    [5, 7, 9]
    """

    def __init__(self, indices: Sequence[int], generator: Optional[Any] = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for i in _numpy_rng(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices drawn with probabilities proportional to
    ``weights`` (with replacement by default).

    >>> import funcgrad.torch as torch
    >>> list(WeightedRandomSampler([0.0, 1.0, 0.0], 3))
    [1, 1, 1]
    >>> WeightedRandomSampler([[1.0]], 1)
    Traceback (most recent call last):
        ...
    ValueError: weights should be a 1d sequence but given weights have shape (1, 1)
    """

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Optional[Any] = None) -> None:
        _check_positive_int("num_samples", num_samples)
        _check_bool("replacement", replacement)
        import funcgrad.torch as torch
        w = np.asarray(weights.detach().numpy() if isinstance(weights, torch.Tensor)
                       else weights, dtype=np.float64)
        if w.ndim != 1:
            raise ValueError("weights should be a 1d sequence but given weights have "
                             f"shape {tuple(w.shape)}")
        self.weights = torch.from_numpy(w)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        w = self.weights.numpy()
        # torch.multinomial's errors, raised when sampling as in PyTorch
        if (w < 0).any() or not np.isfinite(w).all():
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if w.sum() <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not self.replacement and self.num_samples > np.count_nonzero(w):
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples "
                               "without replacement")
        rng = _numpy_rng(self.generator)
        yield from rng.choice(len(w), self.num_samples, replace=self.replacement,
                              p=w / w.sum()).tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[List[int]]):
    """Group the indices of ``sampler`` into lists of ``batch_size``; the
    last, shorter one is dropped when ``drop_last``.

    >>> list(BatchSampler(range(5), 2, drop_last=True)), len(BatchSampler(range(5), 2, False))
    ([[0, 1], [2, 3]], 3)
    >>> BatchSampler(range(5), 0, False)
    Traceback (most recent call last):
        ...
    ValueError: batch_size should be a positive integer value, but got batch_size=0
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        _check_positive_int("batch_size", batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[List[int]]:
        it = iter(self.sampler)
        size = self.batch_size
        while True:
            batch = list(islice(it, size))
            if len(batch) < size and (self.drop_last or not batch):
                return
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        if self.drop_last:
            return n // self.batch_size
        return (n + self.batch_size - 1) // self.batch_size
