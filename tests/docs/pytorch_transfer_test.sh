#!/usr/bin/env bash
# docs/pytorch_weights.py, as docs/pytorch.md uses it, in both directions: gradplug's weights in
# torch give gradplug's predictions, and torch's weights in gradplug give torch's, to 1e-12.
# Runs only where Debian's python3-torch is installed (exit 77: skipped); never needed to build.
#   pytorch_transfer_test.sh GRADPLUG SOURCE_DIR
set -euo pipefail
gradplug=$1
source_dir=$2
python=/usr/bin/python3
"$python" -c "import torch" 2> /dev/null || { echo "python3-torch is not installed: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
data="$source_dir/configs/data/iris.csv"
script="$source_dir/docs/pytorch_weights.py"

"$gradplug" train "$source_dir/configs/iris.yaml" --quiet --set training.epochs=20 --out run > /dev/null
"$python" "$script" to-torch run/model.json weights.pt
"$gradplug" predict run "$data" > gradplug.csv

# torch's forward pass with gradplug's weights, and gradplug's predictions: the same numbers; then
# a changed state_dict (every weight halved) for the way back.
"$python" - "$data" <<'PY'
import csv, sys, torch
from torch import nn
sys.path.insert(0, ".")
state = torch.load("weights.pt")
mean, scale = state.pop("input_mean"), state.pop("input_scale")
net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).double()
net.load_state_dict(state)
rows = list(csv.DictReader(open(sys.argv[1])))
names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
x = (torch.tensor([[float(r[n]) for n in names] for r in rows], dtype=torch.float64) - mean) / scale

def compare(probabilities, file):
    got = [[float(r[c]) for c in ("p_setosa", "p_versicolor", "p_virginica")]
           for r in csv.DictReader(open(file))]
    worst = max(abs(g - p) / max(abs(p), 1e-300)
                for gr, pr in zip(got, probabilities.tolist()) for g, p in zip(gr, pr))
    assert len(got) == len(rows), (len(got), len(rows))
    assert worst < 1e-12, f"{file}: largest relative difference {worst}"
    print(f"{file}: {len(got)} rows, largest relative difference {worst:.2e}")

with torch.no_grad():
    compare(torch.softmax(net(x), dim=1), "gradplug.csv")
    for p in net.parameters():
        p.mul_(0.5)
    torch.save(net.state_dict(), "halved.pt")
    torch.save(torch.softmax(net(x), dim=1), "halved_probabilities.pt")
PY

"$python" "$script" from-torch halved.pt run/model.json halved.json
"$gradplug" predict halved.json "$data" > halved.csv
"$python" - "$data" <<'PY'
import csv, torch
expected = torch.load("halved_probabilities.pt")
got = [[float(r[c]) for c in ("p_setosa", "p_versicolor", "p_virginica")]
       for r in csv.DictReader(open("halved.csv"))]
worst = max(abs(g - p) / max(abs(p), 1e-300)
            for gr, pr in zip(got, expected.tolist()) for g, p in zip(gr, pr))
assert worst < 1e-12, f"halved.csv: largest relative difference {worst}"
print(f"halved.csv (torch's weights in gradplug): largest relative difference {worst:.2e}")
PY
echo "pytorch_transfer_test: passed"
