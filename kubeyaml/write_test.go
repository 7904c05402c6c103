package kubeyaml

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	goyaml "sigs.k8s.io/yaml/goyaml.v2"
)

// trickyStrings are scalars at the edges of go-yaml v2's choices: words
// and numbers YAML 1.1 reads as something else, indicators, quotes,
// blanks, line breaks, non-ASCII text and lengths around the fold width.
var trickyStrings = []string{
	"", "a", "app-0000", "ghcr.io/acme/shop:1.4.2", "http://app-0000.bench.svc", "search,export",
	"1", "-1", "+1", "0", "00", "01", "0x1F", "0o17", "0b101", "-0b101", "0b2", "1_000", "1e3", "1E+3", "1.",
	".5", ".", "..", "1.5.2", "1.4.2-rc1", "50m", "64Mi", "1Gi", "8080", "80", "9223372036854775808",
	"18446744073709551616", "-9223372036854775809", "0x", "1e", "e1", "inf", "Inf", "+Inf", "NaN", "nan",
	"2006-01-02", "2006-1-2", "2006-01-02T15:04:05Z", "2006-01-02 15:04:05", "1234-", "12345-6",
	"1:20", "190:20:30.15", "-1:30", "1:2:3x", "a:b", "a: b", "a:", ":a", ": a", "?a", "? a", "-a", "- a", "-",
	"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "NO", "true", "True", "TRUE", "false", "on", "On", "off",
	"OFF", "~", "null", "Null", "NULL", "nulls", ".nan", ".NaN", ".inf", "-.inf", "+.INF", "<<", "<<<",
	"#a", "a#b", "a #b", "a# b", ",a", "a,b", "[a]", "a[0]", "{a}", "&a", "*a", "!a", "|a", ">a", "'a'", "it's",
	`"a"`, `say "hi"`, `back\slash`, "%a", "@a", "`a`", "---", "---a", "...", "...a", "--", "a---",
	" lead", "trail ", "two  spaces", "a b", "tab\tx", "new\nline", "trailing\n", "\n", "cr\rx", "bell\x07",
	"ünïcödé", "日本", "\u00a0nbsp", "\ufeffbom", "emoji 🚀", "\xff\xfe",
	"shop migrate --to latest", "postgres://db.bench.svc:5432/shop",
	strings.Repeat("x", 81), strings.Repeat("word ", 20), strings.Repeat("w", 70) + " " + strings.Repeat("v", 20),
	strings.Repeat("k", 129), strings.Repeat("k", 128), "sh -c 'echo \"hello world\" && sleep 3600 && exit 0' # a long command",
}

// gen builds an object map from fuzz input: each byte chooses the next
// key, value or structure, so that every input is some object.
type gen struct {
	b []byte
}

func (g *gen) next() int {
	if len(g.b) == 0 {
		return 0
	}
	c := g.b[0]
	g.b = g.b[1:]
	return int(c)
}

func (g *gen) str() string {
	switch c := g.next(); {
	case c < 200:
		return trickyStrings[c%len(trickyStrings)]
	case c < 230:
		// Raw bytes from the input.
		n := g.next() % 40
		n = min(n, len(g.b))
		s := string(g.b[:n])
		g.b = g.b[n:]
		return s
	default:
		return trickyStrings[g.next()%len(trickyStrings)] + trickyStrings[g.next()%len(trickyStrings)]
	}
}

func (g *gen) value(depth int) any {
	c := g.next()
	if depth > 5 {
		c %= 8
	}
	switch c % 12 {
	case 0, 1, 2:
		return g.str()
	case 3:
		return int64(g.next()-128) * int64(1+g.next()*g.next()*g.next())
	case 4:
		fs := []float64{0.5, -1.25, 1e21, 1e-7, 3, math.Inf(1), math.Inf(-1), math.NaN(), 100.0, -0.0}
		return fs[g.next()%len(fs)]
	case 5:
		return g.next()%2 == 0
	case 6:
		return nil
	case 7:
		return int64(g.next())
	case 8, 9:
		return g.object(depth + 1)
	default:
		n := g.next() % 5
		s := make([]any, 0, n)
		for range n {
			s = append(s, g.value(depth+1))
		}
		return s
	}
}

func (g *gen) object(depth int) map[string]any {
	n := g.next() % 7
	m := make(map[string]any, n)
	for range n {
		m[g.str()] = g.value(depth)
	}
	return m
}

// orderDefined reports whether go-yaml v2's key order is a total order on
// every mapping of v: its comparison is not transitive for some sets of
// keys mixing digits and letters, and go-yaml's own output for them then
// depends on map iteration order.
func orderDefined(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k, e := range x {
			if !orderDefined(e) {
				return false
			}
			keys = append(keys, k)
		}
		for _, a := range keys {
			for _, b := range keys {
				for _, c := range keys {
					if keyLess(a, b) && keyLess(b, c) && !keyLess(a, c) {
						return false
					}
				}
				if a != b && keyLess(a, b) == keyLess(b, a) {
					return false
				}
			}
		}
	case []any:
		for _, e := range x {
			if !orderDefined(e) {
				return false
			}
		}
	}
	return true
}

func checkSame(t *testing.T, v any) {
	t.Helper()
	if !orderDefined(v) {
		return
	}
	want, werr := goyaml.Marshal(v)
	var got []byte
	var err error
	if m, ok := v.(map[string]any); ok {
		got, err = Marshal(m)
	} else {
		got, err = MarshalValue(v)
	}
	if (err != nil) != (werr != nil) {
		t.Fatalf("error %v, go-yaml's %v, for %#v", err, werr, v)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("for %#v\ngot:\n%s\ngo-yaml v2:\n%s", v, got, want)
	}
	if m, ok := v.(map[string]any); ok {
		// After a document already in the buffer, as emit writes them.
		prefix := []byte("kind: Earlier\n---\n")
		dst := append(make([]byte, 0, 4096), prefix...)
		got, err := AppendMarshal(dst, m)
		if (err != nil) != (werr != nil) {
			t.Fatalf("AppendMarshal: error %v, go-yaml's %v, for %#v", err, werr, v)
		}
		if err == nil && (!bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want)) {
			t.Fatalf("AppendMarshal for %#v\ngot:\n%s\ngo-yaml v2 after the prefix:\n%s", v, got, want)
		}
		if err != nil && !bytes.Equal(got, prefix) {
			t.Fatalf("AppendMarshal failed and changed the buffer to %q", got)
		}
	}
}

// TestMarshalStrings holds every tricky string, as a value at several
// columns, as a key and in a sequence, to go-yaml v2's output.
func TestMarshalStrings(t *testing.T) {
	for _, s := range trickyStrings {
		for _, pad := range []string{"", "k", strings.Repeat("k", 30), strings.Repeat("k", 60)} {
			checkSame(t, map[string]any{pad + "x": s})
			checkSame(t, map[string]any{"a": map[string]any{"b": []any{s, map[string]any{pad: s}}}})
		}
		checkSame(t, map[string]any{s: "v", s + "x": int64(1)})
		checkSame(t, []any{s, []any{s}})
		checkSame(t, s)
	}
}

// TestMarshalKeyOrder holds key order to go-yaml v2's on keys mixing
// letters, digits and punctuation.
func TestMarshalKeyOrder(t *testing.T) {
	keys := []string{"a", "b", "B", "a1", "a2", "a10", "a01", "a001", "a0", "a00", "a-1", "a.b", "a/b", "a_b",
		"1", "2", "10", "01", "x9y", "x10y", "x09y", "ä", "é1", "Z", "_", "-", ".", "1a", "a1b2", "a1b10"}
	m := map[string]any{}
	for i, k := range keys {
		m[k] = int64(i)
		checkSame(t, m)
	}
	for _, a := range keys {
		for _, b := range keys {
			checkSame(t, map[string]any{a: "1", b: "2", a + b: "3"})
		}
	}
}

// TestMarshalShapes covers nesting: empty maps and sequences, sequences of
// sequences and of mappings, null, numbers and booleans at every depth.
func TestMarshalShapes(t *testing.T) {
	for _, v := range []any{
		map[string]any{},
		[]any{},
		nil,
		map[string]any{"a": map[string]any{}, "b": []any{}, "c": nil, "d": true, "e": false, "f": int64(-3), "g": 2.5},
		map[string]any{"a": []any{[]any{int64(1), int64(2)}, []any{}, map[string]any{}, []any{[]any{"x"}}}},
		map[string]any{"a": []any{map[string]any{"b": []any{map[string]any{"c": "d", "e": []any{"f"}}}, "g": map[string]any{"h": "i"}}}},
		map[string]any{"emptyDir": map[string]any{}, "f": []any{nil, map[string]any{"x": nil}}},
		map[string]any{"n": 1e21, "m": 1e-7, "i": math.Inf(1), "j": math.Inf(-1), "k": math.NaN(), "z": 0.0},
		map[string]any{"int": 3, "int32": int32(4), "uint": uint(5), "strs": []string{"a"}, "sm": map[string]string{"a": "b"}},
		[]any{int64(1), "two", []any{"three", map[string]any{"four": int64(4)}}},
	} {
		checkSame(t, v)
	}
}

// FuzzMarshal holds Marshal to go-yaml v2's Marshal on arbitrary object
// maps built from the fuzz input; the seeds run with go test.
func FuzzMarshal(f *testing.F) {
	for i := range 64 {
		seed := make([]byte, 0, 64)
		for j := range 64 {
			seed = append(seed, byte(i*31+j*17+i*j))
		}
		f.Add(seed)
	}
	for i := range trickyStrings {
		f.Add([]byte{2, byte(i), 8, 3, byte(i), 0, byte(i + 1), 10, 3, 0, byte(i), 8, 1, byte(i), 3})
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g := &gen{b: b}
		checkSame(t, g.object(0))
		g = &gen{b: b}
		checkSame(t, g.value(0))
	})
}

// TestMarshalDirect checks that the documents wavec emits most (built-in
// kinds with labels, annotations, probes and resources) are written by
// Marshal itself, not handed to go-yaml.
func TestMarshalDirect(t *testing.T) {
	obj := typicalDeployment()
	w := writer{}
	if !w.mapping(obj, 0, false) {
		t.Fatal("a typical Deployment was handed to go-yaml")
	}
	checkSame(t, obj)
}

// BenchmarkMarshal writes a typical Deployment into a reused buffer, as
// emit does.
func BenchmarkMarshal(b *testing.B) {
	obj := typicalDeployment()
	b.ReportAllocs()
	var buf []byte
	for range b.N {
		var err error
		if buf, err = AppendMarshal(buf[:0], obj); err != nil {
			b.Fatal(err)
		}
	}
}

// typicalDeployment is a Deployment as wavec emits them.
func typicalDeployment() map[string]any {
	return map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "Deployment",
		"metadata": map[string]any{
			"name": "app-0000", "namespace": "bench",
			"labels": map[string]any{"app.kubernetes.io/name": "app-0000", "app.kubernetes.io/part-of": "shop"},
			"annotations": map[string]any{
				"argocd.argoproj.io/sync-wave": "-1", "argocd.argoproj.io/hook": "PreSync",
				"argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation,HookSucceeded",
			},
		},
		"spec": map[string]any{
			"replicas": int64(1),
			"template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{
				"image": "ghcr.io/acme/shop:1.4.2", "name": "app-0000",
				"command":        []any{"sh", "-c", "shop migrate --to latest"},
				"env":            []any{map[string]any{"name": "URL", "value": "postgres://db.${namespace}.svc:5432/shop"}},
				"ports":          []any{map[string]any{"containerPort": int64(8080)}},
				"readinessProbe": map[string]any{"httpGet": map[string]any{"path": "/healthz", "port": int64(8080)}},
				"resources":      map[string]any{"requests": map[string]any{"cpu": "50m", "memory": "64Mi"}},
			}}}},
		},
	}
}

func ExampleMarshal() {
	b, _ := Marshal(map[string]any{"kind": "ConfigMap", "data": map[string]any{"port": "8080", "on": "yes"}})
	fmt.Print(string(b))
	// Output:
	// data:
	//   "on": "yes"
	//   port: "8080"
	// kind: ConfigMap
}

// TestCompareKeys holds compareKeys, with its shortcut for keys that
// differ first at a letter, to keyLess on every pair of tricky strings and
// of keys Kubernetes objects have.
func TestCompareKeys(t *testing.T) {
	keys := append([]string{"apiVersion", "kind", "metadata", "spec", "app.kubernetes.io/name", "app.kubernetes.io/part-of",
		"a1", "a10", "a2", "a01", "a0", "abc", "ab", "aB", "Ab", "a_b", "a-b", "a.b", "x9y", "x10y", "ä", "äb", "aä", "é1", "é2", "é10",
		"\xc3", "\xc3\xa4", "\xc2\xa0", "\xc2", "a\xc3", "a\xc3b", "a\xc3c", "\xc3a", "\xc3b"},
		trickyStrings...)
	for _, a := range keys {
		for _, b := range keys {
			want := 0
			if keyLess(a, b) {
				want = -1
			} else if keyLess(b, a) {
				want = 1
			}
			if got := compareKeys(a, b); got != want {
				t.Errorf("compareKeys(%q, %q) = %d, keyLess says %d", a, b, got, want)
			}
		}
	}
}

// TestMayBeInt checks that every string strconv reads as an integer with
// base 0 passes mayBeInt, which keeps the others from strconv.
func TestMayBeInt(t *testing.T) {
	strs := append([]string{"0x1f", "0X1F", "-0x1", "+0o17", "0O7", "0b1", "-0B1", "017", "08", "+5", "-0", "0x", "0o", "0b",
		"9223372036854775807", "18446744073709551615", "-c", "50m", "64Mi", "1e3", "0xg", "0b2", "abc", "+", "-"}, trickyStrings...)
	for _, s := range strs {
		plain := strings.ReplaceAll(s, "_", "")
		_, ierr := strconv.ParseInt(plain, 0, 64)
		_, uerr := strconv.ParseUint(plain, 0, 64)
		if (ierr == nil || uerr == nil) && !mayBeInt(plain) {
			t.Errorf("%q parses as an integer but mayBeInt says no", plain)
		}
	}
	for _, s := range []string{"-c", "50m", "64Mi", "1.4.2", "0xg", "abc"} {
		if mayBeInt(s) {
			t.Errorf("mayBeInt(%q): want false", s)
		}
	}
}
