"""``torch.utils.data``: datasets, samplers and the ``DataLoader``.

>>> import funcgrad.torch as torch
>>> from funcgrad.torch.utils.data import DataLoader, TensorDataset
>>> X, y = torch.randn(100, 3), torch.randint(0, 2, (100,))
>>> loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True,
...                     generator=torch.Generator().manual_seed(0))
>>> [xb.shape[0] for xb, yb in loader]
[32, 32, 32, 4]
"""
from ._collate import default_collate, default_convert
from ._worker import WorkerInfo, get_worker_info
from .dataloader import DataLoader
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset,
                      Subset, TensorDataset, random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler, WeightedRandomSampler)

__all__ = ["DataLoader", "Dataset", "IterableDataset", "TensorDataset", "StackDataset",
           "ConcatDataset", "ChainDataset", "Subset", "random_split", "Sampler",
           "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler", "default_collate", "default_convert",
           "get_worker_info", "WorkerInfo"]
