"""layers suite: the layers of transformers, recurrent nets and modern CNNs at the sizes these
users train, forward and forward + backward, vs PyTorch.

Every case is float32 with inputs and parameters that require grad: ``fwd`` records the graph,
``fwd+bwd`` is the forward then ``out.sum().backward()`` (the gradients set to None first, in
both libraries). The cases (batch 32, a 64-step sequence, width 256, as in a small
transformer or language model; ``--quick``: batch 2, sequence 4, a few channels):

* norms: ``layer_norm`` over 256 features, ``group_norm`` (8 groups) and ``batch_norm``
  (training) of 64 channels;
* the last-dim ``softmax`` / ``log_softmax`` and ``cross_entropy`` of (2048, 1000) logits;
* attention: ``scaled_dot_product_attention`` (8 heads of 32; plain and causal),
  ``MultiheadAttention(256, 8)`` and ``TransformerEncoderLayer(256, 8, 1024, dropout=0)``;
* recurrent: ``LSTM(256, 256)`` and ``GRU(256, 256)`` over 64 steps;
* ``Embedding(10000, 256)`` of (32, 64) indices;
* images: a depthwise 3x3 convolution of 32 channels at 32x32, reflect padding,
  nearest and bilinear upsampling by 2, the global average pool of (32, 512, 7, 7).

Each library runs in worker processes of its own (``bench.worker``), ``rounds`` times,
alternating which goes first; a row's time is the median of the workers' medians, and the
ratio is tapegrad / torch (below 1: tapegrad is faster).
"""

from __future__ import annotations


SUITE = "layers"
IMPLS = ("tapegrad", "torch")


class _Lib:
    """The calls the cases need, for one library (``ag`` + ``nn`` or torch)."""

    def __init__(self, impl):
        if impl == "torch":
            import torch

            self.t, self.nn, self.F = torch, torch.nn, torch.nn.functional
        else:
            import autograd_core as ag
            import nn
            import nn.functional as F

            self.t, self.nn, self.F = ag, nn, F

    def rand(self, shape, seed, grad=True):
        import numpy as np

        a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
        out = self.t.from_numpy(a)
        return out.requires_grad_() if grad else out

    def ints(self, high, shape, seed):
        import numpy as np

        return self.t.from_numpy(np.random.default_rng(seed).integers(0, high, shape))


def _sizes(quick):
    """batch, sequence, width, heads, image side."""
    return (2, 4, 16, 2, 8) if quick else (32, 64, 256, 8, 32)


def _cases(lib, quick):
    """``{case: (forward, tensors whose .grad to reset)}``; ``forward()`` returns a tensor."""
    F, nn, t = lib.F, lib.nn, lib.t
    b, s, w, h, side = _sizes(quick)
    t.manual_seed(0)
    out = {}

    x = lib.rand((b, s, w), 1)
    ln_w, ln_b = lib.rand((w,), 2), lib.rand((w,), 3)
    out["layer_norm"] = (lambda: F.layer_norm(x, (w,), ln_w, ln_b), [x, ln_w, ln_b])
    c = 64 if not quick else 8
    img = lib.rand((b, c, side // 2, side // 2), 4)
    gn_w, gn_b = lib.rand((c,), 5), lib.rand((c,), 6)
    out["group_norm"] = (lambda: F.group_norm(img, 8, gn_w, gn_b), [img, gn_w, gn_b])
    bn = nn.BatchNorm2d(c)
    out["batch_norm2d (train)"] = (lambda: bn(img), [img, *bn.parameters()])

    rows, classes = (2048, 1000) if not quick else (8, 10)
    logits = lib.rand((rows, classes), 7)
    target = lib.ints(classes, (rows,), 8)
    out["softmax"] = (lambda: F.softmax(logits, -1), [logits])
    out["log_softmax"] = (lambda: F.log_softmax(logits, -1), [logits])
    out["cross_entropy"] = (lambda: F.cross_entropy(logits, target), [logits])

    q, k, v = (lib.rand((b, h, s, w // h), 9 + i) for i in range(3))
    out["sdpa"] = (lambda: F.scaled_dot_product_attention(q, k, v), [q, k, v])
    out["sdpa causal"] = (lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True),
                          [q, k, v])
    mha = nn.MultiheadAttention(w, h, batch_first=True)
    out["MultiheadAttention"] = (lambda: mha(x, x, x, need_weights=False)[0],
                                 [x, *mha.parameters()])
    enc = nn.TransformerEncoderLayer(w, h, 4 * w, dropout=0.0, batch_first=True)
    out["TransformerEncoderLayer"] = (lambda: enc(x), [x, *enc.parameters()])

    seq = lib.rand((s, b, w), 12)
    lstm, gru = nn.LSTM(w, w), nn.GRU(w, w)
    out["LSTM"] = (lambda: lstm(seq)[0], [seq, *lstm.parameters()])
    out["GRU"] = (lambda: gru(seq)[0], [seq, *gru.parameters()])
    emb = nn.Embedding(10000 if not quick else 50, w)
    idx = lib.ints(10000 if not quick else 50, (b, s), 13)
    out["Embedding"] = (lambda: emb(idx), [*emb.parameters()])

    ch = 32 if not quick else 4
    pic = lib.rand((b, ch, side, side), 14)
    dw = lib.rand((ch, 1, 3, 3), 15)
    out["depthwise conv2d 3x3"] = (lambda: F.conv2d(pic, dw, padding=1, groups=ch), [pic, dw])
    rgb = lib.rand((b, 3, 2 * side, 2 * side), 16)
    out["pad reflect"] = (lambda: F.pad(rgb, (3, 3, 3, 3), mode="reflect"), [rgb])
    small = lib.rand((b, ch // 2, side, side), 17)
    out["upsample nearest x2"] = (lambda: F.interpolate(small, scale_factor=2), [small])
    out["upsample bilinear x2"] = (
        lambda: F.interpolate(small, scale_factor=2, mode="bilinear", align_corners=False),
        [small])
    feat = lib.rand((b, 512 if not quick else 8, 7, 7), 18)
    out["global avg pool"] = (lambda: F.adaptive_avg_pool2d(feat, 1), [feat])
    return out


CASES = ("layer_norm", "group_norm", "batch_norm2d (train)", "softmax", "log_softmax",
         "cross_entropy", "sdpa", "sdpa causal", "MultiheadAttention", "TransformerEncoderLayer",
         "LSTM", "GRU", "Embedding", "depthwise conv2d 3x3", "pad reflect",
         "upsample nearest x2", "upsample bilinear x2", "global avg pool")


def _fwd_bwd(forward, tensors):
    def run():
        for p in tensors:
            p.grad = None
        forward().sum().backward()
    return run


def worker(payload) -> dict:
    """In a worker process: time every case's forward and forward + backward for one
    library."""
    from bench import worker as workers

    workers.pin_library(payload)
    fns = {}
    for case, (forward, tensors) in _cases(_Lib(payload["impl"]), payload["quick"]).items():
        fns[f"{case}|fwd"] = forward
        fns[f"{case}|fwd+bwd"] = _fwd_bwd(forward, tensors)
    return workers.measure_each(fns, payload)


def worker_payloads(cfg):
    from bench import worker as workers

    return workers.library_payloads(cfg, SUITE)


def run(cfg, context) -> dict:
    from bench import worker as workers

    b, s, w, h, side = _sizes(cfg.quick)
    summary = {
        "cases": f"float32, batch {b}, sequence {s}, width {w}, {h} heads, images {side}x{side}"
                 + (" (--quick)" if cfg.quick else ""),
        "what": "fwd records the graph; fwd+bwd adds out.sum().backward()",
    }
    return workers.library_result(cfg, SUITE, summary)
