"""``autograd_core.distributions`` is a package laid out as ``torch.distributions``: real modules
under PyTorch's file names, importable on their own, whose classes name their module."""

import subprocess
import sys
from pathlib import Path

import pytest

import autograd_core.distributions as D

ROOT = Path(__file__).resolve().parents[2]


def test_submodules_are_files_of_the_package():
    from autograd_core.distributions import constraints, kl, normal, transforms, utils

    for module in (constraints, kl, normal, transforms, utils):
        assert Path(module.__file__).parent == Path(D.__file__).parent
    assert normal.Normal is D.Normal and D.Normal.__module__ == "autograd_core.distributions.normal"
    assert transforms.AffineTransform is D.AffineTransform
    assert kl.register_kl is D.register_kl and utils.broadcast_all is D.broadcast_all
    assert constraints.positive.check is not None and constraints.Constraint is D.Constraint


def test_the_modules_import_in_either_order_in_a_fresh_interpreter():
    names = sorted(p.stem for p in Path(D.__file__).parent.glob("*.py") if p.stem != "__init__")
    code = ("import importlib, sys\n"
            "for name in sys.argv[1:]:\n"
            "    importlib.import_module('autograd_core.distributions.' + name)\n")
    for order in (names, names[::-1]):
        out = subprocess.run([sys.executable, "-c", code, *order], cwd=ROOT,
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr[-2000:]


@pytest.mark.torch_parity
def test_pytorch_names_resolve_in_the_same_modules():
    torch = pytest.importorskip("torch")
    import importlib
    import inspect

    checked = 0
    for module_name in ("bernoulli", "beta", "binomial", "categorical", "cauchy", "chi2",
                        "constraint_registry", "continuous_bernoulli", "dirichlet",
                        "distribution", "exponential", "gamma", "geometric", "gumbel",
                        "half_normal", "independent", "kl", "kumaraswamy", "laplace",
                        "log_normal", "lowrank_multivariate_normal", "mixture_same_family",
                        "multinomial", "multivariate_normal", "negative_binomial", "normal",
                        "one_hot_categorical", "pareto", "poisson", "relaxed_bernoulli",
                        "relaxed_categorical", "studentT", "transformed_distribution",
                        "uniform", "von_mises", "weibull"):
        theirs = importlib.import_module(f"torch.distributions.{module_name}")
        ours = importlib.import_module(f"autograd_core.distributions.{module_name}")
        for name in getattr(theirs, "__all__", []):
            if name in D.__all__:
                obj = getattr(ours, name)
                assert obj is getattr(D, name)
                if inspect.isclass(obj):
                    assert obj.__module__.rsplit(".", 1)[1] == getattr(
                        theirs, name).__module__.rsplit(".", 1)[1]
                checked += 1
    assert checked >= 35
    # a class's repr (in our error texts) names its module, as PyTorch's
    assert repr(D.RelaxedOneHotCategorical).replace("autograd_core", "torch") == repr(
        torch.distributions.RelaxedOneHotCategorical)
