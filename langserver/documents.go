package langserver

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/compiler/emit"
	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// document is a buffer the client has open.
type document struct {
	uri     protocol.DocumentURI
	path    string // the file name diagnostics and the AST use
	key     string // the pipeline it belongs to (pipelineKey)
	text    string
	version int32
}

// pathOf returns the file name a URI stands for: the path of a file: URI,
// or the URI itself for other schemes (an unsaved buffer), which is then a
// pipeline of its own.
func pathOf(u protocol.DocumentURI) (path string, isFile bool) {
	p, err := url.Parse(string(u))
	if err != nil || p.Scheme != uri.FileScheme {
		return string(u), false
	}
	return filepath.FromSlash(p.Path), true
}

// pipelineKey returns the pipeline a URI belongs to: its directory for a
// file, the URI itself otherwise.
func pipelineKey(u protocol.DocumentURI) string {
	p, isFile := pathOf(u)
	if !isFile {
		return string(u)
	}
	return filepath.Dir(p)
}

// errUnknownDocument is the reply to a request about a document that is
// not open.
func errUnknownDocument(u protocol.DocumentURI) error {
	return jsonrpc2.NewError(jsonrpc2.InvalidParams, "document "+string(u)+" is not open")
}

func (s *server) didOpen(_ context.Context, p *protocol.DidOpenTextDocumentParams) (any, error) {
	u := p.TextDocument.URI
	path, _ := pathOf(u)
	s.mu.Lock()
	s.docs[u] = &document{uri: u, path: path, key: pipelineKey(u), text: p.TextDocument.Text, version: p.TextDocument.Version}
	s.mu.Unlock()
	s.schedule(pipelineKey(u))
	return nil, nil
}

// didChangeParams is the protocol's DidChangeTextDocumentParams with a
// change's range optional, as the protocol defines it: a change without a
// range replaces the whole text, one with a range replaces that range.
// (go.lsp.dev/protocol's type has a range that is never absent, so a
// whole-text change would read as an insertion at the start.)
type didChangeParams struct {
	TextDocument   protocol.VersionedTextDocumentIdentifier `json:"textDocument"`
	ContentChanges []contentChange                          `json:"contentChanges"`
}

// contentChange is one change of a didChange notification.
type contentChange struct {
	Range *protocol.Range `json:"range,omitempty"`
	Text  string          `json:"text"`
}

// applyChanges applies a didChange notification's changes to text, in
// order: each change's range is in the text the changes before it left.
func applyChanges(text string, changes []contentChange) string {
	for _, c := range changes {
		if c.Range == nil {
			text = c.Text
			continue
		}
		l := newLines([]byte(text))
		start, end := l.offset(c.Range.Start), l.offset(c.Range.End)
		if end < start {
			start, end = end, start
		}
		text = text[:start] + c.Text + text[end:]
	}
	return text
}

func (s *server) didChange(_ context.Context, p *didChangeParams) (any, error) {
	u := p.TextDocument.URI
	s.mu.Lock()
	d, ok := s.docs[u]
	if ok && len(p.ContentChanges) > 0 {
		// Documents are replaced, never changed, so a handler holding
		// one sees one text.
		nd := *d
		nd.text = applyChanges(d.text, p.ContentChanges)
		nd.version = p.TextDocument.Version
		s.docs[u] = &nd
	}
	s.mu.Unlock()
	if !ok {
		return nil, errUnknownDocument(u)
	}
	s.schedule(d.key)
	return nil, nil
}

func (s *server) didClose(_ context.Context, p *protocol.DidCloseTextDocumentParams) (any, error) {
	u := p.TextDocument.URI
	s.mu.Lock()
	d, ok := s.docs[u]
	delete(s.docs, u)
	s.mu.Unlock()
	if !ok {
		return nil, errUnknownDocument(u)
	}
	// The file on disk (if any) takes the buffer's place.
	s.schedule(d.key)
	return nil, nil
}

func (s *server) didSave(_ context.Context, p *protocol.DidSaveTextDocumentParams) (any, error) {
	s.schedule(pipelineKey(p.TextDocument.URI))
	return nil, nil
}

func (s *server) didChangeWatchedFiles(_ context.Context, p *protocol.DidChangeWatchedFilesParams) (any, error) {
	keys := map[string]bool{}
	for _, c := range p.Changes {
		if c == nil {
			continue
		}
		path, isFile := pathOf(c.URI)
		if !isFile || strings.HasSuffix(path, source.Ext) {
			keys[pipelineKey(c.URI)] = true
			continue
		}
		// Another file (an object's YAML) may be read by any pipeline of
		// a directory above it.
		s.mu.Lock()
		for k := range s.published {
			if rel, err := filepath.Rel(k, path); err == nil && !strings.HasPrefix(rel, "..") {
				keys[k] = true
			}
		}
		s.mu.Unlock()
	}
	for k := range keys {
		s.schedule(k)
	}
	return nil, nil
}

// workspace caches parsed files between analyses: a file whose text did
// not change is not parsed again.
type workspace struct {
	mu     sync.Mutex
	parsed map[string]*parsedFile
}

type parsedFile struct {
	text  string
	file  *syntax.File
	diags diag.List
}

func newWorkspace() *workspace { return &workspace{parsed: map[string]*parsedFile{}} }

func (w *workspace) parse(path, text string) *parsedFile {
	w.mu.Lock()
	pf, ok := w.parsed[path]
	w.mu.Unlock()
	if ok && pf.text == text {
		return pf
	}
	f, diags := syntax.Parse(path, []byte(text))
	pf = &parsedFile{text: text, file: f, diags: diags}
	w.mu.Lock()
	w.parsed[path] = pf
	w.mu.Unlock()
	return pf
}

// forget drops the parses of files of pipeline key that are no longer in
// it (texts).
func (w *workspace) forget(key string, texts map[string]string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for p := range w.parsed {
		if filepath.Dir(p) == key || p == key {
			if _, ok := texts[p]; !ok {
				delete(w.parsed, p)
			}
		}
	}
}

// analysis is one pipeline, parsed, checked and indexed.
type analysis struct {
	key    string
	gen    int // the pipeline's generation it was made from
	files  []*syntax.File
	byPath map[string]*syntax.File
	uris   map[string]protocol.DocumentURI // file name -> URI
	result *compiler.Result
	diags  diag.List
	index  *index
	lines  map[string]*lines
	// mu guards lines; planMu planSteps and docs: what is made on first
	// use.
	mu, planMu sync.Mutex
	// planSteps and docs are made on first use (steps, documents).
	planSteps map[*ir.Resource][]string
	docs      []*emit.Document
	emitted   bool
}

// snapshot is what an analysis is made from: the texts of the open
// buffers of a pipeline, taken under s.mu, and the generation of the
// pipeline they belong to.
type snapshot struct {
	key   string
	gen   int
	texts map[string]string
	uris  map[string]protocol.DocumentURI
}

func (s *server) snapshotLocked(key string) snapshot {
	sn := snapshot{key: key, gen: s.gens[key], texts: map[string]string{}, uris: map[string]protocol.DocumentURI{}}
	for _, d := range s.docs {
		if d.key == key {
			sn.texts[d.path] = d.text
			sn.uris[d.path] = d.uri
		}
	}
	return sn
}

// analyze builds the analysis of a snapshot, adding the .wave files on
// disk that are not open. It runs without s.mu, so edits and requests are
// not held up by a check.
func (s *server) analyze(sn snapshot) *analysis {
	key := sn.key
	a := &analysis{key: key, gen: sn.gen, byPath: map[string]*syntax.File{}, uris: sn.uris, lines: map[string]*lines{}}
	texts := sn.texts
	if filepath.IsAbs(key) {
		if entries, err := os.ReadDir(key); err == nil {
			for _, e := range entries {
				if e.IsDir() || !strings.HasSuffix(e.Name(), source.Ext) {
					continue
				}
				p := filepath.Join(key, e.Name())
				if _, open := texts[p]; open {
					continue
				}
				b, err := os.ReadFile(p)
				if err != nil {
					continue // deleted or unreadable since the listing
				}
				texts[p] = string(b)
				a.uris[p] = uri.File(p)
			}
		}
	}
	paths := make([]string, 0, len(texts))
	for p := range texts {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var parseDiags diag.List
	for _, p := range paths {
		pf := s.workspace.parse(p, texts[p])
		a.files = append(a.files, pf.file)
		a.byPath[p] = pf.file
		parseDiags.Append(pf.diags)
	}
	s.workspace.forget(key, texts)
	a.result, a.diags = compiler.CheckParsed(a.files, parseDiags, nil)
	a.index = buildIndex(a.files)
	return a
}

// analysisOf returns the analysis of the pipeline of an open document and
// the document, or an error for a document that is not open.
func (s *server) analysisOf(u protocol.DocumentURI) (*analysis, *document, error) {
	s.mu.Lock()
	d, ok := s.docs[u]
	s.mu.Unlock()
	if !ok {
		return nil, nil, errUnknownDocument(u)
	}
	return s.cachedAnalysis(d.key), d, nil
}

// cachedAnalysis returns the analysis of pipeline key, made again only when
// something changed since.
func (s *server) cachedAnalysis(key string) *analysis {
	s.mu.Lock()
	if a, ok := s.analyses[key]; ok {
		s.mu.Unlock()
		return a
	}
	sn := s.snapshotLocked(key)
	s.mu.Unlock()
	a := s.analyze(sn)
	s.mu.Lock()
	if s.gens[key] == sn.gen {
		s.analyses[key] = a
	}
	s.mu.Unlock()
	return a
}

// uriOf returns the URI of a file of the pipeline.
func (a *analysis) uriOf(path string) protocol.DocumentURI {
	if u, ok := a.uris[path]; ok {
		return u
	}
	if filepath.IsAbs(path) {
		return uri.File(path)
	}
	return protocol.DocumentURI(path)
}

// sourceOf returns the source file of path, or nil.
func (a *analysis) sourceOf(path string) *source.File {
	if f, ok := a.byPath[path]; ok {
		return f.Source
	}
	if a.result != nil {
		return a.result.Files.File(path)
	}
	return nil
}

// linesOf returns the line table of file path, or nil for a file the
// analysis does not hold.
func (a *analysis) linesOf(path string) *lines {
	a.mu.Lock()
	defer a.mu.Unlock()
	if l, ok := a.lines[path]; ok {
		return l
	}
	var content []byte
	if sf := a.sourceOf(path); sf != nil {
		content = sf.Content()
	} else if b, err := os.ReadFile(path); err == nil && filepath.IsAbs(path) {
		// A YAML file an object declaration names.
		content = b
	} else {
		return nil
	}
	l := newLines(content)
	a.lines[path] = l
	return l
}

// location returns the protocol location of span, or false when its file
// is unknown.
func (a *analysis) location(span source.Span) (protocol.Location, bool) {
	l := a.linesOf(span.Start.Filename)
	if l == nil || !span.IsValid() {
		return protocol.Location{}, false
	}
	return protocol.Location{URI: a.uriOf(span.Start.Filename), Range: l.rangeOf(span)}, true
}
