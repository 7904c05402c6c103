package harness

import (
	"fmt"

	"github.com/wavec/wavec/bench/gen"
)

// Goals of issue 18 for the compile side.
const (
	// GoalHelmRatio: wavec build at least this many times faster than helm
	// template at each of GoalHelmSizes.
	GoalHelmRatio = 10.0
	// GoalHelmSize is the size the harness profiles wavec build at when
	// a compile goal is missed.
	GoalHelmSize = 1000
	// GoalLinearRatio: wavec build at GoalLinearLarge objects takes at
	// most this many times its time at GoalLinearSmall.
	GoalLinearRatio = 5.5
	GoalLinearSmall = 1000
	GoalLinearLarge = 5000
	// GoalMemoryShare: wavec build's peak RSS at most this share of helm
	// template's, at every size.
	GoalMemoryShare = 0.5
)

// GoalHelmSizes are the sizes of the speed goal against helm template.
var GoalHelmSizes = []int{1000, 5000}

// Goal is one goal's outcome in a run.
type Goal struct {
	// Name says what the goal asks.
	Name string
	// Value is what was measured, for people.
	Value string
	// Measured is false when the run has no figure for the goal.
	Measured bool
	// Met is whether the measured value meets the goal; Bounded goals
	// only (a goal without a bound is reported, never met or missed).
	Met     bool
	Bounded bool
	// Compile marks the goals of `wavec build` (as opposed to start-up
	// and the language server).
	Compile bool
	// Why, when the run has no figure for the goal, may say why.
	Why string
}

func sizeOf(sizes []gen.Size, resources int) (gen.Size, bool) {
	for _, s := range sizes {
		if s.Resources == resources {
			return s, true
		}
	}
	return gen.Size{}, false
}

// Goals evaluates the goals of issue 18 on a compile report.
func (c *CompileReport) Goals(sizes []gen.Size) []Goal {
	var out []Goal
	for _, n := range GoalHelmSizes {
		s, ok := sizeOf(sizes, n)
		if !ok {
			continue
		}
		g := Goal{Name: fmt.Sprintf("`wavec build` at least %.0f× faster than `helm template` at %s objects", GoalHelmRatio, thousands(n)), Bounded: true, Compile: true}
		if ratio, ok := c.Ratio(HelmTemplate, s); ok {
			g.Measured, g.Met, g.Value = true, ratio >= GoalHelmRatio, fmt.Sprintf("%.1f×", ratio)
		}
		out = append(out, g)
		g = Goal{Name: fmt.Sprintf("for reference, CPU time: `helm template`'s over `wavec build`'s at %s objects (no bound)", thousands(n)), Compile: true}
		w, h := c.Find(Wavec, s), c.Find(HelmTemplate, s)
		if w != nil && h != nil && len(w.Samples) > 0 && len(h.Samples) > 0 && w.MedianCPU() > 0 {
			g.Measured = true
			g.Value = fmt.Sprintf("%.1f× (%s against %s)", float64(h.MedianCPU())/float64(w.MedianCPU()), fmtDuration(h.MedianCPU()), fmtDuration(w.MedianCPU()))
		}
		out = append(out, g)
	}
	small, ok1 := sizeOf(sizes, GoalLinearSmall)
	large, ok2 := sizeOf(sizes, GoalLinearLarge)
	if ok1 && ok2 {
		g := Goal{Name: fmt.Sprintf("linear: `wavec build` at %s objects within %.1f× its time at %s", thousands(GoalLinearLarge), GoalLinearRatio, thousands(GoalLinearSmall)), Bounded: true, Compile: true}
		a, b := c.Find(Wavec, small), c.Find(Wavec, large)
		if a != nil && b != nil && len(a.Samples) > 0 && len(b.Samples) > 0 {
			ratio := float64(b.MedianWall()) / float64(a.MedianWall())
			g.Measured, g.Met = true, ratio <= GoalLinearRatio
			g.Value = fmt.Sprintf("%.2f× (%s against %s)", ratio, fmtDuration(b.MedianWall()), fmtDuration(a.MedianWall()))
		}
		out = append(out, g)
	}
	for _, s := range sizes {
		g := Goal{Name: fmt.Sprintf("peak memory at most half of `helm template`'s at %s objects", thousands(s.Resources)), Bounded: true, Compile: true}
		w, h := c.Find(Wavec, s), c.Find(HelmTemplate, s)
		if w != nil && h != nil && len(w.Samples) > 0 && len(h.Samples) > 0 {
			share := float64(w.MedianRSS()) / float64(h.MedianRSS())
			g.Measured, g.Met = true, share <= GoalMemoryShare
			g.Value = fmt.Sprintf("%s against %s (%.2f of it)", mib(w.MedianRSS()), mib(h.MedianRSS()), share)
		}
		out = append(out, g)
	}
	bare, version, check := FindStartup(c.Startup, BareGo), FindStartup(c.Startup, WavecVersion), FindStartup(c.Startup, WavecCheck)
	g := Goal{Name: fmt.Sprintf("start-up: `wavec version` at most %.0f× a bare Go program's wall time", GoalStartupRatio), Bounded: true}
	if bare != nil && version != nil && len(bare.Samples) > 0 && len(version.Samples) > 0 {
		ratio := float64(version.MedianWall()) / float64(bare.MedianWall())
		g.Measured, g.Met = true, ratio <= GoalStartupRatio
		g.Value = fmt.Sprintf("%.1f× (%s against %s)", ratio, fmtDuration(version.MedianWall()), fmtDuration(bare.MedianWall()))
	}
	out = append(out, g)
	g = Goal{Name: "start-up: `wavec check` of a small pipeline close to `wavec version` (no bound given)"}
	if check != nil && version != nil && len(check.Samples) > 0 && len(version.Samples) > 0 {
		g.Measured = true
		g.Value = fmt.Sprintf("%.2f× `wavec version` (%s against %s)", float64(check.MedianWall())/float64(version.MedianWall()), fmtDuration(check.MedianWall()), fmtDuration(version.MedianWall()))
	}
	out = append(out, g)
	g = Goal{Name: fmt.Sprintf("language server: diagnostics after an edit of a %s-line pipeline under %s median", thousands(DiagnosticsLines), fmtDuration(GoalDiagnostics)), Bounded: true}
	switch ls := c.LangServer; {
	case ls == nil:
	case ls.Unavailable != "":
		g.Why = ls.Unavailable
	case ls.Error != "" || len(ls.Samples) == 0:
		g.Why = "the language server failed: " + oneLine(ls.Error)
	default:
		g.Measured, g.Met = true, ls.Median() < GoalDiagnostics
		g.Value = fmt.Sprintf("%s, p95 %s (%d edits of %s lines)", fmtDuration(ls.Median()), fmtDuration(ls.P95()), len(ls.Samples), thousands(ls.Lines))
	}
	out = append(out, g)
	return out
}

// Verdict is a goal's outcome in a report: met, **missed**, measured
// (unbounded) or not measured (and why, when known).
func (g Goal) Verdict() string {
	switch {
	case !g.Measured && g.Why != "":
		return "not measured: " + g.Why
	case !g.Measured:
		return "not measured"
	case !g.Bounded:
		return g.Value
	}
	return fmt.Sprintf("%s (%s)", yesNo(g.Met), g.Value)
}
