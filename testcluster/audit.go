package testcluster

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// AuditEvent is one entry of the test cluster's audit log, reduced to what
// tests check. The log records every write request (create, update, patch,
// delete, deletecollection) once, when its response is complete, in the
// order the API server completed them.
type AuditEvent struct {
	// AuditID identifies the request.
	AuditID string
	// Verb is the request's verb: create, update, patch, delete, ...
	Verb string
	// User is the name of the user who made the request.
	User string
	// APIGroup, APIVersion, Resource, Subresource, Namespace and Name
	// identify the object written. Name is filled in for creates too, from
	// the request body; it is empty when the object's name was generated.
	APIGroup, APIVersion, Resource, Subresource, Namespace, Name string
	// Code is the HTTP status code of the response.
	Code int
	// Received is when the API server received the request.
	Received time.Time
}

// auditLine is the part of an audit.k8s.io/v1 Event that AuditEvent needs.
type auditLine struct {
	AuditID string `json:"auditID"`
	Stage   string `json:"stage"`
	Verb    string `json:"verb"`
	User    struct {
		Username string `json:"username"`
	} `json:"user"`
	ObjectRef *struct {
		Resource    string `json:"resource"`
		Namespace   string `json:"namespace"`
		Name        string `json:"name"`
		APIGroup    string `json:"apiGroup"`
		APIVersion  string `json:"apiVersion"`
		Subresource string `json:"subresource"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
	// RequestObject is the body of the request: an object for a create or
	// apply, but a list for a JSON patch, so it is decoded only when it is
	// an object (requestName).
	RequestObject            json.RawMessage `json:"requestObject"`
	RequestReceivedTimestamp time.Time       `json:"requestReceivedTimestamp"`
}

// AuditLogPath returns the path of the test cluster's audit log, which lies
// next to its kubeconfig. Without a cluster, or if the cluster keeps no
// audit log there, it skips the test (or fails it, like [Config]).
func AuditLogPath(t testing.TB) string {
	t.Helper()
	Config(t)
	kubeconfig, err := KubeconfigPath()
	if err != nil {
		unavailable(t, err)
		return ""
	}
	path := filepath.Join(filepath.Dir(kubeconfig), "audit.log")
	if _, err := os.Stat(path); err != nil {
		unavailable(t, fmt.Errorf("the cluster keeps no audit log next to its kubeconfig: %w", err))
		return ""
	}
	return path
}

// AuditEvents reads the test cluster's audit log and returns its events in
// order, keeping those of the given namespace only unless namespace is "".
// Writes completed before the call are in the log: the API server writes
// each event before it answers the request.
func AuditEvents(t testing.TB, namespace string) []AuditEvent {
	t.Helper()
	path := AuditLogPath(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("testcluster: %v", err)
	}
	defer f.Close()
	events, err := parseAudit(f, namespace)
	if err != nil {
		t.Fatalf("testcluster: reading %s: %v", path, err)
	}
	return events
}

func parseAudit(r io.Reader, namespace string) ([]AuditEvent, error) {
	var events []AuditEvent
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for n := 1; sc.Scan(); n++ {
		var l auditLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if l.Stage != "ResponseComplete" && l.Stage != "Panic" {
			continue
		}
		e := AuditEvent{
			AuditID:  l.AuditID,
			Verb:     l.Verb,
			User:     l.User.Username,
			Received: l.RequestReceivedTimestamp,
		}
		if r := l.ObjectRef; r != nil {
			e.APIGroup, e.APIVersion, e.Resource, e.Subresource = r.APIGroup, r.APIVersion, r.Resource, r.Subresource
			e.Namespace, e.Name = r.Namespace, r.Name
		}
		if e.Name == "" && e.Subresource == "" {
			e.Name = requestName(l.RequestObject)
		}
		if l.ResponseStatus != nil {
			e.Code = l.ResponseStatus.Code
		}
		if namespace != "" && e.Namespace != namespace {
			continue
		}
		events = append(events, e)
	}
	return events, sc.Err()
}

// requestName returns metadata.name of a request body that is an object,
// and "" for any other body (a JSON patch is a list).
func requestName(body json.RawMessage) string {
	var obj struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if len(body) == 0 || body[0] != '{' || json.Unmarshal(body, &obj) != nil {
		return ""
	}
	return obj.Metadata.Name
}
