// Command probe runs inside the container under test, as its user, to prove from the kernel
// which paths take writes. The image has no shell, so the hardened run copies this static
// binary onto the data volume, runs it with docker exec, and it deletes itself when done.
//
// Usage: probe PATH... ; it prints one JSON line per path and exits 0.
package main

import (
	"encoding/json"
	"os"
	"path/filepath"
)

type result struct {
	Dir      string `json:"dir"`
	Writable bool   `json:"writable"`
	Error    string `json:"error,omitempty"`
	UID      int    `json:"uid"`
}

func main() {
	enc := json.NewEncoder(os.Stdout)
	for _, dir := range os.Args[1:] {
		r := result{Dir: dir, UID: os.Getuid()}
		name := filepath.Join(dir, ".whitemagic-probe")
		if err := os.WriteFile(name, []byte("probe"), 0o600); err != nil {
			r.Error = err.Error()
		} else {
			r.Writable = true
			os.Remove(name)
		}
		enc.Encode(r)
	}
	os.Remove(os.Args[0])
}
