// Package health decides whether the service is fit to serve. Its checks are cheap enough to
// be polled every second under load: results are cached for a short time.
package health

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Check is one named check's outcome.
type Check struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// Report is the outcome of all checks.
type Report struct {
	Healthy bool
	Checks  []Check
}

// Checker runs the checks at most once per TTL. Callers never wait for each other: while
// one caller refreshes a stale result, the others get the previous one.
type Checker struct {
	dataDir string
	ttl     time.Duration
	now     func() time.Time

	refresh sync.Mutex
	last    atomic.Pointer[cached]
}

type cached struct {
	report  Report
	checked time.Time
}

// New returns a checker of the data directory dir whose results live for ttl.
func New(dir string, ttl time.Duration) *Checker {
	return &Checker{dataDir: dir, ttl: ttl, now: time.Now}
}

// Check returns the current report, running the checks when the cached one is older than
// the TTL.
func (c *Checker) Check() Report {
	last := c.last.Load()
	if last == nil {
		c.refresh.Lock() // the first caller must wait: there is no previous result
		defer c.refresh.Unlock()
		if last = c.last.Load(); last == nil {
			last = c.store()
		}
	} else if c.now().Sub(last.checked) >= c.ttl && c.refresh.TryLock() {
		defer c.refresh.Unlock()
		if cur := c.last.Load(); cur == last {
			last = c.store()
		} else {
			last = cur
		}
	}
	return Report{Healthy: last.report.Healthy, Checks: append([]Check(nil), last.report.Checks...)}
}

// store runs the checks and keeps the result; the caller holds c.refresh.
func (c *Checker) store() *cached {
	v := &cached{report: c.run(), checked: c.now()}
	c.last.Store(v)
	return v
}

func (c *Checker) run() Report {
	ck := Check{Name: "data_writable", Status: "ok"}
	if err := probeWritable(c.dataDir); err != nil {
		ck.Status, ck.Error = "failing", err.Error()
	}
	return Report{Healthy: ck.Status == "ok", Checks: []Check{ck}}
}

// probeWritable creates, writes and removes a small file in dir.
func probeWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".health-*")
	if err != nil {
		return fmt.Errorf("data directory %s is not writable: %w", dir, err)
	}
	name := f.Name()
	_, werr := f.Write([]byte("ok"))
	cerr := f.Close()
	rerr := os.Remove(name)
	if werr != nil || cerr != nil || rerr != nil {
		return fmt.Errorf("probing data directory %s: %v", dir, firstErr(werr, cerr, rerr))
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
