package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// pipes joins the reading end of one pipe and the writing end of another
// into the client's side of the connection.
type pipes struct {
	io.Reader
	io.WriteCloser
}

// startLSP runs `wavec lsp` in-process on pipes and returns a client
// connection, the diagnostics it receives and the command's exit code.
func startLSP(t *testing.T) (jsonrpc2.Conn, chan protocol.PublishDiagnosticsParams, chan int, *bytes.Buffer, io.Closer) {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	stderr := &bytes.Buffer{}
	env := &Env{Stdin: inR, Stdout: outW, Stderr: stderr, Getenv: func(string) string { return "" }}
	code := make(chan int, 1)
	go func() {
		code <- Run(context.Background(), env, []string{"lsp", "--stdio"})
		outW.Close()
	}()
	conn := jsonrpc2.NewConn(jsonrpc2.NewStream(pipes{outR, inW}))
	diags := make(chan protocol.PublishDiagnosticsParams, 16)
	conn.Go(context.Background(), func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		if req.Method() == protocol.MethodTextDocumentPublishDiagnostics {
			var p protocol.PublishDiagnosticsParams
			if err := json.Unmarshal(req.Params(), &p); err == nil {
				diags <- p
			}
		}
		return reply(ctx, nil, nil)
	})
	t.Cleanup(func() { conn.Close() })
	return conn, diags, code, stderr, inW
}

func TestLSPCommand(t *testing.T) {
	conn, diags, code, stderr, _ := startLSP(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var init protocol.InitializeResult
	if _, err := conn.Call(ctx, protocol.MethodInitialize, &protocol.InitializeParams{}, &init); err != nil {
		t.Fatal(err)
	}
	if init.ServerInfo == nil || init.ServerInfo.Version != version() {
		t.Errorf("server info %+v", init.ServerInfo)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "app.wave")
	src := "pipeline p in ns\ndeployment api { image = \"nginx:1.27\"; user = 101; replicas = three }\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	u := uri.File(path)
	if err := conn.Notify(ctx, protocol.MethodTextDocumentDidOpen, &protocol.DidOpenTextDocumentParams{
		TextDocument: protocol.TextDocumentItem{URI: u, LanguageID: "wave", Version: 1, Text: src}}); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-diags:
		if p.URI != u || len(p.Diagnostics) == 0 || !strings.HasPrefix(p.Diagnostics[0].Code.(string), "E") {
			t.Errorf("diagnostics %+v", p)
		}
	case <-ctx.Done():
		t.Fatal("no diagnostics")
	}
	if _, err := conn.Call(ctx, protocol.MethodShutdown, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := conn.Notify(ctx, protocol.MethodExit, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-code:
		if c != ExitOK {
			t.Errorf("exit code %d after shutdown and exit; stderr: %s", c, stderr)
		}
	case <-ctx.Done():
		t.Fatal("wavec lsp did not exit")
	}
}

// When the editor goes away without shutting the server down, the server
// exits with 1, as the protocol asks.
func TestLSPClientGone(t *testing.T) {
	_, _, code, stderr, stdin := startLSP(t)
	stdin.Close()
	select {
	case c := <-code:
		if c != ExitFailure || !strings.Contains(stderr.String(), "wavec lsp:") {
			t.Errorf("exit code %d, stderr %q", c, stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("wavec lsp did not exit when its input closed")
	}
}

func TestLSPUsage(t *testing.T) {
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	if c := Run(context.Background(), env, []string{"lsp", "extra"}); c != ExitUsage {
		t.Errorf("exit %d", c)
	}
}
