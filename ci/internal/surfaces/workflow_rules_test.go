package surfaces

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The rules every workflow of the project follows. Each violation starts with the rule's
// name, so that the hostile fixtures can be checked rule by rule.
const (
	ruleTopPermissions = "permissions-top"
	ruleJobPermissions = "permissions-job"
	rulePin            = "pin"
	ruleCheckout       = "checkout"
	ruleConcurrency    = "concurrency"
	ruleSecrets        = "secrets"
	ruleRunExpression  = "run-expression"
	ruleThin           = "thin"
	ruleTimeout        = "timeout"
)

var (
	pinnedUses  = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}$`)
	pinComment  = regexp.MustCompile(`^# v\d+\.\d+\.\d+$`)
	pipelineRun = regexp.MustCompile(`^dagger run go run \./ci (check|publish|release)(\s|$)`)
	goRunCI     = regexp.MustCompile(`go run \./ci\b`)
	cosignLine  = regexp.MustCompile(`(^|\|\s*)cosign (sign|attest|login) `)
)

// violations lists how w breaks the project's workflow rules.
func violations(w *workflow) []string {
	var out []string
	add := func(rule, format string, args ...any) {
		out = append(out, rule+": "+fmt.Sprintf(format, args...))
	}

	if p := get(w.root, "permissions"); p == nil || p.Kind != yaml.MappingNode || len(p.Content) != 0 {
		add(ruleTopPermissions, "the workflow must start from permissions: {} and grant per job")
	}
	if c := get(w.root, "concurrency"); c == nil || get(c, "group") == nil {
		add(ruleConcurrency, "the workflow has no concurrency group")
	} else if v := get(c, "cancel-in-progress"); v == nil ||
		(v.Value != "false" && v.Value != "${{ github.event_name == 'pull_request' }}") {
		add(ruleConcurrency, "cancel-in-progress must be false, or true only for pull requests")
	}
	if env, _ := scalarMap(get(w.root, "env")); mentionsSecret(env) {
		add(ruleSecrets, "a secret is in the workflow's env, where every step sees it")
	}

	for _, name := range sortedJobs(w) {
		j := w.jobs[name]
		out = append(out, jobViolations(name, j)...)
	}
	return out
}

func jobViolations(name string, j *job) []string {
	var out []string
	add := func(rule, format string, args ...any) {
		out = append(out, rule+": job "+name+": "+fmt.Sprintf(format, args...))
	}
	if j.Timeout == nil {
		add(ruleTimeout, "no timeout-minutes")
	}
	if mentionsSecret(j.Env) {
		add(ruleSecrets, "a secret is in the job's env, where every step sees it")
	}

	pipelines, modes := 0, map[string]bool{}
	sarif, signs := false, false
	for _, s := range j.Steps {
		if s.Uses != "" {
			if !pinnedUses.MatchString(s.Uses) || !pinComment.MatchString(s.pin) {
				add(rulePin, "%s is not pinned to a full commit SHA with a # vX.Y.Z comment (comment %q)",
					s.label(), s.pin)
			}
			action, _, _ := strings.Cut(s.Uses, "@")
			if action == "actions/checkout" {
				if pc, ok := s.With["persist-credentials"]; !ok || pc.Value != "false" {
					add(ruleCheckout, "%s does not set persist-credentials: false", s.label())
				}
			}
			sarif = sarif || action == "github/codeql-action/upload-sarif"
			for k, v := range s.With {
				if strings.Contains(v.Value, "secrets.") {
					add(ruleSecrets, "%s hands a secret to an action through with.%s", s.label(), k)
				}
			}
			if mentionsSecret(s.Env) {
				add(ruleSecrets, "%s gives a secret to a third-party action", s.label())
			}
		}
		if strings.Contains(s.If, "secrets.") {
			add(ruleSecrets, "%s reads a secret in its if", s.label())
		}
		if s.Run == "" {
			continue
		}
		if strings.Contains(s.Run, "${{") {
			add(ruleRunExpression, "%s expands an expression inside its script; pass it through env", s.label())
		}
		script := strings.TrimSpace(s.Run)
		switch m := pipelineRun.FindStringSubmatch(script); {
		case m != nil:
			pipelines++
			modes[m[1]] = true
		case goRunCI.MatchString(script):
			add(ruleThin, "%s runs the pipeline without dagger run", s.label())
		case !allCosign(script):
			add(ruleThin, "%s does work the pipeline should do: %q", s.label(), firstLine(script))
		default:
			signs = true
		}
	}
	if pipelines > 1 {
		add(ruleThin, "runs the pipeline %d times; one call per job", pipelines)
	}

	perms, ok := scalarMap(&j.Permissions)
	if !ok {
		add(ruleJobPermissions, "permissions must be a mapping of scopes (not %q)", j.Permissions.Value)
		return out
	}
	publishes := modes["publish"] || modes["release"]
	want := map[string]string{"contents": "read"}
	if publishes {
		want["packages"] = "write"
	}
	if sarif {
		want["security-events"] = "write"
	}
	if signs {
		want["id-token"] = "write"
	}
	for _, scope := range unionKeys(perms, want) {
		if perms[scope] != want[scope] {
			add(ruleJobPermissions, "%s is %q, want %q for what the job does", scope, perms[scope], want[scope])
		}
	}
	return out
}

// allCosign reports whether every command of script signs, attests or logs cosign in.
func allCosign(script string) bool {
	joined := strings.ReplaceAll(script, "|\n", "| ")
	for _, line := range strings.Split(joined, "\n") {
		if line = strings.TrimSpace(line); line != "" && !cosignLine.MatchString(line) {
			return false
		}
	}
	return true
}

func mentionsSecret(env map[string]string) bool {
	for _, v := range env {
		if strings.Contains(v, "secrets.") {
			return true
		}
	}
	return false
}

func unionKeys(a, b map[string]string) []string {
	set := map[string]bool{}
	for k := range a {
		set[k] = true
	}
	for k := range b {
		set[k] = true
	}
	var ks []string
	for k := range set {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func sortedJobs(w *workflow) []string {
	var names []string
	for n := range w.jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// pins maps each action used (owner/repo[/path]) to the "sha # version" pins it is used with.
func pins(ws []*workflow) map[string][]string {
	seen := map[string]map[string]bool{}
	for _, w := range ws {
		for _, j := range w.jobs {
			for _, s := range j.Steps {
				if s.Uses == "" {
					continue
				}
				action, sha, _ := strings.Cut(s.Uses, "@")
				if seen[action] == nil {
					seen[action] = map[string]bool{}
				}
				seen[action][sha+" "+s.pin] = true
			}
		}
	}
	out := map[string][]string{}
	for a, set := range seen {
		for p := range set {
			out[a] = append(out[a], p)
		}
		sort.Strings(out[a])
	}
	return out
}
