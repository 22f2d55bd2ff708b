#!/usr/bin/python3
"""Reference trajectories of PyTorch's SGD, RMSprop and Adam for tests/plugins/test_optimizers.cpp.

Runs torch.optim.{SGD,RMSprop,Adam} (single-tensor code path, float64, CPU) on a small fixed,
non-quadratic problem and records, for every step, the learning rate used, the gradient fed to
the optimizer and the parameter vector after the step. The C++ test replays the recorded
gradients through the plugins and compares every parameter after every step.

This is a reference generator only; nothing in the build or the tests runs it. Run it with
Debian's interpreter (`apt-get install -y python3-torch`, PyTorch 1.13):

    /usr/bin/python3 tests/reference/gen_optimizer_refs.py

It rewrites tests/reference/optimizer_trajectories.json next to itself. Numbers are written with
repr(), the shortest text that reads back as the same double.
"""

import sys

import torch

from refs_common import torch_header, write_beside

STEPS = 25

# The problem: p in R^5, loss(p) = sum_i c_i (p_i - t_i)^2 + 0.1 p_i^4 + 0.05 sum_i p_i p_{i+1}.
# Initial values and targets share signs and stay well away from zero, so that every parameter
# of every trajectory is far from 0 and a relative tolerance is meaningful (checked below).
INITIAL = [0.5, -0.75, 4.0, -3.0, 1.25]
TARGET = [1.5, -2.0, 2.5, -1.25, 3.0]
WEIGHT = [1.0, 0.5, 2.0, 1.5, 0.75]
MIN_ABS_PARAM = 0.1
PROBLEM = ("loss(p) = sum_i c_i (p_i - t_i)^2 + 0.1 p_i^4 + 0.05 sum_i p_i p_{i+1}, "
           f"c = {WEIGHT}, t = {TARGET}")

# (name, optimizer, hyperparameters, learning-rate schedule or None). Every case spells out every
# hyperparameter under the plugin schema's names (PyTorch's names).
SGD_DEFAULTS = {"lr": 0.01, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0,
                "nesterov": False}
RMSPROP_DEFAULTS = {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0,
                    "centered": False}
ADAM_DEFAULTS = {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0,
                 "amsgrad": False}


def with_defaults(defaults, **overrides):
    params = dict(defaults)
    for key, value in overrides.items():
        assert key in params, key
        params[key] = value
    return params


def warmup(base, steps):
    """A linear warm-up from base/steps to base: every step but the last differs from base."""
    return [base * (k + 1) / steps for k in range(steps)]


CASES = [
    ("sgd_plain", "sgd", with_defaults(SGD_DEFAULTS, lr=0.02), None),
    ("sgd_momentum_dampening", "sgd",
     with_defaults(SGD_DEFAULTS, lr=0.005, momentum=0.9, dampening=0.3), None),
    ("sgd_nesterov", "sgd", with_defaults(SGD_DEFAULTS, lr=0.01, momentum=0.8, nesterov=True),
     None),
    ("sgd_weight_decay_momentum", "sgd",
     with_defaults(SGD_DEFAULTS, lr=0.015, momentum=0.7, weight_decay=0.05), None),
    ("sgd_nesterov_weight_decay_schedule", "sgd",
     with_defaults(SGD_DEFAULTS, lr=0.02, momentum=0.6, weight_decay=0.01, nesterov=True),
     "warmup"),
    ("rmsprop_plain", "rmsprop", with_defaults(RMSPROP_DEFAULTS), None),
    ("rmsprop_momentum", "rmsprop", with_defaults(RMSPROP_DEFAULTS, lr=0.005, momentum=0.9), None),
    ("rmsprop_centered", "rmsprop", with_defaults(RMSPROP_DEFAULTS, lr=0.005, centered=True), None),
    ("rmsprop_centered_momentum", "rmsprop",
     with_defaults(RMSPROP_DEFAULTS, lr=0.004, alpha=0.9, momentum=0.5, centered=True), None),
    ("rmsprop_weight_decay", "rmsprop",
     with_defaults(RMSPROP_DEFAULTS, lr=0.01, alpha=0.95, eps=1e-6, weight_decay=0.1), None),
    ("rmsprop_centered_schedule", "rmsprop",
     with_defaults(RMSPROP_DEFAULTS, lr=0.01, momentum=0.3, centered=True, weight_decay=0.02),
     "warmup"),
    ("adam_plain", "adam", with_defaults(ADAM_DEFAULTS, lr=0.05), None),
    ("adam_defaults", "adam", with_defaults(ADAM_DEFAULTS), None),
    # beta2 small enough that exp_avg_sq falls while the gradients shrink, so amsgrad matters.
    ("adam_amsgrad", "adam", with_defaults(ADAM_DEFAULTS, lr=0.05, betas=[0.9, 0.6], amsgrad=True),
     None),
    ("adam_weight_decay", "adam", with_defaults(ADAM_DEFAULTS, lr=0.05, weight_decay=0.1), None),
    ("adam_betas_eps", "adam",
     with_defaults(ADAM_DEFAULTS, lr=0.03, betas=[0.8, 0.95], eps=1e-3), None),
    ("adam_amsgrad_weight_decay_schedule", "adam",
     with_defaults(ADAM_DEFAULTS, lr=0.1, betas=[0.85, 0.7], weight_decay=0.01, amsgrad=True),
     "warmup"),
]


def make_optimizer(kind, param, hp):
    # foreach=False: the _single_tensor_* code path, which the plugins follow operation by
    # operation (it is also 1.13's default).
    if kind == "sgd":
        return torch.optim.SGD([param], lr=hp["lr"], momentum=hp["momentum"],
                               dampening=hp["dampening"], weight_decay=hp["weight_decay"],
                               nesterov=hp["nesterov"], foreach=False)
    if kind == "rmsprop":
        return torch.optim.RMSprop([param], lr=hp["lr"], alpha=hp["alpha"], eps=hp["eps"],
                                   weight_decay=hp["weight_decay"], momentum=hp["momentum"],
                                   centered=hp["centered"], foreach=False)
    if kind == "adam":
        return torch.optim.Adam([param], lr=hp["lr"], betas=tuple(hp["betas"]), eps=hp["eps"],
                                weight_decay=hp["weight_decay"], amsgrad=hp["amsgrad"],
                                foreach=False)
    raise ValueError(kind)


def loss_fn(p):
    t = torch.tensor(TARGET, dtype=torch.float64)
    c = torch.tensor(WEIGHT, dtype=torch.float64)
    return (c * (p - t) ** 2 + 0.1 * p ** 4).sum() + 0.05 * (p[:-1] * p[1:]).sum()


def run_case(name, kind, hp, schedule):
    param = torch.tensor(INITIAL, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer(kind, param, hp)
    lrs = warmup(hp["lr"], STEPS) if schedule == "warmup" else [hp["lr"]] * STEPS
    grads, trajectory = [], []
    for lr in lrs:
        opt.zero_grad(set_to_none=True)
        loss_fn(param).backward()
        for group in opt.param_groups:
            group["lr"] = lr
        grads.append(param.grad.tolist())
        opt.step()
        trajectory.append(param.detach().tolist())
    smallest = min(abs(x) for row in trajectory for x in row)
    if smallest < MIN_ABS_PARAM:
        sys.exit(f"{name}: a parameter came within {smallest} of zero; relative comparison "
                 "would be meaningless, change the problem")
    return {"name": name, "optimizer": kind, "params": hp, "initial": list(INITIAL), "lrs": lrs,
            "grads": grads, "trajectory": trajectory}


def main():
    torch.set_num_threads(1)
    out = torch_header("gen_optimizer_refs.py")
    out["problem"] = PROBLEM
    out["cases"] = [run_case(*case) for case in CASES]
    path = write_beside(__file__, "optimizer_trajectories.json", out)
    print(f"wrote {len(out['cases'])} cases of {STEPS} steps to {path}")


if __name__ == "__main__":
    main()
