package syntax

import (
	"slices"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/wavec/wavec/lang/source"
)

// Blocks and values make up most of a .wave file, so they are parsed by
// hand through the parser library's Parseable hook rather than by its
// reflection-driven engine, which spends most of its time per node. The
// productions are exactly those written in the struct tags of ast.go and in
// grammar.md:
//
//	Block   = "{" { Entry [ ";" | "," ] } "}" .
//	Entry   = Key [ name ] ( "=" Value | Block ) .
//	Key     = name | String .
//	Value   = Primary [ "->" Primary ] .
//	Primary = String | unit | number | "true" | "false" | List | Block | Probe | Ref | name .
//	List    = "[" { Value [ "," | ";" ] } "]" .
//	Ref     = RefKind name .
//	Probe   = ( "http" | "tcp" | "grpc" | "exec" ) [ String ] [ List ] [ "on" ( number | name ) ] [ Block ] .
//
// Every node gets Pos (its first token) and EndPos (just after its last
// token), as the engine would set them.

// valueParser reads blocks and values from the engine's token stream.
type valueParser struct {
	lex *lexer.PeekingLexer
}

// Parse implements participle.Parseable for Block.
func (b *Block) Parse(lex *lexer.PeekingLexer) error {
	if !isPunct(lex.Peek(), "{") {
		return participle.NextMatch
	}
	return (&valueParser{lex}).block(b)
}

// Parse implements participle.Parseable for Value.
func (v *Value) Parse(lex *lexer.PeekingLexer) error {
	p := &valueParser{lex}
	if !p.startsPrimary(lex.Peek()) {
		return participle.NextMatch
	}
	return p.value(v)
}

func isPunct(t *lexer.Token, s string) bool {
	return (t.Type == tokPunct || t.Type == tokArrow) && t.Value == s
}

func isKeyword(t *lexer.Token, words ...string) bool {
	if t.Type != tokIdent {
		return false
	}
	for _, w := range words {
		if t.Value == w {
			return true
		}
	}
	return false
}

// refKinds are the words that start a reference in a value: the kinds,
// `object`, and `volume` for a workload's own volumes.
var refKinds = append(slices.Clone(RefKindKeywords), "volume")

func (p *valueParser) pos() source.Pos    { return source.Pos(p.lex.Peek().Pos) }
func (p *valueParser) endPos() source.Pos { return source.Pos(p.lex.RawPeek().Pos) }

func (p *valueParser) unexpected() error {
	return &participle.UnexpectedTokenError{Unexpected: *p.lex.Peek()}
}

// expect consumes the punctuation s or fails.
func (p *valueParser) expect(s string) error {
	if !isPunct(p.lex.Peek(), s) {
		return p.unexpected()
	}
	p.lex.Next()
	return nil
}

func (p *valueParser) block(b *Block) error {
	b.Pos = p.pos()
	if err := p.expect("{"); err != nil {
		return err
	}
	for {
		t := p.lex.Peek()
		if isPunct(t, "}") {
			p.lex.Next()
			b.EndPos = p.endPos()
			return nil
		}
		if t.Type != tokIdent && t.Type != tokString && t.Type != tokTripleString {
			return p.unexpected()
		}
		e := &Entry{}
		if err := p.entry(e); err != nil {
			return err
		}
		b.Entries = append(b.Entries, e)
		if t := p.lex.Peek(); isPunct(t, ";") || isPunct(t, ",") {
			p.lex.Next()
		}
	}
}

func (p *valueParser) entry(e *Entry) error {
	e.Pos = p.pos()
	k := &Key{Pos: e.Pos}
	t := p.lex.Next()
	if t.Type == tokIdent {
		v := t.Value
		k.Ident = &v
	} else {
		k.String = &String{Pos: e.Pos, Raw: t.Value}
		k.String.EndPos = p.endPos()
	}
	k.EndPos = p.endPos()
	e.Key = k
	if p.labelFollows() {
		l := &Key{Pos: p.pos()}
		v := p.lex.Next().Value
		l.Ident = &v
		l.EndPos = p.endPos()
		e.Label = l
	}
	switch t := p.lex.Peek(); {
	case isPunct(t, "="):
		p.lex.Next()
		if !p.startsPrimary(p.lex.Peek()) {
			return p.unexpected()
		}
		e.Value = &Value{}
		if err := p.value(e.Value); err != nil {
			return err
		}
	case isPunct(t, "{"):
		e.Block = &Block{}
		if err := p.block(e.Block); err != nil {
			return err
		}
	default:
		return p.unexpected()
	}
	e.EndPos = p.endPos()
	return nil
}

func (p *valueParser) value(v *Value) error {
	v.Pos = p.pos()
	v.Left = &Primary{}
	if err := p.primary(v.Left); err != nil {
		return err
	}
	if isPunct(p.lex.Peek(), "->") {
		p.lex.Next()
		if !p.startsPrimary(p.lex.Peek()) {
			return p.unexpected()
		}
		v.Right = &Primary{}
		if err := p.primary(v.Right); err != nil {
			return err
		}
	}
	v.EndPos = p.endPos()
	return nil
}

// startsPrimary reports whether t can begin a Primary.
func (p *valueParser) startsPrimary(t *lexer.Token) bool {
	switch t.Type {
	case tokString, tokTripleString, tokUnit, tokNumber, tokIdent:
		return true
	case tokPunct:
		return t.Value == "[" || t.Value == "{"
	}
	return false
}

func (p *valueParser) primary(pr *Primary) error {
	pr.Pos = p.pos()
	t := p.lex.Peek()
	switch {
	case t.Type == tokString || t.Type == tokTripleString:
		pr.String = p.str()
	case t.Type == tokUnit:
		v := p.lex.Next().Value
		pr.Unit = &v
	case t.Type == tokNumber:
		pr.Number = p.number()
	case isKeyword(t, "true", "false"):
		v := p.lex.Next().Value
		pr.Bool = &v
	case isPunct(t, "["):
		pr.List = &List{}
		if err := p.list(pr.List); err != nil {
			return err
		}
	case isPunct(t, "{"):
		pr.Map = &Block{}
		if err := p.block(pr.Map); err != nil {
			return err
		}
	case isKeyword(t, "http", "tcp", "grpc", "exec"):
		pr.Probe = &Probe{}
		if err := p.probe(pr.Probe); err != nil {
			return err
		}
	case isKeyword(t, refKinds...) && p.nextIsIdent():
		pr.Ref = p.ref()
	case t.Type == tokIdent:
		v := p.lex.Next().Value
		pr.Ident = &v
	default:
		return p.unexpected()
	}
	pr.EndPos = p.endPos()
	return nil
}

// labelFollows reports whether the next tokens are a label: a name
// followed by "=" or "{".
func (p *valueParser) labelFollows() bool {
	if p.lex.Peek().Type != tokIdent {
		return false
	}
	cp := p.lex.MakeCheckpoint()
	p.lex.Next()
	t := p.lex.Peek()
	ok := isPunct(t, "=") || isPunct(t, "{")
	p.lex.LoadCheckpoint(cp)
	return ok
}

// nextIsIdent reports whether the token after the next one is a name.
func (p *valueParser) nextIsIdent() bool {
	cp := p.lex.MakeCheckpoint()
	p.lex.Next()
	ok := p.lex.Peek().Type == tokIdent
	p.lex.LoadCheckpoint(cp)
	return ok
}

func (p *valueParser) str() *String {
	s := &String{Pos: p.pos()}
	s.Raw = p.lex.Next().Value
	s.EndPos = p.endPos()
	return s
}

func (p *valueParser) number() *Number {
	n := &Number{Pos: p.pos()}
	n.Text = p.lex.Next().Value
	n.EndPos = p.endPos()
	return n
}

func (p *valueParser) ident() *Ident {
	id := &Ident{Pos: p.pos()}
	id.Value = p.lex.Next().Value
	id.EndPos = p.endPos()
	return id
}

func (p *valueParser) ref() *Ref {
	r := &Ref{Pos: p.pos()}
	k := &RefKind{Pos: r.Pos}
	k.Value = p.lex.Next().Value
	k.EndPos = p.endPos()
	r.Kind = k
	r.Name = p.ident()
	r.EndPos = p.endPos()
	return r
}

func (p *valueParser) list(l *List) error {
	l.Pos = p.pos()
	if err := p.expect("["); err != nil {
		return err
	}
	for {
		t := p.lex.Peek()
		if isPunct(t, "]") {
			p.lex.Next()
			l.EndPos = p.endPos()
			return nil
		}
		if !p.startsPrimary(t) {
			return p.unexpected()
		}
		v := &Value{}
		if err := p.value(v); err != nil {
			return err
		}
		l.Items = append(l.Items, v)
		if t := p.lex.Peek(); isPunct(t, ",") || isPunct(t, ";") {
			p.lex.Next()
		}
	}
}

func (p *valueParser) probe(pr *Probe) error {
	pr.Pos = p.pos()
	pr.Type = p.lex.Next().Value
	if t := p.lex.Peek(); t.Type == tokString || t.Type == tokTripleString {
		pr.Path = p.str()
	}
	if isPunct(p.lex.Peek(), "[") {
		pr.Command = &List{}
		if err := p.list(pr.Command); err != nil {
			return err
		}
	}
	if isKeyword(p.lex.Peek(), "on") {
		p.lex.Next()
		// A port is a number or a port's name, never a value that could
		// nest: `on http` names the port called http.
		t := p.lex.Peek()
		pr.Port = &Primary{Pos: p.pos()}
		switch t.Type {
		case tokNumber:
			pr.Port.Number = p.number()
		case tokIdent:
			v := p.lex.Next().Value
			pr.Port.Ident = &v
		default:
			return p.unexpected()
		}
		pr.Port.EndPos = p.endPos()
	}
	if isPunct(p.lex.Peek(), "{") {
		pr.Timing = &Block{}
		if err := p.block(pr.Timing); err != nil {
			return err
		}
	}
	pr.EndPos = p.endPos()
	return nil
}
