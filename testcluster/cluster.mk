# Make targets of the local test cluster; included from the top-level Makefile.
# Settings are environment variables (WAVEC_CLUSTER_DIR, WAVEC_ETCD_PORT,
# WAVEC_APISERVER_PORT, ...): see testcluster/scripts/lib.sh.

TESTCLUSTER := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
TESTCLUSTER_SCRIPTS := $(TESTCLUSTER)/scripts

.PHONY: cluster-tools cluster-up cluster-down cluster-status

## cluster-tools: build etcd, kube-apiserver, kube-controller-manager,
## kube-scheduler, kwok and hostpath-provisioner into testcluster/bin (only
## when their pins changed)
cluster-tools:
	@$(TESTCLUSTER_SCRIPTS)/build-tools.sh

## cluster-up: start the test cluster (kubeconfig in .cluster/kubeconfig)
cluster-up: cluster-tools
	@$(TESTCLUSTER_SCRIPTS)/cluster-up.sh

## cluster-down: stop the test cluster and remove its state
cluster-down:
	@$(TESTCLUSTER_SCRIPTS)/cluster-down.sh

## cluster-status: show whether the test cluster is up
cluster-status:
	@$(TESTCLUSTER_SCRIPTS)/cluster-status.sh
