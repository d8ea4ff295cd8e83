package hardened

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
)

// inspect checks what the daemon and the kernel report about the running container.
func (s *session) inspect(ctx context.Context) error {
	raw, err := s.docker(ctx, nil, "inspect", s.container)
	if err != nil {
		return err
	}
	c, err := checks.ParseInspect([]byte(raw))
	if err != nil {
		return fmt.Errorf("reading docker inspect: %w", err)
	}
	var pid struct{ State struct{ Pid int } }
	var arr []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &arr); err != nil || len(arr) != 1 {
		return fmt.Errorf("reading docker inspect: want one container")
	}
	if err := json.Unmarshal(arr[0], &pid); err != nil {
		return fmt.Errorf("reading docker inspect: %w", err)
	}
	status, err := s.host.ProcStatus(ctx, pid.State.Pid)
	if err != nil {
		return fmt.Errorf("reading the service process's status: %w", err)
	}
	s.findings = append(s.findings, checks.Runtime(c, status)...)
	return nil
}

// probeResult is one line of the probe's output.
type probeResult struct {
	Dir      string
	Writable bool
	Error    string
	UID      int
	GID      int
	OwnerUID int `json:"owner_uid"`
	OwnerGID int `json:"owner_gid"`
}

// filesystem proves from inside the container that the root filesystem refuses writes while
// the data volume and /tmp take them.
func (s *session) filesystem(ctx context.Context) error {
	dataPath := s.spec.Settings.DataPath
	if dataPath == "" {
		s.find("WM-HR-005", "the compose service mounts no named volume, so data has nowhere to go", "volumes")
		return nil
	}
	bin, err := probeBinary(ctx)
	if err != nil {
		return err
	}
	const name = "whitemagic-probe"
	tarball, err := probeTar(bin, name)
	if err != nil {
		return err
	}
	if _, err := s.docker(ctx, tarball, "cp", "-", s.container+":"+dataPath); err != nil {
		s.find("WM-HR-005", "cannot place the probe on the data volume: "+err.Error(), dataPath)
		return nil
	}
	dirs := []string{"/", dataPath, "/tmp"}
	out, err := s.docker(ctx, nil, append([]string{"exec", s.container, dataPath + "/" + name}, dirs...)...)
	if err != nil {
		s.find("WM-HR-005", "running the probe in the container failed: "+err.Error(), dataPath)
		return nil
	}
	got := map[string]probeResult{}
	for _, line := range strings.Split(out, "\n") {
		var r probeResult
		if json.Unmarshal([]byte(line), &r) == nil {
			got[r.Dir] = r
		}
	}
	if r, ok := got["/"]; !ok || r.Writable {
		s.find("WM-HR-004", "a process in the container could write to / (the root filesystem is not read-only)", "/")
	} else if !strings.Contains(r.Error, "read-only file system") {
		s.find("WM-HR-004", "a write to / failed, but not because the filesystem is read-only: "+r.Error, "/")
	}
	for _, d := range dirs[1:] {
		if r, ok := got[d]; !ok || !r.Writable {
			s.find("WM-HR-005", fmt.Sprintf("the service user cannot write to %s: %s", d, r.Error), d)
		}
	}
	return nil
}

// logs checks that every line the container printed is a JSON object.
func (s *session) logs(ctx context.Context) error {
	stdout, stderr, err := s.host.Docker(ctx, nil, "logs", s.container)
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSpace(string(stdout)+"\n"+string(stderr)), "\n")
	var kept []string
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			kept = append(kept, l)
		}
	}
	s.findings = append(s.findings, checks.Logs(kept)...)
	return nil
}

// restarts writes a document through the API, then checks it survives a docker restart and
// a new container on the same volume.
func (s *session) restarts(ctx context.Context) error {
	key := "whitemagic-ci-" + randomSuffix()
	doc := `{"written_by":"whitemagic-ci","nonce":"` + randomSuffix() + `"}`
	base, err := s.url(ctx)
	if err != nil {
		return err
	}
	if code, body, err := httpDo(ctx, http.MethodPut, base+"/v1/memories/"+key, doc); err != nil || code/100 != 2 {
		s.find("WM-HR-006", fmt.Sprintf("PUT /v1/memories/%s answered %d %.200s (%v)", key, code, body, err), "/v1/memories")
		return nil
	}
	for _, how := range []string{"restart", "recreate"} {
		if err := s.bounce(ctx, how); err != nil {
			return err
		}
		if ok, err := s.waitHealth(ctx); err != nil || !ok {
			return err
		}
		base, err := s.url(ctx)
		if err != nil {
			return err
		}
		code, body, err := httpDo(ctx, http.MethodGet, base+"/v1/memories/"+key, "")
		if err != nil || code != http.StatusOK || !jsonEqual(body, doc) {
			s.find("WM-HR-006", fmt.Sprintf("after a %s, GET /v1/memories/%s answered %d %.200s (%v), want the document written before",
				how, key, code, body, err), s.spec.Settings.DataPath)
			return nil
		}
	}
	return nil
}

// bounce restarts the container in place, or replaces it with a new one on the same volume.
func (s *session) bounce(ctx context.Context, how string) error {
	if how == "restart" {
		_, err := s.docker(ctx, nil, "restart", "--time", "10", s.container)
		return err
	}
	if _, err := s.docker(ctx, nil, "rm", "--force", s.container); err != nil {
		return err
	}
	return s.start(ctx)
}

func jsonEqual(a []byte, b string) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal([]byte(b), &y) == nil &&
		fmt.Sprint(x) == fmt.Sprint(y)
}
