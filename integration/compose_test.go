package integration

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/whitemagic/whitemagic/internal/testenv"
)

// TestComposeUpDown brings the repository's compose file up under a unique project name and
// port, checks it becomes healthy and answers, and checks that down -v leaves nothing behind.
func TestComposeUpDown(t *testing.T) {
	testenv.RequireDocker(t)
	if _, err := testenv.DockerErr("compose", "version"); err != nil {
		t.Fatalf("the docker compose plugin is missing (.ci/prepare installs it): %v", err)
	}
	project := testenv.UniqueName("wm-itest")
	port := testenv.FreePort(t)
	env := []string{
		"WHITEMAGIC_IMAGE=" + project + ":compose",
		fmt.Sprintf("WHITEMAGIC_PORT=%d", port),
	}
	file := filepath.Join(testenv.RepoRoot(t), "docker-compose.yml")
	compose := func(args ...string) (string, error) {
		return testenv.DockerEnv(env, append([]string{"compose", "--project-name", project, "--file", file}, args...)...)
	}
	down := func() (string, error) { return compose("down", "--volumes", "--rmi", "all", "--timeout", "20") }
	t.Cleanup(func() { _, _ = down() })

	if _, err := compose("up", "--detach", "--build", "--wait", "--wait-timeout", "90"); err != nil {
		logs, _ := compose("logs", "--no-color", "--tail", "20")
		t.Fatalf("compose up: %v\nlogs:\n%s", err, logs)
	}
	id, err := compose("ps", "--quiet", "whitemagic")
	if err != nil || id == "" {
		t.Fatalf("compose ps: %q, %v", id, err)
	}
	if status := testenv.Docker(t, "inspect", "--format", "{{.State.Health.Status}}", id); status != "healthy" {
		t.Errorf("after up --wait, health = %q, want healthy", status)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	if code, body, err := request(http.MethodGet, base+"/health", ""); err != nil || code != http.StatusOK {
		t.Errorf("GET %s/health = %d %s, %v; want 200", base, code, body, err)
	}
	if ro := testenv.Docker(t, "inspect", "--format", "{{.HostConfig.ReadonlyRootfs}} {{.Config.User}} {{.HostConfig.CapDrop}}", id); ro != "true 1000:1000 [ALL]" {
		t.Errorf("compose container hardening = %q, want %q", ro, "true 1000:1000 [ALL]")
	}

	start := time.Now()
	if out, err := down(); err != nil {
		t.Fatalf("compose down -v: %v (%s)", err, out)
	}
	t.Logf("compose down -v took %.1fs", time.Since(start).Seconds())
	label := "label=com.docker.compose.project=" + project
	for _, kind := range []string{"container", "volume", "network"} {
		args := []string{kind, "ls", "--quiet", "--filter", label}
		if kind == "container" {
			args = append(args, "--all")
		}
		if left := testenv.Docker(t, args...); left != "" {
			t.Errorf("after down -v, %ss of project %s remain: %s", kind, project, strings.Fields(left))
		}
	}
	if _, err := testenv.DockerErr("image", "inspect", project+":compose"); err == nil {
		t.Errorf("after down --rmi all, image %s:compose remains", project)
	}
}
