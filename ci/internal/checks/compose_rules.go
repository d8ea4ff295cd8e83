package checks

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// checkService applies every compose rule to one service.
func (c *composeFile) checkService(s types.ServiceConfig) []Finding {
	var out []Finding
	for _, check := range []func(types.ServiceConfig) []Finding{
		c.serviceUser, c.serviceIsolation, c.serviceMounts, c.serviceLimits, c.servicePorts,
		c.serviceImage, c.serviceSecrets,
	} {
		out = append(out, check(s)...)
	}
	return out
}

// serviceUser requires a numeric, non-root user.
func (c *composeFile) serviceUser(s types.ServiceConfig) []Finding {
	if strings.TrimSpace(s.User) == "" {
		return []Finding{c.at("WM-CO-001", s.Name, "", "service "+s.Name+" sets no user, so the image's user applies")}
	}
	uid, gid, hasGid := strings.Cut(s.User, ":")
	if isRootUser(uid) {
		return []Finding{c.at("WM-CO-001", s.Name, "user", fmt.Sprintf("service %s runs as %q (root)", s.Name, s.User))}
	}
	if !isNumber(uid) || hasGid && !isNumber(gid) {
		return []Finding{c.at("WM-CO-018", s.Name, "user", fmt.Sprintf("service %s user %q is not a numeric uid:gid", s.Name, s.User))}
	}
	return nil
}

// serviceIsolation covers capabilities, privileges, namespaces and security profiles.
func (c *composeFile) serviceIsolation(s types.ServiceConfig) []Finding {
	var out []Finding
	add := func(id, key, msg string) { out = append(out, c.at(id, s.Name, key, msg)) }
	if !s.ReadOnly {
		add("WM-CO-002", "read_only", "service "+s.Name+" does not set read_only: true")
	}
	if !dropsAll(s.CapDrop) {
		add("WM-CO-003", "cap_drop", fmt.Sprintf("service %s drops %q, not ALL", s.Name, s.CapDrop))
	}
	for i, capability := range s.CapAdd {
		key := "cap_add." + strconv.Itoa(i)
		if c.lineComment("services."+s.Name+"."+key) == "" {
			add("WM-CO-004", key, "service "+s.Name+" adds "+capability+" without a comment saying why")
		}
	}
	nnp := false
	for i, o := range s.SecurityOpt {
		key := "security_opt." + strconv.Itoa(i)
		switch norm := strings.ToLower(strings.ReplaceAll(o, "=", ":")); {
		case norm == "no-new-privileges" || norm == "no-new-privileges:true":
			nnp = true
		case unconfined(norm):
			add("WM-CO-019", key, "service "+s.Name+" sets security_opt "+o)
		}
	}
	if !nnp {
		add("WM-CO-005", "security_opt", "service "+s.Name+" does not set no-new-privileges:true")
	}
	if s.Privileged {
		add("WM-CO-006", "privileged", "service "+s.Name+" is privileged")
	}
	for _, ns := range []struct{ key, mode string }{
		{"network_mode", s.NetworkMode}, {"pid", s.Pid}, {"ipc", s.Ipc}, {"uts", s.Uts}, {"userns_mode", s.UserNSMode},
	} {
		if strings.EqualFold(ns.mode, "host") {
			add("WM-CO-007", ns.key, "service "+s.Name+" sets "+ns.key+": host")
		}
	}
	for i, d := range s.Devices {
		add("WM-CO-020", "devices."+strconv.Itoa(i), "service "+s.Name+" maps host device "+d.Source)
	}
	if s.CgroupParent != "" {
		add("WM-CO-025", "cgroup_parent", "service "+s.Name+" runs under cgroup parent "+s.CgroupParent)
	}
	if strings.EqualFold(s.Cgroup, "host") {
		add("WM-CO-025", "cgroup", "service "+s.Name+" uses the host's cgroup namespace")
	}
	if s.Restart == types.RestartPolicyAlways {
		add("WM-CO-024", "restart", "service "+s.Name+" restarts always")
	}
	return out
}

// unconfined reports whether a security option (with = read as :) turns a protection off.
func unconfined(o string) bool {
	switch o {
	case "seccomp:unconfined", "apparmor:unconfined", "label:disable", "systempaths:unconfined":
		return true
	}
	return false
}

// dockerSockets are the API sockets of container engines.
var dockerSockets = []string{"docker.sock", "podman.sock", "containerd.sock", "crio.sock", "dockershim.sock"}

// serviceMounts covers volumes, tmpfs and the data volume.
func (c *composeFile) serviceMounts(s types.ServiceConfig) []Finding {
	var out []Finding
	add := func(id, key, msg string) { out = append(out, c.at(id, s.Name, key, msg)) }
	if s.UseAPISocket {
		add("WM-CO-008", "use_api_socket", "service "+s.Name+" sets use_api_socket, which mounts the Docker API socket")
	}
	named, tmp := false, false
	for i, v := range s.Volumes {
		key := "volumes." + strconv.Itoa(i)
		switch v.Type {
		case types.VolumeTypeBind:
			switch {
			case isSocket(v.Source):
				add("WM-CO-008", key, "service "+s.Name+" mounts "+v.Source)
			case sensitiveHostPath(v.Source) || outsideProject(v.Source):
				add("WM-CO-009", key, "service "+s.Name+" mounts host path "+v.Source+" on "+v.Target)
			}
			if v.Bind != nil && strings.Contains(v.Bind.Propagation, "shared") {
				add("WM-CO-022", key, "service "+s.Name+" mounts "+v.Target+" with "+v.Bind.Propagation+" propagation")
			}
		case types.VolumeTypeVolume:
			named = named || v.Source != ""
		case types.VolumeTypeTmpfs:
			tmp = tmp || path.Clean(v.Target) == "/tmp"
		}
	}
	for _, t := range s.Tmpfs {
		target, _, _ := strings.Cut(t, ":")
		tmp = tmp || path.Clean(target) == "/tmp"
	}
	if !tmp {
		add("WM-CO-010", "tmpfs", "service "+s.Name+" has no tmpfs on /tmp")
	}
	if !named {
		add("WM-CO-011", "volumes", "service "+s.Name+" mounts no named volume")
	}
	if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0 || s.HealthCheck.Test[0] == "NONE" {
		add("WM-CO-012", "healthcheck", "service "+s.Name+" has no healthcheck")
	}
	return out
}

// isSocket reports whether a host path is a container engine's API socket, or a directory
// holding one.
func isSocket(p string) bool {
	for _, s := range dockerSockets {
		if path.Base(p) == s {
			return true
		}
	}
	switch strings.TrimRight(path.Clean("/"+p), "/") {
	case "/var/run", "/run", "/var/run/docker", "/run/docker", "/run/containerd", "/var/run/containerd":
		return true
	}
	return false
}

// outsideProject reports whether a relative or home-based host path leaves the project
// directory: ~ holds keys and credentials, and ../ reaches anything.
func outsideProject(p string) bool {
	if strings.HasPrefix(p, "~") {
		return true
	}
	if strings.HasPrefix(p, "/") {
		return false
	}
	clean := path.Clean(p)
	return clean == ".." || strings.HasPrefix(clean, "../")
}

// serviceLimits requires memory, CPU and pids limits.
func (c *composeFile) serviceLimits(s types.ServiceConfig) []Finding {
	var lim *types.Resource
	if s.Deploy != nil {
		lim = s.Deploy.Resources.Limits
	}
	var out []Finding
	if s.MemLimit <= 0 && (lim == nil || lim.MemoryBytes <= 0) {
		out = append(out, c.at("WM-CO-013", s.Name, "mem_limit", "service "+s.Name+" has no memory limit"))
	}
	if s.CPUS <= 0 && s.CPUQuota <= 0 && (lim == nil || lim.NanoCPUs <= 0) {
		out = append(out, c.at("WM-CO-014", s.Name, "cpus", "service "+s.Name+" has no CPU limit"))
	}
	if s.PidsLimit <= 0 && (lim == nil || lim.Pids <= 0) {
		out = append(out, c.at("WM-CO-015", s.Name, "pids_limit", "service "+s.Name+" has no pids limit"))
	}
	return out
}

// servicePorts requires every published port to name a host address and a host port of 1024
// or above.
func (c *composeFile) servicePorts(s types.ServiceConfig) []Finding {
	var out []Finding
	for i, p := range s.Ports {
		key := c.portKey(s.Name, i, len(s.Ports))
		what := fmt.Sprintf("service %s publishes %d", s.Name, p.Target)
		if p.Published != "" {
			what = fmt.Sprintf("service %s publishes %s:%d", s.Name, p.Published, p.Target)
		}
		switch p.HostIP {
		case "", "0.0.0.0", "::", "[::]":
			out = append(out, c.at("WM-CO-016", s.Name, key, what+" on every host interface"))
		}
		lo, _, _ := strings.Cut(p.Published, "-")
		if n, err := strconv.Atoi(lo); err == nil && n > 0 && n < 1024 {
			out = append(out, c.at("WM-CO-021", s.Name, key, what+" on privileged host port "+lo))
		}
	}
	return out
}

// portKey returns the path of a port entry; compose-go expands ranges into several entries,
// in which case only the ports key itself can be located.
func (c *composeFile) portKey(service string, i, n int) string {
	count := 0
	for {
		if _, ok := c.lines[fmt.Sprintf("services.%s.ports.%d", service, count)]; !ok {
			break
		}
		count++
	}
	if count == n {
		return "ports." + strconv.Itoa(i)
	}
	return "ports"
}

// serviceImage rejects images without a tag or with latest. A service that builds its image
// and names no image is not pulled, so it has nothing to pin.
func (c *composeFile) serviceImage(s types.ServiceConfig) []Finding {
	if s.Image == "" {
		return nil
	}
	tag, digest, err := imageRef(s.Image)
	switch {
	case err != nil:
		return []Finding{c.at("WM-CO-017", s.Name, "image", fmt.Sprintf("service %s image %q is not a valid reference: %v", s.Name, s.Image, err))}
	case tag == "latest":
		return []Finding{c.at("WM-CO-017", s.Name, "image", "service "+s.Name+" image "+s.Image+" uses the latest tag")}
	case tag == "" && !digest:
		return []Finding{c.at("WM-CO-017", s.Name, "image", "service "+s.Name+" image "+s.Image+" has no tag, so it means latest")}
	}
	return nil
}

// serviceSecrets flags credentials written into the environment or labels.
func (c *composeFile) serviceSecrets(s types.ServiceConfig) []Finding {
	var out []Finding
	for _, k := range sortedKeys(s.Environment) {
		v := s.Environment[k]
		if v == nil {
			continue
		}
		if why := secretPair(k, *v); why != "" {
			out = append(out, c.at("WM-CO-023", s.Name, c.entryKey(s.Name, "environment", k), "service "+s.Name+" environment "+k+" holds "+why))
		}
	}
	for _, k := range sortedKeys(s.Labels) {
		if why := secretPair(k, s.Labels[k]); why != "" {
			out = append(out, c.at("WM-CO-023", s.Name, c.entryKey(s.Name, "labels", k), "service "+s.Name+" label "+k+" holds "+why))
		}
	}
	return out
}

// entryKey returns the path of an environment or labels entry, in mapping syntax
// ("environment.KEY") or list syntax ("environment.3" for "- KEY=value").
func (c *composeFile) entryKey(service, field, key string) string {
	prefix := "services." + service + "." + field
	if _, ok := c.lines[prefix+"."+key]; ok {
		return field + "." + key
	}
	for i := 0; ; i++ {
		l, ok := c.lines[prefix+"."+strconv.Itoa(i)]
		if !ok || l < 1 || l > len(c.src) {
			return field
		}
		item := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(c.src[l-1]), "-"))
		if strings.HasPrefix(strings.Trim(item, `"'`), key+"=") {
			return field + "." + strconv.Itoa(i)
		}
	}
}
