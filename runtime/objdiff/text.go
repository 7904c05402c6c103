package objdiff

import (
	"fmt"
	"io"
	"strings"
)

// ANSI colours, as git and kubectl's default diff programs use them.
const (
	bold  = "\x1b[1m"
	red   = "\x1b[31m"
	green = "\x1b[32m"
	cyan  = "\x1b[36m"
	reset = "\x1b[0m"
)

// WriteText writes the unified diff of every object that would change, in
// plan order; color adds ANSI colours (for a terminal). Nothing is written
// when nothing would change.
func WriteText(w io.Writer, r *Report, color bool) error {
	for _, o := range r.Objects {
		if o.Diff == "" {
			continue
		}
		if o.Note != "" {
			fmt.Fprintf(w, "# %s: %s\n", o.Ref(), o.Note)
		}
		for _, line := range strings.SplitAfter(o.Diff, "\n") {
			if line == "" {
				continue
			}
			if color {
				line = paint(line)
			}
			if _, err := io.WriteString(w, line); err != nil {
				return err
			}
		}
	}
	return nil
}

// WriteHooks writes one line for every hook that would run.
func WriteHooks(w io.Writer, r *Report) error {
	for _, o := range r.Objects {
		if o.Change == Run {
			if _, err := fmt.Fprintf(w, "hook %s would run (%s wave %d)\n", o.Ref(), o.Phase, o.Wave); err != nil {
				return err
			}
		}
	}
	return nil
}

func paint(line string) string {
	body := strings.TrimSuffix(line, "\n")
	var c string
	switch {
	case strings.HasPrefix(body, "diff "), strings.HasPrefix(body, "--- "), strings.HasPrefix(body, "+++ "):
		c = bold
	case strings.HasPrefix(body, "@@"):
		c = cyan
	case strings.HasPrefix(body, "+"):
		c = green
	case strings.HasPrefix(body, "-"):
		c = red
	default:
		return line
	}
	return c + body + reset + line[len(body):]
}

// Summary returns one line that counts the changes and the hooks.
func (r *Report) Summary() string {
	n := map[Change]int{}
	for _, o := range r.Objects {
		n[o.Change]++
	}
	var parts []string
	for _, c := range []Change{Added, Changed, Removed} {
		if n[c] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[c], c))
		}
	}
	s := "no object would change"
	switch {
	case r.Changes == 1:
		s = "1 object would change (" + strings.Join(parts, ", ") + ")"
	case r.Changes > 1:
		s = fmt.Sprintf("%d objects would change (%s)", r.Changes, strings.Join(parts, ", "))
	}
	s += fmt.Sprintf(", %d unchanged", n[Unchanged])
	if n[Run] == 1 {
		s += "; 1 hook would run"
	} else if n[Run] > 1 {
		s += fmt.Sprintf("; %d hooks would run", n[Run])
	}
	return s
}
