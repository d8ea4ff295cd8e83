package surfaces

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// repoRoot is the root of the working tree the test runs in.
func repoRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Fatalf("finding the repository root: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// scratch is a clone of this repository with the pre-push hook installed the documented way
// and a local bare repository as its remote.
type scratch struct {
	t           *testing.T
	dir, remote string
	env         []string
}

// newScratch clones the repository's HEAD, brings in the working tree's hook (committed, so
// the clone starts clean) and adds the bare remote "scratch" holding its main branch.
func newScratch(t *testing.T) *scratch {
	t.Helper()
	root := repoRoot(t)
	tmp := t.TempDir()
	s := &scratch{t: t, dir: filepath.Join(tmp, "clone"), remote: filepath.Join(tmp, "remote.git")}
	// Git's own variables would point the commands at the repository running the test, and
	// the user's global configuration could carry hooks of its own.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			s.env = append(s.env, kv)
		}
	}
	s.env = append(s.env, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=whitemagic test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=whitemagic test", "GIT_COMMITTER_EMAIL=test@example.com")

	s.run("", "git", "clone", "--quiet", "--no-hardlinks", root, s.dir)
	hook, err := os.ReadFile(filepath.Join(root, ".githooks", "pre-push"))
	if err != nil {
		t.Fatal(err)
	}
	s.write(".githooks/pre-push", hook, 0o755)
	if s.git("status", "--porcelain") != "" {
		s.git("add", ".githooks/pre-push")
		s.git("commit", "--quiet", "-m", "Use the working tree's pre-push hook")
	}
	s.git("config", "core.hooksPath", ".githooks") // the install command docs/pre-push.md gives
	s.run("", "git", "init", "--quiet", "--bare", s.remote)
	s.git("remote", "add", "scratch", s.remote)
	s.git("checkout", "--quiet", "-b", "topic")
	return s
}

func (s *scratch) run(extraEnv string, name string, args ...string) string {
	s.t.Helper()
	out, err := s.try(extraEnv, name, args...)
	if err != nil {
		s.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(out)
}

func (s *scratch) try(extraEnv string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = s.dir
	if _, err := os.Stat(s.dir); err != nil {
		cmd.Dir = ""
	}
	cmd.Env = s.env
	if extraEnv != "" {
		cmd.Env = append(append([]string{}, s.env...), extraEnv)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func (s *scratch) git(args ...string) string { return s.run("", "git", args...) }

func (s *scratch) write(name string, data []byte, mode os.FileMode) {
	s.t.Helper()
	p := filepath.Join(s.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, mode); err != nil {
		s.t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		s.t.Fatal(err)
	}
}

func (s *scratch) commit(msg string, edit func()) string {
	s.t.Helper()
	edit()
	s.git("add", "-A")
	s.git("commit", "--quiet", "-m", msg)
	return s.git("rev-parse", "HEAD")
}

// push pushes topic to the bare remote and returns git's output and whether it succeeded.
func (s *scratch) push(extraEnv string, args ...string) (string, bool) {
	s.t.Helper()
	out, err := s.try(extraEnv, "git", append([]string{"push", "scratch"}, args...)...)
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			s.t.Fatalf("git push %v: %v", args, err)
		}
	}
	return out, err == nil
}

// remoteHas returns the commit the bare remote's ref names, or "".
func (s *scratch) remoteHas(ref string) string {
	out, err := exec.Command("git", "--git-dir", s.remote, "rev-parse", "--verify", "--quiet", ref).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func mustContain(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s does not say %q; it said:\n%s", what, w, out)
		}
	}
}

func TestPrePushDeletingABranchChecksNothing(t *testing.T) {
	t.Parallel()
	s := newScratch(t)
	if out, ok := s.push("WHITEMAGIC_SKIP_PREPUSH=1", "topic"); !ok {
		t.Fatalf("creating topic on the remote failed:\n%s", out)
	}

	out, ok := s.push("", "--delete", "topic")
	if !ok {
		t.Fatalf("deleting topic was blocked:\n%s", out)
	}
	mustContain(t, "the hook", out, "pre-push: nothing to check")
	if c := s.remoteHas("refs/heads/topic"); c != "" {
		t.Errorf("remote still has topic at %s after the deletion", c)
	}
}

// noDockerfile commits the removal of the Dockerfile: the pipeline refuses the source tree at
// start-up (exit 2) without needing any engine.
func noDockerfile(s *scratch) string {
	return s.commit("Remove the Dockerfile", func() {
		if err := os.Remove(filepath.Join(s.dir, "Dockerfile")); err != nil {
			s.t.Fatal(err)
		}
	})
}

func TestPrePushBlocksAFailingCheck(t *testing.T) {
	t.Parallel()
	s := newScratch(t)
	noDockerfile(s)

	out, ok := s.push("", "topic")
	if ok {
		t.Fatalf("a push without a Dockerfile went through:\n%s", out)
	}
	mustContain(t, "the blocked push", out,
		"in "+s.dir+": the pipeline's check mode", // a clean tree at the pushed commit: in place
		"-dockerfile: Dockerfile is not a file",
		"pre-push: the check failed (exit 2)", "the push is blocked",
		"git push --no-verify", "WHITEMAGIC_SKIP_PREPUSH=1 git push")
	if c := s.remoteHas("refs/heads/topic"); c != "" {
		t.Errorf("the remote received topic at %s although the check failed", c)
	}
}

func TestPrePushChecksThePushedCommitNotTheWorkingTree(t *testing.T) {
	t.Parallel()
	s := newScratch(t)
	noDockerfile(s)
	// Put the Dockerfile back in the working tree only: the commit being pushed still lacks it.
	s.write("Dockerfile", []byte(s.git("show", "HEAD~1:Dockerfile")+"\n"), 0o644)

	out, ok := s.push("", "topic")
	if ok {
		t.Fatalf("the hook checked the working tree, not the pushed commit:\n%s", out)
	}
	mustContain(t, "the blocked push", out, "whitemagic-prepush.", "-dockerfile: Dockerfile is not a file")
	if list := s.git("worktree", "list", "--porcelain"); strings.Count(list, "worktree ") != 1 {
		t.Errorf("the hook left a worktree behind:\n%s", list)
	}
}

func TestPrePushSkipOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, env string
		args      []string
		want      string
	}{
		{"WHITEMAGIC_SKIP_PREPUSH=1", "WHITEMAGIC_SKIP_PREPUSH=1", nil, "pre-push: skipped"},
		{"--no-verify", "", []string{"--no-verify"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newScratch(t)
			commit := noDockerfile(s)

			out, ok := s.push(tc.env, append(tc.args, "topic")...)
			if !ok {
				t.Fatalf("push with %s was blocked:\n%s", tc.name, out)
			}
			if got := s.remoteHas("refs/heads/topic"); got != commit {
				t.Errorf("remote topic = %q, want the skipped commit %s", got, commit)
			}
			if tc.want != "" {
				mustContain(t, "the skipped push", out, tc.want)
			}
			if strings.Contains(out, "checking") {
				t.Errorf("the pipeline ran although the push skipped it:\n%s", out)
			}
		})
	}
}

// requireDocker skips when no Docker daemon answers, except under CI=true where it fails.
func requireDocker(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipped with -short: the full pipeline runs against the Docker daemon")
	}
	for _, bin := range []string{"/usr/bin/docker", "docker"} {
		if exec.Command(bin, "info").Run() == nil {
			return
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Docker daemon answers and CI=true: run .ci/prepare first")
	}
	t.Skip("no Docker daemon answers: run .ci/prepare (or start dockerd) to run this test")
}

func TestPrePushBlocksARootImage(t *testing.T) {
	requireDocker(t)
	s := newScratch(t)
	s.commit("Run the image as root", func() {
		df, err := os.ReadFile(filepath.Join(s.dir, "Dockerfile"))
		if err != nil {
			t.Fatal(err)
		}
		rooted := strings.Replace(string(df), "\nUSER 1000:1000\n", "\nUSER root\n", 1)
		if rooted == string(df) {
			t.Fatal("the Dockerfile has no USER 1000:1000 line to change")
		}
		s.write("Dockerfile", []byte(rooted), 0o644)
	})

	out, ok := s.push("", "topic")
	if ok {
		t.Fatalf("a push whose image runs as root went through:\n%s", out)
	}
	mustContain(t, "the blocked push", out, "pre-push: the check failed (exit 1)", "the push is blocked")
	if !strings.Contains(out, "WM-IM-001") && !strings.Contains(out, "WM-DF-001") {
		t.Errorf("the report does not name the root user (WM-IM-001 or WM-DF-001):\n%s", out)
	}
	if c := s.remoteHas("refs/heads/topic"); c != "" {
		t.Errorf("the remote received topic at %s although the check failed", c)
	}
}

func TestPrePushAllowsAPassingCheck(t *testing.T) {
	requireDocker(t)
	s := newScratch(t)
	commit := s.commit("Say hello in the README", func() {
		readme, err := os.ReadFile(filepath.Join(s.dir, "README.md"))
		if err != nil {
			t.Fatal(err)
		}
		s.write("README.md", append(readme, "\nHello from a scratch clone.\n"...), 0o644)
	})

	out, ok := s.push("", "topic")
	if !ok {
		t.Fatalf("a push whose check should pass was blocked:\n%s", out)
	}
	mustContain(t, "the allowed push", out, "pre-push: checking", "pre-push: check passed")
	if got := s.remoteHas("refs/heads/topic"); got != commit {
		t.Errorf("remote topic = %q, want the pushed commit %s", got, commit)
	}
}
