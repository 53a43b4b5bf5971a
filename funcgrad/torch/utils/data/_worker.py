"""What runs in a DataLoader worker process, and how its results travel.

A worker seeds its generators (``torch``'s default generator and Python's
``random`` with ``base_seed + worker_id``, NumPy's global one from both, as
PyTorch does), sets :func:`get_worker_info`, calls ``worker_init_fn`` and
then answers ``(task, indices)`` requests from its index queue with
``(task, batch)`` on the shared result queue, until it receives ``None``.
An exception is sent back wrapped (:class:`ExceptionWrapper`) and raised
again in the main process; the end of an iterable dataset is sent as
:class:`IterableDatasetStopIteration`.
"""
from __future__ import annotations

import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

__all__ = ["WorkerInfo", "get_worker_info", "ExceptionWrapper", "worker_loop",
           "MapFetcher", "IterableFetcher", "make_fetcher", "ResumeIteration",
           "IterableDatasetStopIteration", "STATUS_CHECK_INTERVAL"]

STATUS_CHECK_INTERVAL = 5.0  # seconds between the main process's checks of its workers
POLL_INTERVAL = 0.5  # seconds between a worker's checks of the main process


class WorkerInfo:
    """Inside a worker: ``id``, ``num_workers``, ``seed`` and the worker's
    copy of ``dataset``. Read-only.

    >>> info = WorkerInfo(id=0, num_workers=2, seed=7, dataset=None)
    >>> info
    WorkerInfo(id=0, num_workers=2, seed=7, dataset=None)
    >>> info.id = 1
    Traceback (most recent call last):
        ...
    RuntimeError: Cannot assign attributes to WorkerInfo objects
    """

    id: int
    num_workers: int
    seed: int
    dataset: Any

    def __init__(self, **kwargs: Any) -> None:
        for k, v in kwargs.items():
            object.__setattr__(self, k, v)
        object.__setattr__(self, "_keys", tuple(kwargs))

    def __setattr__(self, key: str, val: Any) -> None:
        raise RuntimeError(f"Cannot assign attributes to {type(self).__name__} objects")

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={getattr(self, k)}" for k in self._keys)  # type: ignore
        return f"{type(self).__name__}({items})"


_worker_info: Optional[WorkerInfo] = None


def get_worker_info() -> Optional[WorkerInfo]:
    """The :class:`WorkerInfo` of the current worker process; ``None`` in
    the main process.

    >>> print(get_worker_info())
    None
    """
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process and raised
    there with PyTorch's message (``Caught ValueError in DataLoader worker
    process 0.`` followed by the worker's traceback).

    >>> try:
    ...     raise ValueError("bad sample")
    ... except ValueError:
    ...     w = ExceptionWrapper(where="in DataLoader worker process 0")
    >>> w.reraise()
    Traceback (most recent call last):
        ...
    ValueError: Caught ValueError in DataLoader worker process 0.
    Original Traceback (most recent call last):
    ...
    ValueError: bad sample
    <BLANKLINE>
    """

    def __init__(self, exc_info: Any = None, where: str = "in background") -> None:
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self) -> None:
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:  # KeyError would show the message quoted
            msg = _KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except TypeError:  # an exception whose constructor takes other arguments
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            del exception  # no cycle through this frame (the loader's iterator in it)


class _KeyErrorMessage(str):
    def __repr__(self) -> str:
        return self


@dataclass(frozen=True)
class IterableDatasetStopIteration:
    """Sent by a worker whose copy of an iterable dataset is exhausted."""
    worker_id: int


@dataclass(frozen=True)
class ResumeIteration:
    """Sent to persistent workers at the start of each new epoch."""
    seed: Optional[int] = None


class MapFetcher:
    """Fetch a batch (or, without batching, one sample) of a map-style dataset."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable,
                 drop_last: bool) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        getitems = getattr(dataset, "__getitems__", None)
        self.getitems = getitems if callable(getitems) else None

    def fetch(self, index: Any) -> Any:
        if self.auto_collation:
            if self.getitems is not None:
                data = self.getitems(index)
            else:
                data = [self.dataset[i] for i in index]
        else:
            data = self.dataset[index]
        return self.collate_fn(data)


class IterableFetcher:
    """Take the next ``len(index)`` samples (or one) from an iterable dataset."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable,
                 drop_last: bool) -> None:
        self.iterator = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index: Any) -> Any:
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in index:
                try:
                    data.append(next(self.iterator))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(index)):
                raise StopIteration
        else:
            data = next(self.iterator)
        return self.collate_fn(data)


def make_fetcher(iterable: bool, dataset: Any, auto_collation: bool, collate_fn: Callable,
                 drop_last: bool) -> Any:
    cls = IterableFetcher if iterable else MapFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


def numpy_seed(base_seed: int, worker_id: int) -> np.random.SeedSequence:
    """The seed of NumPy's global generator in a worker (from both numbers)."""
    return np.random.SeedSequence([worker_id, base_seed % 2 ** 64])


def _seed_everything(seed: int, base_seed: int, worker_id: int) -> None:
    import funcgrad.torch as torch
    random.seed(seed)
    torch.manual_seed(seed)
    state = numpy_seed(base_seed, worker_id).generate_state(1)[0]
    np.random.seed(int(state))


def worker_loop(iterable: bool, dataset: Any, index_queue: Any, data_queue: Any,
                done_event: Any, auto_collation: bool, collate_fn: Callable, drop_last: bool,
                base_seed: int, init_fn: Optional[Callable[[int], None]], worker_id: int,
                num_workers: int, parent_pid: int) -> None:
    """The body of a worker process (see the module docstring)."""
    global _worker_info
    try:
        seed = base_seed + worker_id
        _seed_everything(seed, base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        iteration_end = False
        while True:
            try:
                r = index_queue.get(timeout=POLL_INTERVAL)
            except queue.Empty:
                # the main process is gone, or shut down without reaching this queue
                # (its queues finalised first, when collected as part of a cycle)
                if os.getppid() != parent_pid or done_event.is_set():
                    break
                continue
            if isinstance(r, ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                if iterable and init_exception is None:
                    fetcher = make_fetcher(iterable, dataset, auto_collation, collate_fn,
                                           drop_last)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            data: Any
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)  # type: ignore[union-attr]
                except Exception as e:
                    if isinstance(e, StopIteration) and iterable:
                        data = IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(
                            where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass  # the main process handles it
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
