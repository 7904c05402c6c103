package langserver

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// client drives a server over an in-memory pipe as an editor would: the
// server under test reads and writes real protocol messages.
type client struct {
	t    testing.TB
	conn jsonrpc2.Conn
	raw  net.Conn // the client's end, for writing malformed input
	done chan error

	mu    sync.Mutex
	diags map[protocol.DocumentURI][]protocol.Diagnostic
	// seq counts publishDiagnostics notifications per URI.
	seq     map[protocol.DocumentURI]int
	changed chan struct{}
	logs    []string
	// registrations are the params of client/registerCapability requests.
	registrations []string
	version       int32
}

func newClient(t testing.TB) *client {
	t.Helper()
	return newClientWith(t, &protocol.InitializeParams{})
}

// newClientWith starts a server and initializes it with params.
func newClientWith(t testing.TB, params *protocol.InitializeParams) *client {
	t.Helper()
	serverEnd, clientEnd := net.Pipe()
	c := &client{t: t, raw: clientEnd, done: make(chan error, 1),
		diags: map[protocol.DocumentURI][]protocol.Diagnostic{}, seq: map[protocol.DocumentURI]int{}, changed: make(chan struct{}, 1)}
	go func() { c.done <- Serve(context.Background(), serverEnd, Options{Log: io.Discard, Version: "test"}) }()
	c.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(clientEnd))
	c.conn.Go(context.Background(), func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		switch req.Method() {
		case protocol.MethodTextDocumentPublishDiagnostics:
			var p protocol.PublishDiagnosticsParams
			if err := json.Unmarshal(req.Params(), &p); err != nil {
				t.Errorf("bad publishDiagnostics: %v", err)
			}
			c.mu.Lock()
			c.diags[p.URI] = p.Diagnostics
			c.seq[p.URI]++
			c.mu.Unlock()
			select {
			case c.changed <- struct{}{}:
			default:
			}
		case protocol.MethodClientRegisterCapability:
			c.mu.Lock()
			c.registrations = append(c.registrations, string(req.Params()))
			c.mu.Unlock()
		case protocol.MethodWindowLogMessage:
			var p protocol.LogMessageParams
			_ = json.Unmarshal(req.Params(), &p)
			c.mu.Lock()
			c.logs = append(c.logs, p.Message)
			c.mu.Unlock()
		}
		return reply(ctx, nil, nil)
	})
	t.Cleanup(func() {
		c.conn.Close()
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			t.Errorf("the server did not stop when the client went away")
		}
	})
	// Requests before initialize are refused.
	if err := c.callErr(protocol.MethodTextDocumentHover, &protocol.HoverParams{}, nil); err == nil || !strings.Contains(err.Error(), "not initialized") {
		t.Fatalf("a request before initialize: %v", err)
	}
	var res protocol.InitializeResult
	c.call(protocol.MethodInitialize, params, &res)
	if res.ServerInfo == nil || res.ServerInfo.Name != "wavec" {
		t.Fatalf("initialize: server info %+v", res.ServerInfo)
	}
	c.notify(protocol.MethodInitialized, &protocol.InitializedParams{})
	return c
}

// call sends a request and decodes its result; it fails the test on an
// error reply.
func (c *client) call(method string, params, result any) {
	c.t.Helper()
	if err := c.callErr(method, params, result); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *client) callErr(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := c.conn.Call(ctx, method, params, result)
	return err
}

func (c *client) notify(method string, params any) {
	c.t.Helper()
	if err := c.conn.Notify(context.Background(), method, params); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *client) open(u protocol.DocumentURI, text string) {
	c.t.Helper()
	c.version = 1
	c.notify(protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{
		TextDocument: protocol.TextDocumentItem{URI: u, LanguageID: "wave", Version: 1, Text: text}})
}

func (c *client) change(u protocol.DocumentURI, text string) {
	c.t.Helper()
	c.version++
	c.notify(protocol.MethodTextDocumentDidChange, &didChangeParams{
		TextDocument:   protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: c.version},
		ContentChanges: []contentChange{{Text: text}}})
}

// edit sends incremental changes, each replacing a range of the text the
// changes before it left.
func (c *client) edit(u protocol.DocumentURI, edits ...protocol.TextEdit) {
	c.t.Helper()
	c.version++
	p := &didChangeParams{TextDocument: protocol.VersionedTextDocumentIdentifier{TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: u}, Version: c.version}}
	for _, e := range edits {
		p.ContentChanges = append(p.ContentChanges, contentChange{Range: &e.Range, Text: e.NewText})
	}
	c.notify(protocol.MethodTextDocumentDidChange, p)
}

// waitDiagnostics waits until the diagnostics of u satisfy ok, and returns
// them.
func (c *client) waitDiagnostics(u protocol.DocumentURI, ok func([]protocol.Diagnostic) bool) []protocol.Diagnostic {
	c.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		c.mu.Lock()
		ds, seen := c.diags[u]
		c.mu.Unlock()
		if seen && ok(ds) {
			return ds
		}
		select {
		case <-c.changed:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			c.t.Fatalf("diagnostics of %s never became as expected; last: %+v", u, ds)
		}
	}
}

// pipeline writes files into a new directory and returns it.
func pipeline(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func fileURI(dir, name string) protocol.DocumentURI { return uri.File(filepath.Join(dir, name)) }

func pos(line, char uint32) protocol.Position { return protocol.Position{Line: line, Character: char} }

func at(u protocol.DocumentURI, line, char uint32) protocol.TextDocumentPositionParams {
	return protocol.TextDocumentPositionParams{TextDocument: protocol.TextDocumentIdentifier{URI: u}, Position: pos(line, char)}
}

// applyEdits applies non-overlapping edits to text.
func applyEdits(t testing.TB, text string, edits []protocol.TextEdit) string {
	t.Helper()
	l := newLines([]byte(text))
	type span struct {
		a, b int
		s    string
	}
	var ss []span
	for _, e := range edits {
		ss = append(ss, span{l.offset(e.Range.Start), l.offset(e.Range.End), e.NewText})
	}
	// Apply from the end so offsets stay valid.
	for i := 0; i < len(ss); i++ {
		for j := i + 1; j < len(ss); j++ {
			if ss[j].a > ss[i].a {
				ss[i], ss[j] = ss[j], ss[i]
			}
		}
	}
	out := text
	for _, s := range ss {
		out = out[:s.a] + s.s + out[s.b:]
	}
	return out
}
