package store

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestValidKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		want bool
	}{
		{"a", true},
		{"note-1.v2_final", true},
		{strings.Repeat("k", MaxKeyLen), true},
		{"", false},
		{strings.Repeat("k", MaxKeyLen+1), false},
		{".", false},
		{"..", false},
		{".hidden", false},
		{".tmp-123", false},
		{"a/b", false},
		{"../etc/passwd", false},
		{`a\b`, false},
		{"a b", false},
		{"a\x00b", false},
		{"é", false},
		{"a%2Fb", false},
	}
	for _, tt := range tests {
		if got := ValidKey(tt.key); got != tt.want {
			t.Errorf("ValidKey(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}

func TestPutGetDeleteKeys(t *testing.T) {
	t.Parallel()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}

	created, err := s.Put("b", []byte(`{"v":1}`))
	if err != nil || !created {
		t.Fatalf("Put(new) = %v, %v; want created", created, err)
	}
	created, err = s.Put("b", []byte(`{"v":2}`))
	if err != nil || created {
		t.Fatalf("Put(existing) = %v, %v; want replaced", created, err)
	}
	if _, err := s.Put("a", []byte(`[]`)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get("b"); err != nil || string(got) != `{"v":2}` {
		t.Errorf("Get(b) = %s, %v; want the replaced document", got, err)
	}
	if keys, err := s.Keys(); err != nil || !slices.Equal(keys, []string{"a", "b"}) {
		t.Errorf("Keys() = %q, %v; want [a b]", keys, err)
	}
	if err := s.Delete("b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(deleted) error = %v, want ErrNotFound", err)
	}
	if err := s.Delete("b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Delete(deleted) error = %v, want ErrNotFound", err)
	}
}

func TestInvalidKeysNeverTouchTheDisk(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"../escape", "..", "a/b", ""} {
		if _, err := s.Put(key, []byte(`1`)); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Put(%q) error = %v, want ErrInvalidKey", key, err)
		}
		if _, err := s.Get(key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Get(%q) error = %v, want ErrInvalidKey", key, err)
		}
		if err := s.Delete(key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q) error = %v, want ErrInvalidKey", key, err)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(dir)); len(entries) != 1 {
		t.Errorf("parent of the data directory has %d entries, want only the data directory", len(entries))
	}
}

func TestOpenDropsTemporaryLeftovers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".tmp-123"), []byte("torn"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kept.json"), []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".tmp-123")); !os.IsNotExist(err) {
		t.Errorf("leftover temporary file still there after Open (stat error %v)", err)
	}
	if keys, _ := s.Keys(); !slices.Equal(keys, []string{"kept"}) {
		t.Errorf("Keys() = %q, want [kept]", keys)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{file, filepath.Join(t.TempDir(), "missing")} {
		if _, err := Open(dir); err == nil {
			t.Errorf("Open(%q) = nil error, want one", dir)
		}
	}
}

func TestConcurrentWritersStayConsistent(t *testing.T) {
	t.Parallel()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if _, err := s.Put("shared", []byte(`{"writer":`+string(rune('0'+i))+`}`)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	got, err := s.Get("shared")
	if err != nil || !strings.HasPrefix(string(got), `{"writer":`) || len(got) != len(`{"writer":0}`) {
		t.Errorf("Get(shared) = %q, %v; want one whole document", got, err)
	}
	entries, _ := os.ReadDir(s.Dir())
	if len(entries) != 1 {
		t.Errorf("data directory has %d entries after concurrent writes, want 1 (no temporary files left)", len(entries))
	}
}
