#!/usr/bin/python3
"""Reference learning-rate sequences of torch.optim.lr_scheduler, for the schedule tests.

Writes tests/reference/schedule_lrs.json, next to this file:

  - "cases": the lr of every step of 60 for each schedule, alone and after a linear warmup
    (LinearLR chained with the schedule through SequentialLR, warmup by steps, with a
    start_factor): gradplug's existing constant, linear (final_factor), step and cosine
    (final_factor), and the new exponential, multistep, cosine_restarts and one_cycle. Each case
    names the torch objects and their arguments, and the gradplug schedule it stands for.
  - "plateau_cases": ReduceLROnPlateau (mode min, default threshold) fed a fixed validation-loss
    sequence (PLATEAU_LOSSES below) that improves, plateaus, improves by less than the threshold
    and rises; the lr and the scheduler's counters after every loss.

Every lr sequence is also computed here from the closed-form formula of its schedule (torch
computes most of them recursively, lr_k from lr_{k-1}); the largest relative difference is
recorded per case, so a closed-form implementation knows what to expect.

This is a reference generator only; nothing in the build or the tests runs it. Run it with
Debian's interpreter (`apt-get install -y python3-torch`, PyTorch 1.13):

    /usr/bin/python3 tests/reference/gen_schedule_refs.py

Numbers are written with repr(), the shortest text that reads back as the same double.
"""

import math
import sys
import warnings

sys.dont_write_bytecode = True

import torch  # noqa: E402
from torch.optim import lr_scheduler as S  # noqa: E402

from refs_common import torch_header, write_beside  # noqa: E402

BASE_LR = 0.1
STEPS = 60

# (gradplug schedule, its parameters, torch class, torch arguments given the steps it spans)
SCHEDULES = [
    ("constant", {}, S.ConstantLR, lambda span: {"factor": 1.0, "total_iters": 0}),
    ("linear", {"final_factor": 0.1}, S.LinearLR,
     lambda span: {"start_factor": 1.0, "end_factor": 0.1, "total_iters": span}),
    ("step", {"step_size": 15, "gamma": 0.5}, S.StepLR,
     lambda span: {"step_size": 15, "gamma": 0.5}),
    ("cosine", {"final_factor": 0.1}, S.CosineAnnealingLR,
     lambda span: {"T_max": span, "eta_min": 0.1 * BASE_LR}),
    ("cosine", {"final_factor": 0.0}, S.CosineAnnealingLR,
     lambda span: {"T_max": span, "eta_min": 0.0}),
    ("exponential", {"gamma": 0.95}, S.ExponentialLR, lambda span: {"gamma": 0.95}),
    ("multistep", {"milestones": [10, 25, 40], "gamma": 0.3}, S.MultiStepLR,
     lambda span: {"milestones": [10, 25, 40], "gamma": 0.3}),
    ("cosine_restarts", {"first_period": 10, "period_multiplier": 2, "eta_min": 0.001},
     S.CosineAnnealingWarmRestarts, lambda span: {"T_0": 10, "T_mult": 2, "eta_min": 0.001}),
    ("cosine_restarts", {"first_period": 7, "period_multiplier": 1, "eta_min": 0.0},
     S.CosineAnnealingWarmRestarts, lambda span: {"T_0": 7, "T_mult": 1, "eta_min": 0.0}),
    ("one_cycle", {}, S.OneCycleLR,
     lambda span: {"max_lr": BASE_LR, "total_steps": span, "anneal_strategy": "cos",
                   "cycle_momentum": False}),
    ("one_cycle", {"pct_start": 0.4, "div_factor": 10.0, "final_div_factor": 100.0},
     S.OneCycleLR,
     lambda span: {"max_lr": BASE_LR, "total_steps": span, "anneal_strategy": "cos",
                   "cycle_momentum": False, "pct_start": 0.4, "div_factor": 10.0,
                   "final_div_factor": 100.0}),
]
WARMUPS = [{"steps": 10, "start_factor": 0.1}, {"steps": 5, "start_factor": 0.25}]


# ---------------------------------------------------------------------------------------------
# Closed forms, at step j of the schedule itself (j = 0 where it starts).


def restart_position(j, t0, t_mult):
    period = t0
    while j >= period:
        j -= period
        period *= t_mult
    return j, period


def one_cycle(j, a):
    """OneCycleLR's two-phase cosine schedule, as torch's get_lr computes it."""
    peak, total = a["max_lr"], a["total_steps"]
    initial = peak / a.get("div_factor", 25.0)
    floor = initial / a.get("final_div_factor", 1e4)
    end_up = float(a.get("pct_start", 0.3) * total) - 1
    if j <= end_up:
        start, end, pct = initial, peak, j / end_up
    else:
        start, end, pct = peak, floor, (j - end_up) / (total - 1 - end_up)
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


def closed_form(cls, a, j):
    b = BASE_LR
    if cls is S.ConstantLR:
        return b
    if cls is S.LinearLR:
        return b * (a["start_factor"] + (a["end_factor"] - a["start_factor"]) *
                    min(j, a["total_iters"]) / a["total_iters"])
    if cls is S.StepLR:
        return b * a["gamma"] ** (j // a["step_size"])
    if cls is S.CosineAnnealingLR:
        eta = a["eta_min"]
        return eta + (b - eta) * (1 + math.cos(math.pi * j / a["T_max"])) / 2
    if cls is S.ExponentialLR:
        return b * a["gamma"] ** j
    if cls is S.MultiStepLR:
        return b * a["gamma"] ** sum(m <= j for m in a["milestones"])
    if cls is S.CosineAnnealingWarmRestarts:
        t, period = restart_position(j, a["T_0"], a["T_mult"])
        eta = a["eta_min"]
        return eta + (b - eta) * (1 + math.cos(math.pi * t / period)) / 2
    if cls is S.OneCycleLR:
        return one_cycle(j, a)
    raise ValueError(cls)


# ---------------------------------------------------------------------------------------------


def describe(cls, args):
    return {"class": f"torch.optim.lr_scheduler.{cls.__name__}", "args": args}


def lrs_of(optimizer, scheduler):
    """The lr of each of STEPS steps: read before the step, the scheduler stepped after it."""
    lrs = []
    for k in range(STEPS):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if k + 1 < STEPS:  # OneCycleLR refuses to be stepped past total_steps
            scheduler.step()
    return lrs


def new_optimizer():
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=BASE_LR)


def schedule_case(gradplug, params, cls, make_args, warmup):
    opt = new_optimizer()
    span = STEPS - (warmup["steps"] if warmup else 0)
    args = make_args(span)
    if warmup:
        w = warmup["steps"]
        warm_args = {"start_factor": warmup["start_factor"], "end_factor": 1.0, "total_iters": w}
        first = S.LinearLR(opt, **warm_args)
        second = cls(opt, **args)
        scheduler = S.SequentialLR(opt, [first, second], milestones=[w])
        objects = {"class": "torch.optim.lr_scheduler.SequentialLR", "milestones": [w],
                   "schedulers": [describe(S.LinearLR, warm_args), describe(cls, args)]}
    else:
        scheduler = cls(opt, **args)
        objects = describe(cls, args)
    lrs = lrs_of(opt, scheduler)

    def expected(k):
        if warmup and k < warmup["steps"]:
            sf = warmup["start_factor"]
            return BASE_LR * (sf + (1 - sf) * k / warmup["steps"])
        return closed_form(cls, args, k - (warmup["steps"] if warmup else 0))

    worst = max(abs(lr - expected(k)) / abs(expected(k)) for k, lr in enumerate(lrs))
    name = gradplug + "".join(f"_{k}_{v}" for k, v in params.items() if k != "milestones")
    if warmup:
        name = f"warmup_{warmup['steps']}_{warmup['start_factor']}_then_{name}"
    case = {"name": name,
            "gradplug": {"schedule": gradplug, **params, "warmup": warmup,
                         "schedule_steps": span},
            "torch": objects, "base_lr": BASE_LR, "steps": STEPS, "lrs": lrs,
            "closed_form_largest_relative_difference": worst}
    if warmup and cls is S.OneCycleLR:
        case["note"] = ONE_CYCLE_AFTER_WARMUP
    elif worst > 1e-14:
        sys.exit(f"{name}: the closed form differs from torch by {worst}")
    return case


ONE_CYCLE_AFTER_WARMUP = (
    "torch quirk: OneCycleLR's constructor sets the group's initial_lr to max_lr / div_factor "
    "and SequentialLR restarts from initial_lr, so the warmup runs from start_factor * max_lr / "
    "div_factor to max_lr / div_factor, where the cycle starts; the closed form (a warmup from "
    "start_factor * base_lr) differs by that factor")


# ReduceLROnPlateau, fed once per epoch. Improves, plateaus exactly, improves by less than the
# relative threshold (1e-4: 0.6 -> 0.59995 is not an improvement), rises, improves again, and
# plateaus long enough to reach min_lr.
PLATEAU_LOSSES = [
    1.0, 0.8, 0.7, 0.65, 0.6, 0.6, 0.6, 0.59995, 0.6, 0.61, 0.62, 0.58, 0.55, 0.55, 0.56, 0.549,
    0.548, 0.5479, 0.5479, 0.5479, 0.6, 0.5, 0.45, 0.44, 0.44, 0.44, 0.44, 0.44, 0.44, 0.44,
    0.439999, 0.44, 0.43, 0.42, 0.42, 0.42, 0.42, 0.42, 0.42, 0.42, 0.42, 0.42, 0.42, 0.42, 0.41,
    0.42, 0.42, 0.42, 0.42, 0.42, 0.42, 0.42, 0.42, 0.42, 0.42, 0.42, 0.40, 0.42, 0.42, 0.42,
]
PLATEAU_SETTINGS = [
    {"factor": 0.5, "patience": 3, "cooldown": 2, "min_lr": 0.01},
    {"factor": 0.1, "patience": 0, "cooldown": 0, "min_lr": 0.0},
    {"factor": 0.3, "patience": 5, "cooldown": 4, "min_lr": 1e-3},
    {"factor": 0.5, "patience": 1, "cooldown": 1, "min_lr": 0.02},
]


def plateau_case(setting):
    opt = new_optimizer()
    args = {"mode": "min", **setting, "threshold": 1e-4, "threshold_mode": "rel", "eps": 1e-8}
    scheduler = S.ReduceLROnPlateau(opt, **args)
    lrs, after = [], []
    for loss in PLATEAU_LOSSES:
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step(loss)
        after.append({"lr": opt.param_groups[0]["lr"], "best": scheduler.best,
                      "num_bad_epochs": scheduler.num_bad_epochs,
                      "cooldown_counter": scheduler.cooldown_counter})
    reductions = sum(b["lr"] < a for a, b in zip(lrs, after))
    if reductions < 2:
        sys.exit(f"plateau {setting}: too few reductions ({reductions}); change the losses")
    name = "plateau" + "".join(f"_{k}_{v}" for k, v in setting.items())
    return {"name": name, "gradplug": {"schedule": "plateau", **setting},
            "torch": describe(S.ReduceLROnPlateau, args), "base_lr": BASE_LR,
            "losses": PLATEAU_LOSSES, "lrs": lrs, "after_each_loss": after,
            "reaches_min_lr": after[-1]["lr"] == setting["min_lr"]}


def main():
    torch.set_default_dtype(torch.float64)
    warnings.simplefilter("error")  # any scheduler warning means the sequence is not as meant,
    # except the one SequentialLR itself causes: at its milestone it calls step(0) on the next
    # scheduler, which then starts from its closed form (where it has one) at its own step 0.
    warnings.filterwarnings("ignore", message="The epoch parameter in")
    out = torch_header("gen_schedule_refs.py")
    out["cases"] = [schedule_case(*s[:2], s[2], s[3], w) for s in SCHEDULES
                    for w in [None] + WARMUPS]
    out["plateau_cases"] = [plateau_case(s) for s in PLATEAU_SETTINGS]
    path = write_beside(__file__, "schedule_lrs.json", out, flat_objects_on_one_line=True)
    print(f"wrote {len(out['cases'])} + {len(out['plateau_cases'])} cases to {path}")
    for c in out["cases"]:
        print(f"  {c['name']}: closed form {c['closed_form_largest_relative_difference']:.3g}")
    for c in out["plateau_cases"]:
        print(f"  {c['name']}: reaches min_lr {c['reaches_min_lr']}, final {c['lrs'][-1]}")


if __name__ == "__main__":
    main()
