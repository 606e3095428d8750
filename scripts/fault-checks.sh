#!/usr/bin/env bash
# Fault and bad-input checks too slow or too privileged for the unit suite. Each asserts the exit
# code, the one-line message, and that nothing on disk was lost.
#
#   1. a corpus that is one 50 MB line trains (and the model predicts)
#   2. a prompt of 100,000 words on stdin, to a stream model that reads all of it
#   3. an unreadable corpus (chmod 000; as root, with CAP_DAC_OVERRIDE dropped through capsh)
#   4. an output directory that is not writable (chmod 555, likewise), refused before reading the corpus
#   5. disk full during a save (a small tmpfs; needs root): the save fails with one line, the previous
#      checkpoint is byte-identical, no temporary file is left, and after space is freed --resume works;
#      once with the disk completely full and once with room for the weights but not the resume file
#
# Usage: scripts/fault-checks.sh   (build first: mvn -B -q -ntp package -DskipTests)
# Checks whose tools or privileges are missing print SKIP; the script fails if any check fails.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
[ -f "$root/target/rnn.jar" ] || { echo "fault-checks: build first: mvn -B -q -ntp package -DskipTests" >&2; exit 2; }
work="$(mktemp -d "${TMPDIR:-/tmp}/rnn-fault-checks.XXXXXX")"
mounted=""
cleanup() {
  [ -z "$mounted" ] || umount "$mounted" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cp "$root/target/rnn.jar" "$work/" && cp -r "$root/target/lib" "$work/"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
jar="$work/rnn.jar"
# In the scratch directory: the runs record themselves as the model trained last in ./models/.
cd "$work"
tiny=(--hidden 8 --embedding 4 --epochs 1 --window 4 --validation-split 0 --quiet)
failures=0

pass() { echo "PASS $*"; }
skip() { echo "SKIP $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# expect CODE TEXT -- COMMAND...: runs it, checks the exit code and that stderr is one line containing TEXT.
expect() {
  local code="$1" text="$2"
  shift 3
  local status=0
  "$@" > "$work/out.txt" 2> "$work/err.txt" || status=$?
  if [ "$status" -ne "$code" ]; then
    echo "  exit $status, expected $code: $(head -c 500 "$work/err.txt")"
    return 1
  fi
  if [ "$(wc -l < "$work/err.txt")" -ne 1 ] || ! grep -qF -- "$text" "$work/err.txt"; then
    echo "  stderr is not one line containing '$text':"
    sed 's/^/  | /' "$work/err.txt"
    return 1
  fi
  echo "  $(cat "$work/err.txt")"
}

rnn() { java ${RNN_JAVA_OPTS:-} -jar "$jar" "$@"; }

# unprivileged: rnn without the capabilities that let root ignore file permissions (plain rnn for
# other users). permissions=0 when that is impossible (root without capsh).
permissions=1
if [ "$(id -u)" -ne 0 ]; then
  unprivileged() { rnn "$@"; }
elif command -v capsh > /dev/null && capsh --drop=cap_dac_override,cap_dac_read_search -- -c true 2> /dev/null; then
  unprivileged() {
    capsh --drop=cap_dac_override,cap_dac_read_search -- -c 'exec java ${RNN_JAVA_OPTS:-} -jar "$0" "$@"' "$jar" "$@"
  }
else
  permissions=0
fi

snapshot() { # snapshot DIR: a checksum of every file in DIR, hidden ones included
  (cd "$1" && find . -maxdepth 1 -type f ! -name .lock -print0 | sort -z | xargs -0 sha256sum)
}

# 1. One 50 MB line.
python3 - "$work/one-line.txt" <<'EOF'
import sys
sentence = "the cat sat on the mat and a dog ran in the park "
size = 50 * 1024 * 1024
with open(sys.argv[1], "w") as f:
    f.write((sentence * (size // len(sentence) + 1))[:size])
EOF
start=$(date +%s)
if rnn train "$work/one-line.txt" -o "$work/one-line" "${tiny[@]}" --stride 100000 2> "$work/err.txt" \
  && [ "$(rnn predict -m "$work/one-line" "the cat" | wc -l)" -eq 5 ]; then
  pass "1. a 50 MB corpus on one line trains and predicts ($(( $(date +%s) - start )) s)"
else
  fail "1. a 50 MB corpus on one line: $(cat "$work/err.txt")"
fi
rm -f "$work/one-line.txt"

# 2. 100,000 words on stdin to a stream model.
head -c 30000 "$root/corpora/sample.txt" > "$work/corpus.txt"
rnn train "$work/corpus.txt" -o "$work/stream" "${tiny[@]}" --stateful --batch-size 8
python3 -c "print(' '.join(['the', 'cat', 'sat', 'on', 'a', 'mat', '.', 'zebra'] * 12500))" > "$work/long.txt"
start=$(date +%s)
if answer="$(rnn predict -m "$work/stream" < "$work/long.txt" 2> "$work/err.txt")" \
  && [ "$(printf '%s\n' "$answer" | wc -l)" -eq 5 ] && [ "$(wc -l < "$work/err.txt")" -eq 1 ]; then
  pass "2. a 100,000-word prompt to a stream model ($(( $(date +%s) - start )) s; stderr: $(cut -c1-60 "$work/err.txt")...)"
else
  fail "2. a 100,000-word prompt: $(head -c 300 "$work/err.txt")"
fi

# 3. Unreadable corpus, 4. unwritable output directory.
if [ "$permissions" -eq 1 ]; then
  cp "$work/corpus.txt" "$work/secret.txt" && chmod 000 "$work/secret.txt"
  if expect 1 "secret.txt: permission denied" -- unprivileged train "$work/secret.txt" -o "$work/m3" "${tiny[@]}" \
    && [ ! -e "$work/m3" ]; then
    pass "3. an unreadable corpus"
  else
    fail "3. an unreadable corpus (or $work/m3 was left behind)"
  fi
  mkdir "$work/locked" && chmod 555 "$work/locked"
  start=$(date +%s%N)
  if expect 1 "cannot write there: permission denied" -- unprivileged train "$work/one-line-missing.txt" \
    -o "$work/locked/model" "${tiny[@]}" && [ -z "$(ls -A "$work/locked")" ]; then
    pass "4. an unwritable output directory, refused before the corpus is even opened"
  else
    fail "4. an unwritable output directory"
  fi
  chmod 755 "$work/locked"
else
  skip "3. and 4.: running as root without capsh, so file permissions cannot be enforced"
fi

# 5. Disk full during a save.
disk="$work/disk"
mkdir "$disk"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=4m tmpfs "$disk" 2> /dev/null; then
  mounted="$disk"
  model="$disk/model"
  rnn train "$work/corpus.txt" -o "$model" "${tiny[@]}"
  resume_bytes=$(stat -c %s "$model/last.safetensors")
  weights_bytes=$(stat -c %s "$model/model.safetensors")
  for room in none weights-only; do
    before="$(snapshot "$model")"
    # Fill the disk, then free just enough for the weights (but not the resume file) if asked.
    dd if=/dev/zero of="$disk/filler" bs=4k 2> /dev/null || true
    if [ "$room" = weights-only ]; then
      truncate -s "-$(( (weights_bytes + resume_bytes / 2) / 4096 * 4096 ))" "$disk/filler"
    fi
    if expect 1 "No space left on device" -- rnn train --resume "$model" --epochs 2 --quiet; then
      after="$(snapshot "$model")"
      if [ "$room" = weights-only ]; then
        # model.safetensors may already hold the new best weights; all else is as it was.
        before="$(grep -v model.safetensors <<< "$before")"
        after="$(grep -v model.safetensors <<< "$after")"
      fi
      if [ "$before" = "$after" ]; then
        rm "$disk/filler"
        if rnn predict -m "$model" "the cat" > /dev/null && rnn train --resume "$model" --epochs 2 --quiet \
          && grep -q '"epochs_completed" : 2' "$model/model.json"; then
          pass "5. disk full ($room free): one line, previous checkpoint intact, resume works once space is freed"
        else
          fail "5. disk full ($room free): the model did not load or resume after space was freed"
        fi
        # Back to one epoch for the next round.
        rm -rf "$model" && rnn train "$work/corpus.txt" -o "$model" "${tiny[@]}"
      else
        fail "5. disk full ($room free): files changed:"
        diff <(echo "$before") <(echo "$after") || true
        rm -f "$disk/filler"
      fi
    else
      fail "5. disk full ($room free): wrong exit code or message"
      rm -f "$disk/filler"
    fi
  done
  umount "$disk" && mounted=""
else
  skip "5. disk full: needs root and a tmpfs mount"
fi

if [ "$failures" -gt 0 ]; then
  echo "fault-checks: $failures check(s) FAILED"
  exit 1
fi
echo "fault-checks: all run checks passed"
