package hardened

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/engine"
)

// Label marks everything a pipeline run creates; its value is the run's ID.
const Label = "whitemagic.run"

// Spec says what to run.
type Spec struct {
	Image         string // the image's name in the host's daemon
	Settings      Settings
	RunID         string
	HealthTimeout time.Duration
}

// Outcome is what the hardened run found.
type Outcome struct {
	Findings      []checks.Finding
	Detail        string // the container's last log lines when something failed
	TimeToHealthy time.Duration
}

// session is one hardened run's state.
type session struct {
	host      engine.Host
	spec      Spec
	volume    string
	container string
	findings  []checks.Finding
}

// Run starts the image hardened, checks it, restarts it, and removes everything it created,
// even when ctx is cancelled. A check that fails adds a finding; only engine trouble is an
// error.
func Run(ctx context.Context, host engine.Host, spec Spec) (Outcome, error) {
	s := &session{host: host, spec: spec, volume: "whitemagic-ci-" + spec.RunID + "-data"}
	defer s.cleanup()

	out, err := s.run(ctx)
	out.Findings = append(s.findings, out.Findings...)
	if (err != nil || checks.Failing(out.Findings, checks.Error)) && s.container != "" {
		out.Detail = s.lastLogs()
	}
	return out, err
}

func (s *session) run(ctx context.Context) (Outcome, error) {
	var out Outcome
	// A privileged container has the machine's root, and the source under test may come
	// from anyone who can open a pull request; so the run is refused and the refusal is the
	// finding, instead of proving the point on the runner.
	if s.spec.Settings.Privileged {
		s.find("WM-RT-006", "the compose file asks for a privileged container; the hardened run "+
			"does not start one", "HostConfig.Privileged")
		return out, nil
	}
	if _, err := s.docker(ctx, nil, "volume", "create", "--label", Label+"="+s.spec.RunID, s.volume); err != nil {
		return out, err
	}
	start := time.Now()
	if err := s.start(ctx); err != nil {
		return out, err
	}
	ok, err := s.waitHealth(ctx)
	if err != nil || !ok {
		return out, err
	}
	out.TimeToHealthy = time.Since(start)

	steps := []func(context.Context) error{s.inspect, s.filesystem, s.dockerHealthy, s.logs, s.restarts}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return out, err
		}
	}
	return out, nil
}

// start runs the container from the settings on the session's volume.
func (s *session) start(ctx context.Context) error {
	s.container = "whitemagic-ci-" + s.spec.RunID + "-" + randomSuffix()
	args := []string{"run", "--detach", "--name", s.container, "--label", Label + "=" + s.spec.RunID}
	args = append(args, s.spec.Settings.RunArgs(s.volume, s.host.BindAddress())...)
	// The run proves that the image's own HEALTHCHECK command passes, not how often it runs:
	// Docker's first probe waits one interval (5 s in the Dockerfile), so it probes each
	// second here. The command, timeout and retries stay the image's.
	args = append(args, "--health-interval", "1s")
	_, err := s.docker(ctx, nil, append(args, s.spec.Image)...)
	return err
}

// find adds a finding of a registered rule.
func (s *session) find(id, msg string, path string) {
	loc := checks.Location{Path: path}
	if r, ok := checks.Lookup(id); ok {
		s.findings = append(s.findings, r.At(msg, loc))
		return
	}
	s.findings = append(s.findings, checks.Finding{Rule: id, Severity: checks.Error, Message: msg, Location: loc})
}

// docker runs the docker CLI on the host and returns stdout.
func (s *session) docker(ctx context.Context, stdin *bytes.Buffer, args ...string) (string, error) {
	var in = bytes.NewReader(nil)
	if stdin != nil {
		in = bytes.NewReader(stdin.Bytes())
	}
	out, _, err := s.host.Docker(ctx, in, args...)
	return strings.TrimSpace(string(out)), err
}

// url returns the base URL of the container's published port.
func (s *session) url(ctx context.Context) (string, error) {
	out, err := s.docker(ctx, nil, "port", s.container, strconv.Itoa(s.spec.Settings.Port)+"/tcp")
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(out, "\n")
	i := strings.LastIndex(line, ":")
	port, err := strconv.Atoi(line[i+1:])
	if i < 0 || err != nil {
		return "", fmt.Errorf("reading the published port from %q", out)
	}
	return s.host.URL(ctx, port)
}

// state returns the container's status ("running", "exited", ...) and restart count.
func (s *session) state(ctx context.Context) (string, int, error) {
	out, err := s.docker(ctx, nil, "inspect", "--format", "{{.State.Status}} {{.RestartCount}}", s.container)
	if err != nil {
		return "", 0, err
	}
	status, count, _ := strings.Cut(out, " ")
	n, _ := strconv.Atoi(count)
	return status, n, nil
}

// lastLogs returns the container's last log lines, stdout and stderr, for the report.
func (s *session) lastLogs() string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stdout, stderr, err := s.host.Docker(ctx, nil, "logs", "--tail", "20", s.container)
	if err != nil {
		return "reading the container's logs: " + err.Error()
	}
	return "last log lines of " + s.container + ":\n" + strings.TrimSpace(string(stdout)+string(stderr))
}

// cleanup removes the run's containers and volume with a fresh context, so an interrupted
// run leaves nothing behind.
func (s *session) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	filter := "label=" + Label + "=" + s.spec.RunID
	ids, _, _ := s.host.Docker(ctx, nil, "ps", "--all", "--quiet", "--filter", filter)
	if f := strings.Fields(string(ids)); len(f) > 0 {
		s.host.Docker(ctx, nil, append([]string{"rm", "--force", "--volumes"}, f...)...)
	}
	s.host.Docker(ctx, nil, "volume", "rm", "--force", s.volume)
}

func randomSuffix() string {
	b := make([]byte, 3)
	rand.Read(b)
	return hex.EncodeToString(b)
}
