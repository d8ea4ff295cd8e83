package checks

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// ImageOptions are the image's budgets. Zero turns a budget off.
type ImageOptions struct {
	MaxBytes           int64 // uncompressed, all layers
	MaxCompressedBytes int64
	MaxLayers          int
}

// ociLabels are the labels every published image carries.
var ociLabels = []string{
	"org.opencontainers.image.title", "org.opencontainers.image.version",
	"org.opencontainers.image.revision", "org.opencontainers.image.created",
	"org.opencontainers.image.source", "org.opencontainers.image.licenses",
}

// file is one path of the image's flattened filesystem.
type file struct {
	name string
	mode int64
	uid  int
	gid  int
	size int64
	link bool
}

// Image audits an image: its config, its flattened filesystem and its size.
func Image(img v1.Image, o ImageOptions) ([]Finding, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the image config: %w", err)
	}
	files, err := flatten(img)
	if err != nil {
		return nil, err
	}
	var out []Finding
	add := func(id, msg, p string) { out = append(out, rule(id).At(msg, Location{Path: p})) }
	c := cfg.Config

	uid, gid, numeric := parseUser(c.User)
	switch {
	case c.User == "" || uid == "0" || c.User == "root":
		add("WM-IM-001", fmt.Sprintf("the image's user is %q (root)", c.User), "config.User")
	case !numeric:
		add("WM-IM-002", fmt.Sprintf("the image's user %q is not a numeric uid:gid", c.User), "config.User")
	}

	out = append(out, healthcheck(c, files, uid, gid)...)

	for p, f := range files {
		if f.mode&0o6000 != 0 && !f.link {
			add("WM-IM-006", fmt.Sprintf("%s has mode %o (setuid/setgid)", p, f.mode&0o7777), p)
		}
		if f.mode&0o002 != 0 && !f.link && p != "/tmp" && !strings.HasPrefix(p, "/tmp/") {
			add("WM-IM-007", fmt.Sprintf("%s is world-writable (mode %o)", p, f.mode&0o7777), p)
		}
		if p == "/tmp" && f.mode&0o1000 == 0 && f.mode&0o002 != 0 {
			add("WM-IM-007", "/tmp is world-writable without the sticky bit", p)
		}
	}
	for _, sh := range []string{"/bin/sh", "/bin/bash", "/bin/ash", "/usr/bin/sh", "/bin/busybox"} {
		if _, ok := files[sh]; ok {
			add("WM-IM-011", sh+" is in the image", sh)
		}
	}
	for _, pm := range []string{"/usr/bin/apt-get", "/usr/bin/dpkg", "/sbin/apk", "/usr/bin/yum", "/usr/bin/dnf", "/usr/bin/pip"} {
		if _, ok := files[pm]; ok {
			add("WM-IM-012", pm+" is in the image", pm)
		}
	}
	for _, e := range c.Env {
		k, v, _ := strings.Cut(e, "=")
		if kind := secretPair(k, v); kind != "" {
			add("WM-IM-008", fmt.Sprintf("environment variable %s looks like a %s", k, kind), "config.Env")
		}
	}
	for _, l := range ociLabels {
		if strings.TrimSpace(c.Labels[l]) == "" {
			add("WM-IM-013", "label "+l+" is missing or empty", "config.Labels")
		}
	}
	if len(c.ExposedPorts) == 0 {
		add("WM-IM-017", "the image exposes no port", "config.ExposedPorts")
	}
	if _, ok := c.ExposedPorts["22/tcp"]; ok {
		add("WM-IM-018", "the image exposes 22/tcp", "config.ExposedPorts")
	}
	size, err := sizes(img, files, o)
	if err != nil {
		return nil, err
	}
	return append(out, size...), nil
}

// parseUser splits "uid[:gid]" and reports whether both parts are numbers.
func parseUser(u string) (uid, gid string, numeric bool) {
	uid, gid, _ = strings.Cut(u, ":")
	_, err1 := strconv.Atoi(uid)
	numeric = err1 == nil
	if gid != "" {
		_, err2 := strconv.Atoi(gid)
		numeric = numeric && err2 == nil
	}
	return uid, gid, numeric
}

// healthcheck checks that the image has an exec-form HEALTHCHECK whose binary exists and
// may be executed by the image's user.
func healthcheck(c v1.Config, files map[string]file, uid, gid string) []Finding {
	if c.Healthcheck == nil || len(c.Healthcheck.Test) == 0 || c.Healthcheck.Test[0] == "NONE" {
		return []Finding{rule("WM-IM-003").At("the image has no HEALTHCHECK", Location{Path: "config.Healthcheck"})}
	}
	t := c.Healthcheck.Test
	if t[0] != "CMD" || len(t) < 2 {
		return nil // CMD-SHELL: the shell rule and the Dockerfile rule speak to it
	}
	bin := t[1]
	f, ok := resolve(files, bin)
	if !ok {
		return []Finding{rule("WM-IM-004").At(bin+" (the HEALTHCHECK command) is not in the image", Location{Path: bin})}
	}
	if !executableBy(f, uid, gid) {
		return []Finding{rule("WM-IM-005").At(fmt.Sprintf("%s has owner %d:%d and mode %o: user %s:%s cannot run it",
			bin, f.uid, f.gid, f.mode&0o777, uid, gid), Location{Path: bin})}
	}
	return nil
}

// resolve follows symbolic links (up to a few) to a file.
func resolve(files map[string]file, p string) (file, bool) {
	for range 8 {
		f, ok := files[p]
		if !ok || !f.link {
			return f, ok
		}
		return f, ok // a link's target is not recorded; accept the link itself
	}
	return file{}, false
}

func executableBy(f file, uid, gid string) bool {
	u, _ := strconv.Atoi(uid)
	g, err := strconv.Atoi(gid)
	switch {
	case f.link:
		return true
	case uid == "0":
		return f.mode&0o111 != 0
	case f.uid == u:
		return f.mode&0o100 != 0
	case err == nil && f.gid == g:
		return f.mode&0o010 != 0
	}
	return f.mode&0o001 != 0
}

// flatten reads the image's filesystem as a container sees it.
func flatten(img v1.Image) (map[string]file, error) {
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string]file{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading the image filesystem: %w", err)
		}
		p := path.Clean("/" + h.Name)
		files[p] = file{name: p, mode: h.Mode | modeType(h), uid: h.Uid, gid: h.Gid, size: h.Size,
			link: h.Typeflag == tar.TypeSymlink || h.Typeflag == tar.TypeLink}
	}
}

func modeType(h *tar.Header) int64 {
	return int64(h.FileInfo().Mode().Perm()) | h.Mode&0o7000
}

// sizes checks the budgets and, when one is exceeded, names the largest layers and files.
func sizes(img v1.Image, files map[string]file, o ImageOptions) ([]Finding, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading the image layers: %w", err)
	}
	type layerSize struct {
		digest          string
		raw, compressed int64
	}
	var total, compressed int64
	ls := make([]layerSize, 0, len(layers))
	for _, l := range layers {
		d, _ := l.DiffID()
		raw, err := uncompressedSize(l)
		if err != nil {
			return nil, err
		}
		cs, err := l.Size()
		if err != nil {
			return nil, fmt.Errorf("reading a layer's size: %w", err)
		}
		total, compressed = total+raw, compressed+cs
		ls = append(ls, layerSize{d.String(), raw, cs})
	}
	var out []Finding
	largest := func() string {
		sort.Slice(ls, func(i, j int) bool { return ls[i].raw > ls[j].raw })
		var b strings.Builder
		for i, l := range ls[:min(3, len(ls))] {
			fmt.Fprintf(&b, "%slayer %s %d bytes", sep(i), short(l.digest), l.raw)
		}
		fs := make([]file, 0, len(files))
		for _, f := range files {
			fs = append(fs, f)
		}
		sort.Slice(fs, func(i, j int) bool { return fs[i].size > fs[j].size })
		for i, f := range fs[:min(5, len(fs))] {
			fmt.Fprintf(&b, "%s%s %d bytes", sep(i+1), f.name, f.size)
		}
		return b.String()
	}
	if o.MaxBytes > 0 && total > o.MaxBytes {
		out = append(out, rule("WM-IM-014").At(fmt.Sprintf("the image is %d bytes uncompressed, over the %d byte budget; largest: %s",
			total, o.MaxBytes, largest()), Location{Path: "layers"}))
	}
	if o.MaxCompressedBytes > 0 && compressed > o.MaxCompressedBytes {
		out = append(out, rule("WM-IM-015").At(fmt.Sprintf("the image is %d bytes compressed, over the %d byte budget; largest: %s",
			compressed, o.MaxCompressedBytes, largest()), Location{Path: "layers"}))
	}
	if o.MaxLayers > 0 && len(layers) > o.MaxLayers {
		out = append(out, rule("WM-IM-016").At(fmt.Sprintf("the image has %d layers, over the budget of %d", len(layers), o.MaxLayers),
			Location{Path: "layers"}))
	}
	return out, nil
}

func sep(i int) string {
	if i == 0 {
		return ""
	}
	return ", "
}

func short(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}

// uncompressedSize counts a layer's uncompressed bytes.
func uncompressedSize(l v1.Layer) (int64, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return 0, fmt.Errorf("reading a layer: %w", err)
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, rc)
	if err != nil {
		return 0, fmt.Errorf("reading a layer: %w", err)
	}
	return n, nil
}
