package langserver

import (
	"context"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/wavec/wavec/lang/diag"
)

// schedule marks pipeline key as changed: its analysis is dropped and its
// diagnostics are published again.
func (s *server) schedule(key string) {
	s.mu.Lock()
	delete(s.analyses, key)
	s.gens[key]++
	s.pending[key] = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// diagnosticsLoop publishes the diagnostics of every pipeline that
// changed, until ctx ends. Changes that arrive while a pipeline is being
// checked are gathered into the next round.
func (s *server) diagnosticsLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.conn.Done():
			return
		case <-s.wake:
		}
		s.mu.Lock()
		keys := make([]string, 0, len(s.pending))
		for k := range s.pending {
			keys = append(keys, k)
		}
		clear(s.pending)
		s.mu.Unlock()
		sort.Strings(keys)
		for _, k := range keys {
			for _, p := range s.diagnose(k) {
				s.notify(ctx, protocol.MethodTextDocumentPublishDiagnostics, p)
			}
		}
	}
}

// diagnose returns the diagnostics to publish for pipeline key: one set
// per file of the pipeline (empty for a file without problems, which
// clears what the client shows), and empty sets for files that had
// diagnostics before and no longer belong to the pipeline.
func (s *server) diagnose(key string) []*protocol.PublishDiagnosticsParams {
	a := s.cachedAnalysis(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gens[key] != a.gen {
		// Changed while being checked: the next round publishes.
		return nil
	}
	byURI := map[protocol.DocumentURI][]protocol.Diagnostic{}
	for _, f := range a.files {
		byURI[a.uriOf(f.Source.Name())] = []protocol.Diagnostic{}
	}
	for _, d := range a.diags {
		path := d.Subject.Start.Filename
		if path == "" || a.linesOf(path) == nil {
			// A problem of the pipeline as a whole, or of a file that
			// cannot be shown: put it at the top of the first file.
			if len(a.files) == 0 {
				continue
			}
			path = a.files[0].Source.Name()
		}
		u := a.uriOf(path)
		byURI[u] = append(byURI[u], a.protocolDiagnostic(d, path))
	}
	prev := s.published[key]
	now := map[protocol.DocumentURI]bool{}
	var out []*protocol.PublishDiagnosticsParams
	for u, ds := range byURI {
		now[u] = true
		out = append(out, &protocol.PublishDiagnosticsParams{URI: u, Diagnostics: ds})
	}
	for u := range prev {
		if !now[u] {
			out = append(out, &protocol.PublishDiagnosticsParams{URI: u, Diagnostics: []protocol.Diagnostic{}})
		}
	}
	s.published[key] = now
	// Keep analyses and parses only of pipelines with open buffers.
	open := false
	for _, d := range s.docs {
		if d.key == key {
			open = true
			break
		}
	}
	if !open {
		delete(s.analyses, key)
		s.workspace.forget(key, nil)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URI < out[j].URI })
	return out
}

// protocolDiagnostic converts d, reported in file path. The message is the
// summary followed by the notes that point nowhere and the hints, as
// `wavec check` prints them; notes with a place become related
// information.
func (a *analysis) protocolDiagnostic(d *diag.Diagnostic, path string) protocol.Diagnostic {
	l := a.linesOf(path)
	var rng protocol.Range
	if d.Subject.Start.Filename == path {
		rng = l.rangeOf(d.Subject)
	}
	msg := []string{d.Summary}
	var related []protocol.DiagnosticRelatedInformation
	for _, n := range d.Notes {
		if loc, ok := a.location(n.Span); ok {
			related = append(related, protocol.DiagnosticRelatedInformation{Location: loc, Message: n.Message})
			continue
		}
		msg = append(msg, "note: "+n.Message)
	}
	for _, h := range d.Hints {
		msg = append(msg, "hint: "+h)
	}
	sev := protocol.DiagnosticSeverityError
	if d.Severity == diag.Warning {
		sev = protocol.DiagnosticSeverityWarning
	}
	return protocol.Diagnostic{
		Range:              rng,
		Severity:           sev,
		Code:               string(d.Code),
		Source:             "wavec",
		Message:            strings.Join(msg, "\n"),
		RelatedInformation: related,
	}
}
