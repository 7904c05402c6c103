package manifest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// summary renders objects as "Kind/name@SOURCE" lines for comparison.
func summary(objs []Object) string {
	var b strings.Builder
	for _, o := range objs {
		fmt.Fprintf(&b, "%s@%s\n", o.Ref(), o.Source)
	}
	return b.String()
}

func errorLines(err error) string {
	if err == nil {
		return ""
	}
	var b strings.Builder
	for _, e := range err.(ErrorList) {
		b.WriteString(e.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

func TestLoadReader(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // summary of the objects
	}{
		{
			name: "single document",
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
			want: "ConfigMap/a@in.yaml:1: document 1\n",
		},
		{
			name: "documents separated by markers, with blank and comment-only documents skipped",
			in: "# header comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n" +
				"---\n---\n# only a comment\n---   # marker with a comment\n\n" +
				"apiVersion: v1\nkind: Secret\nmetadata: {name: b}\n---\n",
			want: "ConfigMap/a@in.yaml:3: document 1\nSecret/b@in.yaml:11: document 2\n",
		},
		{
			name: "a document that is only null is skipped like Argo CD does",
			in:   "~\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
			want: "ConfigMap/a@in.yaml:3: document 2\n",
		},
		{
			name: "content on the marker line",
			in:   "--- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n--- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n",
			want: "ConfigMap/a@in.yaml:1: document 1\nConfigMap/b@in.yaml:2: document 2\n",
		},
		{
			name: "document end marker",
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n...\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
			want: "ConfigMap/a@in.yaml:1: document 1\nConfigMap/b@in.yaml:5: document 2\n",
		},
		{
			name: "dashes inside a block scalar are content, not a marker",
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  s: |\n    ---\n    ----\n",
			want: "ConfigMap/a@in.yaml:1: document 1\n",
		},
		{
			name: "kind List is unpacked, items keep their own lines",
			in: "apiVersion: v1\nkind: List\nitems:\n" +
				"- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n" +
				"- apiVersion: v1\n  kind: Secret\n  metadata: {name: b}\n",
			want: "ConfigMap/a@in.yaml:4: document 1, item 1\nSecret/b@in.yaml:7: document 1, item 2\n",
		},
		{
			name: "any *List kind with items is unpacked",
			in:   "apiVersion: v1\nkind: ConfigMapList\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n",
			want: "ConfigMap/a@in.yaml:4: document 1, item 1\n",
		},
		{
			name: "an empty List yields nothing",
			in:   "apiVersion: v1\nkind: List\nitems: []\n---\napiVersion: v1\nkind: List\n",
			want: "",
		},
		{
			name: "generateName stands in for the name",
			in:   "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n",
			want: "Job/migrate-*@in.yaml:1: document 1\n",
		},
		{
			name: "JSON",
			in:   `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}`,
			want: "ConfigMap/a@in.yaml:1: document 1\n",
		},
		{
			name: "UTF-8 byte order mark and CRLF line ends",
			in:   "\xef\xbb\xbfapiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: a\r\n---\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: b}\r\n",
			want: "ConfigMap/a@in.yaml:1: document 1\nConfigMap/b@in.yaml:6: document 2\n",
		},
		{
			name: "empty stream",
			in:   "",
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := LoadReader(strings.NewReader(tt.in), "in.yaml")
			if err != nil {
				t.Fatalf("unexpected error: %v", errorLines(err))
			}
			if got := summary(objs); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestLoadReaderValues(t *testing.T) {
	in := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    argocd.argoproj.io/sync-wave: \"-1\"\n" +
		"spec:\n  replicas: 3\n  ratio: 0.5\n  enabled: yes\n  mode: 0644\n"
	objs, err := LoadReader(strings.NewReader(in), "in.yaml")
	if err != nil {
		t.Fatal(err)
	}
	o := objs[0]
	if got := o.GetAnnotations()["argocd.argoproj.io/sync-wave"]; got != "-1" {
		t.Errorf("sync-wave annotation = %q, want \"-1\"", got)
	}
	spec := o.Object["spec"].(map[string]any)
	want := map[string]any{"replicas": int64(3), "ratio": 0.5, "enabled": true, "mode": int64(0o644)}
	for k, w := range want {
		if spec[k] != w {
			t.Errorf("spec.%s = %#v, want %#v", k, spec[k], w)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the errors, one per line
	}{
		{
			name: "malformed YAML names the line in the file, not in the document",
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n   bad: indent\n",
			want: "in.yaml:9: document 2: invalid YAML: mapping values are not allowed in this context\n",
		},
		{
			name: "a bad document does not hide the good ones around it",
			in:   "a: [\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\nb: : c\n",
			want: "in.yaml:1: document 1: invalid YAML: did not find expected node content\n" +
				"in.yaml:7: document 3: invalid YAML: mapping values are not allowed in this context\n",
		},
		{
			name: "Helm template",
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  labels: {{ include \"x\" . }}\n",
			want: "in.yaml:4: document 1: mapping key must be a scalar, not a mapping (this looks like a Helm or Go template; render it first, e.g. with `helm template`)\n",
		},
		{
			name: "no kind",
			in:   "apiVersion: v1\nmetadata:\n  name: a\n",
			want: "in.yaml:1: document 1: document has no kind; every Kubernetes object needs apiVersion and kind\n",
		},
		{
			name: "no apiVersion",
			in:   "# comment\nkind: ConfigMap\nmetadata:\n  name: a\n",
			want: "in.yaml:2: document 1 (ConfigMap/a): document has no apiVersion; every Kubernetes object needs apiVersion and kind\n",
		},
		{
			name: "kind is not a string",
			in:   "apiVersion: v1\nkind: [ConfigMap]\nmetadata: {name: a}\n",
			want: "in.yaml:2: document 1: kind must be a string, not a sequence\n",
		},
		{
			name: "top level is a sequence",
			in:   "- apiVersion: v1\n  kind: ConfigMap\n",
			want: "in.yaml:1: document 1: document is a sequence, not a mapping; a Kubernetes object must be a mapping with apiVersion, kind and metadata\n",
		},
		{
			name: "top level is a scalar",
			in:   "---\njust text\n",
			want: "in.yaml:2: document 1: document is a scalar (\"just text\"), not a mapping; a Kubernetes object must be a mapping with apiVersion, kind and metadata\n",
		},
		{
			name: "no name",
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n",
			want: "in.yaml:4: document 1 (ConfigMap): object has neither metadata.name nor metadata.generateName\n",
		},
		{
			name: "unquoted number as an annotation value",
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    argocd.argoproj.io/sync-wave: 1\n",
			want: "in.yaml:6: document 1 (ConfigMap/a): metadata.annotations[\"argocd.argoproj.io/sync-wave\"] must be a string, not the number 1; quote it: \"1\"\n",
		},
		{
			name: "boolean label value",
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels:\n    enabled: yes\n",
			want: "in.yaml:6: document 1 (ConfigMap/a): metadata.labels[\"enabled\"] must be a string, not the boolean true; quote it: \"true\"\n",
		},
		{
			name: "list item that is not a mapping",
			in:   "apiVersion: v1\nkind: List\nitems:\n- just text\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n",
			want: "in.yaml:4: document 1, item 1: list item is the string \"just text\", not a mapping\n",
		},
		{
			name: "bad object inside a List",
			in:   "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  metadata: {name: a}\n",
			want: "in.yaml:4: document 1, item 1: document has no kind; every Kubernetes object needs apiVersion and kind\n",
		},
		{
			name: "invalid UTF-8",
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n",
			want: "in.yaml:4: document 1: invalid UTF-8 (byte 0xe9 at column 12); manifests must be UTF-8\n",
		},
		{
			name: "UTF-16",
			in:   "\xff\xfea\x00:\x00 \x00b\x00\n\x00",
			want: "in.yaml:1: document 1: file is UTF-16; convert it to UTF-8\n",
		},
		{
			name: "alias that contains itself",
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: &d\n  self: *d\n",
			want: "in.yaml:5: document 1: alias *d refers to a value that contains it\n",
		},
		{
			name: "NaN has no JSON form",
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nspec: {x: .nan}\n",
			want: "in.yaml:4: document 1: unsupported value NaN: JSON has no NaN or infinity\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadReader(strings.NewReader(tt.in), "in.yaml")
			if got := errorLines(err); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// measure runs f and reports how long it took and how many bytes it
// allocated.
func measure(f func()) (time.Duration, uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	f()
	d := time.Since(start)
	runtime.ReadMemStats(&after)
	return d, after.TotalAlloc - before.TotalAlloc
}

// TestBillionLaughs feeds the classic alias bomb: nine levels of ten
// aliases each would expand to 10^9 strings.
func TestBillionLaughs(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\n")
	b.WriteString("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	for i := 'b'; i <= 'j'; i++ {
		fmt.Fprintf(&b, "%c: &%c [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "*%c", i-1)
		}
		b.WriteString("]\n")
	}
	var err error
	d, alloc := measure(func() {
		_, err = LoadReader(strings.NewReader(b.String()), "lol.yaml")
	})
	if err == nil || !strings.Contains(err.Error(), "billion laughs") {
		t.Fatalf("got error %v, want one about alias expansion", err)
	}
	t.Logf("rejected in %v after allocating %d KiB", d, alloc>>10)
	if d > 5*time.Second {
		t.Errorf("took %v, want well under 5s", d)
	}
	if alloc > 64<<20 {
		t.Errorf("allocated %d MiB, want well under 1 GiB", alloc>>20)
	}
}

// TestDeepNesting checks that nesting far deeper than MaxDepth is an error
// and costs neither the stack nor much time, in flow and block style.
func TestDeepNesting(t *testing.T) {
	const deep = 1 << 20
	inputs := map[string]string{
		"flow sequences": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: " + strings.Repeat("[", deep) + strings.Repeat("]", deep) + "\n",
		"flow mappings":  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: " + strings.Repeat("{a: ", deep/4) + "1" + strings.Repeat("}", deep/4) + "\n",
		"block mappings": func() string {
			var b strings.Builder
			b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
			for i := range 2000 {
				b.WriteString(strings.Repeat(" ", i))
				b.WriteString("k:\n")
			}
			return b.String()
		}(),
		"block sequences": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx:\n" + strings.Repeat("- ", 30000) + "x\n",
		"just over the limit": func() string {
			return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: " + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + "\n"
		}(),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			var err error
			d, alloc := measure(func() {
				_, err = LoadReader(strings.NewReader(in), "deep.yaml")
			})
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("nesting is deeper than %d levels", MaxDepth)) {
				t.Fatalf("got error %v, want one about nesting", err)
			}
			t.Logf("rejected in %v after allocating %d MiB", d, alloc>>20)
			if d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	ok := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: " + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + "\n"
	if _, err := LoadReader(strings.NewReader(ok), "ok.yaml"); err != nil {
		t.Errorf("nesting of exactly %d levels: %v", MaxDepth, err)
	}
}

func TestDocumentTooLarge(t *testing.T) {
	big := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n" +
		strings.Repeat("  k: "+strings.Repeat("x", 1000)+"\n", MaxDocumentBytes/1000)
	oneLine := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: line}\ndata: {k: " + strings.Repeat("y", MaxDocumentBytes*2) + "}\n"
	in := big + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: small}\n---\n" + oneLine
	var (
		objs []Object
		err  error
	)
	d, alloc := measure(func() {
		objs, err = LoadReader(strings.NewReader(in), "big.yaml")
	})
	t.Logf("took %v, allocated %d MiB", d, alloc>>20)
	want := "big.yaml:1: document 1: document is 3.0 MiB, larger than the 3 MiB the Kubernetes API server accepts\n" +
		fmt.Sprintf("big.yaml:%d: document 3: document is 6.0 MiB, larger than the 3 MiB the Kubernetes API server accepts\n", strings.Count(big, "\n")+5)
	if got := errorLines(err); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := summary(objs); got != fmt.Sprintf("ConfigMap/small@big.yaml:%d: document 2\n", strings.Count(big, "\n")+2) {
		t.Errorf("objects: %s", got)
	}
}

func TestLoadPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cm := func(name string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n"
	}
	write("b.yaml", cm("b"))
	write("a.yml", cm("a"))
	write("sub/c.json", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}`)
	write("sub/deeper/d.YAML", cm("d"))
	write("README.md", "not a manifest")
	write(".hidden/e.yaml", cm("hidden"))
	write("sub/.f.yaml", cm("hidden"))
	write("plain.txt", cm("txt"))

	t.Run("directory in lexical order, recursively, hidden entries skipped", func(t *testing.T) {
		objs, err := Load([]string{dir}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("ConfigMap/a@%[1]s/a.yml:1: document 1\nConfigMap/b@%[1]s/b.yaml:1: document 1\n"+
			"ConfigMap/c@%[1]s/sub/c.json:1: document 1\nConfigMap/d@%[1]s/sub/deeper/d.YAML:1: document 1\n", dir)
		if got := summary(objs); got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("files in the order given, any extension, and stdin", func(t *testing.T) {
		stdin := strings.NewReader(cm("from-stdin"))
		objs, err := Load([]string{filepath.Join(dir, "plain.txt"), "-", filepath.Join(dir, "a.yml")}, stdin)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("ConfigMap/txt@%[1]s/plain.txt:1: document 1\nConfigMap/from-stdin@<stdin>:1: document 1\nConfigMap/a@%[1]s/a.yml:1: document 1\n", dir)
		if got := summary(objs); got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("missing path", func(t *testing.T) {
		_, err := Load([]string{filepath.Join(dir, "nope.yaml")}, nil)
		want := filepath.Join(dir, "nope.yaml") + ": no such file or directory\n"
		if got := errorLines(err); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("kustomize directory that only lists its files, as wavec build -o writes", func(t *testing.T) {
		k := filepath.Join(dir, "built")
		write("built/kustomization.yaml", "# Generated by wavec build\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- 02-b.yaml\n- 01-a.yaml\n")
		write("built/01-a.yaml", cm("a"))
		write("built/02-b.yaml", cm("b"))
		write("built/unlisted.yaml", cm("unlisted"))
		objs, err := Load([]string{k}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("ConfigMap/b@%[1]s/02-b.yaml:1: document 1\nConfigMap/a@%[1]s/01-a.yaml:1: document 1\n", k)
		if got := summary(objs); got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	})
	t.Run("kustomize directory that transforms", func(t *testing.T) {
		k := filepath.Join(dir, "kust")
		write("kust/kustomization.yaml", "namePrefix: x-\nresources: [cm.yaml]\n")
		write("kust/cm.yaml", cm("k"))
		_, err := Load([]string{k}, nil)
		want := k + "/kustomization.yaml: " + k + " is a kustomize directory (it uses namePrefix); render it first with `kustomize build " + k + "`\n"
		if got := errorLines(err); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
		diags, _ := err.(ErrorList).Diagnostics("import")
		if len(diags) != 1 || len(diags[0].Hints) != 1 || diags[0].Hints[0] != "`kustomize build "+k+" | wavec import -f -` reads the rendered YAML" {
			t.Errorf("the diagnostic's hints are %q, want one that pipes the rendered YAML into wavec import", diags[0].Hints)
		}
	})
	t.Run("empty directory", func(t *testing.T) {
		e := filepath.Join(dir, "empty")
		if err := os.Mkdir(e, 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := Load([]string{e}, nil)
		if got, want := errorLines(err), e+": directory holds no .yaml, .yml or .json files\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

// stream returns n ordinary objects (ConfigMaps, Deployments and Services
// in turn) as one multi-document YAML stream.
func stream(n int) []byte {
	var b bytes.Buffer
	for i := range n {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-%d\n  namespace: agents\n  annotations:\n    argocd.argoproj.io/sync-wave: \"%d\"\ndata:\n  LOG_LEVEL: info\n  DATABASE_HOST: postgres.agents.svc\n", i, i%7-3)
		case 1:
			fmt.Fprintf(&b, "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-%d\n  namespace: agents\n  labels: {app: app-%d}\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: app-%d}\n  template:\n    metadata:\n      labels: {app: app-%d}\n    spec:\n      containers:\n        - name: main\n          image: ghcr.io/acme/agent:2.0.0\n          ports:\n            - containerPort: 8000\n          readinessProbe:\n            httpGet: {path: /health, port: 8000}\n", i, i, i, i)
		case 2:
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-%d\n  namespace: agents\nspec:\n  selector: {app: app-%d}\n  ports:\n    - port: 80\n      targetPort: 8000\n", i, i-1)
		}
	}
	return b.Bytes()
}

// BenchmarkLoad reads a stream of 10,000 ordinary objects.
func BenchmarkLoad(b *testing.B) {
	data := stream(10000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		objs, err := LoadReader(bytes.NewReader(data), "bench.yaml")
		if err != nil || len(objs) != 10000 {
			b.Fatalf("got %d objects, error %v", len(objs), err)
		}
	}
}
