GO ?= go
# Flags for go test; override with e.g. make test GOTESTFLAGS='-count=1 -run Foo'.
GOTESTFLAGS ?= -count=1 -timeout=20m

.PHONY: test
## test: run every test against a fresh local cluster, then stop the cluster
## (with the pinned helm and kustomize that the importer's tests render with)
test:
	@bench/tools/build.sh helm kustomize
	@testcluster/scripts/with-cluster.sh env WAVEC_TEST_CLUSTER=required $(GO) test $(GOTESTFLAGS) ./...

include testcluster/cluster.mk

.PHONY: conformance
## conformance: compare wavec with Argo CD's own sync engine (gitops-engine, in
## the separate module conformance/): the order wavec plan shows, and whole
## syncs by the engine and by wavec run on a fresh local test cluster (started
## and stopped around it, as for make test).
## -count=1: the tests build wavec from this repository, which go test's cache
## does not see.
conformance:
	@testcluster/scripts/with-cluster.sh env WAVEC_TEST_CLUSTER=required \
		sh -c 'cd conformance && $(GO) test -count=1 -timeout=30m ./...'

.PHONY: bench bench-compile
## bench: benchmark wavec against helm, kustomize and kubectl (compile and run
## side, on a cluster of its own) and rewrite docs/benchmarks.md
bench:
	@bench/tools/build.sh
	@testcluster/scripts/build-tools.sh
	@$(GO) run ./bench/cmd/wavebench -kubectl-kustomize all
## bench-compile: compile side only; prints `compile <peer> <size> <ratio>`
bench-compile:
	@bench/tools/build.sh
	@$(GO) run ./bench/cmd/wavebench compile
