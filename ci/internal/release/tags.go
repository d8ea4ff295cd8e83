package release

import (
	"fmt"
	"strconv"
)

// Kind says how a tag may move once it is in the registry.
type Kind int

// The kinds of tag.
const (
	// Fixed tags (X.Y.Z, X.Y.Z-rc.1) name one image forever.
	Fixed Kind = iota
	// Series tags (X.Y, X, latest) follow the newest release of their series and never go
	// back to an older one.
	Series
	// Moving tags (edge, the commit SHA) follow the newest build.
	Moving
)

func (k Kind) String() string {
	switch k {
	case Fixed:
		return "fixed"
	case Series:
		return "series"
	case Moving:
		return "moving"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Tag is one tag a publishing run pushes.
type Tag struct {
	Name string
	Kind Kind
}

// EdgeTag is the tag that follows the default branch.
const EdgeTag = "edge"

// Plan is what one publishing run pushes.
type Plan struct {
	// Version is the release's version without the leading v, build metadata included
	// ("1.2.3", "1.2.3-rc.1+build.5"): what the image's version label should say. It is
	// empty for a default-branch build, which keeps the pipeline's own version.
	Version string
	Tags    []Tag
}

// Names returns the plan's tag names in order.
func (p Plan) Names() []string {
	names := make([]string, len(p.Tags))
	for i, t := range p.Tags {
		names[i] = t.Name
	}
	return names
}

// FromTag plans a release from a git tag vX.Y.Z built at commit: X.Y.Z, X.Y, X, latest and
// the commit, or for a pre-release only X.Y.Z-pre and the commit.
func FromTag(gitTag, commit string) (Plan, error) {
	v, err := Parse(gitTag)
	if err != nil {
		return Plan{}, err
	}
	if err := checkCommit(commit); err != nil {
		return Plan{}, err
	}
	p := Plan{Version: v.String(), Tags: []Tag{{v.Tag(), Fixed}}}
	if !v.Prerelease() {
		p.Tags = append(p.Tags,
			Tag{fmt.Sprintf("%d.%d", v.Major, v.Minor), Series},
			Tag{strconv.FormatUint(v.Major, 10), Series},
			Tag{"latest", Series})
	}
	p.Tags = append(p.Tags, Tag{commit, Moving})
	return p, nil
}

// Edge plans a default-branch build at commit: edge and the commit.
func Edge(commit string) (Plan, error) {
	if err := checkCommit(commit); err != nil {
		return Plan{}, err
	}
	return Plan{Tags: []Tag{{EdgeTag, Moving}, {commit, Moving}}}, nil
}

// checkCommit accepts a full commit ID: 40 lowercase hex digits (SHA-1), or 64 in a SHA-256
// repository. Abbreviated IDs are refused because they stop being unique as history grows.
func checkCommit(c string) error {
	if len(c) != 40 && len(c) != 64 {
		return fmt.Errorf("commit %q: want the full 40-character hexadecimal commit ID "+
			"(git rev-parse HEAD, or GITHUB_SHA in GitHub Actions)", c)
	}
	for i := 0; i < len(c); i++ {
		if !(c[i] >= '0' && c[i] <= '9' || c[i] >= 'a' && c[i] <= 'f') {
			return fmt.Errorf("commit %q: %q is not a lowercase hexadecimal digit; "+
				"want the output of git rev-parse HEAD", c, c[i])
		}
	}
	return nil
}
