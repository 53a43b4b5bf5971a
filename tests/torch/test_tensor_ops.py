"""Tensor operations match PyTorch 2.x: values (to the printed digits),
dtypes and type promotion, reprs, ``grad_fn`` names, error messages and
gradients, case by case (see ``opcases.py``; expected lines produced by
running the same cases with PyTorch 2.x)."""
from __future__ import annotations

import pytest

import funcgrad.torch as torch

from . import opcases

EXPECTED = {'int+float': 'tensor([[2.5000, 3.5000],\n        [4.5000, 5.5000]])',
 'int/int': 'tensor([[0.5000, 1.0000],\n        [1.5000, 2.0000]])',
 'int//': 'tensor([[0, 0],\n        [1, 1]])',
 'int*bool': 'tensor([[1, 2],\n        [3, 4]])',
 'f32+f64_0d': 'tensor([[ 2., -1.,  4.],\n        [ 5.,  6., -5.]])',
 'f64+f32': 'tensor([[  2.,  -4.,   6.],\n        [  8.,  10., -12.]], dtype=torch.float64)',
 'int+f64_0d': 'tensor([[2.5000, 3.5000],\n        [4.5000, 5.5000]], dtype=torch.float64)',
 'cplx': 'tensor([[0.+1.j, -0.-2.j, 0.+3.j],\n        [0.+4.j, 0.+5.j, -0.-6.j]])',
 'bool_sum': 'tensor(2)',
 'int_sum': 'tensor([4, 6])',
 'exp_int': 'tensor([[ 2.7183,  7.3891],\n        [20.0855, 54.5981]])',
 'cmp': 'tensor([[ True, False,  True],\n        [ True,  True, False]])',
 'eq': 'tensor([[True, True, True],\n        [True, True, True]])',
 'idx_bool': 'tensor([1., 3., 4., 5.])',
 'idx_list': 'tensor([-2., -6.])',
 'idx_tensor': 'tensor([[ 4.,  5., -6.],\n        [ 1., -2.,  3.]])',
 'idx_none': 'torch.Size([1, 2])',
 'neg_idx': 'tensor([ 5., -6.])',
 'size': '(torch.Size([2, 3]), 3, torch.Size([2, 3]), 2, 6, 2)',
 'view': 'tensor([[ 1., -2.],\n        [ 3.,  4.],\n        [ 5., -6.]])',
 'view-1': 'tensor([ 1., -2.,  3.,  4.,  5., -6.])',
 'viewbad': "ERR RuntimeError shape '[4, 2]' is invalid for input of size 6",
 'transpose': 'tensor([[ 1.,  4.],\n        [-2.,  5.],\n        [ 3., -6.]])',
 'T': 'tensor([[ 1.,  4.],\n        [-2.,  5.],\n        [ 3., -6.]])',
 'permute': 'tensor([[ 1.,  4.],\n        [-2.,  5.],\n        [ 3., -6.]])',
 'unsqueeze': 'torch.Size([2, 1, 3])',
 'squeeze': 'torch.Size([2, 3])',
 'flatten': 'torch.Size([2, 12])',
 'expand': 'tensor([[1., 2.],\n        [1., 2.],\n        [1., 2.]])',
 'repeat': 'tensor([[1., 2., 1., 2.],\n        [1., 2., 1., 2.]])',
 'cat': 'tensor([[ 1., -2.,  3.,  1., -2.,  3.],\n        [ 4.,  5., -6.,  4.,  5., -6.]])',
 'stack': 'torch.Size([2, 3, 2])',
 'max': 'tensor(5.)',
 'max1': 'torch.return_types.max(\nvalues=tensor([3., 5.]),\nindices=tensor([2, 1]))',
 'maxk': 'torch.return_types.max(\nvalues=tensor([[4., 5., 3.]]),\nindices=tensor([[1, 1, 0]]))',
 'min1': 'tensor([-2., -6.])',
 'argmax': 'tensor(4)',
 'argmax1': 'tensor([2, 1])',
 'mean0': 'tensor([ 2.5000,  1.5000, -1.5000])',
 'meank': 'tensor([[0.6667],\n        [1.0000]])',
 'sum_dims': 'tensor(5.)',
 'var': 'tensor(17.3667)',
 'var0': 'tensor([ 4.5000, 24.5000, 40.5000])',
 'std': 'tensor([2.0548, 4.9666])',
 'norm': 'tensor(9.5394)',
 'norm1': 'tensor([ 6., 15.])',
 'softmax': 'tensor([[1.1850e-01, 5.8998e-03, 8.7560e-01],\n'
            '        [2.6894e-01, 7.3105e-01, 1.2210e-05]])',
 'log_softmax': 'tensor([[-3.0486e+00, -7.0009e+00, -1.2337e-04],\n'
                '        [-4.8587e-02, -9.1142e-04, -9.0001e+00]])',
 'logsumexp': 'tensor([3.1328, 5.3133])',
 'clamp': 'tensor([[1., 0., 3.],\n        [4., 5., 0.]])',
 'clamp2': 'tensor([[ 1., -1.,  1.],\n        [ 1.,  1., -1.]])',
 'where': 'tensor([[1., 0., 3.],\n        [4., 5., 0.]])',
 'where_s': 'tensor([[1., 0., 3.],\n        [4., 5., 0.]])',
 'abs': 'tensor([[1., 2., 3.],\n        [4., 5., 6.]])',
 'sign': 'tensor([[ 1., -1.,  1.],\n        [ 1.,  1., -1.]])',
 'round': 'tensor([0., 2., 2., -0.])',
 'pow': 'tensor([[ 1.,  4.,  9.],\n        [16., 25., 36.]])',
 'rpow': 'tensor([[2.0000e+00, 2.5000e-01, 8.0000e+00],\n'
         '        [1.6000e+01, 3.2000e+01, 1.5625e-02]])',
 'sqrt_neg': 'tensor([[1.0000,    nan, 1.7321],\n        [2.0000, 2.2361,    nan]])',
 'log0': 'tensor([-inf, 0.])',
 'div0': 'tensor([inf, -inf, nan])',
 'mm': 'tensor([[ 14., -24.],\n        [-24.,  77.]])',
 'mv': 'tensor([2., 3.])',
 'dot': 'tensor(3.)',
 'mm_bad': 'ERR RuntimeError mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)',
 'matmul_int': 'tensor([[ 7, 10],\n        [15, 22]])',
 'bmm': 'torch.Size([2, 2, 4])',
 'outer': 'tensor([[1., 2., 3.],\n        [1., 2., 3.]])',
 'gather': 'tensor([[ 1.],\n        [-6.]])',
 'masked_fill': 'tensor([[1., 0., 3.],\n        [4., 5., 0.]])',
 'split': '[torch.Size([2, 2]), torch.Size([2, 1])]',
 'chunk': '[torch.Size([3]), torch.Size([2])]',
 'unbind': '(tensor([1., 4.]), tensor([-2.,  5.]), tensor([ 3., -6.]))',
 'flip': 'tensor([[ 4.,  5., -6.],\n        [ 1., -2.,  3.]])',
 'cumsum': 'tensor([[ 1., -1.,  2.],\n        [ 4.,  9.,  3.]])',
 'prod': 'tensor(720.)',
 'prod1': 'tensor([  -6., -120.])',
 'float': 'tensor([[1., 2.],\n        [3., 4.]])',
 'to': 'tensor([[1., 2.],\n        [3., 4.]], dtype=torch.float64)',
 'type': "('torch.FloatTensor', 'torch.LongTensor', torch.float32, torch.int64)",
 'bool': 'tensor([False,  True])',
 'long': 'tensor([ 1, -1])',
 'item_int': "(1, <class 'int'>)",
 'tolist': '[[1, 2], [3, 4]]',
 'allclose': 'True',
 'equal': 'True',
 'zeros_like': 'tensor([[0, 0],\n        [0, 0]])',
 'full': 'tensor([[1.5000, 1.5000],\n        [1.5000, 1.5000]])',
 'arange': 'tensor([1.0000, 1.5000, 2.0000, 2.5000, 3.0000, 3.5000])',
 'arange_f': 'tensor([0., 1., 2., 3., 4.])',
 'empty_tensor': 'tensor([])',
 'empty2': 'tensor([], size=(0, 3))',
 'big': 'tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01,\n'
        '         4.9000e+01],\n'
        '        [5.0000e+01, 5.1000e+01, 5.2000e+01,  ..., 9.7000e+01, 9.8000e+01,\n'
        '         9.9000e+01],\n'
        '        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.4700e+02, 1.4800e+02,\n'
        '         1.4900e+02],\n'
        '        ...,\n'
        '        [1.8500e+03, 1.8510e+03, 1.8520e+03,  ..., 1.8970e+03, 1.8980e+03,\n'
        '         1.8990e+03],\n'
        '        [1.9000e+03, 1.9010e+03, 1.9020e+03,  ..., 1.9470e+03, 1.9480e+03,\n'
        '         1.9490e+03],\n'
        '        [1.9500e+03, 1.9510e+03, 1.9520e+03,  ..., 1.9970e+03, 1.9980e+03,\n'
        '         1.9990e+03]])',
 'sci': 'tensor([1.0000e-08, 1.0000e+00])',
 'f16': 'tensor([1.5000], dtype=torch.float16)',
 'c64': 'tensor([1.0000+2.j, 3.5000-1.j])',
 'c128': 'tensor([1.+2.j], dtype=torch.complex128)',
 'neg_zero': 'tensor([-0., 1.])',
 'nan': 'tensor([nan, 1., inf])',
 'Tensor(list)': 'tensor([1., 2.])',
 'tensor_of_tensors': 'tensor([1., 2.])',
 'contains': 'True',
 'iter': '[tensor(1.), tensor(2.)]',
 'setitem': 'tensor([[ 1.,  9.,  3.],\n        [ 4.,  5., -6.]])',
 'setitem_mask': 'tensor([[1., 0., 3.],\n        [4., 5., 0.]])',
 'iadd_bcast': 'tensor([[ 2., -1.,  4.],\n        [ 5.,  6., -5.]])',
 't1d': 'tensor([1., 1., 1.])',
 'neg': 'tensor([[-1.,  2., -3.],\n        [-4., -5.,  6.]])',
 'rsub': 'tensor([[ 0.,  3., -2.],\n        [-3., -4.,  7.]])',
 'rdiv': 'tensor([0.5000, 0.2500])',
 'mod': 'tensor([2., 1.])',
 'abs_int': 'tensor([1, 2])',
 'sigmoid': 'tensor([0.0000, 0.5000, 1.0000])',
 'relu_int': 'tensor([0, 2])',
 'maximum': 'tensor([[1., 0., 3.],\n        [4., 5., 0.]])',
 'hash': '2',
 'pow_g': "tensor(7.9627, grad_fn=<SumBackward0>) ['tensor([ 5.0700,  0.0833,  2.8033, 13.2300])']",
 'sqrt_g': "tensor(5.7598, grad_fn=<SumBackward0>) ['tensor([-0.3297, -0.4629,  0.3565,  "
           "0.2840])']",
 'div_g': "tensor(0.3010, grad_fn=<SumBackward0>) ['tensor([[0.2703, 0.1852, 0.1408],\\n        "
          "[0.2703, 0.1852, 0.1408]])', 'tensor([ 0.0409, -0.0274, -0.0428])']",
 'bcast_g': "tensor(5.5840, grad_fn=<SumBackward0>) ['tensor([[-1.3000,  0.4000,  "
            "2.1000],\\n        [-1.3000,  0.4000,  2.1000]])', 'tensor([[-0.5600,  0.8000,  "
            "2.1600]])']",
 'mm_g': "tensor(9.3184, grad_fn=<SumBackward0>) ['tensor([[-1.9200,  0.8000,  3.5200],\\n        "
         "[-1.9200,  0.8000,  3.5200]])', 'tensor([[-0.5600, -0.5600],\\n        [ 0.8000,  "
         "0.8000],\\n        [ 2.1600,  2.1600]])']",
 'mv_g': "tensor(5.5840, grad_fn=<SumBackward0>) ['tensor([[-1.3000,  0.4000,  2.1000],\\n        "
         "[-1.3000,  0.4000,  2.1000]])', 'tensor([-0.5600,  0.8000,  2.1600])']",
 'vm_g': "tensor(10.2080, grad_fn=<SumBackward0>) ['tensor([-1.9200,  0.8000,  3.5200])', "
         "'tensor([[-1.3000, -1.3000],\\n        [ 0.4000,  0.4000],\\n        [ 2.1000,  "
         "2.1000]])']",
 'bmm_g': "tensor(10.5658, grad_fn=<SumBackward0>) ['tensor([[[-1.9200,  0.8000,  "
          '3.5200],\\n         [-1.9200,  0.8000,  3.5200]],\\n\\n        [[-1.9200,  0.8000,  '
          "3.5200],\\n         [-1.9200,  0.8000,  3.5200]]])', 'tensor([[0.3636, "
          "0.3636],\\n        [1.6000, 1.6000],\\n        [2.8364, 2.8364]])']",
 'max_g': "tensor(2.1000, grad_fn=<MaxBackward1>) ['tensor([0., 0., 0., 1.])']",
 'max1_g': "tensor(2.1600, grad_fn=<SumBackward0>) ['tensor([[0., 0., 1.],\\n        [0., 0., "
           "1.]])']",
 'amax_tie': "tensor(-1.3000, grad_fn=<MaxBackward1>) ['tensor([1.])']",
 'softmax_g': "tensor(2.8431, grad_fn=<SumBackward0>) ['tensor([[-0.2069, -0.1211,  "
              "0.3280],\\n        [-0.2069, -0.1211,  0.3280]])']",
 'logsm_g': "tensor(-0.3667, grad_fn=<SumBackward0>) ['tensor([[-0.1151, -0.1151, "
            "-0.1151],\\n        [ 0.1151,  0.1151,  0.1151]])']",
 'lse_g': "tensor(3.2943, grad_fn=<SumBackward0>) ['tensor([[0.1456, 0.2873, 0.5671],\\n        "
          "[0.1456, 0.2873, 0.5671]])']",
 'norm_g': "tensor(3.0087, grad_fn=<LinalgVectorNormBackward0>) ['tensor([[-0.4321, -0.2061,  "
           "0.0199],\\n        [ 0.2460,  0.4720,  0.6980]])']",
 'var_g': "tensor(6.2424, grad_fn=<SumBackward0>) ['tensor([[-2.0400, -2.0400, -2.0400],\\n        "
          "[ 2.0400,  2.0400,  2.0400]])']",
 'std_g': "tensor(1.2722, grad_fn=<StdBackward0>) ['tensor([[-0.2673, -0.1604, -0.0535],\\n        "
          "[ 0.0535,  0.1604,  0.2673]])']",
 'clamp_g': "tensor(0.5600, grad_fn=<SumBackward0>) ['tensor([0., 0., 1., 0., 0., 0.])']",
 'relu_g': "tensor(4.3200, grad_fn=<SumBackward0>) ['tensor([0., 0., 1., 1., 1., 1.])']",
 'sigmoid_g': "tensor(3.4522, grad_fn=<SumBackward0>) ['tensor([0.1683, 0.2274, 0.2498, 0.2187, "
              "0.1568, 0.0972])']",
 'tanh_g': "tensor(1.1363, grad_fn=<SumBackward0>) ['tensor([0.2574, 0.6963, 0.9964, 0.6042, "
           "0.2086, 0.0582])']",
 'abs_g': "tensor(0., grad_fn=<SumBackward0>) ['tensor([0., 0., 0.])']",
 'idx_g': "tensor(-2.2000, grad_fn=<SumBackward0>) ['tensor([2., 1., 0.])']",
 'mask_g': "tensor(3.7500, grad_fn=<SumBackward0>) ['tensor([0., 0., 1., 1., 1.])']",
 'slice_g': "tensor(2.9600, grad_fn=<SumBackward0>) ['tensor([[0., 1., 1.],\\n        [0., 1., "
            "1.]])']",
 'cat_g': "tensor(9.1000, grad_fn=<SumBackward0>) ['tensor([0., 1.])', 'tensor([2., 3., 4.])']",
 'stack_g': "tensor(0.8000, grad_fn=<SumBackward0>) ['tensor([0., 0.])', 'tensor([1., 1.])']",
 'where_g': "tensor(0.1333, grad_fn=<SumBackward0>) ['tensor([2., 2., 1., 1.])']",
 'gather_g': "tensor(0.9200, grad_fn=<SumBackward0>) ['tensor([[2., 0., 0.],\\n        [0., 1., "
             "1.]])']",
 'expand_g': "tensor(2.4000, grad_fn=<SumBackward0>) ['tensor([3., 3.])']",
 'cumsum_g': "tensor(2.3333, grad_fn=<SumBackward0>) ['tensor([6., 6., 5., 3.])']",
 'prod_g': "tensor(-1.0920, grad_fn=<ProdBackward0>) ['tensor([ 0.8400, -2.7300, -0.5200])']",
 'log1p_g': "tensor(2.3008, grad_fn=<SumBackward0>) ['tensor([-0.4348,  0.7143,  0.3226])']",
 'mean_g': "tensor(1.2000, grad_fn=<SumBackward0>) ['tensor([[0.5000, 0.5000, 0.5000],\\n        "
           "[0.5000, 0.5000, 0.5000]])']",
 'T_g': "tensor(2.4000, grad_fn=<SumBackward0>) ['tensor([[1., 1., 1.],\\n        [1., 1., 1.]])']",
 'setitem_g': "tensor(3.7000, grad_fn=<SumBackward0>) ['tensor([0., 4., 1.])']",
 'rpow_g': "tensor(6.0127, grad_fn=<SumBackward0>) ['tensor([0.2815, 0.9146, 2.9716])']",
 'powt_g': "tensor(6.1538, grad_fn=<SumBackward0>) ['tensor([0.7110, 0.6931, 4.7496])', 'tensor([ "
           "0.1865, -0.6351,  3.5239])']",
 'f64': "tensor(2.4000, dtype=torch.float64, grad_fn=<SumBackward0>) ['tensor([3., 3.])']",
 'bcel': "tensor(0.5125, grad_fn=<BinaryCrossEntropyWithLogitsBackward0>) ['tensor([0., 0., 0.])', "
         "'tensor([ 0.0729, -0.0320, -0.0680])']",
 'ce': "tensor(1.2472, grad_fn=<NllLossBackward0>) ['tensor([[-0.4272,  0.1437,  "
       "0.2836],\\n        [ 0.0728,  0.1437, -0.2164]])']"}

_GOT = {}


def _got() -> dict:
    if not _GOT:
        _GOT.update(opcases.run(torch))
    return _GOT


@pytest.mark.parametrize("name", list(EXPECTED))
def test_op_matches_pytorch(name: str) -> None:
    assert _got()[name] == EXPECTED[name]
