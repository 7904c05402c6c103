package emit

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/wavec/wavec/compiler/ir"
)

// applyOverlays merges the general blocks of a resource into its object.
func applyOverlays(obj map[string]any, overlays []*ir.Overlay) error {
	for _, o := range overlays {
		dst, err := overlayTarget(obj, o.Path)
		if err != nil {
			return err
		}
		merge(dst, o.Fields)
	}
	return nil
}

// overlayTarget walks path from obj, creating maps where there are none,
// and returns the map at its end.
func overlayTarget(obj map[string]any, path []ir.PathStep) (map[string]any, error) {
	cur := obj
	for _, st := range path {
		if st.Item == "" {
			next, ok := cur[st.Field].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[st.Field] = next
			}
			cur = next
			continue
		}
		list, _ := cur[st.Field].([]any)
		var found map[string]any
		for _, it := range list {
			if m, ok := it.(map[string]any); ok && m["name"] == st.Item {
				found = m
				break
			}
		}
		if found == nil {
			return nil, fmt.Errorf("no %s item named %q to merge fields into", st.Field, st.Item)
		}
		cur = found
	}
	return cur, nil
}

// merge sets src's fields in dst: maps key by key, anything else replaced.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = runtime.DeepCopyJSONValue(v)
	}
}
