package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// Goals of issue 18 for the language server.
const (
	// GoalDiagnostics: the language server's median time from an edit of a
	// DiagnosticsLines-line pipeline to its diagnostics at most this.
	GoalDiagnostics = 50 * time.Millisecond
	// DiagnosticsLines is the length of the pipeline the language server
	// is edited in.
	DiagnosticsLines = 1000
	// DiagnosticsEdits is how many timed edits the language server gets.
	DiagnosticsEdits = 100
	// DiagnosticsWait is how long the harness waits for the diagnostics of
	// one edit (or of the opened document) before it gives up.
	DiagnosticsWait = 10 * time.Second
)

// LangServerResult is the language server's time from an edit to its
// diagnostics, measured on `wavec lsp` as an editor talks to it.
type LangServerResult struct {
	// Lines is the length of the pipeline edited.
	Lines int
	// Samples are the times from sending a change to receiving its
	// diagnostics, one per timed edit.
	Samples []time.Duration
	// Unavailable says why the wavec measured has no language server.
	Unavailable string `json:",omitempty"`
	// Error is set when the server failed or published something other
	// than expected; it then has no samples.
	Error string `json:",omitempty"`
}

// Median is the median time from an edit to its diagnostics.
func (r *LangServerResult) Median() time.Duration { return Median(r.Samples) }

// P95 is the 95th percentile of the time from an edit to its diagnostics.
func (r *LangServerResult) P95() time.Duration { return Percentile(r.Samples, 95) }

// DiagnosticsPipeline returns a pipeline of about lines lines as people
// write them: groups of a ConfigMap, a Deployment reading it, a Service
// and a wave statement. It checks without a diagnostic.
func DiagnosticsPipeline(lines int) string {
	var b strings.Builder
	b.WriteString("pipeline big in big\n\nparam image = \"ghcr.io/acme/app:1.0.0\"\n\n")
	n := 4
	for i := 0; n < lines; i++ {
		fmt.Fprintf(&b, "configmap cfg-%d {\n  LOG_LEVEL = \"info\"\n  MODE      = \"fast\"\n}\n", i)
		fmt.Fprintf(&b, "deployment app-%d {\n  image    = image\n  replicas = 2\n  port     = 8000\n  env_from = [configmap cfg-%d]\n  ready    = http \"/health\" on 8000\n  cpu      = 100m\n  memory   = 128Mi\n  user     = 1000\n}\n", i, i)
		fmt.Fprintf(&b, "service app-%d {\n  port = 80 -> 8000\n}\n", i)
		fmt.Fprintf(&b, "wave %d < configmap cfg-%d > wave %d < deployment app-%d >\n\n", 2*i, i, 2*i+1, i)
		n += 19
	}
	return b.String()
}

// diagnosticsMistake turns the pipeline into one with a single mistake:
// a Deployment reading a ConfigMap the pipeline does not declare.
func diagnosticsMistake(good string) string {
	return strings.Replace(good, "env_from = [configmap cfg-1]", "env_from = [configmap cfg-missing]", 1)
}

// diagnosticsRun is one measurement of a language server.
type diagnosticsRun struct {
	// args start the server; env is its environment.
	args []string
	env  []string
	// file is where the pipeline is written and opened from.
	file string
	// good and bad are the two texts the edits alternate between, and
	// goodWant, badWant how many diagnostics each must have.
	good, bad         string
	goodWant, badWant int
	// edits is how many timed edits to make.
	edits int
	// wait limits the wait for one set of diagnostics, and the shutdown.
	wait time.Duration
}

// LangServer measures `wavec lsp` as an editor uses it: it opens a
// DiagnosticsLines-line pipeline, then changes it cfg.LangServerEdits times,
// alternately to a text with one mistake (one diagnostic) and back (none),
// and times each change from sending it to receiving the diagnostics of
// the new text. One untimed pair of changes first checks that the server
// reports the mistake and clears it. It prints `langserver <lines> <median
// ms>` to cfg.Out. A wavec without a language server, or one that fails,
// is reported in the result, not as an error; only a cancelled ctx is.
func LangServer(ctx context.Context, cfg *Config) (*LangServerResult, error) {
	res := &LangServerResult{Lines: DiagnosticsLines}
	why := langServerMissing(ctx, cfg.Wavec)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if why != "" {
		res.Unavailable = why
		fmt.Fprintf(cfg.Log, "langserver: %s\n", why)
		fmt.Fprintf(cfg.Out, "langserver %d n/a\n", res.Lines)
		return res, nil
	}
	dir := filepath.Join(cfg.Work, "langserver")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	good := DiagnosticsPipeline(DiagnosticsLines)
	edits := cfg.LangServerEdits
	if edits <= 0 {
		edits = DiagnosticsEdits
	}
	samples, err := measureDiagnostics(ctx, diagnosticsRun{
		args: []string{cfg.Wavec, "lsp"},
		env:  toolEnv(cfg.Work),
		file: filepath.Join(dir, "big.wave"),
		good: good, bad: diagnosticsMistake(good),
		goodWant: 0, badWant: 1,
		edits: edits,
		wait:  DiagnosticsWait,
	})
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil {
		res.Error = err.Error()
		fmt.Fprintf(cfg.Log, "langserver: %v\n", err)
		fmt.Fprintf(cfg.Out, "langserver %d n/a\n", res.Lines)
		return res, nil
	}
	res.Samples = samples
	fmt.Fprintf(cfg.Log, "langserver %d lines, %d edits: median %s  p95 %s\n", res.Lines, len(samples), fmtDuration(res.Median()), fmtDuration(res.P95()))
	fmt.Fprintf(cfg.Out, "langserver %d %.2f\n", res.Lines, float64(res.Median())/float64(time.Millisecond))
	return res, nil
}

// langServerMissing says why wavec has no language server, or "".
func langServerMissing(ctx context.Context, wavec string) string {
	if _, err := Exec(ctx, Proc{Args: []string{wavec, "lsp", "-h"}}); err != nil {
		return "`wavec lsp` is not available in this build of wavec (`wavec lsp -h` fails)"
	}
	return ""
}

// published is one publishDiagnostics for the document measured.
type published struct {
	at       time.Time
	version  *int32
	messages []string
}

// lspClient is the editor's side of the conversation: it keeps what the
// server publishes for one document.
type lspClient struct {
	doc  protocol.DocumentURI
	mu   sync.Mutex
	got  []published
	wake chan struct{}
}

func (c *lspClient) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	switch req.Method() {
	case protocol.MethodTextDocumentPublishDiagnostics:
		at := time.Now()
		var p struct {
			URI         protocol.DocumentURI `json:"uri"`
			Version     *int32               `json:"version"`
			Diagnostics []struct {
				Message string `json:"message"`
			} `json:"diagnostics"`
		}
		if err := json.Unmarshal(req.Params(), &p); err != nil || p.URI != c.doc {
			return reply(ctx, nil, nil)
		}
		pub := published{at: at, version: p.Version}
		for _, d := range p.Diagnostics {
			pub.messages = append(pub.messages, firstLine(d.Message))
		}
		c.mu.Lock()
		c.got = append(c.got, pub)
		c.mu.Unlock()
		select {
		case c.wake <- struct{}{}:
		default:
		}
		return reply(ctx, nil, nil)
	case protocol.MethodClientRegisterCapability, protocol.MethodWorkDoneProgressCreate:
		return reply(ctx, nil, nil)
	}
	return jsonrpc2.MethodNotFoundHandler(ctx, reply, req)
}

// await waits for the diagnostics of version (from the seen-th published
// on) to be want many, and returns when they arrived and how many
// publications it has seen.
func (c *lspClient) await(ctx context.Context, seen int, version int32, want int, wait time.Duration, done <-chan struct{}) (time.Time, int, error) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	var last *published
	for {
		c.mu.Lock()
		got := c.got[seen:]
		c.mu.Unlock()
		for i := range got {
			seen++
			p := &got[i]
			last = p
			if (p.version == nil || *p.version == version) && len(p.messages) == want {
				return p.at, seen, nil
			}
		}
		select {
		case <-c.wake:
		case <-ctx.Done():
			return time.Time{}, seen, ctx.Err()
		case <-done:
			return time.Time{}, seen, errors.New("the server stopped")
		case <-timer.C:
			what := "nothing was published for it"
			if last != nil {
				what = fmt.Sprintf("it last published %s", describeDiagnostics(last.messages))
			}
			return time.Time{}, seen, fmt.Errorf("no diagnostics for version %d within %s: want %s, %s", version, wait, plural(want, "diagnostic"), what)
		}
	}
}

func describeDiagnostics(ms []string) string {
	if len(ms) == 0 {
		return "no diagnostics"
	}
	return fmt.Sprintf("%s (%s)", plural(len(ms), "diagnostic"), strings.Join(ms, "; "))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// serverPipes joins the server's standard output and input into the one
// stream the client talks over.
type serverPipes struct {
	io.Reader
	io.WriteCloser
}

// measureDiagnostics starts the server, opens r.file with r.good, makes
// the untimed check pair of changes and then r.edits timed ones, and shuts
// the server down.
func measureDiagnostics(ctx context.Context, r diagnosticsRun) (samples []time.Duration, err error) {
	if err := os.WriteFile(r.file, []byte(r.good), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, r.args[0], r.args[1:]...)
	cmd.Env = r.env
	cmd.Dir = filepath.Dir(r.file)
	var stderr tailBuffer
	cmd.Stderr = &stderr
	// Nothing the server leaves behind keeps its pipes open for long.
	cmd.WaitDelay = r.wait
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	conn := jsonrpc2.NewConn(jsonrpc2.NewStream(serverPipes{stdout, stdin}))
	doc := uri.File(r.file)
	c := &lspClient{doc: doc, wake: make(chan struct{}, 1)}
	conn.Go(ctx, c.handle)
	// stop ends the server: cleanly after a shutdown and exit, by a kill
	// when it does not exit in time. The server's output is read until it
	// ends before the process is reaped.
	stopped := false
	stop := func(clean bool) error {
		stopped = true
		var why error
		if clean {
			sctx, cancel := context.WithTimeout(ctx, r.wait)
			_, why = conn.Call(sctx, protocol.MethodShutdown, nil, nil)
			cancel()
			if why == nil {
				why = conn.Notify(ctx, protocol.MethodExit, nil)
			}
			if why != nil {
				why = fmt.Errorf("shutdown: %w", why)
			}
		}
		if !clean || why != nil {
			_ = cmd.Process.Kill()
		}
		if !waitFor(conn.Done(), r.wait) {
			if why == nil {
				why = fmt.Errorf("the server did not exit within %s of exit", r.wait)
			}
			_ = cmd.Process.Kill()
			if !waitFor(conn.Done(), r.wait) {
				// Another process holds its output open.
				_ = stdout.Close()
				<-conn.Done()
			}
		}
		_ = stdin.Close()
		werr := cmd.Wait()
		if why == nil && werr != nil {
			why = fmt.Errorf("the server exited: %v", werr)
		}
		return why
	}
	defer func() {
		if !stopped {
			_ = stop(false)
		}
		if err != nil {
			if tail := stderr.String(); tail != "" {
				err = fmt.Errorf("%w\n%s", err, tail)
			}
			err = fmt.Errorf("%s: %w", strings.Join(r.args, " "), err)
		}
	}()

	ictx, cancel := context.WithTimeout(ctx, r.wait)
	var init protocol.InitializeResult
	_, err = conn.Call(ictx, protocol.MethodInitialize, &protocol.InitializeParams{
		ProcessID:  int32(os.Getpid()),
		RootURI:    uri.File(filepath.Dir(r.file)),
		ClientInfo: &protocol.ClientInfo{Name: "wavebench"},
	}, &init)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	if err := fullChangesAccepted(init.Capabilities.TextDocumentSync); err != nil {
		return nil, err
	}
	if err := conn.Notify(ctx, protocol.MethodInitialized, &protocol.InitializedParams{}); err != nil {
		return nil, err
	}
	version := int32(1)
	if err := conn.Notify(ctx, protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{
		TextDocument: protocol.TextDocumentItem{URI: doc, LanguageID: "wave", Version: version, Text: r.good},
	}); err != nil {
		return nil, err
	}
	seen := 0
	if _, seen, err = c.await(ctx, seen, version, r.goodWant, r.wait, conn.Done()); err != nil {
		return nil, fmt.Errorf("after opening %s: %w", filepath.Base(r.file), err)
	}
	type change struct {
		Text string `json:"text"`
	}
	type changeParams struct {
		TextDocument   protocol.VersionedTextDocumentIdentifier `json:"textDocument"`
		ContentChanges []change                                 `json:"contentChanges"`
	}
	for i := range r.edits + 2 {
		text, want, what := r.bad, r.badWant, "the change to a missing ConfigMap"
		if i%2 == 1 {
			text, want, what = r.good, r.goodWant, "the change back"
		}
		version++
		start := time.Now()
		if err := conn.Notify(ctx, protocol.MethodTextDocumentDidChange, &changeParams{
			TextDocument: protocol.VersionedTextDocumentIdentifier{
				TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: doc}, Version: version},
			ContentChanges: []change{{Text: text}},
		}); err != nil {
			return nil, err
		}
		var at time.Time
		if at, seen, err = c.await(ctx, seen, version, want, r.wait, conn.Done()); err != nil {
			return nil, fmt.Errorf("after %s (edit %d): %w", what, i+1, err)
		}
		if i >= 2 {
			samples = append(samples, at.Sub(start))
		}
	}
	if err := stop(true); err != nil {
		return nil, err
	}
	return samples, nil
}

// waitFor reports whether done is closed within d.
func waitFor(done <-chan struct{}, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-done:
		return true
	case <-timer.C:
		return false
	}
}

// fullChangesAccepted checks that a server with the given text document
// sync capability takes changes of the whole text: both full and
// incremental sync do; a server that takes no changes does not.
func fullChangesAccepted(sync any) error {
	data, err := json.Marshal(sync)
	if err != nil {
		return err
	}
	var kind protocol.TextDocumentSyncKind
	var opts struct {
		Change *protocol.TextDocumentSyncKind `json:"change"`
	}
	switch {
	case json.Unmarshal(data, &kind) == nil:
	case json.Unmarshal(data, &opts) == nil && opts.Change != nil:
		kind = *opts.Change
	default:
		return fmt.Errorf("the server advertises no textDocumentSync change kind (%s)", data)
	}
	if kind != protocol.TextDocumentSyncKindFull && kind != protocol.TextDocumentSyncKindIncremental {
		return fmt.Errorf("the server takes no document changes (textDocumentSync %s)", data)
	}
	return nil
}
