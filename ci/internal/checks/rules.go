package checks

import (
	"sort"
	"sync"
)

// Rule describes one check: a stable ID that reports, ignores and docs refer to, what it
// looks for, how bad a violation is and how to fix it. Refs lists the matching IDs of other
// tools and benchmarks (CIS Docker Benchmark v1.6.0, hadolint, Dockle, Trivy) where one
// exists.
type Rule struct {
	ID       string
	Title    string
	Severity Severity
	Fix      string
	Refs     []string
}

// At makes a finding of the rule at loc, with the rule's severity and fix.
func (r Rule) At(msg string, loc Location) Finding {
	return Finding{Rule: r.ID, Severity: r.Severity, Message: msg, Location: loc, Fix: r.Fix}
}

var (
	indexOnce sync.Once
	index     map[string]Rule
)

func buildIndex() {
	index = make(map[string]Rule, len(registry))
	for _, r := range registry {
		index[r.ID] = r
	}
}

// Rules returns every rule, sorted by ID. The slice is a copy: callers may change it.
func Rules() []Rule {
	out := make([]Rule, len(registry))
	copy(out, registry)
	for i := range out {
		out[i].Refs = append([]string(nil), out[i].Refs...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Lookup finds a rule by ID.
func Lookup(id string) (Rule, bool) {
	indexOnce.Do(buildIndex)
	r, ok := index[id]
	return r, ok
}

// rule returns a registered rule and panics on a typo: every ID used in this package is
// covered by TestEveryRuleIsRegistered, so the panic can only happen during development.
func rule(id string) Rule {
	r, ok := Lookup(id)
	if !ok {
		panic("checks: rule " + id + " is not registered")
	}
	return r
}
