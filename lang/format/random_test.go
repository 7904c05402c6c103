package format

import (
	"flag"
	"math/rand"
	"strings"
	"testing"

	"github.com/wavec/wavec/lang/diag"
	"github.com/wavec/wavec/lang/syntax"
)

var (
	randomCount = flag.Int("random", 400, "how many random programs TestRandomPrograms formats")
	randomSeed  = flag.Int64("random.seed", 1, "the seed of TestRandomPrograms' generator")
)

// TestRandomPrograms formats programs generated from the grammar with random
// layout: any whitespace, blank lines and comments between tokens, and
// separators written or left out where the grammar allows. Byte-level
// fuzzing rarely produces such programs; they are what stresses the
// printer's placement of comments and its choice of separators. Programs
// that do not parse (an optional separator left out can make one
// ambiguous) are skipped.
func TestRandomPrograms(t *testing.T) {
	n := *randomCount
	if testing.Short() {
		n /= 10
	}
	r := rand.New(rand.NewSource(*randomSeed))
	parsed := 0
	for i := 0; i < n; i++ {
		g := &generator{r: r}
		src := g.file()
		if !parses(src) {
			continue
		}
		parsed++
		t.Run("", func(t *testing.T) { checkFormat(t, src) })
	}
	t.Logf("%d of %d random programs parse", parsed, n)
	if parsed < n/2 {
		t.Errorf("only %d of %d random programs parse; the generator has drifted from the grammar", parsed, n)
	}
}

// generator writes a random program token by token.
type generator struct {
	r     *rand.Rand
	b     strings.Builder
	depth int
}

func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

func (g *generator) pick(words ...string) string { return words[g.r.Intn(len(words))] }

// tok writes a token preceded by random layout.
func (g *generator) tok(s string) {
	if g.b.Len() > 0 {
		switch x := g.r.Intn(20); {
		case x < 11:
			g.b.WriteByte(' ')
		case x < 14:
			g.b.WriteString("\n" + strings.Repeat("  ", g.r.Intn(3)))
		case x < 15:
			g.b.WriteString("\n\n\t")
		case x < 17:
			g.b.WriteString(" // c" + g.pick("", "1", " two words", "// more", " 日本") + "\n")
		case x < 18:
			g.b.WriteString("\n// own line\n")
		case x < 19:
			g.b.WriteString("\t \r\n")
		default:
			// Tokens that need no space between them may touch.
			last := g.b.String()[g.b.Len()-1]
			if !isWordByte(last) || !isWordByte(s[0]) {
				break
			}
			g.b.WriteByte(' ')
		}
	}
	g.b.WriteString(s)
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || c == '.' || c == '"' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func (g *generator) file() []byte {
	for n := g.r.Intn(6); n > 0; n-- {
		g.decl()
	}
	if g.chance(0.3) {
		g.b.WriteString(g.pick("\n// end", "// end\n", "\n\n// end\n\n"))
	}
	return []byte(g.b.String())
}

func (g *generator) decl() {
	switch g.r.Intn(7) {
	case 0:
		g.tok("pipeline")
		g.name()
		g.tok("in")
		g.name()
		if g.chance(0.5) {
			g.block()
		}
	case 1:
		g.tok("param")
		g.name()
		g.tok("=")
		g.value()
	case 2:
		g.tok("wave")
		g.tok(g.pick("0", "1", "-1", "10"))
		g.members()
	case 3:
		g.hook()
	case 4:
		g.object()
	default:
		g.resource()
	}
}

func (g *generator) name() {
	g.tok(g.pick("a", "app", "agent-config", "widgets.example.com", "x_1", "on-success"))
}

func (g *generator) kind() {
	g.tok(g.pick("configmap", "secret", "serviceaccount", "deployment", "statefulset", "daemonset", "service", "ingress", "pvc", "job", "cronjob",
		"hpa", "pdb", "networkpolicy", "role", "clusterrole", "rolebinding", "clusterrolebinding"))
}

func (g *generator) resource() {
	g.kind()
	g.name()
	if g.chance(0.2) {
		g.tok("external")
	}
	if g.chance(0.2) {
		g.after()
	}
	if g.chance(0.6) {
		g.block()
	}
}

func (g *generator) object() {
	g.tok("object")
	g.name()
	switch g.r.Intn(3) {
	case 0:
		g.tok("from")
		g.str()
	case 1:
		g.tok("=")
		g.str()
	}
	if g.chance(0.2) {
		g.after()
	}
}

func (g *generator) after() {
	g.tok("after")
	for i := g.r.Intn(3); ; i-- {
		if g.chance(0.5) {
			g.tok(g.pick("job", "configmap", "object"))
		}
		g.name()
		if i <= 0 {
			return
		}
		g.tok(",")
	}
}

func (g *generator) hook() {
	for i := g.r.Intn(2); ; i-- {
		g.tok(g.pick("presync", "sync", "postsync", "syncfail", "predelete", "postdelete", "skip"))
		if i <= 0 {
			break
		}
		g.tok(",")
	}
	if g.chance(0.3) {
		g.tok("wave")
		g.tok(g.pick("-1", "2"))
	}
	if g.chance(0.5) {
		g.members()
	} else {
		g.member()
	}
	for n := g.r.Intn(3); n > 0; n-- {
		switch g.r.Intn(4) {
		case 0:
			g.tok("delete")
			g.tok(g.pick("on-success", "on-failure", "before-create"))
			if g.chance(0.4) {
				g.tok(",")
				g.tok("on-failure")
			}
		case 1:
			g.tok("timeout")
			g.tok(g.pick("5m", "1h30m", "t"))
		case 2:
			g.tok("retries")
			g.tok(g.pick("2", "n"))
		default:
			g.after()
		}
	}
}

func (g *generator) members() {
	g.tok("<")
	g.depth++
	for n := g.r.Intn(4); n > 0; n-- {
		g.member()
		if g.chance(0.6) {
			g.tok(",")
		}
	}
	g.depth--
	g.tok(">")
}

func (g *generator) member() {
	switch g.r.Intn(5) {
	case 0:
		g.tok(g.pick("migrate", "job", "external", "after", "from", "object"))
	case 1:
		g.object()
	default:
		g.resource()
	}
}

func (g *generator) block() {
	g.tok("{")
	g.depth++
	for n := g.r.Intn(5); n > 0; n-- {
		if g.chance(0.2) {
			g.str()
		} else {
			g.tok(g.pick("image", "run", "env", "on", "a", "LONG_KEY_NAME"))
		}
		if g.chance(0.15) && g.depth < 4 {
			g.block()
		} else {
			g.tok("=")
			g.value()
		}
		if g.chance(0.5) {
			g.tok(g.pick(";", ","))
		}
	}
	g.depth--
	g.tok("}")
}

func (g *generator) value() {
	g.primary()
	if g.chance(0.15) {
		g.tok("->")
		g.primary()
	}
}

func (g *generator) primary() {
	n := 9
	if g.depth >= 4 {
		n = 5
	}
	switch g.r.Intn(n) {
	case 0:
		g.str()
	case 1:
		g.tok(g.pick("5m", "500m", "10Gi", "1h30m"))
	case 2:
		g.tok(g.pick("1", "-1", "0.5", "8000"))
	case 3:
		g.tok(g.pick("true", "false"))
	case 4:
		g.tok(g.pick("image", "http_port", "x"))
	case 5:
		g.list()
	case 6:
		g.block()
	case 7:
		g.probe()
	default:
		g.tok(g.pick("configmap", "secret", "object", "pvc"))
		g.name()
	}
}

func (g *generator) list() {
	g.tok("[")
	g.depth++
	for n := g.r.Intn(4); n > 0; n-- {
		g.value()
		if g.chance(0.7) {
			g.tok(g.pick(",", ";"))
		}
	}
	g.depth--
	g.tok("]")
}

func (g *generator) probe() {
	g.tok(g.pick("http", "tcp", "grpc", "exec"))
	if g.chance(0.5) {
		g.str()
	}
	if g.chance(0.3) {
		g.list()
	}
	if g.chance(0.5) {
		g.tok("on")
		g.tok(g.pick("8000", "http", "web"))
	}
}

func (g *generator) str() {
	switch g.r.Intn(5) {
	case 0:
		g.tok("\"\"\"\n  kind: X\n    nested: \"q\"\n\n  \"\"\"")
	case 1:
		g.tok("\"\"\"one line\"\"\"")
	case 2:
		g.tok("\"\"\"\nkind: Y\n\"\"\"")
	default:
		g.tok(g.pick(`"x"`, `"/health"`, `"tab\there"`, `"${image}"`, `"日本語"`, `""`))
	}
}

func parses(src []byte) bool {
	_, diags := syntaxParse(src)
	return len(diags) == 0
}

func syntaxParse(src []byte) (*syntax.File, diag.List) { return syntax.Parse("in.wave", src) }
