//go:build linux

package reliability

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Bounds every hostile input must stay within. They are far above what the
// inputs need (tens of MiB, tenths of a second) so that a loaded machine
// does not fail the test, and far below what the attacks would cost
// without their limits (alias bombs: many GiB; deep nesting: a stack
// overflow).
const (
	hostileMaxRSS = 256 << 20
	hostileMaxCPU = 20 * time.Second
)

const cmHeader = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"

// hostileYAML returns the hostile manifests and what the error says.
func hostileYAML() []struct {
	name string
	data []byte
	want string
} {
	// Billion laughs: nine levels of ten aliases each, 10^9 values.
	var seqBomb strings.Builder
	seqBomb.WriteString(cmHeader + "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&seqBomb, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	// The same with mappings, and with merge keys.
	var mapBomb strings.Builder
	mapBomb.WriteString(cmHeader + "m0: &m0 {k0: v, k1: v, k2: v, k3: v, k4: v, k5: v, k6: v, k7: v, k8: v, k9: v}\n")
	for i := 1; i < 10; i++ {
		var kv []string
		for j := range 10 {
			kv = append(kv, fmt.Sprintf("x%d: *m%d", j, i-1))
		}
		fmt.Fprintf(&mapBomb, "m%d: &m%d {%s}\n", i, i, strings.Join(kv, ", "))
	}
	var mergeBomb strings.Builder
	mergeBomb.WriteString(cmHeader + "m0: &m0 {k0: v, k1: v, k2: v, k3: v, k4: v, k5: v, k6: v, k7: v, k8: v, k9: v}\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&mergeBomb, "m%d: &m%d\n", i, i)
		for j := range 10 {
			fmt.Fprintf(&mergeBomb, "  x%d: {<<: *m%d}\n", j, i-1)
		}
	}
	return []struct {
		name string
		data []byte
		want string
	}{
		{"alias-bomb-sequences", []byte(seqBomb.String()), `document expands aliases into too many values .*billion laughs`},
		{"alias-bomb-mappings", []byte(mapBomb.String()), `document expands aliases into too many values .*billion laughs`},
		{"alias-bomb-merge-keys", []byte(mergeBomb.String()), `document expands aliases into too many values .*billion laughs`},
		{"document-over-3MiB", []byte(cmHeader + "data:\n  big: \"" + strings.Repeat("a", 3<<20) + "\"\n"),
			`document 1: (error: )?document is 3\.0 MiB, larger than the 3 MiB the Kubernetes API server accepts`},
		{"line-of-64MiB", bytes.Repeat([]byte("a"), 64<<20), `document is 64 MiB, larger than the 3 MiB`},
		{"deep-flow-nesting", []byte(cmHeader + "spec: " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n"),
			`nesting is deeper than 128 levels`},
		{"deep-block-nesting", []byte(cmHeader + "spec:\n" + deepBlock(1000)), `nesting is deeper than 128 levels`},
		{"deep-lists", []byte(deepList(200)), `nesting is deeper than 128 levels|Lists are nested too deeply`},
		{"invalid-utf8", []byte(cmHeader + "data:\n  k: caf\xe9\n"), `:6:\d+: error\[E0901\]: document 1: invalid UTF-8 \(byte 0xe9 at column 9\); manifests must be UTF-8`},
		{"utf16", utf16(cmHeader), `file is UTF-16; convert it to UTF-8`},
		{"nul-bytes", []byte(cmHeader + "data:\n  k: a\x00b\n"), `invalid YAML: control characters are not allowed`},
	}
}

func deepBlock(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat("  ", i+1) + "a:\n")
	}
	return b.String()
}

// deepList nests n Lists, each the only item of the one around it.
func deepList(n int) string {
	return strings.Repeat(`{"apiVersion": "v1", "kind": "List", "items": [`, n) + cmHeader[:0] +
		`{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}` + strings.Repeat("]}", n) + "\n"
}

func utf16(s string) []byte {
	out := []byte{0xff, 0xfe}
	for _, r := range s {
		out = append(out, byte(r), 0)
	}
	return out
}

// TestHostileYAML feeds each hostile manifest to plan -f FILE, plan -f -
// and run -f FILE (which reads its input before it connects anywhere): each
// must fail with exit code 1 and a clear error naming the file, document
// and problem, print nothing on standard output, and stay within bounded
// CPU time and memory.
func TestHostileYAML(t *testing.T) {
	dir := t.TempDir()
	for _, c := range hostileYAML() {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, dir, c.name+".yaml", c.data)
			want := regexp.MustCompile(c.want)
			for _, inv := range []invocation{
				{args: []string{"plan", "-f", path}},
				{args: []string{"plan", "-n", "default", "-o", "json", "-f", "-"}, stdin: bytes.NewReader(c.data)},
				{args: []string{"run", "-f", path, "--kubeconfig", filepath.Join(dir, "no-such-kubeconfig")}},
			} {
				r := wavec(t, inv)
				t.Logf("wavec %s: %s (input %d bytes)", inv.args[0], r, len(c.data))
				if r.code != 1 {
					t.Errorf("wavec %s: exit code %d, want 1; stderr:\n%s", strings.Join(inv.args, " "), r.code, r.stderr)
				}
				if r.stdout != "" {
					t.Errorf("wavec %s printed on stdout: %.200q", strings.Join(inv.args, " "), r.stdout)
				}
				if !want.MatchString(r.stderr) {
					t.Errorf("wavec %s: stderr does not match %q:\n%.1000s", strings.Join(inv.args, " "), c.want, r.stderr)
				}
				if len(r.stderr) > 4096 {
					t.Errorf("wavec %s: %d bytes of errors; the input should not be echoed", strings.Join(inv.args, " "), len(r.stderr))
				}
				if r.maxRSS > hostileMaxRSS || r.cpu > hostileMaxCPU {
					t.Errorf("wavec %s: %s; want at most %d MiB and %s", strings.Join(inv.args, " "), r, hostileMaxRSS>>20, hostileMaxCPU)
				}
			}
		})
	}
}

// TestHostileObjectFiles feeds hostile YAML to the compiler through
// `object NAME from "FILE"` and hostile .wave source to the parser.
func TestHostileObjectFiles(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		file []byte
		wave string
		want string
		// echoes is set when the diagnostic quotes a (long) source line.
		echoes bool
	}{
		{name: "alias-bomb", file: []byte(hostileYAML()[0].data), want: `error\[E0414\]: object "x", document 1: document expands aliases into too many values .*billion laughs`},
		{name: "document-over-3MiB", file: []byte(cmHeader + "data:\n  big: \"" + strings.Repeat("a", 3<<20) + "\"\n"),
			want: `error\[E0414\]: object "x", document 1: document is 3\.0 MiB, larger than the 3 MiB the Kubernetes API server accepts`},
		{name: "file-over-16MiB", file: bytes.Repeat([]byte("- a\n"), 17<<18), want: `error\[E0310\]: object file "file-over-16MiB.yaml" is larger than 16 MiB`},
		{name: "deep-flow-nesting", file: []byte(cmHeader + "spec: " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n"),
			want: `error\[E0414\]: object "x", document 1: invalid YAML: nesting is deeper than 128 levels`},
		{name: "invalid-utf8", file: []byte(cmHeader + "data:\n  k: caf\xe9\n"), want: `error\[E0414\]: object "x", document 1: invalid UTF-8 \(byte 0xe9 at column 9\); manifests must be UTF-8`},
		{name: "wave-over-1MiB", wave: "pipeline p in default\n// " + strings.Repeat("x", 1<<20) + "\n", want: `p.wave:1:1: error\[E0105\]: file is 1048602 bytes; .wave files may be at most 1 MiB`},
		{name: "wave-deep-nesting", wave: "pipeline p in default\nparam a = " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n", want: `p.wave:2:75: error\[E0106\]: brackets nest more than 64 deep`, echoes: true},
		{name: "wave-invalid-utf8", wave: "pipeline p in default\nconfigmap c { A = \"caf\xe9\" }\n", want: `error\[E\d+\]: .*UTF-8`},
		{name: "wave-nul", wave: "pipeline p in default\x00\n", want: `error\[`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := filepath.Join(dir, c.name)
			wave := c.wave
			if c.file != nil {
				writeFile(t, d, c.name+".yaml", c.file)
				wave = fmt.Sprintf("pipeline p in default\nobject x from %q\n", c.name+".yaml")
			}
			p := writeFile(t, d, "p.wave", []byte(wave))
			for _, cmd := range []string{"check", "build", "plan"} {
				r := wavec(t, invocation{args: []string{cmd, p}})
				t.Logf("wavec %s: %s", cmd, r)
				if r.code != 1 || r.stdout != "" {
					t.Errorf("wavec %s: exit code %d, stdout %.200q; want 1 and nothing", cmd, r.code, r.stdout)
				}
				if !regexp.MustCompile(c.want).MatchString(r.stderr) {
					t.Errorf("wavec %s: stderr does not match %q:\n%.1000s", cmd, c.want, r.stderr)
				}
				if len(r.stderr) > 8192 && !c.echoes {
					t.Errorf("wavec %s: %d bytes of diagnostics", cmd, len(r.stderr))
				}
				if r.maxRSS > hostileMaxRSS || r.cpu > hostileMaxCPU {
					t.Errorf("wavec %s: %s; want at most %d MiB and %s", cmd, r, hostileMaxRSS>>20, hostileMaxCPU)
				}
			}
		})
	}
}

// TestObjectFileNamedPipe names a named pipe as an object file: opening it
// must not wait for a writer.
func TestObjectFileNamedPipe(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	p := writeFile(t, dir, "p.wave", []byte("pipeline p in default\nobject x from \"fifo.yaml\"\n"))
	r := wavec(t, invocation{args: []string{"check", p}, timeout: 30 * time.Second})
	t.Logf("wavec check: %s", r)
	if r.code != 1 || !strings.Contains(r.stderr, `error[E0310]: object file "fifo.yaml" is not a regular file`) {
		t.Errorf("exit code %d, stderr:\n%s", r.code, r.stderr)
	}
}
