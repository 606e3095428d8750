#!/usr/bin/env bash
# Trains a small adaptive-softmax LSTM on the start of PTB and checks it against PyTorch's
# nn.AdaptiveLogSoftmaxWithLoss (scripts/check-adaptive-torch.py). Needs Debian's python3-torch
# (apt-get install -y python3-torch; not a project dependency) and a built checkout.
# Usage: scripts/check-adaptive-torch.sh [--cell lstm|gru]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cell="lstm"
if [[ "${1:-}" == "--cell" ]]; then cell="$2"; fi
corpus="$root/../shared/corpora/ptb/train.txt"
[[ -f "$corpus" ]] || { echo "check-adaptive-torch: $corpus not found" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
head -n 3000 "$corpus" > "$work/ptb-head.txt"
"$root/bin/rnn" train "$work/ptb-head.txt" -o "$work/model" --tokenizer whitespace --cell "$cell" \
    --softmax adaptive --cutoffs 200,1000,3000 --div-value 2 --hidden 32 --embedding 16 --layers 2 \
    --epochs 1 --max-batches 30 --quiet
# Debian's python3-torch lives under /usr/bin/python3; a python3 earlier on PATH (pyenv) may lack it.
python="python3"
"$python" -c "import torch" 2>/dev/null || python="/usr/bin/python3"
"$python" "$root/scripts/check-adaptive-torch.py" "$work/model" "the company said it"
