"""The vocabulary of backward rules: functions that take numpy arrays *or* Tensors.

A rule written with Python operators, ``.sum``/``.reshape`` and these functions serves plain
backward (arrays: numpy runs, nothing is recorded) and ``create_graph`` (Tensors: the same
expression is recorded, so it can be differentiated again). The type dispatch lives here, once,
so no rule branches on what it was given. Tensor operations are reached through Tensor methods
(wired by ``autograd_core.methods``), so this module imports no op module.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from autograd_core import _sums
from autograd_core._quiet import ignoring
from autograd_core.node import LINEAR, Node
from autograd_core.node import conj  # noqa: F401 - part of the rules' vocabulary
from autograd_core.tensor import Tensor, note_complex


def constant(arr):
    """``arr`` (numpy, made from shapes and Python numbers, never from another tensor's values)
    as a constant Tensor: an op's fixed matrix or a sample's well-conditioned base. Made here,
    ``ag.compile``'s tracer knows it for a constant (this module is one of its makers)."""
    arr = np.asarray(arr)
    if arr.dtype.kind == "c":  # as Tensor(): backward then looks for complex nodes
        note_complex(arr.dtype)
    return Tensor._make(arr, None, False)


def _const_like(x, like):
    """``x`` (a number or array) as a constant Tensor of ``like``'s dtype."""
    return Tensor._make(np.asarray(x, dtype=like.dtype), None, False)


def zeros_like(x):
    """Zeros of ``x``'s shape and dtype: the gradient of a piecewise-constant function, which
    PyTorch gives as zeros whatever the incoming gradient (``g * 0`` would be NaN at an
    infinite ``g``)."""
    if isinstance(x, Tensor):
        return Tensor._make(np.zeros(x.shape, dtype=x.dtype), None, False)
    return np.zeros(np.shape(x), dtype=np.asarray(x).dtype)


_WIDE = {np.dtype(np.float16): np.float64, np.dtype(np.float32): np.float64,
         np.dtype(np.complex64): np.complex128}


def wide(fn, x, **params):
    """``fn(x, **params)`` (a running sum or product: ``np.cumsum``) with float16/float32
    (complex64) ``x`` accumulated in float64 (complex128) and rounded back, as PyTorch's CPU
    kernels accumulate: a float32 running sum's error grows with its length. An integer or
    bool ``x`` keeps its dtype (wrapping), as PyTorch's ``dtype=int8``: numpy's would widen it
    to int64."""
    acc = _WIDE.get(x.dtype)
    if acc is None:
        return fn(x, dtype=x.dtype, **params) if x.dtype.kind in "biu" else ignoring(fn, x, **params)
    return np.asarray(ignoring(fn, x.astype(acc), **params).astype(x.dtype))


_F16 = np.dtype(np.float16)
_NUMBERS = (float, int)


def _half_by_number(a, b):
    """Whether one of ``a``, ``b`` is a float16 array and the other a Python number."""
    if type(a) is np.ndarray:
        return a.dtype == _F16 and type(b) in _NUMBERS
    return type(b) is np.ndarray and b.dtype == _F16 and type(a) in _NUMBERS


def _half_by_scalar(a, b):
    """Whether ``a`` is a float16 array and ``b`` a one-element array of another real dtype
    whose product/quotient stays float16 (a 0-d float32 or float64 ``b``, any integer ``b``):
    ATen's CPU ``mul`` and ``div`` read such a second operand in its own dtype as float32
    (``original_scalar_value<opmath_t>``), not rounded to float16 first. A first operand of
    that kind is cast, as ATen's."""
    return (type(a) is np.ndarray and a.dtype == _F16 and type(b) is np.ndarray
            and b.size == 1 and b.dtype != _F16 and b.dtype.kind in "biuf"
            and (b.ndim == 0 or b.dtype.kind != "f") and (a.ndim > 0 or b.dtype.kind != "f"))


def _half_in_float32(a, b):
    """``_half_by_number(a, b) or _half_by_scalar(a, b)``: ``mul``/``div``'s forward computes
    in float32 (:func:`_in_float32`); a non-float16 array ``a`` returns at the first test."""
    if type(a) is np.ndarray:
        if a.dtype != _F16:
            return False
        return type(b) in _NUMBERS or _half_by_scalar(a, b)
    return type(b) is np.ndarray and b.dtype == _F16 and type(a) in _NUMBERS


def _in_float32(fn, a, b):
    """``fn`` of a float16 array and a Python number as ATen computes it: in float32 with the
    number in float32 (its opmath), rounded once to float16. numpy rounds the number to
    float16 first: ``x * 1e5`` overflowed to inf, ``x / 1e-8`` divided by 0, and a third of
    ``x * 0.1`` differed in the last bit."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        a = a.astype(np.float32) if type(a) is np.ndarray else np.float32(a)
        b = b.astype(np.float32) if type(b) is np.ndarray else np.float32(b)
        return np.asarray(fn(a, b)).astype(np.float16)


def is_half(a):
    """Whether ``a`` is a float16 array or numpy scalar (a plain-backward operand)."""
    return (type(a) is np.ndarray and a.dtype == _F16) or type(a) is np.float16


def _times(g, c):
    """``g * c`` in a backward rule (``c`` an input, maybe a Python number)."""
    return _in_float32(np.multiply, g, c) if _half_by_number(g, c) else g * c


def _over(g, c):
    """``g / c`` in a backward rule (``c`` an input, maybe a Python number)."""
    return _in_float32(np.true_divide, g, c) if _half_by_number(g, c) else g / c


def fsum(x, axis=None, keepdims=False):
    """``x.sum(axis, keepdims)``: a Tensor's sum (recorded), or an array's as accurate as
    PyTorch's over many rows (``autograd_core._sums``)."""
    if isinstance(x, Tensor):
        return x.sum(dim=axis, keepdim=keepdims)
    return _sums.fsum(x, axis, keepdims)


def fmean(x, axis=None, keepdims=False):
    """``np.mean`` of an array with ``fsum``'s accuracy."""
    return _sums.fmean(x, axis, keepdims)


def real_sign(x):
    """numpy's sign of a real array, with PyTorch's 0 for NaN (so the slope of ``|x|`` at NaN is
    0, as there: a NaN masked out after ``abs`` leaves no NaN in the gradient)."""
    s = np.asarray(np.sign(x))  # a 0-d input gives a numpy scalar
    if s.dtype.kind == "f":
        s[np.isnan(s)] = 0
    return s


def where(cond, x, y):
    if isinstance(cond, Tensor):
        cond = cond._data
    if isinstance(x, Tensor):
        return x.where(cond, y)
    if isinstance(y, Tensor):
        return _const_like(x, y).where(cond, y)
    return np.where(cond, x, y)


def exp(x):
    return x.exp() if isinstance(x, Tensor) else np.exp(x)


def log(x):
    return x.log() if isinstance(x, Tensor) else np.log(x)


def tanh(x):
    return x.tanh() if isinstance(x, Tensor) else np.tanh(x)


def sin(x):
    return x.sin() if isinstance(x, Tensor) else np.sin(x)


def cos(x):
    return x.cos() if isinstance(x, Tensor) else np.cos(x)


def sigmoid(x):
    if isinstance(x, Tensor):
        return x.sigmoid()
    from autograd_core import kernels as K

    return K.sigmoid_forward(np.asarray(x))


def broadcast_to(x, shape):
    if isinstance(x, Tensor):
        return x if tuple(x.shape) == tuple(shape) else x.expand(shape)
    if x.size == 1 and math.prod(shape) <= 65536:
        # np.broadcast_to costs microseconds of Python; for small results a fill is cheaper
        return np.full(shape, x.reshape(()), dtype=x.dtype)
    return np.broadcast_to(x, shape)


def permute(x, axes):
    return x.permute(axes) if isinstance(x, Tensor) else np.transpose(x, axes)


def swap_last(x):
    return x.transpose(-1, -2) if isinstance(x, Tensor) else np.swapaxes(x, -1, -2)


def matmul(a, b):
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        if not isinstance(a, Tensor):
            a = _const_like(a, b)
        return a.matmul(b)
    return np.matmul(a, b)


def data(x):
    """The array behind ``x`` (for masks and comparisons, which are never differentiated)."""
    return x._data if isinstance(x, Tensor) else x


class ReadsInputs(Node):
    """``value`` as it is, recorded as a function of ``inputs`` too, with a zero derivative in
    them (see ``depends_on``). With ``rereads``, its gradient in ``value`` reads ``inputs``
    again, as the derivative of PyTorch's elementwise backward kernels in their ``grad`` is
    the kernel itself (``threshold_backward(gg, self)``)."""

    complex_backward = LINEAR

    def forward(self, value, *inputs, rereads=True):
        self.metas = [(a.shape, a.dtype) for a in inputs]
        self.rereads = rereads
        self.save_for_backward(*inputs)
        return value

    def backward(self, g):
        (first, *rest) = self.needs_input_grad
        zeros = [np.zeros(*meta) if need else None for meta, need in zip(self.metas, rest)]
        if isinstance(g, Tensor):
            zeros = [None if z is None else constant(z) for z in zeros]
            if self.rereads:
                g = depends_on(g, *self.saved)
        return (g if first else None, *zeros)


def depends_on(value, *inputs, rereads=True):
    """A gradient ``value`` that a rule computed from its ``inputs`` through comparisons only
    (a mask, a sign, the argmax of a pool), recorded under ``create_graph`` as a function of
    them with a zero derivative, as PyTorch's backward kernels take them as inputs
    (``threshold_backward(grad, self)`` for relu): the gradient then requires grad whenever
    an input does, and a second gradient gives zeros in those inputs, where it would otherwise
    give None (or raise: a first gradient that does not require grad). ``rereads=False`` for
    a kernel whose derivative in its incoming gradient does not read the inputs (pooling,
    padding, nll_loss: PyTorch's ``max_pool_double_backward(gg, indices)``). Arrays (plain
    backward) pass through untouched."""
    if not isinstance(value, Tensor) or not any(
            isinstance(t, Tensor) and t.requires_grad for t in inputs):
        return value
    # (a Python number among them, ``a % 0.7``'s divisor, is a constant: not an input)
    return ReadsInputs.apply(value, *(t for t in inputs if isinstance(t, Tensor)),
                             rereads=rereads)


class ReadsInput(Node):
    """A composite op's result ``value`` as it is, recorded as reading the op's input ``x``:
    under create_graph the gradient flowing back into the composite reads ``x`` (see
    ``reads_input``). Plain backward passes the gradient through."""

    complex_backward = LINEAR

    def forward(self, value, x, op, rereads):
        self.op, self.rereads = op, rereads
        self.save_for_backward(x)
        return value

    def name(self) -> str:
        return f"{self.op}Backward0"

    def backward(self, g):
        (x,) = self.saved
        return depends_on(g, x, rereads=self.rereads), None


def reads_input(value, x, op, rereads=True):
    """``value``, the result of a composite op of ``x`` whose PyTorch counterpart is one
    kernel reading ``x`` in backward (``hardtanh``, reflection padding): under create_graph
    the first gradient in ``x`` requires grad and a second gradient in ``x`` is zeros, as
    PyTorch's, instead of not requiring grad. ``op`` names the node (``Hardtanh``);
    ``rereads`` as ``depends_on``'s."""
    if not value.requires_grad:
        return value
    return ReadsInput.apply(value, x, op=op, rereads=rereads)


class NotImplementedBackward(Node):
    """The result of ATen's elementwise backward kernel ``op``, ``kernel(g, x)`` (linear in the
    incoming gradient ``g``), recorded under create_graph as a function of ``g`` and ``x``
    where PyTorch's derivative in ``x`` is not implemented: a second gradient that needs ``x``
    raises PyTorch's error, where a silent zero would be a wrong second derivative. The
    derivative in ``g`` alone is ``kernel(gg, x)``: forward-mode derivatives are computed as
    that one (PyTorch's raises when ``x`` requires grad, wanted or not)."""

    def forward(self, g, x, kernel, op):
        self.kernel, self.op = kernel, op
        self.save_for_backward(x)
        return kernel(g, x)

    def name(self) -> str:
        return "NotImplemented"

    #: set by forward-mode AD while it differentiates a first gradient in the incoming
    #: gradient alone (the derivative in ``x`` is then not used)
    in_grad_only = False

    def backward(self, gg):
        if self.needs_input_grad[1] and not NotImplementedBackward.in_grad_only:
            raise RuntimeError(f"derivative for aten::{self.op} is not implemented")
        (x,) = self.saved
        return not_implemented(self.kernel, gg, x, op=self.op), None


@contextlib.contextmanager
def gradient_in_fresh_leaves(on=True):
    """A gradient pass in leaves made after the graph (forward mode's ``u``): no
    ``NotImplementedBackward`` node needs its derivative in ``x`` there, so none raises."""
    prev = NotImplementedBackward.in_grad_only
    NotImplementedBackward.in_grad_only = on or prev
    try:
        yield
    finally:
        NotImplementedBackward.in_grad_only = prev


def not_implemented(kernel, g, x, op):
    """``kernel(g, x)``, ATen's backward kernel ``op`` on arrays; under create_graph (Tensors)
    recorded as ``NotImplementedBackward``."""
    if not isinstance(g, Tensor) and not isinstance(x, Tensor):
        return kernel(g, x)
    return NotImplementedBackward.apply(g, x, kernel=kernel, op=op)


class ZeroWhere(Node):
    """A piecewise op of slope 1 or 0 as one node: ``value``, its result (computed without
    recording), with the gradient in ``x`` the incoming one except where ``zero`` (PyTorch's
    ``hardtanh_backward``); under create_graph that gradient reads ``x`` (see ``depends_on``)."""

    def forward(self, x, value, zero, op):
        self.op = op
        self.save_for_backward(x, zero)
        return value

    def name(self) -> str:
        return f"{self.op}Backward0"

    def backward(self, g):
        x, zero = self.saved
        return depends_on(where(zero, 0.0, g), x), None, None


class WithValue(Node):
    """``value`` in place of ``result``, an op's result computed by a composition of float16
    ops: ``value`` is the op computed in float32 and rounded once (ATen's kernel), and the
    gradient flows into ``result``'s graph unchanged (PyTorch's derivative formula, in float16
    steps). Named as ``result``'s node."""

    complex_backward = LINEAR

    def forward(self, result, value, grad_fn):
        self.grad_fn = grad_fn
        return value

    def name(self) -> str:
        return self.grad_fn.name()

    def backward(self, g):
        return g, None


def with_value(result, value):
    """``result`` (a Tensor) with the values of array ``value`` (see ``WithValue``). ``value``
    was computed from the op's inputs outside the graph: the caller calls
    ``registry.refuse_capture`` first, so that ``ag.compile`` runs such a step eagerly (a
    replay would repeat the first call's values)."""
    if not result.requires_grad:
        return Tensor._make(value, None, False)
    return WithValue.apply(result, value, grad_fn=result.grad_fn)
