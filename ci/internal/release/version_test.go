package release

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tag  string
		want Version
	}{
		{"v1.2.3", Version{Major: 1, Minor: 2, Patch: 3}},
		{"v0.0.0", Version{}},
		{"v10.20.30", Version{Major: 10, Minor: 20, Patch: 30}},
		{"v1.2.3-rc.1", Version{Major: 1, Minor: 2, Patch: 3, Pre: []string{"rc", "1"}}},
		{"v1.0.0-alpha-beta.0.x-7", Version{Major: 1, Pre: []string{"alpha-beta", "0", "x-7"}}},
		{"v1.2.3+build.5", Version{Major: 1, Minor: 2, Patch: 3, Build: []string{"build", "5"}}},
		{"v1.2.3-rc.1+001.sha-0abc", Version{Major: 1, Minor: 2, Patch: 3,
			Pre: []string{"rc", "1"}, Build: []string{"001", "sha-0abc"}}},
		{"v18446744073709551615.0.0", Version{Major: 1<<64 - 1}},
	} {
		t.Run(tc.tag, func(t *testing.T) {
			got, err := Parse(tc.tag)
			if err != nil {
				t.Fatalf("Parse(%q) = error %v, want %v", tc.tag, err, tc.want)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tc.tag, diff)
			}
			if s := "v" + got.String(); s != tc.tag {
				t.Errorf("Parse(%q).String() = %q, want the tag back", tc.tag, s)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tag, reason string
	}{
		{"1.2.3", "does not start with v"},
		{"V1.2.3", "does not start with v"},
		{"", "does not start with v"},
		{"v", "want 3"},
		{"v1.2", "has 2 dot-separated numbers"},
		{"v1.2.3.4", "has 4 dot-separated numbers"},
		{"v01.2.3", "leading zero"},
		{"v1.02.3", "leading zero"},
		{"v1.2.x", "not a whole number"},
		{"v1.2.-3", "patch version is empty"},
		{"v1..3", "minor version is empty"},
		{"v18446744073709551616.0.0", "too large"},
		{"v1.2.3-", "an identifier is empty"},
		{"v1.2.3-rc..1", "an identifier is empty"},
		{"v1.2.3-rc.01", "leading zero"},
		{"v1.2.3-rc_1", "identifiers use only"},
		{"v1.2.3+", "an identifier is empty"},
		{"v1.2.3+build!", "identifiers use only"},
		{"v1.2.3-é", "identifiers use only"},
		{"v1.2.3 ", "not a whole number"},
		{"v1.2.3-" + strings.Repeat("a", 130), "more than 128"},
		{"refs/tags/v1.2.3", "does not start with v"},
	} {
		t.Run(tc.tag, func(t *testing.T) {
			_, err := Parse(tc.tag)
			var te *TagError
			if !errors.As(err, &te) {
				t.Fatalf("Parse(%q) = %v, want a *TagError", tc.tag, err)
			}
			msg := err.Error()
			for _, want := range []string{tc.reason, "want v followed by a semantic version", "v1.2.3"} {
				if !strings.Contains(msg, want) {
					t.Errorf("Parse(%q) = %q, want it to say %q", tc.tag, msg, want)
				}
			}
			if te.Tag != tc.tag {
				t.Errorf("TagError.Tag = %q, want %q", te.Tag, tc.tag)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	// Ascending precedence, as semver.org's 11th rule lists it, plus releases around it.
	ordered := []string{
		"0.9.9", "1.0.0-0", "1.0.0-9", "1.0.0-10", "1.0.0-alpha", "1.0.0-alpha.1",
		"1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
		"1.0.1", "1.1.0", "1.10.0", "2.0.0",
	}
	vs := make([]Version, len(ordered))
	for i, s := range ordered {
		v, err := ParseVersion(s)
		if err != nil {
			t.Fatalf("ParseVersion(%q): %v", s, err)
		}
		vs[i] = v
	}
	for i := range vs {
		for j := range vs {
			want := cmpUint(uint64(i), uint64(j))
			if got := vs[i].Compare(vs[j]); got != want {
				t.Errorf("%s.Compare(%s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}

	a, _ := ParseVersion("1.2.3+build.1")
	b, _ := ParseVersion("1.2.3+build.2")
	if got := a.Compare(b); got != 0 {
		t.Errorf("1.2.3+build.1 Compare 1.2.3+build.2 = %d, want 0: build metadata has no precedence", got)
	}
}

var dockerTag = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// FuzzParse's seeds are in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, tag string) {
		v, err := Parse(tag)
		if err != nil {
			var te *TagError
			if !errors.As(err, &te) {
				t.Fatalf("Parse(%q) = %v, want a *TagError", tag, err)
			}
			return
		}
		if !dockerTag.MatchString(v.Tag()) {
			t.Errorf("Parse(%q).Tag() = %q, not a valid image tag", tag, v.Tag())
		}
		again, err := Parse("v" + v.String())
		if err != nil || again.Compare(v) != 0 || again.String() != v.String() {
			t.Errorf("Parse(v+%q) = %v, %v; want the same version back", v.String(), again, err)
		}
	})
}
