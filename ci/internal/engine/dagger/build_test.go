package dagger

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dagger.io/dagger"
)

func TestContextExcludes(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string
		dockerfile string
		want       []string
	}{
		{"no ignore file sends everything", map[string]string{}, "Dockerfile", nil},
		{"the repository's own", map[string]string{".dockerignore": "# Only go.mod, go.sum and service/\n*\n!go.mod\n!go.sum\n!service/\nservice/**/testdata/\nservice/**/*_test.go\n"},
			"Dockerfile", []string{"*", "!go.mod", "!go.sum", "!service", "service/**/testdata", "service/**/*_test.go",
				"!Dockerfile", "!.dockerignore"}},
		{"blank lines, spaces, leading slash", map[string]string{".dockerignore": "\n  /bin/  \n\n! keep.txt\n/\n"},
			"Dockerfile", []string{"bin", "!keep.txt", "!Dockerfile", "!.dockerignore"}},
		{"a Dockerfile's own ignore file wins", map[string]string{".dockerignore": "a\n", "build/app.Dockerfile.dockerignore": "b\n"},
			"build/app.Dockerfile", []string{"b", "!build/app.Dockerfile", "!build/app.Dockerfile.dockerignore"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tt.files {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := contextExcludes(dir, tt.dockerfile)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("contextExcludes() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestContextExcludesUnreadable(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, ".dockerignore"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := contextExcludes(dir, "Dockerfile"); err == nil {
		t.Error("contextExcludes() with a .dockerignore that is a directory succeeded, want an error naming it")
	}
}

func TestBuildArgsSorted(t *testing.T) {
	got := buildArgs(map[string]string{"VERSION": "1", "CREATED": "2", "GO_IMAGE": "g"})
	want := []dagger.BuildArg{{Name: "CREATED", Value: "2"}, {Name: "GO_IMAGE", Value: "g"}, {Name: "VERSION", Value: "1"}}
	if !slices.Equal(got, want) {
		t.Errorf("buildArgs() = %v, want %v", got, want)
	}
}

func TestPullHint(t *testing.T) {
	if got, want := pullHint("-docker-cli-image"), "point -docker-cli-image (WHITEMAGIC_DOCKER_CLI_IMAGE) at a mirror"; !strings.Contains(got, want) {
		t.Errorf("pullHint(-docker-cli-image) = %q, want it to contain %q", got, want)
	}
}
