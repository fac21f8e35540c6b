"""Complex numbers: parts, conjugate, polar form, and the views between complex and real.

Gradients follow PyTorch's convention for a real loss ``L`` of complex ``z = x + iy``: the
gradient is ``dL/dx + i dL/dy`` (the conjugate Wirtinger derivative, doubled), so a step
``z - lr * z.grad`` descends. Each node's ``complex_backward`` is that rule; the real ones
(a real input of ``complex``/``polar``/``view_as_complex``) keep the real part, as PyTorch.

``conj`` copies (PyTorch sets a lazy conjugate bit instead): ``is_conj`` is always False and
``resolve_conj`` returns its input.
"""

from __future__ import annotations

import builtins

import numpy as np

from autograd_core.node import Node
from autograd_core.ops import _xp as xp
from autograd_core.ops._args import torch_name
from autograd_core.ops.registry import Sample, op
from autograd_core.ops.shape import _as_view
from autograd_core.ops.storage import element_offset
from autograd_core.tensor import Tensor, note_complex

_COMPLEX_OF = {np.dtype(np.float16): np.dtype(np.complex64),  # numpy has no complex32
               np.dtype(np.float32): np.dtype(np.complex64),
               np.dtype(np.float64): np.dtype(np.complex128)}


def _data(x):
    return x._data if isinstance(x, Tensor) else x


def _make_complex(re, im):
    """``re + i im`` from two real arrays or Tensors (under create_graph: recorded)."""
    if isinstance(re, Tensor) or isinstance(im, Tensor):
        return complex(re, im)
    out = np.empty(np.broadcast_shapes(re.shape, im.shape), _COMPLEX_OF[re.dtype])
    out.real, out.imag = re, im
    return out


def _real_part(g):
    return real(g) if isinstance(g, Tensor) else np.real(g)


def _imag_part(g):
    return imag(g) if isinstance(g, Tensor) else np.imag(g)


# ---- conj -------------------------------------------------------------------------------------

class Conj(Node):
    """The complex conjugate (a copy). Antiholomorphic: the gradient is ``conj(grad)``."""

    def forward(self, x):
        return np.conj(x)

    def backward(self, g):
        return (xp.conj(g),)

    complex_backward = backward


@op("conj", node=Conj, method=True, aliases=("conj_physical",),
    samples=[Sample("conj", lambda a: a.conj() * a)])  # real samples: conj is the identity
def conj(input: Tensor) -> Tensor:
    """Return the complex conjugate of ``input``; a real tensor is returned as it is.

    PyTorch returns a lazily conjugated view (``is_conj()`` is True); tapegrad computes the
    conjugate (a copy), so writes to the result do not reach ``input``. ``conj_physical`` is
    another name. The gradient is the conjugate of the incoming one.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.conj(ag.tensor([1 + 2j, 3 - 1j]))
        tensor([1.-2.j, 3.+1.j])
    """
    if input.dtype.kind != "c":
        return input
    return Conj.apply(input)


@op("resolve_conj", method=True, samples=())
def resolve_conj(input: Tensor) -> Tensor:
    """Return ``input``: tapegrad's ``conj`` is never lazy, so there is no bit to resolve.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.resolve_conj(ag.conj(ag.tensor([1 + 1j])))
        tensor([1.-1.j])
    """
    return input


@op("resolve_neg", method=True, samples=())
def resolve_neg(input: Tensor) -> Tensor:
    """Return ``input``: tapegrad has no lazy negation bit (PyTorch's ``resolve_neg``).

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.resolve_neg(ag.tensor([1.0]))
        tensor([1.])
    """
    return input


@op("is_conj", method=True, samples=())
def is_conj(input: Tensor) -> builtins.bool:
    """Return False: tapegrad's ``conj`` computes the conjugate (PyTorch: True for the lazy
    view ``conj`` returns).

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.is_conj(ag.conj(ag.tensor([1 + 1j])))
        False
    """
    return False


# ---- real and imaginary parts -----------------------------------------------------------------

class Real(Node):
    """The real part of a complex tensor (a view)."""

    view_name = "Select"  # PyTorch's: a select of view_as_real (its view errors)

    def forward(self, x):
        return x.real

    def complex_backward(self, g):
        return (g,)  # the engine makes it complex: g + 0i


class Imag(Node):
    """The imaginary part of a complex tensor (a view). Its gradient is ``i * grad``."""

    view_name = "Select"  # PyTorch's: a select of view_as_real (its view errors)

    def forward(self, x):
        return x.imag

    def complex_backward(self, g):
        return (_make_complex(xp.zeros_like(g), g),)


@op("real", method=False, samples=())
def real(input: Tensor) -> Tensor:
    """Return the real part of ``input``; a real tensor is returned as it is.

    For a complex tensor the result is a view: writes through it change ``input`` (and its
    gradient, as PyTorch's CopySlices, when recording). Also the
    property ``Tensor.real``. Its gradient reaches ``input`` as a complex tensor with zero
    imaginary part.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> z = ag.tensor([1 + 2j, 3 - 1j])
        >>> ag.real(z)
        tensor([1., 3.])
        >>> z.real.mul_(10)
        tensor([10., 30.])
        >>> z
        tensor([10.+2.j, 30.-1.j])
    """
    if input.dtype.kind != "c":
        return input
    return _as_view(Real.apply(input), input)


@op("imag", method=False, samples=())
def imag(input: Tensor) -> Tensor:
    """Return the imaginary part of a complex ``input`` (a view, as ``real``).

    Also the property ``Tensor.imag``. A real tensor raises PyTorch's RuntimeError. The gradient
    of the input is ``i`` times the incoming one.

    Args:
        input (Tensor): the input tensor (complex).

    Example::

        >>> import autograd_core as ag
        >>> ag.imag(ag.tensor([1 + 2j, 3 - 1j]))
        tensor([ 2., -1.])
    """
    if input.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _as_view(Imag.apply(input), input)


# ---- angle, sgn -------------------------------------------------------------------------------

def _abs(z):
    return z.abs() if isinstance(z, Tensor) else np.abs(z)


def _safe(a):
    """``a`` (a real array or Tensor), its zeros replaced by 1, and where they were."""
    zero = xp.data(a) == 0
    return zero, xp.where(zero, 1.0, a)


@op("angle", method=True, samples=[
    Sample("angle", lambda a: a.angle() + a, domain="away_from_zero")], doc="""
    Return the angle (argument, in radians) of each element of ``input``.

    ``atan2(input.imag, input.real)`` for complex inputs (a real result); for real inputs 0 or
    pi (NaN stays NaN), whose gradient is zero. At ``0`` the complex gradient is 0, as in
    PyTorch.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.angle(ag.tensor([1j, -1 + 0j])).round(decimals=4)
        tensor([1.5708, 3.1416])
        >>> ag.angle(ag.tensor([-2.0, 3.0]))
        tensor([3.1416, 0.0000])
    """)
class Angle(Node):
    """The argument of each element (``atan2(imag, real)``); 0 or pi for reals."""

    def forward(self, x):
        self.save_for_backward(x)
        if x.dtype.kind in "biu":
            x = x.astype(np.float32)
        if x.dtype.kind == "c":
            out = np.angle(x)
        else:  # PyTorch's: pi below 0, else 0 (-0.0 too: numpy's angle gives pi), NaN kept
            out = np.where(x < 0, np.pi, np.where(x == x, 0.0, x))
        return out.astype(x.real.dtype) if out.dtype != x.real.dtype else out

    def backward(self, g):  # piecewise constant on the reals
        return (xp.zeros_like(g),)

    def complex_backward(self, g):
        # d angle = (x dy - y dx) / |z|^2: the gradient is g * i z / |z|^2, 0 at z = 0
        (z,) = self.saved
        zero, d = _safe(_abs(z) ** 2)
        return (xp.where(zero, 0.0, _make_complex(xp.zeros_like(g), g) * z / d),)


# ---- views between complex and real -------------------------------------------------------

class ViewAsReal(Node):
    """A complex tensor's memory seen as real pairs: shape ``(*, 2)``."""

    def forward(self, x):
        # strided like x (a transposed or sliced complex tensor too, as PyTorch's), one more
        # axis stepping from the real to the imaginary half of each element
        re = x.real
        return np.lib.stride_tricks.as_strided(re, x.shape + (2,), x.strides + (re.itemsize,))

    def complex_backward(self, g):
        return (view_as_complex(g.contiguous()) if isinstance(g, Tensor)
                else np.ascontiguousarray(g).view(_COMPLEX_OF[g.dtype])[..., 0],)


class ViewAsComplex(Node):
    """Real pairs (a last dimension of 2) seen as complex numbers."""

    def forward(self, x):
        note_complex(_COMPLEX_OF[x.dtype])
        return x.view(_COMPLEX_OF[x.dtype])[..., 0]

    def complex_backward(self, g):
        # a real input: its gradient is (Re g, Im g), PyTorch's convention
        return (view_as_real(g) if isinstance(g, Tensor) else
                np.stack([g.real, g.imag], axis=-1),)


@op("view_as_real", method=False, samples=())
def view_as_real(input: Tensor) -> Tensor:
    """Return a complex tensor as a real one with a last dimension of 2 (real, imaginary): a
    view, sharing ``input``'s memory.

    Args:
        input (Tensor): a complex tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.view_as_real(ag.tensor([1 + 2j, 3 - 1j]))
        tensor([[ 1.,  2.],
                [ 3., -1.]])
    """
    if input.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return _as_view(ViewAsReal.apply(input), input)


@op("view_as_complex", method=False, samples=())
def view_as_complex(input: Tensor) -> Tensor:
    """Return a real tensor whose last dimension (of size 2) holds real and imaginary parts as
    a complex tensor of one dimension less: a view, sharing ``input``'s memory.

    Args:
        input (Tensor): a float32 or float64 tensor of shape ``(*, 2)`` whose last dimension
            has stride 1.

    Example::

        >>> import autograd_core as ag
        >>> ag.view_as_complex(ag.tensor([[1.0, 2.0], [3.0, -1.0]]))
        tensor([1.+2.j, 3.-1.j])
    """
    x = input._data
    if x.dtype not in _COMPLEX_OF or x.dtype == np.float16:
        raise RuntimeError("view_as_complex is only supported for half, float and double "
                           f"tensors, but got a tensor of scalar type: {torch_name(x.dtype)}")
    if x.ndim == 0 or x.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if x.strides[-1] != x.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % (2 * x.itemsize) for s in x.strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if element_offset(x) % 2:  # (a complex element would straddle two pairs of the storage)
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return _as_view(ViewAsComplex.apply(input), input)


# ---- complex and polar ------------------------------------------------------------------------

def _check_pair(real, imag):
    a, b = _data(real).dtype, _data(imag).dtype
    if a not in _COMPLEX_OF or b not in _COMPLEX_OF:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{torch_name(a)} and {torch_name(b)}")
    if a != b:
        raise RuntimeError(f"Expected object of scalar type {torch_name(a)} but got scalar type "
                           f"{torch_name(b)} for second argument")
    note_complex(_COMPLEX_OF[a])


class Complex(Node):
    """``real + i imag`` from two real tensors (broadcast)."""

    def forward(self, re, im):
        return _make_complex(re, im)

    def complex_backward(self, g):
        n = self.needs_input_grad
        return (_real_part(g) if n[0] else None), (_imag_part(g) if n[1] else None)


def _libm(fn, x):
    """``fn`` (``np.cos``/``np.sin``) of a float32 array as the C library's ``cosf``/``sinf``
    that PyTorch's ``polar`` kernel calls: evaluated in float64, then rounded (numpy's own
    float32 loops are an ulp off in about 10% of elements). Other dtypes as they are."""
    return fn(x.astype(np.float64)).astype(np.float32) if x.dtype == np.float32 else fn(x)


class Polar(Node):
    """``abs * (cos(angle) + i sin(angle))``."""

    def forward(self, r, theta):
        out = _make_complex(r * _libm(np.cos, theta), r * _libm(np.sin, theta))
        self.save_for_backward(out)
        return out

    def complex_backward(self, g):
        # d out / d abs = out / abs (PyTorch: sgn(out), 0 where abs is 0); d out / d angle =
        # i out; a real input's gradient is Re(conj(g) * d out / d input)
        (out,) = self.saved
        gc = xp.conj(g)
        n = self.needs_input_grad
        s = out.sgn() if isinstance(out, Tensor) else np.sign(out)
        ga = _real_part(gc * s) if n[0] else None
        gb = _real_part(gc * _make_complex(-_imag_part(out), _real_part(out))) if n[1] else None
        return ga, gb


@op("complex", method=False, samples=(), elementwise=True)
def complex(real: Tensor, imag: Tensor) -> Tensor:  # noqa: A001 - PyTorch's name
    """Return the complex tensor ``real + i * imag`` (with broadcasting).

    Both inputs must be floating point tensors of one dtype: float32 gives complex64, float64
    complex128. The gradient of ``real`` is the real part of the incoming one, that of ``imag``
    its imaginary part.

    Args:
        real (Tensor): the real parts.
        imag (Tensor): the imaginary parts.

    Example::

        >>> import autograd_core as ag
        >>> ag.complex(ag.tensor([1.0, 3.0]), ag.tensor([2.0, -1.0]))
        tensor([1.+2.j, 3.-1.j])
    """
    _check_pair(real, imag)
    return Complex.apply(real, imag)


@op("polar", method=False, samples=(), elementwise=True)
def polar(abs: Tensor, angle: Tensor) -> Tensor:  # noqa: A002 - PyTorch's names
    """Return the complex tensor with absolute values ``abs`` and angles ``angle``:
    ``abs * (cos(angle) + i * sin(angle))`` (with broadcasting).

    Both inputs must be floating point tensors of one dtype. The gradient of ``abs`` is 0 where
    ``abs`` is 0, as in PyTorch.

    Args:
        abs (Tensor): the absolute values.
        angle (Tensor): the angles, in radians.

    Example::

        >>> import math
        >>> import autograd_core as ag
        >>> z = ag.polar(ag.tensor([2.0]), ag.tensor([math.pi / 3]))
        >>> ag.view_as_real(z).round(decimals=4)  # complex round is refused, as PyTorch's
        tensor([[1.0000, 1.7321]])
    """
    _check_pair(abs, angle)
    return Polar.apply(abs, angle)
