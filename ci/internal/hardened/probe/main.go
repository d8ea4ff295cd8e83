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
	"syscall"
)

type result struct {
	Dir      string `json:"dir"`
	Writable bool   `json:"writable"`
	Error    string `json:"error,omitempty"`
	UID      int    `json:"uid"` // the probe's own user, as the kernel sees it
	GID      int    `json:"gid"`
	// OwnerUID and OwnerGID own Dir itself; -1 when it cannot be read.
	OwnerUID int `json:"owner_uid"`
	OwnerGID int `json:"owner_gid"`
}

func main() {
	enc := json.NewEncoder(os.Stdout)
	for _, dir := range os.Args[1:] {
		r := result{Dir: dir, UID: os.Getuid(), GID: os.Getgid(), OwnerUID: -1, OwnerGID: -1}
		if fi, err := os.Stat(dir); err == nil {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				r.OwnerUID, r.OwnerGID = int(st.Uid), int(st.Gid)
			}
		}
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
