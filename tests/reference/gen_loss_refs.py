#!/usr/bin/python3
"""Reference values and gradients of torch.nn.HuberLoss, for the huber loss test.

Writes tests/reference/huber.json, next to this file: for a few deltas and input/target vectors
whose differences lie below, at and above delta (both signs), torch.nn.HuberLoss(delta=...) with
reduction='mean' (the loss and its gradient with respect to the input, by autograd; the gradient
with respect to the target is its negation) and with reduction='none' (each element's loss).
Per element, with d = input - target:

    loss = 0.5 d^2                     if |d| < delta
           delta (|d| - 0.5 delta)     otherwise,      and the mean over the elements.

This is a reference generator only; nothing in the build or the tests runs it. Run it with
Debian's interpreter (`apt-get install -y python3-torch`, PyTorch 1.13):

    /usr/bin/python3 tests/reference/gen_loss_refs.py

Numbers are written with repr(), the shortest text that reads back as the same double.
"""

import sys

sys.dont_write_bytecode = True

import torch  # noqa: E402

from refs_common import torch_header, write_beside  # noqa: E402

TARGET = [0.5, -1.25, 2.0, 0.0, -0.75, 3.5, 1.0, -2.0]
# Differences input - target per delta: well inside, just inside, exactly at, just outside and
# far outside delta, of both signs.
DIFFERENCE_FACTORS = [0.1, -0.5, 0.999, -1.0, 1.0, 1.001, -3.0, 12.5]
DELTAS = [1.0, 0.5, 2.0, 0.1]


def huber_case(delta):
    target = torch.tensor(TARGET)
    inputs = torch.tensor([t + f * delta for t, f in zip(TARGET, DIFFERENCE_FACTORS)],
                          requires_grad=True)
    loss = torch.nn.HuberLoss(reduction="mean", delta=delta)(inputs, target)
    loss.backward()
    elementwise = torch.nn.HuberLoss(reduction="none", delta=delta)(inputs.detach(), target)
    differences = (inputs.detach() - target).abs()
    assert (differences < delta).any() and (differences > delta).any(), delta
    return {"name": f"huber_delta_{delta}", "delta": delta,
            "torch": f"torch.nn.HuberLoss(reduction='mean', delta={delta!r})",
            "input": inputs.detach().tolist(), "target": TARGET, "loss": loss.item(),
            "grad_input": inputs.grad.tolist(), "elementwise_loss": elementwise.tolist()}


def main():
    torch.set_default_dtype(torch.float64)
    out = torch_header("gen_loss_refs.py")
    out["cases"] = [huber_case(d) for d in DELTAS]
    path = write_beside(__file__, "huber.json", out)
    print(f"wrote {len(out['cases'])} cases to {path}")


if __name__ == "__main__":
    main()
