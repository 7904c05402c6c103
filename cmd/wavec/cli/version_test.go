package cli

import (
	"runtime/debug"
	"testing"
)

func TestVersionOf(t *testing.T) {
	vcs := []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "7fb8044c0ffee"},
		{Key: "vcs.modified", Value: "true"},
	}
	for _, c := range []struct {
		name, linked string
		bi           *debug.BuildInfo
		want         string
	}{
		{"no build information", "", nil, "devel"},
		{"go install of a tag", "", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3 (go1.26.0)"},
		{"a build in a work tree", "", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: vcs}, "devel (revision 7fb8044c0ffee, modified, go1.26.0)"},
		{"clean work tree", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261130-7fb8044c0ffe"}, Settings: vcs[:2]}, "v0.0.0-20261130-7fb8044c0ffe (revision 7fb8044c0ffee)"},
		{"link-time version wins", "v2.0.0", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v2.0.0"},
	} {
		if got := versionOf(c.linked, c.bi); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}
