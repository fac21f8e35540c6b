"""ag.compile on float16 ops whose value is computed in float32 beside the float16 graph
(``in_float32_composite``, ``add``/``sub`` with ``alpha``): that value is no op of the graph,
so the step runs eagerly; a replay repeated the first call's values."""

import warnings

import numpy as np

import autograd_core as ag


def _step(a, b):
    return ag.addcmul(a, b, b, value=0.3), ag.add(a, b, alpha=0.3), ag.addcdiv(a, a, b + 4.0)


def test_float16_composites_are_not_replayed_with_stale_values():
    compiled = ag.compile(_step)
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the step's "runs eagerly" warning
        first = [ag.tensor(rng.standard_normal(8), dtype=ag.float16) for _ in range(2)]
        for k in range(4):  # the first two calls alike: nothing for the tracer to compare
            a, b = first if k < 2 else (ag.tensor(rng.standard_normal(8), dtype=ag.float16)
                                        for _ in range(2))
            got, want = compiled(a, b), _step(a, b)
            for g, w in zip(got, want):
                assert g.dtype == ag.float16
                np.testing.assert_array_equal(g.numpy(), w.numpy())
