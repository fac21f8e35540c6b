"""In-place ops (``add_``, ``mul_``, ``copy_``, ``fill_``, ...) with PyTorch's autograd rules:
the result is computed out of place, then written into the tensor, whose version counter moves,
so a node that saved the old value refuses to backward. Refused on a leaf that requires grad
while recording (allowed under ``no_grad``, the way optimizers update parameters)."""

from __future__ import annotations

import numpy as np

from autograd_core import random
from autograd_core.grad_mode import STATE
from autograd_core.ops.binary import add, div, mul, sub
from autograd_core.ops.registry import op
from autograd_core.ops.shape import CopyFrom
from autograd_core.ops.unary import clamp


def inplace(t, compute):
    """Run an out-of-place computation and write its result into ``t``."""
    recording = STATE.enabled
    if recording and t.requires_grad and t.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation; "
            "wrap it in `with no_grad():` (e.g. for parameter updates) or use an out-of-place op"
        )
    result = compute()
    if result.data.shape != t.data.shape:
        raise RuntimeError(
            f"in-place operation: result of shape {result.data.shape} cannot be written into a "
            f"tensor of shape {t.data.shape}"
        )
    if result.requires_grad and t._base is not None:
        raise RuntimeError(
            "in-place operation on a view of another tensor while recording gradients is not "
            "supported; use an out-of-place operation (e.g. torch.cat / x.clone())"
        )
    if not t.data.flags.writeable:
        raise RuntimeError(
            "in-place operation on a tensor whose memory is shared read-only (e.g. the result "
            "of expand); .clone() it first"
        )
    node = result.grad_fn
    if node is not None:
        node._forget_input(t)  # y.mul_(w): the new node saved y's old values, keep them
    np.copyto(t.data, result.data, casting="same_kind")
    t._bump_version()
    if result.requires_grad:
        t.grad_fn = result.grad_fn
        t._out_idx = result._out_idx
        t.requires_grad = True
    return t


class _no_record:
    def __enter__(self):
        self.prev = STATE.enabled
        STATE.enabled = False

    def __exit__(self, *exc):
        STATE.enabled = self.prev


def _method(name):
    return op(name, method=True, function=False, samples=())


@_method("add_")
def add_(input, other, *, alpha=1):
    return inplace(input, lambda: add(input, other, alpha=alpha))


@_method("sub_")
def sub_(input, other, *, alpha=1):
    return inplace(input, lambda: sub(input, other, alpha=alpha))


@_method("mul_")
def mul_(input, other):
    return inplace(input, lambda: mul(input, other))


@_method("div_")
def div_(input, other):
    return inplace(input, lambda: div(input, other))


@_method("clamp_")
def clamp_(input, min=None, max=None):  # noqa: A002
    return inplace(input, lambda: clamp(input, min, max))


@_method("copy_")
def copy_(input, src):
    return inplace(input, lambda: CopyFrom.apply(input, src))


@_method("fill_")
def fill_(input, value):
    return inplace(input, lambda: CopyFrom.apply(input, value))


@_method("zero_")
def zero_(input):
    return fill_(input, 0)


@_method("uniform_")
def uniform_(input, a=0.0, b=1.0):
    with _no_record():
        return copy_(input, random.generator().uniform(a, b, input.shape))


@_method("normal_")
def normal_(input, mean=0.0, std=1.0):
    with _no_record():
        return copy_(input, random.generator().normal(mean, std, input.shape))

