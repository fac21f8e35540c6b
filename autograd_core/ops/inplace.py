"""In-place ops (``add_``, ``mul_``, ``copy_``, ``fill_``, ...) with PyTorch's autograd rules:
the result is computed out of place, then written into the tensor, whose version counter moves,
so a node that saved the old value refuses to backward. Refused on a leaf that requires grad
while recording (allowed under ``no_grad``, the way optimizers update parameters)."""

from __future__ import annotations

import numpy as np

from autograd_core import creation, random
from autograd_core.grad_mode import STATE
from autograd_core.ops.binary import add, div, mul, sub
from autograd_core.ops.registry import DECLS, op
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
    if STATE.anomaly and STATE.anomaly is not True:  # ag.compile's tracer
        STATE.anomaly.on_inplace(t, result)
    if result.requires_grad:
        t.grad_fn = result.grad_fn
        t._out_idx = result._out_idx
        t._requires_grad = True
    return t


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


def _bounds(name, a, b, kw, default_a, default_b):
    """PyTorch's ``from``/``to`` keywords (Python keywords, so they arrive in ``kw``)."""
    if "from" in kw:
        a = kw.pop("from")
    if "to" in kw:
        b = kw.pop("to")
    if kw:
        raise TypeError(f"{name}() got unexpected keyword arguments {sorted(kw)}")
    return (default_a if a is None else a), (default_b if b is None else b)


def _draw(input, where, values):
    """Write random ``values`` into ``input`` with ``copy_``'s rules: refused on a leaf that
    requires grad while recording; on a non-leaf, its earlier history gets a zero gradient
    (the values no longer depend on it), as PyTorch."""
    return copy_(input, values)


@_method("uniform_")
def uniform_(input, a=None, b=None, *, generator=None, **kw):
    """Fill with samples of U(from, to) (``uniform_(from=0, to=1, *, generator=None)``)."""
    a, b = _bounds("uniform_", a, b, kw, 0.0, 1.0)
    return _draw(input, "uniform_",
                 random.generator(generator, "uniform_").uniform(a, b, input.shape))


@_method("normal_")
def normal_(input, mean=0.0, std=1.0, *, generator=None):
    """Fill with samples of N(mean, std**2)."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _draw(input, "normal_",
                 random.generator(generator, "normal_").normal(mean, std, input.shape))


@_method("bernoulli_")
def bernoulli_(input, p=0.5, *, generator=None):
    """Fill with 1 with probability ``p`` (a number or a tensor broadcast to ``input``), else 0."""
    pa = np.asarray(p.data if hasattr(p, "data") else p, dtype=np.float64)
    if np.any(~((pa >= 0) & (pa <= 1))):
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    u = random.generator(generator, "bernoulli_").random(input.shape)
    return _draw(input, "bernoulli_", u < pa)


@_method("random_")
def random_(input, a=None, b=None, *, generator=None, **kw):
    """Fill with integers drawn uniformly from ``[from, to - 1]``
    (``random_(from=0, to=None, *, generator=None)``); without ``to``, up to the largest
    integer the dtype holds exactly (2**24 for float32, 2**53 for float64) as PyTorch."""
    given_from = "from" in kw
    a, b = _bounds("random_", a, b, kw, None, None)
    if b is None and a is not None and not given_from:
        a, b = 0, a  # random_(to)
    a = 0 if a is None else int(a)
    if b is None:
        dt = input.data.dtype
        if dt.kind == "f":
            b = 2 ** (np.finfo(dt).nmant + 1) + 1
        elif dt.kind == "b":
            b = 2
        else:
            b = int(np.iinfo(dt).max) + 1
    if a >= int(b):
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={a} "
                           f">= to={b}")
    values = random.generator(generator, "random_").integers(a, int(b), size=input.shape)
    return _draw(input, "random_", values)


@_method("exponential_")
def exponential_(input, lambd=1.0, *, generator=None):
    """Fill with samples of the exponential distribution of rate ``lambd``."""
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    values = random.generator(generator, "exponential_").exponential(1.0 / lambd, input.shape)
    return _draw(input, "exponential_", values)


@_method("bernoulli")
def bernoulli(input, p=None, *, generator=None):
    """``autograd_core.bernoulli(input)`` as a method; with ``p``, samples of probability
    ``p`` in ``input``'s shape."""
    if p is not None:
        return bernoulli_(_empty_like(input), p, generator=generator)
    return creation.bernoulli(input, generator=generator)


def _empty_like(input):
    return creation.empty_like(input)


@_method("multinomial")
def multinomial(input, num_samples, replacement=False, *, generator=None):
    """``autograd_core.multinomial`` as a method."""
    return creation.multinomial(input, num_samples, replacement, generator=generator)


def _elementwise_inplace(name):
    def method(input, *args, **kwargs):
        fn = DECLS[name].fn  # looked up when called: every op module has declared by then
        return inplace(input, lambda: fn(input, *args, **kwargs))

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In-place ``{name}``: ``x.{name}_(...)`` writes ``x.{name}(...)`` into x."
    return method


# in-place forms of elementwise ops (PyTorch's autograd rules, through ``inplace``)
for _name in ("abs", "exp", "log", "log1p", "sqrt", "rsqrt", "neg", "sin", "cos", "tanh",
              "sigmoid", "relu", "sign", "square", "pow"):
    _method(_name + "_")(_elementwise_inplace(_name))


@_method("clip_")
def clip_(input, min=None, max=None):  # noqa: A002
    """Alias of ``clamp_``."""
    return clamp_(input, min, max)


@_method("clamp_min_")
def clamp_min_(input, min):  # noqa: A002
    """``clamp_(min=min)``."""
    return clamp_(input, min, None)


@_method("clamp_max_")
def clamp_max_(input, max):  # noqa: A002
    """``clamp_(max=max)``."""
    return clamp_(input, None, max)
