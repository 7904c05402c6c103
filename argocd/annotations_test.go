package argocd

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestEncodeDecode checks that Decode reads back what Encode writes, with
// no warning (but for a hook Argo CD never runs), and that Encode writes Argo CD's spelling.
func TestEncodeDecode(t *testing.T) {
	tests := []struct {
		name string
		a    Annotations
		want map[string]string
	}{
		{"plain resource", Annotations{Phases: []Phase{Sync}}, map[string]string{}},
		{"plain resource in a wave", Annotations{Phases: []Phase{Sync}, Wave: -3},
			map[string]string{AnnotationSyncWave: "-3"}},
		{"presync hook", Annotations{Hook: true, Phases: []Phase{PreSync}, DeletePolicies: []DeletePolicy{BeforeHookCreation}, Wave: 2},
			map[string]string{AnnotationHook: "PreSync", AnnotationDeletePolicy: "BeforeHookCreation", AnnotationSyncWave: "2"}},
		{"hook in several phases", Annotations{Hook: true, Phases: []Phase{PreSync, PostSync}, DeletePhases: []Phase{PostDelete}, DeletePolicies: []DeletePolicy{HookSucceeded, HookFailed}},
			map[string]string{AnnotationHook: "PreSync,PostSync,PostDelete", AnnotationDeletePolicy: "HookSucceeded,HookFailed"}},
		{"delete hook only", Annotations{Hook: true, DeletePhases: []Phase{PreDelete}, DeletePolicies: []DeletePolicy{BeforeHookCreation}},
			map[string]string{AnnotationHook: "PreDelete", AnnotationDeletePolicy: "BeforeHookCreation"}},
		{"hook without a known type", Annotations{Hook: true, DeletePolicies: []DeletePolicy{BeforeHookCreation}},
			map[string]string{AnnotationHook: "", AnnotationDeletePolicy: "BeforeHookCreation"}},
		{"skip", Annotations{Skip: true}, map[string]string{AnnotationHook: "Skip"}},
		{"skip with a delete hook", Annotations{Skip: true, DeletePhases: []Phase{PostDelete}},
			map[string]string{AnnotationHook: "PostDelete,Skip"}},
		{"sync options", Annotations{Phases: []Phase{Sync}, Options: SyncOptions{Prune: RemoveNever, Delete: RemoveNever, Replace: Off, ServerSideApply: On}, KeepOnDelete: true},
			map[string]string{AnnotationSyncOptions: "Prune=false,Delete=false,Replace=false,ServerSideApply=true"}},
		{"helm keep", Annotations{Phases: []Phase{Sync}, KeepOnDelete: true},
			map[string]string{AnnotationHelmResource: "keep"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Encode(tt.a)
			if !maps.Equal(got, tt.want) {
				t.Errorf("Encode = %v, want %v", got, tt.want)
			}
			back, warn := Decode(got)
			if len(warn) > 0 && !inert(tt.a) {
				t.Errorf("Decode warns %q", warn)
			}
			if !reflect.DeepEqual(back, tt.a) {
				t.Errorf("Decode(Encode(a)) = %+v, want %+v", back, tt.a)
			}
		})
	}
}

// inert reports a hook with no hook type Argo CD runs, about which Decode
// always warns.
func inert(a Annotations) bool {
	return a.Hook && len(a.Phases) == 0 && len(a.DeletePhases) == 0
}

// TestDecodeEveryOption checks that every per-resource sync option is read
// back by its own text and written again the same way.
func TestDecodeEveryOption(t *testing.T) {
	for _, text := range syncOptionNames {
		a, warn := Decode(map[string]string{AnnotationSyncOptions: text})
		if len(warn) > 0 || a.Options.String() != text {
			t.Errorf("%s: read as %q, warnings %q", text, a.Options.String(), warn)
		}
	}
}

// FuzzDecodeEncode checks, for any annotations, that what Decode makes of
// them survives Encode and Decode unchanged and, unless the hook is never
// run, without warnings.
func FuzzDecodeEncode(f *testing.F) {
	f.Add("PreSync,PostSync", "3", "HookSucceeded", "Prune=false,PruneLast=true", "", "", "", "")
	f.Add("", "x", "", "", "pre-install,post-delete", "5", "hook-failed", "keep")
	f.Add("Skip,PreDelete", "", "HookFailed", "Delete=false", "", "", "", "")
	f.Add("Sync, Sync ,", "-0", "BeforeHookCreation,HookFailed", "Replace=true,Force=true", "test", "+2", "", "")
	f.Fuzz(func(t *testing.T, hook, wave, policy, options, helmHook, helmWeight, helmDelete, helmResource string) {
		ann := map[string]string{}
		for k, v := range map[string]string{
			AnnotationHook: hook, AnnotationSyncWave: wave, AnnotationDeletePolicy: policy,
			AnnotationSyncOptions: options, AnnotationHelmHook: helmHook, AnnotationHelmWeight: helmWeight,
			AnnotationHelmDelete: helmDelete, AnnotationHelmResource: helmResource,
		} {
			if v != "" {
				ann[k] = v
			}
		}
		a, warns := Decode(ann)
		for _, w := range warns {
			if _, ok := ann[w.Annotation]; !ok {
				t.Fatalf("warning %q is about %s, which %v does not have", w, w.Annotation, ann)
			}
		}
		enc := Encode(a)
		back, warn := Decode(enc)
		if len(warn) > 0 && !inert(a) {
			t.Fatalf("Decode(%v) warns %q", enc, warn)
		}
		if !reflect.DeepEqual(back, a) {
			t.Fatalf("annotations %v\nread as  %+v\nwritten  %v\nread as  %+v", ann, a, enc, back)
		}
		for k := range enc {
			if !slices.Contains(OrderingAnnotations, k) && k != AnnotationSyncOptions && k != AnnotationHelmResource {
				t.Fatalf("Encode wrote %s", k)
			}
			if strings.HasPrefix(k, "helm.sh/") && k != AnnotationHelmResource {
				t.Fatalf("Encode wrote Helm's %s", k)
			}
		}
	})
}

func TestKeywords(t *testing.T) {
	for _, p := range Phases {
		if q, ok := ParsePhaseKeyword(p.Keyword()); !ok || q != p {
			t.Errorf("phase %s: keyword %q reads as %s", p, p.Keyword(), q)
		}
		if q, ok := ParsePhase(p.String()); !ok || q != p {
			t.Errorf("phase %s does not read back", p)
		}
	}
	for _, w := range DeletePolicyKeywords {
		d, ok := ParseDeletePolicyKeyword(w)
		if !ok || d.Keyword() != w {
			t.Errorf("policy keyword %q reads as %v", w, d)
		}
		if e, ok := ParseDeletePolicy(d.String()); !ok || e != d {
			t.Errorf("policy %s does not read back", d)
		}
	}
}

// TestDecodeForeignOrder: the ordering annotations of other deployment
// tools, which Argo CD ignores, are reported once per object, at the first
// of them.
func TestDecodeForeignOrder(t *testing.T) {
	for _, tc := range []struct {
		ann  map[string]string
		want string // the annotation warned about, or ""
	}{
		{map[string]string{"kapp.k14s.io/change-rule": "upsert after upserting db", "kapp.k14s.io/change-rule.1": "delete before deleting db"}, "kapp.k14s.io/change-rule"},
		{map[string]string{"kapp.k14s.io/change-rule.2": "upsert after upserting db"}, "kapp.k14s.io/change-rule.2"},
		{map[string]string{"config.kubernetes.io/depends-on": "apps/namespaces/ns/Deployment/db"}, "config.kubernetes.io/depends-on"},
		{map[string]string{"kapp.k14s.io/change-group": "db"}, ""},
		{map[string]string{"kapp.k14s.io/change-rules": "x"}, ""},
	} {
		_, warn := Decode(tc.ann)
		var got []string
		for _, w := range warn {
			got = append(got, w.Annotation)
			if !strings.Contains(w.Message, "Argo CD ignores it") || !strings.Contains(w.Message, AnnotationSyncWave) {
				t.Errorf("%v: message %q", tc.ann, w.Message)
			}
		}
		want := []string{}
		if tc.want != "" {
			want = []string{tc.want}
		}
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%v: warned about %v, want %v", tc.ann, got, want)
		}
	}
}
