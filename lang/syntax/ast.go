package syntax

import "github.com/wavec/wavec/lang/source"

// Every node records where it starts (Pos) and where it ends (EndPos, the
// position just after its last character). The parser fills both, and the
// positions of the keywords and brackets inside a node that are not nodes
// themselves (the fields named ...Pos, see positions.go), so that a printer
// needs nothing but the tree.

// File is one parsed .wave file.
type File struct {
	Pos    source.Pos
	EndPos source.Pos

	Decls []*Decl `parser:"@@*"`

	// Comments holds every comment of the file in source order. The parser
	// does not attach them to nodes; the formatter places them by position.
	Comments []*Comment `parser:""`
	// Source is the file the AST was parsed from.
	Source *source.File `parser:""`
}

// Comment is a `//` comment, with its text including the slashes.
type Comment struct {
	Pos    source.Pos
	EndPos source.Pos
	Text   string
}

// Decl is one top-level statement. Exactly one field is set.
type Decl struct {
	Pos    source.Pos
	EndPos source.Pos

	// The alternatives start with different words, so their order only
	// decides how soon the parser finds the one that matches: the most
	// frequent first.
	Resource *Resource `parser:"  @@"`
	Wave     *Wave     `parser:"| @@"`
	Hook     *Hook     `parser:"| @@"`
	Object   *Object   `parser:"| @@"`
	Param    *Param    `parser:"| @@"`
	Pipeline *Pipeline `parser:"| @@"`
}

// Pipeline is the header `pipeline NAME in NAMESPACE { options }`. Every file
// of a pipeline may repeat it; at least one must have it.
type Pipeline struct {
	Pos    source.Pos
	EndPos source.Pos

	Name      *Ident `parser:"'pipeline' @@"`
	Namespace *Ident `parser:"'in' @@"`
	Body      *Block `parser:"@@?"`

	InPos source.Pos // of "in"
}

// Param is `param NAME = VALUE`: a default that `--set NAME=VALUE` overrides.
type Param struct {
	Pos    source.Pos
	EndPos source.Pos

	Name  *Ident `parser:"'param' @@ '='"`
	Value *Value `parser:"@@"`

	AssignPos source.Pos // of "="
}

// Resource declares a Kubernetes object of one of the built-in kinds:
// `KIND NAME [external] [after TARGET, ...] [{ fields }]`. Inside a wave or
// hook, a Resource without External and Body is a reference to a
// declaration elsewhere.
type Resource struct {
	Pos    source.Pos
	EndPos source.Pos

	Kind     *Kind     `parser:"@@"`
	Name     *Ident    `parser:"@@"`
	External bool      `parser:"@'external'?"`
	After    []*Target `parser:"( 'after' @@ ( ',' @@ )* )?"`
	Body     *Block    `parser:"@@?"`

	ExternalPos source.Pos // of "external", when External is set
	AfterPos    source.Pos // of "after", when After is not empty
}

// IsReference reports whether r only names a resource declared elsewhere.
func (r *Resource) IsReference() bool { return !r.External && r.Body == nil && len(r.After) == 0 }

// Object brings in arbitrary Kubernetes objects as YAML, from a file next to
// the pipeline (`object NAME from "file.yaml"`) or inline
// (`object NAME = """ yaml """`). Inside a wave or hook, `object NAME`
// alone refers to one declared elsewhere.
type Object struct {
	Pos    source.Pos
	EndPos source.Pos

	Name   *Ident    `parser:"'object' @@"`
	From   *String   `parser:"( 'from' @@"`
	Inline *String   `parser:"| '=' @@ )?"`
	After  []*Target `parser:"( 'after' @@ ( ',' @@ )* )?"`

	FromPos  source.Pos // of "from", or of "=" before Inline
	AfterPos source.Pos // of "after", when After is not empty
}

// IsReference reports whether o only names an object declared elsewhere.
func (o *Object) IsReference() bool { return o.From == nil && o.Inline == nil && len(o.After) == 0 }

// Wave is `wave N < MEMBER, ... >`: Sync-phase resources applied in wave N.
type Wave struct {
	Pos    source.Pos
	EndPos source.Pos

	Number  *Number   `parser:"'wave' @@"`
	Members []*Member `parser:"'<' ( @@ ','? )* '>'"`

	OpenPos  source.Pos // of "<"
	ClosePos source.Pos // of ">"
}

// Hook is `PHASE[, PHASE] [wave N] (MEMBER | < MEMBER, ... >) OPTIONS`: the
// members become hooks of those phases.
type Hook struct {
	Pos    source.Pos
	EndPos source.Pos

	Phases  []*PhaseWord  `parser:"@@ ( ',' @@ )*"`
	Wave    *Number       `parser:"( 'wave' @@ )?"`
	Members []*Member     `parser:"( '<' ( @@ ','? )* '>'"`
	Single  *Member       `parser:"| @@ )"`
	Options []*HookOption `parser:"@@*"`

	WavePos  source.Pos // of "wave", when Wave is set
	OpenPos  source.Pos // of "<", when Single is not set
	ClosePos source.Pos // of ">", when Single is not set
}

// AllMembers returns the hook's members whether written alone or in < >.
func (h *Hook) AllMembers() []*Member {
	if h.Single != nil {
		return []*Member{h.Single}
	}
	return h.Members
}

// PhaseWord is a hook phase keyword: presync, sync, postsync, syncfail,
// predelete, postdelete or skip.
type PhaseWord struct {
	Pos    source.Pos
	EndPos source.Pos

	Value string `parser:"@('presync' | 'sync' | 'postsync' | 'syncfail' | 'predelete' | 'postdelete' | 'skip')"`
}

// HookOption is one of `delete POLICY, ...`, `timeout DURATION`,
// `retries N` or `after TARGET, ...` following a hook's members.
type HookOption struct {
	Pos    source.Pos
	EndPos source.Pos

	Delete  []*Ident  `parser:"  'delete' @@ ( ',' @@ )*"`
	Timeout *Value    `parser:"| 'timeout' @@"`
	Retries *Value    `parser:"| 'retries' @@"`
	After   []*Target `parser:"| 'after' @@ ( ',' @@ )*"`
}

// Member is one entry of a wave or hook: an inline declaration, a reference
// with its kind (`configmap app-config`, `object crds`), or a bare name.
type Member struct {
	Pos    source.Pos
	EndPos source.Pos

	// Resource and Object start with different words, so their order only
	// decides how soon the parser finds the one that matches: members are
	// mostly resources. A bare Name comes last: a kind keyword alone is a
	// name.
	Resource *Resource `parser:"  @@"`
	Object   *Object   `parser:"| @@"`
	Name     *Ident    `parser:"| @@"`
}

// Target names what an `after` waits for: `KIND NAME`, `object NAME`, or a
// bare NAME when only one declaration has it.
type Target struct {
	Pos    source.Pos
	EndPos source.Pos

	// `volume` is a RefKind only in a value's reference: `after volume x`
	// names a declaration called volume, followed by an error.
	Kind *RefKind `parser:"( (?! 'volume') @@ )?"`
	Name *Ident   `parser:"@@"`
}

// Kind is the keyword of a built-in resource kind.
type Kind struct {
	Pos    source.Pos
	EndPos source.Pos

	Value string `parser:"@Kind"`
}

// RefKind is a Kind keyword or `object`, as it appears in references, or
// `volume` (a workload's own volume) in a value's reference (Ref).
type RefKind struct {
	Pos    source.Pos
	EndPos source.Pos

	Value string `parser:"@(Kind | 'object' | 'volume')"`
}

// Ident is a name: letters, digits and underscores, with single dashes or
// dots between them (`agent-config`, `widgets.example.com`, `on-success`).
type Ident struct {
	Pos    source.Pos
	EndPos source.Pos

	Value string `parser:"@(Ident | Kind)"`
}

// Span returns the identifier's source range.
func (i *Ident) Span() source.Span {
	if i == nil {
		return source.Span{}
	}
	return source.Span{Start: i.Pos, End: i.EndPos}
}

// Block is `{ ENTRY ... }`, the body of a declaration and also a map value.
// Entries may be separated by newlines, `;` or `,`.
type Block struct {
	Pos    source.Pos
	EndPos source.Pos

	Entries []*Entry `parser:"'{' ( @@ Sep? )* '}'"`

	ClosePos source.Pos // of "}"; "{" is at Pos
}

// Entry is `KEY [LABEL] = VALUE` or `KEY [LABEL] { ... }` inside a Block.
type Entry struct {
	Pos    source.Pos
	EndPos source.Pos

	Key *Key `parser:"@@"`
	// Label names the entry's item where a field takes several:
	// `container log-shipper { ... }`, `volume logs = emptydir`. It is
	// always a name.
	Label *Key   `parser:"( (?= (Ident | Kind) ( '=' | '{' ) ) @@ )?"`
	Value *Value `parser:"( '=' @@"`
	Block *Block `parser:"| @@ )"`

	AssignPos source.Pos // of "=", when Value is set
}

// Key is an entry's key: a name, or a quoted string for keys that are not
// names (`"app.properties"`, `"/etc/config"`).
type Key struct {
	Pos    source.Pos
	EndPos source.Pos

	Ident  *string `parser:"  @(Ident | Kind)"`
	String *String `parser:"| @@"`
}

// Name returns the key's text: the identifier, or the string's contents.
func (k *Key) Name() string {
	if k.Ident != nil {
		return *k.Ident
	}
	return k.String.Unquoted()
}

// Value is a value, or a mapping `LEFT -> RIGHT` such as `80 -> 8000`.
type Value struct {
	Pos    source.Pos
	EndPos source.Pos

	Left  *Primary `parser:"@@"`
	Right *Primary `parser:"( '->' @@ )?"`

	ArrowPos source.Pos // of "->", when Right is set
}

// Primary is a single value. Exactly one field is set.
type Primary struct {
	Pos    source.Pos
	EndPos source.Pos

	String *String `parser:"  @@"`
	Number *Number `parser:"| @@"`
	Unit   *string `parser:"| @Unit"`
	Bool   *string `parser:"| @('true' | 'false')"`
	Ref    *Ref    `parser:"| @@"`
	Probe  *Probe  `parser:"| @@"`
	Ident  *string `parser:"| @(Ident | Kind)"`
	List   *List   `parser:"| @@"`
	Map    *Block  `parser:"| @@"`
}

// Number is an integer or decimal literal, possibly signed, kept as written.
type Number struct {
	Pos    source.Pos
	EndPos source.Pos

	Text string `parser:"@Number"`
}

// String is a quoted string, "..." with escapes or """...""" spanning lines,
// kept as written (quotes included). Both may contain ${name} references.
type String struct {
	Pos    source.Pos
	EndPos source.Pos

	Raw string `parser:"@String"`
}

// List is `[ VALUE, ... ]`.
type List struct {
	Pos    source.Pos
	EndPos source.Pos

	Items []*Value `parser:"'[' ( @@ Sep? )* ']'"`

	ClosePos source.Pos // of "]"; "[" is at Pos
}

// Ref refers to a declaration from a value: `configmap agent-config`,
// `secret agent-db`, `object crds`.
type Ref struct {
	Pos    source.Pos
	EndPos source.Pos

	Kind *RefKind `parser:"@@"`
	Name *Ident   `parser:"@@"`
}

// Probe is a health probe: `http "/health" on 8000`, `tcp on 5432`,
// `grpc on 9000` or `exec ["cat", "/tmp/ready"]`.
type Probe struct {
	Pos    source.Pos
	EndPos source.Pos

	Type    string  `parser:"@('http' | 'tcp' | 'grpc' | 'exec')"`
	Path    *String `parser:"@@?"`
	Command *List   `parser:"@@?"`
	Port    *Port   `parser:"( 'on' @@ )?"`
	// Timing holds the probe's timings: `{ period = 5s; failures = 3 }`.
	Timing *Block `parser:"@@?"`

	OnPos source.Pos // of "on", when Port is set
}

// Port is a probe's port: a number, or the name of a port of the container.
// It is never a value that could nest: `tcp on http` names the port called
// http.
type Port struct {
	Pos    source.Pos
	EndPos source.Pos

	Number *Number `parser:"  @@"`
	Ident  *string `parser:"| @(Ident | Kind)"`
}

// Primary returns the port as a value (nil for a nil Port), for code that
// reads ports and values alike.
func (p *Port) Primary() *Primary {
	if p == nil {
		return nil
	}
	return &Primary{Pos: p.Pos, EndPos: p.EndPos, Number: p.Number, Ident: p.Ident}
}
