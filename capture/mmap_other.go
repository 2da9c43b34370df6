//go:build !linux || !(amd64 || arm64 || loong64 || mips64 || mips64le || ppc64 || ppc64le || riscv64 || s390x)

package capture

import "os"

// mapReader reads a file through a memory mapping on 64-bit Linux
// (mmap_linux.go). Elsewhere no file is mapped and files are read through
// a buffer; the embedded reader is never set, it only makes the type a
// reader.
type mapReader struct{ reader }

func mapFile(*os.File) *mapReader { return nil }

func (*mapReader) holds(uintptr) bool { return false }

func (*mapReader) close() error { return nil }

// The release window of mmap_linux.go, for the tests that set it.
var mapReleaseStep, mapKeepBehind int64
