"""The Tensor: a numpy array, an optional gradient, and a link to the node that made it.

This module knows no op: the ops import Tensor, and ``autograd_core.methods`` gives Tensor its
op methods and operators from the op table. What is here is the Tensor's own state: data,
gradient, graph link, version counter, hooks, conversions to Python and numpy, printing.
"""

from __future__ import annotations

import weakref

import numpy as np



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


_new = object.__new__


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    ``Tensor(data, requires_grad=False)`` wraps ``data`` (converted with ``numpy.asarray``; no
    copy for an ndarray). Prefer ``autograd_core.tensor(...)``, which copies and applies
    PyTorch's dtype rules.
    """

    # The hot attributes are slots, set for every tensor. The rarely set ones are class
    # attributes, overridden in the instance's __dict__ (made only when one is set): a tensor
    # is made with six stores instead of ten.
    __slots__ = ("data", "_grad", "requires_grad", "grad_fn", "_out_idx", "_version",
                 "__dict__", "__weakref__")
    _hooks = None  # a leaf's gradient hooks (non-leaves keep theirs on the node)
    _base = None  # the tensor this one is a view of
    _retains_grad = False
    name = None

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
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data, grad_fn, requires_grad):
        t = _new(cls)
        t.data = data
        t._grad = None
        t.grad_fn = grad_fn
        t.requires_grad = requires_grad
        t._out_idx = 0
        t._version = None
        return t

    def _counter(self):
        """The version counter (a one-element list shared with views), made on demand."""
        vc = self._version
        if vc is None:
            vc = self._version = [0]
        return vc

    def _bump_version(self):
        """Record an in-place write (optimizer steps, ``load_state_dict``, in-place ops): a node
        that saved this tensor (or a view sharing its counter) then refuses to backward."""
        vc = self._version
        if vc is None:
            vc = self._version = [0]
        vc[0] += 1

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
        # The node keeps a weak reference (a strong one would make a cycle: tensor -> node ->
        # tensor, freed only by the cyclic collector), and the engine stores the gradient after
        # every hook of this output, even those registered later (PyTorch's order).
        node = self.grad_fn
        if node._pre_hooks is None:
            node._pre_hooks = {}
        if node._retained is None:
            node._retained = {}
        node._retained[self._out_idx] = weakref.ref(self)

    @property
    def retains_grad(self):
        return self._retains_grad

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

    def __repr__(self):
        return _format(self)

    __str__ = __repr__

    def is_floating_point(self):
        return _is_float(self.data.dtype)


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
