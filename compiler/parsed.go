package compiler

import (
	"github.com/wavec/wavec/compiler/check"
	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// CheckParsed checks a pipeline whose files the caller has parsed already
// (an editor holds some of them in memory), given the diagnostics
// syntax.Parse returned for them. It reports what Compile reports but
// emits nothing: the Result's Documents are nil, and emit.Emit makes them
// from its Pipeline when the diagnostics hold no errors.
func CheckParsed(files []*syntax.File, parseDiags diag.List, sets map[string]string) (*Result, diag.List) {
	res := &Result{Files: source.NewSet()}
	for _, f := range files {
		res.Files.Add(f.Source)
	}
	diags := append(diag.List(nil), parseDiags...)
	if diags.HasErrors() {
		// As Compile: checking a partial AST would mostly repeat the
		// syntax errors.
		res.Pipeline = &ir.Pipeline{}
		diags.Sort()
		return res, diags
	}
	p, d := check.Check(files, check.Options{Sets: sets})
	res.Pipeline = p
	diags.Append(d)
	diags.Sort()
	return res, diags
}
