"""PyTorch's ``*_copy`` ops (``view_copy``, ``permute_copy``, ``split_copy``, ...): the view
op's result as new tensors (contiguous copies; writes to them do not reach the input), as
functionalised and exported programs call them. Differentiable as the view followed by a
copy.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from autograd_core.ops.registry import op
from autograd_core.tensor import Tensor

__all__: list[str] = []


def _ag() -> Any:
    return importlib.import_module("autograd_core")


def _copy(t: Tensor) -> Tensor:
    return t.clone() if t.is_contiguous() else t.contiguous()


def _slice(t: Tensor, dim: int = 0, start: int | None = None, end: int | None = None,
           step: int = 1) -> Tensor:
    index: list[Any] = [slice(None)] * t.ndim
    index[dim] = slice(start, end, step)
    return t[tuple(index)]


def _declare(name: str, view: Callable[..., Any], what: str, example: str, result: str) -> None:
    def copy(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        out = view(input, *args, **kwargs)
        return tuple(map(_copy, out)) if isinstance(out, (tuple, list)) else _copy(out)

    copy.__name__ = copy.__qualname__ = name
    copy.__doc__ = (
        f"Return {what} of ``input`` as a new tensor (PyTorch's ``{name}``): a contiguous "
        "copy, not a view, so writes to it do not reach ``input``. Differentiable.\n\n"
        "Example::\n\n    >>> import autograd_core as ag\n"
        "    >>> x = ag.arange(6.0).view(2, 3)\n"
        f"    >>> ag.{name}({example})\n    {result}\n")
    globals()[name] = op(name, samples=(), method=name == "narrow_copy")(copy)
    __all__.append(name)


_declare('alias_copy', lambda t: t,
         '``input`` itself', 'x',
         'tensor([[0., 1., 2.],\n            [3., 4., 5.]])')
_declare('as_strided_copy', lambda t, size, stride, storage_offset=None: t.as_strided(size, stride, storage_offset),
         '``as_strided(...)``', 'x, (2, 2), (1, 2)',
         'tensor([[0., 2.],\n            [1., 3.]])')
_declare('detach_copy', lambda t: t.detach(),
         '``detach(...)``', 'x',
         'tensor([[0., 1., 2.],\n            [3., 4., 5.]])')
_declare('diagonal_copy', lambda t, offset=0, dim1=0, dim2=1: t.diagonal(offset, dim1, dim2),
         '``diagonal(...)``', 'x',
         'tensor([0., 4.])')
_declare('expand_copy', lambda t, size, *, implicit=False: t.expand(size),
         '``expand(...)``', 'x[:1], (2, 3)',
         'tensor([[0., 1., 2.],\n            [0., 1., 2.]])')
_declare('narrow_copy', lambda t, dim, start, length: t.narrow(dim, start, length),
         '``narrow(...)``', 'x, 1, 1, 2',
         'tensor([[1., 2.],\n            [4., 5.]])')
_declare('permute_copy', lambda t, dims: t.permute(dims),
         '``permute(...)``', 'x, (1, 0)',
         'tensor([[0., 3.],\n            [1., 4.],\n            [2., 5.]])')
_declare('select_copy', lambda t, dim, index: t.select(dim, index),
         '``select(...)``', 'x, 1, 2',
         'tensor([2., 5.])')
_declare('slice_copy', _slice,
         '``input[..., start:end:step]`` along ``dim``', 'x, 1, 0, 3, 2',
         'tensor([[0., 2.],\n            [3., 5.]])')
_declare('split_copy', lambda t, split_size, dim=0: t.split(split_size, dim),
         '``split(...)``', 'x, 1',
         '(tensor([[0., 1., 2.]]), tensor([[3., 4., 5.]]))')
_declare('split_with_sizes_copy', lambda t, split_sizes, dim=0: t.split_with_sizes(split_sizes, dim),
         '``split_with_sizes(...)``', 'x, [1, 2], 1',
         '(tensor([[0.],\n            [3.]]), tensor([[1., 2.],\n            [4., 5.]]))')
_declare('squeeze_copy', lambda t, dim=None: t.squeeze() if dim is None else t.squeeze(dim),
         '``squeeze(...)``', 'x.view(1, 2, 3)',
         'tensor([[0., 1., 2.],\n            [3., 4., 5.]])')
_declare('t_copy', lambda t: t.t(),
         '``t(...)``', 'x',
         'tensor([[0., 3.],\n            [1., 4.],\n            [2., 5.]])')
_declare('transpose_copy', lambda t, dim0, dim1: t.transpose(dim0, dim1),
         '``transpose(...)``', 'x, 0, 1',
         'tensor([[0., 3.],\n            [1., 4.],\n            [2., 5.]])')
_declare('unbind_copy', lambda t, dim=0: t.unbind(dim),
         '``unbind(...)``', 'x',
         '(tensor([0., 1., 2.]), tensor([3., 4., 5.]))')
_declare('unfold_copy', lambda t, dimension, size, step: t.unfold(dimension, size, step),
         '``unfold(...)``', 'x, 1, 2, 1',
         'tensor([[[0., 1.],\n             [1., 2.]],\n    <BLANKLINE>\n            [[3., 4.],\n             [4., 5.]]])')
_declare('unsqueeze_copy', lambda t, dim: t.unsqueeze(dim),
         '``unsqueeze(...)``', 'x, 0',
         'tensor([[[0., 1., 2.],\n             [3., 4., 5.]]])')
_declare('view_copy', lambda t, size: t.view(size),
         '``view(...)``', 'x, (3, 2)',
         'tensor([[0., 1.],\n            [2., 3.],\n            [4., 5.]])')
_declare('view_as_real_copy', lambda t: _ag().view_as_real(t),
         '``view_as_real(...)``', 'ag.tensor([1 + 2j])',
         'tensor([[1., 2.]])')
_declare('view_as_complex_copy', lambda t: _ag().view_as_complex(t),
         '``view_as_complex(...)``', 'ag.tensor([[1.0, 2.0]])',
         'tensor([1.+2.j])')
