//go:build linux && (amd64 || arm64 || loong64 || mips64 || mips64le || ppc64 || ppc64le || riscv64 || s390x)

package capture

import (
	"bufio"
	"io"
	"os"
	"syscall"
	"unsafe"
)

// A 64-bit address space holds a mapping of any capture file; a 32-bit
// one does not (mmap_other.go reads through a buffer there).

// What a mapping keeps resident. The pages of a file mapping that were
// read count in the process's resident memory until they are unmapped or
// released, so the pages well behind the read position are released with
// MADV_DONTNEED in steps: after every mapReleaseStep bytes read, the pages
// more than mapKeepBehind bytes back. For a private read-only file mapping
// that is safe even while someone still reads those bytes (a Stable
// caller's kept Data): they fault back in from the page cache, with the
// same content. The window keeps that rare for data a pipeline is still
// busy with, and bounds what the mapping adds to the resident memory to
// about mapKeepBehind+mapReleaseStep. (A released page that is read again
// stays resident until Close.) Variables so that tests can make them small.
var (
	mapReleaseStep int64 = 2 << 20
	mapKeepBehind  int64 = 4 << 20
)

// mapping is one mmap of the file, from the page-aligned offset base.
type mapping struct {
	base int64
	b    []byte
}

// mapReader reads a file through read-only mappings of it. It starts with
// one of the whole file; when a read needs bytes past its end and the file
// has grown (tcpdump is still writing it), it maps the file again from the
// read position to the new end and goes on there. Earlier mappings stay
// until close, because packets may still point into them.
type mapReader struct {
	f        *os.File
	maps     []mapping // every mapping made, the current one last
	cur      []byte    // the current mapping's bytes
	base     int64     // its file offset
	pos      int       // read position in cur
	released int64     // the file's pages before this offset are released (in every mapping)
	touched  int       // cur is read ahead (touch) up to here
	sink     byte      // where touch puts what it reads, so that it is not optimised away
}

// mapFile maps f if it is a regular, non-empty, uncompressed file whose
// mapping succeeds, and returns nil otherwise: the caller reads it through
// a buffer then. It leaves f's file offset alone.
func mapFile(f *os.File) *mapReader {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 || fi.Size() > maxMapped {
		return nil
	}
	// gzip is read through gzip.Reader, which wants an io.Reader anyway.
	var magic [2]byte
	if n, _ := f.ReadAt(magic[:], 0); n == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		return nil
	}
	m := &mapReader{f: f}
	if !m.mapFrom(0, fi.Size()) {
		return nil
	}
	return m
}

// mapFrom maps the file from offset base (page-aligned) to size and makes
// that the current mapping, keeping the read position.
func (m *mapReader) mapFrom(base, size int64) bool {
	if size-base > int64(^uint(0)>>1) {
		return false
	}
	b, err := syscall.Mmap(int(m.f.Fd()), base, int(size-base), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		return false
	}
	// Sequential: a file not in the page cache is read ahead in large
	// steps, as read(2) would, rather than around each fault. (Runs from
	// a cold cache on this VM varied too much, 1.7-5.2 s for the same
	// 2.6 GB, to measure the difference; a cached file reads the same
	// with or without.) MADV_HUGEPAGE and MADV_POPULATE_READ ahead
	// changed nothing measurable; see touch for what did.
	_ = syscall.Madvise(b, syscall.MADV_SEQUENTIAL)
	off := m.base + int64(m.pos)
	m.maps = append(m.maps, mapping{base: base, b: b})
	m.cur, m.base, m.pos = b, base, int(off-base)
	m.touched = m.pos
	return true
}

// grow makes the current mapping hold n bytes from the read position if
// the file has grown enough since it was mapped, and reports whether it
// does.
func (m *mapReader) grow(n int) bool {
	fi, err := m.f.Stat()
	end := m.base + int64(len(m.cur))
	if err != nil || fi.Size() <= end {
		return false
	}
	off := m.base + int64(m.pos)
	page := int64(os.Getpagesize())
	if !m.mapFrom(off-off%page, fi.Size()) {
		return false
	}
	return n <= len(m.cur)-m.pos
}

// Peek returns the next n bytes, a slice of the mapping, without
// consuming them; fewer, with io.EOF, when the file ends first.
func (m *mapReader) Peek(n int) ([]byte, error) {
	if n < 0 {
		return nil, bufio.ErrNegativeCount
	}
	if n > len(m.cur)-m.pos && !m.grow(n) {
		b := m.cur[m.pos:]
		return b[:len(b):len(b)], io.EOF
	}
	return m.cur[m.pos : m.pos+n : m.pos+n], nil
}

// Discard consumes n bytes, fewer with io.EOF when the file ends first.
func (m *mapReader) Discard(n int) (int, error) {
	if n < 0 {
		return 0, bufio.ErrNegativeCount
	}
	var err error
	if n > len(m.cur)-m.pos && !m.grow(n) {
		n, err = len(m.cur)-m.pos, io.EOF
	}
	m.advance(n)
	return n, err
}

// Read copies the next bytes into p.
func (m *mapReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if m.pos == len(m.cur) && !m.grow(1) {
		return 0, io.EOF
	}
	n := copy(p, m.cur[m.pos:])
	m.advance(n)
	return n, nil
}

// advance moves the read position n bytes on, reads ahead, and releases
// the pages far enough behind it.
func (m *mapReader) advance(n int) {
	m.pos += n
	off := m.base + int64(m.pos)
	if m.pos+touchAhead > m.touched && m.touched < len(m.cur) {
		m.touch()
	}
	if off-m.released < mapKeepBehind+mapReleaseStep {
		return
	}
	page := int64(os.Getpagesize())
	to := off - mapKeepBehind
	to -= to % page
	for _, mp := range m.maps {
		lo, hi := max(mp.base, m.released), min(mp.base+int64(len(mp.b)), to)
		if lo < hi {
			_ = syscall.Madvise(mp.b[lo-mp.base:hi-mp.base], syscall.MADV_DONTNEED)
		}
	}
	m.released = to
}

// maxMapped is the largest file read through a mapping. The page tables
// of a mapping stay until it is unmapped, at Close (8 bytes for each 4 KiB
// page read: 16 MiB for 8 GiB); a larger file is read through a buffer.
const maxMapped = 8 << 30

// Reading ahead. Each packet's header says where the next one starts, so
// reading a mapping goes from one cache miss to the next, each waiting for
// memory (a copy out of the page cache streams instead, at full
// bandwidth). Loading one byte of every cache line some way ahead of the
// read position, in chunks, lets the loads overlap and the headers be in
// the cache when they are read: 0.7 s down to 0.5 s to read 2.6 GB.
const (
	touchAhead = 256 << 10
	touchChunk = 64 << 10
	cacheLine  = 64
)

// touch reads the next chunk ahead of the read position.
func (m *mapReader) touch() {
	m.touched = max(m.touched, m.pos)
	end := min(len(m.cur), m.touched+touchChunk)
	var x byte
	for i := m.touched; i < end; i += cacheLine {
		x += m.cur[i]
	}
	m.sink += x
	m.touched = end
}

// holds reports whether addr lies in one of the mappings.
func (m *mapReader) holds(addr uintptr) bool {
	if m == nil {
		return false
	}
	for _, mp := range m.maps {
		start := uintptr(unsafe.Pointer(unsafe.SliceData(mp.b)))
		if addr >= start && addr-start < uintptr(len(mp.b)) {
			return true
		}
	}
	return false
}

// close unmaps every mapping. The file is the caller's to close.
func (m *mapReader) close() error {
	var err error
	for _, mp := range m.maps {
		if e := syscall.Munmap(mp.b); e != nil && err == nil {
			err = e
		}
	}
	m.maps, m.cur, m.pos = nil, nil, 0
	return err
}
