package checks

import (
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Container is what docker inspect reports about a running container, as far as the runtime
// and agreement rules read it.
type Container struct {
	Name   string
	Config struct {
		User         string
		Env          []string
		ExposedPorts map[string]struct{}
		Healthcheck  *struct{ Test []string }
	}
	State struct {
		Pid    int
		Health *struct{ Status string }
	}
	HostConfig struct {
		CapAdd, CapDrop, SecurityOpt                       []string
		Privileged, ReadonlyRootfs                         bool
		NetworkMode, PidMode, IpcMode, UTSMode, UsernsMode string
		CgroupnsMode                                       string
		Memory, NanoCpus, CPUShares, CPUQuota              int64
		PidsLimit                                          *int64
		CgroupParent                                       string
		Devices                                            []json.RawMessage
		RestartPolicy                                      struct{ Name string }
		PortBindings                                       map[string][]struct{ HostIp, HostPort string }
	}
	Mounts []struct {
		Type, Source, Destination, Propagation string
	}
}

// ParseInspect reads the output of docker inspect: one container, alone or in an array.
func ParseInspect(b []byte) (Container, error) {
	var list []Container
	if err := json.Unmarshal(b, &list); err == nil {
		if len(list) != 1 {
			return Container{}, fmt.Errorf("docker inspect output holds %d containers, want 1", len(list))
		}
		return list[0], nil
	}
	var c Container
	if err := json.Unmarshal(b, &c); err != nil {
		return Container{}, fmt.Errorf("parsing docker inspect output: %w", err)
	}
	return c, nil
}

// procField returns a field of /proc/<pid>/status.
func procField(status, name string) (string, bool) {
	for _, line := range strings.Split(status, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == name {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// procIDs returns the real, effective, saved and filesystem ids of a Uid: or Gid: line.
func procIDs(status, name string) ([]string, bool) {
	v, ok := procField(status, name)
	f := strings.Fields(v)
	return f, ok && len(f) == 4
}

// Runtime checks a running container against the CIS Docker Benchmark v1.6.0 section 5
// items that apply, from what the daemon reports (inspect) and what the kernel reports in the
// service process's /proc/<pid>/status. A health status of "starting" is not a finding: the
// hardened run waits for health separately (WM-HR-007).
func Runtime(c Container, procStatus string) []Finding {
	var out []Finding
	add := func(id, msg, path string) { out = append(out, rule(id).At(msg, Location{Path: path})) }
	h := c.HostConfig

	if v, ok := procField(procStatus, "CapEff"); !ok || strings.Trim(v, "0") != "" {
		add("WM-RT-001", fmt.Sprintf("the kernel reports effective capabilities %q for the service process", v), "CapEff")
	}
	if v, ok := procField(procStatus, "NoNewPrivs"); !ok || v != "1" {
		add("WM-RT-002", fmt.Sprintf("the kernel reports NoNewPrivs %q for the service process, want 1", v), "NoNewPrivs")
	}
	if !h.ReadonlyRootfs {
		add("WM-RT-003", "HostConfig.ReadonlyRootfs is false", "HostConfig.ReadonlyRootfs")
	}
	uids, ok := procIDs(procStatus, "Uid")
	uid, _, _ := strings.Cut(c.Config.User, ":")
	switch {
	case !ok:
		add("WM-RT-004", "the kernel reports no Uid line for the service process", "Uid")
	case contains(uids, "0"):
		add("WM-RT-004", fmt.Sprintf("the kernel reports uids %s for the service process", strings.Join(uids, " ")), "Uid")
	case c.Config.User == "" || isRootUser(uid):
		add("WM-RT-004", fmt.Sprintf("Config.User is %q", c.Config.User), "Config.User")
	}
	if !dropsAll(h.CapDrop) || len(h.CapAdd) > 0 {
		add("WM-RT-005", fmt.Sprintf("CapDrop is %q and CapAdd %q, want [ALL] and none", h.CapDrop, h.CapAdd), "HostConfig.CapDrop")
	}
	if h.Privileged {
		add("WM-RT-006", "the container is privileged", "HostConfig.Privileged")
	}
	for _, ns := range []struct{ field, mode string }{
		{"NetworkMode", h.NetworkMode}, {"PidMode", h.PidMode}, {"IpcMode", h.IpcMode},
		{"UTSMode", h.UTSMode}, {"UsernsMode", h.UsernsMode},
	} {
		if ns.mode == "host" {
			add("WM-RT-007", ns.field+" is host", "HostConfig."+ns.field)
		}
	}
	out = append(out, runtimeLimits(c)...)
	out = append(out, runtimeMounts(c)...)
	out = append(out, runtimePorts(c)...)
	for _, o := range h.SecurityOpt {
		if unconfined(strings.ToLower(strings.ReplaceAll(o, "=", ":"))) {
			add("WM-RT-014", "security option "+o, "HostConfig.SecurityOpt")
		}
	}
	if len(h.Devices) > 0 {
		add("WM-RT-015", fmt.Sprintf("%d host devices are exposed", len(h.Devices)), "HostConfig.Devices")
	}
	if h.RestartPolicy.Name == "always" {
		add("WM-RT-018", "the restart policy is always", "HostConfig.RestartPolicy")
	}
	if h.CgroupParent != "" {
		add("WM-RT-019", "cgroup parent "+h.CgroupParent, "HostConfig.CgroupParent")
	}
	if h.CgroupnsMode == "host" {
		add("WM-RT-019", "the container uses the host's cgroup namespace", "HostConfig.CgroupnsMode")
	}
	return out
}

// runtimeLimits checks the resource limits and the health status.
func runtimeLimits(c Container) []Finding {
	var out []Finding
	add := func(id, msg, path string) { out = append(out, rule(id).At(msg, Location{Path: path})) }
	h := c.HostConfig
	if h.Memory <= 0 {
		add("WM-RT-008", "no memory limit", "HostConfig.Memory")
	}
	if h.NanoCpus <= 0 && h.CPUQuota <= 0 {
		add("WM-RT-009", "no CPU limit", "HostConfig.NanoCpus")
	}
	if h.PidsLimit == nil || *h.PidsLimit <= 0 {
		add("WM-RT-010", "no pids limit", "HostConfig.PidsLimit")
	}
	switch {
	case c.State.Health == nil:
		add("WM-RT-011", "the container has no health check", "State.Health")
	case c.State.Health.Status == "unhealthy":
		add("WM-RT-011", "the container is unhealthy", "State.Health")
	}
	return out
}

// runtimeMounts checks bind mounts and their propagation.
func runtimeMounts(c Container) []Finding {
	var out []Finding
	for _, m := range c.Mounts {
		if m.Type == "bind" && (isSocket(m.Source) || sensitiveHostPath(m.Source)) {
			out = append(out, rule("WM-RT-012").At("host path "+m.Source+" is mounted on "+m.Destination,
				Location{Path: "Mounts." + m.Destination}))
		}
		if strings.Contains(m.Propagation, "shared") {
			out = append(out, rule("WM-RT-016").At(m.Destination+" has propagation "+m.Propagation,
				Location{Path: "Mounts." + m.Destination}))
		}
	}
	return out
}

// runtimePorts checks published ports, in a fixed order.
func runtimePorts(c Container) []Finding {
	var out []Finding
	for _, port := range sortedKeys(c.HostConfig.PortBindings) {
		for _, b := range c.HostConfig.PortBindings[port] {
			loc := Location{Path: "HostConfig.PortBindings." + port}
			if b.HostIp == "" || b.HostIp == "0.0.0.0" || b.HostIp == "::" {
				out = append(out, rule("WM-RT-013").At(port+" is published on every host interface", loc))
			}
			if n, err := strconv.Atoi(b.HostPort); err == nil && n > 0 && n < 1024 {
				out = append(out, rule("WM-RT-017").At(fmt.Sprintf("%s is published on host port %d", port, n), loc))
			}
		}
	}
	return out
}

func dropsAll(caps []string) bool {
	for _, c := range caps {
		if strings.EqualFold(c, "ALL") {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// sensitiveDirs are host directories a service must never see, itself or below (CIS 5.6
// names /, /boot, /dev, /etc, /lib, /proc, /sys and /usr).
var sensitiveDirs = []string{
	"/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sys", "/usr", "/bin", "/sbin",
	"/root", "/var/run", "/run", "/var/lib/docker", "/var/lib/containerd", "/var/log",
}

// sensitiveHostPath reports whether a host path is / or inside a sensitive directory.
func sensitiveHostPath(p string) bool {
	if !strings.HasPrefix(p, "/") {
		return false
	}
	p = path.Clean(p)
	if p == "/" {
		return true
	}
	for _, s := range sensitiveDirs {
		if p == s || strings.HasPrefix(p, s+"/") {
			return true
		}
	}
	return false
}
