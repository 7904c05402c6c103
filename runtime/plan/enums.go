package plan

import "fmt"

// Action is what a step does with its objects.
type Action int

// The actions.
const (
	// Apply creates or updates the objects (and runs hooks).
	Apply Action = iota
	// Delete deletes the objects; only delete plans have such steps.
	Delete
)

// String returns "apply" or "delete".
func (a Action) String() string {
	switch a {
	case Apply:
		return "apply"
	case Delete:
		return "delete"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// MarshalText encodes the action as its name.
func (a Action) MarshalText() ([]byte, error) {
	return []byte(a.String()), nil
}
