package checks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    Severity
		has     bool
		ignores int
		found   []string // the policy's own findings, as "RULE location"
		err     string   // part of the error, when the file is rejected
	}{
		{name: "empty", src: ""},
		{name: "threshold and ignore", src: "fail-on: warning\nignore:\n  - rule: WM-IM-011\n    reason: busybox on purpose\n" +
			"    file: Dockerfile\n    path: /bin/*\n", want: Warning, has: true, ignores: 1},
		{name: "ignore without a reason ignores nothing", src: "ignore:\n  - rule: WM-DF-008\n  - rule: WM-DF-007\n    reason: \" \"\n",
			found: []string{"WM-IG-001 .whitemagic.yml:2", "WM-IG-001 .whitemagic.yml:3"}},
		{name: "unknown rule", src: "ignore:\n  - rule: WM-DF-999\n    reason: r\n", err: ".whitemagic.yml:2: rule \"WM-DF-999\""},
		{name: "ignore rule", src: "ignore:\n  - rule: WM-IG-001\n    reason: r\n", err: "not a rule that can be ignored"},
		{name: "no rule", src: "ignore:\n  - reason: r\n", err: ".whitemagic.yml:2: the ignore entry names no rule"},
		{name: "bad severity", src: "fail-on: fatal\n", err: ".whitemagic.yml:1: fail-on: \"fatal\""},
		{name: "unknown key", src: "ignores: []\n", err: "unknown key \"ignores\""},
		{name: "unknown entry key", src: "ignore:\n  - rule: WM-DF-008\n    reason: r\n    until: 2027\n", err: "unknown key \"until\""},
		{name: "bad pattern", src: "ignore:\n  - rule: WM-DF-008\n    reason: r\n    path: \"[\"\n", err: "not a valid pattern"},
		{name: "list of strings", src: "ignore: [WM-DF-008]\n", err: "must be a mapping with rule and reason"},
		{name: "not a mapping", src: "- WM-DF-008\n", err: "the policy must be a mapping"},
		{name: "not YAML", src: "ignore: [\n", err: ".whitemagic.yml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pol, err := ParsePolicy(PolicyFile, []byte(tt.src))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParsePolicy() error = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePolicy() error = %v", err)
			}
			if pol.Threshold != tt.want || pol.HasThreshold != tt.has || len(pol.ignores) != tt.ignores {
				t.Errorf("ParsePolicy() = threshold %v (set %v), %d ignores; want %v (set %v), %d",
					pol.Threshold, pol.HasThreshold, len(pol.ignores), tt.want, tt.has, tt.ignores)
			}
			want := append([]string{}, tt.found...)
			if diff := cmp.Diff(want, render(pol.Findings, nil)); diff != "" {
				t.Errorf("ParsePolicy() findings differ (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPolicyApply(t *testing.T) {
	src := "ignore:\n" +
		"  - rule: WM-IM-011\n    reason: busybox on purpose\n    path: /bin/*\n" +
		"  - rule: WM-DF-008\n    reason: local base\n    file: Dockerfile\n" +
		"  - rule: WM-DF-007\n    reason: no reason given here\n"
	pol, err := ParsePolicy(PolicyFile, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	findings := []Finding{
		{Rule: "WM-IM-011", Location: Location{Path: "/bin/sh"}},
		{Rule: "WM-IM-011", Location: Location{Path: "/usr/bin/bash"}},
		{Rule: "WM-DF-008", Location: Location{File: "Dockerfile", Line: 1}},
		{Rule: "WM-DF-008", Location: Location{File: "build/Dockerfile", Line: 1}},
		{Rule: "WM-DF-007", Location: Location{File: "Dockerfile", Line: 1}, Suppressed: "inline", SuppressedBy: "Dockerfile:1"},
		{Rule: "WM-DF-009", Location: Location{File: "Dockerfile", Line: 2}},
	}
	got := []string{}
	for _, f := range pol.Apply(findings) {
		got = append(got, f.Rule+" "+f.Location.String()+" ["+f.Suppressed+"] "+f.SuppressedBy)
	}
	want := []string{
		"WM-IM-011 /bin/sh [busybox on purpose] .whitemagic.yml:2",
		"WM-IM-011 /usr/bin/bash [] ",
		"WM-DF-008 Dockerfile:1 [local base] .whitemagic.yml:5",
		"WM-DF-008 build/Dockerfile:1 [] ",
		"WM-DF-007 Dockerfile:1 [inline] Dockerfile:1",
		"WM-DF-009 Dockerfile:2 [] ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Apply() differs (-want +got):\n%s", diff)
	}
}

func TestFailing(t *testing.T) {
	warning := Finding{Rule: "WM-DF-008", Severity: Warning}
	ignored := Finding{Rule: "WM-DF-001", Severity: Error, Suppressed: "why", SuppressedBy: "Dockerfile:1"}
	tests := []struct {
		name      string
		findings  []Finding
		threshold Severity
		want      bool
	}{
		{"none", nil, Info, false},
		{"below the threshold", []Finding{warning}, Error, false},
		{"at the threshold", []Finding{warning}, Warning, true},
		{"above the threshold", []Finding{warning}, Info, true},
		{"suppressed never fails", []Finding{ignored}, Info, false},
	}
	for _, tt := range tests {
		if got := Failing(tt.findings, tt.threshold); got != tt.want {
			t.Errorf("%s: Failing(%v) = %v, want %v", tt.name, tt.threshold, got, tt.want)
		}
	}
}

func TestLoadPolicy(t *testing.T) {
	dir := t.TempDir()
	if pol, err := LoadPolicy(dir); err != nil || pol.HasThreshold || len(pol.ignores) > 0 {
		t.Errorf("LoadPolicy(no file) = %+v, %v; want an empty policy", pol, err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".whitemagic.yaml"), []byte("fail-on: info\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPolicy(dir); err == nil || !strings.Contains(err.Error(), "must be named "+PolicyFile) {
		t.Errorf("LoadPolicy(.whitemagic.yaml) error = %v, want one naming %s", err, PolicyFile)
	}
	if err := os.WriteFile(filepath.Join(dir, PolicyFile), []byte("fail-on: info\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if pol, err := LoadPolicy(dir); err != nil || !pol.HasThreshold || pol.Threshold != Info {
		t.Errorf("LoadPolicy() = %+v, %v; want fail-on info", pol, err)
	}
}
