package publish

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

const (
	user     = "ci-bot"
	password = "s3cret-do-not-print"
)

// authRegistry serves an in-memory registry on 127.0.0.1 that demands basic auth.
func authRegistry(t *testing.T) string {
	t.Helper()
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED"}]}`, http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func creds(pass string) func(string) string {
	return func(k string) string {
		return map[string]string{"WHITEMAGIC_REGISTRY_USERNAME": user, "WHITEMAGIC_REGISTRY_PASSWORD": pass}[k]
	}
}

func TestPublishPushesEveryTagAndVerifiesTheDigest(t *testing.T) {
	t.Parallel()
	host := authRegistry(t)
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	refs := []string{host + "/acme/wm:1.2.3", host + "/acme/wm:edge"}
	got, err := Registry{Getenv: creds(password)}.Publish(context.Background(), img, refs)
	if err != nil {
		t.Fatalf("Publish() error = %v", err)
	}
	if got != want.String() {
		t.Errorf("Publish() = %s, want the image's digest %s", got, want)
	}
	for _, r := range refs {
		ref, _ := name.NewTag(r, name.Insecure)
		desc, err := remote.Head(ref, remote.WithAuthFromKeychain(staticKeychain{user, password}))
		if err != nil || desc.Digest != want {
			t.Errorf("registry has %s at %v (%v), want %s", r, desc, err, want)
		}
	}
}

func TestPublishErrorsKeepCredentialsOut(t *testing.T) {
	t.Parallel()
	host := authRegistry(t)
	img, _ := random.Image(64, 1)
	wrong := "wr0ng-" + password
	_, err := Registry{Getenv: creds(wrong)}.Publish(context.Background(), img, []string{host + "/acme/wm:edge"})
	if !errors.Is(err, ErrRegistry) {
		t.Fatalf("Publish(wrong password) error = %v, want ErrRegistry", err)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), password) {
		t.Errorf("Publish() error %q contains the password", err)
	}
}

func TestPublishRejectsBadReferences(t *testing.T) {
	t.Parallel()
	img, _ := random.Image(64, 1)
	for _, ref := range []string{"UPPER/case:tag", "no tag at all:", "127.0.0.1:5000/wm@sha256:abc"} {
		_, err := Registry{Getenv: creds(password)}.Publish(context.Background(), img, []string{ref})
		if err == nil || !strings.Contains(err.Error(), "invalid image reference") {
			t.Errorf("Publish(%q) error = %v, want an invalid reference error", ref, err)
		}
	}
}
