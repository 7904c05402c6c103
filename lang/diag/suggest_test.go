package diag

import "testing"

func TestSuggest(t *testing.T) {
	cands := []string{"deployment", "service", "version", "PreSync"}
	cases := map[string]string{
		"deploymnt":  "deployment",
		"Deployment": "deployment",
		"verison":    "version",
		"presynk":    "PreSync",
		"service":    "", // itself is not a suggestion
		"zzz":        "",
		"ingress":    "",
	}
	for in, want := range cases {
		if got := Suggest(in, cands); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
	if d := EditDistance("kitten", "sitting"); d != 3 {
		t.Errorf("EditDistance = %d, want 3", d)
	}
}
