"""The floor of a bit-identical replay of the tiny training step: the arithmetic calls that
eager tapegrad makes for ``tiny 2-16-16-1`` (``bench/train.py``: Linear, ReLU, Linear, ReLU,
Linear, BCEWithLogitsLoss, Adam), run back to back on arrays, with no tape, no nodes and no
checks. A step replayed by ``ag.compile`` makes the same calls (it must, to give eager's
numbers bit for bit), so it cannot be faster than this.

``python -m bench.tiny_floor`` prints the floor and, measured in the same process, the eager
and the compiled step (one thread). ``floor_step`` holds its parameters to the eager step's
(``tests/bench/test_tiny_floor.py``).
"""

from __future__ import annotations

import timeit

import numpy as np


def floor_step(model, opt, x, y):
    """A function doing ``model``'s step (the train suite's tiny network) with the calls its
    ops make, on the same arrays: parameters and Adam state are updated in place."""
    from autograd_core import kernels as K
    from autograd_core.kernels import losses as LK
    from autograd_core.kernels import pointwise as P
    from nn.ops.linear import _ones

    lin = [m for m in model if type(m).__name__ == "Linear"]
    W = [m.weight._data for m in lin]
    B = [m.bias._data for m in lin]
    params = [p for m in lin for p in (m.weight, m.bias)]
    group = opt.param_groups[0]
    states = [opt.state[p] for p in params]
    # Adam's multi-tensor call, as the optimizer's plan makes it: the grads, then each
    # parameter with its two state arrays, then the unused (empty) max_exp_avg_sq
    multi = opt.update.multi_implementation(len(params), 2)
    fixed = [a.reshape(-1) for p, st in zip(params, states)
             for a in (p._data, st["exp_avg"]._data, st["exp_avg_sq"]._data)]
    steps = [st["step"]._data for st in states]  # the 0-d arrays of the step tensors
    tail = (np.empty(0, np.float32),)
    xs, ys = x._data, y._data
    ones = _ones(xs.shape[0], xs.dtype)

    def step():
        h = xs
        acts = []
        for i in range(3):  # LinearOp.forward, Relu.forward
            acts.append(h)
            h = h.dot(W[i].T)
            P.bias_add_(h, B[i])
            if i < 2:
                h = K.relu_forward(h)
        z = h  # BCEWithLogitsOp.forward (no weights), mean
        loss = np.asarray(LK.bce_logits_sum(z, ys) / z.size, dtype=z.dtype)
        s = np.ones((), np.float32)[()] / z.size  # BCEWithLogitsOp.fused_backward
        g = LK.bce_logits_dx(z, ys, s)
        grads = [None] * 6
        for i in (2, 1, 0):  # LinearOp.fused_backward, Relu.fused_backward
            grads[2 * i] = g.T.dot(acts[i])
            grads[2 * i + 1] = ones.dot(g)
            if i:
                g = K.relu_backward(acts[i], g.dot(W[i]))
        step_ = steps[0].item() + 1.0
        co = opt._coefficients(group, np.float32, {"step": step_}, False)
        multi(*(gp.ravel() for gp in grads), *fixed, *tail, *co)
        for a in steps:
            a[()] = step_
        return loss

    return step


def main() -> None:
    import autograd_core as ag
    from bench.train import TINY, build_tapegrad, tapegrad_parts

    ag.set_num_threads(1)
    times = {}
    for name in ("eager", "compiled", "floor"):
        if name == "floor":
            model, crit, opt, x, y = tapegrad_parts(TINY, 64, "bce")
            for _ in range(2):  # eager steps: Adam's state exists from here on
                opt.zero_grad()
                crit(model(x), y).backward()
                opt.step()
            step = floor_step(model, opt, x, y)
        else:
            step, _ = build_tapegrad(TINY, 64, "bce")
            if name == "compiled":
                step = ag.compile(step)
        for _ in range(20):
            step()
        times[name] = min(timeit.repeat(step, number=500, repeat=7)) / 500
    for name, t in times.items():
        print(f"{name:9s} {t * 1e6:7.1f} us")


if __name__ == "__main__":
    main()
