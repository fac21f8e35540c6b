"""PyTorch's functions removed in 1.9 (``torch.solve``, ``torch.eig``, ``torch.symeig``,
``torch.lstsq``, ``torch.matrix_rank``, and the methods of the first four): present, as in
PyTorch 2.13, to raise its ``RuntimeError`` with the ``torch.linalg`` replacement, instead of
an ``AttributeError``, when an old program calls them."""

from __future__ import annotations

from typing import Any, NoReturn

from autograd_core.tensor import Tensor

__all__ = ["eig", "lstsq", "matrix_rank", "solve", "symeig"]

_REMOVED = "This function was deprecated since version 1.9 and is now removed."

#: the replacement advice of each, PyTorch's words
_ADVICE = {
    'solve': ' `torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` has its arguments reversed and does not return the LU factorization.\n\nTo get the LU factorization see `torch.lu`, which can be used with `torch.lu_solve` or `torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\nX = torch.linalg.solve(A, B)',
    'eig': ' `torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather than real tensors mimicking complex tensors.\n\nL, _ = torch.eig(A) should be replaced with:\nL_complex = torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, eigenvectors=True) should be replaced with:\nL_complex, V_complex = torch.linalg.eig(A)',
    'symeig': " The default behavior has changed from using the upper triangular portion of the matrix by default to using the lower triangular portion.\n\nL, _ = torch.symeig(A, upper=upper) should be replaced with:\nL = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\nL, V = torch.symeig(A, eigenvectors=True) should be replaced with:\nL, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')",
    'lstsq': " `torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n`torch.linalg.lstsq` has reversed arguments and does not return the QR decomposition in the returned tuple (although it returns other information about the problem).\n\nTo get the QR decomposition consider using `torch.linalg.qr`.\n\nThe returned solution in `torch.lstsq` stored the residuals of the solution in the last m - n columns of the returned value whenever m > n. In torch.linalg.lstsq, the residuals are in the field 'residuals' of the returned named tuple.\n\nThe unpacking of the solution, as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced with:\nX = torch.linalg.lstsq(A, B).solution",
    'matrix_rank': "\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter 'symmetric' was renamed in `torch.linalg.matrix_rank()` to 'hermitian'.",
}


def _refuse(name: str) -> NoReturn:
    raise RuntimeError(_REMOVED + _ADVICE[name])


def _doc(fn: Any) -> Any:
    name = fn.__name__.rstrip("_")
    fn.__doc__ = (
        f"Removed in PyTorch 1.9: raises PyTorch's ``RuntimeError`` naming the ``linalg`` "
        "replacement.\n\nExample::\n\n    >>> import autograd_core as ag\n"
        f"    >>> ag.{name}(ag.eye(2){', ag.eye(2)' if name in ('solve', 'lstsq') else ''})\n"
        "    Traceback (most recent call last):\n"
        f"    ...\n    RuntimeError: {_REMOVED} ...\n")
    return fn


@_doc
def solve(input: Tensor, A: Tensor, *, out: Any = None) -> NoReturn:
    _refuse("solve")


@_doc
def eig(self: Tensor, eigenvectors: bool = False, *, e: Any = None, v: Any = None) -> NoReturn:
    _refuse("eig")


@_doc
def symeig(input: Tensor, eigenvectors: bool = False, upper: bool = True, *,
           out: Any = None) -> NoReturn:
    _refuse("symeig")


@_doc
def lstsq(input: Tensor, A: Tensor, *, out: Any = None) -> NoReturn:
    _refuse("lstsq")


@_doc
def matrix_rank(input: Tensor, tol: Any = None, symmetric: bool = False, *,
                out: Any = None) -> NoReturn:
    _refuse("matrix_rank")


@_doc
def solve_(self: Tensor, other: Tensor) -> NoReturn:
    _refuse("solve")


@_doc
def eig_(self: Tensor, eigenvectors: bool = False) -> NoReturn:
    _refuse("eig")


@_doc
def symeig_(self: Tensor, eigenvectors: bool = False) -> NoReturn:
    _refuse("symeig")


@_doc
def lstsq_(self: Tensor, other: Tensor) -> NoReturn:
    _refuse("lstsq")


# the methods (PyTorch's method signatures; the names end in _ here only to be told apart)
for _name, _method in (("solve", solve_), ("eig", eig_), ("symeig", symeig_), ("lstsq", lstsq_)):
    setattr(Tensor, _name, _method)
