package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"

	"github.com/padlock-tls/padlock/capture"
	"github.com/padlock-tls/padlock/reassembly"
)

// perfOptions are --stats and --max-memory.
type perfOptions struct {
	stats     bool
	maxMemory int // MiB, 0: no cap
}

// addPerfFlags registers --stats.
func addPerfFlags(fs *pflag.FlagSet, p *perfOptions) {
	fs.BoolVar(&p.stats, "stats", false, "at the end, print counters on stderr: packets, bytes, TCP and TLS connections,\nrecords, gaps, evictions, caps hit, decode errors, elapsed time and rate")
	fs.Var((*mebibytes)(&p.maxMemory), "max-memory", "keep padlock's resident memory under `MIB` MiB (or with a unit: 512M, 2G): past it, the\nconnections idle for longest are ended early (end_seen \"idle\", counted in --stats) (0: no cap)")
}

// monitor counts what the file pipeline reads, draws the progress line on
// stderr (a terminal, reading a file, without -q) and prints --stats at
// the end. packet is on the hot path: it only counts, and looks at the
// clock once every progressEvery packets.
type monitor struct {
	start   time.Time
	packets int64
	bytes   int64
	stderr  io.Writer
	stats   bool

	// progress line
	progress bool
	file     *os.File // the capture file, for its read position
	size     int64
	next     int64 // packet count at which to look at the clock again
	last     time.Time
	drawn    int // length of the line on screen
	conns    func() int

	mem *memGuard
}

const (
	progressEvery    = 1 << 14
	progressInterval = 250 * time.Millisecond
)

func newMonitor(o options, src *capture.Source, conns func() int, evict func(share float64) int, stderr io.Writer) *monitor {
	m := &monitor{start: time.Now(), stderr: stderr, stats: o.perf.stats, next: progressEvery}
	m.conns = conns
	m.mem = newMemGuard(o, evict)
	if o.quiet || o.read == "-" || !isTTY(stderr) {
		return m
	}
	f, err := os.Open(o.read)
	if err != nil {
		return m
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return m
	}
	m.progress, m.file, m.size, m.last = true, f, st.Size(), m.start
	return m
}

// packet counts one packet of n captured bytes.
func (m *monitor) packet(n int) {
	m.packets++
	m.bytes += int64(n)
	if m.packets >= m.next {
		m.next = m.packets + progressEvery
		if m.mem.active() {
			// A dense capture opens thousands of flows between checks.
			m.next = m.packets + memoryEvery
			m.mem.check()
		}
		if !m.progress {
			return
		}
		if now := time.Now(); now.Sub(m.last) >= progressInterval {
			m.last = now
			m.draw(now)
		}
	}
}

// readPos is how far into the file reading has got, from the bytes of the
// packets read and their record headers (exact for pcap, close for pcapng
// and for a gzip'd file, whose size is compressed, an upper bound).
func (m *monitor) readPos() int64 {
	return min(m.bytes+16*m.packets+24, m.size)
}

func (m *monitor) draw(now time.Time) {
	el := now.Sub(m.start).Seconds()
	pos := m.readPos()
	rate := float64(pos) / el
	line := fmt.Sprintf("padlock: %s of %s (%.0f%%), %d packets, %d connections, %.1f MB/s",
		mib(pos), mib(m.size), 100*float64(pos)/float64(max(m.size, 1)), m.packets, m.conns(), rate/1e6)
	if rate > 0 && pos < m.size {
		line += fmt.Sprintf(", ETA %s", (time.Duration(float64(m.size-pos)/rate) * time.Second).Round(time.Second))
	}
	pad := ""
	if n := m.drawn - len(line); n > 0 {
		pad = fmt.Sprintf("%*s", n, "")
	}
	fmt.Fprintf(m.stderr, "\r%s%s", line, pad)
	m.drawn = len(line)
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// finish clears the progress line and prints --stats.
func (m *monitor) finish(ts reassembly.Stats, ds capture.DecodeStats, h *handler) {
	if m.drawn > 0 {
		fmt.Fprintf(m.stderr, "\r%*s\r", m.drawn, "")
	}
	if m.file != nil {
		m.file.Close()
	}
	m.mem.finish(m.stderr)
	if m.stats {
		writeStats(m.stderr, m.packets, m.bytes, time.Since(m.start), ts, ds, h)
	}
}

// writeStats prints the --stats counters: of a file read, or of a live
// capture (packets and bytes captured).
func writeStats(w io.Writer, packets, bytes int64, el time.Duration, ts reassembly.Stats, ds capture.DecodeStats, h *handler) {
	s := el.Seconds()
	fmt.Fprintf(w, "padlock: stats:\n")
	fmt.Fprintf(w, "  packets          %d (%d TCP, %d other, %d fragments held)\n", packets, ds.TCP, ds.NonTCP, ds.FragmentsHeld)
	fmt.Fprintf(w, "  bytes            %d\n", bytes)
	fmt.Fprintf(w, "  tcp connections  %d\n", ts.Connections)
	fmt.Fprintf(w, "  tls connections  %d\n", ts.TLS)
	fmt.Fprintf(w, "  records          %d (%d application data walked without copying)\n", ts.Records, h.skipped)
	fmt.Fprintf(w, "  gaps             %d\n", ts.Gaps)
	fmt.Fprintf(w, "  evictions        %d (connections ended by the idle timeout or a full flow table)\n", h.evicted)
	fmt.Fprintf(w, "  caps hit         %d (flows refused %d, their segments %d; out-of-order buffer full %d; IP fragments dropped %d)\n",
		ts.RefusedFlows+h.capped+ds.DefragDropped, ts.RefusedFlows, ts.RefusedSegments, h.capped, ds.DefragDropped)
	fmt.Fprintf(w, "  decode errors    %d\n", ds.Errors)
	fmt.Fprintf(w, "  late segments    %d (of connections already ended, dropped)\n", ts.LateSegments)
	fmt.Fprintf(w, "  elapsed          %s\n", el.Round(time.Millisecond))
	if s > 0 {
		fmt.Fprintf(w, "  rate             %.0f packets/s, %.1f MB/s\n", float64(packets)/s, float64(bytes)/s/1e6)
	}
}

// isTTY reports whether w is a terminal (not merely a character device:
// /dev/null is one too).
func isTTY(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
