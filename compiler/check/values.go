package check

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/source"
	"github.com/wavec/wavec/lang/syntax"
)

// param is a declared parameter while checking.
type param struct {
	node  *syntax.Param
	file  *syntax.File
	typ   ir.ParamType
	value string
	set   bool
	used  bool
}

// builtins are the names ${...} knows besides parameters.
var builtins = []string{"pipeline", "namespace"}

var unitRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^-?\d+(?:\.\d+)?[a-zA-Z]+(?:\d+(?:\.\d+)?[a-zA-Z]+)*$`)
})
var numberRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^-?\d+(?:\.\d+)?$`) })

// collectParams reads every `param NAME = VALUE`.
func (c *checker) collectParams() {
	for _, f := range c.files {
		for _, d := range f.Decls {
			pd := d.Param
			if pd == nil {
				continue
			}
			name := pd.Name.Value
			if prev, ok := c.params[name]; ok {
				c.errorf(pd.Name.Span(), CodeDuplicate, "parameter %q is declared twice", name).
					Note(prev.node.Name.Span(), "first declared here").
					Hint("remove one of them, or rename it")
				continue
			}
			reserved := false
			for _, b := range builtins {
				if name == b {
					reserved = true
					c.errorf(pd.Name.Span(), CodeReservedName, "parameter %q has the name of a built-in", name).
						Hint("${%s} always means the pipeline's %s; choose another name", name, name)
				}
			}
			p := &param{node: pd, file: f, used: reserved}
			c.params[name] = p
			if pd.Value.Right != nil {
				c.errorf(span(pd.Value), CodeType, "a parameter's default cannot be a mapping with ->").
					Hint("give a string, number, bool, duration or quantity")
				p.used = true
				continue
			}
			v := pd.Value.Left
			switch {
			case v.String != nil:
				p.typ = ir.StringParam
				p.value = c.interpolate(v.String, f, false)
			case v.Number != nil:
				p.typ, p.value = ir.NumberParam, v.Number.Text
			case v.Bool != nil:
				p.typ, p.value = ir.BoolParam, *v.Bool
			case v.Unit != nil:
				p.typ, p.value = ir.UnitParam, *v.Unit
			default:
				c.errorf(span(v), CodeType, "a parameter's default must be a string, number, bool, duration or quantity, not %s", describe(v)).
					Hint(`write e.g. param %s = "value"`, name)
				p.used = true
			}
		}
	}
}

// override is one --set flag or one line of a --params file.
type override struct {
	name, value string
	at, valueAt source.Span
	set         bool // from --set, not from a file
}

// what names the override in messages: "--set NAME=VALUE" or
// "NAME = VALUE".
func (o override) what() string {
	if o.set {
		return "--set " + o.name + "=" + o.value
	}
	return o.name + " = " + o.value
}

// applySets applies the --params files' overrides, then --set's, checking
// each against the parameter's type.
func (c *checker) applySets() {
	var all []override
	for _, s := range c.opts.Params {
		all = append(all, override{name: s.Name, value: s.Value, at: s.NameSpan, valueAt: s.ValueSpan})
	}
	names := make([]string, 0, len(c.opts.Sets))
	for n := range c.opts.Sets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		at := setSpan(n, c.opts.Sets[n])
		all = append(all, override{name: n, value: c.opts.Sets[n], at: at, valueAt: at, set: true})
	}
	for _, o := range all {
		n, v := o.name, o.value
		p, ok := c.params[n]
		if !ok {
			cands := make([]string, 0, len(c.params))
			for k := range c.params {
				cands = append(cands, k)
			}
			sort.Strings(cands)
			var d *diag.Diagnostic
			if o.set {
				d = c.errorf(o.at, CodeUnknownSet, "--set %s: the pipeline has no parameter %q", n, n)
			} else {
				d = c.errorf(o.at, CodeUnknownSet, "the pipeline has no parameter %q", n)
			}
			if s := diag.Suggest(n, cands); s != "" {
				d.Hint("did you mean %q?", s)
			} else if len(cands) > 0 {
				d.Hint("its parameters are %s", strings.Join(cands, ", "))
			} else {
				d.Hint("declare it with `param %s = ...`", n)
			}
			continue
		}
		var bad bool
		var example string
		switch p.typ {
		case ir.NumberParam:
			bad, example = !numberRE().MatchString(v), p.value
		case ir.BoolParam:
			bad, example = v != "true" && v != "false", "true"
		case ir.UnitParam:
			bad, example = !unitRE().MatchString(v), p.value
		}
		if bad {
			d := c.errorf(o.valueAt, CodeSetType, "%s: parameter %q is a %s", o.what(), n, p.typ).
				Note(p.node.Name.Span(), "%q is declared with default %s", n, p.value)
			if o.set {
				d.Hint("write a %s, e.g. --set %s=%s", p.typ, n, example)
			} else {
				d.Hint("write a %s, e.g. %s = %s", p.typ, n, example)
			}
			continue
		}
		p.value, p.set = v, true
	}
}

// setSpan is the pseudo-position of a --set flag in diagnostics.
func setSpan(name, value string) source.Span {
	return source.Span{Start: source.Pos{Filename: "--set " + name + "=" + value}}
}

// describe names the type of a value as written, for diagnostics.
func describe(p *syntax.Primary) string {
	switch {
	case p.String != nil:
		return "a string"
	case p.Unit != nil:
		return "a duration or quantity"
	case p.Number != nil:
		return "a number"
	case p.Bool != nil:
		return "a bool"
	case p.List != nil:
		return "a list"
	case p.Map != nil:
		return "a map"
	case p.Probe != nil:
		return "a probe"
	case p.Ref != nil:
		return "a reference"
	case p.Ident != nil:
		return "the name " + *p.Ident
	}
	return "nothing"
}

// interpolate returns the value of s with ${name} replaced. allowParams is
// false in parameter defaults, where only the built-ins may be used.
func (c *checker) interpolate(s *syntax.String, f *syntax.File, allowParams bool) string {
	out, _ := c.interpolated(s, f, allowParams)
	return out
}

// interpolated is interpolate that also reports whether every ${name} was
// known; a value with an unknown one was reported already, and is not
// checked further (its half-substituted text would only draw more
// errors).
func (c *checker) interpolated(s *syntax.String, f *syntax.File, allowParams bool) (string, bool) {
	parts, _ := s.Parts(f.Source) // bad escapes were reported by the parser
	ok := true
	var b strings.Builder
	for _, pt := range parts {
		if pt.Ref == "" {
			b.WriteString(pt.Text)
			continue
		}
		switch pt.Ref {
		case "pipeline":
			b.WriteString(c.p.Name)
			continue
		case "namespace":
			b.WriteString(c.p.Namespace)
			continue
		}
		if !allowParams {
			c.errorf(pt.Span, CodeUnknownParam, "a parameter's default cannot use ${%s}", pt.Ref).
				Hint("only ${pipeline} and ${namespace} may be used in defaults")
			ok = false
			continue
		}
		p := c.lookupParam(pt.Ref, pt.Span)
		if p != nil {
			b.WriteString(p.value)
		} else {
			ok = false
		}
	}
	return b.String(), ok
}

// lookupParam returns the parameter name, marking it used, or reports that
// it does not exist.
func (c *checker) lookupParam(name string, at source.Span) *param {
	if p, ok := c.params[name]; ok {
		p.used = true
		return p
	}
	cands := append([]string(nil), builtins...)
	for k := range c.params {
		cands = append(cands, k)
	}
	sort.Strings(cands)
	d := c.errorf(at, CodeUnknownParam, "there is no parameter %q", name)
	if s := diag.Suggest(name, cands); s != "" {
		d.Hint("did you mean %q?", s)
	} else {
		d.Hint("declare it with `param %s = ...`", name)
	}
	return nil
}

// scalar is a resolved single value: a literal or a parameter's value.
type scalar struct {
	typ  ir.ParamType
	text string
	span source.Span
	// param is the parameter the value came from, if any.
	param *param
}

// fileOf returns the file a span belongs to.
func (c *checker) fileOf(s source.Span) *syntax.File {
	if f, ok := c.byFile[s.Start.Filename]; ok {
		return f
	}
	if len(c.files) > 0 {
		return c.files[0]
	}
	return nil
}

// scalarOf resolves a single value. what names the field for diagnostics.
func (c *checker) scalarOf(v *syntax.Value, what string) (scalar, bool) {
	if v.Right != nil {
		c.errorf(span(v), CodeType, "%s cannot be a mapping with ->", what).
			Hint("-> is only for service ports and env references")
		return scalar{}, false
	}
	return c.scalarOfPrimary(v.Left, what)
}

func (c *checker) scalarOfPrimary(p *syntax.Primary, what string) (scalar, bool) {
	sp := p.Span() // not span(p): every value of a pipeline passes here
	switch {
	case p.String != nil:
		text, ok := c.interpolated(p.String, c.fileOf(sp), true)
		return scalar{typ: ir.StringParam, text: text, span: sp}, ok
	case p.Number != nil:
		return scalar{typ: ir.NumberParam, text: p.Number.Text, span: sp}, true
	case p.Bool != nil:
		return scalar{typ: ir.BoolParam, text: *p.Bool, span: sp}, true
	case p.Unit != nil:
		return scalar{typ: ir.UnitParam, text: *p.Unit, span: sp}, true
	case p.Ident != nil:
		pr := c.lookupParam(*p.Ident, sp)
		if pr == nil {
			return scalar{}, false
		}
		return scalar{typ: pr.typ, text: pr.value, span: sp, param: pr}, true
	}
	c.errorf(sp, CodeType, "%s must be a single value, not %s", what, describe(p))
	return scalar{}, false
}

// typeError reports a scalar of the wrong type.
func (c *checker) typeError(s scalar, what, want, example string) {
	got := "a " + s.typ.String()
	d := c.errorf(s.span, CodeType, "%s must be %s, not %s", what, want, got)
	if s.param != nil {
		d.Note(s.param.node.Name.Span(), "parameter %q is a %s", s.param.node.Name.Value, s.param.typ)
	}
	if example != "" {
		d.Hint("write e.g. `%s` in its place", example)
	}
}

// str resolves a string value.
func (c *checker) str(v *syntax.Value, what string) (string, bool) {
	s, ok := c.scalarOf(v, what)
	if !ok {
		return "", false
	}
	if s.typ != ir.StringParam {
		c.typeError(s, what, "a string", strconv.Quote(s.text))
		return "", false
	}
	return s.text, true
}

// integer resolves a whole number in [lo, hi].
func (c *checker) integer(v *syntax.Value, what string, lo, hi int64) (int64, bool) {
	s, ok := c.scalarOf(v, what)
	if !ok {
		return 0, false
	}
	return c.integerOf(s, what, lo, hi)
}

func (c *checker) integerOf(s scalar, what string, lo, hi int64) (int64, bool) {
	if s.typ != ir.NumberParam {
		c.typeError(s, what, "a number", strconv.FormatInt(max(lo, 1), 10))
		return 0, false
	}
	n, err := strconv.ParseInt(s.text, 10, 64)
	if err != nil {
		if _, ferr := strconv.ParseFloat(s.text, 64); ferr == nil && strings.Contains(s.text, ".") {
			d := c.errorf(s.span, CodeType, "%s must be a whole number, not %s", what, s.text)
			if s.param != nil {
				d.Note(s.param.node.Name.Span(), "the value comes from parameter %q", s.param.node.Name.Value)
			}
			d.Hint("write e.g. `%s = %d`", what, max(lo, 1))
			return 0, false
		}
		n = math.MaxInt64
	}
	if n < lo || n > hi {
		d := c.errorf(s.span, CodeRange, "%s %s is out of range", what, s.text)
		if s.param != nil {
			d.Note(s.param.node.Name.Span(), "the value comes from parameter %q", s.param.node.Name.Value)
		}
		if hi == math.MaxInt32 {
			d.Hint("%s must be at least %d", what, lo)
		} else {
			d.Hint("%s must be between %d and %d", what, lo, hi)
		}
		return 0, false
	}
	return n, true
}

// boolean resolves true or false.
func (c *checker) boolean(v *syntax.Value, what string) (bool, bool) {
	s, ok := c.scalarOf(v, what)
	if !ok {
		return false, false
	}
	if s.typ != ir.BoolParam {
		c.typeError(s, what, "true or false", "true")
		return false, false
	}
	return s.text == "true", true
}

// duration resolves a duration; positive requires it to be above zero.
func (c *checker) duration(v *syntax.Value, what string, positive bool) (time.Duration, bool) {
	s, ok := c.scalarOf(v, what)
	if !ok {
		return 0, false
	}
	return c.durationOf(s, what, positive)
}

func (c *checker) durationOf(s scalar, what string, positive bool) (time.Duration, bool) {
	if s.typ != ir.UnitParam {
		c.typeError(s, what, "a duration", "5m")
		return 0, false
	}
	d, err := time.ParseDuration(s.text)
	if err != nil {
		c.errorf(s.span, CodeDuration, "%s %s is not a duration", what, s.text).
			Hint("use the units ms, s, m and h, e.g. 30s, 5m or 1h30m")
		return 0, false
	}
	if positive && d <= 0 {
		c.errorf(s.span, CodeDuration, "%s must be longer than zero", what).Hint("write e.g. 5m")
		return 0, false
	}
	return d, true
}

// quantity resolves a Kubernetes quantity above zero.
func (c *checker) quantity(v *syntax.Value, what string) (*resource.Quantity, bool) {
	s, ok := c.scalarOf(v, what)
	if !ok {
		return nil, false
	}
	if s.typ != ir.UnitParam && s.typ != ir.NumberParam {
		c.typeError(s, what, "a quantity", "500m")
		return nil, false
	}
	q, err := resource.ParseQuantity(s.text)
	if err != nil {
		c.errorf(s.span, CodeQuantity, "%s %s is not a quantity", what, s.text).
			Hint("use Kubernetes units: 500m or 2 for CPU, 256Mi or 1Gi for memory and storage")
		return nil, false
	}
	if q.Sign() <= 0 {
		c.errorf(s.span, CodeQuantity, "%s must be more than zero", what).Hint("write e.g. 256Mi")
		return nil, false
	}
	return &q, true
}

// strList resolves a list of strings.
func (c *checker) strList(v *syntax.Value, what string) ([]string, bool) {
	if v.Right != nil || v.Left.List == nil {
		c.errorf(span(v), CodeType, "%s must be a list of strings, not %s", what, describe(v.Left)).
			Hint(`write e.g. %s = ["--port", "8000"]`, what)
		return nil, false
	}
	out := []string{}
	ok := true
	for _, it := range v.Left.List.Items {
		s, good := c.str(it, what+" item")
		ok = ok && good
		out = append(out, s)
	}
	return out, ok
}

// mapOf returns the entries of a map value, reporting repeated keys.
func (c *checker) mapOf(v *syntax.Value, what, example string) ([]*syntax.Entry, bool) {
	if v.Right != nil || v.Left.Map == nil {
		c.errorf(span(v), CodeType, "%s must be a map, not %s", what, describe(v.Left)).
			Hint("write e.g. `%s = %s`", what, example)
		return nil, false
	}
	seen := map[string]*syntax.Entry{}
	var out []*syntax.Entry
	for _, e := range v.Left.Map.Entries {
		if c.once(seen, e, what+" key") {
			out = append(out, e)
		}
	}
	return out, true
}

// labels resolves a map of labels, none of them wavec's own.
func (c *checker) labels(v *syntax.Value) map[string]string {
	return c.labelsWith(v, false)
}

// labelsWith resolves a map of labels; with ownName, a declaration's
// labels or a workload's selector, app.kubernetes.io/name may be given a
// (non-empty) value of the declaration's own.
func (c *checker) labelsWith(v *syntax.Value, ownName bool) map[string]string {
	es, ok := c.mapOf(v, "labels", `{ "app.kubernetes.io/tier" = "web" }`)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for _, e := range es {
		k := e.Key.Name()
		if msgs := validation.IsQualifiedName(k); len(msgs) > 0 {
			c.errorf(span(e.Key), CodeMetadata, "label key %q is not valid: %s", k, plain(msgs)).
				Hint(`write a name, optionally with a DNS prefix, e.g. "example.com/tier"`)
			continue
		}
		if reservedLabel(k) && !(ownName && k == nameLabel) {
			d := c.errorf(span(e.Key), CodeMetadata, "label %q is set by wavec", k)
			if k == nameLabel {
				d.Hint("only a declaration's `labels` and a workload's `selector` may give app.kubernetes.io/name a value of their own; remove it here")
			} else {
				d.Hint("wavec sets app.kubernetes.io/part-of and managed-by itself; remove it")
			}
			continue
		}
		s, ok := c.str(entryValue(e), "label "+k)
		if !ok {
			continue
		}
		if k == nameLabel && s == "" {
			c.errorf(span(entryValue(e)), CodeMetadata, "label %q has no value", k).
				Hint("leave it out to have the declaration's name, or give it a name such as the chart's")
			continue
		}
		if msgs := validation.IsValidLabelValue(s); len(msgs) > 0 {
			c.errorf(span(entryValue(e)), CodeMetadata, "label value %q is not valid: %s", s, plain(msgs)).
				Hint("label values are at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit")
			continue
		}
		out[k] = s
	}
	return out
}

// annotations resolves a map of annotations.
func (c *checker) annotations(v *syntax.Value) map[string]string {
	es, ok := c.mapOf(v, "annotations", `{ "example.com/owner" = "team-a" }`)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for _, e := range es {
		k := e.Key.Name()
		if msgs := validation.IsQualifiedName(strings.ToLower(k)); len(msgs) > 0 {
			c.errorf(span(e.Key), CodeMetadata, "annotation key %q is not valid: %s", k, plain(msgs)).
				Hint(`write a name, optionally with a DNS prefix, e.g. "example.com/owner"`)
			continue
		}
		if strings.HasPrefix(k, "argocd.argoproj.io/") && reservedAnnotation(k) {
			d := c.errorf(span(e.Key), CodeMetadata, "annotation %q is set by wavec", k)
			if k == "argocd.argoproj.io/sync-options" {
				d.Hint("use the fields instead: `prune = false`, `prune_last = true`, `server_side_apply = true`, `replace = true`, `skip_dry_run = true`, `delete = false`")
			} else {
				d.Hint("say it in the pipeline instead: a wave or hook statement")
			}
			continue
		}
		s, ok := c.str(entryValue(e), "annotation "+k)
		if ok {
			out[k] = s
		}
	}
	return out
}

// nameLabel is the label that names an application part; a declaration
// may give it a value of its own.
const nameLabel = "app.kubernetes.io/name"

func reservedLabel(k string) bool {
	switch k {
	case "app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by":
		return true
	}
	return false
}

func reservedAnnotation(k string) bool {
	switch k {
	case "argocd.argoproj.io/sync-wave", "argocd.argoproj.io/hook", "argocd.argoproj.io/hook-delete-policy", "argocd.argoproj.io/sync-options":
		return true
	}
	return false
}

// enum resolves a word (or string) from a fixed set.
func (c *checker) enum(v *syntax.Value, what string, values []string) (string, bool) {
	if v.Right == nil && v.Left.Ident != nil {
		w := *v.Left.Ident
		for _, x := range values {
			if x == w {
				return w, true
			}
		}
		if _, isParam := c.params[w]; !isParam {
			d := c.errorf(span(v), CodeEnum, "%s %q is not one of %s", what, w, strings.Join(values, ", "))
			if s := diag.Suggest(w, values); s != "" {
				d.Hint("did you mean %q?", s)
			}
			return "", false
		}
	}
	s, ok := c.str(v, what)
	if !ok {
		return "", false
	}
	for _, x := range values {
		if x == s {
			return s, true
		}
	}
	d := c.errorf(span(v), CodeEnum, "%s %q is not one of %s", what, s, strings.Join(values, ", "))
	if sg := diag.Suggest(s, values); sg != "" {
		d.Hint("did you mean %q?", sg)
	}
	return "", false
}

// validationLabel returns why s is not a DNS-1123 label, or "".
func validationLabel(s string) string { return plain(validation.IsDNS1123Label(s)) }

// checkImage reports an image reference the kubelet would not pull: one
// that the distribution reference grammar (which the kubelet parses image
// names with) refuses.
func (c *checker) checkImage(img string, at source.Span) {
	err, seen := c.images[img]
	if !seen {
		err = parseImage(img)
		if c.images == nil {
			c.images = map[string]error{}
		}
		c.images[img] = err
	}
	if err != nil {
		d := c.errorf(at, CodeImage, "%q is not a valid image reference", img).
			Note(source.Span{}, "%v", err)
		if img != strings.ToLower(img) {
			d.Hint("repository names are lower case")
		}
		d.Hint(`write [registry/]repository[:tag][@digest], e.g. "ghcr.io/acme/agent:2.0.0"`)
	}
}

// checkSchedule reports a schedule the Kubernetes API server refuses: one
// that the cron parser of its CronJob validation refuses, or one that
// names a time zone.
func (c *checker) checkSchedule(s string, at source.Span) bool {
	_, err := cron.ParseStandard(s)
	if err == nil && strings.Contains(s, "TZ") {
		err = errors.New("a time zone (TZ or CRON_TZ) cannot be given in the schedule")
	}
	if err != nil {
		c.errorf(at, CodeSchedule, "schedule %q is not a cron expression", s).
			Note(source.Span{}, "%v", err).
			Hint(`write five fields (minute hour day-of-month month day-of-week), e.g. "*/15 * * * *", or @hourly, @daily, @weekly, @monthly`)
		return false
	}
	return true
}

// plain joins Kubernetes validation messages without their examples and
// regular expressions, which the hints replace.
func plain(msgs []string) string {
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		for _, cut := range []string{" (e.g. ", ", regex used for validation"} {
			if i := strings.Index(m, cut); i >= 0 {
				m = m[:i]
			}
		}
		out = append(out, m)
	}
	return strings.Join(out, "; ")
}

// quoteList formats names for messages: "a", "b" and "c".
func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
