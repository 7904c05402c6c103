package importer

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/wavec/wavec/lang/syntax"
)

// namePattern is a name token of the .wave language (grammar.md, Lexical
// structure): a letter or `_` first, or a digit first when a `-` follows
// the first part.
var namePattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9][A-Za-z0-9_]*-[A-Za-z0-9_]+)(?:(?:--|-|\.)[A-Za-z0-9_]+)*$`)
})

// keywords are the names with a fixed meaning; a name made for an object
// declaration, a container or a volume is never one of them.
var keywords = slices.Concat([]string{
	"pipeline", "in", "param", "object", "from", "wave", "after", "delete", "timeout", "retries",
	"external", "on", "true", "false", "volume",
}, syntax.KindKeywords, []string{
	"presync", "sync", "postsync", "syncfail", "predelete", "postdelete", "skip",
	"http", "tcp", "grpc", "exec",
})

// isName reports whether s can be written as a bare name.
func isName(s string) bool {
	return namePattern().MatchString(s) && !slices.Contains(keywords, s)
}

// isDeclName reports whether s can be written as the name of a typed
// declaration, and after a kind word in a reference: a keyword can, since
// the grammar reads the name after a kind word as a name (`pod pod`,
// `presync < pod pod >`, `env_from = [configmap after]`).
func isDeclName(s string) bool {
	return namePattern().MatchString(s)
}

// safeName turns s into a bare name: characters a name cannot hold become
// `-`, and a name that would still not be valid gets a prefix.
func safeName(s, prefix string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	n := strings.Trim(regexp.MustCompile(`[-.]{2,}`).ReplaceAllString(b.String(), "-"), "-.")
	if isName(n) {
		return n
	}
	if n == "" {
		return prefix
	}
	if n = prefix + "-" + n; isName(n) {
		return n
	}
	return prefix
}

// quote writes s as a one-line string: escapes for quotes, backslashes and
// control characters, and `$${` for a literal `${`.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '$' && strings.HasPrefix(s[i:], "${"):
			b.WriteString("$$")
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// key writes a map or data key: bare when it is a name without dots and
// not one of reserved, quoted otherwise (`"app.properties"`).
func key(s string, reserved ...string) string {
	if isName(s) && !strings.Contains(s, ".") && !slices.Contains(reserved, s) {
		return s
	}
	return quote(s)
}

// stringValue writes a value: a multi-line raw string for text of several
// lines that ends with a line break, a one-line string otherwise.
func stringValue(s, indent string) string {
	if !strings.HasSuffix(s, "\n") || strings.Count(s, "\n") < 2 || !rawSafe(s) {
		return quote(s)
	}
	return rawString(s, indent)
}

// rawSafe reports whether s can be written between `"""` lines as it is.
func rawSafe(s string) bool {
	if strings.Contains(s, `"""`) || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (r < 0x20 && r != '\n') || r == 0x7f {
			return false
		}
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if strings.TrimRight(l, " ") != l {
			return false // trailing blanks would not survive formatting
		}
	}
	return true
}

// rawString writes s (ending in a line break) as a `"""` string whose lines
// are indented by indent+two spaces, `${` written as `$${`.
func rawString(s, indent string) string {
	var b strings.Builder
	b.WriteString("\"\"\"\n")
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if l != "" {
			b.WriteString(indent + "  " + strings.ReplaceAll(l, "${", "$${"))
		}
		b.WriteByte('\n')
	}
	b.WriteString(indent + "  \"\"\"")
	return b.String()
}

// stringMap writes a map of strings as a block, keys sorted.
func stringMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = key(k) + " = " + quote(m[k])
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}
