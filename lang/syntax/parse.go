// Package syntax is the .wave front end: the lexer, the grammar (the AST
// structs in ast.go) and Parse. It is the only package that imports the
// parser library; everything it returns uses lang/source positions and
// lang/diag diagnostics.
package syntax

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
)

// Diagnostic codes of the front end.
const (
	// CodeSyntax is a token the grammar does not allow where it stands.
	CodeSyntax diag.Code = "E0101"
	// CodeLexical is a character that starts no token.
	CodeLexical diag.Code = "E0102"
	// CodeUnterminated is a string without its closing quotes.
	CodeUnterminated diag.Code = "E0103"
	// CodeEncoding is input that is not UTF-8 text.
	CodeEncoding diag.Code = "E0104"
	// CodeTooLarge is a file over MaxFileSize.
	CodeTooLarge diag.Code = "E0105"
	// CodeTooDeep is brackets nested deeper than MaxDepth.
	CodeTooDeep diag.Code = "E0106"
	// CodeEscape is a bad escape sequence or ${...} reference in a string.
	CodeEscape diag.Code = "E0107"
)

// MaxFileSize is the largest .wave file Parse accepts. It bounds how long
// parsing takes: the parser reads about a megabyte in a few seconds, and a
// hand-written pipeline of 10,000 lines is a quarter of that.
const MaxFileSize = 1 << 20

// MaxDepth is how deeply {}, [] and <> may nest.
const MaxDepth = 64

// parser is the .wave parser, built from the grammar tags of ast.go on
// first use: building it takes about a millisecond and 7,000 allocations,
// which commands that parse nothing (`wavec version`) do not pay.
var parser = sync.OnceValue(func() *participle.Parser[File] {
	return participle.MustBuild[File](
		participle.Lexer(waveLexer),
		participle.Elide("Whitespace", "Comment"),
		participle.UseLookahead(4),
	)
})

// Parse parses one .wave file. It always returns a File (possibly partial)
// and the syntax errors found; the File's Comments and Source are set.
func Parse(filename string, src []byte) (*File, diag.List) {
	sf := source.NewFile(filename, src)
	empty := &File{Source: sf, Pos: sf.Pos(0), EndPos: sf.Pos(len(src))}
	if d := precheck(sf); d != nil {
		return empty, diag.List{d}
	}
	// The parser's token buffer is the only copy of the tokens. It holds
	// no whitespace (half of all tokens), so the parser ends each node where
	// the next token or comment starts; fixEnds moves the ends back to just
	// after the node's last token.
	sc := newScanner(filename, src)
	sc.skipSpace = true
	peeker, err := lexer.Upgrade(sc, tokComment)
	tokens := peeker.Range(0, lexer.RawCursor(sc.count))
	// An unterminated string before a lexical error is its cause: the text
	// after the opening quotes is lexed as code.
	if d := checkTokens(sf, tokens); d != nil {
		return empty, diag.List{d}
	}
	if err != nil {
		return empty, diag.List{translateLexError(sf, err)}
	}
	chunks := parseChunks(peeker, tokens)
	f := chunks[0].file
	if f == nil {
		f = empty
	}
	for _, c := range chunks[1:] {
		if c.file != nil {
			f.Decls = append(f.Decls, c.file.Decls...)
		}
	}
	f.Source = sf
	f.Pos, f.EndPos = sf.Pos(0), sf.Pos(len(src))
	for _, t := range tokens {
		if t.Type == tokComment {
			f.Comments = append(f.Comments, &Comment{
				Pos: t.Pos, EndPos: sf.Pos(t.Pos.Offset + len(t.Value)),
				Text: strings.TrimRight(t.Value, " \t\r"),
			})
		}
	}
	var diags diag.List
	for _, c := range chunks {
		if c.err != nil {
			diags.Add(translateParseError(sf, c.err, c.file, c.start, tokens))
		}
	}
	if len(diags) > 0 {
		fixEnds(f, tokens)
		closeSpans(f)
		keywordPositions(f, tokens)
		diags.Sort()
		return f, diags
	}
	finishTree(f, tokens)
	diags.Append(checkStrings(f))
	diags.Sort()
	return f, diags
}

// precheck rejects input that is not text before the lexer sees it.
func precheck(sf *source.File) *diag.Diagnostic {
	src := sf.Content()
	if len(src) > MaxFileSize {
		return diag.Errorf(sf.Span(0, 0), CodeTooLarge, "file is %d bytes; .wave files may be at most %d MiB", len(src), MaxFileSize>>20).
			Hint("split the pipeline into several files in one directory, or bring large YAML in with `object NAME from \"file.yaml\"`")
	}
	if i := bytes.IndexByte(src, 0); i >= 0 {
		return diag.Errorf(sf.Span(i, i+1), CodeEncoding, "file contains a NUL byte; is it a binary file?")
	}
	for off := 0; off < len(src); {
		r, size := utf8.DecodeRune(src[off:])
		if r == utf8.RuneError && size <= 1 {
			return diag.Errorf(sf.Span(off, off+1), CodeEncoding, "invalid UTF-8 byte 0x%02x; .wave files must be UTF-8 text", src[off])
		}
		off += size
	}
	return nil
}

// checkTokens reports unterminated strings and nesting beyond MaxDepth before
// parsing, so the recursive parser never sees unbounded depth.
//
// Besides brackets, a probe nests through its port: in `http on tcp on ...`
// each `on` followed by a probe word opens one more level. chains counts
// those levels for each open bracket; any token that cannot continue a
// probe (anything but a probe word, `on`, a string or a bracketed list) ends
// the chain at its level.
func checkTokens(sf *source.File, tokens []lexer.Token) *diag.Diagnostic {
	depth := 0
	chains := []int{0}
	inChains := 0 // sum of chains
	afterOn := false
	for _, t := range tokens {
		if t.Type == tokWhitespace || t.Type == tokComment {
			continue
		}
		wasOn := afterOn
		afterOn = t.Type == tokIdent && t.Value == "on"
		switch {
		case t.Type == tokIdent && probeWords[t.Value]:
			if wasOn {
				chains[len(chains)-1]++
				inChains++
				if depth+inChains > MaxDepth {
					return diag.Errorf(sf.Span(t.Pos.Offset, t.Pos.Offset+len(t.Value)), CodeTooDeep, "probes nest more than %d deep", MaxDepth)
				}
			}
		case afterOn, t.Type == tokString:
		case t.Type == tokPunct && strings.Contains("{[<", t.Value):
			chains = append(chains, 0)
		case t.Type == tokPunct && strings.Contains("}]>", t.Value):
			if len(chains) > 1 {
				inChains -= chains[len(chains)-1]
				chains = chains[:len(chains)-1]
			}
		default:
			inChains -= chains[len(chains)-1]
			chains[len(chains)-1] = 0
		}
		switch t.Type {
		case tokBadString:
			return diag.Errorf(sf.Span(t.Pos.Offset, lineEnd(sf, t.Pos.Offset)), CodeUnterminated, "string is not terminated before the end of the line").
				Hint(`close it with ", or use """...""" for text that spans lines`)
		case tokBadTripleString:
			return diag.Errorf(sf.Span(t.Pos.Offset, t.Pos.Offset+3), CodeUnterminated, `multi-line string is never closed`).
				Hint(`end it with """ on a line of its own`)
		case tokPunct:
			switch t.Value {
			case "{", "[", "<":
				depth++
				if depth > MaxDepth {
					return diag.Errorf(sf.Span(t.Pos.Offset, t.Pos.Offset+1), CodeTooDeep, "brackets nest more than %d deep", MaxDepth)
				}
			case "}", "]", ">":
				depth--
			}
		}
	}
	return nil
}

// probeWords are the words that start a probe.
var probeWords = map[string]bool{"http": true, "tcp": true, "grpc": true, "exec": true}

// closeSpans gives every node of a tree the parser gave up inside an end no
// earlier than its start and the ends of its children: the parser only sets
// EndPos on nodes it completed. It returns the end of the node n.
func closeSpans(n Node) source.Pos {
	var end source.Pos
	n.Children(func(c Node) { end = later(end, closeSpans(c)) })
	sp := n.Span()
	if source.Valid(sp.End) && sp.End.Offset >= sp.Start.Offset && sp.End.Offset >= end.Offset {
		return sp.End
	}
	end = later(sp.Start, end)
	n.setEnd(end)
	return end
}

// later returns whichever of a and b is further into the file, ignoring
// invalid positions.
func later(a, b source.Pos) source.Pos {
	if !source.Valid(a) || source.Valid(b) && b.Offset > a.Offset {
		return b
	}
	return a
}

func lineEnd(sf *source.File, off int) int {
	src := sf.Content()
	if i := bytes.IndexByte(src[off:], '\n'); i >= 0 {
		return off + i
	}
	return len(src)
}

func translateLexError(sf *source.File, err error) *diag.Diagnostic {
	var le *lexer.Error
	if errors.As(err, &le) {
		off := le.Pos.Offset
		r, _ := utf8.DecodeRune(sf.Content()[off:])
		d := diag.Errorf(sf.Span(off, off+utf8.RuneLen(r)), CodeLexical, "unexpected character %s", quoteRune(r))
		switch r {
		case ':':
			d.Hint(`write "=" in place of ":": a key and its value are written key = value, as in image = "nginx:1.27"`)
		case '#':
			d.Hint(`comments start with "//"`)
		}
		return d
	}
	return diag.Errorf(sf.Span(0, 0), CodeLexical, "%v", err)
}

func quoteRune(r rune) string {
	if r < ' ' || r == 0x7f {
		return fmt.Sprintf("U+%04X", r)
	}
	return fmt.Sprintf("%q", string(r))
}
