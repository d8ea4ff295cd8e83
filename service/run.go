package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/whitemagic/whitemagic/service/internal/config"
	"github.com/whitemagic/whitemagic/service/internal/health"
	"github.com/whitemagic/whitemagic/service/internal/server"
	"github.com/whitemagic/whitemagic/service/internal/store"
)

// run serves until ctx is cancelled, then drains open requests within the shutdown timeout.
func run(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	st, err := store.Open(cfg.DataDir)
	if err != nil {
		return err
	}
	checker := health.New(st.Dir(), time.Second)
	if rep := checker.Check(); !rep.Healthy {
		return fmt.Errorf("data directory %s is not usable: %s", cfg.DataDir, rep.Checks[0].Error)
	}
	info := server.Info{Version: version, Revision: revision, Created: created}
	srv := &http.Server{
		Handler:           server.New(st, checker, info, log),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Listen, err)
	}
	log.Info("started", "listen", ln.Addr().String(), "data", cfg.DataDir,
		"version", version, "revision", revision)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}

	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	drain, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(drain); err != nil {
		return fmt.Errorf("draining connections: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	log.Info("stopped cleanly")
	return nil
}
