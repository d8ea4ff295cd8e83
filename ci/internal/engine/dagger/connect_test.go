package dagger

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/whitemagic/whitemagic/ci/internal/engine"
)

func TestFindRoute(t *testing.T) {
	cache := t.TempDir()
	cached := filepath.Join(cache, "dagger", "dagger-0.21.9")
	tests := []struct {
		name    string
		env     map[string]string
		path    map[string]string // what lookPath finds, by name
		want    route
		errSays []string // the error contains each; nil for no error
	}{
		{"inside dagger run", map[string]string{envSessionPort: "4242", envSessionToken: "t"},
			map[string]string{"dagger": "/usr/local/bin/dagger"}, route{session: true}, nil},
		{"session port without token", map[string]string{envSessionPort: "4242"}, nil,
			route{}, []string{envSessionToken, "dagger run go run ./ci"}},
		{"CLI named by the SDK's variable", map[string]string{envCLIBin: "/opt/dagger/bin/dagger"},
			map[string]string{"/opt/dagger/bin/dagger": "/opt/dagger/bin/dagger", "dagger": "/usr/bin/dagger"},
			route{cli: "/opt/dagger/bin/dagger"}, nil},
		{"CLI variable naming nothing", map[string]string{envCLIBin: "/nope/dagger"}, nil,
			route{}, []string{envCLIBin, "/nope/dagger", "install the Dagger CLI"}},
		{"dagger on PATH", nil, map[string]string{"dagger": "/usr/local/bin/dagger"},
			route{cli: "/usr/local/bin/dagger"}, nil},
		{"dagger on PATH with a remote runner", map[string]string{envRunnerHost: "tcp://ci-engine:1234"},
			map[string]string{"dagger": "/usr/local/bin/dagger"}, route{cli: "/usr/local/bin/dagger"}, nil},
		{"a CLI the SDK downloaded before", nil, map[string]string{cached: cached}, route{cli: cached}, nil},
		{"nothing at all", nil, nil, route{},
			[]string{"no dagger CLI on PATH", "install the Dagger CLI 0.21.9", "dagger run go run ./ci"}},
		{"a runner but no CLI", map[string]string{envRunnerHost: "tcp://ci-engine:1234"}, nil, route{},
			[]string{envRunnerHost + "=tcp://ci-engine:1234 needs one too", "install the Dagger CLI"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			lookPath := func(file string) (string, error) {
				if p, ok := tt.path[file]; ok {
					return p, nil
				}
				return "", errors.New("executable file not found")
			}
			got, err := findRoute(getenv, lookPath, cache)
			if tt.errSays == nil {
				if err != nil || got != tt.want {
					t.Fatalf("findRoute() = %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, engine.ErrUnavailable) {
				t.Fatalf("findRoute() error = %v, want one wrapping engine.ErrUnavailable", err)
			}
			for _, s := range tt.errSays {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("findRoute() error = %q, want it to contain %q", err, s)
				}
			}
		})
	}
}

func TestCacheHome(t *testing.T) {
	if got := cacheHome(func(k string) string { return map[string]string{"XDG_CACHE_HOME": "/x/cache"}[k] }); got != "/x/cache" {
		t.Errorf("cacheHome(XDG_CACHE_HOME=/x/cache) = %q, want /x/cache", got)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home directory:", err)
	}
	if got := cacheHome(func(string) string { return "" }); got != filepath.Join(home, ".cache") {
		t.Errorf("cacheHome() = %q, want %s", got, filepath.Join(home, ".cache"))
	}
}

func TestOptionsDefaults(t *testing.T) {
	o := Options{DindImage: "mirror.example/docker:dind"}.withDefaults()
	if o.GoImage != DefaultGoImage || o.CLIImage != DefaultCLIImage || o.DindImage != "mirror.example/docker:dind" {
		t.Errorf("withDefaults() = %+v, want the defaults except the dind image given", o)
	}
	if o.Getenv == nil || o.LookPath == nil {
		t.Error("withDefaults() leaves Getenv or LookPath nil")
	}
}
