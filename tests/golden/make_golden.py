#!/usr/bin/env python3
"""Writes tests/golden/weights.json: the final weights of a run of every configs/*.yaml and of one
comparison, as the gradplug binary given on the command line produces them.

The file is the proof that a refactor changed no number: tests/host/test_golden.cpp reruns the same
commands and requires every weight to be identical, bit for bit. Regenerate it only when a change
is meant to alter results, and say so in the commit:

    /usr/bin/python3 tests/golden/make_golden.py build/bin/gradplug
"""
import json
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The comparison the test repeats: three optimizers, two seeds each, on micrograd's moons.
COMPARE = ["--optimizers", "sgd,rmsprop,adam:lr=0.01", "--seeds", "2"]


def layers(model_path):
    return json.loads(pathlib.Path(model_path).read_text())["layers"]


def main():
    binary = pathlib.Path(sys.argv[1]).resolve()
    golden = {"configs": {}, "compare": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        for config in sorted((ROOT / "configs").glob("*.yaml")):
            out = tmp / config.stem
            subprocess.run([binary, "train", config, "--out", out, "--quiet"], check=True,
                           stdout=subprocess.DEVNULL)
            golden["configs"][config.stem] = layers(out / "model.json")
        out = tmp / "compare"
        subprocess.run([binary, "compare", ROOT / "configs" / "moons.yaml", *COMPARE,
                        "--out", out, "--jobs", "2"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        for model in sorted((out / "runs").glob("*/*/model.json")):
            golden["compare"][str(model.parent.relative_to(out / "runs"))] = layers(model)
    (ROOT / "tests" / "golden" / "weights.json").write_text(json.dumps(golden, indent=1) + "\n")


if __name__ == "__main__":
    main()
