package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the current output")

// golden compares got with testdata/name, or rewrites that file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("updating %s: %v", path, err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v (go test ./ci/internal/report -update writes it)", path, err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the output (-want +got):\n%s\nIf the change is meant, rerun with -update.", path, diff)
	}
}

// renderers are the outputs kept as golden files, each made from one fixed result.
var renderers = []struct {
	suffix string
	render func(t *testing.T, r *pipeline.Result) []byte
}{
	{"terminal.txt", func(t *testing.T, r *pipeline.Result) []byte {
		return terminal(r, Terminal{Lookup: testLookup})
	}},
	{"terminal-verbose.txt", func(t *testing.T, r *pipeline.Result) []byte {
		return terminal(r, Terminal{Verbose: true, Lookup: testLookup})
	}},
	{"terminal-color.txt", func(t *testing.T, r *pipeline.Result) []byte {
		return terminal(r, Terminal{Color: true, Lookup: testLookup})
	}},
	{"report.json", func(t *testing.T, r *pipeline.Result) []byte {
		var b bytes.Buffer
		if err := JSON(&b, r, testOptions()); err != nil {
			t.Fatalf("JSON: %v", err)
		}
		return b.Bytes()
	}},
	{"sarif.json", func(t *testing.T, r *pipeline.Result) []byte {
		var b bytes.Buffer
		if err := SARIF(&b, r, testOptions()); err != nil {
			t.Fatalf("SARIF: %v", err)
		}
		return b.Bytes()
	}},
	{"summary.md", func(t *testing.T, r *pipeline.Result) []byte {
		return []byte(Markdown(r, testOptions()))
	}},
}

// terminal renders what a person sees: a progress line per stage, then the report.
func terminal(r *pipeline.Result, t Terminal) []byte {
	var b bytes.Buffer
	t.W = &b
	for _, s := range r.Stages {
		t.StageLine(s)
	}
	t.Report(r)
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	for _, fx := range fixtures {
		for _, rd := range renderers {
			name := fx.name + "." + rd.suffix
			t.Run(name, func(t *testing.T) {
				golden(t, name, rd.render(t, fx.run()))
			})
		}
	}
}
