package checks

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// ruleID is the shape of every rule ID: WM, two letters naming the source, three digits.
var ruleID = regexp.MustCompile(`^WM-[A-Z]{2}-[0-9]{3}$`)

// refShapes are the shapes of the IDs a rule may name in Refs: the CIS Docker Benchmark,
// hadolint, Dockle and Trivy.
var refShapes = regexp.MustCompile(`^(CIS [0-9]+\.[0-9]+|DL[0-9]{4}|CIS-DI-[0-9]{4}|DKL-(DI|LI)-[0-9]{4}|AVD-DS-[0-9]{4})$`)

// TestRegistry holds every rule to what reports, ignores and docs/rules.md rely on: a
// unique, well-formed ID, a title, a known severity, a fix, and refs in a known shape.
func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range registry {
		if !ruleID.MatchString(r.ID) {
			t.Errorf("rule ID %q is not of the form WM-XX-NNN", r.ID)
		}
		if seen[r.ID] {
			t.Errorf("rule ID %s is registered twice", r.ID)
		}
		seen[r.ID] = true
		if strings.TrimSpace(r.Title) == "" || strings.TrimSpace(r.Fix) == "" {
			t.Errorf("rule %s: title %q, fix %q; want both", r.ID, r.Title, r.Fix)
		}
		if r.Severity < Info || r.Severity > Error {
			t.Errorf("rule %s severity = %v, want info, warning or error", r.ID, r.Severity)
		}
		for _, ref := range r.Refs {
			if !refShapes.MatchString(ref) {
				t.Errorf("rule %s ref %q is not a CIS, hadolint, Dockle or Trivy ID", r.ID, ref)
			}
		}
		if got, ok := Lookup(r.ID); !ok || got.Title != r.Title {
			t.Errorf("Lookup(%s) = %q, %v; want the registered rule", r.ID, got.Title, ok)
		}
	}
	if n := len(Rules()); n != len(registry) {
		t.Errorf("len(Rules()) = %d, want %d", n, len(registry))
	}
}

// TestEveryRuleIsRegistered finds every rule ID written in the package's code, so that
// rule()'s panic on an unknown ID can only ever happen in a change that also fails here.
func TestEveryRuleIsRegistered(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	mentioned := regexp.MustCompile(`WM-[A-Z]{2}-[0-9]{3}`)
	fset := token.NewFileSet()
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "registry.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(node ast.Node) bool {
			lit, ok := node.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, id := range mentioned.FindAllString(s, -1) {
				n++
				if _, ok := Lookup(id); !ok {
					t.Errorf("%s: rule %s is used but not registered", fset.Position(lit.Pos()), id)
				}
			}
			return true
		})
	}
	if n < 100 {
		t.Errorf("found %d rule IDs in the package's code, want the checks' own (over 100)", n)
	}
}

// TestCoverage keeps coverage.go honest against the registry: it names registered rules
// only, and credits every tool a rule's Refs name.
func TestCoverage(t *testing.T) {
	for id := range coverage {
		if _, ok := Lookup(id); !ok {
			t.Errorf("coverage names %s, which is not a registered rule", id)
		}
	}
	for _, r := range registry {
		c := Coverage(r.ID)
		for _, ref := range r.Refs {
			column := ""
			switch {
			case strings.HasPrefix(ref, "DL"):
				column = c.Hadolint
			case strings.HasPrefix(ref, "CIS-DI-"), strings.HasPrefix(ref, "DKL-"):
				column = c.Dockle
			case strings.HasPrefix(ref, "AVD-DS-"):
				column = c.Trivy
			default:
				continue
			}
			if !strings.Contains(column, ref) {
				t.Errorf("rule %s refs %s, but its coverage column says %q", r.ID, ref, column)
			}
		}
	}
}
