// Package cluster turns kubectl-style connection flags (--kubeconfig,
// --context, --namespace, --qps, --burst) into the clients the runtime
// uses: a dynamic client, REST requests and a RESTMapper that reads
// discovery on first use. It links no typed clientset: registering the
// scheme of every built-in kind would cost every command its start-up. API is the set of requests the engine of runtime/apply sends
// through them; package fakecluster implements it in memory.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Flags are the connection flags every command that talks to a cluster
// takes, with kubectl's names and meanings.
type Flags struct {
	// Kubeconfig is the path of the kubeconfig file; empty means KUBECONFIG
	// or ~/.kube/config, as kubectl does.
	Kubeconfig string
	// Context is the kubeconfig context to use; empty means the current one.
	Context string
	// Namespace overrides the namespace of namespaced objects that have none.
	Namespace string
	// QPS and Burst bound the client's request rate: QPS requests per
	// second on average, Burst at once. A negative QPS sends without a
	// limit.
	QPS   float32
	Burst int
}

// The default is no client-side rate limit: as controller-runtime does on
// SIG API Machinery's advice, wavec leaves throttling to the API server's
// priority and fairness, which answers 429 Too Many Requests when a client
// sends more than its share, and the engine backs off and sends again. A
// client-side limit only delays a run on a server with room to spare:
// Argo CD's controller (ARGOCD_K8S_CLIENT_QPS 50, ARGOCD_K8S_CLIENT_BURST
// 100) would spend most of a sync of a thousand objects waiting on its own
// limit. The engine bounds the requests it has in flight instead.
// DefaultBurst applies once --qps sets a limit.
const (
	DefaultQPS   = -1
	DefaultBurst = 100
)

// Register adds the flags to fs.
func (f *Flags) Register(fs *pflag.FlagSet) {
	fs.StringVar(&f.Kubeconfig, "kubeconfig", "", "path to the kubeconfig file (default $KUBECONFIG or ~/.kube/config)")
	fs.StringVar(&f.Context, "context", "", "the kubeconfig context to use (default the current context)")
	fs.StringVarP(&f.Namespace, "namespace", "n", "", "namespace for objects that name none (default the pipeline's, else the context's)")
	fs.Float32Var(&f.QPS, "qps", DefaultQPS, "the most API requests per second to send on average; negative for no client-side limit, leaving throttling to the API server (Argo CD's controller sends 50)")
	fs.IntVar(&f.Burst, "burst", DefaultBurst, "the most API requests to send at once when --qps sets a limit (Argo CD's controller: 100)")
	// The names of earlier releases.
	fs.Float32Var(&f.QPS, "kube-api-qps", DefaultQPS, "same as --qps")
	fs.IntVar(&f.Burst, "kube-api-burst", DefaultBurst, "same as --burst")
	_ = fs.MarkHidden("kube-api-qps")
	_ = fs.MarkHidden("kube-api-burst")
}

// CheckRate rejects rate limits client-go would silently replace by its
// own defaults (5 per second, bursts of 10).
func (f *Flags) CheckRate() error {
	if f.QPS == 0 {
		return errors.New("--qps must not be 0 (give a negative value for no limit)")
	}
	if f.QPS > 0 && f.Burst < 1 {
		return errors.New("--burst must be at least 1")
	}
	return nil
}

// Clients are the connections to one cluster.
type Clients struct {
	// Config is the REST configuration they were made from.
	Config *rest.Config
	// Dynamic applies and watches objects of any kind.
	Dynamic dynamic.Interface
	// Mapper maps kinds to resources through discovery, read on first use;
	// Reset it after creating CustomResourceDefinitions.
	Mapper meta.ResettableRESTMapper
	// Namespace is the context's default namespace ("default" when none).
	Namespace string
	// Host is the API server's address, for messages.
	Host string

	// disc reads discovery; nil in Clients not made by NewClients.
	disc *discovery
}

// ErrNoCluster is wrapped by Connect's errors when no cluster is configured
// or reachable.
var ErrNoCluster = errors.New("no cluster")

// Connect loads the kubeconfig named by f (getenv supplies KUBECONFIG),
// builds the clients and checks that the API server answers. Its errors are
// one line that says what to do.
func (f *Flags) Connect(getenv func(string) string) (*Clients, error) {
	if err := f.CheckRate(); err != nil {
		return nil, err
	}
	// The files come from getenv alone: client-go's defaults read the
	// process's KUBECONFIG and home directory themselves.
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kc := getenv("KUBECONFIG"); kc != "" {
		rules.Precedence = filepath.SplitList(kc)
	} else if home := getenv("HOME"); home != "" {
		rules.Precedence = []string{filepath.Join(home, clientcmd.RecommendedHomeDir, clientcmd.RecommendedFileName)}
	} else {
		rules.Precedence = nil
	}
	rules.ExplicitPath = f.Kubeconfig
	overrides := &clientcmd.ConfigOverrides{CurrentContext: f.Context}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	cfg, err := cc.ClientConfig()
	if err != nil {
		if clientcmd.IsEmptyConfig(err) {
			return nil, fmt.Errorf("%w configured: no kubeconfig found (set --kubeconfig or KUBECONFIG)", ErrNoCluster)
		}
		return nil, fmt.Errorf("%w: kubeconfig: %v", ErrNoCluster, err)
	}
	ns, _, err := cc.Namespace()
	if err != nil || ns == "" {
		ns = "default"
	}
	cfg.QPS, cfg.Burst = f.QPS, f.Burst
	cfg.UserAgent = "wavec"
	c, err := NewClients(cfg, ns)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoCluster, err)
	}
	if _, err := c.disc.serverVersion(context.Background()); err != nil {
		return nil, fmt.Errorf("%w reachable at %s: %v", ErrNoCluster, cfg.Host, shortError(err))
	}
	return c, nil
}

// NewClients returns the clients of the API server of cfg, with namespace
// as the default namespace. It sends no request.
func NewClients(cfg *rest.Config, namespace string) (*Clients, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	disc, err := newDiscovery(cfg)
	if err != nil {
		return nil, err
	}
	return &Clients{Config: cfg, Dynamic: dyn, Mapper: &lazyMapper{disc: disc}, Namespace: namespace, Host: cfg.Host, disc: disc}, nil
}

// shortError strips the request URL that client-go puts in front of
// connection errors, which repeats the host already named.
func shortError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
