package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
	"github.com/whitemagic/whitemagic/ci/internal/release"
	"github.com/whitemagic/whitemagic/ci/internal/report"
)

// options are the command line after parsing, before validation.
type options struct {
	engine, docker string
	// images the Dagger engine runs: the Go toolchain (also the Dockerfile's GO_IMAGE), the
	// Docker daemon and the docker CLI of the hardened run
	goImage, dindImage, cliImage string
	cfg                          pipeline.Config

	// reports: the JSON and SARIF files to write (empty: none) and how much the terminal shows
	reportJSON, sarif, sbom string
	verbose                 bool
	verboseErr              error           // a WHITEMAGIC_VERBOSE that is not a boolean
	set                     map[string]bool // flags given on the command line or in the environment
}

// flagSpec binds one flag to its environment fallback.
type flagSpec struct {
	name, env, def, usage string
	dst                   *string
}

var tagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// parseArgs reads `[check|publish|release] [flags]` (flags may also come first) with WHITEMAGIC_*
// fallbacks and validates the result.
func parseArgs(args []string, getenv func(string) string, usage io.Writer) (options, error) {
	var o options
	var tags, budget, compressed, layers, timeout, threshold, version, packages string
	specs := []flagSpec{
		{"source", "WHITEMAGIC_SOURCE", ".", "source tree: build context and Go module root", &o.cfg.Source},
		{"dockerfile", "WHITEMAGIC_DOCKERFILE", "Dockerfile", "Dockerfile, relative to -source", &o.cfg.Dockerfile},
		{"compose", "WHITEMAGIC_COMPOSE", "docker-compose.yml", "compose file, relative to -source", &o.cfg.Compose},
		{"service", "WHITEMAGIC_SERVICE", "whitemagic", "compose service whose settings the hardened run uses", &o.cfg.Service},
		{"image", "WHITEMAGIC_IMAGE", "whitemagic", "image repository name", &o.cfg.Image},
		{"tags", "WHITEMAGIC_TAGS", "dev", "comma-separated tags to publish (release computes its own)", &tags},
		{"registry", "WHITEMAGIC_REGISTRY", "", "registry host[:port] to publish to (required by publish and release)", &o.cfg.Registry},
		{"max-image-bytes", "WHITEMAGIC_MAX_IMAGE_BYTES", "10000000", "size budget, uncompressed bytes", &budget},
		{"max-compressed-bytes", "WHITEMAGIC_MAX_COMPRESSED_BYTES", "5000000", "size budget, compressed bytes", &compressed},
		{"max-layers", "WHITEMAGIC_MAX_LAYERS", "10", "most layers the image may have", &layers},
		{"health-timeout", "WHITEMAGIC_HEALTH_TIMEOUT", "30s", "how long the hardened run waits for /health", &timeout},
		{"fail-on", "WHITEMAGIC_FAIL_ON", "error", "lowest finding severity that fails a stage: info, warning or error", &threshold},
		{"version", "WHITEMAGIC_VERSION", "", "version stamped into the image (default: git describe, else dev); release: the tag vX.Y.Z (default: the tag on HEAD)", &version},
		{"packages", "WHITEMAGIC_PACKAGES", "./service/...", "comma-separated Go packages the test stage vets and tests", &packages},
		{"report-json", "WHITEMAGIC_REPORT_JSON", "", "write the JSON report (docs/report-schema.json) to this file", &o.reportJSON},
		{"sarif", "WHITEMAGIC_SARIF", "", "write the findings as SARIF 2.1.0 to this file, for code scanning", &o.sarif},
		{"sbom", "WHITEMAGIC_SBOM", "", "write the audited image's CycloneDX SBOM to this file", &o.sbom},
		{"engine", "WHITEMAGIC_ENGINE", "auto", "engine: auto, docker or dagger", &o.engine},
		{"docker", "WHITEMAGIC_DOCKER", "", "docker client to use (default: one on PATH that can build with BuildKit)", &o.docker},
		{"go-image", "WHITEMAGIC_GO_IMAGE", defaultGoImage, "Go image: the Dockerfile's GO_IMAGE build argument, and where the dagger engine runs the tests", &o.goImage},
		{"dind-image", "WHITEMAGIC_DIND_IMAGE", defaultDindImage, "Docker daemon image of the dagger engine's hardened run", &o.dindImage},
		{"docker-cli-image", "WHITEMAGIC_DOCKER_CLI_IMAGE", defaultCLIImage, "docker CLI image of the dagger engine's hardened run", &o.cliImage},
	}
	fs := flag.NewFlagSet("ci", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.Usage = func() {
		fmt.Fprintf(usage, "Usage: go run ./ci [check|publish|release] [flags]\n\n"+
			"check (default) runs every stage and never publishes; publish also pushes the audited\n"+
			"image under -tags when every stage passed; release publishes a release tag vX.Y.Z as\n"+
			"X.Y.Z, X.Y, X, latest and the commit, and never moves a published X.Y.Z.\n"+
			"Each flag falls back to the environment variable named.\n"+
			"Exit codes: 0 passed, 1 a check failed, 2 bad usage, 3 engine or registry trouble, 130 interrupted.\n\n")
		fs.PrintDefaults()
	}
	for _, s := range specs {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		fs.StringVar(s.dst, s.name, def, s.usage+" (env "+s.env+")")
	}
	verbose, err := envBool("WHITEMAGIC_VERBOSE", getenv)
	o.verboseErr = err
	fs.BoolVar(&o.verbose, "verbose", verbose,
		"show every finding's fix and refs, suppressed findings and every stage's detail (env WHITEMAGIC_VERBOSE)")

	o.cfg.Mode = pipeline.ModeCheck
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if rest := fs.Args(); len(rest) > 0 {
		o.cfg.Mode = rest[0]
		if err := fs.Parse(rest[1:]); err != nil {
			return o, err
		}
		if fs.NArg() > 0 {
			return o, fmt.Errorf("unexpected argument %q after the mode", fs.Arg(0))
		}
	}
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	for _, s := range specs {
		o.set[s.name] = o.set[s.name] || getenv(s.env) != ""
	}
	return o, o.validate(tags, budget, compressed, layers, timeout, threshold, version, packages)
}

func (o *options) validate(tags, budget, compressed, layers, timeout, threshold, version, packages string) error {
	var errs []error
	c := &o.cfg
	switch c.Mode {
	case pipeline.ModeCheck, pipeline.ModePublish, pipeline.ModeRelease:
	default:
		errs = append(errs, fmt.Errorf("unknown mode %q: want check, publish or release", c.Mode))
	}
	if c.Publishes() && c.Registry == "" {
		errs = append(errs, fmt.Errorf("%s needs -registry (or WHITEMAGIC_REGISTRY), e.g. 127.0.0.1:5000 or ghcr.io/acme", c.Mode))
	}
	if c.Mode == pipeline.ModeRelease && o.set["tags"] {
		errs = append(errs, errors.New("-tags: release computes its tags from the version tag; drop -tags (or WHITEMAGIC_TAGS)"))
	}
	if fi, err := os.Stat(filepath.Join(c.Source, c.Dockerfile)); err != nil || fi.IsDir() {
		errs = append(errs, fmt.Errorf("-dockerfile: %s is not a file in -source %s", c.Dockerfile, c.Source))
	}
	if _, err := os.Stat(filepath.Join(c.Source, c.Compose)); err != nil {
		errs = append(errs, fmt.Errorf("-compose: %s is not in -source %s", c.Compose, c.Source))
	}
	for _, t := range strings.Split(tags, ",") {
		if !tagPattern.MatchString(t) {
			errs = append(errs, fmt.Errorf("-tags: %q is not a valid image tag", t))
		}
		c.Tags = append(c.Tags, t)
	}
	num := func(flagName, v string) int64 {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("-%s: %q is not a positive whole number", flagName, v))
		}
		return n
	}
	c.Budget = checks.ImageOptions{MaxBytes: num("max-image-bytes", budget),
		MaxCompressedBytes: num("max-compressed-bytes", compressed), MaxLayers: int(num("max-layers", layers))}
	d, err := time.ParseDuration(timeout)
	if err != nil || d <= 0 {
		errs = append(errs, fmt.Errorf("-health-timeout: %q is not a positive duration such as 30s", timeout))
	}
	c.HealthTimeout = d
	if c.Threshold, err = checks.ParseSeverity(threshold); err != nil {
		errs = append(errs, fmt.Errorf("-fail-on: %w", err))
	}
	// The source's policy file may set the threshold; -fail-on, when given, wins.
	if c.Policy, err = checks.LoadPolicy(c.Source); err != nil {
		errs = append(errs, fmt.Errorf("%w: fix the file or remove it", err))
	} else if c.Policy.HasThreshold && !o.set["fail-on"] {
		c.Threshold = c.Policy.Threshold
	}
	if o.engine != "auto" && o.engine != "docker" && o.engine != "dagger" {
		errs = append(errs, fmt.Errorf("-engine: %q is not auto, docker or dagger", o.engine))
	}
	errs = append(errs, o.validateImages()...)
	c.Packages = strings.Split(packages, ",")
	errs = append(errs, o.validateReports()...)
	if err := errors.Join(errs...); err != nil {
		return err
	}

	revision, describe := gitInfo(c.Source)
	if c.Mode == pipeline.ModeRelease {
		plan, err := releasePlan(c.Source, version, revision)
		if err != nil {
			return err
		}
		c.Release, c.Tags, version = &plan, plan.Names(), plan.Version
	}
	if version == "" {
		version = describe
	}
	c.SBOM = o.sbom
	c.BuildArgs = map[string]string{
		"VERSION":  version,
		"REVISION": revision,
		"CREATED":  created(),
		"GO_IMAGE": o.goImage,
	}
	return nil
}

// gitInfo returns the source's commit and `git describe`, or placeholders outside git.
func gitInfo(dir string) (revision, describe string) {
	revision, describe = "unknown", "dev"
	if out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output(); err == nil {
		revision = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("git", "-C", dir, "describe", "--tags", "--always", "--dirty").Output(); err == nil {
		describe = strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	}
	return revision, describe
}

// releasePlan plans a release from the tag given with -version, or else the tag on HEAD.
func releasePlan(dir, tag, revision string) (release.Plan, error) {
	if tag == "" {
		out, err := exec.Command("git", "-C", dir, "describe", "--tags", "--exact-match", "HEAD").Output()
		if err != nil {
			return release.Plan{}, errors.New("-version: release needs a tag vX.Y.Z: give -version " +
				"(GITHUB_REF_NAME in Actions), or tag HEAD with git tag vX.Y.Z")
		}
		tag = strings.TrimSpace(string(out))
	}
	plan, err := release.FromTag(tag, revision)
	if err != nil {
		return release.Plan{}, fmt.Errorf("-version: %w", err)
	}
	return plan, nil
}

// created is the build time: SOURCE_DATE_EPOCH when set, for reproducible builds, else now.
func created() string {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC().Format(time.RFC3339)
		}
	}
	return time.Now().UTC().Format(time.RFC3339)
}

// envBool reads a boolean environment variable; unset or empty is false.
func envBool(name string, getenv func(string) string) (bool, error) {
	v := getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s: %q is not true or false", name, v)
	}
	return b, nil
}

// validateReports checks the report flags before the run starts, so that a path that
// cannot be written costs a second, not a whole run.
func (o *options) validateReports() []error {
	var errs []error
	if o.verboseErr != nil {
		errs = append(errs, o.verboseErr)
	}
	seen := map[string]string{} // clean path -> the flag that named it first
	for _, r := range []struct{ flag, path string }{
		{"report-json", o.reportJSON}, {"sarif", o.sarif}, {"sbom", o.sbom},
	} {
		if r.path == "" {
			continue
		}
		if err := report.CheckPath(r.path); err != nil {
			errs = append(errs, fmt.Errorf("-%s: %w", r.flag, err))
		}
		if other, ok := seen[filepath.Clean(r.path)]; ok {
			errs = append(errs, fmt.Errorf("-%s and -%s both name %s; give each its own file", other, r.flag, r.path))
		}
		seen[filepath.Clean(r.path)] = r.flag
	}
	return errs
}
