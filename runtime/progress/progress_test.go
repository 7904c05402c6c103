package progress

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestMillisJSON(t *testing.T) {
	b, err := json.Marshal(Millis(1500 * time.Microsecond))
	if err != nil || string(b) != "1.5" {
		t.Errorf("Marshal = %s, %v", b, err)
	}
	var m Millis
	if err := json.Unmarshal([]byte("2.25"), &m); err != nil || time.Duration(m) != 2250*time.Microsecond {
		t.Errorf("Unmarshal = %v, %v", time.Duration(m), err)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		212 * time.Microsecond:    "212µs",
		3456 * time.Microsecond:   "3.46ms",
		123456 * time.Microsecond: "123ms",
		1234 * time.Millisecond:   "1.2s",
		90500 * time.Millisecond:  "1m31s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%s) = %s, want %s", d, got, want)
		}
	}
}

func wave(w int) *int { return &w }

func TestPlainLines(t *testing.T) {
	var b bytes.Buffer
	p := NewPlain(&b)
	over := Millis(300 * time.Microsecond)
	for _, e := range []Event{
		{Type: SyncStart, Pipeline: "agent", Namespace: "agents", Revision: "d26d3700aa", Total: 2},
		{Type: StepStart, Step: 1, Phase: "PreSync", Wave: wave(-1)},
		{Type: Applied, Step: 1, Object: "Job/migrate", Action: "created"},
		{Type: Health, Step: 1, Object: "Job/migrate", Health: "Degraded", Message: "BackoffLimitExceeded"},
		{Type: StepDone, Step: 1, Phase: "PreSync", Wave: wave(-1), Status: Failed, Duration: Millis(time.Second), Message: "Job/migrate is Degraded"},
		{Type: Diagnosis, Step: 1, Object: "Job/migrate", Lines: []string{"condition Failed=True"}},
		{Type: SyncDone, Status: Failed, Summary: &Summary{Status: Failed, Steps: []StepSummary{
			{Index: 1, Phase: "PreSync", Wave: -1, Tasks: 1, Status: Failed, Duration: Millis(time.Second), Overhead: &over},
			{Index: 2, Phase: "Sync", Tasks: 1, Status: Skipped},
		}}},
	} {
		p.Report(e)
	}
	want := `sync agent in namespace agents (revision d26d370): 2 steps
[1/2] PreSync wave -1: started
[1/2]   Job/migrate created
[1/2]   Job/migrate Degraded: BackoffLimitExceeded
[1/2] PreSync wave -1: failed in 1s: Job/migrate is Degraded
    Job/migrate:
      condition Failed=True
STEP  PHASE    WAVE  TASKS  STATUS   DURATION  OVERHEAD
1     PreSync  -1    1      failed   1s        300µs
2     Sync     0     1      skipped  -         -
sync failed in 0s
`
	if b.String() != want {
		t.Errorf("plain output:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestJSONOneLinePerEvent(t *testing.T) {
	var b bytes.Buffer
	j := NewJSON(&b)
	over := Millis(time.Millisecond)
	j.Report(Event{Type: StepStart, Step: 2, Phase: "Sync", Wave: wave(0), Overhead: &over})
	j.Report(Event{Type: Log, Object: "migrate", Message: "<done> & \"ok\""})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	var e map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &e); err != nil {
		t.Fatal(err)
	}
	if e["type"] != "step-start" || e["overheadMs"] != 1.0 || e["wave"] != 0.0 {
		t.Errorf("event = %v", e)
	}
	if !strings.Contains(lines[1], `<done> & \"ok\"`) {
		t.Errorf("log line escaped for HTML: %s", lines[1])
	}
}

func TestLiveCutsToWidth(t *testing.T) {
	l := &Live{width: 10}
	got := l.cut("\x1b[32m✓\x1b[0m 1 PreSync wave -1 long text")
	visible := 0
	esc := false
	for _, r := range got {
		switch {
		case r == '\x1b':
			esc = true
		case esc:
			esc = !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z')
		default:
			visible++
		}
	}
	if visible != 9 {
		t.Errorf("cut to %d visible characters: %q", visible, got)
	}
}

func TestLiveDraw(t *testing.T) {
	var b bytes.Buffer
	l := NewLive(&b, 200)
	l.Report(Event{Type: SyncStart, Pipeline: "p", Namespace: "n", Total: 1})
	l.Report(Event{Type: PlanReady, Steps: []StepInfo{{Index: 1, Phase: "Sync", Tasks: []string{"Deployment/web"}}}})
	l.Report(Event{Type: StepStart, Step: 1, Time: time.Now()})
	l.Report(Event{Type: Health, Step: 1, Object: "Deployment/web", Health: "Progressing", Message: "1 of 2 available"})
	if !strings.Contains(b.String(), "waiting for Deployment/web (Progressing: 1 of 2 available)") {
		t.Errorf("live view does not say what the step waits for:\n%q", b.String())
	}
	l.Report(Event{Type: StepDone, Step: 1, Status: Succeeded, Duration: Millis(time.Second)})
	l.Report(Event{Type: SyncDone, Status: Succeeded, Summary: &Summary{Status: Succeeded}})
	l.Close()
	if !strings.HasSuffix(b.String(), "sync succeeded in 0s\n") {
		t.Errorf("live view does not end with the summary:\n%q", b.String())
	}
}
