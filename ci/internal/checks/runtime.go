package checks

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Container is what docker inspect reports about a running container, as far as the runtime
// rules read it.
type Container struct {
	Name   string
	Config struct {
		User string
	}
	State struct {
		Pid    int
		Health *struct{ Status string }
	}
	HostConfig struct {
		CapAdd, CapDrop, SecurityOpt                       []string
		Privileged, ReadonlyRootfs                         bool
		NetworkMode, PidMode, IpcMode, UTSMode, UsernsMode string
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

// Runtime checks a running container against the CIS Docker Benchmark v1.6.0 section 5
// items that apply, using what the daemon reports and what the kernel reports in the
// process's /proc status.
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
	if uid, ok := procField(procStatus, "Uid"); !ok || strings.Fields(uid + " x")[0] == "0" {
		add("WM-RT-004", fmt.Sprintf("the kernel reports uid %q for the service process", uid), "Uid")
	} else if c.Config.User == "" || c.Config.User == "root" || strings.HasPrefix(c.Config.User, "0:") || c.Config.User == "0" {
		add("WM-RT-004", fmt.Sprintf("Config.User is %q", c.Config.User), "Config.User")
	}
	if !dropsAll(h.CapDrop) || len(h.CapAdd) > 0 {
		add("WM-RT-005", fmt.Sprintf("CapDrop is %q and CapAdd %q, want [ALL] and none", h.CapDrop, h.CapAdd), "HostConfig.CapDrop")
	}
	if h.Privileged {
		add("WM-RT-006", "the container is privileged", "HostConfig.Privileged")
	}
	for field, mode := range map[string]string{"NetworkMode": h.NetworkMode, "PidMode": h.PidMode,
		"IpcMode": h.IpcMode, "UTSMode": h.UTSMode, "UsernsMode": h.UsernsMode} {
		if mode == "host" {
			add("WM-RT-007", field+" is host", "HostConfig."+field)
		}
	}
	if h.Memory <= 0 {
		add("WM-RT-008", "no memory limit", "HostConfig.Memory")
	}
	if h.NanoCpus <= 0 && h.CPUQuota <= 0 && h.CPUShares <= 0 {
		add("WM-RT-009", "no CPU limit", "HostConfig.NanoCpus")
	}
	if h.PidsLimit == nil || *h.PidsLimit <= 0 {
		add("WM-RT-010", "no pids limit", "HostConfig.PidsLimit")
	}
	for _, m := range c.Mounts {
		if m.Type == "bind" && (strings.HasSuffix(m.Source, "docker.sock") || sensitiveHostPath(m.Source)) {
			add("WM-RT-012", "host path "+m.Source+" is mounted on "+m.Destination, "Mounts")
		}
		if strings.HasPrefix(m.Propagation, "shared") || strings.HasPrefix(m.Propagation, "rshared") {
			add("WM-RT-016", m.Destination+" has propagation "+m.Propagation, "Mounts")
		}
	}
	for port, binds := range h.PortBindings {
		for _, b := range binds {
			if b.HostIp == "" || b.HostIp == "0.0.0.0" || b.HostIp == "::" {
				add("WM-RT-013", port+" is published on every host interface", "HostConfig.PortBindings")
			}
		}
	}
	for _, o := range h.SecurityOpt {
		if o == "seccomp=unconfined" || o == "seccomp:unconfined" || o == "apparmor=unconfined" || o == "apparmor:unconfined" {
			add("WM-RT-014", o, "HostConfig.SecurityOpt")
		}
	}
	if len(h.Devices) > 0 {
		add("WM-RT-015", fmt.Sprintf("%d host devices are exposed", len(h.Devices)), "HostConfig.Devices")
	}
	if h.CgroupParent != "" {
		add("WM-RT-019", "cgroup parent "+h.CgroupParent, "HostConfig.CgroupParent")
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

// sensitiveHostPath reports whether a host path must never be mounted into the service.
func sensitiveHostPath(p string) bool {
	p = strings.TrimRight(p, "/")
	for _, s := range []string{"", "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/var/run", "/run", "/var/lib/docker", "/usr", "/lib", "/bin", "/sbin"} {
		if p == s || s != "" && strings.HasPrefix(p, s+"/") && s != "/usr" {
			return true
		}
	}
	return false
}
