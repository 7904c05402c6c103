#!/usr/bin/env bash
# Builds the test cluster's binaries into testcluster/bin, unless the
# binaries there were already built from the same pins: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler and kwok from the
# tools module, and hostpath-provisioner from its own module in
# tools/hostpath-provisioner. Each build has a stamp file recording a hash of
# everything that decides its result (the module's go.mod, go.sum and sources
# and the ldflags), so changing the provisioner does not rebuild Kubernetes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools=$(cd "$here/../tools" && pwd)
bin=${WAVEC_TOOLS_BIN:-$(cd "$here/.." && pwd)/bin}
binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

k8s_version=v1.37.2
ldflags="-s -w"
ldflags+=" -X k8s.io/component-base/version.gitVersion=$k8s_version"
ldflags+=" -X k8s.io/component-base/version.gitMajor=1"
ldflags+=" -X k8s.io/component-base/version.gitMinor=37"
ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$k8s_version"

stamp_of() {
	{
		cat "$tools/go.mod" "$tools/go.sum" "$tools/etcd/main.go"
		printf '%s\n' "$ldflags"
	} | sha256sum | cut -d' ' -f1
}

up_to_date() {
	[[ -f "$bin/.stamp" && "$(cat "$bin/.stamp")" == "$want" ]] || return 1
	local b
	for b in "${binaries[@]}"; do
		[[ -x "$bin/$b" ]] || return 1
	done
}

want=$(stamp_of)
mkdir -p "$bin"

# Two builds at once (two checkouts of the cluster coming up together) would
# only compete for the two cores; the second waits and then finds it done.
exec 9>"$bin/.lock"
flock 9

provisioner=$tools/hostpath-provisioner
provisioner_ldflags="-s -w"
provisioner_stamp_of() {
	{
		cat "$provisioner/go.mod" "$provisioner/go.sum" "$provisioner"/*.go
		printf '%s\n' "$provisioner_ldflags"
	} | sha256sum | cut -d' ' -f1
}
provisioner_want=$(provisioner_stamp_of)

# build_provisioner builds hostpath-provisioner unless it is up to date.
build_provisioner() {
	if [[ -f "$bin/.stamp-provisioner" && "$(cat "$bin/.stamp-provisioner")" == "$provisioner_want" &&
		-x "$bin/hostpath-provisioner" ]]; then
		echo "build-tools: hostpath-provisioner in $bin is up to date"
		return 0
	fi
	echo "build-tools: building hostpath-provisioner into $bin"
	local start tmp
	start=$(date +%s)
	tmp=$(mktemp -d "$bin/.build.XXXXXX")
	(
		cd "$provisioner"
		GOFLAGS=-buildvcs=false GOWORK=off go build -ldflags "$provisioner_ldflags" -o "$tmp/" .
	) || {
		rm -rf "$tmp"
		return 1
	}
	rm -f "$bin/.stamp-provisioner"
	mv -f "$tmp/hostpath-provisioner" "$bin/hostpath-provisioner"
	rm -rf "$tmp"
	echo "$provisioner_want" >"$bin/.stamp-provisioner"
	echo "build-tools: hostpath-provisioner done in $(($(date +%s) - start)) s"
}
build_provisioner

if up_to_date; then
	echo "build-tools: binaries in $bin are up to date"
	exit 0
fi

echo "build-tools: building ${binaries[*]} into $bin (about 15 minutes with a cold build cache)"
start=$(date +%s)
tmp=$(mktemp -d "$bin/.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(
	cd "$tools"
	GOFLAGS=-buildvcs=false GOWORK=off go build -ldflags "$ldflags" -o "$tmp/" tool
)
rm -f "$bin/.stamp"
for b in "${binaries[@]}"; do
	mv -f "$tmp/$b" "$bin/$b"
done
echo "$want" >"$bin/.stamp"
echo "build-tools: done in $(($(date +%s) - start)) s"
