"""Random number generators: ``Generator`` objects and the default one behind every draw of
the project (init, dropout, ``randn``, shuffling).

``manual_seed(n)`` seeds the default generator and returns it, as PyTorch's. Each
``Generator`` wraps a numpy ``Generator`` on PCG64 seeded with ``numpy.random.default_rng(seed)``:
the streams differ from PyTorch's Mersenne Twister for the same seed (the distributions are the
same); ``manual_seed(n)`` gives the same numbers it always gave here.

Differences from PyTorch, on purpose: the default generator starts from a seed drawn from the
operating system's entropy (PyTorch starts from the fixed seed 67280421310721; a new
``Generator()`` does start from that seed here too); ``get_state()`` is a 45-byte uint8 tensor
(PCG64's state, its pending 32-bit half-draw and the initial seed), not PyTorch's 5056 bytes.
A ``Generator`` can also be passed where a ``numpy.random.Generator`` is expected: numpy's
drawing methods (``integers``, ``permutation``, ``random``, ``normal``, ...) are forwarded.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, Iterator

import numpy as np

from autograd_core.device import check_device
from autograd_core.device import device as _device
from autograd_core.tensor import Tensor

__all__ = ["Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed",
           "manual_seed", "seed", "set_rng_state"]

_DEFAULT_SEED = 67280421310721  # PyTorch's seed of a new Generator
_STATE_BYTES = 45  # state (16) + increment (16) + pending half-draw (4) + its flag (1) + seed (8)
_U64 = 1 << 64


def _seed_value(seed: Any, where: str) -> int:
    """A seed as PyTorch takes it: an integer in [-2**63, 2**64), negatives wrapped to 64 bits."""
    if isinstance(seed, str):
        seed = int(seed)  # PyTorch accepts digit strings (and raises ValueError otherwise)
    if isinstance(seed, Tensor):
        seed = seed.item()
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise RuntimeError(f"{where} expected a long, but got {type(seed).__name__}")
    seed = int(seed)
    if not -(1 << 63) <= seed < _U64:
        raise ValueError(f"{where}: seed {seed} does not fit in 64 bits (Overflow when "
                         "unpacking long long)")
    return seed % _U64


class Generator:
    """A random number generator, as ``torch.Generator``.

    Pass one as ``generator=`` to ``rand``, ``randn``, ``randint``, ``randperm``,
    ``multinomial``, ``bernoulli``, ``Tensor.normal_``, ``Tensor.uniform_``, ... to draw from it
    instead of the default generator. A new generator is seeded with 67280421310721, PyTorch's
    default; its stream is numpy's PCG64, so the numbers differ from PyTorch's for the same seed.

    Args:
        device (device or str): ``"cpu"``, the only device. Default: ``"cpu"``.

    Example::

        >>> import autograd_core as ag
        >>> g = ag.Generator().manual_seed(42)
        >>> a = ag.rand(3, generator=g)
        >>> _ = g.manual_seed(42)
        >>> (ag.rand(3, generator=g) == a).all().item()
        True
    """

    def __init__(self, device: Any = "cpu") -> None:
        self._device = check_device(device, "Generator") or _device("cpu")
        self._seed = _DEFAULT_SEED
        self._rng = np.random.default_rng(_DEFAULT_SEED)

    @property
    def device(self) -> Any:
        """The generator's device (the CPU)."""
        return self._device

    def manual_seed(self, seed: int) -> Generator:
        """Seed the generator; returns it."""
        seed = _seed_value(seed, "manual_seed")
        self._rng = np.random.default_rng(seed)
        self._seed = seed
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy; returns the 64-bit seed used."""
        seed = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed the generator was last seeded with."""
        return self._seed

    def get_state(self) -> Tensor:
        """The generator's state as a uint8 Tensor (give it to ``set_state``)."""
        st = self._rng.bit_generator.state
        raw = (st["state"]["state"].to_bytes(16, "little")
               + st["state"]["inc"].to_bytes(16, "little")
               + int(st["uinteger"]).to_bytes(4, "little")
               + bytes([int(st["has_uint32"])])
               + self._seed.to_bytes(8, "little"))
        return Tensor._wrap(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state: Tensor) -> Generator:
        """Restore a state returned by ``get_state``; returns the generator."""
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got "
                            f"{type(new_state).__name__}")
        arr = new_state._data
        if arr.dtype != np.uint8 or arr.ndim != 1 or arr.size != _STATE_BYTES:
            raise RuntimeError(f"Expected a generator state of size {_STATE_BYTES} (a 1-d uint8 "
                               f"tensor from get_state()), but found the input RNG state of "
                               f"dtype {arr.dtype} and shape {tuple(arr.shape)}")
        raw = arr.tobytes()
        inc = int.from_bytes(raw[16:32], "little")
        if raw[36] > 1 or inc % 2 == 0:  # PCG64's increment is always odd
            raise RuntimeError("set_state: the tensor is not a generator state from "
                               "get_state() (corrupt or foreign)")
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": int.from_bytes(raw[:16], "little"), "inc": inc},
            "has_uint32": raw[36], "uinteger": int.from_bytes(raw[32:36], "little"),
        }
        self._rng = rng
        self._seed = int.from_bytes(raw[37:45], "little")
        return self

    def __getattr__(self, name: str) -> Any:
        # numpy's drawing methods, for code written against numpy.random.Generator
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._rng, name)

    def __repr__(self) -> str:
        return f"<autograd_core.Generator object on {self._device}, initial_seed={self._seed}>"


default_generator = Generator()
default_generator.seed()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator, which every random draw of the project uses; return it.

    Args:
        seed (int): the seed.

    Example::

        >>> import autograd_core as ag
        >>> _ = ag.manual_seed(0)
        >>> a = ag.randn(3)
        >>> _ = ag.manual_seed(0)
        >>> (ag.randn(3) == a).all().item()
        True
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from fresh entropy and return the seed.

    Example::

        >>> import autograd_core as ag
        >>> s = ag.seed()
        >>> ag.initial_seed() == s
        True
    """
    return default_generator.seed()


def initial_seed() -> int:
    """Return the seed the default generator was last seeded with.

    Example::

        >>> import autograd_core as ag
        >>> _ = ag.manual_seed(7)
        >>> ag.initial_seed()
        7
    """
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """Return the default generator's state, a uint8 Tensor for ``set_rng_state``.

    Example::

        >>> import autograd_core as ag
        >>> state = ag.get_rng_state()
        >>> a = ag.rand(2)
        >>> ag.set_rng_state(state)
        >>> (ag.rand(2) == a).all().item()
        True
    """
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator's state from what ``get_rng_state`` returned.

    Args:
        new_state (Tensor): the uint8 state.

    Example::

        >>> import autograd_core as ag
        >>> state = ag.get_rng_state()
        >>> a = ag.randn(2)
        >>> ag.set_rng_state(state)
        >>> (ag.randn(2) == a).all().item()
        True
    """
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str | None = None) -> Iterator[None]:
    """Context manager: the default generator's state is restored on exit, so the draws inside
    leave the later ones unchanged (PyTorch's; there are only CPU generators: ``devices`` and
    ``device_type`` are accepted and change nothing).

    Args:
        devices (iterable, optional): accelerator devices to fork (none exist).
        enabled (bool): ``False`` forks nothing. Default: ``True``.
        device_type (str, optional): accepted for PyTorch's signature.

    Example::

        >>> import autograd_core as ag
        >>> _ = ag.manual_seed(0)
        >>> with ag.random.fork_rng():
        ...     _ = ag.rand(3)
        >>> a = ag.rand(1)
        >>> _ = ag.manual_seed(0)
        >>> bool(ag.rand(1) == a)
        True
    """
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def generator(gen: Generator | None = None, where: str = "generator") -> np.random.Generator:
    """The numpy generator to draw from: ``gen``'s (a ``Generator`` or a
    ``numpy.random.Generator``), or the default generator's when ``gen`` is None."""
    if gen is None:
        return default_generator._rng
    if isinstance(gen, Generator):
        return gen._rng
    if isinstance(gen, np.random.Generator):
        return gen
    raise TypeError(f"{where}: generator must be an autograd_core.Generator (or a "
                    f"numpy.random.Generator), got {type(gen).__name__}")


def draws_for(shape: tuple, dtype: Any, draw: Any) -> np.ndarray:
    """``draw(shape)`` (float64 draws) for a real ``dtype``; for a complex one, independent
    draws for the real and imaginary parts of each element, as PyTorch fills a complex tensor
    (through its real view)."""
    if np.dtype(dtype).kind != "c":
        return draw(tuple(shape))
    return np.ascontiguousarray(draw(tuple(shape) + (2,)), np.float64).view(np.complex128)[..., 0]
