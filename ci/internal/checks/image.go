package checks

import (
	"archive/tar"
	"fmt"
	"path"
	"regexp"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ImageOptions are the image's budgets. Zero turns a budget off.
type ImageOptions struct {
	MaxBytes           int64 // uncompressed, all layers
	MaxCompressedBytes int64 // compressed, all layers, as a registry stores them
	MaxLayers          int
}

// ociLabels are the labels every published image carries.
var ociLabels = []string{
	"org.opencontainers.image.title", "org.opencontainers.image.version",
	"org.opencontainers.image.revision", "org.opencontainers.image.created",
	"org.opencontainers.image.source", "org.opencontainers.image.licenses",
}

// Image audits an image read with go-containerregistry: its config, every layer's files and
// its size. It reads each layer once. An error means the image itself cannot be read.
func Image(img v1.Image, o ImageOptions) ([]Finding, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the image config: %w", err)
	}
	if cfg == nil {
		return nil, fmt.Errorf("reading the image config: the image has none")
	}
	fs, err := readImage(img)
	if err != nil {
		return nil, err
	}
	c := cfg.Config
	var out []Finding
	out = append(out, imageUser(c, fs)...)
	out = append(out, imageHealthcheck(c, fs)...)
	out = append(out, fs.modeFindings()...)
	out = append(out, fs.toolFindings()...)
	out = append(out, configSecrets(cfg)...)
	out = append(out, fs.secrets...)
	out = append(out, fs.accountFindings()...)
	out = append(out, fs.leftovers()...)
	out = append(out, imageDeclarations(c)...)
	out = append(out, fs.sizeFindings(o)...)
	return out, nil
}

// imageUser requires a numeric, non-root user.
func imageUser(c v1.Config, fs *imageFS) []Finding {
	loc := Location{Path: "config.User"}
	u, g, hasGroup := strings.Cut(c.User, ":")
	id, err := fs.resolveUser(c.User)
	switch {
	case c.User == "":
		return []Finding{rule("WM-IM-001").At("the image sets no user, so it runs as root", loc)}
	case err == nil && id.uid == 0, isRootUser(u):
		return []Finding{rule("WM-IM-001").At(fmt.Sprintf("the image's user %q is root", c.User), loc)}
	case !isNumber(u) || hasGroup && !isNumber(g):
		return []Finding{rule("WM-IM-002").At(fmt.Sprintf("the image's user %q is not a numeric uid:gid", c.User), loc)}
	}
	return nil
}

// defaultPath is the PATH a container gets when the image sets none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// imageHealthcheck requires a HEALTHCHECK whose program exists and may be run by the image's
// user, along with every directory on the way to it.
func imageHealthcheck(c v1.Config, fs *imageFS) []Finding {
	loc := Location{Path: "config.Healthcheck"}
	if c.Healthcheck == nil || len(c.Healthcheck.Test) == 0 || c.Healthcheck.Test[0] == "NONE" {
		return []Finding{rule("WM-IM-003").At("the image has no HEALTHCHECK", loc)}
	}
	t := c.Healthcheck.Test
	var bin string
	switch {
	case t[0] == "CMD" && len(t) > 1:
		bin = t[1]
	case t[0] == "CMD-SHELL":
		bin = "/bin/sh"
	default:
		return []Finding{rule("WM-IM-003").At(fmt.Sprintf("the image's HEALTHCHECK %q is not a command", t), loc)}
	}
	found, f, dirs := fs.findProgram(bin, envValue(c.Env, "PATH", defaultPath))
	if !found {
		why := "is not in the image"
		if t[0] == "CMD-SHELL" {
			why = "is not in the image, and the shell-form HEALTHCHECK needs it"
		}
		return []Finding{rule("WM-IM-004").At(bin+" (the HEALTHCHECK program) "+why, Location{Path: bin})}
	}
	id, err := fs.resolveUser(c.User)
	if err != nil {
		return []Finding{rule("WM-IM-005").At(fmt.Sprintf("the HEALTHCHECK cannot run as the image's user: %v", err), Location{Path: bin})}
	}
	if !f.isRegular() || !id.mayExecute(f) {
		return []Finding{rule("WM-IM-005").At(fmt.Sprintf("%s has owner %d:%d and mode %04o: uid %d gid %d cannot run it",
			bin, f.uid, f.gid, f.mode, id.uid, id.gid), Location{Path: bin})}
	}
	for _, d := range dirs {
		if !id.may(d, 1) {
			return []Finding{rule("WM-IM-005").At(fmt.Sprintf("directory %s has owner %d:%d and mode %04o: uid %d gid %d cannot reach %s",
				d.name, d.uid, d.gid, d.mode, id.uid, id.gid, bin), Location{Path: bin})}
		}
	}
	return nil
}

// findProgram finds a program as exec does: an absolute or relative path as it is, a bare
// name in each PATH directory.
func (fs *imageFS) findProgram(bin, pathEnv string) (bool, file, []file) {
	if strings.Contains(bin, "/") {
		f, dirs, ok := fs.lookup(bin)
		return ok, f, dirs
	}
	for _, dir := range strings.Split(pathEnv, ":") {
		if dir == "" {
			continue
		}
		if f, dirs, ok := fs.lookup(path.Join(dir, bin)); ok && f.isRegular() {
			return true, f, dirs
		}
	}
	return false, file{}, nil
}

// envValue returns a variable from a KEY=value list, or def.
func envValue(env []string, key, def string) string {
	for _, e := range env {
		if k, v, ok := strings.Cut(e, "="); ok && k == key {
			return v
		}
	}
	return def
}

// modeFindings flags setuid and setgid files and world-writable paths outside /tmp.
func (fs *imageFS) modeFindings() []Finding {
	var out []Finding
	for _, f := range fs.sortedFiles() {
		loc := Location{Path: f.name}
		if f.isRegular() && f.mode&0o6000 != 0 {
			out = append(out, rule("WM-IM-006").At(fmt.Sprintf("%s has mode %04o (setuid/setgid)", f.name, f.mode), loc))
		}
		if f.isSymlink() || f.typ == tar.TypeLink || f.mode&0o002 == 0 {
			continue
		}
		switch {
		case f.name == "/tmp" && f.mode&0o1000 == 0:
			out = append(out, rule("WM-IM-007").At(fmt.Sprintf("/tmp is world-writable without the sticky bit (mode %04o)", f.mode), loc))
		case f.name != "/tmp" && !strings.HasPrefix(f.name, "/tmp/"):
			out = append(out, rule("WM-IM-007").At(fmt.Sprintf("%s is world-writable (mode %04o)", f.name, f.mode), loc))
		}
	}
	return out
}

// shellPaths and packageManagers are looked up in the image; links are followed, and a
// program reached under two names is reported once.
var (
	shellPaths = []string{"/bin/sh", "/bin/bash", "/bin/ash", "/bin/dash", "/bin/zsh", "/bin/ksh",
		"/bin/busybox", "/usr/bin/sh", "/usr/bin/bash", "/usr/bin/zsh", "/usr/bin/busybox"}
	packageManagers = []string{"/usr/bin/apt", "/usr/bin/apt-get", "/usr/bin/dpkg", "/sbin/apk",
		"/usr/bin/apk", "/usr/bin/yum", "/usr/bin/dnf", "/usr/bin/microdnf", "/usr/bin/rpm",
		"/usr/bin/zypper", "/usr/bin/pip", "/usr/bin/pip3", "/usr/local/bin/pip", "/usr/local/bin/pip3"}
)

// toolFindings flags shells and package managers left in the image.
func (fs *imageFS) toolFindings() []Finding {
	var out []Finding
	for _, set := range []struct {
		id, what string
		paths    []string
	}{{"WM-IM-011", "shell", shellPaths}, {"WM-IM-012", "package manager", packageManagers}} {
		seen := map[string]bool{}
		for _, p := range set.paths {
			f, _, ok := fs.lookup(p)
			if !ok || !f.isRegular() || seen[f.name] {
				continue
			}
			seen[f.name] = true
			out = append(out, rule(set.id).At(fmt.Sprintf("%s (a %s) is in the image", p, set.what), Location{Path: p}))
		}
	}
	return out
}

// assignment finds NAME=value words in a history line.
var assignment = regexp.MustCompile(`\b([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)`)

// configSecrets looks for credentials in the environment, the labels and the history.
func configSecrets(cfg *v1.ConfigFile) []Finding {
	var out []Finding
	for _, e := range cfg.Config.Env {
		k, v, _ := strings.Cut(e, "=")
		if why := secretPair(k, v); why != "" {
			out = append(out, rule("WM-IM-008").At("environment variable "+k+" holds "+why, Location{Path: "config.Env." + k}))
		}
	}
	for _, k := range sortedKeys(cfg.Config.Labels) {
		if why := secretPair(k, cfg.Config.Labels[k]); why != "" {
			out = append(out, rule("WM-IM-008").At("label "+k+" holds "+why, Location{Path: "config.Labels." + k}))
		}
	}
	for i, h := range cfg.History {
		text := h.CreatedBy + "\n" + h.Comment
		why := ""
		if kind := secretValue(text); kind != "" {
			why = "a credential (" + kind + ")"
		}
		for _, m := range assignment.FindAllStringSubmatch(text, -1) {
			if why == "" && secretName(m[1]) && !placeholder(strings.Trim(m[2], `"'`)) {
				why = "a value for " + m[1]
			}
		}
		if why != "" {
			out = append(out, rule("WM-IM-009").At(fmt.Sprintf("history entry %d holds %s", i+1, why),
				Location{Path: fmt.Sprintf("history.%d", i+1)}))
		}
	}
	return out
}

// leftoverDirs and leftoverFiles are what builds and editors leave behind; they are looked
// for outside the directories where language packages keep their own.
var (
	leftoverDirs  = map[string]bool{".git": true, ".svn": true, ".hg": true, ".vscode": true, ".idea": true, ".aws": true, ".azure": true, ".gcp": true, ".kube": true}
	leftoverFiles = map[string]bool{"Dockerfile": true, "docker-compose.yml": true, "docker-compose.yaml": true, "compose.yml": true, "compose.yaml": true, ".DS_Store": true, ".dockerignore": true}
	vendoredDirs  = []string{"/node_modules/", "/vendor/", "/site-packages/", "/dist-packages/", "/usr/share/", "/usr/lib/", "/usr/local/go/"}
)

// leftovers reports build and editor leftovers, each directory once.
func (fs *imageFS) leftovers() []Finding {
	var out []Finding
	for _, f := range fs.sortedFiles() {
		vendored := false
		for _, v := range vendoredDirs {
			vendored = vendored || strings.Contains(f.name+"/", v)
		}
		base := path.Base(f.name)
		if vendored || !(f.isDir() && leftoverDirs[base] || !f.isDir() && leftoverFiles[base]) {
			continue
		}
		inside := false
		for _, o := range out {
			inside = inside || strings.HasPrefix(f.name, o.Location.Path+"/")
		}
		if !inside {
			out = append(out, rule("WM-IM-022").At(f.name+" is in the image", Location{Path: f.name}))
		}
	}
	return out
}

// sensitiveVolumes may never be declared as volumes.
var sensitiveVolumes = []string{"/", "/etc", "/proc", "/sys", "/dev", "/boot", "/usr", "/lib", "/bin", "/sbin", "/root", "/run", "/var/run"}

// imageDeclarations checks labels, exposed ports and volumes.
func imageDeclarations(c v1.Config) []Finding {
	var out []Finding
	for _, l := range ociLabels {
		if strings.TrimSpace(c.Labels[l]) == "" {
			out = append(out, rule("WM-IM-013").At("label "+l+" is missing or empty", Location{Path: "config.Labels." + l}))
		}
	}
	if len(c.ExposedPorts) == 0 {
		out = append(out, rule("WM-IM-017").At("the image exposes no port", Location{Path: "config.ExposedPorts"}))
	}
	for _, p := range []string{"22", "22/tcp"} {
		if _, ok := c.ExposedPorts[p]; ok {
			out = append(out, rule("WM-IM-018").At("the image exposes "+p, Location{Path: "config.ExposedPorts"}))
		}
	}
	for _, v := range sortedKeys(c.Volumes) {
		if contains(sensitiveVolumes, path.Clean("/"+v)) {
			out = append(out, rule("WM-IM-021").At("the image declares VOLUME "+v, Location{Path: "config.Volumes." + v}))
		}
	}
	return out
}
