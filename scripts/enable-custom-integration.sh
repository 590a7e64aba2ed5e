#!/usr/bin/env bash
# Sets up (or checks) a custom CloudTrail Lake integration with ctlake: an event data store, a Custom channel
# and a channel-policy statement for the publisher. Idempotent: run it again and nothing changes.
#
# Usage: scripts/enable-custom-integration.sh NAME [PRINCIPAL_ACCOUNT_OR_ARN [EXTERNAL_ID]]
#   NAME       the integration (channel) name
#   PRINCIPAL  who publishes (default: this account); a vendor's account ID for a cross-account publisher
#   EXTERNAL_ID the vendor's external ID (generated and printed when a cross-account principal has none)
# Environment: the AWS CLI's (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...); EVENT_DATA_STORE=ID|ARN|NAME
# reuses that store instead of finding or creating one.
#
# Prints the hand-off bundle as JSON and writes it to integration-NAME.json: give the channel ARN and the
# external ID to the publisher.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  sed -n '5,9p' "$0" >&2
  exit 2
fi
command -v ctlake >/dev/null || { echo "$0: ctlake is not on PATH (cargo install --path cli)" >&2; exit 2; }

name=$1
args=(--output json enable-integration --name "$name" --source Custom)
[ $# -ge 2 ] && args+=(--principal "$2")
[ $# -ge 3 ] && args+=(--external-id "$3")
if [ -n "${EVENT_DATA_STORE:-}" ]; then
  args+=(--event-data-store "$EVENT_DATA_STORE")
else
  args+=(--create-event-data-store)
fi

ctlake "${args[@]}" | tee "integration-$name.json"
