"""``autograd_core.special``, as ``torch.special``: special functions under PyTorch's names.

Most are the core ops under their ``torch.special`` names (``gammaln`` is ``lgamma``,
``expit`` is ``sigmoid``, ``multigammaln`` is ``mvlgamma``, ``psi`` is ``digamma``, ...); the
ones the core lacks (``i1``, ``i0e``, ``i1e``, ``zeta``, ``gammainc``/``gammaincc`` (``ag.igamma``/``igammac``), ``spherical_bessel_j0``,
``bessel_j0``, ``bessel_j1``, ``ndtri``,
``log_ndtr``, ``entr``, ``xlog1py``) are nodes of
``autograd_core.ops.specialfns``, and ``ndtr`` is composed of ``erfc``. All are
differentiable where PyTorch's are, to any order. All but ``softmax``/``log_softmax`` take
``out=``, as PyTorch's.

Example::

    >>> import autograd_core as ag
    >>> ag.special.expit(ag.tensor([0.0]))
    tensor([0.5000])
    >>> ag.special.gammaln(ag.tensor([4.0]))  # log(3!)
    tensor([1.7918])
"""

from __future__ import annotations

import functools
import math
from typing import Any

from autograd_core import ops as _ops  # noqa: F401 - fills the op table read below
from autograd_core.ops._args import no_complex
from autograd_core.ops.registry import DECLS
from autograd_core.tensor import Tensor

__all__ = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p", "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc",
           "gammaincc", "gammaln",
           "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp",
           "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
           "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round", "sinc", "softmax",
           "spherical_bessel_j0", "xlog1py", "xlogy", "zeta"]

# the core ops under torch.special's names (the functional forms of the op table)
digamma = psi = DECLS["digamma"].fn
erf, erfc, erfinv = DECLS["erf"].fn, DECLS["erfc"].fn, DECLS["erfinv"].fn
exp2, expm1, sinc = DECLS["exp2"].fn, DECLS["expm1"].fn, DECLS["sinc"].fn
gammaln, multigammaln = DECLS["lgamma"].fn, DECLS["mvlgamma"].fn
i0, logit, logsumexp = DECLS["i0"].fn, DECLS["logit"].fn, DECLS["logsumexp"].fn
polygamma, round, xlogy = DECLS["polygamma"].fn, DECLS["round"].fn, DECLS["xlogy"].fn  # noqa: A001
# the nodes only this module exports
i1, ndtri, log_ndtr = DECLS["special_i1"].fn, DECLS["special_ndtri"].fn, DECLS["special_log_ndtr"].fn
entr, xlog1py = DECLS["special_entr"].fn, DECLS["special_xlog1py"].fn
i0e, i1e, zeta = DECLS["special_i0e"].fn, DECLS["special_i1e"].fn, DECLS["special_zeta"].fn
spherical_bessel_j0 = DECLS["special_spherical_bessel_j0"].fn
bessel_j0, bessel_j1 = DECLS["special_bessel_j0"].fn, DECLS["special_bessel_j1"].fn
bessel_y0, bessel_y1 = DECLS["special_bessel_y0"].fn, DECLS["special_bessel_y1"].fn
erfcx = DECLS["special_erfcx"].fn
airy_ai = DECLS["special_airy_ai"].fn
(modified_bessel_i0, modified_bessel_i1, modified_bessel_k0, modified_bessel_k1,
 scaled_modified_bessel_k0, scaled_modified_bessel_k1) = (DECLS[f"special_{_n}"].fn for _n in (
    "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
    "scaled_modified_bessel_k0", "scaled_modified_bessel_k1"))
# the orthogonal polynomials (not differentiable, as PyTorch's)
(chebyshev_polynomial_t, chebyshev_polynomial_u, chebyshev_polynomial_v, chebyshev_polynomial_w,
 shifted_chebyshev_polynomial_t, shifted_chebyshev_polynomial_u, shifted_chebyshev_polynomial_v,
 shifted_chebyshev_polynomial_w, hermite_polynomial_h, hermite_polynomial_he,
 laguerre_polynomial_l, legendre_polynomial_p) = (DECLS[f"special_{_n}"].fn for _n in (
    "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
    "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "hermite_polynomial_h",
    "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p"))
gammainc, gammaincc = DECLS["igamma"].fn, DECLS["igammac"].fn  # torch.igamma / igammac

_SQRT1_2 = math.sqrt(0.5)


def expit(input: Tensor) -> Tensor:
    """Return the logistic sigmoid ``1 / (1 + exp(-input))`` of each element (``sigmoid``).

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.expit(ag.tensor([-1.0, 0.0, 2.0]))
        tensor([0.2689, 0.5000, 0.8808])
    """
    return input.sigmoid()


def log1p(input: Tensor) -> Tensor:
    """Return ``log(1 + input)`` for each element, accurate for small ``input`` (``log1p``).

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.log1p(ag.tensor([0.0, 1e-8, 1.0], dtype=ag.float64))
        tensor([0.0000e+00, 1.0000e-08, 6.9315e-01], dtype=autograd_core.float64)
    """
    return input.log1p()


def ndtr(input: Tensor) -> Tensor:
    """Return the standard normal CDF of each element: ``erfc(-input / sqrt(2)) / 2``.

    Integer inputs give float32.

    Args:
        input (Tensor): the input tensor.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.ndtr(ag.tensor([-1.0, 0.0, 1.96]))
        tensor([0.1587, 0.5000, 0.9750])
    """
    if input.dtype.kind not in "fc":
        input = input.float()
    no_complex(input, "erf_vml_cpu")  # PyTorch's ndtr runs erf
    return erfc(input * -_SQRT1_2) * 0.5


def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Apply softmax along ``dim`` (``input`` cast to ``dtype`` first, if given).

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension whose slices sum to 1.
        dtype (dtype, optional): the dtype to compute and return in. Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.softmax(ag.tensor([[0.0, 0.0], [0.0, 1.0]]), dim=1)
        tensor([[0.5000, 0.5000],
                [0.2689, 0.7311]])
    """
    return DECLS["softmax"].fn(input if dtype is None else input.to(dtype), dim)


def log_softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Apply log-softmax along ``dim`` (``input`` cast to ``dtype`` first, if given).

    Args:
        input (Tensor): the input tensor.
        dim (int): the dimension to normalise over.
        dtype (dtype, optional): the dtype to compute and return in. Default: ``None``.

    Example::

        >>> import autograd_core as ag
        >>> ag.special.log_softmax(ag.tensor([0.0, 0.0]), dim=0, dtype=ag.float64)
        tensor([-0.6931, -0.6931], dtype=autograd_core.float64)
    """
    return DECLS["log_softmax"].fn(input if dtype is None else input.to(dtype), dim)


def _taking_out() -> None:
    """Every name but ``softmax``/``log_softmax`` takes PyTorch's ``out=`` (``torch.special``'s
    do), as the core ops' functional forms: the result written into ``out`` and ``out``
    returned, refused when an argument requires grad (the message naming the op), but for the
    functions that are not differentiable (the Bessel and Airy functions, the polynomials),
    whose ``out=`` PyTorch takes whatever requires grad."""
    from autograd_core.grad_mode import no_grad
    from autograd_core.ops.registry import _with_out, typed

    op_of = {d.fn: d.name for d in DECLS.values()}
    composed = {expit: "sigmoid", log1p: "log1p", ndtr: "special_ndtr"}

    def without_grad(fn: Any) -> Any:
        @functools.wraps(fn)
        def taking_out(*args: Any, out: Any = None, **kwargs: Any) -> Any:
            if out is None:
                return fn(*args, **kwargs)
            with no_grad():
                return fn(*args, out=out, **kwargs)
        return taking_out

    for name in __all__:
        fn = globals()[name]
        if name in ("softmax", "log_softmax"):  # PyTorch's refuse out=
            globals()[name] = typed(fn, f"special_{name}")  # (a number: PyTorch's TypeError)
            continue
        fn_out = _with_out(fn, op_of.get(fn) or composed[fn])
        if "bessel" in name or "polynomial" in name or name == "airy_ai":
            fn_out = without_grad(fn_out)
        globals()[name] = fn_out


_taking_out()
