package checks

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// scanLimit is the largest file whose content the secret rules read. Bigger files (in
// practice binaries and archives) are not searched: a key embedded in one is missed.
const scanLimit = 8 << 20

// keptFiles are the small files whose content the account rules need.
var keptFiles = map[string]bool{"/etc/passwd": true, "/etc/group": true, "/etc/shadow": true}

// file is one path of the image's filesystem.
type file struct {
	name     string
	mode     int64 // permission bits with setuid, setgid and sticky
	typ      byte  // tar type flag
	uid, gid int
	size     int64
	linkname string
	layer    int
}

func (f file) isDir() bool     { return f.typ == tar.TypeDir }
func (f file) isSymlink() bool { return f.typ == tar.TypeSymlink }
func (f file) isRegular() bool { return f.typ == tar.TypeReg || f.typ == tar.TypeRegA }

// layerInfo is one layer's identity and sizes.
type layerInfo struct {
	digest          string
	raw, compressed int64
}

// imageFS is an image read once, layer by layer: the filesystem a container sees, every
// layer's sizes, the secrets found in any layer (a file deleted later is still shipped),
// and the content of the account files.
type imageFS struct {
	files   map[string]file
	layers  []layerInfo
	secrets []Finding
	kept    map[string][]byte
}

// readImage walks every layer of img.
func readImage(img v1.Image) (*imageFS, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading the image layers: %w", err)
	}
	fs := &imageFS{files: map[string]file{}, kept: map[string][]byte{}}
	for i, l := range layers {
		info, err := fs.readLayer(i, l)
		if err != nil {
			return nil, fmt.Errorf("reading layer %d of the image: %w", i+1, err)
		}
		fs.layers = append(fs.layers, info)
	}
	return fs, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readLayer applies one layer to the filesystem: its whiteouts delete what lower layers
// wrote, then its entries are added.
func (fs *imageFS) readLayer(index int, l v1.Layer) (layerInfo, error) {
	var info layerInfo
	if d, err := l.DiffID(); err == nil {
		info.digest = d.String()
	}
	rc, err := l.Uncompressed()
	if err != nil {
		return info, err
	}
	defer rc.Close()
	cr := &countingReader{r: rc}
	tr := tar.NewReader(cr)
	added := map[string]file{}
	var whiteouts []string
	kept := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return info, err
		}
		name := path.Clean("/" + h.Name)
		base := path.Base(name)
		if strings.HasPrefix(base, ".wh.") {
			whiteouts = append(whiteouts, name)
			continue
		}
		f := file{name: name, mode: h.Mode & 0o7777, typ: h.Typeflag, uid: h.Uid, gid: h.Gid,
			size: h.Size, linkname: h.Linkname, layer: index}
		if f.typ == tar.TypeLink {
			f.linkname = path.Clean("/" + h.Linkname)
		}
		if f.isRegular() {
			content, err := fs.scanFile(index, info.digest, f, tr)
			if err != nil {
				return info, err
			}
			if keptFiles[name] {
				kept[name] = content
			}
		}
		added[name] = f
	}
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return info, err
	}
	info.raw = cr.n
	for _, w := range whiteouts {
		fs.whiteout(w)
	}
	for name, f := range added {
		fs.files[name] = f
	}
	fs.addParents(index, added)
	for name, c := range kept {
		fs.kept[name] = c
	}
	for name := range fs.kept {
		if f, ok := fs.files[name]; !ok || !f.isRegular() {
			delete(fs.kept, name)
		}
	}
	if size, err := l.Size(); err == nil {
		info.compressed = size
	} else {
		return info, fmt.Errorf("reading the compressed size: %w", err)
	}
	return info, nil
}

// addParents creates the directories a layer's entries sit in when neither this layer nor
// a lower one has an entry for them. Tar files need not list parent directories, and Docker
// and containerd create missing ones as root-owned 0755 directories while unpacking, so
// without this a shell at /bin/sh in a layer that omits "bin/" would be missed.
func (fs *imageFS) addParents(index int, added map[string]file) {
	for name := range added {
		for dir := path.Dir(name); dir != "/"; dir = path.Dir(dir) {
			if _, ok := fs.files[dir]; ok {
				break
			}
			fs.files[dir] = file{name: dir, typ: tar.TypeDir, mode: 0o755, layer: index}
		}
	}
}

// whiteout applies one whiteout entry to the lower layers: ".wh..wh..opq" empties its
// directory, ".wh.name" deletes name and everything below it.
func (fs *imageFS) whiteout(w string) {
	dir, base := path.Dir(w), path.Base(w)
	target := path.Join(dir, strings.TrimPrefix(base, ".wh."))
	if base == ".wh..wh..opq" {
		target = dir
	}
	for name := range fs.files {
		if name != target && strings.HasPrefix(name, strings.TrimSuffix(target, "/")+"/") {
			delete(fs.files, name)
		}
	}
	if base != ".wh..wh..opq" {
		delete(fs.files, target)
	}
}

// scanFile reads a regular file's content, looks for secrets in it and returns it when it
// is small enough to keep.
func (fs *imageFS) scanFile(index int, digest string, f file, r io.Reader) ([]byte, error) {
	if f.size > scanLimit {
		return nil, nil
	}
	content, err := io.ReadAll(io.LimitReader(r, scanLimit))
	if err != nil {
		return nil, err
	}
	if kind := secretFile(f.name, content); kind != "" {
		fs.secrets = append(fs.secrets, rule("WM-IM-010").At(
			fmt.Sprintf("%s in layer %d (%s) holds a %s", f.name, index+1, short(digest), kind),
			Location{Path: f.name}))
	}
	return content, nil
}

// lookup resolves p in the image as the kernel would: symbolic links in every component are
// followed (at most 40), hard links lead to their target. It returns the file, the
// directories passed on the way, and whether the path exists.
func (fs *imageFS) lookup(p string) (file, []file, bool) {
	var dirs []file
	hops := 0
	cur := "/"
	rest := strings.Split(strings.Trim(path.Clean("/"+p), "/"), "/")
	for len(rest) > 0 {
		comp := rest[0]
		rest = rest[1:]
		if comp == "" || comp == "." {
			continue
		}
		if comp == ".." {
			cur = path.Dir(cur)
			continue
		}
		if d, ok := fs.files[cur]; ok {
			dirs = append(dirs, d)
		}
		next := path.Join(cur, comp)
		f, ok := fs.files[next]
		if !ok {
			return file{}, dirs, false
		}
		for f.typ == tar.TypeLink && hops < 40 {
			hops++
			if f, ok = fs.files[f.linkname]; !ok {
				return file{}, dirs, false
			}
		}
		if f.isSymlink() {
			hops++
			if hops > 40 {
				return file{}, dirs, false
			}
			target := f.linkname
			if !strings.HasPrefix(target, "/") {
				target = path.Join(cur, target)
			}
			rest = append(strings.Split(strings.Trim(path.Clean(target), "/"), "/"), rest...)
			cur = "/"
			continue
		}
		if len(rest) == 0 {
			return f, dirs, true
		}
		cur = next
	}
	f, ok := fs.files[cur]
	if cur == "/" && !ok {
		return file{name: "/", typ: tar.TypeDir, mode: 0o755}, dirs, true
	}
	return f, dirs, ok
}

// sortedFiles returns the filesystem's paths in order.
func (fs *imageFS) sortedFiles() []file {
	out := make([]file, 0, len(fs.files))
	for _, f := range fs.files {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
