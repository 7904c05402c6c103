package source

import "testing"

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

func TestPosString(t *testing.T) {
	if s := (Pos{Filename: "x.wave", Line: 3, Column: 7}).String(); s != "x.wave:3:7" {
		t.Errorf("got %q", s)
	}
	if s := (Pos{Filename: "x.wave"}).String(); s != "x.wave" {
		t.Errorf("got %q", s)
	}
}
