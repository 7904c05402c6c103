package langserver

import (
	"strings"
	"testing"
)

// Hover and completion in a workload's general blocks and over the
// container's API fields come from the Kubernetes API types.
func TestGeneralBlocks(t *testing.T) {
	_, _, app := shop(t)
	c := newClient(t)
	valid := appFile + `deployment gen {
  image = "x:1"
  imagePullPolicy = Always
  pod { nodeSelector = { "kubernetes.io/os" = "linux" }; tolerations = [{ key = "a", operator = "Exists" }] }
  spec { minReadySeconds = 5 }
  metadata { labels = { test = "true" } }
}
`
	c.open(app, valid)
	lines := strings.Split(valid, "\n")
	find := func(line, word string) (uint32, uint32) {
		for i, l := range lines {
			if strings.HasPrefix(l, line) {
				if j := strings.Index(l, word); j >= 0 {
					return uint32(i), uint32(j + 1)
				}
			}
		}
		t.Fatalf("no %q on a line %q", word, line)
		return 0, 0
	}
	for _, tc := range []struct {
		line, word string
		want       []string
	}{
		{"  imagePullPolicy", "imagePullPolicy", []string{"**imagePullPolicy** (`container.imagePullPolicy`)", "Always", "IfNotPresent"}},
		{"  pod {", "pod", []string{"**pod** (`pod`)", "PodSpec", "labels"}},
		{"  pod {", "nodeSelector", []string{"**nodeSelector** (`pod.nodeSelector`)", "map of strings"}},
		{"  pod {", "operator", []string{"**operator** (`pod.tolerations[0].operator`)", "Exists"}},
		{"  spec {", "minReadySeconds", []string{"**minReadySeconds** (`spec.minReadySeconds`)", "integer"}},
		{"  metadata {", "metadata", []string{"**metadata** (`metadata`)", "finalizers"}},
	} {
		l, ch := find(tc.line, tc.word)
		got := hoverAt(t, c, app, l, ch)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("hover over %s: lacks %q:\n%s", tc.word, w, got)
			}
		}
	}

	typing := appFile + `deployment gen {
  image = "x:1"
  imagePullPolicy = 
  
  pod {
    
    tolerations = [{ effect = NoSchedule,  }]
  }
  spec { strategy {  } }
}
`
	c.change(app, typing)
	lines = strings.Split(typing, "\n")
	for _, tc := range []struct {
		name      string
		line, col string // the line's start, and the text the cursor follows
		want, not []string
	}{
		{"body", "  \n", "", []string{"spec", "pod", "metadata", "lifecycle", "workingDir", "replicas"}, []string{"name", "image"}},
		{"enum of a container field", "  imagePullPolicy", "= ", []string{"Always", "IfNotPresent", "Never"}, nil},
		{"pod block", "    \n", "", []string{"nodeSelector", "labels", "affinity"}, []string{"image", "minReadySeconds", "containers"}},
		{"item of a list of objects", "    tolerations", "NoSchedule, ", []string{"key", "operator", "tolerationSeconds"}, []string{"effect", "nodeSelector"}},
		{"nested object of spec", "  spec {", "strategy { ", []string{"type", "rollingUpdate"}, []string{"replicas"}},
	} {
		var line, col uint32
		found := false
		for i, l := range lines {
			if tc.line == "  \n" || tc.line == "    \n" {
				if l+"\n" == tc.line {
					line, col, found = uint32(i), uint32(len(l)), true
					break
				}
				continue
			}
			if strings.HasPrefix(l, tc.line) {
				line, col, found = uint32(i), uint32(strings.Index(l, tc.col)+len(tc.col)), true
				break
			}
		}
		if !found {
			t.Fatalf("%s: no line %q", tc.name, tc.line)
		}
		got := completionAt(t, c, app, line, col)
		if !has(got, tc.want...) {
			t.Errorf("%s: completion lacks %v: %v", tc.name, tc.want, got)
		}
		for _, n := range tc.not {
			if has(got, n) {
				t.Errorf("%s: completion offers %q: %v", tc.name, n, got)
			}
		}
	}
}
