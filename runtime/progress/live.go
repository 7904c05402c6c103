package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Live redraws a table of the steps on a terminal as they progress: which
// are pending, running, healthy or failed, how long each took, and what a
// running step still waits for. Logs, diagnoses and warnings scroll above
// the table; the summary stays below it at the end.
type Live struct {
	w     io.Writer
	width int
	now   func() time.Time

	mu     sync.Mutex
	header string
	steps  []*liveStep
	drawn  int
	frame  int
	stop   chan struct{}
	done   chan struct{}
}

type liveStep struct {
	info    StepInfo
	status  Status
	start   time.Time
	dur     time.Duration
	message string
	// waiting maps objects of the step that are not healthy yet to their
	// latest health and message; order keeps them in the order first seen.
	waiting map[string]string
	order   []string
}

// NewLive returns a live Reporter drawing on w, a terminal width columns
// wide (lines are cut to fit, so redraws stay aligned). It redraws a few
// times a second until Close.
func NewLive(w io.Writer, width int) *Live {
	if width < 40 {
		width = 80
	}
	l := &Live{w: w, width: width, now: time.Now, stop: make(chan struct{}), done: make(chan struct{})}
	go l.tick()
	return l
}

func (l *Live) tick() {
	defer close(l.done)
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.mu.Lock()
			l.frame++
			if l.running() {
				l.redraw(nil)
			}
			l.mu.Unlock()
		}
	}
}

func (l *Live) running() bool {
	for _, s := range l.steps {
		if s.status == Running {
			return true
		}
	}
	return false
}

// Report updates the view with e.
func (l *Live) Report(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var above []string
	switch e.Type {
	case SyncStart:
		l.header = startLine(e)
		l.steps = nil
		above = append(above, l.header)
	case PlanReady:
		l.steps = l.steps[:0]
		for _, s := range e.Steps {
			l.steps = append(l.steps, &liveStep{info: s, status: Pending, waiting: map[string]string{}})
		}
	case Validated:
		above = append(above, "validated: "+e.Message)
	case StepStart:
		if s := l.step(e); s != nil {
			s.status, s.start = Running, e.Time
		}
	case Applied, Deleting:
		if s := l.step(e); s != nil {
			s.wait(e.Object, "")
		}
	case Health:
		if s := l.step(e); s != nil {
			if e.Health == "Healthy" {
				s.healthy(e.Object)
			} else {
				msg := e.Health
				if e.Message != "" {
					msg += ": " + e.Message
				}
				s.wait(e.Object, msg)
			}
		}
	case Deleted:
		if s := l.step(e); s != nil {
			s.healthy(e.Object)
		}
	case StepDone:
		if s := l.step(e); s != nil {
			s.status, s.dur, s.message = e.Status, time.Duration(e.Duration), e.Message
		}
	case Log:
		above = append(above, fmt.Sprintf("%s | %s", e.Object, e.Message))
	case Diagnosis:
		var b strings.Builder
		writeDiagnosis(&b, e)
		above = append(above, strings.Split(strings.TrimRight(b.String(), "\n"), "\n")...)
	case Warning:
		above = append(above, "warning: "+e.Message)
	case Retry:
		above = append(above, fmt.Sprintf("retrying in %s (attempt %d): %s", e.Duration, e.Attempt, e.Message))
	case SyncDone:
		for _, s := range l.steps {
			if s.status == Pending {
				s.status = Skipped
			}
		}
		l.redraw(nil)
		l.drawn = 0 // keep the final table on screen
		var b strings.Builder
		if e.Summary != nil {
			WriteSummary(&b, e)
		} else {
			b.WriteString(doneLine(e) + "\n")
		}
		io.WriteString(l.w, b.String())
		return
	}
	l.redraw(above)
}

// Close stops the redraws.
func (l *Live) Close() {
	close(l.stop)
	<-l.done
}

func (l *Live) step(e Event) *liveStep {
	if e.Step < 1 || e.Step > len(l.steps) {
		return nil
	}
	return l.steps[e.Step-1]
}

func (s *liveStep) wait(obj, msg string) {
	if obj == "" {
		return
	}
	if _, ok := s.waiting[obj]; !ok {
		s.order = append(s.order, obj)
	}
	s.waiting[obj] = msg
}

func (s *liveStep) healthy(obj string) {
	delete(s.waiting, obj)
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// redraw erases the table, writes the lines that scroll above it, and
// draws the table again.
func (l *Live) redraw(above []string) {
	var b strings.Builder
	if l.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", l.drawn)
	}
	b.WriteString("\r\x1b[J")
	for _, a := range above {
		b.WriteString(a + "\n")
	}
	lines := l.table()
	for _, t := range lines {
		b.WriteString(l.cut(t) + "\n")
	}
	l.drawn = len(lines)
	io.WriteString(l.w, b.String())
}

func (l *Live) table() []string {
	var lines []string
	for _, s := range l.steps {
		var mark, colour string
		switch s.status {
		case Pending:
			mark, colour = "·", "\x1b[2m"
		case Running:
			mark, colour = spinner[l.frame%len(spinner)], "\x1b[33m"
		case Succeeded:
			mark, colour = "✓", "\x1b[32m"
		case Failed, Interrupted:
			mark, colour = "✗", "\x1b[31m"
		case Skipped:
			mark, colour = "-", "\x1b[2m"
		}
		line := fmt.Sprintf("%s%s\x1b[0m %2d %-9s wave %-4d", colour, mark, s.info.Index, s.info.Phase, s.info.Wave)
		switch s.status {
		case Running:
			line += fmt.Sprintf(" %6.1fs  %s", l.now().Sub(s.start).Seconds(), s.waitingFor())
		case Succeeded, Failed, Interrupted:
			line += fmt.Sprintf(" %7s", FormatDuration(s.dur))
			if s.message != "" {
				line += "  " + s.message
			}
		case Pending:
			line += fmt.Sprintf(" %7s  %s", "", strings.Join(s.info.Tasks, ", "))
		}
		lines = append(lines, line)
	}
	return lines
}

func (s *liveStep) waitingFor() string {
	var pending []string
	for _, o := range s.order {
		if msg, ok := s.waiting[o]; ok {
			if msg != "" {
				o += " (" + msg + ")"
			}
			pending = append(pending, o)
		}
	}
	switch len(pending) {
	case 0:
		return ""
	case 1:
		return "waiting for " + pending[0]
	}
	return fmt.Sprintf("waiting for %s and %d more", pending[0], len(pending)-1)
}

// cut shortens a line to the terminal's width, not counting escape
// sequences, so it never wraps.
func (l *Live) cut(s string) string {
	var b strings.Builder
	n, esc := 0, false
	for _, r := range s {
		switch {
		case esc:
			b.WriteRune(r)
			if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' {
				esc = false
			}
			continue
		case r == '\x1b':
			esc = true
			b.WriteRune(r)
			continue
		}
		if n >= l.width-1 {
			b.WriteString("\x1b[0m")
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
