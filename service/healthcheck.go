package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/whitemagic/whitemagic/service/internal/config"
)

var errUsage = errors.New("bad usage")

// healthcheck asks a running server for /health and fails unless it answers 200 within the
// timeout. It is what the image's HEALTHCHECK runs: the image has no shell or curl.
func healthcheck(args []string, getenv func(string) string, stderr io.Writer) error {
	fs := flag.NewFlagSet("whitemagic healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := getenv("WHITEMAGIC_LISTEN")
	if listen == "" {
		listen = ":8000"
	}
	def, err := config.HealthURL(listen)
	if err != nil {
		return fmt.Errorf("%w: WHITEMAGIC_LISTEN: %v", errUsage, err)
	}
	url := fs.String("url", def, "health URL to ask (default from WHITEMAGIC_LISTEN)")
	timeout := fs.Duration("timeout", 2*time.Second, "how long to wait for the answer")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return fmt.Errorf("%w: -url %q: %v", errUsage, *url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("asking %s: %w", *url, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", *url, resp.Status)
	}
	return nil
}
