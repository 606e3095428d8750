#!/usr/bin/env python3
"""Check an rnn adaptive-softmax model against PyTorch's own nn.AdaptiveLogSoftmaxWithLoss.

Usage: python3 scripts/check-adaptive-torch.py MODEL_DIR "a context of words"

Builds, in PyTorch, the model rnn describes in MODEL_DIR/model.json: nn.Embedding, nn.LSTM or
nn.GRU (batch_first) and, as `decoder`, nn.AdaptiveLogSoftmaxWithLoss(in_features=hidden,
n_classes=vocabulary size, cutoffs, div_value, head_bias=False). It loads every tensor of
MODEL_DIR/model.safetensors with load_state_dict(strict=True), so each name and shape must be
exactly PyTorch's (decoder.head.weight, decoder.tail.0.0.weight, ...). It then runs the context
from the zero state and compares decoder.log_prob(h) over the whole vocabulary with the
distribution `bin/rnn predict -k V --json` gives for the same context. Exit status 0 when they
agree to 1e-4 in log-probability (float rounding), 1 otherwise.

Needs Debian's python3-torch (apt-get install -y python3-torch), which the project does not
depend on. The context's words must be in the vocabulary (whitespace-separated, as the
whitespace tokenizer reads them). Not part of the test suite: an interoperability check
(scripts/check-adaptive-torch.sh trains a small model and runs it).
"""
import json
import math
import os
import struct
import subprocess
import sys

import numpy as np
import torch
from torch import nn


def read_safetensors(path):
    """{name: tensor} from a safetensors file, read by the format description (no extra library)."""
    with open(path, "rb") as f:
        blob = f.read()
    (header_len,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + header_len].decode("utf-8"))
    header.pop("__metadata__", None)
    data = blob[8 + header_len:]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = {"F32": "<f4", "F64": "<f8"}[info["dtype"]]
        array = np.frombuffer(data[begin:end], dtype=dtype).reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.astype(np.float64))
    return tensors


class LanguageModel(nn.Module):
    def __init__(self, network, vocabulary):
        super().__init__()
        cell = network["cell"]
        if network["embedding"] == 0:
            raise SystemExit("check-adaptive-torch: one-hot models are not covered (no nn.Embedding to load)")
        if network.get("softmax") != "adaptive":
            raise SystemExit("check-adaptive-torch: the model's softmax is %r, not adaptive" % network.get("softmax"))
        recurrent = {"LSTM": nn.LSTM, "GRU": nn.GRU}.get(cell)
        if recurrent is None:
            raise SystemExit("check-adaptive-torch: cell %s has no PyTorch module of the same equations" % cell)
        self.embedding = nn.Embedding(vocabulary, network["embedding"])
        self.rnn = recurrent(network["embedding"], network["hidden"], network["layers"], batch_first=True)
        self.decoder = nn.AdaptiveLogSoftmaxWithLoss(network["hidden"], vocabulary, network["cutoffs"],
                                                     div_value=network["div_value"], head_bias=False)

    def log_prob_after(self, ids):
        outputs, _ = self.rnn(self.embedding(torch.tensor([ids])))
        return self.decoder.log_prob(outputs[0, -1:, :])[0]


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    directory, context = sys.argv[1], sys.argv[2]
    with open(os.path.join(directory, "model.json")) as f:
        manifest = json.load(f)
    with open(os.path.join(directory, "vocab.json")) as f:
        tokens = json.load(f)["tokens"]
    ids_of = {token: i for i, token in enumerate(tokens)}
    network = manifest["network"]
    vocabulary = len(tokens)

    model = LanguageModel(network, vocabulary).double()
    state = read_safetensors(os.path.join(directory, "model.safetensors"))
    model.load_state_dict(state, strict=True)
    model.eval()
    words = context.split()
    missing = [w for w in words if w not in ids_of]
    if missing:
        raise SystemExit("check-adaptive-torch: not in the vocabulary: %s" % " ".join(missing))
    with torch.no_grad():
        theirs = model.log_prob_after([ids_of[w] for w in words]).numpy()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([os.path.join(root, "bin", "rnn"), "predict", "-m", directory, "-k", str(vocabulary),
                          "--json", context], check=True, capture_output=True, text=True).stdout
    ours = np.full(vocabulary, -np.inf)
    for candidate in json.loads(out)["predictions"]:
        ours[ids_of[candidate["token"]]] = math.log(candidate["probability"])

    difference = np.abs(ours - theirs)
    worst = int(np.argmax(difference))
    total = float(np.exp(theirs).sum())
    print(json.dumps({"tensors": len(state), "vocabulary": vocabulary, "cutoffs": network["cutoffs"],
                      "div_value": network["div_value"], "torch": torch.__version__,
                      "torch_probability_sum": total, "max_abs_log_prob_difference": float(difference[worst]),
                      "worst_token": tokens[worst]}))
    if not (difference[worst] < 1e-4 and abs(total - 1) < 1e-9):
        print("check-adaptive-torch: FAIL", file=sys.stderr)
        return 1
    print("check-adaptive-torch: OK, PyTorch's AdaptiveLogSoftmaxWithLoss loads the checkpoint (strict) and gives"
          " the same distribution", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
