package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/capture"
	"github.com/padlock-tls/padlock/pcaps/hostile"
)

// workerCounts are the --workers values compared with --workers 1.
var workerCounts = []int{2, 3, 7}

// sameForEveryN runs padlock with args and each worker count and requires
// stdout byte-identical to --workers 1's.
func sameForEveryN(t *testing.T, args ...string) {
	t.Helper()
	want, errOut, code := runPadlock(append(args, "--workers", "1")...)
	require.Equal(t, 0, code, "stderr: %s", errOut)
	for _, n := range workerCounts {
		got, errOut, code := runPadlock(append(args, "--workers", strconv.Itoa(n))...)
		require.Equal(t, 0, code, "--workers %d: stderr: %s", n, errOut)
		if got != want {
			t.Errorf("--workers %d: output differs from --workers 1 (%d bytes against %d)", n, len(got), len(want))
		}
	}
}

// TestWorkersSameOutput: every bundled capture gives byte-identical JSON
// for --workers 1, 2, 3 and 7, text for a few, and the same with their key
// logs.
func TestWorkersSameOutput(t *testing.T) {
	for i, path := range allCaptures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			sameForEveryN(t, append([]string{"-r", path, "--format", "json"}, goldenFlags...)...)
			if i%4 == 0 {
				sameForEveryN(t, append([]string{"-r", path, "--format", "text"}, goldenFlags...)...)
			}
			if kl := keylogFor(path); kl != "" {
				sameForEveryN(t, append([]string{"-r", path, "--format", "json", "--keylog", kl}, goldenFlags...)...)
			}
		})
	}
}

// TestWorkersHostile: the hostile captures (forged RSTs, tuple reuse,
// --max-held, reordering, gaps, a SYN flood) give the same output for
// every worker count too. (The SYN flood fills the flow table, a cap
// shared out between workers: what stderr counts differs, but the
// connections refused are half-open ones that carry no TLS.)
func TestWorkersHostile(t *testing.T) {
	for _, c := range hostile.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			in := c.Build()
			runN := func(n int) (string, int) {
				var out, errOut bytes.Buffer
				args := append([]string{"-r", "-", "--format", "json", "--workers", strconv.Itoa(n)}, hostileArgs[c.Name]...)
				code := run(args, bytes.NewReader(in), &out, &errOut)
				return out.String(), code
			}
			want, wantCode := runN(1)
			// With 7 workers, rst-in-window's data_after_rst names a
			// connection whose ID in its worker is not its global one.
			for _, n := range workerCounts {
				got, code := runN(n)
				assert.Equal(t, wantCode, code, "--workers %d: exit code", n)
				assert.True(t, want == got, "--workers %d: output differs from --workers 1", n)
			}
		})
	}
}

// TestWorkersFlag: --workers must be at least 1.
func TestWorkersFlag(t *testing.T) {
	_, errOut, code := runPadlock("-r", "../../pcaps/tls13-basic.pcap", "--workers", "0")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--workers")
}

var (
	genOnce sync.Once
	genPath string
	genErr  error
)

// generated is a capture of 3000 real handshakes from bench/gen, made once
// per test binary run.
func generated(t testing.TB) string {
	t.Helper()
	genOnce.Do(func() {
		dir, err := os.MkdirTemp("", "padlock-workers")
		if err != nil {
			genErr = err
			return
		}
		genPath = filepath.Join(dir, "x.pcap")
		cmd := exec.Command("go", "run", "./bench/gen", "-kind", "handshake", "-conns", "3000", "-bytes", "20000000", "-out", genPath)
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			genErr = err
			t.Logf("bench/gen: %s", out)
		}
	})
	if genErr != nil {
		t.Skipf("bench/gen: %v", genErr)
	}
	return genPath
}

// TestWorkersGenerated: a capture of thousands of overlapping connections
// (resumptions, RSTs, reused tuples, IPv6) is byte-identical with 1 and 2
// workers, in JSON and as a summary.
func TestWorkersGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 20 MB capture")
	}
	path := generated(t)
	for _, format := range []string{"json", "summary"} {
		want, errOut, code := runPadlock("-r", path, "--format", format, "--workers", "1")
		require.Equal(t, 0, code, "stderr: %s", errOut)
		got, errOut, code := runPadlock("-r", path, "--format", format, "--workers", "2")
		require.Equal(t, 0, code, "stderr: %s", errOut)
		require.Equal(t, len(want), len(got), format)
		assert.True(t, want == got, "%s: --workers 2 differs from --workers 1", format)
	}
}

// TestWorkersManyEndAtOnce: thousands of connections that never close end
// together, at the end of input, in an idle timeout flush and under
// --max-memory: the workers send them to the merger in chunks (more
// results in one round), and the output is still the one of one worker.
func TestWorkersManyEndAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a capture")
	}
	path := filepath.Join(t.TempDir(), "idle.pcap")
	cmd := exec.Command("go", "run", "./bench/gen", "-kind", "idle", "-conns", "3000", "-bytes", "1", "-out", path)
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, flags := range [][]string{
		{"--max-flows", "0"},                           // all end at the end of input
		{"--max-flows", "0", "--flow-timeout", "50ms"}, // in idle flushes
	} {
		args := append([]string{"-r", path}, flags...)
		want, errOut, code := runPadlock(append(args, "--workers", "1")...)
		require.Equal(t, 0, code, "stderr: %s", errOut)
		require.Equal(t, 3000, strings.Count(want, "\n"), "every connection is reported")
		for _, n := range []string{"2", "3"} {
			got, errOut, code := runPadlock(append(args, "--workers", n)...)
			require.Equal(t, 0, code, "stderr: %s", errOut)
			assert.True(t, want == got, "%v: --workers %s differs from --workers 1", flags, n)
		}
	}
}

// BenchmarkWorkers compares 1 and 2 workers on the generated capture
// (run it on an idle machine: with a core busy, 2 workers cannot win).
func BenchmarkWorkers(b *testing.B) {
	path := generated(b)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 2} {
		b.Run("workers="+strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(st.Size())
			b.ReportAllocs()
			for b.Loop() {
				if code := run([]string{"-r", path, "-q", "--format", "json", "--workers", strconv.Itoa(n)},
					strings.NewReader(""), io.Discard, io.Discard); code != exitOK {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}

// TestWorkersSecretsMidFile: a pcapng Decryption Secrets Block in the
// middle of the file decrypts, with any number of workers, what it
// decrypts with one: the workers read ahead of the reader, and must not
// see the secrets before the packets after them.
func TestWorkersSecretsMidFile(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"tls13-basic", "tls12-basic"} {
		keylog, err := os.ReadFile(filepath.Join("..", "..", "pcaps", name+".keylog"))
		require.NoError(t, err)
		src, err := capture.Open(filepath.Join("..", "..", "pcaps", name+".pcap"), nil)
		require.NoError(t, err)
		var packets []capture.Packet
		for {
			p, err := src.Next()
			if err != nil {
				break
			}
			packets = append(packets, p)
		}
		src.Close()
		require.NotEmpty(t, packets)
		for _, at := range []int{1, len(packets) / 3, len(packets) / 2, len(packets) - 1} {
			path := filepath.Join(dir, name+"-"+strconv.Itoa(at)+".pcapng")
			f, err := os.Create(path)
			require.NoError(t, err)
			save := capture.NewSaver(f, "", "", capture.DefaultSnaplen)
			for i, p := range packets {
				if i == at {
					require.NoError(t, save.WriteSecrets(keylog))
				}
				require.NoError(t, save.Write(p))
			}
			require.NoError(t, save.Close(packets[0].LinkType, nil))
			require.NoError(t, f.Close())
			sameForEveryN(t, append([]string{"-r", path, "--format", "json"}, goldenFlags...)...)
		}
	}
}

// TestWorkersStats: --stats adds up the workers' counters to what one
// tracker counts (all but the timings).
func TestWorkersStats(t *testing.T) {
	counters := func(stderr string) []string {
		var out []string
		for _, line := range strings.Split(stderr, "\n") {
			if !strings.Contains(line, "elapsed") && !strings.Contains(line, "rate ") {
				out = append(out, line)
			}
		}
		return out
	}
	paths := []string{"../../pcaps/tls13-resumption.pcap", "../../pcaps/tls13-reorder-retrans.pcap", "../../pcaps/tls12-lost-segment.pcap"}
	if !testing.Short() {
		paths = append(paths, generated(t))
	}
	for _, path := range paths {
		_, want, code := runPadlock("-r", path, "--stats", "--workers", "1")
		require.Equal(t, 0, code, want)
		require.Contains(t, want, "tcp connections")
		for _, n := range workerCounts {
			_, got, code := runPadlock("-r", path, "--stats", "--workers", strconv.Itoa(n))
			require.Equal(t, 0, code, got)
			assert.Equal(t, counters(want), counters(got), "%s, --workers %d", path, n)
		}
	}
}

// TestWorkersCount: -c stops every worker count at the same packet.
func TestWorkersCount(t *testing.T) {
	for _, c := range []string{"1", "7", "20"} {
		sameForEveryN(t, "-r", "../../pcaps/tls13-resumption.pcap", "--format", "json", "-c", c)
	}
}
