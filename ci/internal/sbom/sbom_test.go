package sbom

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

const testRepo = "ghcr.io/acme/whitemagic"

var createdAt = time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)

var (
	binOnce sync.Once
	binData []byte
	binErr  error
)

// tinyBinary compiles testdata/tinyapp as the Dockerfile compiles the service: static,
// trimmed paths, no VCS stamp, a version set through -ldflags.
func tinyBinary(t *testing.T) []byte {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sbom-tinyapp-")
		if err != nil {
			binErr = err
			return
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, "tinyapp")
		cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false",
			"-ldflags=-s -w -X main.version=1.2.3", "-o", out, "./testdata/tinyapp")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOFLAGS=-mod=readonly")
		if b, err := cmd.CombinedOutput(); err != nil {
			binErr = err
			binData = b
			return
		}
		binData, binErr = os.ReadFile(out)
	})
	if binErr != nil {
		t.Fatalf("building testdata/tinyapp: %v\n%s", binErr, binData)
	}
	return binData
}

// tarFile is one entry of a test layer.
type tarFile struct {
	name     string
	typ      byte
	mode     int64
	uid, gid int
	data     []byte
	link     string
}

func layer(t *testing.T, files ...tarFile) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Typeflag: f.typ, Mode: f.mode, Uid: f.uid, Gid: f.gid,
			Size: int64(len(f.data)), Linkname: f.link, ModTime: createdAt}
		if f.typ != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.data); err != nil && f.typ == tar.TypeReg {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

var (
	passwd = []byte("whitemagic:x:1000:1000:whitemagic:/data:/sbin/nologin\n")
	group  = []byte("whitemagic:x:1000:\n")
	motd   = []byte("added by the second layer\n")
)

// testImage is a two-layer image shaped like whitemagic's: a Go binary, passwd and group,
// directories, a symlink, a file that is not a valid ELF binary, and a file the second
// layer deletes.
func testImage(t *testing.T) v1.Image {
	t.Helper()
	fake, err := os.ReadFile("testdata/fake.so")
	if err != nil {
		t.Fatal(err)
	}
	base := layer(t,
		tarFile{name: "etc/", typ: tar.TypeDir, mode: 0o755},
		tarFile{name: "etc/passwd", typ: tar.TypeReg, mode: 0o644, data: passwd},
		tarFile{name: "etc/group", typ: tar.TypeReg, mode: 0o644, data: group},
		tarFile{name: "etc/old.conf", typ: tar.TypeReg, mode: 0o600, data: []byte("gone\n")},
		tarFile{name: "data/", typ: tar.TypeDir, mode: 0o750, uid: 1000, gid: 1000},
		tarFile{name: "tmp/", typ: tar.TypeDir, mode: 0o1777},
		tarFile{name: "usr/lib/fake.so", typ: tar.TypeReg, mode: 0o644, data: fake},
		tarFile{name: "tinyapp", typ: tar.TypeReg, mode: 0o755, data: tinyBinary(t)},
		tarFile{name: "bin/tinyapp", typ: tar.TypeSymlink, mode: 0o777, link: "/tinyapp"},
	)
	top := layer(t,
		tarFile{name: "etc/.wh.old.conf", typ: tar.TypeReg, mode: 0o600},
		tarFile{name: "etc/motd", typ: tar.TypeReg, mode: 0o444, data: motd},
	)
	img, err := mutate.AppendLayers(empty.Image, base, top)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	cfg.Created = v1.Time{Time: createdAt}
	cfg.Config.User = "1000:1000"
	cfg.Config.Entrypoint = []string{"/tinyapp"}
	cfg.Config.Labels = map[string]string{
		labelVersion:  "1.2.3",
		labelRevision: "3f46c5a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6",
		labelCreated:  createdAt.Format(time.RFC3339),
		labelSource:   "https://github.com/acme/whitemagic",
		labelLicenses: "MIT",
	}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func props(c cdx.Component) map[string]string {
	m := map[string]string{}
	if c.Properties != nil {
		for _, p := range *c.Properties {
			m[p.Name] = p.Value
		}
	}
	return m
}

func byRef(bom *cdx.BOM) map[string]cdx.Component {
	m := map[string]cdx.Component{}
	for _, c := range *bom.Components {
		m[c.BOMRef] = c
	}
	return m
}

func TestMakeDescribesTheImage(t *testing.T) {
	t.Parallel()
	img := testImage(t)
	digest, _ := img.Digest()
	bom, err := Make(img, testRepo)
	if err != nil {
		t.Fatalf("Make = %v", err)
	}

	if bom.SpecVersion != cdx.SpecVersion1_6 || bom.BOMFormat != "CycloneDX" {
		t.Errorf("BOM is %s %v, want CycloneDX 1.6", bom.BOMFormat, bom.SpecVersion)
	}
	if got, want := bom.Metadata.Timestamp, "2026-05-04T03:02:01Z"; got != want {
		t.Errorf("metadata timestamp = %q, want the image's created time %q", got, want)
	}
	subj := bom.Metadata.Component
	wantPURL := "pkg:oci/whitemagic@sha256%3A" + digest.Hex + "?repository_url=ghcr.io/acme/whitemagic"
	if subj.Type != cdx.ComponentTypeContainer || subj.Name != testRepo || subj.Version != "1.2.3" ||
		subj.PackageURL != wantPURL {
		t.Errorf("subject = %s %q %q %q, want container %q 1.2.3 %q",
			subj.Type, subj.Name, subj.Version, subj.PackageURL, testRepo, wantPURL)
	}
	sp := props(*subj)
	for k, want := range map[string]string{
		PropDigest:                digest.String(),
		PropPlatform:              "linux/amd64",
		PropUser:                  "1000:1000",
		PropLabel + labelRevision: "3f46c5a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6",
		PropLabel + labelCreated:  "2026-05-04T03:02:01Z",
		PropLabel + labelSource:   "https://github.com/acme/whitemagic",
		PropLabel + labelVersion:  "1.2.3",
		PropLabel + labelLicenses: "MIT",
	} {
		if sp[k] != want {
			t.Errorf("subject property %s = %q, want %q", k, sp[k], want)
		}
	}
	if subj.Licenses == nil || (*subj.Licenses)[0].Expression != "MIT" {
		t.Errorf("subject licenses = %v, want MIT", subj.Licenses)
	}

	comps := byRef(bom)
	app, ok := comps["file:/tinyapp"]
	if !ok {
		t.Fatalf("no component for /tinyapp; have %v", slices.Sorted(maps.Keys(comps)))
	}
	if app.Type != cdx.ComponentTypeApplication || app.Name != "github.com/whitemagic/whitemagic" ||
		app.Version != "" || app.PackageURL != "pkg:golang/github.com/whitemagic/whitemagic" {
		t.Errorf("Go binary = %s %q %q %q, want the application github.com/whitemagic/whitemagic",
			app.Type, app.Name, app.Version, app.PackageURL)
	}
	if got, want := (*app.Hashes)[0].Value, sum(tinyBinary(t)); got != want {
		t.Errorf("Go binary SHA-256 = %s, want %s", got, want)
	}
	ap := props(app)
	for k, want := range map[string]string{
		PropGoVersion:                 runtime.Version(),
		PropGoPackage:                 "github.com/whitemagic/whitemagic/ci/internal/sbom/testdata/tinyapp",
		PropGoSetting + "CGO_ENABLED": "0",
		PropGoSetting + "GOOS":        "linux",
		PropGoSetting + "-trimpath":   "true",
		PropGoSetting + "-buildmode":  "exe",
		PropMode:                      "0755",
		PropOwner:                     "0:0",
	} {
		if ap[k] != want {
			t.Errorf("Go binary property %s = %q, want %q", k, ap[k], want)
		}
	}

	stdRef := "pkg:golang/stdlib@" + strings.TrimPrefix(runtime.Version(), "go")
	syncVersion := moduleVersion(t, "golang.org/x/sync")
	syncRef := "pkg:golang/golang.org/x/sync@" + syncVersion
	for _, ref := range []string{stdRef, syncRef} {
		c, ok := comps[ref]
		if !ok || c.Type != cdx.ComponentTypeLibrary {
			t.Errorf("no library component %s; have %v", ref, slices.Sorted(maps.Keys(comps)))
		}
	}
	if s := props(comps[syncRef])[PropGoSum]; !strings.HasPrefix(s, "h1:") {
		t.Errorf("x/sync go.sum hash = %q, want an h1: hash", s)
	}

	for path, data := range map[string][]byte{"/etc/passwd": passwd, "/etc/group": group, "/etc/motd": motd} {
		c, ok := comps["file:"+path]
		if !ok {
			t.Errorf("no file component for %s", path)
			continue
		}
		if c.Type != cdx.ComponentTypeFile || c.Name != path || (*c.Hashes)[0].Value != sum(data) {
			t.Errorf("%s = %s %q %v, want a file with SHA-256 %s", path, c.Type, c.Name, *c.Hashes, sum(data))
		}
	}
	if m := props(comps["file:/etc/motd"])[PropMode]; m != "0444" {
		t.Errorf("/etc/motd mode = %q, want 0444", m)
	}
	fake := comps["file:/usr/lib/fake.so"]
	if fake.Type != cdx.ComponentTypeFile || !strings.Contains(props(fake)[PropELFNote], "not a valid ELF file") {
		t.Errorf("/usr/lib/fake.so = %s %v, want a file noting its ELF header is invalid", fake.Type, props(fake))
	}
	for _, gone := range []string{"file:/etc/old.conf", "file:/bin/tinyapp", "file:/data", "file:/tmp", "file:/etc"} {
		if _, ok := comps[gone]; ok {
			t.Errorf("component %s is listed; deleted files, symlinks and directories must not be", gone)
		}
	}
	if n := len(*bom.Components); n != 7 {
		t.Errorf("%d components, want 7 (binary, 4 files, stdlib, x/sync): %v", n, slices.Sorted(maps.Keys(comps)))
	}

	deps := map[string][]string{}
	for _, d := range *bom.Dependencies {
		if d.Dependencies != nil {
			deps[d.Ref] = *d.Dependencies
		}
	}
	wantRoot := []string{"file:/etc/group", "file:/etc/motd", "file:/etc/passwd", "file:/tinyapp", "file:/usr/lib/fake.so"}
	if diff := cmp.Diff(wantRoot, deps[subj.BOMRef]); diff != "" {
		t.Errorf("the image's dependencies mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{syncRef, stdRef}, deps["file:/tinyapp"]); diff != "" {
		t.Errorf("the binary's dependencies mismatch (-want +got):\n%s", diff)
	}
}

// moduleVersion is the version of module the build list selects.
func moduleVersion(t *testing.T, module string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", module).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", module, err)
	}
	return strings.TrimSpace(string(out))
}

func TestMakeIsDeterministic(t *testing.T) {
	t.Parallel()
	img := testImage(t)
	var a, b bytes.Buffer
	for _, w := range []*bytes.Buffer{&a, &b} {
		bom, err := Make(img, testRepo)
		if err != nil {
			t.Fatal(err)
		}
		if err := Encode(w, bom); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("two SBOMs of one image differ:\n%s", cmp.Diff(a.String(), b.String()))
	}
	if !strings.Contains(a.String(), `"serialNumber": "urn:uuid:`) {
		t.Errorf("SBOM has no urn:uuid serial number")
	}
}

func TestEncodedSBOMMatchesTheCycloneDXSchema(t *testing.T) {
	t.Parallel()
	bom, err := Make(testImage(t), testRepo)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, bom); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := cycloneDXSchema(t).Validate(doc); err != nil {
		t.Errorf("the SBOM does not match the CycloneDX 1.6 schema: %v", err)
	}
	if !strings.Contains(buf.String(), `"specVersion": "1.6"`) {
		t.Errorf("encoded SBOM does not say specVersion 1.6")
	}
}

// cycloneDXSchema compiles the CycloneDX 1.6 JSON schema that ships with the cyclonedx-go
// module, read from the module cache rather than the network.
func cycloneDXSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/CycloneDX/cyclonedx-go").Output()
	if err != nil {
		t.Fatalf("locating the cyclonedx-go module: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "schema")
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	// The module ships the signature schema as jsf-0.82.schemax.json; the BOM schema refers to
	// it by its published name.
	for url, f := range map[string]string{
		"bom-1.6.schema.json":  "bom-1.6.schema.json",
		"spdx.schema.json":     "spdx.schema.json",
		"jsf-0.82.schema.json": "jsf-0.82.schemax.json",
	} {
		fh, err := os.Open(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(fh)
		fh.Close()
		if err != nil {
			t.Fatalf("reading %s: %v", f, err)
		}
		if err := c.AddResource("http://cyclonedx.org/schema/"+url, doc); err != nil {
			t.Fatal(err)
		}
	}
	sch, err := c.Compile("http://cyclonedx.org/schema/bom-1.6.schema.json")
	if err != nil {
		t.Fatalf("compiling the CycloneDX schema: %v", err)
	}
	return sch
}

func TestWriteFileBesideTheReport(t *testing.T) {
	t.Parallel()
	bom, err := Make(testImage(t), testRepo)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := Beside(filepath.Join(dir, "report.json"))
	if path != filepath.Join(dir, "sbom.cdx.json") {
		t.Errorf("Beside(report.json) = %s, want sbom.cdx.json in the same directory", path)
	}
	if err := WriteFile(path, bom); err != nil {
		t.Fatalf("WriteFile = %v", err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := Decode(f)
	if err != nil {
		t.Fatalf("Decode(the written file) = %v", err)
	}
	if got.SerialNumber != bom.SerialNumber || len(*got.Components) != len(*bom.Components) {
		t.Errorf("read back %s with %d components, want %s with %d",
			got.SerialNumber, len(*got.Components), bom.SerialNumber, len(*bom.Components))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after WriteFile, want only the SBOM", len(entries))
	}

	if err := WriteFile(filepath.Join(dir, "missing", "sbom.cdx.json"), bom); err == nil {
		t.Errorf("WriteFile into a missing directory succeeded, want an error")
	}
}

func TestDecodeRefusesOtherJSON(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{"spdxVersion":"SPDX-2.3"}`, `not json`, `[]`} {
		if _, err := Decode(strings.NewReader(in)); err == nil {
			t.Errorf("Decode(%s) succeeded, want an error", in)
		}
	}
}
