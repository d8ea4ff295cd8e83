package sbom

import (
	"crypto/sha1"
	"debug/buildinfo"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Property names this package writes. CycloneDX reserves the cdx: namespace for its own
// taxonomy, so ours carry the project's name.
const (
	PropDigest     = "whitemagic:image:digest"
	PropPlatform   = "whitemagic:image:platform"
	PropUser       = "whitemagic:image:user"
	PropLabel      = "whitemagic:image:label:" // followed by the label's key
	PropPath       = "whitemagic:file:path"
	PropMode       = "whitemagic:file:mode"
	PropOwner      = "whitemagic:file:owner"
	PropSize       = "whitemagic:file:size"
	PropELFNote    = "whitemagic:file:elf"
	PropGoVersion  = "whitemagic:go:version"
	PropGoPackage  = "whitemagic:go:package"
	PropGoSetting  = "whitemagic:go:build:" // followed by the setting's key
	PropGoSum      = "whitemagic:go:sum"
	PropGoReplaces = "whitemagic:go:replaces"
)

// The OCI labels Make reads.
const (
	labelVersion  = "org.opencontainers.image.version"
	labelRevision = "org.opencontainers.image.revision"
	labelCreated  = "org.opencontainers.image.created"
	labelSource   = "org.opencontainers.image.source"
	labelLicenses = "org.opencontainers.image.licenses"
)

// Make describes img as a CycloneDX 1.6 bill of materials. repo is the repository the image
// is published to ("ghcr.io/acme/whitemagic"; a bare name is fine before it is pushed).
//
// The image is the BOM's subject: its digest, version, revision, created time and source come
// from the image itself (its manifest digest and OCI labels). Every Go executable in the
// flattened filesystem becomes an application component with its main module, Go version
// and build settings, depending on the standard library and on every module it was linked
// with; every other regular file becomes a file component with its SHA-256. The output is
// deterministic: the same image gives the same bytes.
//
// Go records which modules a binary links, not how they depend on each other, so the BOM
// lists each binary's modules as its direct dependencies, and a module's own dependencies
// are unknown. Files that are not Go executables (a C library, a script) are listed with
// their hashes only: nothing reads their package metadata.
func Make(img v1.Image, repo string) (*cdx.BOM, error) {
	digest, err := img.Digest()
	if err != nil {
		return nil, fmt.Errorf("computing the image digest: %w", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the image config: %w", err)
	}
	entries, err := walk(img)
	if err != nil {
		return nil, err
	}

	labels := cfg.Config.Labels
	subject := cdx.Component{
		Type:       cdx.ComponentTypeContainer,
		Name:       repo,
		Version:    labels[labelVersion],
		PackageURL: ociPURL(repo, digest.String()),
		Hashes:     &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: digest.Hex}},
	}
	subject.BOMRef = subject.PackageURL
	props := []cdx.Property{
		{Name: PropDigest, Value: digest.String()},
		{Name: PropPlatform, Value: platform(cfg)},
	}
	if u := cfg.Config.User; u != "" {
		props = append(props, cdx.Property{Name: PropUser, Value: u})
	}
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		props = append(props, cdx.Property{Name: PropLabel + k, Value: labels[k]})
	}
	subject.Properties = &props
	if l := labels[labelLicenses]; l != "" {
		subject.Licenses = &cdx.Licenses{{Expression: l}}
	}
	if s := labels[labelSource]; s != "" {
		subject.ExternalReferences = &[]cdx.ExternalReference{{URL: s, Type: cdx.ERTypeVCS}}
	}

	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.SerialNumber = serial(digest.String())
	bom.Metadata = &cdx.Metadata{
		Timestamp: created(cfg),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{
			{Type: cdx.ComponentTypeApplication, Name: "whitemagic-ci"},
		}},
		Component: &subject,
	}
	c := newCollector()
	for _, e := range entries {
		c.add(e)
	}
	bom.Components, bom.Dependencies = c.result(subject.BOMRef)
	return bom, nil
}

// collector gathers components and their dependencies, sharing the library components that
// several binaries link.
type collector struct {
	top   []cdx.Component // binaries and files, in path order
	libs  map[string]cdx.Component
	deps  []cdx.Dependency
	links map[string][]string // binary bom-ref -> library bom-refs
}

func newCollector() *collector {
	return &collector{libs: map[string]cdx.Component{}, links: map[string][]string{}}
}

func (c *collector) add(e entry) {
	props := []cdx.Property{
		{Name: PropPath, Value: e.path},
		{Name: PropMode, Value: fmt.Sprintf("%04o", e.mode&0o7777)},
		{Name: PropOwner, Value: fmt.Sprintf("%d:%d", e.uid, e.gid)},
		{Name: PropSize, Value: strconv.FormatInt(e.size, 10)},
	}
	if e.notScanned != "" {
		props = append(props, cdx.Property{Name: PropELFNote, Value: "Go build information not read: " + e.notScanned})
	}
	comp := cdx.Component{
		BOMRef: "file:" + e.path,
		Type:   cdx.ComponentTypeFile,
		Name:   e.path,
		Hashes: &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: e.sha256}},
	}
	if bi := e.goBuild; bi != nil {
		comp.Type = cdx.ComponentTypeApplication
		comp.Name, comp.Version = mainModule(bi)
		comp.PackageURL = goPURL(comp.Name, comp.Version)
		props = append(props,
			cdx.Property{Name: PropGoVersion, Value: bi.GoVersion},
			cdx.Property{Name: PropGoPackage, Value: bi.Path})
		for _, s := range bi.Settings {
			props = append(props, cdx.Property{Name: PropGoSetting + s.Key, Value: s.Value})
		}
		c.link(comp.BOMRef, bi)
	}
	comp.Properties = &props
	c.top = append(c.top, comp)
}

// mainModule names a binary's main module, falling back to its package path, and its
// version; Go's "(devel)" (a build from a source tree rather than a module download) is no
// version and is left out.
func mainModule(bi *buildinfo.BuildInfo) (name, version string) {
	name, version = bi.Main.Path, bi.Main.Version
	if name == "" {
		name = bi.Path
	}
	if version == "(devel)" {
		version = ""
	}
	return name, version
}

// link records the standard library and the modules bi was built with.
func (c *collector) link(ref string, bi *buildinfo.BuildInfo) {
	goVersion, _, _ := strings.Cut(bi.GoVersion, " ") // "go1.26.8 X:boringcrypto"
	std := cdx.Component{
		Type:       cdx.ComponentTypeLibrary,
		Name:       "stdlib",
		Version:    strings.TrimPrefix(goVersion, "go"),
		PackageURL: goPURL("stdlib", strings.TrimPrefix(goVersion, "go")),
		Scope:      cdx.ScopeRequired,
	}
	std.BOMRef = std.PackageURL
	c.libs[std.BOMRef] = std
	refs := []string{std.BOMRef}

	for _, m := range bi.Deps {
		path, version, sum := m.Path, m.Version, m.Sum
		var props []cdx.Property
		if r := m.Replace; r != nil {
			props = append(props, cdx.Property{Name: PropGoReplaces, Value: strings.TrimSuffix(m.Path+"@"+m.Version, "@")})
			path, version, sum = r.Path, r.Version, r.Sum
		}
		if sum != "" {
			props = append(props, cdx.Property{Name: PropGoSum, Value: sum})
		}
		lib := cdx.Component{
			Type:       cdx.ComponentTypeLibrary,
			Name:       path,
			Version:    version,
			PackageURL: goPURL(path, version),
			Scope:      cdx.ScopeRequired,
		}
		lib.BOMRef = lib.PackageURL
		if len(props) > 0 {
			lib.Properties = &props
		}
		c.libs[lib.BOMRef] = lib
		refs = append(refs, lib.BOMRef)
	}
	sort.Strings(refs)
	c.links[ref] = refs
}

// result returns the components (binaries and files in path order, then libraries by
// bom-ref) and the dependency graph rooted at the image.
func (c *collector) result(root string) (*[]cdx.Component, *[]cdx.Dependency) {
	comps := append([]cdx.Component{}, c.top...)
	for _, k := range slices.Sorted(maps.Keys(c.libs)) {
		comps = append(comps, c.libs[k])
	}

	var rootDeps []string
	for _, t := range c.top {
		rootDeps = append(rootDeps, t.BOMRef)
	}
	deps := []cdx.Dependency{{Ref: root, Dependencies: &rootDeps}}
	for _, t := range c.top {
		if refs, ok := c.links[t.BOMRef]; ok {
			deps = append(deps, cdx.Dependency{Ref: t.BOMRef, Dependencies: &refs})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.libs)) {
		deps = append(deps, cdx.Dependency{Ref: k})
	}
	return &comps, &deps
}

func platform(cfg *v1.ConfigFile) string {
	p := cfg.OS + "/" + cfg.Architecture
	if cfg.Variant != "" {
		p += "/" + cfg.Variant
	}
	return p
}

// created is the image's creation time, from its config or else its created label; the BOM
// takes it as its own timestamp so that the same image always gives the same BOM.
func created(cfg *v1.ConfigFile) string {
	if t := cfg.Created.Time; !t.IsZero() {
		return t.UTC().Format(time.RFC3339)
	}
	if t, err := time.Parse(time.RFC3339, cfg.Config.Labels[labelCreated]); err == nil {
		return t.UTC().Format(time.RFC3339)
	}
	return ""
}

// serial is a name-based (version 5) UUID URN derived from the image digest, so that the
// BOM of one image always has one serial number.
func serial(digest string) string {
	// The RFC 4122 URL namespace, 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
	ns := []byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
		0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	h := sha1.Sum(append(ns, "urn:whitemagic:sbom:"+digest...))
	u := h[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
