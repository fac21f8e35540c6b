"""``autograd_core.utils.data``, as ``torch.utils.data``: this module replaces itself with the
``nn.data`` module, so ``import autograd_core.utils.data`` and ``autograd_core.utils.data``
give ``nn.data`` itself (one module, one set of classes)."""

import importlib
import sys

# by name, not an import statement: the core keeps no import edge to nn (see utils/__init__)
sys.modules[__name__] = importlib.import_module("nn.data")
