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

from autograd_core.tensor import Tensor

_UNARY = ("abs acos asin atan ceil cos cosh erf erfc exp expm1 floor frac lgamma log log10 log1p "
          "log2 neg reciprocal round rsqrt sigmoid sign sin sinh sqrt tan tanh trunc").split()
_BINARY = "add sub mul div pow clamp_min clamp_max maximum minimum lerp".split()
_TERNARY = "addcmul addcdiv".split()


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
                raise RuntimeError("scalars tensor must be 1-D")
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


def _apply(t: Tensor, method: str, inplace: bool, args: tuple, kwargs: dict) -> Tensor:
    if inplace:
        fn = getattr(t, method + "_", None)
        if fn is None:  # no in-place method (maximum_, minimum_): compute, then write back
            return t.copy_(getattr(t, method)(*args, **kwargs))
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
    return tuple(t.max() for t in _check_list(self))


for _f in (_foreach_zero_, _foreach_copy_, _foreach_clone, _foreach_norm, _foreach_max):
    FOREACH[_f.__name__] = _f

__all__ = sorted(FOREACH)
globals().update(FOREACH)
