#!/usr/bin/env bash
# Kills `rnn train` with SIGKILL at random moments, many times in a row, and checks after every kill
# that nothing was lost: the model directory loads, and `rnn train --resume` continues from the last
# completed save.
#
# Usage: scripts/kill-test.sh [--kills N] [--min S] [--max S] [--stateful] [--after-start] [--in-save MS] [--keep]
#   --kills N     kills to survive in a row (default 50); runs that end on their own do not count
#   --min/--max   the random delay between starting a run and killing it, in seconds (0.2 and 3)
#   --stateful    train a stream model (carried state is saved mid-epoch too)
#   --after-start count every delay from the start of training (the short loop in mvn verify: each
#                 kill then lands among the saves, however slowly the JVM starts)
#   --in-save MS  aim kills inside saves: every file a save writes pauses MS milliseconds between its
#                 write and its sync and rename (-Drnn.savePauseMillis); after the random delay each
#                 round waits for a save's temporary file to appear and kills within that pause. The
#                 test then fails unless at least one kill left a save's temporary file behind
#   --keep        keep the work folder (it is kept anyway when a check fails)
#
# Each round starts `rnn train` (or `rnn train --resume DIR` once DIR/model.json exists) on a tiny
# model that saves every 3 steps and at every epoch end, sleeps a random time, sends kill -9, and then
# checks that the directory is in one of the two acceptable states. The random delay counts from the
# launch in half the rounds (so kills also land in JVM start-up, corpus reading and the first save)
# and from the moment training starts (the "model:" line on stderr) in the other half, so kills land
# among the saves even when a loaded machine makes start-up slower than the delay. The states:
#   A. no model.json: the kill came before the first save completed. Only allowed until a round has
#      seen model.json; the next round starts afresh (rnn train without --force).
#   B. model.json present: `rnn predict -m DIR` exits 0 with 5 ranked words; epochs_completed and
#      steps in model.json are not below the values seen after the previous kill; at most one
#      hidden temporary file of an unfinished save is left (the next run deletes it).
# A round whose run exits by itself with an error (for instance refused by the .lock a killed run
# left behind) fails the test. After the last kill one more resume runs to completion (+1 epoch)
# and must exit 0 with epochs_completed one higher. A kill that leaves a new temporary file behind
# landed inside a save (after the file was created, before its rename); the summary counts them.
#
# It runs a copy of target/rnn.jar and target/lib, so rebuilding meanwhile does not disturb it.
# Build first: mvn -B -q -ntp package -DskipTests
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"

kills=50
min=0.2
max=3
stateful=()
keep=0
after_start=0
save_pause=0
while [ $# -gt 0 ]; do
  case "$1" in
    --kills) kills="$2"; shift 2 ;;
    --min) min="$2"; shift 2 ;;
    --max) max="$2"; shift 2 ;;
    --stateful) stateful=(--stateful --batch-size 8); shift ;;
    --keep) keep=1; shift ;;
    --after-start) after_start=1; shift ;;
    --in-save) save_pause="$2"; shift 2 ;;
    *) echo "kill-test: unknown argument $1" >&2; exit 2 ;;
  esac
done

[ -f "$root/target/rnn.jar" ] || { echo "kill-test: build first: mvn -B -q -ntp package -DskipTests" >&2; exit 2; }
work="$(mktemp -d "${TMPDIR:-/tmp}/rnn-kill-test.XXXXXX")"
cp "$root/target/rnn.jar" "$work/" && cp -r "$root/target/lib" "$work/"
head -c 30000 "$root/corpora/sample.txt" > "$work/corpus.txt"
model="$work/model"
# In the scratch directory: the runs record themselves as the model trained last in ./models/.
cd "$work"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
rnn() { java ${RNN_JAVA_OPTS:-} -jar "$work/rnn.jar" "$@"; }
# Run in the background as "start ... &": exec makes $! the JVM itself, so kill -9 reaches it.
start() { exec java ${RNN_JAVA_OPTS:-} "-Drnn.savePauseMillis=$save_pause" -jar "$work/rnn.jar" "$@"; }

fail() {
  echo "kill-test: FAILED after $killed kills: $*" >&2
  echo "kill-test: work folder kept: $work" >&2
  ls -la "$model" >&2 2>/dev/null || true
  exit 1
}
field() { # field NAME: the integer NAME from model.json's progress
  grep -o "\"$1\" : [0-9]*" "$model/model.json" | head -1 | grep -o '[0-9]*$'
}

killed=0
rounds=0
in_save=0
previous_temporary=""
before_first_save=0
seen_model=0
last_epochs=0
last_steps=0
advanced=0
started=$(date +%s)
while [ "$killed" -lt "$kills" ]; do
  rounds=$((rounds + 1))
  if [ -f "$model/model.json" ]; then
    start train --resume "$model" --save-every 3 > /dev/null 2> "$work/stderr.txt" &
  else
    start train "$work/corpus.txt" -o "$model" --hidden 8 --embedding 4 --window 8 --stride 4 --epochs 100000 \
      --save-every 3 --validation-split 0.1 --patience 0 --seed 7 "${stateful[@]}" > /dev/null 2> "$work/stderr.txt" &
  fi
  pid=$!
  clock=launch
  if [ "$after_start" -eq 1 ] || [ $((RANDOM % 2)) -eq 1 ]; then
    clock=training
    for _ in $(seq 1200); do
      grep -q '^model: ' "$work/stderr.txt" 2> /dev/null && break
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.05
    done
  fi
  delay=$(awk -v min="$min" -v max="$max" -v r="$RANDOM" 'BEGIN { printf "%.2f", min + (max - min) * r / 32767 }')
  sleep "$delay"
  if [ "$save_pause" != 0 ]; then
    # Aim: wait for a file of a save to appear (one this run writes), then kill within its pause.
    for _ in $(seq 400); do
      now=$(find "$model" -maxdepth 1 -name '.*.tmp' -printf '%f ' 2> /dev/null || true)
      [ -z "$now" ] || [ "$now" = "$previous_temporary" ] || break
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.02
    done
    sleep "$(awk -v ms="$save_pause" -v r="$RANDOM" 'BEGIN { printf "%.3f", ms / 1000 * 0.5 * r / 32767 }')"
  fi
  if kill -9 "$pid" 2> /dev/null; then
    wait "$pid" 2> /dev/null || true
    killed=$((killed + 1))
  else
    status=0
    wait "$pid" || status=$?
    fail "the run ended by itself with status $status before the kill: $(cat "$work/stderr.txt")"
  fi

  leftovers=0
  temporary=""
  if [ -d "$model" ]; then
    leftovers=$(find "$model" -maxdepth 1 -name '.*.tmp' | wc -l)
    temporary=$(find "$model" -maxdepth 1 -name '.*.tmp' -printf '%f ')
  fi
  where=""
  # A temporary file this round created (not one an earlier kill left, which this run had not yet cleared).
  if [ -n "$temporary" ] && [ "$temporary" != "$previous_temporary" ]; then
    in_save=$((in_save + 1))
    where=" inside a save (${temporary% })"
  fi
  previous_temporary=$temporary
  if [ ! -f "$model/model.json" ]; then
    [ "$seen_model" -eq 0 ] || fail "model.json vanished after kill $killed (at ${delay}s)"
    before_first_save=$((before_first_save + 1))
    echo "kill $killed ${delay}s after $clock$where: no model saved yet (state A)"
    continue
  fi
  seen_model=1
  answer="$(rnn predict -m "$model" "the" 2> "$work/predict-stderr.txt")" \
    || fail "rnn predict failed after kill $killed (${delay}s after $clock): $(cat "$work/predict-stderr.txt")"
  [ "$(printf '%s\n' "$answer" | wc -l)" -eq 5 ] || fail "rnn predict gave no ranking after kill $killed: $answer"
  epochs=$(field epochs_completed)
  steps=$(field steps)
  [ "$epochs" -ge "$last_epochs" ] || fail "epochs_completed went back from $last_epochs to $epochs after kill $killed"
  [ "$steps" -ge "$last_steps" ] || fail "steps went back from $last_steps to $steps after kill $killed"
  [ "$leftovers" -le 1 ] || fail "$leftovers temporary files left after kill $killed"
  [ "$steps" -eq "$last_steps" ] || advanced=$((advanced + 1))
  echo "kill $killed ${delay}s after $clock$where: loads; epochs $epochs, steps $steps, temporary files $leftovers (state B)"
  last_epochs=$epochs
  last_steps=$steps
done

[ -f "$model/model.json" ] || fail "no kill came after the first save; try a larger --max"
# Kills that all land before any save would prove nothing.
[ "$advanced" -ge $((kills / 10)) ] || fail "only $advanced rounds saved anything before their kill; try a larger --max"
[ "$save_pause" = 0 ] || [ "$in_save" -ge 1 ] || fail "--in-save $save_pause: no kill landed inside a save"
target=$((last_epochs + 1))
rnn train --resume "$model" --epochs "$target" --quiet > /dev/null 2> "$work/stderr.txt" \
  || fail "the final resume failed: $(cat "$work/stderr.txt")"
[ "$(field epochs_completed)" -eq "$target" ] || fail "the final resume ended at epoch $(field epochs_completed), not $target"
rnn predict -m "$model" "the" > /dev/null || fail "the finished model does not load"
[ "$(find "$model" -maxdepth 1 -name '.*.tmp' | wc -l)" -eq 0 ] || fail "temporary files left after the final run"

echo "kill-test: passed: $killed kills in a row in $rounds rounds ($before_first_save before the first save;" \
  "in $advanced rounds the run had saved before its kill; $in_save kills landed inside a save)," \
  "$(( $(date +%s) - started )) s; the final resume completed epoch $target"
if [ "$keep" -eq 1 ]; then
  echo "kill-test: work folder kept: $work"
else
  rm -rf "$work"
fi
