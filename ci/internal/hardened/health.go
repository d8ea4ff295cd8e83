package hardened

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

var client = &http.Client{Timeout: 3 * time.Second}

// httpDo sends one request to the container and returns the status and body.
func httpDo(ctx context.Context, method, url, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
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
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, b, err
}

// waitHealth polls /health with backoff until it answers 200, the container stops, or the
// timeout passes. It reports false with a finding when the service did not become healthy.
func (s *session) waitHealth(ctx context.Context) (bool, error) {
	deadline := time.Now().Add(s.spec.HealthTimeout)
	var last string
	lastCode := 0
	for delay := 50 * time.Millisecond; ; delay = min(delay*2, time.Second) {
		status, restarts, err := s.state(ctx)
		if err != nil {
			return false, err
		}
		if status != "running" || restarts > 0 {
			s.find("WM-HR-001", fmt.Sprintf("the container is %s (restarts: %d) before answering /health", status, restarts), "State.Status")
			return false, nil
		}
		base, err := s.url(ctx)
		if err != nil {
			return false, err
		}
		code, body, err := httpDo(ctx, http.MethodGet, base+"/health", "")
		switch {
		case err == nil && code == http.StatusOK:
			return true, nil
		case err == nil:
			lastCode, last = code, fmt.Sprintf("answered %d: %.200s", code, body)
		default:
			last = err.Error()
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(delay):
		}
	}
	if lastCode >= 500 {
		s.find("WM-HR-003", fmt.Sprintf("/health %s until the %v timeout", last, s.spec.HealthTimeout), "/health")
	} else {
		s.find("WM-HR-002", fmt.Sprintf("/health did not answer 200 within %v (last: %s)", s.spec.HealthTimeout, last), "/health")
	}
	return false, nil
}

// dockerHealthy waits for the image's own HEALTHCHECK to report healthy.
func (s *session) dockerHealthy(ctx context.Context) error {
	deadline := time.Now().Add(s.spec.HealthTimeout + 30*time.Second)
	status := ""
	for time.Now().Before(deadline) {
		out, err := s.docker(ctx, nil, "inspect", "--format", "{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}", s.container)
		if err != nil {
			return err
		}
		switch status = out; status {
		case "healthy":
			return nil
		case "none", "unhealthy":
			s.find("WM-HR-007", "Docker reports the container's health as "+status, "State.Health.Status")
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	s.find("WM-HR-007", "Docker reports the container's health as "+status+" after waiting", "State.Health.Status")
	return nil
}
