// Package config turns flags and WHITEMAGIC_* environment variables into one validated
// configuration for the service.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"
)

// Config is the service's validated configuration.
type Config struct {
	Listen          string
	DataDir         string
	LogLevel        slog.Level
	ShutdownTimeout time.Duration
}

// ErrHelp is returned when -h or -help was asked for; the usage has been written.
var ErrHelp = flag.ErrHelp

// setting is one flag with its environment fallback.
type setting struct {
	flag, env, def, usage string
}

var settings = []setting{
	{"listen", "WHITEMAGIC_LISTEN", ":8000", "address to listen on, host:port"},
	{"data", "WHITEMAGIC_DATA", "/data", "directory the documents are kept in; must be writable"},
	{"log-level", "WHITEMAGIC_LOG_LEVEL", "info", "log level: debug, info, warn or error"},
	{"shutdown-timeout", "WHITEMAGIC_SHUTDOWN_TIMEOUT", "10s", "longest graceful drain on SIGTERM/SIGINT"},
}

// Parse reads args (without the program and subcommand names), falling back to getenv for
// each flag not given, and validates the result. Usage goes to usage.
func Parse(name string, args []string, getenv func(string) string, usage io.Writer) (Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(usage)
	values := make(map[string]*string, len(settings))
	for _, s := range settings {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		values[s.flag] = fs.String(s.flag, def, fmt.Sprintf("%s (env %s)", s.usage, s.env))
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q: settings are flags such as -listen", fs.Arg(0))
	}
	return build(values)
}

func build(v map[string]*string) (Config, error) {
	var c Config
	var errs []error

	c.Listen = *v["listen"]
	if _, port, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, invalid("listen", c.Listen, "want host:port such as :8000"))
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		errs = append(errs, invalid("listen", c.Listen, "the port must be a number from 0 to 65535"))
	}

	c.DataDir = *v["data"]
	if c.DataDir == "" || !strings.HasPrefix(c.DataDir, "/") {
		errs = append(errs, invalid("data", c.DataDir, "want an absolute directory path"))
	}

	if err := c.LogLevel.UnmarshalText([]byte(*v["log-level"])); err != nil {
		errs = append(errs, invalid("log-level", *v["log-level"], "want debug, info, warn or error"))
	}

	d, err := time.ParseDuration(*v["shutdown-timeout"])
	if err != nil || d <= 0 {
		errs = append(errs, invalid("shutdown-timeout", *v["shutdown-timeout"], "want a positive duration such as 10s"))
	}
	c.ShutdownTimeout = d
	return c, errors.Join(errs...)
}

func invalid(flagName, value, want string) error {
	env := ""
	for _, s := range settings {
		if s.flag == flagName {
			env = s.env
		}
	}
	return fmt.Errorf("invalid -%s (or %s) %q: %s", flagName, env, value, want)
}

// HealthURL is the /health URL a local client uses to reach a server listening on listen:
// an unspecified host becomes the loopback address.
func HealthURL(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", fmt.Errorf("parsing listen address %q: %w", listen, err)
	}
	if host == "" || host == "0.0.0.0" {
		host = "127.0.0.1"
	} else if host == "::" {
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/health", nil
}
