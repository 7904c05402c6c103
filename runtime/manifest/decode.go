package manifest

import (
	"encoding/base64"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// This file turns a parsed YAML node tree into the JSON-compatible value
// (map[string]any, []any, string, int64, float64, bool, nil) that kubectl
// and Argo CD produce for the same text. Those tools decode with
// sigs.k8s.io/yaml, which parses with go-yaml v2 (YAML 1.1 scalars) and then
// round-trips through encoding/json; the rules below reproduce the result of
// that pipeline. The node tree comes from go-yaml v3, whose parser bounds
// nesting and keeps aliases unexpanded, so expansion, depth and cycles are
// all under this file's control.

// decodeError is a problem found while converting, at a line relative to the
// document.
type decodeError struct {
	line int
	msg  string
}

func (e *decodeError) Error() string { return e.msg }

func errAt(n *yaml.Node, format string, a ...any) error {
	return &decodeError{line: n.Line, msg: fmt.Sprintf(format, a...)}
}

// converter holds the state of one document's conversion.
type converter struct {
	// aliasBudget is how many more values alias expansion may produce.
	aliasBudget int
	// inAlias counts the aliases being expanded around the current node.
	inAlias int
	// expanding marks anchored nodes whose alias is being expanded, to
	// reject an alias that refers to a node containing it.
	expanding map[*yaml.Node]bool
}

// newConverter prepares the conversion of the document rooted at root,
// allowing alias expansion to add maxAliasValues values plus as many as the
// document has nodes.
func newConverter(root *yaml.Node) *converter {
	return &converter{aliasBudget: maxAliasValues + countNodes(root, 0)}
}

// countNodes counts the nodes written in the document (aliases count once,
// their targets are not followed). It stops counting deeper than MaxDepth;
// the conversion reports that depth as an error.
func countNodes(n *yaml.Node, depth int) int {
	if depth > MaxDepth+1 {
		return 0
	}
	c := 1
	for _, k := range n.Content {
		c += countNodes(k, depth+1)
	}
	return c
}

// value converts n, found at the given depth (the document's top-level node
// is at depth 1).
func (c *converter) value(n *yaml.Node, depth int) (any, error) {
	if c.inAlias > 0 {
		c.aliasBudget--
		if c.aliasBudget < 0 {
			return nil, errAt(n, "document expands aliases into too many values (more than %d); aliases that multiply like this are a known attack (\"billion laughs\")", maxAliasValues)
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.value(n.Content[0], depth)
	case yaml.AliasNode:
		return c.alias(n, depth)
	case yaml.ScalarNode:
		return scalar(n)
	case yaml.MappingNode:
		if depth > MaxDepth {
			return nil, errAt(n, "nesting is deeper than %d levels", MaxDepth)
		}
		m := make(map[string]any, len(n.Content)/2)
		if err := c.mapping(n, depth, m); err != nil {
			return nil, err
		}
		return m, nil
	case yaml.SequenceNode:
		if depth > MaxDepth {
			return nil, errAt(n, "nesting is deeper than %d levels", MaxDepth)
		}
		s := make([]any, len(n.Content))
		for i, item := range n.Content {
			v, err := c.value(item, depth+1)
			if err != nil {
				return nil, err
			}
			s[i] = v
		}
		return s, nil
	}
	return nil, errAt(n, "unexpected YAML node")
}

// alias expands an alias node.
func (c *converter) alias(n *yaml.Node, depth int) (any, error) {
	target := n.Alias
	if target == nil {
		return nil, errAt(n, "unknown anchor %q", n.Value)
	}
	if c.expanding[target] {
		return nil, errAt(n, "alias *%s refers to a value that contains it", n.Value)
	}
	if c.expanding == nil {
		c.expanding = make(map[*yaml.Node]bool)
	}
	c.expanding[target] = true
	c.inAlias++
	v, err := c.value(target, depth)
	c.inAlias--
	delete(c.expanding, target)
	return v, err
}

// mapping converts the entries of a mapping node into m. As in go-yaml v2,
// entries apply in order: a later key replaces an earlier one, and a merge
// key (<<) sets every key of the merged mappings at its position.
func (c *converter) mapping(n *yaml.Node, depth int, m map[string]any) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMerge(k) {
			if err := c.merge(v, depth, m); err != nil {
				return err
			}
			continue
		}
		key, err := c.key(k)
		if err != nil {
			return err
		}
		val, err := c.value(v, depth+1)
		if err != nil {
			return err
		}
		m[key] = val
	}
	return nil
}

func isMerge(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Value == "<<" && n.Tag == "!!merge"
}

// merge applies the value of a merge key: a mapping, an alias of one, or a
// sequence of those, where earlier mappings take precedence.
func (c *converter) merge(v *yaml.Node, depth int, m map[string]any) error {
	one := func(n *yaml.Node) error {
		t := n
		if t.Kind == yaml.AliasNode {
			t = t.Alias
		}
		if t == nil || t.Kind != yaml.MappingNode {
			return errAt(n, "merge key << needs a mapping or a list of mappings")
		}
		val, err := c.value(n, depth)
		if err != nil {
			return err
		}
		for k, x := range val.(map[string]any) {
			m[k] = x
		}
		return nil
	}
	switch v.Kind {
	case yaml.MappingNode, yaml.AliasNode:
		return one(v)
	case yaml.SequenceNode:
		for i := len(v.Content) - 1; i >= 0; i-- {
			if err := one(v.Content[i]); err != nil {
				return err
			}
		}
		return nil
	}
	return errAt(v, "merge key << needs a mapping or a list of mappings")
}

// key converts a mapping key to the string JSON uses for it, as
// sigs.k8s.io/yaml does: numbers and booleans are formatted, other
// non-string keys are errors.
func (c *converter) key(n *yaml.Node) (string, error) {
	t := n
	if t.Kind == yaml.AliasNode && t.Alias != nil {
		t = t.Alias
	}
	if t.Kind != yaml.ScalarNode {
		return "", errAt(n, "mapping key must be a scalar, not a %s", kindName(t))
	}
	v, err := scalarRaw(t)
	if err != nil {
		return "", err
	}
	switch v := v.(type) {
	case string:
		return v, nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case float64:
		// Formatted at 32-bit precision, as go-yaml formats floats.
		switch s := strconv.FormatFloat(v, 'g', -1, 32); s {
		case "+Inf":
			return ".inf", nil
		case "-Inf":
			return "-.inf", nil
		case "NaN":
			return ".nan", nil
		default:
			return s, nil
		}
	case bool:
		return strconv.FormatBool(v), nil
	case nil:
		return "", errAt(n, "mapping key must not be null")
	}
	return "", errAt(n, "unsupported mapping key %s", t.Value)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}

// scalar converts a scalar node to its JSON value.
func scalar(n *yaml.Node) (any, error) {
	v, err := scalarRaw(n)
	if err != nil {
		return nil, err
	}
	v, err = jsonValue(v)
	if err != nil {
		return nil, errAt(n, "%v", err)
	}
	return v, nil
}

// scalarRaw resolves a scalar node as go-yaml v2 does: quoted and block
// scalars are strings, plain ones are resolved by resolve, and explicit core
// tags must agree with the text.
func scalarRaw(n *yaml.Node) (any, error) {
	tag := ""
	if n.Style&yaml.TaggedStyle != 0 {
		tag = n.Tag
	} else if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Value, nil
	}
	switch tag {
	case "", "!!null", "!!bool", "!!int", "!!float", "!!timestamp":
	case "!!str", "!!merge":
		return n.Value, nil
	case "!!binary":
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(n.Value), ""))
		if err != nil {
			return nil, errAt(n, "!!binary value is not valid base64")
		}
		return validUTF8(b), nil
	case "!!map", "!!seq":
		return nil, errAt(n, "cannot decode a scalar as %s", tag)
	default:
		// An application-specific tag: go-yaml v2 keeps the text.
		return n.Value, nil
	}
	rtag, v := resolve(tag, n.Value)
	if tag != "" && rtag != tag && !(tag == "!!float" && rtag == "!!int") {
		return nil, errAt(n, "cannot decode %s `%s` as a %s", rtag, n.Value, tag)
	}
	if rtag == "!!timestamp" {
		// go-yaml v2 keeps the text of timestamps decoded into interface{}.
		return n.Value, nil
	}
	if tag == "!!float" {
		switch i := v.(type) {
		case int64:
			v = float64(i)
		case uint64:
			v = float64(i)
		}
	}
	return v, nil
}

// jsonValue maps a resolved scalar to what a JSON round trip yields:
// integral floats below 1e21 that fit in int64 become int64 (encoding/json
// writes them without a decimal point), big unsigned integers become
// float64, and NaN or infinity is an error.
func jsonValue(v any) (any, error) {
	switch v := v.(type) {
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("unsupported value %v: JSON has no NaN or infinity", v)
		}
		if v == math.Trunc(v) && math.Abs(v) < 1e21 {
			// encoding/json writes the shortest decimal that round-trips,
			// which for large values is not the exact integer.
			if i, err := strconv.ParseInt(strconv.FormatFloat(v, 'f', -1, 64), 10, 64); err == nil {
				return i, nil
			}
		}
		return v, nil
	case uint64:
		return float64(v), nil
	}
	return v, nil
}

// Scalar resolution of go-yaml v2 (YAML 1.1), which sigs.k8s.io/yaml uses.
var (
	resolveWords = map[string]any{
		"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
		"true": true, "True": true, "TRUE": true,
		"on": true, "On": true, "ON": true,
		"n": false, "N": false, "no": false, "No": false, "NO": false,
		"false": false, "False": false, "FALSE": false,
		"off": false, "Off": false, "OFF": false,
		"": nil, "~": nil, "null": nil, "Null": nil, "NULL": nil,
		".nan": math.NaN(), ".NaN": math.NaN(), ".NAN": math.NaN(),
		".inf": math.Inf(1), ".Inf": math.Inf(1), ".INF": math.Inf(1),
		"+.inf": math.Inf(1), "+.Inf": math.Inf(1), "+.INF": math.Inf(1),
		"-.inf": math.Inf(-1), "-.Inf": math.Inf(-1), "-.INF": math.Inf(-1),
	}
	yamlStyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
)

// resolve returns the tag and value go-yaml v2 gives a plain scalar (tag
// empty) or a scalar with an explicit core tag. Integers are int64 or
// uint64, floats float64, timestamps time.Time.
func resolve(tag, in string) (string, any) {
	tagOf := func(v any) string {
		switch v.(type) {
		case bool:
			return "!!bool"
		case nil:
			return "!!null"
		case float64:
			return "!!float"
		}
		return "!!str"
	}
	var hint byte
	if in == "" {
		hint = 'N'
	} else {
		switch c := in[0]; {
		case c == '+' || c == '-':
			hint = 'S'
		case c >= '0' && c <= '9':
			hint = 'D'
		case strings.IndexByte("yYnNtTfFoO~", c) >= 0:
			hint = 'M'
		case c == '.':
			hint = '.'
		}
	}
	if hint == 0 {
		return "!!str", in
	}
	if v, ok := resolveWords[in]; ok {
		return tagOf(v), v
	}
	switch hint {
	case '.':
		if f, err := strconv.ParseFloat(in, 64); err == nil {
			return "!!float", f
		}
	case 'D', 'S':
		if tag == "" || tag == "!!timestamp" {
			if t, ok := parseTimestamp(in); ok {
				return "!!timestamp", t
			}
		}
		plain := strings.ReplaceAll(in, "_", "")
		if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return "!!int", i
		}
		if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return "!!int", u
		}
		if yamlStyleFloat.MatchString(plain) {
			if f, err := strconv.ParseFloat(plain, 64); err == nil {
				return "!!float", f
			}
		}
		if rest, ok := strings.CutPrefix(plain, "0b"); ok {
			if i, err := strconv.ParseInt(rest, 2, 64); err == nil {
				return "!!int", i
			}
			if u, err := strconv.ParseUint(rest, 2, 64); err == nil {
				return "!!int", u
			}
		} else if rest, ok := strings.CutPrefix(plain, "-0b"); ok {
			if i, err := strconv.ParseInt("-"+rest, 2, 64); err == nil {
				return "!!int", i
			}
		}
	}
	return "!!str", in
}

// Timestamp layouts go-yaml v2 accepts.
var timestampLayouts = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

func parseTimestamp(s string) (time.Time, bool) {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			break
		}
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return time.Time{}, false
	}
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// validUTF8 returns b as a string with every byte that is not part of a
// valid UTF-8 sequence replaced by U+FFFD, one replacement per byte, as
// encoding/json does when sigs.k8s.io/yaml turns such a value into JSON.
func validUTF8(b []byte) string {
	var sb strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.Write(b[:size])
		}
		b = b[size:]
	}
	return sb.String()
}
