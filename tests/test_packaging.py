"""pyproject's dependencies match what the code imports: the extras install what the notebooks
and the example import, nothing needs mlxtend any more, and the runtime dependencies are the
ones the library imports."""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT_MODULES = {"autograd_core", "nn", "optimizers", "bench"}
# import name -> distribution name, where they differ
DIST = {"sklearn": "scikit-learn", "PIL": "pillow", "yaml": "pyyaml"}
# llvmlite is numba's own dependency


def _extras():
    text = (ROOT / "pyproject.toml").read_text()
    block = text.split("[project.optional-dependencies]", 1)[1].split("\n[", 1)[0]
    extras = {}
    for name, body in re.findall(r"^(\w+) = \[(.*?)\]", block, re.DOTALL | re.MULTILINE):
        extras[name] = {re.split(r"[<>=!~\[ ]", d, maxsplit=1)[0].lower()
                        for d in re.findall(r'"([^"]+)"', body)}
    deps = re.search(r"^dependencies = \[(.*?)\]", text, re.DOTALL | re.MULTILINE).group(1)
    runtime = {re.split(r"[<>=!~ ]", d, maxsplit=1)[0].lower()
               for d in re.findall(r'"([^"]+)"', deps)}
    return runtime, extras


def _third_party(names):
    stdlib = set(sys.stdlib_module_names)
    return {DIST.get(n, n).lower() for n in names
            if n not in stdlib and n not in PROJECT_MODULES and n != "__future__"}


def _imports(source, top_level_only=False):
    """Modules imported by ``source``; ``top_level_only``: not those imported inside a function
    (optional features import their extra there, e.g. matplotlib for a plot method)."""
    tree = ast.parse(source)
    out = set()
    for node in (tree.body if top_level_only else ast.walk(tree)):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_notebooks_extra_installs_what_the_notebooks_import_and_a_runner():
    runtime, extras = _extras()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith("%"))
        missing = _third_party(_imports(code)) - runtime - extras["notebooks"]
        assert not missing, f"{path.name} imports {sorted(missing)}, not in the notebooks extra"
    assert {"ipykernel", "nbclient", "notebook"} <= extras["notebooks"]


def test_dev_extra_covers_the_notebook_tests():
    runtime, extras = _extras()
    needed = extras["notebooks"] - {"notebook"}  # the tests run notebooks with nbclient
    assert needed <= extras["dev"] | runtime


def test_the_example_and_the_library_need_only_the_runtime_dependencies():
    runtime, extras = _extras()
    assert runtime == {"numpy", "numba", "threadpoolctl"}
    for folder in ("autograd_core", "nn", "optimizers"):
        for path in (ROOT / folder).rglob("*.py"):
            imported = _imports(path.read_text(), top_level_only=True)
            extra = _third_party(imported) - runtime - {"llvmlite"}
            assert not extra, f"{path.relative_to(ROOT)} imports {sorted(extra)}"
    example = _third_party(_imports((ROOT / "examples" / "train_mnist.py").read_text()))
    assert example - runtime <= extras["plot"], example - runtime  # matplotlib, for --plot


def test_nothing_depends_on_mlxtend():
    _, extras = _extras()
    for name, deps in extras.items():
        assert "mlxtend" not in deps and "tqdm" not in deps, name
    assert extras["mnist"] == set()  # kept so that `pip install -e ".[mnist]"` still works
