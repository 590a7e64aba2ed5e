#!/usr/bin/env bash
# The custom-integration setup of enable-custom-integration.sh for users without ctlake: the AWS CLI (v1 or
# v2) and python3 only. Idempotent: it finds what exists (list-then-create) and merges its policy statement
# into the channel's resource policy, keeping every other statement.
#
# Usage: scripts/enable-custom-integration-awscli.sh NAME PRINCIPAL_ACCOUNT [EXTERNAL_ID]
# Environment: the AWS CLI's (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...).
# Prints the channel ARN, the account (recipientAccountId), the Region, the external ID and the event data
# store ARN, tab-separated on one line.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  sed -n '5,6p' "$0" >&2
  exit 2
fi
command -v aws >/dev/null || { echo "$0: the AWS CLI (aws) is not on PATH" >&2; exit 2; }
command -v python3 >/dev/null || { echo "$0: python3 is needed to merge the channel policy" >&2; exit 2; }

name=$1 principal=$2 external_id=${3:-}
case $principal in
  arn:*) principal_arn=$principal ;;
  *) principal_arn="arn:aws:iam::$principal:root" ;;
esac
sid="Ctlake$(printf '%s' "$name" | python3 -c 'import re,sys; print("".join(p[:1].upper()+p[1:] for p in re.split(r"[^A-Za-z0-9]+", sys.stdin.read()) if p))')"

# 1. The event data store: one named NAME that selects ActivityAuditLog events, or a new one.
eds=$(aws cloudtrail list-event-data-stores --query "EventDataStores[?Name=='$name'].EventDataStoreArn | [0]" --output text)
if [ -z "$eds" ] || [ "$eds" = "None" ]; then
  eds=$(aws cloudtrail create-event-data-store --name "$name" --retention-period 90 --no-multi-region-enabled \
    --advanced-event-selectors '[{"Name":"Select all external events","FieldSelectors":[{"Field":"eventCategory","Equals":["ActivityAuditLog"]}]}]' \
    --query EventDataStoreArn --output text)
  echo "created event data store $eds" >&2
fi

# 2. The channel named NAME.
channel=$(aws cloudtrail list-channels --query "Channels[?Name=='$name'].ChannelArn | [0]" --output text)
if [ -z "$channel" ] || [ "$channel" = "None" ]; then
  channel=$(aws cloudtrail create-channel --name "$name" --source Custom \
    --destinations "[{\"Type\":\"EVENT_DATA_STORE\",\"Location\":\"$eds\"}]" --query ChannelArn --output text)
  echo "created channel $channel" >&2
fi

# 3. The policy statement, merged into whatever policy the channel has.
current=$(aws cloudtrail get-resource-policy --resource-arn "$channel" --query ResourcePolicy --output text 2>/dev/null || true)
merged=$(CURRENT="$current" SID="$sid" PRINCIPAL="$principal_arn" CHANNEL="$channel" EXTERNAL_ID="$external_id" python3 - <<'PY'
import json, os
current = os.environ["CURRENT"].strip()
doc = json.loads(current) if current and current != "None" else {"Version": "2012-10-17", "Statement": []}
statements = doc.get("Statement", [])
if isinstance(statements, dict):
    statements = [statements]
ours = {"Sid": os.environ["SID"], "Effect": "Allow", "Principal": {"AWS": [os.environ["PRINCIPAL"]]},
        "Action": "cloudtrail-data:PutAuditEvents", "Resource": os.environ["CHANNEL"]}
if os.environ["EXTERNAL_ID"]:
    ours["Condition"] = {"StringEquals": {"cloudtrail:ExternalId": os.environ["EXTERNAL_ID"]}}
others = [s for s in statements if s.get("Sid") != ours["Sid"]]
if any(s.get("Sid") == ours["Sid"] for s in statements) and ours in statements:
    print("")  # Already there: nothing to put.
else:
    if len(others) >= 20:
        raise SystemExit("the channel policy already has 20 statements (the AWS limit)")
    print(json.dumps({"Version": "2012-10-17", "Statement": others + [ours]}))
PY
)
if [ -n "$merged" ]; then
  aws cloudtrail put-resource-policy --resource-arn "$channel" --resource-policy "$merged" >/dev/null
  echo "channel policy: statement $sid allows $principal_arn" >&2
else
  echo "channel policy: unchanged" >&2
fi

account=$(printf '%s' "$channel" | cut -d: -f5)
region=$(printf '%s' "$channel" | cut -d: -f4)
printf '%s\t%s\t%s\t%s\t%s\n' "$channel" "$account" "$region" "${external_id:-None}" "$eds"
