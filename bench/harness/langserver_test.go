package harness

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/wavec/wavec/bench/gen"
	"github.com/wavec/wavec/cmd/wavec/cli"
)

// asEnv makes the test binary act as another program: "wavec" is wavec
// built from this tree, "silent" a language server that never publishes
// diagnostics.
const asEnv = "WAVEC_HARNESS_TEST_AS"

func TestMain(m *testing.M) {
	switch os.Getenv(asEnv) {
	case "wavec":
		os.Exit(cli.Main())
	case "silent":
		silentServer()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// silentServer answers initialize and shutdown on standard input and
// output and publishes nothing.
func silentServer() {
	conn := jsonrpc2.NewConn(jsonrpc2.NewStream(serverPipes{os.Stdin, os.Stdout}))
	conn.Go(context.Background(), func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		switch req.Method() {
		case protocol.MethodInitialize:
			return reply(ctx, &protocol.InitializeResult{Capabilities: protocol.ServerCapabilities{TextDocumentSync: protocol.TextDocumentSyncKindFull}}, nil)
		case protocol.MethodShutdown:
			return reply(ctx, nil, nil)
		case protocol.MethodExit:
			os.Exit(0)
		}
		return reply(ctx, nil, nil)
	})
	<-conn.Done()
}

// testProgram returns a script that runs the test binary as program, with
// the environment the harness gives the tools it measures.
func testProgram(t *testing.T, program string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), program)
	text := "#!/bin/sh\n" + asEnv + "=" + program + " exec '" + self + "' \"$@\"\n"
	if err := os.WriteFile(script, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
	return script
}

func TestDiagnosticsPipeline(t *testing.T) {
	src := DiagnosticsPipeline(DiagnosticsLines)
	if n := strings.Count(src, "\n"); n < DiagnosticsLines || n > DiagnosticsLines+20 {
		t.Errorf("%d lines, want about %d", n, DiagnosticsLines)
	}
	bad := diagnosticsMistake(src)
	if bad == src || strings.Count(bad, "cfg-missing") != 1 {
		t.Errorf("the mistake is not made once")
	}
}

// TestLangServer measures wavec built from this tree with a few edits:
// the server must report the mistake and clear it after every edit.
func TestLangServer(t *testing.T) {
	var log, out bytes.Buffer
	cfg := &Config{Wavec: testProgram(t, "wavec"), Work: t.TempDir(), LangServerEdits: 6, Log: &log, Out: &out}
	res, err := LangServer(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Unavailable != "" || res.Error != "" {
		t.Fatalf("unavailable %q, error %q\n%s", res.Unavailable, res.Error, log.String())
	}
	if len(res.Samples) != 6 || res.Lines != DiagnosticsLines {
		t.Errorf("%d samples of %d lines, want 6 of %d", len(res.Samples), res.Lines, DiagnosticsLines)
	}
	for _, s := range res.Samples {
		if s <= 0 {
			t.Errorf("sample %v", s)
		}
	}
	if !strings.HasPrefix(out.String(), "langserver 1000 ") || strings.Contains(out.String(), "n/a") {
		t.Errorf("result line %q", out.String())
	}
}

// TestLangServerWrongExpectation checks that diagnostics other than
// expected, and a server that publishes none, end the measurement with an
// error that says so instead of a figure.
func TestLangServerWrongExpectation(t *testing.T) {
	good := DiagnosticsPipeline(100)
	run := diagnosticsRun{
		env:  append(os.Environ(), "HOME="+t.TempDir()),
		good: good, bad: diagnosticsMistake(good),
		goodWant: 0, badWant: 2,
		edits: 2,
		wait:  2 * time.Second,
	}
	run.args = []string{testProgram(t, "wavec"), "lsp"}
	run.file = filepath.Join(t.TempDir(), "big.wave")
	_, err := measureDiagnostics(context.Background(), run)
	t.Logf("wrong expectation: %v", err)
	if err == nil || !strings.Contains(err.Error(), "want 2 diagnostics, it last published 1 diagnostic") {
		t.Errorf("wavec with a wrong expectation: %v", err)
	}

	run.args = []string{testProgram(t, "silent")}
	run.badWant = 1
	_, err = measureDiagnostics(context.Background(), run)
	t.Logf("silent server: %v", err)
	if err == nil || !strings.Contains(err.Error(), "after opening big.wave: no diagnostics for version 1") || !strings.Contains(err.Error(), "nothing was published") {
		t.Errorf("a server that publishes nothing: %v", err)
	}
}

// TestLangServerUnavailable checks that a wavec without `wavec lsp` is
// reported as such.
func TestLangServerUnavailable(t *testing.T) {
	old := filepath.Join(t.TempDir(), "wavec")
	if err := os.WriteFile(old, []byte("#!/bin/sh\necho \"unknown command $1\" >&2\nexit 2\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res, err := LangServer(context.Background(), &Config{Wavec: old, Work: t.TempDir(), Log: &bytes.Buffer{}, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Unavailable, "not available") || len(res.Samples) != 0 || out.String() != "langserver 1000 n/a\n" {
		t.Errorf("result %+v, line %q", res, out.String())
	}
}

// TestMarkdownLangServer checks the language server's goal, its row in
// the before/after table and its section, and that a wavec without a
// language server is said to be one.
func TestMarkdownLangServer(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		var ds []time.Duration
		for _, x := range xs {
			ds = append(ds, time.Duration(x)*time.Millisecond)
		}
		return ds
	}
	sizes := []gen.Size{{Resources: 100, Waves: 1}}
	after := &CompileReport{Runs: 1, LangServer: &LangServerResult{Lines: 1000, Samples: ms(20, 30, 25, 90)}}
	before := &CompileReport{Runs: 1, LangServer: &LangServerResult{Lines: 1000, Samples: ms(60, 55, 70)}}
	var b bytes.Buffer
	(&Report{Compile: after, Before: before, KeptRun: "## Run side: kept\n\n"}).Markdown(&b, sizes)
	md := b.String()
	for _, want := range []string{
		"- language server: diagnostics after an edit of a 1,000-line pipeline under 50 ms median: met (28 ms, p95 90 ms (4 edits of 1,000 lines))",
		"| language server: diagnostics after an edit of a 1,000-line pipeline under 50 ms median | **missed** (60 ms, p95 70 ms (3 edits of 1,000 lines)) | met (28 ms",
		"| 1,000 lines | 4 | 28 ms | 90 ms | 90 ms |",
		"`langserver <lines> <median ms>`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}

	before.LangServer = &LangServerResult{Lines: 1000, Unavailable: "`wavec lsp` is not available in this build of wavec (`wavec lsp -h` fails)"}
	after.LangServer = &LangServerResult{Lines: 1000, Error: "wavec lsp: after opening big.wave: no diagnostics for version 1 within 10s"}
	b.Reset()
	(&Report{Compile: after, Before: before, KeptRun: "## Run side: kept\n\n"}).Markdown(&b, sizes)
	md = b.String()
	for _, want := range []string{
		"| language server: diagnostics after an edit of a 1,000-line pipeline under 50 ms median | not measured: `wavec lsp` is not available in this build of wavec (`wavec lsp -h` fails) | not measured: the language server failed: wavec lsp: after opening big.wave",
		"Language server: not measured, it failed: wavec lsp: after opening big.wave",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}

	// Results saved before the harness measured the language server.
	before.LangServer = nil
	if g := before.Goals(sizes); g[len(g)-1].Verdict() != "not measured" {
		t.Errorf("no language server result: %q", g[len(g)-1].Verdict())
	}
}
