"""``autograd_core.backends.opt_einsum``: PyTorch's switch for contraction-order optimisation of
``einsum`` by the ``opt_einsum`` package; tapegrad's ``einsum`` does not use that package, so it
reports it unavailable (PyTorch's answer when the package is not installed)."""

from __future__ import annotations

from typing import Any

__all__ = ["is_available", "get_opt_einsum", "enabled", "strategy"]

enabled: bool = False
strategy: Any = None


def is_available() -> bool:
    """Return False: ``einsum`` here does not go through ``opt_einsum``.

    Example::

        >>> import autograd_core as ag
        >>> ag.backends.opt_einsum.is_available()
        False
    """
    return False


def get_opt_einsum() -> Any:
    """Return None (PyTorch returns the ``opt_einsum`` module when it uses it)."""
    return None
