"""Random number generators: ``Generator`` objects and the default one behind every draw of
the project (init, dropout, ``randn``, shuffling).

PyTorch's CPU generator, number for number: each ``Generator`` is a Mersenne Twister (MT19937)
seeded as PyTorch seeds it (``manual_seed(n)``: the low 32 bits of ``n``), and the draws that
programs' numbers hang on are made with PyTorch's CPU algorithms, so a program that seeds gets
PyTorch's numbers: ``rand``/``uniform_`` (hence every layer's default initialisation) and
``randint``/``randperm``/``random_`` (hence ``DataLoader(shuffle=True)`` and ``random_split``)
bit for bit; ``randn``/``normal_`` too (Box-Muller on the same uniforms: 16 or more float32
values with the polynomial ``log``/``sin``/``cos`` of PyTorch's AVX2 kernel, fewer or float64
with libm's, pairs cached across calls as PyTorch caches them); ``bernoulli``/``dropout``,
``multinomial``, ``exponential_``, ``cauchy_``, ``log_normal_`` and ``geometric_`` too, and
``poisson``, ``binomial``, ``_standard_gamma`` (hence the distributions' samplers) and
``WeightedRandomSampler`` (PyTorch's element-by-element CPU kernels).

``manual_seed(n)`` seeds the default generator and returns it, as PyTorch's; the default
generator starts from the operating system's entropy and a new ``Generator()`` from PyTorch's
seed 67280421310721, as PyTorch's. ``get_state()``
is PyTorch's 5056-byte layout (MT19937's words, the cached normal draw). A ``Generator`` can
also be passed where a ``numpy.random.Generator`` is expected: numpy's drawing methods
(``integers``, ``permutation``, ``random``, ``normal``, ...) are forwarded (on the same stream).
"""

from __future__ import annotations

import contextlib
import math
import os
import struct
from typing import Any, Iterator

import numpy as np

from autograd_core.device import check_device
from autograd_core.kernels.pointwise import swaps_, swaps_back_
from autograd_core.device import device as _device
from autograd_core.tensor import Tensor

__all__ = ["Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed",
           "manual_seed", "seed", "set_rng_state"]

_DEFAULT_SEED = 67280421310721  # PyTorch's seed of a new (and of the default) generator
_U64 = 1 << 64
_N = 624  # MT19937's words
_RANDPERM_64 = (2 ** 32 - 1) // 20  # randperm's n from which PyTorch draws 64-bit picks
# PyTorch's CPUGeneratorImplState: the initial seed, left, seeded, next, the 624 words (as
# uint64), normal_x, normal_y (the cached double normal draw), normal_rho, its valid flag, then
# the cached float normal draw and its flag; native alignment, 5056 bytes
_STATE = struct.Struct("<Qii Q 624Q ddd i 4x f ? 3x")
_STATE_BYTES = _STATE.size


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
    """A random number generator, as ``torch.Generator``: PyTorch's CPU generator (MT19937,
    seeded as PyTorch seeds it), so ``rand``, ``randn``, ``randint``, ``randperm`` and the
    in-place ``uniform_``/``normal_``/``random_`` give PyTorch's numbers for a seed.

    Pass one as ``generator=`` to ``rand``, ``randn``, ``randint``, ``randperm``,
    ``multinomial``, ``bernoulli``, ``Tensor.normal_``, ``Tensor.uniform_``, ... to draw from it
    instead of the default generator. A new generator is seeded with 67280421310721, PyTorch's
    default.

    Args:
        device (device or str): ``"cpu"``, the only device. Default: ``"cpu"``.

    Example::

        >>> import autograd_core as ag
        >>> g = ag.Generator().manual_seed(42)
        >>> ag.rand(3, generator=g)
        tensor([0.8823, 0.9150, 0.3829])
        >>> _ = g.manual_seed(42)
        >>> ag.rand(3, generator=g)
        tensor([0.8823, 0.9150, 0.3829])
    """

    def __init__(self, device: Any = "cpu") -> None:
        self._device = check_device(device, "Generator") or _device("cpu")
        self._bits = np.random.MT19937()
        self._rng = np.random.Generator(self._bits)
        self.manual_seed(_DEFAULT_SEED)

    @property
    def device(self) -> Any:
        """The generator's device (the CPU)."""
        return self._device

    def manual_seed(self, seed: int) -> Generator:
        """Seed the generator; returns it."""
        seed = _seed_value(seed, "manual_seed")
        self._bits._legacy_seeding(seed & 0xFFFFFFFF)  # PyTorch's mt19937(seed): 32 bits
        self._seed = seed
        self._normal64: float | None = None  # PyTorch's cached second Box-Muller draws
        self._normal32: float | None = None
        self._fresh = self._bits.state["state"]["key"][:4].copy()  # to tell a fresh seed
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
        """The generator's state as a uint8 Tensor (give it to ``set_state``): PyTorch's
        layout, 5056 bytes."""
        st = self._bits.state["state"]
        key, pos = st["key"], int(st["pos"])
        fresh = pos == _N and np.array_equal(key[:4], self._fresh)
        # MT19937's position as PyTorch counts it: ``left`` words until the next refill
        left, nxt = _N + 1 - pos, (0 if fresh else pos)
        raw = _STATE.pack(self._seed, left, 1, nxt, *(int(k) for k in key), 0.0,
                          0.0 if self._normal64 is None else self._normal64, 0.0,
                          self._normal64 is not None,
                          0.0 if self._normal32 is None else self._normal32,
                          self._normal32 is not None)
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
        fields = _STATE.unpack(arr.tobytes())
        seed, left, _, nxt = fields[:4]
        words = fields[4:4 + _N]
        n64, n64_ok, n32, n32_ok = fields[4 + _N + 1], fields[4 + _N + 3], fields[-2], fields[-1]
        if not 1 <= left <= _N + 1 or any(w >> 32 for w in words):
            raise RuntimeError("set_state: the tensor is not a generator state from "
                               "get_state() (corrupt or foreign)")
        self._bits.state = {"bit_generator": "MT19937",
                            "state": {"key": np.array(words, dtype=np.uint32),
                                      "pos": _N + 1 - left}}
        self._seed = seed
        self._normal64 = float(n64) if n64_ok else None
        self._normal32 = float(n32) if n32_ok else None
        # a freshly seeded state (no word drawn: next 0) stays one, so get_state() returns it
        fresh = left == 1 and nxt == 0
        self._fresh = self._bits.state["state"]["key"][:4].copy() if fresh else \
            np.full(4, -1, np.int64)
        return self

    def __getattr__(self, name: str) -> Any:
        # numpy's drawing methods, for code written against numpy.random.Generator
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._rng, name)

    def __repr__(self) -> str:
        return f"<autograd_core.Generator object on {self._device}, initial_seed={self._seed}>"

    # ---- PyTorch's CPU algorithms ------------------------------------------------------------
    def _u32(self, n: int) -> np.ndarray:
        """``n`` raw 32-bit draws (PyTorch's ``random()``), as uint64."""
        return self._bits.random_raw(n) if n else np.zeros(0, np.uint64)

    def _u64(self, n: int) -> np.ndarray:
        """``n`` 64-bit draws (PyTorch's ``random64()``: the first 32-bit draw the high half)."""
        r = self._u32(2 * n)
        return (r[0::2] << np.uint64(32)) | r[1::2]

    def _unit(self, n: int, dtype: np.dtype, work: Any = np.float64) -> np.ndarray:
        """``n`` uniforms in [0, 1) as PyTorch's ``uniform_real_distribution`` makes them: the
        low ``digits`` bits of a draw (``random64`` for float64, ``random`` otherwise) times
        2**-digits; ``work`` values (float64, or float32 for at most 24 digits: exact either
        way, float32 directly is ~3x faster than through float64)."""
        if dtype == np.float64:
            return (self._u64(n) & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
        digits = np.finfo(dtype).nmant + 1 if dtype.kind == "f" else 24
        bits = (self._u32(n) & np.uint64((1 << digits) - 1)).view(np.int64)
        if work is np.float32:
            return bits.astype(np.float32) * np.float32(2.0 ** -digits)
        return bits.astype(np.float64) * 2.0 ** -digits

    def uniform_array(self, shape: tuple, dtype: Any, low: float = 0.0,
                      high: float = 1.0) -> np.ndarray:
        """``Tensor.uniform_(low, high)``'s values: ``x * (high - low) + low`` with one
        rounding (PyTorch's compiled expression is a fused multiply-add), ``high - low``
        in the dtype."""
        dt = np.dtype(dtype)
        if dt.kind == "c":
            return self.uniform_array(tuple(shape) + (2,), _component(dt), low, high) \
                .view(dt)[..., 0]
        if dt.itemsize < 4:  # PyTorch's float16 draws are its float32 draws, rounded
            return self.uniform_array(shape, np.float32, low, high).astype(dt)
        n = int(np.prod(shape, dtype=np.int64))
        x = self._unit(n, dt)
        if dt == np.float64:
            out = _fma64(x, float(high) - float(low), float(low))
        else:
            lo, hi = np.float32(low), np.float32(high)
            out = x * np.float64(hi - lo) + np.float64(lo)  # exact product, one rounding
        return out.astype(dt).reshape(shape)

    def normal_array(self, shape: tuple, dtype: Any, mean: float = 0.0,
                     std: float = 1.0) -> np.ndarray:
        """``Tensor.normal_(mean, std)``'s values, as PyTorch's CPU kernel: 16 or more
        elements, uniforms for all first, then Box-Muller on blocks of 16 (the first 8 of a
        block with the last 8; a remainder redraws the last 16); fewer, one pair of double
        uniforms per two draws, the second draw kept for the next call."""
        dt = np.dtype(dtype)
        if dt.kind == "c":  # PyTorch's: the real view, each part of variance std**2 / 2
            return self.normal_array(tuple(shape) + (2,), _component(dt), mean,
                                     std / np.sqrt(2.0)).view(dt)[..., 0]
        n = int(np.prod(shape, dtype=np.int64))
        if n >= 16:
            work = np.float64 if dt == np.float64 else np.float32
            u = self._unit(n, dt, work)
            blocks = u[: n - n % 16].reshape(-1, 16)
            out = _box_muller16(blocks, mean, std, work).reshape(-1)
            if n % 16:
                tail = _box_muller16(self._unit(16, dt, work).reshape(1, 16), mean, std,
                                     work).reshape(-1)
                out = np.concatenate([out, tail[16 - n % 16:]]) if out.size else \
                    tail[16 - n % 16:]
                if n > 16:  # the redrawn block overwrote the last 16 values
                    out[n - 16:] = tail
            return out.astype(dt, copy=False).reshape(shape)
        return self._normal_pairs(n, mean, std).astype(dt).reshape(shape)

    def integers_array(self, low: int, high: int, shape: tuple) -> np.ndarray:
        """``randint(low, high)`` / ``random_(low, high)``'s values, as int64: a draw modulo
        the range plus ``low`` in 64-bit unsigned arithmetic (``random64`` for a range of 2**32
        or more, else ``random``); a range of 2**64 (``random_(-2**63, None)``) is the 64-bit
        draw itself, as PyTorch's full-range kernel."""
        span = int(high) - int(low)
        n = int(np.prod(shape, dtype=np.int64))
        r = self._u64(n) if span >= 1 << 32 else self._u32(n)
        if span < _U64:
            r = r % np.uint64(span) + np.uint64(int(low) % _U64)  # wraps modulo 2**64
        return r.view(np.int64).reshape(shape)

    def random_array(self, shape: tuple, dtype: Any) -> np.ndarray:
        """``random_()``'s values without bounds: ``random64`` for int64 and float64, else
        ``random``, modulo ``max + 1`` of the dtype (``2**digits + 1`` for floats; bool: the
        low bit)."""
        dt = np.dtype(dtype)
        n = int(np.prod(shape, dtype=np.int64))
        wide = dt in (np.dtype(np.int64), np.dtype(np.float64))
        r = self._u64(n) if wide else self._u32(n)
        if dt.kind == "b":
            return (r & np.uint64(1)).astype(bool).reshape(shape)
        if dt.kind == "f":
            mod = (1 << (np.finfo(dt).nmant + 1)) + 1
        else:
            mod = int(np.iinfo(dt).max) + 1
        return (r % np.uint64(mod)).astype(dt).reshape(shape)

    def bernoulli_array(self, p: Any, shape: tuple) -> np.ndarray:
        """``bernoulli_(p)``'s draws as a bool array: a uniform below ``p``, a double one
        (``random64``) for a number or a float64 ``p``, a float one (``random``) for a float32
        ``p`` (PyTorch's ``bernoulli_distribution<double>`` / ``<float>``)."""
        n = math.prod(shape)
        if isinstance(p, np.ndarray) and p.dtype != np.float64:
            pf = np.broadcast_to(p.astype(np.float32), shape).reshape(-1)
            return (self._unit(n, np.dtype(np.float32)) < pf).reshape(shape)
        if type(p) is float:  # (dropout's 1 - p) the float64 it broadcasts as, without the view
            return (self._unit(n, np.dtype(np.float64)) < p).reshape(shape)
        return (self._unit(n, np.dtype(np.float64)) < np.broadcast_to(
            np.asarray(p, np.float64), shape).reshape(-1)).reshape(shape)

    def exponential_array(self, shape: tuple, dtype: Any, lambd: float = 1.0) -> np.ndarray:
        """``exponential_(lambd)``: ``-1 / lambd * log1p(-u)``, ``u`` a double uniform."""
        n = int(np.prod(shape, dtype=np.int64))
        u = self._unit(n, np.dtype(np.float64))
        return (-1.0 / lambd * _libm(math.log1p, -u)).astype(dtype).reshape(shape)

    def cauchy_array(self, shape: tuple, dtype: Any, median: float, sigma: float) -> np.ndarray:
        """``cauchy_``: ``median + sigma * tan(pi * (u - 1/2))``, ``u`` a double uniform."""
        n = int(np.prod(shape, dtype=np.int64))
        u = self._unit(n, np.dtype(np.float64))
        return (median + sigma * _libm(math.tan, math.pi * (u - 0.5))).astype(dtype) \
            .reshape(shape)

    def geometric_array(self, shape: tuple, dtype: Any, p: float) -> np.ndarray:
        """``geometric_(p)``: ``ceil(log(u) / log1p(-p))``, ``u`` a double uniform."""
        n = int(np.prod(shape, dtype=np.int64))
        u = self._unit(n, np.dtype(np.float64))
        return np.ceil(_libm(math.log, u) / math.log1p(-p)).astype(dtype).reshape(shape)

    def log_normal_array(self, shape: tuple, dtype: Any, mean: float,
                         std: float) -> np.ndarray:
        """``log_normal_``: ``exp`` of the per-element normal draws (the cached pairs)."""
        n = int(np.prod(shape, dtype=np.int64))
        z = self._normal_pairs(n, mean, std)
        return _libm(math.exp, z).astype(dtype).reshape(shape)

    def multinomial_array(self, probs: np.ndarray, n: int, replacement: bool) -> np.ndarray:
        """``multinomial(probs, n, replacement)`` for rows of ``probs`` (validated by the
        caller), as PyTorch's CPU kernel: one draw, or without replacement, the largest
        ``probs / q`` with ``q ~ Exp(1)`` drawn for every entry (the Gumbel trick); with
        replacement, a double uniform per draw searched in the row's normalised cumulative
        sums (summed in the row's dtype, the last set to 1)."""
        rows = probs.reshape(-1, probs.shape[-1])
        if not replacement or n == 1:
            q = self.exponential_array(rows.shape, rows.dtype)
            key = rows / q
            if n == 1:
                out = np.argmax(key, axis=-1)[:, None]
            else:  # the n largest, largest first
                out = _top_stable(-key, n)
        else:  # every row's uniforms in one call (the same stream as row by row)
            m, c = rows.shape
            u = self._unit(m * n, np.dtype(np.float64)).reshape(m, n)
            cum = np.cumsum(rows, axis=-1)  # each row summed in order, in its dtype
            cum = cum / cum[:, -1:]
            cum[:, -1] = 1
            cum = cum.astype(np.float64)
            if n * c <= 4096 and m * n * c <= 1 << 20:  # short rows: searchsorted(side=
                # "left") as a count of the sums below, all rows at once (no loop per row)
                out = (cum[:, None, :] < u[:, :, None]).sum(axis=-1)
            else:
                out = np.empty((m, n), np.int64)
                for i in range(m):
                    out[i] = np.searchsorted(cum[i], u[i], side="left")
        return out.astype(np.int64).reshape(probs.shape[:-1] + (n,))

    def _normal_pairs(self, n: int, mean: float, std: float) -> np.ndarray:
        """``n`` draws of PyTorch's ``normal_distribution<double>``: Box-Muller on two double
        uniforms per pair, the cosine returned and the sine kept for the next draw."""
        vals = np.empty(n, np.float64)
        k = 0
        if n and self._normal64 is not None:
            vals[0], self._normal64 = self._normal64, None
            k = 1
        pairs = (n - k + 1) // 2
        if pairs:
            u = self._unit(2 * pairs, np.dtype(np.float64))
            u1, u2 = u[0::2], u[1::2]
            r = np.sqrt(-2.0 * _libm(math.log1p, -u2))
            theta = 2.0 * np.pi * u1
            cos, sin = r * _libm(math.cos, theta), r * _libm(math.sin, theta)
            both = np.empty(2 * pairs)
            both[0::2], both[1::2] = cos, sin
            vals[k:] = both[:n - k]
            if (n - k) % 2:  # the last pair's sine waits for the next call
                self._normal64 = float(sin[-1])
        return _fma64(vals, float(std), float(mean))

    # ---- PyTorch's element-by-element CPU samplers (Numba loops: kernels/sampling.py) -------
    def _loop(self, run: Any, words: int) -> None:
        """``run(words, pos, cache)``, a sampler loop over raw draws taken ahead (about
        ``words`` of them, more if it runs out), the generator then advanced past exactly those
        it read; ``cache`` carries the cached double normal draw in and out."""
        cache = np.array([float(self._normal64 is not None), self._normal64 or 0.0])
        size = max(int(words), 64)
        while True:
            saved = self._bits.state
            raw, pos, c = self._bits.random_raw(size), np.zeros(1, np.int64), cache.copy()
            try:
                run(raw, pos, c)
            except IndexError:  # ran out of draws: again with more
                self._bits.state = saved
                if size > 1 << 26:  # hundreds of draws an element: a loop that cannot end
                    raise RuntimeError("sampler: no draw accepted (invalid parameters?)")
                size *= 4
                continue
            self._bits.state = saved
            if pos[0]:
                self._bits.random_raw(int(pos[0]))
            self._normal64 = float(c[1]) if c[0] else None
            return

    def _chunks(self, n: int) -> Iterator[slice]:
        step = 1 << 16  # bounds the draws taken ahead
        return (slice(i, min(i + step, n)) for i in range(0, n, step))

    def gamma_array(self, alpha: np.ndarray, dtype: Any) -> np.ndarray:
        """``_standard_gamma(alpha)`` of ``dtype`` (float32 or float64; ``alpha`` of it, or
        float64 for ``_sample_dirichlet``'s double draws): PyTorch's CPU kernel, Marsaglia and
        Tsang's method (boosted below 1) element by element with double uniforms and normals,
        ``alpha``'s own arithmetic in its dtype, at least the dtype's ``tiny``."""
        from autograd_core.kernels import sampling

        dt = np.dtype(dtype)
        a = np.ascontiguousarray(np.asarray(alpha, dt).ravel(), np.float64)
        out = np.empty(a.size, np.float64)
        for s in self._chunks(a.size):
            self._loop(lambda w, p, c, s=s: sampling.gamma_loop(a[s], dt == np.float32, w, p,
                                                                c, out[s]),
                       12 * (s.stop - s.start))
        return np.maximum(out.astype(dt), np.finfo(dt).tiny).reshape(np.shape(alpha))

    def poisson_array(self, lam: np.ndarray) -> np.ndarray:
        """``poisson(lam)``'s counts (float64): PyTorch's CPU kernel element by element, in
        double: Hormann's transformed rejection (PTRS) from a rate of 10, below it the product
        of uniforms until it falls to ``exp(-lam)``."""
        from autograd_core.kernels import sampling

        r = np.ascontiguousarray(np.asarray(lam, np.float64).ravel())
        out = np.empty(r.size, np.float64)
        for s in self._chunks(r.size):
            self._loop(lambda w, p, c, s=s: sampling.poisson_loop(r[s], w, p, out[s]),
                       2 * np.fmin(r[s], 10).sum() + 12 * (s.stop - s.start))
        return out.reshape(np.shape(lam))

    def binomial_array(self, count: np.ndarray, prob: np.ndarray) -> np.ndarray:
        """``binomial(count, prob)``'s draws of their dtype (float32 or float64): PyTorch's CPU
        kernel element by element, BTRS (Hormann's transformed rejection) where the mean of
        the smaller side is 10 or more, else inversion by summed geometric draws; ``count``
        and ``prob``'s own arithmetic in their dtype, the rest in double."""
        from autograd_core.kernels import sampling

        dt = np.dtype(prob.dtype)
        n = np.ascontiguousarray(np.asarray(count, dt).ravel(), np.float64)
        p = np.ascontiguousarray(np.asarray(prob, dt).ravel(), np.float64)
        out = np.empty(n.size, np.float64)
        for s in self._chunks(n.size):
            mean = np.clip(n[s], 0, None) * np.minimum(p[s], 1 - p[s])
            self._loop(lambda w, q, c, s=s: sampling.binomial_loop(n[s], p[s], dt == np.float32,
                                                                   w, q, out[s]),
                       2 * np.fmin(mean, 10).sum() + 12 * (s.stop - s.start))
        return out.astype(dt).reshape(np.shape(prob))

    def permutation_array(self, n: int) -> np.ndarray:
        """``randperm(n)``: PyTorch's CPU Fisher-Yates, ``i`` swapped with ``i + random() %
        (n - i)`` for ``i < n - 1``; from ``n = (2**32 - 1) // 20`` on, its "inside-out"
        form on 64-bit draws: ``i`` swapped with ``random64() % (i + 1)`` for every ``i``."""
        perm = np.arange(n, dtype=np.int64)
        if n >= _RANDPERM_64:
            picks = self._u64(n)
            picks %= np.arange(1, n + 1, dtype=np.uint64)
            swaps_back_(perm, picks.view(np.int64))
        elif n > 1:
            picks = (self._u32(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).astype(np.int64)
            swaps_(perm, picks)
        return perm


def _top_stable(v: np.ndarray, n: int) -> np.ndarray:
    """``np.argsort(v, axis=-1, kind="stable")[:, :n]`` for a 2-D ``v`` without NaN: in long
    rows, only the entries up to the ``n``-th smallest (ties included) are sorted (a full sort
    of 1e4-long rows for 10 draws was most of ``multinomial``'s time); the same indices."""
    m, c = v.shape
    if c < 256 or c < 8 * n:
        return np.argsort(v, axis=-1, kind="stable")[:, :n]
    kth = np.partition(v, n - 1, axis=-1)[:, n - 1:n]
    out = np.empty((m, n), np.intp)
    for i, row in enumerate(v <= kth):  # the candidates, in index order; then a stable sort
        idx = np.flatnonzero(row)
        out[i] = idx[np.argsort(v[i, idx], kind="stable")[:n]]
    return out


def _component(dt: np.dtype) -> np.dtype:
    return np.dtype(np.float64 if dt == np.complex128 else np.float32)


def _fma64(a: Any, b: float, c: float) -> Any:
    """``a * b + c`` with one rounding (float64; Dekker's exact product and Knuth's sum):
    ``sampling.fma64_loop`` from ``LIBM_MIN_SIZE`` elements, the numpy twin below."""
    a = np.asarray(a, dtype=np.float64)
    if a.size >= LIBM_MIN_SIZE and type(b) is float and type(c) is float:
        from autograd_core.kernels import _jit
        if _jit.use_numba():
            from autograd_core.kernels import sampling
            flat = np.ascontiguousarray(a).reshape(-1)
            out = np.empty(flat.shape, np.float64)
            sampling.fma64_loop(flat, b, c, out)
            return out.reshape(a.shape)
    return _fma64_numpy(a, b, c)


def _fma64_numpy(a: Any, b: Any, c: Any) -> Any:
    """``_fma64`` in numpy (the loop's twin); ``b`` and ``c`` may be arrays too (the
    optimizers' twin, ``creation._fma``, uses it so)."""
    a = np.asarray(a, dtype=np.float64)
    p = a * b
    split = 134217729.0  # 2**27 + 1
    t = split * a
    ah = t - (t - a)
    al = a - ah
    t = split * b
    bh = t - (t - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    v = s - p
    return s + (((p - (s - v)) + (c - v)) + e)


def _fma32(a: Any, b: Any, c: Any) -> np.ndarray:
    """float32 ``a * b + c`` with one rounding (the product is exact in float64)."""
    return (np.asarray(a, np.float64) * np.asarray(b, np.float64)
            + np.asarray(c, np.float64)).astype(np.float32)


_F32 = np.float32
_LOG_P = tuple(_F32(v) for v in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
                                  -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                                  2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1))
_COS_P = tuple(_F32(v) for v in (2.443315711809948e-5, -1.388731625493765e-3,
                                  4.166664568298827e-2))
_SIN_P = tuple(_F32(v) for v in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1))
_PI4_PARTS = tuple(_F32(v) for v in (-0.78515625, -2.4187564849853515625e-4,
                                      -3.77489497744594108e-8))


def _log_f32(x: np.ndarray) -> np.ndarray:
    """Natural log of positive float32 values as PyTorch's AVX2 Box-Muller computes it (the
    Cephes polynomial of ``avx_mathfun.h``, products fused into the following sums as the
    compiled kernel fuses them), bit for bit."""
    i32 = np.int32
    bits = np.maximum(x, np.array(0x00800000, i32).view(_F32)).view(i32)
    e = ((bits >> 23) - 127).astype(_F32) + _F32(1)
    m = ((bits & i32(~0x7F800000)) | np.array(0.5, _F32).view(i32)).view(_F32)  # [0.5, 1)
    low = m < _F32(0.707106781186547524)
    x = (m - _F32(1)) + np.where(low, m, _F32(0))
    e = e - np.where(low, _F32(1), _F32(0))
    z = x * x
    y = np.full_like(x, _LOG_P[0])
    for p in _LOG_P[1:]:
        y = _fma32(y, x, p)
    y = _fma32(y * x, z, e * _F32(-2.12194440e-4))
    y = _fma32(z, _F32(-0.5), y)
    return _fma32(e, _F32(0.693359375), x + y)


def _sincos_f32(x: np.ndarray) -> tuple:
    """Sine and cosine of non-negative float32 angles as PyTorch's AVX2 Box-Muller computes
    them (Cephes' octant reduction and polynomials, ``avx_mathfun.h``), bit for bit."""
    i32 = np.int32
    j = ((x * _F32(1.27323954473516)).astype(i32) + 1) & i32(~1)  # the octant, rounded even
    y = j.astype(_F32)
    for part in _PI4_PARTS:  # x - j * pi / 4 in three steps
        x = _fma32(y, part, x)
    sin_sign = (j & 4) << 29
    cos_sign = (~(j - 2) & 4) << 29
    z = x * x
    yc = np.full_like(x, _COS_P[0])
    for p in _COS_P[1:]:
        yc = _fma32(yc, z, p)
    yc = _fma32(yc * z, z, -(z * _F32(0.5))) + _F32(1)
    ys = np.full_like(x, _SIN_P[0])
    for p in _SIN_P[1:]:
        ys = _fma32(ys, z, p)
    ys = _fma32(ys * z, x, x)
    first = (j & 2) == 0  # the octant decides which polynomial is which
    s = np.where(first, ys, yc).view(i32) ^ sin_sign
    c = np.where(first, yc, ys).view(i32) ^ cos_sign
    return s.view(_F32), c.view(_F32)


def _box_muller16(blocks: np.ndarray, mean: float, std: float, work: Any) -> np.ndarray:
    """PyTorch's Box-Muller on rows of 16 uniforms (in ``work``, float32 or float64):
    ``u1 = 1 - x[:8]``, ``u2 = x[8:]``, radius ``sqrt(-2 log u1)``, angle ``2 pi u2``, the
    cosines first, then the sines, ``* std + mean`` fused. float32 is its AVX2 kernel
    (``normal_fill_AVX2``, what x86 CPUs run, AVX-512 ones included), float64 its scalar one
    (libm's functions)."""
    if work is np.float32 and blocks.size >= LIBM_MIN_SIZE and blocks.dtype == np.float32:
        from autograd_core.kernels import _jit
        if _jit.use_numba():  # the same operations in one Numba loop (~2.5x faster)
            from autograd_core.kernels import sampling
            b = np.ascontiguousarray(blocks)
            out = np.empty(b.shape, np.float32)
            sampling.box_muller16_f32(b, _F32(mean), _F32(std), out)
            return out
    return _box_muller16_numpy(blocks, mean, std, work)


def _box_muller16_numpy(blocks: np.ndarray, mean: float, std: float, work: Any) -> np.ndarray:
    """``_box_muller16`` in numpy (``sampling.box_muller16_f32``'s twin for float32)."""
    u1 = work(1) - blocks[:, :8]
    u2 = blocks[:, 8:]
    if work is np.float32:
        radius = np.sqrt(_F32(-2) * _log_f32(u1))
        s, c = _sincos_f32(_F32(2.0 * np.pi) * u2)
        pair = np.concatenate([radius * c, radius * s], axis=1)
        return _fma32(pair, _F32(std), _F32(mean))
    radius = np.sqrt(-2.0 * _libm(math.log, u1))
    theta = 2.0 * np.pi * u2
    pair = np.concatenate([radius * _libm(math.cos, theta), radius * _libm(math.sin, theta)],
                          axis=1)
    return _fma64(pair, float(std), float(mean))


#: ``_libm``'s functions that ``sampling.libm_loop`` runs, by its code
_LIBM_CODES = {math.log: 0, math.log1p: 1, math.sin: 2, math.cos: 3, math.tan: 4, math.exp: 5}
#: From this many values ``_libm`` runs the Numba loop (below, its first call's numba import
#: and the call's overhead cost more than the Python map saves)
LIBM_MIN_SIZE = 4096


def _libm(fn: Any, x: np.ndarray) -> np.ndarray:
    """``fn`` (a ``math`` function: the C library's, as PyTorch's scalar kernels call it;
    numpy's own vectorised float64 functions differ in the last bit now and then) on each
    element of the float64 array ``x``: ``sampling.libm_loop`` (the same libm calls) from
    ``LIBM_MIN_SIZE`` values, its twin ``_libm_python`` below it."""
    code = _LIBM_CODES.get(fn)
    if code is not None and x.size >= LIBM_MIN_SIZE and x.dtype == np.float64:
        from autograd_core.kernels import _jit
        if _jit.use_numba():
            from autograd_core.kernels import sampling
            flat = np.ascontiguousarray(x).reshape(-1)
            out = np.empty(flat.shape, np.float64)
            sampling.libm_loop(code, flat, out)
            return out.reshape(x.shape)
    return _libm_python(fn, x)


def _libm_python(fn: Any, x: np.ndarray) -> np.ndarray:
    """``_libm`` in Python: ``fn`` mapped over the elements (the loop's twin)."""
    return np.fromiter(map(fn, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


default_generator = Generator()
default_generator.seed()  # PyTorch's: from the operating system's entropy at import


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
    seed = int(seed)  # PyTorch's: a float, bool, tensor or digit string is int()'ed (1.5: 1)
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


def _source(gen: Any, where: str) -> Any:
    """The ``Generator`` to draw from with PyTorch's algorithms, or a user's
    ``numpy.random.Generator`` (drawn from with numpy's)."""
    if gen is None:
        return default_generator
    if isinstance(gen, (Generator, np.random.Generator)):
        return gen
    raise TypeError(f"{where}: generator must be an autograd_core.Generator (or a "
                    f"numpy.random.Generator), got {type(gen).__name__}")


def uniform(gen: Any, shape: tuple, dtype: Any, low: float = 0.0, high: float = 1.0,
            where: str = "uniform_") -> np.ndarray:
    """Uniform draws on ``[low, high)`` of ``dtype`` (PyTorch's ``uniform_``)."""
    src = _source(gen, where)
    if isinstance(src, Generator):
        return src.uniform_array(tuple(shape), dtype, low, high)
    return draws_for(tuple(shape), dtype, lambda s: src.uniform(low, high, s)).astype(dtype)


def normal(gen: Any, shape: tuple, dtype: Any, mean: float = 0.0, std: float = 1.0,
           where: str = "normal_") -> np.ndarray:
    """Normal draws ``N(mean, std**2)`` of ``dtype`` (PyTorch's ``normal_``; complex: each
    part of variance ``std**2 / 2``)."""
    src = _source(gen, where)
    if isinstance(src, Generator):
        return src.normal_array(tuple(shape), dtype, mean, std)
    if np.dtype(dtype).kind == "c":
        std = std / np.sqrt(2.0)
    return draws_for(tuple(shape), dtype, lambda s: src.normal(mean, std, s)).astype(dtype)


def integers(gen: Any, low: int, high: int, shape: tuple, where: str = "randint") -> np.ndarray:
    """Integers drawn uniformly from ``[low, high)``, int64 (PyTorch's ``randint``)."""
    src = _source(gen, where)
    if isinstance(src, Generator):
        return src.integers_array(low, high, tuple(shape))
    return src.integers(low, high, size=tuple(shape), dtype=np.int64)


def permutation(gen: Any, n: int, where: str = "randperm") -> np.ndarray:
    """A random permutation of ``0 .. n-1``, int64 (PyTorch's ``randperm``)."""
    src = _source(gen, where)
    if isinstance(src, Generator):
        return src.permutation_array(int(n))
    return src.permutation(int(n)).astype(np.int64)


def random_bits(gen: Any, shape: tuple, dtype: Any, where: str = "random_") -> np.ndarray:
    """``random_()``'s draws without bounds (PyTorch's: ``[0, max]`` of the dtype, floats up
    to ``2**digits``)."""
    src = _source(gen, where)
    if isinstance(src, Generator):
        return src.random_array(tuple(shape), dtype)
    dt = np.dtype(dtype)
    top = 2 if dt.kind == "b" else (1 << (np.finfo(dt).nmant + 1)) + 1 if dt.kind == "f" \
        else int(np.iinfo(dt).max) + 1
    return src.integers(0, top, size=tuple(shape)).astype(dt)


def draw(gen: Any, where: str, method: str, numpy_form: Any, *args: Any) -> np.ndarray:
    """The values of a ``Generator`` method (PyTorch's algorithm: ``method`` with ``args``),
    or, for a user's ``numpy.random.Generator``, ``numpy_form(that generator)``."""
    src = _source(gen, where)
    if isinstance(src, Generator):
        return getattr(src, method)(*args)
    return numpy_form(src)


def draws_for(shape: tuple, dtype: Any, draw: Any) -> np.ndarray:
    """``draw(shape)`` (float64 draws) for a real ``dtype``; for a complex one, independent
    draws for the real and imaginary parts of each element, as PyTorch fills a complex tensor
    (through its real view)."""
    if np.dtype(dtype).kind != "c":
        return draw(tuple(shape))
    return np.ascontiguousarray(draw(tuple(shape) + (2,)), np.float64).view(np.complex128)[..., 0]
