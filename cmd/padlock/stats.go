package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/metrics"
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
	fs.IntVar(&p.maxMemory, "max-memory", 0, "keep padlock's resident memory under `MIB` MiB: past it, the connections idle for\nlongest are ended early (end_seen \"idle\", counted in --stats) (0: no cap)")
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

	// --max-memory
	capMiB  int
	limit   uint64 // bytes of live heap that trigger evictions (0: none)
	evict   func(share float64) int
	sample  []metrics.Sample
	memEvic int

	// the collector's soft limit without --max-memory (memoryTarget)
	target    int64 // the limit set now (0: not managed)
	prevLimit int64 // the limit before, restored by finish
}

const (
	progressEvery    = 1 << 14
	progressInterval = 250 * time.Millisecond
)

func newMonitor(o options, src *capture.Source, conns func() int, evict func(share float64) int, stderr io.Writer) *monitor {
	m := &monitor{start: time.Now(), stderr: stderr, stats: o.perf.stats, next: progressEvery}
	m.conns = conns
	if o.perf.maxMemory > 0 {
		// The Go runtime collects harder as the heap nears the cap;
		// the live heap is kept to 60% of it, the rest being the
		// collector's headroom and buffers.
		// The cap is on the resident set, which also holds what the
		// runtime does not manage: the program's own code and data.
		// So do the batches in flight between workers, which the
		// evictions cannot shrink.
		outside := int64(unmanagedRSS + perWorkerRSS*(max(o.workers, 1)-1))
		// And a heap's pages are never all full: 15% for that.
		heapCap := max(int64(o.perf.maxMemory)<<20-outside, int64(o.perf.maxMemory)<<20/2) * 85 / 100
		debug.SetMemoryLimit(heapCap)
		m.capMiB, m.limit = o.perf.maxMemory, uint64(heapCap)*3/4
		m.evict = evict
		m.sample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	} else if os.Getenv("GOMEMLIMIT") == "" {
		m.prevLimit = debug.SetMemoryLimit(-1)
		m.target = memoryTarget(0)
		debug.SetMemoryLimit(m.target)
		m.sample = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	}
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
		if m.limit > 0 || m.target > 0 {
			// A dense capture opens thousands of flows between checks.
			m.next = m.packets + memoryEvery
			m.checkMemory()
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

// Evictions under --max-memory: while the live heap is over the cap, each
// check ends the quarter of the open connections that saw no packet for
// longest.
const (
	// memoryEvery is how often (packets) the heap is looked at.
	memoryEvery = 1 << 12
	// unmanagedRSS is about what padlock's resident set holds outside
	// the Go heap (code, read-only data, thread stacks).
	unmanagedRSS = 20 << 20
	// perWorkerRSS is about what each worker past the first adds that
	// evictions cannot shrink (its batches, results and reports in
	// flight, and the evictions it has not reached yet). Measured on
	// 200,000 never-closing flows with 2 workers, 12 MiB let the peak RSS
	// reach 131 MiB under a cap of 128 and 262 MiB under 256.
	perWorkerRSS = 32 << 20
	// memoryPerWorker is the --max-memory each default worker needs.
	memoryPerWorker = 64
	// evictShare is the share of the open connections ended per check.
	evictShare = 0.25
)

// checkMemory ends the oldest connections while the live heap is over the
// cap, or, with no cap, moves the collector's soft limit with the live heap
// (memoryTarget).
func (m *monitor) checkMemory() {
	metrics.Read(m.sample)
	if m.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	live := m.sample[0].Value.Uint64()
	if m.target > 0 {
		if t := memoryTarget(live); t != m.target {
			m.target = t
			debug.SetMemoryLimit(t)
		}
		return
	}
	if live > m.limit {
		m.memEvic += m.evict(evictShare)
	}
}

// Without --max-memory (or GOMEMLIMIT), the collector is given a soft
// limit of baseHeapTarget, or 5/3 of the live heap when that is more.
// Left alone, Go lets the heap grow to twice the live heap before it
// collects: on the 118,517-connection handshake capture, whose live heap
// peaks at 26 MiB, that is 71 MiB resident; with the limit, 59 MiB, for
// up to a tenth more time (the collector runs twice as often). A live
// heap that grows (many open flows) takes the limit up with it, so the
// collector always has two thirds of the live heap to spare: it never
// runs back to back, as it would under a fixed limit the live heap nears.
const (
	baseHeapTarget       = 48 << 20
	targetNum, targetDen = 5, 3
)

// memoryTarget is the soft limit for a live heap of live bytes, in steps
// of 1 MiB so that a live heap that hardly moves leaves the limit alone.
func memoryTarget(live uint64) int64 {
	t := max(int64(baseHeapTarget), int64(live)*targetNum/targetDen)
	return (t + 1<<20 - 1) &^ (1<<20 - 1)
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
	if m.target > 0 {
		debug.SetMemoryLimit(m.prevLimit)
	}
	if m.drawn > 0 {
		fmt.Fprintf(m.stderr, "\r%*s\r", m.drawn, "")
	}
	if m.file != nil {
		m.file.Close()
	}
	if m.memEvic > 0 {
		fmt.Fprintf(m.stderr, "padlock: warning: --max-memory: %d connections were ended early to stay under %d MiB (reported with end_seen \"idle\")\n",
			m.memEvic, m.capMiB)
	}
	if !m.stats {
		return
	}
	el := time.Since(m.start)
	s := el.Seconds()
	w := m.stderr
	fmt.Fprintf(w, "padlock: stats:\n")
	fmt.Fprintf(w, "  packets          %d (%d TCP, %d other, %d fragments held)\n", m.packets, ds.TCP, ds.NonTCP, ds.FragmentsHeld)
	fmt.Fprintf(w, "  bytes            %d\n", m.bytes)
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
		fmt.Fprintf(w, "  rate             %.0f packets/s, %.1f MB/s\n", float64(m.packets)/s, float64(m.bytes)/s/1e6)
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
