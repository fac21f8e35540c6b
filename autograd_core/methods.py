"""Tensor's methods and operators, wired in one visible place.

``Tensor`` (``tensor.py``) knows no op; the ops import Tensor. Here the package gives Tensor
every method the op table declares (``@op(..., method=True)``), Python's operators, and the
few methods that are spellings of other ops (``.T``, ``.float()``, ``.backward()``).
"""

from __future__ import annotations

import sys
from typing import Callable

import numpy as np

from autograd_core._casts import plain_number
from autograd_core import autograd, creation
from autograd_core.grad_mode import STATE
from autograd_core.ops import complexfns
from autograd_core.ops.binary import (Add, Div, Mul, Pow, RsubScalar, ScalarPow, Sub, is_number,
                                      where)
from autograd_core.ops.index import getitem, setitem
from autograd_core.ops.inplace import inplace
from autograd_core.ops.linalg import matmul
from autograd_core.ops.linalg_solvers import _deprecated, tensor_H, tensor_mH, tensor_mT
from autograd_core.ops.pieces import iter_rows
from autograd_core.ops.mathfns import polygamma
from autograd_core.ops.registry import DECLS, refuse_capture
from autograd_core.ops.shape import permute, to, type_
from autograd_core.ops.unary import Neg, PowScalar
from autograd_core.node import operator
from autograd_core.device import check_device
from autograd_core.tensor import Size, Tensor, _legacy_sizes


def _operators():
    """Python's operator protocol: thin frames straight to each node's apply."""

    def __pow__(self, other):
        if isinstance(other, Tensor):
            return Pow.apply(self, other)
        return PowScalar.apply(self, exponent=plain_number(other))

    def __rpow__(self, other):
        other = plain_number(other)
        if is_number(other):  # 2 ** x: PyTorch's pow(Scalar, Tensor) node, one edge
            return ScalarPow.apply(self, base=other)
        return Pow.apply(other, self)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __neg__(self):
        return Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return self.abs()

    def __lt__(self, other):
        return self.lt(other)

    def __le__(self, other):
        return self.le(other)

    def __gt__(self, other):
        return self.gt(other)

    def __ge__(self, other):
        return self.ge(other)

    def __eq__(self, other):
        if other is None:  # PyTorch's: ``x == None`` is False (Python's identity), not a mask
            return NotImplemented
        return self.eq(other)

    def __ne__(self, other):
        if other is None:
            return NotImplemented
        return self.ne(other)

    def __invert__(self):
        if self._data.dtype.kind not in "biu":  # the operator's own words (PyTorch's)
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                            "tensors")
        return _fn("bitwise_not")(self)

    # the bitwise ops check dtypes (integers and bool) and broadcast with PyTorch's errors
    def __and__(self, other):
        return _fn("bitwise_and")(self, other)

    def __rand__(self, other):
        return _fn("bitwise_and")(self, other)

    def __or__(self, other):
        return _fn("bitwise_or")(self, other)

    def __ror__(self, other):
        return _fn("bitwise_or")(self, other)

    def __xor__(self, other):
        return _fn("bitwise_xor")(self, other)

    def __rxor__(self, other):
        return _fn("bitwise_xor")(self, other)

    def __lshift__(self, other):
        return _fn("bitwise_left_shift")(self, other)

    def __rlshift__(self, other):
        return _fn("bitwise_left_shift")(other, self)

    def __rshift__(self, other):
        return _fn("bitwise_right_shift")(self, other)

    def __rrshift__(self, other):
        return _fn("bitwise_right_shift")(other, self)

    def __floordiv__(self, other):
        other = plain_number(other)
        return _fn("floor_divide")(self, other)

    def __rfloordiv__(self, other):
        other = plain_number(other)
        return _fn("floor_divide")(other, self)

    def __mod__(self, other):
        other = plain_number(other)
        return _fn("remainder")(self, other)

    def __rmod__(self, other):
        other = plain_number(other)
        return _fn("remainder")(other, self)

    # in-place arithmetic: x += y modifies x (as PyTorch), with the checks of in-place ops
    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __ifloordiv__(self, other):
        return self.floor_divide_(other)

    def __imod__(self, other):
        return self.remainder_(other)

    def __ipow__(self, other):
        return self.pow_(other)

    def __iand__(self, other):
        return self.bitwise_and_(other)

    def __ior__(self, other):
        return self.bitwise_or_(other)

    def __ixor__(self, other):
        return self.bitwise_xor_(other)

    def __ilshift__(self, other):
        return self.bitwise_left_shift_(other)

    def __irshift__(self, other):
        return self.bitwise_right_shift_(other)

    def __contains__(self, element):
        # PyTorch's: any element equal to it (Python's default walked the rows with ==)
        if not isinstance(element, (Tensor, int, float, complex, bool, np.generic)):
            raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but you "
                               f"passed in a {type(element)}.")
        return bool((self == element).any().item())

    def __reversed__(self):
        return self if self.ndim == 0 else self.flip(0)

    # x + y, x - y, x * y, x / y (and 2 * x, ...): the op's apply in one frame, common cases
    __add__, __sub__, __mul__, __truediv__ = (operator(c) for c in (Add, Sub, Mul, Div))
    # 2 * x and 2 + x record x first, as PyTorch's (x.mul(2): next_functions[0] is x's);
    # the numbers are the same, float + and * being commutative
    # 2 - x: Sub of (2, x) under the name of PyTorch's node (RsubBackward1)
    __radd__, __rmul__, __rsub__ = (operator(Add), operator(Mul),
                                    operator(RsubScalar, reflected=True))

    def __rtruediv__(self, other):
        # PyTorch's Tensor.__rdiv__: reciprocal, then a product (its values, and the reciprocal
        # saves its output: `2.0 / x` then `x.mul_(3)` still backpropagates, as in PyTorch)
        return self.reciprocal() * other
    return {k: v for k, v in locals().items() if k.startswith("__")}


def _fn(name):
    """The functional form of op ``name`` (read when called: the table is filled by then)."""
    return DECLS[name].fn


def _raw(x):
    return x._data if isinstance(x, Tensor) else x


def _ufunc_ops():
    """numpy ufuncs that have a recorded op here: ``np.exp(t)`` or ``array + t`` on a Tensor
    runs the op (and records it) instead of silently dropping the graph."""
    from autograd_core.ops import binary

    table = {np.add: Add.apply, np.subtract: Sub.apply, np.multiply: Mul.apply,
             np.true_divide: Div.apply, np.power: binary.pow, np.negative: Neg.apply,
             np.maximum: binary.Maximum.apply, np.minimum: binary.Minimum.apply,
             np.equal: binary.eq, np.not_equal: binary.ne, np.less: binary.lt,
             np.less_equal: binary.le, np.greater: binary.gt, np.greater_equal: binary.ge,
             np.matmul: matmul}
    for name in ("exp", "log", "log1p", "sqrt", "sin", "cos", "tanh", "abs", "square", "sign"):
        table[getattr(np, name)] = getattr(Tensor, name)
    table[np.absolute] = Tensor.abs
    return table


def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
    """numpy's ufuncs on Tensors: a ufunc with an op here runs that op (a recorded Tensor);
    any other refuses a tensor that requires grad (the graph would be lost silently) and
    otherwise runs on the arrays, giving an array."""
    if ufunc in _REFLECTED and method == "__call__" and not kwargs and len(inputs) == 2 and \
            isinstance(inputs[0], np.generic):  # np.float64(0.1) / t: t's reflected operator
        return getattr(inputs[1], _REFLECTED[ufunc])(plain_number(inputs[0]))  # (PyTorch's)
    op = _UFUNC_OPS.get(ufunc) if method == "__call__" and not kwargs else None
    if op is not None:
        return op(*inputs)
    if STATE.enabled and any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
        raise RuntimeError(
            f"numpy.{ufunc.__name__} cannot record a gradient: it was called on a Tensor that "
            "requires grad. Use the tensor operation, or call .detach() first (numpy() "
            "refuses such a tensor for the same reason)."
        )
    if "out" in kwargs:
        kwargs["out"] = tuple(o._data if isinstance(o, Tensor) else o for o in kwargs["out"])
    arrays = [x._data if isinstance(x, Tensor) else x for x in inputs]
    return getattr(ufunc, method)(*arrays, **kwargs)


_T_NOT_2D = ("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
             "deprecated and it will throw an error in a future release. Consider `x.mT` to "
             "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
             "to reverse the dimensions of a tensor.")
_T_0D = "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."


def _new_size(size, shape):
    """``new_zeros``/``new_ones``/``new_empty``'s shape: the positional sizes, or PyTorch's
    ``size=`` keyword."""
    if shape:
        extra = set(shape) - {"size"}
        if extra or size:
            raise TypeError(f"got unexpected keyword arguments {sorted(extra) or ['size']}")
        return (shape["size"],)
    return size


def _spellings():
    """Methods that are other names or argument orders of declared ops."""

    def T(self):  # noqa: N802 - PyTorch's name
        """The tensor with its dimensions reversed (a view; ``permute(n-1, ..., 0)``).

        Example::

            >>> import autograd_core as ag
            >>> ag.zeros(2, 3, 4).T.shape
            autograd_core.Size([4, 3, 2])
        """
        n = self.ndim
        if n != 2:  # PyTorch's deprecation warnings, once per process (TORCH_WARN_ONCE)
            _deprecated("T", _T_NOT_2D) if n else _deprecated("T0", _T_0D)
        return permute(self, tuple(range(n - 1, -1, -1)))

    def real(self):
        """The real part (a view for a complex tensor: writes through it change this one; a
        real tensor is its own real part). Assigning to it copies into that view.

        Example::

            >>> import autograd_core as ag
            >>> z = ag.tensor([1 + 2j])
            >>> z.real
            tensor([1.])
            >>> z.real = ag.tensor([5.0])
            >>> z
            tensor([5.+2.j])
        """
        return complexfns.real(self)

    def imag(self):
        """The imaginary part of a complex tensor (a view, as ``real``; assignable).

        Example::

            >>> import autograd_core as ag
            >>> ag.tensor([1 + 2j]).imag
            tensor([2.])
        """
        return complexfns.imag(self)

    def _set_part(part):
        def setter(self, value):
            view = part(self)
            view.copy_(value if isinstance(value, Tensor) else creation.tensor(value))
        return setter

    def t(self):
        """Return the transpose of a tensor of at most 2 dimensions (a view).

        Example::

            >>> import autograd_core as ag
            >>> ag.tensor([[1, 2, 3]]).t()
            tensor([[1],
                    [2],
                    [3]])
        """
        return DECLS["t"].fn(self)  # PyTorch's node name (TBackward0) and words

    def where_(self, condition, other):
        """Return ``autograd_core.where(condition, self, other)``: this tensor where ``condition`` holds.

        Args:
            condition (Tensor): where to take this tensor's values.
            other (Tensor or number): the values elsewhere.

        Example::

            >>> import autograd_core as ag
            >>> x = ag.tensor([-1.0, 2.0])
            >>> x.where(x > 0, 0.0)
            tensor([0., 2.])
        """
        return where(condition, self, other)

    def polygamma_method(self, n):
        """Return ``autograd_core.polygamma(n, self)``: the ``n``-th derivative of digamma.

        Args:
            n (int): the order of the derivative, ``n >= 0``.

        Example::

            >>> import autograd_core as ag
            >>> ag.tensor([1.0, 2.0]).polygamma(1)
            tensor([1.6449, 0.6449])
        """
        return polygamma(n, self)

    polygamma_method.__name__ = polygamma_method.__qualname__ = "polygamma"

    def itemsize(self):
        """The size of one element in bytes (``element_size()``, as a property).

        Example::

            >>> import autograd_core as ag
            >>> ag.zeros(1).itemsize, ag.zeros(1, dtype=ag.bool).itemsize
            (4, 1)
        """
        return self._data.itemsize

    # Tensor.new_*: a new tensor with this one's dtype (and device) unless given
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, **shape):
        """Return a new tensor of zeros, with this tensor's dtype unless ``dtype`` is given.

        Args:
            *size (int...): the shape.
            dtype (dtype, optional): the dtype; this tensor's if None.
            device (device or str, optional): ``"cpu"`` or None.
            requires_grad (bool): Default: False.

        Example::

            >>> import autograd_core as ag
            >>> x = ag.zeros(1, dtype=ag.float64)
            >>> x.new_zeros(2)
            tensor([0., 0.], dtype=autograd_core.float64)
        """
        return creation.zeros(*_new_size(size, shape), dtype=dtype or self.dtype, device=device,
                              requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False, **shape):
        """Return a new tensor of ones, with this tensor's dtype unless ``dtype`` is given.

        Args:
            *size (int...): the shape.
            dtype (dtype, optional): the dtype; this tensor's if None.
            device (device or str, optional): ``"cpu"`` or None.
            requires_grad (bool): Default: False.

        Example::

            >>> import autograd_core as ag
            >>> x = ag.zeros(1, dtype=ag.float64)
            >>> x.new_ones(2)
            tensor([1., 1.], dtype=autograd_core.float64)
        """
        return creation.ones(*_new_size(size, shape), dtype=dtype or self.dtype, device=device,
                             requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False, **shape):
        """Return a new tensor of uninitialised values, with this tensor's dtype unless ``dtype`` is given.

        Args:
            *size (int...): the shape.
            dtype (dtype, optional): the dtype; this tensor's if None.
            device (device or str, optional): ``"cpu"`` or None.
            requires_grad (bool): Default: False.

        Example::

            >>> import autograd_core as ag
            >>> x = ag.zeros(1, dtype=ag.float64)
            >>> x.new_empty(2, 3).shape
            autograd_core.Size([2, 3])
        """
        return creation.empty(*_new_size(size, shape), dtype=dtype or self.dtype, device=device,
                              requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        """Return a new tensor of ``fill_value``, with this tensor's dtype unless ``dtype`` is given.

        Args:
            size (tuple of int): the shape.
            fill_value (number): the value.
            dtype (dtype, optional): the dtype; this tensor's if None.
            device (device or str, optional): ``"cpu"`` or None.
            requires_grad (bool): Default: False.

        Example::

            >>> import autograd_core as ag
            >>> x = ag.zeros(1, dtype=ag.float64)
            >>> x.new_full((2,), 7)
            tensor([7., 7.], dtype=autograd_core.float64)
        """
        return creation.full(size, fill_value, dtype=dtype or self.dtype, device=device,
                             requires_grad=requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        """Return a new tensor of a copy of ``data``, with this tensor's dtype unless ``dtype`` is given.

        Args:
            data (array_like): the values.
            dtype (dtype, optional): the dtype; this tensor's if None.
            device (device or str, optional): ``"cpu"`` or None.
            requires_grad (bool): Default: False.

        Example::

            >>> import autograd_core as ag
            >>> x = ag.zeros(1, dtype=ag.float64)
            >>> x.new_tensor([1, 2])
            tensor([1., 2.], dtype=autograd_core.float64)
        """
        return creation.tensor(data, dtype=dtype or self.dtype, device=device,
                               requires_grad=requires_grad)

    def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False):
        """Return a new uninitialised tensor of shape ``size`` and strides ``stride``, with
        this tensor's dtype unless ``dtype`` is given (``autograd_core.empty_strided``).

        Example::

            >>> import autograd_core as ag
            >>> ag.zeros(1, dtype=ag.float64).new_empty_strided((2, 2), (1, 2)).stride()
            (1, 2)
        """
        return creation.empty_strided(size, stride, dtype=dtype or self.dtype, device=device,
                                      requires_grad=requires_grad)

    def share_memory_(self):
        """Move the tensor's values into shared memory (a ``multiprocessing.shared_memory``
        segment, for ``autograd_core.multiprocessing``: processes given the tensor then see
        one another's in-place changes, as PyTorch's Hogwild training); returns the tensor.

        Example::

            >>> import autograd_core as ag
            >>> x = ag.zeros(2)
            >>> x.share_memory_() is x, x.is_shared()
            (True, True)
        """
        from autograd_core.multiprocessing import _share_memory_  # stdlib multiprocessing: late

        return _share_memory_(self)

    def is_shared(self):
        """Whether the tensor's values live in shared memory (``share_memory_()``, or a tensor
        received from another process that shared it).

        Example::

            >>> import autograd_core as ag
            >>> ag.zeros(2).is_shared()
            False
        """
        shared = sys.modules.get("autograd_core.multiprocessing")
        return shared is not None and bool(shared._SEGMENTS) and (
            shared._segment_of(self._data) is not None)

    def pin_memory(self, device=None):
        """Refused, as PyTorch without an accelerator: page-locked memory is for copies to one.

        Example::

            >>> import autograd_core as ag
            >>> ag.zeros(1).is_pinned()
            False
        """
        raise RuntimeError("Cannot access accelerator device when none is available.")

    def is_pinned(self, device=None):
        """Return False: no tensor is in page-locked memory here (PyTorch's answer on a machine
        without an accelerator).

        Example::

            >>> import autograd_core as ag
            >>> ag.zeros(1).is_pinned()
            False
        """
        return False

    def _elementwise_python(self, name, values):
        if self.requires_grad:
            raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use "
                               f"var.detach().{name}() instead.")
        result = np.array(values, dtype=object).reshape(self.shape).astype(self._data.dtype)
        return inplace(self, lambda: Tensor._wrap(result))

    def apply_(self, callable):
        """Replace each element ``v`` by ``callable(v)`` (a Python function, called once per
        element, slow); return the tensor. Refused on a tensor that requires grad.

        Args:
            callable (callable): a function of one number giving one number.

        Example::

            >>> import autograd_core as ag
            >>> ag.tensor([1.0, 2.0]).apply_(lambda v: v * 3)
            tensor([3., 6.])
        """
        refuse_capture("apply_()")  # a Python function of the values: a replay cannot redo it
        return _elementwise_python(self, "apply_", [callable(v) for v in self._data.ravel().tolist()])

    def map_(self, tensor, callable):
        """Replace each element ``v`` by ``callable(v, w)``, ``w`` the element of ``tensor``
        (broadcast to this tensor's shape) at the same position; return the tensor.

        Args:
            tensor (Tensor): the second arguments.
            callable (callable): a function of two numbers giving one number.

        Example::

            >>> import autograd_core as ag
            >>> ag.tensor([1.0, 2.0]).map_(ag.tensor([10.0, 20.0]), lambda v, w: v + w)
            tensor([11., 22.])
        """
        refuse_capture("map_()")
        other = np.broadcast_to(tensor._data, self._data.shape).ravel().tolist()
        return _elementwise_python(self, "map_", [callable(v, w) for v, w in
                                                  zip(self._data.ravel().tolist(), other)])

    def new(self, *args, size=None, device=None):
        """PyTorch's legacy ``Tensor.new``, with this tensor's dtype: sizes (ints or a ``Size``)
        give a tensor of that shape (zeros here, uninitialised in PyTorch), a list, tuple or
        array gives a copy of its values, a Tensor of this dtype an alias of it, no argument an
        empty tensor. Prefer ``new_empty``/``new_zeros``/``new_tensor``.

        Example::

            >>> import autograd_core as ag
            >>> x = ag.zeros(1, dtype=ag.float64)
            >>> x.new(2, 3).shape, x.new([1, 2])
            (autograd_core.Size([2, 3]), tensor([1., 2.], dtype=autograd_core.float64))
        """
        check_device(device, "new")
        dt = self._data.dtype
        if size is not None:
            if args:
                raise TypeError("new() received an invalid combination of arguments: sizes "
                                "or data, and size=")
            args = (Size(size),)
        if len(args) == 1 and isinstance(args[0], Tensor):
            other = args[0]
            if other._data.dtype != dt:
                raise TypeError(f"new(): expected a tensor of {self.dtype} (got {other.dtype})")
            return other.view(other.shape)  # an alias: gradients reach it (PyTorch's AliasBackward0)
        if len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray)) and \
                type(args[0]).__name__ != "Size":
            return creation.tensor(args[0], dtype=dt)
        if not args:
            return Tensor._wrap(np.zeros((0,), dt))
        sizes = tuple(args[0]) if len(args) == 1 and type(args[0]).__name__ == "Size" else args
        if len(sizes) == 1 and isinstance(sizes[0], (float, complex, bool)):
            raise TypeError(f"new(): data must be a sequence (got {type(sizes[0]).__name__})")
        sizes = tuple(s.item() if isinstance(s, Tensor) and s.ndim == 0 else s for s in sizes)
        return Tensor._wrap(np.zeros(_legacy_sizes(sizes), dt))

    methods = {
        "new_zeros": new_zeros, "new_ones": new_ones, "new_empty": new_empty,
        "new_full": new_full, "new_tensor": new_tensor, "new": new,
        "new_empty_strided": new_empty_strided, "share_memory_": share_memory_,
        "is_shared": is_shared, "pin_memory": pin_memory, "is_pinned": is_pinned,
        "apply_": apply_, "map_": map_,
        "T": property(T), "mT": property(tensor_mT), "H": property(tensor_H), "mH": property(tensor_mH), "itemsize": property(itemsize),
        "real": property(real, _set_part(real)), "imag": property(imag, _set_part(imag)), "t": t, "where": where_, "polygamma": polygamma_method,
        "type": type_, "astype": to,
        **{name: _cast(name, dtype) for name, dtype in _CASTS.items()},
        "__getitem__": getitem, "__setitem__": setitem, "__iter__": iter_rows,
        "backward": autograd.tensor_backward,
    }
    return methods


_CASTS = {"float": np.float32, "double": np.float64, "half": np.float16, "long": np.int64,
          "int": np.int32, "bool": np.bool_, "byte": np.uint8, "short": np.int16, "char": np.int8,
          "cfloat": np.complex64, "cdouble": np.complex128}


def _cast(name: str, dtype: type) -> Callable[[Tensor], Tensor]:
    """``Tensor.float()``, ``.double()``, ...: ``self.to(dtype)``, as a named method."""

    def cast(self: Tensor) -> Tensor:
        return to(self, dtype)

    cast.__name__ = cast.__qualname__ = name
    cast.__doc__ = (
        f"``self.to({np.dtype(dtype).name})``: a copy in that dtype, or ``self`` if it "
        f"already has it.\n\nExample::\n\n    >>> import autograd_core as ag\n"
        f"    >>> ag.tensor([0, 1]).{name}().dtype\n    autograd_core.{np.dtype(dtype).name}\n")
    return cast


_UFUNC_OPS: dict = {}
# a numpy scalar (op) a Tensor: numpy asks the Tensor (its __array_ufunc__), where PyTorch's
# Tensor gets Python's reflected operator (1 / x is reciprocal(x) * 1)
_REFLECTED = {np.add: "__radd__", np.subtract: "__rsub__", np.multiply: "__rmul__",
              np.true_divide: "__rtruediv__", np.power: "__rpow__",
              np.floor_divide: "__rfloordiv__", np.remainder: "__rmod__"}

#: the examples of the methods defined here (the doctest finder sees only module-level
#: functions): Tensor.T, .t(), .new_zeros(), .float(), ...
__test__: dict[str, str] = {}


def wire():
    for decl in DECLS.values():
        if decl.method:
            setattr(Tensor, decl.method, decl.fn)
            for alias in decl.aliases:
                setattr(Tensor, alias, decl.fn)
    spellings = _spellings()
    from autograd_core.linalg import _lu_legacy  # Tensor.lu (torch.lu's method form)

    spellings["lu"] = _lu_legacy
    for name, fn in {**_operators(), **spellings}.items():
        setattr(Tensor, name, fn)
    for name, fn in spellings.items():
        doc = (fn.fget if isinstance(fn, property) else fn).__doc__
        if doc and ">>>" in doc:
            __test__[name] = doc
    _UFUNC_OPS.update(_ufunc_ops())
    Tensor.__array_ufunc__ = __array_ufunc__
    Tensor.__hash__ = object.__hash__  # __eq__ is elementwise; identity keeps tensors hashable


wire()
