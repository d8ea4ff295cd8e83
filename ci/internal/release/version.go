package release

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// maxTagLen is the longest image tag the distribution spec allows.
const maxTagLen = 128

// Version is a semantic version (semver.org 2.0.0).
type Version struct {
	Major, Minor, Patch uint64
	// Pre holds the dot-separated pre-release identifiers ("rc", "1" for 1.2.3-rc.1).
	Pre []string
	// Build holds the dot-separated build metadata identifiers.
	Build []string
}

// TagError reports a git tag that is not a release tag.
type TagError struct {
	Tag    string
	Reason string
}

func (e *TagError) Error() string {
	return fmt.Sprintf("release tag %q: %s: want v followed by a semantic version, "+
		"such as v1.2.3, v1.2.3-rc.1 or v1.2.3+build.5", e.Tag, e.Reason)
}

// Parse reads a release tag of the form vX.Y.Z[-pre][+build].
func Parse(tag string) (Version, error) {
	rest, ok := strings.CutPrefix(tag, "v")
	if !ok {
		return Version{}, &TagError{Tag: tag, Reason: "it does not start with v"}
	}
	v, err := ParseVersion(rest)
	if err != nil {
		return Version{}, &TagError{Tag: tag, Reason: err.Error()}
	}
	if n := len(v.Tag()); n > maxTagLen {
		return Version{}, &TagError{Tag: tag,
			Reason: fmt.Sprintf("its image tag would be %d characters, more than %d", n, maxTagLen)}
	}
	return v, nil
}

// ParseVersion reads a semantic version without the leading v: X.Y.Z[-pre][+build].
func ParseVersion(s string) (Version, error) {
	var v Version
	rest, build, hasBuild := strings.Cut(s, "+")
	core, pre, hasPre := strings.Cut(rest, "-")
	nums := strings.Split(core, ".")
	if len(nums) != 3 {
		return v, fmt.Errorf("%q has %d dot-separated numbers, want 3 (major.minor.patch)", core, len(nums))
	}
	for i, dst := range []*uint64{&v.Major, &v.Minor, &v.Patch} {
		n, err := number(nums[i])
		if err != nil {
			return v, fmt.Errorf("%s version %w", [...]string{"major", "minor", "patch"}[i], err)
		}
		*dst = n
	}
	var err error
	if hasPre {
		if v.Pre, err = identifiers(pre, true); err != nil {
			return v, fmt.Errorf("pre-release %q: %w", pre, err)
		}
	}
	if hasBuild {
		if v.Build, err = identifiers(build, false); err != nil {
			return v, fmt.Errorf("build metadata %q: %w", build, err)
		}
	}
	return v, nil
}

// number reads a numeric identifier: digits only, no leading zero.
func number(s string) (uint64, error) {
	if s == "" {
		return 0, errors.New("is empty")
	}
	if !digits(s) {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, fmt.Errorf("%q has a leading zero", s)
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n, nil
}

// identifiers splits dot-separated identifiers of [0-9A-Za-z-]; numeric pre-release
// identifiers may not have leading zeros.
func identifiers(s string, pre bool) ([]string, error) {
	ids := strings.Split(s, ".")
	for _, id := range ids {
		if id == "" {
			return nil, errors.New("an identifier is empty")
		}
		for _, r := range id {
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
				return nil, fmt.Errorf("%q holds %q; identifiers use only 0-9, A-Z, a-z and -", id, r)
			}
		}
		if pre && digits(id) && len(id) > 1 && id[0] == '0' {
			return nil, fmt.Errorf("numeric identifier %q has a leading zero", id)
		}
	}
	return ids, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Prerelease reports whether v has pre-release identifiers.
func (v Version) Prerelease() bool { return len(v.Pre) > 0 }

// Tag is v as an image tag: X.Y.Z[-pre], without build metadata.
func (v Version) Tag() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if v.Prerelease() {
		s += "-" + strings.Join(v.Pre, ".")
	}
	return s
}

// String is v without the leading v, build metadata included.
func (v Version) String() string {
	if len(v.Build) > 0 {
		return v.Tag() + "+" + strings.Join(v.Build, ".")
	}
	return v.Tag()
}

// Compare orders versions by semantic-version precedence: -1 when v < w, 0 when they are
// equal (build metadata is ignored), +1 when v > w.
func (v Version) Compare(w Version) int {
	for _, p := range [][2]uint64{{v.Major, w.Major}, {v.Minor, w.Minor}, {v.Patch, w.Patch}} {
		if c := cmpUint(p[0], p[1]); c != 0 {
			return c
		}
	}
	switch {
	case !v.Prerelease() && !w.Prerelease():
		return 0
	case !v.Prerelease():
		return 1
	case !w.Prerelease():
		return -1
	}
	for i := 0; i < len(v.Pre) && i < len(w.Pre); i++ {
		if c := cmpIdentifier(v.Pre[i], w.Pre[i]); c != 0 {
			return c
		}
	}
	return cmpUint(uint64(len(v.Pre)), uint64(len(w.Pre)))
}

// cmpIdentifier orders pre-release identifiers: numeric ones numerically and below
// alphanumeric ones, which compare in ASCII order.
func cmpIdentifier(a, b string) int {
	an, bn := digits(a), digits(b)
	switch {
	case an && bn:
		if len(a) != len(b) { // no leading zeros, so the longer number is larger
			return cmpUint(uint64(len(a)), uint64(len(b)))
		}
		return strings.Compare(a, b)
	case an:
		return -1
	case bn:
		return 1
	}
	return strings.Compare(a, b)
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
