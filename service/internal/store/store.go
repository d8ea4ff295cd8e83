// Package store keeps JSON documents as files in one directory, durably: a write that
// returned without error survives a crash of the process or the machine.
package store

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// MaxKeyLen is the longest key accepted.
const MaxKeyLen = 128

const suffix = ".json"

var (
	// ErrNotFound means no document is stored under the key.
	ErrNotFound = errors.New("store: not found")
	// ErrInvalidKey means the key breaks the naming rules of ValidKey.
	ErrInvalidKey = errors.New("store: invalid key")
)

// stripes is how many locks writers of different keys spread over.
const stripes = 64

// Store is a directory of documents. Writers of one key are serialized, writers of different
// keys mostly are not, so one slow fsync does not hold up the rest. Readers take no lock:
// a document is replaced by an atomic rename, so a read sees the old or the new one whole.
type Store struct {
	dir   string
	locks [stripes]sync.Mutex
}

// lock returns the lock guarding key's writers.
func (s *Store) lock(key string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(key))
	return &s.locks[h.Sum32()%stripes]
}

// Open returns the store kept in dir, which must exist and be a directory.
func Open(dir string) (*Store, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("opening data directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("opening data directory %s: not a directory", dir)
	}
	// A crash between creating a temporary file and renaming it leaves the file behind; it
	// never held an acknowledged write, so it is safe to drop.
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	for _, name := range leftovers {
		os.Remove(name)
	}
	return &Store{dir: dir}, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// ValidKey reports whether key is 1 to MaxKeyLen characters of A-Z, a-z, 0-9, '.', '_' and
// '-', not starting with a dot. The rules keep every key a plain file name in the store's
// directory: no separators, no "..", no hidden or temporary names.
func ValidKey(key string) bool {
	if key == "" || len(key) > MaxKeyLen || key[0] == '.' {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

func (s *Store) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	return filepath.Join(s.dir, key+suffix), nil
}

// Get returns the document stored under key.
func (s *Store) Get(key string) ([]byte, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, key)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %q: %w", key, err)
	}
	return b, nil
}

// Put stores doc under key and reports whether the key is new. When Put returns nil the
// document is on stable storage.
func (s *Store) Put(key string, doc []byte) (created bool, err error) {
	p, err := s.path(key)
	if err != nil {
		return false, err
	}
	mu := s.lock(key)
	mu.Lock()
	defer mu.Unlock()

	_, statErr := os.Stat(p)
	created = errors.Is(statErr, fs.ErrNotExist)
	if err := writeDurably(s.dir, p, doc); err != nil {
		return false, fmt.Errorf("writing %q: %w", key, err)
	}
	return created, nil
}

// Delete removes the document stored under key, durably.
func (s *Store) Delete(key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	mu := s.lock(key)
	mu.Lock()
	defer mu.Unlock()
	if err := os.Remove(p); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %q", ErrNotFound, key)
	} else if err != nil {
		return fmt.Errorf("deleting %q: %w", key, err)
	}
	if err := syncDir(s.dir); err != nil {
		return fmt.Errorf("deleting %q: %w", key, err)
	}
	return nil
}

// Keys lists the stored keys in order.
func (s *Store) Keys() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("listing documents: %w", err)
	}
	keys := make([]string, 0, len(entries))
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), suffix)
		if ok && e.Type().IsRegular() && ValidKey(name) {
			keys = append(keys, name)
		}
	}
	sort.Strings(keys)
	return keys, nil
}
