# shellcheck shell=bash
# Shared settings and helpers of the test cluster scripts; sourced, not run.
#
# Settings (environment variables; defaults in brackets):
#   WAVEC_CLUSTER_DIR        state: PKI, etcd data, logs, PID files [<repo>/.cluster]
#   WAVEC_TOOLS_BIN          the built binaries [<repo>/testcluster/bin]
#   WAVEC_ETCD_PORT          etcd client port [22379]
#   WAVEC_ETCD_PEER_PORT     etcd peer port [WAVEC_ETCD_PORT + 1]
#   WAVEC_APISERVER_PORT     kube-apiserver secure port [26443]
#   WAVEC_CLUSTER_NODES      number of fake nodes [1]
#   WAVEC_CLUSTER_TIMEOUT    seconds cluster-up waits for the cluster [120]
# Two clusters run side by side when they differ in all of the directory and
# the ports.

tc_scripts=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tc_home=$(cd "$tc_scripts/.." && pwd)
tc_repo=$(cd "$tc_home/.." && pwd)

: "${WAVEC_CLUSTER_DIR:=$tc_repo/.cluster}"
: "${WAVEC_TOOLS_BIN:=$tc_home/bin}"
: "${WAVEC_ETCD_PORT:=22379}"
: "${WAVEC_ETCD_PEER_PORT:=$((WAVEC_ETCD_PORT + 1))}"
: "${WAVEC_APISERVER_PORT:=26443}"
: "${WAVEC_CLUSTER_NODES:=1}"
: "${WAVEC_CLUSTER_TIMEOUT:=120}"

# The directory must be absolute: the processes record it in their command
# lines, which is how cluster-down recognises them.
mkdir -p "$(dirname "$WAVEC_CLUSTER_DIR")"
WAVEC_CLUSTER_DIR=$(cd "$(dirname "$WAVEC_CLUSTER_DIR")" && pwd)/$(basename "$WAVEC_CLUSTER_DIR")
WAVEC_TOOLS_BIN=$(cd "$WAVEC_TOOLS_BIN" 2>/dev/null && pwd || echo "$WAVEC_TOOLS_BIN")

tc_dir=$WAVEC_CLUSTER_DIR
tc_bin=$WAVEC_TOOLS_BIN

# Start order.
# shellcheck disable=SC2034 # used by the scripts that source this file
tc_components=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok hostpath-provisioner)

tc_log() { printf 'testcluster: %s\n' "$*" >&2; }

tc_die() {
	tc_log "error: $*"
	exit 1
}

tc_pidfile() { printf '%s/pids/%s.pid' "$tc_dir" "$1"; }

# tc_pid NAME prints the PID recorded for component NAME, if any.
tc_pid() {
	local f
	f=$(tc_pidfile "$1")
	[[ -s "$f" ]] && cat "$f"
}

# tc_alive PID NAME succeeds if PID is a live (not zombie) process of
# component NAME started for this cluster directory. A PID file could outlive
# its process and the PID be reused; the command line tells them apart.
tc_alive() {
	local pid=$1 name=$2 stat cmd
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
	# The state is the field after the parenthesised command name.
	stat=${stat##*) }
	[[ "${stat%% *}" != Z ]] || return 1
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
	[[ "$cmd" == "$tc_bin/$name "* && "$cmd" == *"$tc_dir/"* ]]
}

# tc_exists PID succeeds while process PID has not finished exiting: its
# /proc entry is there and it is not a zombie. A process on its way out loses
# its command line before it becomes a zombie, so once a PID is known to be
# ours, waiting for it uses this test and not tc_alive.
tc_exists() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ "${stat%% *}" != Z && "${stat%% *}" != X ]]
}

# tc_component_alive NAME succeeds if component NAME is running.
tc_component_alive() {
	local pid
	pid=$(tc_pid "$1") || return 1
	tc_alive "$pid" "$1"
}

# tc_stop NAME... stops those of the named components that are running,
# politely first, then with SIGKILL.
tc_stop() {
	local i name pid pids=() names=() deadline
	for name in "$@"; do
		if pid=$(tc_pid "$name") && tc_alive "$pid" "$name"; then
			kill -TERM "$pid" 2>/dev/null || true
			pids+=("$pid")
			names+=("$name")
		fi
	done
	deadline=$((SECONDS + 15))
	for i in "${!pids[@]}"; do
		while tc_exists "${pids[i]}" && ((SECONDS < deadline)); do
			sleep 0.05
		done
		if tc_alive "${pids[i]}" "${names[i]}"; then
			tc_log "${names[i]} (pid ${pids[i]}) ignored SIGTERM for 15 s; killing it"
			kill -KILL "${pids[i]}" 2>/dev/null || true
		fi
	done
	for i in "${!pids[@]}"; do
		while tc_exists "${pids[i]}"; do
			sleep 0.05
		done
	done
}

# tc_stop_all stops every component that is running and removes the PID
# files: the API server's clients first, then the API server, then etcd. (An
# API server whose etcd has gone takes several seconds to shut down.)
tc_stop_all() {
	tc_stop hostpath-provisioner kwok kube-scheduler kube-controller-manager
	tc_stop kube-apiserver
	tc_stop etcd
	rm -f "$tc_dir"/pids/*.pid
}

# tc_lock takes the cluster directory's lock on fd 9 (released on exit), so
# that cluster-up and cluster-down on the same directory never overlap. The
# scripts delete what is in the directory, so they refuse a directory that
# has other things in it than a cluster of theirs (a mistyped
# WAVEC_CLUSTER_DIR).
tc_lock() {
	mkdir -p "$tc_dir"
	if [[ ! -e "$tc_dir/.wavec-test-cluster" ]]; then
		if [[ -n "$(find "$tc_dir" -mindepth 1 -maxdepth 1 ! -name .lock -print -quit)" ]]; then
			tc_die "$tc_dir is not a test cluster directory (no .wavec-test-cluster in it) and not empty; refusing to use it"
		fi
		: >"$tc_dir/.wavec-test-cluster"
	fi
	exec 9>"$tc_dir/.lock"
	flock 9
}

tc_require_commands() {
	local c missing=()
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || missing+=("$c")
	done
	((${#missing[@]} == 0)) || tc_die "missing commands: ${missing[*]} (Debian: apt-get install openssl curl jq util-linux)"
}

# tc_curl PATH [CURL ARGS...] calls the API server as the cluster admin.
tc_curl() {
	local path=$1
	shift
	curl --silent --show-error --max-time 10 \
		--cacert "$tc_dir/pki/ca.crt" --cert "$tc_dir/pki/admin.crt" --key "$tc_dir/pki/admin.key" \
		"$@" "https://127.0.0.1:$WAVEC_APISERVER_PORT$path"
}
