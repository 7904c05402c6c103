package progress

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Plain writes one line per event, for logs and CI where no terminal
// redraws are possible.
type Plain struct {
	w     io.Writer
	total int
}

// NewPlain returns a Reporter that writes plain lines to w.
func NewPlain(w io.Writer) *Plain { return &Plain{w: w} }

// Report writes the line for e, if e is worth one.
func (p *Plain) Report(e Event) {
	switch e.Type {
	case SyncStart:
		p.total = e.Total
		fmt.Fprintln(p.w, startLine(e))
	case PlanReady:
	case Validated:
		fmt.Fprintf(p.w, "validated: %s\n", e.Message)
	case StepStart:
		fmt.Fprintf(p.w, "%s %s wave %d: started\n", p.prefix(e), e.Phase, waveOf(e))
	case Applied:
		fmt.Fprintf(p.w, "%s   %s %s\n", p.prefix(e), e.Object, e.Action)
	case Deleting:
		fmt.Fprintf(p.w, "%s   %s deleting (%s)\n", p.prefix(e), e.Object, e.Action)
	case Deleted:
		fmt.Fprintf(p.w, "%s   %s deleted\n", p.prefix(e), e.Object)
	case Health:
		line := fmt.Sprintf("%s   %s %s", p.prefix(e), e.Object, e.Health)
		if e.Message != "" {
			line += ": " + e.Message
		}
		fmt.Fprintln(p.w, line)
	case StepDone:
		line := fmt.Sprintf("%s %s wave %d: %s in %s", p.prefix(e), e.Phase, waveOf(e), e.Status, e.Duration)
		if e.Message != "" {
			line += ": " + e.Message
		}
		fmt.Fprintln(p.w, line)
	case Log:
		fmt.Fprintf(p.w, "%s | %s\n", e.Object, e.Message)
	case Diagnosis:
		writeDiagnosis(p.w, e)
	case Warning:
		fmt.Fprintf(p.w, "warning: %s\n", e.Message)
	case Retry:
		fmt.Fprintf(p.w, "retrying in %s (attempt %d): %s\n", e.Duration, e.Attempt, e.Message)
	case SyncDone:
		if e.Summary != nil {
			WriteSummary(p.w, e)
		} else {
			fmt.Fprintln(p.w, doneLine(e))
		}
	}
}

// Close does nothing: every line is already written.
func (p *Plain) Close() {}

func (p *Plain) prefix(e Event) string {
	if e.Step == 0 {
		return "[-]"
	}
	if p.total > 0 {
		return fmt.Sprintf("[%d/%d]", e.Step, p.total)
	}
	return fmt.Sprintf("[%d]", e.Step)
}

func waveOf(e Event) int {
	if e.Wave == nil {
		return 0
	}
	return *e.Wave
}

func startLine(e Event) string {
	op := e.Operation
	if op == "" {
		op = "sync"
	}
	var b strings.Builder
	if e.DryRun {
		b.WriteString("dry run: ")
	}
	fmt.Fprintf(&b, "%s %s in namespace %s", op, e.Pipeline, e.Namespace)
	if e.Revision != "" {
		fmt.Fprintf(&b, " (revision %s)", short(e.Revision))
	}
	if e.Total == 1 {
		b.WriteString(": 1 step")
	} else {
		fmt.Fprintf(&b, ": %d steps", e.Total)
	}
	if e.Attempt > 1 {
		fmt.Fprintf(&b, ", attempt %d", e.Attempt)
	}
	return b.String()
}

func doneLine(e Event) string {
	op := e.Operation
	if op == "" {
		op = "sync"
	}
	line := fmt.Sprintf("%s %s in %s", op, e.Status, e.Duration)
	if e.Message != "" {
		line += ": " + e.Message
	}
	return line
}

func short(rev string) string {
	if len(rev) > 7 {
		return rev[:7]
	}
	return rev
}

// writeDiagnosis writes a Diagnosis event as an indented block.
func writeDiagnosis(w io.Writer, e Event) {
	fmt.Fprintf(w, "    %s:\n", e.Object)
	for _, l := range e.Lines {
		fmt.Fprintf(w, "      %s\n", l)
	}
}

// WriteSummary writes the per-step table and the closing line of a
// SyncDone event.
func WriteSummary(w io.Writer, e Event) {
	s := e.Summary
	if len(s.Steps) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "STEP\tPHASE\tWAVE\tTASKS\tSTATUS\tDURATION\tOVERHEAD")
		for _, st := range s.Steps {
			over := "-"
			if st.Overhead != nil {
				over = st.Overhead.String()
			}
			dur := "-"
			if st.Status != Skipped && st.Status != Pending {
				dur = st.Duration.String()
			}
			fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\t%s\t%s\n", st.Index, st.Phase, st.Wave, st.Tasks, st.Status, dur, over)
		}
		tw.Flush()
	}
	fmt.Fprintln(w, doneLine(e))
}
