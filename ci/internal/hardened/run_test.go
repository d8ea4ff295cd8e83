package hardened

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
)

// fakeHost is a Docker daemon in memory that knows the few commands the session's start,
// state and cleanup use. It fails a command whose context has ended, as the docker CLI does.
type fakeHost struct {
	mu         sync.Mutex
	volumes    map[string]bool
	containers map[string]bool
	status     string // what inspect reports for a container's state
	onRun      func() // called after a container starts
	commands   []string
}

func newFakeHost(status string) *fakeHost {
	return &fakeHost{volumes: map[string]bool{}, containers: map[string]bool{}, status: status}
}

func (h *fakeHost) Docker(ctx context.Context, stdin io.Reader, args ...string) ([]byte, []byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.commands = append(h.commands, strings.Join(args, " "))
	switch {
	case len(args) > 2 && args[0] == "volume" && args[1] == "create":
		h.volumes[args[len(args)-1]] = true
	case args[0] == "run":
		name := args[slices.Index(args, "--name")+1]
		h.containers[name] = true
		if h.onRun != nil {
			h.onRun()
		}
		return []byte(name + "\n"), nil, nil
	case args[0] == "inspect":
		return []byte(h.status + " 0\n"), nil, nil
	case args[0] == "ps":
		var ids []string
		for c := range h.containers {
			ids = append(ids, c)
		}
		return []byte(strings.Join(ids, "\n")), nil, nil
	case args[0] == "rm":
		for _, c := range args[1:] {
			delete(h.containers, c)
		}
	case args[0] == "volume" && args[1] == "rm":
		delete(h.volumes, args[len(args)-1])
	case args[0] == "logs":
		return []byte(`{"msg":"started"}` + "\n"), []byte("plain text on stderr\n"), nil
	default:
		return nil, nil, fmt.Errorf("fake host: docker %s is not faked", strings.Join(args, " "))
	}
	return nil, nil, nil
}

func (h *fakeHost) BindAddress() string { return "127.0.0.1" }
func (h *fakeHost) URL(ctx context.Context, port int) (string, error) {
	return fmt.Sprintf("http://127.0.0.1:%d", port), nil
}
func (h *fakeHost) ProcStatus(context.Context, int) (string, error) {
	return "", errors.New("not faked")
}
func (h *fakeHost) Close() error { return nil }

func (h *fakeHost) left() (volumes, containers int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.volumes), len(h.containers)
}

func testSpec() Spec {
	return Spec{Image: "whitemagic:test", RunID: "unit", HealthTimeout: 2 * time.Second,
		Settings: Settings{User: "1000:1000", DataPath: "/data", Port: 8000}}
}

// TestRunCleansUpWhenCancelled cancels the run as soon as its container starts: Run must
// return the cancellation and still remove the container and the volume.
func TestRunCleansUpWhenCancelled(t *testing.T) {
	t.Parallel()
	h := newFakeHost("running")
	ctx, cancel := context.WithCancel(context.Background())
	h.onRun = cancel
	_, err := Run(ctx, h, testSpec())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run() error = %v, want context.Canceled", err)
	}
	if v, c := h.left(); v != 0 || c != 0 {
		t.Errorf("after a cancelled run %d volumes and %d containers remain; commands:\n%s",
			v, c, strings.Join(h.commands, "\n"))
	}
}

// TestRunReportsAnExitedContainer: a container that is not running before /health answers
// is a finding with the container's last log lines, and is removed.
func TestRunReportsAnExitedContainer(t *testing.T) {
	t.Parallel()
	h := newFakeHost("exited")
	out, err := Run(context.Background(), h, testSpec())
	if err != nil {
		t.Fatalf("Run() error = %v, want a finding instead", err)
	}
	if len(out.Findings) != 1 || out.Findings[0].Rule != "WM-HR-001" {
		t.Errorf("Run() findings = %v, want one WM-HR-001", out.Findings)
	}
	if !checks.Failing(out.Findings, checks.Error) {
		t.Error("the exited container's finding does not fail the stage")
	}
	if !strings.Contains(out.Detail, `{"msg":"started"}`) || !strings.Contains(out.Detail, "plain text on stderr") {
		t.Errorf("Run() detail = %q, want the container's stdout and stderr log lines", out.Detail)
	}
	if v, c := h.left(); v != 0 || c != 0 {
		t.Errorf("%d volumes and %d containers remain", v, c)
	}
}

// TestRunRefusesPrivileged: a compose file that asks for privileged gets a failing finding
// and no docker command at all, so nothing privileged ever starts on the runner.
func TestRunRefusesPrivileged(t *testing.T) {
	t.Parallel()
	h := newFakeHost("running")
	spec := testSpec()
	spec.Settings.Privileged = true
	out, err := Run(context.Background(), h, spec)
	if err != nil {
		t.Fatalf("Run() error = %v, want a finding instead", err)
	}
	if len(out.Findings) != 1 || out.Findings[0].Rule != "WM-RT-006" || !checks.Failing(out.Findings, checks.Error) {
		t.Errorf("Run() findings = %v, want one failing WM-RT-006", out.Findings)
	}
	for _, c := range h.commands {
		if strings.HasPrefix(c, "run ") || strings.HasPrefix(c, "volume create") {
			t.Errorf("Run() ran docker %s for a privileged service", c)
		}
	}
}
