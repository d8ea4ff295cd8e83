package testenv

import (
	"encoding/json"

	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

// MirrorRegistry is where .ci/prepare starts Debian's docker-registry.
const MirrorRegistry = "127.0.0.1:5000"

// Registry returns the host:port of a container registry on 127.0.0.1. It is Debian's
// docker-registry that .ci/prepare starts, when it answers; else an in-memory registry
// (go-containerregistry's, speaking the same distribution API) served by the test binary
// until the test ends. Tests keep apart by using repository names of their own.
func Registry(t testing.TB) string {
	t.Helper()
	c := &http.Client{Timeout: 2 * time.Second}
	if resp, err := c.Get("http://" + MirrorRegistry + "/v2/"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return MirrorRegistry
		}
	}
	t.Logf("no registry answers on %s (run .ci/prepare to start one); serving one in the test", MirrorRegistry)
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// Tags lists the tags a registry holds for repo; none when the repository does not exist.
func Tags(t testing.TB, reg, repo string) []string {
	t.Helper()
	resp, err := http.Get("http://" + reg + "/v2/" + repo + "/tags/list")
	if err != nil {
		t.Fatalf("listing the tags of %s/%s: %v", reg, repo, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil
	}
	var list struct{ Tags []string }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("listing the tags of %s/%s: status %d, %v", reg, repo, resp.StatusCode, err)
	}
	return list.Tags
}

// ClosedPort returns a 127.0.0.1 address on which nothing listens: a registry that is down.
func ClosedPort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
