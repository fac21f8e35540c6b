"""``import autograd_core as torch`` reaches torch's submodules lazily (issue 12 item 12):
importing the core loads nothing above it, and the first attribute access loads the module."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(code):
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""}, check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_importing_the_core_loads_no_module_above_it():
    loaded = _run("import sys, autograd_core\n"
                  "print(sorted(m for m in sys.modules if m.split('.')[0] in "
                  "('nn', 'optimizers')))")
    assert loaded == "[]"


def test_each_torch_path_resolves_to_the_project_module():
    code = """
import sys
import autograd_core as torch
assert 'nn' not in sys.modules
import nn, nn.functional, nn.init, nn.data, optimizers, optimizers.lr_scheduler
import autograd_core.autograd
pairs = [(torch.nn, nn), (torch.nn.functional, nn.functional), (torch.nn.init, nn.init),
         (torch.optim, optimizers), (torch.optim.lr_scheduler, optimizers.lr_scheduler),
         (torch.utils.data, nn.data), (torch.autograd, autograd_core.autograd)]
print(all(a is b for a, b in pairs))
"""
    assert _run(code) == "True"


def test_from_imports_of_the_torch_paths():
    code = """
from autograd_core import nn, optim
from autograd_core.utils.data import DataLoader, TensorDataset
from autograd_core.autograd import Function, grad
from autograd_core.autograd.functional import jacobian
from autograd_core.autograd.function import once_differentiable
import nn.data
print(DataLoader is nn.data.DataLoader, optim.SGD.__module__.split('.')[0])
"""
    assert _run(code) == "True optimizers"


def test_torch_module_paths_import_the_project_modules():
    """A program's ``import torch.nn.functional as F`` with ``torch`` renamed: every path gives
    the project's module object itself (no second copy of a module under another name)."""
    code = """
import sys
import autograd_core as torch
assert 'nn' not in sys.modules
import autograd_core.nn as nn
import autograd_core.nn.functional as F
import autograd_core.nn.init
from autograd_core.nn import init
from autograd_core.nn.functional import relu
import autograd_core.optim as optim
from autograd_core.optim.lr_scheduler import StepLR
import nn as real, nn.functional, nn.init, optimizers, optimizers.lr_scheduler
same = [nn is real, F is real.functional, init is real.init, torch.nn.init is real.init,
        relu is real.functional.relu, optim is optimizers, torch.optim is optimizers,
        StepLR is optimizers.lr_scheduler.StepLR]
files = {}
for name, m in list(sys.modules.items()):
    f = getattr(m, "__file__", None)
    if f:
        files.setdefault(f, set()).add(id(m))
print(all(same), all(len(ids) == 1 for ids in files.values()))
try:
    import autograd_core.nn.nope
except ModuleNotFoundError as exc:
    print(exc)
"""
    assert _run(code) == "True True\nNo module named 'autograd_core.nn.nope'"


def test_unknown_attribute_is_an_attribute_error():
    import autograd_core as torch

    with pytest.raises(AttributeError, match="module 'autograd_core' has no attribute 'nope'"):
        torch.nope  # noqa: B018
    with pytest.raises(AttributeError, match="'autograd_core.utils' has no attribute 'nope'"):
        torch.utils.nope  # noqa: B018
    assert "optim" in dir(torch)
