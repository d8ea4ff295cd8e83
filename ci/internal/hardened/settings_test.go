package hardened

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFromComposeReadsTheRepositoryComposeFile(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("..", "..", "..", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := FromCompose(src, "whitemagic")
	if err != nil {
		t.Fatalf("FromCompose(docker-compose.yml) error = %v", err)
	}
	want := Settings{
		User:        "1000:1000",
		CapDrop:     []string{"ALL"},
		ReadOnly:    true,
		Cgroup:      "private",
		SecurityOpt: []string{"no-new-privileges:true"},
		Tmpfs:       []string{"/tmp:rw,noexec,nosuid,nodev,size=16m,mode=1777"},
		Memory:      "128m",
		CPUs:        "1.0",
		PidsLimit:   64,
		DataPath:    "/data",
		Port:        8000,
		Environment: map[string]string{"WHITEMAGIC_LOG_LEVEL": "info"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FromCompose(docker-compose.yml) mismatch (-want +got):\n%s", diff)
	}
}

func TestFromComposeRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"not yaml", "services: [", "parsing the compose file"},
		{"no such service", "services:\n  other:\n    image: x\n", `no service "whitemagic"`},
		{"no port", "services:\n  whitemagic:\n    image: x\n", "publishes no port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := FromCompose([]byte(tt.src), "whitemagic")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("FromCompose(%q) error = %v, want one containing %q", tt.src, err, tt.want)
			}
		})
	}
}

func TestRunArgs(t *testing.T) {
	t.Parallel()
	s := Settings{User: "1000:1000", CapDrop: []string{"ALL"}, ReadOnly: true,
		SecurityOpt: []string{"no-new-privileges:true"}, Tmpfs: []string{"/tmp"}, Memory: "128m",
		CPUs: "1", PidsLimit: 64, DataPath: "/data", Port: 8000,
		Environment: map[string]string{"B": "2", "A": "1"}}
	got := s.RunArgs("vol", "127.0.0.1")
	want := []string{"--user", "1000:1000", "--cap-drop", "ALL", "--read-only",
		"--security-opt", "no-new-privileges:true", "--tmpfs", "/tmp", "--memory", "128m",
		"--cpus", "1", "--pids-limit", "64", "--volume", "vol:/data",
		"--env", "A=1", "--env", "B=2", "--publish", "127.0.0.1::8000"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("RunArgs() mismatch (-want +got):\n%s", diff)
	}
}

// A compose file that asks for privileged is remembered, for Run to refuse, and never becomes
// a docker run flag.
func TestFromComposeKeepsPrivileged(t *testing.T) {
	t.Parallel()
	src := "services:\n  whitemagic:\n    privileged: true\n    ports: [\"127.0.0.1:8000:8000\"]\n"
	s, err := FromCompose([]byte(src), "whitemagic")
	if err != nil {
		t.Fatalf("FromCompose(%q) error = %v", src, err)
	}
	if !s.Privileged {
		t.Errorf("FromCompose(%q).Privileged = false, want true", src)
	}
	if args := s.RunArgs("vol", "127.0.0.1"); slices.Contains(args, "--privileged") {
		t.Errorf("RunArgs() = %q, want no --privileged", args)
	}
}
