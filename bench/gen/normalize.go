package gen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/wavec/wavec/argocd"
)

// Normalize reads a stream of YAML documents (the output of `wavec build`,
// `helm template` or `kustomize build`) and returns its objects the way Argo
// CD sees them, sorted. Like Argo CD it reads Helm's hook annotations where
// Argo CD's own are missing: pre-install/pre-upgrade are PreSync,
// post-install/post-upgrade are PostSync, helm.sh/hook-weight is the wave and
// Helm's delete policies map onto Argo CD's. Objects without a namespace get
// defaultNamespace.
func Normalize(stream []byte, defaultNamespace string) ([]Object, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(stream)))
	var objs []Object
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var m struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name        string            `json:"name"`
				Namespace   string            `json:"namespace"`
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &m); err != nil {
			return nil, fmt.Errorf("document %d: %w", len(objs)+1, err)
		}
		if m.Kind == "" {
			// A comment-only document.
			continue
		}
		o := Object{Kind: m.Kind, Namespace: m.Metadata.Namespace, Name: m.Metadata.Name}
		if o.Namespace == "" {
			o.Namespace = defaultNamespace
		}
		if err := argoView(&o, m.Metadata.Annotations); err != nil {
			return nil, fmt.Errorf("%s %s: %w", o.Kind, o.Name, err)
		}
		objs = append(objs, o)
	}
	SortObjects(objs)
	return objs, nil
}

// argoView fills in the phase, wave and delete policy from the annotations,
// as Argo CD reads them (argocd.Decode). Anything Argo CD would ignore or
// reinterpret, an object in no sync phase and a hook in several phases
// are errors: the releases compared are meant to say exactly one thing.
func argoView(o *Object, ann map[string]string) error {
	a, warns := argocd.Decode(ann)
	switch {
	case len(warns) > 0:
		return fmt.Errorf("%v", warns)
	case len(a.Phases) == 0:
		return errors.New("the object has no sync phase")
	case len(a.Phases) > 1:
		return fmt.Errorf("several hook phases %v", a.Phases)
	}
	o.Phase, o.Wave = a.Phases[0].String(), a.Wave
	if o.Phase == Sync {
		return nil
	}
	policies := make([]string, len(a.DeletePolicies))
	for i, p := range a.DeletePolicies {
		policies[i] = p.String()
	}
	sort.Strings(policies)
	o.DeletePolicy = strings.Join(policies, ",")
	return nil
}

// Diff describes how got differs from want, at most max lines; "" when they
// are equal.
func Diff(want, got []Object, max int) string {
	key := func(o Object) string { return o.Kind + " " + o.Namespace + "/" + o.Name }
	w := map[string]Object{}
	for _, o := range want {
		w[key(o)] = o
	}
	g := map[string]Object{}
	for _, o := range got {
		g[key(o)] = o
	}
	var lines []string
	for _, o := range want {
		if x, ok := g[key(o)]; !ok {
			lines = append(lines, "missing: "+o.String())
		} else if x != o {
			lines = append(lines, "want: "+o.String()+"\n  got: "+x.String())
		}
	}
	for _, o := range got {
		if _, ok := w[key(o)]; !ok {
			lines = append(lines, "unexpected: "+o.String())
		}
	}
	if len(got) != len(g) {
		lines = append(lines, fmt.Sprintf("%d objects, %d distinct", len(got), len(g)))
	}
	if len(lines) > max {
		lines = append(lines[:max], fmt.Sprintf("... and %d more", len(lines)-max))
	}
	return strings.Join(lines, "\n")
}
