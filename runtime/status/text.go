package status

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/wavec/wavec/runtime/progress"
)

// WriteText writes the report for people: a headline, a table of the
// resources, a table of the hooks' last runs, and the diagnoses in the
// form `wavec run` prints them.
func WriteText(w io.Writer, rep *Report) error {
	state := "healthy"
	if !rep.Healthy {
		state = "not healthy"
	}
	fmt.Fprintf(w, "pipeline %s in namespace %s: %s\n", rep.Pipeline, rep.Namespace, state)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(rep.Objects) > 0 {
		fmt.Fprintln(tw, "\nOBJECT\tHEALTH\tSYNC\tMESSAGE")
		for _, x := range rep.Objects {
			sync := x.Sync
			if sync == "" {
				sync = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", x.Ref(), x.Health, sync, x.Message)
		}
	}
	if len(rep.Hooks) > 0 {
		fmt.Fprintln(tw, "\nHOOK\tPHASE\tWAVE\tLAST RUN\tOUTCOME\tDURATION")
		for _, h := range rep.Hooks {
			name, outcome, dur := "-", "not found (not run, or removed by its delete policy)", "-"
			if h.Last != nil {
				name, outcome = h.Last.Name, h.Last.Outcome
				if h.Last.Finished != nil || h.Last.Outcome == Running && h.Last.Started != nil {
					dur = h.Last.Duration.String()
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", h.Ref(), h.Phase, strconv.Itoa(h.Wave), name, outcome, dur)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var diag []progress.Event
	for _, x := range rep.Objects {
		if len(x.Diagnosis) > 0 {
			diag = append(diag, progress.Event{Type: progress.Diagnosis, Object: x.Ref(), Namespace: x.Namespace, Lines: x.Diagnosis})
		}
	}
	for _, h := range rep.Hooks {
		if len(h.Diagnosis) > 0 {
			diag = append(diag, progress.Event{Type: progress.Diagnosis, Object: h.Kind + "/" + h.Last.Name, Namespace: h.Namespace, Hook: true, Lines: h.Diagnosis})
		}
	}
	if len(diag) > 0 {
		fmt.Fprintln(w, "\ndiagnosis:")
		p := progress.NewPlain(w)
		for _, e := range diag {
			p.Report(e)
		}
	}
	for _, msg := range rep.Warnings {
		fmt.Fprintf(w, "warning: %s\n", msg)
	}
	return nil
}
