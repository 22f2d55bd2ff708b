#!/usr/bin/python3
"""Reference values and derivatives of the activations, for the activation plugins' tests.

Writes tests/reference/activation_values.json, next to this file. For every activation setting
(sigmoid, gelu with approximate none and tanh, elu, selu, celu, softplus, mish, hardswish,
softsign, and the existing tanh, relu, leaky_relu and swish; several parameter values each) and
every x of a grid that covers 0, subnormal and tiny inputs, ordinary values, the kinks, the
points where torch switches formula, and |x| up to 1e300, it records f(x) and f'(x)

  - from torch (Debian's python3-torch, PyTorch 1.13): torch.nn.functional in float64, the
    derivative by autograd;
  - from mpmath (python3-mpmath) at mp.dps = 50: the same definition evaluated in high precision,
    the derivative from its analytic formula (never by numeric differentiation), in forms without
    cancellation (e.g. 1 + tanh(u) as 2 sigmoid(2u), sech^2 rather than 1 - tanh^2). Where torch's
    definition branches on a double comparison (softplus' beta * x > threshold), the branch is
    taken on the same double comparison. Every reference is recomputed at mp.dps = 100 and must
    round to the same double.

and which of the two a test should match ("value"/"grad", with "value_from"/"grad_from"):
torch's where it is finite and within 1e-13 relative of mpmath's (|t - m| <= 1e-13 max(|m|,
DBL_MIN); for a subnormal reference, where a double holds fewer than 53 bits, only if torch's is
the same double), mpmath's otherwise (torch's tanh-GELU derivative is NaN at +-1e300, its values
underflow early, ...). At a kink (relu, leaky_relu, elu, selu at 0; hardswish at -3 and 3;
softplus at threshold / beta) the derivative has no value of its own; the test matches torch's
one-sided value there, which the mpmath reference is written to reproduce (checked).

This is a reference generator only; nothing in the build or the tests runs it. Run it with
Debian's interpreter (`apt-get install -y python3-torch python3-mpmath`):

    /usr/bin/python3 tests/reference/gen_activation_refs.py

Numbers are written with repr(), the shortest text that reads back as the same double; a torch
result that is NaN or infinite is written as null (JSON has neither).
"""

import math
import sys

sys.dont_write_bytecode = True

import mpmath  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from mpmath import mp, mpf  # noqa: E402

from refs_common import finite_or_none, torch_header, write_beside  # noqa: E402

DPS = 50
CHECK_DPS = 100
AGREEMENT = 1e-13
DBL_MIN = sys.float_info.min  # 2.2250738585072014e-308, the smallest normal double


def around(x):
    """x and its two neighbouring doubles."""
    return [math.nextafter(x, -math.inf), x, math.nextafter(x, math.inf)]


MAGNITUDES = [5e-324, DBL_MIN, 1e-300, 1e-150, 1e-20, 1e-8, 1e-3, 0.1, 0.5, 1.0, 1.5, 2.0, 5.0,
              10.0, 15.0, 30.0, 37.0, 40.0, 50.0, 100.0, 700.0, 710.0, 745.0, 800.0, 1e5, 1e10,
              1e20, 1e100, 1e300] + around(3.0) + around(20.0)
GRID = sorted({0.0} | {s * m for m in MAGNITUDES for s in (1.0, -1.0)})


# ---------------------------------------------------------------------------------------------
# High-precision definitions: each returns (f(x), f'(x)) for an mpf x; xd is x as a double, for
# the branch decisions torch takes in double arithmetic.


def sigmoid(z):
    return 1 / (1 + mp.exp(-z))


def sech2(z):
    return mp.sech(z) ** 2


def erfc(z):
    """mpmath's erfc overflows for |z| beyond ~1e150; there the asymptotic series (six terms are
    exact to far more than 50 digits for |z| > 1e4) serves."""
    if abs(z) < 10000:
        return mp.erfc(z)
    if z < 0:
        return 2 - erfc(-z)
    series, term = mpf(1), mpf(1)
    for n in range(1, 7):
        term *= -(2 * n - 1) / (2 * z * z)
        series += term
    return mp.exp(-z * z) / (z * mp.sqrt(mp.pi)) * series


def mp_sigmoid(x, xd):
    return sigmoid(x), sigmoid(x) * sigmoid(-x)


def mp_tanh(x, xd):
    return mp.tanh(x), sech2(x)


def mp_relu(x, xd):
    return (x, mpf(1)) if xd > 0 else (mpf(0), mpf(0))  # torch: f'(0) = 0


def mp_leaky_relu(slope):
    def f(x, xd):  # torch: f'(0) = negative_slope
        return (x, mpf(1)) if xd > 0 else (slope * x, mpf(slope))
    return f


def mp_swish(beta):
    def f(x, xd):
        s, c = sigmoid(beta * x), sigmoid(-beta * x)
        return x * s, s + beta * x * s * c
    return f


def mp_gelu(x, xd):
    cdf = erfc(-x / mp.sqrt(2)) / 2
    return x * cdf, cdf + x * mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)


GELU_TANH_KAPPA = mpf("0.044715")


def mp_gelu_tanh(x, xd):
    # f = x/2 (1 + tanh u) = x sigmoid(2u), u = sqrt(2/pi) (x + kappa x^3)
    k = mp.sqrt(2 / mp.pi)
    u = k * (x + GELU_TANH_KAPPA * x ** 3)
    du = k * (1 + 3 * GELU_TANH_KAPPA * x * x)
    s, c = sigmoid(2 * u), sigmoid(-2 * u)
    return x * s, s + 2 * x * s * c * du


def mp_elu(alpha, scale=1):
    def f(x, xd):  # torch: x <= 0 takes the exponential branch, so f'(0) = alpha (times scale)
        if xd > 0:
            return scale * x, mpf(scale)
        return scale * alpha * mp.expm1(x), scale * alpha * mp.exp(x)
    return f


# SELU's constants, Klambauer et al. 2017, to the precision the paper gives.
SELU_ALPHA = mpf("1.6732632423543772848170429916717")
SELU_SCALE = mpf("1.0507009873554804934193349852946")


def mp_celu(alpha):
    def f(x, xd):
        if xd > 0:
            return x, mpf(1)
        return alpha * mp.expm1(x / alpha), mp.exp(x / alpha)
    return f


def mp_softplus(beta, threshold):
    def f(x, xd):  # torch: x if beta * x > threshold (in doubles), else log1p(exp(beta x)) / beta
        if xd * beta > threshold:
            return x, mpf(1)
        return mp.log1p(mp.exp(beta * x)) / beta, sigmoid(beta * x)
    return f


def mp_mish(x, xd):
    sp = mp.log1p(mp.exp(x))
    t = mp.tanh(sp)
    return x * t, t + x * sech2(sp) * sigmoid(x)


def mp_hardswish(x, xd):  # torch's derivative: 0 below -3, x/3 + 1/2 on [-3, 3], 1 above
    if xd < -3:
        return mpf(0), mpf(0)
    if xd <= 3:
        return x * (x + 3) / 6, x / 3 + mpf(1) / 2
    return x, mpf(1)


def mp_softsign(x, xd):
    return x / (1 + abs(x)), 1 / (1 + abs(x)) ** 2


# ---------------------------------------------------------------------------------------------
# (name, plugin, plugin params, torch function, torch expression, mpmath definition, kinks)


def swish_torch(beta):
    return F.silu if beta == 1 else (lambda x: x * torch.sigmoid(beta * x))


SETTINGS = [
    ("sigmoid", "sigmoid", {}, torch.sigmoid, "torch.sigmoid(x)", mp_sigmoid, []),
    ("tanh", "tanh", {}, torch.tanh, "torch.tanh(x)", mp_tanh, []),
    ("relu", "relu", {}, F.relu, "F.relu(x)", mp_relu, [0.0]),
]
for slope in (0.01, 0.2):
    SETTINGS.append((f"leaky_relu_{slope}", "leaky_relu", {"negative_slope": slope},
                     lambda x, s=slope: F.leaky_relu(x, s), f"F.leaky_relu(x, {slope!r})",
                     mp_leaky_relu(slope), [0.0]))
for beta in (1.0, 2.0):
    SETTINGS.append((f"swish_{beta}", "swish", {"beta": beta}, swish_torch(beta),
                     "F.silu(x)" if beta == 1 else f"x * torch.sigmoid({beta!r} * x)",
                     mp_swish(beta), []))
SETTINGS += [
    ("gelu", "gelu", {"approximate": "none"}, F.gelu, "F.gelu(x, approximate='none')", mp_gelu,
     []),
    ("gelu_tanh", "gelu", {"approximate": "tanh"}, lambda x: F.gelu(x, approximate="tanh"),
     "F.gelu(x, approximate='tanh')", mp_gelu_tanh, []),
]
for alpha in (1.0, 0.5, 2.0):
    SETTINGS.append((f"elu_{alpha}", "elu", {"alpha": alpha}, lambda x, a=alpha: F.elu(x, a),
                     f"F.elu(x, alpha={alpha!r})", mp_elu(alpha), [0.0]))
SETTINGS.append(("selu", "selu", {}, F.selu, "F.selu(x)", mp_elu(SELU_ALPHA, SELU_SCALE), [0.0]))
for alpha in (1.0, 0.5, 2.0):
    SETTINGS.append((f"celu_{alpha}", "celu", {"alpha": alpha}, lambda x, a=alpha: F.celu(x, a),
                     f"F.celu(x, alpha={alpha!r})", mp_celu(alpha), []))
for beta, threshold in ((1.0, 20.0), (2.0, 20.0), (0.5, 10.0), (3.0, 5.0)):
    SETTINGS.append((f"softplus_{beta}_{threshold}", "softplus",
                     {"beta": beta, "threshold": threshold},
                     lambda x, b=beta, t=threshold: F.softplus(x, b, t),
                     f"F.softplus(x, beta={beta!r}, threshold={threshold!r})",
                     mp_softplus(beta, threshold), [threshold / beta]))
SETTINGS += [
    ("mish", "mish", {}, F.mish, "F.mish(x)", mp_mish, []),
    ("hardswish", "hardswish", {}, F.hardswish, "F.hardswish(x)", mp_hardswish, [-3.0, 3.0]),
    ("softsign", "softsign", {}, F.softsign, "F.softsign(x)", mp_softsign, []),
]


def to_double(v):
    """Correctly rounded (Python's float() of 40 significant digits), subnormals included."""
    return float(mp.nstr(v, 40, min_fixed=1, max_fixed=0)) if v != 0 else 0.0


def reference(definition, x):
    mp.dps = DPS
    value, grad = (to_double(v) for v in definition(mpf(x), x))
    mp.dps = CHECK_DPS
    check = tuple(to_double(v) for v in definition(mpf(x), x))
    mp.dps = DPS
    for a, b in zip((value, grad), check):
        assert abs(a - b) <= 1e-15 * max(abs(b), DBL_MIN), (x, a, b)
    return value, grad


def agrees(t, m):
    return math.isfinite(t) and abs(t - m) <= AGREEMENT * max(abs(m), DBL_MIN)


def choose(t, m):
    """(expected, source): torch's result where it agrees with the reference; below DBL_MIN,
    where a double holds fewer than 53 bits, only if it is the correctly rounded one."""
    if agrees(t, m) and (abs(m) >= DBL_MIN or t == m):
        return t, "torch"
    return m, "mpmath"


def torch_values(torch_fn, xs):
    """f and f' by autograd for the tensor xs (one element: torch's scalar kernel; many: its
    vectorised kernel for all but a tail)."""
    x = torch.tensor(xs, requires_grad=True)
    y = torch_fn(x)
    y.backward(torch.ones_like(y))
    return y.tolist(), x.grad.tolist()


def run_setting(name, plugin, params, torch_fn, expression, definition, kinks):
    xs = sorted(set(GRID) | {v for k in kinks for v in around(k)})
    vector_values, vector_grads = torch_values(torch_fn, xs)
    points = []
    for xi, vv, vg in zip(xs, vector_values, vector_grads):
        (tv,), (tg,) = torch_values(torch_fn, [xi])
        mv, mg = reference(definition, xi)
        kink = xi in kinks
        if kink and not agrees(tg, mg):
            sys.exit(f"{name}: at the kink {xi} torch's derivative {tg} is not the one-sided "
                     f"value {mg} the reference assumes")
        (value, value_from), (grad, grad_from) = choose(tv, mv), choose(tg, mg)
        point = {
            "x": xi, "value": value, "grad": grad, "value_from": value_from,
            "grad_from": grad_from, "kink": kink,
            "torch_value": finite_or_none(tv), "torch_grad": finite_or_none(tg),
            "mpmath_value": mv, "mpmath_grad": mg,
        }
        # torch's vectorised kernel can disagree with its scalar one (hardswish' at 3).
        if not (vv == tv or agrees(vv, tv)):
            point["torch_vectorized_value"] = finite_or_none(vv)
        if not (vg == tg or agrees(vg, tg)):
            point["torch_vectorized_grad"] = finite_or_none(vg)
        points.append(point)
    return {"name": name, "activation": plugin, "params": params, "torch": expression,
            "kinks": kinks, "points": points}


def main():
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    out = torch_header("gen_activation_refs.py")
    out["mpmath_version"] = mpmath.__version__
    out["mp_dps"] = DPS
    out["agreement"] = ("value/grad is torch's result where it is finite and |torch - mpmath| <= "
                        f"{AGREEMENT!r} * max(|mpmath|, DBL_MIN) (and, where |mpmath| < DBL_MIN, "
                        "only if equal), else mpmath's; at a kink, torch's one-sided derivative")
    out["activations"] = [run_setting(*s) for s in SETTINGS]
    path = write_beside(__file__, "activation_values.json", out, flat_objects_on_one_line=True)
    print(f"wrote {len(out['activations'])} activation settings to {path}")
    for a in out["activations"]:
        fallbacks = [(p["x"], k) for p in a["points"] for k in ("value", "grad")
                     if p[k + "_from"] == "mpmath"]
        print(f"  {a['name']}: {len(a['points'])} points, mpmath used for {len(fallbacks)}"
              + (f" (e.g. {fallbacks[:3]})" if fallbacks else ""))


if __name__ == "__main__":
    main()
