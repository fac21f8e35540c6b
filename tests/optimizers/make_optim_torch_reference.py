"""Run every optimizer/option case and every scheduler case of ``optim_reference_cases`` in PyTorch
(float64 parameters) and save the trajectories to ``data/torch_reference.npz``.

    pip install torch==2.13.0   # CPU build
    python tests/optimizers/make_optim_torch_reference.py

The tests compare our trajectories with the saved file without needing torch
(``test_torch_reference.py``), and live against torch when it is importable.
"""

from __future__ import annotations

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import optim_reference_cases as RC  # noqa: E402


def run_torch_optimizer(algo, kwargs, dtype="float64", group2=None, n_steps=RC.N_STEPS):
    """Trajectory (n_steps, numel) and final state {(i, key): array} of one case in torch."""
    import torch

    tdt = getattr(torch, dtype)
    params = [torch.tensor(a, dtype=tdt, requires_grad=True)
              for a in RC.initial_params(np.dtype(dtype))]
    cls = getattr(torch.optim, algo)
    if group2 is None:
        opt = cls(params, **kwargs)
    else:
        opt = cls([{"params": [params[0]]}, dict(group2, params=[params[1]])], **kwargs)
    traj = []
    for _ in range(n_steps):
        for i, p in enumerate(params):
            p.grad = torch.from_numpy(RC.gradient(i, p.detach().numpy().copy()))
        opt.step()
        traj.append(np.concatenate([p.detach().numpy().reshape(-1).copy() for p in params]))
    state = {}
    for i, p in enumerate(params):
        for key, v in opt.state[p].items():
            if isinstance(v, torch.Tensor):
                state[(i, key)] = v.detach().numpy().copy()
    return np.array(traj), state


def make_sched_optimizer(kind, optim_module, tensor_factory):
    p1, p2 = tensor_factory(), tensor_factory()
    groups = [{"params": [p1], "lr": 0.1}, {"params": [p2], "lr": 0.05}]
    if kind == "sgd":
        return optim_module.SGD(groups, lr=0.1, momentum=0.9), (p1, p2)
    return optim_module.Adam(groups, lr=0.1, betas=(0.9, 0.999)), (p1, p2)


def record_schedule(opt, sched, n_steps, metrics=None, set_grads=None):
    """lrs (n+1, groups) and momenta (n+1, groups) after construction and after each step."""
    def snap():
        lrs = [g["lr"] for g in opt.param_groups]
        mom = [g["momentum"] if "momentum" in g else g["betas"][0] for g in opt.param_groups]
        return lrs, mom

    lrs, moms = [], []
    a, b = snap()
    lrs.append(a)
    moms.append(b)
    for k in range(n_steps):
        if set_grads is not None:
            set_grads()
        opt.step()
        if metrics is not None:
            sched.step(metrics[k])
        else:
            sched.step()
        a, b = snap()
        lrs.append(a)
        moms.append(b)
    return np.array(lrs, dtype=np.float64), np.array(moms, dtype=np.float64)


def run_torch_schedule(case):
    import torch

    name, kind, factory, n = case
    opt, ps = make_sched_optimizer(kind, torch.optim,
                                   lambda: torch.zeros(2, dtype=torch.float64,
                                                       requires_grad=True))

    def set_grads():
        for p in ps:
            p.grad = torch.zeros_like(p)

    sched = factory(torch.optim.lr_scheduler, opt)
    metrics = RC.PLATEAU_METRICS if name.startswith("plateau") else None
    return record_schedule(opt, sched, n, metrics, set_grads)


def main(path=os.path.join(HERE, "data", "torch_reference.npz")):
    import torch

    out = {"torch_version": np.array(torch.__version__)}
    for name, algo, kwargs in RC.OPT_CASES:
        traj, state = run_torch_optimizer(algo, kwargs)
        out[f"opt/{name}/traj"] = traj
        for (i, key), v in state.items():
            out[f"opt/{name}/state/{i}/{key}"] = v
    for name, algo, kwargs, group2 in RC.GROUP_CASES:
        traj, _ = run_torch_optimizer(algo, kwargs, group2=group2)
        out[f"opt/{name}/traj"] = traj
    for case in RC.SCHED_CASES:
        lrs, moms = run_torch_schedule(case)
        out[f"sched/{case[0]}/lr"] = lrs
        out[f"sched/{case[0]}/momentum"] = moms
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.savez_compressed(path, **out)
    print(f"wrote {path}: {len(out)} arrays, {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
