"""Reverse-mode execution: ``backward()`` and ``grad()``.

* Iterative topological order: nodes run in decreasing creation order (``Node._seq``, a global
  counter), kept in a heap of the nodes that have received a gradient. A node's inputs always
  exist before it, so every consumer of a node runs before the node itself, without a first
  pass over the graph to count consumers and without Python recursion (a chain of 100,000 ops
  backpropagates).
* Broadcasting is undone here, once: a gradient whose shape differs from its input's is summed
  down to that shape, and cast to the input's dtype. Backward rules are written as if shapes
  matched.
* Leaf gradients are summed over the whole pass, then hooks run, then ``.grad`` accumulates.
  Every leaf owns its ``.grad`` array exclusively (in-place gradient clipping is safe).
  A leaf with post-accumulate-grad hooks is finished as soon as every node with an edge to it
  has run (a pre-pass counts those edges, only while such hooks exist), so its hooks
  (``DistributedDataParallel``'s all-reduce) overlap the rest of the pass.
* Saved arrays are freed after a node's backward unless ``retain_graph``.
"""

from __future__ import annotations

import gc
import itertools
from heapq import heappop, heappush
from operator import attrgetter

import numpy as np

from autograd_core import _quiet
from autograd_core.grad_mode import STATE
from autograd_core.node import _check_hook_tuple, edges_of, leaf_meta, sum_to_shape
from autograd_core.tensor import COMPLEX_SEEN, OVERLAP_ERROR, Tensor, _PostAccumulateHooks

ndarray = np.ndarray
_make = Tensor._make
_zeros = itertools.repeat(0)  # node.next_idx when every input is its node's output 0


class GraphTask:
    """The backward pass running, as hooks that need its extent see it
    (``autograd.graph.register_multi_grad_hook``; ``STATE.graph_task``). Recorded only while
    such hooks exist (``TASK_HOOKS``): a plain pass pays one list read.

    ``callbacks`` run when the pass has finished (after every leaf's ``.grad``), as PyTorch's
    ``Variable._execution_engine.queue_callback``."""

    __slots__ = ("id", "roots", "leaves", "needed", "capture_leaf", "capture_node", "callbacks",
                 "_nodes", "_leaf_ids")
    _ids = itertools.count(1)

    def __init__(self):
        self.id = next(self._ids)
        self.callbacks = []
        self._nodes = self.needed = None

    def will_run(self, t):
        """Whether this pass hands tensor ``t`` a gradient (runs its hooks): its node is
        reached and, for ``grad()``/``backward(inputs=)``, leads to an input; a leaf is reached
        and, with inputs, is one of them. The engine's own rules, walked once per pass."""
        if self._nodes is None:
            self._walk()
        return id(t) in self._leaf_ids if t.grad_fn is None else t.grad_fn in self._nodes

    def _walk(self):
        needed, cap_leaf, cap_node = self.needed, self.capture_leaf, self.capture_node
        nodes = set(self.roots)
        leaf_ids = {id(t) for t in self.leaves
                    if needed is None or id(t) in cap_leaf}
        stack = list(nodes)
        while stack:
            node = stack.pop()
            if needed is not None and node not in needed:
                continue  # its hooks run, it sends nothing on (grad(): leads to no input)
            for t in node.next:
                if t is None:
                    continue
                if t._leaf_edge:
                    if needed is None or id(t) in cap_leaf:
                        leaf_ids.add(id(t))
                elif t not in nodes and (needed is None or t in needed or t in cap_node):
                    nodes.add(t)
                    stack.append(t)
        self._nodes, self._leaf_ids = nodes, leaf_ids


#: live hooks that need the running pass's GraphTask (register_multi_grad_hook)
TASK_HOOKS = [0]


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None,
                 allow_unused=True):
    """Core of ``Tensor.backward`` and ``grad``.

    ``inputs`` None: accumulate into every reachable leaf's ``.grad``. Otherwise a list of
    tensors whose gradients are returned (nothing is accumulated), as ``grad`` does.
    """
    if not TASK_HOOKS[0]:
        return _run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs,
                             allow_unused, None)
    task, prev = GraphTask(), STATE.graph_task
    STATE.graph_task = task
    try:
        result = _run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs,
                               allow_unused, task)
        for cb in task.callbacks:  # may queue more
            cb()
        return result
    finally:
        STATE.graph_task = prev


def _run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs, allow_unused,
                  task):
    if retain_graph is None:
        retain_graph = create_graph
    diff = bool(create_graph)

    # --- seed ------------------------------------------------------------------------------
    node_grads = {}  # node -> list of per-output grads
    leaf_grads = {}  # leaf -> [leaf, grad] (Tensors hash by identity)
    ready = []  # heap of (-creation order, node): the latest node first
    for t, g in zip(tensors, grad_tensors):
        if diff:
            g = g if isinstance(g, Tensor) else Tensor._make(g, None, False)
        elif isinstance(g, Tensor):
            g = g._data
        if t.grad_fn is None:
            _add_leaf(leaf_grads, t, g)
        else:
            node = t.grad_fn
            buf = node_grads.get(node)
            if buf is None:
                buf = node_grads[node] = [None] * node.n_outputs
                heappush(ready, (-node._seq, node))
            i = t._out_idx
            buf[i] = g if buf[i] is None else buf[i] + g

    # Captures for grad(): leaves by identity, non-leaves by (node, output index).
    capture_leaf = capture_node = needed = None
    captured = ()
    if inputs is not None:
        capture_leaf, capture_node = {}, {}
        for k, t in enumerate(inputs):
            if t.grad_fn is None:
                capture_leaf.setdefault(id(t), []).append(k)  # grad(y, [x, x]) gives it twice
            else:
                capture_node.setdefault(t.grad_fn, []).append((t._out_idx, k))
        captured = [None] * len(inputs)
        needed = _needed_nodes(ready, capture_leaf, capture_node)
    if task is not None:
        task.roots, task.leaves = [n for _, n in ready], list(leaf_grads)
        task.needed, task.capture_leaf, task.capture_node = needed, capture_leaf, capture_node
    # leaf with post-accumulate-grad hooks -> edges still to deliver (backward() only)
    pending = _post_hook_edges(ready) if inputs is None and _PostAccumulateHooks.LIVE else None
    handed = set()

    plain = not diff
    free = not retain_graph
    cplx = COMPLEX_SEEN[0]  # complex tensors exist: look for complex nodes (else never)
    anomaly = tracer = STATE.anomaly
    if anomaly and anomaly is not True:  # ag.compile's tracer: it plans this pass's replay
        anomaly = tracer.on_backward(tensors, grad_tensors, retain_graph, create_graph, inputs)
    prev_mode, prev_pass = STATE.enabled, STATE.backward_pass
    STATE.enabled = diff
    STATE.backward_pass = (diff, inputs is not None)
    # The pass makes many short-lived objects and no reference cycle: the cyclic collector's
    # passes over the (large, long-lived) graph would be wasted work, so it waits until the end.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    # numpy's inf/NaN warnings off for the pass (rules and sums), as PyTorch is silent: one
    # set and reset here instead of one per rule (autograd_core/_quiet.py)
    _quiet.ensure()
    quiet_token = _quiet.enter()
    try:
        while ready:
            node = heappop(ready)[1]
            grads = node_grads.pop(node)
            if node._pre_hooks is not None:
                grads = _run_node_hooks(node, grads, diff, handed)
            if capture_node and node in capture_node:
                for idx, k in capture_node[node]:
                    captured[k] = grads[idx]
            if needed is not None and node not in needed:
                continue  # grad(): nothing below this node leads to an input
            if node.n_outputs > 1 and node.materialize_grads:
                grads = _fill_missing(node, grads, diff)
            if cplx and (rule := complex_rule(node)) is not None:
                node.differentiable = diff
                try:
                    in_grads = rule(node, *grads)
                finally:
                    node.differentiable = False
            elif diff:
                node.differentiable = True
                try:
                    in_grads = node.backward(*grads)
                finally:
                    node.differentiable = False
            else:
                in_grads = node.plain_backward(*grads)
            if node._post_hooks:
                in_grads = _run_post_hooks(node, in_grads, grads, diff, needed, capture_leaf,
                                           capture_node, handed)
            if anomaly:
                _check_backward(node, in_grads, grads)
            if free and node._saved:
                node._release()
            for target, idx, g in zip(node.next, node.next_idx or _zeros, in_grads):
                if target is None or g is None:
                    if pending and target is not None and target in pending:
                        _edge_done(target, pending, leaf_grads, diff, handed)
                    continue
                if type(g) is not ndarray and plain:
                    # a rule that called another op's apply() got a Tensor back
                    g = g._data if isinstance(g, Tensor) else np.asarray(g)
                leaf = target._leaf_edge
                if leaf:
                    data = target._data
                    if target._meta_log is None:
                        shape, dtype = data.shape, data.dtype
                    else:  # its array was replaced by one of another shape or dtype
                        shape, dtype = leaf_meta(target, node, data)
                elif idx:
                    shape, dtype = target.out_meta[idx]
                else:
                    shape, dtype = target._shape, target._dtype
                if g.shape != shape:
                    g = _reduced(node, in_grads, g, shape)
                if g.dtype is not dtype and g.dtype != dtype:
                    g = _cast_grad(g, dtype)
                if needed is not None and (
                        id(target) not in capture_leaf if leaf
                        else target not in needed and target not in capture_node):
                    continue
                if leaf:
                    entry = leaf_grads.get(target)
                    if entry is None:
                        leaf_grads[target] = [target, g]
                    else:
                        entry[1] = entry[1] + g
                    if pending and target in pending:
                        _edge_done(target, pending, leaf_grads, diff, handed)
                    continue
                buf = node_grads.get(target)
                if buf is None:
                    if target.n_outputs == 1:
                        node_grads[target] = [g]
                    else:
                        buf = node_grads[target] = [None] * target.n_outputs
                        buf[idx] = g
                    heappush(ready, (-target._seq, target))
                elif buf[idx] is None:
                    buf[idx] = g
                else:
                    buf[idx] = buf[idx] + g
    finally:
        _quiet.leave(quiet_token)
        STATE.enabled, STATE.backward_pass = prev_mode, prev_pass
        if gc_was_enabled:
            gc.enable()

    # --- leaves ----------------------------------------------------------------------------
    if inputs is not None:
        for leaf, g in leaf_grads.values():
            ks = capture_leaf.get(id(leaf))
            if ks is not None:
                g = _run_leaf_hooks(leaf, g, diff, in_grad=True)
                for k in ks:
                    captured[k] = g
        for k, (t, c) in enumerate(zip(inputs, captured)):
            if c is None and not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {k} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior.")
        result = []
        for c in captured:
            if c is None:
                result.append(None)
            elif isinstance(c, Tensor):
                result.append(c)
            else:
                result.append(Tensor._make(np.array(c, copy=True), None, False))
        return tuple(result)

    for leaf, g in leaf_grads.values():
        if leaf._hooks or leaf._post_acc_hooks:
            _finish_leaf(leaf, g, diff, handed)
        elif leaf._requires_grad:  # _finish_leaf without hooks
            _accumulate(leaf, g, diff, handed)
    if tracer and tracer is not True:
        tracer.after_backward()
    return None


def complex_rule(node):
    """The complex rule (``Node.complex_backward``) of a node with a complex output or a
    complex input that receives a gradient, None for a real node. A node without one is
    refused (NotImplementedError naming the op), never run with its real rule: that would
    give a silently wrong gradient. ``ag.compile`` runs such a step eagerly. (Called only once
    a complex tensor exists: then a real node costs this check, a fraction of a microsecond.)"""
    if node._dtype.kind != "c":
        if node.next_idx is None:  # every input is output 0 of its node: its _dtype
            for t in node.next:
                if t is not None and (t._data.dtype if t._leaf_edge else t._dtype).kind == "c":
                    break
            else:
                meta = getattr(node, "out_meta", None)
                if meta is None or all(d.kind != "c" for _, d in meta):
                    return None
        elif not any(e is not None and e[3].kind == "c" for e in edges_of(node)) and all(
                d.kind != "c" for _, d in getattr(node, "out_meta", None) or ()):
            return None
    tracer = STATE.anomaly
    if tracer and tracer is not True:  # ag.compile's replay runs real rules: not this step
        tracer.fail("a gradient through complex tensors")
    rule = type(node).complex_backward
    if rule is None:
        raise NotImplementedError(
            f"tapegrad: the gradient of '{node.op_name()}' for complex inputs is not "
            f"implemented ({node.name()})")
    return rule


def _cast_grad(g, dtype):
    """A gradient in its input's dtype. A complex gradient reaching a real input keeps its
    real part (PyTorch's convention: the imaginary part is the derivative along i*x, which a
    real input cannot move)."""
    if g.dtype.kind == "c" and np.dtype(dtype).kind != "c":
        g = g.real
    return g.astype(dtype)


def _finish_leaf(leaf, g, diff, handed):
    """A leaf's summed gradient through its hooks into ``.grad``, then its post-accumulate-grad
    hooks."""
    if leaf._hooks:
        g = _run_leaf_hooks(leaf, g, diff, handed=handed)
        if g is None:
            return
    if leaf._requires_grad:  # not after requires_grad_(False) or detach_() since the forward:
        _accumulate(leaf, g, diff, handed)  # PyTorch's AccumulateGrad skips it (hooks run)
    if leaf._post_acc_hooks:
        run_post_accumulate_hooks(leaf, g)


def run_post_accumulate_hooks(leaf, g):
    """``leaf``'s post-accumulate-grad hooks, after ``g`` was accumulated into its ``.grad``
    (by a backward pass, or by ``backward(inputs=)``)."""
    for fn in list(leaf._post_acc_hooks.values()):
        # an AccumulateGrad stand-in's register_hook also gets the gradient accumulated
        res = fn(leaf, g) if getattr(fn, "accumulate_grad", False) else fn(leaf)
        if isinstance(res, Tensor):  # PyTorch's two errors
            raise RuntimeError("Tensor post accumulate grad hooks should return None.")
        if res is not None:
            raise TypeError(f"expected Variable, but hook returned '{type(res).__name__}'")


def _post_hook_edges(roots):
    """For each leaf with post-accumulate-grad hooks, the number of edges to it from the nodes
    reachable from ``roots``: the gradients it will receive in this pass at most."""
    seen = {n for _, n in roots}
    stack = list(seen)
    pending = {}
    while stack:
        for target in stack.pop().next:
            if target is None:
                continue
            if target._leaf_edge:
                if target._post_acc_hooks:
                    pending[target] = pending.get(target, 0) + 1
            elif target not in seen:
                seen.add(target)
                stack.append(target)
    return pending


def _edge_done(leaf, pending, leaf_grads, diff, handed):
    """One edge to ``leaf`` has delivered (or has nothing to deliver); the last one finishes
    the leaf now instead of at the end of the pass."""
    left = pending[leaf] - 1
    if left:
        pending[leaf] = left
        return
    del pending[leaf]
    entry = leaf_grads.pop(leaf, None)
    if entry is not None:
        _finish_leaf(leaf, entry[1], diff, handed)


def _needed_nodes(roots, capture_leaf, capture_node):
    """The nodes ``grad()`` must run: those with a path to one of its inputs below them.
    PyTorch runs only this part of the graph, so the saved values of every other node stay
    (a later ``backward`` through them works) and the pass does no wasted work.

    Every node reachable from ``roots`` is visited once; since a node's inputs are always
    older than the node, visiting them oldest first sees every edge target before its user."""
    seen = {n for _, n in roots}
    stack = list(seen)
    push, pop, add = stack.append, stack.pop, seen.add
    while stack:
        for target in pop().next:
            if target is not None and not target._leaf_edge and target not in seen:
                add(target)
                push(target)
    reach = set(capture_node)  # nodes whose gradient is wanted or leads to a wanted one
    needed = set()
    for node in sorted(seen, key=_seq_of):
        for t in node.next:
            if t is not None and (id(t) in capture_leaf if t._leaf_edge else t in reach):
                needed.add(node)
                reach.add(node)
                break
    return needed


_seq_of = attrgetter("_seq")


def _add_leaf(leaf_grads, leaf, g):
    entry = leaf_grads.get(leaf)
    if entry is None:
        leaf_grads[leaf] = [leaf, g]
    else:
        entry[1] = entry[1] + g


def _accumulate(leaf, g, diff, handed):
    if diff:
        current = leaf.grad
        if current is not None and current.is_sparse:  # Embedding(sparse=True) wrote it in
            current = current.to_dense()  # this pass: PyTorch's sum of sparse + dense is dense
        leaf.grad = g if current is None else current + g
        return
    current = leaf._grad
    if current is None:
        # The leaf must own its gradient: copy views, read-only arrays (broadcast results),
        # and an array already handed to another leaf or to a hook in this pass (a hook may
        # keep it, a gradient log: PyTorch's AccumulateGrad copies a gradient referenced
        # elsewhere, so later accumulation does not change what the hook kept).
        flags = g.flags
        if (g.base is not None or not flags.writeable or not flags.c_contiguous
                or id(g) in handed):
            g = np.array(g, copy=True)
        handed.add(id(g))
        leaf._grad = _make(g, None, False)
    elif current.is_sparse:  # Embedding(sparse=True) wrote it in this pass: PyTorch's sum of
        leaf._grad = _make(current.to_dense()._data + g, None, False)  # sparse + dense is dense
    else:
        data = current._data
        if not data.flags.writeable and data.size > 1 and 0 in data.strides:  # expanded
            raise RuntimeError(OVERLAP_ERROR)  # (numpy said "output array is read-only")
        np.add(data, g, out=data, casting="unsafe")
        current._bump_version()  # an in-place write, as PyTorch's: a graph that saved .grad
        # refuses to backward through the old values


def _reduced(node, in_grads, g, shape):
    """A gradient summed down to its input's shape (broadcasting undone), or PyTorch's error
    naming the node when its backward returned a shape that no broadcast explains."""
    gshape = g.shape
    lead = len(gshape) - len(shape)
    if lead < 0:  # only extra leading 1-dims on the input (setitem's value): a reshape
        bad = any(s != 1 for s in shape[:-lead]) or shape[-lead:] != gshape
    else:
        bad = any(s != 1 and s != gs for s, gs in zip(shape, gshape[lead:]))
    if bad:
        k = next(i for i, x in enumerate(in_grads) if x is g) if any(
            x is g for x in in_grads) else "?"
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index {k} - got "
            f"{list(gshape)} but expected shape compatible with {list(shape)}"
        )
    return sum_to_shape(g, shape)


def _hook_result(fn, res, g):
    """A hook's replacement gradient, refused (PyTorch's errors) unless it is a Tensor of the
    gradient's shape."""
    if not isinstance(res, Tensor):
        raise TypeError(f"hook '{getattr(fn, '__name__', fn)}' returned a "
                        f"{type(res).__name__}; a hook must return a Tensor or None")
    if res.shape != np.shape(g):
        raise RuntimeError(
            f"hook '{getattr(fn, '__name__', fn)}' has changed the size of value: the gradient "
            f"has shape {list(np.shape(g))}, the hook returned {list(res.shape)}"
        )
    was = g._data.dtype if isinstance(g, Tensor) else np.asarray(g).dtype
    if res._data.dtype != was:  # (x.grad was left float64 by g.double() on a float32 leaf)
        from autograd_core.ops.shape import typename

        raise RuntimeError(f"hook '{getattr(fn, '__name__', fn)}' has changed the type of value "
                           f"(was {typename(np.empty(0, was))} got {typename(res)})")
    return res


def _run_node_hooks(node, grads, diff, handed):
    grads = list(grads)
    for idx, fns in node._pre_hooks.items():
        if idx is None or grads[idx] is None:  # None: the node's own pre-hooks, last
            continue
        for fn in list(fns.values()):
            arg = grads[idx] if diff else _exposed(grads[idx], handed)
            res = fn(arg)
            if res is not None:
                res = _hook_result(fn, res, grads[idx])
                grads[idx] = res if diff else _exposed(res, handed)._data
    for idx, ref in (node._retained or {}).items():  # after every hook (retain_grad)
        t, g = ref(), grads[idx]
        if t is None or g is None:
            continue
        value = g if diff else Tensor._make(np.array(g, copy=True), None, False)
        t._grad = value if t._grad is None else t._grad + value
    own = node._pre_hooks.get(None)
    if own:
        grads = _run_tuple_hooks(own, (grads,), grads, diff, handed)
    return grads


def _exposed(g, handed):
    """``g`` (an array or a Tensor) as the Tensor a hook is given, its array noted in
    ``handed``: user code may keep it, so no leaf adopts it as its ``.grad``."""
    t = g if isinstance(g, Tensor) else Tensor._make(g, None, False)
    if handed is not None:
        handed.add(id(t._data))
    return t


def _run_tuple_hooks(fns, args, grads, diff, handed=None):
    """A node's own hooks (``grad_fn.register_prehook``: ``fn(grad_outputs)``;
    ``register_hook``: ``fn(grad_inputs, grad_outputs)``): each is given Tensors (None where
    there is no gradient), ``args[0]`` the tuple it may replace; the result, as arrays in a
    plain pass."""
    wrap = (lambda a: a) if diff else (lambda a: _exposed(a, handed))
    args = [tuple(None if g is None else wrap(g) for g in a) for a in args]
    for fn in list(fns.values()):
        res = fn(*args)
        if res is None:
            continue
        _check_hook_tuple(fn, res, len(args[0]))  # PyTorch's checks, in its order
        for r, g in zip(res, args[0]):
            if r is not None and g is None:
                raise RuntimeError("can't replace a None gradient with a non-None value")
            if r is not None and not isinstance(r, Tensor):
                raise TypeError(f"expected Tensor or None (got {type(r).__name__})")
            if r is not None and g is not None:
                _hook_result(fn, r, g)  # its shape and dtype
                if not diff:
                    _exposed(r, handed)
        args[0] = tuple(res)
    return [None if g is None else g if diff else g._data for g in args[0]]


def _run_post_hooks(node, in_grads, grads, diff, needed=None, capture_leaf=None,
                    capture_node=None, handed=None):
    """``grad_fn.register_hook``'s hooks, given the gradients of the node's inputs as PyTorch
    gives them: summed to each input's shape (broadcasting undone), None where no gradient
    flows, and (``grad()``/``backward(inputs=)``: ``needed`` given) None for an input the
    pass does not need."""
    ins = []
    for t, e, g in zip(node.next, edges_of(node), in_grads):
        if e is None or g is None or needed is not None and (
                id(t) not in capture_leaf if t._leaf_edge
                else t not in needed and t not in capture_node):
            ins.append(None)
            continue
        if not diff and type(g) is not ndarray:
            g = g._data if isinstance(g, Tensor) else np.asarray(g)
        if g.shape != e[2]:
            g = _reduced(node, in_grads, g, e[2])
        ins.append(g)
    return _run_tuple_hooks(node._post_hooks, (ins, grads), ins, diff, handed)


def _run_leaf_hooks(leaf, g, diff, in_grad=False, handed=None):
    hooks = leaf._hooks
    if not hooks:
        return g
    for fn in list(hooks.values()):
        if in_grad and getattr(fn, "accumulate_grad", False):
            continue  # an AccumulateGrad pre-hook: grad() accumulates nothing
        arg = g if diff else _exposed(g, handed)
        res = fn(arg)
        if res is not None:
            res = _hook_result(fn, res, g)
            g = res if diff else _exposed(res, handed)._data
    return g


def _fill_missing(node, grads, diff):
    out = list(grads)
    for i, g in enumerate(out):
        if g is None:
            shape, dtype = node.out_meta[i]
            z = np.zeros(shape, dtype)
            out[i] = Tensor._make(z, None, False) if diff else z
    return out


def _check_backward(node, in_grads, grads):
    """Anomaly mode: raise, naming the node, when its backward made NaN/Inf from finite
    incoming gradients."""
    for g in grads:
        arr = np.asarray(g._data if isinstance(g, Tensor) else g) if g is not None else None
        if arr is not None and arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
            return  # the NaN came from further down the graph, already checked there
    for i, g in enumerate(in_grads):
        if g is None:
            continue
        arr = g._data if not isinstance(g, np.ndarray) else g
        if arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
            kind = "nan" if np.isnan(arr).any() else "inf"
            trace = getattr(node, "_trace", None)
            where = f"\nThe forward op was recorded at:\n{trace}" if trace else ""
            raise RuntimeError(
                f"detect_anomaly: function '{node.name()}' returned {kind} values in its "
                f"{i}th output (the gradient of its input {i}).{where}"
            )
