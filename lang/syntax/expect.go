package syntax

import (
	"strings"
	"sync"
	"unicode"

	"github.com/alecthomas/participle/v2/lexer"
)

// What a syntax error message says was expected comes from the grammar that
// runs: the parser's own EBNF (parser.String(), built from the tags of
// ast.go) is read once into grammarNodes, and the tokens of the declarations
// before the error are run through it as a set of parser configurations
// (the grammar read as a context-free grammar, every alternative followed at
// once). The terminals the configurations wait for at the error token are
// what the grammar accepts there. Nothing is parsed again.

// gkind is the kind of a grammar node.
type gkind int

const (
	gSeq      gkind = iota // kids in order
	gAlt                   // one of kids
	gOpt                   // kids[0] or nothing
	gStar                  // kids[0] any number of times
	gPlus                  // kids[0] at least once
	gRef                   // the production name
	gLit                   // a token whose text is text
	gTok                   // a token of type typ
	gAhead                 // kids[0] must follow (not consumed)
	gNotAhead              // kids[0] must not follow (not consumed)
)

// gnode is a node of the grammar.
type gnode struct {
	kind gkind
	kids []*gnode
	name string          // gRef
	text string          // gLit
	typ  lexer.TokenType // gTok
	id   string          // unique among the grammar's nodes, for keys
}

// grammar returns the productions of the parser, by name, read on first
// use (only a syntax error needs them).
var grammar = sync.OnceValue(func() map[string]*gnode { return parseEBNF(parser().String()) })

// parseEBNF reads the EBNF participle prints: `Name = expr .` per production,
// with "literal", <token>, Name, ( ), (?= ), (?! ), |, ?, * and +.
func parseEBNF(src string) map[string]*gnode {
	e := &ebnfReader{src: src}
	prods := map[string]*gnode{}
	for {
		e.space()
		if e.i >= len(e.src) {
			return prods
		}
		name := e.word()
		e.expect("=")
		prods[name] = e.alt()
		e.expect(".")
	}
}

type ebnfReader struct {
	src string
	i   int
	ids int
}

// node returns a new grammar node with its id.
func (e *ebnfReader) node(n gnode) *gnode {
	e.ids++
	n.id = string(rune(0x100+e.ids)) + ","
	return &n
}

func (e *ebnfReader) space() {
	for e.i < len(e.src) && unicode.IsSpace(rune(e.src[e.i])) {
		e.i++
	}
}

func (e *ebnfReader) peek() byte {
	e.space()
	if e.i < len(e.src) {
		return e.src[e.i]
	}
	return 0
}

func (e *ebnfReader) expect(s string) {
	e.space()
	if !strings.HasPrefix(e.src[e.i:], s) {
		panic("syntax: cannot read the parser's EBNF at " + e.src[e.i:])
	}
	e.i += len(s)
}

func (e *ebnfReader) word() string {
	e.space()
	j := e.i
	for j < len(e.src) && (unicode.IsLetter(rune(e.src[j])) || unicode.IsDigit(rune(e.src[j])) || e.src[j] == '_') {
		j++
	}
	w := e.src[e.i:j]
	e.i = j
	return w
}

func (e *ebnfReader) alt() *gnode {
	n := e.node(gnode{kind: gAlt, kids: []*gnode{e.seq()}})
	for e.peek() == '|' {
		e.i++
		n.kids = append(n.kids, e.seq())
	}
	if len(n.kids) == 1 {
		return n.kids[0]
	}
	return n
}

func (e *ebnfReader) seq() *gnode {
	n := e.node(gnode{kind: gSeq})
	for {
		switch e.peek() {
		case '|', ')', '.', 0:
			return n
		}
		n.kids = append(n.kids, e.term())
	}
}

func (e *ebnfReader) term() *gnode {
	var n *gnode
	switch c := e.peek(); {
	case c == '"':
		j := strings.IndexByte(e.src[e.i+1:], '"')
		n = e.node(gnode{kind: gLit, text: e.src[e.i+1 : e.i+1+j]})
		e.i += j + 2
	case c == '<':
		j := strings.IndexByte(e.src[e.i:], '>')
		name := e.src[e.i+1 : e.i+j]
		e.i += j + 1
		for tn, typ := range tokenNames {
			if strings.EqualFold(tn, name) {
				n = e.node(gnode{kind: gTok, typ: typ})
			}
		}
		if n == nil {
			panic("syntax: unknown token <" + name + "> in the parser's EBNF")
		}
	case c == '(':
		e.i++
		kind := gSeq
		switch {
		case strings.HasPrefix(e.src[e.i:], "?="):
			kind, e.i = gAhead, e.i+2
		case strings.HasPrefix(e.src[e.i:], "?!"):
			kind, e.i = gNotAhead, e.i+2
		}
		inner := e.alt()
		e.expect(")")
		n = inner
		if kind != gSeq {
			n = e.node(gnode{kind: kind, kids: []*gnode{inner}})
		}
	default:
		n = e.node(gnode{kind: gRef, name: e.word()})
	}
	if e.i < len(e.src) {
		switch e.src[e.i] {
		case '?':
			e.i++
			n = e.node(gnode{kind: gOpt, kids: []*gnode{n}})
		case '*':
			e.i++
			n = e.node(gnode{kind: gStar, kids: []*gnode{n}})
		case '+':
			e.i++
			// kids[1] is the repetition that follows the first match.
			n = e.node(gnode{kind: gPlus, kids: []*gnode{n, e.node(gnode{kind: gStar, kids: []*gnode{n}})}})
		}
	}
	return n
}

// stack is a parser configuration: what is left to match, top first.
type stack struct {
	top  *gnode
	rest *stack
}

func (s *stack) push(n *gnode) *stack { return &stack{n, s} }

// key identifies a configuration, to drop duplicates.
func (s *stack) key() string {
	var b strings.Builder
	for ; s != nil; s = s.rest {
		b.WriteString(s.top.id)
	}
	return b.String()
}

// maxConfigs bounds the configurations followed at once; past it the
// expectation is not computed.
const maxConfigs = 4096

// matches reports whether terminal n accepts token t.
func matches(n *gnode, t lexer.Token) bool {
	if n.kind == gLit {
		return t.Value == n.text && t.Type != tokString && !t.EOF()
	}
	return t.Type == n.typ
}

// closure expands configs until each waits for a terminal (or is empty:
// the whole input so far is a File). ahead is the input from the current
// token on, for the lookaheads. It returns nil when there are too many.
func closure(configs []*stack, ahead []lexer.Token) []*stack {
	var out []*stack
	seen := map[string]bool{}
	work := append([]*stack(nil), configs...)
	steps := 0
	for len(work) > 0 {
		if steps++; steps > 64*maxConfigs {
			return nil
		}
		s := work[len(work)-1]
		work = work[:len(work)-1]
		if s == nil || s.top.kind == gLit || s.top.kind == gTok {
			if k := s.key(); !seen[k] {
				seen[k] = true
				out = append(out, s)
				if len(out) > maxConfigs {
					return nil
				}
			}
			continue
		}
		n, rest := s.top, s.rest
		switch n.kind {
		case gSeq:
			for i := len(n.kids) - 1; i >= 0; i-- {
				rest = rest.push(n.kids[i])
			}
			work = append(work, rest)
		case gAlt:
			for _, k := range n.kids {
				work = append(work, rest.push(k))
			}
		case gOpt:
			work = append(work, rest, rest.push(n.kids[0]))
		case gStar:
			work = append(work, rest, rest.push(n).push(n.kids[0]))
		case gPlus:
			work = append(work, rest.push(n.kids[1]).push(n.kids[0]))
		case gRef:
			work = append(work, rest.push(grammar()[n.name]))
		case gAhead, gNotAhead:
			if prefixMatches(n.kids[0], ahead) == (n.kind == gAhead) {
				work = append(work, rest)
			}
		}
	}
	return out
}

// prefixMatches reports whether n matches a prefix of tokens.
func prefixMatches(n *gnode, tokens []lexer.Token) bool {
	configs := []*stack{(*stack)(nil).push(n)}
	for i := 0; ; i++ {
		configs = closure(configs, tokens[i:])
		var next []*stack
		for _, s := range configs {
			if s == nil {
				return true
			}
			if i < len(tokens) && matches(s.top, tokens[i]) {
				next = append(next, s.rest)
			}
		}
		if len(next) == 0 {
			return false
		}
		configs = next
	}
}

// expectedTokens returns, for each of the candidate tokens, whether the
// grammar accepts it in place of the token at index errIdx of tokens (the
// significant tokens of the file), reading from index base, where a
// declaration starts. ok is false when the configurations could not be
// followed.
func expectedTokens(tokens []lexer.Token, base, errIdx int, candidates []lexer.Token) (accepted []bool, ok bool) {
	configs := []*stack{(*stack)(nil).push(grammar()["File"])}
	for i := base; i < errIdx; i++ {
		configs = closure(configs, tokens[i:])
		var next []*stack
		for _, s := range configs {
			if s != nil && matches(s.top, tokens[i]) {
				next = append(next, s.rest)
			}
		}
		if len(next) == 0 {
			return nil, false
		}
		configs = next
	}
	accepted = make([]bool, len(candidates))
	ahead := make([]lexer.Token, 0, len(tokens)-errIdx+1)
	ahead = append(ahead, lexer.Token{})
	if errIdx+1 < len(tokens) {
		ahead = append(ahead, tokens[errIdx+1:]...)
	}
	for j, c := range candidates {
		ahead[0] = c
		for _, s := range closure(configs, ahead) {
			if s != nil && matches(s.top, c) {
				accepted[j] = true
				break
			}
		}
	}
	return accepted, true
}
