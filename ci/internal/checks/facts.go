package checks

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// DockerfileView reads what a Dockerfile says about the final image: its last USER (with
// ARG and ENV defaults expanded), its HEALTHCHECK, its EXPOSEd ports and its first VOLUME.
func DockerfileView(name string, src []byte) (View, error) {
	df, err := parseDockerfile(name, src)
	if err != nil {
		return View{}, err
	}
	v := View{Known: true, Source: "Dockerfile", At: map[string]Location{}}
	at := func(field string, line int) { v.At[field] = Location{File: name, Line: line} }
	if u := df.finalUser(); u != nil {
		v.User = u.value
		at("User", lineOf(u.cmd))
	}
	if h := df.finalHealthcheck(); h != nil {
		v.Healthcheck = h.Health.Test
		at("Healthcheck", lineOf(h))
	}
	ports, lines := df.exposedPorts()
	v.Ports = ports
	if len(lines) > 0 {
		at("Ports", lines[0])
	} else {
		at("Ports", df.final().line)
	}
	for _, s := range df.chain() {
		env, _ := df.stageEnv(s)
		for i, c := range s.cmds {
			if vol, ok := c.(*instructions.VolumeCommand); ok && v.DataPath == "" && len(vol.Volumes) > 0 {
				v.DataPath, _ = df.expand(vol.Volumes[0], env[i])
				at("DataPath", lineOf(c))
			}
		}
	}
	return v, nil
}

// ComposeView reads what a compose file says about one service: its user, its healthcheck
// (["NONE"] when disabled), the container ports it publishes and its named volume's target.
// Interpolation is the same as Compose's.
func ComposeView(name string, src []byte, service string) (View, error) {
	c, err := loadCompose(name, src)
	if err != nil {
		return View{}, err
	}
	s, err := c.project.GetService(service)
	if err != nil {
		return View{}, fmt.Errorf("%s has no service %q: name the deployed service", name, service)
	}
	v := View{Known: true, Source: "compose", User: s.User, At: map[string]Location{}}
	at := func(field, key string) {
		p := "services." + service + "." + key
		v.At[field] = Location{File: name, Line: c.line(p), Path: p}
	}
	at("User", "user")
	if h := s.HealthCheck; h != nil {
		switch {
		case h.Disable:
			v.Healthcheck = []string{"NONE"}
		case len(h.Test) > 0:
			v.Healthcheck = append([]string(nil), h.Test...)
		}
		at("Healthcheck", "healthcheck")
	}
	for _, p := range s.Ports {
		if !containsInt(v.Ports, int(p.Target)) {
			v.Ports = append(v.Ports, int(p.Target))
		}
	}
	at("Ports", "ports")
	for i, vol := range s.Volumes {
		if vol.Type == types.VolumeTypeVolume && vol.Source != "" {
			v.DataPath = vol.Target
			at("DataPath", "volumes."+strconv.Itoa(i))
			break
		}
	}
	return v, nil
}

// ImageView reads what an image says: its user, HEALTHCHECK and exposed ports, and the owner
// of the data directory. dataPath is where the deployment mounts the data volume (compose's
// DataPath); empty means the image's first VOLUME.
func ImageView(img v1.Image, dataPath string) (View, error) {
	cfg, err := img.ConfigFile()
	if err != nil || cfg == nil {
		return View{}, fmt.Errorf("reading the image config: %v", err)
	}
	fs, err := readImage(img)
	if err != nil {
		return View{}, err
	}
	c := cfg.Config
	v := View{Known: true, Source: "image", User: c.User, At: map[string]Location{
		"User": {Path: "config.User"}, "Healthcheck": {Path: "config.Healthcheck"},
		"Ports": {Path: "config.ExposedPorts"},
	}}
	if c.Healthcheck != nil {
		v.Healthcheck = c.Healthcheck.Test
	}
	for p := range c.ExposedPorts {
		num, _, _ := strings.Cut(p, "/")
		if n, err := strconv.Atoi(num); err == nil && !containsInt(v.Ports, n) {
			v.Ports = append(v.Ports, n)
		}
	}
	sort.Ints(v.Ports)
	if dataPath == "" {
		if vols := sortedKeys(c.Volumes); len(vols) > 0 {
			dataPath = vols[0]
		}
	}
	if dataPath != "" {
		v.DataPath = path.Clean("/" + dataPath)
		v.At["DataOwner"] = Location{Path: v.DataPath}
		v.DataOwner = "absent"
		if f, _, ok := fs.lookup(v.DataPath); ok && f.isDir() {
			v.DataOwner = fmt.Sprintf("%d:%d", f.uid, f.gid)
		}
	}
	return v, nil
}

// ContainerView reads what the running container says: the effective uid:gid the kernel
// reports in /proc/<pid>/status and the health test Docker applies. The hardened run fills
// in the rest: Ports with the port the service listens on (ListenPort of its listen address),
// DataPath and DataOwner with the mount point and its owner as stat sees it inside the
// container.
func ContainerView(c Container, procStatus string) View {
	v := View{Known: true, Source: "container", At: map[string]Location{
		"User":        {Path: "/proc/" + strconv.Itoa(c.State.Pid) + "/status"},
		"Healthcheck": {Path: "Config.Healthcheck"},
	}}
	uids, okU := procIDs(procStatus, "Uid")
	gids, okG := procIDs(procStatus, "Gid")
	if okU && okG {
		v.User = uids[1] + ":" + gids[1]
	}
	if c.Config.Healthcheck != nil {
		v.Healthcheck = c.Config.Healthcheck.Test
	}
	return v
}
