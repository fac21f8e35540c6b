"""The tape behind a tensor as a picture: Graphviz DOT text, rendered when Graphviz is installed.

``to_dot(loss)`` walks the recorded graph from ``loss`` back to the leaves: one box per op
(PyTorch's node names, ``MulBackward0``), one ellipse per leaf
tensor (its name if it has one, its shape, and its gradient's norm once backward has run), and
an arrow labelled with the input's shape from each input to the op that used it, so the
picture reads as forward ran. The
text is plain DOT: paste it into any Graphviz viewer, or call ``render`` with Graphviz's ``dot``
on the PATH (``apt-get install graphviz``).

    >>> import autograd_core as ag
    >>> from autograd_core.viz import to_dot
    >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
    >>> print(to_dot((w * w).sum()).splitlines()[0])
    digraph tape {
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

import numpy as np

from autograd_core.node import edges_of
from autograd_core.tensor import Tensor

__all__ = ["to_dot", "render"]


def _shape(shape: tuple) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ")"


def _quote(text: str) -> str:
    return '"' + str(text).replace('"', '\\"') + '"'


def to_dot(tensor: Tensor, *, show_grads: bool = True, max_nodes: int = 2000) -> str:
    """Return the graph that produced ``tensor`` as Graphviz DOT text.

    One box per op (PyTorch's node names, ``MulBackward0``), one ellipse per leaf (its name if it
    has one, its shape, and its gradient's norm once backward has run), and an arrow labelled
    with the input's shape from each input to the op that used it.

    Args:
        tensor (Tensor): the output whose tape to draw.
        show_grads (bool): show the leaves' gradient norms. Default: True.
        max_nodes (int): stop (with a note in the picture) after this many nodes. Default: 2000.

    Example::

        >>> import autograd_core as ag
        >>> from autograd_core.viz import to_dot
        >>> w = ag.tensor([1.0, 2.0], requires_grad=True)
        >>> dot = to_dot((w * w).sum())
        >>> dot.splitlines()[0], "MulBackward0" in dot, "SumBackward0" in dot
        ('digraph tape {', True, True)
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dot expects a Tensor, got {type(tensor).__name__}")
    lines = ["digraph tape {", '  rankdir="BT";', '  node [fontname="Helvetica", fontsize=10];']
    ids: dict[int, str] = {}

    def node_id(obj: object) -> str:
        key = id(obj)
        if key not in ids:
            ids[key] = f"n{len(ids)}"
        return ids[key]

    out_id = "out"
    label = f"output {_shape(tensor.shape)}\\n{tensor.dtype}"
    lines.append(f'  {out_id} [label={_quote(label)}, shape=ellipse, style=filled, '
                 'fillcolor="#d0e8ff"];')
    root = tensor.grad_fn
    if root is None:
        lines.append("}")
        return "\n".join(lines) + "\n"
    lines.append(f"  {node_id(root)} -> {out_id};")
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if len(seen) > max_nodes:
            lines.append(f'  more [label="... more than {max_nodes} ops", shape=plaintext];')
            break
        lines.append(f"  {node_id(node)} [label={_quote(node.name())}, shape=box, "
                     'style="rounded,filled", fillcolor="#f2f2f2"];')
        for edge in edges_of(node) if getattr(node, "next", None) else ():
            if edge is None:
                continue
            target, idx, in_shape, dtype = edge
            if idx < 0 and id(target) not in seen:  # a leaf tensor, declared once
                seen.add(id(target))
                leaf = target
                text = (leaf.name + "\\n" if getattr(leaf, "name", None) else "") + (
                    f"leaf {_shape(in_shape)}")
                if show_grads and leaf.grad is not None:
                    text += f"\\n|grad| = {float(np.linalg.norm(leaf.grad._data)):.4g}"
                lines.append(f"  {node_id(leaf)} [label={_quote(text)}, shape=ellipse, "
                             'style=filled, fillcolor="#e8f5d0"];')
            else:
                stack.append(target)
            lines.append(f"  {node_id(target)} -> {node_id(node)} "
                         f"[label={_quote(_shape(in_shape))}, fontsize=8];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(tensor: Tensor, path: str | os.PathLike, *, format: str | None = None,  # noqa: A002
           **kwargs: Any) -> str | os.PathLike:
    """Write the picture of ``tensor``'s tape to ``path`` with Graphviz's ``dot`` program.

    The format comes from the suffix (``.png``, ``.svg``, ``.pdf``) unless ``format`` is given;
    without Graphviz installed, a clear ``RuntimeError`` (``to_dot`` still works).

    Args:
        tensor (Tensor): the output whose tape to draw.
        path (str or os.PathLike): the file to write.
        format (str, optional): Graphviz's output format.
        **kwargs: passed to ``to_dot``.

    Returns:
        the ``path``.

    Example::

        >>> import os, tempfile
        >>> import autograd_core as ag
        >>> from autograd_core.viz import render
        >>> w = ag.tensor([1.0], requires_grad=True)
        >>> with tempfile.TemporaryDirectory() as d:
        ...     try:
        ...         ok = os.path.exists(render(w * 2, os.path.join(d, "tape.svg")))
        ...     except RuntimeError as e:  # Graphviz not installed: says so
        ...         ok = "Graphviz" in str(e)
        >>> ok
        True
    """
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError("render needs Graphviz's 'dot' program (e.g. apt-get install "
                           "graphviz); to_dot(tensor) gives the DOT text without it")
    fmt = format or str(path).rsplit(".", 1)[-1]
    subprocess.run([dot, f"-T{fmt}", "-o", str(path)], input=to_dot(tensor, **kwargs),
                   text=True, check=True, timeout=60)
    return path
