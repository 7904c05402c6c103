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
// would have been accepted there. translateParseError finds that out by
// trying each kind of token in place of the offending one and keeping those
// that let the parser get further, then says it in plain words.

// probe is one kind of token tried at the error position.
type probe struct {
	text string // what is written into the source
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

// maxProbeSize bounds the text that is re-parsed for each probe; errors in
// larger declarations get a plainer message.
const maxProbeSize = 1 << 20

// probeLookahead is how many tokens after the error a probe's re-parse reads.
// The parser decides within a few tokens whether it accepts a probe.
const probeLookahead = 32

// translateParseError turns the parser's error into a diagnostic. f is the
// partial tree the parser returned for the text from offset start on, used
// to re-parse only the declarations around the error.
func translateParseError(sf *source.File, err error, f *File, start int) *diag.Diagnostic {
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
		tok = tokenAt(sf, off)
	}
	end := off + len(tok.Value)
	if tok.EOF() {
		end = off
	}
	expected := expectedAt(sf, off, end, declStart(f, off, start))
	d := diag.Errorf(sf.Span(off, end), CodeSyntax, "unexpected %s%s", describeToken(tok), describeExpected(expected))
	addHints(d, tok, expected)
	return d
}

// tokenAt returns the token that starts at offset off, or EOF.
func tokenAt(sf *source.File, off int) lexer.Token {
	tokens, err := lexAll(sf.Name(), sf.Content())
	if err == nil {
		for _, t := range tokens {
			if t.Pos.Offset >= off && t.Type != tokenType("Whitespace") && t.Type != tokenType("Comment") {
				return t
			}
		}
	}
	return lexer.Token{Type: lexer.EOF, Pos: lexer.Position(sf.Pos(len(sf.Content())))}
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

// expectedAt returns the probes that, written in place of bytes [off, end),
// let the parse go past off. Each probe re-parses src[base:off], the probe
// and probeLookahead tokens after end, so its cost does not grow with the
// file.
func expectedAt(sf *source.File, off, end, base int) []probe {
	src := sf.Content()
	if off-base > maxProbeSize {
		return nil
	}
	limit := lookaheadEnd(sf, end)
	var out []probe
	for _, p := range probes {
		trial := make([]byte, 0, off-base+len(p.text)+2+limit-end)
		trial = append(trial, src[base:off]...)
		trial = append(trial, ' ')
		trial = append(trial, p.text...)
		trial = append(trial, ' ')
		trial = append(trial, src[end:limit]...)
		_, err := parser.ParseBytes(sf.Name(), trial)
		if err == nil {
			out = append(out, p)
			continue
		}
		var pe participle.Error
		if errors.As(err, &pe) && pe.Position().Offset > off-base+1 {
			out = append(out, p)
		}
	}
	return out
}

// lookaheadEnd returns the offset where the probeLookahead-th token after
// offset end ends, or the end of the file.
func lookaheadEnd(sf *source.File, end int) int {
	src := sf.Content()
	lx, err := waveLexer.LexString(sf.Name(), string(src[end:]))
	if err != nil {
		return len(src)
	}
	for n := 0; n < probeLookahead; {
		t, err := lx.Next()
		if err != nil || t.EOF() {
			return len(src)
		}
		if t.Type != tokenType("Whitespace") && t.Type != tokenType("Comment") {
			n++
		}
		if n == probeLookahead {
			return end + t.Pos.Offset + len(t.Value)
		}
	}
	return len(src)
}

func describeToken(t lexer.Token) string {
	switch {
	case t.EOF():
		return "end of file"
	case t.Type == tokenType("Ident"):
		return fmt.Sprintf("%q", t.Value)
	case t.Type == tokenType("String"), t.Type == tokenType("TripleString"):
		return "string " + shorten(t.Value)
	case t.Type == tokenType("Number"), t.Type == tokenType("Unit"):
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
	if tok.Type == tokenType("Ident") && wantsWord {
		if s := diag.Suggest(tok.Value, keywords); s != "" {
			d.Hint("did you mean %q?", s)
			return
		}
	}
	if tok.Type == tokenType("Ident") && wantsDecl {
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
