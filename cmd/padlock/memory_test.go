package main

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lineCounter counts NDJSON lines and the evicted connections among them
// without keeping the output, so that the test measures padlock's memory.
type lineCounter struct {
	lines, evicted int
	rest           []byte
}

func (l *lineCounter) Write(p []byte) (int, error) {
	b := append(l.rest, p...)
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			break
		}
		l.lines++
		if bytes.Contains(b[:i], []byte(`"end_seen":"idle"`)) {
			l.evicted++
		}
		b = b[i+1:]
	}
	l.rest = append(l.rest[:0], b...)
	return len(p), nil
}

// --max-memory holds the live heap under the cap on connections that never
// end (issue 6): the oldest are ended early, reported as idle and counted,
// and none is lost.
func TestMaxMemoryEvictsOldest(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 47 MB capture")
	}
	const flows = 60000
	path := filepath.Join(t.TempDir(), "idle.pcap")
	cmd := exec.Command("go", "run", "./bench/gen", "-kind", "idle", "-conns", strconv.Itoa(flows), "-bytes", "1", "-out", path)
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Cleanup(func() { debug.SetMemoryLimit(math.MaxInt64); os.Remove(path) })

	// The peak live heap, sampled while padlock runs in this process.
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
		}
	}()
	var lc lineCounter
	var stderr strings.Builder
	code := run([]string{"-r", path, "--max-flows", "0", "--max-memory", "64", "--stats"}, nil, &lc, &stderr)
	close(stop)
	<-done
	require.Equal(t, exitOK, code, stderr.String())

	assert.Equal(t, flows, lc.lines, "every connection is reported")
	assert.Greater(t, lc.evicted, flows/2, "most were ended early")
	m := regexp.MustCompile(`evictions\s+(\d+)`).FindStringSubmatch(stderr.String())
	require.NotNil(t, m, stderr.String())
	n, _ := strconv.Atoi(m[1])
	assert.Equal(t, lc.evicted, n, "--stats counts them")
	assert.Less(t, peak.Load(), uint64(64<<20), "live heap under the cap (peak %d MiB)", peak.Load()>>20)
	t.Logf("%d connections, %d evicted, peak live heap %d MiB", lc.lines, lc.evicted, peak.Load()>>20)

	// Without the cap they all stay open to the end.
	var all lineCounter
	stderr.Reset()
	debug.SetMemoryLimit(math.MaxInt64)
	require.Equal(t, exitOK, run([]string{"-r", path, "--max-flows", "0"}, nil, &all, &stderr), stderr.String())
	assert.Equal(t, flows, all.lines)
	assert.Zero(t, all.evicted)
}
