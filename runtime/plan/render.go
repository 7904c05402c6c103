package plan

import (
	"bufio"
	"encoding/json"
	"fmt"
	"github.com/wavec/wavec/argocd"
	"io"
	"strings"
	"unicode/utf8"
)

// Format is an output format for a plan.
type Format int

// The output formats.
const (
	// Table is a human-readable block per step.
	Table Format = iota
	// JSON is the machine-readable form (see WriteJSON).
	JSON
	// Mermaid is a flowchart of the steps that GitHub renders.
	Mermaid
)

// Formats lists the formats' names, for usage messages.
var Formats = []string{"table", "json", "mermaid"}

// String returns the format's name.
func (f Format) String() string {
	if f >= 0 && int(f) < len(Formats) {
		return Formats[f]
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat returns the format named s.
func ParseFormat(s string) (Format, bool) {
	for i, name := range Formats {
		if name == s {
			return Format(i), true
		}
	}
	return 0, false
}

// Write renders p to w in format f.
func Write(w io.Writer, p *Plan, f Format) error {
	switch f {
	case JSON:
		return WriteJSON(w, p)
	case Mermaid:
		return WriteMermaid(w, p)
	}
	return WriteTable(w, p)
}

// taskLabel returns "namespace/name", with "*" after a generateName, and
// without the namespace when the object has none.
func taskLabel(t *Task) string {
	name := t.Name()
	if name == "" {
		name = t.GenerateName() + "*"
	}
	if ns := t.Namespace(); ns != "" {
		return ns + "/" + name
	}
	return name
}

func policyNames(ps []argocd.DeletePolicy) []string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.String()
	}
	return names
}

// WriteTable writes one block per step, headed "PreSync wave -1", listing
// its tasks in apply order: kind, namespace/name, "hook" and the delete
// policies for hooks, and "waits" for the tasks the sync waits for.
// Columns line up across the whole table.
func WriteTable(w io.Writer, p *Plan) error {
	bw := bufio.NewWriter(w)
	var rows [][5]string
	var heads []string
	var starts []int
	generated := false
	for _, s := range p.Steps {
		head := s.Name()
		switch {
		case s.Phase == argocd.SyncFail:
			head += " (only if the sync fails; SyncFail hooks start together)"
		case s.Phase == argocd.PreDelete || s.Phase == argocd.PostDelete:
			head += " (hooks start together)"
		}
		heads = append(heads, head)
		starts = append(starts, len(rows))
		for _, t := range s.Tasks {
			var r [5]string
			r[0] = t.Kind()
			r[1] = taskLabel(t)
			if t.Name() == "" {
				generated = true
			}
			if t.Hook() {
				r[2] = "hook"
				r[3] = "delete: " + strings.Join(policyNames(t.Annotations.DeletePolicies), ",")
			} else if o := t.Annotations.Options.String(); o != "" {
				r[3] = o
			}
			if t.Gated {
				if s.Action == Delete {
					r[4] = "waits until gone"
				} else {
					r[4] = "waits for health"
				}
			}
			if t.Note != "" {
				if r[4] != "" {
					r[4] += "  "
				}
				r[4] += "(" + t.Note + ")"
			}
			rows = append(rows, r)
		}
	}
	var width [4]int
	for _, r := range rows {
		for i := range width {
			width[i] = max(width[i], utf8.RuneCountInString(r[i]))
		}
	}
	next := 0
	for i, r := range rows {
		for next < len(starts) && starts[next] == i {
			fmt.Fprintln(bw, heads[next])
			next++
		}
		var line strings.Builder
		line.WriteString("  ")
		for c := range 4 {
			line.WriteString(r[c])
			if width[c] > 0 {
				line.WriteString(strings.Repeat(" ", width[c]-utf8.RuneCountInString(r[c])+2))
			}
		}
		line.WriteString(r[4])
		fmt.Fprintln(bw, strings.TrimRight(line.String(), " "))
	}
	if len(p.Kept) > 0 {
		fmt.Fprintln(bw, "Kept (not deleted)")
		for _, t := range p.Kept {
			fmt.Fprintf(bw, "  %s %s  (%s)\n", t.Kind(), taskLabel(t), t.Note)
		}
	}
	if len(p.Steps) == 0 {
		if p.Deletion {
			fmt.Fprintln(bw, "Nothing to delete.")
		} else {
			fmt.Fprintln(bw, "Nothing to sync.")
		}
	}
	if generated {
		fmt.Fprintln(bw, "* Argo CD generates the name at sync time from generateName.")
	}
	switch n := p.DeleteOnlyHooks; {
	case n == 1:
		fmt.Fprintln(bw, "1 hook runs only when the application is deleted: `wavec plan --delete` shows when.")
	case n > 1:
		fmt.Fprintf(bw, "%d hooks run only when the application is deleted: `wavec plan --delete` shows when.\n", n)
	}
	if !p.Deletion && len(p.Steps) == 1 {
		fmt.Fprintln(bw, "A single step: Argo CD applies it and does not wait for resources' health, only for hooks.")
	}
	return bw.Flush()
}

// jsonPlan is the JSON form of a plan. The field names and order are a
// contract: steps in execution order, each with phase, wave and tasks in
// apply order; warnings. Extra fields may be added, never removed.
type jsonPlan struct {
	Namespace       string        `json:"namespace,omitempty"`
	Steps           []jsonStep    `json:"steps"`
	Kept            []jsonTask    `json:"kept,omitempty"`
	DeleteOnlyHooks int           `json:"deleteOnlyHooks,omitempty"`
	Warnings        []jsonWarning `json:"warnings"`
}

type jsonStep struct {
	Phase  argocd.Phase `json:"phase"`
	Wave   int          `json:"wave"`
	Action Action       `json:"action"`
	Tasks  []jsonTask   `json:"tasks"`
}

type jsonTask struct {
	APIVersion     string                `json:"apiVersion"`
	Kind           string                `json:"kind"`
	Namespace      string                `json:"namespace"`
	Name           string                `json:"name"`
	GenerateName   string                `json:"generateName"`
	Hook           bool                  `json:"hook"`
	DeletePolicies []argocd.DeletePolicy `json:"deletePolicies"`
	SyncOptions    []string              `json:"syncOptions"`
	Wave           int                   `json:"declaredWave"`
	HealthCheck    bool                  `json:"healthCheck"`
	Gated          bool                  `json:"gated"`
	Note           string                `json:"note,omitempty"`
	Source         *jsonSource           `json:"source,omitempty"`
}

type jsonSource struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Doc  int    `json:"document,omitempty"`
	Item int    `json:"item,omitempty"`
}

type jsonWarning struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Doc     int    `json:"document,omitempty"`
	Object  string `json:"object,omitempty"`
	Message string `json:"message"`
}

func toJSONTask(t *Task) jsonTask {
	j := jsonTask{
		APIVersion:     t.APIVersion(),
		Kind:           t.Kind(),
		Namespace:      t.Namespace(),
		Name:           t.Name(),
		GenerateName:   t.GenerateName(),
		Hook:           t.Hook(),
		DeletePolicies: t.Annotations.DeletePolicies,
		SyncOptions:    t.Annotations.Options.List(),
		Wave:           t.Annotations.Wave,
		HealthCheck:    t.HealthCheck,
		Gated:          t.Gated,
		Note:           t.Note,
	}
	if j.DeletePolicies == nil {
		j.DeletePolicies = []argocd.DeletePolicy{}
	}
	if j.SyncOptions == nil {
		j.SyncOptions = []string{}
	}
	if s := t.Object.Source; s.File != "" {
		j.Source = &jsonSource{File: s.File, Line: s.Line, Doc: s.Doc, Item: s.Item}
	}
	return j
}

// WriteJSON writes the plan as one JSON object:
//
//	{"steps":[{"phase":"PreSync","wave":-1,"tasks":[{"apiVersion":"batch/v1",
//	  "kind":"Job","namespace":"ns","name":"migrate","generateName":"",
//	  "hook":true,"deletePolicies":["HookSucceeded"]}]}],"warnings":[...]}
//
// Steps are in execution order and tasks in apply order; a hook with two
// phases appears in both steps; a hook named by generateName has name "".
// Tasks also carry syncOptions, declaredWave, healthCheck, gated, note and
// source; warnings carry file, line, document, object and message. The
// plan carries namespace, the destination namespace it assumed, when one
// was given.
func WriteJSON(w io.Writer, p *Plan) error {
	out := jsonPlan{Namespace: p.Namespace, Steps: []jsonStep{}, DeleteOnlyHooks: p.DeleteOnlyHooks, Warnings: []jsonWarning{}}
	for _, s := range p.Steps {
		js := jsonStep{Phase: s.Phase, Wave: s.Wave, Action: s.Action}
		for _, t := range s.Tasks {
			js.Tasks = append(js.Tasks, toJSONTask(t))
		}
		out.Steps = append(out.Steps, js)
	}
	for _, t := range p.Kept {
		out.Kept = append(out.Kept, toJSONTask(t))
	}
	for _, wn := range p.Warnings {
		out.Warnings = append(out.Warnings, jsonWarning{File: wn.Source.File, Line: wn.Source.Line, Doc: wn.Source.Doc, Object: wn.Object, Message: wn.Message})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// WriteMermaid writes a Mermaid flowchart (flowchart TD) with one node per
// step listing its tasks, arrows in execution order labelled "healthy"
// where the sync waits for health, and SyncFail steps in a separate
// subgraph since they run only when the sync fails.
func WriteMermaid(w io.Writer, p *Plan) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "flowchart TD")
	node := func(id string, s *Step) {
		var label strings.Builder
		label.WriteString("<b>" + mermaidEscape(s.Name()) + "</b>")
		for _, t := range s.Tasks {
			label.WriteString("<br/>")
			line := t.Kind() + " " + taskLabel(t)
			var tags []string
			if t.Hook() {
				tags = append(tags, "hook")
			}
			if t.Gated {
				if s.Action == Delete {
					tags = append(tags, "waits until gone")
				} else {
					tags = append(tags, "waits for health")
				}
			}
			if len(tags) > 0 {
				line += " (" + strings.Join(tags, ", ") + ")"
			}
			label.WriteString(mermaidEscape(line))
		}
		fmt.Fprintf(bw, "  %s[\"%s\"]\n", id, label.String())
	}
	var prev *Step
	prevID := ""
	var fail []int
	for i, s := range p.Steps {
		if s.Phase == argocd.SyncFail {
			fail = append(fail, i)
			continue
		}
		id := fmt.Sprintf("s%d", i+1)
		node(id, s)
		if prev != nil {
			if prev.Gated() {
				edge := "healthy"
				if prev.Action == Delete {
					edge = "gone"
				}
				fmt.Fprintf(bw, "  %s -->|%s| %s\n", prevID, edge, id)
			} else {
				fmt.Fprintf(bw, "  %s --> %s\n", prevID, id)
			}
		}
		prev, prevID = s, id
	}
	if len(fail) > 0 {
		fmt.Fprintln(bw, "  subgraph syncfail[\"only if the sync fails\"]")
		for _, i := range fail {
			node(fmt.Sprintf("s%d", i+1), p.Steps[i])
		}
		fmt.Fprintln(bw, "  end")
	}
	if len(p.Steps) == 0 {
		fmt.Fprintln(bw, "  empty[\"nothing to do\"]")
	}
	return bw.Flush()
}

// mermaidEscape makes text safe inside a quoted Mermaid label: quotes,
// angle brackets, ampersands and '#' become entity codes, and line breaks
// become spaces.
func mermaidEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '#':
			b.WriteString("#35;")
		case '"':
			b.WriteString("#quot;")
		case '<':
			b.WriteString("#lt;")
		case '>':
			b.WriteString("#gt;")
		case '&':
			b.WriteString("#amp;")
		case '\n', '\r':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
