package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/whitemagic/whitemagic/internal/testenv"
)

var client = &http.Client{Timeout: 5 * time.Second}

// request sends one request and returns the status and body.
func request(method, url, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// waitHealth polls base/health until it answers 200 and returns how long that took, failing
// the test with the container's last log lines when it does not within the timeout.
func waitHealth(t *testing.T, container, base string, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	var last string
	for delay := 20 * time.Millisecond; time.Now().Before(deadline); delay = min(2*delay, 500*time.Millisecond) {
		code, body, err := request(http.MethodGet, base+"/health", "")
		if err == nil && code == http.StatusOK {
			return time.Since(start)
		}
		last = fmt.Sprintf("status %d, body %q, error %v", code, body, err)
		time.Sleep(delay)
	}
	logs, _ := testenv.DockerErr("logs", "--tail", "20", container)
	t.Fatalf("GET %s/health did not answer 200 within %v (last: %s); logs:\n%s", base, timeout, last, logs)
	return 0
}

// waitDockerHealthy polls the container's health status until Docker reports healthy.
func waitDockerHealthy(t *testing.T, container string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var status string
	for ctx.Err() == nil {
		status = testenv.Docker(t, "inspect", "--format", "{{.State.Health.Status}}", container)
		if status == "healthy" {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	out, _ := testenv.DockerErr("inspect", "--format", "{{json .State.Health}}", container)
	t.Fatalf("container %s health is %q after %v, want healthy; health log: %s", container, status, timeout, out)
}

// hostURL returns the http base URL of the container port 8000 published on 127.0.0.1.
func hostURL(t *testing.T, container string) string {
	t.Helper()
	out := testenv.Docker(t, "port", container, "8000/tcp")
	line, _, _ := strings.Cut(out, "\n")
	if !strings.HasPrefix(line, "127.0.0.1:") {
		t.Fatalf("docker port %s 8000/tcp = %q, want a binding on 127.0.0.1", container, out)
	}
	return "http://" + line
}

// jsonEqual reports whether two JSON documents are equal once whitespace is ignored.
func jsonEqual(a, b []byte) bool {
	var ca, cb bytes.Buffer
	if err := json.Compact(&ca, a); err != nil {
		return false
	}
	if err := json.Compact(&cb, b); err != nil {
		return false
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}
