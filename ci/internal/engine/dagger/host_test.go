package dagger

import "testing"

func TestLoadedImage(t *testing.T) {
	tests := []struct {
		name, out, want string
		err             bool
	}{
		{"untagged", "Loaded image ID: sha256:0123abcd\n", "sha256:0123abcd", false},
		{"tagged", "Loaded image: whitemagic:dev\n", "whitemagic:dev", false},
		{"several, the last wins", "Loaded image: a:1\nLoaded image ID: sha256:feed\n", "sha256:feed", false},
		{"progress before", "abc: Loading layer  1.2MB/1.2MB\r\nLoaded image ID: sha256:beef\n", "sha256:beef", false},
		{"nothing loaded", "open /dev/stdin: no such file\n", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadedImage(tt.out)
			if (err != nil) != tt.err || got != tt.want {
				t.Errorf("loadedImage(%q) = %q, %v; want %q (error %v)", tt.out, got, err, tt.want, tt.err)
			}
		})
	}
}
