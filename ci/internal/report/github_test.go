package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// actionsEnv is a GitHub Actions step's environment with fresh, empty command files.
func actionsEnv(t *testing.T) (env map[string]string, output, summary string) {
	t.Helper()
	dir := t.TempDir()
	output, summary = filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	for _, f := range []string{output, summary} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]string{
		"GITHUB_ACTIONS":               "true",
		"GITHUB_OUTPUT":                output,
		"GITHUB_STEP_SUMMARY":          summary,
		"GITHUB_WORKSPACE":             "/src",
		"WHITEMAGIC_REGISTRY_PASSWORD": "hunter2\nsecond line of it",
		"GITHUB_TOKEN":                 "ghs_workflowtoken",
	}, output, summary
}

func getenvFrom(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

// runReporter feeds a result through a reporter the way the pipeline does.
func runReporter(t *testing.T, o Options, r *pipeline.Result) (string, error) {
	t.Helper()
	var out bytes.Buffer
	o.Out = &out
	rep := New(o)
	if rep.gh != nil {
		rep.gh.token = func() string { return "T0KEN" }
	}
	for _, s := range r.Stages {
		if s.Status != pipeline.Skipped {
			rep.StageFinished(s)
		}
	}
	err := rep.Finish(r)
	return out.String(), err
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestGitHubActions(t *testing.T) {
	env, output, summary := actionsEnv(t)
	o := testOptions()
	o.Getenv = getenvFrom(env)
	o.Secrets = []string{"ghs_tok3n", ""}
	stdout, err := runReporter(t, o, failedRun())
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	golden(t, "failed.github-stdout.txt", []byte(stdout))

	lines := strings.Split(stdout, "\n")
	t.Run("masks before anything else", func(t *testing.T) {
		want := []string{"::add-mask::hunter2", "::add-mask::second line of it", "::add-mask::ghs_workflowtoken",
			"::add-mask::ghs_tok3n"}
		if diff := cmp.Diff(want, lines[:4]); diff != "" {
			t.Errorf("first lines (-want +got):\n%s", diff)
		}
		if !strings.HasPrefix(lines[4], "::group::") {
			t.Errorf("line 5 = %q, want the first stage's group", lines[4])
		}
	})
	t.Run("one group per stage that ran", func(t *testing.T) {
		var got []string
		for _, l := range lines {
			if strings.HasPrefix(l, "::group::") || l == "::endgroup::" {
				got = append(got, l)
			}
		}
		want := []string{
			"::group::lint: failed in 1.2s, 3 errors, 1 suppressed", "::endgroup::",
			"::group::test: passed in 8.0s", "::endgroup::",
			"::group::build: passed in 12.3s", "::endgroup::",
			"::group::audit: failed in 420ms, 1 error, 1 warning, 1 info", "::endgroup::",
			"::group::hardened-run: error in 3.0s, container exited with code 2 before /health answered", "::endgroup::",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("groups (-want +got):\n%s", diff)
		}
	})
	t.Run("annotations", func(t *testing.T) {
		var got []string
		for _, l := range lines {
			if strings.HasPrefix(l, "::error ") || strings.HasPrefix(l, "::warning ") || strings.HasPrefix(l, "::notice ") {
				got = append(got, l)
			}
		}
		want := []string{
			"::error file=whitemagic/Dockerfile,line=12,title=WM-DF-001 Final stage runs as root::the final stage's USER is root%0AFix: End the final stage with `USER 1000:1000`.",
			"::error file=whitemagic/deploy/compose files/prod.yml,line=7,title=WM-CO-016 Port published on every host interface::ports[0] is \"8000:8000\" | binds 0.0.0.0%0AFix: Bind to 127.0.0.1.",
			"::error file=/etc/whitemagic/override.yml,title=WM-PL-003 A Dockerfile or compose file cannot be read or parsed::yaml: line 4: mapping values are not allowed here%0AFix: Fix the syntax error.",
			"::error file=whitemagic/Dockerfile,title=WM-IM-006 setuid or setgid file in the image::/usr/bin/su has mode 4755 (setuid/setgid) [image: /usr/bin/su]%0AFix: Remove the setuid bit.",
			"::warning file=whitemagic/Dockerfile,title=WM-IM-017 Image exposes no port::the image exposes no port [image: config.ExposedPorts]%0AFix: Add EXPOSE 8000.",
			"::notice file=whitemagic/Dockerfile,title=WM-XX-900 WM-XX-900::label says \\x1b[31mred\\x1b[0m%0Aand a second line [image: config.Labels]",
			"::error file=whitemagic/docker-compose.yml,title=WM-HR-001 Container exited or restarted during the hardened run::the container exited with code 2 [container: State.ExitCode]%0AFix: Read the container's logs in the report.",
			"::error title=whitemagic hardened-run stage error::container exited with code 2 before /health answered (the hardened-run log group has the detail)",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("annotations (-want +got):\n%s", diff)
		}
	})
	t.Run("hostile text cannot issue commands", func(t *testing.T) {
		// The container logged "::add-mask::not-a-secret"; it must only appear between
		// stop-commands and the resume token.
		stopped := false
		for i, l := range lines {
			switch {
			case l == "::stop-commands::T0KEN":
				stopped = true
			case l == "::T0KEN::":
				stopped = false
			case strings.Contains(l, "::add-mask::not-a-secret") && !stopped:
				t.Errorf("line %d %q is outside a stop-commands block", i+1, l)
			}
		}
		if !strings.Contains(stdout, "::add-mask::not-a-secret") {
			t.Error("the hostile detail line is missing from the log")
		}
	})
	t.Run("outputs", func(t *testing.T) {
		const d = "_GitHubActionsFileCommandDelimeter_"
		want := strings.Join([]string{
			"result<<" + d, "error", d,
			"digest<<" + d, digest, d,
			"image<<" + d, "whitemagic", d,
			"tags<<" + d, "dev", d,
		}, "\n") + "\n"
		if diff := cmp.Diff(want, readFile(t, output)); diff != "" {
			t.Errorf("GITHUB_OUTPUT (-want +got):\n%s", diff)
		}
	})
	t.Run("summary", func(t *testing.T) {
		want := Markdown(failedRun(), testOptions()) + "\n"
		if diff := cmp.Diff(want, readFile(t, summary)); diff != "" {
			t.Errorf("GITHUB_STEP_SUMMARY (-want +got):\n%s", diff)
		}
	})
}

func TestGitHubOutputsOfAPublish(t *testing.T) {
	env, output, _ := actionsEnv(t)
	o := testOptions()
	o.Getenv = getenvFrom(env)
	if _, err := runReporter(t, o, publishedRun()); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(readFile(t, output), "\n"), "\n")
	for i := 0; i+2 < len(lines); i += 3 {
		name, _, _ := strings.Cut(lines[i], "<<")
		got[name] = lines[i+1]
	}
	want := map[string]string{"result": "passed", "digest": digest, "image": "127.0.0.1:5000/acme/whitemagic",
		"tags": "1.4.2,edge"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
}

// TestOutsideActions runs with the command files present but GITHUB_ACTIONS not "true":
// nothing may be written to them and no workflow command printed.
func TestOutsideActions(t *testing.T) {
	for _, value := range []string{"", "false", "1"} {
		t.Run("GITHUB_ACTIONS="+value, func(t *testing.T) {
			env, output, summary := actionsEnv(t)
			if value == "" {
				delete(env, "GITHUB_ACTIONS")
			} else {
				env["GITHUB_ACTIONS"] = value
			}
			o := testOptions()
			o.Getenv = getenvFrom(env)
			stdout, err := runReporter(t, o, failedRun())
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range strings.Split(stdout, "\n") {
				if strings.HasPrefix(strings.TrimSpace(l), "::") && !strings.Contains(l, "not-a-secret") {
					t.Errorf("line %d is a workflow command outside Actions: %q", i+1, l)
				}
			}
			for _, f := range []string{output, summary} {
				if got := readFile(t, f); got != "" {
					t.Errorf("%s was written outside Actions:\n%s", f, got)
				}
			}
			var want bytes.Buffer
			term := Terminal{W: &want, Lookup: testLookup}
			for _, s := range failedRun().Stages {
				if s.Status != pipeline.Skipped {
					term.StageLine(s)
				}
			}
			term.Report(failedRun())
			if diff := cmp.Diff(want.String(), stdout); diff != "" {
				t.Errorf("stdout outside Actions is not the plain terminal report (-want +got):\n%s", diff)
			}
		})
	}
}

// TestActionsWithoutCommandFiles: in Actions but with GITHUB_OUTPUT unset and
// GITHUB_STEP_SUMMARY naming a missing file or a directory, the reporter warns and goes on.
func TestActionsWithoutCommandFiles(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		summary string
		want    string
	}{
		{"missing file", filepath.Join(dir, "gone", "summary"), "::warning::GITHUB_STEP_SUMMARY names " + filepath.Join(dir, "gone", "summary") + ", which cannot be read"},
		{"directory", dir, "::warning::GITHUB_STEP_SUMMARY names " + dir + ", which is not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": tc.summary}
			o := testOptions()
			o.Getenv = getenvFrom(env)
			stdout, err := runReporter(t, o, publishedRun())
			if err != nil {
				t.Fatalf("Finish: %v", err)
			}
			if !strings.Contains(stdout, tc.want) {
				t.Errorf("stdout lacks %q:\n%s", tc.want, stdout)
			}
			if !strings.Contains(stdout, "::warning::GITHUB_OUTPUT is not set; whitemagic skips what it would write there") {
				t.Errorf("stdout lacks the GITHUB_OUTPUT warning:\n%s", stdout)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("stdout is closed") }

func TestActionsStdoutFails(t *testing.T) {
	env, _, _ := actionsEnv(t)
	o := testOptions()
	o.Getenv = getenvFrom(env)
	o.Out = failingWriter{}
	rep := New(o)
	for _, s := range failedRun().Stages {
		rep.StageFinished(s)
	}
	err := rep.Finish(failedRun())
	if err == nil || !strings.Contains(err.Error(), "stdout is closed") {
		t.Errorf("Finish = %v, want the stdout error", err)
	}
}

func TestSafely(t *testing.T) {
	err := safely("writing the step summary", func() { panic("unable to write command") })
	if err == nil || err.Error() != "writing the step summary: unable to write command" {
		t.Errorf("safely(panic) = %v", err)
	}
	if err := safely("x", func() {}); err != nil {
		t.Errorf("safely(no panic) = %v", err)
	}
}

// TestStagesFinishConcurrently calls StageFinished from one goroutine per stage, as the
// pipeline does, and checks that no group or line is torn.
func TestStagesFinishConcurrently(t *testing.T) {
	for _, actions := range []bool{false, true} {
		t.Run(map[bool]string{false: "terminal", true: "actions"}[actions], func(t *testing.T) {
			env, _, _ := actionsEnv(t)
			if !actions {
				delete(env, "GITHUB_ACTIONS")
			}
			var out bytes.Buffer
			o := testOptions()
			o.Getenv, o.Out = getenvFrom(env), &out
			rep := New(o)
			res := failedRun()
			var wg sync.WaitGroup
			for _, s := range res.Stages {
				wg.Add(1)
				go func() { defer wg.Done(); rep.StageFinished(s) }()
			}
			wg.Wait()

			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if !actions {
				if len(lines) != len(res.Stages) {
					t.Errorf("%d progress lines, want %d:\n%s", len(lines), len(res.Stages), out.String())
				}
				return
			}
			open := ""
			for _, l := range lines {
				switch {
				case strings.HasPrefix(l, "::group::"):
					if open != "" {
						t.Fatalf("group %q opened inside %q", l, open)
					}
					open = l
				case l == "::endgroup::":
					open = ""
				case strings.HasPrefix(l, "::add-mask::"):
				case open == "":
					t.Errorf("line %q is outside every group", l)
				}
			}
		})
	}
}
