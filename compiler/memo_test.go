package compiler_test

import (
	"testing"

	"github.com/wavec/wavec/compiler"
)

// TestRepeatedBadImage checks that an invalid image is reported at every
// place that names it, although the checker parses each image once.
func TestRepeatedBadImage(t *testing.T) {
	src := `pipeline p in ns
deployment a { image = "Bad Image" }
deployment b { image = "Bad Image" }
deployment c { image = "nginx:1.28" }
job d { image = "Bad Image" }
`
	_, diags := compiler.CompileSource("p.wave", []byte(src), nil)
	var lines []int
	for _, d := range diags {
		if d.Code == "E0407" {
			lines = append(lines, d.Subject.Start.Line)
		}
	}
	if len(lines) != 3 || lines[0] != 2 || lines[1] != 3 || lines[2] != 5 {
		t.Errorf("E0407 on lines %v, want 2, 3 and 5:\n%s", lines, diagText(diags))
	}
}
