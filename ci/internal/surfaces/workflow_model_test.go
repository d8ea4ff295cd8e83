package surfaces

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// workflow is a GitHub Actions workflow file as the tests read it.
type workflow struct {
	path string
	root *yaml.Node // the document's top-level mapping
	jobs map[string]*job
}

type job struct {
	name        string
	If          string            `yaml:"if"`
	Timeout     *int              `yaml:"timeout-minutes"`
	Permissions yaml.Node         `yaml:"permissions"`
	Env         map[string]string `yaml:"env"`
	Steps       []*step           `yaml:"-"`
}

type step struct {
	Name string               `yaml:"name"`
	ID   string               `yaml:"id"`
	If   string               `yaml:"if"`
	Uses string               `yaml:"uses"`
	Run  string               `yaml:"run"`
	With map[string]yaml.Node `yaml:"with"`
	Env  map[string]string    `yaml:"env"`
	// pin is the comment on the uses line, e.g. "# v7.0.1".
	pin string
}

// label names a step in messages.
func (s *step) label() string {
	switch {
	case s.Name != "":
		return fmt.Sprintf("step %q", s.Name)
	case s.Uses != "":
		return "step " + s.Uses
	}
	return fmt.Sprintf("step %q", firstLine(s.Run))
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

func loadWorkflow(path string) (*workflow, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s is not a YAML mapping", path)
	}
	w := &workflow{path: path, root: doc.Content[0], jobs: map[string]*job{}}

	jobs := get(w.root, "jobs")
	if jobs == nil || jobs.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s has no jobs mapping", path)
	}
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		name, node := jobs.Content[i].Value, jobs.Content[i+1]
		j := &job{name: name}
		if err := node.Decode(j); err != nil {
			return nil, fmt.Errorf("%s: job %s: %w", path, name, err)
		}
		if steps := get(node, "steps"); steps != nil {
			for _, sn := range steps.Content {
				s := &step{}
				if err := sn.Decode(s); err != nil {
					return nil, fmt.Errorf("%s: job %s: %w", path, name, err)
				}
				if k, v := getPair(sn, "uses"); v != nil {
					s.pin = strings.TrimSpace(v.LineComment + k.LineComment)
				}
				j.Steps = append(j.Steps, s)
			}
		}
		w.jobs[name] = j
	}
	return w, nil
}

// get returns the value under key in mapping node n, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	_, v := getPair(n, key)
	return v
}

func getPair(n *yaml.Node, key string) (k, v *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

// keys lists a mapping node's keys, sorted.
func keys(n *yaml.Node) []string {
	var ks []string
	if n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			ks = append(ks, n.Content[i].Value)
		}
	}
	sort.Strings(ks)
	return ks
}

// scalarMap turns a mapping of scalars into a Go map; ok is false for anything else.
func scalarMap(n *yaml.Node) (map[string]string, bool) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, false
	}
	m := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i+1].Kind != yaml.ScalarNode {
			return nil, false
		}
		m[n.Content[i].Value] = n.Content[i+1].Value
	}
	return m, true
}

// strings lists a sequence of scalars.
func scalars(n *yaml.Node) []string {
	var out []string
	if n != nil && n.Kind == yaml.SequenceNode {
		for _, c := range n.Content {
			out = append(out, c.Value)
		}
	}
	return out
}

// repoWorkflows loads every workflow under .github/workflows.
func repoWorkflows(t *testing.T) []*workflow {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(repoRoot(t), ".github", "workflows", "*.y*ml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no workflows under .github/workflows (%v)", err)
	}
	var ws []*workflow
	for _, p := range paths {
		w, err := loadWorkflow(p)
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
	}
	return ws
}

func workflowNamed(t *testing.T, file string) *workflow {
	t.Helper()
	for _, w := range repoWorkflows(t) {
		if filepath.Base(w.path) == file {
			return w
		}
	}
	t.Fatalf("no workflow .github/workflows/%s", file)
	return nil
}
