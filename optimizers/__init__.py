"""PyTorch-compatible optimizers whose every step is one fused pass over memory.

``import optimizers as optim`` then use it as ``torch.optim``: ``optim.Adam(model.parameters(),
lr=1e-3)``, ``optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)``.

Layers: ``Optimizer`` subclasses manage param groups and state (``optimizer.py``, one file per
family); ``functional.py`` holds each rule's per-step scalar math; the elementwise update is one
Numba kernel per rule in ``autograd_core.kernels.optim`` (numpy twin: ``optim_ref``; select with
``TAPEGRAD_KERNELS=numba|numpy``).
"""

from optimizers import functional, lr_scheduler, registry, test_functions
from optimizers.adam import Adam, Adamax, AdamW, NAdam, RAdam
from optimizers.adaptive import Adadelta, Adagrad, RMSprop
from optimizers.lbfgs import LBFGS
from optimizers.optimizer import Optimizer, required
from optimizers.rprop import Rprop
from optimizers.sgd import SGD

__all__ = [
    "Optimizer",
    "required",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adadelta",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "RAdam",
    "Rprop",
    "LBFGS",
    "functional",
    "lr_scheduler",
    "registry",
    "test_functions",
]
