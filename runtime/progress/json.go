package progress

import (
	"encoding/json"
	"io"
)

// JSON writes every event as one JSON object per line, for tools.
type JSON struct {
	enc *json.Encoder
}

// NewJSON returns a Reporter that writes JSON lines to w.
func NewJSON(w io.Writer) *JSON {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &JSON{enc: enc}
}

// Report writes e as one line.
func (j *JSON) Report(e Event) { _ = j.enc.Encode(e) }

// Close does nothing: every line is already written.
func (j *JSON) Close() {}
