"""Run settings shared by every suite (built from the command line), and progress output."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

DECADES = [10**k for k in range(2, 8)]  # 1e2 .. 1e7 elements


@dataclass
class Config:
    quick: bool = False
    repeats: int = 5
    warmup: int = 1
    min_time: float = 0.01  # seconds per timed repeat
    gc_generation: int = 2  # gc.collect(gen) before each measurement (--quick: 0, see timing)
    threads: int = 1
    use_torch: bool = True
    # kernels
    sizes: list = field(default_factory=lambda: list(DECADES))
    crossover_sizes: list = field(default_factory=lambda: [2**k for k in range(10, 23)])
    contention_sizes: list = field(default_factory=lambda: [10**4, 10**6])
    matmul_n: int = 512
    side_kernels: int = 0  # crossover/contention on the first N kernels only (0: all; --quick)
    kernel_filter: str = ""
    # optim
    param_counts: list = field(default_factory=lambda: [10**4, 10**5, 10**6, 10**7])
    optim_filter: str = ""
    many_tensors: int = 20
    # train
    rounds: int = 3  # worker processes per implementation, alternated
    compile: bool = False  # train, overhead: also the step captured by ag.compile
    # overhead
    chain_links: int = 1000  # per-op overhead: links of ``z = z * c + d`` (2 ops each)
    long_chain_ops: int = 100_000
    # limits
    bw_elements: int = 100_000_000  # float32 elements per array for the bandwidth tests
    probe_bw_elements: int = 1 << 25  # quick bandwidth probe when ``limits`` did not run
    matmul_gflops_n: int = 2048
    verbose: bool = True
    _t0: float = field(default_factory=time.perf_counter, repr=False)

    @classmethod
    def quick_defaults(cls, **kw):
        """A seconds-long smoke run: tiny sizes, 1-2 repeats, every suite."""
        base = dict(quick=True, repeats=2, warmup=1, min_time=0.001, gc_generation=0,
                    sizes=[100, 10_000], crossover_sizes=[1024, 16384], contention_sizes=[10_000],
                    matmul_n=128, param_counts=[20_000], rounds=1, side_kernels=3,
                    chain_links=100,
                    long_chain_ops=2000, bw_elements=1 << 20, probe_bw_elements=1 << 20,
                    matmul_gflops_n=256)
        base.update(kw)
        return cls(**base)

    @property
    def timing(self) -> dict:
        """Keyword arguments for ``timing.measure``."""
        return dict(repeats=self.repeats, warmup=self.warmup, min_time=self.min_time,
                    gc_generation=self.gc_generation)

    def progress(self, suite: str, message: str) -> None:
        """One progress line on stderr (results go to stdout)."""
        if self.verbose:
            elapsed = time.perf_counter() - self._t0
            print(f"[{elapsed:7.1f}s] {suite}: {message}", file=sys.stderr, flush=True)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


def matches(name: str, pattern: str) -> bool:
    """``pattern``: comma-separated substrings; empty matches everything."""
    if not pattern:
        return True
    return any(p.strip() and p.strip() in name for p in pattern.split(","))
