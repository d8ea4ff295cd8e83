package checks

import (
	"archive/tar"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// The fuzz targets feed hostile input to the three parsers of untrusted files and hold every
// finding to what reports and ignores rely on. Their seeds are the fixtures under
// ci/testdata/checks and the corpus under testdata/fuzz, which also keeps every input that
// once broke a rule. Run one for a while with:
//
//	go test -run '^$' -fuzz '^FuzzDockerfile$' -fuzztime 60s ./ci/internal/checks/

// slowLimit is how long one check of one fuzzed input may take while fuzzing. The checks
// run on every push, so an input that stalls them is a bug: the chained-stages seed once
// took a minute, the self-merging-anchor one several seconds. Plain test runs skip the
// limit, where a slow machine or -race would only make the seeds flaky.
const slowLimit = time.Second

// timed runs check and, while fuzzing, fails when it takes longer than slowLimit.
func timed(t *testing.T, what string, check func()) {
	t.Helper()
	start := time.Now()
	check()
	fuzzing := flag.Lookup("test.fuzz") != nil && flag.Lookup("test.fuzz").Value.String() != ""
	if d := time.Since(start); fuzzing && d > slowLimit {
		t.Errorf("%s took %v, more than %v", what, d, slowLimit)
	}
}

// addFixtures seeds a fuzz target with every fixture of a kind.
func addFixtures(f *testing.F, kind, suffix string) {
	names, err := filepath.Glob(filepath.Join(fixtures, kind, "*"+suffix))
	if err != nil || len(names) == 0 {
		f.Fatalf("no %s fixtures in %s (%v)", suffix, filepath.Join(fixtures, kind), err)
	}
	for _, name := range names {
		src, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
}

// checkFinding fails when a finding breaks what every finding promises: a registered rule
// of its kind (prefix), the rule's own severity and fix, a message, and for a suppressed one
// the place of the ignore.
func checkFinding(t *testing.T, f Finding, prefixes ...string) {
	t.Helper()
	r, ok := Lookup(f.Rule)
	if !ok {
		t.Fatalf("finding %+v names an unregistered rule", f)
	}
	kind := false
	for _, p := range prefixes {
		kind = kind || strings.HasPrefix(f.Rule, p)
	}
	if !kind {
		t.Errorf("finding %s at %s: want a rule starting with one of %q", f.Rule, f.Location, prefixes)
	}
	if f.Severity != r.Severity || f.Severity < Info || f.Severity > Error {
		t.Errorf("finding %s severity = %v, want %v", f.Rule, f.Severity, r.Severity)
	}
	if f.Message == "" || f.Fix != r.Fix {
		t.Errorf("finding %s at %s: message %q, fix %q; want a message and the rule's fix",
			f.Rule, f.Location, f.Message, f.Fix)
	}
	if (f.Suppressed == "") != (f.SuppressedBy == "") {
		t.Errorf("finding %s: suppressed %q by %q, want both or neither", f.Rule, f.Suppressed, f.SuppressedBy)
	}
}

// checkSourceFindings holds findings of a source file to it: each names the file and a line
// that exists, an ignore names the file too, and checking again gives the same result.
func checkSourceFindings(t *testing.T, name string, src []byte, fs []Finding, again []Finding, prefix string) {
	t.Helper()
	lines := bytes.Count(src, []byte("\n")) + 1
	for _, f := range fs {
		checkFinding(t, f, prefix, "WM-IG-")
		if f.Location.File != name || f.Location.Line < 1 || f.Location.Line > lines {
			t.Errorf("finding %s at %q: want a line of %s (1-%d)", f.Rule, f.Location, name, lines)
		}
		if f.SuppressedBy != "" && !strings.HasPrefix(f.SuppressedBy, name+":") {
			t.Errorf("finding %s suppressed by %q, want a line of %s", f.Rule, f.SuppressedBy, name)
		}
	}
	if diff := cmp.Diff(fs, again); diff != "" {
		t.Errorf("a second run gives other findings (-first +second):\n%s", diff)
	}
}

func FuzzDockerfile(f *testing.F) {
	addFixtures(f, "dockerfile", ".Dockerfile")
	f.Fuzz(func(t *testing.T, src []byte) {
		const name = "fuzz.Dockerfile"
		var fs []Finding
		var err error
		timed(t, "Dockerfile()", func() { fs, err = Dockerfile(name, src) })
		if err != nil {
			if fs != nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("Dockerfile() = %d findings, error %q; want none and an error naming %s", len(fs), err, name)
			}
			return
		}
		again, _ := Dockerfile(name, src)
		checkSourceFindings(t, name, src, fs, again, "WM-DF-")
	})
}

func FuzzCompose(f *testing.F) {
	addFixtures(f, "compose", ".yml")
	f.Fuzz(func(t *testing.T, src []byte) {
		const name = "fuzz-compose.yml"
		var fs []Finding
		var err error
		timed(t, "Compose()", func() { fs, err = Compose(name, src) })
		if err != nil {
			if fs != nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("Compose() = %d findings, error %q; want none and an error naming %s", len(fs), err, name)
			}
			return
		}
		again, _ := Compose(name, src)
		checkSourceFindings(t, name, src, fs, again, "WM-CO-")
	})
}

// FuzzImage builds an image in memory from fuzzed files and config, and checks it. tree
// lists the files, one per line, layers separated by a "---" line:
//
//	<type><mode> <uid>:<gid> <name> [<content or link target, \n for a newline>]
//
// with type f (file), d (directory), l (symbolic link), h (hard link), c (device) or p
// (FIFO), e.g. "f4755 0:0 usr/bin/su x". env, labels, health and history hold one item a
// line; decl holds exposed ports and, prefixed with "v:", volumes.
func FuzzImage(f *testing.F) {
	for _, s := range imageSeeds {
		f.Add(s.tree, s.user, s.env, s.labels, s.health, s.history, s.decl)
	}
	f.Fuzz(func(t *testing.T, tree, user, env, labels, health, history, decl string) {
		layers := parseTree(tree)
		img, err := buildImage(fuzzConfig(user, env, labels, health, decl), lines(history), layers...)
		if err != nil {
			t.Skipf("the tar writer refuses the input: %v", err)
		}
		opts := ImageOptions{MaxBytes: 16 << 10, MaxCompressedBytes: 4 << 10, MaxLayers: 2}
		var fs []Finding
		timed(t, "Image()", func() { fs, err = Image(img, opts) })
		if err != nil {
			t.Fatalf("Image() error = %v, want none for an image built in memory", err)
		}
		for _, f := range fs {
			checkFinding(t, f, "WM-IM-")
			if f.Location.File != "" || f.Location.Path == "" {
				t.Errorf("finding %s at %+v: want a path in the image and no source file", f.Rule, f.Location)
			}
		}
		again, _ := Image(img, opts)
		if diff := cmp.Diff(fs, again); diff != "" {
			t.Errorf("a second run gives other findings (-first +second):\n%s", diff)
		}
		v, err := ImageView(img, "/data")
		if err != nil {
			t.Fatalf("ImageView() error = %v, want none", err)
		}
		if _, _, ok := strings.Cut(v.DataOwner, ":"); !ok && v.DataOwner != "absent" {
			t.Errorf("ImageView().DataOwner = %q, want uid:gid or absent", v.DataOwner)
		}
	})
}

// lines splits s into its lines; an empty s has none.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// tarTypes maps the type letters of FuzzImage's tree to tar type flags.
var tarTypes = map[byte]byte{'f': tar.TypeReg, 'd': tar.TypeDir, 'l': tar.TypeSymlink,
	'h': tar.TypeLink, 'c': tar.TypeChar, 'p': tar.TypeFifo}

// parseTree reads FuzzImage's tree into layers. Anything it cannot read falls back to a
// default (a regular file, mode 0644, owned by root) rather than being dropped, so every
// input still builds an image.
func parseTree(tree string) [][]entry {
	var layers [][]entry
	for _, layer := range strings.Split(tree, "\n---\n") {
		var entries []entry
		for _, line := range lines(layer) {
			fields := strings.SplitN(line, " ", 4)
			if len(fields) < 3 || fields[0] == "" {
				continue
			}
			e := entry{typ: tar.TypeReg, mode: 0o644, name: fields[2]}
			if t, ok := tarTypes[fields[0][0]]; ok {
				e.typ = t
			}
			if m, err := strconv.ParseInt(fields[0][1:], 8, 64); err == nil {
				e.mode = m & 0o7777
			}
			uid, gid, _ := strings.Cut(fields[1], ":")
			e.uid, _ = strconv.Atoi(uid)
			e.gid, _ = strconv.Atoi(gid)
			e.uid, e.gid = max(e.uid, 0)&0xffffff, max(e.gid, 0)&0xffffff
			if len(fields) == 4 {
				rest := strings.ReplaceAll(fields[3], `\n`, "\n")
				if e.typ == tar.TypeSymlink || e.typ == tar.TypeLink {
					e.link = rest
				} else {
					e.content = rest
				}
			}
			entries = append(entries, e)
		}
		layers = append(layers, entries)
	}
	return layers
}

// fuzzConfig makes the image config FuzzImage describes.
func fuzzConfig(user, env, labels, health, decl string) v1.Config {
	c := v1.Config{User: user, Env: lines(env)}
	for _, l := range lines(labels) {
		k, v, _ := strings.Cut(l, "=")
		if c.Labels == nil {
			c.Labels = map[string]string{}
		}
		c.Labels[k] = v
	}
	if health != "" {
		c.Healthcheck = &v1.HealthConfig{Test: lines(health)}
	}
	for _, d := range strings.Fields(decl) {
		if v, ok := strings.CutPrefix(d, "v:"); ok {
			if c.Volumes == nil {
				c.Volumes = map[string]struct{}{}
			}
			c.Volumes[v] = struct{}{}
			continue
		}
		if c.ExposedPorts == nil {
			c.ExposedPorts = map[string]struct{}{}
		}
		c.ExposedPorts[d] = struct{}{}
	}
	return c
}

// imageSeeds cover every image rule at least once, and the tricks the filesystem reader
// must see through: links, whiteouts, opaque directories, missing parent directories.
var imageSeeds = []struct{ tree, user, env, labels, health, history, decl string }{
	{
		tree: "f0755 0:0 app x\n" +
			"d0755 0:0 etc/\n" +
			"f0644 0:0 etc/passwd root:x:0:0::/:/sbin/nologin\\napp:x:1000:1000::/:/sbin/nologin\n" +
			"f0644 0:0 etc/group root:x:0:\\napp:x:1000:\n" +
			"d0755 1000:1000 data/\n" +
			"d1777 0:0 tmp/",
		user: "1000:1000",
		env:  "PATH=/usr/bin:/bin",
		labels: "org.opencontainers.image.title=t\norg.opencontainers.image.version=1\n" +
			"org.opencontainers.image.revision=r\norg.opencontainers.image.created=c\n" +
			"org.opencontainers.image.source=s\norg.opencontainers.image.licenses=MIT",
		health:  "CMD\n/app\nhealthcheck",
		history: "COPY app /app",
		decl:    "8000/tcp v:/data",
	},
	{
		tree: "f4755 0:0 usr/bin/passwd x\nd0777 0:0 srv/\nd0777 0:0 tmp/\n" +
			"f0755 0:0 bin/busybox x\nl0777 0:0 bin/sh busybox",
		health: "CMD-SHELL\ncurl -f localhost",
		decl:   "22",
	},
	{
		tree: "f0600 0:0 root/.ssh/id_rsa -----BEGIN RSA PRIVATE KEY-----\\n" +
			"MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n" +
			"---\n" +
			"f0644 0:0 root/.ssh/.wh.id_rsa",
		user:    "app",
		env:     "AWS_ACCESS_KEY_ID=AKIAZ7EXAMPLE5JQ2W4R\nDB_PASSWORD=hunter2",
		labels:  "ci.token=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB",
		history: "|1 NPM_TOKEN=abc /bin/sh -c npm ci",
		health:  "CMD\n/missing",
	},
	{
		tree: "f0700 0:0 opt/app x\n" +
			"f0644 0:0 etc/passwd a::1:1::/:/bin/sh\\nb:x:1:1::/:/bin/sh\n" +
			"f0644 0:0 etc/shadow a::1::::::\n" +
			"f0644 0:0 usr/bin/apt-get x\nd0755 0:0 src/.git/\nf0644 0:0 .wh..wh..opq",
		user:   "b:nogroup",
		health: "CMD\n/opt/app",
		decl:   "v:/etc v:../proc 99999",
	},
	{
		tree: "l0777 0:0 a b\nl0777 0:0 b a\nh0644 0:0 c c\nl0777 0:0 d /../../d/./e\n" +
			"c0666 0:0 dev/null\np0644 0:0 fifo",
		user:   "0",
		health: "CMD\na",
		decl:   "v:/",
	},
}
