package dagger

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"dagger.io/dagger"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// fakeEngine answers the SDK's GraphQL queries the way an engine would shape them, so the
// error handling of the engine can be tested without one. Each query is answered with the
// value of leaves for its leaf fields (or "x"), unless fail returns a GraphQL error for it.
type fakeEngine struct {
	srv    *httptest.Server
	leaves map[string]any
	fail   func(query string) map[string]any // nil, or one GraphQL error object
	// status, when set, refuses every request with this HTTP status, as an engine does
	// with a bad session token.
	status int

	mu      sync.Mutex
	queries []string
}

func newFakeEngine(t *testing.T) *fakeEngine {
	t.Helper()
	f := &fakeEngine{leaves: map[string]any{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// client connects an SDK client to the fake.
func (f *fakeEngine) client(t *testing.T) *dagger.Client {
	t.Helper()
	c, err := dagger.Connect(t.Context(), dagger.WithConn(fakeConn{f.srv}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// seen reports whether some query so far contained s.
func (f *fakeEngine) seen(s string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, q := range f.queries {
		if strings.Contains(q, s) {
			return true
		}
	}
	return false
}

func (f *fakeEngine) serve(w http.ResponseWriter, r *http.Request) {
	var req struct{ Query string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.queries = append(f.queries, req.Query)
	f.mu.Unlock()
	if f.status != 0 {
		http.Error(w, `{"errors":[{"message":"unauthorized"}]}`, f.status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if f.fail != nil {
		if e := f.fail(req.Query); e != nil {
			json.NewEncoder(w).Encode(map[string]any{"data": nil, "errors": []any{e}})
			return
		}
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: req.Query})
	if err != nil || len(doc.Operations) != 1 {
		http.Error(w, "unparsable query", http.StatusBadRequest)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"data": f.answer(doc.Operations[0].SelectionSet)})
}

// answer builds the response object for a selection set: objects for fields with
// selections, leaf values for the others.
func (f *fakeEngine) answer(set ast.SelectionSet) map[string]any {
	out := map[string]any{}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			if len(s.SelectionSet) > 0 {
				out[key] = f.answer(s.SelectionSet)
			} else if v, ok := f.leaves[s.Name]; ok {
				out[key] = v
			} else {
				out[key] = "x"
			}
		case *ast.InlineFragment:
			for k, v := range f.answer(s.SelectionSet) {
				out[k] = v
			}
		}
	}
	return out
}

// fakeConn is an engineconn.EngineConn to the fake's server.
type fakeConn struct{ srv *httptest.Server }

func (c fakeConn) Do(r *http.Request) (*http.Response, error) { return c.srv.Client().Do(r) }
func (c fakeConn) Host() string                               { return strings.TrimPrefix(c.srv.URL, "http://") }
func (c fakeConn) Close() error                               { return nil }

// execError is the GraphQL error an engine returns for a command that exited with code.
func execError(cmd []string, code int, stdout, stderr string) map[string]any {
	return map[string]any{
		"message": "process did not complete successfully: exit code: 1",
		"extensions": map[string]any{
			"_type": "EXEC_ERROR", "cmd": cmd, "exitCode": code, "stdout": stdout, "stderr": stderr,
		},
	}
}

// apiError is a plain GraphQL error, as for an image the engine cannot pull.
func apiError(msg string) map[string]any { return map[string]any{"message": msg} }

// called reports whether some query selected field with at least these arguments. An
// argument's value is compared as GraphQL prints it: strings bare, lists and objects in
// GraphQL syntax (e.g. ["a","b"]).
func (f *fakeEngine) called(field string, args map[string]string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, q := range f.queries {
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err == nil && len(doc.Operations) == 1 && selects(doc.Operations[0].SelectionSet, field, args) {
			return true
		}
	}
	return false
}

func selects(set ast.SelectionSet, field string, args map[string]string) bool {
	for _, sel := range set {
		var sub ast.SelectionSet
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == field && hasArgs(s.Arguments, args) {
				return true
			}
			sub = s.SelectionSet
		case *ast.InlineFragment:
			sub = s.SelectionSet
		}
		if selects(sub, field, args) {
			return true
		}
	}
	return false
}

func hasArgs(list ast.ArgumentList, want map[string]string) bool {
	for name, v := range want {
		a := list.ForName(name)
		if a == nil {
			return false
		}
		got := a.Value.Raw
		if a.Value.Kind == ast.ListValue || a.Value.Kind == ast.ObjectValue {
			got = a.Value.String()
		}
		if got != v {
			return false
		}
	}
	return true
}
