"""Datasets (PyTorch's ``torch.utils.data.dataset``).

A map-style :class:`Dataset` answers ``dataset[i]`` (and usually
``len(dataset)``); an :class:`IterableDataset` is iterated. ``+`` concatenates
datasets (:class:`ConcatDataset`, :class:`ChainDataset`).

>>> import funcgrad.torch as torch
>>> from funcgrad.torch.utils.data import TensorDataset, Subset, random_split
>>> ds = TensorDataset(torch.arange(10.0), torch.arange(10))
>>> ds[3]
(tensor(3.), tensor(3))
>>> train, test = random_split(ds, [0.8, 0.2], generator=torch.Generator().manual_seed(0))
>>> len(train), len(test)
(8, 2)
"""
from __future__ import annotations

import bisect
import math
import warnings
from typing import Any, Generic, Iterable, Iterator, List, Optional, Sequence, TypeVar, Union

from ._arrays import select

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split"]

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """A map-style dataset: subclasses define ``__getitem__`` (and ``__len__``).

    >>> class Squares(Dataset):
    ...     def __len__(self): return 4
    ...     def __getitem__(self, i): return i * i
    >>> (Squares() + Squares())[5]
    1
    """

    def __getitem__(self, index: Any) -> T_co:
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")

    def __add__(self, other: "Dataset[T_co]") -> "ConcatDataset[T_co]":
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """A dataset that is a stream: subclasses define ``__iter__``.

    With ``num_workers > 0`` each worker iterates its own copy; use
    :func:`get_worker_info` in ``__iter__`` to give each worker its share.

    >>> class Count(IterableDataset):
    ...     def __iter__(self): return iter(range(3))
    >>> list(Count() + Count())
    [0, 1, 2, 0, 1, 2]
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError("Subclasses of IterableDataset should implement __iter__.")

    def __add__(self, other: Dataset[T_co]) -> "ChainDataset":  # type: ignore[override]
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples are ``(t[i] for t in tensors)``: tensors sharing their first dimension.

    >>> import funcgrad.torch as torch
    >>> ds = TensorDataset(torch.zeros(4, 2), torch.tensor([0, 1, 0, 1]))
    >>> len(ds), ds[1][1]
    (4, tensor(1))
    >>> TensorDataset(torch.zeros(4), torch.zeros(3))
    Traceback (most recent call last):
        ...
    AssertionError: Size mismatch between tensors
    """

    def __init__(self, *tensors: Any) -> None:
        assert all(tensors[0].size(0) == t.size(0) for t in tensors), \
            "Size mismatch between tensors"
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple:
        return tuple(select(t, index) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].size(0)


class StackDataset(Dataset):
    """Samples are tuples (positional datasets) or dicts (keyword datasets)
    of the samples of equal-length datasets.

    >>> StackDataset([1, 2], [3, 4])[1], StackDataset(x=[1, 2], y=[3, 4])[0]
    ((2, 4), {'x': 1, 'y': 3})
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args:
            if kwargs:
                raise ValueError("Supported either ``tuple``- (via ``args``) or"
                                 "``dict``- (via ``kwargs``) like input/output, but both types "
                                 "are given.")
            self._length = len(args[0])
            if any(self._length != len(d) for d in args):
                raise ValueError("Size mismatch between datasets")
            self.datasets: Any = args
        elif kwargs:
            tmp = list(kwargs.values())
            self._length = len(tmp[0])
            if any(self._length != len(d) for d in tmp):
                raise ValueError("Size mismatch between datasets")
            self.datasets = kwargs
        else:
            raise ValueError("At least one dataset should be passed")

    def __getitem__(self, index: Any) -> Any:
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self) -> int:
        return self._length


class ConcatDataset(Dataset[T_co]):
    """Map-style datasets one after another; ``cumulative_sizes`` are their ends.

    >>> ds = ConcatDataset([[0, 1, 2], [10, 11]])
    >>> len(ds), ds[3], ds[-1], ds.cumulative_sizes
    (5, 10, 11, [3, 5])
    """

    datasets: List[Dataset[T_co]]
    cumulative_sizes: List[int]

    @staticmethod
    def cumsum(sequence: Sequence[Any]) -> List[int]:
        r, s = [], 0
        for e in sequence:
            s += len(e)
            r.append(s)
        return r

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        assert len(self.datasets) > 0, "datasets should not be an empty iterable"
        for d in self.datasets:
            assert not isinstance(d, IterableDataset), \
                "ConcatDataset does not support IterableDataset"
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> T_co:
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        dataset_idx = bisect.bisect_right(self.cumulative_sizes, idx)
        sample_idx = idx if dataset_idx == 0 else idx - self.cumulative_sizes[dataset_idx - 1]
        return self.datasets[dataset_idx][sample_idx]


class ChainDataset(IterableDataset):
    """Iterable datasets one after another.

    >>> list(ChainDataset([range(2), range(3)]))
    [0, 1, 0, 1, 2]
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        super().__init__()
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            total += len(d)  # type: ignore[arg-type]
        return total


class Subset(Dataset[T_co]):
    """The samples of ``dataset`` at ``indices``, in that order.

    >>> s = Subset([10, 11, 12, 13], [3, 0])
    >>> len(s), s[0], s.__getitems__([0, 1])
    (2, 13, [13, 10])
    """

    def __init__(self, dataset: Dataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]  # type: ignore[index]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: List[int]) -> List[T_co]:
        # the batched fetch of the DataLoader: the dataset's own when it has one
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])  # type: ignore
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Dataset[T_co], lengths: Sequence[Union[int, float]],
                 generator: Optional[Any] = None) -> List[Subset[T_co]]:
    """Split ``dataset`` into non-overlapping random subsets of ``lengths``.

    ``lengths`` are sizes summing to ``len(dataset)``, or fractions summing to
    1: each subset gets ``floor(frac * n)`` samples and the remainder is
    given out one by one, round-robin from the first subset (as PyTorch).

    >>> import funcgrad.torch as torch
    >>> parts = random_split(range(10), [0.5, 0.3, 0.2], generator=torch.Generator().manual_seed(1))
    >>> [len(p) for p in parts], sorted(i for p in parts for i in p)
    ([5, 3, 2], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    >>> random_split(range(10), [3, 3])
    Traceback (most recent call last):
        ...
    ValueError: Sum of input lengths does not equal the length of the input dataset!
    """
    import funcgrad.torch as torch
    n = len(dataset)  # type: ignore[arg-type]
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        subset_lengths: List[int] = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            subset_lengths.append(int(math.floor(n * frac)))
        remainder = n - sum(subset_lengths)
        for i in range(remainder):
            subset_lengths[i % len(subset_lengths)] += 1
        lengths = subset_lengths
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(f"Length of split at index {i} is 0. "
                              f"This might result in an empty dataset.", stacklevel=2)
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    indices = torch.randperm(sum(lengths), generator=generator).tolist()  # type: ignore
    out, offset = [], 0
    for length in lengths:
        out.append(Subset(dataset, indices[offset:offset + int(length)]))
        offset += int(length)
    return out
