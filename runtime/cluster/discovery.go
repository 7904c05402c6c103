package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// discoveryTimeout bounds one discovery request when the configuration
// sets no timeout, as client-go's discovery client does.
const discoveryTimeout = 32 * time.Second

// discovery reads what an API server serves (/version, /api, /apis and
// the resource lists of each group version) with plain REST requests.
// client-go's discovery client would do the same, but it links the typed
// clientset's scheme of every built-in kind, whose registration is the
// largest part of wavec's start-up.
type discovery struct {
	rest rest.Interface
}

// newDiscovery returns the discovery of the API server of cfg.
func newDiscovery(cfg *rest.Config) (*discovery, error) {
	rc, err := unversionedClient(cfg)
	if err != nil {
		return nil, err
	}
	return &discovery{rest: rc}, nil
}

// unversionedClient returns a REST client of cfg for absolute paths, that
// decodes JSON and the API server's errors without a typed scheme.
func unversionedClient(cfg *rest.Config) (*rest.RESTClient, error) {
	c := dynamic.ConfigFor(cfg)
	c.GroupVersion = nil
	c.APIPath = "/"
	if c.Timeout == 0 {
		c.Timeout = discoveryTimeout
	}
	return rest.UnversionedRESTClientFor(c)
}

// get decodes the JSON at path into v. Its errors are the server's
// Status, as client-go's discovery client returns them.
func (d *discovery) get(ctx context.Context, v any, path ...string) error {
	res := d.rest.Get().AbsPath(path...).Do(ctx)
	if err := res.Error(); err != nil {
		return err
	}
	data, err := res.Raw()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decoding %s: %w", strings.Join(path, "/"), err)
	}
	return nil
}

// serverVersion returns the API server's version. Its errors are those
// of client-go's discovery client, which does not decode a Status here.
func (d *discovery) serverVersion(ctx context.Context) (*version.Info, error) {
	data, err := d.rest.Get().AbsPath("version").Do(ctx).Raw()
	if err != nil {
		return nil, err
	}
	var info version.Info
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, fmt.Errorf("unable to parse the server version: %v", err)
	}
	return &info, nil
}

// resources returns the resources served in groupVersion ("v1" for the
// core group). A core group the server does not serve has no resources.
func (d *discovery) resources(ctx context.Context, groupVersion string) (*metav1.APIResourceList, error) {
	path := []string{"apis", groupVersion}
	if groupVersion == "v1" {
		path = []string{"api", "v1"}
	}
	list := &metav1.APIResourceList{GroupVersion: groupVersion}
	err := d.get(ctx, list, path...)
	if err != nil && groupVersion == "v1" && apierrors.IsNotFound(err) {
		return &metav1.APIResourceList{GroupVersion: groupVersion}, nil
	}
	if err != nil {
		return nil, err
	}
	return list, nil
}

// groups returns the API groups the server serves, the core group first.
// A server that serves no /api or /apis, or forbids reading them, serves
// no groups there.
func (d *discovery) groups(ctx context.Context) ([]metav1.APIGroup, error) {
	var core metav1.APIVersions
	if err := d.get(ctx, &core, "api"); err != nil && !apierrors.IsNotFound(err) && !apierrors.IsForbidden(err) {
		return nil, err
	}
	var groups []metav1.APIGroup
	if len(core.Versions) > 0 {
		g := metav1.APIGroup{PreferredVersion: metav1.GroupVersionForDiscovery{GroupVersion: core.Versions[0], Version: core.Versions[0]}}
		for _, v := range core.Versions {
			g.Versions = append(g.Versions, metav1.GroupVersionForDiscovery{GroupVersion: v, Version: v})
		}
		groups = append(groups, g)
	}
	var list metav1.APIGroupList
	if err := d.get(ctx, &list, "apis"); err != nil && !apierrors.IsNotFound(err) && !apierrors.IsForbidden(err) {
		return nil, err
	}
	return append(groups, list.Groups...), nil
}

// groupResources is a group and the resources of each of its versions.
type groupResources struct {
	group     metav1.APIGroup
	byVersion map[string][]metav1.APIResource
}

// allResources returns every group with the resources of its versions,
// reading the versions concurrently. A version whose resources cannot be
// read is left out (an aggregated API that is down must not stop the
// mapping of every other kind).
func (d *discovery) allResources(ctx context.Context) ([]groupResources, error) {
	groups, err := d.groups(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]groupResources, len(groups))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, g := range groups {
		out[i] = groupResources{group: g, byVersion: map[string][]metav1.APIResource{}}
		for _, v := range g.Versions {
			wg.Add(1)
			go func() {
				defer wg.Done()
				list, err := d.resources(ctx, v.GroupVersion)
				if err != nil {
					return
				}
				mu.Lock()
				out[i].byVersion[v.Version] = list.APIResources
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	return out, nil
}

// newRESTMapper maps the kinds of groups to their resources the way
// kubectl's discovery mapper does: the core group's v1 first, then the
// groups in the server's order, each at its preferred version before its
// other versions; subresources are not kinds.
func newRESTMapper(groups []groupResources) meta.RESTMapper {
	anyRes := func(group, version string) schema.GroupVersionResource {
		return schema.GroupVersionResource{Group: group, Version: version, Resource: meta.AnyResource}
	}
	anyKind := func(group, version string) schema.GroupVersionKind {
		return schema.GroupVersionKind{Group: group, Version: version, Kind: meta.AnyKind}
	}
	resPriority := []schema.GroupVersionResource{anyRes("", "v1")}
	kindPriority := []schema.GroupVersionKind{anyKind("", "v1")}
	var mappers meta.MultiRESTMapper
	for _, g := range groups {
		name, preferred := g.group.Name, g.group.PreferredVersion.Version
		if _, ok := g.byVersion[preferred]; ok && preferred != "" {
			resPriority = append(resPriority, anyRes(name, preferred))
			kindPriority = append(kindPriority, anyKind(name, preferred))
		}
		for _, v := range g.group.Versions {
			resources, ok := g.byVersion[v.Version]
			if !ok {
				continue
			}
			if v.Version != preferred {
				resPriority = append(resPriority, anyRes(name, v.Version))
				kindPriority = append(kindPriority, anyKind(name, v.Version))
			}
			gv := schema.GroupVersion{Group: name, Version: v.Version}
			m := meta.NewDefaultRESTMapper([]schema.GroupVersion{gv})
			for _, r := range resources {
				if strings.Contains(r.Name, "/") {
					continue
				}
				scope := meta.RESTScopeRoot
				if r.Namespaced {
					scope = meta.RESTScopeNamespace
				}
				plural, singular := gv.WithResource(r.Name), gv.WithResource(r.SingularName)
				if r.SingularName == "" {
					_, singular = meta.UnsafeGuessKindToResource(gv.WithKind(r.Kind))
				}
				m.AddSpecific(gv.WithKind(strings.ToLower(r.Kind)), plural, singular, scope)
				m.AddSpecific(gv.WithKind(r.Kind), plural, singular, scope)
				m.Add(gv.WithKind(r.Kind+"List"), scope)
			}
			m.Add(gv.WithKind("List"), meta.RESTScopeRoot)
			mappers = append(mappers, m)
		}
	}
	for _, g := range groups {
		resPriority = append(resPriority, anyRes(g.group.Name, meta.AnyVersion))
		kindPriority = append(kindPriority, anyKind(g.group.Name, meta.AnyVersion))
	}
	return &meta.PriorityRESTMapper{Delegate: mappers, ResourcePriority: resPriority, KindPriority: kindPriority}
}

// lazyMapper is a RESTMapper that reads discovery on first use and again
// after each Reset, so that commands that map no kind send no discovery
// requests.
type lazyMapper struct {
	disc *discovery

	mu       sync.Mutex
	delegate meta.RESTMapper
}

var _ meta.ResettableRESTMapper = (*lazyMapper)(nil)

// mapper returns the mapper of the current discovery, reading it if needed.
func (l *lazyMapper) mapper() (meta.RESTMapper, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.delegate != nil {
		return l.delegate, nil
	}
	groups, err := l.disc.allResources(context.Background())
	if err != nil {
		return nil, err
	}
	l.delegate = newRESTMapper(groups)
	return l.delegate, nil
}

// Reset forgets what discovery said.
func (l *lazyMapper) Reset() {
	l.mu.Lock()
	l.delegate = nil
	l.mu.Unlock()
}

func (l *lazyMapper) KindFor(r schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	m, err := l.mapper()
	if err != nil {
		return schema.GroupVersionKind{}, err
	}
	return m.KindFor(r)
}

func (l *lazyMapper) KindsFor(r schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
	m, err := l.mapper()
	if err != nil {
		return nil, err
	}
	return m.KindsFor(r)
}

func (l *lazyMapper) ResourceFor(r schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	m, err := l.mapper()
	if err != nil {
		return schema.GroupVersionResource{}, err
	}
	return m.ResourceFor(r)
}

func (l *lazyMapper) ResourcesFor(r schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
	m, err := l.mapper()
	if err != nil {
		return nil, err
	}
	return m.ResourcesFor(r)
}

func (l *lazyMapper) RESTMapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	m, err := l.mapper()
	if err != nil {
		return nil, err
	}
	return m.RESTMapping(gk, versions...)
}

func (l *lazyMapper) RESTMappings(gk schema.GroupKind, versions ...string) ([]*meta.RESTMapping, error) {
	m, err := l.mapper()
	if err != nil {
		return nil, err
	}
	return m.RESTMappings(gk, versions...)
}

func (l *lazyMapper) ResourceSingularizer(resource string) (string, error) {
	m, err := l.mapper()
	if err != nil {
		return "", err
	}
	return m.ResourceSingularizer(resource)
}
