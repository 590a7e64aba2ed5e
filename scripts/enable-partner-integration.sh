#!/usr/bin/env bash
# Sets up (or checks) a partner CloudTrail Lake integration with ctlake: an event data store, the partner's
# channel (one per partner source) and a channel-policy statement for the partner's account with the
# external ID the partner gave you. Idempotent.
#
# Usage: scripts/enable-partner-integration.sh SOURCE PARTNER_ACCOUNT EXTERNAL_ID [NAME]
#   SOURCE      the partner's channel source (e.g. GitHub, OktaSystemLogEvents, IBMMulticloud, CrowdStrike)
#   PARTNER_ACCOUNT the partner's AWS account ID (or an IAM ARN)
#   EXTERNAL_ID the external ID the partner supplied
#   NAME        channel name when the channel is created (default: the source in lower case)
# Environment: the AWS CLI's (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...); EVENT_DATA_STORE=ID|ARN|NAME.
#
# Prints the hand-off bundle as JSON and writes it to integration-NAME.json.
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  sed -n '6,10p' "$0" >&2
  exit 2
fi
command -v ctlake >/dev/null || { echo "$0: ctlake is not on PATH (cargo install --path cli)" >&2; exit 2; }

source=$1 partner=$2 external_id=$3
name=${4:-$(printf '%s' "$source" | tr '[:upper:]' '[:lower:]')}
args=(--output json enable-integration --name "$name" --source "$source" --principal "$partner"
  --external-id "$external_id")
if [ -n "${EVENT_DATA_STORE:-}" ]; then
  args+=(--event-data-store "$EVENT_DATA_STORE")
else
  args+=(--create-event-data-store)
fi

ctlake "${args[@]}" | tee "integration-$name.json"
