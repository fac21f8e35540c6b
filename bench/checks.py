"""Argument checks for ``tapegrad-bench``: every option gives a clear argparse error naming it,
before any measurement starts (never a traceback from inside a suite, never a failure at the end
of a long run over a path that cannot be written)."""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile


def _number(text, kind):
    try:
        return kind(text)
    except ValueError:
        what = "an integer" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None


def positive_int(text):
    value = _number(text, int)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def non_negative_int(text):
    value = _number(text, int)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text}")
    return value


def positive_float(text):
    value = _number(text, float)
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    return value


def sizes(text):
    """``"100,1e3,2**20"`` -> ``[100, 1000, 1048576]``: positive whole numbers."""
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "**" in part:
                base, exp = part.split("**")
                value = int(base) ** int(exp)
            else:
                number = float(part)
                if not (math.isfinite(number) and number == int(number)):
                    raise ValueError
                value = int(number)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(
                f"expected comma-separated positive sizes like 100,1e4,2**20, got {text!r} "
                f"({part!r} is not a whole number)") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"sizes must be positive, got {part!r} in {text!r}")
        out.append(value)
    if not out:
        raise argparse.ArgumentTypeError(f"expected at least one size, got {text!r}")
    return out


def output_path(path: str, option: str) -> str | None:
    """Why ``path`` cannot be written (``None`` when it can): a folder, a missing folder, a
    folder that is a file, or a folder where no file can be created (tried for real)."""
    if not path:
        return f"{option}: empty path"
    if os.path.isdir(path):
        return f"{option} {path!r} is a folder; give a file name"
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.exists(folder):
        parent = folder
        while not os.path.exists(parent):
            parent = os.path.dirname(parent)
        if not os.path.isdir(parent):
            return f"{option} {path!r}: {parent!r} is a file, not a folder"
        return f"{option} {path!r}: folder {folder!r} does not exist"
    if not os.path.isdir(folder):
        return f"{option} {path!r}: {folder!r} is a file, not a folder"
    if os.path.exists(path) and not os.access(path, os.W_OK):
        return f"{option} {path!r}: no permission to write this file"
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as exc:
        return f"{option} {path!r}: cannot write in folder {folder!r} ({exc.strerror})"
    return None


def name_filter(pattern: str, names, option: str, what: str) -> str | None:
    """Why the comma-separated substrings of ``pattern`` do not all name something in
    ``names`` (``None`` when each matches at least one)."""
    names = list(names)
    parts = [p.strip() for p in pattern.split(",") if p.strip()]
    if not parts:
        return f"{option}: expected comma-separated {what} names, got {pattern!r}"
    unknown = [p for p in parts if not any(p in n for n in names)]
    if unknown:
        return (f"{option}: unknown {what} name(s) {', '.join(map(repr, unknown))}; choose "
                f"from: {', '.join(names)} (or any part of one)")
    return None


def compare_file(path: str, schema: str):
    """``(document, None)`` for a readable results file of ``schema``, else ``(None, why)``."""
    if not os.path.exists(path):
        return None, f"--compare {path!r}: no such file"
    if os.path.isdir(path):
        return None, f"--compare {path!r} is a folder, not a results file"
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except UnicodeDecodeError:
        return None, f"--compare {path!r}: not a text file (expected tapegrad-bench --json output)"
    except json.JSONDecodeError as exc:
        return None, f"--compare {path!r}: not JSON ({exc.msg} at line {exc.lineno})"
    except OSError as exc:
        return None, f"--compare {path!r}: cannot read it ({exc.strerror})"
    if not isinstance(doc, dict) or doc.get("schema") != schema:
        found = doc.get("schema") if isinstance(doc, dict) else type(doc).__name__
        return None, (f"--compare {path!r}: not a {schema} results file (schema={found!r}); "
                      "write one with tapegrad-bench ... --json PATH")
    suites = doc.get("suites")
    if not isinstance(suites, dict) or not all(
            isinstance(s, dict) and isinstance(s.get("rows"), list) for s in suites.values()):
        return None, f"--compare {path!r}: its 'suites' are not {schema} results"
    if not isinstance(doc.get("machine"), dict):
        return None, f"--compare {path!r}: no 'machine' description; not {schema} results"
    for s in suites.values():
        for r in s["rows"]:
            if not (isinstance(r, dict) and isinstance(r.get("times"), dict)
                    and isinstance(r.get("params"), dict) and "suite" in r and "case" in r
                    and all(isinstance(st, dict) and _positive(st.get("median"))
                            for st in r["times"].values())):
                return None, f"--compare {path!r}: a row of its 'suites' is not a {schema} row"
    return doc, None


def _positive(x):
    return (isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
            and x > 0)
