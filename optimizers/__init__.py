"""PyTorch-compatible optimizers whose every step is one fused pass over memory.

``import optimizers as optim`` then use it as ``torch.optim``: ``optim.Adam(model.parameters(),
lr=1e-3)``, ``optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)``.

One file per algorithm declares its update rule once (a Numba loop and its numpy twin, see
``autograd_core.kernels.optim``), its hyperparameters and its per-step scalars; the base class
``Optimizer`` (``optimizer.py``) runs the step loop and owns param groups, state and
``state_dict``. ``TAPEGRAD_KERNELS=numba|numpy`` selects the kernels or their twins.

PyTorch's update rules are the defaults; where the lectures write a rule differently (epsilon
inside the square root, NAdam with a constant beta1, Rprop's four variants, the learning rate
inside the momentum, averaged momentum from zero) the lecture's form is a keyword option:
``optimizers/LECTURE_FORMS.md`` has the table.
"""

from optimizers import lr_scheduler, registry, test_functions
from optimizers.adadelta import Adadelta
from optimizers.adafactor import Adafactor
from optimizers.adagrad import Adagrad
from optimizers.adam import Adam, AdamW
from optimizers.adamax import Adamax
from optimizers.asgd import ASGD
from optimizers.lbfgs import LBFGS
from optimizers.muon import Muon
from optimizers.nadam import NAdam
from optimizers.optimizer import Optimizer, required
from optimizers.radam import RAdam
from optimizers.rmsprop import RMSprop
from optimizers.rprop import Rprop
from optimizers.sgd import SGD
from optimizers.sparse_adam import SparseAdam

__all__ = [
    "Optimizer",
    "required",
    "SGD",
    "Adagrad",
    "RMSprop",
    "Adadelta",
    "Adafactor",
    "Adam",
    "AdamW",
    "SparseAdam",
    "Adamax",
    "NAdam",
    "RAdam",
    "Rprop",
    "ASGD",
    "LBFGS",
    "Muon",
    "lr_scheduler",
    "registry",
    "swa_utils",
    "test_functions",
]


def __getattr__(name: str) -> object:
    # swa_utils (torch.optim.swa_utils) needs nn (AveragedModel is a Module): loaded on first
    # use, so that ``import optimizers`` does not load nn
    if name == "swa_utils":
        import importlib

        return importlib.import_module("optimizers.swa_utils")
    raise AttributeError(f"module 'optimizers' has no attribute '{name}'")
