"""Matrix multiplication with numpy's rules: 1-D operands promoted and squeezed, batch
dimensions broadcast (the engine sums their gradients back); PyTorch's strict spellings
(``mm``, ``bmm``, ``addmm``) and ``einsum``."""

from __future__ import annotations

import builtins
from typing import Any
import numpy as np

from autograd_core.node import HOLOMORPHIC, Node
from autograd_core.ops import _xp as xp
from autograd_core.ops._args import check_added_input, not_implemented, promote_pair, torch_name
from autograd_core.ops.registry import Sample, op
from autograd_core.ops._args import CPP_NAMES as _CPP_NAMES  # noqa: F401 - its importers
from autograd_core.ops.shape import _as_view
from autograd_core.tensor import Tensor


class MatMul(Node):
    complex_backward = HOLOMORPHIC

    def name(self):
        """PyTorch's node of the product of these dimensions: ``MmBackward0`` (and for the
        broadcast products PyTorch composes of views and ``mm``), ``MvBackward0``,
        ``DotBackward0``, ``BmmBackward0``."""
        na, nb = getattr(self, "nd", (2, 2))
        if na == 1 and nb == 1:
            return "DotBackward0"
        if na == 2 and nb == 1:
            return "MvBackward0"
        return "BmmBackward0" if na == nb == 3 else "MmBackward0"
    def forward(self, a, b):
        n = self.needs_input_grad
        self.save_for_backward(a if n[1] else None, b if n[0] else None)
        self.nd = (a.ndim, b.ndim)
        if a.dtype is not b.dtype and a.dtype != b.dtype:
            raise RuntimeError(dtype_mismatch(a.dtype, b.dtype, a.ndim, b.ndim))
        return np.matmul(a, b)

    def backward(self, g):
        a, b = self.saved
        na, nb = self.nd
        ga = gb = None
        if na == 1 and nb == 1:
            ga = g * b if b is not None else None
            gb = g * a if a is not None else None
        elif na == 1:  # (k,) @ (..., k, n) -> (..., n)
            if b is not None:
                ga = xp.matmul(g[..., None, :], xp.swap_last(b))[..., 0, :]
            if a is not None:
                gb = a[:, None] * g[..., None, :]
        elif nb == 1:  # (..., m, k) @ (k,) -> (..., m)
            if b is not None:
                ga = g[..., :, None] * b
            if a is not None:
                gb = xp.matmul(xp.swap_last(a), g[..., :, None])[..., 0]
        else:
            if b is not None:
                ga = xp.matmul(g, xp.swap_last(b))
            if a is not None:
                gb = xp.matmul(xp.swap_last(a), g)
        return ga, gb


#: C++'s names of the scalar types, in PyTorch's "m1 and m2" message


def dtype_mismatch(da, db, na, nb):
    """PyTorch's refusal of a product of operands of two dtypes (``na``- and ``nb``-d; no
    promotion), in the words of the kernel PyTorch would run for those ranks."""
    a, b = torch_name(da), torch_name(db)
    if nb == 1:
        if na == 1:
            return f"dot : expected both vectors to have same dtype, but found {a} and {b}"
        return f"addmv input tensors must have the same dtype, but got {b}, {a}, and {b}"
    if nb == 2:
        return (f"expected m1 and m2 to have the same dtype, but got: "
                f"{_CPP_NAMES.get(da.name, da.name)} != {_CPP_NAMES.get(db.name, db.name)}")
    return f"expected scalar type {a} but found {b}"


def check_added_dtypes(input, mat1, mat2):
    """PyTorch's dtype checks of ``addmm``/``addbmm`` (no promotion): the added tensor against
    ``mat2`` first, then ``mat1`` against ``mat2``."""
    for name, t in (("self", input), ("mat1", mat1)):
        if isinstance(t, Tensor) and isinstance(mat2, Tensor) and t.dtype != mat2.dtype:
            raise RuntimeError(f"{name} and mat2 must have the same dtype, but got "
                               f"{torch_name(t.dtype)} and {torch_name(mat2.dtype)}")


_BLAS_REAL = (np.dtype(np.float32), np.dtype(np.float64))


def scaled_sum(input, product, beta, alpha, fused):
    """``beta * input + alpha * product`` rounded as ATen's CPU BLAS calls round it (where
    the product itself is equal, the sum is then bit for bit PyTorch's): ``fused="input"``
    (gemm: ``addmm``, ``baddbmm``, each step of ``addbmm``) scales the product, then adds
    ``beta * input`` in one fused multiply-add; ``fused="product"`` (gemv: ``addmv``) scales
    ``input``, then adds ``alpha * product`` in one. ``beta = 0`` ignores ``input``, NaN
    included. Other dtypes (float16, complex, integers): the product scaled, plus ``input``
    scaled."""
    real = (product._data.dtype in _BLAS_REAL and isinstance(input, Tensor)
            and input._data.dtype == product._data.dtype)
    if beta == 0:
        return product * alpha if alpha != 1 else product
    if real and fused == "input" and beta != 1:
        return (product * alpha if alpha != 1 else product).add(input, alpha=beta)
    scaled = input * beta if beta != 1 else input
    if real and fused == "product" and alpha != 1:
        return scaled.add(product, alpha=alpha)
    return (product * alpha if alpha != 1 else product) + scaled


def _mismatch_message(sa, sb):
    """PyTorch's wording for inner dimensions that differ, by the kernel PyTorch would use."""
    if len(sa) == 1 and len(sb) == 1:
        return (f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have "
                f"the same number of elements, but got {sa[0]} and {sb[0]} elements respectively")
    if len(sb) == 1 and len(sa) == 2:
        return f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), vec ({sb[0]})"
    if len(sb) == 2:
        rows = int(np.prod(sa[:-1])) if len(sa) > 1 else 1
        return (f"mat1 and mat2 shapes cannot be multiplied ({rows}x{sa[-1]} and "
                f"{sb[0]}x{sb[1]})")
    return f"shapes cannot be multiplied: {sa[-1]} != {sb[-2]} (inner dimensions)"


@op("matmul", node=MatMul, method=True, samples=[
    Sample("matmul", lambda a, b: a @ b, 2, min_ndim=1, aliases=("@",),
           shapes=((3, 4), (4, 2)))])
def matmul(input: Tensor, other: Any) -> Tensor:
    """Return the matrix product of ``input`` and ``other``, with numpy's and PyTorch's rules.

    1-d by 1-d is a dot product, 2-d by 2-d a matrix product, a 1-d operand is treated as a
    row or column vector (that dimension removed after), and batch dimensions broadcast.
    Also ``input @ other``.

    Args:
        input (Tensor): the first operand.
        other (Tensor): the second operand.

    Example::

        >>> import autograd_core as ag
        >>> a = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.matmul(a, ag.tensor([1.0, 1.0]))
        tensor([3., 7.])
        >>> (ag.ones(5, 2, 3) @ ag.ones(3, 4)).shape
        autograd_core.Size([5, 2, 4])
    """
    a, b = input, other
    if getattr(a, "is_sparse", False) or getattr(b, "is_sparse", False):
        return a.matmul(b) if a.is_sparse else b.__rmatmul__(a)  # autograd_core.sparse
    sa, sb = np.shape(getattr(a, "_data", a)), np.shape(getattr(b, "_data", b))
    if len(sa) == 0 or len(sb) == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{len(sa)}D and {len(sb)}D")
    ka = sa[-1]
    kb = sb[-2] if len(sb) > 1 else sb[0]
    if ka != kb:
        raise RuntimeError(_mismatch_message(sa, sb) + f" (matmul: shapes {sa} and {sb})")
    try:
        return MatMul.apply(a, b)
    except ValueError:
        raise RuntimeError(
            f"matmul: batch dimensions of shapes {sa} and {sb} cannot be broadcast"
        ) from None


def _shape(x):
    return np.shape(x._data if isinstance(x, Tensor) else x)


def _lead(t):
    return int(np.prod(t.shape[:-1]))


def _as2d(t):
    """A sample's input as a matrix (any shape the generic tests draw: 0-d to 3-d, empty)."""
    return t.reshape(1, 1) if t.ndim == 0 else t.reshape(_lead(t), t.shape[-1])


@op("mm", method=True, samples=[
    Sample("mm", lambda a, b: mm(_as2d(a), _as2d(b).T), 2, shapes=((3, 4), (3, 4)))])
def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Return the matrix product of two 2-d tensors (no broadcasting; ``matmul`` has it).

    Args:
        input (Tensor): an ``(n, m)`` tensor.
        mat2 (Tensor): an ``(m, p)`` tensor.

    Example::

        >>> import autograd_core as ag
        >>> a = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.mm(a, a)
        tensor([[ 7., 10.],
                [15., 22.]])
    """
    if getattr(input, "is_sparse", False) or getattr(mat2, "is_sparse", False):
        return input.mm(mat2) if input.is_sparse else mat2.__rmatmul__(input)  # sparse.mm
    sa, sb = _shape(input), _shape(mat2)
    if len(sa) != 2:
        raise RuntimeError(f"self must be a matrix (mm got input of shape {tuple(sa)})")
    if len(sb) != 2:
        raise RuntimeError(f"mat2 must be a matrix (mm got mat2 of shape {tuple(sb)})")
    if sa[1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})")
    return MatMul.apply(input, mat2)


def _as3d(t):
    return t.reshape(1, 1, 1) if t.ndim == 0 else t.reshape(1, _lead(t), t.shape[-1])


@op("bmm", method=True, samples=[
    Sample("bmm", lambda a, b: bmm(_as3d(a), _as3d(b).transpose(1, 2)), 2,
           shapes=((3, 4), (3, 4)))])
def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Return the batched matrix product of two 3-d tensors with the same batch size.

    Args:
        input (Tensor): a ``(b, n, m)`` tensor.
        mat2 (Tensor): a ``(b, m, p)`` tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.bmm(ag.ones(2, 1, 3), ag.ones(2, 3, 4)).shape
        autograd_core.Size([2, 1, 4])
    """
    sa, sb = _shape(input), _shape(mat2)
    if len(sa) != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor (bmm got input of shape {tuple(sa)})")
    if len(sb) != 3:
        raise RuntimeError(f"batch2 must be a 3D tensor (bmm got mat2 of shape {tuple(sb)})")
    if sb[0] != sa[0] or sb[1] != sa[2]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")
    return MatMul.apply(input, mat2)


@op("addmm", method=True, samples=[
    Sample("addmm", lambda a, b: addmm(_as2d(a).sum(-1, keepdim=True), _as2d(a), _as2d(b).T,
                                       beta=0.5, alpha=2.0), 2, shapes=((3, 4), (3, 4))),
    Sample("addmm3", lambda c, a, b: addmm(_as2d(c) @ _as2d(c).T, _as2d(a), _as2d(b).T), 3)])
def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: builtins.float = 1,
          alpha: builtins.float = 1) -> Tensor:
    """Return ``beta * input + alpha * (mat1 @ mat2)``.

    ``input`` broadcasts to the product's shape.

    Args:
        input (Tensor): the tensor added.
        mat1 (Tensor): an ``(n, m)`` tensor.
        mat2 (Tensor): an ``(m, p)`` tensor.
        beta (number): the multiplier of ``input``. Default: 1.
        alpha (number): the multiplier of the product. Default: 1.

    Example::

        >>> import autograd_core as ag
        >>> a = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.addmm(ag.ones(2, 2), a, a, beta=0.5)
        tensor([[ 7.5000, 10.5000],
                [15.5000, 22.5000]])
    """
    check_added_dtypes(input, mat1, mat2)
    product = mm(mat1, mat2)
    check_added_input("addmm", _shape(input), product.shape)
    return scaled_sum(input, product, beta, alpha, "input")


# ---- einsum ------------------------------------------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _check_einsum_sizes(terms, shapes):
    """PyTorch's size checks of the letters, with its messages: a letter repeated in one
    operand has one size; across operands its sizes broadcast (1 or equal)."""
    seen: dict[str, int] = {}
    for i, (t, s) in enumerate(zip(terms, shapes)):
        if "..." in t:  # the letters before and after the ellipsis
            head, _, tail = t.partition("...")
            pairs = list(zip(head, s)) + (list(zip(tail, s[len(s) - len(tail):])) if tail else [])
        else:
            pairs = list(zip(t, s))
        local: dict[str, int] = {}
        for c, n in pairs:
            if local.setdefault(c, n) != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the "
                                   f"sizes don't match, {n} != {local[c]}")
            if seen.get(c, 1) not in (1, n) and n != 1:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} which "
                                   f"does not broadcast with previously seen size {seen[c]}")
            if seen.get(c, 1) == 1:
                seen[c] = n


def _parse_einsum(equation, shapes):
    """``(terms, output)`` with every ``...`` spelled out as letters, and the implicit output
    (letters used once, alphabetically, after the broadcast dims) made explicit."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation" if len(shapes) > len(terms) else
                           "einsum(): fewer operands were provided than specified in the "
                           "equation")
    for ch in eq:
        if not (ch in _LETTERS or ch in ".,->"):
            raise RuntimeError(f"einsum(): invalid subscript given at index {eq.index(ch)} in "
                               f"the equation string, subscripts must be in [a-zA-Z]")
    free = [c for c in _LETTERS if c not in eq]
    n_ell = 0
    for t, s in zip(terms, shapes):
        if "..." in t:
            n_ell = max(n_ell, len(s) - (len(t) - 3))
        elif len(t) != len(s):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) "
                               f"does not match the number of dimensions ({len(s)}) for "
                               f"operand {terms.index(t)} and no ellipsis was given")
    ell = "".join(free[:n_ell])
    _check_einsum_sizes(terms, shapes)
    out_terms = []
    for t, s in zip(terms, shapes):
        if "..." in t:
            k = len(s) - (len(t) - 3)
            t = t.replace("...", ell[n_ell - k:] if k else "")
        out_terms.append(t)
    if arrow:
        output = rhs.replace("...", ell)
    else:
        joined = "".join(out_terms)
        output = ell + "".join(sorted(c for c in set(joined) if c not in ell
                                      and joined.count(c) == 1))
    return out_terms, output


_INT64 = np.dtype(np.int64)


def _einsum_dtype(terms, output, shapes, dtypes):
    """The dtype of PyTorch's einsum of operands of several dtypes, or its error. PyTorch
    multiplies the operands pairwise, left to right: a pair that sums out a letter of size
    above 1 in both (the last two operands holding it) is a ``bmm``, which takes one dtype
    only ("expected scalar type Float but found Double"); any other pair is an elementwise
    product, which promotes (``"i,j->ij"`` of float32 and float64 is float64). A letter one
    operand holds alone is summed out of it first, integers into int64."""
    sizes = [dict(zip(t, s)) for t, s in zip(terms, shapes)]
    summed = set("".join(terms)) - set(output)
    left = {c: sum(sz.get(c, 1) != 1 for sz in sizes) for c in summed}  # operands holding c
    acc, dt = sizes[0], dtypes[0]
    for sz, other in zip(sizes[1:], dtypes[1:]):
        bmm = False
        for c in summed:
            in_acc, in_other = acc.get(c, 1) != 1, sz.get(c, 1) != 1
            if in_acc and in_other:
                left[c] -= 1
                bmm = bmm or left[c] == 1
            elif left[c] == 1 and (in_acc or in_other):  # summed alone first: integers to int64
                if in_acc:
                    dt = _INT64 if dt.kind in "biu" else dt
                else:
                    other = _INT64 if other.kind in "biu" else other
            else:
                continue
            if left[c] == 1:
                left[c] = 0
        if bmm and dt.kind == "b":
            raise not_implemented("bmm", dt)
        if bmm and other != dt:
            raise RuntimeError(f"expected scalar type {torch_name(dt)} but found "
                               f"{torch_name(other)}")
        dt = promote_pair(dt, other)
        acc = {c: max(acc.get(c, 1), sz.get(c, 1)) for c in {*acc, *sz}}
    return dt


def _einsum_any(terms, output, *xs):
    """``np.einsum`` on arrays; the recorded op when any operand is a Tensor (create_graph)."""
    if any(isinstance(x, Tensor) for x in xs):
        dtype = next(x.dtype for x in xs if isinstance(x, Tensor))
        xs = [x if isinstance(x, Tensor) else Tensor._make(np.asarray(x, dtype), None, False)
              for x in xs]
        return Einsum.apply(*xs, spec=(list(terms), output))
    return np.asarray(_einsum_arrays(terms, output, *xs))


def _einsum_arrays(terms, output, *xs):
    """``np.einsum`` of arrays; a two-operand contraction is one batched matmul instead
    (PyTorch's einsum is a ``bmm`` too; numpy's own loop does not use BLAS)."""
    if len(xs) == 2:
        out = _einsum_bmm(terms, output, *xs)
        if out is not None:
            return out
    return np.einsum(",".join(terms) + "->" + output, *xs)


def _einsum_bmm(terms, output, a, b):
    """``a``, ``b`` contracted as ``(batch, M, K) @ (batch, K, N)``, or None where that does
    not apply: no letter summed, a repeated letter, a letter summed within one operand,
    size-1 broadcasting, an integer/bool/half dtype."""
    (ta, tb), a, b = terms, np.asarray(a), np.asarray(b)
    if (a.dtype != b.dtype or a.dtype.kind not in "fc" or a.dtype.itemsize < 4
            or len(set(ta)) < len(ta) or len(set(tb)) < len(tb)
            or len(set(output)) < len(output) or not set(output) <= set(ta + tb)):
        return None
    sizes = dict(zip(ta, a.shape))
    if any(sizes.setdefault(c, n) != n for c, n in zip(tb, b.shape)):
        return None
    batch = [c for c in ta if c in tb and c in output]
    contracted = [c for c in ta if c in tb and c not in output]
    left, right = [c for c in ta if c not in tb], [c for c in tb if c not in ta]
    if not contracted or any(c not in output for c in left + right):
        return None
    n = lambda cs: int(np.prod([sizes[c] for c in cs], dtype=np.int64))  # noqa: E731
    if n(batch) > 1 and n(left) * n(right) * n(contracted) < 1024:
        return None  # many tiny products: numpy's loop is faster than a matmul per batch
    am = a.transpose([ta.index(c) for c in batch + left + contracted])
    bm = b.transpose([tb.index(c) for c in batch + contracted + right])
    out = np.matmul(am.reshape(n(batch), n(left), n(contracted)),
                    bm.reshape(n(batch), n(contracted), n(right)))
    have = batch + left + right
    out = out.reshape([sizes[c] for c in have])
    return out.transpose([have.index(c) for c in output])


class Einsum(Node):
    """``np.einsum`` forward; each operand's gradient is another einsum of the incoming
    gradient with the other operands (letters summed only within the operand broadcast back,
    repeated letters, a diagonal, written back through identity matrices)."""

    complex_backward = HOLOMORPHIC
    def forward(self, *operands, spec):
        terms, output = spec
        self.terms, self.output = terms, output
        self.shapes = [o.shape for o in operands]
        if len(operands) > 1:  # one operand's gradient does not read its values (and its
            self.save_for_backward(*operands)  # result may be a view of it, written later)
        if len(operands) == 1 and operands[0].ndim == 0:  # '...->...' of a 0-d tensor:
            return operands[0][...]  # PyTorch's view (numpy's einsum returns a copy)
        return _einsum_arrays(terms, output, *operands)

    def backward(self, g):
        ops = self.saved if len(self.shapes) > 1 else (None,)
        grads = []
        for i, (term, shape) in enumerate(zip(self.terms, self.shapes)):
            if not self.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [(t, o) for j, (t, o) in enumerate(zip(self.terms, ops)) if j != i]
            sizes = dict(zip(term, shape))
            uniq = "".join(dict.fromkeys(term))
            avail = set(self.output).union(*[set(t) for t, _ in others])
            have = "".join(c for c in uniq if c in avail)
            gi = _einsum_any([self.output] + [t for t, _ in others], have, g,
                             *[o for _, o in others])
            if have != uniq:  # letters summed within this operand alone: constant along them
                gi = gi.reshape(tuple(sizes[c] if c in have else 1 for c in uniq))
                gi = xp.broadcast_to(gi, tuple(sizes[c] for c in uniq))
            if len(uniq) != len(term):  # a repeated letter: write onto the diagonal
                fresh = [c for c in _LETTERS if c not in term and c not in self.output]
                full, eyes, specs, seen = "", [], [uniq], set()
                for c in term:
                    if c in seen:
                        d = fresh.pop(0)
                        full += d
                        specs.append(c + d)
                        eyes.append(np.eye(sizes[c], dtype=np.asarray(xp.data(g)).dtype))
                    else:
                        full += c
                        seen.add(c)
                gi = _einsum_any(specs, full, gi, *eyes)
            grads.append(gi)
        return tuple(grads)


def _einsum_samples():
    def s(name, eq, fn_shape, n=2):
        if n == 1:
            return Sample(name, lambda a: einsum(eq, fn_shape(a)), 1)
        return Sample(name, lambda a, b: einsum(eq, fn_shape(a), fn_shape(b)), 2,
                      shapes=((3, 4), (3, 4)))

    sq = lambda t: _as2d(t)[: min(_as2d(t).shape), : min(_as2d(t).shape)]
    return [s("einsum_mm", "ij,kj->ik", _as2d),
            s("einsum_outer", "i,j->ij", lambda t: t.reshape(-1)),
            s("einsum_batch", "...ij,...kj->...ik", _as3d), s("einsum_dot", "ij,ij", _as2d),
            s("einsum_trace", "ii", sq, 1), s("einsum_diag", "ii->i", sq, 1),
            s("einsum_rowsum", "ij->i", _as2d, 1), s("einsum_transpose", "ij->ji", _as2d, 1),
            Sample("einsum_broadcast", lambda a, b: einsum("...,...->...", a, b), 2,
                   broadcasts=True),
            Sample("einsum_bcast_sum", lambda a, b: einsum("ij,k->ik", _as2d(a),
                                                             b.reshape(-1)), 2)]


def _sublist_letter(n: Any) -> str:
    """A subscript of einsum's sublist form as its letter: 0-25 are A-Z, 26-51 a-z."""
    if n is Ellipsis:
        return "..."
    if not 0 <= n < 52:
        raise ValueError("einsum(): subscript in subscript list is not within the valid range "
                         "[0, 52)")
    return chr(ord("A") + n) if n < 26 else chr(ord("a") + n - 26)


def _sublist_equation(args: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """``einsum(op1, sub1, op2, sub2, ..., [out])`` as an equation and its operands."""
    pairs = args[:len(args) - len(args) % 2]
    equation = ",".join("".join(map(_sublist_letter, sub)) for sub in pairs[1::2])
    if len(args) % 2:
        equation += "->" + "".join(map(_sublist_letter, args[-1]))
    return equation, pairs[::2]


@op("einsum", samples=_einsum_samples())
def einsum(*args: Any) -> Tensor:
    """Sum products of the operands' elements over the indices the equation names.

    ``einsum(equation, *operands)`` (or ``einsum(equation, [operands])``), with PyTorch's and
    numpy's subscript rules: letters a-z and A-Z, ``...`` for broadcast dimensions, an implicit
    output (the letters used once, alphabetically) without ``->``. Differentiable in every
    operand. PyTorch's sublist form ``einsum(op1, [0, 1], op2, [1, 2], [0, 2])`` (subscripts
    0-51, ``Ellipsis`` for ``...``, the output list optional) means the same equation.

    Args:
        equation (str): the subscripts, e.g. ``"ij,jk->ik"``.
        *operands (Tensor): the operands.

    Example::

        >>> import autograd_core as ag
        >>> a = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> ag.einsum("ij,j->i", a, ag.tensor([1.0, 1.0]))
        tensor([3., 7.])
        >>> ag.einsum("ii", a)
        tensor(5.)
    """
    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one operand, "
                         "or at least one operand and its subscripts list")
    if isinstance(args[0], str):
        equation, operands = args[0], args[1:]
    else:
        equation, operands = _sublist_equation(args)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise ValueError("einsum(): must provide at least one operand")
    dtypes = [np.asarray(o._data if isinstance(o, Tensor) else o).dtype for o in operands]
    shapes = [_shape(o) for o in operands]
    spec = _parse_einsum(equation, shapes)
    if len(dtypes) > 1 and (len(set(dtypes)) > 1 or dtypes[0].kind in "biu"):
        dt = _einsum_dtype(spec[0], spec[1], shapes, dtypes)
        operands = tuple(o if d == dt else o.to(dt) if isinstance(o, Tensor) else
                         np.asarray(o, dt) for o, d in zip(operands, dtypes))
    if len(operands) == 1 and isinstance(operands[0], Tensor) and \
            operands[0]._data.dtype.kind in "biu" and set(spec[0][0]) - set(spec[1]):
        # one operand with a letter summed out is PyTorch's sum: integers and bools add up in
        # int64 (numpy's einsum kept int32, and or-ed bools)
        operands = (operands[0].long(),)
    try:
        out = Einsum.apply(*operands, spec=spec)
    except ValueError as exc:
        raise RuntimeError(f"einsum(): operands do not match the equation {equation!r} "
                           f"(shapes {[tuple(s) for s in shapes]}): {exc}") from None
    if len(operands) == 1 and isinstance(operands[0], Tensor):
        _as_view(out, operands[0])  # 'ij->ji', 'ii->i': numpy's view, and PyTorch's
    return out
