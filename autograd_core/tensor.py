"""The Tensor: a numpy array, an optional gradient, and a link to the node that made it.

Methods are thin: each delegates to an op in ``autograd_core.ops``.
"""

from __future__ import annotations

import numpy as np

from autograd_core.grad_mode import STATE


def _is_float(dtype) -> bool:
    return np.dtype(dtype).kind in "fc"


class _RemovableHandle:
    _next_id = 0

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = _RemovableHandle._next_id
        _RemovableHandle._next_id += 1

    def remove(self):
        self._hooks.pop(self.id, None)


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    ``Tensor(data, requires_grad=False)`` wraps ``data`` (converted with ``numpy.asarray``; no
    copy for an ndarray). Prefer ``autograd_core.tensor(...)``, which copies and applies
    PyTorch's dtype rules.
    """

    __slots__ = ("data", "_grad", "requires_grad", "grad_fn", "_out_idx", "_version", "_hooks",
                 "_base", "_retains_grad", "name", "__weakref__")

    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected operators

    def __init__(self, data, requires_grad=False, dtype=None):
        if isinstance(data, Tensor):
            data = data.data
        arr = np.asarray(data, dtype=dtype)
        self.data = arr
        self._grad = None
        self.grad_fn = None
        self._out_idx = 0
        self._version = None  # version counter, made on first need (shared by views)
        self._hooks = None
        self._base = None
        self._retains_grad = False
        self.name = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data, grad_fn, requires_grad):
        t = object.__new__(cls)
        t.data = data
        t._grad = None
        t.grad_fn = grad_fn
        t.requires_grad = requires_grad
        t._out_idx = 0
        t._version = None
        t._hooks = None
        t._base = None
        t._retains_grad = False
        t.name = None
        return t

    def _counter(self):
        """The version counter (a one-element list shared with views), made on demand."""
        vc = self._version
        if vc is None:
            vc = self._version = [0]
        return vc

    @property
    def _version_value(self):
        return 0 if self._version is None else self._version[0]

    # ---- autograd attributes ---------------------------------------------------------------
    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad must be a Tensor or None, got {type(value).__name__}")
            if value.shape != self.data.shape:
                raise RuntimeError(
                    f"assigned grad has shape {value.shape} but the tensor has shape {self.data.shape}"
                )
        self._grad = value

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def requires_grad_(self, requires_grad=True):
        if requires_grad and not _is_float(self.data.dtype):
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients; this tensor is "
                f"{self.data.dtype}"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf tensors; use .detach() to get "
                "a tensor that does not require grad"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self):
        """A new tensor sharing this one's data, cut from the graph."""
        t = Tensor._make(self.data, None, False)
        t._version = self._counter()
        return t

    def detach_(self):
        self.grad_fn = None
        self.requires_grad = False
        return self

    def register_hook(self, fn):
        """Call ``fn(grad)`` when this tensor's gradient is computed; a returned Tensor
        replaces the gradient. Returns a handle with ``.remove()``."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = {}
            hooks = self._hooks
        else:
            node = self.grad_fn
            all_hooks = getattr(node, "_pre_hooks", None)
            if all_hooks is None:
                all_hooks = node._pre_hooks = {}
            hooks = all_hooks.setdefault(self._out_idx, {})
        handle = _RemovableHandle(hooks)
        hooks[handle.id] = fn
        return handle

    def retain_grad(self):
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward."""
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True

        def keep(g, t=self):
            t._grad = g if t._grad is None else t._grad + g
            return None

        self.register_hook(keep)

    @property
    def retains_grad(self):
        return self._retains_grad

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (PyTorch semantics)."""
        if (gradient is None and inputs is None and not create_graph and self.grad_fn is not None
                and self.data.size == 1):
            # the common case (a scalar loss), without the general argument handling
            from autograd_core.engine import run_backward

            run_backward((self,), (np.ones(self.data.shape, self.data.dtype),), retain_graph,
                         False)
            return
        from autograd_core.autograd import backward

        backward([self], [gradient] if gradient is not None else None,
                 retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)

    # ---- array attributes ------------------------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    def dim(self):
        return self.data.ndim

    def size(self, dim=None):
        if dim is None:
            return self.data.shape
        return self.data.shape[dim]

    def numel(self):
        return self.data.size

    def element_size(self):
        return self.data.itemsize

    @property
    def nbytes(self):
        return self.data.nbytes

    def item(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.data.size} elements (shape {self.data.shape}) cannot be "
                "converted to a Python scalar; item() needs exactly one element"
            )
        return self.data.reshape(()).item()

    def numpy(self):
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self.data

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        # Unlike torch, np.asarray(t) works for tensors that require grad too (it reads data).
        if dtype is not None and np.dtype(dtype) != self.data.dtype:
            return self.data.astype(dtype)
        if copy:
            return self.data.copy()
        return self.data

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self.data.size} elements is ambiguous"
            )
        return bool(self.data.reshape(()))

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    __hash__ = object.__hash__  # __eq__ is elementwise; identity keeps tensors usable as keys

    def __repr__(self):
        return _format(self)

    __str__ = __repr__

    # ---- dtype conversion ------------------------------------------------------------------
    def to(self, dtype):
        dtype = np.dtype(dtype)
        if dtype == self.data.dtype:
            return self
        return _shape.Cast.apply(self, dtype=dtype)

    type = to
    astype = to

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    def half(self):
        return self.to(np.float16)

    def long(self):
        return self.to(np.int64)

    def int(self):
        return self.to(np.int32)

    def bool(self):
        return self.to(np.bool_)

    def clone(self):
        return _shape.Clone.apply(self)

    def contiguous(self):
        return self

    def is_floating_point(self):
        return _is_float(self.data.dtype)

    # ---- arithmetic ------------------------------------------------------------------------
    def __add__(self, other):
        return _binary.Add.apply(self, other)

    def __radd__(self, other):
        return _binary.Add.apply(other, self)

    def __sub__(self, other):
        return _binary.Sub.apply(self, other)

    def __rsub__(self, other):
        return _binary.Sub.apply(other, self)

    def __mul__(self, other):
        return _binary.Mul.apply(self, other)

    def __rmul__(self, other):
        return _binary.Mul.apply(other, self)

    def __truediv__(self, other):
        return _binary.Div.apply(self, other)

    def __rtruediv__(self, other):
        return _binary.Div.apply(other, self)

    def __pow__(self, other):
        if isinstance(other, Tensor):
            return _binary.Pow.apply(self, other)
        return _unary.PowScalar.apply(self, exponent=other)

    def __rpow__(self, other):
        return _binary.Pow.apply(other, self)

    def __matmul__(self, other):
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other):
        return _linalg.matmul(other, self)

    def __neg__(self):
        return _unary.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _unary.Abs.apply(self)

    def __lt__(self, other):
        return _binary.compare(np.less, self, other)

    def __le__(self, other):
        return _binary.compare(np.less_equal, self, other)

    def __gt__(self, other):
        return _binary.compare(np.greater, self, other)

    def __ge__(self, other):
        return _binary.compare(np.greater_equal, self, other)

    def __eq__(self, other):
        return _binary.compare(np.equal, self, other)

    def __ne__(self, other):
        return _binary.compare(np.not_equal, self, other)

    def __invert__(self):
        if self.data.dtype != np.bool_:
            raise TypeError("~ is only defined for bool tensors here")
        return Tensor._make(~self.data, None, False)

    def __and__(self, other):
        return Tensor._make(self.data & _raw(other), None, False)

    def __or__(self, other):
        return Tensor._make(self.data | _raw(other), None, False)

    def __getitem__(self, index):
        return _index.getitem(self, index)

    def __setitem__(self, index, value):
        _index.setitem(self, index, value)

    # in-place arithmetic: x += y modifies x (as PyTorch), with the checks of in-place ops
    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def add_(self, other, alpha=1):
        return _inplace(self, lambda: self + (other if alpha == 1 else other * alpha))

    def sub_(self, other, alpha=1):
        return _inplace(self, lambda: self - (other if alpha == 1 else other * alpha))

    def mul_(self, other):
        return _inplace(self, lambda: self * other)

    def div_(self, other):
        return _inplace(self, lambda: self / other)

    def clamp_(self, min=None, max=None):
        return _inplace(self, lambda: self.clamp(min, max))

    def copy_(self, src):
        return _inplace(self, lambda: _shape.CopyFrom.apply(self, src))

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        return _inplace(self, lambda: _shape.CopyFrom.apply(self, value))

    def uniform_(self, a=0.0, b=1.0):
        from autograd_core import random

        with _no_record():
            return self.copy_(random.generator().uniform(a, b, self.shape))

    def normal_(self, mean=0.0, std=1.0):
        from autograd_core import random

        with _no_record():
            return self.copy_(random.generator().normal(mean, std, self.shape))

    # ---- elementwise -----------------------------------------------------------------------
    def exp(self):
        return _unary.Exp.apply(self)

    def log(self):
        return _unary.Log.apply(self)

    def log1p(self):
        return _unary.Log1p.apply(self)

    def sqrt(self):
        return _unary.Sqrt.apply(self)

    def rsqrt(self):
        return _unary.PowScalar.apply(self, exponent=-0.5)

    def square(self):
        return _unary.PowScalar.apply(self, exponent=2)

    def abs(self):
        return _unary.Abs.apply(self)

    def sign(self):
        return Tensor._make(np.sign(self.data), None, False)

    def neg(self):
        return _unary.Neg.apply(self)

    def sin(self):
        return _unary.Sin.apply(self)

    def cos(self):
        return _unary.Cos.apply(self)

    def tanh(self):
        return _activation.Tanh.apply(self)

    def sigmoid(self):
        return _activation.Sigmoid.apply(self)

    def relu(self):
        return _activation.Relu.apply(self)

    def pow(self, exponent):
        return self ** exponent

    def add(self, other, alpha=1):
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other, alpha=1):
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other):
        return self * other

    def div(self, other):
        return self / other

    def matmul(self, other):
        return _linalg.matmul(self, other)

    def clamp(self, min=None, max=None):
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        return _unary.Clamp.apply(self, lo=min, hi=max)

    clip = clamp

    def maximum(self, other):
        return _binary.Maximum.apply(self, other)

    def minimum(self, other):
        return _binary.Minimum.apply(self, other)

    # ---- reductions ------------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, axis=None, keepdims=None, dtype=None):
        if dim is None and axis is None and keepdims is None and dtype is None:
            return _reduce.Sum.apply(self, dim=None, keepdim=keepdim)
        dim, keepdim = _dims(dim, axis, keepdim, keepdims, self.ndim)
        out = _reduce.Sum.apply(self, dim=dim, keepdim=keepdim)
        return out if dtype is None else out.to(dtype)

    def mean(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        dim, keepdim = _dims(dim, axis, keepdim, keepdims, self.ndim)
        return _reduce.Mean.apply(self, dim=dim, keepdim=keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        dim, keepdim = _dims(dim, None, keepdim, None, self.ndim)
        return _reduce.Var.apply(self, dim=dim, keepdim=keepdim,
                                 correction=_correction(unbiased, correction))

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        dim, keepdim = _dims(dim, None, keepdim, None, self.ndim)
        return _reduce.Var.apply(self, dim=dim, keepdim=keepdim,
                                 correction=_correction(unbiased, correction)).sqrt()

    def max(self, dim=None, keepdim=False):
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        return _reduce.max_min(self, dim, keepdim, is_max=True)

    def min(self, dim=None, keepdim=False):
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        return _reduce.max_min(self, dim, keepdim, is_max=False)

    def amax(self, dim=None, keepdim=False):
        dim, keepdim = _dims(dim, None, keepdim, None, self.ndim)
        return _reduce.AMax.apply(self, dim=dim, keepdim=keepdim, is_max=True)

    def amin(self, dim=None, keepdim=False):
        dim, keepdim = _dims(dim, None, keepdim, None, self.ndim)
        return _reduce.AMax.apply(self, dim=dim, keepdim=keepdim, is_max=False)

    def argmax(self, dim=None, keepdim=False):
        return _reduce.argmax(self, dim, keepdim, np.argmax)

    def argmin(self, dim=None, keepdim=False):
        return _reduce.argmax(self, dim, keepdim, np.argmin)

    def logsumexp(self, dim, keepdim=False):
        dim, keepdim = _dims(dim, None, keepdim, None, self.ndim)
        return _reduce.LogSumExp.apply(self, dim=dim, keepdim=keepdim)

    def softmax(self, dim):
        return _reduce.Softmax.apply(self, dim=_axis(dim, self.ndim, "softmax"))

    def log_softmax(self, dim):
        return _reduce.LogSoftmax.apply(self, dim=_axis(dim, self.ndim, "log_softmax"))

    def norm(self, p=2, dim=None, keepdim=False):
        if p == 2:
            return (self * self).sum(dim, keepdim).sqrt()
        if p == 1:
            return self.abs().sum(dim, keepdim)
        return (self.abs() ** p).sum(dim, keepdim) ** (1.0 / p)

    # ---- shape -----------------------------------------------------------------------------
    def reshape(self, *shape):
        return _shape.reshape(self, shape)

    def view(self, *shape):
        return _shape.reshape(self, shape)

    def view_as(self, other):
        return _shape.reshape(self, (other.shape,))

    def reshape_as(self, other):
        return _shape.reshape(self, (other.shape,))

    def flatten(self, start_dim=0, end_dim=-1):
        return _shape.flatten(self, start_dim, end_dim)

    def transpose(self, dim0, dim1):
        return _shape.transpose(self, dim0, dim1)

    def swapaxes(self, dim0, dim1):
        return _shape.transpose(self, dim0, dim1)

    def permute(self, *dims):
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return _shape.permute(self, dims)

    @property
    def T(self):
        return _shape.permute(self, tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self):
        return _shape.transpose(self, -2, -1)

    def t(self):
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, got {self.ndim}")
        return self.T

    def unsqueeze(self, dim):
        return _shape.unsqueeze(self, dim)

    def squeeze(self, dim=None):
        return _shape.squeeze(self, dim)

    def expand(self, *sizes):
        return _shape.expand(self, sizes)

    def expand_as(self, other):
        return _shape.expand(self, (other.shape,))

    def repeat(self, *sizes):
        return _shape.repeat(self, sizes)


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


class _no_record:
    def __enter__(self):
        self.prev = STATE.enabled
        STATE.enabled = False

    def __exit__(self, *exc):
        STATE.enabled = self.prev


def _inplace(t, compute):
    """Run an out-of-place computation and write its result into ``t`` (PyTorch in-place
    semantics: the version counter moves, so a node that saved ``t`` refuses to backward)."""
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
    np.copyto(t.data, result.data, casting="same_kind")
    t._counter()[0] += 1
    if result.requires_grad:
        t.grad_fn = result.grad_fn
        t._out_idx = result._out_idx
        t.requires_grad = True
    return t


def _axis(dim, ndim, op):
    if dim is None:
        raise TypeError(f"{op}() missing required argument 'dim'")
    return _shape.norm_dim(dim, ndim, op)


def _dims(dim, axis, keepdim, keepdims, ndim):
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if dim is None:
        return None, bool(keepdim)
    if ndim == 0:  # a 0-d tensor accepts dim 0 / -1 (as PyTorch) and reduces over nothing
        for d in (dim if isinstance(dim, (tuple, list)) else (dim,)):
            _shape.norm_dim(d, 0, "reduction")
        return (), bool(keepdim)
    if isinstance(dim, (tuple, list)):
        dims = tuple(sorted(_shape.norm_dim(d, ndim, "reduction") for d in dim))
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"reduction: dim {tuple(dim)} appears multiple times in the list")
        return dims, bool(keepdim)
    return (_shape.norm_dim(dim, ndim, "reduction"),), bool(keepdim)


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


_DTYPE_NAMES = {np.dtype(np.float32): None}


def _format(t):
    arr = t.data
    prefix = "tensor("
    if arr.size == 0:
        body = "[]"
    else:
        mode = "fixed"
        if arr.dtype.kind == "f":
            finite = arr[np.isfinite(arr)]
            if finite.size == 0 or np.all(finite == np.round(finite)):
                mode = "maxprec"  # integral values print as "1." like torch
        body = np.array2string(arr, separator=", ", prefix=prefix, precision=4,
                               floatmode=mode, suppress_small=False, threshold=1000)
    extras = []
    default = {np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_)}
    if arr.dtype not in default or arr.size == 0:
        extras.append(f"dtype={arr.dtype}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    if extras:
        return f"{prefix}{body}, {', '.join(extras)})"
    return f"{prefix}{body})"


from autograd_core import function as _function  # noqa: E402

_function.Tensor = Tensor
_function._make = Tensor._make

from autograd_core.ops import activation as _activation  # noqa: E402
from autograd_core.ops import binary as _binary  # noqa: E402
from autograd_core.ops import index as _index  # noqa: E402
from autograd_core.ops import linalg as _linalg  # noqa: E402
from autograd_core.ops import reduce as _reduce  # noqa: E402
from autograd_core.ops import shape as _shape  # noqa: E402
from autograd_core.ops import unary as _unary  # noqa: E402
