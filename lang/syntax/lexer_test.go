package syntax

import (
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// referenceLexer is the lexer's specification as regular expressions, the
// way the parser library's own lexer would run them. The hand-written
// scanner must produce exactly its tokens.
var referenceLexer = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "Comment", Pattern: `//[^\n]*`},
	{Name: "TripleString", Pattern: `"""(?s:.*?)"""`},
	{Name: "BadTripleString", Pattern: `"""`},
	{Name: "String", Pattern: `"(?:\\.|[^"\\\n])*"`},
	{Name: "BadString", Pattern: `"`},
	{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_]*(?:[-.]+[A-Za-z0-9_]+)*|\d[A-Za-z0-9_]*(?:-+[A-Za-z0-9_]+)+(?:[-.]+[A-Za-z0-9_]+)*`},
	{Name: "Unit", Pattern: `-?\d+(?:\.\d+)?[a-zA-Z]+(?:\d+(?:\.\d+)?[a-zA-Z]+)*`},
	{Name: "Number", Pattern: `-?\d+(?:\.\d+)?`},
	{Name: "Arrow", Pattern: `->`},
	{Name: "Punct", Pattern: `[{}\[\]<>=]`},
	{Name: "Sep", Pattern: `[,;]`},
	{Name: "Whitespace", Pattern: `[ \t\r\n]+`},
})

// referenceTokens lexes src with referenceLexer, naming token types so that
// they compare with the scanner's.
func referenceTokens(src string) ([]lexer.Token, bool) {
	lx, err := referenceLexer.LexString("f", src)
	if err != nil {
		return nil, false
	}
	names := lexer.SymbolsByRune(referenceLexer)
	var out []lexer.Token
	for {
		t, err := lx.Next()
		if err != nil {
			return out, false
		}
		name := names[t.Type]
		if name == "TripleString" { // one token type for both forms of string
			name = "String"
		}
		t.Type = tokenNames[name]
		if t.Type == tokIdent && slices.Contains(KindKeywords, t.Value) {
			t.Type = tokKind
		}
		out = append(out, t)
		if t.EOF() {
			return out, true
		}
	}
}

func compareLexers(t *testing.T, src string) {
	t.Helper()
	want, wantOK := referenceTokens(src)
	got, err := scan("f", []byte(src))
	if (err == nil) != wantOK {
		t.Fatalf("%q: scanner error %v, reference ok=%v", src, err, wantOK)
	}
	if len(got) != len(want) {
		t.Fatalf("%q: %d tokens, reference %d:\n got  %v\n want %v", src, len(got), len(want), got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%q: token %d = %#v, reference %#v", src, i, got[i], want[i])
		}
	}
}

var lexerSeeds = []string{
	"", "pipeline a in b\n", `"a\"b" "c\\" "\` + "\n", `""""""`, `""""`, `"""a""" """`,
	"1h30m 1h30 500m 256Mi 1.5 1. -1 -x -> a->b a-b a.b a-.b 3e 0.5cpu 1h30.5m2",
	"x // c\n/ y", "é \"é\\é\" ø", "wave -1 < a, b >; {}[]=,;", "\t\r\n \n", "a--b _x-_y x..y", "\"\\\n\"",
	"2fa-config my--config 3-2 80->8000 1.5-x 2fa- 2fa--x.y 9-- 1h30m-a a.-b -2fa-x 0-0.5",
}

func TestScannerMatchesReference(t *testing.T) {
	for _, s := range lexerSeeds {
		compareLexers(t, s)
	}
}

func FuzzScanner(f *testing.F) {
	for _, s := range lexerSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if !utf8.ValidString(src) {
			return // Parse refuses invalid UTF-8 before lexing.
		}
		compareLexers(t, src)
	})
}
