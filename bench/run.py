#!/usr/bin/python3
"""Whole-run speed comparison of gradplug against PyTorch 1.13, from one command.

    bash .ci/setup && /usr/bin/python3 bench/run.py [--reps N] [--cases moons,...]
                                                    [--build-dir DIR] [--results FILE]

1. Makes sure the peer can run: Debian's python3-torch (apt-get) and libopenblas0-pthread, which
   takes over libblas.so.3 through Debian's alternatives (Debian's torch calls the generic
   libblas.so.3; the reference BLAS behind it by default is slow). PyTorch runs with
   OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its environment, so OpenBLAS picks its own
   kernel for this processor; the BLAS library torch loaded is reported.
2. Builds gradplug with the benchmarks (cmake -DGRADPLUG_BUILD_BENCH=ON; incremental).
3. For each case (bench/moons.yaml, digits.yaml, wide.yaml) and repetition r = 1..N, alternately:
   `gradplug train bench/<case>.yaml --quiet --out TMP --set seed=r`, then bench/torch_side.py
   with seed r (reading that run's split.json, so both train and test on the same rows).
   Then a second wide row with PyTorch on 2 threads (gradplug is single-threaded).
4. Runs build/bin/engine_bench (JSON, 3 repetitions, medians) for the engine figures and the
   machine's practical peak (an Eigen 1024x1024 matrix product).
   Steps 3 and 4 run in a child process in a session of its own whose autogroup and nice are
   raised (--priority, default 10: nice -10), so a build elsewhere on the machine preempts the
   measured programs, gradplug and PyTorch alike, much less.
5. Prints the table with PASS/MISS per floor and writes bench/results.json.

Exit status: 0 when everything ran (a missed floor is a finding, not a failure), 1 when something
failed to run.
"""
import argparse
import datetime
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(REPO, "build")
GRADPLUG = os.path.join(BUILD, "bin", "gradplug")
ENGINE_BENCH = os.path.join(BUILD, "bin", "engine_bench")
TORCH_PY = "/usr/bin/python3"
TORCH_SIDE = os.path.join(REPO, "bench", "torch_side.py")
RESULTS = os.path.join(REPO, "bench", "results.json")

# layers: every layer's width, inputs first. floor: minimum speed-up (PyTorch s / gradplug s).
CASES = {
    "moons": {"layers": [2, 16, 16, 1], "floor": 30.0, "dtype": "float64", "accuracy": "train"},
    "digits": {"layers": [64, 128, 64, 10], "floor": 5.0, "dtype": "float32", "accuracy": "test",
               "epochs": 20, "max_accuracy_gap": 0.5},
    "wide": {"layers": [64, 256, 256, 10], "floor": 3.0, "dtype": "float32", "accuracy": "test", "epochs": 10},
}
# (case, PyTorch threads, judged against the floor)
ROWS = [("moons", 1, True), ("digits", 1, True), ("wide", 1, True), ("wide", 2, False)]

ENGINE_FLOORS = [
    # (benchmark run_name, field, label, unit, scale, comparison, floor)
    ("MicrogradExpression", "real_time", "micrograd expression build+backward", "us/iteration", 1e-3, "<", 0.3),
    ("ChainBackward/1000000", "nodes_per_second", "chain backward, 1M nodes", "M nodes/s", 1e-6, ">=", 200.0),
    ("ChainBackward/10000000", "nodes_per_second", "chain backward, 10M nodes", "M nodes/s", 1e-6, ">=", 200.0),
    ("ChainBuild/1000000", "nodes_per_second", "chain build, 1M nodes", "M nodes/s", 1e-6, ">=", 100.0),
    ("ChainBuild/10000000", "nodes_per_second", "chain build, 10M nodes", "M nodes/s", 1e-6, ">=", 100.0),
    ("ChainBuild/10000000", "bytes_per_node", "bytes per node", "bytes", 1.0, "<=", 32.0),
    ("EigenGemm<double>/1024", "GFLOPS", "peak: Eigen 1024^3 double product, 1 thread", "GFLOP/s", 1.0, None, None),
    ("EigenGemm<float>/1024", "GFLOPS", "peak: Eigen 1024^3 float product, 1 thread", "GFLOP/s", 1.0, None, None),
]


class RunFailure(Exception):
    pass


def set_build_dir(path):
    global BUILD, GRADPLUG, ENGINE_BENCH
    BUILD = path
    GRADPLUG = os.path.join(BUILD, "bin", "gradplug")
    ENGINE_BENCH = os.path.join(BUILD, "bin", "engine_bench")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, env=None, what=None):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    if p.returncode != 0:
        raise RunFailure("%s failed (exit %d): %s\n%s%s" % (what or cmd[0], p.returncode, " ".join(cmd),
                                                         p.stdout[-3000:], p.stderr[-3000:]))
    return p.stdout


# ---------------------------------------------------------------- the peer: PyTorch and its BLAS

def dpkg_installed(package):
    p = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return p.returncode == 0 and "install ok installed" in p.stdout


def apt_install(packages):
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + packages
    log("bench: installing " + " ".join(packages))
    if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode == 0:
        return
    log("bench: apt-get install failed; apt-get update, then again")
    run(sudo + ["apt-get", "update", "-qq"], env=env, what="apt-get update")
    run(install, env=env, what="apt-get install " + " ".join(packages))


def ensure_peer():
    missing = []
    if subprocess.run([TORCH_PY, "-c", "import torch"], capture_output=True).returncode != 0:
        missing.append("python3-torch")
    if not dpkg_installed("libopenblas0-pthread"):
        missing.append("libopenblas0-pthread")
    if missing:
        apt_install(missing)
    if subprocess.run([TORCH_PY, "-c", "import torch"], capture_output=True).returncode != 0:
        raise RunFailure("%s cannot import torch even after installing python3-torch" % TORCH_PY)


def blas_alternative():
    p = subprocess.run(["update-alternatives", "--query", "libblas.so.3-x86_64-linux-gnu"],
                       capture_output=True, text=True)
    for line in p.stdout.splitlines():
        if line.startswith("Value:"):
            return line.split(":", 1)[1].strip()
    return None


def torch_env(threads):
    env = dict(os.environ)
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(var, None)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = str(threads)
    return env


# ---------------------------------------------------------------- gradplug

def build():
    log("bench: building gradplug with the benchmarks (cmake -DGRADPLUG_BUILD_BENCH=ON) ...")
    run(["cmake", "-S", REPO, "-B", BUILD, "-DGRADPLUG_BUILD_BENCH=ON"], what="cmake configure")
    try:
        run(["cmake", "--build", BUILD, "-j2"], what="cmake --build")
    except RunFailure as e:
        raise RunFailure(str(e) + "\nthe build failed (see above); --no-build benchmarks the binaries in build/ as they are")
    for exe in (GRADPLUG, ENGINE_BENCH):
        if not os.access(exe, os.X_OK):
            raise RunFailure(exe + " was not built")


def run_gradplug(case, seed, tmp, tag):
    out = os.path.join(tmp, "%s-%s-seed%d" % (case, tag, seed))
    run([GRADPLUG, "train", os.path.join(REPO, "bench", case + ".yaml"), "--quiet", "--out", out,
         "--set", "seed=%d" % seed], what="gradplug train " + case)
    with open(os.path.join(out, "summary.json")) as f:
        s = json.load(f)
    with open(os.path.join(out, "split.json")) as f:
        train_rows = len(json.load(f)["train"])
    return {"seed": seed, "train_seconds": s["train_seconds"], "steps": s["steps"],
            "final_loss": s["final"]["loss"], "train_accuracy": s["train"].get("accuracy"),
            "test_accuracy": s.get("test", {}).get("accuracy"), "train_rows": train_rows,
            "split": os.path.join(out, "split.json")}


def run_torch(case, seed, threads, split):
    cmd = [TORCH_PY, TORCH_SIDE, case, "--seed", str(seed), "--threads", str(threads)]
    if case != "moons":
        cmd += ["--split", split]
    lines = run(cmd, env=torch_env(threads), what="torch_side.py " + case).strip().splitlines()
    return json.loads(lines[-1])


# ---------------------------------------------------------------- figures

def flops_per_run(case, train_rows, steps):
    """6 * rows * sum(in*out): per row, 2*sum(in*out) forward and 4*sum(in*out) backward."""
    spec = CASES[case]
    layers = spec["layers"]
    macs = sum(a * b for a, b in zip(layers, layers[1:]))
    rows = train_rows * spec["epochs"] if "epochs" in spec else train_rows * steps  # moons: full batch
    return 6.0 * macs * rows


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(case, threads, judged, pairs):
    spec = CASES[case]
    gp, th = [g for g, _ in pairs], [t for _, t in pairs]
    acc_key = spec["accuracy"] + "_accuracy"
    gp_s, th_s = med([r["train_seconds"] for r in gp]), med([r["train_seconds"] for r in th])
    flops = flops_per_run(case, gp[0]["train_rows"], gp[0]["steps"])
    row = {
        "case": case, "torch_threads": threads, "torch_dtype": th[0]["dtype"], "gradplug_dtype": "float64",
        "reps": len(pairs), "steps": gp[0]["steps"], "flops_per_run": flops,
        "gradplug_seconds": gp_s, "torch_seconds": th_s, "speedup": th_s / gp_s,
        "floor": spec["floor"] if judged else None,
        "gradplug_final_loss": med([r["final_loss"] for r in gp]),
        "torch_final_loss": med([r["final_loss"] for r in th]),
        "accuracy_kind": spec["accuracy"],
        "gradplug_accuracy": med([r[acc_key] for r in gp]), "torch_accuracy": med([r[acc_key] for r in th]),
        "gradplug_gflops": flops / gp_s * 1e-9, "torch_gflops": flops / th_s * 1e-9,
        "runs": [{"gradplug": {k: v for k, v in g.items() if k != "split"},
                  "torch": {k: t.get(k) for k in ("seed", "train_seconds", "cold_train_seconds", "reproducible",
                                                   "steps", "final_loss", "train_accuracy", "test_accuracy",
                                                   "env")}} for g, t in pairs],
    }
    if any(g["steps"] != t["steps"] for g, t in pairs):
        raise RunFailure("%s: gradplug and PyTorch ran different step counts" % case)
    checks = []
    if judged:
        checks.append(("speed-up %.1fx >= %gx" % (row["speedup"], spec["floor"]), row["speedup"] >= spec["floor"]))
        if "max_accuracy_gap" in spec:
            gap = 100.0 * abs(row["gradplug_accuracy"] - row["torch_accuracy"])
            checks.append(("test accuracy gap %.2f <= %.1f points" % (gap, spec["max_accuracy_gap"]),
                           gap <= spec["max_accuracy_gap"]))
    row["checks"] = [{"what": w, "pass": ok} for w, ok in checks]
    return row


def engine_figures():
    log("bench: engine_bench (3 repetitions, medians) ...")
    out = run([ENGINE_BENCH, "--benchmark_format=json", "--benchmark_repetitions=3",
               "--benchmark_report_aggregates_only=true"], what="engine_bench")
    data = json.loads(out)
    medians = {b["run_name"]: b for b in data["benchmarks"] if b.get("aggregate_name") == "median"}
    figures = []
    for name, field, label, unit, scale, cmp, floor in ENGINE_FLOORS:
        if name not in medians or field not in medians[name]:
            raise RunFailure("engine_bench reported no %s for %s" % (field, name))
        b = medians[name]
        value = b[field]
        if field in ("real_time", "cpu_time"):  # to ns, then scale
            value = value * {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        value *= scale
        if field == "bytes_per_node":  # the tape's reserved bytes / nodes: 32 plus a few spare slots
            value = round(value, 3)
        ok = None if cmp is None else {"<": value < floor, ">=": value >= floor, "<=": value <= floor}[cmp]
        figures.append({"benchmark": name, "what": label, "value": value, "unit": unit,
                        "floor": None if cmp is None else "%s %g" % (cmp, floor), "pass": ok})
    return figures, data.get("context", {})


# ---------------------------------------------------------------- output

def fmt_pct(x):
    return "-" if x is None else "%.2f %%" % (100.0 * x)


def fmt_loss(x):
    return "-" if x is None else "%.4g" % x


def table(rows):
    head = ["case", "gradplug s (median)", "PyTorch s (median, dtype)", "speed-up", "floor",
            "final loss gp / torch", "accuracy gp / torch", "GFLOP/s gp / torch"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    for r in rows:
        name = r["case"] + ("" if r["torch_threads"] == 1 else " (torch %d threads)" % r["torch_threads"])
        floor = "-" if r["floor"] is None else "%gx %s" % (r["floor"], " ".join(
            ("PASS" if c["pass"] else "MISS") + ("" if i == 0 else " (acc)") for i, c in enumerate(r["checks"])))
        lines.append("| " + " | ".join([
            name,
            "%.4f" % r["gradplug_seconds"],
            "%.4f (%s%s)" % (r["torch_seconds"], r["torch_dtype"], "" if r["torch_threads"] == 1 else
                             ", %d thr" % r["torch_threads"]),
            "%.1fx" % r["speedup"],
            floor,
            "%s / %s" % (fmt_loss(r["gradplug_final_loss"]), fmt_loss(r["torch_final_loss"])),
            "%s / %s (%s)" % (fmt_pct(r["gradplug_accuracy"]), fmt_pct(r["torch_accuracy"]), r["accuracy_kind"]),
            "%.1f / %.1f" % (r["gradplug_gflops"], r["torch_gflops"]),
        ]) + " |")
    return "\n".join(lines)


def engine_table(figures):
    lines = ["| engine figure | value | floor | verdict |", "|---|---|---|---|"]
    for f in figures:
        lines.append("| %s | %.3g %s | %s | %s |" % (f["what"], f["value"], f["unit"], f["floor"] or "-",
                                                   "-" if f["pass"] is None else ("PASS" if f["pass"] else "MISS")))
    return "\n".join(lines)


def machine():
    model, cores = None, os.cpu_count()
    p = subprocess.run(["lscpu"], capture_output=True, text=True)
    for line in p.stdout.splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    return {"cpu": model, "cores": cores}


def gradplug_flags():
    """The optimisation flags batch_kernels.cpp (gradplug's dense kernels) was compiled with."""
    try:
        with open(os.path.join(BUILD, "compile_commands.json")) as f:
            for entry in json.load(f):
                if entry["file"].endswith("batch_kernels.cpp"):
                    words = entry.get("command", "").split() or entry.get("arguments", [])
                    return " ".join(w for w in words if w.startswith(("-O", "-march", "-mtune", "-ffp-contract",
                                                                      "-ffast-math", "-mavx", "-mfma")))
    except (OSError, ValueError, KeyError):
        pass
    return None


def cpu_snapshot():
    """(wall seconds, CPU seconds busy on the whole machine, CPU seconds of this script and its children)."""
    import resource
    import time
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    busy = sum(fields) - fields[3] - (fields[4] if len(fields) > 4 else 0)  # all but idle and iowait
    own = sum(getattr(resource.getrusage(who), k) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
              for k in ("ru_utime", "ru_stime"))
    return time.monotonic(), busy / os.sysconf("SC_CLK_TCK"), own


def others_cores(before, after):
    """How many cores other processes kept busy on average between two snapshots."""
    wall = after[0] - before[0]
    return max(0.0, ((after[1] - before[1]) - (after[2] - before[2])) / wall) if wall > 0 else 0.0


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def enter_priority_session(nice):
    """Carries on the measurements in a child process in a session of its own, at a higher priority.

    The kernel schedules by autogroup (one per session): a plain nice value only ranks processes
    within their own session, so against a compile or test run in another session it does nothing.
    A new session gets its own autogroup, whose nice this child raises; the measured programs
    inherit it, gradplug and PyTorch alike. The parent waits and exits with the child's status.
    Returns the nice value in force (0 when it could not be raised: not root, or no autogroups).
    """
    if nice <= 0:
        return 0
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        try:
            _, status = os.waitpid(pid, 0)
        except KeyboardInterrupt:
            os.killpg(pid, signal.SIGTERM)  # the child leads its own process group
            os.waitpid(pid, 0)
            raise
        os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)
    os.setsid()
    applied = 0
    try:
        os.setpriority(os.PRIO_PROCESS, 0, -nice)
        applied = -nice
        with open("/proc/self/autogroup", "w") as f:
            f.write(str(-nice))
    except OSError as e:
        log("bench: could not raise the priority fully (%s); the figures may be noisier" % e)
    return applied


def main():
    parser = argparse.ArgumentParser(description="gradplug vs PyTorch 1.13, whole training runs.")
    parser.add_argument("--reps", type=int, default=5, help="repetitions per case (seeds 1..N), default 5")
    parser.add_argument("--no-build", action="store_true", help="use the build tree as it is")
    parser.add_argument("--cases", default="moons,digits,wide,wide2",
                        help="comma-separated subset of moons,digits,wide,wide2 (wide2: PyTorch on 2 threads)")
    parser.add_argument("--priority", type=int, default=10,
                        help="run the measured programs at nice -N, their session too (root only; 0: as started)")
    parser.add_argument("--build-dir", default=BUILD,
                        help="the build tree to configure, build and measure (default: build/), e.g. a private one"
                             " while someone else uses build/")
    parser.add_argument("--results", default=RESULTS,
                        help="where to write the JSON results (default: bench/results.json; give another file"
                             " for a partial run so the committed full one stays)")
    args = parser.parse_args()
    set_build_dir(os.path.abspath(args.build_dir))
    if args.reps < 1:
        parser.error("--reps must be >= 1")
    wanted = set(args.cases.split(","))
    unknown = wanted - {"moons", "digits", "wide", "wide2"}
    if unknown:
        parser.error("--cases: unknown %s (choose from moons, digits, wide, wide2)" % ", ".join(sorted(unknown)))
    rows_wanted = [r for r in ROWS if (r[0] if r[1] == 1 else r[0] + "2") in wanted]

    started = datetime.datetime.now().astimezone()
    ensure_peer()
    if not args.no_build:
        build()
    for exe in (GRADPLUG, ENGINE_BENCH):
        if not os.access(exe, os.X_OK):
            raise RunFailure("%s is missing: run `bash .ci/setup` (or drop --no-build)" % exe)

    priority = enter_priority_session(args.priority)
    load_start = loadavg()
    cpu_start = cpu_snapshot()
    rows, blas = [], None
    tmp = tempfile.mkdtemp(prefix="gradplug-bench-")
    try:
        for case, threads, judged in rows_wanted:
            pairs = []
            for seed in range(1, args.reps + 1):
                g = run_gradplug(case, seed, tmp, "t%d" % threads)
                t = run_torch(case, seed, threads, g["split"])
                blas = blas or {"loaded": t["blas"], "openblas_core": t["blas_core"], "torch": t["torch"]}
                log("bench: %-6s seed %d  gradplug %.4f s  PyTorch(%s, %d thr) %.4f s" % (
                    case, seed, g["train_seconds"], t["dtype"], threads, t["train_seconds"]))
                pairs.append((g, t))
            rows.append(summarize(case, threads, judged, pairs))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_runs = loadavg()
    others = others_cores(cpu_start, cpu_snapshot())
    figures, context = engine_figures()
    blas = blas or {"loaded": [], "openblas_core": None, "torch": "?"}
    blas["alternative"] = blas_alternative()

    info = machine()
    print("gradplug vs PyTorch %s: whole training runs, %d repetitions each (seeds 1..%d), alternating; medians."
          % (blas["torch"], args.reps, args.reps))
    print("machine: %s, %d cores; %s; load average %s at the start, %s after the runs"
          % (info["cpu"], info["cores"], started.strftime("%Y-%m-%d %H:%M %Z"), load_start, load_runs))
    print("other processes kept %.2f of the %d cores busy on average during the runs; both sides ran at nice %d"
          " (their own session's autogroup too)" % (others, info["cores"], priority))
    if others > 0.2:
        print("WARNING: the machine was busy: other work shared the cores, so the seconds are noisy (PyTorch's"
              " more than gradplug's); rerun when it is idle.")
    print("PyTorch BLAS: %s (libblas.so.3 -> %s; OpenBLAS kernel: %s); OPENBLAS_CORETYPE/L2_SIZE unset for it"
          % (", ".join(os.path.basename(p) + " in " + os.path.dirname(p) for p in blas["loaded"]) or "none",
             blas["alternative"], blas["openblas_core"] or "n/a"))
    flags = gradplug_flags()
    print("gradplug: float64, single-threaded, Eigen kernels compiled with %s. PyTorch: 1 thread unless the row"
          " says otherwise." % (flags or "(flags unknown)"))
    print()
    print(table(rows))
    print()
    print("Seconds are training only (gradplug's summary.json train_seconds; PyTorch: perf_counter around its")
    print("training loop, after a warm-up). Speed-up = PyTorch median / gradplug median. Accuracy: test accuracy")
    print("for digits/wide (same test rows both sides), training accuracy for moons. GFLOP/s = nominal FLOPs /")
    print("median seconds, with nominal FLOPs = 6 * rows * sum(in*out) over all layers and all rows processed")
    print("(2 for the forward multiply-adds, 4 for the backward's two products); activations, loss and optimizer")
    print("are not counted, and the first layer's input gradient, which neither side computes, is.")
    print()
    print(engine_table(figures))
    print()
    misses = [c["what"] for r in rows for c in r["checks"] if not c["pass"]] + \
             [f["what"] for f in figures if f["pass"] is False]
    print("floors missed: %d%s" % (len(misses), "" if not misses else " (" + "; ".join(misses) + ")"))

    results = {
        "date": started.isoformat(timespec="seconds"), "machine": info, "reps": args.reps,
        "command": " ".join(["/usr/bin/python3", "bench/run.py"] + sys.argv[1:]),
        "load_average": {"start": load_start, "after_runs": load_runs}, "other_processes_cores": others,
        "nice": priority,
        "torch": blas["torch"], "torch_blas": blas, "gradplug_dtype": "float64", "gradplug_threads": 1,
        "gradplug_compile_flags": flags,
        "flop_count": "6 * rows * sum(in*out) per run: 2 forward + 4 backward per multiply-add",
        "cases": rows, "engine": figures, "engine_bench_context": context, "floors_missed": misses,
    }
    with open(args.results, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    log("bench: wrote " + os.path.relpath(args.results, REPO))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RunFailure as e:
        print("bench: " + str(e), file=sys.stderr)
        sys.exit(1)
