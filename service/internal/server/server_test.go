package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/whitemagic/whitemagic/service/internal/health"
	"github.com/whitemagic/whitemagic/service/internal/store"
)

// newHandler returns the service's handler over a fresh data directory, and where its request
// log goes.
func newHandler(t testing.TB, dir string) (http.Handler, *bytes.Buffer) {
	t.Helper()
	st, err := store.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	info := Info{Version: "1.2.3", Revision: "abc", Created: "2026-01-01T00:00:00Z"}
	return New(st, health.New(dir, time.Second), info, log), &logs
}

func do(h http.Handler, method, target, contentType string, body io.Reader) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestAPI(t *testing.T) {
	t.Parallel()
	h, _ := newHandler(t, t.TempDir())
	steps := []struct {
		method, target, ctype, body string
		wantCode                    int
		wantBody                    string // a substring
	}{
		{"GET", "/v1/memories", "", "", 200, `{"keys":[]}`},
		{"PUT", "/v1/memories/k1", "application/json", `{"a":1}`, 201, `"key":"k1"`},
		{"PUT", "/v1/memories/k1", "application/json; charset=utf-8", `{"a":2}`, 200, `"key":"k1"`},
		{"GET", "/v1/memories/k1", "", "", 200, `{"a":2}`},
		{"HEAD", "/v1/memories/k1", "", "", 200, ``},
		{"PUT", "/v1/memories/k0", "application/json", `[1,2]`, 201, ``},
		{"GET", "/v1/memories", "", "", 200, `{"keys":["k0","k1"]}`},
		{"DELETE", "/v1/memories/k1", "", "", 204, ``},
		{"GET", "/v1/memories/k1", "", "", 404, `"error":"no memory with key \"k1\""`},
		{"DELETE", "/v1/memories/k1", "", "", 404, `"error"`},
	}
	for _, s := range steps {
		rec := do(h, s.method, s.target, s.ctype, strings.NewReader(s.body))
		if rec.Code != s.wantCode || !strings.Contains(rec.Body.String(), s.wantBody) {
			t.Errorf("%s %s = %d %s, want %d containing %s", s.method, s.target, rec.Code, rec.Body, s.wantCode, s.wantBody)
		}
	}
}

func TestHostileRequests(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h, _ := newHandler(t, dir)
	big := `{"pad":"` + strings.Repeat("x", MaxDocumentBytes) + `"}`
	tests := []struct {
		name, method, target, ctype, body string
		wantCode                          int
	}{
		{"oversized body", "PUT", "/v1/memories/big", "application/json", big, 413},
		{"bad JSON", "PUT", "/v1/memories/k", "application/json", `{"a":`, 400},
		{"empty body", "PUT", "/v1/memories/k", "application/json", ``, 400},
		{"two documents", "PUT", "/v1/memories/k", "application/json", `{} {}`, 400},
		{"text body", "PUT", "/v1/memories/k", "text/plain", `{}`, 415},
		{"no content type", "PUT", "/v1/memories/k", "", `{}`, 415},
		{"broken content type", "PUT", "/v1/memories/k", "application/json; =", `{}`, 415},
		{"encoded dot-dot", "GET", "/v1/memories/%2e%2e", "", ``, 400},
		{"encoded slash", "GET", "/v1/memories/a%2Fb", "", ``, 400},
		{"encoded traversal", "PUT", "/v1/memories/..%2F..%2Fetc%2Fpasswd", "application/json", `{}`, 400},
		{"hidden key", "PUT", "/v1/memories/.tmp-1", "application/json", `{}`, 400},
		{"NUL in key", "GET", "/v1/memories/a%00b", "", ``, 400},
		{"unicode key", "GET", "/v1/memories/%C3%A9", "", ``, 400},
		{"key too long", "GET", "/v1/memories/" + strings.Repeat("k", store.MaxKeyLen+1), "", ``, 400},
		{"slash in key", "GET", "/v1/memories/a/b", "", ``, 404},
		{"POST a memory", "POST", "/v1/memories/k", "application/json", `{}`, 405},
		{"PATCH health", "PATCH", "/health", "", ``, 405},
		{"DELETE the list", "DELETE", "/v1/memories", "", ``, 405},
		{"unknown path", "GET", "/admin", "", ``, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(h, tt.method, tt.target, tt.ctype, strings.NewReader(tt.body))
			if rec.Code != tt.wantCode {
				t.Errorf("%s %s = %d %s, want %d", tt.method, tt.target, rec.Code, rec.Body, tt.wantCode)
			}
			var e struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Errorf("%s %s body = %q, want a JSON error", tt.method, tt.target, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s %s Content-Type = %q, want application/json", tt.method, tt.target, ct)
			}
			if tt.wantCode == 405 && rec.Header().Get("Allow") == "" {
				t.Errorf("%s %s has no Allow header", tt.method, tt.target)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("hostile requests left %s in the data directory", e.Name())
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "etc")); err == nil {
		t.Error("a traversal key wrote outside the data directory")
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	h, _ := newHandler(t, dir)

	rec := do(h, "GET", "/health", "", nil)
	var body struct {
		Status, Version string
		Checks          []health.Check
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != 200 || body.Status != "ok" ||
		body.Version != "1.2.3" || len(body.Checks) != 1 {
		t.Errorf("GET /health = %d %s, want 200 ok with version and one check", rec.Code, rec.Body)
	}

	gone := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(gone, 0o755); err != nil {
		t.Fatal(err)
	}
	h, _ = newHandler(t, gone)
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	rec = do(h, "GET", "/health", "", nil)
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), `"name":"data_writable","status":"failing"`) {
		t.Errorf("GET /health with the data directory gone = %d %s, want 503 naming data_writable", rec.Code, rec.Body)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	h, _ := newHandler(t, t.TempDir())
	rec := do(h, "GET", "/version", "", nil)
	var v struct{ Version, Revision, Created, Go string }
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil || v.Version != "1.2.3" || v.Revision != "abc" ||
		v.Created != "2026-01-01T00:00:00Z" || !strings.HasPrefix(v.Go, "go") {
		t.Errorf("GET /version = %d %s, want the build's version, revision, created and go", rec.Code, rec.Body)
	}
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	h, logs := newHandler(t, t.TempDir())
	req := httptest.NewRequest("GET", "/v1/memories/missing", nil)
	req.Header.Set("X-Request-Id", "client-id-1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := rec.Header().Get("X-Request-Id"); got != "client-id-1" {
		t.Errorf("X-Request-Id echoed = %q, want client-id-1", got)
	}
	do(h, "GET", "/health", "", nil)

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("request log has %d lines, want 2:\n%s", len(lines), logs)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatalf("log line is not JSON: %q", lines[0])
	}
	for k, want := range map[string]any{"msg": "request", "method": "GET", "path": "/v1/memories/missing",
		"status": float64(404), "request_id": "client-id-1"} {
		if first[k] != want {
			t.Errorf("log field %s = %v, want %v", k, first[k], want)
		}
	}
	for _, k := range []string{"bytes", "duration_ms", "time", "level"} {
		if _, ok := first[k]; !ok {
			t.Errorf("log line lacks %s: %s", k, lines[0])
		}
	}
	var second map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil || second["request_id"] == "" {
		t.Errorf("second line %q, want a generated request_id", lines[1])
	}
}

func TestSaneID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id   string
		want bool
	}{
		{"abc-123_X.y", true},
		{"", false},
		{strings.Repeat("a", 65), false},
		{"a b", false},
		{"a\nb", false},
		{`{"forged":1}`, false},
	}
	for _, tt := range tests {
		if got := saneID(tt.id); got != tt.want {
			t.Errorf("saneID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func TestPanicBecomesJSON500(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s := &Server{log: slog.New(slog.NewJSONHandler(&logs, nil))}
	h := s.logRequests(s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	})))
	rec := do(h, "GET", "/", "", nil)
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"error"`) {
		t.Errorf("panicking handler = %d %s, want a JSON 500", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "panic: boom") {
		t.Errorf("log = %s, want the panic recorded", logs.String())
	}
}
