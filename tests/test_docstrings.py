"""Every public name has a docstring with a runnable example (a ``>>>`` line), PyTorch's style.

The examples themselves run as doctests with the tests (pyproject: ``--doctest-modules`` over
autograd_core, nn and optimizers); this file checks that they exist. The public names of a
package are its ``__all__``; functions and classes need an example, modules a docstring, and
the other values (dtypes such as ``float32``, constants such as ``pi``, ``default_generator``)
are documented by their class or their module. Tensor's public methods and properties count
too.

PENDING lists, per checked module, the names that have no example yet (none today). It only
shrinks: a name listed there that has an example fails, so take it out when you add one.
"""

from __future__ import annotations

import importlib
import inspect
import types

import pytest

PENDING: dict[str, set[str]] = {
    "autograd_core": set(),
    "autograd_core.Tensor": set(),
    # the public modules of autograd_core (its __all__), as torch.autograd, torch.cuda, ...
    "autograd_core.accelerator": set(),
    "autograd_core.autograd": set(),
    "autograd_core.autograd.functional": set(),
    "autograd_core.amp": set(),
    "autograd_core.distributions": set(),
    "autograd_core.func": set(),
    "autograd_core.backends.cuda": set(),
    "autograd_core.backends.cudnn": set(),
    "autograd_core.backends.mps": set(),
    "autograd_core.cuda": set(),
    "autograd_core.special": set(),
    "autograd_core.fft": set(),
    "autograd_core.testing": set(),
    "autograd_core.threads": set(),
    "autograd_core.viz": set(),
    "autograd_core.utils.benchmark": set(),
    # torch.distributed (loaded when first used: ``ag.distributed``)
    "autograd_core.distributed": set(),
    # torch.nn and its public modules, torch.optim and its schedulers
    "nn": set(),
    "nn.functional": set(),
    "nn.init": set(),
    "nn.utils": set(),
    "nn.utils.stateless": set(),
    "nn.data": set(),
    "nn.parallel": set(),
    "optimizers": set(),
    "optimizers.lr_scheduler": set(),
    "optimizers.swa_utils": set(),
}


def _public(package):
    """``{name: object}`` for the package's public names (``__all__``, else dir - private)."""
    module = importlib.import_module(package)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    # a submodule in __all__ may not be imported yet (``from package import *`` imports it)
    return {name: getattr(module, name) if hasattr(module, name)
            else importlib.import_module(f"{package}.{name}") for name in names}


def _tensor_public():
    from autograd_core import Tensor

    out = {}
    for name in dir(Tensor):
        if name.startswith("_"):
            continue
        raw = inspect.getattr_static(Tensor, name)
        if isinstance(raw, property):
            out[name] = raw.fget
        elif isinstance(raw, (staticmethod, classmethod)):
            out[name] = raw.__func__
        elif callable(raw):
            out[name] = raw
        # other class attributes (e.g. ``is_cuda = False``) are data, documented by Tensor
    return out


def _needs_example(obj) -> bool:
    return inspect.isroutine(obj) or inspect.isclass(obj)


def _missing(scope):
    """Names of ``scope`` whose docstring lacks a ``>>>`` example, and modules without one."""
    found = _tensor_public() if scope == "autograd_core.Tensor" else _public(scope)
    missing = set()
    for name, obj in found.items():
        if isinstance(obj, types.ModuleType):
            if not (obj.__doc__ or "").strip():
                missing.add(name)
        elif _needs_example(obj) and ">>>" not in (inspect.getdoc(obj) or ""):
            missing.add(name)
    return missing, found


SCOPES = list(PENDING)


@pytest.mark.parametrize("scope", SCOPES)
def test_every_public_name_has_an_example(scope):
    pending = PENDING[scope]
    missing, found = _missing(scope)
    assert found, f"{scope}: no public names found"
    new = sorted(missing - pending)
    assert not new, f"{scope}: no docstring with a '>>>' example: {new}"
    done = sorted(pending - missing)
    assert not done, f"{scope}: these have an example now, take them out of PENDING: {done}"


def test_the_examples_are_collected_as_doctests(pytestconfig):
    # the examples only stay true if they run: pyproject's pytest settings collect them
    addopts = pytestconfig.getini("addopts")
    assert "--doctest-modules" in " ".join(addopts)
    assert {"autograd_core", "nn", "optimizers"} <= set(pytestconfig.getini("testpaths"))
