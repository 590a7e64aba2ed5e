#!/usr/bin/env bash
# Benchmark of `ctlake put-events` against the local Lake, compared in the same run with the AWS CLI's
# `aws cloudtrail-data put-audit-events` sending the same events in 100-event calls.
#
# Usage: scripts/bench-put-events.sh [EVENTS [AWS_CLI_SAMPLE]]   (defaults: 1000000 and 20000)
# Needs: a release build (built here), python3, GNU time (/usr/bin/time) for peak RSS, and the AWS CLI (on
# PATH or in .venv, as scripts/test installs it). Everything runs on 127.0.0.1; nothing leaves the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

events=${1:-1000000}
sample=${2:-20000}
venv="${CTLAKE_VENV:-$PWD/.venv}"
export PATH="$venv/bin:$PATH"

profile=${CTLAKE_BENCH_PROFILE:-release}   # `debug` measures an existing debug build (a lower bound)
if [ "$profile" = release ]; then cargo build --release -p ctlake-cli >&2; fi
ctlake="$PWD/target/$profile/ctlake"
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

# An isolated AWS environment pointing at the local Lake (account 000000000000).
for v in $(env | grep -o '^AWS_[A-Z_]*' || true); do unset "$v"; done
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true

"$ctlake" local serve --port 0 --data-dir "$work/lake" > "$work/url" &
server=$!
for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.1; done
export AWS_ENDPOINT_URL=$(head -1 "$work/url")

channel=$("$ctlake" --output text enable-integration --name bench --create-event-data-store | cut -f1)

python3 - "$events" "$work/events.ndjson" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as f:
    for i in range(n):
        f.write(json.dumps({
            "version": "1.0",
            "userIdentity": {"type": "CustomUser", "principalId": f"user-{i % 997}@example.com",
                             "details": {"tenant": f"t-{i % 13}"}},
            "userAgent": "bench/1.0",
            "eventSource": "app.example.com",
            "eventName": ["user.login", "document.updated", "project.created"][i % 3],
            "eventTime": "2024-05-14T08:%02d:%02dZ" % (i // 60 % 60, i % 60),
            "UID": f"bench-{i}",
            "requestParameters": {"documentId": f"doc-{i}", "size": i % 5000, "tags": ["a", "b"]},
            "sourceIPAddress": "192.0.2.%d" % (i % 250 + 1),
            "recipientAccountId": "000000000000",
        }, separators=(",", ":")) + "\n")
PY
size=$(du -h "$work/events.ndjson" | cut -f1)

# ctlake: the whole file, peak RSS from GNU time.
/usr/bin/time -v "$ctlake" --output json --no-progress put-events "$work/events.ndjson" --channel-arn "$channel" \
  > "$work/summary.json" 2> "$work/time.txt"
ctlake_eps=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(round(s["accepted"]/s["elapsedSeconds"]))' "$work/summary.json")
accepted=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["accepted"])' "$work/summary.json")
rss_kb=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')

# The AWS CLI: the first $sample events, 100 per call, one process per call (how scripts use it).
python3 - "$work/events.ndjson" "$sample" "$work/batches" <<'PY'
import json, os, sys
src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out)
batch, k = [], 0
with open(src) as f:
    for i, line in zip(range(n), f):
        batch.append({"id": f"cli-{i}", "eventData": line.rstrip("\n")})
        if len(batch) == 100:
            json.dump(batch, open(f"{out}/{k:06d}.json", "w")); batch, k = [], k + 1
if batch:
    json.dump(batch, open(f"{out}/{k:06d}.json", "w"))
PY
start=$(date +%s.%N)
failed=0
for b in "$work"/batches/*.json; do
  n=$(aws cloudtrail-data put-audit-events --channel-arn "$channel" --audit-events "file://$b" \
    --query 'length(failed)' --output text)
  failed=$((failed + n))
done
end=$(date +%s.%N)
if [ "$failed" -ne 0 ]; then echo "bench-put-events: the AWS CLI had $failed failed entries" >&2; exit 1; fi
if [ "$accepted" -ne "$events" ]; then echo "bench-put-events: ctlake accepted $accepted of $events" >&2; exit 1; fi
awscli_eps=$(python3 -c "print(round($sample / ($end - $start)))")

cat <<REPORT
put-events benchmark ($profile build, local Lake on 127.0.0.1, $(nproc) cores)
  input:    $events events, NDJSON, $size
  ctlake:   $accepted accepted, $ctlake_eps events/s, peak RSS $((rss_kb / 1024)) MB
  AWS CLI:  $sample events in 100-event calls, $awscli_eps events/s ($(aws --version 2>&1 | cut -d' ' -f1))
  ratio:    $(python3 -c "print(round($ctlake_eps / $awscli_eps, 1))")x
REPORT
