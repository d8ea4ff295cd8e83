package checks

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// entry is one path of a layer built in a test. typ defaults to a regular file; link is the
// target of a symbolic or hard link.
type entry struct {
	name     string
	mode     int64
	typ      byte
	uid, gid int
	content  string
	link     string
}

// layerOf writes entries into a tar and wraps it as a gzip-compressed layer, as a registry
// would store it.
func layerOf(entries []entry) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Typeflag: e.typ, Uid: e.uid, Gid: e.gid,
			Linkname: e.link, Format: tar.FormatPAX}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.content))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := io.WriteString(tw, e.content); h.Typeflag == tar.TypeReg && err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}, tarball.WithCompressionLevel(gzip.BestSpeed))
}

// buildImage makes an image from cfg and one layer per entry list. history[i], when given,
// is the created_by of layer i.
func buildImage(cfg v1.Config, history []string, layers ...[]entry) (v1.Image, error) {
	img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{Architecture: "amd64", OS: "linux", Config: cfg})
	if err != nil {
		return nil, err
	}
	for i, entries := range layers {
		l, err := layerOf(entries)
		if err != nil {
			return nil, err
		}
		h := v1.History{}
		if i < len(history) {
			h.CreatedBy = history[i]
		}
		if img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: h}); err != nil {
			return nil, err
		}
	}
	return img, nil
}

// cleanConfig is the config of an image every image rule accepts: a numeric non-root user,
// an exec-form HEALTHCHECK of the service's binary, every OCI label and one port.
func cleanConfig() v1.Config {
	return v1.Config{
		User:         "1000:1000",
		Env:          []string{"PATH=/usr/local/bin:/usr/bin:/bin"},
		Healthcheck:  &v1.HealthConfig{Test: []string{"CMD", "/app", "healthcheck"}},
		ExposedPorts: map[string]struct{}{"8000/tcp": {}},
		Entrypoint:   []string{"/app"},
		Labels: map[string]string{
			"org.opencontainers.image.title":    "whitemagic",
			"org.opencontainers.image.version":  "1.0.0",
			"org.opencontainers.image.revision": "0123456789abcdef",
			"org.opencontainers.image.created":  "2026-01-01T00:00:00Z",
			"org.opencontainers.image.source":   "https://example.com/whitemagic",
			"org.opencontainers.image.licenses": "MIT",
		},
	}
}

// passwd lists root and the service's account; "x" puts their passwords in /etc/shadow.
const passwd = "root:x:0:0:root:/root:/sbin/nologin\napp:x:1000:1000::/data:/sbin/nologin\n"

// cleanFiles is the filesystem of that image: the binary, the account files and the data
// directory owned by the service user.
func cleanFiles() []entry {
	return []entry{
		{name: "app", mode: 0o755, content: "\x7fELF binary"},
		{name: "etc/", mode: 0o755, typ: tar.TypeDir},
		{name: "etc/passwd", mode: 0o644, content: passwd},
		{name: "etc/group", mode: 0o644, content: "root:x:0:\napp:x:1000:\n"},
		{name: "data/", mode: 0o755, typ: tar.TypeDir, uid: 1000, gid: 1000},
		{name: "tmp/", mode: 0o1777, typ: tar.TypeDir},
	}
}

// privateKey is a made-up key in the PEM shape the secret rules recognise.
const privateKey = "-----BEGIN OPENSSH PRIVATE KEY-----\n" +
	"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n" +
	"-----END OPENSSH PRIVATE KEY-----\n"

// TestImageFixtures builds hostile images in memory, each the clean image with one thing
// wrong, and checks that the image rules find exactly that, at exactly those paths.
func TestImageFixtures(t *testing.T) {
	with := func(extra ...entry) [][]entry { return [][]entry{append(cleanFiles(), extra...)} }
	config := func(change func(*v1.Config)) v1.Config {
		c := cleanConfig()
		change(&c)
		return c
	}
	tests := []struct {
		name    string
		config  v1.Config
		history []string
		layers  [][]entry
		opts    ImageOptions
		want    []string
	}{{
		name:   "clean",
		config: cleanConfig(),
		layers: with(),
		want:   []string{},
	}, {
		name:   "no user is root",
		config: config(func(c *v1.Config) { c.User = "" }),
		layers: with(),
		want:   []string{"WM-IM-001 config.User"},
	}, {
		name:   "uid zero with a group is root",
		config: config(func(c *v1.Config) { c.User = "0:1000" }),
		layers: with(),
		want:   []string{"WM-IM-001 config.User"},
	}, {
		name:   "user name that passwd maps to uid zero",
		config: config(func(c *v1.Config) { c.User = "toor" }),
		layers: with(entry{name: "etc/passwd", mode: 0o644, content: "toor:x:0:0::/:/sbin/nologin\n"}),
		want:   []string{"WM-IM-001 config.User"},
	}, {
		name:   "user by name",
		config: config(func(c *v1.Config) { c.User = "app:app" }),
		layers: with(),
		want:   []string{"WM-IM-002 config.User"},
	}, {
		name:   "setuid and setgid files",
		config: cleanConfig(),
		layers: with(
			entry{name: "usr/bin/passwd", mode: 0o4755, content: "x"},
			entry{name: "usr/bin/wall", mode: 0o2755, content: "x"},
		),
		want: []string{"WM-IM-006 /usr/bin/passwd", "WM-IM-006 /usr/bin/wall"},
	}, {
		name:   "world-writable directory",
		config: cleanConfig(),
		layers: with(entry{name: "data/", mode: 0o777, typ: tar.TypeDir, uid: 1000, gid: 1000}),
		want:   []string{"WM-IM-007 /data"},
	}, {
		name:   "tmp without the sticky bit",
		config: cleanConfig(),
		layers: with(entry{name: "tmp/", mode: 0o777, typ: tar.TypeDir}),
		want:   []string{"WM-IM-007 /tmp"},
	}, {
		name:   "private key file",
		config: cleanConfig(),
		layers: with(entry{name: "root/.ssh/id_ed25519", mode: 0o600, content: privateKey}),
		want:   []string{"WM-IM-010 /root/.ssh/id_ed25519"},
	}, {
		name:   "private key deleted in a later layer is still shipped",
		config: cleanConfig(),
		layers: [][]entry{
			append(cleanFiles(), entry{name: "src/deploy.pem", mode: 0o600, content: privateKey}),
			{{name: "src/.wh.deploy.pem", mode: 0o600}},
		},
		want: []string{"WM-IM-010 /src/deploy.pem"},
	}, {
		name:   "AWS key in the environment",
		config: config(func(c *v1.Config) { c.Env = append(c.Env, "AWS_ACCESS_KEY_ID=AKIAZ7EXAMPLE5JQ2W4R") }),
		layers: with(),
		want:   []string{"WM-IM-008 config.Env.AWS_ACCESS_KEY_ID"},
	}, {
		name:   "password under a secret-looking name",
		config: config(func(c *v1.Config) { c.Env = append(c.Env, "DB_PASSWORD=hunter2") }),
		layers: with(),
		want:   []string{"WM-IM-008 config.Env.DB_PASSWORD"},
	}, {
		name: "token in a label",
		config: config(func(c *v1.Config) {
			c.Labels["ci.token"] = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"
		}),
		layers: with(),
		want:   []string{"WM-IM-008 config.Labels.ci.token"},
	}, {
		name:    "token in the history",
		config:  cleanConfig(),
		history: []string{"RUN /bin/sh -c curl -H 'Authorization: glpat-abcdefghij0123456789' https://example.com"},
		layers:  with(),
		want:    []string{"WM-IM-009 history.1"},
	}, {
		name:    "secret build argument in the history",
		config:  cleanConfig(),
		history: []string{"|1 NPM_TOKEN=s3cr3t-value /bin/sh -c npm ci"},
		layers:  with(),
		want:    []string{"WM-IM-009 history.1"},
	}, {
		name:   "shell reached through a symbolic link is reported once",
		config: cleanConfig(),
		layers: with(
			entry{name: "bin/", mode: 0o755, typ: tar.TypeDir},
			entry{name: "bin/busybox", mode: 0o755, content: "x"},
			entry{name: "bin/sh", typ: tar.TypeSymlink, link: "busybox"},
		),
		want: []string{"WM-IM-011 /bin/sh"},
	}, {
		name:   "shell removed by a whiteout is gone",
		config: cleanConfig(),
		layers: [][]entry{
			append(cleanFiles(), entry{name: "bin/sh", mode: 0o755, content: "x"}),
			{{name: "bin/.wh.sh"}},
		},
		want: []string{},
	}, {
		name:   "package manager",
		config: cleanConfig(),
		layers: with(entry{name: "usr/bin/apt-get", mode: 0o755, content: "x"}),
		want:   []string{"WM-IM-012 /usr/bin/apt-get"},
	}, {
		name:   "no healthcheck",
		config: config(func(c *v1.Config) { c.Healthcheck = nil }),
		layers: with(),
		want:   []string{"WM-IM-003 config.Healthcheck"},
	}, {
		name:   "healthcheck disabled",
		config: config(func(c *v1.Config) { c.Healthcheck = &v1.HealthConfig{Test: []string{"NONE"}} }),
		layers: with(),
		want:   []string{"WM-IM-003 config.Healthcheck"},
	}, {
		name: "healthcheck binary missing",
		config: config(func(c *v1.Config) {
			c.Healthcheck.Test = []string{"CMD", "/usr/bin/curl", "-f", "http://localhost:8000/health"}
		}),
		layers: with(),
		want:   []string{"WM-IM-004 /usr/bin/curl"},
	}, {
		name:   "shell-form healthcheck without a shell",
		config: config(func(c *v1.Config) { c.Healthcheck.Test = []string{"CMD-SHELL", "/app healthcheck"} }),
		layers: with(),
		want:   []string{"WM-IM-004 /bin/sh"},
	}, {
		name:   "healthcheck binary found on PATH by name",
		config: config(func(c *v1.Config) { c.Healthcheck.Test = []string{"CMD", "probe"} }),
		layers: with(entry{name: "usr/local/bin/probe", mode: 0o755, content: "x"}),
		want:   []string{},
	}, {
		name:   "healthcheck binary only the owner may run",
		config: cleanConfig(),
		layers: with(entry{name: "app", mode: 0o700, content: "x"}),
		want:   []string{"WM-IM-005 /app"},
	}, {
		name:   "healthcheck binary in a directory the user cannot enter",
		config: config(func(c *v1.Config) { c.Healthcheck.Test = []string{"CMD", "/opt/svc/app"} }),
		layers: with(
			entry{name: "opt/", mode: 0o700, typ: tar.TypeDir},
			entry{name: "opt/svc/", mode: 0o755, typ: tar.TypeDir},
			entry{name: "opt/svc/app", mode: 0o755, content: "x"},
		),
		want: []string{"WM-IM-005 /opt/svc/app"},
	}, {
		name:   "no labels",
		config: config(func(c *v1.Config) { c.Labels = nil }),
		layers: with(),
		want: []string{
			"WM-IM-013 config.Labels.org.opencontainers.image.title",
			"WM-IM-013 config.Labels.org.opencontainers.image.version",
			"WM-IM-013 config.Labels.org.opencontainers.image.revision",
			"WM-IM-013 config.Labels.org.opencontainers.image.created",
			"WM-IM-013 config.Labels.org.opencontainers.image.source",
			"WM-IM-013 config.Labels.org.opencontainers.image.licenses",
		},
	}, {
		name:   "over every size budget",
		config: cleanConfig(),
		layers: [][]entry{cleanFiles(), {{name: "blob", mode: 0o644, content: string(make([]byte, 64<<10))}}},
		opts:   ImageOptions{MaxBytes: 32 << 10, MaxCompressedBytes: 64, MaxLayers: 1},
		want:   []string{"WM-IM-014 layers", "WM-IM-015 layers", "WM-IM-016 layers"},
	}, {
		name:   "within every size budget",
		config: cleanConfig(),
		layers: with(),
		opts:   ImageOptions{MaxBytes: 1 << 20, MaxCompressedBytes: 1 << 20, MaxLayers: 1},
		want:   []string{},
	}, {
		name:   "volume on /etc",
		config: config(func(c *v1.Config) { c.Volumes = map[string]struct{}{"/etc": {}, "/data": {}} }),
		layers: with(),
		want:   []string{"WM-IM-021 config.Volumes./etc"},
	}, {
		name:   "no exposed port",
		config: config(func(c *v1.Config) { c.ExposedPorts = nil }),
		layers: with(),
		want:   []string{"WM-IM-017 config.ExposedPorts"},
	}, {
		name:   "SSH port",
		config: config(func(c *v1.Config) { c.ExposedPorts = map[string]struct{}{"22/tcp": {}} }),
		layers: with(),
		want:   []string{"WM-IM-018 config.ExposedPorts"},
	}, {
		name:   "account without a password and a duplicate uid",
		config: cleanConfig(),
		layers: with(entry{name: "etc/passwd", mode: 0o644,
			content: passwd + "guest::1000:1000::/:/sbin/nologin\n"}),
		want: []string{"WM-IM-019 /etc/passwd", "WM-IM-020 /etc/passwd"},
	}, {
		name:   "version control directory left in the image",
		config: cleanConfig(),
		layers: with(
			entry{name: "src/.git/", mode: 0o755, typ: tar.TypeDir},
			entry{name: "src/.git/config", mode: 0o644, content: "[core]\n"},
		),
		want: []string{"WM-IM-022 /src/.git"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			img, err := buildImage(tt.config, tt.history, tt.layers...)
			if err != nil {
				t.Fatalf("building the image: %v", err)
			}
			fs, err := Image(img, tt.opts)
			if err != nil {
				t.Fatalf("Image() error = %v", err)
			}
			got := []string{}
			for _, f := range fs {
				got = append(got, f.Rule+" "+f.Location.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Image() findings differ (-want +got):\n%s", diff)
			}
		})
	}
}
