#!/usr/bin/python3
"""Reference trajectories of the second set of optimizers (issue 14), for their plugin tests.

Writes tests/reference/optimizer_trajectories_2.json, next to this file, in the format of
optimizer_trajectories.json (see README.md here): the same fixed, non-quadratic problem as
gen_optimizer_refs.py, and for every step the learning rate used, the gradient fed to the
optimizer and the parameters after the step; plus, per case, the optimizer's final state as torch
holds it. A separate file, so that the first set's test keeps reading only optimizers it knows.

  - From torch.optim (Debian's python3-torch, PyTorch 1.13, float64, CPU): AdamW, NAdam, RAdam,
    Adamax, Adagrad, Adadelta and Rprop, single-tensor code path (foreach=False, 1.13's default),
    except NAdam: see the second trap below.
  - Written here by hand, since PyTorch 1.13 has none of them: Lion, NAdamW and RAdamW (see
    lion_step, nadam_step and radam_step for the source of every formula). Each hand-written
    trajectory is cross-checked against an independent computation (recorded in the case).

Two traps in torch 1.13, both avoided here:
  1. NAdam and Adagrad create scalar state (mu_product, step) with torch.tensor(1.), which is
     float32 unless the default dtype is float64: NAdam's mu_product would then be rounded to
     float32 every step (measured: parameters off by 2.7e-10 relative after 40 steps). main() sets torch.set_default_dtype(torch.float64), and every state
     tensor of every optimizer is asserted to be float64.
  2. 1.13's single-tensor NAdam (_single_tensor_nadam) computes mu_product_next as
     mu_product * mu * mu_next, one factor mu too many; its foreach path (_multi_tensor_nadam)
     has mu_product * mu_next, the published algorithm (Dozat 2016, and PyTorch's docs), which
     later PyTorch versions use in both paths (measured: the two paths' parameters differ by
     3.6e-4 relative after 40 steps at lr 0.05). NAdam's reference is therefore generated with
     foreach=True. (1.13's foreach RAdam, in turn, drops eps; RAdam uses the single-tensor path.)

This is a reference generator only; nothing in the build or the tests runs it. Run it with
Debian's interpreter (`apt-get install -y python3-torch`):

    /usr/bin/python3 tests/reference/gen_optimizer_refs_2.py

Numbers are written with repr(), the shortest text that reads back as the same double.
"""

import math
import sys

sys.dont_write_bytecode = True

import torch  # noqa: E402

from gen_optimizer_refs import INITIAL, MIN_ABS_PARAM, PROBLEM, loss_fn, warmup  # noqa: E402
from refs_common import torch_header, write_beside  # noqa: E402

STEPS = 40
RPROP_STEPS = 80  # long enough for the step sizes to grow to the upper bound and halve to the lower
CROSS_CHECK_TOLERANCE = 1e-14

# Every hyperparameter of each plugin under its schema name (PyTorch's names and defaults).
DEFAULTS = {
    "adamw": {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 1e-2,
              "amsgrad": False},
    "nadam": {"lr": 2e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0,
              "momentum_decay": 4e-3, "decoupled_weight_decay": False},
    "radam": {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0,
              "decoupled_weight_decay": False},
    "adamax": {"lr": 2e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0},
    "adagrad": {"lr": 1e-2, "lr_decay": 0.0, "weight_decay": 0.0,
                "initial_accumulator_value": 0.0, "eps": 1e-10},
    "adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0},
    "rprop": {"lr": 1e-2, "etas": [0.5, 1.2], "step_sizes": [1e-6, 50.0]},
    "lion": {"lr": 1e-4, "betas": [0.9, 0.99], "weight_decay": 0.0},
}


def case(name, optimizer, schedule=None, steps=STEPS, **overrides):
    params = dict(DEFAULTS[optimizer])
    for key, value in overrides.items():
        assert key in params, (name, key)
        params[key] = value
    return {"name": name, "optimizer": optimizer, "params": params, "schedule": schedule,
            "steps": steps}


CASES = [
    case("adamw_defaults", "adamw"),
    case("adamw_lr_weight_decay", "adamw", lr=0.05, weight_decay=0.1),
    # beta2 small enough that exp_avg_sq falls while the gradients shrink, so amsgrad matters.
    case("adamw_amsgrad", "adamw", lr=0.05, betas=[0.9, 0.6], weight_decay=0.05, amsgrad=True),
    case("adamw_no_weight_decay_betas_eps", "adamw", lr=0.03, betas=[0.8, 0.95], eps=1e-3,
         weight_decay=0.0),
    case("adamw_amsgrad_schedule", "adamw", "warmup", lr=0.1, betas=[0.85, 0.7],
         weight_decay=0.02, amsgrad=True),

    case("nadam_defaults", "nadam"),
    case("nadam_lr", "nadam", lr=0.05),
    case("nadam_momentum_decay", "nadam", lr=0.05, momentum_decay=0.05),
    case("nadam_weight_decay", "nadam", lr=0.05, weight_decay=0.1),
    case("nadam_betas_eps_schedule", "nadam", "warmup", lr=0.08, betas=[0.8, 0.95], eps=1e-4,
         weight_decay=0.01, momentum_decay=0.01),
    case("nadamw_weight_decay", "nadam", lr=0.05, weight_decay=0.1, decoupled_weight_decay=True),
    case("nadamw_momentum_decay_schedule", "nadam", "warmup", lr=0.08, weight_decay=0.05,
         momentum_decay=0.02, decoupled_weight_decay=True),
    case("nadamw_no_weight_decay", "nadam", lr=0.05, decoupled_weight_decay=True),

    case("radam_defaults", "radam"),
    case("radam_lr", "radam", lr=0.05),
    case("radam_weight_decay", "radam", lr=0.05, weight_decay=0.1),
    # beta2 = 0.9: rho_inf = 19, so the unrectified steps (rho_t <= 5) last only a few steps.
    case("radam_short_memory", "radam", lr=0.05, betas=[0.9, 0.9]),
    case("radam_betas_eps_schedule", "radam", "warmup", lr=0.05, betas=[0.8, 0.99], eps=1e-6,
         weight_decay=0.01),
    case("radamw_weight_decay", "radam", lr=0.05, weight_decay=0.1, decoupled_weight_decay=True),
    case("radamw_betas_schedule", "radam", "warmup", lr=0.05, betas=[0.8, 0.99],
         weight_decay=0.05, decoupled_weight_decay=True),

    case("adamax_defaults", "adamax"),
    case("adamax_lr", "adamax", lr=0.05),
    case("adamax_weight_decay", "adamax", lr=0.05, weight_decay=0.1),
    # beta2 = 0.5 lets |g| + eps win the max again and again; eps large enough to show.
    case("adamax_betas_eps_schedule", "adamax", "warmup", lr=0.08, betas=[0.8, 0.5], eps=1e-3,
         weight_decay=0.01),

    case("adagrad_defaults", "adagrad"),
    case("adagrad_lr", "adagrad", lr=0.1),
    case("adagrad_lr_decay", "adagrad", lr=0.2, lr_decay=0.05),
    case("adagrad_initial_accumulator_eps", "adagrad", lr=0.1, initial_accumulator_value=0.5,
         eps=1e-6),
    case("adagrad_weight_decay", "adagrad", lr=0.1, weight_decay=0.1),
    case("adagrad_lr_decay_schedule", "adagrad", "warmup", lr=0.3, lr_decay=0.02,
         weight_decay=0.01, initial_accumulator_value=0.1),

    case("adadelta_defaults", "adadelta"),
    case("adadelta_rho_eps", "adadelta", rho=0.5, eps=1e-4),
    case("adadelta_weight_decay", "adadelta", weight_decay=0.1),
    case("adadelta_schedule", "adadelta", "warmup", lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.01),

    case("rprop_defaults", "rprop", steps=RPROP_STEPS),
    case("rprop_step_size_bounds", "rprop", steps=RPROP_STEPS, lr=0.01, step_sizes=[1e-4, 0.05]),
    case("rprop_etas", "rprop", steps=RPROP_STEPS, lr=0.02, etas=[0.3, 1.5],
         step_sizes=[1e-3, 0.2]),
    # Rprop reads the learning rate only to set its first step sizes: the changing lr of the
    # later steps has no effect (cross-checked against a constant lr equal to the first).
    case("rprop_schedule", "rprop", "warmup", steps=RPROP_STEPS, lr=0.4, step_sizes=[1e-4, 0.05]),

    case("lion_defaults", "lion"),
    case("lion_lr", "lion", lr=0.01),
    case("lion_weight_decay_betas", "lion", lr=0.01, betas=[0.95, 0.98], weight_decay=0.1),
    case("lion_weight_decay_schedule", "lion", "warmup", lr=0.02, weight_decay=0.05),
]

# Cases whose Rprop step sizes must reach both bounds (checked; the test relies on it).
MUST_HIT_STEP_SIZE_BOUNDS = {"rprop_step_size_bounds", "rprop_etas", "rprop_schedule"}


def hand_written(c):
    """Lion, NAdamW and RAdamW: no torch 1.13 implementation."""
    return c["optimizer"] == "lion" or c["params"].get("decoupled_weight_decay", False)


# ---------------------------------------------------------------------------------------------
# torch.optim


def make_torch_optimizer(kind, param, hp, decoupled_as_zero=False):
    """The torch 1.13 optimizer of a case, and the call written into the JSON."""
    p = dict(hp)
    p.pop("decoupled_weight_decay", None)
    if decoupled_as_zero:
        p["weight_decay"] = 0.0  # the cross-check applies the decoupled decay itself
    if "betas" in p:
        p["betas"] = tuple(p["betas"])
    for pair in ("etas", "step_sizes"):
        if pair in p:
            p[pair] = tuple(p[pair])
    classes = {"adamw": torch.optim.AdamW, "nadam": torch.optim.NAdam,
               "radam": torch.optim.RAdam, "adamax": torch.optim.Adamax,
               "adagrad": torch.optim.Adagrad, "adadelta": torch.optim.Adadelta,
               "rprop": torch.optim.Rprop}
    # NAdam: the foreach path, the published algorithm (trap 2 in the docstring).
    p["foreach"] = kind == "nadam"
    call = f"torch.optim.{classes[kind].__name__}(params, " + ", ".join(
        f"{k}={v!r}" for k, v in p.items()) + ")"
    return classes[kind]([param], **p), call


def state_of(opt, param):
    """The optimizer's state of param, as torch holds it: every tensor must be float64."""
    out = {}
    for key, value in opt.state[param].items():
        if torch.is_tensor(value):
            assert value.dtype == torch.float64, f"state '{key}' is {value.dtype}"
            out[key] = value.item() if value.dim() == 0 else value.tolist()
        else:
            assert isinstance(value, int), (key, value)
            out[key] = value
    return out


def step_sizes_hit(opt, param, lo, hi, hits):
    if "step_size" in opt.state[param]:
        sizes = opt.state[param]["step_size"].tolist()
        hits["min"] |= any(s == lo for s in sizes)
        hits["max"] |= any(s == hi for s in sizes)


def run_torch(c, lrs):
    param = torch.tensor(INITIAL, requires_grad=True)
    opt, call = make_torch_optimizer(c["optimizer"], param, c["params"])
    grads, trajectory = [], []
    hits = {"min": False, "max": False}
    for lr in lrs:
        opt.zero_grad(set_to_none=True)
        loss_fn(param).backward()
        for group in opt.param_groups:
            group["lr"] = lr
        grads.append(param.grad.tolist())  # before step(): foreach NAdam adds weight decay in place
        opt.step()
        trajectory.append(param.detach().tolist())
        state_of(opt, param)  # asserts float64 after every step
        if c["optimizer"] == "rprop":
            step_sizes_hit(opt, param, *c["params"]["step_sizes"], hits)
    if c["name"] in MUST_HIT_STEP_SIZE_BOUNDS and not (hits["min"] and hits["max"]):
        sys.exit(f"{c['name']}: step sizes never reached both bounds {hits}; change the case")
    return grads, trajectory, state_of(opt, param), call


# ---------------------------------------------------------------------------------------------
# Written by hand: element by element in Python floats (IEEE doubles, as torch's float64 kernels),
# in the order of operations of the PyTorch code each follows. torch's add_(t, alpha=a) is
# x + a*t, addcmul_(t1, t2, value=v) is x + v*t1*t2, addcdiv_(t1, t2, value=v) is x + v*t1/t2.


def sign(x):
    return (x > 0) - (x < 0)  # sign(0) = 0, as torch.sign


def lion_step(p, g, state, lr, hp):
    """Lion, Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms" (arXiv:2302.06675),
    Algorithm 2 as written there:
        c = beta1 m + (1 - beta1) g;  p = p - lr (sign(c) + wd p);  m = beta2 m + (1 - beta2) g
    with m = 0 at the start (the paper's m_0 = 0)."""
    beta1, beta2 = hp["betas"]
    wd = hp["weight_decay"]
    m = state["exp_avg"]
    for i in range(len(p)):
        c = beta1 * m[i] + (1 - beta1) * g[i]
        p[i] = p[i] - lr * (sign(c) + wd * p[i])
        m[i] = beta2 * m[i] + (1 - beta2) * g[i]


def nadam_step(p, g, state, lr, hp):
    """NAdam as 1.13's _multi_tensor_nadam computes it (the published algorithm, see trap 2),
    with decoupled_weight_decay as later PyTorch versions define it (torch/optim/nadam.py since
    2.1, both code paths): if set, p = p * (1 - lr * weight_decay) right after the step count is
    incremented, before the moments, and no weight decay is added to the gradient; if not set,
    g = g + weight_decay * p as in 1.13. (Later versions update exp_avg with lerp_, which differs
    from 1.13's mul_/add_ by rounding only.)"""
    beta1, beta2 = hp["betas"]
    wd, eps, md = hp["weight_decay"], hp["eps"], hp["momentum_decay"]
    state["step"] += 1.0
    step = state["step"]
    bias_correction2 = 1 - beta2 ** step
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * md)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * md)))
    state["mu_product"] *= mu
    mu_product = state["mu_product"]
    m, v = state["exp_avg"], state["exp_avg_sq"]
    g = list(g)
    for i in range(len(p)):
        if wd != 0:
            if hp["decoupled_weight_decay"]:
                p[i] = p[i] * (1 - lr * wd)
            else:
                g[i] = g[i] + wd * p[i]
        m[i] = m[i] * beta1 + (1 - beta1) * g[i]
        v[i] = v[i] * beta2 + (1 - beta2) * g[i] * g[i]
    step_size_grad = (lr * (1.0 - mu) / (1.0 - mu_product)) * -1
    step_size_exp_avg = (lr * mu_next / (1.0 - mu_product * mu_next)) * -1
    for i in range(len(p)):
        denom = math.sqrt(v[i]) / math.sqrt(bias_correction2) + eps
        p[i] = p[i] + step_size_grad * g[i] / denom
        p[i] = p[i] + step_size_exp_avg * m[i] / denom


def radam_step(p, g, state, lr, hp):
    """RAdam as 1.13's _single_tensor_radam computes it (Liu et al. 2020, "On the Variance of the
    Adaptive Learning Rate and Beyond"), with decoupled_weight_decay as later PyTorch versions
    define it (torch/optim/radam.py since 2.1): if set, p = p * (1 - lr * weight_decay) before
    the moments and no weight decay added to the gradient; if not, g = g + weight_decay * p."""
    beta1, beta2 = hp["betas"]
    wd, eps = hp["weight_decay"], hp["eps"]
    state["step"] += 1.0
    step = state["step"]
    bias_correction1 = 1 - beta1 ** step
    bias_correction2 = 1 - beta2 ** step
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
    m, v = state["exp_avg"], state["exp_avg_sq"]
    for i in range(len(p)):
        gi = g[i]
        if wd != 0:
            if hp["decoupled_weight_decay"]:
                p[i] = p[i] * (1 - lr * wd)
            else:
                gi = gi + wd * p[i]
        m[i] = m[i] * beta1 + (1 - beta1) * gi
        v[i] = v[i] * beta2 + (1 - beta2) * gi * gi
        corrected = m[i] / bias_correction1
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf /
                             ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            adaptive_lr = math.sqrt(bias_correction2) / (math.sqrt(v[i]) + eps)
            p[i] = p[i] + -1.0 * (corrected * lr * adaptive_lr * rect)
        else:
            p[i] = p[i] + -1.0 * (corrected * lr)


HAND_STEPS = {"lion": lion_step, "nadam": nadam_step, "radam": radam_step}


def initial_hand_state(kind, n):
    if kind == "lion":
        return {"exp_avg": [0.0] * n}
    state = {"step": 0.0, "exp_avg": [0.0] * n, "exp_avg_sq": [0.0] * n}
    if kind == "nadam":
        state["mu_product"] = 1.0
    return state


def run_hand(c, lrs):
    p = list(INITIAL)
    state = initial_hand_state(c["optimizer"], len(p))
    grads, trajectory = [], []
    for lr in lrs:
        param = torch.tensor(p, requires_grad=True)
        loss_fn(param).backward()
        g = param.grad.tolist()
        grads.append(g)
        HAND_STEPS[c["optimizer"]](p, g, state, lr, c["params"])
        trajectory.append(list(p))
    return grads, trajectory, state


def lion_in_tensors(c, lrs, grads):
    """Lion as lucidrains/lion-pytorch writes it, in float64 tensors: p *= 1 - lr wd, then
    p -= lr sign(beta1 m + (1 - beta1) g), then m = beta2 m + (1 - beta2) g."""
    beta1, beta2 = c["params"]["betas"]
    wd = c["params"]["weight_decay"]
    p = torch.tensor(INITIAL)
    m = torch.zeros_like(p)
    out = []
    for lr, g in zip(lrs, grads):
        g = torch.tensor(g)
        p.mul_(1 - lr * wd)
        p.add_(torch.sign(m * beta1 + g * (1 - beta1)), alpha=-lr)
        m.mul_(beta2).add_(g, alpha=1 - beta2)
        out.append(p.tolist())
    return out


def decoupled_in_torch(c, lrs, grads):
    """NAdamW / RAdamW from torch 1.13's own NAdam / RAdam with weight_decay=0, the decoupled
    decay p *= 1 - lr wd applied before each step(), replaying the recorded gradients."""
    param = torch.tensor(INITIAL, requires_grad=True)
    opt, _ = make_torch_optimizer(c["optimizer"], param, c["params"], decoupled_as_zero=True)
    wd = c["params"]["weight_decay"]
    out = []
    for lr, g in zip(lrs, grads):
        for group in opt.param_groups:
            group["lr"] = lr
        with torch.no_grad():
            param.mul_(1 - lr * wd)
        param.grad = torch.tensor(g)
        opt.step()
        out.append(param.detach().tolist())
    return out


def hand_in_python(c, lrs, grads):
    """A torch case replayed through the hand-written step: checks nadam_step / radam_step
    reproduce 1.13 where 1.13 has the algorithm."""
    p = list(INITIAL)
    state = initial_hand_state(c["optimizer"], len(p))
    out = []
    for lr, g in zip(lrs, grads):
        HAND_STEPS[c["optimizer"]](p, g, state, lr, c["params"])
        out.append(list(p))
    return out


def largest_relative_difference(a, b):
    return max(abs(x - y) / abs(y) for ra, rb in zip(a, b) for x, y in zip(ra, rb))


def cross_check(c, lrs, grads, trajectory):
    if c["optimizer"] == "lion":
        other, against = lion_in_tensors(c, lrs, grads), \
            "Lion in float64 tensors as lucidrains/lion-pytorch orders it (decay first)"
    elif hand_written(c):
        other, against = decoupled_in_torch(c, lrs, grads), \
            (f"torch 1.13 {c['optimizer']} with weight_decay=0 and p *= 1 - lr*weight_decay "
             "before each step()")
    elif c["optimizer"] == "rprop" and c["schedule"]:
        other, against = run_torch(c, [lrs[0]] * len(lrs))[1], \
            "the same Rprop with a constant lr equal to the first (a schedule sets only that)"
    elif c["optimizer"] in HAND_STEPS:
        other, against = hand_in_python(c, lrs, grads), \
            "the generator's hand-written step (as used for the decoupled cases)"
    else:
        return None
    worst = largest_relative_difference(other, trajectory)
    if worst > CROSS_CHECK_TOLERANCE:
        sys.exit(f"{c['name']}: cross-check against {against} differs by {worst}")
    return {"against": against, "largest_relative_difference": worst}


# ---------------------------------------------------------------------------------------------


def run_case(c):
    base = c["params"]["lr"]
    lrs = warmup(base, c["steps"]) if c["schedule"] == "warmup" else [base] * c["steps"]
    if hand_written(c):
        grads, trajectory, state = run_hand(c, lrs)
        call = None
        reference = "hand-written float64 implementation in gen_optimizer_refs_2.py"
    else:
        grads, trajectory, state, call = run_torch(c, lrs)
        reference = "torch 1.13"
    smallest = min(abs(x) for row in trajectory for x in row)
    if smallest < MIN_ABS_PARAM:
        sys.exit(f"{c['name']}: a parameter came within {smallest} of zero; relative comparison "
                 "would be meaningless, change the case")
    out = {"name": c["name"], "optimizer": c["optimizer"], "params": c["params"],
           "reference": reference, "torch_call": call, "initial": list(INITIAL), "lrs": lrs,
           "grads": grads, "trajectory": trajectory, "final_state": state}
    check = cross_check(c, lrs, grads, trajectory)
    if check:
        out["cross_check"] = check
    return out


def main():
    torch.set_default_dtype(torch.float64)  # trap 1 in the docstring
    torch.set_num_threads(1)
    out = torch_header("gen_optimizer_refs_2.py")
    out["problem"] = PROBLEM
    out["cases"] = [run_case(c) for c in CASES]
    path = write_beside(__file__, "optimizer_trajectories_2.json", out)
    print(f"wrote {len(out['cases'])} cases to {path}")
    for c in out["cases"]:
        if "cross_check" in c:
            print(f"  {c['name']}: cross-check {c['cross_check']['largest_relative_difference']:.3g}")


if __name__ == "__main__":
    main()
