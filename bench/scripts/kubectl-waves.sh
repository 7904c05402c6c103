#!/usr/bin/env bash
# Usage: kubectl-waves.sh DIR NAMESPACE
#
# The loop people write when they order a release by hand instead of with
# Argo CD: for each step file of DIR in lexical order (the generator names
# them s000-presync-wave-1.yaml, s001-..., so that this is sync order),
# `kubectl apply` it, then `kubectl wait` until its Deployments are Available
# and its Jobs Complete, then go on with the next. KUBECTL names the kubectl
# binary (default: kubectl on PATH).
set -euo pipefail

dir=$1 ns=$2
kubectl=${KUBECTL:-kubectl}
timeout=${WAIT_TIMEOUT:-15m}

"$kubectl" create namespace "$ns"
for f in "$dir"/s[0-9]*.yaml; do
	deployments=() jobs=()
	while read -r name; do
		case $name in
		deployment.apps/*) deployments+=("$name") ;;
		job.batch/*) jobs+=("$name") ;;
		esac
	done < <("$kubectl" apply -n "$ns" -f "$f" -o name)
	if ((${#deployments[@]} > 0)); then
		"$kubectl" wait -n "$ns" --for=condition=Available --timeout="$timeout" "${deployments[@]}" >/dev/null
	fi
	if ((${#jobs[@]} > 0)); then
		"$kubectl" wait -n "$ns" --for=condition=Complete --timeout="$timeout" "${jobs[@]}" >/dev/null
	fi
done
