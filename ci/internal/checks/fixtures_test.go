package checks

import (
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under ci/testdata/checks from what the checks find")

// fixtures is where the hostile and clean inputs live, with their golden findings.
const fixtures = "../../testdata/checks"

// render writes findings one per line as "RULE location", with where a suppressed one was
// ignored, or the error when the input was rejected.
func render(fs []Finding, err error) []string {
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	out := []string{}
	for _, f := range fs {
		line := f.Rule + " " + f.Location.String()
		if f.Suppressed != "" {
			line += " suppressed-by " + f.SuppressedBy
		}
		out = append(out, line)
	}
	return out
}

// golden compares got with dir/name.golden, or rewrites it with -update.
func golden(t *testing.T, path string, got []string) {
	t.Helper()
	if *update {
		text := strings.Join(got, "\n")
		if len(got) > 0 {
			text += "\n"
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the golden file: %v (run go test -update to create it, then review it)", err)
	}
	want := []string{}
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if l != "" {
			want = append(want, l)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings differ from %s (-want +got):\n%s", path, diff)
	}
}

// fixtureFiles lists the inputs of one kind, sorted.
func fixtureFiles(t *testing.T, kind, suffix string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(fixtures, kind, "*"+suffix))
	if err != nil || len(names) == 0 {
		t.Fatalf("no %s fixtures in %s (%v)", suffix, filepath.Join(fixtures, kind), err)
	}
	sort.Strings(names)
	return names
}

// runFixtures checks every input of a kind against its golden file. Inputs named clean-*
// must also produce no finding and no error at all.
func runFixtures(t *testing.T, kind, suffix string, check func(name string, src []byte) ([]Finding, error)) {
	for _, path := range fixtureFiles(t, kind, suffix) {
		base := filepath.Base(path)
		t.Run(strings.TrimSuffix(base, suffix), func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			fs, err := check(base, src)
			for _, f := range fs {
				if f.Message == "" || f.Fix == "" {
					t.Errorf("%s at %s has no message or fix", f.Rule, f.Location)
				}
			}
			if strings.HasPrefix(base, "clean") && (err != nil || len(fs) > 0) {
				t.Errorf("clean fixture %s: got %q, want no finding", base, render(fs, err))
			}
			golden(t, strings.TrimSuffix(path, suffix)+".golden", render(fs, err))
		})
	}
}

func TestDockerfileFixtures(t *testing.T) { runFixtures(t, "dockerfile", ".Dockerfile", Dockerfile) }

func TestComposeFixtures(t *testing.T) { runFixtures(t, "compose", ".yml", Compose) }
