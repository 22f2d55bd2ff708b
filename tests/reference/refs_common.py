"""Helpers shared by the reference generators in tests/reference/ (not a generator itself).

The generators write JSON that the C++ tests read with nlohmann-json: numbers with repr() (the
shortest text that reads back as the same double), never NaN or Infinity (JSON has neither), and
laid out so that a diff of a regenerated file is readable: every list of plain numbers on one line
and, where asked, every object of plain scalars (one sample point) on one line.
"""

import json
import math
import os
import re
import subprocess

import torch


def cpu_capability():
    """The vector unit torch's CPU kernels dispatched to (AVX2, ...): it can change the last bit."""
    match = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
    return match.group(1) if match else "unknown"


def debian_package_version(package="python3-torch"):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def torch_header(generator):
    """The fields every reference file starts with: who wrote it, with which torch."""
    return {
        "generator": f"tests/reference/{generator}",
        "torch_version": torch.__version__,
        "torch_debian_package": debian_package_version(),
        "torch_cpu_capability": cpu_capability(),
        "dtype": "float64",
    }


def finite_or_none(x):
    """JSON has no NaN or Infinity: a non-finite double is written as null."""
    return x if math.isfinite(x) else None


_NUMBER_LIST = re.compile(r"\[\s*([-+0-9.eE,\s]+?)\s*\]")
_FLAT_OBJECT = re.compile(r'\{\n(?:[ ]*"[^"\n]*": (?:"[^"\n]*"|[^\s\[\]{}"]+),?\n)+[ ]*\}')


def to_text(doc, flat_objects_on_one_line=False):
    """JSON with one line per vector (and, if asked, per object holding only scalars)."""
    text = json.dumps(doc, indent=1, allow_nan=False)
    text = _NUMBER_LIST.sub(
        lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)
    if flat_objects_on_one_line:
        text = _FLAT_OBJECT.sub(
            lambda m: "{" + " ".join(line.strip() for line in m.group(0)[1:-1].split("\n")
                                     if line.strip()) + "}", text)
    return text


def write_beside(generator_file, name, doc, flat_objects_on_one_line=False):
    """Writes doc as tests/reference/<name> (next to the generator); returns the path."""
    path = os.path.join(os.path.dirname(os.path.abspath(generator_file)), name)
    text = to_text(doc, flat_objects_on_one_line)
    assert json.loads(text) == doc, "the layout changed a value"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    return path
