#!/usr/bin/env bash
# Succeeds if the test cluster in $WAVEC_CLUSTER_DIR is up (all components
# running and the kubeconfig written), and prints its components' PIDs.
# Settings: see lib.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

up=true
for name in "${tc_components[@]}"; do
	if tc_component_alive "$name"; then
		printf '%-24s running, pid %s\n' "$name" "$(tc_pid "$name")"
	else
		printf '%-24s not running\n' "$name"
		up=false
	fi
done
if [[ ! -s "$tc_dir/kubeconfig" ]]; then
	up=false
fi
if $up; then
	echo "up: kubeconfig $tc_dir/kubeconfig"
else
	echo "not up ($tc_dir)"
	exit 1
fi
