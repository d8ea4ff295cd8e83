package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/whitemagic/whitemagic/service/internal/store"
)

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	keys, err := s.store.Keys()
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Keys []string `json:"keys"`
	}{keys})
}

func (s *Server) handleGet(w http.ResponseWriter, r *http.Request) {
	key, ok := pathKey(w, r)
	if !ok {
		return
	}
	doc, err := s.store.Get(key)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no memory with key %q", key))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(doc)
}

func (s *Server) handlePut(w http.ResponseWriter, r *http.Request) {
	key, ok := pathKey(w, r)
	if !ok {
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "the body must be a JSON document sent with Content-Type: application/json")
		return
	}
	doc, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxDocumentBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the document is larger than %d bytes", MaxDocumentBytes))
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "reading the body: "+err.Error())
		return
	case !json.Valid(doc):
		writeError(w, http.StatusBadRequest, "the body is not a valid JSON document")
		return
	}

	created, err := s.store.Put(key, doc)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	code := http.StatusOK
	if created {
		code = http.StatusCreated
	}
	writeJSON(w, code, struct {
		Key string `json:"key"`
	}{key})
}

func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	key, ok := pathKey(w, r)
	if !ok {
		return
	}
	err := s.store.Delete(key)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no memory with key %q", key))
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// pathKey returns the request's key, or answers 400 when it breaks the naming rules.
func pathKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	key := r.PathValue("key")
	if !store.ValidKey(key) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf(
			"invalid key %q: use 1 to %d characters of A-Z a-z 0-9 . _ - not starting with a dot",
			key, store.MaxKeyLen))
		return "", false
	}
	return key, true
}

// internal answers 500 and logs the cause, which the client does not see.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "error", err.Error(),
		"request_id", requestID(r.Context()))
	writeError(w, http.StatusInternalServerError, "internal error; see the service log for request "+requestID(r.Context()))
}
