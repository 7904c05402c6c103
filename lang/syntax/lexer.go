package syntax

import (
	"io"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// Token types of the .wave lexer. The grammar in ast.go refers to them by
// name (@Ident, @String, ...).
const (
	tokEOF lexer.TokenType = lexer.EOF - iota
	tokComment
	tokBadTripleString
	tokString
	tokBadString
	tokUnit
	tokNumber
	tokArrow
	tokIdent
	tokPunct
	tokSep
	tokWhitespace
	tokKind
)

// tokenNames names the token types for the grammar.
var tokenNames = map[string]lexer.TokenType{
	"EOF":             tokEOF,
	"Comment":         tokComment,
	"BadTripleString": tokBadTripleString,
	"String":          tokString,
	"BadString":       tokBadString,
	"Unit":            tokUnit,
	"Number":          tokNumber,
	"Arrow":           tokArrow,
	"Ident":           tokIdent,
	"Punct":           tokPunct,
	"Sep":             tokSep,
	"Whitespace":      tokWhitespace,
	"Kind":            tokKind,
}

// lexDefinition is the .wave lexer: a hand-written scanner for these rules,
// tried in this order at each position (the first that matches wins).
// Both forms of string are one token type: the parser then matches a string
// with one token test instead of trying two alternatives, each of which
// costs it an allocation.
//
//	Comment          //[^\n]*
//	String           """(?s:.*?)"""            (a multi-line string)
//	BadTripleString  """                       (an unclosed """ string)
//	String           "(?:\\.|[^"\\\n])*"
//	BadString        "                         (an unterminated string)
//	Ident            [A-Za-z_][A-Za-z0-9_]*(?:[-.]+[A-Za-z0-9_]+)*
//	                 | \d[A-Za-z0-9_]*(?:-+[A-Za-z0-9_]+)+(?:[-.]+[A-Za-z0-9_]+)*
//	Unit             -?\d+(?:\.\d+)?[a-zA-Z]+(?:\d+(?:\.\d+)?[a-zA-Z]+)*
//	Number           -?\d+(?:\.\d+)?
//	Arrow            ->
//	Punct            [{}\[\]<>=]
//	Sep              [,;]
//	Whitespace       [ \t\r\n]+
//
// An Ident that is one of KindKeywords is a Kind token instead. The parser
// tries alternatives one by one, so a kind is one token-type test where
// nineteen keyword comparisons would be; every name in the grammar is
// (Ident | Kind), as a kind keyword may also be a name or a key.
//
// Names may repeat `-` and `.` between their parts (`my--config`) and
// start with a digit when a `-` follows the first part (`2fa-config`), as
// Kubernetes names may; the name checks of compiler/check say which names
// a kind accepts. It does what a regular-expression lexer with these rules
// does, several times faster; a test checks the two agree on arbitrary
// input.
type lexDefinition struct{}

var waveLexer lexDefinition

// Symbols returns the token types by name.
func (lexDefinition) Symbols() map[string]lexer.TokenType { return tokenNames }

// Lex reads all of r and lexes it.
func (d lexDefinition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return d.LexBytes(filename, b)
}

// LexString lexes s.
func (d lexDefinition) LexString(filename string, s string) (lexer.Lexer, error) {
	return d.LexBytes(filename, []byte(s))
}

// LexBytes lexes b.
func (lexDefinition) LexBytes(filename string, b []byte) (lexer.Lexer, error) {
	return newScanner(filename, b), nil
}

// scanner hands out the tokens of src one at a time, ending with EOF; on a
// character that starts no token it returns a *lexer.Error. The tokens'
// values are slices of one copy of src as a string, so handing out a token
// allocates nothing.
type scanner struct {
	src       []byte
	text      string // src
	pos       lexer.Position
	count     int  // tokens handed out
	done      bool // EOF handed out
	skipSpace bool // hand out no Whitespace tokens
}

func newScanner(filename string, src []byte) *scanner {
	return &scanner{src: src, text: string(src), pos: lexer.Position{Filename: filename, Line: 1, Column: 1}}
}

// Next returns the next token.
func (s *scanner) Next() (lexer.Token, error) {
	i := s.pos.Offset
	if i >= len(s.src) {
		if !s.done {
			s.done = true
			s.count++
		}
		return lexer.Token{Type: tokEOF, Pos: s.pos}, nil
	}
	typ, n := match(s.src, i)
	if n == 0 {
		return lexer.Token{}, &lexer.Error{Msg: "invalid input text", Pos: s.pos}
	}
	if typ == tokWhitespace && s.skipSpace {
		advance(&s.pos, s.src[i:i+n])
		return s.Next()
	}
	t := lexer.Token{Type: typ, Value: s.text[i : i+n], Pos: s.pos}
	advance(&s.pos, s.src[i:i+n])
	s.count++
	return t, nil
}

// tokenLexer hands out tokens scanned in advance, then the scan's error
// (if any) in place of the token it could not read.
type tokenLexer struct {
	tokens []lexer.Token
	err    error
	next   int
}

// Next returns the next token.
func (l *tokenLexer) Next() (lexer.Token, error) {
	if l.next < len(l.tokens) {
		l.next++
		return l.tokens[l.next-1], nil
	}
	return lexer.Token{}, l.err
}

// scan returns the tokens of src, ending with EOF; on a character that
// starts no token it returns the tokens before it and a *lexer.Error.
func scan(filename string, src []byte) ([]lexer.Token, error) {
	sc := newScanner(filename, src)
	var tokens []lexer.Token
	for {
		t, err := sc.Next()
		if err != nil {
			return tokens, err
		}
		tokens = append(tokens, t)
		if t.EOF() {
			return tokens, nil
		}
	}
}

// advance moves pos past b, counting lines and characters.
func advance(pos *lexer.Position, b []byte) {
	pos.Offset += len(b)
	for len(b) > 0 {
		c := b[0]
		switch {
		case c == '\n':
			pos.Line++
			pos.Column = 1
			b = b[1:]
		case c < utf8.RuneSelf:
			pos.Column++
			b = b[1:]
		default:
			_, size := utf8.DecodeRune(b)
			pos.Column++
			b = b[size:]
		}
	}
}

// match returns the type and length of the token at src[i:], or length 0
// when no rule matches.
func match(src []byte, i int) (lexer.TokenType, int) {
	c := src[i]
	switch {
	case c == '/' && at(src, i+1) == '/':
		j := i + 2
		for j < len(src) && src[j] != '\n' {
			j++
		}
		return tokComment, j - i
	case c == '"':
		if at(src, i+1) == '"' && at(src, i+2) == '"' {
			for j := i + 3; j+2 < len(src); j++ {
				if src[j] == '"' && src[j+1] == '"' && src[j+2] == '"' {
					return tokString, j + 3 - i
				}
			}
			return tokBadTripleString, 3
		}
		for j := i + 1; j < len(src); {
			switch src[j] {
			case '"':
				return tokString, j + 1 - i
			case '\n':
				return tokBadString, 1
			case '\\':
				if j+1 >= len(src) || src[j+1] == '\n' {
					return tokBadString, 1
				}
				j += 2
			default:
				j++
			}
		}
		return tokBadString, 1
	case isDigit(c) && digitName(src, i) > 0:
		return tokIdent, digitName(src, i) - i
	case isDigit(c) || c == '-' && isDigit(at(src, i+1)):
		j := i
		if c == '-' {
			j++
		}
		j = number(src, j)
		if k := letters(src, j); k > j {
			j = k
			for {
				d := number(src, j)
				if d == j {
					break
				}
				k := letters(src, d)
				if k == d {
					break
				}
				j = k
			}
			return tokUnit, j - i
		}
		return tokNumber, j - i
	case c == '-' && at(src, i+1) == '>':
		return tokArrow, 2
	case isLetter(c) || c == '_':
		n := nameParts(src, word(src, i)) - i
		if kindWords[string(src[i:i+n])] {
			return tokKind, n
		}
		return tokIdent, n
	case c == '{' || c == '}' || c == '[' || c == ']' || c == '<' || c == '>' || c == '=':
		return tokPunct, 1
	case c == ',' || c == ';':
		return tokSep, 1
	case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		j := i + 1
		for j < len(src) && (src[j] == ' ' || src[j] == '\t' || src[j] == '\r' || src[j] == '\n') {
			j++
		}
		return tokWhitespace, j - i
	}
	return 0, 0
}

// nameParts returns the end of (?:[-.]+[A-Za-z0-9_]+)* starting at j.
func nameParts(src []byte, j int) int {
	for {
		k := j
		for at(src, k) == '-' || at(src, k) == '.' {
			k++
		}
		if k == j || !isWord(at(src, k)) {
			return j
		}
		j = word(src, k)
	}
}

// digitName returns the end of a name that starts with a digit at i,
// \d[A-Za-z0-9_]*(?:-+[A-Za-z0-9_]+)+(?:[-.]+[A-Za-z0-9_]+)*, or 0 when
// there is none (the text is a number or a unit).
func digitName(src []byte, i int) int {
	j := word(src, i)
	k := j
	for at(src, k) == '-' {
		k++
	}
	if k == j || !isWord(at(src, k)) {
		return 0
	}
	return nameParts(src, word(src, k))
}

// at returns src[i], or 0 past the end.
func at(src []byte, i int) byte {
	if i < len(src) {
		return src[i]
	}
	return 0
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isWord(c byte) bool   { return isLetter(c) || isDigit(c) || c == '_' }

// number returns the end of \d+(?:\.\d+)? starting at i, or i when there is
// no digit at i.
func number(src []byte, i int) int {
	j := i
	for j < len(src) && isDigit(src[j]) {
		j++
	}
	if j == i {
		return i
	}
	if at(src, j) == '.' && isDigit(at(src, j+1)) {
		j += 2
		for j < len(src) && isDigit(src[j]) {
			j++
		}
	}
	return j
}

// letters returns the end of [a-zA-Z]* starting at i.
func letters(src []byte, i int) int {
	for i < len(src) && isLetter(src[i]) {
		i++
	}
	return i
}

// word returns the end of [A-Za-z0-9_]* starting at i.
func word(src []byte, i int) int {
	for i < len(src) && isWord(src[i]) {
		i++
	}
	return i
}

// isNameToken reports whether t is a name: an Ident or a Kind token.
func isNameToken(t lexer.Token) bool { return t.Type == tokIdent || t.Type == tokKind }
