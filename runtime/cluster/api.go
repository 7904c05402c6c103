package cluster

import (
	"context"
	"encoding/json"
	"io"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/conversion/queryparams"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// FieldManager is the server-side apply field manager wavec applies as.
const FieldManager = "wavec"

// API is every operation runtime/apply performs on an API server, the way
// gitops-engine injects its resource operations into its sync engine: the
// engine holds the logic (order, waits, hooks, timeouts, retries) and an
// API only carries requests. Clients.API returns the one that talks to a
// real API server; package fakecluster holds one in memory for tests.
//
// Errors are the API server's (k8s.io/apimachinery/pkg/api/errors), so the
// engine can tell NotFound, Conflict or TooManyRequests apart.
type API interface {
	// Mapping returns the resource of a kind, in one of versions (the
	// preferred version when none is given), as a meta.RESTMapper does.
	Mapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error)
	// ResetMapping forgets what Mapping learnt from discovery, so that the
	// kinds of newly created CustomResourceDefinitions can be found.
	ResetMapping()
	// Served lists the resources discovery serves in groupVersion
	// ("group/version", or "v1" for the core group).
	Served(ctx context.Context, groupVersion string) ([]metav1.APIResource, error)

	// Apply server-side applies obj as FieldManager.
	Apply(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, o WriteOptions) (WriteResult, error)
	// Create creates obj; a name left empty is generated from its
	// generateName.
	Create(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, o WriteOptions) (WriteResult, error)
	// Update replaces obj, which carries the resource version it replaces.
	Update(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, o WriteOptions) (WriteResult, error)
	// Delete deletes an object.
	Delete(ctx context.Context, m *meta.RESTMapping, ns, name string, o metav1.DeleteOptions) error

	// Get reads an object.
	Get(ctx context.Context, m *meta.RESTMapping, ns, name string) (*unstructured.Unstructured, error)
	// List lists objects of m's resource in ns ("" for every namespace or a
	// cluster-scoped resource), filtered by the options' selectors.
	List(ctx context.Context, m *meta.RESTMapping, ns string, o metav1.ListOptions) (*unstructured.UnstructuredList, error)
	// Watch watches objects of m's resource in ns from the options'
	// resource version; events carry *unstructured.Unstructured objects.
	Watch(ctx context.Context, m *meta.RESTMapping, ns string, o metav1.ListOptions) (watch.Interface, error)

	// Logs streams the log of a container of a Pod.
	Logs(ctx context.Context, ns, pod string, o *corev1.PodLogOptions) (io.ReadCloser, error)
}

// WriteOptions are the options of a write request.
type WriteOptions struct {
	// Force takes ownership of fields other managers own (Apply only).
	Force bool
	// DryRun asks the server to validate only.
	DryRun bool
	// NoValidate drops unknown fields instead of rejecting them (sync
	// option Validate=false). The server honours it for creates and
	// updates; server-side apply rejects undeclared fields regardless.
	NoValidate bool
}

// WriteResult is what a write request returned.
type WriteResult struct {
	// Object is the object as the server stored it (or would have, on a
	// dry run).
	Object *unstructured.Unstructured
	// Created tells a create from an update.
	Created bool
	// Warnings are the server's warnings about the request.
	Warnings []string
}

// restAPI is the API of a real API server: raw JSON requests for
// writes (so an apply can tell a create from an update and return the
// server's warnings) and logs, a dynamic client for the rest, discovery
// and the RESTMapper.
type restAPI struct {
	rest   rest.Interface
	dyn    dynamic.Interface
	disc   *discovery
	mapper meta.ResettableRESTMapper
}

// API returns the API that works through the clients.
func (c *Clients) API() (API, error) {
	cfg := dynamic.ConfigFor(c.Config)
	cfg.GroupVersion = nil
	cfg.APIPath = "/"
	// Warnings are returned with each result and reported as events,
	// instead of being logged to the process's stderr.
	cfg.WarningHandler = rest.NoWarnings{}
	rc, err := rest.UnversionedRESTClientFor(cfg)
	if err != nil {
		return nil, err
	}
	disc := c.disc
	if disc == nil {
		if disc, err = newDiscovery(c.Config); err != nil {
			return nil, err
		}
	}
	return &restAPI{rest: rc, dyn: dynamic.New(rc), disc: disc, mapper: c.Mapper}, nil
}

func (k *restAPI) Mapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	return k.mapper.RESTMapping(gk, versions...)
}

func (k *restAPI) ResetMapping() { k.mapper.Reset() }

func (k *restAPI) Served(ctx context.Context, gv string) ([]metav1.APIResource, error) {
	list, err := k.disc.resources(ctx, gv)
	if err != nil {
		return nil, err
	}
	return list.APIResources, nil
}

// resource returns the dynamic client of m's resource in namespace ns
// (ignored for cluster-scoped resources).
func (k *restAPI) resource(m *meta.RESTMapping, ns string) dynamic.ResourceInterface {
	r := k.dyn.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return r.Namespace(ns)
	}
	return r
}

// urlSegments returns the path of object name of m's resource in ns.
func urlSegments(m *meta.RESTMapping, ns, name string) []string {
	gvr := m.Resource
	var url []string
	if gvr.Group == "" {
		url = []string{"api", gvr.Version}
	} else {
		url = []string{"apis", gvr.Group, gvr.Version}
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace && ns != "" {
		url = append(url, "namespaces", ns)
	}
	url = append(url, gvr.Resource)
	if name != "" {
		url = append(url, name)
	}
	return url
}

// params adds the options to a request.
func (o WriteOptions) params(req *rest.Request) *rest.Request {
	req = req.Param("fieldManager", FieldManager)
	if o.DryRun {
		req = req.Param("dryRun", metav1.DryRunAll)
	}
	if o.NoValidate {
		req = req.Param("fieldValidation", metav1.FieldValidationIgnore)
	}
	return req
}

func (k *restAPI) Apply(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, o WriteOptions) (WriteResult, error) {
	data, err := json.Marshal(obj.Object)
	if err != nil {
		return WriteResult{}, err
	}
	req := o.params(k.rest.Patch(types.ApplyPatchType).
		AbsPath(urlSegments(m, obj.GetNamespace(), obj.GetName())...).
		Body(data))
	if o.Force {
		req = req.Param("force", "true")
	}
	return k.do(ctx, req)
}

func (k *restAPI) Create(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, o WriteOptions) (WriteResult, error) {
	data, err := json.Marshal(obj.Object)
	if err != nil {
		return WriteResult{}, err
	}
	req := o.params(k.rest.Post().
		AbsPath(urlSegments(m, obj.GetNamespace(), "")...).
		SetHeader("Content-Type", "application/json").
		Body(data))
	return k.do(ctx, req)
}

func (k *restAPI) Update(ctx context.Context, m *meta.RESTMapping, obj *unstructured.Unstructured, o WriteOptions) (WriteResult, error) {
	data, err := json.Marshal(obj.Object)
	if err != nil {
		return WriteResult{}, err
	}
	req := o.params(k.rest.Put().
		AbsPath(urlSegments(m, obj.GetNamespace(), obj.GetName())...).
		SetHeader("Content-Type", "application/json").
		Body(data))
	return k.do(ctx, req)
}

func (k *restAPI) do(ctx context.Context, req *rest.Request) (WriteResult, error) {
	var r WriteResult
	res := req.Do(ctx)
	for _, w := range res.Warnings() {
		r.Warnings = append(r.Warnings, w.Text)
	}
	out := &unstructured.Unstructured{}
	if err := res.WasCreated(&r.Created).Into(out); err != nil {
		return r, err
	}
	r.Object = out
	return r, nil
}

func (k *restAPI) Delete(ctx context.Context, m *meta.RESTMapping, ns, name string, o metav1.DeleteOptions) error {
	return k.resource(m, ns).Delete(ctx, name, o)
}

func (k *restAPI) Get(ctx context.Context, m *meta.RESTMapping, ns, name string) (*unstructured.Unstructured, error) {
	return k.resource(m, ns).Get(ctx, name, metav1.GetOptions{})
}

func (k *restAPI) List(ctx context.Context, m *meta.RESTMapping, ns string, o metav1.ListOptions) (*unstructured.UnstructuredList, error) {
	return k.resource(m, ns).List(ctx, o)
}

func (k *restAPI) Watch(ctx context.Context, m *meta.RESTMapping, ns string, o metav1.ListOptions) (watch.Interface, error) {
	return k.resource(m, ns).Watch(ctx, o)
}

func (k *restAPI) Logs(ctx context.Context, ns, pod string, o *corev1.PodLogOptions) (io.ReadCloser, error) {
	// The query parameters are the options' JSON fields, as the typed
	// client's parameter codec writes them.
	params, err := queryparams.Convert(o)
	if err != nil {
		return nil, err
	}
	req := k.rest.Get().AbsPath("api", "v1", "namespaces", ns, "pods", pod, "log")
	for name, values := range params {
		for _, v := range values {
			req = req.Param(name, v)
		}
	}
	return req.Stream(ctx)
}
