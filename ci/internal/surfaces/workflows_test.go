package surfaces

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/whitemagic/whitemagic/ci/internal/release"
)

func TestWorkflowsFollowTheRules(t *testing.T) {
	t.Parallel()
	for _, w := range repoWorkflows(t) {
		t.Run(filepath.Base(w.path), func(t *testing.T) {
			for _, v := range violations(w) {
				t.Error(v)
			}
		})
	}
}

func TestWorkflowRulesCatchHostileWorkflows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file  string
		want  []string
		exact bool // the violations are exactly want
	}{
		{"loose.yml", []string{
			ruleTopPermissions + ": the workflow must start from permissions: {}",
			ruleConcurrency + ": the workflow has no concurrency group",
			ruleSecrets + ": a secret is in the workflow's env",
			ruleTimeout + ": job build: no timeout-minutes",
			rulePin + ": job build: step actions/checkout@v4 is not pinned",
			rulePin + `: job build: step "Set up Go" is not pinned`,
			ruleCheckout + ": job build: step actions/checkout@v4 does not set persist-credentials: false",
			ruleSecrets + `: job build: step "Upload" hands a secret to an action through with.token`,
			ruleRunExpression + `: job build: step "go run ./ci publish -tags ${{ github.head_ref }}" expands`,
			ruleThin + `: job build: step "go run ./ci publish -tags ${{ github.head_ref }}" runs the pipeline without dagger run`,
			ruleThin + `: job build: step "Fetch a script" does work the pipeline should do`,
			ruleJobPermissions + `: job build: actions is "read", want ""`,
			ruleJobPermissions + `: job build: contents is "write", want "read"`,
			ruleJobPermissions + `: job build: packages is "write", want ""`,
			ruleJobPermissions + `: job build: security-events is "", want "write"`,
			ruleJobPermissions + `: job read-all: permissions must be a mapping of scopes (not "read-all")`,
		}, false},
		{"cancels-releases.yml", []string{
			ruleConcurrency + ": cancel-in-progress must be false, or true only for pull requests",
		}, true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			w, err := loadWorkflow(filepath.Join("testdata", "workflows", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got := violations(w)
			joined := strings.Join(got, "\n")
			for _, want := range tc.want {
				if !strings.Contains(joined, want) {
					t.Errorf("no violation %q; got:\n%s", want, joined)
				}
			}
			if tc.exact && len(got) != len(tc.want) {
				t.Errorf("%d violations, want exactly %d:\n%s", len(got), len(tc.want), joined)
			}
		})
	}
}

func TestWorkflowPinsAreConsistentAndDocumented(t *testing.T) {
	t.Parallel()
	used := pins(repoWorkflows(t))
	documented := map[string][]string{}
	doc, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "github-actions.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([^`]+)` \\| (v\\d+\\.\\d+\\.\\d+) \\| `([0-9a-f]{40})` \\|")
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]] = append(documented[m[1]], m[3]+" # "+m[2])
	}
	for action, ps := range used {
		if len(ps) != 1 {
			t.Errorf("%s is pinned %d ways across the workflows: %v; use one", action, len(ps), ps)
		}
	}
	if diff := cmp.Diff(documented, used); diff != "" {
		t.Errorf("the pins in the workflows and the table in docs/github-actions.md differ (-docs +workflows):\n%s", diff)
	}
}

// pipelineStep returns the job's step that runs the pipeline.
func pipelineStep(t *testing.T, j *job) *step {
	t.Helper()
	for _, s := range j.Steps {
		if pipelineRun.MatchString(strings.TrimSpace(s.Run)) {
			return s
		}
	}
	t.Fatalf("job %s does not run the pipeline", j.name)
	return nil
}

func permissions(t *testing.T, j *job) map[string]string {
	t.Helper()
	m, ok := scalarMap(&j.Permissions)
	if !ok {
		t.Fatalf("job %s: permissions are not a mapping", j.name)
	}
	return m
}

func TestCIWorkflow(t *testing.T) {
	t.Parallel()
	w := workflowNamed(t, "ci.yml")

	on := get(w.root, "on")
	if diff := cmp.Diff([]string{"pull_request", "push"}, keys(on)); diff != "" {
		t.Errorf("ci.yml triggers mismatch (-want +got):\n%s", diff)
	}
	push := get(on, "push")
	if b := scalars(get(push, "branches")); !cmp.Equal(b, []string{"**"}) || get(push, "tags") != nil {
		t.Errorf("ci.yml push trigger = branches %v tags %v, want every branch and no tags", b, get(push, "tags"))
	}
	if c := get(get(w.root, "concurrency"), "cancel-in-progress"); c == nil ||
		c.Value != "${{ github.event_name == 'pull_request' }}" {
		t.Errorf("ci.yml cancels in progress %v, want only for pull requests", c)
	}

	for _, tc := range []struct {
		job, mode, ifExpr string
		perms             map[string]string
	}{
		{"check", "check",
			"github.event_name == 'pull_request' || github.ref_name != github.event.repository.default_branch",
			map[string]string{"contents": "read", "security-events": "write"}},
		{"publish", "publish",
			"github.event_name == 'push' && github.ref_name == github.event.repository.default_branch",
			map[string]string{"contents": "read", "packages": "write", "security-events": "write", "id-token": "write"}},
	} {
		j := w.jobs[tc.job]
		if j == nil {
			t.Fatalf("ci.yml has no job %s; jobs %v", tc.job, sortedJobs(w))
		}
		if j.If != tc.ifExpr {
			t.Errorf("ci.yml job %s runs if %q, want %q", tc.job, j.If, tc.ifExpr)
		}
		if diff := cmp.Diff(tc.perms, permissions(t, j)); diff != "" {
			t.Errorf("ci.yml job %s permissions mismatch (-want +got):\n%s", tc.job, diff)
		}
		if m := pipelineRun.FindStringSubmatch(strings.TrimSpace(pipelineStep(t, j).Run)); m[1] != tc.mode {
			t.Errorf("ci.yml job %s runs the pipeline in mode %s, want %s", tc.job, m[1], tc.mode)
		}
	}
	if n := len(w.jobs); n != 2 {
		t.Errorf("ci.yml has %d jobs (%v), want check and publish", n, sortedJobs(w))
	}
	if s := pipelineStep(t, w.jobs["check"]); len(s.Env) != 0 {
		t.Errorf("the check job's pipeline step has env %v; check mode needs no credentials", s.Env)
	}
}

// TestCIPublishTagsAreTheEdgePlan checks that the tags the workflow passes are the ones the
// release package plans for a default-branch build.
func TestCIPublishTagsAreTheEdgePlan(t *testing.T) {
	t.Parallel()
	run := pipelineStep(t, workflowNamed(t, "ci.yml").jobs["publish"]).Run
	m := regexp.MustCompile(`-tags "([^"]+)"`).FindStringSubmatch(run)
	if m == nil {
		t.Fatalf("the publish step passes no -tags: %s", run)
	}
	commit := strings.Repeat("0123456789", 4)
	got := strings.ReplaceAll(m[1], "${GITHUB_SHA}", commit)
	plan, err := release.Edge(commit)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Join(plan.Names(), ","); got != want {
		t.Errorf("publish tags = %q (GITHUB_SHA=%s), want release.Edge's %q", got, commit, want)
	}
}

func TestReleaseWorkflow(t *testing.T) {
	t.Parallel()
	w := workflowNamed(t, "release.yml")

	on := get(w.root, "on")
	if diff := cmp.Diff([]string{"push"}, keys(on)); diff != "" {
		t.Errorf("release.yml triggers mismatch (-want +got):\n%s", diff)
	}
	if tags := scalars(get(get(on, "push"), "tags")); !cmp.Equal(tags, []string{"v*"}) ||
		get(get(on, "push"), "branches") != nil {
		t.Errorf("release.yml push trigger = tags %v, want only tags v*", tags)
	}
	if c := get(get(w.root, "concurrency"), "cancel-in-progress"); c == nil || c.Value != "false" {
		t.Errorf("release.yml cancel-in-progress = %v, want false: a release never stops half-way", c)
	}
	if g := get(get(w.root, "concurrency"), "group"); g == nil || !strings.Contains(g.Value, "github.ref") {
		t.Errorf("release.yml concurrency group = %v, want one per tag", g)
	}

	j := w.jobs["release"]
	if j == nil || len(w.jobs) != 1 {
		t.Fatalf("release.yml jobs = %v, want only release", sortedJobs(w))
	}
	want := map[string]string{"contents": "read", "packages": "write", "id-token": "write"}
	if diff := cmp.Diff(want, permissions(t, j)); diff != "" {
		t.Errorf("release.yml permissions mismatch (-want +got):\n%s", diff)
	}
	run := pipelineStep(t, j).Run
	for _, s := range []string{"dagger run go run ./ci release ", `-version "${GITHUB_REF_NAME}"`, "-registry ghcr.io"} {
		if !strings.Contains(run, s) {
			t.Errorf("the release step %q does not pass %s", run, s)
		}
	}
}

// TestPublishingJobsSignThePipelineDigest checks every job that publishes: credentials reach
// the pipeline step only as WHITEMAGIC_REGISTRY_*, and cosign signs the digest the pipeline
// reported.
func TestPublishingJobsSignThePipelineDigest(t *testing.T) {
	t.Parallel()
	creds := map[string]string{
		"WHITEMAGIC_REGISTRY_USERNAME": "${{ github.actor }}",
		"WHITEMAGIC_REGISTRY_PASSWORD": "${{ secrets.GITHUB_TOKEN }}",
	}
	for _, tc := range []struct{ file, job string }{{"ci.yml", "publish"}, {"release.yml", "release"}} {
		t.Run(tc.file+"/"+tc.job, func(t *testing.T) {
			j := workflowNamed(t, tc.file).jobs[tc.job]
			p := pipelineStep(t, j)
			if p.ID != "pipeline" {
				t.Errorf("the pipeline step's id = %q, want pipeline (the signing step reads its outputs)", p.ID)
			}
			if diff := cmp.Diff(creds, p.Env); diff != "" {
				t.Errorf("the pipeline step's env mismatch (-want +got):\n%s", diff)
			}
			var sign *step
			for _, s := range j.Steps {
				if strings.Contains(s.Run, "cosign sign") {
					sign = s
				}
			}
			if sign == nil {
				t.Fatal("no step signs the published digest")
			}
			if sign.Env["DIGEST"] != "${{ steps.pipeline.outputs.digest }}" ||
				sign.Env["IMAGE"] != "${{ steps.pipeline.outputs.image }}" ||
				sign.If != "steps.pipeline.outputs.digest != ''" {
				t.Errorf("signing step env %v if %q, want the pipeline's image and digest outputs", sign.Env, sign.If)
			}
			for _, s := range []string{`cosign sign --yes "${IMAGE}@${DIGEST}"`,
				`cosign attest --yes --type cyclonedx --predicate sbom.cdx.json "${IMAGE}@${DIGEST}"`} {
				if !strings.Contains(sign.Run, s) {
					t.Errorf("signing step does not run %s:\n%s", s, sign.Run)
				}
			}
			if !strings.Contains(p.Run, "-sbom sbom.cdx.json") {
				t.Errorf("the pipeline step writes no sbom.cdx.json for the attestation: %s", p.Run)
			}
		})
	}
}

// TestDaggerVersionMatchesTheSDK checks that the Dagger CLI the workflows install is the one
// the dagger.io/dagger module in go.mod expects.
func TestDaggerVersionMatchesTheSDK(t *testing.T) {
	t.Parallel()
	gomod, err := os.ReadFile(filepath.Join(repoRoot(t), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*dagger\.io/dagger v(\S+)`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("go.mod does not require dagger.io/dagger")
	}
	sdk := string(m[1])
	for _, w := range repoWorkflows(t) {
		for _, j := range w.jobs {
			for _, s := range j.Steps {
				if !strings.HasPrefix(s.Uses, "dagger/dagger-for-github@") {
					continue
				}
				if v := s.With["version"].Value; v != sdk {
					t.Errorf("%s job %s installs Dagger %q, want %s as go.mod's dagger.io/dagger",
						filepath.Base(w.path), j.name, v, sdk)
				}
			}
		}
	}
}

// lintFinding is one actionlint error, as the actionlint program in ./actionlint prints it.
type lintFinding struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

func (f lintFinding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s [%s]", f.File, f.Line, f.Column, f.Message, f.Kind)
}

var (
	linterOnce sync.Once
	linterBin  string
	linterErr  error
)

// linter builds ./actionlint, a program of its own module that calls the actionlint library
// (see its doc comment for why it cannot live in the main module). It builds from the module
// cache only, never the network: .ci/prepare or `go mod download` in that directory fills it.
func linter(t *testing.T) string {
	t.Helper()
	linterOnce.Do(func() {
		dir, err := os.MkdirTemp("", "whitemagic-actionlint-")
		if err != nil {
			linterErr = err
			return
		}
		linterBin = filepath.Join(dir, "actionlint")
		cmd := exec.Command("go", "build", "-o", linterBin, ".")
		cmd.Dir = "actionlint"
		cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			linterErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if linterErr != nil {
		msg := fmt.Sprintf("building the actionlint program from the module cache failed "+
			"(fill the cache with: cd ci/internal/surfaces/actionlint && go mod download): %v", linterErr)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return linterBin
}

// lint runs actionlint on files. shellcheck checks the run scripts when it is installed;
// pyflakes is off (no workflow runs Python).
func lint(t *testing.T, files []string) []lintFinding {
	t.Helper()
	args := []string{}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		args = append(args, "-shellcheck", sc)
	} else {
		t.Log("shellcheck is not installed: actionlint checks the workflows without it")
	}
	out, err := exec.Command(linter(t), append(args, files...)...).Output()
	if err != nil {
		t.Fatalf("actionlint %v: %v", files, err)
	}
	var found []lintFinding
	if err := json.Unmarshal(out, &found); err != nil {
		t.Fatalf("reading actionlint's output %q: %v", out, err)
	}
	return found
}

func TestActionlint(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(repoRoot(t), ".github", "workflows", "*.y*ml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows (%v)", err)
	}
	found := lint(t, files)
	for _, f := range found {
		t.Errorf("actionlint: %s", f)
	}
	t.Logf("actionlint checked %d workflows: %d errors", len(files), len(found))
}

func TestActionlintCatchesBrokenWorkflows(t *testing.T) {
	t.Parallel()
	errs := lint(t, []string{filepath.Join("testdata", "workflows", "broken.yml")})
	var kinds []string
	for _, e := range errs {
		kinds = append(kinds, e.Kind)
	}
	sort.Strings(kinds)
	for _, want := range []string{"expression", "job-needs", "permissions"} {
		if i := sort.SearchStrings(kinds, want); i == len(kinds) || kinds[i] != want {
			t.Errorf("actionlint found %v in broken.yml, want a %s error among them", errs, want)
		}
	}
}
