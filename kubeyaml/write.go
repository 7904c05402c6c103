package kubeyaml

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	goyaml "sigs.k8s.io/yaml/goyaml.v2"
)

// Marshal writes an object map (the values unstructured objects hold:
// map[string]any, []any, string, int64, float64, bool and nil) as YAML,
// byte for byte as sigs.k8s.io/yaml's go-yaml v2 Marshal writes it: keys in
// its order, block style, two-space indentation, sequences in a mapping not
// indented, scalars plain where YAML 1.1 reads them back as the same
// string, else quoted.
//
// The common shapes are written directly; a document holding anything this
// writer does not reproduce with certainty (other Go types, strings with
// line breaks, tabs or non-ASCII characters, strings that could be folded
// at the 80-column width, keys longer than 128 bytes, values that look
// like timestamps or sexagesimal numbers) is handed to go-yaml v2 whole.
// FuzzMarshal holds the two to the same output.
func Marshal(obj map[string]any) ([]byte, error) {
	return AppendMarshal(make([]byte, 0, 1024), obj)
}

// AppendMarshal appends the YAML Marshal writes for obj to dst and returns
// the extended buffer, so that a caller writing many documents can reuse
// one scratch buffer. On an error, dst is returned as it was.
func AppendMarshal(dst []byte, obj map[string]any) ([]byte, error) {
	w := writer{buf: dst}
	if w.mapping(obj, 0, false) {
		return w.buf, nil
	}
	b, err := goyaml.Marshal(obj)
	if err != nil {
		return dst, err
	}
	return append(w.buf[:len(dst)], b...), nil
}

// MarshalValue is Marshal for any value at the root of a document.
func MarshalValue(v any) ([]byte, error) {
	w := writer{buf: make([]byte, 0, 256)}
	ok := false
	switch x := v.(type) {
	case map[string]any:
		ok = w.mapping(x, 0, false)
	case []any:
		ok = w.sequence(x, 0, false)
	default:
		if w.scalar(v, 0) {
			w.buf = append(w.buf, '\n')
			ok = true
		}
	}
	if ok {
		return w.buf, nil
	}
	return goyaml.Marshal(v)
}

// foldWidth is go-yaml v2's line width: a plain or quoted scalar with a
// space may be broken onto the next line past this column.
const foldWidth = 80

// maxSimpleKey is the longest key go-yaml v2 writes as `key:`; longer keys
// take the explicit `? key` form.
const maxSimpleKey = 128

// writer appends YAML to buf; each method reports false when the value is
// one it leaves to go-yaml.
type writer struct {
	buf []byte
}

func (w *writer) indent(n int) {
	for range n {
		w.buf = append(w.buf, ' ')
	}
}

// mapping writes a non-root or root mapping at indent; cont says the first
// key continues a line already started (after "- ").
func (w *writer) mapping(m map[string]any, indent int, cont bool) bool {
	if len(m) == 0 {
		w.buf = append(w.buf, "{}\n"...)
		return true
	}
	// The entries, sorted by key, so that each value is not looked up
	// again.
	var stack [32]entry
	entries := stack[:0]
	for k, v := range m {
		entries = append(entries, entry{k, v})
	}
	slices.SortFunc(entries, func(a, b entry) int { return compareKeys(a.key, b.key) })
	for i, e := range entries {
		k := e.key
		if i > 0 || !cont {
			w.indent(indent)
		}
		if len(k) > maxSimpleKey {
			return false
		}
		start := len(w.buf)
		if !w.str(k, -1) {
			return false
		}
		col := indent + len(w.buf) - start + 2
		switch v := e.value.(type) {
		case map[string]any:
			if len(v) == 0 {
				w.buf = append(w.buf, ": {}\n"...)
				continue
			}
			w.buf = append(w.buf, ":\n"...)
			if !w.mapping(v, indent+2, false) {
				return false
			}
		case []any:
			if len(v) == 0 {
				w.buf = append(w.buf, ": []\n"...)
				continue
			}
			w.buf = append(w.buf, ":\n"...)
			if !w.sequence(v, indent, false) {
				return false
			}
		default:
			w.buf = append(w.buf, ": "...)
			if !w.scalar(v, col) {
				return false
			}
			w.buf = append(w.buf, '\n')
		}
	}
	return true
}

// entry is a key of a mapping and its value.
type entry struct {
	key   string
	value any
}

// sequence writes a sequence whose dashes are at indent; cont says the
// first item continues a line already started.
func (w *writer) sequence(s []any, indent int, cont bool) bool {
	if len(s) == 0 {
		w.buf = append(w.buf, "[]\n"...)
		return true
	}
	for i, it := range s {
		if i > 0 || !cont {
			w.indent(indent)
		}
		w.buf = append(w.buf, "- "...)
		switch v := it.(type) {
		case map[string]any:
			if !w.mapping(v, indent+2, true) {
				return false
			}
		case []any:
			if !w.sequence(v, indent+2, true) {
				return false
			}
		default:
			if !w.scalar(v, indent+2) {
				return false
			}
			w.buf = append(w.buf, '\n')
		}
	}
	return true
}

// scalar writes a scalar starting at column col.
func (w *writer) scalar(v any, col int) bool {
	switch x := v.(type) {
	case nil:
		w.buf = append(w.buf, "null"...)
	case string:
		return w.str(x, col)
	case bool:
		w.buf = strconv.AppendBool(w.buf, x)
	case int64:
		w.buf = strconv.AppendInt(w.buf, x, 10)
	case int:
		w.buf = strconv.AppendInt(w.buf, int64(x), 10)
	case int32:
		w.buf = strconv.AppendInt(w.buf, int64(x), 10)
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
		w.buf = append(w.buf, s...)
	default:
		return false
	}
	return true
}

// str writes s as a plain, single-quoted or double-quoted scalar starting
// at column col; col < 0 is a key, which is never folded.
func (w *writer) str(s string, col int) bool {
	if s == "" {
		w.buf = append(w.buf, `""`...)
		return true
	}
	spaces := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' {
			return false // line breaks, tabs, control and non-ASCII characters
		}
		if c == ' ' {
			spaces = true
		}
	}
	style, ok := scalarStyle(s)
	if !ok {
		return false
	}
	start := len(w.buf)
	switch style {
	case plainStyle:
		w.buf = append(w.buf, s...)
	case singleQuoted:
		w.buf = append(w.buf, '\'')
		for i := 0; i < len(s); i++ {
			if s[i] == '\'' {
				w.buf = append(w.buf, '\'')
			}
			w.buf = append(w.buf, s[i])
		}
		w.buf = append(w.buf, '\'')
	case doubleQuoted:
		w.buf = append(w.buf, '"')
		for i := 0; i < len(s); i++ {
			if s[i] == '"' || s[i] == '\\' {
				w.buf = append(w.buf, '\\')
			}
			w.buf = append(w.buf, s[i])
		}
		w.buf = append(w.buf, '"')
	}
	// A scalar with a space may be folded once it passes the line width;
	// one that ends within it never is.
	if spaces && col >= 0 && col+len(w.buf)-start > foldWidth {
		return false
	}
	return true
}

type style int

const (
	plainStyle style = iota
	singleQuoted
	doubleQuoted
)

// scalarStyle returns the style go-yaml v2 gives a non-empty printable
// ASCII string in block context, or false when this writer leaves it to
// go-yaml.
func scalarStyle(s string) (style, bool) {
	switch str, sure := readsAsString(s); {
	case !sure:
		return 0, false
	case !str:
		return doubleQuoted, true
	}
	if plainInBlock(s) {
		return plainStyle, true
	}
	return singleQuoted, true
}

// plainInBlock reports whether a printable ASCII string may be written
// unquoted in block context: no leading or trailing space, no indicator
// at its start, no ": " or " #" inside and no document marker.
func plainInBlock(s string) bool {
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		return false
	}
	blankAfter := func(i int) bool { return i+1 >= len(s) || s[i+1] == ' ' }
	switch s[0] {
	case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	case '?', ':', '-':
		if blankAfter(0) {
			return false
		}
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case ':':
			if blankAfter(i) {
				return false
			}
		case '#':
			if s[i-1] == ' ' {
				return false
			}
		}
	}
	return true
}

// boolNullWords are the plain scalars YAML 1.1 (as go-yaml v2 reads it)
// takes for booleans, null, infinities and NaN. (The merge key << is
// written plain: go-yaml looks words up only by their first character.)
var boolNullWords = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"n": true, "N": true, "no": true, "No": true, "NO": true,
	"true": true, "True": true, "TRUE": true,
	"false": true, "False": true, "FALSE": true,
	"on": true, "On": true, "ON": true,
	"off": true, "Off": true, "OFF": true,
	"~": true, "null": true, "Null": true, "NULL": true,
	".nan": true, ".NaN": true, ".NAN": true,
	".inf": true, ".Inf": true, ".INF": true,
	"+.inf": true, "+.Inf": true, "+.INF": true,
	"-.inf": true, "-.Inf": true, "-.INF": true,
}

// readsAsString reports whether go-yaml v2 reads the plain scalar s back
// as the string s (str), and whether this function is sure of it (sure):
// strings that might be timestamps or sexagesimal numbers are not decided
// here.
func readsAsString(s string) (str, sure bool) {
	if boolNullWords[s] {
		return false, true
	}
	c := s[0]
	switch {
	case c == '.':
		_, err := strconv.ParseFloat(s, 64)
		return err != nil, true
	case c == '+' || c == '-' || c >= '0' && c <= '9':
	default:
		return true, true
	}
	// A number, a timestamp (four digits and a dash) or a sexagesimal
	// number (with a colon) in YAML 1.1.
	if strings.IndexByte(s, ':') >= 0 || len(s) > 4 && s[4] == '-' {
		return false, false
	}
	plain := strings.ReplaceAll(s, "_", "")
	if mayBeInt(plain) {
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return false, true
		}
		if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return false, true
		}
	}
	if yamlFloat(plain) {
		if _, err := strconv.ParseFloat(plain, 64); err == nil {
			return false, true
		}
	}
	switch {
	case strings.HasPrefix(plain, "0b"):
		_, err := strconv.ParseInt(plain[2:], 2, 64)
		_, uerr := strconv.ParseUint(plain[2:], 2, 64)
		return err != nil && uerr != nil, true
	case strings.HasPrefix(plain, "-0b"):
		_, err := strconv.ParseInt("-"+plain[3:], 2, 64)
		return err != nil, true
	}
	return true, true
}

// mayBeInt reports whether s has the form of an integer strconv.ParseInt
// or ParseUint may read with base 0: a sign, then digits, or 0x, 0o or 0b
// and digits of that base. Others cannot parse, so strings such as 50m,
// 64Mi or -c are not given to them: their errors allocate.
func mayBeInt(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	digit := func(c byte) bool { return c >= '0' && c <= '9' }
	if len(s) >= 2 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X':
			digit = func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
			s = s[2:]
		case 'o', 'O', 'b', 'B':
			s = s[2:]
		}
	}
	for i := 0; i < len(s); i++ {
		if !digit(s[i]) {
			return false
		}
	}
	return true
}

// yamlFloat reports whether s has the form of a YAML 1.1 float:
// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
func yamlFloat(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// compareKeys orders mapping keys as go-yaml v2 does: letters after
// other characters, runs of digits by their number, otherwise by code
// point, a prefix first.
func compareKeys(a, b string) int {
	// Most keys differ first at a letter: past an equal prefix (which
	// decodes to the same runes in both, as the next bytes are ASCII), two
	// letters compare by code point. An ASCII key that is a prefix of the
	// other sorts first.
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	switch {
	case i == len(a) || i == len(b):
		if isASCII(a[:i]) {
			return cmp.Compare(len(a), len(b))
		}
	case asciiLetter(a[i]) && asciiLetter(b[i]):
		return cmp.Compare(a[i], b[i])
	}
	if keyLess(a, b) {
		return -1
	}
	if keyLess(b, a) {
		return 1
	}
	return 0
}

func keyLess(a, b string) bool {
	if isASCII(a) && isASCII(b) {
		return codeLess(unsafe.Slice(unsafe.StringData(a), len(a)), unsafe.Slice(unsafe.StringData(b), len(b)))
	}
	return codeLess([]rune(a), []rune(b))
}

// codeLess is keyLess on the code points of the two keys.
func codeLess[T byte | rune](ar, br []T) bool {
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		al, bl := unicode.IsLetter(rune(ar[i])), unicode.IsLetter(rune(br[i]))
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			return bl
		}
		// Compare the runs of digits starting here as numbers; a run
		// starting with 0 inside a number is taken as continuing it.
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			for j := i - 1; j >= 0 && unicode.IsDigit(rune(ar[j])); j-- {
				if ar[j] != '0' {
					an, bn = 1, 1
					break
				}
			}
		}
		ai, bi := i, i
		for ; ai < len(ar) && unicode.IsDigit(rune(ar[ai])); ai++ {
			an = an*10 + int64(rune(ar[ai])-'0')
		}
		for ; bi < len(br) && unicode.IsDigit(rune(br[bi])); bi++ {
			bn = bn*10 + int64(rune(br[bi])-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}

func asciiLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
