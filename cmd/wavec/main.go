// Command wavec compiles .wave pipelines into Argo CD-annotated Kubernetes
// manifests, shows the order Argo CD will sync them in, and performs that sync
// itself against a cluster.
package main

import (
	"os"

	"github.com/wavec/wavec/cmd/wavec/cli"
)

func main() {
	os.Exit(cli.Main())
}
