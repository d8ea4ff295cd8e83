// Package server holds the service's HTTP handlers and middleware.
package server

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"runtime"

	"github.com/whitemagic/whitemagic/service/internal/health"
	"github.com/whitemagic/whitemagic/service/internal/store"
)

// MaxDocumentBytes is the largest document PUT accepts.
const MaxDocumentBytes = 1 << 20

// Info describes the running build, for /health and /version.
type Info struct {
	Version  string `json:"version"`
	Revision string `json:"revision"`
	Created  string `json:"created"`
}

// Server serves the API over a store.
type Server struct {
	store  *store.Store
	health *health.Checker
	info   Info
	log    *slog.Logger
}

// New returns the service's handler: routes wrapped in request logging and panic recovery.
func New(s *store.Store, h *health.Checker, info Info, log *slog.Logger) http.Handler {
	srv := &Server{store: s, health: h, info: info, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", srv.handleHealth)
	mux.HandleFunc("GET /version", srv.handleVersion)
	mux.HandleFunc("GET /v1/memories", srv.handleList)
	mux.HandleFunc("GET /v1/memories/{key}", srv.handleGet)
	mux.HandleFunc("PUT /v1/memories/{key}", srv.handlePut)
	mux.HandleFunc("DELETE /v1/memories/{key}", srv.handleDelete)
	// The same paths without a method answer 405 for every other method; anything else 404.
	mux.Handle("/health", allow("GET, HEAD"))
	mux.Handle("/version", allow("GET, HEAD"))
	mux.Handle("/v1/memories", allow("GET, HEAD"))
	mux.Handle("/v1/memories/{key}", allow("GET, HEAD, PUT, DELETE"))
	mux.HandleFunc("/", srv.handleNotFound)
	return srv.logRequests(srv.recoverPanics(canonical(mux)))
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	rep := s.health.Check()
	body := struct {
		Status  string         `json:"status"`
		Version string         `json:"version"`
		Checks  []health.Check `json:"checks"`
	}{"ok", s.info.Version, rep.Checks}
	code := http.StatusOK
	if !rep.Healthy {
		body.Status, code = "unhealthy", http.StatusServiceUnavailable
	}
	writeJSON(w, code, body)
}

func (s *Server) handleVersion(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Info
		Go string `json:"go"`
	}{s.info, runtime.Version()})
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "no such endpoint: "+r.URL.Path)
}

// canonical refuses paths with "." or ".." segments, repeated or trailing slashes with a
// JSON 400. The router would otherwise redirect them to their cleaned form, which for a
// key such as ".." means another endpoint altogether.
func canonical(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p != "/" && path.Clean(p) != p {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("path %q is not canonical: remove . and .. segments and extra slashes", p))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// allow answers 405 with the Allow header listing methods.
func allow(methods string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", methods)
		writeError(w, http.StatusMethodNotAllowed,
			fmt.Sprintf("method %s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, methods))
	})
}

// writeJSON writes v as the response body with the status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"encoding the response failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// writeError writes a JSON error body.
func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, struct {
		Error string `json:"error"`
	}{msg})
}
