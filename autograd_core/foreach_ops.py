"""PyTorch's ``torch._foreach_*`` functions: one op applied to each tensor of a list.

Hand-written optimizers (timm's, schedule-free's, lecture code copying ``torch.optim``'s
multi-tensor path) call them on lists of parameters and state. Here each is a loop over the
list calling the tensor method of the same name, so values, dtypes and autograd are those of
the method; PyTorch fuses the loop into a few kernels, which changes speed, not results.
An argument that is a list (or, for ``addcmul``/``addcdiv``'s ``scalars``, a 1-D tensor)
gives one value per tensor; any other argument is used for every tensor.

Example::

    >>> import autograd_core as ag
    >>> ps = [ag.ones(2), ag.ones(3)]
    >>> ag._foreach_mul_(ps, 0.5) is ps
    True
    >>> ag._foreach_add(ps, [1.0, 2.0])
    (tensor([1.5000, 1.5000]), tensor([2.5000, 2.5000, 2.5000]))
"""

from __future__ import annotations

from typing import Any, Callable

from autograd_core.ops._args import torch_name
from autograd_core.promotion import can_cast
from autograd_core.tensor import Tensor

_UNARY = ("abs acos asin atan ceil cos cosh erf erfc exp expm1 floor frac lgamma log log10 log1p "
          "log2 neg reciprocal round rsqrt sigmoid sign sin sinh sqrt tan tanh trunc").split()
_BINARY = "add sub mul div pow clamp_min clamp_max maximum minimum lerp".split()
_TERNARY = "addcmul addcdiv".split()
# PyTorch's overloads taking one Tensor for the whole list; the others take a Number there, so a
# 0-d Tensor is read as its number (float32 list + 0-d float64: float32 results, every entry)
_TENSOR_OTHER = {"add": False, "mul": True, "div": True}  # True: the Tensor overload is tried first
_NUMBER_AS = {"maximum": "clamp_min", "minimum": "clamp_max"}  # PyTorch's kernels for a Number


def _check_list(tensors: Any) -> list:
    if not isinstance(tensors, (list, tuple)) or not all(isinstance(t, Tensor) for t in tensors):
        raise TypeError(f"expected a list of Tensors, got {type(tensors).__name__}")
    if not tensors:
        raise RuntimeError("Tensor list must have at least one tensor.")
    return list(tensors)


def _columns(n: int, args: Any, scalars_last: bool = False) -> list[list]:
    """Each argument as ``n`` per-tensor values (a list) or repeated (anything else)."""
    cols = []
    for k, a in enumerate(args):
        last = scalars_last and k == len(args) - 1
        if last and isinstance(a, Tensor):
            if a.dim() != 1:
                raise RuntimeError("Expected packed scalar Tensor to be of dimension 1. "
                                   f"Got {a.dim()} instead.")
            if a.numel() != n:
                raise RuntimeError(f"Expected length of scalars to match input of length {n} "
                                   f"but got {a.numel()} instead.")
            a = a.tolist()
        if isinstance(a, (list, tuple)):
            if len(a) != n:
                if a and all(isinstance(v, Tensor) for v in a):
                    raise RuntimeError("Tensor lists must have the same number of tensors, "
                                       f"got {n} and {len(a)}")
                raise RuntimeError("Tensor list must have same number of elements as scalar list.")
            cols.append(list(a))
        else:
            cols.append([a] * n)
    return cols


def _other(name: str, method: str, other: Any, kwargs: dict) -> Any:
    """The one argument of a binary op given for the whole list, as PyTorch's overloads read it:
    a Number overload (no alpha=) takes a 0-d Tensor as its number, unless it requires grad or
    the op tries its Tensor overload first (mul, div; add given alpha=)."""
    tensor_first = _TENSOR_OTHER.get(method)
    got = ", ".join([f"list, {type(other).__name__}"]
                    + [f"{k}={type(v).__name__}" for k, v in kwargs.items()])
    invalid = TypeError(f"{name}() received an invalid combination of arguments - got ({got})")
    if isinstance(other, Tensor):
        if other.dim() == 0 and not other.requires_grad and not (tensor_first or kwargs):
            return other.item()
        if tensor_first is None:
            raise invalid
        if other.dim() != 0:
            raise RuntimeError(f"scalar tensor expected to be 0 dim but it has {other.dim()} "
                               f"dimensions and {other.numel()} elements.")
    elif kwargs:  # alpha= belongs to the Tensor and Tensor-list overloads only
        raise invalid
    return other


def _apply(t: Tensor, method: str, inplace: bool, args: tuple, kwargs: dict) -> Tensor:
    if method in _NUMBER_AS and not isinstance(args[0], Tensor):
        method = _NUMBER_AS[method]  # maximum(t, 2) is clamp_min there (clamp's checks, words)
    if inplace:
        fn = getattr(t, method + "_", None)
        if fn is None:  # no in-place method (maximum_, minimum_): compute, check, write back
            result = getattr(t, method)(*args, **kwargs)
            if not can_cast(result.dtype, t.dtype):  # PyTorch's in-place check (copy_ casts)
                raise RuntimeError(f"result type {torch_name(result._data.dtype)} can't be cast "
                                   f"to the desired output type {torch_name(t._data.dtype)}")
            return t.copy_(result)
        return fn(*args, **kwargs)
    return getattr(t, method)(*args, **kwargs)


def _make(method: str, nargs: int, inplace: bool) -> Callable[..., Any]:
    ternary = method in _TERNARY

    def op(self: Any, *args: Any, **kwargs: Any) -> Any:
        if method == "pow" and not isinstance(self, (list, tuple)):  # _foreach_pow(2.0, xs)
            exps = _check_list(args[0])
            return tuple(self ** e for e in exps)
        tensors = _check_list(self)
        if ternary:  # (t1, t2[, value | scalars]): the third is value=, one or one per tensor
            extra = list(args)
            if "scalars" in kwargs:
                extra.append(kwargs.pop("scalars"))
            elif "value" in kwargs:
                extra.append(kwargs.pop("value"))
            cols = _columns(len(tensors), extra, scalars_last=len(extra) == 3)
            outs = [_apply(t, method, inplace, tuple(c[i] for c in cols[:2]),
                           {"value": cols[2][i]} if len(cols) == 3 else {})
                    for i, t in enumerate(tensors)]
        else:
            if method == "lerp":  # weight: a number, numbers or Tensors, one per tensor
                if len(args) == 2 and isinstance(args[1], Tensor):
                    raise TypeError(f"{op.__name__}() received an invalid combination of "
                                    "arguments - got (list, list, Tensor)")
            elif args and not isinstance(args[0], (list, tuple)):
                args = (_other(op.__name__, method, args[0], kwargs),) + args[1:]
            cols = _columns(len(tensors), args)
            outs = [_apply(t, method, inplace, tuple(c[i] for c in cols), kwargs)
                    for i, t in enumerate(tensors)]
        return self if inplace else tuple(outs)  # in place: the list given, as PyTorch's
    op.__name__ = op.__qualname__ = f"_foreach_{method}{'_' if inplace else ''}"
    op.__doc__ = (f"Apply ``{method}{'_' if inplace else ''}`` to each Tensor of the input list "
                  "(PyTorch's ``torch." + op.__name__ + "``).")
    return op


FOREACH: dict[str, Callable[..., Any]] = {}
for _names, _n in ((_UNARY, 0), (_BINARY, 1), (_TERNARY, 2)):
    for _m in _names:
        for _inplace in (False, True):
            _f = _make(_m, _n, _inplace)
            FOREACH[_f.__name__] = _f


def _foreach_zero_(self: Any) -> Any:
    """Zero each Tensor of the list in place."""
    for t in _check_list(self):
        t.zero_()
    return self


def _foreach_copy_(self: Any, src: Any, non_blocking: bool = False) -> Any:
    """Copy each tensor of ``src`` into the tensor of ``self`` at the same place."""
    tensors = _check_list(self)
    if not isinstance(src, (list, tuple)):
        raise TypeError("_foreach_copy_(): argument 'src' (position 2) must be tuple of Tensors, "
                        f"not {type(src).__name__}")
    for t, s in zip(tensors, _columns(len(tensors), [src])[0]):
        t.copy_(s)
    return self


def _foreach_clone(self: Any) -> tuple:
    """A copy of each Tensor of the list."""
    return tuple(t.clone() for t in _check_list(self))


def _foreach_norm(self: Any, ord: Any = 2, dtype: Any = None) -> tuple:
    """The vector ``ord``-norm of each Tensor of the list (0-d tensors)."""
    if not isinstance(ord, (int, float)) or isinstance(ord, bool):
        raise TypeError(f"_foreach_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    from autograd_core import linalg
    return tuple(linalg.vector_norm(t, ord, dtype=dtype) for t in _check_list(self))


def _foreach_max(self: Any) -> tuple:
    """The largest element of each Tensor of the list (0-d tensors)."""
    tensors = _check_list(self)
    if any(t.numel() == 0 for t in tensors):
        raise RuntimeError("_foreach_max cannot compute the maximum of an empty tensor; max over "
                           "zero elements is undefined.")
    return tuple(t.max() for t in tensors)


for _f in (_foreach_zero_, _foreach_copy_, _foreach_clone, _foreach_norm, _foreach_max):
    FOREACH[_f.__name__] = _f

__all__ = sorted(FOREACH)
globals().update(FOREACH)
