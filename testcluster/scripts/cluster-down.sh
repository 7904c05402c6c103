#!/usr/bin/env bash
# Stops the test cluster in $WAVEC_CLUSTER_DIR: exactly the processes its PID
# files name (and only while their command lines show they belong to this
# cluster), then removes the directory. Settings: see lib.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ! -d "$tc_dir" ]]; then
	tc_log "no cluster in $tc_dir"
	exit 0
fi
start=$SECONDS
tc_lock
tc_stop_all
rm -rf "$tc_dir"
tc_log "down in $((SECONDS - start)) s; removed $tc_dir"
