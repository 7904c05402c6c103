// Command etcd runs the etcd server pinned by this module.
//
// etcd's server module carries replace directives, so it cannot be installed
// with "go install"; this wrapper lets the tools module build it instead.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
