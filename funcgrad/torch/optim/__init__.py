"""``funcgrad.torch.optim``: optimizers for training loops, as in PyTorch 2.x.

>>> import funcgrad.torch as torch
>>> model = torch.nn.Linear(3, 1)
>>> opt = torch.optim.Adam(model.parameters(), lr=1e-2)
>>> loss = model(torch.ones(4, 3)).pow(2).mean()
>>> opt.zero_grad(); loss.backward(); opt.step()
"""
from . import lr_scheduler
from .adam import Adam, AdamW
from .adaptive import Adadelta, Adagrad, Adamax, NAdam, RAdam, RMSprop
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
           "NAdam", "RAdam", "LBFGS", "lr_scheduler"]
