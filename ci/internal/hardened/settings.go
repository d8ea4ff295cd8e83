package hardened

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Settings are the hardening settings of one compose service, as docker run applies them.
type Settings struct {
	User        string
	CapDrop     []string
	CapAdd      []string
	ReadOnly    bool
	Privileged  bool   // never applied: Run refuses to start a privileged container
	Cgroup      string // cgroup namespace: "private" or "host"; empty is the daemon's default
	SecurityOpt []string
	Tmpfs       []string
	Memory      string
	CPUs        string
	PidsLimit   int
	DataPath    string // where the service's named volume is mounted
	Port        int    // the container port published
	Environment map[string]string
}

// composeFile is the part of a compose file the hardened run reads.
type composeFile struct {
	Services map[string]struct {
		User        string            `yaml:"user"`
		CapDrop     []string          `yaml:"cap_drop"`
		CapAdd      []string          `yaml:"cap_add"`
		ReadOnly    bool              `yaml:"read_only"`
		Privileged  bool              `yaml:"privileged"`
		Cgroup      string            `yaml:"cgroup"`
		SecurityOpt []string          `yaml:"security_opt"`
		Tmpfs       yaml.Node         `yaml:"tmpfs"`
		MemLimit    string            `yaml:"mem_limit"`
		CPUs        yaml.Node         `yaml:"cpus"`
		PidsLimit   int               `yaml:"pids_limit"`
		Volumes     []yaml.Node       `yaml:"volumes"`
		Ports       []yaml.Node       `yaml:"ports"`
		Environment map[string]string `yaml:"environment"`
	} `yaml:"services"`
}

// FromCompose reads the settings of service from a compose file. The run copies them as they
// are: a compose file that forgets a setting gives a run without it, which the runtime
// checks then catch.
func FromCompose(src []byte, service string) (Settings, error) {
	var f composeFile
	if err := yaml.Unmarshal(src, &f); err != nil {
		return Settings{}, fmt.Errorf("parsing the compose file: %w", err)
	}
	svc, ok := f.Services[service]
	if !ok {
		return Settings{}, fmt.Errorf("the compose file has no service %q: name it with -service", service)
	}
	s := Settings{
		User: svc.User, CapDrop: svc.CapDrop, CapAdd: svc.CapAdd, ReadOnly: svc.ReadOnly,
		Privileged: svc.Privileged, Cgroup: svc.Cgroup, SecurityOpt: svc.SecurityOpt, Memory: svc.MemLimit, CPUs: svc.CPUs.Value,
		PidsLimit: svc.PidsLimit, Environment: map[string]string{},
	}
	for k, v := range svc.Environment {
		s.Environment[k] = expandDefault(v)
	}
	switch svc.Tmpfs.Kind {
	case yaml.ScalarNode:
		s.Tmpfs = []string{svc.Tmpfs.Value}
	case yaml.SequenceNode:
		for _, n := range svc.Tmpfs.Content {
			s.Tmpfs = append(s.Tmpfs, n.Value)
		}
	}
	for _, v := range svc.Volumes {
		// Short syntax "name:/path[:mode]"; a named volume's name has no slash.
		parts := strings.Split(v.Value, ":")
		if v.Kind == yaml.ScalarNode && len(parts) >= 2 && !strings.ContainsAny(parts[0], "/.$~") {
			s.DataPath = parts[1]
		}
	}
	for _, p := range svc.Ports {
		fields := strings.Split(p.Value, ":")
		if n, err := strconv.Atoi(strings.TrimSuffix(fields[len(fields)-1], "/tcp")); err == nil {
			s.Port = n
		}
	}
	if s.Port == 0 {
		return Settings{}, fmt.Errorf("service %q publishes no port in the compose file: the run cannot reach it", service)
	}
	return s, nil
}

// expandDefault resolves "${VAR:-default}" to its default, the value compose uses when the
// variable is unset; other values are kept.
func expandDefault(v string) string {
	if strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") {
		if _, def, ok := strings.Cut(v[2:len(v)-1], ":-"); ok {
			return def
		}
	}
	return v
}

// RunArgs are the docker run flags for these settings.
func (s Settings) RunArgs(volume, bind string) []string {
	var a []string
	if s.User != "" {
		a = append(a, "--user", s.User)
	}
	for _, c := range s.CapDrop {
		a = append(a, "--cap-drop", c)
	}
	for _, c := range s.CapAdd {
		a = append(a, "--cap-add", c)
	}
	if s.ReadOnly {
		a = append(a, "--read-only")
	}
	if s.Cgroup != "" {
		a = append(a, "--cgroupns", s.Cgroup)
	}
	for _, o := range s.SecurityOpt {
		a = append(a, "--security-opt", o)
	}
	for _, t := range s.Tmpfs {
		a = append(a, "--tmpfs", t)
	}
	if s.Memory != "" {
		a = append(a, "--memory", s.Memory)
	}
	if s.CPUs != "" {
		a = append(a, "--cpus", s.CPUs)
	}
	if s.PidsLimit != 0 {
		a = append(a, "--pids-limit", strconv.Itoa(s.PidsLimit))
	}
	if s.DataPath != "" {
		a = append(a, "--volume", volume+":"+s.DataPath)
	}
	// Sorted, so the same settings always give the same command line.
	for _, k := range slices.Sorted(maps.Keys(s.Environment)) {
		a = append(a, "--env", k+"="+s.Environment[k])
	}
	return append(a, "--publish", fmt.Sprintf("%s::%d", bind, s.Port))
}
