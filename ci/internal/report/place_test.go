package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

func TestPlaceOf(t *testing.T) {
	o := Options{Source: "/src/whitemagic", Dockerfile: "build/Dockerfile", Compose: "compose.yaml"}.withDefaults()
	for _, tc := range []struct {
		name  string
		stage string
		f     checks.Finding
		want  place
	}{
		{"file and line kept", pipeline.StageLint,
			checks.Finding{Rule: "WM-DF-001", Location: checks.Location{File: "build/Dockerfile", Line: 4}},
			place{File: "build/Dockerfile", Line: 4, Scope: "source"}},
		{"absolute inside the source", pipeline.StageLint,
			checks.Finding{Rule: "WM-DF-001", Location: checks.Location{File: "/src/whitemagic/a/b.yml", Line: 2}},
			place{File: "a/b.yml", Line: 2, Scope: "source"}},
		{"absolute outside the source", pipeline.StageLint,
			checks.Finding{Rule: "WM-PL-003", Location: checks.Location{File: "/src/whitemagic-other/x"}},
			place{File: "/src/whitemagic-other/x", Abs: true, Scope: "source"}},
		{"dot segments cleaned", pipeline.StageLint,
			checks.Finding{Rule: "WM-CO-001", Location: checks.Location{File: "./deploy/../compose.yaml", Line: 1}},
			place{File: "compose.yaml", Line: 1, Scope: "source"}},
		{"image path to the Dockerfile", pipeline.StageAudit,
			checks.Finding{Rule: "WM-IM-006", Location: checks.Location{Path: "/usr/bin/su"}},
			place{File: "build/Dockerfile", Logical: "/usr/bin/su", Scope: "image", Attached: true}},
		{"container field to the compose file", pipeline.StageHardened,
			checks.Finding{Rule: "WM-RT-003", Location: checks.Location{Path: "HostConfig.ReadonlyRootfs"}},
			place{File: "compose.yaml", Logical: "HostConfig.ReadonlyRootfs", Scope: "container", Attached: true}},
		{"compose rule without a file", pipeline.StageLint,
			checks.Finding{Rule: "WM-CO-003", Location: checks.Location{Path: "services.whitemagic"}},
			place{File: "compose.yaml", Logical: "services.whitemagic", Scope: "source", Attached: true}},
		{"go packages to go.mod", pipeline.StageTest,
			checks.Finding{Rule: "WM-PL-001", Location: checks.Location{Path: "./service/..."}},
			place{File: "go.mod", Logical: "./service/...", Scope: "go", Attached: true}},
		{"registry to the Dockerfile", pipeline.StagePublish,
			checks.Finding{Rule: "WM-PL-004", Location: checks.Location{Path: "127.0.0.1:5000"}},
			place{File: "build/Dockerfile", Logical: "127.0.0.1:5000", Scope: "registry", Attached: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, o.placeOf(tc.stage, tc.f)); diff != "" {
				t.Errorf("placeOf (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPlaceFiles(t *testing.T) {
	for _, tc := range []struct {
		name              string
		p                 place
		source, workspace string
		uri, annotation   string
	}{
		{"root", place{File: "Dockerfile"}, ".", "", "Dockerfile", "Dockerfile"},
		{"space and percent", place{File: "a b/100%.yml"}, ".", "", "a%20b/100%25.yml", "a b/100%.yml"},
		{"colon in the first segment", place{File: "c:d"}, ".", "", "./c:d", "c:d"},
		{"source below the workspace", place{File: "Dockerfile"}, "/w/repo/app", "/w/repo", "Dockerfile", "app/Dockerfile"},
		{"source outside the workspace", place{File: "Dockerfile"}, "/elsewhere", "/w/repo", "Dockerfile", "/elsewhere/Dockerfile"},
		{"absolute", place{File: "/etc/x.yml", Abs: true}, ".", "/w", "file:///etc/x.yml", "/etc/x.yml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.uri(); got != tc.uri {
				t.Errorf("uri() = %q, want %q", got, tc.uri)
			}
			if got := tc.p.workspaceFile(tc.source, tc.workspace); got != tc.annotation {
				t.Errorf("workspaceFile(%q, %q) = %q, want %q", tc.source, tc.workspace, got, tc.annotation)
			}
		})
	}
}

func TestImageName(t *testing.T) {
	for _, tc := range []struct {
		published []string
		want      string
	}{
		{nil, "whitemagic"},
		{[]string{"ghcr.io/acme/whitemagic:1.2.3@" + digest}, "ghcr.io/acme/whitemagic"},
		{[]string{"127.0.0.1:5000/whitemagic:edge@" + digest}, "127.0.0.1:5000/whitemagic"},
		{[]string{"127.0.0.1:5000/whitemagic@" + digest}, "127.0.0.1:5000/whitemagic"},
	} {
		r := &pipeline.Result{Image: "whitemagic", Published: tc.published}
		if got := imageName(r); got != tc.want {
			t.Errorf("imageName(%q) = %q, want %q", tc.published, got, tc.want)
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	for _, tc := range []struct{ fn, in, want string }{
		{"cell", "a | b", `a \| b`},
		{"cell", "<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"},
		{"cell", "two\nlines", "two lines"},
		{"cell", "[link](http://x) *b* _i_", `\[link\](http://x) \*b\* \_i\_`},
		{"code", "sha256:ab", "`sha256:ab`"},
		{"code", "a`b", "``a`b``"},
		{"code", "`x`", "`` `x` ``"},
		{"code", "p|q", "`p\\|q`"},
		{"fence", "x\n```\ny", "````text\nx\n```\ny\n````"},
	} {
		got := map[string]func(string) string{"cell": cell, "code": code, "fence": fence}[tc.fn](tc.in)
		if got != tc.want {
			t.Errorf("%s(%q) = %q, want %q", tc.fn, tc.in, got, tc.want)
		}
	}
}

func TestRuleMetadata(t *testing.T) {
	for _, tc := range []struct{ title, want string }{
		{"Final stage runs as root", "FinalStageRunsAsRoot"},
		{"/health never answered within the timeout", "HealthNeverAnsweredWithinTheTimeout"},
		{"ENTRYPOINT or CMD is in shell form", "ENTRYPOINTOrCMDIsInShellForm"},
		{"Base image is untagged or uses `latest`", "BaseImageIsUntaggedOrUsesLatest"},
	} {
		if got := ruleName(tc.title); got != tc.want {
			t.Errorf("ruleName(%q) = %q, want %q", tc.title, got, tc.want)
		}
	}
	r := checks.Rule{ID: "WM-DF-001", Refs: []string{"CIS 4.1", "DL3002", "CIS-DI-0001", "DKL-DI-0006", "DS002", "other"}}
	want := []string{"dockerfile", "security", "CIS Docker Benchmark v1.6.0 4.1", "hadolint DL3002",
		"Dockle CIS-DI-0001", "Dockle DKL-DI-0006", "Trivy DS002", "other"}
	if diff := cmp.Diff(want, tags(r)); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if got := tags(checks.Rule{ID: "WM-PL-001"}); !cmp.Equal(got, []string{"pipeline"}) {
		t.Errorf("tags(WM-PL-001) = %q, want [pipeline]", got)
	}
}

func TestIgnorePlace(t *testing.T) {
	o := Options{Source: "/src/whitemagic"}.withDefaults()
	for _, tc := range []struct {
		name     string
		f        checks.Finding
		want     place
		inline   bool
		recorded bool
	}{
		{"inline", checks.Finding{Location: checks.Location{File: "Dockerfile", Line: 9}, SuppressedBy: "Dockerfile:8"},
			place{File: "Dockerfile", Line: 8}, true, true},
		{"policy file", checks.Finding{Location: checks.Location{File: "Dockerfile", Line: 9}, SuppressedBy: ".whitemagic.yml:3"},
			place{File: ".whitemagic.yml", Line: 3}, false, true},
		{"policy, finding without a file", checks.Finding{Location: checks.Location{Path: "/bin/sh"},
			SuppressedBy: "/src/whitemagic/policy.yml:12"}, place{File: "policy.yml", Line: 12}, false, true},
		{"no line", checks.Finding{SuppressedBy: "policy.yml"}, place{File: "policy.yml"}, false, true},
		{"colon but no line", checks.Finding{SuppressedBy: "a:b"}, place{File: "a:b"}, false, true},
		{"not recorded", checks.Finding{Suppressed: "why"}, place{}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, inline, ok := o.ignorePlace(tc.f)
			if diff := cmp.Diff(tc.want, p); diff != "" || inline != tc.inline || ok != tc.recorded {
				t.Errorf("ignorePlace = %+v %v %v, want %+v %v %v", p, inline, ok, tc.want, tc.inline, tc.recorded)
			}
		})
	}
}
