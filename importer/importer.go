// Package importer turns Kubernetes YAML (plain manifests, `helm template`
// and `kustomize build` output, Argo CD-annotated or not) into a .wave
// pipeline that builds the same objects in the same order.
//
// The result is exact by construction: for each object the importer writes
// the most idiomatic declaration it can (a typed declaration such as
// `configmap`), compiles it in a pipeline of its own and compares the built
// object with the input; when they differ it falls back to an `object`
// declaration with the object's YAML inline, and checks that too. Ordering
// annotations (Argo CD's hook, hook-delete-policy and sync-wave, and Helm's
// hook annotations as Argo CD reads them) become wave and hook statements.
// Finally the whole pipeline is compiled and every object compared again.
package importer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/wavec/wavec/argocd"
	"github.com/wavec/wavec/compiler"
	"github.com/wavec/wavec/compiler/check"
	"github.com/wavec/wavec/compiler/emit"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/format"
	"github.com/wavec/wavec/runtime/manifest"
)

// Codes of the importer's diagnostics (docs/diagnostics.md).
const (
	// CodeCannotImport is an object the importer cannot write as .wave.
	CodeCannotImport diag.Code = "E0910"
	// CodeImportNote is a warning about what importing changed or left out.
	CodeImportNote diag.Code = "W0911"
)

// wavecLabels are the labels wavec sets on every object itself.
var wavecLabels = []string{"app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"}

// fieldNames are the fields every kind accepts; data keys of that name are
// quoted.
var fieldNames = []string{"labels", "annotations", "prune", "prune_last", "server_side_apply", "replace", "skip_dry_run", "delete", "generate_name"}

// Options adjust an import.
type Options struct {
	// Name is the pipeline's name; empty: taken from the objects' labels.
	Name string
	// Namespace is the pipeline's namespace; empty: the objects' most
	// common namespace, else "default".
	Namespace string
}

// File is one .wave file of an imported pipeline.
type File struct {
	// Name is the file's base name, such as "pipeline.wave".
	Name string
	// Source is the file's text, fmt-canonical.
	Source []byte
}

// Result is an imported pipeline.
type Result struct {
	// Name and Namespace are the pipeline header's.
	Name, Namespace string
	// Source is the whole pipeline as one fmt-canonical file.
	Source []byte
	// Objects is how many objects were imported; Typed of them became
	// typed declarations, the others `object` declarations.
	Objects, Typed int

	header     string
	statements string
	decls      []*entry
	all        []*entry // every entry, in sync order
	level      int      // how idiomatic declarations may be
	// declared are the typed declarations made so far, by reference.
	declared map[string]*entry
	// inInput are the references of every input object of a kind that
	// can be referred to, typed or not.
	inInput map[string]bool
	// externals are the objects the input reads but does not hold.
	externals map[string]bool
}

// refKinds are the kinds whose objects workloads refer to.
var refKinds = map[string]string{
	"v1/ConfigMap": "configmap", "v1/Secret": "secret", "v1/ServiceAccount": "serviceaccount", "v1/Service": "service",
	"rbac.authorization.k8s.io/v1/Role": "role", "rbac.authorization.k8s.io/v1/ClusterRole": "clusterrole",
}

// entry is one input object and the declaration written for it.
type entry struct {
	obj   manifest.Object
	clean map[string]any // the object as the pipeline must build it
	// write is the object as the declaration says it: clean without what
	// the hook statement says (its timeout).
	write   *unstructured.Unstructured
	timeout string // the hook's timeout, or ""
	ann     argocd.Annotations
	kind    string   // the declaration's keyword: a kind, or "object"
	name    string   // the declaration's name
	decl    string   // the declaration's text
	part    string   // the application part, for Files
	refs    []string // what the declaration refers to
	// cluster reports an object that names a namespace although its
	// kind is cluster-scoped.
	cluster bool
	// note is the comment that points back at the input document.
	note string
	// ordering is the input's ordering problem that a reference of the
	// declaration would have shown, when the reference is left out.
	ordering string
}

// comments returns the comments above the entry's declaration: where the
// input document is, and the input's ordering problem that the
// declaration does not show as a reference.
func (e *entry) comments() string {
	if e.ordering == "" {
		return e.note
	}
	return e.note + "// the input's order: " + oneLine(e.ordering) + "; the reference is left out\n"
}

// oneLine replaces the control characters of s by spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == 0x2028 || r == 0x2029 {
			return ' '
		}
		return r
	}, s)
}

// ref returns the reference to the entry's declaration.
func (e *entry) ref() string { return e.kind + " " + e.name }

// Import writes objs as a pipeline. Problems are positioned at the input;
// when any is an error, the Result is nil.
func Import(objs []manifest.Object, opts Options) (*Result, []manifest.Problem) {
	var problems []manifest.Problem
	errorf := func(o manifest.Object, format string, args ...any) {
		problems = append(problems, manifest.Problem{Severity: diag.Error, Code: CodeCannotImport, Source: o.Source, Object: o.Ref(), Message: fmt.Sprintf(format, args...)})
	}
	warnf := func(o manifest.Object, format string, args ...any) {
		problems = append(problems, manifest.Problem{Severity: diag.Warning, Code: CodeImportNote, Source: o.Source, Object: o.Ref(), Message: fmt.Sprintf(format, args...)})
	}
	if len(objs) == 0 {
		problems = append(problems, manifest.Problem{Severity: diag.Error, Code: CodeCannotImport, Message: "the input holds no objects"})
		return nil, problems
	}
	res := &Result{Name: opts.Name, Namespace: opts.Namespace, declared: map[string]*entry{}, inInput: map[string]bool{}, externals: map[string]bool{}}
	if res.Name == "" {
		res.Name = pipelineName(objs)
	} else if !isName(res.Name) {
		problems = append(problems, manifest.Problem{Severity: diag.Error, Code: CodeCannotImport, Message: fmt.Sprintf("--name %q is not a valid pipeline name", res.Name)})
		return nil, problems
	}
	if res.Namespace != "" && !isName(res.Namespace) {
		problems = append(problems, manifest.Problem{Severity: diag.Error, Code: CodeCannotImport, Message: fmt.Sprintf("--namespace %q is not a valid namespace", res.Namespace)})
		return nil, problems
	}

	seen := map[string]manifest.Object{}
	// wavec replaces a managed-by label of another value: one warning per
	// value, at the first object that has it, counting the others, rather
	// than one per object of a chart (every object of a Helm chart has it).
	type replaced struct{ problem, others int }
	managed := map[string]*replaced{}
	for _, o := range objs {
		if o.GetName() == "" && o.GetGenerateName() == "" {
			errorf(o, "the object has no metadata.name")
			continue
		}
		id := o.GroupVersionKind().GroupKind().String() + "/" + o.GetName()
		if o.GetName() == "" {
			// Argo CD names a generateName hook anew at each sync.
			id = fmt.Sprintf("%s/%s*%d", o.GroupVersionKind().GroupKind(), o.GetGenerateName(), len(seen))
		}
		if first, dup := seen[id]; dup {
			if first.GetNamespace() == o.GetNamespace() {
				errorf(o, "the object is given twice (first at %s)", first.Source)
			} else {
				where := "no namespace"
				if ns := first.GetNamespace(); ns != "" {
					where = "namespace " + ns
				}
				errorf(o, "a pipeline declares one %s named %s, and %s has one (in %s)", o.GetKind(), o.GetName(), first.Source, where)
			}
			continue
		}
		seen[id] = o
		e := &entry{obj: o, note: sourceNote(o.Source)}
		var warns []argocd.Warning
		e.ann, warns = argocd.Decode(o.GetAnnotations())
		for _, w := range warns {
			if w.Untracked {
				// Decode says so exactly when the hook has no phase.
				warnf(o, "%s; it is imported as skip", w.Message)
				e.ann.Skip = true
				continue
			}
			warnf(o, "%s", w.Message)
		}
		if o.GetName() == "" && !e.ann.Hook && !e.ann.Skip {
			errorf(o, "the object has a generateName but no name, and is not a hook: Argo CD names only hooks from their generateName")
			continue
		}
		e.clean = cleanObject(o.Unstructured)
		labels := o.GetLabels()
		if v, ok := labels["app.kubernetes.io/managed-by"]; ok && v != "wavec" {
			if r := managed[v]; r != nil {
				r.others++
			} else {
				warnf(o, "label app.kubernetes.io/managed-by=%s is replaced: wavec sets it to wavec", v)
				managed[v] = &replaced{problem: len(problems) - 1}
			}
		}
		e.part = partOf(o.Unstructured)
		if kw, ok := refKinds[o.GetAPIVersion()+"/"+o.GetKind()]; ok {
			res.inInput[kw+" "+o.GetName()] = true
		}
		e.cluster = o.GetNamespace() != "" && clusterScoped(e.clean)
		res.decls = append(res.decls, e)
	}
	for v, r := range managed {
		switch r.others {
		case 0:
		case 1:
			problems[r.problem].Message = fmt.Sprintf("label app.kubernetes.io/managed-by=%s of this object and 1 other is replaced: wavec sets it to wavec", v)
		default:
			problems[r.problem].Message = fmt.Sprintf("label app.kubernetes.io/managed-by=%s of this object and %d others is replaced: wavec sets it to wavec", v, r.others)
		}
	}
	if hasErrors(problems) {
		return nil, problems
	}
	if res.Namespace == "" {
		res.Namespace = commonNamespace(res.decls)
	}
	res.header = fmt.Sprintf("pipeline %s in %s\n", res.Name, res.Namespace)
	// Declare in sync order, so that names given on a collision do not
	// depend on the order of the input.
	sort.SliceStable(res.decls, func(i, j int) bool { return less(res.decls[i], res.decls[j]) })
	res.all = res.decls
	// The most idiomatic pipeline first; when the whole does not build
	// the input (ordering problems of the input that references make
	// errors), one without references, and finally one of objects only.
	var last []manifest.Problem
	for level := refsAllowed; level <= objectsOnly; level++ {
		prev := last
		last = res.assemble(level)
		if !hasErrors(last) {
			for _, p := range prev {
				if p.Severity == diag.Error {
					// Say why the more idiomatic pipeline was not written.
					p.Severity, p.Code = diag.Warning, CodeImportNote
					p.Message = "written without references (or typed declarations): " + p.Message
					problems = append(problems, p)
					break
				}
			}
			return res, append(problems, last...)
		}
	}
	return nil, append(problems, last...)
}

// The levels of assemble: how idiomatic the declarations may be.
const (
	refsAllowed = iota
	noRefs
	objectsOnly
)

// assemble declares every entry at the level and compiles the pipeline,
// returning the problems.
func (res *Result) assemble(level int) []manifest.Problem {
	var problems []manifest.Problem
	errorf := func(o manifest.Object, format string, args ...any) {
		problems = append(problems, manifest.Problem{Severity: diag.Error, Code: CodeCannotImport, Source: o.Source, Object: o.Ref(), Message: fmt.Sprintf(format, args...)})
	}
	res.declared, res.externals, res.Typed, res.level = map[string]*entry{}, map[string]bool{}, 0, level
	used := map[string]bool{}
	for _, e := range res.all {
		e.kind, e.name, e.decl, e.refs, e.ordering = "", "", "", nil, ""
		e.write, e.timeout = &unstructured.Unstructured{Object: e.clean}, ""
		hookTimeout(e)
	}
	res.decls = slices.Clone(res.all)
	// Workloads last: they may refer to what the others declare.
	ordered := slices.Clone(res.decls)
	sort.SliceStable(ordered, func(i, j int) bool { return stage(ordered[i]) < stage(ordered[j]) })
	for _, e := range ordered {
		if e.decl != "" { // declared together with another
			res.Typed++
			res.declared[e.ref()] = e
			continue
		}
		why := declare(res, e, used)
		if why != "" && e.timeout != "" {
			// Say the timeout as the annotation it is.
			e.write, e.timeout = &unstructured.Unstructured{Object: e.clean}, ""
			why = declare(res, e, used)
		}
		if why != "" {
			errorf(e.obj, "the object cannot be written as .wave so that it builds unchanged: %s", why)
			continue
		}
		if e.kind != "object" {
			res.Typed++
			res.declared[e.ref()] = e
		}
		if e.ordering != "" {
			problems = append(problems, manifest.Problem{Severity: diag.Warning, Code: CodeImportNote, Source: e.obj.Source, Object: e.obj.Ref(),
				Message: "the input's order: " + e.ordering + "; the reference is left out, so that the pipeline builds and syncs as the input does"})
		}
	}
	res.decls = slices.DeleteFunc(res.decls, func(e *entry) bool { return e.decl == "" })
	if hasErrors(problems) {
		return problems
	}
	res.Objects = len(res.decls)
	res.statements = statements(res.decls)

	var all strings.Builder
	all.WriteString(res.header)
	if ext := res.externalDecls(); ext != "" {
		all.WriteString("\n" + ext)
	}
	for _, e := range res.decls {
		all.WriteString("\n" + e.comments() + e.decl + "\n")
	}
	if res.statements != "" {
		all.WriteString("\n" + res.statements)
	}
	src, diags := format.Format("import.wave", []byte(all.String()))
	if diags.HasErrors() {
		problems = append(problems, manifest.Problem{Severity: diag.Error, Code: CodeCannotImport, Message: "the imported pipeline does not parse: " + diags[0].Summary})
		return problems
	}
	res.Source = src
	// The whole pipeline must build every object unchanged.
	built, diags := compiler.CompileSource("import.wave", src, nil)
	if diags.HasErrors() {
		for _, d := range diags {
			if d.Severity == diag.Error {
				problems = append(problems, manifest.Problem{Severity: diag.Error, Code: CodeCannotImport, Message: "the imported pipeline does not compile: " + d.Summary})
			}
		}
		return problems
	}
	for _, e := range res.decls {
		if !builds(built, e.clean, res.Namespace) {
			errorf(e.obj, "the imported pipeline does not build the object unchanged")
		}
	}
	if hasErrors(problems) {
		return problems
	}
	return problems
}

func hasErrors(ps []manifest.Problem) bool {
	return slices.ContainsFunc(ps, func(p manifest.Problem) bool { return p.Severity == diag.Error })
}

// declare writes e's declaration: the first candidate, most idiomatic
// first, that builds the object unchanged. It returns why none does, or
// "".
func declare(res *Result, e *entry, used map[string]bool) string {
	o := e.obj
	cands := append(candidates(e), kindCandidates(res, e)...)
	if gn := o.GetGenerateName(); o.GetName() == "" && gn != "" {
		cands = generatedCandidates(res, e)
	} else if e.obj.GetAPIVersion() == "v1" && e.obj.GetKind() == "Service" {
		if c, ok := serviceCandidate(res, e.write.Object, e.obj.GetName()); ok {
			cands = append(cands, c)
		}
	}
	for _, c := range cands {
		if res.level == objectsOnly || res.level == noRefs && len(c.refs) > 0 {
			continue
		}
		name := c.name
		if used[c.kind+" "+name] {
			continue
		}
		if c.kind == "statefulset" && declareWithService(res, e, c, used) {
			return ""
		}
		context, externals, ok := res.context(c.refs)
		if !ok {
			continue
		}
		why, code := tryDeclCode(res, e, c.kind, name, c.text, context)
		if why != "" && len(c.refs) > 0 && orderingCodes[code] && e.ordering == "" {
			e.ordering = fmt.Sprintf("%s (%s)", why, code)
		}
		if why == "" {
			if len(c.refs) > 0 {
				e.ordering = "" // a reference that keeps the order was found
			}
			used[c.kind+" "+name] = true
			e.refs = c.refs
			for _, x := range externals {
				res.externals[x] = true
			}
			return ""
		}
	}
	// object: exact for any object whose YAML survives the round trip.
	base := safeName(objectName(o.Unstructured), strings.ToLower(o.GetKind()))
	name := base
	if used["object "+name] {
		base = safeName(objectName(o.Unstructured)+"-"+o.GetKind(), strings.ToLower(o.GetKind()))
		name = base
	}
	for n := 2; used["object "+name]; n++ {
		name = fmt.Sprintf("%s-%d", base, n)
	}
	body := e.write.Object
	if md := nested(body, "metadata"); md["namespace"] == res.Namespace || e.cluster {
		// The pipeline's namespace is given to every object that names none.
		body = runtimeCopy(body)
		delete(nested(body, "metadata"), "namespace")
	}
	why := "its YAML cannot be written inline"
	if y, err := yaml.Marshal(body); err == nil && rawSafe(string(y)) {
		if why = tryDecl(res, e, "object", name, "object "+name+" = "+rawString(string(y), "")); why == "" {
			used["object "+name] = true
			return ""
		}
	}
	if j, err := json.MarshalIndent(body, "", "  "); err == nil && rawSafe(string(j)) {
		if why = tryDecl(res, e, "object", name, "object "+name+" = "+rawString(string(j)+"\n", "")); why == "" {
			used["object "+name] = true
			return ""
		}
	}
	return why
}

// generatedCandidates returns the typed declarations of a hook named by
// generateName: those of the object named like its generateName, with
// `generate_name` as their first field.
func generatedCandidates(res *Result, e *entry) []candidate {
	w := e.write.DeepCopy()
	w.SetName(objectName(e.write))
	w.SetGenerateName("")
	named := &entry{obj: e.obj, clean: e.clean, write: w, ann: e.ann, timeout: e.timeout}
	field := "generate_name = " + quote(e.write.GetGenerateName())
	var out []candidate
	for _, c := range append(candidates(named), kindCandidates(res, named)...) {
		head, body, block := strings.Cut(c.text, " {\n")
		if block {
			c.text = head + " {\n" + field + "\n" + body
		} else {
			c.text += " {\n" + field + "\n}"
		}
		out = append(out, c)
	}
	return out
}

// clusterScoped reports whether the compiler builds e's object without a
// namespace.
func clusterScoped(clean map[string]any) bool {
	body := runtimeCopy(clean)
	delete(nested(body, "metadata"), "namespace")
	y, err := yaml.Marshal(body)
	if err != nil || !rawSafe(string(y)) {
		return false
	}
	built, diags := compiler.CompileSource("import.wave", []byte("pipeline p in default\nobject o = "+rawString(string(y), "")+"\n"), nil)
	if diags.HasErrors() {
		return false
	}
	for _, o := range built.Objects() {
		return o.GetNamespace() == ""
	}
	return false
}

// tryDecl compiles the declaration with its ordering statement in a
// pipeline of its own and returns "" when it builds e's object unchanged,
// and e takes it; otherwise it returns why not.
func tryDecl(res *Result, e *entry, kind, name, text string) string {
	return tryDeclIn(res, e, kind, name, text, "")
}

// tryDeclIn is tryDecl with context: the declarations and statements of
// what the declaration refers to.
func tryDeclIn(res *Result, e *entry, kind, name, text, context string) string {
	why, _ := tryDeclCode(res, e, kind, name, text, context)
	return why
}

// orderingCodes are the compiler's errors about a reference to what is
// applied later (or deleted before): the input's ordering problems.
var orderingCodes = map[diag.Code]bool{
	check.CodeReadsLaterPhase: true, check.CodeReadsLaterWave: true,
	check.CodeReadsDeletedHook: true, check.CodeReadsAfterDelete: true,
}

// tryDeclCode is tryDeclIn that also returns the code of the compiler's
// error.
func tryDeclCode(res *Result, e *entry, kind, name, text, context string) (string, diag.Code) {
	probe := &entry{obj: e.obj, ann: e.ann, kind: kind, name: name, timeout: e.timeout}
	src := res.header + context + text + "\n" + statements([]*entry{probe})
	built, diags := compiler.CompileSource("import.wave", []byte(src), nil)
	for _, d := range diags {
		if d.Severity == diag.Error {
			return d.Summary, d.Code
		}
	}
	if !builds(built, e.clean, res.Namespace) {
		return "the declaration builds a different object", ""
	}
	e.kind, e.name, e.decl = kind, name, text
	return "", ""
}

// declareWithService declares a statefulset together with its governing
// Service of the input, which selects the statefulset's Pods: each refers
// to the other. It reports whether both build unchanged.
func declareWithService(res *Result, e *entry, c candidate, used map[string]bool) bool {
	sn, _, _ := unstructured.NestedString(e.write.Object, "spec", "serviceName")
	var svc *entry
	for _, x := range res.all {
		if x.obj.GetAPIVersion() == "v1" && x.obj.GetKind() == "Service" && x.obj.GetName() == sn && x.decl == "" {
			svc = x
		}
	}
	if svc == nil || used["service "+sn] {
		return false
	}
	self := "statefulset " + e.obj.GetName()
	res.declared[self] = &entry{decl: c.text, write: e.write}
	sc, ok := serviceCandidate(res, svc.write.Object, sn)
	delete(res.declared, self)
	if !ok {
		return false
	}
	var refs []string
	for _, r := range append(slices.Clone(c.refs), sc.refs...) {
		if r != self && r != "service "+sn {
			refs = append(refs, r)
		}
	}
	context, externals, ok := res.context(refs)
	if !ok {
		return false
	}
	a := &entry{obj: e.obj, ann: e.ann, kind: c.kind, name: c.name, timeout: e.timeout}
	b := &entry{obj: svc.obj, ann: svc.ann, kind: sc.kind, name: sc.name, timeout: svc.timeout}
	src := res.header + context + c.text + "\n" + sc.text + "\n" + statements([]*entry{a, b})
	built, diags := compiler.CompileSource("import.wave", []byte(src), nil)
	if diags.HasErrors() || !builds(built, e.clean, res.Namespace) || !builds(built, svc.clean, res.Namespace) {
		return false
	}
	e.kind, e.name, e.decl, e.refs = c.kind, c.name, c.text, c.refs
	svc.kind, svc.name, svc.decl, svc.refs = sc.kind, sc.name, sc.text, sc.refs
	used[e.ref()], used[svc.ref()] = true, true
	res.declared[svc.ref()] = svc // counted when the loop comes to it
	for _, x := range externals {
		res.externals[x] = true
	}
	return true
}

// context returns the declarations that refs need: those declared so far
// with their statements, and external ones for objects the input does not
// hold. It reports false when a reference names an object of the input
// that is not a typed declaration (an `object` cannot be referred to so).
func (r *Result) context(refs []string) (string, []string, bool) {
	var b strings.Builder
	var externals, done []string
	var entries []*entry
	for i := 0; i < len(refs); i++ {
		ref := refs[i]
		if slices.Contains(done, ref) {
			continue
		}
		done = append(done, ref)
		switch e := r.declared[ref]; {
		case e != nil:
			b.WriteString(e.decl + "\n")
			entries = append(entries, e)
			refs = append(slices.Clone(refs), e.refs...)
		case r.inInput[ref]:
			return "", nil, false
		case r.externals[ref]:
			b.WriteString(ref + " external\n")
		default:
			externals = append(externals, ref)
			b.WriteString(ref + " external\n")
		}
	}
	b.WriteString(statements(entries))
	return b.String(), externals, true
}

// externalDecls writes the external declarations, sorted.
func (r *Result) externalDecls() string {
	var b strings.Builder
	for _, x := range sortedKeys(r.externals) {
		b.WriteString(x + " external\n")
	}
	return b.String()
}

// stage orders declaring: what workloads read, then workloads, then what
// selects workloads.
func stage(e *entry) int {
	if _, ok := workloadKinds[e.obj.GetAPIVersion()+"/"+e.obj.GetKind()]; ok {
		return 1
	}
	switch e.obj.GetKind() {
	case "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "RoleBinding", "ClusterRoleBinding", "NetworkPolicy":
		return 2
	case "Ingress":
		return 3
	}
	return 0
}

// hookTimeout moves a hook's wavec.io/timeout annotation (and a Job's
// activeDeadlineSeconds of the same length, which the hook's timeout
// sets) into the hook statement.
func hookTimeout(e *entry) {
	v, ok := e.write.GetAnnotations()[annotationTimeout]
	d, err := time.ParseDuration(v)
	if !ok || err != nil || d <= 0 || !e.ann.Hook || e.ann.Skip {
		return
	}
	w := e.write.DeepCopy()
	ann := w.GetAnnotations()
	delete(ann, annotationTimeout)
	w.SetAnnotations(ann)
	if len(ann) == 0 {
		unstructured.RemoveNestedField(w.Object, "metadata", "annotations")
	}
	secs := int64(math.Ceil(d.Seconds()))
	if w.GetKind() == "Job" {
		if ads, found, _ := unstructured.NestedInt64(w.Object, "spec", "activeDeadlineSeconds"); found && ads == secs {
			unstructured.RemoveNestedField(w.Object, "spec", "activeDeadlineSeconds")
		}
	}
	e.write, e.timeout = w, durationWord(d)
}

// annotationTimeout is wavec's own annotation for a hook's timeout.
const annotationTimeout = "wavec.io/timeout"

// durationWord writes d as a duration unit: 5m rather than 5m0s.
func durationWord(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// builds reports whether the compiled pipeline has an object equal to want.
func builds(built *compiler.Result, want map[string]any, ns string) bool {
	w := &unstructured.Unstructured{Object: want}
	for _, got := range built.Objects() {
		if got.GetKind() == w.GetKind() && got.GetName() == w.GetName() && got.GetGenerateName() == w.GetGenerateName() && got.GetAPIVersion() == w.GetAPIVersion() {
			if Equal(want, got.Object, ns) {
				return true
			}
		}
	}
	return false
}

// Equal reports whether a pipeline that builds got builds the input
// object want: the same after removing wavec's labels and the ordering
// annotations from both (the order is compared by plan), dropping null
// values and empty maps as wavec's output does, reading a Secret's
// stringData as the API server does, and giving want the pipeline's
// namespace ns when it names none.
func Equal(want, got map[string]any, ns string) bool {
	a, b := comparable(want), comparable(got)
	if _, ok := nested(a, "metadata")["namespace"]; !ok {
		if gm := nested(b, "metadata"); gm["namespace"] == ns {
			delete(gm, "namespace")
		}
	}
	if _, ok := nested(b, "metadata")["namespace"]; !ok {
		// A cluster-scoped object: the API server ignores its namespace.
		delete(nested(a, "metadata"), "namespace")
	}
	return reflect.DeepEqual(a, b)
}

// comparable returns a JSON copy of obj in the form Equal compares.
func comparable(obj map[string]any) map[string]any {
	var m map[string]any
	j, err := json.Marshal(obj)
	if err != nil || json.Unmarshal(j, &m) != nil {
		return nil
	}
	strip(m)
	if a, ok := nested(m, "metadata")["annotations"].(map[string]any); ok {
		canonicalSyncOptions(a)
	}
	if m["kind"] == "Secret" && m["apiVersion"] == "v1" {
		if sd, ok := m["stringData"].(map[string]any); ok {
			data, _ := m["data"].(map[string]any)
			if data == nil {
				data = map[string]any{}
			}
			for k, v := range sd {
				s, _ := v.(string)
				data[k] = base64.StdEncoding.EncodeToString([]byte(s))
			}
			m["data"] = data
			delete(m, "stringData")
		}
	}
	applyDefaults(m)
	emit.Normalize(m)
	return m
}

// applyDefaults sets the defaults the API server gives the fields where
// wavec writes the default and input often leaves it out: a Deployment's,
// StatefulSet's and ReplicaSet's replicas, a Job's backoffLimit, a
// HorizontalPodAutoscaler's minReplicas, a Pod's and a Pod
// template's restartPolicy, a Service's type and its ports' targetPort; and it
// removes wavec's labels from Pod templates.
func applyDefaults(m map[string]any) {
	spec := nested(m, "spec")
	if spec == nil {
		return
	}
	setDefault := func(mm map[string]any, k string, v any) {
		if mm != nil {
			if _, ok := mm[k]; !ok {
				mm[k] = v
			}
		}
	}
	template := func(t map[string]any, restart string) {
		if t == nil {
			return
		}
		if l, ok := nested(t, "metadata")["labels"].(map[string]any); ok {
			stripLabels(l, metadataName(nested(m, "metadata")))
		}
		setDefault(nested(t, "spec"), "restartPolicy", restart)
		containerPorts(nested(t, "spec"))
	}
	switch m["kind"] {
	case "Service":
		if m["apiVersion"] != "v1" {
			break
		}
		setDefault(spec, "type", "ClusterIP")
		ports, _ := spec["ports"].([]any)
		for _, it := range ports {
			if p, ok := it.(map[string]any); ok && p["port"] != nil {
				setDefault(p, "targetPort", p["port"])
				setDefault(p, "protocol", "TCP")
			}
		}
	case "Deployment", "StatefulSet", "ReplicaSet":
		setDefault(spec, "replicas", float64(1))
		template(nested(spec, "template"), "Always")
	case "DaemonSet":
		template(nested(spec, "template"), "Always")
	case "Job":
		setDefault(spec, "backoffLimit", float64(6))
		template(nested(spec, "template"), "Always")
	case "CronJob":
		js := nested(nested(spec, "jobTemplate"), "spec")
		setDefault(js, "backoffLimit", float64(6))
		template(nested(js, "template"), "Always")
	case "HorizontalPodAutoscaler":
		if m["apiVersion"] == "autoscaling/v2" {
			setDefault(spec, "minReplicas", float64(1))
		}
	case "Pod":
		if m["apiVersion"] == "v1" {
			setDefault(spec, "restartPolicy", "Always")
			containerPorts(spec)
		}
	}
}

// containerPorts gives the ports of a Pod spec's containers the API
// server's default protocol, TCP, which wavec leaves out.
func containerPorts(podSpec map[string]any) {
	for _, list := range []string{"initContainers", "containers"} {
		cs, _ := podSpec[list].([]any)
		for _, c := range cs {
			cm, _ := c.(map[string]any)
			ports, _ := cm["ports"].([]any)
			for _, it := range ports {
				if p, ok := it.(map[string]any); ok {
					if _, set := p["protocol"]; !set {
						p["protocol"] = "TCP"
					}
				}
			}
		}
	}
}

// strip removes from obj what the pipeline says in other ways: wavec's
// labels, the ordering annotations and wavec's own timeout annotation
// (from hook statements), and status.
func strip(obj map[string]any) {
	delete(obj, "status")
	md := nested(obj, "metadata")
	if md == nil {
		return
	}
	if l, ok := md["labels"].(map[string]any); ok {
		stripLabels(l, metadataName(md))
	}
	if a, ok := md["annotations"].(map[string]any); ok {
		for _, k := range argocd.OrderingAnnotations {
			delete(a, k)
		}
	}
}

// stripLabels removes wavec's labels from the labels of an object (or Pod
// template) whose app.kubernetes.io/name wavec gives the value of name:
// part-of and managed-by, and app.kubernetes.io/name when it has that
// value. A name label of another value is the input's own, and kept.
func stripLabels(l map[string]any, name string) {
	for _, k := range wavecLabels {
		if k != nameKey || l[k] == emit.NameLabelValue(name) {
			delete(l, k)
		}
	}
}

// metadataName returns the name that wavec's name label of an object
// says: the name of its generateName, as wavec names the labels of a hook
// named at sync time (the API server then gives it a name of its own), else
// its name.
func metadataName(md map[string]any) string {
	if gn, _ := md["generateName"].(string); gn != "" {
		return strings.TrimRight(gn, "-.")
	}
	name, _ := md["name"].(string)
	return name
}

// nameKey is the label that names an application part. wavec gives it
// the object's name unless a declaration's labels give it another value.
const nameKey = "app.kubernetes.io/name"

// runtimeCopy returns a deep copy of an object.
func runtimeCopy(m map[string]any) map[string]any {
	return (&unstructured.Unstructured{Object: m}).DeepCopy().Object
}

func nested(m map[string]any, k string) map[string]any {
	v, _ := m[k].(map[string]any)
	return v
}

// cleanObject returns a copy of u as the pipeline must build it: without
// status, wavec's labels and the ordering annotations.
func cleanObject(u *unstructured.Unstructured) map[string]any {
	c := u.DeepCopy().Object
	strip(c)
	md := nested(c, "metadata")
	for _, k := range []string{"labels", "annotations"} {
		if m, ok := md[k].(map[string]any); ok && len(m) == 0 {
			delete(md, k)
		}
	}
	if ts, ok := md["creationTimestamp"]; ok && ts == nil {
		delete(md, "creationTimestamp")
	}
	return c
}

// candidate is a typed declaration to try.
type candidate struct {
	kind, name, text string
	// refs are the declarations the text refers to, "KIND NAME".
	refs []string
}

// candidates returns the typed declarations that may build e's object,
// most idiomatic first.
func candidates(e *entry) []candidate {
	u := e.write
	name := u.GetName()
	if !isDeclName(name) {
		return nil
	}
	gvk := u.GroupVersionKind()
	if kw, ok := workloadKinds[u.GetAPIVersion()+"/"+gvk.Kind]; ok {
		return workloadCandidates(u, kw)
	}
	if gvk.Group != "" || gvk.Version != "v1" {
		return nil
	}
	var fields []string
	meta := func() { fields = append(fields, metaFields(u.GetLabels(), u.GetAnnotations(), objectName(u))...) }
	block := func(kind string) []candidate {
		if len(fields) == 0 {
			return []candidate{{kind, name, kind + " " + name, nil}}
		}
		return []candidate{{kind, name, kind + " " + name + " {\n  " + strings.Join(fields, "\n  ") + "\n}", nil}}
	}
	switch gvk.Kind {
	case "ConfigMap":
		meta()
		data, _, _ := unstructured.NestedStringMap(u.Object, "data")
		for _, k := range sortedKeys(data) {
			fields = append(fields, key(k, fieldNames...)+" = "+stringValue(data[k], "  "))
		}
		return block("configmap")
	case "Secret":
		meta()
		if t, _, _ := unstructured.NestedString(u.Object, "type"); t != "" && t != "Opaque" {
			fields = append(fields, "type = "+quote(t))
		}
		data, _, _ := unstructured.NestedStringMap(u.Object, "data")
		values := map[string]string{}
		for k, v := range data {
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil || !utf8.Valid(b) {
				return nil
			}
			values[k] = string(b)
		}
		sd, _, _ := unstructured.NestedStringMap(u.Object, "stringData")
		for k, v := range sd {
			values[k] = v
		}
		for _, k := range sortedKeys(values) {
			fields = append(fields, key(k, append(fieldNames, "type")...)+" = "+stringValue(values[k], "  "))
		}
		return block("secret")
	case "ServiceAccount":
		meta()
		if v, ok, _ := unstructured.NestedBool(u.Object, "automountServiceAccountToken"); ok {
			fields = append(fields, fmt.Sprintf("automount = %t", v))
		}
		return block("serviceaccount")
	}
	return nil
}

// userLabels returns the labels of an object named name that its
// declaration says: all but wavec's, and app.kubernetes.io/name when it
// is not the value wavec gives it.
func userLabels(l map[string]string, name string) map[string]string {
	out := map[string]string{}
	for k, v := range l {
		if !slices.Contains(wavecLabels, k) || k == nameKey && v != emit.NameLabelValue(name) {
			out[k] = v
		}
	}
	return out
}

// metaFields writes the labels, sync options and other annotations of an
// object named name as fields.
func metaFields(labels, annotations map[string]string, name string) []string {
	var fields []string
	if l := userLabels(labels, name); len(l) > 0 {
		fields = append(fields, "labels = "+stringMap(l))
	}
	a := userAnnotations(annotations)
	if v, ok := a[argocd.AnnotationSyncOptions]; ok {
		if f, ok := syncOptionFields(v); ok {
			fields = append(fields, f...)
			delete(a, argocd.AnnotationSyncOptions)
		}
	}
	if len(a) > 0 {
		fields = append(fields, "annotations = "+stringMap(a))
	}
	return fields
}

func userAnnotations(a map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		if !slices.Contains(argocd.OrderingAnnotations, k) {
			out[k] = v
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// less orders declarations as Argo CD syncs them: phase, wave, kind, name.
func less(a, b *entry) bool {
	if pa, pb := firstPhase(a.ann), firstPhase(b.ann); pa != pb {
		return pa < pb
	}
	if a.ann.Wave != b.ann.Wave {
		return a.ann.Wave < b.ann.Wave
	}
	if ka, kb := argocd.KindRank(a.obj.GetKind()), argocd.KindRank(b.obj.GetKind()); ka != kb {
		return ka < kb
	}
	if a.obj.GetKind() != b.obj.GetKind() {
		return a.obj.GetKind() < b.obj.GetKind()
	}
	if a.obj.GetName() != b.obj.GetName() {
		return a.obj.GetName() < b.obj.GetName()
	}
	if a.obj.GetGenerateName() != b.obj.GetGenerateName() {
		return a.obj.GetGenerateName() < b.obj.GetGenerateName()
	}
	if a.obj.GetNamespace() != b.obj.GetNamespace() {
		return a.obj.GetNamespace() < b.obj.GetNamespace()
	}
	return a.obj.GetAPIVersion() < b.obj.GetAPIVersion()
}

func firstPhase(a argocd.Annotations) argocd.Phase {
	switch {
	case a.Skip:
		return argocd.Skip
	case len(a.Phases) > 0:
		return a.Phases[0]
	case len(a.DeletePhases) > 0:
		return a.DeletePhases[0]
	}
	return argocd.Sync
}

// statements writes the wave and hook statements that place the entries
// (already in sync order), one per phase, wave and delete policy.
func statements(entries []*entry) string {
	type group struct {
		head, tail string
		members    []string
	}
	var groups []*group
	byHead := map[string]*group{}
	for _, e := range entries {
		a := e.ann
		var head, tail string
		switch {
		case a.Skip:
			head = "skip"
		case !a.Hook:
			if a.Wave == 0 {
				continue
			}
			head = fmt.Sprintf("wave %d", a.Wave)
		default:
			var phases []string
			for _, p := range append(slices.Clone(a.Phases), a.DeletePhases...) {
				phases = append(phases, p.Keyword())
			}
			head = strings.Join(phases, ", ")
			if a.Wave != 0 {
				head += fmt.Sprintf(" wave %d", a.Wave)
			}
			if !slices.Equal(a.DeletePolicies, []argocd.DeletePolicy{argocd.BeforeHookCreation}) {
				var ps []string
				for _, p := range a.DeletePolicies {
					ps = append(ps, p.Keyword())
				}
				tail = " delete " + strings.Join(ps, ", ")
			}
			if e.timeout != "" {
				tail += " timeout " + e.timeout
			}
		}
		g := byHead[head+tail]
		if g == nil {
			g = &group{head: head, tail: tail}
			byHead[head+tail] = g
			groups = append(groups, g)
		}
		g.members = append(g.members, e.ref())
	}
	var b strings.Builder
	for _, g := range groups {
		fmt.Fprintf(&b, "%s < %s >%s\n", g.head, strings.Join(g.members, ", "), g.tail)
	}
	return b.String()
}

// pipelineName is the name the objects' labels give the application:
// the most common app.kubernetes.io/part-of, else instance, else name
// label, else "imported".
func pipelineName(objs []manifest.Object) string {
	for _, l := range []string{"app.kubernetes.io/part-of", "app.kubernetes.io/instance", "app.kubernetes.io/name"} {
		count := map[string]int{}
		for _, o := range objs {
			if v := o.GetLabels()[l]; v != "" {
				count[v]++
			}
		}
		if v := mostCommon(count); v != "" {
			if n := safeName(v, "app"); n != "app" || v == "app" {
				return n
			}
		}
	}
	return "imported"
}

// commonNamespace is the namespace most objects name, else "default".
func commonNamespace(entries []*entry) string {
	count := map[string]int{}
	for _, e := range entries {
		if ns := e.obj.GetNamespace(); ns != "" && isName(ns) && !e.cluster {
			count[ns]++
		}
	}
	if ns := mostCommon(count); ns != "" {
		return ns
	}
	return "default"
}

// mostCommon returns the key with the highest count, the least such key
// on a tie, or "" for none.
func mostCommon(count map[string]int) string {
	best := ""
	for _, k := range sortedKeys(count) {
		if best == "" || count[k] > count[best] {
			best = k
		}
	}
	return best
}

// partOf names the application part an object belongs to: its component
// label, else its app.kubernetes.io/name label when that is not simply
// its own name (as wavec sets it), else its kind.
func partOf(u *unstructured.Unstructured) string {
	l := u.GetLabels()
	if v := fileName(l["app.kubernetes.io/component"]); v != "" {
		return v
	}
	if v := fileName(l["app.kubernetes.io/name"]); v != "" && l["app.kubernetes.io/name"] != objectName(u) {
		return v
	}
	if v := fileName(u.GetKind()); v != "" {
		return v
	}
	return "objects"
}

// fileName turns a label value or kind into a file name without extension.
func fileName(s string) string {
	return strings.Trim(regexp.MustCompile(`[^a-z0-9_.]+`).ReplaceAllString(strings.ToLower(s), "-"), "-.")
}

// Files splits the pipeline into one file per application part, each
// fmt-canonical: pipeline.wave holds the header and the order, PART.wave
// the declarations of that part.
func (r *Result) Files() ([]File, error) {
	parts := map[string]*strings.Builder{}
	for _, e := range r.decls {
		b := parts[e.part]
		if b == nil {
			b = &strings.Builder{}
			parts[e.part] = b
		} else {
			b.WriteString("\n")
		}
		b.WriteString(e.comments() + e.decl + "\n")
	}
	head := r.header
	if ext := r.externalDecls(); ext != "" {
		head += "\n" + ext
	}
	if r.statements != "" {
		head += "\n" + r.statements
	}
	files := []File{{Name: "pipeline.wave", Source: []byte(head)}}
	for _, p := range sortedKeys(parts) {
		name := p + ".wave"
		if name == "pipeline.wave" {
			name = "pipeline-part.wave"
		}
		files = append(files, File{Name: name, Source: []byte(parts[p].String())})
	}
	for i := range files {
		src, diags := format.Format(files[i].Name, files[i].Source)
		if diags.HasErrors() {
			return nil, fmt.Errorf("%s does not parse: %s", files[i].Name, diags[0].Summary)
		}
		files[i].Source = bytes.Clone(src)
	}
	return files, nil
}

// objectName is the object's name, or for a hook that Argo CD names at
// each sync its generateName without the trailing separator (the name
// wavec's app.kubernetes.io/name label gets).
func objectName(u *unstructured.Unstructured) string {
	if n := u.GetName(); n != "" {
		return n
	}
	return strings.TrimRight(u.GetGenerateName(), "-.")
}

// sourceNote is the comment written above a declaration that says which
// input document it comes from: "// from FILE:LINE: document N".
func sourceNote(src manifest.Source) string {
	if src.File == "" {
		return ""
	}
	return "// from " + oneLine(src.String()) + "\n"
}

// notePattern matches the source notes of an imported pipeline.
var notePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^[ \t]*// from .*\n`) })

// WithoutNotes returns src without the comments that point back at the
// input documents: two imports of the same objects read from different
// places give the same text after it.
func WithoutNotes(src []byte) []byte {
	return notePattern().ReplaceAll(src, nil)
}
