package checks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

// Compose checks every service of a compose file with compose-spec's own loader. name is the
// file's path, used in every location. It returns an error only when the file cannot be
// loaded at all.
//
// Interpolation is fixed, so the verdict never depends on who runs the checks: variables
// are read from an empty environment and no .env file is read, so `${X:-default}` takes its
// default, `${X}` becomes empty and `${X:?message}` is an error that says to give X a
// default. A file that `include:`s others or `extends:` a service from another file gets a
// WM-CO-026 finding and is checked without them: the checks read one file only.
func Compose(name string, src []byte) ([]Finding, error) {
	c, err := loadCompose(name, src)
	if err != nil {
		return nil, err
	}
	out := c.outside
	for _, s := range c.project.Services {
		out = append(out, c.checkService(s)...)
	}
	sortFindings(out)
	return applyInline(name, src, yamlComment, blockCover(src), out), nil
}

// composeFile is a loaded compose file and the line of every key and list item in it.
type composeFile struct {
	name    string
	project *types.Project
	src     []string // the source lines
	lines   map[string]int
	outside []Finding // include: and extends.file, which are not followed
}

// loadCompose parses the file twice: with yaml for line numbers, with compose-go for the
// model compose itself uses.
func loadCompose(name string, src []byte) (*composeFile, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("parsing %s: %w; fix the YAML there", name, err)
	}
	if line, why := refuse(&doc); why != "" {
		return nil, fmt.Errorf("parsing %s:%d: %s", name, line, why)
	}
	c := &composeFile{name: name, src: strings.Split(string(src), "\n"), lines: map[string]int{}}
	if len(doc.Content) > 0 {
		c.index(doc.Content[0], "")
	}
	skipOthers := c.others()

	details := types.ConfigDetails{
		WorkingDir:  "/whitemagic-checks-read-no-other-file",
		ConfigFiles: []types.ConfigFile{{Filename: name, Content: src}},
		Environment: types.Mapping{},
	}
	p, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("whitemagic", false)
		o.Interpolate.LookupValue = func(string) (string, bool) { return "", false }
		o.Interpolate.Substitute = func(s string, m template.Mapping) (string, error) {
			return template.SubstituteWithOptions(s, m, template.WithoutLogging)
		}
		o.ResolvePaths = false
		o.SkipResolveEnvironment = true
		o.SkipResolveLabels = true
		o.SkipInclude = skipOthers
		o.SkipExtends = skipOthers
		o.Profiles = []string{"*"}
	})
	if err != nil {
		var missing *template.MissingRequiredError
		if errors.As(err, &missing) {
			return nil, fmt.Errorf("loading %s: %w; the checks interpolate with an empty environment, so give %s a default (${%s:-value})",
				name, err, missing.Variable, missing.Variable)
		}
		return nil, fmt.Errorf("loading %s: %w; fix the compose file there", name, err)
	}
	c.project = p
	return c, nil
}

// maxDepth and maxAliases bound the YAML the checks hand to compose-go. Real compose files
// nest fewer than ten levels and use a handful of aliases, while compose-go's loader takes
// time quadratic in the depth and in the number of visits to aliased nodes: a 10 KB file
// nested 2,000 levels deep, or a 300-byte anchor that merges itself, held it for seconds.
const (
	maxDepth   = 64
	maxAliases = 1000
)

// refuse returns why the checks decline a YAML document, and the line, or "" when they
// accept it: mappings and sequences nested deeper than maxDepth, more than maxAliases
// aliases, or an alias inside the very node it names, which makes the document infinite.
func refuse(doc *yaml.Node) (int, string) {
	aliases := 0
	var walk func(n *yaml.Node, open []*yaml.Node) (int, string)
	walk = func(n *yaml.Node, open []*yaml.Node) (int, string) {
		switch n.Kind {
		case yaml.AliasNode:
			aliases++
			switch {
			case slices.Contains(open, n.Alias):
				return n.Line, "alias *" + n.Value +
					" sits inside the node it names, so the document never ends; remove the alias"
			case aliases > maxAliases:
				return n.Line, fmt.Sprintf(
					"the YAML has more than %d aliases, more than the checks accept; write the values out", maxAliases)
			}
			return 0, ""
		case yaml.MappingNode, yaml.SequenceNode:
			if open = append(open, n); len(open) > maxDepth {
				return n.Line, fmt.Sprintf(
					"the YAML nests more than %d levels deep, more than the checks accept; flatten it", maxDepth)
			}
		}
		for _, c := range n.Content {
			if line, why := walk(c, open); why != "" {
				return line, why
			}
		}
		return 0, ""
	}
	return walk(doc, nil)
}

// index records the line of every mapping key and sequence item under path, as
// "services.web.ports.0".
func (c *composeFile) index(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := join(path, n.Content[i].Value)
			if _, seen := c.lines[k]; !seen {
				c.lines[k] = n.Content[i].Line
			}
			c.index(n.Content[i+1], k)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			k := join(path, fmt.Sprint(i))
			c.lines[k] = item.Line
			c.index(item, k)
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// others finds include: and extends.file, reports them and says whether any exists.
func (c *composeFile) others() bool {
	var keys []string
	for k := range c.lines {
		if k == "include" || strings.HasPrefix(k, "services.") && strings.HasSuffix(k, ".extends.file") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		what := "include: pulls in other compose files"
		if k != "include" {
			what = "extends.file takes a service from another file"
		}
		c.outside = append(c.outside, rule("WM-CO-026").At(what+"; the checks read "+c.name+" only",
			Location{File: c.name, Line: c.lines[k], Path: k}))
	}
	return len(keys) > 0
}

// at returns a finding of rule id at the most specific known line of a path such as
// "ports.1" within a service.
func (c *composeFile) at(id string, service, key, msg string) Finding {
	p := "services." + service
	if key != "" {
		p += "." + key
	}
	return rule(id).At(msg, Location{File: c.name, Line: c.line(p), Path: p})
}

// line returns the line of a path, or of its closest parent that has one.
func (c *composeFile) line(p string) int {
	for p != "" {
		if l, ok := c.lines[p]; ok {
			return l
		}
		i := strings.LastIndex(p, ".")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 0
}

// lineComment returns the comment written on a path's line, or directly above it.
func (c *composeFile) lineComment(p string) string {
	l, ok := c.lines[p]
	if !ok || l < 1 || l > len(c.src) {
		return ""
	}
	if text, _, ok := yamlComment(c.src[l-1]); ok {
		return strings.TrimSpace(text)
	}
	if l >= 2 {
		prev := strings.TrimSpace(c.src[l-2])
		if strings.HasPrefix(prev, "#") {
			return strings.TrimSpace(prev[1:])
		}
	}
	return ""
}

// sortedKeys returns a map's keys in order, so findings come out the same every run.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
