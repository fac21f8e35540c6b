"""Fusing chains of elementwise ops of a captured step into generated Numba kernels.

``ag.compile`` replays a step op by op (``autograd_core/replay.py``). Where the forward pass
runs consecutive elementwise ops of one shape (``(x - mean) * scale + shift``), the replay
instead runs one generated loop that reads each input once and writes only the results that
something else needs (a later op, a backward rule's saved value, the step's outputs); the
intermediates stay in registers.

Which ops fuse: those whose node class declares ``fuse``, a Python expression of its inputs
``{0}``, ``{1}``, ... that computes exactly what its eager forward computes, bit for bit,
and ``fuse_backward``, the same for its backward (add, subtract, multiply, divide, negate,
square root, reciprocal: each one correctly rounded IEEE operation, the same in numpy's loops and in
LLVM's, with no contraction into FMAs: the kernels are compiled without fastmath; relu: the
comparison its own Numba kernel makes). Ops built on transcendental functions (exp, tanh,
sigmoid, log, ...) do not fuse: numpy's SIMD implementations, the activation kernels'
contracted polynomials and LLVM's libm round differently in the last bit, and a replay
must equal eager. A fused op must have all its array inputs of its
output's dtype (float32 or float64; no promotion inside a kernel), Python numbers (cast to
that dtype, as numpy does with a float array), a C-contiguous output, and forward must save
only its inputs or its output (recognised by identity when traced) and set nothing else on
the node.

Kernels are written as Python modules under the cache folder (``TAPEGRAD_CACHE_DIR``, else
``$XDG_CACHE_HOME/tapegrad`` or ``~/.cache/tapegrad``), named by a hash of their source, and
compiled with ``cache=True``: a second process loads them from Numba's on-disk cache instead
of compiling. A kernel's source depends on which dimensions of each input broadcast, not on
the sizes, so one kernel serves every batch size. Without Numba's backend
(``TAPEGRAD_KERNELS=numpy``) or without a writable folder, nothing is fused (the replay runs
op by op, the same numbers).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
import threading

import numpy as np

from autograd_core.kernels import _jit

__all__ = ["MIN_OPS", "MAX_OPS", "cache_dir", "fuse_info", "find_groups", "slots_read",
           "plan_group", "broadcast_pattern", "kernel_source", "load_kernel", "backward_runs",
           "plan_backward"]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_LOCK = threading.Lock()
_LOADED: dict = {}
#: groups shorter than this run op by op (one op gains nothing from a kernel call)
MIN_OPS = 2
#: longer runs are split: a kernel's arguments and Numba's compile time grow with its length
MAX_OPS = 64


def cache_dir() -> str:
    """The folder of generated kernels (see the module docstring)."""
    root = os.environ.get("TAPEGRAD_CACHE_DIR")
    if not root:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                                ".cache")
        root = os.path.join(base, "tapegrad")
    return os.path.join(root, "fused")


# ---- what may fuse ---------------------------------------------------------------------------

def fuse_info(node, args, outs):
    """At trace time: whether a replay may compute ``node``'s forward inside a fused kernel
    (None if not) and how to rebuild what it saved: a tuple with, for each value forward
    saved, ``("arg", i)`` (its i-th argument, an array or a Python number), ``("out", 0)``
    (its output) or None."""
    if getattr(type(node), "fuse", None) is None or len(outs) != 1:
        return None
    out = outs[0]
    if out.dtype not in _FLOATS or out.ndim == 0 or not out.flags.c_contiguous:
        return None
    if set(vars(node)) - {"needs_input_grad", "_to_save"}:
        return None  # forward set something a replay would not set
    arrays = []
    for a in args:
        d = getattr(a, "_data", a)
        if isinstance(d, np.ndarray):
            if d.dtype is not out.dtype and d.dtype != out.dtype:
                return None
            arrays.append(d)
        elif type(a) is float or type(a) is int:
            arrays.append(None)
        else:
            return None
    saves = []
    for x in node._to_save:
        if x is None:
            saves.append(None)
        elif x is out:
            saves.append(("out", 0))
        else:  # an input array, or a Python number as it was given
            i = next((i for i, (a, d) in enumerate(zip(args, arrays))
                      if d is x or (d is None and a is x)), None)
            if i is None:
                return None
            saves.append(("arg", i))
    return tuple(saves)


def find_groups(events, infos):
    """Runs of consecutive op events (indices into ``events``) that one kernel can compute:
    each op fusable (``infos[i]``, its ``fuse_info``, not None), every output of one shape
    and dtype, at least ``MIN_OPS`` long."""
    groups, run = [], []

    def close():
        if len(run) >= MIN_OPS:
            groups.append(tuple(run))
        run.clear()

    for i, ev in enumerate(events):
        if ev[0] != "op" or infos.get(i) is None:
            close()
            continue
        if run and (events[run[0]][6] != ev[6] or len(run) == MAX_OPS):
            close()
        run.append(i)
    close()
    return groups


def slots_read(src, into):
    """Add to ``into`` the slots that a source (see ``_Tracer.source``) reads."""
    if src[0] == "slot":
        into.add(src[1])
    elif src[0] == "seq":
        for s in src[2]:
            slots_read(s, into)


def plan_group(group, events, infos, read_elsewhere):
    """How to run ``group`` as one kernel: ``(inputs, scalars, body, outputs, shape,
    dtype)``.

    ``inputs``: the distinct array sources read (not made inside the group); ``scalars``: the
    Python numbers, cast to the group's dtype; ``outputs``: the slots written to memory (read
    after the group, ``read_elsewhere``, or saved by a node of the group); ``body``: the lines
    of the loop (``t<m>`` the value of the group's m-th op; ``a<j>`` input j's element;
    ``c<j>`` scalar j; ``o<k>[IDX] = ...``)."""
    made = {events[i][5][0]: m for m, i in enumerate(group)}  # slot -> position in group
    shape, dtype = events[group[0]][6][0]
    inputs, keys, scalars, body = [], [], [], []
    keep = set(read_elsewhere)
    for i in group:
        for save in infos[i]:
            if save is not None:
                src = ("slot", events[i][5][0]) if save[0] == "out" else events[i][2][save[1]]
                if src[0] == "slot":
                    keep.add(src[1])
    for m, i in enumerate(group):
        operands = []
        for s in events[i][2]:
            if s[0] == "slot" and s[1] in made:
                operands.append(f"t{made[s[1]]}")
            elif s[0] == "const" and not isinstance(s[1], np.ndarray):
                scalars.append(dtype.type(s[1]))
                operands.append(f"c{len(scalars) - 1}")
            else:
                key = _key(s)
                if key not in keys:
                    keys.append(key)
                    inputs.append(s)
                operands.append(f"a{keys.index(key)}")
        expr = events[i][1].fuse.format(*operands)
        body.append(f"t{m} = " + expr.replace("D(", f"np.{dtype.name}("))
    outputs = [events[i][5][0] for i in group if events[i][5][0] in keep]
    for k, slot in enumerate(outputs):
        body.append(f"o{k}[IDX] = t{made[slot]}")
    return tuple(inputs), tuple(scalars), tuple(body), tuple(outputs), shape, dtype


def _key(src):
    """A source by identity (its objects compared with ``is``, never ``==``)."""
    kind = src[0]
    if kind in ("slot", "in"):
        return src
    if kind == "seq":
        return (kind, src[1], tuple(_key(s) for s in src[2]))
    return (kind, id(src[1]))


def broadcast_pattern(in_shape, out_shape):
    """The dimensions of an input (its own numbering) that broadcast against the output."""
    off = len(out_shape) - len(in_shape)
    return tuple(d for d, n in enumerate(in_shape) if n == 1 and out_shape[off + d] != 1)


# ---- kernel source ---------------------------------------------------------------------------

def kernel_source(out_ndim, inputs, n_scalars, body, n_outputs):
    """The module text of a fused kernel, and its function's name.

    ``inputs``: for each array input, ``(broadcast dims, ndim)`` (``broadcast_pattern``);
    ``body``: ``plan_group``'s lines. The kernel is ``fused_<hash>(x0.., o0.., c0..)``, a loop
    nest over the first output's shape (every output has it)."""
    idx_all = [f"i{d}" for d in range(out_ndim)]
    args = ([f"x{j}" for j in range(len(inputs))] + [f"o{k}" for k in range(n_outputs)]
            + [f"c{j}" for j in range(n_scalars)])
    lines = []
    depth = 1
    for d in range(out_ndim):
        lines.append("    " * depth + f"for i{d} in range(o0.shape[{d}]):")
        depth += 1
    pad = "    " * depth
    for j, (bcast, ndim) in enumerate(inputs):
        off = out_ndim - ndim
        idx = ", ".join("0" if d in bcast else idx_all[off + d] for d in range(ndim))
        lines.append(f"{pad}a{j} = x{j}[{idx or '()'}]")
    for line in body:
        lines.append(pad + line.replace("[IDX]", "[" + ", ".join(idx_all) + "]"))
    text = "\n".join(lines)
    name = "fused_" + hashlib.sha1(f"{args}\n{text}".encode()).hexdigest()[:16]
    src = ("# generated by autograd_core.fusion for ag.compile (safe to delete)\n"
           "from numba import njit\n"
           "import numpy as np\n\n\n"
           "@njit(cache=True, nogil=True, error_model='numpy', boundscheck=False)\n"
           f"def {name}({', '.join(args)}):\n{text}\n")
    return src, name


def load_kernel(src, name):
    """The jitted function of a generated module (written to the cache folder once, then
    imported; Numba compiles it or loads its on-disk cache). None when fusion is unavailable
    (numpy backend, or no writable folder)."""
    if not _jit.use_numba():
        return None
    with _LOCK:
        fn = _LOADED.get(name)
        if fn is not None:
            return fn
        folder = cache_dir()
        path = os.path.join(folder, name + ".py")
        try:
            if not os.path.exists(path):
                os.makedirs(folder, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
                with os.fdopen(fd, "w") as f:
                    f.write(src)
                os.replace(tmp, path)  # atomic: a concurrent process sees all or nothing
            with open(path) as f:
                if f.read() != src:  # a hash collision or a damaged file: do not run it
                    return None
        except OSError:
            return None
        _jit.numba_module()  # Numba's import, with the project's threading policy
        module_name = f"autograd_core._fused.{name}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            return None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
        fn = _LOADED[name] = getattr(module, name)
        return fn


# ---- backward runs ---------------------------------------------------------------------------

def backward_runs(order, seeds, events, infos):
    """Runs of consecutive nodes in a backward plan's ``order`` (positions) that one kernel
    can compute: each node's op declares ``fuse_backward`` and fused at trace time (its
    ``fuse_info``), all of one output shape and dtype; every node after the first receives
    gradient only from nodes of the run (so the run's only entry is its first node's
    gradient, and the order of every sum is the engine's), and edges inside the run need no
    broadcasting undone."""
    def fusable(key):
        return infos.get(key) is not None and \
            getattr(events[key][1], "fuse_backward", None) is not None

    contrib: dict = {}  # node -> positions in order that send it gradient (-1: a seed)
    for is_leaf, key, _, _ in seeds:
        if not is_leaf:
            contrib.setdefault(key, set()).add(-1)
    for pos, (_, edges, _) in enumerate(order):
        for e in edges:
            if e is not None and not e[0]:
                contrib.setdefault(e[1], set()).add(pos)
    runs, pos = [], 0
    while pos < len(order):
        key = order[pos][0]
        if not fusable(key):
            pos += 1
            continue
        meta = events[key][6]
        run = [pos]
        while run[-1] + 1 < len(order):
            nxt = order[run[-1] + 1][0]
            if not fusable(nxt) or events[nxt][6] != meta or len(run) == MAX_OPS or \
                    not contrib.get(nxt) or not contrib[nxt] <= set(run):
                break
            run.append(run[-1] + 1)
        members = {order[p][0] for p in run}
        shape = meta[0][0]
        if len(run) >= MIN_OPS and all(
                e is None or e[0] or e[1] not in members or e[3] == shape
                for p in run for e in order[p][1]):
            runs.append(tuple(run))
            pos = run[-1] + 1
        else:
            pos += 1
    return runs


def plan_backward(run, order, seeds, events, infos, continued=False):
    """A backward run as a kernel: ``(inputs, scalars, body, externals)``.

    ``inputs``: what the kernel reads, ``("grad",)`` for the first node's gradient (always
    input 0) or ``("saved", key, j, source)`` for item j of node ``key``'s saved values;
    ``scalars``: saved Python numbers, cast to the dtype; ``externals``: for each output
    ``o<k>``, ``(position in order, edge index, whole)``: a gradient leaving the run, summed
    into its target after the kernel in the engine's order; ``whole``: it is the sum of
    every contribution of the run to a target that nothing reached before the run and whose
    shape needs no broadcasting undone (a leaf or a node after the run), summed in registers
    in the engine's order, so the target's buffer is that sum. Inside the loop each node's
    rule is its declared ``fuse_backward`` expressions, and sums into a node of the run
    happen in registers, in the order the engine makes them.

    ``continued``: targets of that kind that something reached before the run are summed in
    registers too, starting from their buffer (an input ``("buffer", target)``): the replay
    uses this plan when every such buffer holds an array at run time, and the plain one
    otherwise (then each contribution is added after the kernel)."""
    key0 = order[run[0]][0]
    dtype = events[key0][6][0][1]
    inputs: list = [("grad",)]
    scalars: list = []
    body, externals = [], []
    acc: dict = {}  # node of the run -> name of its gradient so far
    count = [0]

    def temp(expr):
        name = f"t{count[0]}"
        count[0] += 1
        body.append(f"{name} = {expr}")
        return name

    members = {order[p][0] for p in run}
    shape = events[key0][6][0][0]
    reached = {(False, key) for is_leaf, key, _, _ in seeds if not is_leaf} | {
        (True, key) for is_leaf, key, _, _ in seeds if is_leaf}
    for p in range(run[0]):
        reached |= {(e[0], e[1], e[2]) for e in order[p][1] if e is not None}
    sums: dict = {}  # (is_leaf, target, index) -> [name of the run's sum so far, edge]
    for p in run:
        key, edges, _ = order[p]
        if p == run[0]:
            g = "a0"
        elif key in acc:
            g = acc[key]
        else:
            continue  # no gradient reaches it: the engine skips it too
        saved = []
        for j, sv in enumerate(infos[key]):
            if sv is None:
                saved.append("None")
                continue
            source = ("slot", events[key][5][0]) if sv[0] == "out" else events[key][2][sv[1]]
            if source[0] == "const" and not isinstance(source[1], np.ndarray):
                scalars.append(dtype.type(source[1]))
                saved.append(f"c{len(scalars) - 1}")
            else:
                inputs.append(("saved", key, j, source))
                saved.append(f"a{len(inputs) - 1}")
        rules = events[key][1].fuse_backward
        for j, e in enumerate(edges):
            if e is None:
                continue
            expr = rules[j].format(*saved, g=g)
            value = temp(expr.replace("D(", f"np.{dtype.name}("))
            target = (e[0], e[1], e[2])
            if not e[0] and e[1] in members:
                old = acc.get(e[1])
                acc[e[1]] = value if old is None else temp(f"{old} + {value}")
            elif e[3] == shape and e[4] == dtype and (continued or (
                    target not in reached and target[:2] not in reached)):
                old = sums.get(target)
                if old is None and (target in reached or target[:2] in reached):
                    inputs.append(("buffer", target))
                    old = [f"a{len(inputs) - 1}", (p, j)]
                sums[target] = [value, (p, j)] if old is None else \
                    [temp(f"{old[0]} + {value}"), old[1]]
            else:
                body.append(f"o{len(externals)}[IDX] = {value}")
                externals.append((p, j, False))
    for value, (p, j) in sums.values():
        body.append(f"o{len(externals)}[IDX] = {value}")
        externals.append((p, j, True))
    return tuple(inputs), tuple(scalars), tuple(body), tuple(externals)
