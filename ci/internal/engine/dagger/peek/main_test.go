package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	file := filepath.Join(t.TempDir(), "status")
	if err := os.WriteFile(file, []byte("Name:\twhitemagic\nCapEff:\t0000000000000000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string // the output, or a part of the error
		err  bool
	}{
		{"cat", []string{"cat", file}, "Name:\twhitemagic\nCapEff:\t0000000000000000\n", false},
		{"cat a missing file", []string{"cat", file + ".gone"}, "no such file", true},
		{"resolve", []string{"resolve", "127.0.0.1"}, "127.0.0.1\n", false},
		{"resolve to IPv6 only", []string{"resolve", "::1"}, "::1 has no IPv4 address", true},
		{"unknown command", []string{"write", "x"}, `unknown command "write"`, true},
		{"no arguments", nil, "usage", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(tt.args, &out)
			if tt.err {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("run(%q) error = %v, want one containing %q", tt.args, err, tt.want)
				}
				return
			}
			if err != nil || out.String() != tt.want {
				t.Errorf("run(%q) = %q, %v; want %q", tt.args, out.String(), err, tt.want)
			}
		})
	}
}
