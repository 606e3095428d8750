#!/usr/bin/env bash
# Drives rnn serve's page in a real headless Chromium, as a person would: types "Mary had a little"
# key by key, checks that "lamb" is among the suggested next words, clicks it, streams a generated
# continuation with the Generate button, and saves screenshots. Stops everything it started.
#
# Needs: Debian's chromium (installed with apt-get if missing; root), node >= 18 and npm (for
# playwright-core, installed under target/check-serve-page/, never committed). The model is trained
# from corpora/sample.txt (20 epochs, about 30 s) unless --model DIR is given.
#
# Usage: scripts/check-serve-page.sh [--model DIR] [--out DIR]
#   --out DIR  where the screenshots go (default target/check-serve-page)
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$root"

work="target/check-serve-page"
out="$work"
model=""
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "check-serve-page: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
mkdir -p "$work" "$out"

if ! command -v chromium >/dev/null; then
  echo "check-serve-page: installing Debian's chromium" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "check-serve-page: chromium is missing; install it as root: apt-get install -y chromium" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
fi
# Debian's /usr/bin/chromium is a wrapper script; the browser itself sits beside it.
browser=/usr/lib/chromium/chromium
[ -x "$browser" ] || browser="$(command -v chromium)"
command -v node >/dev/null || { echo "check-serve-page: node (>= 18) is needed" >&2; exit 1; }
if [ ! -f "$work/node/node_modules/playwright-core/package.json" ]; then
  echo "check-serve-page: installing playwright-core into $work/node" >&2
  mkdir -p "$work/node"
  (cd "$work/node" && npm install --no-audit --no-fund --silent --prefix . playwright-core@1.65.1 >/dev/null)
fi

[ -f target/rnn.jar ] || mvn -q -B -ntp package -DskipTests
if [ -z "$model" ]; then
  model="$work/model"
  echo "check-serve-page: training $model from corpora/sample.txt" >&2
  bin/rnn train corpora/sample.txt -o "$model" --force --quiet
fi

server_pid=""
driver_pid=""
user_data="$(mktemp -d)"
cleanup() {
  # The driver closes Chromium itself; if it failed, its process group (node and the browser) goes.
  if [ -n "$driver_pid" ]; then
    kill -TERM -- "-$driver_pid" 2>/dev/null || true
  fi
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$user_data"
}
trap cleanup EXIT

bin/rnn serve -m "$model" --port 0 2> "$work/serve.log" &
server_pid=$!
url=""
for _ in $(seq 1 600); do
  url="$(sed -n 's/^rnn serve: model .* at \(http:[^ ]*\) (Ctrl-C stops)$/\1/p' "$work/serve.log")"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "check-serve-page: the server did not start" >&2; exit 1; }
echo "check-serve-page: server at $url, browser $browser" >&2

cat > "$work/drive.mjs" <<'JS'
import { createRequire } from "node:module";
const require = createRequire(process.env.PLAYWRIGHT_HOME + "/");
const { chromium } = require("playwright-core");
const [url, browserPath, userData, out] = process.argv.slice(2);

const context = await chromium.launchPersistentContext(userData, {
  executablePath: browserPath, headless: true, viewport: { width: 900, height: 760 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const problems = [];
try {
  const page = context.pages()[0] || await context.newPage();
  page.on("console", m => { if (m.type() === "error") problems.push("console: " + m.text()); });
  page.on("pageerror", e => problems.push("page error: " + e.message));
  // Typing aborts the suggestion request the previous key started (net::ERR_ABORTED): not a failure.
  page.on("requestfailed", r => { if (r.failure()?.errorText !== "net::ERR_ABORTED") problems.push(
    "request failed: " + r.url() + " " + r.failure()?.errorText); });
  await page.goto(url);
  await page.click("#text");
  await page.keyboard.type("Mary had a little", { delay: 70 });
  const lamb = page.locator('#suggestions button[data-token="lamb"]');
  await lamb.waitFor({ timeout: 20000 });
  const suggestions = await page.$$eval("#suggestions button", buttons => buttons.map(b =>
    b.dataset.token + " " + b.querySelector(".probability").textContent));
  await page.screenshot({ path: out + "/suggestions.png" });
  await lamb.click();
  await page.waitForFunction(() => document.getElementById("text").value === "Mary had a little lamb");
  const current = () => document.getElementById("suggestions").dataset.context === document.getElementById("text").value;
  await page.waitForFunction(current);  // the suggestions that follow "lamb"
  const afterClick = await page.$$eval("#suggestions button", buttons => buttons.map(b => b.dataset.token));
  await page.screenshot({ path: out + "/after-click.png" });
  await page.fill("#words", "25");
  await page.click("#generate");
  await page.waitForFunction(() => /^generated \d+ tokens$/.test(document.getElementById("status").textContent),
    null, { timeout: 30000 });
  const generated = await page.inputValue("#text");
  await page.waitForFunction(current);
  const status = await page.textContent("#status");
  if (!/^generated \d+ tokens$/.test(status)) problems.push("the status line lost the outcome: " + JSON.stringify(status));
  await page.screenshot({ path: out + "/generated.png" });
  if (!generated.startsWith("Mary had a little lamb") || generated.length <= "Mary had a little lamb".length) {
    problems.push("the generated text does not continue the prime: " + JSON.stringify(generated));
  }
  console.log(JSON.stringify({ suggestions, lamb_suggested: true, after_click: afterClick, generated,
    screenshots: ["suggestions.png", "after-click.png", "generated.png"].map(f => out + "/" + f), problems }));
} finally {
  await context.close();
}
process.exit(problems.length ? 1 : 0);
JS

PLAYWRIGHT_HOME="$root/$work/node/node_modules" setsid timeout 120 node "$work/drive.mjs" "$url" "$browser" \
  "$user_data" "$(cd "$out" && pwd)" &
driver_pid=$!
status=0
wait "$driver_pid" || status=$?
driver_pid=""
exit "$status"
