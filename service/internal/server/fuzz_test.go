package server

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/whitemagic/whitemagic/service/internal/store"
)

// FuzzMemories sends a PUT and a GET for an arbitrary key and body through the real handler
// and data directory. Whatever the input: no panic, a JSON answer, no file outside the data
// directory, and a 2xx PUT means the same document comes back.
func FuzzMemories(f *testing.F) {
	for _, seed := range []struct{ key, body string }{
		{"note", `{"a":1}`},
		{"..", `{}`},
		{"../../etc/passwd", `{}`},
		{"a/b", `[]`},
		{"%2e%2e%2f", `null`},
		{"é", `"x"`},
		{"a\x00b", `{}`},
		{".tmp-1", `{}`},
		{strings.Repeat("k", 129), `{}`},
		{"k", `{"a":`},
		{"k", "\xff\xfe"},
	} {
		f.Add(seed.key, seed.body)
	}
	root := f.TempDir()
	f.Fuzz(func(t *testing.T, key, body string) {
		dir, err := os.MkdirTemp(root, "data")
		if err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		h, _ := newHandler(t, dir)
		target := "/v1/memories/" + url.PathEscape(key)

		put := do(h, "PUT", target, "application/json", strings.NewReader(body))
		if !json.Valid(put.Body.Bytes()) {
			t.Fatalf("PUT %q answered %d with non-JSON %q", target, put.Code, put.Body)
		}
		get := do(h, "GET", target, "", nil)
		if put.Code/100 == 2 {
			if !store.ValidKey(key) {
				t.Fatalf("PUT accepted invalid key %q", key)
			}
			if get.Code != 200 || get.Body.String() != body {
				t.Fatalf("GET after PUT %q = %d %q, want 200 %q", key, get.Code, get.Body, body)
			}
		}
		entries, _ := os.ReadDir(root)
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), "data") {
				t.Fatalf("a request wrote %s outside the data directory", filepath.Join(root, e.Name()))
			}
		}
	})
}
