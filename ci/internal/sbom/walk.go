package sbom

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// maxELF is the largest ELF file read into memory for its Go build information. Larger files
// are still listed and hashed, but a Go binary above it is described as a plain file: 512 MiB
// is far beyond any static service binary, and the bound keeps a hostile image from
// exhausting memory.
const maxELF = 512 << 20

var elfMagic = []byte{0x7f, 'E', 'L', 'F'}

// entry is one regular file of the image's flattened filesystem.
type entry struct {
	path       string // absolute, cleaned
	size       int64
	mode       int64
	uid, gid   int
	sha256     string // hex
	goBuild    *buildinfo.BuildInfo
	elf        bool
	notScanned string // why an ELF file's build information was not read
}

// walk reads every regular file of img's flattened filesystem (later layers and whiteouts
// applied), hashing each and reading the Go build information of ELF executables.
func walk(img v1.Image) ([]entry, error) {
	rc := mutate.Extract(img)
	defer rc.Close()

	var out []entry
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the image's filesystem: %w", err)
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
			continue
		}
		e := entry{path: path.Clean("/" + h.Name), size: h.Size, mode: h.Mode, uid: h.Uid, gid: h.Gid}
		if err := e.read(tr); err != nil {
			return nil, fmt.Errorf("reading %s in the image: %w", e.path, err)
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

// read hashes the file's content and, for an ELF file small enough, keeps it in memory long
// enough to parse it and read its Go build information.
func (e *entry) read(r io.Reader) error {
	h := sha256.New()
	head := make([]byte, len(elfMagic))
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	head = head[:n]
	h.Write(head)
	e.elf = bytes.Equal(head, elfMagic)

	if !e.elf || e.size > maxELF {
		if e.elf {
			e.notScanned = fmt.Sprintf("larger than %d bytes", maxELF)
		}
		if _, err := io.Copy(h, r); err != nil {
			return err
		}
		e.sha256 = hex.EncodeToString(h.Sum(nil))
		return nil
	}

	var buf bytes.Buffer
	buf.Grow(int(min(e.size, 64<<20))) // a header can claim more than the layer holds
	buf.Write(head)
	if _, err := io.Copy(io.MultiWriter(&buf, h), r); err != nil {
		return err
	}
	e.sha256 = hex.EncodeToString(h.Sum(nil))
	e.goBuild, e.notScanned = goBuildInfo(buf.Bytes())
	return nil
}

// goBuildInfo returns the Go build information of an ELF file, or nil and the reason when it
// is not a Go executable or cannot be parsed.
func goBuildInfo(b []byte) (*buildinfo.BuildInfo, string) {
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return nil, "not a valid ELF file: " + err.Error()
	}
	f.Close()
	bi, err := buildinfo.Read(bytes.NewReader(b))
	if err != nil {
		return nil, "" // an ELF file that is not a Go executable: nothing to report
	}
	return bi, ""
}
