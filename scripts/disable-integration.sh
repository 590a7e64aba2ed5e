#!/usr/bin/env bash
# Removes an integration set up with ctlake: the publisher's statement from the channel policy, and with
# --delete-channel the channel. Run it again and nothing changes.
#
# Usage: scripts/disable-integration.sh CHANNEL_ARN [--delete-channel] [--principal ACCOUNT_OR_ARN]...
#        [--delete-event-data-store --yes]
# Environment: the AWS CLI's (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...).
# The event data store is deleted only with --delete-channel --delete-event-data-store --yes; it then stays
# PENDING_DELETION for 7 days (restorable) before it is gone.
set -euo pipefail

if [ $# -lt 1 ]; then
  sed -n '5,6p' "$0" >&2
  exit 2
fi
command -v ctlake >/dev/null || { echo "$0: ctlake is not on PATH (cargo install --path cli)" >&2; exit 2; }

channel=$1
shift
ctlake --output json disable-integration --channel "$channel" "$@"
