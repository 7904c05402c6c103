// Package reliability holds tests of wavec as a whole against bad input
// and faults: hostile YAML and .wave input through the wavec binary (with
// its time and memory measured), object files that try to leave the
// pipeline's directory, signals, and — on the local test cluster — an API
// server that restarts mid-sync, hooks deleted from under a sync,
// field-manager conflicts, Ctrl-C at every step, least-privilege RBAC and
// secret values in every output. docs/reliability.md reports the results.
//
// The package has no code of its own; everything is in its tests.
package reliability
