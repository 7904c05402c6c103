package apply

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Revision returns the revision of a set of objects: a hex SHA-256 of their
// canonical JSON, independent of their order. wavec uses it where Argo CD
// uses the Git revision: in the names of generateName hooks.
func Revision(objs []*unstructured.Unstructured) string {
	docs := make([]string, 0, len(objs))
	for _, o := range objs {
		b, err := json.Marshal(o.Object) // maps marshal with sorted keys
		if err != nil {
			b = []byte(fmt.Sprintf("%#v", o.Object))
		}
		docs = append(docs, string(b))
	}
	sort.Strings(docs)
	h := sha256.New()
	for _, d := range docs {
		h.Write([]byte(d))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// HookName returns the name Argo CD gives a hook that has only a
// generateName: <generateName><first 7 characters of the revision>-<phase in
// lower case>-<unix start time>.
func HookName(generateName, revision, phase string, started time.Time) string {
	rev := revision
	if len(rev) >= 8 {
		rev = rev[:7]
	}
	return generateName + strings.ToLower(fmt.Sprintf("%s-%s-%d", rev, phase, started.UTC().Unix()))
}

// Backoff returns how long to wait before retry number n (0 for the first
// retry): Argo CD's default of 5 s doubled for every retry, at most 3 min.
func Backoff(n int) time.Duration {
	const base, limit = 5 * time.Second, 3 * time.Minute
	d := base
	for i := 0; i < n; i++ {
		d *= 2
		if d >= limit {
			return limit
		}
	}
	return d
}
