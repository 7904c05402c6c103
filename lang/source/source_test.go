package source

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestFilePos(t *testing.T) {
	f := NewFile("a.wave", []byte("ab\nçd\r\n\nx"))
	cases := []struct {
		off       int
		line, col int
	}{
		{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {5, 2, 2}, {6, 2, 3}, {8, 3, 1}, {9, 4, 1}, {10, 4, 2}, {99, 4, 2},
	}
	for _, c := range cases {
		p := f.Pos(c.off)
		if p.Line != c.line || p.Column != c.col {
			t.Errorf("Pos(%d) = %d:%d, want %d:%d", c.off, p.Line, p.Column, c.line, c.col)
		}
	}
	if got := f.Line(2); got != "çd" {
		t.Errorf("Line(2) = %q, want %q (no CR)", got, "çd")
	}
	if got := f.Line(5); got != "" {
		t.Errorf("Line(5) = %q, want empty", got)
	}
	if got := f.LineCount(); got != 4 {
		t.Errorf("LineCount = %d, want 4", got)
	}
}

func TestFormat(t *testing.T) {
	if s := Format(Pos{Filename: "x.wave", Line: 3, Column: 7}); s != "x.wave:3:7" {
		t.Errorf("got %q", s)
	}
	if s := Format(Pos{Filename: "x.wave"}); s != "x.wave" {
		t.Errorf("got %q", s)
	}
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.wave", "a.wave", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Expand([]string{dir, filepath.Join(dir, "a.wave")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.wave"), filepath.Join(dir, "b.wave")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Expand = %v, want %v", got, want)
	}
	if _, err := Expand([]string{filepath.Join(dir, "missing")}); err == nil || !strings.HasSuffix(err.Error(), "missing: no such file or directory") {
		t.Errorf("missing path: err = %v", err)
	}
	empty := t.TempDir()
	if _, err := Expand([]string{empty}); err == nil || !strings.Contains(err.Error(), "has no .wave files") {
		t.Errorf("empty dir: err = %v", err)
	}
}
