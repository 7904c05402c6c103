package syntax

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
)

// The parser library reports where parsing stopped but not, in general, what
// would have been accepted there. translateParseError asks the grammar
// (expect.go) which kinds of token it accepts at the error, and says it in
// plain words.

// probe is one kind of token that may be expected at an error.
type probe struct {
	text string // the token, as it would be written
	desc string // how an expected token of this kind is described
	word bool   // a keyword, suggested for misspelt names
}

var probes = []probe{
	{`=`, `"="`, false},
	{`{`, `"{"`, false},
	{`}`, `"}"`, false},
	{`[`, `"["`, false},
	{`]`, `"]"`, false},
	{`<`, `"<"`, false},
	{`>`, `">"`, false},
	{`,`, `","`, false},
	{`->`, `"->"`, false},
	{`in`, `"in"`, true},
	{`wave`, `"wave"`, true},
	{`on`, `"on"`, true},
	{`from`, `"from"`, true},
	{`after`, `"after"`, true},
	{`delete`, `"delete"`, true},
	{`pipeline`, `"pipeline"`, true},
	{`param`, `"param"`, true},
	{`object`, `"object"`, true},
	{`configmap`, `a kind`, true},
	{`presync`, `a hook phase`, true},
	{`x_`, `a name`, false},
	{`"s"`, `a string`, false},
	{`1`, `a number`, false},
	{`5m`, `a duration or quantity`, false},
}

// probeTokens are the probes as tokens, as the lexer reads them.
var probeTokens = func() []lexer.Token {
	out := make([]lexer.Token, len(probes))
	for i, p := range probes {
		typ, n := match([]byte(p.text), 0)
		if n != len(p.text) {
			panic("syntax: probe " + p.text + " is not one token")
		}
		out[i] = lexer.Token{Type: typ, Value: p.text}
	}
	return out
}()

// translateParseError turns the parser's error into a diagnostic. f is the
// partial tree the parser returned for the tokens from offset start on, and
// tokens are the file's tokens.
func translateParseError(sf *source.File, err error, f *File, start int, tokens []lexer.Token) *diag.Diagnostic {
	var pe participle.Error
	if !errors.As(err, &pe) {
		return diag.Errorf(sf.Span(0, 0), CodeSyntax, "%v", err)
	}
	off := pe.Position().Offset
	var tok lexer.Token
	var ue *participle.UnexpectedTokenError
	if errors.As(err, &ue) {
		tok = ue.Unexpected
		off = tok.Pos.Offset
	} else {
		tok = tokenAt(sf, tokens, off)
	}
	end := off + len(tok.Value)
	if tok.EOF() {
		end = off
	}
	expected := expectedAt(tokens, off, declStart(f, off, start))
	d := diag.Errorf(sf.Span(off, end), CodeSyntax, "unexpected %s%s", describeToken(tok), describeExpected(expected))
	addHints(d, tok, expected)
	return d
}

// tokenAt returns the token that starts at or after offset off and is
// neither whitespace nor a comment, or EOF.
func tokenAt(sf *source.File, tokens []lexer.Token, off int) lexer.Token {
	for _, t := range tokens[tokenIndex(tokens, off):] {
		if t.Type != tokWhitespace && t.Type != tokComment {
			return t
		}
	}
	return lexer.Token{Type: lexer.EOF, Pos: sf.Pos(len(sf.Content()))}
}

// declStart returns where to start re-parsing for an error at offset off: the
// start of the top-level declaration before the one the error is in (a probe
// may extend that one), or start, where the parse that found the error
// began. A file is a sequence of declarations, so the parser is in the same
// state there as when it first got there.
func declStart(f *File, off, start int) int {
	if f == nil {
		return start
	}
	i := len(f.Decls) - 1
	for i >= 0 && (f.Decls[i] == nil || f.Decls[i].Pos.Offset >= off) {
		i--
	}
	if i < 1 || f.Decls[i-1] == nil {
		return start
	}
	return f.Decls[i-1].Pos.Offset
}

// expectedAt returns the probes the grammar accepts in place of the token at
// offset off, reading the tokens from offset base on, where a declaration
// starts.
func expectedAt(tokens []lexer.Token, off, base int) []probe {
	var sig []lexer.Token
	errIdx := -1
	for _, t := range tokens[tokenIndex(tokens, base):] {
		if t.Type == tokWhitespace || t.Type == tokComment {
			continue
		}
		if errIdx < 0 && t.Pos.Offset >= off {
			errIdx = len(sig)
		}
		sig = append(sig, t)
	}
	if errIdx < 0 {
		return nil
	}
	accepted, ok := expectedTokens(sig, 0, errIdx, probeTokens)
	if !ok {
		return nil
	}
	var out []probe
	for i, p := range probes {
		if accepted[i] {
			out = append(out, p)
		}
	}
	return out
}

func describeToken(t lexer.Token) string {
	switch {
	case t.EOF():
		return "end of file"
	case isNameToken(t):
		return fmt.Sprintf("%q", t.Value)
	case t.Type == tokString:
		return "string " + shorten(t.Value)
	case t.Type == tokNumber, t.Type == tokUnit:
		return t.Value
	}
	return fmt.Sprintf("%q", t.Value)
}

func shorten(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + "..."
	}
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// describeExpected turns the accepted probes into "; expected X, Y or Z",
// folding the probes that make up a value or a declaration into one phrase.
func describeExpected(ps []probe) string {
	if len(ps) == 0 {
		return ""
	}
	has := map[string]bool{}
	for _, p := range ps {
		has[p.text] = true
	}
	if has["x_"] {
		// Keywords are lexed as names, so wherever a name is accepted
		// every keyword is too; listing them would only confuse.
		for _, p := range ps {
			if p.word {
				delete(has, p.text)
			}
		}
	}
	var words []string
	if has["pipeline"] && has["param"] && has["configmap"] {
		words = append(words, "a declaration (pipeline, param, wave, a hook phase, object or a kind such as deployment)")
		for _, t := range []string{"pipeline", "param", "object", "wave", "presync", "configmap"} {
			delete(has, t)
		}
	}
	if has[`"s"`] && has["1"] && has["["] {
		words = append(words, "a value")
		for _, t := range []string{`"s"`, "1", "5m", "[", "{", "x_", "configmap", "object"} {
			delete(has, t)
		}
	}
	for _, p := range ps {
		if has[p.text] {
			words = append(words, p.desc)
			delete(has, p.text)
		}
	}
	switch len(words) {
	case 1:
		return "; expected " + words[0]
	default:
		return "; expected " + strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
	}
}

// Kinds returns the keywords of the built-in kinds, as the grammar (Kind)
// lists them.
func Kinds() []string {
	return slices.Clone(KindKeywords)
}

// keywords are the words of the language, offered as corrections for a
// misspelt name where a keyword was expected.
var keywords = slices.Concat([]string{
	"pipeline", "param", ObjectKeyword, "wave", "in", "from", "after", "delete", "on", "external", "timeout", "retries",
	"presync", "sync", "postsync", "syncfail", "predelete", "postdelete", "skip",
}, KindKeywords, []string{
	"on-success", "on-failure", "before-create",
})

func addHints(d *diag.Diagnostic, tok lexer.Token, expected []probe) {
	wantsWord, wantsDecl := false, false
	for _, p := range expected {
		if p.word {
			wantsWord = true
		}
		if p.text == "pipeline" {
			wantsDecl = true
		}
	}
	if isNameToken(tok) && wantsWord {
		if s := diag.Suggest(tok.Value, keywords); s != "" {
			d.Hint("did you mean %q?", s)
			return
		}
	}
	if isNameToken(tok) && wantsDecl {
		kinds := Kinds()
		d.Hint("%q is not a kind wavec knows; its kinds are %s", tok.Value, strings.Join(kinds, ", "))
		d.Hint("for any other kind, give its YAML: `object NAME = \"\"\" ...YAML... \"\"\"` or `object NAME from \"FILE.yaml\"`")
		return
	}
	for _, p := range expected {
		if p.text == "=" && !tok.EOF() && tok.Value != "}" {
			d.Hint(`write "=" between a key and its value, as in image = "nginx:1.27"`)
			return
		}
	}
}
