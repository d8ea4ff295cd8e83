package checks

import (
	"path"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// checkRuns looks at the shell commands of every RUN. Rules about what stays in the image
// (package lists, caches, recommended packages) apply to the stages of the final image only;
// a build stage's leftovers are never shipped.
func (df *dockerfile) checkRuns() []Finding {
	var out []Finding
	for _, s := range df.stages {
		final := df.inChain(s)
		env, _ := df.stageEnv(s)
		for i, c := range s.cmds {
			if r, ok := c.(*instructions.RunCommand); ok {
				out = append(out, df.checkRun(r, env[i], final)...)
			}
		}
	}
	return out
}

// runScript returns the commands a RUN executes, including heredoc scripts fed to a shell.
func runScript(r *instructions.RunCommand) []command {
	var cmds []command
	if r.PrependShell {
		cmds = expandScripts(strings.Join(r.CmdLine, " "), 3)
	} else if len(r.CmdLine) > 0 {
		c := command{words: r.CmdLine}
		cmds = []command{c}
		if words, _, _ := c.simple(); len(words) >= 3 && shells[path.Base(words[0])] && words[1] == "-c" {
			cmds = append(cmds, expandScripts(words[2], 3)...)
		}
	}
	first := ""
	if len(r.CmdLine) > 0 {
		first = strings.TrimSpace(r.CmdLine[0])
	}
	if strings.HasPrefix(first, "<<") || shells[path.Base(strings.Fields(first + " x")[0])] {
		for _, f := range r.Files {
			cmds = append(cmds, expandScripts(f.Data, 3)...)
		}
	}
	return cmds
}

// runUse is what one RUN does with package managers.
type runUse struct {
	sudo                        bool
	aptInstall, aptUpdate       bool
	aptNoYes, aptRecommends     bool
	aptLists                    bool // removes /var/lib/apt/lists
	apkAdd, apkUpdate, apkClean bool
	apkCache                    bool // an apk add without --no-cache
	rpmInstall, rpmIndex        string
	rpmClean                    bool
	pipCache                    bool // a pip install without --no-cache-dir
	upgrades                    []string
	piped                       bool // a download piped into a shell
}

// pipedShell matches a shell running a script that command substitution downloads.
var pipedShell = regexp.MustCompile("(?:^|[\\s;&|(])(?:ba|z|da|k|a)?sh\\s+(?:-\\w+\\s+)*[\"']?(?:\\$\\(|<\\(|`)\\s*(?:curl|wget)\\b")

// scanRun collects what the commands of a RUN do.
func scanRun(cmds []command, env map[string]string) runUse {
	var u runUse
	for i, c := range cmds {
		words, sudo, assigned := c.simple()
		u.sudo = u.sudo || sudo
		if len(words) == 0 {
			continue
		}
		prog := path.Base(words[0])
		sub, opts := subcommand(words[1:], "-o", "-c", "-t", "--option", "--target-release")
		switch prog {
		case "apt-get", "apt", "aptitude":
			u.apt(sub, opts)
		case "apk":
			u.apk(sub, opts)
		case "yum", "dnf", "microdnf", "tdnf", "zypper":
			u.rpm(prog, sub, words[1:])
		case "pip", "pip3":
			u.pip(sub, opts, assigned, env)
		case "python", "python3":
			if len(words) > 3 && words[1] == "-m" && strings.HasPrefix(words[2], "pip") {
				s, o := subcommand(words[3:])
				u.pip(s, o, assigned, env)
			}
		case "rm":
			for _, w := range words[1:] {
				u.aptLists = u.aptLists || strings.HasPrefix(w, "/var/lib/apt/lists")
				u.apkClean = u.apkClean || strings.HasPrefix(w, "/var/cache/apk")
				u.rpmClean = u.rpmClean || strings.HasPrefix(w, "/var/cache/yum") ||
					strings.HasPrefix(w, "/var/cache/dnf") || strings.HasPrefix(w, "/var/cache/zypp")
			}
		case "curl", "wget":
			for j := i; j < len(cmds)-1 && cmds[j].piped; j++ {
				next, _, _ := cmds[j+1].simple()
				u.piped = u.piped || len(next) > 0 && (shells[path.Base(next[0])] ||
					path.Base(next[0]) == "python" || path.Base(next[0]) == "python3" || path.Base(next[0]) == "perl")
			}
		}
		if shells[prog] && pipedShell.MatchString(strings.Join(words, " ")) {
			u.piped = true
		}
	}
	return u
}

// subcommand returns the first word that is not an option, and every option word. Options
// listed in withValue take the next word as their value, which is kept with the options.
func subcommand(words []string, withValue ...string) (string, []string) {
	var opts []string
	sub := ""
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case strings.HasPrefix(w, "-"):
			opts = append(opts, w)
			for _, o := range withValue {
				if w == o && i+1 < len(words) {
					i++
					opts = append(opts, words[i])
				}
			}
		case sub == "":
			sub = w
		}
	}
	return sub, opts
}

func (u *runUse) apt(sub string, opts []string) {
	switch sub {
	case "install":
		u.aptInstall = true
		yes, rec := false, true
		for _, o := range opts {
			switch {
			case o == "--yes" || o == "--assume-yes" || o == "--force-yes" || o == "-qq" || o == "--quiet=2":
				yes = true
			case strings.HasPrefix(o, "-") && !strings.HasPrefix(o, "--") && strings.ContainsRune(o, 'y'):
				yes = true
			case o == "--no-install-recommends":
				rec = false
			case strings.Contains(o, "Install-Recommends="):
				rec = !strings.HasSuffix(o, "=false") && !strings.HasSuffix(o, "=0")
			case strings.Contains(o, "Assume-Yes="):
				yes = strings.HasSuffix(o, "=true") || strings.HasSuffix(o, "=1")
			}
		}
		u.aptNoYes = u.aptNoYes || !yes
		u.aptRecommends = u.aptRecommends || rec
	case "update":
		u.aptUpdate = true
	case "upgrade", "dist-upgrade", "full-upgrade":
		u.upgrades = append(u.upgrades, "apt-get "+sub)
	}
}

func (u *runUse) apk(sub string, opts []string) {
	switch sub {
	case "add":
		u.apkAdd = true
		noCache := false
		for _, o := range opts {
			noCache = noCache || o == "--no-cache"
		}
		u.apkCache = u.apkCache || !noCache
	case "update":
		u.apkUpdate = true
	case "upgrade":
		u.upgrades = append(u.upgrades, "apk upgrade")
	case "cache":
		u.apkClean = true
	}
}

func (u *runUse) rpm(prog, sub string, args []string) {
	switch sub {
	case "install", "in", "reinstall", "groupinstall", "localinstall":
		u.rpmInstall = prog
	case "clean", "cc":
		u.rpmClean = true
	case "makecache", "refresh", "ref":
		u.rpmIndex = prog + " " + sub
	case "update", "upgrade", "up", "dist-upgrade", "dup", "distro-sync", "patch":
		if prog == "zypper" || prog == "tdnf" || len(packageArgs(args)) == 0 {
			u.upgrades = append(u.upgrades, prog+" "+sub)
		}
	}
}

// packageArgs returns the words after the subcommand that are not options.
func packageArgs(args []string) []string {
	var out []string
	seen := false
	for _, a := range args {
		switch {
		case strings.HasPrefix(a, "-"):
		case !seen:
			seen = true
		default:
			out = append(out, a)
		}
	}
	return out
}

func (u *runUse) pip(sub string, opts []string, assigned, env map[string]string) {
	if sub != "install" {
		return
	}
	off := func(v string, ok bool) bool {
		v = strings.ToLower(v)
		return ok && v != "" && v != "0" && v != "false" && v != "no" && v != "off"
	}
	a, inA := assigned["PIP_NO_CACHE_DIR"]
	e, inE := env["PIP_NO_CACHE_DIR"]
	if off(a, inA) || off(e, inE) {
		return
	}
	for _, o := range opts {
		if o == "--no-cache-dir" {
			return
		}
	}
	u.pipCache = true
}

// runMounts returns the --mount options of a RUN with the stage's variables expanded, as
// BuildKit does before it runs the step; a RUN whose mounts do not parse has none.
func (df *dockerfile) runMounts(r *instructions.RunCommand, env map[string]string) []*instructions.Mount {
	err := r.Expand(func(w string) (string, error) {
		v, _ := df.expand(w, env)
		return v, nil
	})
	if err != nil {
		return nil
	}
	return instructions.GetMounts(r)
}

// cacheMounted reports whether a RUN mounts a build cache or tmpfs over dir (or a parent of
// it), which keeps what a package manager caches out of the layer.
func cacheMounted(mounts []*instructions.Mount, dirs ...string) bool {
	for _, m := range mounts {
		if m.Type != instructions.MountTypeCache && m.Type != instructions.MountTypeTmpfs {
			continue
		}
		t := strings.TrimRight(m.Target, "/")
		for _, d := range dirs {
			if t == d || strings.HasPrefix(d, t+"/") {
				return true
			}
		}
	}
	return false
}

// checkRun turns what one RUN does into findings.
func (df *dockerfile) checkRun(r *instructions.RunCommand, env map[string]string, final bool) []Finding {
	u := scanRun(runScript(r), env)
	mounts := df.runMounts(r, env)
	line := lineOf(r)
	var out []Finding
	add := func(id, msg string) { out = append(out, df.at(id, line, msg)) }
	if u.sudo {
		add("WM-DF-010", "RUN uses sudo")
	}
	if u.aptInstall && u.aptNoYes {
		add("WM-DF-012", "apt-get install without -y waits for an answer no build gives")
	}
	if final && u.aptInstall && u.aptRecommends {
		add("WM-DF-012", "apt-get install without --no-install-recommends adds packages nobody asked for")
	}
	if final && u.aptInstall && !u.aptLists && !cacheMounted(mounts, "/var/lib/apt/lists") {
		add("WM-DF-012", "apt-get install leaves /var/lib/apt/lists in the image")
	}
	if final && u.apkAdd && u.apkCache && !u.apkClean && !cacheMounted(mounts, "/var/cache/apk") {
		add("WM-DF-013", "apk add without --no-cache leaves the package index in the image")
	}
	switch {
	case u.aptUpdate && !u.aptInstall && len(u.upgrades) == 0:
		add("WM-DF-014", "apt-get update alone: a later cached RUN installs from a stale index")
	case u.apkUpdate && !u.apkAdd && len(u.upgrades) == 0:
		add("WM-DF-014", "apk update alone: a later cached RUN installs from a stale index")
	case u.rpmIndex != "" && u.rpmInstall == "" && len(u.upgrades) == 0:
		add("WM-DF-014", u.rpmIndex+" alone: a later cached RUN installs from a stale index")
	}
	for _, up := range u.upgrades {
		add("WM-DF-015", "RUN runs "+up)
	}
	if final && u.rpmInstall != "" && !u.rpmClean &&
		!cacheMounted(mounts, "/var/cache/yum", "/var/cache/dnf", "/var/cache/zypp", "/var/cache/tdnf") {
		add("WM-DF-016", u.rpmInstall+" install without a clean leaves its cache in the image")
	}
	if final && u.pipCache && !cacheMounted(mounts, "/root/.cache/pip") {
		add("WM-DF-017", "pip install without --no-cache-dir leaves its cache in the image")
	}
	if u.piped {
		add("WM-DF-024", "RUN pipes a downloaded script into an interpreter")
	}
	return out
}
