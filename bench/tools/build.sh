#!/usr/bin/env bash
# Builds the benchmark peers (helm, kubectl, kustomize) from the pinned tools
# module into bench/.tools/bin, unless the binaries there were built from the
# same pins. The stamp records a hash of go.mod, go.sum and the ldflags.
# Cold, this takes about as long as the test cluster's build (the Kubernetes
# packages dominate); with the test cluster's build cache warm it is mostly
# Helm and linking. Settings: WAVEC_BENCH_TOOLS (default bench/.tools).
#
# Usage: build.sh [helm|kubectl|kustomize]...   (default: all three). CI
# builds only helm and kustomize, which the importer's tests render public
# charts and overlays with.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${WAVEC_BENCH_TOOLS:-$(cd "$here/.." && pwd)/.tools}
bin=$root/bin
declare -A package_of=(
	[helm]=helm.sh/helm/v3/cmd/helm
	[kubectl]=k8s.io/kubernetes/cmd/kubectl
	[kustomize]=sigs.k8s.io/kustomize/kustomize/v5
)
binaries=(helm kubectl kustomize)
if (($# > 0)); then
	binaries=("$@")
fi
packages=()
for b in "${binaries[@]}"; do
	[[ -n "${package_of[$b]:-}" ]] || { echo "bench tools: no tool $b (helm, kubectl, kustomize)" >&2; exit 2; }
	packages+=("${package_of[$b]}")
done

helm_version=v3.22.0
k8s_version=v1.37.2
kustomize_version=v5.8.1
ldflags="-s -w"
ldflags+=" -X helm.sh/helm/v3/internal/version.version=$helm_version"
ldflags+=" -X k8s.io/component-base/version.gitVersion=$k8s_version"
ldflags+=" -X k8s.io/component-base/version.gitMajor=1"
ldflags+=" -X k8s.io/component-base/version.gitMinor=37"
ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$k8s_version"
ldflags+=" -X sigs.k8s.io/kustomize/api/provenance.version=$kustomize_version"

want=$({
	cat "$here/go.mod" "$here/go.sum"
	printf '%s\n' "$ldflags"
} | sha256sum | cut -d' ' -f1)

up_to_date() {
	[[ -f "$bin/.stamp" && "$(cat "$bin/.stamp")" == "$want" ]] || return 1
	local b
	for b in "${binaries[@]}"; do
		[[ -x "$bin/$b" ]] || return 1
	done
}

mkdir -p "$bin"
exec 9>"$bin/.lock"
flock 9

if up_to_date; then
	echo "bench tools: ${binaries[*]} in $bin are up to date" >&2
	exit 0
fi

echo "bench tools: building ${binaries[*]} into $bin" >&2
start=$(date +%s)
tmp=$(mktemp -d "$bin/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(
	cd "$here"
	GOFLAGS=-buildvcs=false GOWORK=off go build -ldflags "$ldflags" -o "$tmp/" "${packages[@]}"
)
if [[ ! -f "$bin/.stamp" || "$(cat "$bin/.stamp")" != "$want" ]]; then
	# Tools not built now were built from other pins: remove them.
	for b in "${!package_of[@]}"; do
		rm -f "$bin/$b"
	done
fi
rm -f "$bin/.stamp"
for b in "${binaries[@]}"; do
	mv -f "$tmp/$b" "$bin/$b"
done
echo "$want" >"$bin/.stamp"
echo "$(($(date +%s) - start))" >"$bin/.build-seconds"
echo "bench tools: built in $(($(date +%s) - start)) s" >&2
