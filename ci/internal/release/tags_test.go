package release

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const commit = "3f46c5a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6"

func TestFromTag(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, tag   string
		wantVersion string
		want        []Tag
	}{
		{"release", "v1.2.3", "1.2.3", []Tag{
			{"1.2.3", Fixed}, {"1.2", Series}, {"1", Series}, {"latest", Series}, {commit, Moving}}},
		{"major zero", "v0.4.2", "0.4.2", []Tag{
			{"0.4.2", Fixed}, {"0.4", Series}, {"0", Series}, {"latest", Series}, {commit, Moving}}},
		{"release candidate", "v2.0.0-rc.1", "2.0.0-rc.1", []Tag{
			{"2.0.0-rc.1", Fixed}, {commit, Moving}}},
		{"pre-release with hyphens", "v1.0.0-alpha-beta.7", "1.0.0-alpha-beta.7", []Tag{
			{"1.0.0-alpha-beta.7", Fixed}, {commit, Moving}}},
		{"build metadata stays out of tags", "v1.2.3+build.5", "1.2.3+build.5", []Tag{
			{"1.2.3", Fixed}, {"1.2", Series}, {"1", Series}, {"latest", Series}, {commit, Moving}}},
		{"pre-release with build metadata", "v1.2.3-beta.2+exp.sha.5114f85", "1.2.3-beta.2+exp.sha.5114f85",
			[]Tag{{"1.2.3-beta.2", Fixed}, {commit, Moving}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FromTag(tc.tag, commit)
			if err != nil {
				t.Fatalf("FromTag(%q) = %v", tc.tag, err)
			}
			want := Plan{Version: tc.wantVersion, Tags: tc.want}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("FromTag(%q) mismatch (-want +got):\n%s", tc.tag, diff)
			}
			for _, n := range got.Names() {
				if !dockerTag.MatchString(n) {
					t.Errorf("FromTag(%q) tag %q is not a valid image tag", tc.tag, n)
				}
			}
		})
	}
}

func TestFromTagRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, tag, commit string
		want              []string
	}{
		{"no v", "1.2.3", commit, []string{`"1.2.3"`, "want v followed by a semantic version"}},
		{"two numbers", "v1.2", commit, []string{`"v1.2"`, "want 3"}},
		{"a branch name", "main", commit, []string{`"main"`, "does not start with v"}},
		{"short commit", "v1.2.3", "3f46c5a", []string{`"3f46c5a"`, "full 40-character"}},
		{"upper-case commit", "v1.2.3", strings.ToUpper(commit), []string{"lowercase hexadecimal"}},
		{"no commit", "v1.2.3", "", []string{`commit ""`, "git rev-parse HEAD"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := FromTag(tc.tag, tc.commit)
			if err == nil {
				t.Fatalf("FromTag(%q, %q) = %v, want an error", tc.tag, tc.commit, p)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("FromTag(%q, %q) = %q, want it to say %q", tc.tag, tc.commit, err, w)
				}
			}
		})
	}
}

func TestEdge(t *testing.T) {
	t.Parallel()
	got, err := Edge(commit)
	if err != nil {
		t.Fatalf("Edge(%q) = %v", commit, err)
	}
	want := Plan{Tags: []Tag{{"edge", Moving}, {commit, Moving}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Edge mismatch (-want +got):\n%s", diff)
	}

	sha256Commit := strings.Repeat("ab", 32)
	if _, err := Edge(sha256Commit); err != nil {
		t.Errorf("Edge(a 64-digit SHA-256 commit) = %v, want it accepted", err)
	}
	for _, bad := range []string{"", "HEAD", commit[:12], commit + "0", "g" + commit[1:]} {
		if _, err := Edge(bad); err == nil {
			t.Errorf("Edge(%q) succeeded, want an error naming the commit", bad)
		}
	}
}
