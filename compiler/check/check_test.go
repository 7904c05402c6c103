package check_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/wavec/wavec/compiler/check"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// A test input is a .wave file, or a directory of them, under testdata.
// Every diagnostic is expected by a marker on the line where it starts:
//
//	job x { image = 3 } // ERROR "image must be a string"
//
// ERROR matches errors and WARNING warnings; the regexp is matched against
// "CODE summary". A line may carry several markers; inside embedded YAML
// they follow ` # `. A diagnostic without a marker fails the test, and so
// does a marker that matches nothing. A line `// SET name=value` passes
// --set name=value, and markers on it match diagnostics about that flag.
var markerRE = regexp.MustCompile(`(ERROR|WARNING) "((?:[^"\\]|\\.)*)"`)

type marker struct {
	file    string
	line    int
	sev     diag.Severity
	re      *regexp.Regexp
	matched bool
}

func TestCheck(t *testing.T) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() && !strings.HasSuffix(name, ".wave") {
			continue
		}
		t.Run(strings.TrimSuffix(name, ".wave"), func(t *testing.T) {
			runCheckTest(t, filepath.Join("testdata", name))
		})
	}
}

func runCheckTest(t *testing.T, path string) {
	names, err := source.Expand([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	var files []*syntax.File
	var markers []*marker
	sets := map[string]string{}
	setLines := map[string]source.Pos{}
	for _, n := range names {
		src, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		f, diags := syntax.Parse(n, src)
		if len(diags) > 0 {
			t.Fatalf("syntax errors: %v", diags.Err())
		}
		files = append(files, f)
		for i, line := range strings.Split(string(src), "\n") {
			if s, ok := strings.CutPrefix(strings.TrimSpace(line), "// SET "); ok {
				kv, _, _ := strings.Cut(s, " ")
				k, v, _ := strings.Cut(kv, "=")
				sets[k] = v
				setLines["--set "+kv] = source.Pos{Filename: n, Line: i + 1}
			}
			comment := commentOf(line)
			if comment == "" {
				continue
			}
			for _, m := range markerRE.FindAllStringSubmatch(comment, -1) {
				sev := diag.Error
				if m[1] == "WARNING" {
					sev = diag.Warning
				}
				re, err := regexp.Compile(strings.ReplaceAll(m[2], `\"`, `"`))
				if err != nil {
					t.Fatalf("%s:%d: bad marker regexp: %v", n, i+1, err)
				}
				markers = append(markers, &marker{file: n, line: i + 1, sev: sev, re: re})
			}
		}
	}
	_, diags := check.Check(files, check.Options{Sets: sets})
	for _, d := range diags {
		text := string(d.Code) + " " + d.Summary
		at := d.Subject.Start
		if p, ok := setLines[at.Filename]; ok {
			at = p
		}
		found := false
		for _, m := range markers {
			if m.file == at.Filename && m.line == at.Line && m.sev == d.Severity && m.re.MatchString(text) {
				m.matched, found = true, true
			}
		}
		if !found {
			t.Errorf("%s: unexpected %s: %s", d.Subject.Start, d.Severity, text)
		}
		checkShape(t, d)
	}
	sort.Slice(markers, func(i, j int) bool { return markers[i].line < markers[j].line })
	for _, m := range markers {
		if !m.matched {
			t.Errorf("%s:%d: no %s matching %q", m.file, m.line, m.sev, m.re)
		}
	}
}

// commentOf returns the comment of a line: after `//`, or after `#` for
// markers inside embedded YAML.
func commentOf(line string) string {
	if _, c, ok := strings.Cut(line, "//"); ok {
		return c
	}
	if _, c, ok := strings.Cut(line, " # "); ok {
		return c
	}
	return ""
}

// checkShape checks what every checker diagnostic must have: a code, a
// hint that says how to fix it, and a lower-case summary.
func checkShape(t *testing.T, d *diag.Diagnostic) {
	t.Helper()
	if d.Code == "" {
		t.Errorf("%s: diagnostic without a code: %s", d.Subject.Start, d.Summary)
	}
	if strings.HasPrefix(string(d.Code), "E02") || strings.HasPrefix(string(d.Code), "W02") {
		if len(d.Hints) == 0 {
			t.Errorf("%s: ordering diagnostic %s has no hint", d.Subject.Start, d.Code)
		}
	}
}

// TestObjectFileSymlink checks that an object file may not lead out of the
// pipeline's directory through a symbolic link.
func TestObjectFileSymlink(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.yaml")
	if err := os.WriteFile(secret, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(secret, filepath.Join(dir, "link.yaml")); err != nil {
		t.Skipf("cannot create symlinks: %v", err)
	}
	name := filepath.Join(dir, "p.wave")
	f, diags := syntax.Parse(name, []byte("pipeline p in default\nobject x from \"link.yaml\"\n"))
	if len(diags) > 0 {
		t.Fatal(diags.Err())
	}
	_, diags = check.Check([]*syntax.File{f}, check.Options{})
	if len(diags) != 1 || diags[0].Code != check.CodeObjectFile || !strings.Contains(diags[0].Summary, "symbolic link") {
		t.Fatalf("diags = %v", diags.Err())
	}
}

// TestCheckLeavesASTAlone checks every test input and every example, and
// expects the AST to be the same afterwards.
func TestCheckLeavesASTAlone(t *testing.T) {
	paths, _ := filepath.Glob("testdata/*")
	examples, _ := filepath.Glob("../../examples/*")
	for _, p := range append(paths, examples...) {
		names, err := source.Expand([]string{p})
		if err != nil {
			continue
		}
		var files []*syntax.File
		var before []string
		for _, n := range names {
			src, _ := os.ReadFile(n)
			f, _ := syntax.Parse(n, src)
			files = append(files, f)
			before = append(before, syntax.Dump(f, true))
		}
		check.Check(files, check.Options{Sets: map[string]string{"image": "x:1"}})
		for i, f := range files {
			if syntax.Dump(f, true) != before[i] {
				t.Errorf("%s: Check changed the AST", names[i])
			}
		}
	}
}
