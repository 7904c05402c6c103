#!/usr/bin/env bash
# Starts the local test cluster: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok and hostpath-provisioner as plain processes on
# 127.0.0.1, plus fake nodes and two StorageClasses: "standard" (the default,
# Immediate binding) and "wait-for-first-consumer". Returns once a node is
# Ready and the default ServiceAccount exists; the admin kubeconfig is then at
# $WAVEC_CLUSTER_DIR/kubeconfig.
#
# If the cluster in $WAVEC_CLUSTER_DIR is already running, it says so and
# starts nothing. Settings: see lib.sh.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

tc_require_commands openssl curl jq flock setsid base64 sha256sum
for name in "${tc_components[@]}"; do
	[[ -x "$tc_bin/$name" ]] || tc_die "$tc_bin/$name is missing; build the binaries with 'make cluster-tools'"
done

start=$SECONDS
tc_lock

running=()
for name in "${tc_components[@]}"; do
	tc_component_alive "$name" && running+=("$name")
done
if ((${#running[@]} == ${#tc_components[@]})) && [[ -s "$tc_dir/kubeconfig" ]]; then
	tc_log "already running in $tc_dir (API server https://127.0.0.1:$(cat "$tc_dir/apiserver-port" 2>/dev/null || echo '?'))"
	exit 0
fi
if ((${#running[@]} > 0)); then
	tc_log "found a partial cluster (${running[*]}); stopping it and starting afresh"
	tc_stop_all
fi

# A fresh start: nothing of a previous run is reused.
find "$tc_dir" -mindepth 1 -maxdepth 1 ! -name .lock ! -name .wavec-test-cluster -exec rm -rf {} +
mkdir -p "$tc_dir/pids" "$tc_dir/pki"

for port in "$WAVEC_ETCD_PORT" "$WAVEC_ETCD_PEER_PORT" "$WAVEC_APISERVER_PORT"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		tc_die "port $port on 127.0.0.1 is in use; choose others with WAVEC_ETCD_PORT, WAVEC_ETCD_PEER_PORT, WAVEC_APISERVER_PORT"
	fi
done
echo "$WAVEC_APISERVER_PORT" >"$tc_dir/apiserver-port"

# --- PKI -------------------------------------------------------------------
pki=$tc_dir/pki

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# sign NAME SUBJECT EXTENSIONS: a key and a certificate signed by the CA.
sign() {
	local name=$1 subject=$2 ext=$3
	new_key "$pki/$name.key"
	openssl req -new -key "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr"
	printf '%b\n' "$ext" >"$pki/$name.ext"
	openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
		-set_serial "0x$(openssl rand -hex 16)" -days 365 -extfile "$pki/$name.ext" \
		-out "$pki/$name.crt" 2>/dev/null
	rm -f "$pki/$name.csr" "$pki/$name.ext"
}

new_key "$pki/ca.key"
openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=wavec-test-cluster-ca" -days 365 \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
	-out "$pki/ca.crt"

client_ext='basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth'
sign apiserver "/CN=kube-apiserver" \
	'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local'
sign admin "/O=system:masters/CN=wavec-admin" "$client_ext"
# With --use-service-account-credentials=false every controller acts as the
# controller manager itself, which the system:kube-controller-manager role
# does not allow: it needs the controllers' permissions together.
sign kube-controller-manager "/O=system:masters/CN=system:kube-controller-manager" "$client_ext"
sign kube-scheduler "/CN=system:kube-scheduler" "$client_ext"
# kwok plays every kubelet and edits Node and Pod status freely.
sign kwok "/O=system:masters/CN=kwok-controller" "$client_ext"
# The provisioner watches claims, volumes and classes, writes volumes and
# events and patches claims.
sign hostpath-provisioner "/O=system:masters/CN=hostpath-provisioner" "$client_ext"
new_key "$pki/service-account.key"
openssl pkey -in "$pki/service-account.key" -pubout -out "$pki/service-account.pub"

# kubeconfig NAME FILE: a kubeconfig with the client certificate NAME.
kubeconfig() {
	cat >"$2" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: wavec-test
  cluster:
    server: https://127.0.0.1:$WAVEC_APISERVER_PORT
    certificate-authority-data: $(base64 -w0 <"$pki/ca.crt")
users:
- name: $1
  user:
    client-certificate-data: $(base64 -w0 <"$pki/$1.crt")
    client-key-data: $(base64 -w0 <"$pki/$1.key")
contexts:
- name: wavec-test
  context:
    cluster: wavec-test
    user: $1
current-context: wavec-test
EOF
}
for name in kube-controller-manager kube-scheduler kwok hostpath-provisioner; do
	kubeconfig "$name" "$tc_dir/$name.kubeconfig"
done

# --- processes -------------------------------------------------------------

# fail MESSAGE [COMPONENT]: says what went wrong, shows the end of the
# component's log, stops whatever was started and exits. The logs stay in the
# directory for a closer look; cluster-down removes them.
fail() {
	tc_log "error: $1"
	if [[ -n "${2:-}" && -f "$tc_dir/$2.log" ]]; then
		tc_log "last lines of $tc_dir/$2.log:"
		tail -n 25 "$tc_dir/$2.log" | cut -c1-400 | sed 's/^/    /' >&2
	fi
	tc_stop_all
	exit 1
}

# launch NAME ARGS...: starts component NAME in its own session (so a Ctrl-C
# meant for the caller does not reach it), logging to NAME.log. The process
# writes its own PID, then becomes the component: the PID file is exact.
launch() {
	local name=$1
	shift
	# shellcheck disable=SC2016 # expanded by the inner shell
	setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' launch "$(tc_pidfile "$name")" "$tc_bin/$name" "$@" \
		</dev/null >"$tc_dir/$name.log" 2>&1 9>&- &
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -s "$(tc_pidfile "$name")" ]] && return 0
		sleep 0.02
	done
	fail "$name did not start" "$name"
}

deadline=$((start + WAVEC_CLUSTER_TIMEOUT))

# wait_for WHAT COMPONENT CHECK...: runs CHECK until it succeeds, while
# COMPONENT (and the others started so far) keep running.
wait_for() {
	local what=$1 component=$2 name
	shift 2
	until "$@" >/dev/null 2>&1; do
		for name in "${tc_components[@]}"; do
			if [[ -e "$(tc_pidfile "$name")" ]] && ! tc_component_alive "$name"; then
				fail "$name exited while waiting for $what" "$name"
			fi
		done
		((SECONDS < deadline)) || fail "timed out after ${WAVEC_CLUSTER_TIMEOUT}s waiting for $what" "$component"
		sleep 0.1
	done
}

etcd_url=http://127.0.0.1:$WAVEC_ETCD_PORT
peer_url=http://127.0.0.1:$WAVEC_ETCD_PEER_PORT
# --unsafe-no-fsync: the data is thrown away with the cluster, and fsync is
# most of etcd's latency on a shared disk.
launch etcd \
	--name=wavec-test \
	--data-dir="$tc_dir/etcd" \
	--listen-client-urls="$etcd_url" --advertise-client-urls="$etcd_url" \
	--listen-peer-urls="$peer_url" --initial-advertise-peer-urls="$peer_url" \
	--initial-cluster="wavec-test=$peer_url" --initial-cluster-state=new \
	--auto-compaction-retention=1 \
	--unsafe-no-fsync
etcd_healthy() { curl --silent --fail --max-time 2 "$etcd_url/health" | grep -q '"health":"true"'; }
wait_for "etcd to be healthy" etcd etcd_healthy

# Without --endpoint-reconciler-type=none, a loopback advertise address makes
# the API server exit.
launch kube-apiserver \
	--etcd-servers="$etcd_url" \
	--bind-address=127.0.0.1 --advertise-address=127.0.0.1 \
	--endpoint-reconciler-type=none \
	--secure-port="$WAVEC_APISERVER_PORT" \
	--cert-dir="$pki" \
	--tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
	--client-ca-file="$pki/ca.crt" \
	--service-account-issuer=https://kubernetes.default.svc.cluster.local \
	--service-account-key-file="$pki/service-account.pub" \
	--service-account-signing-key-file="$pki/service-account.key" \
	--service-cluster-ip-range=10.96.0.0/16 \
	--authorization-mode=RBAC \
	--audit-policy-file="$tc_home/audit-policy.yaml" \
	--audit-log-path="$tc_dir/audit.log" \
	--profiling=false
apiserver_ready() { [[ "$(tc_curl /readyz)" == ok ]]; }
wait_for "the API server to be ready" kube-apiserver apiserver_ready

# The node lifecycle controller marks a node NotReady when its lease is not
# renewed within the grace period (50 s by default); on a loaded 2-core
# machine kwok's heartbeats can fall that far behind, and every Pod on the
# node then turns unready. The fake nodes never really fail, so wait an hour.
launch kube-controller-manager \
	--kubeconfig="$tc_dir/kube-controller-manager.kubeconfig" \
	--leader-elect=false --secure-port=0 \
	--root-ca-file="$pki/ca.crt" \
	--service-account-private-key-file="$pki/service-account.key" \
	--use-service-account-credentials=false \
	--controllers='*' \
	--kube-api-qps=200 --kube-api-burst=400 \
	--node-monitor-grace-period=1h

launch kube-scheduler \
	--kubeconfig="$tc_dir/kube-scheduler.kubeconfig" \
	--leader-elect=false --secure-port=0

# kwok gets only Stage documents: a KwokConfiguration document in --config
# would drop its defaults, so its options are flags.
launch kwok \
	--kubeconfig="$tc_dir/kwok.kubeconfig" \
	--config="$tc_home/stages.yaml" \
	--manage-all-nodes=true \
	--cidr=10.244.0.0/16 \
	--node-ip=127.0.0.1

# Volumes are directories under volumes/; the fake nodes run nothing, so a
# directory here serves every node.
launch hostpath-provisioner \
	--kubeconfig="$tc_dir/hostpath-provisioner.kubeconfig" \
	--root="$tc_dir/volumes" \
	--name=testcluster.wavec.io/hostpath

# --- storage classes ---------------------------------------------------------
# storage_class_json NAME BINDING_MODE DEFAULT
storage_class_json() {
	jq -n --arg name "$1" --arg mode "$2" --arg default "$3" '{
		apiVersion: "storage.k8s.io/v1", kind: "StorageClass",
		metadata: {name: $name, annotations: {"storageclass.kubernetes.io/is-default-class": $default}},
		provisioner: "testcluster.wavec.io/hostpath",
		reclaimPolicy: "Delete",
		volumeBindingMode: $mode
	}'
}
create_storage_class() {
	local code
	code=$(storage_class_json "$@" | tc_curl /apis/storage.k8s.io/v1/storageclasses -X POST \
		-H 'Content-Type: application/json' --data-binary @- -o "$tc_dir/class.out" -w '%{http_code}') || code=000
	[[ "$code" == 201 || "$code" == 409 ]] || fail "creating StorageClass $1: HTTP $code: $(cat "$tc_dir/class.out" 2>/dev/null)" kube-apiserver
	rm -f "$tc_dir/class.out"
}
create_storage_class standard Immediate true
create_storage_class wait-for-first-consumer WaitForFirstConsumer false

# --- nodes -----------------------------------------------------------------
node_json() {
	jq -n --arg name "$1" '{
		apiVersion: "v1", kind: "Node",
		metadata: {
			name: $name,
			annotations: {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
			labels: {
				"kubernetes.io/hostname": $name, "kubernetes.io/os": "linux",
				"kubernetes.io/arch": "amd64", "type": "kwok"
			}
		},
		status: {
			capacity: {cpu: "32", memory: "256Gi", pods: "110"},
			allocatable: {cpu: "32", memory: "256Gi", pods: "110"}
		}
	}'
}
nodes=()
for ((i = 0; i < WAVEC_CLUSTER_NODES; i++)); do
	nodes+=("wavec-node-$i")
	code=$(node_json "wavec-node-$i" | tc_curl /api/v1/nodes -X POST -H 'Content-Type: application/json' \
		--data-binary @- -o "$tc_dir/node.out" -w '%{http_code}') || code=000
	[[ "$code" == 201 || "$code" == 409 ]] || fail "creating node wavec-node-$i: HTTP $code: $(cat "$tc_dir/node.out" 2>/dev/null)" kube-apiserver
done
rm -f "$tc_dir/node.out"

node_ready() {
	[[ "$(tc_curl "/api/v1/nodes/$1" | jq -r '.status.conditions[]? | select(.type == "Ready") | .status')" == True ]]
}
for node in "${nodes[@]}"; do
	wait_for "node $node to be Ready" kwok node_ready "$node"
done
default_sa() { tc_curl /api/v1/namespaces/default/serviceaccounts/default --fail -o /dev/null; }
wait_for "the default ServiceAccount" kube-controller-manager default_sa

# Written last: its presence means the cluster came up.
kubeconfig admin "$tc_dir/kubeconfig.tmp"
mv "$tc_dir/kubeconfig.tmp" "$tc_dir/kubeconfig"

tc_log "up in $((SECONDS - start)) s: API server https://127.0.0.1:$WAVEC_APISERVER_PORT, kubeconfig $tc_dir/kubeconfig"
