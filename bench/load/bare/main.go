// Command bare is the load benchmark's yardstick: the smallest net/http server that answers
// the same requests as whitemagic, with no logging and no validation. By default documents
// live in memory; with -durable-dir each PUT also does what makes a write durable (temporary
// file, fsync, rename, directory fsync), which separates the cost of durability from the cost
// of the service itself.
package main

import (
	"flag"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"sync"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:18081", "address to listen on")
	durable := flag.String("durable-dir", "", "directory to write each PUT to durably (default: memory only)")
	flag.Parse()

	var mu sync.RWMutex
	docs := map[string][]byte{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`+"\n")
	})
	mux.HandleFunc("PUT /v1/memories/{key}", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if *durable != "" {
			if err := writeDurably(*durable, r.PathValue("key"), b); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		mu.Lock()
		docs[r.PathValue("key")] = b
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("GET /v1/memories/{key}", func(w http.ResponseWriter, r *http.Request) {
		mu.RLock()
		b, ok := docs[r.PathValue("key")]
		mu.RUnlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	})
	log.Fatal(http.ListenAndServe(*listen, mux))
}

func writeDurably(dir, key string, b []byte) error {
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, filepath.Base(key))); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
