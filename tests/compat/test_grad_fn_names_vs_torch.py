"""The graph users print (``y.grad_fn.name()``, ``y.grad_fn.next_functions``) as PyTorch's.

For every op of the table (run as PyTorch's call, as ``test_op_table_vs_torch`` runs it) and
for the everyday operators, methods and ``nn.functional`` calls below, the output's node has
PyTorch's name, and its edges are PyTorch's: as many, ``None`` at the same places, a leaf's
``AccumulateGrad`` or a node of the same name at the others, with the same output index.
Where the graph differs for a reason (``DIFFERS_TABLE``, ``DIFFERS_EVERYDAY``, summarised in DIFFERENCES.md), the
test checks that it still does, so a fix shows up as a failure to take the entry out.
"""

import numpy as np
import pytest

import autograd_core as ag
import nn.functional as agF
from test_op_table_vs_torch import CASES as TABLE
from test_op_table_vs_torch import _inputs

pytestmark = pytest.mark.torch_parity
torch = pytest.importorskip("torch")
tF = torch.nn.functional

COMPOSITE = "one PyTorch node is several tapegrad nodes here, or the other way round"
CONSTANT_EDGE = "a non-differentiable tensor input (target, mask, index, bound) is an edge here"
MATMUL = "PyTorch composes a broadcast matmul of views around mm/bmm: one MatMul node here"
SCALAR_ARG = "a number or a mask of the values is recorded as an input (a None edge) here"
RESHAPE = "a reshape of a non-contiguous tensor: PyTorch's _reshape_alias or a copy"


def _why(reason, names):
    return dict.fromkeys(names.split(), reason)


#: sample name -> why its graph differs from PyTorch's (DIFFERENCES.md)
DIFFERS_TABLE = {
    **_why(COMPOSITE, "hardshrink einsum_broadcast masked_scatter "
                      "masked_scatter_broadcast_mask "
                      "flip fliplr flipud roll roll_flat rot90 rot90_3 kron "
                      "repeat_interleave repeat_interleave_flat pixel_shuffle pixel_unshuffle "
                      "sort sort_descending topk topk_smallest mvlgamma frac "
                      "nansum nanmean median median_dim kthvalue mode aminmax dist "
                      "dist_p3 quantile nanquantile deg2rad rad2deg atleast_3d std max_dim "
                      "min_dim dot diag_of_matrix diag_of_vector diag_embed diag_embed_offset "
                      "diagflat vdot cov trapezoid trapezoid_x cumulative_trapezoid "
                      "cumulative_trapezoid_x vander frexp ldexp conv1d conv1d_same conv3d "
                      "conv3d_same conv_transpose2d conv_transpose1d adaptive_avg_pool1d addr "
                      "renorm cartesian_prod dstack rsub lerp lerp_scalar "
                      "special_zeta special_zeta_int_x"),
}

#: everyday case -> why its graph differs from PyTorch's (DIFFERENCES.md)
DIFFERS_EVERYDAY = {
    **_why(COMPOSITE, "cross_entropy cross_entropy_prob dropout masked_fill "
                      "index_select einsum diag x[0,1] rsub "
                      "linear linear_b linear_1d linear_3d std max_dim"),
    **_why(CONSTANT_EDGE, "where where_s nll_loss bce bce_logits embedding gather"),
    **_why(MATMUL, "vm bmm3 3d@2d"),
    **_why(SCALAR_ARG, "hardtanh relu6 fmod remainder 2-x rsub(x,2)"),
    **_why(RESHAPE, "bmm reshape_nc"),
}


def _edges(node):
    """``node``'s name and, per edge, None or (the next node's name, the output index)."""
    if node is None:
        return None
    return (node.name(), tuple(None if f is None else (f.name(), i)
                               for f, i in node.next_functions))


def _graph(lib, fn, arrays):
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*xs)
    outs = out if isinstance(out, (tuple, list)) else [out]
    return [_edges(o.grad_fn) for o in outs if hasattr(o, "grad_fn")]


def _setitem(L, F, x, y):
    z = x * 1
    z[0] = y[0]
    return z


def _inplace(method, *args):
    def run(L, F, x, y):
        z = x * 1
        getattr(z, method)(*(y if a == "y" else a for a in args))
        return z
    return run


#: everyday calls, ``(library, its nn.functional, x, y)`` for two (3, 4) float64 leaves
EVERYDAY = {
    "x*y": lambda L, F, x, y: x * y, "2*x": lambda L, F, x, y: 2 * x,
    "x*2": lambda L, F, x, y: x * 2, "x+2": lambda L, F, x, y: x + 2,
    "2+x": lambda L, F, x, y: 2 + x, "2-x": lambda L, F, x, y: 2 - x,
    "x-2": lambda L, F, x, y: x - 2, "x-y": lambda L, F, x, y: x - y,
    "2/x": lambda L, F, x, y: 2 / x, "x/2": lambda L, F, x, y: x / 2,
    "x/y": lambda L, F, x, y: x / y, "2**x": lambda L, F, x, y: 2 ** x,
    "0.5**x": lambda L, F, x, y: 0.5 ** x, "x**2": lambda L, F, x, y: x ** 2,
    "x**y": lambda L, F, x, y: x ** y, "pow(2,x)": lambda L, F, x, y: L.pow(2, x),
    "-x": lambda L, F, x, y: -x, "rsub(x,2)": lambda L, F, x, y: L.rsub(x, 2),
    "x@y.T": lambda L, F, x, y: x @ y.T, "mm": lambda L, F, x, y: L.mm(x, y.T),
    "mv": lambda L, F, x, y: x @ y[0], "vv": lambda L, F, x, y: x[0] @ y[0],
    "vm": lambda L, F, x, y: x[0] @ y.T,
    "bmm": lambda L, F, x, y: L.bmm(x.reshape(1, 3, 4), y.T.reshape(1, 4, 3)),
    "bmm3": lambda L, F, x, y: x.reshape(1, 3, 4) @ y.T.reshape(1, 4, 3),
    "3d@2d": lambda L, F, x, y: x.reshape(1, 3, 4) @ y.T,
    "sum": lambda L, F, x, y: x.sum(), "sum_dim": lambda L, F, x, y: x.sum(1),
    "sum_keep": lambda L, F, x, y: x.sum(dim=0, keepdim=True),
    "mean": lambda L, F, x, y: x.mean(), "mean_dim": lambda L, F, x, y: x.mean(1),
    "view": lambda L, F, x, y: x.view(4, 3), "view-1": lambda L, F, x, y: x.view(-1),
    "reshape": lambda L, F, x, y: x.reshape(4, 3),
    "reshape_nc": lambda L, F, x, y: x.T.reshape(12),
    "flatten": lambda L, F, x, y: x.flatten(), "transpose": lambda L, F, x, y: x.transpose(0, 1),
    "T": lambda L, F, x, y: x.T, "t": lambda L, F, x, y: x.t(), "mT": lambda L, F, x, y: x.mT,
    "permute": lambda L, F, x, y: x.permute(1, 0),
    "expand": lambda L, F, x, y: x[:1].expand(3, 4),
    "unsqueeze": lambda L, F, x, y: x.unsqueeze(0),
    "squeeze": lambda L, F, x, y: x[:1].squeeze(0),
    "squeeze_all": lambda L, F, x, y: x[:1].squeeze(),
    "squeeze_none": lambda L, F, x, y: x.squeeze(),
    "x[0]": lambda L, F, x, y: x[0], "x[1:]": lambda L, F, x, y: x[1:],
    "x[:]": lambda L, F, x, y: x[:], "x[...]": lambda L, F, x, y: x[...],
    "x[:,1]": lambda L, F, x, y: x[:, 1], "x[:,1:3]": lambda L, F, x, y: x[:, 1:3],
    "x[[0,2]]": lambda L, F, x, y: x[[0, 2]], "x[mask]": lambda L, F, x, y: x[x > 0],
    "x[None]": lambda L, F, x, y: x[None], "x[...,0]": lambda L, F, x, y: x[..., 0],
    "x[0,1]": lambda L, F, x, y: x[0, 1], "narrow": lambda L, F, x, y: x.narrow(1, 1, 2),
    "select": lambda L, F, x, y: x.select(1, 2),
    "cat": lambda L, F, x, y: L.cat([x, y]), "stack": lambda L, F, x, y: L.stack([x, y]),
    "split": lambda L, F, x, y: x.split(2)[1], "chunk": lambda L, F, x, y: x.chunk(2, dim=1)[0],
    "unbind": lambda L, F, x, y: x.unbind()[1],
    "tensor_split": lambda L, F, x, y: x.tensor_split(3, dim=1)[2],
    "tensor_split_idx": lambda L, F, x, y: L.tensor_split(x, [1, 0], 1)[2],
    "relu": lambda L, F, x, y: x.relu(), "F.relu": lambda L, F, x, y: F.relu(x),
    "sigmoid": lambda L, F, x, y: x.sigmoid(), "tanh": lambda L, F, x, y: x.tanh(),
    "softmax": lambda L, F, x, y: F.softmax(x, dim=1),
    "log_softmax": lambda L, F, x, y: F.log_softmax(x, dim=1),
    "exp": lambda L, F, x, y: x.exp(), "log": lambda L, F, x, y: x.abs().log(),
    "linear": lambda L, F, x, y: F.linear(x, y),
    "linear_b": lambda L, F, x, y: F.linear(x, y, y[0, :3]),
    "linear_1d": lambda L, F, x, y: F.linear(x[0], y, y[0, :3]),
    "linear_3d": lambda L, F, x, y: F.linear(x.reshape(1, 3, 4), y, y[0, :3]),
    "conv2d": lambda L, F, x, y: F.conv2d(x.reshape(1, 1, 3, 4), y.reshape(3, 1, 2, 2)),
    "conv2d_b": lambda L, F, x, y: F.conv2d(x.reshape(1, 1, 3, 4), y.reshape(3, 1, 2, 2),
                                           y[0, :3]),
    "cross_entropy": lambda L, F, x, y: F.cross_entropy(x, L.tensor([0, 1, 3])),
    "cross_entropy_prob": lambda L, F, x, y: F.cross_entropy(x, y.softmax(1)),
    "nll_loss": lambda L, F, x, y: F.nll_loss(x, L.tensor([0, 1, 3])),
    "mse_loss": lambda L, F, x, y: F.mse_loss(x, y), "l1_loss": lambda L, F, x, y: F.l1_loss(x, y),
    "bce_logits": lambda L, F, x, y: F.binary_cross_entropy_with_logits(x, y.sigmoid()),
    "bce": lambda L, F, x, y: F.binary_cross_entropy(x.sigmoid(), y.sigmoid()),
    "dropout_eval": lambda L, F, x, y: F.dropout(x, 0.5, training=False),
    "dropout": lambda L, F, x, y: F.dropout(x, 0.5),
    "layer_norm": lambda L, F, x, y: F.layer_norm(x, (4,)),
    "layer_norm_w": lambda L, F, x, y: F.layer_norm(x, (4,), y[0], y[1]),
    "batch_norm": lambda L, F, x, y: F.batch_norm(x, None, None, training=True),
    "batch_norm_w": lambda L, F, x, y: F.batch_norm(x, None, None, y[0], y[1], training=True),
    "embedding": lambda L, F, x, y: F.embedding(L.tensor([0, 2]), x),
    "gelu": lambda L, F, x, y: F.gelu(x), "silu": lambda L, F, x, y: F.silu(x),
    "leaky_relu": lambda L, F, x, y: F.leaky_relu(x), "elu": lambda L, F, x, y: F.elu(x),
    "celu": lambda L, F, x, y: F.celu(x), "hardtanh": lambda L, F, x, y: F.hardtanh(x),
    "relu6": lambda L, F, x, y: F.relu6(x), "softplus": lambda L, F, x, y: F.softplus(x),
    "clone": lambda L, F, x, y: x.clone(), "detach": lambda L, F, x, y: x.detach() * y,
    "to_f32": lambda L, F, x, y: x.to(L.float32), "float": lambda L, F, x, y: x.float(),
    "type": lambda L, F, x, y: x.type(L.float32),
    "contiguous": lambda L, F, x, y: x.T.contiguous(),
    "where": lambda L, F, x, y: L.where(x > 0, x, y),
    "where_s": lambda L, F, x, y: L.where(x > 0, x, 0.0),
    "clamp": lambda L, F, x, y: x.clamp(-0.5, 0.5), "clamp_min": lambda L, F, x, y: x.clamp(min=0),
    "clamp_t": lambda L, F, x, y: x.clamp(y, y + 1),
    "clamp_min_": lambda L, F, x, y: x.clamp_min(0), "clamp_max_": lambda L, F, x, y: x.clamp_max(0),
    "abs": lambda L, F, x, y: x.abs(), "max": lambda L, F, x, y: x.max(),
    "min": lambda L, F, x, y: x.min(), "amax": lambda L, F, x, y: x.amax(1),
    "amin": lambda L, F, x, y: x.amin(), "max_dim": lambda L, F, x, y: x.max(1)[0],
    "maximum": lambda L, F, x, y: L.maximum(x, y), "sqrt": lambda L, F, x, y: x.abs().sqrt(),
    "norm": lambda L, F, x, y: x.norm(), "var": lambda L, F, x, y: x.var(),
    "std": lambda L, F, x, y: x.std(), "prod": lambda L, F, x, y: x.prod(),
    "prod_dim": lambda L, F, x, y: x.prod(1), "logsumexp": lambda L, F, x, y: x.logsumexp(1),
    "log1p": lambda L, F, x, y: x.abs().log1p(), "round": lambda L, F, x, y: x.round(),
    "round_dec": lambda L, F, x, y: x.round(decimals=1), "triu": lambda L, F, x, y: x.triu(),
    "tril": lambda L, F, x, y: x.tril(), "pad": lambda L, F, x, y: F.pad(x, (1, 1)),
    "fmod": lambda L, F, x, y: x.fmod(2.0), "fmod_t": lambda L, F, x, y: x.fmod(y),
    "remainder": lambda L, F, x, y: x % 2, "div_floor": lambda L, F, x, y: x.div(y, rounding_mode="floor"),
    "div_floor_s": lambda L, F, x, y: x.div(2.0, rounding_mode="floor"),
    "add_": _inplace("add_", "y"), "mul_": _inplace("mul_", "y"), "relu_": _inplace("relu_"),
    "sub_alpha_": _inplace("sub_", "y"), "setitem": _setitem,
    "add_alpha": lambda L, F, x, y: L.add(x, y, alpha=2),
    "sub_a": lambda L, F, x, y: L.sub(x, y, alpha=2), "rsub": lambda L, F, x, y: L.rsub(x, y),
    "masked_fill": lambda L, F, x, y: x.masked_fill(x > 0, 0.0),
    "gather": lambda L, F, x, y: x.gather(1, L.tensor([[0], [1], [2]])),
    "index_select": lambda L, F, x, y: x.index_select(0, L.tensor([0, 2])),
    "cumsum": lambda L, F, x, y: x.cumsum(0), "einsum": lambda L, F, x, y: L.einsum("ij,kj->ik", x, y),
    "diag": lambda L, F, x, y: x.diag(), "normalize": lambda L, F, x, y: F.normalize(x),
    "max_pool2d": lambda L, F, x, y: F.max_pool2d(x.reshape(1, 1, 3, 4), 2),
    "avg_pool2d": lambda L, F, x, y: F.avg_pool2d(x.reshape(1, 1, 3, 4), 2),
    "smooth_l1": lambda L, F, x, y: F.smooth_l1_loss(x, y),
    "huber": lambda L, F, x, y: F.huber_loss(x, y),
    "kl_div": lambda L, F, x, y: F.kl_div(x, y.softmax(1), reduction="batchmean"),
    "cosine_sim": lambda L, F, x, y: F.cosine_similarity(x, y),
}


def _everyday(lib, F, fn):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    y = lib.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    torch.manual_seed(0)
    return [_edges(fn(lib, F, x, y).grad_fn)]


def _check(name, ours, theirs, differs):
    if name in differs:
        assert ours != theirs, f"{name} is now PyTorch's graph: take it out of the list"
    else:
        assert ours == theirs


@pytest.mark.parametrize("case", TABLE, ids=lambda c: c[0].name)
def test_op_table_graph_as_torch(case):
    sample, theirs_fn = case
    arrays = _inputs(sample, "plain")
    theirs = _graph(torch, theirs_fn, [a.copy() for a in arrays])
    ours = _graph(ag, sample.fn, [a.copy() for a in arrays])
    _check(sample.name, ours, theirs, DIFFERS_TABLE)


@pytest.mark.parametrize("name", sorted(EVERYDAY))
def test_everyday_graph_as_torch(name):
    fn = EVERYDAY[name]
    _check(name, _everyday(ag, agF, fn), _everyday(torch, tF, fn), DIFFERS_EVERYDAY)


def test_listed_differences_are_cases():
    assert set(DIFFERS_TABLE) <= {c[0].name for c in TABLE}
    assert set(DIFFERS_EVERYDAY) <= set(EVERYDAY)


def _walk(node, depth=0):
    """The whole graph below ``node``: names, edges and output indices, leaves included."""
    if node is None:
        return None
    return (node.name(), tuple((_walk(f, depth + 1), i) for f, i in node.next_functions))


#: everyday calls whose whole graph, not only the last node, is PyTorch's
WHOLE = ("normalize 2**x x**y t view sum_dim mean_dim max amax clamp_min_ clamp_max_ pad triu "
         "logsumexp x@y.T mv vv squeeze_none unsqueeze transpose x[1:] x[None] setitem "
         "softmax log_softmax mse_loss layer_norm_w prod_dim round_dec div_floor").split()


@pytest.mark.parametrize("name", WHOLE)
def test_whole_graph_as_torch(name):
    fn = EVERYDAY[name]
    graphs = []
    for lib, F in ((ag, agF), (torch, tF)):
        rng = np.random.default_rng(0)
        x = lib.tensor(rng.standard_normal((3, 4)), requires_grad=True)
        y = lib.tensor(rng.standard_normal((3, 4)), requires_grad=True)
        graphs.append(_walk(fn(lib, F, x, y).grad_fn))
    assert graphs[0] == graphs[1]
