#!/usr/bin/env python3
"""Move an MLP's weights between gradplug's model.json and PyTorch, in both directions.

    python3 docs/pytorch_weights.py to-torch RUN/model.json weights.pt
        writes the state_dict of an nn.Sequential of Linear layers and activations (printed),
        with the model's input standardization as two extra entries, input_mean and input_scale.
    python3 docs/pytorch_weights.py from-torch weights.pt TEMPLATE/model.json out.json
        writes a model.json with the state_dict's weights and the template's everything else
        (loss, column and class names, standardization, activations). The result has no checksum,
        so gradplug reads it as a file from elsewhere, checking every shape and number.

A gradplug layer holds weights as rows per unit, [units][fan_in], the layout of torch's
nn.Linear.weight, so the numbers are copied as they are; both sides compute in double precision
when the module is converted with .double(). See docs/pytorch.md.
"""
import json
import sys

import torch
from torch import nn


def activation_module(spec):
    """The torch module for a gradplug activation {name, params}, or None for linear."""
    name, p = spec["name"], spec.get("params", {})
    if name == "linear":
        return None
    simple = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "selu": nn.SELU,
              "mish": nn.Mish, "hardswish": nn.Hardswish, "softsign": nn.Softsign}
    if name in simple:
        return simple[name]()
    if name == "leaky_relu":
        return nn.LeakyReLU(p.get("negative_slope", 0.01))
    if name == "elu":
        return nn.ELU(p.get("alpha", 1.0))
    if name == "celu":
        return nn.CELU(p.get("alpha", 1.0))
    if name == "gelu":
        return nn.GELU(approximate=p.get("approximate", "none"))
    if name == "softplus":
        return nn.Softplus(p.get("beta", 1.0), p.get("threshold", 20.0))
    if name == "swish" and p.get("beta", 1.0) == 1.0:
        return nn.SiLU()
    raise SystemExit(f"no torch module for the activation {name} {p}")


def to_torch(model):
    """An nn.Sequential (double precision) with the model's weights, and its standardization."""
    modules, fan_in = [], model["inputs"]
    for layer in model["layers"]:
        linear = nn.Linear(fan_in, layer["units"]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(layer["weights"], dtype=torch.float64))
            linear.bias.copy_(torch.tensor(layer["biases"], dtype=torch.float64))
        modules.append(linear)
        act = activation_module(layer["activation"])
        if act is not None:
            modules.append(act)
        fan_in = layer["units"]
    standardize = model["data"]["standardize"]
    return (nn.Sequential(*modules),
            torch.tensor(standardize["mean"], dtype=torch.float64),
            torch.tensor(standardize["scale"], dtype=torch.float64))


def from_torch(state_dict, template):
    """The template model.json with the Linear weights of a state_dict, in order, unsealed."""
    weights = [k for k in state_dict if k.endswith(".weight")]
    if len(weights) != len(template["layers"]):
        raise SystemExit(f"the state_dict has {len(weights)} Linear layers, "
                         f"the template {len(template['layers'])}")
    model = json.loads(json.dumps(template))
    model.pop("checksum", None)   # edited: read as a file from elsewhere, every number checked
    model.pop("training", None)   # a checkpoint's state belongs to the weights it was taken with
    model.pop("optimizer", None)
    for layer, key in zip(model["layers"], weights):
        w = state_dict[key].double()
        b = state_dict[key[: -len("weight")] + "bias"].double()
        if list(w.shape) != [layer["units"], len(layer["weights"][0])]:
            raise SystemExit(f"{key} is {list(w.shape)}, the template's layer is "
                             f"[{layer['units']}, {len(layer['weights'][0])}]")
        layer["weights"] = w.tolist()
        layer["biases"] = b.tolist()
    return model


def main(argv):
    if len(argv) == 4 and argv[1] == "to-torch":
        with open(argv[2]) as f:
            net, mean, scale = to_torch(json.load(f))
        state = net.state_dict()
        state["input_mean"], state["input_scale"] = mean, scale
        torch.save(state, argv[3])
        print(net)
    elif len(argv) == 5 and argv[1] == "from-torch":
        state = torch.load(argv[2])
        state = {k: v for k, v in state.items() if not k.startswith("input_")}
        with open(argv[3]) as f:
            model = from_torch(state, json.load(f))
        with open(argv[4], "w") as f:
            json.dump(model, f, indent=1)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
