package report

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

func TestColorEnabled(t *testing.T) {
	// /dev/null is a character device, as a terminal is; a regular file and a buffer are not.
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var nilFile *os.File

	for _, tc := range []struct {
		name string
		w    io.Writer
		env  map[string]string
		want bool
	}{
		{"character device", devnull, nil, true},
		{"character device, TERM=xterm", devnull, map[string]string{"TERM": "xterm-256color"}, true},
		{"NO_COLOR set", devnull, map[string]string{"NO_COLOR": "1"}, false},
		{"NO_COLOR empty", devnull, map[string]string{"NO_COLOR": ""}, true},
		{"TERM=dumb", devnull, map[string]string{"TERM": "dumb"}, false},
		{"regular file", file, nil, false},
		{"buffer", &bytes.Buffer{}, nil, false},
		{"nil file", nilFile, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ColorEnabled(tc.w, getenvFrom(tc.env)); got != tc.want {
				t.Errorf("ColorEnabled = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestClean(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"two\nlines\tand a tab", "two\nlines\tand a tab"},
		{"\x1b[2J\x1b[31mred", `\x1b[2J\x1b[31mred`},
		{"over\rwrite", `over\x0dwrite`},
		{"bell\a and NUL\x00", `bell\x07 and NUL\x00`},
		{"C1 \u009b31m", `C1 \x9b31m`},
		{"bidi \u202eevil\u202c", `bidi \u202eevil\u202c`},
		{"ünïcödé and emoji 🚀", "ünïcödé and emoji 🚀"},
	} {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDuration(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{-time.Second, "0s"},
		{1500 * time.Microsecond, "2ms"},
		{420 * time.Millisecond, "420ms"},
		{999 * time.Millisecond, "999ms"},
		{time.Second, "1.0s"},
		{12345 * time.Millisecond, "12.3s"},
		{59949 * time.Millisecond, "59.9s"},
		{time.Minute, "1m00s"},
		{2*time.Minute + 9*time.Second, "2m09s"},
		{75 * time.Minute, "75m00s"},
	} {
		if got := duration(tc.in); got != tc.want {
			t.Errorf("duration(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestStageLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    pipeline.StageResult
		want string
	}{
		{"passed", pipeline.StageResult{Name: "lint", Status: pipeline.Passed, Duration: 150 * time.Millisecond},
			"PASSED   lint            150ms\n"},
		{"skipped", pipeline.StageResult{Name: "publish", Status: pipeline.Skipped}, "SKIPPED  publish             -\n"},
		{"error shows the cause's first line", pipeline.StageResult{Name: "build", Status: pipeline.Errored,
			Duration: 2 * time.Second, Detail: "docker: Cannot connect to the daemon\nsecond line"},
			"ERROR    build            2.0s  docker: Cannot connect to the daemon\n"},
		{"hostile cause", pipeline.StageResult{Name: "build", Status: pipeline.Errored,
			Duration: time.Second, Detail: "\x1b]0;title\x07"},
			"ERROR    build            1.0s  \\x1b]0;title\\x07\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			StageLine(&b, tc.s)
			if b.String() != tc.want {
				t.Errorf("StageLine = %q, want %q", b.String(), tc.want)
			}
		})
	}
}

// TestQuietAndVerbose checks what quiet leaves out and verbose adds.
func TestQuietAndVerbose(t *testing.T) {
	quiet := string(terminal(publishedRun(), Terminal{Lookup: testLookup}))
	verbose := string(terminal(publishedRun(), Terminal{Verbose: true, Lookup: testLookup}))
	fix := "fix:  " + testRules["WM-IM-017"].Fix
	if strings.Contains(quiet, fix) {
		t.Errorf("quiet output shows the fix of a passed stage's finding:\n%s", quiet)
	}
	if !strings.Contains(verbose, fix) {
		t.Errorf("verbose output lacks the fix %q:\n%s", fix, verbose)
	}

	failed := string(terminal(failedRun(), Terminal{Lookup: testLookup}))
	for _, want := range []string{"fix:  End the final stage", "refs: CIS 4.1, DL3002", "detail:",
		"open /data: permission denied"} {
		if !strings.Contains(failed, want) {
			t.Errorf("quiet output of a failed run lacks %q", want)
		}
	}
	if strings.Contains(failed, "offline mirror") {
		t.Errorf("quiet output lists a suppressed finding")
	}
	if v := string(terminal(failedRun(), Terminal{Verbose: true, Lookup: testLookup})); !strings.Contains(v,
		"suppressed: the offline mirror") {
		t.Errorf("verbose output lacks the suppressed finding and its reason")
	}
}
