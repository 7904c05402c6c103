package compiler

import (
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// CompileParsed compiles a pipeline whose files the caller has parsed
// already (an editor holds some of them in memory), with the diagnostics
// syntax.Parse returned for them. It checks and emits like Compile.
func CompileParsed(files []*syntax.File, parseDiags diag.List, sets map[string]string) (*Result, diag.List) {
	res := &Result{Files: source.NewSet()}
	for _, f := range files {
		res.Files.Add(f.Source)
	}
	diags := append(diag.List(nil), parseDiags...)
	return compileParsed(res, files, diags, sets)
}
