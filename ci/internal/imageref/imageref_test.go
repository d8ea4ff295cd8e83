package imageref

import "testing"

func TestPlainHTTPOnlyOnLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref    string
		scheme string
	}{
		{"127.0.0.1:5000/a/whitemagic:1.0.0", "http"},
		{"localhost:5000/whitemagic:edge", "http"},
		{"[::1]:5000/whitemagic:edge", "http"},
		{"ghcr.io/acme/whitemagic:1.0.0", "https"},
		{"registry.example.com:5000/whitemagic:1.0.0", "https"},
	}
	for _, tt := range tests {
		tag, err := Tag(tt.ref)
		if err != nil {
			t.Fatalf("Tag(%q) error = %v", tt.ref, err)
		}
		if got := tag.Scheme(); got != tt.scheme {
			t.Errorf("Tag(%q).Scheme() = %s, want %s", tt.ref, got, tt.scheme)
		}
		repo := tag.Context().String()
		d, err := Digest(repo + "@sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
		if err != nil {
			t.Fatalf("Digest(%s@...) error = %v", repo, err)
		}
		if got := d.Scheme(); got != tt.scheme {
			t.Errorf("Digest(%s@...).Scheme() = %s, want %s", repo, got, tt.scheme)
		}
	}
}

func TestRejectsBadReferences(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"UPPER/case:1", "whitemagic", "a:b:c:d"} {
		if _, err := Tag(s); err == nil {
			t.Errorf("Tag(%q) error = nil, want one", s)
		}
	}
	if _, err := Digest("127.0.0.1:5000/whitemagic:1.0.0"); err == nil {
		t.Error("Digest of a tag reference: error = nil, want one")
	}
}

func TestLoopback(t *testing.T) {
	t.Parallel()
	tests := map[string]bool{
		"127.0.0.1:5000": true, "localhost:5000": true, "[::1]:5000": true, "127.1.2.3": true,
		"ghcr.io": false, "10.0.0.1:5000": false, "localhost.example.com": false,
	}
	for host, want := range tests {
		if got := Loopback(host); got != want {
			t.Errorf("Loopback(%q) = %v, want %v", host, got, want)
		}
	}
}
