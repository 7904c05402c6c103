// Package order compares two task orders of a sync, up to what Argo CD
// itself leaves to chance.
//
// Argo CD sorts tasks by phase, wave, kind and name with an unstable sort of
// a list built from a map, so tasks equal in all four (the same kind and
// name in two namespaces or groups) come in any order, and a Namespace or
// CustomResourceDefinition moved before its first user lands before
// whichever of such tied users comes first. Equal reports whether two
// orders agree on everything else.
package order

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/wavec/wavec/conformance/engine"
)

// key is what Argo CD sorts by, besides the phase and wave.
type key struct {
	phase string
	wave  int
	kind  string
	name  string
}

func keyOf(t engine.Task) key { return key{t.Phase, t.Wave, t.Kind, t.Name} }

func isDep(t engine.Task) bool {
	return (t.Kind == "Namespace" && t.Group == "") ||
		(t.Kind == "CustomResourceDefinition" && t.Group == "apiextensions.k8s.io")
}

// dep is a Namespace or CRD task with the run of tasks it comes before.
type dep struct {
	task engine.Task
	run  int // index of the run of the next other task; len(runs) at the end
}

// canonical splits an order into runs of tied tasks, each sorted by
// namespace and group, and the dependency tasks, each placed by the run
// it precedes.
func canonical(ts []engine.Task) ([][]engine.Task, []dep) {
	var runs [][]engine.Task
	var deps []dep
	var pending []engine.Task
	for _, t := range ts {
		if isDep(t) {
			pending = append(pending, t)
			continue
		}
		if n := len(runs); n == 0 || len(pending) > 0 || keyOf(runs[n-1][0]) != keyOf(t) {
			runs = append(runs, nil)
		}
		for _, p := range pending {
			deps = append(deps, dep{task: p, run: len(runs) - 1})
		}
		pending = nil
		runs[len(runs)-1] = append(runs[len(runs)-1], t)
	}
	for _, p := range pending {
		deps = append(deps, dep{task: p, run: len(runs)})
	}
	// A dependency placed before a tie could have been placed before any
	// task of it: join the runs it split.
	runs, deps = joinTies(runs, deps)
	for _, r := range runs {
		slices.SortFunc(r, func(a, b engine.Task) int {
			return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Group, b.Group))
		})
	}
	// Dependencies before the same tie are in an order left to chance.
	slices.SortStableFunc(deps, func(a, b dep) int {
		if a.run != b.run {
			return cmp.Compare(a.run, b.run)
		}
		if a.run < len(runs) && len(runs[a.run]) > 1 {
			return strings.Compare(a.task.String(), b.task.String())
		}
		return 0
	})
	// So are equal dependencies (a Namespace hook and the namespace the
	// sync option CreateNamespace=true adds).
	for i := 0; i < len(deps); {
		j := i + 1
		for j < len(deps) && deps[j].run == deps[i].run && keyOf(deps[j].task) == keyOf(deps[i].task) {
			j++
		}
		slices.SortFunc(deps[i:j], func(a, b dep) int { return strings.Compare(a.task.String(), b.task.String()) })
		i = j
	}
	return runs, deps
}

// joinTies merges consecutive runs with the same key (split by a
// dependency in between) and renumbers the dependencies.
func joinTies(runs [][]engine.Task, deps []dep) ([][]engine.Task, []dep) {
	index := make([]int, len(runs)+1)
	var out [][]engine.Task
	for i, r := range runs {
		if n := len(out); n > 0 && keyOf(out[n-1][0]) == keyOf(r[0]) {
			out[n-1] = append(out[n-1], r...)
		} else {
			out = append(out, r)
		}
		index[i] = len(out) - 1
	}
	index[len(runs)] = len(out)
	for i := range deps {
		deps[i].run = index[deps[i].run]
	}
	return out, deps
}

// Diff returns "" when want and got agree up to chance, else a readable
// description of the first difference with both orders.
func Diff(want, got []engine.Task) string {
	wr, wd := canonical(want)
	gr, gd := canonical(got)
	var problem string
	switch {
	case len(want) != len(got):
		problem = fmt.Sprintf("%d tasks, want %d", len(got), len(want))
	case len(wr) != len(gr):
		problem = fmt.Sprintf("%d groups of tasks, want %d", len(gr), len(wr))
	case len(wd) != len(gd):
		problem = fmt.Sprintf("%d namespaces and CRDs, want %d", len(gd), len(wd))
	}
	if problem == "" {
		for i := range wr {
			if !slices.Equal(wr[i], gr[i]) {
				problem = fmt.Sprintf("tasks %v, want %v", gr[i], wr[i])
				break
			}
		}
	}
	if problem == "" {
		for i := range wd {
			if wd[i] != gd[i] {
				problem = fmt.Sprintf("%v before group %d, want %v before group %d", gd[i].task, gd[i].run, wd[i].task, wd[i].run)
				break
			}
		}
	}
	if problem == "" {
		return ""
	}
	return problem + "\n" + sideBySide(want, got)
}

func sideBySide(want, got []engine.Task) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %-60s %s\n", "Argo CD's engine", "wavec plan")
	for i := range max(len(want), len(got)) {
		var w, g string
		if i < len(want) {
			w = want[i].String()
		}
		if i < len(got) {
			g = got[i].String()
		}
		mark := " "
		if w != g {
			mark = "*"
		}
		fmt.Fprintf(&b, "%s %-60s %s\n", mark, w, g)
	}
	return b.String()
}
