"""``autograd_core.backends.cpu``: the CPU capability PyTorch's kernels were dispatched for."""

__all__ = ["get_cpu_capability"]


def get_cpu_capability() -> str:
    """Return ``"DEFAULT"``: tapegrad has no per-ISA kernel dispatch (PyTorch returns the vector
    ISA its kernels use, such as ``"AVX2"``, and ``"DEFAULT"`` without one).

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.cpu.get_cpu_capability()
        'DEFAULT'
    """
    return "DEFAULT"
