package checks

//go:generate go test -count=1 -run TestGeneratedDocs|TestREADMEComparison . -update

// Elsewhere says which other tools report what a rule reports, each in the tool's own
// words: hadolint and Trivy rule IDs, Dockle checkpoints, KICS docker-compose query names,
// docker-bench-security test numbers. "(partly)" marks a check that covers only some of the
// cases the rule covers, "(opt-in)" one that is off by default. An empty field means the
// tool has no such check, or none we could confirm: the table claims nothing it has not
// checked against the tool's source.
//
// Each tool is credited where it looks: hadolint and Trivy at the Dockerfile (Trivy also at
// the image config with --image-config-scanners misconfig), Dockle at the built image,
// including its history, KICS at the compose file, docker-bench-security at the images and
// running containers of a Docker host.
type Elsewhere struct {
	Hadolint    string
	Dockle      string
	Trivy       string
	KICS        string
	DockerBench string
}

// Coverage returns what other tools report the same problem as rule id; the zero Elsewhere
// when none does.
func Coverage(id string) Elsewhere { return coverage[id] }

// coverage was checked against hadolint v2.15, Dockle v0.4, trivy-checks (Dockerfile checks
// DS-0001 to DS-0031), the KICS dockerCompose queries and docker-bench-security for CIS
// Docker Benchmark v1.6.0. Rules absent here are caught by none of them.
var coverage = map[string]Elsewhere{
	"WM-HR-004": {DockerBench: "5.13"},
	"WM-HR-007": {DockerBench: "5.27 (partly)"},

	"WM-DF-001": {Hadolint: "DL3002 (partly)", Dockle: "CIS-DI-0001", Trivy: "AVD-DS-0002"},
	"WM-DF-002": {Hadolint: "DL3066"},
	"WM-DF-003": {Hadolint: "DL3057 (opt-in)", Dockle: "CIS-DI-0006", Trivy: "AVD-DS-0026", DockerBench: "4.6"},
	"WM-DF-004": {Hadolint: "DL3012", Trivy: "AVD-DS-0023"},
	"WM-DF-006": {Hadolint: "DL3020", Dockle: "CIS-DI-0009", Trivy: "AVD-DS-0005", DockerBench: "4.9"},
	"WM-DF-007": {Hadolint: "DL3006, DL3007", Trivy: "AVD-DS-0001"},
	"WM-DF-009": {Hadolint: "DL3064", Dockle: "CIS-DI-0010", Trivy: "AVD-DS-0031"},
	"WM-DF-010": {Hadolint: "DL3004", Dockle: "DKL-DI-0001", Trivy: "AVD-DS-0010"},
	"WM-DF-011": {Hadolint: "DL3025"},
	"WM-DF-012": {Hadolint: "DL3014, DL3015, DL3009", Dockle: "DKL-DI-0005 (partly)", Trivy: "AVD-DS-0021, AVD-DS-0029"},
	"WM-DF-013": {Hadolint: "DL3019", Dockle: "DKL-DI-0004", Trivy: "AVD-DS-0025"},
	"WM-DF-014": {Dockle: "CIS-DI-0007", Trivy: "AVD-DS-0017", DockerBench: "4.7 (partly)"},
	"WM-DF-015": {Hadolint: "DL3035 (partly)", Dockle: "DKL-DI-0003 (partly)", Trivy: "AVD-DS-0024 (partly)"},
	"WM-DF-016": {Hadolint: "DL3032, DL3040, DL3036", Trivy: "AVD-DS-0015, AVD-DS-0019, AVD-DS-0020, AVD-DS-0027"},
	"WM-DF-017": {Hadolint: "DL3042"},
	"WM-DF-018": {Trivy: "AVD-DS-0004"},
	"WM-DF-019": {Hadolint: "DL3000", Trivy: "AVD-DS-0009"},
	"WM-DF-021": {Hadolint: "DL3011", Trivy: "AVD-DS-0008"},
	"WM-DF-022": {Hadolint: "DL4003, DL4004", Trivy: "AVD-DS-0007, AVD-DS-0016"},
	"WM-DF-023": {Hadolint: "DL3049 (opt-in)"},
	"WM-DF-027": {Hadolint: "DL4000", Trivy: "AVD-DS-0022"},
	"WM-DF-028": {Dockle: "CIS-DI-0010", Trivy: "AVD-DS-0031"},

	"WM-CO-003": {KICS: "Container Capabilities Unrestricted (partly)"},
	"WM-CO-004": {KICS: "Container Capabilities Unrestricted"},
	"WM-CO-005": {KICS: "No New Privileges Not Set, Security Opt Not Set"},
	"WM-CO-006": {KICS: "Privileged Containers Enabled"},
	"WM-CO-007": {KICS: "Shared Host Network Namespace, Host Namespace is Shared, " +
		"Shared Host IPC Namespace, Shared Host User Namespace (partly)"},
	"WM-CO-008": {KICS: "Docker Socket Mounted In Container"},
	"WM-CO-009": {KICS: "Volume Has Sensitive Host Directory"},
	"WM-CO-012": {KICS: "Healthcheck Not Set"},
	"WM-CO-013": {KICS: "Memory Not Limited"},
	"WM-CO-014": {KICS: "Cpus Not Limited"},
	"WM-CO-015": {KICS: "Pids Limit Not Set"},
	"WM-CO-016": {KICS: "Container Traffic Not Bound To Host Interface"},
	"WM-CO-019": {KICS: "Default Seccomp Profile Disabled (partly)"},
	"WM-CO-021": {KICS: "Privileged Ports Mapped In Container"},
	"WM-CO-025": {KICS: "Cgroup Not Default"},

	"WM-IM-001": {Dockle: "CIS-DI-0001", Trivy: "AVD-DS-0002 (opt-in)"},
	"WM-IM-003": {Dockle: "CIS-DI-0006", Trivy: "AVD-DS-0026 (opt-in)", DockerBench: "4.6"},
	"WM-IM-006": {Dockle: "CIS-DI-0008"},
	"WM-IM-008": {Dockle: "CIS-DI-0010"},
	"WM-IM-009": {Dockle: "CIS-DI-0010"},
	"WM-IM-010": {Dockle: "CIS-DI-0010 (partly)"},
	"WM-IM-019": {Dockle: "DKL-LI-0001"},
	"WM-IM-020": {Dockle: "DKL-LI-0002"},
	"WM-IM-021": {Dockle: "DKL-DI-0002 (partly)"},
	"WM-IM-022": {Dockle: "DKL-LI-0003"},

	"WM-RT-002": {DockerBench: "5.26"},
	"WM-RT-003": {DockerBench: "5.13"},
	"WM-RT-004": {DockerBench: "4.1"},
	"WM-RT-005": {DockerBench: "5.4 (partly)"},
	"WM-RT-006": {DockerBench: "5.5"},
	"WM-RT-007": {DockerBench: "5.10, 5.16, 5.17, 5.21, 5.31"},
	"WM-RT-008": {DockerBench: "5.11"},
	"WM-RT-009": {DockerBench: "5.12"},
	"WM-RT-010": {DockerBench: "5.29"},
	"WM-RT-011": {DockerBench: "5.27 (partly)"},
	"WM-RT-012": {DockerBench: "5.6, 5.32"},
	"WM-RT-013": {DockerBench: "5.14"},
	"WM-RT-014": {DockerBench: "5.2, 5.3, 5.22"},
	"WM-RT-015": {DockerBench: "5.18"},
	"WM-RT-016": {DockerBench: "5.20"},
	"WM-RT-017": {DockerBench: "5.8"},
	"WM-RT-018": {DockerBench: "5.15"},
	"WM-RT-019": {DockerBench: "5.25"},
}
