package checks

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// checkBases looks at every FROM that names an image rather than an earlier stage.
func (df *dockerfile) checkBases() []Finding {
	var out []Finding
	for _, s := range df.stages {
		switch {
		case s.parent != nil || strings.EqualFold(s.base, "scratch"):
			continue
		case len(s.unresolved) > 0:
			out = append(out, df.at("WM-DF-025", s.line, fmt.Sprintf(
				"FROM %s names ARG %s, which has no default before the first FROM",
				s.base, strings.Join(s.unresolved, ", "))))
			continue
		}
		tag, digest, err := imageRef(s.base)
		switch {
		case err != nil:
			out = append(out, df.at("WM-DF-007", s.line, fmt.Sprintf("FROM %s is not a valid image reference: %v", s.base, err)))
			continue
		case tag == "latest":
			out = append(out, df.at("WM-DF-007", s.line, "FROM "+s.base+" uses the latest tag"))
		case tag == "" && !digest:
			out = append(out, df.at("WM-DF-007", s.line, "FROM "+s.base+" has no tag, so it means latest"))
		}
		if !digest {
			out = append(out, df.at("WM-DF-008", s.line, "FROM "+s.base+" is not pinned by digest"))
		}
	}
	return out
}

// imageRef splits an image reference into its tag ("" when it names none) and whether it
// carries a digest, after checking that it is a reference at all.
func imageRef(ref string) (tag string, digest bool, err error) {
	if _, err := name.ParseReference(ref, name.WeakValidation); err != nil {
		return "", false, err
	}
	base, _, digest := strings.Cut(ref, "@")
	last := base[strings.LastIndex(base, "/")+1:]
	if i := strings.LastIndex(last, ":"); i >= 0 {
		tag = last[i+1:]
	}
	return tag, digest, nil
}

// userCmd is the USER in effect at the end of the final image, with what it expands to.
type userCmd struct {
	cmd        *instructions.UserCommand
	value      string
	unresolved []string
}

// finalUser returns the last USER of the final image, or nil when it sets none.
func (df *dockerfile) finalUser() *userCmd {
	var u *userCmd
	for _, s := range df.chain() {
		env, _ := df.stageEnv(s)
		for i, c := range s.cmds {
			if c, ok := c.(*instructions.UserCommand); ok {
				v, missing := df.expand(c.User, env[i])
				u = &userCmd{cmd: c, value: v, unresolved: missing}
			}
		}
	}
	return u
}

// checkUser requires the final image to run as a numeric, non-root uid with a group.
func (df *dockerfile) checkUser() []Finding {
	u := df.finalUser()
	if u == nil {
		root := df.chain()[0]
		msg := "the final stage sets no USER, so it runs as root"
		if !strings.EqualFold(root.base, "scratch") {
			msg = "the final stage sets no USER, so it runs as the user of " + root.base + " (root unless that image says otherwise)"
		}
		return []Finding{df.at("WM-DF-001", df.final().line, msg)}
	}
	line := lineOf(u.cmd)
	if len(u.unresolved) > 0 {
		return []Finding{df.at("WM-DF-002", line, fmt.Sprintf("USER %s names %s, which has no default here",
			u.cmd.User, strings.Join(u.unresolved, ", ")))}
	}
	uid, gid, hasGid := strings.Cut(u.value, ":")
	if isRootUser(uid) {
		return []Finding{df.at("WM-DF-001", line, fmt.Sprintf("the final USER is %q (root)", u.value))}
	}
	var out []Finding
	if !isNumber(uid) || hasGid && !isNumber(gid) {
		out = append(out, df.at("WM-DF-002", line, fmt.Sprintf("USER %q is not a numeric uid:gid", u.value)))
	}
	if !hasGid {
		out = append(out, df.at("WM-DF-026", line, fmt.Sprintf("USER %q names no group", u.value)))
	}
	return out
}

// isRootUser reports whether a user (uid or name, without group) is root.
func isRootUser(u string) bool {
	u = strings.TrimSpace(u)
	if u == "root" {
		return true
	}
	n, err := strconv.ParseUint(u, 10, 32)
	return err == nil && n == 0
}

// isNumber reports whether s is a decimal id.
func isNumber(s string) bool {
	_, err := strconv.ParseUint(s, 10, 32)
	return err == nil
}

// checkHealthcheck requires exactly one exec-form HEALTHCHECK per stage and one in effect in
// the final image.
func (df *dockerfile) checkHealthcheck() []Finding {
	var out []Finding
	for _, s := range df.stages {
		n := 0
		for _, c := range s.cmds {
			if _, ok := c.(*instructions.HealthCheckCommand); ok {
				n++
				if n > 1 {
					out = append(out, df.at("WM-DF-004", lineOf(c), "a second HEALTHCHECK in this stage replaces the first"))
				}
			}
		}
	}
	h := df.finalHealthcheck()
	switch {
	case h == nil:
		out = append(out, df.at("WM-DF-003", df.final().line, "the final stage has no HEALTHCHECK"))
	case len(h.Health.Test) == 0 || h.Health.Test[0] == "NONE":
		out = append(out, df.at("WM-DF-003", lineOf(h), "HEALTHCHECK NONE turns the health check off"))
	case h.Health.Test[0] == "CMD-SHELL":
		out = append(out, df.at("WM-DF-005", lineOf(h),
			"HEALTHCHECK "+strings.Join(h.Health.Test[1:], " ")+" is in shell form and needs /bin/sh"))
	}
	return out
}

// finalHealthcheck returns the HEALTHCHECK in effect in the final image, or nil.
func (df *dockerfile) finalHealthcheck() *instructions.HealthCheckCommand {
	var h *instructions.HealthCheckCommand
	for _, s := range df.chain() {
		for _, c := range s.cmds {
			if c, ok := c.(*instructions.HealthCheckCommand); ok && c.Health != nil {
				h = c
			}
		}
	}
	return h
}

// checkCommands looks at single instructions of every stage.
func (df *dockerfile) checkCommands() []Finding {
	var out []Finding
	for _, s := range df.stages {
		env, _ := df.stageEnv(s)
		entrypoints, cmds := 0, 0
		for i, c := range s.cmds {
			line := lineOf(c)
			switch c := c.(type) {
			case *instructions.AddCommand:
				out = append(out, df.at("WM-DF-006", line, "ADD "+strings.Join(c.SourcePaths, " ")+" "+addReason(c.SourcePaths)))
				out = append(out, df.credentialCopies(line, "ADD", c.SourcePaths)...)
			case *instructions.CopyCommand:
				out = append(out, df.credentialCopies(line, "COPY", c.SourcePaths)...)
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					if why := secretPair(kv.Key, kv.Value); why != "" {
						out = append(out, df.at("WM-DF-009", line, "ENV "+kv.Key+" holds "+why))
					}
				}
			case *instructions.ArgCommand:
				out = append(out, df.argSecrets(line, c)...)
			case *instructions.WorkdirCommand:
				p, _ := df.expand(c.Path, env[i])
				if !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "$") && !windowsPath(p) {
					out = append(out, df.at("WM-DF-019", line, fmt.Sprintf("WORKDIR %q is relative", c.Path)))
				}
			case *instructions.ExposeCommand:
				for _, p := range c.Ports {
					v, missing := df.expand(p, env[i])
					if len(missing) == 0 && !validPort(v) {
						out = append(out, df.at("WM-DF-021", line, fmt.Sprintf("EXPOSE %q is not a port in 1-65535", p)))
					}
				}
			case *instructions.EntrypointCommand:
				entrypoints++
				out = append(out, df.execForm(line, "ENTRYPOINT", entrypoints, c.PrependShell)...)
			case *instructions.CmdCommand:
				cmds++
				out = append(out, df.execForm(line, "CMD", cmds, c.PrependShell)...)
			case *instructions.MaintainerCommand:
				out = append(out, df.at("WM-DF-027", line, "MAINTAINER "+c.Maintainer+" is deprecated"))
			}
		}
	}
	return out
}

// execForm flags shell-form and repeated ENTRYPOINT or CMD instructions.
func (df *dockerfile) execForm(line int, what string, n int, shellForm bool) []Finding {
	var out []Finding
	if shellForm {
		out = append(out, df.at("WM-DF-011", line, what+" is in shell form"))
	}
	if n > 1 {
		out = append(out, df.at("WM-DF-022", line, "a second "+what+" in this stage replaces the first"))
	}
	return out
}

// addReason says what an ADD does that COPY would not.
func addReason(srcs []string) string {
	for _, s := range srcs {
		l := strings.ToLower(s)
		switch {
		case strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://"):
			return "downloads a remote file without a checksum a COPY-based build would verify"
		case strings.HasPrefix(l, "git@") || strings.HasSuffix(l, ".git"):
			return "fetches a git repository at build time"
		}
	}
	for _, s := range srcs {
		for _, ext := range []string{".tar", ".tgz", ".gz", ".bz2", ".xz", ".zst", ".tbz2", ".txz"} {
			if strings.HasSuffix(strings.ToLower(s), ext) {
				return "unpacks an archive implicitly"
			}
		}
	}
	return "copies local files, which COPY does without ADD's implicit unpacking and downloads"
}

// argSecrets flags build arguments that carry credentials: their values are recorded in the
// image history of every RUN that sees them.
func (df *dockerfile) argSecrets(line int, c *instructions.ArgCommand) []Finding {
	var out []Finding
	for _, kv := range c.Args {
		v := ""
		if kv.Value != nil {
			v = *kv.Value
		}
		why := secretPair(kv.Key, v)
		if why == "" && secretName(kv.Key) {
			why = "a credential passed with --build-arg, which RUN steps record in the image history"
		}
		if why != "" {
			out = append(out, df.at("WM-DF-009", line, "ARG "+kv.Key+" holds "+why))
		}
	}
	return out
}

// credentialNames are files and directories that hold keys or credentials.
var credentialNames = map[string]bool{
	"id_rsa": true, "id_dsa": true, "id_ecdsa": true, "id_ed25519": true, ".ssh": true,
	".aws": true, ".gnupg": true, ".docker": true, ".kube": true, ".netrc": true, ".npmrc": true,
	".pypirc": true, ".git-credentials": true, ".pgpass": true, ".htpasswd": true, ".env": true,
	"credentials": true, "credentials.json": true, ".dockercfg": true,
}

// credentialExts are file extensions of private key stores.
var credentialExts = []string{".key", ".p12", ".pfx", ".jks", ".keystore"}

// credentialCopies flags COPY or ADD sources that are credential files.
func (df *dockerfile) credentialCopies(line int, what string, srcs []string) []Finding {
	var out []Finding
	for _, s := range srcs {
		base := path.Base(strings.TrimRight(s, "/"))
		hit := credentialNames[strings.ToLower(base)]
		for _, ext := range credentialExts {
			hit = hit || strings.HasSuffix(strings.ToLower(base), ext)
		}
		if hit {
			out = append(out, df.at("WM-DF-028", line, what+" "+s+" puts a credential file into a layer"))
		}
	}
	return out
}

// windowsPath reports whether p is an absolute Windows path such as C:\app.
func windowsPath(p string) bool {
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/')
}

// validPort reports whether an EXPOSE argument is a port or port range in 1-65535 with an
// optional /tcp, /udp or /sctp.
func validPort(p string) bool {
	num, proto, hasProto := strings.Cut(p, "/")
	if hasProto {
		switch strings.ToLower(proto) {
		case "tcp", "udp", "sctp":
		default:
			return false
		}
	}
	lo, hi, isRange := strings.Cut(num, "-")
	if !isRange {
		hi = lo
	}
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	return err1 == nil && err2 == nil && a >= 1 && b <= 65535 && a <= b
}

// exposedPorts returns the ports the final image exposes with the line of each EXPOSE.
func (df *dockerfile) exposedPorts() (ports []int, lines []int) {
	for _, s := range df.chain() {
		env, _ := df.stageEnv(s)
		for i, c := range s.cmds {
			e, ok := c.(*instructions.ExposeCommand)
			if !ok {
				continue
			}
			for _, p := range e.Ports {
				v, _ := df.expand(p, env[i])
				num, _, _ := strings.Cut(v, "/")
				lo, hi, isRange := strings.Cut(num, "-")
				if !isRange {
					hi = lo
				}
				a, err1 := strconv.Atoi(lo)
				b, err2 := strconv.Atoi(hi)
				for n := a; err1 == nil && err2 == nil && n <= b && n <= 65535 && n-a < 1024; n++ {
					ports, lines = append(ports, n), append(lines, lineOf(c))
				}
			}
		}
	}
	return ports, lines
}

// checkFinalStage looks at what the final image declares: its ports and its labels.
func (df *dockerfile) checkFinalStage() []Finding {
	var out []Finding
	ports, lines := df.exposedPorts()
	if len(ports) == 0 {
		out = append(out, df.at("WM-DF-020", df.final().line, "the final stage has no EXPOSE"))
	}
	for i, p := range ports {
		if p == 22 {
			out = append(out, df.at("WM-DF-018", lines[i], "the final stage exposes port 22"))
		}
	}
	labels := map[string]bool{}
	for _, s := range df.chain() {
		for _, c := range s.cmds {
			if l, ok := c.(*instructions.LabelCommand); ok {
				for _, kv := range l.Labels {
					labels[kv.Key] = true
				}
			}
		}
	}
	for _, l := range ociLabels {
		if !labels[l] {
			out = append(out, df.at("WM-DF-023", df.final().line, "the final stage sets no label "+l))
		}
	}
	return out
}
