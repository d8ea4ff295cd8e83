package integration

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whitemagic/whitemagic/internal/testenv"
)

func TestDataSurvivesRecreate(t *testing.T) {
	img := image(t)
	vol := volume(t)

	first := hardenedRun(t, img, vol)
	base := hostURL(t, first)
	waitHealth(t, first, base, 30*time.Second)
	doc := `{"note":"kept on the volume","n":42}`
	if code, body, err := request(http.MethodPut, base+"/v1/memories/recreate-me", doc); err != nil || code/100 != 2 {
		t.Fatalf("PUT /v1/memories/recreate-me = %d %s, %v; want 2xx", code, body, err)
	}
	testenv.Docker(t, "rm", "--force", first)

	second := hardenedRun(t, img, vol)
	base = hostURL(t, second)
	waitHealth(t, second, base, 30*time.Second)
	code, body, err := request(http.MethodGet, base+"/v1/memories/recreate-me", "")
	if err != nil || code != http.StatusOK || !jsonEqual(body, []byte(doc)) {
		t.Errorf("GET after recreate = %d %s, %v; want 200 %s", code, body, err, doc)
	}
}

// TestCrashKeepsAcknowledgedWrites kills the container with SIGKILL while writers are busy and
// checks that every write the service acknowledged is there, intact, after it starts again.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	img := image(t)
	vol := volume(t)
	name := hardenedRun(t, img, vol)
	base := hostURL(t, name)
	waitHealth(t, name, base, 30*time.Second)

	const (
		writers      = 4
		perWriter    = 2000 // bounds the load even if the kill never lands
		killAfterAck = 300
	)
	var (
		mu    sync.Mutex
		acked = map[string]string{}
		kill  = make(chan struct{})
		once  sync.Once
		wg    sync.WaitGroup
	)
	pad := strings.Repeat("x", 2048)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				key := fmt.Sprintf("crash-%d-%d", w, i)
				doc := fmt.Sprintf(`{"writer":%d,"seq":%d,"pad":%q}`, w, i, pad)
				code, _, err := request(http.MethodPut, base+"/v1/memories/"+key, doc)
				if err != nil {
					return // the container is gone: stop writing
				}
				if code/100 != 2 {
					continue
				}
				mu.Lock()
				acked[key] = doc
				if len(acked) >= killAfterAck {
					once.Do(func() { close(kill) })
				}
				mu.Unlock()
			}
		}()
	}
	select {
	case <-kill:
	case <-time.After(60 * time.Second):
		t.Log("fewer acknowledged writes than planned before the time limit; killing anyway")
	}
	testenv.Docker(t, "kill", "--signal", "KILL", name)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before the kill; nothing to verify")
	}
	testenv.Docker(t, "start", name)
	base = hostURL(t, name)
	waitHealth(t, name, base, 30*time.Second)
	var lost int
	for key, doc := range acked {
		code, body, err := request(http.MethodGet, base+"/v1/memories/"+key, "")
		if err != nil || code != http.StatusOK || !jsonEqual(body, []byte(doc)) {
			lost++
			if lost <= 5 {
				t.Errorf("GET %s after SIGKILL = %d (%d bytes), %v; want the acknowledged document", key, code, len(body), err)
			}
		}
	}
	t.Logf("%d acknowledged writes before SIGKILL, %d lost", len(acked), lost)
}
