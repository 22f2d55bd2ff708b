#!/usr/bin/python3
"""The PyTorch side of the speed comparison (bench/run.py runs it; PyTorch is only a peer here).

Each case matches gradplug's bench/<case>.yaml in architecture, initialisation, loss, optimizer,
data and step count:

  moons   micrograd's demo: 100 two-moons points (noise 0.1, scikit-learn's make_moons in numpy),
          2-16-16-1 ReLU, U(-1,1) weights and zero biases, hinge loss mean(relu(1 - y*score)) with
          y in {-1,+1} plus 1e-4 * sum of squares of all parameters (biases too), SGD full batch,
          100 steps, lr = 1.0 - 0.9*k/100 at step k. float64 unless --dtype. (The points are
          drawn by numpy's generator, so they are not gradplug's points, only the same recipe.)
  digits  configs/data/digits.csv, the train/test rows of gradplug's run (--split its split.json),
          features standardized on the training rows (mean, std with ddof 0, std 0 -> 1),
          64-128-64-10 ReLU, He-normal weights N(0, 2/fan_in) and zero biases, softmax
          cross-entropy (mean), Adam lr 1e-3, batch 64, 20 epochs reshuffled every epoch, the last
          batch partial (ceil(rows/64) steps an epoch). float32 unless --dtype.
  wide    as digits with 64-256-256-10, batch 256, 10 epochs.

One thread unless --threads N (torch.set_num_threads and OMP/MKL/OPENBLAS_NUM_THREADS, set here
before torch is imported; with N > 1 also OMP_WAIT_POLICY=PASSIVE, see below). Only the training
loop is timed (time.perf_counter around it). By default the same run is made twice from the same
seeds and the second is timed, so PyTorch's lazy initialisation (oneDNN, OpenMP, allocator caches)
is not counted, as gradplug's train_seconds excludes its start-up; the cold time is reported too
(cold_train_seconds), and whether both runs ended on the same loss (reproducible).
For PyTorch's best: the optimizers use foreach=True (the same update, batched over tensors), an
epoch's shuffled rows are gathered once and its batches are views, the L2 term is one sum over
the concatenated parameters, and the loss is read (.item()) only after the loop.

Prints one JSON line: case, dtype, threads, train_seconds, steps, final_loss (the loss of the last
step, before its update, as gradplug's final.loss), train_accuracy and test_accuracy (after
training; test only for digits/wide), plus the BLAS library the process loaded.
"""
import argparse
import json
import math
import os
import sys
import time

CASES = {
    "moons": {"hidden": [16, 16], "outputs": 1, "dtype": "float64"},
    "digits": {"hidden": [128, 64], "outputs": 10, "dtype": "float32", "batch": 64, "epochs": 20},
    "wide": {"hidden": [256, 256], "outputs": 10, "dtype": "float32", "batch": 256, "epochs": 10},
}
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("case", choices=sorted(CASES))
    p.add_argument("--seed", type=int, default=1, help="seeds the data (moons), init and batch order")
    p.add_argument("--split", help="split.json of the gradplug run (digits, wide: required)")
    p.add_argument("--data", default=os.path.join(REPO, "configs", "data", "digits.csv"))
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--blas-threads", type=int, help="OPENBLAS_NUM_THREADS (default: --threads)")
    p.add_argument("--dtype", choices=["float32", "float64"], help="default: float64 for moons, else float32")
    p.add_argument("--warmup", type=int, choices=[0, 1], default=1,
                   help="1 (default): run the whole training once untimed first; 0: time a cold run")
    args = p.parse_args()
    if args.case != "moons" and not args.split:
        p.error(f"{args.case} needs --split (the split.json of gradplug's run of the same repetition)")
    if args.threads < 1:
        p.error("--threads must be >= 1")
    return args


ARGS = parse_args()
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.blas_threads or ARGS.threads)
if ARGS.threads > 1:
    # OpenMP's workers spin while they wait; on 2 cores they then fight OpenBLAS's own pthreads
    # (and anything else running) and a run can take 10-30x longer. Passive waiting is PyTorch's
    # best here (measured: wide on 2 threads 0.10-0.41 s passive, 0.37-3.7 s spinning).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402


def make_moons(n_samples, noise, seed):
    """scikit-learn's make_moons(n_samples, shuffle=True, noise, random_state=seed), numpy only."""
    rng = np.random.RandomState(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer_x = np.cos(np.linspace(0, np.pi, n_out))
    outer_y = np.sin(np.linspace(0, np.pi, n_out))
    inner_x = 1 - np.cos(np.linspace(0, np.pi, n_in))
    inner_y = 1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5
    x = np.vstack([np.append(outer_x, inner_x), np.append(outer_y, inner_y)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    order = np.arange(n_samples)  # sklearn.utils.shuffle: random_state.shuffle(indices)
    rng.shuffle(order)
    x, y = x[order], y[order]
    x = x + rng.normal(scale=noise, size=x.shape)
    return x, y


def mlp(inputs, hidden, outputs):
    layers, width = [], inputs
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, outputs))
    return nn.Sequential(*layers)


def init_(model, kind):
    with torch.no_grad():
        for m in model:
            if isinstance(m, nn.Linear):
                if kind == "uniform":
                    nn.init.uniform_(m.weight, -1.0, 1.0)
                else:  # he: N(0, 2 / fan_in)
                    nn.init.normal_(m.weight, 0.0, math.sqrt(2.0 / m.in_features))
                nn.init.zeros_(m.bias)


def loaded_blas():
    """The BLAS/LAPACK shared objects in this process's address space, and OpenBLAS's kernel."""
    paths = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            name = os.path.basename(path).lower()
            if any(k in name for k in ("blas", "mkl", "blis", "lapack")) and path not in paths:
                paths.append(path)
    core = None
    for path in paths:
        try:
            import ctypes
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            core = "%s (%s)" % (lib.openblas_get_corename().decode(), lib.openblas_get_config().decode().strip())
            break
        except (OSError, AttributeError):
            continue
    return paths, core


def run_moons(seed, dtype):
    x_np, y_np = make_moons(100, 0.1, seed)
    x = torch.tensor(x_np, dtype=dtype)
    y = torch.tensor(y_np * 2 - 1, dtype=dtype).unsqueeze(1)  # {-1, +1}
    torch.manual_seed(seed)
    model = mlp(2, [16, 16], 1).to(dtype)
    init_(model, "uniform")
    params = list(model.parameters())
    opt = torch.optim.SGD(params, lr=1.0, foreach=True)
    steps = 100
    start = time.perf_counter()
    for k in range(steps):
        for group in opt.param_groups:
            group["lr"] = 1.0 - 0.9 * k / steps
        opt.zero_grad(set_to_none=True)
        scores = model(x)
        data_loss = torch.relu(1 - y * scores).mean()
        reg_loss = 1e-4 * torch.cat([p.reshape(-1) for p in params]).square().sum()
        loss = data_loss + reg_loss
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        train_acc = ((model(x) > 0) == (y > 0)).to(torch.float64).mean().item()
    return {"train_seconds": seconds, "steps": steps, "final_loss": loss.item(),
            "train_accuracy": train_acc, "test_accuracy": None}


def load_digits(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    table = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    target = header.index("digit")
    features = [k for k in range(len(header)) if k != target]
    return table[:, features], table[:, target].astype(np.int64)


def run_digits(case, seed, dtype, split_path, data_path):
    spec = CASES[case]
    x_all, y_all = load_digits(data_path)
    with open(split_path) as f:
        split = json.load(f)
    train_rows, test_rows = np.array(split["train"], dtype=np.int64), np.array(split["test"], dtype=np.int64)
    x_train, x_test = x_all[train_rows], x_all[test_rows]
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)  # ddof 0
    std[std == 0] = 1.0
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    xt = torch.tensor(x_train, dtype=dtype)
    yt = torch.tensor(y_all[train_rows])
    xs = torch.tensor(x_test, dtype=dtype)
    ys = torch.tensor(y_all[test_rows])

    torch.manual_seed(seed)
    model = mlp(64, spec["hidden"], spec["outputs"]).to(dtype)
    init_(model, "he")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=True)
    loss_fn = nn.CrossEntropyLoss()
    rows, batch, epochs = xt.shape[0], spec["batch"], spec["epochs"]
    steps = 0
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(rows)
        xe, ye = xt.index_select(0, perm), yt.index_select(0, perm)  # one gather an epoch, then views
        for begin in range(0, rows, batch):
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xe[begin:begin + batch]), ye[begin:begin + batch])
            loss.backward()
            opt.step()
            steps += 1
    seconds = time.perf_counter() - start
    with torch.no_grad():
        train_acc = (model(xt).argmax(1) == yt).to(torch.float64).mean().item()
        test_acc = (model(xs).argmax(1) == ys).to(torch.float64).mean().item()
    return {"train_seconds": seconds, "steps": steps, "final_loss": loss.item(),
            "train_accuracy": train_acc, "test_accuracy": test_acc}


def main():
    torch.set_num_threads(ARGS.threads)
    dtype_name = ARGS.dtype or CASES[ARGS.case]["dtype"]
    dtype = getattr(torch, dtype_name)
    def train():
        if ARGS.case == "moons":
            return run_moons(ARGS.seed, dtype)
        return run_digits(ARGS.case, ARGS.seed, dtype, ARGS.split, ARGS.data)

    if ARGS.warmup:
        cold = train()  # the same run, untimed: PyTorch's lazy initialisation and allocator caches
    result = train()
    if ARGS.warmup:
        result["cold_train_seconds"] = cold["train_seconds"]
        result["reproducible"] = cold["final_loss"] == result["final_loss"]  # same seeds, same result
    blas, core = loaded_blas()
    out = {"case": ARGS.case, "dtype": dtype_name, "threads": torch.get_num_threads(), **result,
           "seed": ARGS.seed, "torch": torch.__version__, "blas": blas, "blas_core": core,
           "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS",
                                                  "OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY")}}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
