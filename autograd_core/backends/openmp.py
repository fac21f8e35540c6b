"""``autograd_core.backends.openmp``: whether the build uses OpenMP (PyTorch's query)."""

__all__ = ["is_available"]


def is_available() -> bool:
    """Return False: tapegrad's parallel kernels are Numba's, not an OpenMP build's.

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.openmp.is_available()
        False
    """
    return False
