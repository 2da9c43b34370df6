package capture

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// opener makes a Source of a capture's bytes.
type opener func(t testing.TB, b []byte) (*Source, error)

// bufferedSource reads b through a bufio.Reader, as stdin is read.
func bufferedSource(_ testing.TB, b []byte) (*Source, error) {
	return NewSource(bytes.NewReader(b))
}

// fileSource writes b to a file and opens it as Open does (mapped where
// the platform allows), but without a name, so that errors read as
// bufferedSource's do.
func fileSource(t testing.TB, b []byte) (*Source, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "capture")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	f, err := os.Open(path)
	require.NoError(t, err)
	var s *Source
	if mr := mapFile(f); mr != nil {
		s, err = newMappedSource(mr, "")
	} else {
		s, err = newSource(f, "")
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	s.file = f
	t.Cleanup(func() { s.Close() })
	return s, nil
}

// eachReader runs test with a source read through a buffer and with one
// read from a (mapped) file.
func eachReader(t *testing.T, test func(t *testing.T, open opener)) {
	t.Run("buffered", func(t *testing.T) { test(t, bufferedSource) })
	t.Run("file", func(t *testing.T) { test(t, fileSource) })
}

// canMap reports whether this platform reads files through a mapping.
func canMap(t testing.TB) bool {
	path := filepath.Join(t.TempDir(), "probe")
	require.NoError(t, os.WriteFile(path, []byte("probe"), 0o644))
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	mr := mapFile(f)
	if mr == nil {
		return false
	}
	require.NoError(t, mr.close())
	return true
}

// smallMapWindow makes mappings release pages behind the read position
// after every page read, for the duration of the test.
func smallMapWindow(t testing.TB) {
	step, keep := mapReleaseStep, mapKeepBehind
	page := int64(os.Getpagesize())
	mapReleaseStep, mapKeepBehind = page, page
	t.Cleanup(func() { mapReleaseStep, mapKeepBehind = step, keep })
}

// reading is everything a source gave: packets, the error that ended
// it, warnings, secrets.
type reading struct {
	packets []Packet
	err     string
	warns   []string
	secrets [][]byte
}

// readEverything reads s to its end with next (s.Next or s.NextShared),
// keeping each packet as returned (Data not copied).
func readEverything(t testing.TB, s *Source, next func() (Packet, error)) reading {
	t.Helper()
	var r reading
	for {
		p, err := next()
		if err != nil {
			r.err = err.Error()
			break
		}
		r.packets = append(r.packets, p)
		require.Less(t, len(r.packets), 1<<20, "runaway source")
	}
	r.warns, r.secrets = s.Warnings(), s.Secrets()
	return r
}

// requireSameReading checks that a mapped file reads exactly as the
// buffered path reads it, with Next and (Data kept, not copied, to the
// end) with NextShared.
func requireSameReading(t *testing.T, b []byte) {
	t.Helper()
	for _, shared := range []bool{false, true} {
		want, werr := bufferedSource(t, b)
		got, gerr := fileSource(t, b)
		if werr != nil || gerr != nil {
			require.Equal(t, fmt.Sprint(werr), fmt.Sprint(gerr))
			return
		}
		next := got.Next
		if shared {
			next = got.NextShared
		}
		require.Equal(t, readEverything(t, want, want.Next), readEverything(t, got, next), "shared %v", shared)
	}
}

// The bundled captures, the fuzz seeds and the fuzz corpus read the same
// mapped as buffered: packets (frames, times, data), warnings, errors.
// Pages behind the read position are released after every page, and the
// Data kept from NextShared is still right at the end.
func TestMappedMatchesBuffered(t *testing.T) {
	smallMapWindow(t)
	for _, path := range sampleCaptures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			requireSameReading(t, b)
		})
	}
	t.Run("seeds", func(t *testing.T) {
		for _, b := range seedCaptures(t) {
			requireSameReading(t, b)
		}
	})
	t.Run("corpus", func(t *testing.T) {
		for _, b := range fuzzCorpus(t, "FuzzSource") {
			requireSameReading(t, b)
		}
	})
}

// fuzzCorpus reads the committed corpus of a fuzz target whose one
// argument is a []byte.
func fuzzCorpus(t testing.TB, name string) [][]byte {
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", name, "*"))
	require.NoError(t, err)
	var out [][]byte
	for _, file := range files {
		text, err := os.ReadFile(file)
		require.NoError(t, err)
		lines := strings.Split(strings.TrimSpace(string(text)), "\n")
		require.Len(t, lines, 2, file)
		lit, ok := strings.CutPrefix(lines[1], "[]byte(")
		require.True(t, ok, file)
		b, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
		require.NoError(t, err, file)
		out = append(out, []byte(b))
	}
	return out
}

// writeFile writes b to a new file and returns its path.
func writeFile(t testing.TB, b []byte) string {
	path := filepath.Join(t.TempDir(), "capture.pcap")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return path
}

func TestStable(t *testing.T) {
	file := benchCapture(t, false, 10, 100)
	path := writeFile(t, file)

	s, err := Open(path, nil)
	require.NoError(t, err)
	assert.Equal(t, canMap(t), s.Stable(), "a plain file is mapped where the platform allows")
	require.NoError(t, s.Close())
	assert.False(t, s.Stable(), "closed")

	s, err = Open(writeFile(t, gz(t, file)), nil)
	require.NoError(t, err)
	assert.False(t, s.Stable(), "gzip is read through a buffer")
	require.NoError(t, s.Close())

	s, err = Open("-", bytes.NewReader(file))
	require.NoError(t, err)
	assert.False(t, s.Stable(), "stdin")

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	s, err = NewSource(f)
	require.NoError(t, err)
	assert.False(t, s.Stable(), "NewSource reads through a buffer")

	// An empty file is not mapped, and says so as before.
	empty := writeFile(t, nil)
	_, err = Open(empty, nil)
	assert.EqualError(t, err, "capture: "+empty+": not a pcap or pcapng file (empty)")
}

// Stable Data stays valid and unchanged through later reads (and the
// release of the pages behind them), up to Close.
func TestStableDataOutlivesReads(t *testing.T) {
	if !canMap(t) {
		t.Skip("files are not mapped on this platform")
	}
	smallMapWindow(t)
	for _, ng := range []bool{false, true} {
		file := benchCapture(t, ng, 3000, 1400) // some 4 MB
		want, err := readAll(t, mustSource(t, file))
		require.Equal(t, io.EOF, err)
		s, err := Open(writeFile(t, file), nil)
		require.NoError(t, err)
		require.True(t, s.Stable())
		got := readEverything(t, s, s.NextShared)
		assert.Equal(t, "EOF", got.err)
		require.Equal(t, want, got.packets, "pcapng %v", ng)
		for _, p := range got.packets {
			require.Equal(t, len(p.Data), cap(p.Data), "capacity limited to the data")
		}
		require.NoError(t, s.Close())
	}
}

func mustSource(t testing.TB, b []byte) *Source {
	s, err := NewSource(bytes.NewReader(b))
	require.NoError(t, err)
	return s
}

// A file that grows while it is read (tcpdump still writing it) is read
// on into what was added, each time it is used up, cut anywhere: the
// packets are those of the whole file.
func TestMappedGrowingFile(t *testing.T) {
	for _, ng := range []bool{false, true} {
		file := benchCapture(t, ng, 3000, 1400)
		want, err := readAll(t, mustSource(t, file))
		require.Equal(t, io.EOF, err)

		path := filepath.Join(t.TempDir(), "growing.pcap")
		cuts := []int{100_000, 100_001, 1_500_000, 1_500_007, 3_000_003, len(file)}
		require.NoError(t, os.WriteFile(path, file[:cuts[0]], 0o644))
		s, err := Open(path, nil)
		require.NoError(t, err)
		defer s.Close()
		w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		require.NoError(t, err)
		defer w.Close()

		var got []Packet
		for i, cut := range cuts {
			if i > 0 {
				_, err := w.Write(file[cuts[i-1]:cut])
				require.NoError(t, err)
			}
			// Read the packets that are whole in the file so far (reading
			// on would end the capture, at a cut packet).
			for len(got) < len(want) && packetEnd(want, len(got), ng, file) <= cut {
				p, err := s.NextShared()
				require.NoError(t, err)
				got = append(got, p)
			}
		}
		_, err = s.NextShared()
		require.Equal(t, io.EOF, err)
		assert.Equal(t, want, got, "pcapng %v", ng)
		assert.Empty(t, s.Warnings())
	}
}

// packetEnd is the file offset after packet i of a benchCapture file
// (whose packets are all the same size), including what follows it up
// to the next packet.
func packetEnd(ps []Packet, i int, ng bool, file []byte) int {
	if !ng {
		return pcapFileHeaderLen + (i+1)*(pcapRecordHeaderLen+len(ps[i].Data))
	}
	// Every packet block is the same size, and last in the file.
	pad := (4 - len(ps[i].Data)%4) % 4
	epb := epbMinLen + len(ps[i].Data) + pad
	return len(file) - (len(ps)-i-1)*epb
}

// A file cut shorter after Open faults when its lost end is read; Next
// says so, and no crash.
func TestMappedFileShrank(t *testing.T) {
	if !canMap(t) {
		t.Skip("files are not mapped on this platform")
	}
	for _, ng := range []bool{false, true} {
		for _, size := range []int64{0, 4096, 1 << 20} {
			file := benchCapture(t, ng, 3000, 1400)
			path := writeFile(t, file)
			s, err := Open(path, nil)
			require.NoError(t, err)
			require.True(t, s.Stable())
			_, err = s.NextShared()
			require.NoError(t, err)
			require.NoError(t, os.Truncate(path, size))
			// Bytes between the new end and the end of its page read
			// as zeros: a few bogus packets may come before the fault.
			got := readEverything(t, s, s.NextShared)
			assert.Equal(t, "capture: "+path+": the file shrank while being read", got.err, "pcapng %v, size %d", ng, size)
			_, err = s.Next()
			assert.EqualError(t, err, got.err, "sticky")
			require.NoError(t, s.Close())
		}
	}
}

// A fault that is not on the mapping is not taken for a shrunk file.
func TestMappedOtherPanics(t *testing.T) {
	s := &Source{mr: &mapReader{}}
	assert.PanicsWithValue(t, "other", func() { s.fault("other") })
}

// TestSharedMatchesCopying, for mapped files: NextShared with Data in
// the mapping gives exactly what Next gives.
func TestMappedSharedMatchesCopying(t *testing.T) {
	for _, path := range sampleCaptures(t) {
		a, err := Open(path, nil)
		require.NoError(t, err)
		b, err := Open(path, nil)
		require.NoError(t, err)
		assert.Equal(t, readEverything(t, a, a.Next), readEverything(t, b, b.NextShared), path)
		require.NoError(t, a.Close())
		require.NoError(t, b.Close())
	}
}

// FuzzMapped reads fuzzer-made files mapped and through the buffer: the
// same packets, warnings and errors, with pages released after every page.
func FuzzMapped(f *testing.F) {
	for _, b := range seedCaptures(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		smallMapWindow(t)
		requireSameReading(t, b)
	})
}
