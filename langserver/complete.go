package langserver

import (
	"context"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/wavec/wavec/argocd"
	"github.com/wavec/wavec/compiler/check"
	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/syntax"
)

// Completion reads the text before the cursor rather than the AST, since
// the file is usually incomplete while it is being typed. A small scanner
// skips strings and comments and tracks the open brackets; the tokens
// before the cursor in the innermost bracket say what may come next.

// token is a word, a punctuation mark, a string (text `"`) or a line break
// (text "\n").
type token struct {
	text string
	off  int
}

// frame is an open bracket with the tokens written inside it so far, and
// the tokens before it in the enclosing frame.
type frame struct {
	open   byte
	tokens []token
	before []token
}

// scan reads src up to the cursor. It returns the open frames, innermost
// last (the first is the file itself), whether the cursor is inside a
// string or comment, and for a string the text since its last "${".
func scan(src []byte) (frames []*frame, inString, inComment bool, interp string) {
	frames = []*frame{{}}
	top := func() *frame { return frames[len(frames)-1] }
	push := func(t token) {
		f := top()
		f.tokens = append(f.tokens, t)
		if len(f.tokens) > 64 && len(frames) == 1 {
			// Only the end of the top level matters.
			f.tokens = append([]token(nil), f.tokens[32:]...)
		}
	}
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			j := i
			for j < len(src) && src[j] != '\n' {
				j++
			}
			if j == len(src) {
				return frames, false, true, ""
			}
			i = j
		case c == '"':
			start := i
			triple := i+2 < len(src) && src[i+1] == '"' && src[i+2] == '"'
			j := i + 1
			if triple {
				j = i + 3
				end := strings.Index(string(src[j:]), `"""`)
				if end < 0 {
					return frames, true, false, interpolation(src[j:])
				}
				j += end + 3
			} else {
				for j < len(src) && src[j] != '"' && src[j] != '\n' {
					if src[j] == '\\' {
						j++
					}
					j++
				}
				if j >= len(src) {
					return frames, true, false, interpolation(src[start+1:])
				}
				j++
			}
			push(token{`"`, start})
			i = j
		case c == '\n':
			push(token{"\n", i})
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '-' && i+1 < len(src) && src[i+1] == '>':
			push(token{"->", i})
			i += 2
		case c == '{' || c == '[' || c == '<':
			f := top()
			before := f.tokens[max(0, len(f.tokens)-12):]
			frames = append(frames, &frame{open: c, before: append([]token(nil), before...)})
			i++
		case c == '}' || c == ']' || c == '>':
			if len(frames) > 1 {
				frames = frames[:len(frames)-1]
			}
			push(token{string(c), i})
			i++
		case isWordByte(c):
			j := i
			for j < len(src) && isWordByte(src[j]) {
				j++
			}
			push(token{string(src[i:j]), i})
			i = j
		default:
			push(token{string(c), i})
			i++
		}
	}
	return frames, false, false, ""
}

// interpolation returns the text after an unclosed "${" in s, or "" with
// ok false when there is none.
func interpolation(s []byte) string {
	i := strings.LastIndex(string(s), "${")
	if i < 0 || strings.Contains(string(s[i:]), "}") {
		return "\x00"
	}
	return string(s[i+2:])
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func isKindWord(w string) bool {
	_, ok := ir.ParseKind(w)
	return ok
}

func isPhaseWord(w string) bool {
	_, ok := argocd.ParsePhaseKeyword(w)
	return ok
}

// completer gathers the items for one request.
type completer struct {
	a     *analysis
	items []protocol.CompletionItem
	seen  map[string]bool
	// replace is the range of the word being typed.
	replace protocol.Range
	// path and off are the file and byte offset of the cursor.
	path string
	off  int
}

func (c *completer) add(label string, kind protocol.CompletionItemKind, detail, doc string) {
	if c.seen[label] {
		return
	}
	c.seen[label] = true
	it := protocol.CompletionItem{Label: label, Kind: kind, Detail: detail,
		TextEdit: &protocol.TextEdit{Range: c.replace, NewText: label}}
	if doc != "" {
		it.Documentation = protocol.MarkupContent{Kind: protocol.Markdown, Value: doc}
	}
	c.items = append(c.items, it)
}

func (s *server) completion(_ context.Context, p *protocol.CompletionParams) (*protocol.CompletionList, error) {
	a, d, off, err := s.cursor(p.TextDocumentPositionParams)
	if err != nil {
		return nil, err
	}
	l := a.linesOf(d.path)
	content := l.content
	start := off
	for start > 0 && isWordByte(content[start-1]) {
		start--
	}
	c := &completer{a: a, seen: map[string]bool{}, replace: protocol.Range{Start: l.position(start), End: l.position(off)}, path: d.path, off: off}
	c.complete(content[:start])
	if c.items == nil {
		c.items = []protocol.CompletionItem{}
	}
	return &protocol.CompletionList{Items: c.items}, nil
}

// complete adds the items that fit after prefix (the text before the word
// being typed).
func (c *completer) complete(prefix []byte) {
	frames, inString, inComment, interp := scan(prefix)
	switch {
	case inComment:
		return
	case inString:
		if interp != "\x00" && isWordPrefix(interp) {
			c.params()
			c.add("pipeline", protocol.CompletionItemKindVariable, "the pipeline's name", "")
			c.add("namespace", protocol.CompletionItemKindVariable, "the pipeline's namespace", "")
		}
		return
	}
	f := frames[len(frames)-1]
	toks := f.tokens
	prev := lastWord(toks)
	switch f.open {
	case '{':
		c.inBlock(frames)
	case '[':
		owner := ownerKey(f.before)
		fd, _ := c.fieldOfFrame(frames[:len(frames)-1], owner)
		if prev != nil && isKindWord(prev.text) {
			c.names(prev.text)
			return
		}
		c.refs(fd.refs)
		c.params()
	case '<':
		if prev != nil && isKindWord(prev.text) {
			c.names(prev.text)
			return
		}
		c.members()
	default:
		c.topLevel(toks)
	}
}

// isWordPrefix reports whether s could be the start of a name.
func isWordPrefix(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) {
			return false
		}
	}
	return true
}

// lastWord returns the last token if it is a word (or a kind word), else
// nil; line breaks are skipped.
func lastToken(toks []token) *token {
	for i := len(toks) - 1; i >= 0; i-- {
		if toks[i].text != "\n" {
			return &toks[i]
		}
	}
	return nil
}

func lastWord(toks []token) *token {
	t := lastToken(toks)
	if t == nil || !isWordByte(t.text[0]) {
		return nil
	}
	return t
}

// ownerKey returns KEY when tokens end in `KEY =` or `KEY` (the tokens
// before a { or [ that is a field's value).
func ownerKey(before []token) string {
	n := len(before)
	if n >= 3 && before[n-1].text == "=" && isLabelledKey(before[n-3].text) && startsEntry(before, n-3) {
		// `volume NAME = [...]`: the value of the labelled field.
		return before[n-3].text
	}
	if n >= 2 && before[n-1].text == "=" && isWordByte(before[n-2].text[0]) {
		return before[n-2].text
	}
	if n >= 2 && before[n-1].text == "=" && before[n-2].text == `"` {
		return `"`
	}
	return ""
}

// blockOwner says what a { opens: a resource body (kind set), the header's
// options (pipeline), a named container, a workload's own volume, a
// probe's timings, or the map value of field key of the enclosing block.
type blockOwner struct {
	kind      ir.Kind
	pipeline  bool
	container bool
	volume    bool
	probe     bool
	key       string
}

// isLabelledKey reports whether a field takes a name between key and
// value: `container NAME { ... }`, `volume NAME = ...`, `rule HOST { ... }`.
func isLabelledKey(w string) bool {
	switch w {
	case "container", "init", "sidecar", "volume", "rule":
		return true
	}
	return false
}

// startsEntry reports whether toks[i] is the first token of an entry.
func startsEntry(toks []token, i int) bool {
	if i == 0 {
		return true
	}
	t := toks[i-1].text
	return t == "\n" || t == ";" || t == ","
}

func ownerOf(before []token) blockOwner {
	if k := ownerKey(before); k != "" {
		return blockOwner{key: k}
	}
	n := len(before)
	// `container NAME {`, `volume NAME {`.
	if n >= 2 && startsEntry(before, n-2) && isWordByte(before[n-1].text[0]) {
		switch before[n-2].text {
		case "container", "init", "sidecar":
			return blockOwner{container: true}
		case "volume":
			return blockOwner{volume: true}
		}
	}
	// `ready = http "/health" on 8000 {`: the probe's timings.
	for i := n - 1; i >= 2 && before[i].text != "\n" && before[i].text != ";" && before[i].text != ","; i-- {
		if isProbeWord(before[i].text) && before[i-1].text == "=" && startsEntry(before, i-2) {
			switch before[i-2].text {
			case "ready", "live", "startup":
				return blockOwner{probe: true}
			}
		}
	}
	// `KEY { ... }` inside a block: the entry is a nested block.
	if n >= 1 && isWordByte(before[n-1].text[0]) && (n == 1 || before[n-2].text == "\n" || before[n-2].text == ";" || before[n-2].text == ",") {
		// Either a nested block or a declaration `KIND NAME {` split over
		// lines; a name alone on a line before { is a nested block, and so
		// is a kind keyword (a declaration names itself before its `{`):
		// `pod { ... }` in a workload's body.
		if n < 2 || !isKindWord(before[max(0, n-2)].text) || isKindWord(before[n-1].text) {
			return blockOwner{key: before[n-1].text}
		}
	}
	end := n
	for i := n - 1; i >= 0; i-- {
		if before[i].text == "after" {
			end = i
			break
		}
	}
	for i := end - 1; i >= 0; i-- {
		if before[i].text == "pipeline" {
			return blockOwner{pipeline: true}
		}
		if k, ok := ir.ParseKind(before[i].text); ok && k != ir.Object && i+1 < n && isWordByte(before[i+1].text[0]) {
			return blockOwner{kind: k}
		}
	}
	return blockOwner{}
}

// fieldOfFrame returns the description of field key in the block frames
// end with.
func (c *completer) fieldOfFrame(frames []*frame, key string) (field, bool) {
	for i := len(frames) - 1; i >= 1; i-- {
		f := frames[i]
		if f.open != '{' {
			continue
		}
		o := ownerOf(f.before)
		switch {
		case o.pipeline:
			fd, ok := pipelineOptions[key]
			return fd, ok
		case o.kind != 0:
			return fieldOf(o.kind, key)
		case o.container:
			return containerFieldOf(key)
		case o.volume:
			fd, ok := volumeFieldDocs[key]
			return fd, ok
		case o.probe:
			fd, ok := probeTimingDocs[key]
			return fd, ok
		case o.key != "":
			// A map inside a field: its values are that field's.
			key = o.key
		}
	}
	return field{}, false
}

// inBlock completes inside { }: a field name at the start of an entry, a
// value after `=`.
func (c *completer) inBlock(frames []*frame) {
	f := frames[len(frames)-1]
	// The current entry: the tokens since the last separator.
	entry := f.tokens
	for i := len(entry) - 1; i >= 0; i-- {
		if t := entry[i].text; t == "\n" || t == ";" || t == "," {
			entry = entry[i+1:]
			break
		}
	}
	eq := -1
	for i, t := range entry {
		if t.text == "=" {
			eq = i
			break
		}
	}
	o := ownerOf(f.before)
	if eq < 0 {
		if len(entry) > 0 {
			return // a key is written already
		}
		present := c.keysAround()
		for i, t := range f.tokens {
			if (i == 0 || f.tokens[i-1].text == "\n" || f.tokens[i-1].text == ";" || f.tokens[i-1].text == ",") && isWordByte(t.text[0]) {
				present[t.text] = true
			}
		}
		switch {
		case o.pipeline:
			for _, name := range sortedKeys(pipelineOptions) {
				if !present[name] {
					fd := pipelineOptions[name]
					c.add(name, protocol.CompletionItemKindField, "pipeline option", fd.doc+"\n\nSets `"+fd.sets+"`.")
				}
			}
		case o.kind != 0:
			for _, name := range check.Fields(o.kind) {
				if present[name] {
					continue
				}
				fd, _ := fieldOf(o.kind, name)
				c.add(name, protocol.CompletionItemKindField, o.kind.String()+" field", fd.doc+"\n\nSets `"+fd.sets+"`.")
			}
			c.workloadGeneralFields(o.kind, present)
		case o.container:
			c.fields(check.ContainerFields(), containerFieldOf, present, "container field")
		case o.volume:
			c.fields(check.VolumeFields(), lookupIn(volumeFieldDocs), present, "volume field")
		case o.probe:
			c.fields(check.ProbeTimingFields(), lookupIn(probeTimingDocs), present, "probe timing")
		case o.key == "metadata" && len(frames) >= 2 && ownerOf(frames[len(frames)-2].before).kind.IsWorkload():
			c.fields(sortedKeys(workloadMetaFields), lookupIn(workloadMetaFields), present, "workload metadata")
		default:
			if g, ok := generalTypeOfFrames(frames); ok {
				c.generalFields(g, "", present)
			}
		}
		return
	}
	if eq == 0 {
		return
	}
	key := entry[0].text
	if g, ok := generalTypeOfFrames(frames); ok || (o.kind.IsWorkload() && !check.IsShortField(o.kind, key)) {
		// A field of the Kubernetes API: its enum values.
		if !ok {
			g = generalFrame{kind: o.kind, t: check.GeneralType(o.kind, ""), path: "container"}
		}
		prev := lastToken(entry[eq+1:])
		switch {
		case prev != nil && isKindWord(prev.text):
			c.names(prev.text)
		case prev == nil:
			c.generalFields(g, key, nil)
		}
		return
	}
	var fd field
	if o.key != "" || o.pipeline || o.kind != 0 || o.container || o.volume || o.probe {
		if o.key != "" {
			fd, _ = c.fieldOfFrame(frames[:len(frames)-1], o.key)
		} else {
			fd, _ = c.fieldOfFrame(frames, key)
		}
	}
	c.value(fd, entry[eq+1:])
}

// fields offers the names that are not present yet, described by lookup.
func (c *completer) fields(names []string, lookup func(string) (field, bool), present map[string]bool, detail string) {
	for _, name := range names {
		if present[name] {
			continue
		}
		fd, _ := lookup(name)
		c.add(name, protocol.CompletionItemKindField, detail, fd.doc+"\n\nSets `"+fd.sets+"`.")
	}
}

// value completes a value of field fd, given the value's tokens so far.
func (c *completer) value(fd field, toks []token) {
	prev := lastToken(toks)
	if prev != nil && isKindWord(prev.text) {
		c.names(prev.text)
		return
	}
	if prev != nil && prev.text != "->" {
		return // a value is written already
	}
	for _, e := range fd.enum {
		c.add(e, protocol.CompletionItemKindEnumMember, "", "")
	}
	c.refs(fd.refs)
	c.params()
}

// topLevel completes outside any bracket.
func (c *completer) topLevel(toks []token) {
	prev := lastToken(toks)
	atLineStart := prev == nil || prev.text == "\n" || toks[len(toks)-1].text == "\n"
	var prev2 *token
	for i := len(toks) - 1; prev != nil && i >= 0; i-- {
		if &toks[i] == prev {
			prev2 = lastToken(toks[:i])
			break
		}
	}
	switch {
	case atLineStart:
		c.keywords()
		return
	case prev.text == "delete" || prev.text == "," && prev2 != nil && isPolicy(prev2.text):
		for _, p := range deletePolicies() {
			c.add(p.Keyword(), protocol.CompletionItemKindEnumMember, "hook delete policy", "Argo CD `"+p.String()+"`")
		}
	case isKindWord(prev.text) && prev2 != nil && (prev2.text == "after" || prev2.text == "," || prev2.text == "=" || isPhaseWord(prev2.text) || prev2.text == "wave" || isNumber(prev2.text)):
		c.names(prev.text)
	case prev.text == "after" || prev.text == "," && prev2 != nil && !isPhaseWord(prev2.text):
		c.members()
	case isPhaseWord(prev.text) || prev.text == "," && prev2 != nil && isPhaseWord(prev2.text):
		if prev.text == "," {
			for _, p := range phases() {
				c.add(p.Keyword(), protocol.CompletionItemKindKeyword, "phase", "")
			}
			return
		}
		c.add("wave", protocol.CompletionItemKindKeyword, "", "")
		c.members()
	case prev.text == "wave" || prev.text == "timeout" || prev.text == "retries" || prev.text == "param" || prev.text == "pipeline" || prev.text == "in":
	case isNumber(prev.text) && prev2 != nil && prev2.text == "wave":
		c.members()
	case prev.text == "=":
		c.params()
	case prev2 != nil && isKindWord(prev2.text) && startsStatement(toks, prev2):
		// `KIND NAME` declares a resource: what may follow the name.
		c.add("after", protocol.CompletionItemKindKeyword, "order after other resources", "")
		if prev2.text == "secret" {
			c.add("external", protocol.CompletionItemKindKeyword, "a Secret that exists already", "")
		}
	default:
		for _, w := range []string{"delete", "timeout", "retries", "after"} {
			c.add(w, protocol.CompletionItemKindKeyword, "hook option", "")
		}
	}
}

func isPolicy(w string) bool {
	_, ok := argocd.ParseDeletePolicyKeyword(w)
	return ok
}

func isNumber(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if !(w[i] >= '0' && w[i] <= '9' || w[i] == '-' && i == 0) {
			return false
		}
	}
	return true
}

// keywords adds what may start a statement.
func (c *completer) keywords() {
	for _, k := range kinds() {
		c.add(k.String(), protocol.CompletionItemKindClass, "declaration", kindDoc[k])
	}
	for _, w := range []string{"pipeline", "param", "wave"} {
		c.add(w, protocol.CompletionItemKindKeyword, "", "")
	}
	for _, p := range phases() {
		c.add(p.Keyword(), protocol.CompletionItemKindKeyword, "hook phase", "Argo CD "+p.String()+" hooks")
	}
}

// members adds references to every declaration, as a wave or hook member
// or an `after` target names them.
func (c *completer) members() {
	for _, s := range c.a.index.decls {
		if s.kind != "param" {
			c.add(s.ref(), protocol.CompletionItemKindReference, "", "")
		}
	}
	for _, k := range kinds() {
		c.add(k.String(), protocol.CompletionItemKindClass, "", "")
	}
}

// refs adds `KIND NAME` for every declaration of the kinds.
func (c *completer) refs(ks []ir.Kind) {
	for _, k := range ks {
		for _, s := range c.a.index.decls {
			if s.kind == k.String() {
				c.add(s.ref(), protocol.CompletionItemKindReference, "", "")
			}
		}
	}
}

// names adds the names of the declarations of kind word.
func (c *completer) names(word string) {
	for _, s := range c.a.index.decls {
		if s.kind == word {
			c.add(s.name, protocol.CompletionItemKindReference, s.ref(), "")
		}
	}
}

// params adds every parameter.
func (c *completer) params() {
	for _, p := range c.a.index.decls {
		if p.kind == "param" {
			c.add(p.name, protocol.CompletionItemKindVariable, "param", "")
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// keysAround returns the keys of the innermost block around the cursor in
// the parsed file, so fields written after the cursor are not offered
// again. It finds nothing while the file does not parse.
func (c *completer) keysAround() map[string]bool {
	keys := map[string]bool{}
	f := c.a.byPath[c.path]
	if f == nil {
		return keys
	}
	var inner *syntax.Block
	for _, d := range f.Decls {
		if d == nil || d.EndPos.Offset < c.off || d.Pos.Offset > c.off {
			continue
		}
		// Only the statement around the cursor is walked.
		syntax.Inspect(d, func(n syntax.Node) bool {
			if b, ok := n.(*syntax.Block); ok && b != nil && b.Pos.Offset < c.off && c.off < b.EndPos.Offset {
				inner = b
			}
			return true
		})
	}
	if inner == nil {
		return keys
	}
	for _, e := range inner.Entries {
		if e != nil && e.Key != nil && e.Key.String == nil {
			keys[e.Key.Name()] = true
		}
	}
	return keys
}

// startsStatement reports whether token t (one of toks) stands first on
// its line, where a declaration starts.
func startsStatement(toks []token, t *token) bool {
	for i := range toks {
		if &toks[i] == t {
			return i == 0 || toks[i-1].text == "\n"
		}
	}
	return false
}
