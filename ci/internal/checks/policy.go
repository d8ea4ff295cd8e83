package checks

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// PolicyFile is the name of the policy file at the root of the source directory.
const PolicyFile = ".whitemagic.yml"

// Policy is what a repository's .whitemagic.yml says: the findings it ignores, each with a
// reason, and optionally the severity at which a stage fails.
//
//	fail-on: error            # optional: info, warning or error
//	ignore:
//	  - rule: WM-DF-008        # required: a registered rule ID
//	    reason: the build base is assembled locally and has no registry digest  # required
//	    file: Dockerfile       # optional: only findings in this file
//	    path: /usr/bin/*       # optional: only findings whose path matches (path.Match)
type Policy struct {
	// Threshold is the fail-on severity the file sets; HasThreshold says whether it sets one.
	Threshold    Severity
	HasThreshold bool
	// Findings are the file's own problems (an ignore without a reason, which ignores
	// nothing). Report them once, with the lint stage.
	Findings []Finding

	ignores []*policyIgnore
}

// policyIgnore is one entry of the ignore list.
type policyIgnore struct {
	ignore
	file, path string
}

// LoadPolicy reads dir/.whitemagic.yml. A missing file is an empty policy. A file that cannot
// be read, has unknown keys, names an unknown rule or an unknown severity is an error that
// names the file and line: the pipeline treats it as bad configuration.
func LoadPolicy(dir string) (Policy, error) {
	p := filepath.Join(dir, PolicyFile)
	src, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(filepath.Join(dir, ".whitemagic.yaml")); err == nil {
			return Policy{}, fmt.Errorf("%s: the policy file must be named %s", filepath.Join(dir, ".whitemagic.yaml"), PolicyFile)
		}
		return Policy{}, nil
	}
	if err != nil {
		return Policy{}, fmt.Errorf("reading the policy file: %w", err)
	}
	return ParsePolicy(PolicyFile, src)
}

// ParsePolicy reads a policy file's source; name is used in errors and in SuppressedBy.
func ParsePolicy(name string, src []byte) (Policy, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return Policy{}, fmt.Errorf("%s: %w", name, err)
	}
	var pol Policy
	if len(doc.Content) == 0 {
		return pol, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return pol, fmt.Errorf("%s:%d: the policy must be a mapping with fail-on and ignore", name, root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "fail-on":
			s, err := ParseSeverity(v.Value)
			if err != nil || v.Kind != yaml.ScalarNode {
				return pol, fmt.Errorf("%s:%d: fail-on: %q is not info, warning or error", name, v.Line, v.Value)
			}
			pol.Threshold, pol.HasThreshold = s, true
		case "ignore":
			if err := pol.readIgnores(name, v); err != nil {
				return pol, err
			}
		default:
			return pol, fmt.Errorf("%s:%d: unknown key %q: want fail-on or ignore", name, k.Line, k.Value)
		}
	}
	return pol, nil
}

// readIgnores reads the ignore list.
func (pol *Policy) readIgnores(name string, list *yaml.Node) error {
	if list.Kind != yaml.SequenceNode {
		return fmt.Errorf("%s:%d: ignore must be a list of entries with rule and reason", name, list.Line)
	}
	for _, e := range list.Content {
		if e.Kind != yaml.MappingNode {
			return fmt.Errorf("%s:%d: an ignore entry must be a mapping with rule and reason", name, e.Line)
		}
		ig := &policyIgnore{ignore: ignore{at: fmt.Sprintf("%s:%d", name, e.Line), line: e.Line}}
		for i := 0; i+1 < len(e.Content); i += 2 {
			k, v := e.Content[i], e.Content[i+1]
			if v.Kind != yaml.ScalarNode {
				return fmt.Errorf("%s:%d: %s must be a string", name, v.Line, k.Value)
			}
			switch k.Value {
			case "rule":
				if _, ok := Lookup(v.Value); !ok || strings.HasPrefix(v.Value, "WM-IG-") {
					return fmt.Errorf("%s:%d: rule %q is not a rule that can be ignored (see docs/rules.md)", name, v.Line, v.Value)
				}
				ig.rules = []string{v.Value}
			case "reason":
				ig.reason = strings.TrimSpace(v.Value)
			case "file":
				ig.file = v.Value
			case "path":
				if _, err := path.Match(v.Value, ""); err != nil {
					return fmt.Errorf("%s:%d: path %q is not a valid pattern: %v", name, v.Line, v.Value, err)
				}
				ig.path = v.Value
			default:
				return fmt.Errorf("%s:%d: unknown key %q in an ignore entry: want rule, reason, file or path", name, k.Line, k.Value)
			}
		}
		if len(ig.rules) == 0 {
			return fmt.Errorf("%s:%d: the ignore entry names no rule", name, e.Line)
		}
		if ig.reason == "" {
			pol.Findings = append(pol.Findings, rule("WM-IG-001").At("the ignore of "+ig.rules[0]+" gives no reason",
				Location{File: name, Line: e.Line}))
			continue
		}
		pol.ignores = append(pol.ignores, ig)
	}
	return nil
}

// Apply marks the findings the policy ignores as suppressed and returns them; the slice is
// changed in place. Findings already suppressed keep their first reason. Apply only reads
// the policy, so stages running at once may share it.
func (pol Policy) Apply(findings []Finding) []Finding {
	for i := range findings {
		f := &findings[i]
		if f.Suppressed != "" {
			continue
		}
		for _, ig := range pol.ignores {
			if ig.matchesFinding(*f) {
				f.Suppressed, f.SuppressedBy = ig.reason, ig.at
				break
			}
		}
	}
	return findings
}

// matchesFinding reports whether an entry covers a finding: the rule, and the file and path
// when the entry names them.
func (ig *policyIgnore) matchesFinding(f Finding) bool {
	if !ig.matches(f.Rule) {
		return false
	}
	if ig.file != "" && path.Clean(filepath.ToSlash(f.Location.File)) != path.Clean(ig.file) {
		return false
	}
	if ig.path != "" {
		ok, _ := path.Match(ig.path, f.Location.Path)
		return ok
	}
	return true
}

// Failing reports whether any finding that is not suppressed is at or above the threshold.
func Failing(findings []Finding, threshold Severity) bool {
	for _, f := range findings {
		if f.Suppressed == "" && f.Severity >= threshold {
			return true
		}
	}
	return false
}
