package report

import (
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/sethvargo/go-githubactions"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// InActions reports whether the process runs as a step of a GitHub Actions job.
func InActions(getenv func(string) string) bool { return getenv("GITHUB_ACTIONS") == "true" }

// github writes a run's workflow commands (masks, log groups, annotations) and its step
// summary and outputs. It exists only inside Actions: go-githubactions writes summaries and
// outputs to the files GITHUB_STEP_SUMMARY and GITHUB_OUTPUT name, and panics when they
// are not there.
type github struct {
	a      *githubactions.Action
	getenv func(string) string
	out    *stickyWriter
	// token makes the stop-commands token; tests fix it.
	token func() string
}

// newGitHub returns the GitHub writer, or nil outside Actions.
func newGitHub(w io.Writer, getenv func(string) string) *github {
	if !InActions(getenv) {
		return nil
	}
	out := &stickyWriter{w: w}
	return &github{
		a:      githubactions.New(githubactions.WithWriter(out), githubactions.WithGetenv(getenv)),
		getenv: getenv,
		out:    out,
		token:  randomToken,
	}
}

// mask asks the runner to hide each secret in all later output. A multi-line secret is
// masked line by line, the way the runner matches it.
func (g *github) mask(secrets []string) {
	for _, s := range secrets {
		for _, line := range strings.Split(s, "\n") {
			if line = strings.TrimRight(line, "\r"); strings.TrimSpace(line) != "" {
				g.a.AddMask(line)
			}
		}
	}
}

// group writes one stage as a collapsed log group. Stages run at once, so a stage's group
// is written whole when the stage finishes, never left open while another stage prints.
func (g *github) group(s pipeline.StageResult, body func(io.Writer)) {
	title := fmt.Sprintf("%s: %s in %s", s.Name, s.Status, duration(s.Duration))
	if sum := stageSummary(s); sum != "" {
		title += ", " + clean(sum)
	}
	g.a.Group(title)
	g.disarmed(func() { body(g.out) })
	g.a.EndGroup()
}

// disarmed runs fn with workflow commands turned off, so a line that a container, a test or
// an image put into a message or detail ("::add-mask::", "::error::") is printed, not
// obeyed. The runner resumes on a random token nobody printing that text can know.
func (g *github) disarmed(fn func()) {
	token := g.token()
	g.a.IssueCommand(&githubactions.Command{Name: "stop-commands", Message: token})
	fn()
	g.a.IssueCommand(&githubactions.Command{Name: token})
}

// annotate writes an error, warning or notice annotation for every finding that is not
// suppressed, with the file and line it shows on and the rule as its title, and an error
// annotation for every stage that errored.
func (g *github) annotate(r *pipeline.Result, o Options) {
	workspace := g.getenv("GITHUB_WORKSPACE")
	for _, s := range r.Stages {
		for _, f := range s.Findings {
			if f.Suppressed != "" {
				continue
			}
			p := o.placeOf(s.Name, f)
			fields := map[string]string{
				"file":  p.workspaceFile(o.Source, workspace),
				"title": clean(f.Rule + " " + o.ruleOf(f).Title),
			}
			if p.Line > 0 {
				fields["line"] = strconv.Itoa(p.Line)
			}
			msg := clean(f.Message + p.suffix())
			if f.Fix != "" {
				msg += "\nFix: " + clean(f.Fix)
			}
			a := g.a.WithFieldsMap(fields)
			switch {
			case f.Severity >= checks.Error:
				a.Errorf("%s", msg)
			case f.Severity == checks.Warning:
				a.Warningf("%s", msg)
			default:
				a.Noticef("%s", msg)
			}
		}
		if s.Status == pipeline.Errored {
			g.a.WithFieldsMap(map[string]string{"title": "whitemagic " + s.Name + " stage error"}).
				Errorf("%s (the %s log group has the detail)", clean(firstLine(s.Detail)), s.Name)
		}
	}
}

// summary appends the run's Markdown summary to the step summary.
func (g *github) summary(markdown string) error {
	if !g.commandFile("GITHUB_STEP_SUMMARY") {
		return nil
	}
	return safely("writing the step summary", func() { g.a.AddStepSummary(markdown) })
}

// outputs sets the step outputs result, digest, image and tags.
func (g *github) outputs(r *pipeline.Result) error {
	if !g.commandFile("GITHUB_OUTPUT") {
		return nil
	}
	return safely("writing the step outputs", func() {
		g.a.SetOutput("result", Outcome(r))
		g.a.SetOutput("digest", r.Digest)
		g.a.SetOutput("image", imageName(r))
		g.a.SetOutput("tags", strings.Join(r.Tags, ","))
	})
}

// commandFile reports whether the file the named variable points to exists. When it does
// not, a warning in the log says what is missing, and the caller skips it: writing would
// panic inside go-githubactions.
func (g *github) commandFile(env string) bool {
	path := g.getenv(env)
	why := ""
	if path == "" {
		why = env + " is not set"
	} else if fi, err := os.Stat(path); err != nil {
		why = fmt.Sprintf("%s names %s, which cannot be read: %v", env, path, err)
	} else if !fi.Mode().IsRegular() {
		why = fmt.Sprintf("%s names %s, which is not a regular file", env, path)
	}
	if why != "" {
		g.a.Warningf("%s; whitemagic skips what it would write there", why)
		return false
	}
	return true
}

// err returns the first error writing the workflow commands, if any.
func (g *github) err() error { return g.out.error() }

// imageName is the repository the image went to: that of the first published reference,
// else the configured name.
func imageName(r *pipeline.Result) string {
	if len(r.Published) == 0 {
		return r.Image
	}
	ref, _, _ := strings.Cut(r.Published[0], "@")
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	return ref
}

// safely runs a go-githubactions file command, which panics when it cannot write its file,
// and returns that as an error instead: a report must never take the run down with it.
func safely(what string, fn func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: %v", what, p)
		}
	}()
	fn()
	return nil
}

// stickyWriter keeps the first write error and reports success to its caller, because
// go-githubactions panics when stdout fails, and a panic in a stage's progress hook would
// end the process before the run cleans up its containers.
type stickyWriter struct {
	mu    sync.Mutex
	w     io.Writer
	first error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.first != nil {
		return len(p), nil
	}
	if _, err := s.w.Write(p); err != nil {
		s.first = fmt.Errorf("writing workflow commands: %w", err)
	}
	return len(p), nil
}

func (s *stickyWriter) error() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

func randomToken() string { return rand.Text() }
