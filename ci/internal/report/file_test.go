package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path, wantErr string
	}{
		{"new file", filepath.Join(dir, "report.json"), ""},
		{"existing file", file, ""},
		{"relative", "report.json", ""},
		{"empty", "", "the report path is empty"},
		{"directory", dir, dir + " is a directory; name a file in it"},
		{"missing directory", filepath.Join(dir, "out", "r.json"), "directory " + filepath.Join(dir, "out") + " does not exist"},
		{"parent is a file", filepath.Join(file, "r.json"), file + " is not a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.path == "report.json" {
				t.Chdir(dir)
			}
			err := CheckPath(tc.path)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("CheckPath(%q) = %v, want nil", tc.path, err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("CheckPath(%q) = %v, want an error containing %q", tc.path, err, tc.wantErr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("CheckPath left files behind: %v", entries)
			}
		})
	}
}

func TestWriteFileReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}

	boom := errors.New("encoder failed")
	err := writeFile(path, func(w io.Writer) error {
		io.WriteString(w, "half a rep")
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), path) {
		t.Errorf("writeFile = %v, want %v naming %s", err, boom, path)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("a failed write changed the file to %q", got)
	}

	if err := writeFile(path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Errorf("file = %q, want new", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v, want 0644", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}

	missing := filepath.Join(dir, "gone", "r.json")
	if err := writeFile(missing, func(io.Writer) error { return nil }); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("writeFile(%s) = %v, want an error naming it", missing, err)
	}
}

// TestFinishWritesFiles runs the reporter as main does and checks both files, and that a
// report that cannot be written is an error naming it while the other reports still appear.
func TestFinishWritesFiles(t *testing.T) {
	dir := t.TempDir()
	o := testOptions()
	o.JSONPath, o.SARIFPath = filepath.Join(dir, "r.json"), filepath.Join(dir, "r.sarif")
	o.Getenv = getenvFrom(nil)
	stdout, err := runReporter(t, o, failedRun())
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{o.JSONPath, o.SARIFPath} {
		var v map[string]any
		if err := json.Unmarshal([]byte(readFile(t, path)), &v); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
	var want bytes.Buffer
	if err := JSON(&want, failedRun(), o); err != nil {
		t.Fatal(err)
	}
	if readFile(t, o.JSONPath) != want.String() {
		t.Errorf("%s differs from JSON()", o.JSONPath)
	}
	if !strings.Contains(stdout, "ERROR: check in 25.5s") {
		t.Errorf("the terminal report is missing:\n%s", stdout)
	}

	gone := filepath.Join(dir, "removed")
	o.JSONPath = filepath.Join(gone, "r.json")
	stdout, err = runReporter(t, o, failedRun())
	if err == nil || !strings.Contains(err.Error(), o.JSONPath) {
		t.Errorf("Finish = %v, want an error naming %s", err, o.JSONPath)
	}
	if !strings.Contains(stdout, "ERROR: check in 25.5s") {
		t.Errorf("the terminal report is missing when a file fails:\n%s", stdout)
	}
	if readFile(t, o.SARIFPath) == "" {
		t.Errorf("the SARIF report was not written when the JSON one failed")
	}
}

func TestFinishTwice(t *testing.T) {
	rep := New(Options{Getenv: getenvFrom(nil)})
	if err := rep.Finish(publishedRun()); err != nil {
		t.Fatal(err)
	}
	if err := rep.Finish(publishedRun()); err == nil {
		t.Error("the second Finish returned nil")
	}
}
