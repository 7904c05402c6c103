#!/usr/bin/env bash
# Usage: with-cluster.sh COMMAND [ARGS...]
#
# Runs COMMAND against the test cluster: builds the binaries if their pins
# changed, brings the cluster up, runs COMMAND with WAVEC_TEST_KUBECONFIG set,
# brings the cluster down again whatever COMMAND did, and exits with
# COMMAND's exit code. A cluster that was already up is used and left up.
# Settings: see lib.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

(($# > 0)) || tc_die "usage: with-cluster.sh COMMAND [ARGS...]"

"$tc_scripts/build-tools.sh"

if "$tc_scripts/cluster-status.sh" >/dev/null 2>&1; then
	tc_log "using the cluster already running in $tc_dir (leaving it up)"
else
	# shellcheck disable=SC2317 # run by the trap
	down() {
		"$tc_scripts/cluster-down.sh" || tc_log "warning: cluster-down failed"
	}
	trap down EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	"$tc_scripts/cluster-up.sh"
fi

export WAVEC_TEST_KUBECONFIG=$tc_dir/kubeconfig
export WAVEC_CLUSTER_DIR WAVEC_TOOLS_BIN
start=$SECONDS
set +e
"$@"
rc=$?
set -e
tc_log "command exited with $rc after $((SECONDS - start)) s"
exit "$rc"
