package integration

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/whitemagic/whitemagic/internal/testenv"
)

// hardenedRun starts the image the way docker-compose.yml does (see README, "Hardening") on
// the named volume, with port 8000 published on an ephemeral 127.0.0.1 port. It returns the
// container's name; the container is removed when the test ends.
func hardenedRun(t *testing.T, img, volume string) string {
	t.Helper()
	name := testenv.UniqueName("wm-itest")
	testenv.Docker(t, "run", "--detach", "--name", name,
		"--user", "1000:1000",
		"--cap-drop", "ALL",
		"--read-only",
		"--security-opt", "no-new-privileges:true",
		"--tmpfs", "/tmp:rw,noexec,nosuid,nodev,size=16m,mode=1777",
		"--volume", volume+":/data",
		"--memory", "128m", "--cpus", "1", "--pids-limit", "64",
		"--publish", "127.0.0.1::8000",
		img)
	t.Cleanup(func() { _, _ = testenv.DockerErr("rm", "--force", "--volumes", name) })
	return name
}

// volume creates a fresh named volume that is removed when the test ends.
func volume(t *testing.T) string {
	t.Helper()
	name := testenv.UniqueName("wm-itest-data")
	testenv.Docker(t, "volume", "create", name)
	t.Cleanup(func() { _, _ = testenv.DockerErr("volume", "rm", "--force", name) })
	return name
}

func TestImageConfig(t *testing.T) {
	img := image(t)

	var inspect []struct {
		Size   int64
		Config struct {
			User         string
			ExposedPorts map[string]struct{}
			Entrypoint   []string
			Labels       map[string]string
			Healthcheck  struct{ Test []string }
		}
	}
	if err := json.Unmarshal([]byte(testenv.Docker(t, "image", "inspect", img)), &inspect); err != nil || len(inspect) != 1 {
		t.Fatalf("docker image inspect %s: %v (%d images)", img, err, len(inspect))
	}
	c := inspect[0].Config
	t.Logf("image size: %d bytes (%.2f MB)", inspect[0].Size, float64(inspect[0].Size)/1e6)

	if inspect[0].Size > 10_000_000 {
		t.Errorf("image size = %d bytes, want at most 10 MB", inspect[0].Size)
	}
	if c.User != "1000:1000" {
		t.Errorf("Config.User = %q, want 1000:1000", c.User)
	}
	if _, ok := c.ExposedPorts["8000/tcp"]; !ok {
		t.Errorf("Config.ExposedPorts = %v, want 8000/tcp", c.ExposedPorts)
	}
	if want := []string{"/whitemagic"}; !slices.Equal(c.Entrypoint, want) {
		t.Errorf("Config.Entrypoint = %q, want exec form %q", c.Entrypoint, want)
	}
	if want := []string{"CMD", "/whitemagic", "healthcheck"}; !slices.Equal(c.Healthcheck.Test, want) {
		t.Errorf("Config.Healthcheck.Test = %q, want %q", c.Healthcheck.Test, want)
	}
	wantLabels := map[string]string{
		"org.opencontainers.image.title":    "whitemagic",
		"org.opencontainers.image.version":  "0.0.0-itest",
		"org.opencontainers.image.revision": "itest",
		"org.opencontainers.image.created":  "2026-01-01T00:00:00Z",
		"org.opencontainers.image.licenses": "MIT",
	}
	for k, v := range wantLabels {
		if c.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, c.Labels[k], v)
		}
	}
	if c.Labels["org.opencontainers.image.source"] == "" {
		t.Error("label org.opencontainers.image.source is missing")
	}
}

func TestHardenedRun(t *testing.T) {
	img := image(t)
	vol := volume(t)

	started := time.Now()
	name := hardenedRun(t, img, vol)
	base := hostURL(t, name)
	waitHealth(t, name, base, 30*time.Second)
	toFirst := time.Since(started)
	waitDockerHealthy(t, name, 60*time.Second)
	t.Logf("from docker run: first 200 on /health after %.2fs, Docker healthy after %.2fs",
		toFirst.Seconds(), time.Since(started).Seconds())

	t.Run("inspect", func(t *testing.T) { checkInspect(t, name, vol) })
	t.Run("kernel", func(t *testing.T) { checkKernel(t, name) })
	t.Run("filesystem", func(t *testing.T) { checkFilesystem(t, name) })
	t.Run("health body", func(t *testing.T) {
		code, body, err := request(http.MethodGet, base+"/health", "")
		if err != nil || code != http.StatusOK {
			t.Fatalf("GET /health = %d, %v", code, err)
		}
		var h struct{ Status string }
		if err := json.Unmarshal(body, &h); err != nil || h.Status != "ok" {
			t.Errorf("GET /health body = %s, want JSON with status ok", body)
		}
	})
	t.Run("logs are JSON", func(t *testing.T) {
		logs := testenv.Docker(t, "logs", name)
		lines := strings.Split(logs, "\n")
		for _, line := range lines {
			if !json.Valid([]byte(line)) || !strings.HasPrefix(line, "{") {
				t.Errorf("log line is not a JSON object: %q", line)
			}
		}
		if len(lines) < 2 {
			t.Errorf("container logged %d lines, want a start-up line and request lines", len(lines))
		}
	})
}

// checkInspect asserts what the daemon reports about the running container.
func checkInspect(t *testing.T, name, vol string) {
	var inspect []struct {
		Config     struct{ User string }
		HostConfig struct {
			CapDrop, CapAdd, SecurityOpt []string
			ReadonlyRootfs, Privileged   bool
			Tmpfs                        map[string]string
			Memory, NanoCpus             int64
			PidsLimit                    *int64
		}
		Mounts []struct{ Type, Name, Destination string }
	}
	if err := json.Unmarshal([]byte(testenv.Docker(t, "inspect", name)), &inspect); err != nil || len(inspect) != 1 {
		t.Fatalf("docker inspect %s: %v", name, err)
	}
	c, h := inspect[0].Config, inspect[0].HostConfig
	if c.User != "1000:1000" {
		t.Errorf("Config.User = %q, want 1000:1000", c.User)
	}
	if !slices.Equal(h.CapDrop, []string{"ALL"}) || len(h.CapAdd) > 0 {
		t.Errorf("CapDrop = %q, CapAdd = %q; want [ALL] and none", h.CapDrop, h.CapAdd)
	}
	if !h.ReadonlyRootfs || h.Privileged {
		t.Errorf("ReadonlyRootfs = %v, Privileged = %v; want true, false", h.ReadonlyRootfs, h.Privileged)
	}
	if !slices.Contains(h.SecurityOpt, "no-new-privileges:true") {
		t.Errorf("SecurityOpt = %q, want no-new-privileges:true", h.SecurityOpt)
	}
	if _, ok := h.Tmpfs["/tmp"]; !ok {
		t.Errorf("Tmpfs = %v, want /tmp", h.Tmpfs)
	}
	if h.Memory != 128<<20 || h.NanoCpus != 1e9 || h.PidsLimit == nil || *h.PidsLimit != 64 {
		t.Errorf("Memory = %d, NanoCpus = %d, PidsLimit = %v; want 128 MiB, 1 CPU, 64", h.Memory, h.NanoCpus, h.PidsLimit)
	}
	var found bool
	for _, m := range inspect[0].Mounts {
		found = found || m.Type == "volume" && m.Name == vol && m.Destination == "/data"
	}
	if !found {
		t.Errorf("Mounts = %+v, want volume %s on /data", inspect[0].Mounts, vol)
	}
}

// checkKernel reads the service process's status from the host's /proc, which is the kernel's
// own account of its credentials. This assumes the daemon runs on this host, as in CI.
func checkKernel(t *testing.T, name string) {
	pid := testenv.Docker(t, "inspect", "--format", "{{.State.Pid}}", name)
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		t.Fatalf("reading the container process status: %v", err)
	}
	want := map[string]string{
		"Uid":        "1000\t1000\t1000\t1000",
		"Gid":        "1000\t1000\t1000\t1000",
		"CapInh":     "0000000000000000",
		"CapPrm":     "0000000000000000",
		"CapEff":     "0000000000000000",
		"CapBnd":     "0000000000000000",
		"CapAmb":     "0000000000000000",
		"NoNewPrivs": "1",
	}
	got := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, ":")
		got[k] = strings.TrimSpace(v)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("/proc/%s/status %s = %q, want %q", pid, k, got[k], v)
		}
	}
}

// checkFilesystem proves, inside the running container, that the root filesystem refuses
// writes while /data and /tmp take them. The image has no shell, so a static busybox is copied
// onto the data volume (the only writable place that allows exec) and removed afterwards.
func checkFilesystem(t *testing.T, name string) {
	const busybox = "/bin/busybox"
	if _, err := os.Stat(busybox); err != nil {
		t.Fatalf("this test needs a static busybox at %s (Debian busybox-static; .ci/prepare installs it): %v", busybox, err)
	}
	if _, err := testenv.DockerErr("cp", "/etc/hostname", name+":/probe"); err == nil {
		t.Errorf("docker cp into / of the running container succeeded, want a refusal for a read-only root")
	}
	testenv.Docker(t, "cp", busybox, name+":/data/busybox")
	defer testenv.Docker(t, "exec", name, "/data/busybox", "rm", "-f", "/data/busybox", "/data/.probe")

	out, err := testenv.DockerErr("exec", name, "/data/busybox", "touch", "/probe")
	if err == nil || !strings.Contains(err.Error(), "Read-only file system") {
		t.Errorf("touch /probe as the service user = %q, %v; want EROFS", out, err)
	}
	for _, path := range []string{"/data/.probe", "/tmp/.probe"} {
		if _, err := testenv.DockerErr("exec", name, "/data/busybox", "touch", path); err != nil {
			t.Errorf("touch %s as the service user: %v, want success", path, err)
		}
	}
	if id := testenv.Docker(t, "exec", name, "/data/busybox", "id", "-u"); id != "1000" {
		t.Errorf("docker exec id -u = %q, want 1000", id)
	}
}
