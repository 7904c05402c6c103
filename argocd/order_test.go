package argocd

import (
	"slices"
	"testing"
)

func TestHoist(t *testing.T) {
	tasks := []*Entry{
		{Phase: PreSync, Wave: 0, Group: "example.com", Kind: "Widget", Name: "w", Namespace: "apps"},
		{Phase: Sync, Wave: 0, Kind: "ConfigMap", Name: "c", Namespace: "apps"},
		{Phase: Sync, Wave: 5, Kind: "Namespace", Name: "apps"},
		{Phase: Sync, Wave: 1, Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition", Name: "widgets.example.com", Defines: "example.com/Widget"},
		{Phase: Sync, Wave: 9, Kind: "Namespace", Name: "unused"},
	}
	slices.SortStableFunc(tasks, Compare)
	moves := Hoist(tasks, func(e *Entry) Entry { return *e }, func(e *Entry, s Step) { e.Phase, e.Wave = s.Phase, s.Wave })
	var got []string
	for _, e := range tasks {
		got = append(got, Step{e.Phase, e.Wave}.String()+" "+e.Kind)
	}
	want := []string{
		"PreSync wave 0 Namespace",
		"PreSync wave 0 CustomResourceDefinition",
		"PreSync wave 0 Widget",
		"Sync wave 0 ConfigMap",
		"Sync wave 9 Namespace",
	}
	if !slices.Equal(got, want) {
		t.Errorf("order:\ngot  %q\nwant %q", got, want)
	}
	if len(moves) != 2 || !moves[0].Namespace || moves[0].From != (Step{Sync, 5}) || moves[0].User.Kind != "Widget" ||
		moves[1].Namespace || moves[1].From != (Step{Sync, 1}) || moves[1].User.Kind != "Widget" {
		t.Errorf("moves %+v", moves)
	}
}
