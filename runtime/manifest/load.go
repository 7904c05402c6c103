package manifest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/wavec/wavec/kubeyaml"
)

// Load reads the objects of every path in order. A path is a file (read
// whatever its extension), a directory (walked recursively for *.yaml,
// *.yml and *.json files in lexical order, skipping entries whose names
// start with a dot), or "-" for stdin. A directory holding a
// kustomization file is read only when that file merely lists files of the
// directory (as `wavec build -o` writes it); then those files are read in
// the listed order.
//
// Load returns every object it could read and, when anything was wrong, an
// ErrorList with one entry per bad file or document; objects of good
// documents are returned even then.
func Load(paths []string, stdin io.Reader) ([]Object, error) {
	var (
		objs []Object
		errs ErrorList
	)
	for _, p := range paths {
		if p == "-" {
			o, e := loadStream(stdin, StdinName)
			objs, errs = append(objs, o...), append(errs, e...)
			continue
		}
		files, e := expand(p)
		errs = append(errs, e...)
		for _, f := range files {
			o, e := loadFile(f)
			objs, errs = append(objs, o...), append(errs, e...)
		}
	}
	return objs, errs.Err()
}

// LoadReader reads the objects of one YAML or JSON stream; name is used as
// the file name in sources (for example StdinName, or the name of the
// pipeline whose compiled output is being read). Errors are as for Load.
func LoadReader(r io.Reader, name string) ([]Object, error) {
	objs, errs := loadStream(r, name)
	return objs, errs.Err()
}

// expand turns a path into the files to read. A directory with a
// kustomization file is read as kustomize would read it when the file only
// lists local resources (as `wavec build -o` writes it): exactly those
// files, in that order. Any other kustomization needs kustomize, and is an
// error with a hint.
func expand(path string) ([]string, ErrorList) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, ErrorList{fileError(path, err)}
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var (
		files []string
		errs  ErrorList
	)
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, fileError(p, err))
			return nil
		}
		if p != path && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			k := kustomizationIn(p)
			if k == "" {
				return nil
			}
			res, err := plainResources(k)
			if err != nil {
				errs = append(errs, &Error{
					Source:    Source{File: k},
					Message:   fmt.Sprintf("%s is a kustomize directory (%v); render it first with `kustomize build %s`", p, err, p),
					Kustomize: p,
				})
			}
			files = append(files, res...)
			return filepath.SkipDir
		}
		if !isManifestName(d.Name()) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		files = append(files, p)
		return nil
	})
	if err != nil {
		errs = append(errs, fileError(path, err))
	}
	if len(files) == 0 && len(errs) == 0 {
		errs = append(errs, &Error{Source: Source{File: path}, Message: "directory holds no .yaml, .yml or .json files"})
	}
	return files, errs
}

// kustomizationIn returns the path of dir's kustomization file, or "".
func kustomizationIn(dir string) string {
	for _, name := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// plainResources returns the files a kustomization lists when it does
// nothing but list files of its own directory tree, and an error saying
// why not otherwise.
func plainResources(kpath string) ([]string, error) {
	data, err := os.ReadFile(kpath)
	if err != nil {
		return nil, err
	}
	var k map[string]any
	if err := sigsyaml.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", filepath.Base(kpath), err)
	}
	var fields []string
	for f := range k {
		if f != "apiVersion" && f != "kind" && f != "resources" {
			fields = append(fields, f)
		}
	}
	if len(fields) > 0 {
		slices.Sort(fields)
		return nil, fmt.Errorf("it uses %s", strings.Join(fields, ", "))
	}
	list, _ := k["resources"].([]any)
	dir := filepath.Dir(kpath)
	var files []string
	for _, r := range list {
		name, _ := r.(string)
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); name == "" || !filepath.IsLocal(name) || err != nil || !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("resource %q is not a file of the directory", name)
		}
		files = append(files, p)
	}
	return files, nil
}

func isManifestName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

func fileError(path string, err error) *Error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &Error{Source: Source{File: path}, Message: err.Error()}
}

func loadFile(path string) ([]Object, ErrorList) {
	f, err := os.Open(path)
	if err != nil {
		return nil, ErrorList{fileError(path, err)}
	}
	defer f.Close()
	return loadStream(f, path)
}

// loadStream reads the documents of a stream (kubeyaml.Read) and checks
// each as a Kubernetes object or List.
func loadStream(r io.Reader, name string) ([]Object, ErrorList) {
	var (
		objs []Object
		errs ErrorList
	)
	kubeyaml.Read(r, func(d *kubeyaml.Document, e *kubeyaml.Error) {
		if e != nil {
			errs = append(errs, &Error{Source: Source{File: name, Doc: e.Doc, Line: e.Line, Column: e.Column}, Message: e.Message})
			return
		}
		o, es := documentObjects(d, name)
		objs, errs = append(objs, o...), append(errs, es...)
	})
	return objs, errs
}

// documentObjects checks one decoded document.
func documentObjects(d *kubeyaml.Document, name string) ([]Object, ErrorList) {
	src := Source{File: name, Doc: d.Index, Line: d.Line}
	switch v := d.Value.(type) {
	case nil:
		return nil, nil // a document holding only null, as Argo CD skips it
	case map[string]any:
		var (
			objs []Object
			errs ErrorList
		)
		collect(v, d.Root(), src, 0, &objs, &errs)
		return objs, errs
	case []any:
		return nil, ErrorList{{Source: src, Message: "document is a sequence, not a mapping; a Kubernetes object must be a mapping with apiVersion, kind and metadata"}}
	default:
		return nil, ErrorList{{Source: src, Message: fmt.Sprintf("document is a scalar (%q), not a mapping; a Kubernetes object must be a mapping with apiVersion, kind and metadata", truncate(d.Scalar(), 40))}}
	}
}

// collect checks one decoded object and appends it, or, for a List, its
// items, to objs. node is where the object is written, used to find lines.
func collect(m map[string]any, node kubeyaml.Node, src Source, depth int, objs *[]Object, errs *ErrorList) {
	at := func(n kubeyaml.Node) Source {
		s := src
		if n.Known() {
			s.Line, s.Column = n.Line(), n.Column()
		}
		return s
	}
	obj := &unstructured.Unstructured{Object: m}
	if msg, n := checkObject(m, node); msg != "" {
		*errs = append(*errs, &Error{Source: at(n), Object: refIfKnown(m), Message: msg})
		return
	}
	if items, ok := listItems(m); ok {
		if depth > kubeyaml.MaxDepth {
			*errs = append(*errs, &Error{Source: src, Message: "Lists are nested too deeply"})
			return
		}
		itemNodes := node.Key("items")
		for i, it := range items {
			n := itemNodes.Item(i)
			s := src
			if src.Item == 0 {
				s.Item = i + 1
			}
			if n.Known() {
				s.Line = n.Line()
			}
			im, ok := it.(map[string]any)
			if !ok {
				*errs = append(*errs, &Error{Source: s, Message: fmt.Sprintf("list item is %s, not a mapping", describe(it))})
				continue
			}
			collect(im, n, s, depth+1, objs, errs)
		}
		return
	}
	if msg, n := checkMetadata(m, node); msg != "" {
		*errs = append(*errs, &Error{Source: at(n), Object: refIfKnown(m), Message: msg})
		return
	}
	*objs = append(*objs, Object{Unstructured: obj, Source: src, node: node})
}

// listItems reports whether m is a List (kind List, or any kind ending in
// List that has an items sequence) and returns its items.
func listItems(m map[string]any) ([]any, bool) {
	kind, _ := m["kind"].(string)
	if !strings.HasSuffix(kind, "List") {
		return nil, false
	}
	items, ok := m["items"].([]any)
	if !ok {
		if kind == "List" {
			if _, has := m["items"]; !has || m["items"] == nil {
				return nil, true
			}
		}
		return nil, false
	}
	return items, true
}

// checkObject checks the fields every object and List needs, returning a
// message and the node to point at when something is wrong.
func checkObject(m map[string]any, node kubeyaml.Node) (string, kubeyaml.Node) {
	for _, f := range []string{"apiVersion", "kind"} {
		v, ok := m[f]
		if !ok || v == nil || v == "" {
			return fmt.Sprintf("document has no %s; every Kubernetes object needs apiVersion and kind", f), kubeyaml.Node{}
		}
		if _, ok := v.(string); !ok {
			return fmt.Sprintf("%s must be a string, not %s", f, describe(v)), node.Key(f)
		}
	}
	if kind := m["kind"].(string); kind == "List" {
		if it, ok := m["items"]; ok && it != nil {
			if _, ok := it.([]any); !ok {
				return fmt.Sprintf("items of a List must be a sequence, not %s", describe(it)), node.Key("items")
			}
		}
	}
	return "", kubeyaml.Node{}
}

// checkMetadata checks the metadata fields wavec and the API server rely
// on: a name (or generateName) and string-valued labels and annotations.
func checkMetadata(m map[string]any, node kubeyaml.Node) (string, kubeyaml.Node) {
	mdNode := node.Key("metadata")
	md, ok := m["metadata"].(map[string]any)
	if !ok {
		if v, has := m["metadata"]; has && v != nil {
			return fmt.Sprintf("metadata must be a mapping, not %s", describe(v)), mdNode
		}
		return "object has no metadata; it needs at least metadata.name", kubeyaml.Node{}
	}
	for _, f := range []string{"name", "generateName", "namespace"} {
		if v, has := md[f]; has && v != nil {
			if _, ok := v.(string); !ok {
				return fmt.Sprintf("metadata.%s must be a string, not %s", f, describe(v)), mdNode.Key(f)
			}
		}
	}
	name, _ := md["name"].(string)
	gen, _ := md["generateName"].(string)
	if name == "" && gen == "" {
		return "object has neither metadata.name nor metadata.generateName", mdNode
	}
	for _, f := range []string{"labels", "annotations"} {
		v, has := md[f]
		if !has || v == nil {
			continue
		}
		fm, ok := v.(map[string]any)
		if !ok {
			return fmt.Sprintf("metadata.%s must be a mapping, not %s", f, describe(v)), mdNode.Key(f)
		}
		for k, x := range fm {
			if _, ok := x.(string); ok {
				continue
			}
			hint := ""
			switch x.(type) {
			case int64, float64, bool:
				hint = fmt.Sprintf("; quote it: %q", fmt.Sprint(x))
			}
			return fmt.Sprintf("metadata.%s[%q] must be a string, not %s%s", f, k, describe(x), hint), mdNode.Key(f).Key(k)
		}
	}
	return "", kubeyaml.Node{}
}

func refIfKnown(m map[string]any) string {
	kind, _ := m["kind"].(string)
	if kind == "" {
		return ""
	}
	md, _ := m["metadata"].(map[string]any)
	name, _ := md["name"].(string)
	if name == "" {
		if g, _ := md["generateName"].(string); g != "" {
			return kind + "/" + g + "*"
		}
		return kind
	}
	return kind + "/" + name
}

// describe names the JSON type of v for messages.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", truncate(v, 40))
	case bool:
		return fmt.Sprintf("the boolean %v", v)
	case int64:
		return fmt.Sprintf("the number %d", v)
	case float64:
		return fmt.Sprintf("the number %v", v)
	case []any:
		return "a sequence"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
