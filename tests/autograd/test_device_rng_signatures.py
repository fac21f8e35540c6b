"""Signatures of the public names this phase added for devices, generators, factories and
checkpoints: equal to PyTorch's where PyTorch's can be inspected (torch_parity), and, for
PyTorch's built-in factories (no inspectable signature), equal to the documented keyword
names, less the documented exceptions."""

import inspect

import pytest

import autograd_core as ag

# PyTorch's documented signatures of its built-in factories, less out=, layout= and pin_memory=
# (not supported here: one layout, no pinned memory; see creation.py); the *_like factories
# take memory_format= (accepted and checked, as Tensor.to and contiguous do)
DOCUMENTED = {
    "zeros": ["*size", "dtype", "device", "requires_grad"],
    "ones": ["*size", "dtype", "device", "requires_grad"],
    "empty": ["*size", "dtype", "device", "requires_grad"],
    "full": ["size", "fill_value", "dtype", "device", "requires_grad"],
    "zeros_like": ["input", "dtype", "device", "requires_grad", "memory_format"],
    "ones_like": ["input", "dtype", "device", "requires_grad", "memory_format"],
    "empty_like": ["input", "dtype", "device", "requires_grad", "memory_format"],
    "full_like": ["input", "fill_value", "dtype", "device", "requires_grad",
                  "memory_format"],
    "arange": ["start", "end", "step", "dtype", "device", "requires_grad"],
    "linspace": ["start", "end", "steps", "dtype", "device", "requires_grad"],
    "eye": ["n", "m", "dtype", "device", "requires_grad"],
    "tensor": ["data", "dtype", "device", "requires_grad"],
    "as_tensor": ["data", "dtype", "device"],
    "randn": ["*size", "generator", "dtype", "device", "requires_grad"],
    "rand": ["*size", "generator", "dtype", "device", "requires_grad"],
    "randint": ["low", "high", "size", "generator", "dtype", "device", "requires_grad"],
    "randperm": ["n", "generator", "dtype", "device", "requires_grad"],
    "randn_like": ["input", "generator", "dtype", "device", "requires_grad", "memory_format"],
    "rand_like": ["input", "generator", "dtype", "device", "requires_grad", "memory_format"],
    "multinomial": ["input", "num_samples", "replacement", "generator"],
    "bernoulli": ["input", "p", "generator"],  # with its overload bernoulli(input, float p)
}
KEYWORD_ONLY_AFTER = {"tensor": "dtype", "randint": "generator", "randperm": "generator",
                      "multinomial": "generator", "bernoulli": "generator"}


def _names(fn):
    out = []
    for p in inspect.signature(fn).parameters.values():
        out.append("*" + p.name if p.kind is p.VAR_POSITIONAL else p.name)
    return out


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_factories_have_pytorchs_documented_parameters(name):
    fn = getattr(ag, name)
    assert _names(fn) == DOCUMENTED[name]
    first_kw = KEYWORD_ONLY_AFTER.get(name)
    if first_kw:
        assert inspect.signature(fn).parameters[first_kw].kind is inspect.Parameter.KEYWORD_ONLY
    params = inspect.signature(fn).parameters
    if "device" in params:
        assert params["device"].default is None
    if "randint" == name:
        assert params["low"].default == 0


def test_in_place_draws_take_a_keyword_generator():
    for name in ("normal_", "uniform_", "bernoulli_", "random_", "exponential_"):
        p = inspect.signature(getattr(ag.Tensor, name)).parameters["generator"]
        assert p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is None


# names whose parameters may differ from PyTorch's, and why
EXCEPTIONS = {
    "save": "no pickle_module/pickle_protocol: nothing is pickled",
    "load": "no pickle_module/mmap/**pickle_load_args: nothing is unpickled",
}


@pytest.mark.torch_parity
@pytest.mark.parametrize("path", [
    "cuda.is_available", "cuda.device_count", "cuda.is_bf16_supported", "cuda.current_device",
    "cuda.synchronize", "cuda.manual_seed", "cuda.manual_seed_all", "backends.mps.is_available",
    "backends.mps.is_built", "accelerator.is_available", "accelerator.current_accelerator",
    "accelerator.device_count", "manual_seed", "seed", "initial_seed", "get_rng_state",
    "set_rng_state", "save", "load",
])
def test_signatures_equal_pytorchs(path):
    torch = pytest.importorskip("torch")

    def resolve(mod):
        obj = mod
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj

    ours = inspect.signature(resolve(ag)).parameters
    theirs = inspect.signature(resolve(torch)).parameters
    if path in EXCEPTIONS:
        # what we have is PyTorch's, in PyTorch's order
        assert [n for n in theirs if n in ours] == list(ours)
        return
    assert list(ours) == list(theirs)
    for n in ours:
        assert ours[n].default == theirs[n].default, n
