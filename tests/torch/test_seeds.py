"""Acceptance: every code cell of the five seed tutorials, run with
``import funcgrad.torch as torch``, prints what PyTorch 2.x prints.

The expected outputs below were produced by running :mod:`seedcells` (the
same extraction and notebook-style runner) with PyTorch 2.x (torch 2.13 in a
separate virtualenv; the project never depends on torch). Object addresses
are masked everywhere. Seeds 000 and 004 draw their parameters with
``torch.randn``: funcgrad's random streams differ from PyTorch's, so there
the numbers are masked too and the structure of every line (shapes,
brackets, ``grad_fn=``/``requires_grad=`` suffixes, errors) is compared.
Warnings are compared by category and message (PyTorch appends a
``Triggered internally at <C++ file>`` note that is dropped).

Seed 000's cells are fragments of one program: they are run three ways, as
the document orders them (``000``: several fail with ``NameError``, in
PyTorch too), after its complete example (``000p``, notebook semantics: an
error ends a cell) and statement by statement after it (``000s``: every line
runs, so the retain_graph and zeroing lines are exercised).
"""
from __future__ import annotations

import os

import pytest

import funcgrad.torch as torch

from . import seedcells as sc

pytestmark = pytest.mark.skipif(not os.path.isdir(sc.SEED_DIR),
                                reason="seed tutorials not available")

RANDOM = {"000", "000p", "000s", "004"}

# (stdout, [(warning category, message)]) per cell, from PyTorch 2.x.
EXPECTED = {'000': [('tensor([1., 1., 1., 1., 1.], requires_grad=True)\n', []),
         ("NameError: name 'b' is not defined\n", []),
         ("NameError: name 'loss' is not defined\n", []),
         ("None\nNameError: name 'b' is not defined\n", []),
         ("None\nNameError: name 'b' is not defined\n", []),
         ("NameError: name 'loss' is not defined\n", []),
         ("NameError: name 'b' is not defined\n", []),
         ("NameError: name 'loss' is not defined\n", []),
         ('', [])],
 '001': [('', []),
         ('tensor(24., grad_fn=<AddBackward0>)\n', []),
         ('tensor(14.)\ntensor(10.)\n', []),
         ('Первый вызов\n'
          'Производная по x:  tensor(14.)\n'
          'Производная по x:  tensor(10.)\n'
          '\n'
          'Второй вызов\n'
          'Производная по x:  tensor(28.)\n'
          'Производная по x:  tensor(20.)\n',
          []),
         ('Первый вызов\n'
          'Производная по x:  tensor(14.)\n'
          'Производная по x:  tensor(10.)\n'
          '\n'
          'Второй вызов\n'
          'Производная по x:  tensor(14.)\n'
          'Производная по x:  tensor(10.)\n',
          []),
         ('',
          [('UserWarning',
            'The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its '
            ".grad attribute won't be populated during autograd.backward(). If you indeed want the "
            '.grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf '
            'Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf '
            'Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information.')]),
         ('tensor(4.)\n', []),
         ('True\nFalse\n', []),
         ('True\nFalse\n', []),
         ('True\nFalse\n', []),
         ('True\nFalse\n', []),
         ('RuntimeError: a leaf Variable that requires grad is being used in an in-place '
          'operation.\n',
          []),
         ("TypeError: unsupported operand type(s) for -: 'Tensor' and 'NoneType'\n",
          [('UserWarning',
            'The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its '
            ".grad attribute won't be populated during autograd.backward(). If you indeed want the "
            '.grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf '
            'Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf '
            'Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information.')]),
         ('RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn\n',
          [])],
 '002': [('True\n'
          'tensor([[1.0000, 1.4142],\n'
          '        [1.4142, 1.7321]], grad_fn=<SqrtBackward0>)\n'
          'tensor(5.5605, grad_fn=<SumBackward0>)\n'
          'tensor([[0.5000, 0.3536],\n'
          '        [0.3536, 0.2887]])\n',
          []),
         ('True\n', []),
         ('tensor([[1.0000, 1.4142],\n        [1.4142, 1.7321]], grad_fn=<SqrtBackward0>)\n', []),
         ('tensor(5.5605, grad_fn=<SumBackward0>)\n', []),
         ('tensor([[0.5000, 0.3536],\n        [0.3536, 0.2887]])\n', [])],
 '003': [('', []),
         ('', []),
         ('tensor(63., grad_fn=<AddBackward0>)\n', []),
         ('', []),
         ('tensor(93.)\n', []),
         ('tensor([[1., 2., 3.],\n        [3., 2., 1.]], requires_grad=True)\n', []),
         ('tensor([[ 5.,  8., 11.],\n        [11.,  8.,  5.]], grad_fn=<AddBackward0>)\n', []),
         ('tensor([[ 50., 128., 242.],\n        [242., 128.,  50.]], grad_fn=<MulBackward0>)\n',
          []),
         ('tensor(140., grad_fn=<MeanBackward0>)\n', []),
         ('tensor([[10., 16., 22.],\n        [22., 16., 10.]])\n', [])],
 '004': [('', []),
         ('Gradient function for z = <AddBackward0 object at 0x7f89e8187f10>\n'
          'Gradient function for loss = <BinaryCrossEntropyWithLogitsBackward0 object at '
          '0x7f89e81869b0>\n',
          []),
         ('tensor([[0.0787, 0.3240, 0.2651],\n'
          '        [0.0787, 0.3240, 0.2651],\n'
          '        [0.0787, 0.3240, 0.2651],\n'
          '        [0.0787, 0.3240, 0.2651],\n'
          '        [0.0787, 0.3240, 0.2651]])\n'
          'tensor([0.0787, 0.3240, 0.2651])\n'
          'None\n',
          []),
         ('True\nFalse\n', []),
         ('True\nFalse\n', [])],
 '000p': [('tensor([1., 1., 1., 1., 1.], requires_grad=True)\n', []),
          ('<AddBackward0 object at 0x7f8a095b8940>\n'
           '<BinaryCrossEntropyWithLogitsBackward0 object at 0x7f8a095b84c0>\n',
           []),
          ('', []),
          ('tensor([[0.1214, 0.0109, 0.1759],\n'
           '        [0.1214, 0.0109, 0.1759],\n'
           '        [0.1214, 0.0109, 0.1759],\n'
           '        [0.1214, 0.0109, 0.1759],\n'
           '        [0.1214, 0.0109, 0.1759]])\n'
           'tensor([0.1214, 0.0109, 0.1759])\n',
           []),
          ('tensor([[0.1214, 0.0109, 0.1759],\n'
           '        [0.1214, 0.0109, 0.1759],\n'
           '        [0.1214, 0.0109, 0.1759],\n'
           '        [0.1214, 0.0109, 0.1759],\n'
           '        [0.1214, 0.0109, 0.1759]])\n'
           'tensor([0.1214, 0.0109, 0.1759])\n'
           'None\n',
           [('UserWarning',
             'The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its '
             ".grad attribute won't be populated during autograd.backward(). If you indeed want "
             'the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the '
             'non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access '
             'the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more '
             'information.')]),
          ('RuntimeError: Trying to backward through the graph a second time (or directly access '
           'saved tensors after they have already been freed). Saved intermediate values of the '
           'graph are freed when you call .backward() or autograd.grad(). Specify '
           'retain_graph=True if you need to backward through the graph a second time or if you '
           'need to access saved tensors after calling backward.\n',
           []),
          ("NameError: name 'model' is not defined\n", []),
          ('RuntimeError: Trying to backward through the graph a second time (or directly access '
           'saved tensors after they have already been freed). Saved intermediate values of the '
           'graph are freed when you call .backward() or autograd.grad(). Specify '
           'retain_graph=True if you need to backward through the graph a second time or if you '
           'need to access saved tensors after calling backward.\n',
           [])],
 '000s': [('tensor([1., 1., 1., 1., 1.], requires_grad=True)\n', []),
          ('<AddBackward0 object at 0x7f89e81875e0>\n'
           '<BinaryCrossEntropyWithLogitsBackward0 object at 0x7f89e8186d10>\n',
           []),
          ('', []),
          ('tensor([[0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153]])\n'
           'tensor([0.2544, 0.2722, 0.3153])\n',
           []),
          ('tensor([[0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153]])\n'
           'tensor([0.2544, 0.2722, 0.3153])\n'
           'None\n',
           [('UserWarning',
             'The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its '
             ".grad attribute won't be populated during autograd.backward(). If you indeed want "
             'the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the '
             'non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access '
             'the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more '
             'information.')]),
          ('RuntimeError: Trying to backward through the graph a second time (or directly access '
           'saved tensors after they have already been freed). Saved intermediate values of the '
           'graph are freed when you call .backward() or autograd.grad(). Specify '
           'retain_graph=True if you need to backward through the graph a second time or if you '
           'need to access saved tensors after calling backward.\n'
           'tensor([[0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153]])\n'
           'RuntimeError: Trying to backward through the graph a second time (or directly access '
           'saved tensors after they have already been freed). Saved intermediate values of the '
           'graph are freed when you call .backward() or autograd.grad(). Specify '
           'retain_graph=True if you need to backward through the graph a second time or if you '
           'need to access saved tensors after calling backward.\n'
           'RuntimeError: Trying to backward through the graph a second time (or directly access '
           'saved tensors after they have already been freed). Saved intermediate values of the '
           'graph are freed when you call .backward() or autograd.grad(). Specify '
           'retain_graph=True if you need to backward through the graph a second time or if you '
           'need to access saved tensors after calling backward.\n'
           'tensor([[0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153],\n'
           '        [0.2544, 0.2722, 0.3153]])\n'
           'tensor([[0., 0., 0.],\n'
           '        [0., 0., 0.],\n'
           '        [0., 0., 0.],\n'
           '        [0., 0., 0.],\n'
           '        [0., 0., 0.]])\n'
           'RuntimeError: Trying to backward through the graph a second time (or directly access '
           'saved tensors after they have already been freed). Saved intermediate values of the '
           'graph are freed when you call .backward() or autograd.grad(). Specify '
           'retain_graph=True if you need to backward through the graph a second time or if you '
           'need to access saved tensors after calling backward.\n'
           'tensor([[0., 0., 0.],\n'
           '        [0., 0., 0.],\n'
           '        [0., 0., 0.],\n'
           '        [0., 0., 0.],\n'
           '        [0., 0., 0.]])\n',
           []),
          ("NameError: name 'model' is not defined\nNameError: name 'model' is not defined\n", []),
          ('RuntimeError: Trying to backward through the graph a second time (or directly access '
           'saved tensors after they have already been freed). Saved intermediate values of the '
           'graph are freed when you call .backward() or autograd.grad(). Specify '
           'retain_graph=True if you need to backward through the graph a second time or if you '
           'need to access saved tensors after calling backward.\n'
           'RuntimeError: Trying to backward through the graph a second time (or directly access '
           'saved tensors after they have already been freed). Saved intermediate values of the '
           'graph are freed when you call .backward() or autograd.grad(). Specify '
           'retain_graph=True if you need to backward through the graph a second time or if you '
           'need to access saved tensors after calling backward.\n',
           [])]}


def _run(key: str) -> list:
    codes = [sc.facade_source(c) for c in sc.cells(key[:3])]
    ns: dict = {"torch": torch}
    if key in ("000", "001", "002", "003", "004"):
        return sc.run_cells(codes, ns)
    sc.run_cell(codes[-1], ns)  # the complete example defines x, y, w, b, z, loss
    if key == "000p":
        return sc.run_cells(codes[:-1], ns)
    return [sc.run_statements(c, ns) for c in codes[:-1]]


def _clean(warns: list) -> list:
    return [(c, m.split(" (Triggered internally at")[0]) for c, m in warns]


@pytest.mark.parametrize("key", list(EXPECTED))
def test_seed_cells_print_what_pytorch_prints(key: str) -> None:
    got = _run(key)
    want = EXPECTED[key]
    assert len(got) == len(want), "number of cells"
    numbers = key in RANDOM
    for i, ((out, warns), (w_out, w_warns)) in enumerate(zip(got, want)):
        assert sc.normalize(out, numbers) == sc.normalize(w_out, numbers), f"cell {i}"
        assert _clean(warns) == w_warns, f"warnings of cell {i}"


def test_cell_extraction_counts() -> None:
    assert [len(sc.cells(p)) for p in ("000", "001", "002", "003", "004")] == [9, 14, 5, 10, 5]
