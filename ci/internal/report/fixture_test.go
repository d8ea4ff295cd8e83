package report

import (
	"strings"
	"time"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// testRules stands in for the rule registry in the golden files, so that rewording a rule
// in ci/internal/checks does not change this package's goldens. TestRealRules covers the
// real registry.
var testRules = map[string]checks.Rule{
	"WM-DF-001": {ID: "WM-DF-001", Title: "Final stage runs as root", Severity: checks.Error,
		Fix: "End the final stage with `USER 1000:1000`.", Refs: []string{"CIS 4.1", "DL3002", "CIS-DI-0001", "DS002"}},
	"WM-DF-008": {ID: "WM-DF-008", Title: "Base image is not pinned by digest", Severity: checks.Warning,
		Fix: "Write FROM name:tag@sha256:..."},
	"WM-CO-016": {ID: "WM-CO-016", Title: "Port published on every host interface", Severity: checks.Error,
		Fix: "Bind to 127.0.0.1.", Refs: []string{"CIS 5.14"}},
	"WM-PL-003": {ID: "WM-PL-003", Title: "A Dockerfile or compose file cannot be read or parsed", Severity: checks.Error,
		Fix: "Fix the syntax error."},
	"WM-IM-006": {ID: "WM-IM-006", Title: "setuid or setgid file in the image", Severity: checks.Error,
		Fix: "Remove the setuid bit.", Refs: []string{"CIS 4.8", "CIS-DI-0008"}},
	"WM-IM-017": {ID: "WM-IM-017", Title: "Image exposes no port", Severity: checks.Warning,
		Fix: "Add EXPOSE 8000."},
	"WM-HR-001": {ID: "WM-HR-001", Title: "Container exited or restarted during the hardened run", Severity: checks.Error,
		Fix: "Read the container's logs in the report."},
	"WM-PL-001": {ID: "WM-PL-001", Title: "go vet or go test failed", Severity: checks.Error,
		Fix: "Run go test -race ./... locally."},
}

func testLookup(id string) (checks.Rule, bool) {
	r, ok := testRules[id]
	return r, ok
}

// testOptions are the options the goldens are made with: a fixed absolute source root.
func testOptions() Options {
	return Options{Source: "/src/whitemagic", Dockerfile: "Dockerfile", Compose: "docker-compose.yml",
		Lookup: testLookup}
}

func find(id string, sev checks.Severity, msg string, loc checks.Location) checks.Finding {
	f := checks.Finding{Rule: id, Severity: sev, Message: msg, Location: loc}
	if r, ok := testRules[id]; ok {
		f.Fix = r.Fix
	}
	return f
}

const digest = "sha256:4f2a9c0de1b7c6a5f4e3d2c1b0a9f8e7d6c5b4a3928170615f4e3d2c1b0a9f8e"

// failedRun is a check run with a bit of everything: failed and errored stages, a
// suppressed finding, a finding of an unregistered rule, findings with and without files,
// hostile text (control characters, a workflow command, pipes, backticks) in messages and
// in a container's logs.
func failedRun() *pipeline.Result {
	return &pipeline.Result{
		Mode: "check", Engine: "docker", Image: "whitemagic", Digest: digest, Tags: []string{"dev"},
		Stages: []pipeline.StageResult{
			{Name: "lint", Status: pipeline.Failed, Duration: 1234 * time.Millisecond, Findings: []checks.Finding{
				find("WM-DF-001", checks.Error, "the final stage's USER is root", checks.Location{File: "Dockerfile", Line: 12}),
				func() checks.Finding {
					f := find("WM-DF-008", checks.Warning, "golang:1.26.8-bookworm is not pinned by digest",
						checks.Location{File: "Dockerfile", Line: 3})
					f.Suppressed = "the offline mirror re-tags nightly; the release workflow pins it"
					f.SuppressedBy = "Dockerfile:2"
					return f
				}(),
				find("WM-CO-016", checks.Error, "ports[0] is \"8000:8000\" | binds 0.0.0.0",
					checks.Location{File: "deploy/compose files/prod.yml", Line: 7, Path: "services.whitemagic.ports"}),
				find("WM-PL-003", checks.Error, "yaml: line 4: mapping values are not allowed here",
					checks.Location{File: "/etc/whitemagic/override.yml"}),
			}},
			{Name: "test", Status: pipeline.Passed, Duration: 8 * time.Second},
			{Name: "build", Status: pipeline.Passed, Duration: 12300 * time.Millisecond},
			{Name: "audit", Status: pipeline.Failed, Duration: 420 * time.Millisecond, Findings: []checks.Finding{
				find("WM-IM-006", checks.Error, "/usr/bin/su has mode 4755 (setuid/setgid)", checks.Location{Path: "/usr/bin/su"}),
				find("WM-IM-017", checks.Warning, "the image exposes no port", checks.Location{Path: "config.ExposedPorts"}),
				{Rule: "WM-XX-900", Severity: checks.Info, Message: "label says \x1b[31mred\x1b[0m\nand a second line",
					Location: checks.Location{Path: "config.Labels"}},
			}},
			{Name: "hardened-run", Status: pipeline.Errored, Duration: 3050 * time.Millisecond,
				Detail: strings.Join([]string{
					"container exited with code 2 before /health answered",
					`{"level":"ERROR","msg":"open /data: permission denied"}`,
					"::add-mask::not-a-secret",
					"```",
					"a line with | a pipe and <b>html</b>",
				}, "\n"),
				Findings: []checks.Finding{
					find("WM-HR-001", checks.Error, "the container exited with code 2", checks.Location{Path: "State.ExitCode"}),
				}},
			{Name: "publish", Status: pipeline.Skipped},
		},
		Duration: 25500 * time.Millisecond,
	}
}

// publishedRun is a publish run where every stage passed.
func publishedRun() *pipeline.Result {
	return &pipeline.Result{
		Mode: "publish", Engine: "dagger", Image: "acme/whitemagic", Digest: digest,
		Tags: []string{"1.4.2", "edge"},
		Stages: []pipeline.StageResult{
			{Name: "lint", Status: pipeline.Passed, Duration: 150 * time.Millisecond},
			{Name: "test", Status: pipeline.Passed, Duration: 41 * time.Second},
			{Name: "build", Status: pipeline.Passed, Duration: 75 * time.Second},
			{Name: "audit", Status: pipeline.Passed, Duration: 900 * time.Millisecond, Findings: []checks.Finding{
				find("WM-IM-017", checks.Info, "the image exposes no port", checks.Location{Path: "config.ExposedPorts"}),
				func() checks.Finding {
					f := find("WM-IM-006", checks.Error, "/usr/bin/ping has mode 4755 (setuid/setgid)",
						checks.Location{Path: "/usr/bin/ping"})
					f.Suppressed, f.SuppressedBy = "ping needs raw sockets; the image drops it next release", ".whitemagic.yml:4"
					return f
				}(),
			}},
			{Name: "hardened-run", Status: pipeline.Passed, Duration: 9 * time.Second},
			{Name: "publish", Status: pipeline.Passed, Duration: 2 * time.Second},
		},
		Published: []string{
			"127.0.0.1:5000/acme/whitemagic:1.4.2@" + digest,
			"127.0.0.1:5000/acme/whitemagic:edge@" + digest,
		},
		TimeToHealthy: 640 * time.Millisecond,
		Duration:      2*time.Minute + 9*time.Second,
	}
}

// interruptedRun is a run stopped by SIGINT during the tests: the go test failure it had
// already seen stays in the report.
func interruptedRun() *pipeline.Result {
	return &pipeline.Result{
		Mode: "check", Engine: "docker", Image: "whitemagic", Tags: []string{"dev"},
		Stages: []pipeline.StageResult{
			{Name: "lint", Status: pipeline.Passed, Duration: 200 * time.Millisecond},
			{Name: "test", Status: pipeline.Failed, Duration: 5 * time.Second, Detail: "--- FAIL: TestStore (0.01s)\n    store_test.go:40: got 1, want 2",
				Findings: []checks.Finding{find("WM-PL-001", checks.Error, "go vet or go test failed for ./service/...",
					checks.Location{Path: "./service/..."})}},
			{Name: "build", Status: pipeline.Errored, Duration: 6 * time.Second, Detail: "interrupted"},
			{Name: "audit", Status: pipeline.Skipped},
			{Name: "hardened-run", Status: pipeline.Skipped},
			{Name: "publish", Status: pipeline.Skipped},
		},
		Interrupted: true,
		Duration:    6100 * time.Millisecond,
	}
}

// fixtures names every fixed result the goldens are made from.
var fixtures = []struct {
	name string
	run  func() *pipeline.Result
}{
	{"failed", failedRun},
	{"published", publishedRun},
	{"interrupted", interruptedRun},
}
