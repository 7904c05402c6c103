// Package langserver is the Language Server Protocol server behind
// `wavec lsp`: diagnostics as `wavec check` reports them, formatting as
// `wavec fmt` does it, outline, go to definition, references, rename, hover
// (with the phase, wave and step `wavec plan` gives each member), completion
// and quick fixes, for whole pipelines: every .wave file of a directory, with
// the editor's open buffers taking precedence over the files on disk.
//
// Protocol types come from go.lsp.dev/protocol and the JSON-RPC framing from
// go.lsp.dev/jsonrpc2; this package holds the language knowledge.
package langserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
)

// Options configure a server started by Serve.
type Options struct {
	// Log receives one line per problem the server meets (malformed
	// messages, failed requests); nil discards them.
	Log io.Writer
	// Version is reported to the client as the server's version.
	Version string
}

// server is the language server for one client connection.
type server struct {
	opts Options
	conn jsonrpc2.Conn
	ctx  context.Context // ends when Serve returns

	mu          sync.Mutex
	docs        map[protocol.DocumentURI]*document
	workspace   *workspace
	analyses    map[string]*analysis // by pipeline key; dropped on every change
	gens        map[string]int       // by pipeline key; counts the changes
	initialized bool
	// registerWatchers says the client watches files for the server.
	registerWatchers bool
	shutdown         bool
	exited           bool

	// Diagnostics run in their own goroutine so that a slow pipeline never
	// holds up reading the next message; pending names the pipelines whose
	// diagnostics are out of date.
	pending map[string]bool
	wake    chan struct{}
	// published remembers which URIs have diagnostics on the client, per
	// pipeline, so that fixed files are cleared.
	published map[string]map[protocol.DocumentURI]bool
}

// Serve runs a server on stream (the client's messages in, the server's
// out) until the client sends `exit` or goes away. It returns nil after a
// `shutdown` request followed by `exit`, and an error otherwise, as the
// protocol asks (a client that exits without shutting down gets exit code
// 1 from `wavec lsp`).
func Serve(ctx context.Context, stream io.ReadWriteCloser, opts Options) error {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	s := &server{
		opts:      opts,
		docs:      map[protocol.DocumentURI]*document{},
		workspace: newWorkspace(),
		analyses:  map[string]*analysis{},
		gens:      map[string]int{},
		pending:   map[string]bool{},
		wake:      make(chan struct{}, 1),
		published: map[string]map[protocol.DocumentURI]bool{},
	}
	s.conn = jsonrpc2.NewConn(&tolerantStream{Stream: jsonrpc2.NewStream(stream), log: opts.Log})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.ctx = ctx
	s.conn.Go(ctx, s.handle)
	go s.diagnosticsLoop(ctx)
	select {
	case <-s.conn.Done():
	case <-ctx.Done():
		s.conn.Close()
		<-s.conn.Done()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.exited && s.shutdown:
		return nil
	case s.exited:
		return errors.New("the client sent exit without shutdown")
	}
	if err := s.conn.Err(); err != nil && !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), io.EOF.Error()) {
		return fmt.Errorf("the client went away: %w", err)
	}
	return errors.New("the client went away without exit")
}

// tolerantStream keeps the connection open when a message is not valid
// JSON-RPC: the framing is intact (the library read the whole body), so
// the message is reported and skipped. Framing errors and I/O errors still
// end the connection.
type tolerantStream struct {
	jsonrpc2.Stream
	log     io.Writer
	writeMu sync.Mutex
}

func (t *tolerantStream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		msg, n, err := t.Stream.Read(ctx)
		if err == nil || !isDecodeError(err) {
			return msg, n, err
		}
		fmt.Fprintf(t.log, "wavec lsp: ignoring a malformed message: %v\n", err)
		note, nerr := jsonrpc2.NewNotification(protocol.MethodWindowLogMessage, &protocol.LogMessageParams{
			Type:    protocol.MessageTypeError,
			Message: fmt.Sprintf("wavec lsp: ignored a message that is not valid JSON-RPC (%v)", err),
		})
		if nerr == nil {
			if _, werr := t.Write(ctx, note); werr != nil {
				return nil, n, werr
			}
		}
	}
}

func (t *tolerantStream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	return t.Stream.Write(ctx, msg)
}

// isDecodeError reports whether err is the library's error for a body that
// was read whole but is not a JSON-RPC message.
func isDecodeError(err error) bool {
	return errors.Is(err, jsonrpc2.ErrInvalidRequest) || strings.HasPrefix(err.Error(), "unmarshaling jsonrpc message")
}

// notify sends a notification to the client; a failure means the client
// is gone, which the read loop notices too.
func (s *server) notify(ctx context.Context, method string, params any) {
	if err := s.conn.Notify(ctx, method, params); err != nil {
		fmt.Fprintf(s.opts.Log, "wavec lsp: %s: %v\n", method, err)
	}
}

// errNotInitialized and friends are the protocol's error replies.
var (
	errNotInitialized = jsonrpc2.NewError(jsonrpc2.ServerNotInitialized, "the server is not initialized")
	errShutDown       = jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the server is shutting down")
)

// handle is called for every message, one at a time, in the order they
// arrive, so edits are applied in order.
func (s *server) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) (err error) {
	replied := false
	guarded := func(ctx context.Context, result any, rerr error) error {
		replied = true
		return reply(ctx, result, rerr)
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(s.opts.Log, "wavec lsp: internal error in %s: %v\n%s", req.Method(), r, debug.Stack())
			if !replied {
				err = reply(ctx, nil, jsonrpc2.NewError(jsonrpc2.InternalError, fmt.Sprintf("internal error in %s: %v", req.Method(), r)))
			}
		}
	}()
	return s.dispatch(ctx, guarded, req)
}

func (s *server) dispatch(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	_, isCall := req.(*jsonrpc2.Call)
	method := req.Method()
	if method == protocol.MethodExit {
		s.mu.Lock()
		s.exited = true
		s.mu.Unlock()
		return s.conn.Close()
	}
	s.mu.Lock()
	shutdown, initialized := s.shutdown, s.initialized
	if method == protocol.MethodInitialize {
		s.initialized = true
	}
	s.mu.Unlock()
	switch {
	case shutdown && isCall:
		return reply(ctx, nil, errShutDown)
	case !initialized && method != protocol.MethodInitialize:
		// Before initialize, requests are refused and notifications
		// dropped, as the protocol says.
		if isCall {
			return reply(ctx, nil, errNotInitialized)
		}
		return nil
	case initialized && method == protocol.MethodInitialize:
		return reply(ctx, nil, jsonrpc2.NewError(jsonrpc2.InvalidRequest, "the server is initialized already"))
	}
	h, ok := handlers[method]
	if !ok {
		if !isCall {
			// Unknown notifications are ignored, $/ ones by definition.
			return nil
		}
		return reply(ctx, nil, fmt.Errorf("%q: %w", method, jsonrpc2.ErrMethodNotFound))
	}
	params := req.Params()
	if len(params) == 0 {
		params = json.RawMessage("{}")
	}
	result, err := h(s, ctx, params)
	if !isCall {
		if err != nil {
			fmt.Fprintf(s.opts.Log, "wavec lsp: %s: %v\n", method, err)
		}
		return nil
	}
	return reply(ctx, result, err)
}

// handler handles one method; params is the raw JSON of its parameters.
type handler func(s *server, ctx context.Context, params json.RawMessage) (any, error)

// handlers maps each method the server implements to its handler.
var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		protocol.MethodInitialize: typed((*server).initialize),
		protocol.MethodInitialized: func(s *server, _ context.Context, _ json.RawMessage) (any, error) {
			s.registerFileWatchers()
			return nil, nil
		},
		protocol.MethodShutdown:                       func(s *server, _ context.Context, _ json.RawMessage) (any, error) { return s.doShutdown() },
		protocol.MethodTextDocumentDidOpen:            typed((*server).didOpen),
		protocol.MethodTextDocumentDidChange:          typed((*server).didChange),
		protocol.MethodTextDocumentDidClose:           typed((*server).didClose),
		protocol.MethodTextDocumentDidSave:            typed((*server).didSave),
		protocol.MethodWorkspaceDidChangeWatchedFiles: typed((*server).didChangeWatchedFiles),
		protocol.MethodTextDocumentFormatting:         typed((*server).formatting),
		protocol.MethodTextDocumentDocumentSymbol:     typed((*server).documentSymbol),
		protocol.MethodTextDocumentDefinition:         typed((*server).definition),
		protocol.MethodTextDocumentReferences:         typed((*server).references),
		protocol.MethodTextDocumentPrepareRename:      typed((*server).prepareRename),
		protocol.MethodTextDocumentRename:             typed((*server).rename),
		protocol.MethodTextDocumentHover:              typed((*server).hover),
		protocol.MethodTextDocumentCompletion:         typed((*server).completion),
		protocol.MethodTextDocumentCodeAction:         typed((*server).codeAction),
	}
}

// typed turns a method with typed parameters into a handler: parameters
// that do not decode are the protocol's InvalidParams error.
func typed[P any, R any](f func(*server, context.Context, *P) (R, error)) handler {
	return func(s *server, ctx context.Context, raw json.RawMessage) (any, error) {
		var p P
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, jsonrpc2.NewError(jsonrpc2.InvalidParams, fmt.Sprintf("invalid params: %v", err))
		}
		r, err := f(s, ctx, &p)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
}

func (s *server) initialize(_ context.Context, p *protocol.InitializeParams) (*protocol.InitializeResult, error) {
	s.watchParent(s.ctx, int(p.ProcessID))
	if w := p.Capabilities.Workspace; w != nil && w.DidChangeWatchedFiles != nil && w.DidChangeWatchedFiles.DynamicRegistration {
		s.mu.Lock()
		s.registerWatchers = true
		s.mu.Unlock()
	}
	return &protocol.InitializeResult{
		Capabilities: protocol.ServerCapabilities{
			TextDocumentSync: &protocol.TextDocumentSyncOptions{
				OpenClose: true,
				Change:    protocol.TextDocumentSyncKindIncremental,
				Save:      &protocol.SaveOptions{},
			},
			CompletionProvider: &protocol.CompletionOptions{
				TriggerCharacters: []string{" ", "{", "<", "[", "=", ",", "$"},
			},
			HoverProvider:              true,
			DefinitionProvider:         true,
			ReferencesProvider:         true,
			DocumentSymbolProvider:     true,
			DocumentFormattingProvider: true,
			RenameProvider:             &protocol.RenameOptions{PrepareProvider: true},
			CodeActionProvider: &protocol.CodeActionOptions{
				CodeActionKinds: []protocol.CodeActionKind{protocol.QuickFix},
			},
		},
		ServerInfo: &protocol.ServerInfo{Name: "wavec", Version: s.opts.Version},
	}, nil
}

// registerFileWatchers asks a client that can watch files to tell the server
// when .wave files and the YAML files objects read change on disk. The
// request is sent from its own goroutine: its reply arrives through the
// read loop that called this.
func (s *server) registerFileWatchers() {
	s.mu.Lock()
	register := s.registerWatchers
	s.mu.Unlock()
	if !register {
		return
	}
	go func() {
		params := &protocol.RegistrationParams{Registrations: []protocol.Registration{{
			ID:     "wavec-files",
			Method: protocol.MethodWorkspaceDidChangeWatchedFiles,
			RegisterOptions: &protocol.DidChangeWatchedFilesRegistrationOptions{Watchers: []protocol.FileSystemWatcher{
				{GlobPattern: "**/*.wave"}, {GlobPattern: "**/*.yaml"}, {GlobPattern: "**/*.yml"},
			}},
		}}}
		ctx, cancel := context.WithTimeout(s.ctx, time.Minute)
		defer cancel()
		if _, err := s.conn.Call(ctx, protocol.MethodClientRegisterCapability, params, nil); err != nil {
			fmt.Fprintf(s.opts.Log, "wavec lsp: registering file watchers: %v\n", err)
		}
	}()
}

func (s *server) doShutdown() (any, error) {
	s.mu.Lock()
	s.shutdown = true
	s.mu.Unlock()
	return nil, nil
}
