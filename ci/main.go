// Command ci is whitemagic's pipeline: it lints, tests, builds, audits and runs the image
// hardened, and publishes it only when every stage passed. Run `go run ./ci -h`.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
	"github.com/whitemagic/whitemagic/ci/internal/publish"
	"github.com/whitemagic/whitemagic/ci/internal/release"
	"github.com/whitemagic/whitemagic/ci/internal/report"
	"github.com/whitemagic/whitemagic/ci/internal/sbom"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the command line, picks the engine, runs the pipeline and returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return pipeline.ExitPassed
	}
	if err != nil {
		fmt.Fprintf(stderr, "ci: %v\nRun go run ./ci -h for the flags.\n", err)
		return pipeline.ExitUsage
	}
	// The reporter comes before any other output: in GitHub Actions it masks the secrets.
	rep := report.New(report.Options{Out: stdout, Color: report.ColorEnabled(stdout, getenv),
		Verbose: o.verbose, JSONPath: o.reportJSON, SARIFPath: o.sarif, Source: o.cfg.Source,
		Dockerfile: o.cfg.Dockerfile, Compose: o.cfg.Compose, Getenv: getenv})
	o.cfg.RunID = getenv("WHITEMAGIC_RUN_ID")
	if o.cfg.RunID == "" {
		o.cfg.RunID = newRunID()
	}

	eng, err := openEngine(ctx, o, realEngines(getenv, exec.LookPath, stderr))
	if err != nil {
		fmt.Fprintf(stderr, "ci: %v\n", err)
		return engineExit(err)
	}
	defer eng.Close()

	fmt.Fprintf(stdout, "whitemagic pipeline: %s with the %s engine (run %s)\n", o.cfg.Mode, eng.Name(), o.cfg.RunID)
	pub := publish.Registry{Getenv: getenv}
	r := &pipeline.Runner{
		Engine:    eng,
		Publisher: pub,
		Guard:     release.Guard{Keychain: pub.Keychain()},
		AttachSBOM: func(ctx context.Context, subject string, bom *cdx.BOM) (string, error) {
			return sbom.Attach(ctx, subject, bom, pub.Keychain())
		},
		Config:   o.cfg,
		Progress: rep.StageFinished,
	}
	res := r.Run(ctx)
	code := res.ExitCode()
	if err := rep.Finish(res); err != nil {
		// The result is on screen already; a report file that could not be written turns
		// a passing run into a usage error, and leaves a failing run's code alone.
		fmt.Fprintf(stderr, "ci: %v\n", err)
		if code == pipeline.ExitPassed {
			code = pipeline.ExitUsage
		}
	}
	return code
}

func newRunID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}
