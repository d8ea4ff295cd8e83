package checks

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// Dockerfile checks a Dockerfile's source with BuildKit's own parser. name is the file's path,
// used in every location. It returns an error only when BuildKit cannot parse the source at
// all; the error names the file and the line. Inline ignores written in the file are applied
// to the findings (see docs/checks.md).
func Dockerfile(name string, src []byte) ([]Finding, error) {
	df, err := parseDockerfile(name, src)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, check := range dockerfileChecks {
		out = append(out, check(df)...)
	}
	sortFindings(out)
	return applyInline(name, src, dockerfileComment, instructionCover(df.spans), out), nil
}

// dockerfileChecks run in order; each looks at the whole parsed file.
var dockerfileChecks = []func(*dockerfile) []Finding{
	(*dockerfile).checkBases,
	(*dockerfile).checkUser,
	(*dockerfile).checkHealthcheck,
	(*dockerfile).checkCommands,
	(*dockerfile).checkFinalStage,
	(*dockerfile).checkRuns,
}

// dockerfile is a parsed Dockerfile: its stages with their commands, and the lines each
// instruction spans (for inline ignores).
type dockerfile struct {
	name   string
	meta   []instructions.ArgCommand // ARGs before the first FROM
	stages []*stage
	spans  [][2]int // first and last line of every instruction
	escape rune

	chained []*stage             // chain(), once worked out
	envs    map[*stage]stageEnvs // stageEnv(), once worked out
}

// stage is one FROM and its commands. base is the FROM argument with the ARGs declared
// before the first FROM expanded; parent is set when base names an earlier stage.
type stage struct {
	index      int
	name       string
	base       string
	unresolved []string // ARGs the FROM names that have no default
	line       int
	parent     *stage
	cmds       []instructions.Command
}

// maxInstructions bounds the Dockerfiles the checks read. Following variables through
// stages costs time and memory quadratic in the number of instructions (200 KB of chained
// stages held 1.7 GB), while real Dockerfiles have a few hundred instructions at most.
const maxInstructions = 1000

// parseDockerfile parses src with BuildKit's parser and instruction parser.
func parseDockerfile(name string, src []byte) (*dockerfile, error) {
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, parseError(name, err)
	}
	if n := len(res.AST.Children); n > maxInstructions {
		return nil, fmt.Errorf("parsing %s: it has %d instructions, more than the %d the checks accept; split the build",
			name, n, maxInstructions)
	}
	// A linter without a warning function records nothing, but it must exist: BuildKit
	// dereferences it when a `# check=` directive precedes an instruction.
	stages, meta, err := instructions.Parse(res.AST, linter.New(&linter.Config{}))
	if err != nil {
		return nil, parseError(name, err)
	}
	if len(stages) == 0 {
		return nil, fmt.Errorf("parsing %s: it has no FROM instruction; a Dockerfile must start a stage with FROM", name)
	}
	df := &dockerfile{name: name, meta: meta, escape: res.EscapeToken, envs: map[*stage]stageEnvs{}}
	for _, n := range res.AST.Children {
		df.spans = append(df.spans, [2]int{n.StartLine, n.EndLine})
	}
	byName := map[string]*stage{}
	for i, s := range stages {
		st := &stage{index: i, name: s.Name, cmds: s.Commands, line: firstLine(s.Location)}
		st.base, st.unresolved = df.expandMeta(s.BaseName)
		if p, ok := byName[strings.ToLower(st.base)]; ok {
			st.parent = p
		}
		if st.name != "" {
			byName[st.name] = st
		}
		df.stages = append(df.stages, st)
	}
	return df, nil
}

// parseError names the file and, when BuildKit knows it, the line of a parse error.
func parseError(name string, err error) error {
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		return fmt.Errorf("parsing %s:%d: %v; fix that line of the Dockerfile", name, le.Locations[0][0].Start.Line, le.Unwrap())
	}
	return fmt.Errorf("parsing %s: %w; fix the Dockerfile", name, err)
}

// expandMeta expands the ARGs declared before the first FROM in a FROM argument, using their
// defaults: the checks judge the file as it builds with no --build-arg.
func (df *dockerfile) expandMeta(word string) (string, []string) {
	env := map[string]string{}
	for _, a := range df.meta {
		for _, kv := range a.Args {
			if kv.Value != nil {
				env[kv.Key] = *kv.Value
			}
		}
	}
	return df.expand(word, env)
}

// expand expands variables in word from env and reports the names it could not resolve.
// A word that the lexer rejects is returned as it is, reported as unresolved.
func (df *dockerfile) expand(word string, env map[string]string) (string, []string) {
	if !strings.Contains(word, "$") {
		return word, nil
	}
	lex := shell.NewLex(df.escape)
	pairs := make([]string, 0, len(env))
	for k, v := range env {
		pairs = append(pairs, k+"="+v)
	}
	res, err := lex.ProcessWordWithMatches(word, shell.EnvsFromSlice(pairs))
	if err != nil {
		return word, []string{word}
	}
	var missing []string
	for k := range res.Unmatched {
		missing = append(missing, k)
	}
	sort.Strings(missing)
	return res.Result, missing
}

// final returns the stage the image is built from (the last one, as without --target).
func (df *dockerfile) final() *stage { return df.stages[len(df.stages)-1] }

// chain returns the final stage and the earlier stages it builds on, root first. It is
// worked out once; callers must not change the slice.
func (df *dockerfile) chain() []*stage {
	if df.chained != nil {
		return df.chained
	}
	seen := map[*stage]bool{}
	for s := df.final(); s != nil && !seen[s]; s = s.parent {
		seen[s] = true
		df.chained = append(df.chained, s)
	}
	slices.Reverse(df.chained)
	return df.chained
}

// inChain reports whether s is part of the final image.
func (df *dockerfile) inChain(s *stage) bool {
	for _, c := range df.chain() {
		if c == s {
			return true
		}
	}
	return false
}

// stageEnvs is what stageEnv works out for one stage.
type stageEnvs struct {
	visible []map[string]string
	envOnly map[string]string
}

// stageEnv walks a stage and returns, for each command, the variables it can see: the ENV
// of the stages it builds on, then its own ARG defaults and ENV values declared before it
// (ENV wins over an ARG of the same name, as in a build). The extra last element is what the
// stage ends with; envOnly is the part a stage built on this one inherits.
//
// Each stage is walked once and commands that change no variable share one map, so a long
// chain of stages costs time quadratic, not cubic, in its length (a 25 KB file of 500
// chained stages took a minute before). Callers must not change the maps.
func (df *dockerfile) stageEnv(s *stage) (visible []map[string]string, envOnly map[string]string) {
	if e, ok := df.envs[s]; ok {
		return e.visible, e.envOnly
	}
	envs, args := map[string]string{}, map[string]string{}
	if s.parent != nil && s.parent != s {
		_, envs = df.stageEnv(s.parent)
		envs = copyEnv(envs)
	}
	metaDefaults := map[string]*string{}
	for _, a := range df.meta {
		for _, kv := range a.Args {
			metaDefaults[kv.Key] = kv.Value
		}
	}
	var now map[string]string // what the next command sees; nil once a command changed it
	snapshot := func() map[string]string {
		if now == nil {
			now = copyEnv(args)
			for k, v := range envs {
				now[k] = v
			}
		}
		return now
	}
	visible = make([]map[string]string, 0, len(s.cmds)+1)
	for _, c := range s.cmds {
		seen := snapshot()
		visible = append(visible, seen)
		switch c := c.(type) {
		case *instructions.ArgCommand:
			for _, kv := range c.Args {
				switch {
				case kv.Value != nil:
					args[kv.Key], _ = df.expand(*kv.Value, seen)
				case metaDefaults[kv.Key] != nil:
					args[kv.Key] = *metaDefaults[kv.Key]
				}
			}
			now = nil
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				envs[kv.Key], _ = df.expand(kv.Value, seen)
			}
			now = nil
		}
	}
	visible = append(visible, snapshot())
	df.envs[s] = stageEnvs{visible: visible, envOnly: envs}
	return visible, envs
}

func copyEnv(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// at returns a finding of rule id at a line of the Dockerfile.
func (df *dockerfile) at(id string, line int, msg string) Finding {
	return rule(id).At(msg, Location{File: df.name, Line: line})
}

// firstLine returns the first line of a BuildKit location, or 0.
func firstLine(r []parser.Range) int {
	if len(r) == 0 {
		return 0
	}
	return r[0].Start.Line
}

// lineOf returns the first line of a command.
func lineOf(c instructions.Command) int {
	if l, ok := c.(interface{ Location() []parser.Range }); ok {
		return firstLine(l.Location())
	}
	return 0
}

// sortFindings orders findings by file, line, path and rule, so reports and golden files are
// stable.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i].Location, fs[j].Location
		switch {
		case a.File != b.File:
			return a.File < b.File
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.Path != b.Path:
			return a.Path < b.Path
		}
		return fs[i].Rule < fs[j].Rule
	})
}
