// Package progress reports what `wavec run` and `wavec delete` are doing:
// a stream of Events that a Reporter shows as plain lines, as a live view
// on a terminal, or as one JSON object per line for tools.
//
// Events never carry object contents, only references ("Kind/name"),
// health, and messages from the cluster, so Secret data cannot reach any
// output through them.
package progress

import (
	"encoding/json"
	"strconv"
	"time"
)

// Type says what an Event reports.
type Type string

// The event types, in roughly the order a sync emits them.
const (
	// SyncStart opens a sync (or a deletion): Pipeline, Namespace,
	// Revision, Attempt and the number of steps in Total.
	SyncStart Type = "sync-start"
	// PlanReady lists the steps the sync will take, in Steps.
	PlanReady Type = "plan"
	// Validated reports the server-side dry run of every task; Message
	// says how many objects were validated.
	Validated Type = "validated"
	// StepStart opens step Step; Overhead is how long after the previous
	// step completed the step's first request went out.
	StepStart Type = "step-start"
	// Applied reports one object applied; Action is created, configured or
	// unchanged.
	Applied Type = "applied"
	// Deleting reports a delete request; Action says why (prune,
	// before-hook-creation, hook-succeeded, hook-failed, terminate, delete).
	Deleting Type = "deleting"
	// Deleted reports that an object is gone.
	Deleted Type = "deleted"
	// Health reports a change of an object's health.
	Health Type = "health"
	// StepDone closes step Step with Status and Duration.
	StepDone Type = "step-done"
	// Log is one log line of a hook's Pod.
	Log Type = "log"
	// Diagnosis explains why Object failed, in Lines.
	Diagnosis Type = "diagnosis"
	// Warning is something the user should know that does not fail the
	// sync.
	Warning Type = "warning"
	// Retry announces another attempt after Duration.
	Retry Type = "retry"
	// SyncDone closes the sync with Status, Duration, Message and Summary.
	SyncDone Type = "sync-done"
)

// Status is the state of a step or of a whole sync.
type Status string

// The statuses of steps and syncs.
const (
	// Pending means not started.
	Pending Status = "pending"
	// Running means started and not complete.
	Running Status = "running"
	// Succeeded means every task of the step (or every step) completed
	// healthy.
	Succeeded Status = "succeeded"
	// Failed means a task failed, timed out, or could not be applied.
	Failed Status = "failed"
	// Skipped means the step was never started because the sync ended
	// before it.
	Skipped Status = "skipped"
	// Interrupted means the user stopped the sync.
	Interrupted Status = "interrupted"
)

// Millis is a duration that JSON shows as a number of milliseconds.
type Millis time.Duration

// MarshalJSON writes the duration in milliseconds with microsecond
// precision.
func (m Millis) MarshalJSON() ([]byte, error) {
	ms := float64(time.Duration(m).Microseconds()) / 1000
	return strconv.AppendFloat(nil, ms, 'f', -1, 64), nil
}

// UnmarshalJSON reads a number of milliseconds.
func (m *Millis) UnmarshalJSON(b []byte) error {
	var ms float64
	if err := json.Unmarshal(b, &ms); err != nil {
		return err
	}
	*m = Millis(time.Duration(ms * float64(time.Millisecond)))
	return nil
}

// String formats the duration as Go does, rounded to milliseconds.
func (m Millis) String() string { return FormatDuration(time.Duration(m)) }

// FormatDuration rounds d for people: microseconds below a millisecond,
// hundredths of milliseconds below 10ms, milliseconds below a second, then
// tenths of seconds, then whole seconds above a minute.
func FormatDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < 10*time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// StepInfo describes one step of the plan.
type StepInfo struct {
	// Index is the 1-based position of the step.
	Index int `json:"index"`
	// Phase is PreSync, Sync, PostSync, SyncFail, PreDelete, Delete or
	// PostDelete.
	Phase string `json:"phase"`
	// Wave is the step's sync wave.
	Wave int `json:"wave"`
	// Tasks lists the step's work in order: "Kind/name", with "prune " or
	// "delete " in front of deletions.
	Tasks []string `json:"tasks"`
	// Gated tells whether the step waits for its tasks' health.
	Gated bool `json:"gated"`
}

// Event is one thing that happened during a sync.
type Event struct {
	// Time is when it happened.
	Time time.Time `json:"time"`
	// Type says what happened.
	Type Type `json:"type"`
	// Step is the 1-based index of the step the event belongs to, or 0.
	Step int `json:"step,omitempty"`
	// Phase and Wave are those of Step.
	Phase string `json:"phase,omitempty"`
	Wave  *int   `json:"wave,omitempty"`
	// Object is "Kind/name" of the object concerned, or empty.
	Object string `json:"object,omitempty"`
	// Namespace is the object's namespace, or the pipeline's.
	Namespace string `json:"namespace,omitempty"`
	// Hook is set when Object is a hook.
	Hook bool `json:"hook,omitempty"`
	// Action says what was done to Object (see Applied and Deleting).
	Action string `json:"action,omitempty"`
	// Health is the object's health (Healthy, Progressing, Degraded, ...).
	Health string `json:"health,omitempty"`
	// Status is the status of a step (StepDone) or sync (SyncDone).
	Status Status `json:"status,omitempty"`
	// Message is a one-line explanation.
	Message string `json:"message,omitempty"`
	// Lines holds a Diagnosis.
	Lines []string `json:"lines,omitempty"`
	// Duration is how long the step or sync took, or a Retry's delay.
	Duration Millis `json:"durationMs,omitempty"`
	// Overhead is, on StepStart, the time from the previous step becoming
	// complete (as a watch showed it) to this step's first request.
	Overhead *Millis `json:"overheadMs,omitempty"`

	// Pipeline, Revision, Attempt and Total describe a SyncStart.
	Pipeline string `json:"pipeline,omitempty"`
	Revision string `json:"revision,omitempty"`
	Attempt  int    `json:"attempt,omitempty"`
	Total    int    `json:"total,omitempty"`
	// DryRun marks a SyncStart of a dry run.
	DryRun bool `json:"dryRun,omitempty"`
	// Operation is "sync" or "delete" on SyncStart and SyncDone.
	Operation string `json:"operation,omitempty"`

	// Steps is the plan, on PlanReady.
	Steps []StepInfo `json:"steps,omitempty"`
	// Summary closes a sync, on SyncDone.
	Summary *Summary `json:"summary,omitempty"`
}

// StepSummary is the outcome of one step.
type StepSummary struct {
	// Index, Phase and Wave identify the step.
	Index int    `json:"index"`
	Phase string `json:"phase"`
	Wave  int    `json:"wave"`
	// Tasks is the number of tasks in the step.
	Tasks int `json:"tasks"`
	// Status is how the step ended.
	Status Status `json:"status"`
	// Duration is from the step's start to its completion.
	Duration Millis `json:"durationMs"`
	// Overhead is the time from this step becoming complete to the next
	// step's first request (orchestration overhead); nil for the last step
	// run.
	Overhead *Millis `json:"overheadMs,omitempty"`
	// Message says why a step failed.
	Message string `json:"message,omitempty"`
}

// Summary is the outcome of a whole sync.
type Summary struct {
	// Status is Succeeded, Failed or Interrupted.
	Status Status `json:"status"`
	// Duration is the time of the last attempt.
	Duration Millis `json:"durationMs"`
	// Attempts is how many times the sync was tried.
	Attempts int `json:"attempts"`
	// Steps lists every step of the last attempt, SyncFail hooks included
	// when they ran.
	Steps []StepSummary `json:"steps"`
	// Message says why the sync failed.
	Message string `json:"message,omitempty"`
}

// Reporter shows events. Report is called from one goroutine at a time;
// Close is called once after the last event.
type Reporter interface {
	Report(Event)
	Close()
}

// Func adapts a function to a Reporter with nothing to close.
type Func func(Event)

// Report calls f.
func (f Func) Report(e Event) { f(e) }

// Close does nothing.
func (f Func) Close() {}

// Discard is a Reporter that drops every event.
var Discard Reporter = Func(func(Event) {})
