"""``torch.utils.data`` against PyTorch's documented semantics.

Random orders differ from PyTorch's (another generator); what is checked is
what PyTorch promises: permutations, sizes, determinism under a seeded
``generator``, collation types, worker seeding and error messages.
"""
from __future__ import annotations

import collections
import doctest
import importlib
import math

import numpy as np
import pytest

import funcgrad.torch as torch
from funcgrad.torch.utils.data import (BatchSampler, ChainDataset, ConcatDataset, DataLoader,
                                       Dataset, IterableDataset, RandomSampler,
                                       SequentialSampler, StackDataset, Subset,
                                       SubsetRandomSampler, TensorDataset,
                                       WeightedRandomSampler, default_collate,
                                       default_convert, get_worker_info, random_split)


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


# --- datasets -------------------------------------------------------------------------
def test_tensor_dataset_samples_are_rows_sharing_memory():
    X = torch.arange(12.0).reshape(4, 3)
    y = torch.tensor([0, 1, 0, 1])
    ds = TensorDataset(X, y)
    assert len(ds) == 4
    xi, yi = ds[2]
    assert xi.tolist() == [6.0, 7.0, 8.0] and yi.item() == 0 and yi.shape == torch.Size([])
    assert [t.tolist() for t in ds[-1]] == [[9.0, 10.0, 11.0], 1]
    assert ds[1:3][0].shape == torch.Size([2, 3])          # slices go through indexing
    X.add_(1.0)                                              # a view, as t[i] is
    assert xi.tolist() == [7.0, 8.0, 9.0]
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(torch.zeros(3), torch.zeros(4))
    with pytest.raises(IndexError):
        ds[4]


def test_tensor_dataset_of_grad_requiring_tensors_keeps_the_graph():
    w = torch.ones(3, 2, requires_grad=True)
    (row,) = TensorDataset(w)[1]
    batch = default_collate([row, row])
    batch.sum().backward()
    assert w.grad.tolist() == [[0, 0], [2, 2], [0, 0]]


def test_concat_subset_stack_and_chain():
    a, b = TensorDataset(torch.arange(3)), TensorDataset(torch.arange(10, 12))
    c = a + b
    assert isinstance(c, ConcatDataset) and len(c) == 5 and c.cumulative_sizes == [3, 5]
    assert [c[i][0].item() for i in range(-5, 5)] == [0, 1, 2, 10, 11] * 2
    with pytest.raises(ValueError, match="absolute value of index should not exceed"):
        c[-6]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ConcatDataset([])

    class It(IterableDataset):
        def __iter__(self):
            return iter(range(2))

    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([It()])
    assert list(It() + It()) == [0, 1, 0, 1] and isinstance(It() + It(), ChainDataset)
    s = Subset(c, [4, 0])
    assert len(s) == 2 and s[0][0].item() == 11 and [x[0].item() for x in
                                                     s.__getitems__([1, 0])] == [0, 11]
    assert StackDataset(x=[1, 2], y=[3, 4])[1] == {"x": 2, "y": 4}
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset([1], [1, 2])
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement"):
        Dataset()[0]


def test_random_split_lengths_fractions_and_generator():
    parts = random_split(range(10), [3, 7], generator=_gen(1))
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(i for p in parts for i in p) == list(range(10))
    again = random_split(range(10), [3, 7], generator=_gen(1))
    assert [list(p) for p in parts] == [list(p) for p in again]
    # fractions: floor, then the remainder round-robin from the first (PyTorch's rule)
    assert [len(p) for p in random_split(range(11), [0.5, 0.3, 0.2])] == [6, 3, 2]
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(2), [0.9, 0.1])
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        random_split(range(10), [1.5, -0.5])
    torch.manual_seed(3)
    first = [list(p) for p in random_split(range(8), [4, 4])]
    torch.manual_seed(3)
    assert first == [list(p) for p in random_split(range(8), [4, 4])]


# --- samplers -------------------------------------------------------------------------
def test_samplers():
    assert list(SequentialSampler(range(3))) == [0, 1, 2]
    r = RandomSampler(range(6), generator=_gen(0))
    assert sorted(r) == list(range(6)) and len(r) == 6
    r = RandomSampler(range(4), num_samples=10, generator=_gen(0))
    got = list(r)
    assert len(got) == 10 and sorted(got[:4]) == sorted(got[4:8]) == [0, 1, 2, 3]
    assert set(got[8:]) <= {0, 1, 2, 3} and len(set(got[8:])) == 2
    rr = list(RandomSampler(range(3), replacement=True, num_samples=50, generator=_gen(0)))
    assert len(rr) == 50 and set(rr) == {0, 1, 2}
    assert list(RandomSampler(range(5), generator=_gen(4))) == \
        list(RandomSampler(range(5), generator=_gen(4)))
    torch.manual_seed(5)
    a = list(RandomSampler(range(20)))
    torch.manual_seed(5)
    assert a == list(RandomSampler(range(20)))
    with pytest.raises(TypeError, match="replacement should be a boolean value, but got "
                                        "replacement=1"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, "
                                         "but got num_samples=-1"):
        RandomSampler(range(3), num_samples=-1)
    assert sorted(SubsetRandomSampler([4, 8, 9], generator=_gen(0))) == [4, 8, 9]


def test_weighted_random_sampler():
    w = WeightedRandomSampler([0.1, 0.0, 0.9], 2000, generator=_gen(0))
    got = np.bincount(list(w), minlength=3)
    assert len(w) == 2000 and got[1] == 0 and 0.85 < got[2] / 2000 < 0.95
    no_rep = list(WeightedRandomSampler(torch.tensor([1.0, 1.0, 1.0]), 3, replacement=False))
    assert sorted(no_rep) == [0, 1, 2]
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist"):
        list(WeightedRandomSampler([1.0, 0.0], 2, replacement=False))
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[1.0]], 1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        WeightedRandomSampler([1.0], True)


def test_batch_sampler():
    assert list(BatchSampler(range(7), 3, False)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(BatchSampler(range(7), 3, True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(BatchSampler(range(7), 3, False)) == 3 and len(BatchSampler(range(7), 3, True)) == 2
    assert list(BatchSampler(range(6), 3, False)) == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but "
                                         "got batch_size=True"):
        BatchSampler(range(3), True, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got "
                                         "drop_last=1"):
        BatchSampler(range(3), 2, 1)


# --- collation ------------------------------------------------------------------------
Point = collections.namedtuple("Point", "x y")


def test_default_collate_types():
    t = default_collate([torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])])
    assert t.shape == torch.Size([2, 2]) and t.dtype == torch.float32
    a = default_collate([np.zeros((2, 2), np.float32), np.ones((2, 2), np.float32)])
    assert isinstance(a, torch.Tensor) and a.shape == torch.Size([2, 2, 2]) and \
        a.dtype == torch.float32
    s = default_collate([np.float32(1.5), np.float32(2.5)])
    assert s.dtype == torch.float32 and s.tolist() == [1.5, 2.5]
    f = default_collate([1.5, 2.5])
    assert f.dtype == torch.float64  # always float64, whatever the default dtype
    i = default_collate([1, 2])
    assert i.dtype == torch.int64 and default_collate([True, False]).dtype == torch.bool
    assert default_collate(["a", "b"]) == ["a", "b"]
    d = default_collate([{"x": 1, "y": "u"}, {"x": 2, "y": "v"}])
    assert d["x"].tolist() == [1, 2] and d["y"] == ["u", "v"]
    od = default_collate([collections.OrderedDict(a=1), collections.OrderedDict(a=2)])
    assert isinstance(od, collections.OrderedDict)
    p = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(p, Point) and p.x.tolist() == [1, 3] and p.y.dtype == torch.float64
    tup = default_collate([(1, 2), (3, 4)])
    assert isinstance(tup, list) and [x.tolist() for x in tup] == [[1, 3], [2, 4]]
    lst = default_collate([[1, 2], [3, 4]])
    assert isinstance(lst, list) and [x.tolist() for x in lst] == [[1, 3], [2, 4]]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy "
                                        "arrays, numbers, dicts or lists; found <U1"):
        default_collate([np.array(["a"])])
    with pytest.raises(TypeError, match="found <class 'object'>"):
        default_collate([object()])


def test_default_convert():
    out = default_convert({"a": np.arange(3), "b": (np.float64(1.0), "s")})
    assert isinstance(out["a"], torch.Tensor) and out["a"].dtype == torch.int64
    assert isinstance(out["b"], list) and out["b"][0].dtype == torch.float64
    assert default_convert(5) == 5


# --- DataLoader, one process ------------------------------------------------------------
def _xy(n=10):
    return TensorDataset(torch.arange(2.0 * n).reshape(n, 2), torch.arange(n))


def test_dataloader_batches_shuffle_and_drop_last():
    ds = _xy(10)
    batches = list(DataLoader(ds, batch_size=4))
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert isinstance(batches[0], list) and batches[0][0].shape == torch.Size([4, 2])
    assert len(DataLoader(ds, batch_size=4)) == 3
    assert len(DataLoader(ds, batch_size=4, drop_last=True)) == 2
    assert [len(b[1]) for b in DataLoader(ds, batch_size=4, drop_last=True)] == [4, 4]
    loader = DataLoader(ds, batch_size=3, shuffle=True, generator=_gen(0))
    epoch1 = [i for _, y in loader for i in y.tolist()]
    epoch2 = [i for _, y in loader for i in y.tolist()]
    assert sorted(epoch1) == sorted(epoch2) == list(range(10)) and epoch1 != epoch2
    again = DataLoader(ds, batch_size=3, shuffle=True, generator=_gen(0))
    assert [i for _, y in again for i in y.tolist()] == epoch1
    single = list(DataLoader(ds))  # batch_size=1 keeps a leading dimension of 1
    assert single[0][0].shape == torch.Size([1, 2])
    unbatched = list(DataLoader(ds, batch_size=None))
    assert unbatched[0][0].shape == torch.Size([2]) and len(unbatched) == 10


def test_dataloader_sampler_batch_sampler_and_collate_fn():
    ds = _xy(6)
    got = [y.tolist() for _, y in DataLoader(ds, batch_size=2, sampler=[5, 4, 3, 2, 1, 0])]
    assert got == [[5, 4], [3, 2], [1, 0]]
    got = [y.tolist() for _, y in DataLoader(ds, batch_sampler=[[0], [1, 2, 3], [5]])]
    assert got == [[0], [1, 2, 3], [5]]
    lens = list(DataLoader(ds, batch_size=4, collate_fn=len))
    assert lens == [4, 2]
    dl = DataLoader(range(5), batch_size=2)
    assert [b.tolist() for b in dl] == [[0, 1], [2, 3], [4]]
    arrays = DataLoader([np.full(3, i, np.float32) for i in range(4)], batch_size=2)
    assert next(iter(arrays)).dtype == torch.float32


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


def test_dataloader_iterable_dataset():
    assert [b.tolist() for b in DataLoader(Stream(5), batch_size=2)] == [[0, 1], [2, 3], [4]]
    assert [b.tolist() for b in DataLoader(Stream(5), batch_size=2, drop_last=True)] == \
        [[0, 1], [2, 3]]
    assert len(DataLoader(Stream(5), batch_size=2)) == 3
    assert list(DataLoader(Stream(3), batch_size=None)) == [0, 1, 2]  # ints stay ints


def test_dataloader_argument_errors_are_pytorchs():
    ds = _xy(4)
    cases = [
        (dict(num_workers=-1), "num_workers option should be non-negative; use num_workers=0"),
        (dict(timeout=-1), "timeout option should be non-negative"),
        (dict(prefetch_factor=2), "prefetch_factor option could only be specified in "
                                  "multiprocessing"),
        (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
        (dict(sampler=[0, 1], shuffle=True), "sampler option is mutually exclusive with shuffle"),
        (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
        (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
        (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching"),
        (dict(multiprocessing_context="fork"), "multiprocessing_context can only be used with "
                                               "multi-process loading"),
        (dict(num_workers=1, multiprocessing_context="nope"), "multiprocessing_context option "
                                                              "should specify a valid start"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            DataLoader(ds, **kwargs)
    with pytest.raises(ValueError, match="expected unspecified shuffle option, but got "
                                         "shuffle=True"):
        DataLoader(Stream(3), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        DataLoader(Stream(3), sampler=[0])
    loader = DataLoader(ds)
    with pytest.raises(ValueError, match="batch_size attribute should not be set after "
                                         "DataLoader is initialized"):
        loader.batch_size = 3
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no "
                                         "accelerator is found"):
        DataLoader(ds, pin_memory=True)


# --- DataLoader with worker processes ------------------------------------------------------
class Seeds(Dataset):
    """Each sample reports the worker that fetched it and a draw of its generators."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        return {"i": i, "worker": -1 if info is None else info.id,
                "seed": -1 if info is None else info.seed,
                "draw": torch.rand(1).item(), "np": float(np.random.rand())}


def _mark(worker_id):
    np.random.seed(1000 + worker_id)  # worker_init_fn runs in the worker, after seeding


def test_workers_give_the_same_batches_in_order_and_are_seeded():
    ds = _xy(10)
    want = [[t.tolist() for t in b] for b in DataLoader(ds, batch_size=3)]
    got = [[t.tolist() for t in b] for b in DataLoader(ds, batch_size=3, num_workers=2)]
    assert got == want
    batches = list(DataLoader(Seeds(), batch_size=2, num_workers=2, worker_init_fn=_mark,
                              generator=_gen(0)))
    workers = [b["worker"].tolist() for b in batches]
    assert workers == [[0, 0], [1, 1], [0, 0], [1, 1]]  # batches go round-robin
    seeds = {w[0]: b["seed"][0].item() for w, b in zip(workers, batches)}
    assert seeds[1] == seeds[0] + 1  # base_seed + worker_id
    assert batches[0]["np"][0].item() == np.random.RandomState(1000).rand()  # worker_init_fn ran first
    again = list(DataLoader(Seeds(), batch_size=2, num_workers=2, generator=_gen(0)))
    assert [b["draw"].tolist() for b in again] == [b["draw"].tolist() for b in batches]


class Failing(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            raise ValueError("sample 2 is broken")
        return i


def test_worker_exceptions_are_raised_in_the_main_process():
    with pytest.raises(ValueError, match=r"Caught ValueError in DataLoader worker process "
                                         r"\d+\.(.|\n)*sample 2 is broken"):
        list(DataLoader(Failing(), batch_size=1, num_workers=2))

    def bad_init(worker_id):
        raise KeyError("init")

    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process"):
        list(DataLoader(Failing(), num_workers=1, worker_init_fn=bad_init))


def test_workers_with_an_iterable_dataset_and_persistent_workers():
    got = sorted(i for b in DataLoader(Stream(7), batch_size=2, num_workers=2)
                 for i in b.tolist())
    assert got == list(range(7))  # each worker yields its share, as get_worker_info says
    loader = DataLoader(_xy(6), batch_size=2, num_workers=2, persistent_workers=True)
    first = [b[1].tolist() for b in loader]
    it = loader._iterator
    second = [b[1].tolist() for b in loader]
    assert first == second == [[0, 1], [2, 3], [4, 5]] and loader._iterator is it
    assert all(w.is_alive() for w in it._workers)
    it._shutdown_workers()


def test_worker_timeout():
    class Slow(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            import time
            time.sleep(0.5)
            return i

    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.1 seconds"):
        list(DataLoader(Slow(), num_workers=1, timeout=0.1))


@pytest.mark.parametrize("name", [
    "funcgrad.torch.utils", "funcgrad.torch.utils.data", "funcgrad.torch.utils.data.dataset",
    "funcgrad.torch.utils.data.sampler", "funcgrad.torch.utils.data._collate",
    "funcgrad.torch.utils.data._worker", "funcgrad.torch.utils.data.dataloader",
    "funcgrad.torch.utils.data._arrays"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name),
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
