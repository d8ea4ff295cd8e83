// Command whitemagic is a small hardened HTTP service that keeps JSON documents on a data
// volume. Subcommands: serve (the default), healthcheck and version.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/whitemagic/whitemagic/service/internal/config"
)

// Set at build time with -ldflags "-X main.version=... -X main.revision=... -X main.created=...".
var (
	version  = "dev"
	revision = "unknown"
	created  = "unknown"
)

func main() {
	os.Exit(realMain(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// realMain runs a subcommand and returns the process's exit code: 0 success, 1 failure,
// 2 bad usage or configuration.
func realMain(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	// Every line the process prints is JSON, so that log collectors and the pipeline's log
	// check read start-up failures the same way as requests.
	boot := slog.New(slog.NewJSONHandler(stderr, nil))

	switch cmd {
	case "serve":
		cfg, err := config.Parse("whitemagic serve", args, getenv, stderr)
		if err != nil {
			return usageError(boot, err)
		}
		log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
		defer stop()
		if err := run(ctx, cfg, log); err != nil {
			log.Error("stopped", "error", err.Error())
			return 1
		}
		return 0
	case "healthcheck":
		if err := healthcheck(args, getenv, stderr); err != nil {
			if errors.Is(err, errUsage) {
				return usageError(boot, err)
			}
			boot.Error("healthcheck failed", "error", err.Error())
			return 1
		}
		return 0
	case "version":
		fmt.Fprintf(stdout, "{\"version\":%q,\"revision\":%q,\"created\":%q}\n", version, revision, created)
		return 0
	}
	return usageError(boot, fmt.Errorf("unknown subcommand %q: want serve, healthcheck or version", cmd))
}

func usageError(log *slog.Logger, err error) int {
	if errors.Is(err, config.ErrHelp) {
		return 0
	}
	log.Error("bad usage or configuration", "error", err.Error())
	return 2
}
