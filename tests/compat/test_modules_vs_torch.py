"""Every ``nn`` module class that ``torch.nn`` also has, against PyTorch's, with copied weights.

For each class (found by listing both packages, so a new class without a case fails
``test_every_shared_class_is_covered``), constructor configurations (defaults, then the
non-default options): build both, check the ``state_dict`` keys, order and shapes, the
``named_parameters``/``named_buffers``/``named_modules`` names and ``repr``, copy PyTorch's
``state_dict`` into ours, then run float64 inputs twice in training mode and once in eval
mode: outputs (values and dtypes), the gradients of every input and parameter for a random
upstream gradient, and the ``state_dict`` after each call (running statistics,
``num_batches_tracked``, ``max_norm``'s in-place renorm) must agree to rtol 1e-10. Also: the
class hierarchy (``isinstance`` against public classes and PyTorch's private bases through
``nn.modules.<file>``) and loading a checkpoint into a lazy module before its first call.

Found by it and fixed: Embedding/EmbeddingBag, ParameterList/ParameterDict and
Hardsigmoid/Hardswish reprs; ParameterDict's order for a plain dict (sorted, as PyTorch's);
siblings derived from one another (Dropout2d was an nn.Dropout, CELU an ELU, ...) and
missing private bases; convert_sync_batchnorm skipping BatchNorm2d/3d; lazy modules refusing
a checkpoint; a batch norm without parameters or statistics refusing another channel count.
"""

import numpy as np
import pytest

import autograd_core as ag
import nn

pytestmark = [
    pytest.mark.torch_parity,
    # both libraries warn alike here (implicit softmax dim, KLDivLoss "mean"; PyTorch's nested tensors)
    pytest.mark.filterwarnings("ignore:Implicit dimension choice:UserWarning"),
    pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning"),
    pytest.mark.filterwarnings("ignore:enable_nested_tensor is True:UserWarning"),
    # AdaptiveLogSoftmaxWithLoss's cluster of hidden size 0 (both initialise nothing)
    pytest.mark.filterwarnings("ignore:Initializing zero-element tensors:UserWarning"),
]
torch = pytest.importorskip("torch")

import compat_programs as cp  # noqa: E402
TN = torch.nn

RTOL, ATOL = 1e-10, 1e-12


def _module_classes(pkg, base):
    return {n for n in dir(pkg) if isinstance(getattr(pkg, n), type) and issubclass(getattr(pkg, n), base)}


SHARED = sorted(_module_classes(nn, nn.Module) & _module_classes(TN, TN.Module))

# shared classes without a case here, and why
SKIP = {
    "Module": "the abstract base; every case below runs through it",
}
# deliberate differences (autograd_core/DIFFERENCES.md): gradients compared to rtol 1e-7 only
LOOSE_GRADS = {
    "CELU": "PyTorch's gradient uses 1/alpha rounded to float32, even in float64; ours is exact",
    "Hardsigmoid": "PyTorch's slope is 1/6 rounded to float32, even in float64; ours is exact",
}


@pytest.fixture(autouse=True)
def _float64_by_default():
    with cp.default_dtype("float64", torch, ag):
        yield


# ---- inputs: each spec maps a numpy Generator to (array, requires_grad)

def F(*s):
    return lambda r: (r.standard_normal(s), True)


def Pos(*s):
    return lambda r: (r.uniform(0.5, 2.0, s), True)


def Prob(*s):
    return lambda r: (r.uniform(0.05, 0.95, s), True)


def Int(hi, *s, lo=0):
    return lambda r: (r.integers(lo, hi, s), False)


def Const(a):
    return lambda r: (np.asarray(a), False)


def Sign(*s):
    return lambda r: (np.where(r.standard_normal(s) > 0, 1.0, -1.0), False)


def Fixed(spec):
    return lambda r: (spec(r)[0], False)


def LogProbs(*s):
    def draw(r):
        z = r.standard_normal(s)
        return z - np.log(np.exp(z).sum(-1, keepdims=True)), True
    return draw


def Pooled(fn, shape, *args):
    """a max-pool's output and indices (for MaxUnpool), drawn through PyTorch's pooling"""
    def draw(r):
        out, idx = fn(torch.tensor(r.standard_normal(shape)), *args, return_indices=True)
        return [(out.numpy(), True), (idx.numpy(), False)]
    return draw


class Case:
    """``ctor(M)`` builds the module from ``M`` (``torch.nn`` or ``nn``); ``inputs`` are
    specs for the positional arguments, ``kw`` for keyword ones; ``call(module, inputs,
    keywords)`` replaces the plain call; ``train=False``: random in training mode, compared
    in eval mode only; ``lazy``: a lazy module, materialised by a first call."""

    def __init__(self, ctor, *inputs, train=True, lazy=False, kw=None, forward=True, call=None):
        self.ctor, self.inputs, self.train, self.lazy = ctor, inputs, train, lazy
        self.kw, self.forward, self.call = kw or {}, forward, call

    def draw(self, seed):
        r = np.random.default_rng(seed)
        out = []
        for spec in self.inputs:
            got = spec(r)
            out.extend(got if isinstance(got, list) else [got])
        kw = {k: spec(r) for k, spec in self.kw.items()}
        return out, kw


C = Case
_MP1, _MP2, _MP3 = TN.functional.max_pool1d, TN.functional.max_pool2d, TN.functional.max_pool3d


def _seq(M):
    return M.Sequential(M.Linear(3, 4), M.Tanh(), M.Linear(4, 2))


def _shared_seq(M):
    # one Linear twice and a Parameter shared with another layer: deduplicated in
    # named_parameters/named_modules, listed under every name in state_dict
    lin, other = M.Linear(3, 3), M.Linear(3, 3, bias=False)
    other.weight = lin.weight
    return M.Sequential(lin, M.Tanh(), lin, other)


def _enc_layer(M, **kw):
    return M.TransformerEncoderLayer(8, 2, dim_feedforward=6, dropout=0.0, **kw)


def _dec_layer(M, **kw):
    return M.TransformerDecoderLayer(8, 2, dim_feedforward=6, dropout=0.0, **kw)


def _packed(m, x, kw):
    """runs m on x[0] packed with lengths x[1] (enforce_sorted=False), an initial state x[2:]"""
    utils = TN.utils.rnn if isinstance(x[0], torch.Tensor) else nn.utils.rnn
    packed = utils.pack_padded_sequence(x[0], x[1], batch_first=m.batch_first, enforce_sorted=False)
    state = None if len(x) == 2 else x[2] if len(x) == 3 else tuple(x[2:])
    out, h = m(packed, state)
    return utils.pad_packed_sequence(out, batch_first=m.batch_first), h


def _causal(n):
    return lambda r: (np.triu(np.full((n, n), -np.inf), 1), False)


CASES = {
    # containers
    "Sequential": [C(_seq, F(2, 3)), C(_shared_seq, F(2, 3))],
    "ModuleList": [C(lambda M: M.ModuleList([M.Linear(2, 3), M.ReLU()]), forward=False)],
    "ModuleDict": [C(lambda M: M.ModuleDict({"b": M.Linear(2, 3), "a": M.BatchNorm1d(3)}), forward=False)],
    "ParameterList": [C(lambda M: M.ParameterList([M.Parameter(M.init.zeros_(M.Linear(2, 2).weight))]),
                        forward=False)],
    "ParameterDict": [C(lambda M: M.ParameterDict({"w": M.Linear(2, 3).weight, "b": M.Linear(2, 3).bias}),
                        forward=False)],
    "RNNBase": [C(lambda M: M.RNNBase("LSTM", 3, 4, num_layers=2), forward=False)],
    "RNNCellBase": [C(lambda M: M.RNNCellBase(3, 4, True, 3), forward=False)],
    # linear
    "Identity": [C(lambda M: M.Identity(3, unused=2), F(2, 3))],
    # without a GPU PyTorch's DataParallel runs its module as it is (state_dict keys "module.")
    "DataParallel": [C(lambda M: M.DataParallel(M.Linear(3, 2)), F(4, 3))],
    "Linear": [C(lambda M: M.Linear(3, 4), F(2, 3)), C(lambda M: M.Linear(3, 4, bias=False), F(2, 5, 3))],
    "Bilinear": [C(lambda M: M.Bilinear(3, 2, 4), F(5, 3), F(5, 2)),
                 C(lambda M: M.Bilinear(3, 2, 4, bias=False), F(5, 3), F(5, 2))],
    "LazyLinear": [C(lambda M: M.LazyLinear(4), F(2, 3), lazy=True)],
    "Flatten": [C(lambda M: M.Flatten(), F(2, 3, 4)), C(lambda M: M.Flatten(0, -2), F(2, 3, 4))],
    "Unflatten": [C(lambda M: M.Unflatten(1, (2, 3)), F(2, 6, 2)), C(lambda M: M.Unflatten(-1, (2, -1)), F(2, 6))],
    # convolutions
    "Conv1d": [C(lambda M: M.Conv1d(2, 4, 3), F(2, 2, 7)), C(lambda M: M.Conv1d(2, 3, 2, padding="valid"), F(2, 7)),
               C(lambda M: M.Conv1d(2, 4, 3, stride=2, padding=2, dilation=2, bias=False,
                                    padding_mode="reflect"), F(2, 2, 9)),
               C(lambda M: M.Conv1d(4, 4, 3, padding="same", groups=2, padding_mode="circular"), F(2, 4, 6))],
    "Conv2d": [C(lambda M: M.Conv2d(2, 3, 3), F(2, 2, 5, 5)), C(lambda M: M.Conv2d(2, 3, 2, stride=2), F(2, 5, 4)),
               C(lambda M: M.Conv2d(2, 4, (2, 3), stride=(2, 1), padding=(1, 2), groups=2,
                                    padding_mode="replicate"), F(1, 2, 5, 6)),
               C(lambda M: M.Conv2d(2, 3, 3, padding="same", dilation=2, bias=False, padding_mode="circular"),
                 F(1, 2, 6, 6))],
    "Conv3d": [C(lambda M: M.Conv3d(2, 2, 2), F(1, 2, 3, 4, 3)),
               C(lambda M: M.Conv3d(2, 2, 3, padding=1, stride=2, bias=False, padding_mode="reflect"),
                 F(1, 2, 4, 4, 4))],
    "ConvTranspose1d": [C(lambda M: M.ConvTranspose1d(2, 3, 3), F(2, 2, 5)),
                        C(lambda M: M.ConvTranspose1d(4, 2, 3, stride=2, padding=1, output_padding=1,
                                                      groups=2, bias=False, dilation=2), F(1, 4, 5))],
    "ConvTranspose2d": [C(lambda M: M.ConvTranspose2d(2, 3, 3), F(1, 2, 3, 4)),
                        C(lambda M: M.ConvTranspose2d(2, 3, 3, stride=2), F(2, 3, 3), call=lambda m, x, kw: m(
                            x[0], output_size=[8, 7])),
                        C(lambda M: M.ConvTranspose2d(2, 3, 3, stride=3, padding=1), F(1, 2, 3, 3),
                          call=lambda m, x, kw: m(x[0], output_size=(1, 3, 9, 8))),
                        C(lambda M: M.ConvTranspose2d(2, 4, (2, 3), stride=(2, 3), padding=(1, 0),
                                                      output_padding=(1, 2), groups=2), F(1, 2, 3, 3))],
    "ConvTranspose3d": [C(lambda M: M.ConvTranspose3d(2, 2, 2, stride=2, bias=False), F(1, 2, 2, 3, 2))],
    "LazyConv1d": [C(lambda M: M.LazyConv1d(3, 2), F(2, 2, 5), lazy=True)],
    "LazyConv2d": [C(lambda M: M.LazyConv2d(3, 2, padding=1), F(1, 2, 4, 4), lazy=True)],
    "LazyConv3d": [C(lambda M: M.LazyConv3d(2, 2, bias=False), F(1, 2, 3, 3, 3), lazy=True)],
    "LazyConvTranspose1d": [C(lambda M: M.LazyConvTranspose1d(3, 2, stride=2), F(2, 2, 4), lazy=True)],
    "LazyConvTranspose2d": [C(lambda M: M.LazyConvTranspose2d(3, 2), F(1, 2, 3, 3), lazy=True)],
    "LazyConvTranspose3d": [C(lambda M: M.LazyConvTranspose3d(2, 2), F(1, 2, 2, 2, 2), lazy=True)],
    "Fold": [C(lambda M: M.Fold((4, 5), 2), F(2, 8, 12)), C(lambda M: M.Fold(3, 2), F(4, 4)),
             C(lambda M: M.Fold((5, 5), (2, 3), dilation=1, padding=1, stride=2), F(1, 12, 9))],
    "Unfold": [C(lambda M: M.Unfold(2), F(2, 2, 4, 5)), C(lambda M: M.Unfold(2), F(2, 3, 3)),
               C(lambda M: M.Unfold((2, 3), dilation=2, padding=1, stride=(2, 1)), F(1, 2, 5, 6))],
    # activations
    "ReLU": [C(lambda M: M.ReLU(), F(3, 4))],
    "ReLU6": [C(lambda M: M.ReLU6(), lambda r: (4 * r.standard_normal((3, 4)), True))],
    "ELU": [C(lambda M: M.ELU(), F(3, 4)), C(lambda M: M.ELU(alpha=0.7), F(3, 4))],
    "CELU": [C(lambda M: M.CELU(), F(3, 4)), C(lambda M: M.CELU(alpha=1.3), F(3, 4))],
    "SELU": [C(lambda M: M.SELU(), F(3, 4))],
    "GELU": [C(lambda M: M.GELU(), F(3, 4)), C(lambda M: M.GELU(approximate="tanh"), F(3, 4))],
    "GLU": [C(lambda M: M.GLU(), F(3, 4)), C(lambda M: M.GLU(dim=0), F(4, 3))],
    "SiLU": [C(lambda M: M.SiLU(), F(3, 4))],
    "Mish": [C(lambda M: M.Mish(), F(3, 4))],
    "Sigmoid": [C(lambda M: M.Sigmoid(), F(3, 4))],
    "Tanh": [C(lambda M: M.Tanh(), F(3, 4))],
    "LogSigmoid": [C(lambda M: M.LogSigmoid(), F(3, 4))],
    "Hardsigmoid": [C(lambda M: M.Hardsigmoid(), lambda r: (4 * r.standard_normal((3, 4)), True)),
                    C(lambda M: M.Hardsigmoid(inplace=True), forward=False)],
    "Hardswish": [C(lambda M: M.Hardswish(), lambda r: (4 * r.standard_normal((3, 4)), True)),
                  C(lambda M: M.Hardswish(inplace=True), forward=False)],
    "Hardtanh": [C(lambda M: M.Hardtanh(), F(3, 4)), C(lambda M: M.Hardtanh(-0.5, 0.7), F(3, 4))],
    "Hardshrink": [C(lambda M: M.Hardshrink(), F(3, 4)), C(lambda M: M.Hardshrink(0.3), F(3, 4))],
    "Softshrink": [C(lambda M: M.Softshrink(), F(3, 4)), C(lambda M: M.Softshrink(0.3), F(3, 4))],
    "Softsign": [C(lambda M: M.Softsign(), F(3, 4))],
    "Softplus": [C(lambda M: M.Softplus(), F(3, 4)), C(lambda M: M.Softplus(beta=2.0, threshold=1.0), F(3, 4))],
    "Tanhshrink": [C(lambda M: M.Tanhshrink(), F(3, 4))],
    "Threshold": [C(lambda M: M.Threshold(0.1, 20.0), F(3, 4)), C(lambda M: M.Threshold(-0.5, -2.0), F(3, 4))],
    "LeakyReLU": [C(lambda M: M.LeakyReLU(), F(3, 4)), C(lambda M: M.LeakyReLU(0.2), F(3, 4))],
    "PReLU": [C(lambda M: M.PReLU(), F(2, 3, 4)), C(lambda M: M.PReLU(3, init=0.1), F(2, 3, 4)),
              C(lambda M: M.PReLU(4), F(3, 4))],
    "RReLU": [C(lambda M: M.RReLU(), F(3, 4), train=False), C(lambda M: M.RReLU(0.1, 0.2), F(3, 4), train=False)],
    "Softmax": [C(lambda M: M.Softmax(dim=1), F(3, 4)), C(lambda M: M.Softmax(dim=0), F(3, 4)),
                C(lambda M: M.Softmax(), F(2, 3, 4))],
    "Softmin": [C(lambda M: M.Softmin(dim=1), F(3, 4)), C(lambda M: M.Softmin(), F(2, 3, 4, 2))],
    "LogSoftmax": [C(lambda M: M.LogSoftmax(dim=1), F(3, 4)), C(lambda M: M.LogSoftmax(dim=-1), F(2, 3, 4)),
                   C(lambda M: M.LogSoftmax(), F(2, 3, 4))],
    "Softmax2d": [C(lambda M: M.Softmax2d(), F(2, 3, 2, 2)), C(lambda M: M.Softmax2d(), F(3, 2, 2))],
    "MultiheadAttention": [
        C(lambda M: M.MultiheadAttention(8, 2), F(3, 2, 8), F(4, 2, 8), F(4, 2, 8)),
        C(lambda M: M.MultiheadAttention(8, 2, bias=False, kdim=5, vdim=3, batch_first=True),
          F(2, 3, 8), F(2, 4, 5), F(2, 4, 3), kw={"need_weights": Const(False)}),
        C(lambda M: M.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True),
          F(3, 2, 8), F(4, 2, 8), F(4, 2, 8), kw={"average_attn_weights": Const(False)}),
        C(lambda M: M.MultiheadAttention(6, 3, batch_first=True), F(2, 3, 6), F(2, 4, 6), F(2, 4, 6),
          kw={"key_padding_mask": Const([[False, False, True, False], [False, True, True, False]]),
              "attn_mask": Const(np.tril(np.ones((3, 4), bool), 1) == 0)}),
        C(lambda M: M.MultiheadAttention(6, 2), F(3, 6), F(4, 6), F(4, 6),
          kw={"attn_mask": F(3, 4)}),
        C(lambda M: M.MultiheadAttention(6, 2, dropout=0.0), F(3, 2, 6), F(3, 2, 6), F(3, 2, 6),
          kw={"attn_mask": _causal(3), "is_causal": Const(True), "key_padding_mask": F(2, 3)}),
    ],
    # dropout: random in training mode, so compared in eval mode only (and p=0 in training)
    "Dropout": [C(lambda M: M.Dropout(), F(3, 4), train=False), C(lambda M: M.Dropout(0.0), F(3, 4))],
    "Dropout1d": [C(lambda M: M.Dropout1d(), F(2, 3, 4), train=False), C(lambda M: M.Dropout1d(0.0), F(2, 3, 4))],
    "Dropout2d": [C(lambda M: M.Dropout2d(0.3), F(2, 3, 2, 2), train=False),
                  C(lambda M: M.Dropout2d(0.0), F(2, 3, 2, 2))],
    "Dropout3d": [C(lambda M: M.Dropout3d(), F(2, 3, 2, 2, 2), train=False), C(lambda M: M.Dropout3d(0.0), F(3, 2, 2, 2))],
    "AlphaDropout": [C(lambda M: M.AlphaDropout(0.2), F(3, 4), train=False),
                     C(lambda M: M.AlphaDropout(0.0), F(3, 4))],
    "FeatureAlphaDropout": [C(lambda M: M.FeatureAlphaDropout(0.2), F(2, 3, 4), train=False),
                            C(lambda M: M.FeatureAlphaDropout(0.0), F(2, 3, 4))],
    # normalisation
    "BatchNorm1d": [C(lambda M: M.BatchNorm1d(3), F(4, 3)),
                    C(lambda M: M.BatchNorm1d(3, momentum=None, affine=False), F(4, 3, 5)),
                    C(lambda M: M.BatchNorm1d(3, eps=1e-3, momentum=0.3, track_running_stats=False), F(4, 3))],
    "BatchNorm2d": [C(lambda M: M.BatchNorm2d(3), F(2, 3, 2, 3)),
                    C(lambda M: M.BatchNorm2d(3, affine=False, track_running_stats=False), F(2, 3, 2, 2)),
                    # nothing sized by num_features: any channel count (PyTorch's does not check)
                    C(lambda M: M.BatchNorm2d(3, affine=False, track_running_stats=False), F(2, 4, 2, 2))],
    "BatchNorm3d": [C(lambda M: M.BatchNorm3d(2, momentum=None), F(2, 2, 2, 2, 2))],
    # without a process group: the batch norm's computation in training too
    "SyncBatchNorm": [C(lambda M: M.SyncBatchNorm(3), F(4, 3, 2)),
                      C(lambda M: M.SyncBatchNorm(2, momentum=None, affine=False), F(3, 2, 2, 2))],
    "LazyBatchNorm1d": [C(lambda M: M.LazyBatchNorm1d(), F(4, 3), lazy=True)],
    "LazyBatchNorm2d": [C(lambda M: M.LazyBatchNorm2d(affine=False), F(2, 3, 2, 2), lazy=True)],
    "LazyBatchNorm3d": [C(lambda M: M.LazyBatchNorm3d(momentum=None), F(2, 2, 2, 2, 2), lazy=True)],
    "InstanceNorm1d": [C(lambda M: M.InstanceNorm1d(3), F(2, 3, 5)),
                       C(lambda M: M.InstanceNorm1d(3, affine=True, track_running_stats=True), F(2, 3, 5))],
    "InstanceNorm2d": [C(lambda M: M.InstanceNorm2d(3), F(2, 3, 3, 2)),
                       C(lambda M: M.InstanceNorm2d(3, affine=True, track_running_stats=True, momentum=0.3),
                         F(2, 3, 2, 3))],
    "InstanceNorm3d": [C(lambda M: M.InstanceNorm3d(2, affine=True), F(2, 2, 2, 2, 2)),
                       C(lambda M: M.InstanceNorm3d(2, track_running_stats=True, momentum=None), F(2, 2, 2, 2, 3))],
    "LazyInstanceNorm1d": [C(lambda M: M.LazyInstanceNorm1d(affine=True), F(2, 3, 5), lazy=True)],
    "LazyInstanceNorm2d": [C(lambda M: M.LazyInstanceNorm2d(track_running_stats=True), F(2, 3, 2, 2), lazy=True)],
    "LazyInstanceNorm3d": [C(lambda M: M.LazyInstanceNorm3d(), F(1, 2, 2, 2, 2), lazy=True)],
    "LayerNorm": [C(lambda M: M.LayerNorm(4), F(3, 4)),
                  C(lambda M: M.LayerNorm((3, 4), elementwise_affine=False), F(2, 3, 4)),
                  C(lambda M: M.LayerNorm(4, bias=False, eps=1e-3), F(2, 4))],
    "GroupNorm": [C(lambda M: M.GroupNorm(2, 4), F(3, 4, 5)), C(lambda M: M.GroupNorm(2, 4, affine=False), F(2, 4, 2, 2)),
                  C(lambda M: M.GroupNorm(1, 3, eps=1e-2), F(2, 3))],
    "RMSNorm": [C(lambda M: M.RMSNorm(4), F(3, 4)), C(lambda M: M.RMSNorm([3, 4], eps=1e-3), F(2, 3, 4)),
                C(lambda M: M.RMSNorm(4, elementwise_affine=False), F(2, 4))],
    "LocalResponseNorm": [C(lambda M: M.LocalResponseNorm(3), F(2, 5, 4)),
                          C(lambda M: M.LocalResponseNorm(4), F(1, 5, 2, 2, 2)),
                          C(lambda M: M.LocalResponseNorm(2, alpha=0.1, beta=0.5, k=2.0), F(1, 4, 3, 3))],
    # pooling
    "MaxPool1d": [C(lambda M: M.MaxPool1d(2), F(2, 3, 8)),
                  C(lambda M: M.MaxPool1d(3, stride=2, padding=1, dilation=2, ceil_mode=True), F(1, 2, 9)),
                  C(lambda M: M.MaxPool1d(2, return_indices=True), F(2, 2, 6))],
    "MaxPool2d": [C(lambda M: M.MaxPool2d(2), F(1, 2, 4, 5)), C(lambda M: M.MaxPool2d(2, return_indices=True), F(2, 3, 5)),
                  C(lambda M: M.MaxPool2d((2, 3), stride=1, padding=1, return_indices=True, ceil_mode=True),
                    F(1, 2, 4, 5))],
    "MaxPool3d": [C(lambda M: M.MaxPool3d(2, return_indices=True), F(1, 2, 4, 4, 3)),
                  C(lambda M: M.MaxPool3d(3, stride=2, padding=1, dilation=(1, 2, 1), ceil_mode=True), F(1, 5, 6, 4))],
    "AvgPool1d": [C(lambda M: M.AvgPool1d(2), F(2, 3, 7)),
                  C(lambda M: M.AvgPool1d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
                    F(1, 2, 8))],
    "AvgPool2d": [C(lambda M: M.AvgPool2d(2), F(1, 2, 4, 5)),
                  C(lambda M: M.AvgPool2d(3, stride=2, padding=1, divisor_override=2), F(1, 2, 5, 5)),
                  C(lambda M: M.AvgPool2d(2, padding=1, ceil_mode=True, count_include_pad=False), F(1, 2, 5, 4)),
                  C(lambda M: M.AvgPool2d(3, stride=2, padding=1, ceil_mode=True), F(1, 2, 6, 5))],
    "AvgPool3d": [C(lambda M: M.AvgPool3d(2, stride=1, padding=1, count_include_pad=False), F(1, 2, 3, 3, 2)),
                  C(lambda M: M.AvgPool3d((2, 3, 2), stride=2, ceil_mode=True, divisor_override=3), F(2, 3, 5, 3))],
    # forward's (output, loss); log_prob and predict (the head picks clusters for some rows, all
    # rows, or none); an unbatched input; a cluster whose hidden size is 0 (8 // 4**2)
    "AdaptiveLogSoftmaxWithLoss": [
        C(lambda M: M.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6]), F(5, 8), Int(10, 5)),
        C(lambda M: M.AdaptiveLogSoftmaxWithLoss(8, 12, [2, 5, 9], div_value=2.0, head_bias=True),
          F(6, 8), Int(12, 6)),
        C(lambda M: M.AdaptiveLogSoftmaxWithLoss(8, 12, [2, 5, 9], div_value=2.0), F(8), Int(12)),
        *[C(lambda M: M.AdaptiveLogSoftmaxWithLoss(4, 9, [1, 4], div_value=1.0, head_bias=True),
            F(7, 4), call=lambda m, ins, kw, b=b: (m.log_prob(ins[0]), m.predict(ins[0]),
                                                  m.predict(ins[0] + b)))
          for b in (0.0, 30.0)]],
    # fixed _random_samples (a buffer, copied with the state_dict); the drawn ones are
    # ag.rand's, compared in tests/nn/test_fractional_max_pool.py
    "FractionalMaxPool2d": [
        C(lambda M: M.FractionalMaxPool2d(2, output_size=(3, 4),
                                          _random_samples=_samples(M, (2, 3, 2))), F(2, 3, 7, 8)),
        C(lambda M: M.FractionalMaxPool2d((3, 2), output_ratio=0.5, return_indices=True,
                                          _random_samples=_samples(M, (1, 2, 2))), F(2, 9, 7))],
    "FractionalMaxPool3d": [
        C(lambda M: M.FractionalMaxPool3d(2, output_size=(2, 3, 2), return_indices=True,
                                          _random_samples=_samples(M, (2, 2, 3))), F(2, 2, 5, 6, 4)),
        C(lambda M: M.FractionalMaxPool3d((1, 2, 3), output_ratio=(0.5, 0.6, 0.4),
                                          _random_samples=_samples(M, (1, 3, 3))), F(3, 4, 6, 8))],
    "AdaptiveAvgPool1d": [C(lambda M: M.AdaptiveAvgPool1d(3), F(2, 3, 7)), C(lambda M: M.AdaptiveAvgPool1d(4), F(3, 6))],
    "AdaptiveAvgPool2d": [C(lambda M: M.AdaptiveAvgPool2d((2, 3)), F(1, 2, 5, 7)),
                          C(lambda M: M.AdaptiveAvgPool2d((None, 2)), F(1, 2, 3, 5))],
    "AdaptiveAvgPool3d": [C(lambda M: M.AdaptiveAvgPool3d(2), F(1, 2, 3, 4, 5)),
                          C(lambda M: M.AdaptiveAvgPool3d((3, None, 4)), F(2, 2, 3, 2))],
    "AdaptiveMaxPool1d": [C(lambda M: M.AdaptiveMaxPool1d(3), F(2, 3, 7)),
                          C(lambda M: M.AdaptiveMaxPool1d(2, return_indices=True), F(1, 2, 5))],
    "AdaptiveMaxPool2d": [C(lambda M: M.AdaptiveMaxPool2d((2, 3), return_indices=True), F(1, 2, 5, 7))],
    "AdaptiveMaxPool3d": [C(lambda M: M.AdaptiveMaxPool3d(2), F(1, 2, 3, 4, 5)),
                          C(lambda M: M.AdaptiveMaxPool3d((3, 1, 4), return_indices=True), F(2, 2, 3, 2))],
    "LPPool1d": [C(lambda M: M.LPPool1d(2, 3), F(2, 3, 7)), C(lambda M: M.LPPool1d(1.5, 2, ceil_mode=True),
                                                              Pos(1, 2, 7))],
    "LPPool2d": [C(lambda M: M.LPPool2d(2, 2), F(1, 2, 4, 5)), C(lambda M: M.LPPool2d(2, 2, ceil_mode=True), F(2, 5, 5)), C(lambda M: M.LPPool2d(3, (2, 3), stride=1),
                                                                 Pos(1, 2, 3, 4))],
    "LPPool3d": [C(lambda M: M.LPPool3d(2, 2), F(1, 2, 4, 4, 2)), C(lambda M: M.LPPool3d(1.5, (2, 1, 2), stride=1), Pos(2, 3, 2, 3))],
    "MaxUnpool1d": [C(lambda M: M.MaxUnpool1d(2), Pooled(_MP1, (2, 2, 6), 2)),
                    C(lambda M: M.MaxUnpool1d(3, stride=2, padding=1), Pooled(_MP1, (1, 2, 7), 3, 2, 1))],
    "MaxUnpool2d": [C(lambda M: M.MaxUnpool2d(2), Pooled(_MP2, (1, 2, 4, 4), 2)),
                    C(lambda M: M.MaxUnpool2d(2), Pooled(_MP2, (1, 2, 5, 5), 2), call=lambda m, x, kw: m(
                        x[0], x[1], output_size=(5, 5)))],
    "MaxUnpool3d": [C(lambda M: M.MaxUnpool3d(2), Pooled(_MP3, (1, 2, 4, 2, 2), 2))],
    # padding
    "ZeroPad1d": [C(lambda M: M.ZeroPad1d(2), F(2, 3, 4)), C(lambda M: M.ZeroPad1d((1, 0)), F(3, 4))],
    "ZeroPad2d": [C(lambda M: M.ZeroPad2d((1, 0, 2, 1)), F(1, 2, 3, 3))],
    "ZeroPad3d": [C(lambda M: M.ZeroPad3d(1), F(1, 2, 2, 2, 2))],
    "ConstantPad1d": [C(lambda M: M.ConstantPad1d((2, 1), 3.5), F(2, 3, 4))],
    "ConstantPad2d": [C(lambda M: M.ConstantPad2d(1, -1.0), F(1, 2, 3, 3)),
                      C(lambda M: M.ConstantPad2d((-1, 2, 0, -1), 2.0), F(1, 2, 3, 3))],
    "ConstantPad3d": [C(lambda M: M.ConstantPad3d((1, 0, 0, 1, 1, 1), 0.5), F(1, 2, 2, 2, 2))],
    "ReflectionPad1d": [C(lambda M: M.ReflectionPad1d((2, 1)), F(2, 3, 4))],
    "ReflectionPad2d": [C(lambda M: M.ReflectionPad2d(1), F(1, 2, 3, 3)),
                        C(lambda M: M.ReflectionPad2d((2, 0, 1, 2)), F(2, 3, 4))],
    "ReflectionPad3d": [C(lambda M: M.ReflectionPad3d(1), F(1, 2, 2, 3, 2))],
    "ReplicationPad1d": [C(lambda M: M.ReplicationPad1d((2, 1)), F(2, 3, 4))],
    "ReplicationPad2d": [C(lambda M: M.ReplicationPad2d((1, 2, 0, 3)), F(1, 2, 3, 3))],
    "ReplicationPad3d": [C(lambda M: M.ReplicationPad3d(1), F(1, 2, 2, 3, 2))],
    "CircularPad1d": [C(lambda M: M.CircularPad1d((2, 1)), F(2, 3, 4))],
    "CircularPad2d": [C(lambda M: M.CircularPad2d(1), F(1, 2, 3, 3))],
    "CircularPad3d": [C(lambda M: M.CircularPad3d((1, 0, 1, 1, 0, 1)), F(1, 2, 2, 3, 2))],
    # recurrent
    "RNN": [C(lambda M: M.RNN(3, 4), F(5, 2, 3)),
            C(lambda M: M.RNN(3, 4, nonlinearity="relu", batch_first=True), F(3, 4, 3), Const([4, 2, 3]), call=_packed),
            C(lambda M: M.RNN(3, 4, num_layers=2, bidirectional=True), F(5, 2, 3), F(4, 2, 4)),
            C(lambda M: M.RNN(3, 4, num_layers=2, nonlinearity="relu", bias=False, batch_first=True), F(2, 5, 3),
              F(2, 2, 4)),
            C(lambda M: M.RNN(3, 4, bidirectional=True), F(5, 3))],
    "LSTM": [C(lambda M: M.LSTM(3, 4), F(5, 2, 3)),
             C(lambda M: M.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True), F(2, 5, 3)),
             C(lambda M: M.LSTM(3, 4, proj_size=2, bias=False), F(4, 2, 3)),
             C(lambda M: M.LSTM(3, 4, num_layers=2, proj_size=3, bidirectional=True), F(4, 2, 3), F(4, 2, 3),
               F(4, 2, 4), call=lambda m, x, kw: m(x[0], (x[1], x[2]))),
             C(lambda M: M.LSTM(3, 4, batch_first=True), F(5, 3), F(1, 4), F(1, 4),
               call=lambda m, x, kw: m(x[0], (x[1], x[2]))),
             C(lambda M: M.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True, proj_size=2),
               F(3, 5, 3), Const([2, 5, 4]), call=_packed),
             C(lambda M: M.LSTM(3, 4), F(4, 3, 3), Const([4, 1, 3]), F(1, 3, 4), F(1, 3, 4), call=_packed)],
    "GRU": [C(lambda M: M.GRU(3, 4), F(5, 2, 3)),
            C(lambda M: M.GRU(3, 4, num_layers=2, bidirectional=True), F(5, 3, 3), Const([3, 5, 1]), F(4, 3, 4),
              call=_packed),
            C(lambda M: M.GRU(3, 4, num_layers=2, batch_first=True, bidirectional=True), F(2, 5, 3), F(4, 2, 4))],
    "RNNCell": [C(lambda M: M.RNNCell(3, 4), F(2, 3)), C(lambda M: M.RNNCell(3, 4, False, "relu"), F(2, 3), F(2, 4))],
    "LSTMCell": [C(lambda M: M.LSTMCell(3, 4), F(2, 3)), C(lambda M: M.LSTMCell(3, 4, bias=False), F(3)),
                 C(lambda M: M.LSTMCell(3, 4), F(2, 3), F(2, 4), F(2, 4), call=lambda m, x, kw: m(x[0], (x[1], x[2])))],
    "GRUCell": [C(lambda M: M.GRUCell(3, 4), F(2, 3)), C(lambda M: M.GRUCell(3, 4, bias=False), F(2, 3), F(2, 4))],
    # transformer
    "TransformerEncoderLayer": [
        C(lambda M: _enc_layer(M), F(3, 2, 8)),
        C(lambda M: _enc_layer(M, activation="gelu", batch_first=True, norm_first=True, bias=False), F(2, 3, 8),
          kw={"src_mask": _causal(3)}),
        C(lambda M: _enc_layer(M, batch_first=True, layer_norm_eps=1e-3), F(2, 3, 8),
          kw={"src_key_padding_mask": Const([[False, False, True], [False, False, False]])}),
    ],
    "TransformerDecoderLayer": [
        C(lambda M: _dec_layer(M), F(3, 2, 8), F(4, 2, 8)),
        C(lambda M: _dec_layer(M, norm_first=True, batch_first=True), F(2, 3, 8), F(2, 4, 8),
          kw={"tgt_mask": _causal(3)}),
    ],
    "TransformerEncoder": [C(lambda M: M.TransformerEncoder(_enc_layer(M), 2, enable_nested_tensor=False),
                             F(3, 2, 8)),
                           C(lambda M: M.TransformerEncoder(_enc_layer(M), 2, norm=M.LayerNorm(8),
                                                            enable_nested_tensor=False), F(3, 2, 8))],
    "TransformerDecoder": [C(lambda M: M.TransformerDecoder(_dec_layer(M), 2, norm=M.LayerNorm(8)),
                             F(3, 2, 8), F(4, 2, 8))],
    "Transformer": [C(lambda M: M.Transformer(8, 2, 1, 1, 6, dropout=0.0), F(4, 2, 8), F(3, 2, 8)),
                    C(lambda M: M.Transformer(8, 2, 1, 1, 6, dropout=0.0, batch_first=True), F(2, 4, 8), F(2, 3, 8),
                      kw={"src_mask": _causal(4), "src_is_causal": Const(True), "memory_mask": F(3, 4),
                          "src_key_padding_mask": Const([[0, 0, 0, -np.inf], [0] * 4]),
                          "tgt_key_padding_mask": Const([[0, -np.inf, 0], [0] * 3])}),
                    C(lambda M: M.Transformer(8, 2, 1, 2, 6, dropout=0.0, activation="gelu"), F(4, 8), F(3, 8),
                      kw={"tgt_mask": _causal(3), "memory_key_padding_mask": Const([False, True, False, False]),
                          "tgt_is_causal": Const(True)}),
                    C(lambda M: M.Transformer(8, 2, 2, 1, 6, dropout=0.0, batch_first=True, norm_first=True),
                      F(2, 4, 8), F(2, 3, 8))],
    # sparse
    "Embedding": [C(lambda M: M.Embedding(5, 3), Int(5, 2, 4)),
                  C(lambda M: M.Embedding(5, 3, scale_grad_by_freq=True, norm_type=1.0), Const([[1, 0, 1], [3, 1, 1]])),
                  C(lambda M: M.Embedding(5, 3, padding_idx=1), Const([[1, 0, 1], [3, 4, 1]])),
                  C(lambda M: M.Embedding(5, 3, max_norm=1.0), Const([0, 2, 2, 4])),
                  C(lambda M: M.Embedding(5, 3, padding_idx=-1), Const([[4, 0, 4], [3, 4, 1]]))],
    "EmbeddingBag": [C(lambda M: M.EmbeddingBag(6, 3), Int(6, 2, 4)),
                     C(lambda M: M.EmbeddingBag(6, 3, mode="sum"), Const([1, 2, 4, 5, 4, 3]), Const([0, 2]),
                       Fixed(F(6))),
                     C(lambda M: M.EmbeddingBag(6, 3, mode="max", padding_idx=2), Const([1, 2, 4, 5, 2, 3]),
                       Const([0, 3, 4])),
                     C(lambda M: M.EmbeddingBag(6, 3, padding_idx=2, include_last_offset=True, max_norm=1.5),
                       Const([1, 2, 4, 5, 2, 3]), Const([0, 3, 4, 6])),
                     # repeated indices sorting last: PyTorch 2.13's CPU backward divides a row
                     # sorting after a repeated one by the wrong count (DIFFERENCES.md)
                     C(lambda M: M.EmbeddingBag(6, 3, mode="sum", scale_grad_by_freq=True),
                       Const([[1, 2, 5], [5, 3, 0]]), kw={"per_sample_weights": F(2, 3)}),
                     C(lambda M: M.EmbeddingBag(6, 3, scale_grad_by_freq=True), Const([0, 4, 2, 4, 4]), Const([0, 2])),
                     # an empty bag, a bag of padding only, a negative padding_idx
                     C(lambda M: M.EmbeddingBag(6, 3, padding_idx=-2), Const([1, 4, 4, 2, 3]), Const([0, 1, 1, 3])),
                     C(lambda M: M.EmbeddingBag(6, 3, mode="max"), Const([1, 4, 0, 2]), Const([0, 2, 2])),
                     C(lambda M: M.EmbeddingBag(6, 3, mode="sum", padding_idx=0, include_last_offset=True),
                       Const([1, 0, 0, 2, 5]), Const([0, 2, 5]), F(5))],
    # distance
    "CosineSimilarity": [C(lambda M: M.CosineSimilarity(), F(3, 4), F(3, 4)),
                         C(lambda M: M.CosineSimilarity(dim=0, eps=1e-4), F(3, 4), F(1, 4))],
    "PairwiseDistance": [C(lambda M: M.PairwiseDistance(), F(3, 4), F(3, 4)),
                         C(lambda M: M.PairwiseDistance(p=1.0, eps=1e-3, keepdim=True), F(3, 4), F(3, 4))],
    # shuffles, upsampling
    "ChannelShuffle": [C(lambda M: M.ChannelShuffle(2), F(1, 4, 2, 2)), C(lambda M: M.ChannelShuffle(3), F(2, 6, 2))],
    "PixelShuffle": [C(lambda M: M.PixelShuffle(2), F(1, 8, 2, 3)), C(lambda M: M.PixelShuffle(3), F(2, 1, 9, 2, 1))],
    "PixelUnshuffle": [C(lambda M: M.PixelUnshuffle(2), F(1, 2, 4, 6)), C(lambda M: M.PixelUnshuffle(3), F(2, 3, 6))],
    "Upsample": [C(lambda M: M.Upsample(scale_factor=2), F(1, 2, 3, 3)),
                 C(lambda M: M.Upsample(size=(5, 4), mode="bilinear", align_corners=True), F(1, 2, 3, 3)),
                 C(lambda M: M.Upsample(scale_factor=1.5, mode="bicubic"), F(1, 1, 4, 4)),
                 C(lambda M: M.Upsample(scale_factor=(1.5, 2, 0.7), mode="trilinear", recompute_scale_factor=True),
                   F(1, 1, 3, 2, 4)),
                 C(lambda M: M.Upsample(size=7, mode="linear"), F(1, 2, 3)),
                 C(lambda M: M.Upsample(scale_factor=1.7, mode="nearest-exact"), F(1, 2, 3, 2)),
                 C(lambda M: M.Upsample(size=(2, 3), mode="area"), F(1, 2, 5, 4)),
                 C(lambda M: M.Upsample(scale_factor=1.7), F(1, 2, 3, 4)),
                 C(lambda M: M.Upsample(scale_factor=(1.7, 0.6), mode="bilinear"), F(1, 2, 3, 5)),
                 C(lambda M: M.Upsample(scale_factor=2.5, mode="linear", align_corners=True), F(1, 2, 3))],
    "UpsamplingNearest2d": [C(lambda M: M.UpsamplingNearest2d(scale_factor=2), F(1, 2, 2, 3)),
                            C(lambda M: M.UpsamplingNearest2d(size=(5, 4)), F(1, 2, 2, 3))],
    "UpsamplingBilinear2d": [C(lambda M: M.UpsamplingBilinear2d(size=(4, 5)), F(1, 2, 2, 3)),
                             C(lambda M: M.UpsamplingBilinear2d(scale_factor=(1.5, 2)), F(2, 1, 3, 3))],
    # losses
    "L1Loss": [C(lambda M: M.L1Loss(), F(3, 4), F(3, 4)), C(lambda M: M.L1Loss(reduction="sum"), F(3, 4), F(3, 4))],
    "MSELoss": [C(lambda M: M.MSELoss(), F(3, 4), F(3, 4)), C(lambda M: M.MSELoss(reduction="none"), F(3, 4), F(3, 4))],
    "HuberLoss": [C(lambda M: M.HuberLoss(), F(3, 4), F(3, 4)),
                  C(lambda M: M.HuberLoss(reduction="sum", delta=0.5), F(3, 4), F(3, 4))],
    "SmoothL1Loss": [C(lambda M: M.SmoothL1Loss(), F(3, 4), F(3, 4)), C(lambda M: M.SmoothL1Loss(beta=0.0), F(3, 4), F(3, 4)),
                     C(lambda M: M.SmoothL1Loss(beta=0.5, reduction="none"), F(3, 4), F(3, 4))],
    "BCELoss": [C(lambda M: M.BCELoss(), Prob(3, 4), Prob(3, 4)),
                C(lambda M: M.BCELoss(weight=_class_weight(M, 4), reduction="sum"),
                  Prob(3, 4), Fixed(Prob(3, 4)))],
    "BCEWithLogitsLoss": [C(lambda M: M.BCEWithLogitsLoss(), F(3, 4), Prob(3, 4)),
                          C(lambda M: M.BCEWithLogitsLoss(reduction="none", pos_weight=_pos_weight(M)), F(3, 4),
                            Prob(3, 4))],
    "CrossEntropyLoss": [C(lambda M: M.CrossEntropyLoss(), F(3, 5), Const([1, 0, 4])),
                         C(lambda M: M.CrossEntropyLoss(ignore_index=1, label_smoothing=0.2, weight=_class_weight(M, 3)),
                           F(2, 3, 2, 2), Const([[[1, 0], [2, 1]], [[1, 1], [0, 0]]])),
                         C(lambda M: M.CrossEntropyLoss(ignore_index=0, reduction="sum", label_smoothing=0.1),
                           F(4, 5, 2), Const([[1, 0], [0, 2], [4, 4], [3, 0]])),
                         C(lambda M: M.CrossEntropyLoss(weight=_class_weight(M, 5)), F(3, 5), Prob(3, 5)),
                         C(lambda M: M.CrossEntropyLoss(weight=_class_weight(M, 5), ignore_index=2,
                                                        label_smoothing=0.2), F(4, 5), Const([2, 0, 4, 2])),
                         C(lambda M: M.CrossEntropyLoss(label_smoothing=0.3, reduction="none"), F(5), Fixed(Prob(5)))],
    "NLLLoss": [C(lambda M: M.NLLLoss(), LogProbs(3, 5), Const([1, 0, 4])),
                C(lambda M: M.NLLLoss(weight=_class_weight(M, 5), ignore_index=1, reduction="sum"), F(5), Const(1)),
                C(lambda M: M.NLLLoss(weight=_class_weight(M, 5), ignore_index=1), F(4, 5), Const([1, 0, 4, 3])),
                C(lambda M: M.NLLLoss(reduction="none"), F(2, 5, 3), Int(5, 2, 3))],
    "KLDivLoss": [C(lambda M: M.KLDivLoss(reduction="batchmean"), LogProbs(3, 4), Prob(3, 4)),
                  C(lambda M: M.KLDivLoss(), LogProbs(2, 3), Prob(2, 3)),
                  C(lambda M: M.KLDivLoss(reduction="sum", log_target=True), LogProbs(3, 4), LogProbs(3, 4))],
    "PoissonNLLLoss": [C(lambda M: M.PoissonNLLLoss(), F(3, 4), Pos(3, 4)),
                       C(lambda M: M.PoissonNLLLoss(full=True, eps=0.1), F(3, 4), Const([[0., 1., 2., 5.]] * 3)),
                       C(lambda M: M.PoissonNLLLoss(log_input=False, full=True, reduction="sum"), Pos(3, 4),
                         Pos(3, 4))],
    "GaussianNLLLoss": [C(lambda M: M.GaussianNLLLoss(), F(3, 4), F(3, 4), Pos(3, 4)),
                        C(lambda M: M.GaussianNLLLoss(full=True, reduction="sum", eps=1e-3), F(3, 4), F(3, 4),
                          Pos(3, 1))],
    "CTCLoss": [C(lambda M: M.CTCLoss(), Fixed(LogProbs(6, 2, 4)), Const([[1, 2, 1], [3, 3, 0]]), Const([6, 5]),
                  Const([3, 2])),
                C(lambda M: M.CTCLoss(reduction="none"), Fixed(LogProbs(5, 2, 4)), Const([1, 2, 1, 3, 3]),
                  Const([5, 5]), Const([3, 2])),
                C(lambda M: M.CTCLoss(blank=3, reduction="sum", zero_infinity=True), Fixed(LogProbs(4, 2, 4)),
                  Const([[1, 1, 1], [0, 2, 0]]), Const([4, 4]), Const([3, 2])),
                # an impossible alignment (zero_infinity), an empty target, shorter inputs
                C(lambda M: M.CTCLoss(zero_infinity=True, reduction="none"), Fixed(LogProbs(4, 3, 3)),
                  Const([[1, 1, 2], [2, 1, 1], [1, 2, 1]]), Const([3, 4, 2]), Const([3, 0, 2]))],
    "MarginRankingLoss": [C(lambda M: M.MarginRankingLoss(), F(5), F(5), Sign(5)),
                          C(lambda M: M.MarginRankingLoss(margin=0.3, reduction="sum"), F(5), F(5), Sign(5))],
    "HingeEmbeddingLoss": [C(lambda M: M.HingeEmbeddingLoss(), F(3, 4), Sign(3, 4)),
                           C(lambda M: M.HingeEmbeddingLoss(margin=0.5, reduction="none"), F(3, 4), Sign(3, 4))],
    "SoftMarginLoss": [C(lambda M: M.SoftMarginLoss(), F(3, 4), Sign(3, 4)),
                       C(lambda M: M.SoftMarginLoss(reduction="none"), F(3, 4), Fixed(F(3, 4)))],
    "CosineEmbeddingLoss": [C(lambda M: M.CosineEmbeddingLoss(), F(3, 4), F(3, 4), Sign(3)),
                            C(lambda M: M.CosineEmbeddingLoss(margin=0.2, reduction="sum"), F(3, 4), F(3, 4),
                              Sign(3))],
    "MultiLabelMarginLoss": [C(lambda M: M.MultiLabelMarginLoss(), F(2, 4), Const([[3, 0, -1, 1], [1, 2, 3, -1]])),
                             C(lambda M: M.MultiLabelMarginLoss(reduction="none"), F(3, 4),
                               Const([[-1, 0, 1, 2], [3, 3, -1, 0], [0, 1, 2, 3]])),
                             C(lambda M: M.MultiLabelMarginLoss(reduction="sum"), F(4), Const([2, 0, -1, 1]))],
    "MultiLabelSoftMarginLoss": [C(lambda M: M.MultiLabelSoftMarginLoss(), F(3, 4), Fixed(Prob(3, 4))),
                                 C(lambda M: M.MultiLabelSoftMarginLoss(weight=_class_weight(M, 4),
                                                                        reduction="none"), F(3, 4), Sign(3, 4))],
    "MultiMarginLoss": [C(lambda M: M.MultiMarginLoss(), F(3, 5), Const([1, 0, 4])),
                        C(lambda M: M.MultiMarginLoss(p=2, margin=0.5, weight=_class_weight(M, 5), reduction="sum"),
                          F(3, 5), Const([1, 0, 4]))],
    "TripletMarginLoss": [C(lambda M: M.TripletMarginLoss(), F(3, 4), F(3, 4), F(3, 4)),
                          C(lambda M: M.TripletMarginLoss(margin=0.5, p=1.0, swap=True, reduction="none"), F(3, 4),
                            F(3, 4), F(3, 4))],
    "TripletMarginWithDistanceLoss": [
        C(lambda M: M.TripletMarginWithDistanceLoss(), F(3, 4), F(3, 4), F(3, 4)),
        C(lambda M: M.TripletMarginWithDistanceLoss(distance_function=M.CosineSimilarity(), margin=0.5, swap=True,
                                                    reduction="sum"), F(3, 4), F(3, 4), F(3, 4))],
}


def _lib(M):
    return torch if M is TN else ag


def _pos_weight(M):
    return _lib(M).tensor([1.0, 2.0, 0.5, 3.0])


def _samples(M, shape):
    return _lib(M).tensor(np.random.default_rng(7).random(shape))


def _class_weight(M, n):
    return _lib(M).tensor(np.linspace(0.5, 2.0, n))


CASE_IDS = [(name, i) for name in sorted(CASES) for i in range(len(CASES[name]))]


def test_every_shared_class_is_covered():
    missing = [n for n in SHARED if n not in CASES and n not in SKIP]
    assert missing == []
    assert sorted(set(CASES) - set(SHARED)) == []


def _torch_private_bases(cls):
    """(file, name) of cls's private bases from torch/nn/modules/<file>.py"""
    for base in cls.__mro__[1:]:
        parts = base.__module__.split(".")
        if base.__name__.startswith("_") and parts[:3] == ["torch", "nn", "modules"] and len(parts) == 4:
            yield parts[3], base.__name__


# PyTorch's private bases not reproduced, and why
BASES_ALLOWED = {
    "_LazyNormBase": "the lazy norms are built on the project's LazyModuleMixin and the eager class",
    "_LazyConvXdMixin": "the lazy convolutions are built on the project's LazyModuleMixin and the eager class",
}
# public classes the project derives from another (an isinstance PyTorch's would not pass)
ANCESTORS_ALLOWED = {
    # until materialised; both become the eager class after the first call (cls_to_become)
    **{f"Lazy{k}{d}d": f"{k}{d}d" for k in ("BatchNorm", "InstanceNorm") for d in (1, 2, 3)},
}


def test_class_hierarchy_matches_torch():
    # isinstance(m, nn.Dropout), isinstance(m, nn.modules.dropout._DropoutNd), ... as PyTorch's
    problems = []
    for name in SHARED:
        ours, theirs = getattr(nn, name), getattr(TN, name)
        o = {b.__name__ for b in ours.__mro__[1:] if b.__name__ in SHARED} - {ANCESTORS_ALLOWED.get(name)}
        t = {b.__name__ for b in theirs.__mro__[1:] if b.__name__ in SHARED}
        if o != t:
            problems.append(f"{name}: ours derives from {sorted(o)}, PyTorch's from {sorted(t)}")
        for file, base in _torch_private_bases(theirs):
            if base in BASES_ALLOWED:
                continue
            ob = getattr(getattr(nn.modules, file, None), base, None)
            if not (isinstance(ob, type) and issubclass(ours, ob)):
                problems.append(f"{name}: not a subclass of nn.modules.{file}.{base}")
    assert problems == []


# ---- the comparison

def _np(t):
    return None if t is None else np.asarray(t.detach().numpy())


def _leaves(out):
    if isinstance(out, (tuple, list)):
        for o in out:
            yield from _leaves(o)
    elif out is not None:
        yield out


def _close(problems, what, ours, theirs, rtol=RTOL):
    if theirs is None and ours is None:
        return
    if theirs is None or ours is None:
        theirs = np.zeros_like(ours) if theirs is None else theirs
        ours = np.zeros_like(theirs) if ours is None else ours
    if ours.shape != theirs.shape or ours.dtype != theirs.dtype:
        problems.append(f"{what}: ours {ours.dtype}{ours.shape}, PyTorch's {theirs.dtype}{theirs.shape}")
    elif not np.allclose(ours, theirs, rtol=rtol, atol=ATOL, equal_nan=True):
        err = np.max(np.abs(ours.astype(float) - theirs.astype(float)))
        problems.append(f"{what}: max |diff| {err:.3g}\n ours {ours.ravel()[:6]}\n torch {theirs.ravel()[:6]}")


def _run(case, mod, M, seed):
    lib = _lib(M)
    arrays, kw = case.draw(seed)
    ins = [lib.tensor(a.copy(), requires_grad=g) for a, g in arrays]
    kws = {k: (lib.tensor(a.copy()) if a.ndim else a.item()) for k, (a, g) in kw.items()}
    for p in mod.parameters():
        p.grad = None
    out = case.call(mod, ins, kws) if case.call else mod(*ins, **kws)
    outs = list(_leaves(out))
    floats = [o for o in outs if o.dtype == lib.float64 and o.requires_grad]
    if floats:
        r = np.random.default_rng(seed + 100)
        total = sum((o * lib.tensor(r.standard_normal(tuple(o.shape)))).sum() for o in floats)
        total.backward()
    grads = [_np(t.grad) if g else None for t, (a, g) in zip(ins, arrays)]
    pgrads = {n: _np(p.grad) for n, p in mod.named_parameters()}
    state = {k: _np(v) for k, v in mod.state_dict().items()}
    return [_np(o) for o in outs], grads, pgrads, state


@pytest.mark.parametrize("name,i", CASE_IDS, ids=[f"{n}-{i}" for n, i in CASE_IDS])
def test_module_matches_torch(name, i):
    case = CASES[name][i]
    tm, om = case.ctor(TN), case.ctor(nn)
    if case.lazy:
        arrays, kw = case.draw(0)
        with torch.no_grad():
            tm(*[torch.tensor(a) for a, g in arrays])
        with ag.no_grad():
            om(*[ag.tensor(a) for a, g in arrays])
    problems = []
    if type(om).__name__ != type(tm).__name__:  # a lazy module becomes its eager class
        problems.append(f"class: ours {type(om).__name__}, PyTorch's {type(tm).__name__}")
    tsd, osd = tm.state_dict(), om.state_dict()
    if [(k, tuple(v.shape)) for k, v in osd.items()] != [(k, tuple(v.shape)) for k, v in tsd.items()]:
        problems.append(f"state_dict: ours {[(k, tuple(v.shape)) for k, v in osd.items()]}, "
                        f"PyTorch's {[(k, tuple(v.shape)) for k, v in tsd.items()]}")
    for what in ("named_parameters", "named_buffers", "named_modules"):
        ours = [n for n, _ in getattr(om, what)()]
        theirs = [n for n, _ in getattr(tm, what)()]
        if ours != theirs:
            problems.append(f"{what}: ours {ours}, PyTorch's {theirs}")
    # dtypes and tensor types print under the package's name (autograd_core.float64)
    if repr(om) != repr(tm).replace("torch.", "autograd_core."):
        problems.append(f"repr: ours\n{om!r}\nPyTorch's\n{tm!r}")
    assert problems == [], "\n".join(problems)
    om.load_state_dict({k: ag.tensor(v.detach().numpy().copy()) for k, v in tsd.items()})
    if not case.forward:
        return
    calls = [("train", 1), ("train", 2)] if case.train else []
    calls.append(("eval", 3))
    for mode, seed in calls:
        getattr(tm, mode)()
        getattr(om, mode)()
        o_outs, o_grads, o_pgrads, o_state = _run(case, om, nn, seed)
        t_outs, t_grads, t_pgrads, t_state = _run(case, tm, TN, seed)
        tag = f"{mode} call {seed}"
        if len(o_outs) != len(t_outs):
            problems.append(f"{tag}: {len(o_outs)} outputs, PyTorch's {len(t_outs)}")
        for j, (o, t) in enumerate(zip(o_outs, t_outs)):
            _close(problems, f"{tag} output {j}", o, t)
        grad_rtol = 1e-7 if name in LOOSE_GRADS else RTOL
        for j, (o, t) in enumerate(zip(o_grads, t_grads)):
            _close(problems, f"{tag} input {j} grad", o, t, grad_rtol)
        for k in t_pgrads:
            _close(problems, f"{tag} {k}.grad", o_pgrads.get(k), t_pgrads[k], grad_rtol)
        for k in t_state:
            _close(problems, f"{tag} state {k}", o_state.get(k), t_state[k])
    assert problems == [], "\n".join(problems)


# not the lazy instance norms: PyTorch 2.13's refuse to run after loading (their num_features
# stays 0: "expected input's size at dim=1 to match num_features (0)"); ours run
LAZY_IDS = [(n, i) for n, i in CASE_IDS if CASES[n][i].lazy and not n.startswith("LazyInstanceNorm")]


@pytest.mark.parametrize("name,i", LAZY_IDS, ids=[f"{n}-{i}" for n, i in LAZY_IDS])
def test_lazy_module_loads_a_checkpoint(name, i):
    # PyTorch's lazy modules take a checkpoint's shapes in load_state_dict (ours refused it:
    # "size mismatch ... the shape in current model is [0]"), then run as the eager class
    case = CASES[name][i]
    arrays, kw = case.draw(0)
    source = case.ctor(TN)
    with torch.no_grad():
        source(*[torch.tensor(a) for a, g in arrays])
    checkpoint = source.state_dict()
    tm, om = case.ctor(TN), case.ctor(nn)
    tm.load_state_dict(checkpoint)
    om.load_state_dict({k: ag.tensor(v.numpy().copy()) for k, v in checkpoint.items()})
    assert [(k, tuple(v.shape)) for k, v in om.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    problems = []
    for mode, seed in (("train", 1), ("eval", 2)):
        getattr(tm, mode)()
        getattr(om, mode)()
        o_outs, o_grads, o_pgrads, o_state = _run(case, om, nn, seed)
        t_outs, t_grads, t_pgrads, t_state = _run(case, tm, TN, seed)
        for j, (o, t) in enumerate(zip(o_outs, t_outs)):
            _close(problems, f"{mode} output {j}", o, t)
        for k in t_pgrads:
            _close(problems, f"{mode} {k}.grad", o_pgrads.get(k), t_pgrads[k])
        for k in t_state:
            _close(problems, f"{mode} state {k}", o_state.get(k), t_state[k])
    assert type(om).__name__ == type(tm).__name__
    assert problems == [], "\n".join(problems)
