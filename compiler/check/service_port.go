package check

import (
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/wavec/wavec/compiler/ir"
	"github.com/wavec/wavec/lang/syntax"
)

// finishPortName applies a service's `port_name`: the name of its one
// `port` instead of "http", or "" for none (a Service of one port need not
// name it). It runs once every field is read, as port_name may come
// before port.
func (c *checker) finishPortName(d *decl) {
	if d.res.Kind != ir.Service {
		return
	}
	e := bodyField(d, "port_name")
	if e == nil {
		return
	}
	v := entryValue(e)
	name, ok := c.str(v, "port_name")
	if !ok {
		return
	}
	if name != "" {
		if msgs := validation.IsValidPortName(name); len(msgs) > 0 {
			c.errorf(span(v), CodeBadName, "port_name %q is not a valid port name: %s", name, plain(msgs)).
				Hint(`a port name is at most 15 lower-case letters, digits and '-', with a letter, e.g. "redis"; "" leaves the port unnamed`)
			return
		}
	}
	if bodyField(d, "port") == nil {
		c.errorf(span(e.Key), CodeNotHere, "port_name names the port of `port`, and %s has none", d.res.Describe()).
			Hint("with `ports = { NAME = ... }` the keys are the names")
		return
	}
	if ps := d.res.Service.Ports; len(ps) == 1 {
		ps[0].Name = name
	}
}

// bodyField returns the unlabeled entry key of d's body, or nil.
func bodyField(d *decl, key string) *syntax.Entry {
	if d.node.Body == nil {
		return nil
	}
	for _, e := range d.node.Body.Entries {
		if e.Label == nil && e.Key.String == nil && e.Key.Name() == key {
			return e
		}
	}
	return nil
}
