package health

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestCheckWritable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rep := New(dir, time.Second).Check()
	if !rep.Healthy || len(rep.Checks) != 1 || rep.Checks[0].Name != "data_writable" {
		t.Fatalf("Check() = %+v, want healthy with data_writable", rep)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("probe left %d files in the data directory, want none", len(entries))
	}
}

func TestCheckMissingDirIsUnhealthy(t *testing.T) {
	t.Parallel()
	rep := New(filepath.Join(t.TempDir(), "gone"), time.Second).Check()
	if rep.Healthy || rep.Checks[0].Status != "failing" || rep.Checks[0].Error == "" {
		t.Errorf("Check() = %+v, want unhealthy data_writable with an error", rep)
	}
}

func TestCheckIsCachedForTTL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Unix(1000, 0)
	c := New(dir, time.Second)
	c.now = func() time.Time { return now }
	if !c.Check().Healthy {
		t.Fatal("first check unhealthy")
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	now = now.Add(500 * time.Millisecond)
	if !c.Check().Healthy {
		t.Error("check within the TTL ran again, want the cached result")
	}
	now = now.Add(time.Second)
	if c.Check().Healthy {
		t.Error("check after the TTL is still healthy with the directory gone, want a fresh run")
	}
}
