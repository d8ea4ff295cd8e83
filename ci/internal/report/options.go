package report

import (
	"io"
	"os"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
)

// Options say which reports a run writes and what they need to know about the source.
type Options struct {
	// Out receives the terminal report and, in GitHub Actions, the workflow commands.
	Out io.Writer
	// Color turns on ANSI colour in the terminal report; see ColorEnabled.
	Color bool
	// Verbose shows every finding's fix and refs, suppressed findings and every stage's
	// detail, not only those of stages that did not pass.
	Verbose bool

	// JSONPath and SARIFPath, when set, are the files Finish writes the JSON and SARIF
	// reports to, each atomically.
	JSONPath, SARIFPath string

	// Source is the source root. SARIF locations are relative to it and GitHub annotations
	// are relative to GITHUB_WORKSPACE through it.
	Source string
	// Dockerfile and Compose are relative to Source. Findings about the image and about
	// the running container have no file of their own; the file reports attach them to the
	// Dockerfile and the compose file respectively.
	Dockerfile, Compose string

	// Getenv reads the environment: GITHUB_* to detect Actions, and
	// WHITEMAGIC_REGISTRY_PASSWORD and GITHUB_TOKEN to mask them. Nil means os.Getenv.
	Getenv func(string) string
	// Secrets are further values to mask in GitHub Actions logs, such as a token the
	// caller was given.
	Secrets []string
	// Lookup finds a rule's title, fix and refs. Nil means checks.Lookup.
	Lookup func(id string) (checks.Rule, bool)
}

// withDefaults fills the zero values.
func (o Options) withDefaults() Options {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Lookup == nil {
		o.Lookup = checks.Lookup
	}
	if o.Source == "" {
		o.Source = "."
	}
	if o.Dockerfile == "" {
		o.Dockerfile = "Dockerfile"
	}
	if o.Compose == "" {
		o.Compose = "docker-compose.yml"
	}
	return o
}
