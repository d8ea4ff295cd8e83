package checks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// docs/rules.md and docs/checks.md are rendered here from the registry and coverage.go.
// TestGeneratedDocs fails when either differs from what is committed; `go generate
// ./ci/internal/checks` runs it with -update to rewrite both (see coverage.go).
const docsDir = "../../../docs"

// regenerate is what a stale document tells the reader to run.
const regenerate = "go generate ./ci/internal/checks"

func TestGeneratedDocs(t *testing.T) {
	for name, render := range map[string]func() string{
		"rules.md":  rulesDoc,
		"checks.md": checksDoc,
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(docsDir, name)
			want := render()
			if *update {
				if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading docs/%s: %v; run `%s` to create it", name, err, regenerate)
			}
			if diff := cmp.Diff(want, string(got)); diff != "" {
				t.Errorf("docs/%s is not what the registry and coverage.go say; run `%s` and commit the result (-want +got):\n%s",
					name, regenerate, diff)
			}
		})
	}
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// row writes one Markdown table row.
func row(b *strings.Builder, cells ...string) {
	for i := range cells {
		cells[i] = cell(cells[i])
	}
	fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
}

// generated is the notice at the top of both documents.
func generated(from string) string {
	return fmt.Sprintf("<!-- Generated from %s by `%s`. Do not edit: change the source and run it. -->\n", from, regenerate)
}

// rulesDoc renders docs/rules.md: every rule with its severity, fix and refs.
func rulesDoc() string {
	rules := Rules()
	count := map[Severity]int{}
	for _, r := range rules {
		count[r.Severity]++
	}
	var b strings.Builder
	b.WriteString("# Rules\n\n")
	b.WriteString(generated("ci/internal/checks/registry.go"))
	b.WriteString(`
Every rule the checks report, by ID. An ID never changes meaning: a retired rule's ID is not
reused. Refs name the same check elsewhere: ` + "`CIS x.y`" + ` is the CIS Docker Benchmark v1.6.0,
` + "`DLxxxx`" + ` hadolint, ` + "`CIS-DI-xxxx`" + ` and ` + "`DKL-xx-xxxx`" + ` Dockle, ` + "`AVD-DS-xxxx`" + ` Trivy.
[checks.md](checks.md) compares the rules with those tools, KICS and docker-bench-security,
and says how to ignore a finding.

`)
	fmt.Fprintf(&b, "%d rules: %d errors, %d warnings, %d info.\n\n", len(rules), count[Error], count[Warning], count[Info])
	row(&b, "ID", "Severity", "Title", "Fix", "Refs")
	b.WriteString("|---|---|---|---|---|\n")
	for _, r := range rules {
		row(&b, r.ID, r.Severity.String(), r.Title, r.Fix, strings.Join(r.Refs, ", "))
	}
	return b.String()
}

// checksDoc renders docs/checks.md: what is checked, how to ignore a finding, and the
// comparison with other tools.
func checksDoc() string {
	rules := Rules()
	alone, own := 0, 0
	for _, r := range rules {
		if Coverage(r.ID) == (Elsewhere{}) {
			alone++
			if strings.HasPrefix(r.ID, "WM-PL-") || strings.HasPrefix(r.ID, "WM-IG-") {
				own++
			}
		}
	}
	var b strings.Builder
	b.WriteString("# Security checks\n\n")
	b.WriteString(generated("ci/internal/checks/registry.go and coverage.go"))
	fmt.Fprintf(&b, "\n%d rules; %d of them are caught by none of hadolint, Dockle, Trivy, KICS and\n"+
		"docker-bench-security (%d of those %d report on the pipeline's own stages and ignores).\n",
		len(rules), alone, own, alone)
	b.WriteString(checksText)
	row(&b, "Rule", "Title", "hadolint", "Dockle", "Trivy", "KICS", "docker-bench-security")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range rules {
		c := Coverage(r.ID)
		row(&b, r.ID, r.Title, c.Hadolint, c.Dockle, c.Trivy, c.KICS, c.DockerBench)
	}
	return b.String()
}

// checksText is the fixed part of docs/checks.md, between the count and the table.
const checksText = `
The checks read five things, and never run a command or reach the network themselves:

- the Dockerfile (WM-DF), with BuildKit's parser, judged as it builds without --build-arg;
- the compose file (WM-CO), with compose-go, interpolated from an empty environment;
- the built image (WM-IM), with go-containerregistry: its config, its history and every
  file of every layer, including files a later layer deletes;
- the running container (WM-RT, and WM-HR for the hardened run), from docker inspect and
  /proc of its process;
- whether those four agree on the user, the healthcheck, the port and the data volume
  (WM-AG).

Every rule, with its severity and fix, is in [rules.md](rules.md). A stage fails on a
finding at or above the -fail-on severity (error by default) that no ignore covers.

## Ignoring a finding

Every ignore must say why. One without a reason ignores nothing and is itself a finding
(WM-IG-001); one that names no known rule is WM-IG-002, and one that matches nothing is
WM-IG-003. An ignored finding stays in every report, with its reason and the place of the
ignore, and never fails a stage.

Inline, in the Dockerfile or the compose file, a comment names the rules, comma-separated:

` + "```dockerfile" + `
# whitemagic:ignore WM-DF-008 reason: the build base is assembled locally and has no digest
FROM golang:1.26.8-bookworm
` + "```" + `

In a Dockerfile it covers the instruction it sits in or the next one. In a compose file it
covers the line it ends, or else the next line, and the block that line opens.

In a policy file, .whitemagic.yml at the root of the source directory, an entry may narrow
the ignore to one file or to paths matching a pattern, and the file may set the threshold:

` + "```yaml" + `
fail-on: error
ignore:
  - rule: WM-IM-011
    reason: the debug image keeps busybox on purpose
    file: Dockerfile   # optional
    path: /bin/*       # optional, path.Match against the finding's path
` + "```" + `

The pipeline reads it at start-up: a file it cannot parse stops the run with exit code 2
and names the file. Its fail-on applies unless -fail-on (or WHITEMAGIC_FAIL_ON) is given.
Problems in the file itself (an ignore without a reason) are reported with the lint stage.

## Compared with other tools

Each column names the tool's own check for the same problem: hadolint and Trivy rule IDs,
Dockle checkpoints, KICS docker-compose query names, docker-bench-security test numbers.
"(partly)" marks a check that covers only some of the cases the rule covers, "(opt-in)" one
that is off by default (hadolint's DL3057 and DL3049 need configuring; Trivy reads the image
config only with --image-config-scanners misconfig). Each tool is credited where it looks:
hadolint and Trivy at the Dockerfile, Dockle at the built image and its history, KICS at the
compose file, docker-bench-security at a Docker host's images and running containers. A
blank cell means the tool has no such check, or none we could confirm in its source.

`
