"""``autograd_core.backends.mkl``: whether the build uses Intel MKL (PyTorch's query)."""

__all__ = ["is_available"]


def is_available() -> bool:
    """Return False: tapegrad is not built against MKL (numpy's BLAS is its own choice).

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.mkl.is_available()
        False
    """
    return False
