"""The Tensor: a numpy array, an optional gradient, and a link to the node that made it.

This module knows no op: the ops import Tensor, and ``autograd_core.methods`` gives Tensor its
op methods and operators from the op table. What is here is the Tensor's own state: data,
gradient, graph link, version counter, hooks, conversions to Python and numpy, printing.
"""

from __future__ import annotations

import builtins
import itertools
import math
import warnings
import weakref
from typing import TYPE_CHECKING, Any, Callable, Union

import numpy as np

from autograd_core.grad_mode import STATE as _GRAD_STATE

#: PyTorch's names of scalar types in its messages: ScalarType's (``Float``) and C++'s
#: (``float``, in range and dtype errors)
SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
             "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
             "uint8": "unsigned char", "bool": "bool", "complex64": "c10::complex<float>",
             "complex128": "c10::complex<double>"}

#: PyTorch's error for a write into memory several elements share (the result of expand)
OVERLAP_ERROR = ("unsupported operation: more than one element of the written-to tensor refers "
                 "to a single memory location. Please clone() the tensor before performing the "
                 "operation.")


#: the floating point dtype of Python floats and of ``Tensor(list)`` (``set_default_dtype``)
DEFAULT_DTYPE: list[np.dtype] = [np.dtype(np.float32)]

#: sticky, process-wide: True once a complex tensor was made by a constructor, a conversion or a
#: type promotion. Only then does the engine look at dtypes to run a node's complex rule or
#: refuse it (``Node.complex_backward``); the real-dtype hot path never reads anything else.
COMPLEX_SEEN: list[bool] = [False]


def note_complex(dtype: Any) -> None:
    """Called where a complex dtype can first enter a graph (constructors, ``.to``, type
    promotion, the complex constructors): from then on backward checks for complex nodes."""
    if not COMPLEX_SEEN[0] and np.dtype(dtype).kind == "c":
        COMPLEX_SEEN[0] = True


class Size(tuple):
    """A tensor's shape (``Tensor.shape``, ``Tensor.size()``): a tuple of ints (``torch.Size``).

    It prints as ``autograd_core.Size([2, 3])`` and has ``numel()``; slicing and ``+`` give a
    Size.

    Example::

        >>> import autograd_core as ag
        >>> s = ag.zeros(2, 3).shape
        >>> s, s.numel(), s[1]
        (autograd_core.Size([2, 3]), 6, 3)
    """

    __slots__ = ()

    def __new__(cls, sizes: Any = ()) -> Size:
        return tuple.__new__(cls, (int(s) for s in sizes))

    def numel(self) -> int:
        """Return the number of elements a tensor of this shape holds.

        Example::

            >>> import autograd_core as ag
            >>> ag.Size([2, 3, 4]).numel()
            24
        """
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, i):
        out = tuple.__getitem__(self, i)
        return Size(out) if isinstance(i, slice) else out

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __repr__(self):
        return f"autograd_core.Size({list(self)})"

    __str__ = __repr__

    def __format__(self, format_spec):
        # f"{t.shape}" in the project's error messages reads "(2, 3)", as before Size existed
        # (PyTorch would print torch.Size([2, 3]) there); str() and repr() are PyTorch's
        return format(tuple(self).__repr__(), format_spec)

    def __reduce__(self):
        return (Size, (tuple(self),))


_new_size = tuple.__new__
_DTYPES: dict = {}  # numpy dtype -> its one DType


def dtype_name(dtype: Any) -> str:
    """``autograd_core.float32``-style name of a numpy dtype (PyTorch prints ``torch.float32``)."""
    return f"autograd_core.{np.dtype(dtype).name}"


class DType:
    """A tensor's dtype (``autograd_core.float32``, ``Tensor.dtype``; ``torch.dtype``).

    It is a numpy dtype that prints as PyTorch's ``torch.float32`` does, with the project's
    name, and serves as numpy's dtype for every purpose numpy has: ``np.dtype(d)``,
    ``np.zeros(3, dtype=d)`` and ``arr.astype(d)`` read its ``.dtype``; it equals and hashes as
    the numpy dtype (``d == np.float32``, ``d == "float32"``, dict keys); numpy's attributes
    (``kind``, ``itemsize``, ``name``, ``type``) are forwarded. One instance per dtype; PyTorch's
    ``is_floating_point``, ``is_complex`` and ``is_signed`` are properties.

    Example::

        >>> import numpy as np
        >>> import autograd_core as ag
        >>> ag.float32, ag.float32 == np.float32, ag.float32.is_floating_point
        (autograd_core.float32, True, True)
        >>> ag.tensor([1, 2]).dtype.itemsize
        8
    """

    __slots__ = ("dtype",)

    def __new__(cls, d):
        d = np.dtype(d)
        inst = _DTYPES.get(d)
        if inst is None:
            inst = object.__new__(cls)
            inst.dtype = d  # numpy reads this attribute wherever a dtype is expected
            _DTYPES[d] = inst
        return inst

    def __getattr__(self, name):
        if name == "dtype":
            raise AttributeError(name)
        return getattr(self.dtype, name)

    def __eq__(self, other):
        if isinstance(other, DType):
            return self.dtype == other.dtype
        try:
            return self.dtype == np.dtype(other)
        except (TypeError, ValueError):
            return NotImplemented

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self):
        return hash(self.dtype)

    @property
    def is_floating_point(self) -> bool:
        """True for float16/32/64 (PyTorch's ``dtype.is_floating_point``)."""
        return self.dtype.kind == "f"

    @property
    def is_complex(self) -> bool:
        return self.dtype.kind == "c"

    @property
    def is_signed(self) -> bool:
        return self.dtype.kind in "ifc"

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    def to_real(self) -> DType:
        """The dtype of a complex dtype's parts; any other dtype itself (PyTorch's
        ``dtype.to_real()``)."""
        d = self.dtype
        return DType(np.float32 if d == np.complex64 else np.float64) if d.kind == "c" else self

    def to_complex(self) -> DType:
        """The complex dtype with parts of this floating dtype; a complex dtype itself
        (PyTorch's ``dtype.to_complex()``; float16's, complex32, does not exist here)."""
        d = self.dtype
        if d.kind == "c":
            return self
        if d in (np.float32, np.float64):
            return DType(np.complex64 if d == np.float32 else np.complex128)
        raise RuntimeError(f"Unknown Complex ScalarType for {SCALAR_NAMES.get(d.name, d.name)}")

    def __repr__(self):
        return f"autograd_core.{self.dtype.name}"

    __str__ = __repr__

    def __format__(self, format_spec):
        # f"{t.dtype}" in the project's error messages reads "float32", as before DType
        # existed; print(), str() and repr() give "autograd_core.float32" (PyTorch's form)
        return format(self.dtype.name, format_spec)

    def __reduce__(self):
        return (DType, (self.dtype.str,))



#: what a ``dtype=`` argument accepts: a dtype (``autograd_core.float32``), a numpy dtype or
#: scalar type (``np.float32``), or a name (``"float32"``)
DTypeLike = Union[DType, np.dtype, type, str]


# Creation order of recorded nodes (``node._seq``): a node's inputs are always older than the
# node, so the engine runs nodes from the newest down (count's __next__ is atomic under the GIL).
# Here, not in node.py, so that a tensor can mark when its shape or dtype changed.
next_seq = itertools.count().__next__
#: ``[n]``: a ``.data = ...`` assignment happened at creation-order point ``n``; nodes recorded
#: before it read their saved inputs' arrays anew in backward (``Node.saved``)
DATA_SET = [-1]


def _log_meta_change(t: Tensor, arr: np.ndarray) -> None:
    """Before ``t``'s array is replaced by ``arr``: note its old shape and dtype if they differ
    and ``t`` is a leaf that graphs may hold edges to."""
    old = t._data
    if t._requires_grad and t.grad_fn is None and (
            old.shape != arr.shape or old.dtype != arr.dtype):
        log = t._meta_log
        if log is None:
            log = t._meta_log = []
        elif len(log) >= 16:  # bounded (a loop resizing a leaf): older graphs are refused
            del log[0]
            log[0] = (log[0][0], None, None)
        log.append((next_seq(), old.shape, old.dtype))


def _is_float(dtype: Any) -> bool:
    return np.dtype(dtype).kind in "fc"


class _RemovableHandle:
    _next_id = 0

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = _RemovableHandle._next_id
        _RemovableHandle._next_id += 1

    def remove(self) -> None:
        self._hooks.pop(self.id, None)


class _PostAccumulateHooks(dict):
    """A leaf's post-accumulate-grad hooks, by handle id. ``LIVE`` counts the non-empty ones
    in the process, so that ``backward()`` spends its pre-pass (which finds when a leaf's
    gradient is complete) only while some leaf has such a hook."""

    LIVE = 0

    def __setitem__(self, key, fn):
        if not self:
            _PostAccumulateHooks.LIVE += 1
        super().__setitem__(key, fn)

    def pop(self, key, default=None):
        had = bool(self)
        out = super().pop(key, default)
        if had and not self:
            _PostAccumulateHooks.LIVE -= 1
        return out

    def __del__(self):
        if self:
            _PostAccumulateHooks.LIVE -= 1


_new = object.__new__

# device('cpu'), set by autograd_core.device when it is imported (this module imports no
# other module of the package)
_CPU: object = None



def _legacy_sizes(sizes: tuple) -> tuple:
    """``torch.Tensor(*sizes)``'s sizes, checked with PyTorch's errors."""
    for pos, s in enumerate(sizes):
        if not isinstance(s, (builtins.int, np.integer)) or isinstance(s, builtins.bool):
            raise TypeError(
                f"new(): argument 'size' failed to unpack the object at pos {pos + 1} with "
                f'error "type must be tuple of ints,but got {type(s).__name__}"')
    if any(s < 0 for s in sizes):
        neg = next(s for s in sizes if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg}: "
                           f"[{', '.join(str(s) for s in sizes)}]")
    return tuple(builtins.int(s) for s in sizes)

_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information.")


class Tensor:
    """An n-dimensional array that can record the operations applied to it (``torch.Tensor``).

    Its values live in a numpy array (``.numpy()``; ``.data`` is a Tensor sharing it); with
    ``requires_grad=True`` every operation on it is recorded, and ``backward()`` fills the
    ``.grad`` of the leaves. The methods mirror PyTorch's; the ops are also functions of
    ``autograd_core``.

    ``Tensor(data, requires_grad=False)`` is PyTorch's legacy constructor of the default dtype:
    a list, tuple or ndarray of real numbers or bools gives a float32 tensor (the default dtype,
    ``set_default_dtype``), as ``torch.Tensor(np.zeros(3))``: an ndarray of the default dtype is
    shared, others are copied; a Tensor keeps its dtype and memory; integers are sizes
    (``Tensor(3)``, ``Tensor(3, 2)``: float32 zeros of that size, PyTorch's uninitialized
    tensor) and a bool or float is refused, as PyTorch's. Prefer ``autograd_core.tensor(...)``,
    which copies and applies PyTorch's dtype rules.

    Example::

        >>> import autograd_core as ag
        >>> x = ag.Tensor([1, 2])
        >>> x
        tensor([1., 2.])
        >>> w = ag.tensor([0.5, -1.0], requires_grad=True)
        >>> loss = (w * x).sum()
        >>> loss.backward()
        >>> w.grad
        tensor([1., 2.])
    """

    # The hot attributes are slots, set for every tensor. The rarely set ones are class
    # attributes, overridden in the instance's __dict__ (made only when one is set): a tensor
    # is made with six stores instead of ten.
    __slots__ = ("_data", "_grad", "_requires_grad", "grad_fn", "_out_idx", "_vc",
                 "__dict__", "__weakref__")
    #: a graph edge to a Tensor is an edge to a leaf (``Node`` says False)
    _leaf_edge = True
    #: ``[(mark, shape, dtype), ...]``: the shape and dtype this tensor had before its array was
    #: replaced by one of another shape or dtype, ``mark`` from the node counter at the change.
    #: The graph keeps no per-edge copy of a leaf's shape and dtype, so backward reads the
    #: ones in force when a node was recorded from here (``node.leaf_meta``), as PyTorch does.
    _meta_log: list | None = None
    #: the numpy array holding the values (``.data`` is PyTorch's: a Tensor sharing them)
    _data: np.ndarray
    _grad: Tensor | None
    _requires_grad: builtins.bool
    #: the node that recorded this tensor (None for a leaf); PyTorch's ``grad_fn``
    grad_fn: Any
    _out_idx: builtins.int
    #: the version counter: a one-element list shared with views, None until first needed
    _vc: list[builtins.int] | None
    _hooks: dict | None = None  # a leaf's gradient hooks (non-leaves keep theirs on the node)
    _post_acc_hooks = None  # a leaf's post-accumulate-grad hooks (a _PostAccumulateHooks)
    _base = None  # the tensor this one is a view of
    #: PyTorch's creation meta of a view that refuses in-place changes while recording (a
    #: multi-output or no_grad view: ``ops.inplace._view_write_error``), else None
    _view_meta: tuple | None = None
    _retains_grad = False
    name = None

    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected operators

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.is_sparse:  # Parameter, Buffer, a user's subclass: operands of dense ops
            DENSE_TYPES.add(cls)

    # Annotations in this class spell ``builtins.bool``/``int``/``float``: Tensor has methods
    # named ``bool``, ``int`` and ``float`` (the casts), which the plain names would mean here.

    if TYPE_CHECKING:
        # What type checkers see of the methods autograd_core.methods wires from the op table
        # at import (this module knows no op): the operators return Tensors, and every other
        # wired method (``sum``, ``exp``, ``view``, ...) is typed loosely, through __getattr__.
        def __getattr__(self, name: str) -> Any: ...
        def __add__(self, other: Any) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __pow__(self, other: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __matmul__(self, other: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __pos__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __invert__(self) -> Tensor: ...
        def __and__(self, other: Any) -> Tensor: ...
        def __or__(self, other: Any) -> Tensor: ...
        def __lt__(self, other: Any) -> Tensor: ...
        def __le__(self, other: Any) -> Tensor: ...
        def __gt__(self, other: Any) -> Tensor: ...
        def __ge__(self, other: Any) -> Tensor: ...
        def __eq__(self, other: Any) -> Tensor: ...  # type: ignore[override]
        def __ne__(self, other: Any) -> Tensor: ...  # type: ignore[override]
        def __getitem__(self, index: Any) -> Tensor: ...
        def __setitem__(self, index: Any, value: Any) -> None: ...
        def backward(self, gradient: Any = None, retain_graph: builtins.bool | None = None,
                     create_graph: builtins.bool = False, inputs: Any = None) -> None: ...

    def __init__(self, data: Any, *sizes: builtins.int, requires_grad: builtins.bool = False,
                 dtype: DTypeLike | None = None) -> None:
        integer = (isinstance(data, (builtins.int, np.integer)) and not isinstance(
            data, builtins.bool)) or (type(data) is np.ndarray and data.ndim == 0
                                      and data.dtype.kind in "iu")
        if sizes or integer:  # torch.Tensor(3), torch.Tensor(3, 2): PyTorch's legacy
            # "uninitialized tensor of these sizes" (one integer is a size, not a value)
            first = data.item() if type(data) is np.ndarray else data  # a 0-d integer array too
            data = np.zeros(_legacy_sizes((first, *sizes)), dtype=dtype or DEFAULT_DTYPE[0])
        elif isinstance(data, (builtins.bool, builtins.float, builtins.complex, np.generic)):
            kind = ("numpy." if isinstance(data, np.generic) else "") + type(data).__name__
            raise TypeError(f"new(): data must be a sequence (got {kind})")
        elif isinstance(data, Tensor):
            data = data._data
        elif isinstance(data, (list, tuple, np.ndarray)) and dtype is None:
            # torch.Tensor([1, 2]) and torch.Tensor(np.zeros(3)) are float32: the legacy
            # constructor makes the default dtype (an array of that dtype is shared)
            arr = np.asarray(data)
            if arr.dtype.kind in "biuf":
                dtype = DEFAULT_DTYPE[0]
        arr = np.asarray(data, dtype=dtype)
        if arr is data:  # the caller's array shared through a view of our own, as from_numpy
            arr = arr.view()
        self._init_array(arr, requires_grad)

    def _init_array(self, arr, requires_grad=False):
        """The constructor's end: ``arr`` (an ndarray) held as it is."""
        if arr.dtype.kind == "c":
            note_complex(arr.dtype)
        self._data = arr
        self._grad = None
        self.grad_fn = None
        self._out_idx = 0
        self._vc = None  # version counter, made on first need (shared by views)
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, data, requires_grad=False):
        """A tensor of ``data`` as the project's own code makes one: an ndarray keeps its dtype
        and memory (``Tensor(array)`` is PyTorch's constructor of the default dtype), a number
        is a 0-d tensor of its own dtype (``Tensor(3)`` is a size); anything else as
        ``Tensor(data)``."""
        if isinstance(data, (np.ndarray, np.generic, builtins.int, builtins.float,
                             builtins.complex)):  # a number: 0-d, its own dtype (not a size)
            t = _new(cls)
            t._init_array(np.asarray(data), requires_grad)
            return t
        return cls(data, requires_grad=requires_grad)

    @classmethod
    def _make(cls, data, grad_fn, requires_grad):
        t = _new(cls)
        t._data = data
        t._grad = None
        t.grad_fn = grad_fn
        t._requires_grad = requires_grad
        t._out_idx = 0
        t._vc = None
        return t

    def _counter(self):
        """The version counter (a one-element list shared with views), made on demand."""
        vc = self._vc
        if vc is None:
            vc = self._vc = [0]
        return vc

    def _bump_version(self):
        """Record an in-place write (optimizer steps, ``load_state_dict``, in-place ops): a node
        that saved this tensor (or a view sharing its counter) then refuses to backward."""
        vc = self._vc
        if vc is None:
            vc = self._vc = [0]
        vc[0] += 1

    @property
    def _version(self) -> builtins.int:
        """How many times the tensor (or a view sharing its memory) was changed in place, as
        PyTorch's ``x._version``: a graph that saved it checks this number.

        Example::

            >>> import autograd_core as ag
            >>> x = ag.zeros(3)
            >>> v = x[1:]
            >>> _ = v.add_(1)
            >>> x._version, v._version
            (1, 1)
        """
        vc = self._vc
        return 0 if vc is None else vc[0]

    # ---- autograd attributes ---------------------------------------------------------------
    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by ``backward()``: a Tensor of this tensor's shape, or None.

        It is None until a backward pass reaches this tensor (a leaf, or a non-leaf after
        ``retain_grad()``); later passes add to it. It can be assigned a Tensor of the same shape,
        or None (what ``zero_grad`` does).

        Example::

            >>> import autograd_core as ag
            >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
            >>> (x * x).sum().backward()
            >>> x.grad
            tensor([2., 4.])
            >>> x.grad = None
        """
        if self.grad_fn is not None and not self._retains_grad:  # PyTorch's warning
            warnings.warn(_NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):  # PyTorch's wording, for searches
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the "
                    "gradient and the tensor are the same size")
            if value._data.dtype != self._data.dtype and not value.is_sparse:
                # (accepted, an optimizer then stepped float32 weights with float64 moments)
                got, want = value._data.dtype.name, self._data.dtype.name
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{CPP_NAMES.get(got, got)}' "
                    f"to a tensor with grad_dtype '{SCALAR_NAMES.get(want, want)}'. The "
                    "gradient must match the tensor's grad_dtype (defaults to the tensor's "
                    "dtype).")
        self._grad = value

    @property
    def is_leaf(self) -> builtins.bool:
        """True for a tensor no recorded operation produced (made by the user, or not requiring grad).

        Only leaves get ``.grad`` from ``backward`` (others after ``retain_grad``).

        Example::

            >>> import autograd_core as ag
            >>> x = ag.tensor([1.0], requires_grad=True)
            >>> x.is_leaf, (x * 2).is_leaf
            (True, False)
        """
        return self.grad_fn is None

    def __deepcopy__(self, memo: dict) -> Tensor:
        """``copy.deepcopy``: a leaf's copy (its values, grad, flags and attributes copied), as
        without this method; a tensor an op produced is refused, as PyTorch refuses it (a deep
        copy would duplicate the graph behind it)."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may "
                "be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001")
        import copy

        new = object.__new__(type(self))  # then the default's copy of the state: __dict__ and
        memo[id(self)] = new  # the slots (copyreg's reduce of a slotted object), deep-copied
        state: Any = self.__reduce_ex__(4)[2]
        attributes, slots = copy.deepcopy(state, memo)
        for name, value in {**(attributes or {}), **(slots or {})}.items():
            object.__setattr__(new, name, value)
        return new

    @property
    def requires_grad(self) -> builtins.bool:
        """Whether operations on this tensor are recorded for autograd.

        Assigning checks what PyTorch checks: only floating point tensors can require grad, and only
        a leaf's flag can be switched off.

        Example::

            >>> import autograd_core as ag
            >>> x = ag.tensor([1.0])
            >>> x.requires_grad
            False
            >>> x.requires_grad = True
            >>> (x * 2).requires_grad
            True
        """
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: builtins.bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: builtins.bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return this tensor.

        Args:
            requires_grad (bool): record operations on it. Default: True.

        Example::

            >>> import autograd_core as ag
            >>> w = ag.zeros(2).requires_grad_()
            >>> w.requires_grad
            True
        """
        if requires_grad and not _is_float(self._data.dtype):
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients; this "
                f"tensor is {self._data.dtype}"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if requires_grad and self._data.dtype.kind == "c":
            note_complex(self._data.dtype)
        self._requires_grad = bool(requires_grad)
        return self

    def detach(self) -> Tensor:
        """Return a new tensor sharing this one's data, cut from the graph (not requiring grad).

        Example::

            >>> import autograd_core as ag
            >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
            >>> y = (x * 2).detach()
            >>> y, y.requires_grad
            (tensor([2., 4.]), False)
        """
        t = Tensor._make(self._data, None, False)
        t._vc = self._counter()
        return t

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place (it becomes a leaf not requiring grad); return it.

        Example::

            >>> import autograd_core as ag
            >>> y = ag.tensor([1.0], requires_grad=True) * 2
            >>> y.detach_().is_leaf
            True
        """
        if self._base is not None:  # PyTorch's: a later write to the base would reconnect it
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        """A tensor sharing this one's memory, outside autograd (PyTorch's ``.data``).

        It does not require grad and has a version counter of its own, so writes through it
        (``p.data.mul_(0.5)``, ``p.data[0] = 1``) are allowed on a leaf that requires grad and
        are invisible to autograd: a node that saved ``p`` does not notice them. Prefer
        ``detach()`` (which shares the version counter, so such a write is caught) and
        ``torch.no_grad()``. Assigning a Tensor (or an array) rebinds this tensor's storage.

        Example::

            >>> import autograd_core as ag
            >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
            >>> w.data.mul_(10)
            tensor([10., 20.])
            >>> w
            tensor([10., 20.], requires_grad=True)
        """
        return Tensor._make(self._data, None, False)

    @data.setter
    def data(self, value):
        arr = value._data if isinstance(value, Tensor) else np.asarray(value)
        if self._requires_grad and not _is_float(arr.dtype):
            raise RuntimeError(
                "data set to a tensor that requires gradients must be floating point or complex "
                "dtype")
        _log_meta_change(self, arr)
        if arr.dtype.kind == "c":
            note_complex(arr.dtype)
        if arr is not self._data:
            DATA_SET[0] = next_seq()
        self._data = arr

    def register_hook(self, fn: Callable[[Tensor], Tensor | None]) -> _RemovableHandle:
        """Register ``fn(grad)`` to be called when this tensor's gradient is computed.

        A Tensor returned by ``fn`` replaces the gradient. Returns a handle whose ``remove()``
        unregisters the hook.

        Args:
            hook (callable): called with the gradient.

        Example::

            >>> import autograd_core as ag
            >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
            >>> h = x.register_hook(lambda g: g * 10)
            >>> (x * x).sum().backward()
            >>> x.grad
            tensor([20., 40.])
            >>> h.remove()
        """
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

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after this leaf's ``.grad`` has been accumulated by
        ``backward()``, as PyTorch's. The hook returns ``None`` and may read or change
        ``tensor.grad`` in place (an optimizer step, or a gradient all-reduce as
        ``DistributedDataParallel`` does). It runs once the engine knows that no more gradient
        will reach this leaf in the pass (so it can overlap the rest of backward), after the
        hooks of ``register_hook``; ``autograd_core.grad()`` runs none. Returns a handle with
        ``.remove()``.

        Example::

            >>> import autograd_core as ag
            >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
            >>> seen = []
            >>> h = w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
            >>> (w * 3).sum().backward()
            >>> seen
            [[3.0, 3.0]]
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors")
        hooks = self.__dict__.get("_post_acc_hooks")
        if hooks is None:
            hooks = self._post_acc_hooks = _PostAccumulateHooks()
        handle = _RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward (a leaf keeps it anyway).

        Example::

            >>> import autograd_core as ag
            >>> x = ag.tensor([1.0, 2.0], requires_grad=True)
            >>> y = x * 3
            >>> y.retain_grad()
            >>> y.sum().backward()
            >>> y.grad
            tensor([1., 1.])
        """
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
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
    def retains_grad(self) -> builtins.bool:
        """True if this non-leaf tensor keeps its gradient (``retain_grad()`` was called).

        Example::

            >>> import autograd_core as ag
            >>> y = ag.tensor([1.0], requires_grad=True) * 2
            >>> y.retain_grad()
            >>> y.retains_grad
            True
        """
        return self._retains_grad

    # ---- array attributes ------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        """The shape, an ``autograd_core.Size`` (a tuple of ints).

        Example::

            >>> import autograd_core as ag
            >>> ag.zeros(2, 3).shape
            autograd_core.Size([2, 3])
        """
        return _new_size(Size, self._data.shape)  # numpy's shape holds Python ints already

    @property
    def device(self) -> Any:
        """Where the data lives: always ``device(type='cpu')`` here (CPU only).

        Example::

            >>> import autograd_core as ag
            >>> ag.zeros(1).device
            device(type='cpu')
        """
        return _CPU

    @property
    def is_cuda(self) -> builtins.bool:
        """False: this build has only the CPU.

        Example::

            >>> import autograd_core as ag
            >>> ag.zeros(1).is_cuda
            False
        """
        return False

    # the other device / layout queries programs make (pytorch/examples dcgan:
    # ``if (input.is_cuda or input.is_xpu) and self.ngpu > 1``); CPU, strided, dense only
    is_cpu = True
    is_xpu = is_mps = is_meta = is_sparse = is_quantized = False

    def cpu(self, memory_format: Any = None) -> Tensor:
        """Return the tensor itself: it is already on the CPU.

        Args:
            memory_format (optional): accepted for PyTorch's signature.

        Example::

            >>> import autograd_core as ag
            >>> x = ag.zeros(2)
            >>> x.cpu() is x
            True
        """
        return self

    def cuda(self, device: Any = None, non_blocking: builtins.bool = False,
             memory_format: Any = None) -> Tensor:
        """Raise PyTorch's ``Torch not compiled with CUDA enabled``: this build has only the CPU.

        Example::

            >>> import autograd_core as ag
            >>> try:
            ...     ag.zeros(1).cuda()
            ... except AssertionError as e:
            ...     print(str(e)[:35])
            Torch not compiled with CUDA enable
        """
        raise AssertionError("Torch not compiled with CUDA enabled (this build of "
                             "autograd_core has only the CPU device)")

    def get_device(self) -> builtins.int:
        """Return -1, PyTorch's value for a CPU tensor.

        Example::

            >>> import autograd_core as ag
            >>> ag.zeros(1).get_device()
            -1
        """
        return -1

    @property
    def dtype(self) -> DType:
        """The dtype, an ``autograd_core.dtype`` (numpy's dtype, printed as ``autograd_core.float32``).

        Example::

            >>> import autograd_core as ag
            >>> ag.tensor([1.5]).dtype, ag.tensor([1]).dtype
            (autograd_core.float32, autograd_core.int64)
        """
        d = self._data.dtype
        return _DTYPES.get(d) or DType(d)

    @property
    def ndim(self) -> builtins.int:
        """The number of dimensions.

        Example::

            >>> import autograd_core as ag
            >>> ag.zeros(2, 3).ndim
            2
        """
        return self._data.ndim

    def dim(self) -> builtins.int:
        """Return the number of dimensions (as ``ndim``).

        Example::

            >>> import autograd_core as ag
            >>> ag.zeros(2, 3, 4).dim()
            3
        """
        return self._data.ndim

    def size(self, dim: builtins.int | None = None) -> Any:
        """Return the shape as an ``autograd_core.Size``, or the length of dimension ``dim``.

        Args:
            dim (int, optional): a dimension (negative counts from the end).

        Example::

            >>> import autograd_core as ag
            >>> x = ag.zeros(2, 3)
            >>> x.size(), x.size(-1)
            (autograd_core.Size([2, 3]), 3)
        """
        if dim is None:
            return _new_size(Size, self._data.shape)
        nd = self._data.ndim
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise TypeError(f"size(): argument 'dim' must be int, not {type(dim).__name__}")
        if not -max(nd, 1) <= dim < max(nd, 1) or nd == 0:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[{-max(nd, 1)}, {max(nd, 1) - 1}], but got {dim})")
        return self._data.shape[dim]

    def numel(self) -> builtins.int:
        """Return the number of elements.

        Example::

            >>> import autograd_core as ag
            >>> ag.zeros(2, 3).numel()
            6
        """
        return self._data.size

    def element_size(self) -> builtins.int:
        """Return the size of one element in bytes.

        Example::

            >>> import autograd_core as ag
            >>> ag.zeros(1).element_size(), ag.zeros(1, dtype=ag.float64).element_size()
            (4, 8)
        """
        return self._data.itemsize

    def data_ptr(self) -> builtins.int:
        """Return the address of the first element (``0`` for a tensor without elements).

        Tensors sharing memory (views, ``.data``, ``.detach()``) give the same address.

        Example::

            >>> import autograd_core as ag
            >>> t = ag.zeros(4)
            >>> t[1:].data_ptr() - t.data_ptr(), t.view(2, 2).data_ptr() == t.data_ptr()
            (4, True)
        """
        return self._data.ctypes.data if self._data.size else 0

    @property
    def nbytes(self) -> builtins.int:
        """The number of bytes the elements take (``numel() * element_size()``).

        Example::

            >>> import autograd_core as ag
            >>> ag.zeros(2, 3).nbytes
            24
        """
        return self._data.nbytes

    def item(self) -> Any:
        """Return the value of a one-element tensor as a Python number.

        Example::

            >>> import autograd_core as ag
            >>> ag.tensor([2.5]).item()
            2.5
            >>> loss = ag.tensor([1.0, 3.0]).mean()
            >>> f"{loss.item():.2f}"
            '2.00'
        """
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements (shape {self._data.shape}) cannot be "
                "converted to a Python scalar; item() needs exactly one element"
            )
        return self._data.reshape(()).item()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """Return a numpy array of this tensor's data (its memory shared, not copied; an array
        object of its own, so setting its ``shape`` leaves the tensor as it was).

        A tensor that requires grad refuses, as in PyTorch: call ``detach()`` first, or pass
        ``force=True`` (PyTorch's ``detach().cpu().resolve_conj().numpy()``: the same here).

        Example::

            >>> import autograd_core as ag
            >>> ag.tensor([1, 2]).numpy()
            array([1, 2])
            >>> ag.tensor([1.0], requires_grad=True).detach().numpy()
            array([1.], dtype=float32)
        """
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data.view()

    def tolist(self) -> Any:
        """Return the data as a (nested) list of Python numbers.

        Example::

            >>> import autograd_core as ag
            >>> ag.tensor([[1, 2], [3, 4]]).tolist()
            [[1, 2], [3, 4]]
        """
        return self._data.tolist()

    def __array__(self, dtype=None, copy=None):
        # Unlike torch, np.asarray(t) works for tensors that require grad too (it reads data).
        if dtype is not None and np.dtype(dtype) != self._data.dtype:
            return self._data.astype(dtype)
        if copy:
            return self._data.copy()
        return self._data.view()  # memory shared, the array object not (as numpy())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with "
                               f"{'no values' if self._data.size == 0 else 'more than one value'}"
                               " is ambiguous")
        return bool(self._data.reshape(()))

    def _scalar(self, real=None):
        # ValueError, as PyTorch's float()/int(): matplotlib and others catch exactly that
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        value = self._data.reshape(()).item()
        if real is not None and type(value) is complex:  # float()/int() of a complex tensor:
            if value.imag:  # its real part when the imaginary one is 0, as PyTorch's
                raise RuntimeError(f"value cannot be converted to type {real} without overflow")
            return value.real
        return value

    def __float__(self):
        if self._requires_grad and not _WARNED_FLOAT and _GRAD_STATE.enabled:  # PyTorch's
            _WARNED_FLOAT.append(True)  # warning, once per process, not under no_grad
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to "
                          "unexpected behavior.\nConsider using tensor.detach() first.",
                          UserWarning, stacklevel=2)
        return float(self._scalar("double"))

    def __int__(self):
        return int(self._scalar("int64_t"))

    def __complex__(self):
        return complex(self._scalar())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __repr__(self):
        return _format(self)

    __str__ = __repr__

    def __format__(self, format_spec):
        """A 0-d tensor formats as its number (``f"{loss:.4f}"``); others only with an empty
        spec (as PyTorch: ``TypeError`` otherwise)."""
        if self._data.ndim == 0:
            return format(self.item(), format_spec)
        if format_spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return str(self)

    def is_floating_point(self) -> builtins.bool:
        """Return True if the dtype is a floating point one.

        Example::

            >>> import autograd_core as ag
            >>> ag.tensor([1.0]).is_floating_point(), ag.tensor([1]).is_floating_point()
            (True, False)
            >>> ag.tensor([1j]).is_floating_point()  # complex is not floating point (PyTorch's)
            False
        """
        return self._data.dtype.kind == "f"


# ---- printing: PyTorch's repr and its print options ---------------------------------------------

#: the options ``set_printoptions`` sets (PyTorch's ``torch._tensor_str.PRINT_OPTS``)
_WARNED_FLOAT: list = []  # float(t) of a tensor that requires grad warned (PyTorch: once)

#: the Tensor classes whose instances are dense arrays (not sparse): operands the operators'
#: one-frame path (``node.operator``) takes; subclasses join when defined
DENSE_TYPES: set[type] = {Tensor}

PRINT_OPTS: dict[str, Any] = dict(precision=4, threshold=1000, edgeitems=3, linewidth=80,
                                  sci_mode=None)
_PROFILES: dict[str, dict[str, Any]] = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=float("inf"), edgeitems=3, linewidth=80)}


def set_printoptions(precision: builtins.int | None = None,
                     threshold: builtins.float | None = None,
                     edgeitems: builtins.int | None = None, linewidth: builtins.int | None = None,
                     profile: str | None = None, sci_mode: builtins.bool | None = None) -> None:
    """Set the options with which tensors print (``repr``, ``str``, ``print``).

    The options are PyTorch's, applied by PyTorch's rules: a tensor of more than
    ``threshold`` elements prints ``edgeitems`` items at each end of every dimension; a float
    tensor prints in scientific notation when its largest non-zero finite magnitude is
    above ``1e8`` or more than 1000 times its smallest (or, for non-integral values, the
    smallest is below ``1e-4``), unless ``sci_mode`` forces it on or off. ``sci_mode`` is
    reset to None by every call that does not give it, as in PyTorch.

    Args:
        precision (int, optional): digits after the point for floats. Default: 4.
        threshold (float, optional): element count above which a tensor is summarised.
            Default: 1000.
        edgeitems (int, optional): items kept at each end of a summarised dimension.
            Default: 3.
        linewidth (int, optional): characters per line before a break. Default: 80.
        profile (str, optional): ``"default"``, ``"short"`` (precision 2, edgeitems 2) or
            ``"full"`` (never summarise), applied first; the other arguments override it.
        sci_mode (bool, optional): force scientific notation on (True) or off (False);
            None chooses per tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.set_printoptions(precision=2)
        >>> ag.tensor([1.12345])
        tensor([1.12])
        >>> ag.set_printoptions(threshold=5)
        >>> ag.arange(10)
        tensor([0, 1, 2,  ..., 7, 8, 9])
        >>> ag.set_printoptions(profile="default")
        >>> ag.tensor([1.12345]), ag.arange(10)
        (tensor([1.1235]), tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
    """
    if profile is not None and profile in _PROFILES:
        PRINT_OPTS.update(_PROFILES[profile])
    for key, value in (("precision", precision), ("threshold", threshold),
                       ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            PRINT_OPTS[key] = value
    PRINT_OPTS["sci_mode"] = sci_mode


#: the complex dtype that prints without ``dtype=`` for each default floating dtype
_DEFAULT_COMPLEX = {np.dtype(np.float16): np.dtype(np.complex64),
                    np.dtype(np.float32): np.dtype(np.complex64),
                    np.dtype(np.float64): np.dtype(np.complex128)}


class _Formatter:
    """How every element of one tensor prints: a common width, and for floats whether all
    are integral ("1.") and whether scientific notation is used (PyTorch's rules)."""

    def __init__(self, arr: np.ndarray) -> None:
        self.floating = arr.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        self.parts = None
        if arr.dtype.kind == "c":  # PyTorch's: real and imaginary parts fitted apart
            self.parts = _Formatter(arr.real), _Formatter(arr.imag)
            self.width = self.parts[0].width + self.parts[1].width + 1
            return
        p = PRINT_OPTS["precision"]
        flat = arr.reshape(-1)
        if not self.floating:
            self.width = max([1] + [len(str(v)) for v in flat.tolist()])
            return
        vals = flat[np.isfinite(flat) & (flat != 0)]
        if not vals.size:
            return
        mags = np.abs(vals.astype(np.float64))
        lo, hi = mags.min(), mags.max()
        self.int_mode = builtins.bool(np.all(vals == np.ceil(vals)))
        forced = PRINT_OPTS["sci_mode"]
        self.sci_mode = builtins.bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
                                      if forced is None else forced)
        if self.sci_mode:
            texts = [f"{v:.{p}e}" for v in vals.tolist()]
        elif self.int_mode:
            texts = [f"{v:.0f}." for v in vals.tolist()]
        else:
            texts = [f"{v:.{p}f}" for v in vals.tolist()]
        self.width = max(len(t) for t in texts)

    def format(self, value: Any) -> str:
        p = PRINT_OPTS["precision"]
        if self.parts is not None:
            re, im = self.parts
            imag = (im.format(value.imag) + "j").lstrip()
            return re.format(value.real) + ("" if imag[0] in "+-" else "+") + imag
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{p}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{p}f}"
        return text.rjust(self.width)


def _summarized(arr: np.ndarray, edge: builtins.int) -> np.ndarray:
    """The elements a summarised print shows (the formatter is fitted to these only)."""
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        return np.concatenate([arr[:edge], arr[-edge:]]) if arr.shape[0] > 2 * edge else arr
    if not edge:
        return np.empty((0,) * arr.ndim, arr.dtype)
    rows = list(range(arr.shape[0]))
    if arr.shape[0] > 2 * edge:
        rows = [*range(edge), *range(arr.shape[0] - edge, arr.shape[0])]
    return np.stack([_summarized(arr[i], edge) for i in rows])


def _body(arr: np.ndarray, indent: builtins.int, summarize: builtins.bool,
          fmt: _Formatter) -> str:
    """The bracketed values of ``arr``, its rows indented by ``indent``."""
    edge, n = PRINT_OPTS["edgeitems"], (arr.shape[0] if arr.ndim else 0)
    if arr.ndim == 0:
        return fmt.format(arr.item())
    cut = summarize and n > 2 * edge
    if arr.ndim == 1:
        per_line = max(1, math.floor((PRINT_OPTS["linewidth"] - indent) / (fmt.width + 2)))
        if summarize and not edge:
            items = ["..."]
        elif cut:
            items = ([fmt.format(v) for v in arr[:edge].tolist()] + [" ..."]
                     + [fmt.format(v) for v in arr[-edge:].tolist()])
        else:
            items = [fmt.format(v) for v in arr.tolist()]
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if cut:
        parts = ([_body(arr[i], indent + 1, summarize, fmt) for i in range(edge)] + ["..."]
                 + [_body(arr[i], indent + 1, summarize, fmt) for i in range(n - edge, n)])
    else:
        parts = [_body(arr[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _format(t):
    """PyTorch's repr: the values (summarised above ``threshold`` elements, broken into
    lines of ``linewidth``), then ``size=`` for an empty tensor that is not 1-d (and for
    every tensor when ``edgeitems`` is 0), ``dtype=``
    unless it is a default one, ``grad_fn=`` or ``requires_grad=``, each on a new line when
    the line would pass ``linewidth``."""
    arr = t._data
    prefix = "tensor("
    extras = []
    if arr.size == 0:
        body = "[]"
        if arr.ndim != 1:
            extras.append(f"size={tuple(arr.shape)}")
        if arr.dtype not in (DEFAULT_DTYPE[0], _DEFAULT_COMPLEX[DEFAULT_DTYPE[0]]):
            extras.append(f"dtype={dtype_name(arr.dtype)}")
    else:
        if not PRINT_OPTS["edgeitems"]:
            extras.append(f"size={tuple(arr.shape)}")
        if arr.dtype not in (DEFAULT_DTYPE[0], np.dtype(np.int64), np.dtype(np.bool_),
                             _DEFAULT_COMPLEX[DEFAULT_DTYPE[0]]):
            extras.append(f"dtype={dtype_name(arr.dtype)}")
        summarize = arr.size > PRINT_OPTS["threshold"]
        fmt = _Formatter(_summarized(arr, PRINT_OPTS["edgeitems"]) if summarize else arr)
        body = _body(arr, len(prefix), summarize, fmt)
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    text = prefix + body
    pieces, line = [text], len(text) - text.rfind("\n") + 1  # (two more than the line, as PyTorch counts)
    for extra in extras:
        if line + len(extra) + 2 > PRINT_OPTS["linewidth"]:
            pieces.append(",\n" + " " * len(prefix) + extra)
            line = len(prefix) + len(extra)
        else:
            pieces.append(", " + extra)
            line += len(extra) + 2
    return "".join(pieces) + ")"
