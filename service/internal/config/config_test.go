package config

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want Config
	}{
		{"defaults", nil, nil, Config{":8000", "/data", slog.LevelInfo, 10 * time.Second}},
		{"env", nil, map[string]string{
			"WHITEMAGIC_LISTEN": "127.0.0.1:9000", "WHITEMAGIC_DATA": "/srv",
			"WHITEMAGIC_LOG_LEVEL": "debug", "WHITEMAGIC_SHUTDOWN_TIMEOUT": "3s",
		}, Config{"127.0.0.1:9000", "/srv", slog.LevelDebug, 3 * time.Second}},
		{"flags beat env", []string{"-listen", ":9001", "-log-level", "warn"},
			map[string]string{"WHITEMAGIC_LISTEN": ":1"},
			Config{":9001", "/data", slog.LevelWarn, 10 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("test", tt.args, env(tt.env), io.Discard)
			if err != nil || got != tt.want {
				t.Errorf("Parse(%q) = %+v, %v; want %+v", tt.args, got, err, tt.want)
			}
		})
	}
}

func TestParseErrorsNameTheSetting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"listen without port", []string{"-listen", "localhost"}, nil, "-listen (or WHITEMAGIC_LISTEN)"},
		{"listen port too big", []string{"-listen", ":70000"}, nil, "-listen"},
		{"relative data", []string{"-data", "data"}, nil, "-data (or WHITEMAGIC_DATA)"},
		{"bad level from env", nil, map[string]string{"WHITEMAGIC_LOG_LEVEL": "loud"}, "WHITEMAGIC_LOG_LEVEL"},
		{"bad timeout", []string{"-shutdown-timeout", "soon"}, nil, "-shutdown-timeout"},
		{"negative timeout", []string{"-shutdown-timeout", "-1s"}, nil, "-shutdown-timeout"},
		{"stray argument", []string{"extra"}, nil, `unexpected argument "extra"`},
		{"unknown flag", []string{"-port", "1"}, nil, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("test", tt.args, env(tt.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error = %v, want one containing %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestHealthURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ listen, want string }{
		{":8000", "http://127.0.0.1:8000/health"},
		{"0.0.0.0:80", "http://127.0.0.1:80/health"},
		{"[::]:8000", "http://[::1]:8000/health"},
		{"10.1.2.3:8000", "http://10.1.2.3:8000/health"},
	}
	for _, tt := range tests {
		if got, err := HealthURL(tt.listen); err != nil || got != tt.want {
			t.Errorf("HealthURL(%q) = %q, %v; want %q", tt.listen, got, err, tt.want)
		}
	}
	if _, err := HealthURL("nonsense"); err == nil {
		t.Error(`HealthURL("nonsense") = nil error, want one`)
	}
}
