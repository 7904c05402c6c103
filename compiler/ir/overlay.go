package ir

// Overlay is part of an object written in a general block (`spec { ... }`,
// `pod { ... }`, or a container's fields spelled as the Kubernetes API
// spells them): values that the emitter merges into the object it builds
// from the short fields. Maps are merged key by key; any other value
// replaces what is there. The checker has made sure that an overlay never
// sets what a short field sets.
type Overlay struct {
	// Path leads from the object's root to the map the fields are merged
	// into, creating maps on the way.
	Path []PathStep
	// Fields are the values, in the form of unstructured objects: string,
	// int64, float64, bool, []any and map[string]any.
	Fields map[string]any
}

// PathStep is one step of an overlay's path: a field, and for a list, the
// item whose name is Item.
type PathStep struct {
	// Field is the field's name as the API spells it.
	Field string
	// Item, when set, selects the item of the list Field with this name.
	Item string
}
