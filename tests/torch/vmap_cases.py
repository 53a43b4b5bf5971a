"""Per-example functions of facade code, written against a ``torch`` module
(``funcgrad.torch`` or PyTorch itself), for the vmap/jit registry tests:
``CASES`` maps a name to ``(fn(torch, *xs), shapes)``; every argument is a
float64 tensor of the given per-example shape."""
from __future__ import annotations

CASES: dict = {
    # elementwise math, operators, Python numbers
    "tanh": (lambda t, x: t.tanh(x), [(3, 2)]),
    "exp_log": (lambda t, x: t.log(t.exp(x) + 1.0), [(4,)]),
    "sigmoid_method": (lambda t, x: x.sigmoid() * 2 - x.abs(), [(2, 3)]),
    "ops": (lambda t, x, y: (x * y + x / (y * y + 1) - 3.0 * x) ** 2, [(3,), (3,)]),
    "broadcast": (lambda t, x, y: x + y, [(2, 3), (3,)]),
    "pow_sqrt": (lambda t, x: t.sqrt(x * x + 1) ** 1.5, [(4,)]),
    "clamp_relu": (lambda t, x: t.relu(x).clamp(max=0.5) + x.clamp(min=-0.2), [(5,)]),
    "where": (lambda t, x: t.where(x > 0, x, -x * 2), [(4,)]),
    "maximum": (lambda t, x, y: t.maximum(x, y) - t.minimum(x, y), [(3,), (3,)]),
    "neg_rsub": (lambda t, x: 1.0 - (-x), [(3,)]),
    "0d": (lambda t, x: t.sin(x) * x, [()]),
    # reductions
    "sum": (lambda t, x: x.sum(), [(3, 2)]),
    "sum_dim": (lambda t, x: x.sum(dim=0) + x.sum(1).sum(), [(3, 2)]),
    "mean_keepdim": (lambda t, x: x.mean(-1, keepdim=True) * x, [(2, 4)]),
    "max_dim": (lambda t, x: x.max(dim=1).values + x.amax(0).sum(), [(3, 4)]),
    "max_all": (lambda t, x: x.max() + x.min(), [(3, 4)]),
    "prod_norm": (lambda t, x: x.prod(0) + x.norm(), [(3, 2)]),
    "var_std": (lambda t, x: x.var(0) + x.std(), [(4, 2)]),
    "logsumexp": (lambda t, x: t.logsumexp(x, dim=1), [(2, 5)]),
    "softmax": (lambda t, x: t.softmax(x, dim=-1) + t.log_softmax(x, 0), [(3, 4)]),
    "cumsum": (lambda t, x: t.cumsum(x, dim=0), [(4, 2)]),
    "argmax": (lambda t, x: x.argmax(dim=1), [(3, 4)]),
    # shapes
    "view_reshape": (lambda t, x: x.view(-1).reshape(3, 2), [(2, 3)]),
    "view_size": (lambda t, x: x.view(x.size(0), -1) * x.shape[1], [(2, 3, 2)]),
    "dim_numel": (lambda t, x: x * (x.dim() + x.numel() + len(x)), [(2, 3)]),
    "transpose_T": (lambda t, x: x.transpose(0, 1) + x.T, [(3, 3)]),
    "permute": (lambda t, x: x.permute(2, 0, 1), [(2, 3, 4)]),
    "unsqueeze_squeeze": (lambda t, x: x.unsqueeze(0).squeeze(0).unsqueeze(-1), [(3,)]),
    "flatten": (lambda t, x: t.flatten(x, 1), [(2, 3, 2)]),
    "expand": (lambda t, x: x.unsqueeze(0).expand(3, -1), [(2,)]),
    "repeat": (lambda t, x: x.repeat(2, 1), [(2, 2)]),
    "cat_stack": (lambda t, x, y: t.cat([x, y], 0) + t.stack([x, y]).sum(0).repeat(2), [(3,), (3,)]),
    "chunk_split": (lambda t, x: x.chunk(2)[0] * x.split(2)[1], [(4,)]),
    "unbind": (lambda t, x: t.stack(list(x.unbind(1))[::-1]), [(2, 3)]),
    "index": (lambda t, x: x[1] + x[:, 0].sum() + x[-1, 1:].sum(), [(3, 3)]),
    "index_none": (lambda t, x: x[None, ..., 0], [(2, 3)]),
    "flip_roll": (lambda t, x: t.flip(x, [0]) + t.flip(x, [0, 1]), [(3, 3)]),
    # products
    "matmul": (lambda t, x, w: x @ w, [(2, 3), (3, 4)]),
    "matmul_vec": (lambda t, x, w: t.matmul(w, x), [(3,), (2, 3)]),
    "mm_mv": (lambda t, x, w: t.mm(x, w).sum() + t.mv(w.T, x[0]).sum(), [(2, 3), (3, 2)]),
    "outer_dot": (lambda t, x, y: t.outer(x, y) * t.dot(x, y), [(3,), (3,)]),
    "einsum": (lambda t, x, y: t.einsum("ij,jk->ik", x, y), [(2, 3), (3, 2)]),
    # nn.functional
    "linear": (lambda t, x, w: t.nn.functional.linear(x, w), [(4,), (3, 4)]),
    "gelu_silu": (lambda t, x: t.nn.functional.gelu(x) + t.nn.functional.silu(x), [(5,)]),
    "softplus_elu": (lambda t, x: t.nn.functional.softplus(x) + t.nn.functional.elu(x), [(5,)]),
    "leaky_relu": (lambda t, x: t.nn.functional.leaky_relu(x, 0.1), [(5,)]),
    "layer_norm": (lambda t, x: t.nn.functional.layer_norm(x, (4,)), [(3, 4)]),
    "normalize": (lambda t, x: t.nn.functional.normalize(x, dim=-1), [(3, 4)]),
    "mse": (lambda t, x, y: t.nn.functional.mse_loss(x, y), [(4,), (4,)]),
    "cross_entropy_soft": (lambda t, x, y: t.nn.functional.cross_entropy(
        x, t.softmax(y, -1)), [(2, 5), (2, 5)]),
    "bce_logits": (lambda t, x, y: t.nn.functional.binary_cross_entropy_with_logits(
        x, t.sigmoid(y)), [(4,), (4,)]),
    "conv2d": (lambda t, x, w: t.nn.functional.conv2d(x, w, padding=1), [(1, 2, 5, 5), (3, 2, 3, 3)]),
    "max_pool2d": (lambda t, x: t.nn.functional.max_pool2d(x, 2), [(1, 2, 4, 4)]),
    "avg_pool2d": (lambda t, x: t.nn.functional.avg_pool2d(x, 2), [(1, 2, 4, 4)]),
}
