package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// memGuard keeps padlock's memory in hand, reading a file or a live
// interface alike: under --max-memory it gives the collector a soft limit
// and ends the connections idle the longest while the live heap is over
// the cap; without it (and without GOMEMLIMIT) it moves the collector's
// soft limit with the live heap (memoryTarget).
type memGuard struct {
	capMiB  int
	limit   uint64 // bytes of live heap that trigger evictions (0: none)
	evict   func(share float64) int
	evicted int // connections ended early, by evict or by the workers
	sample  []metrics.Sample

	target int64 // the soft limit set now, without a cap (0: not managed)
	done   bool  // finish was called
}

// The limit a target replaced, given back when the last run that set one
// ends (tests run several at once in one process).
var (
	targetMu    sync.Mutex
	targetRuns  int
	targetPrior int64
)

func newMemGuard(o options, evict func(share float64) int) *memGuard {
	g := &memGuard{sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	if o.perf.maxMemory > 0 {
		// The Go runtime collects harder as the heap nears the soft
		// limit: each collection marks the whole live heap, and comes
		// after the heap grew by what is left under the limit. Evicting
		// once the live heap passes half of it lets the heap double
		// between collections, as it does without a limit (GOGC=100):
		// at three quarters, 500,000 never-closing flows under 256 MiB
		// took 1.7 times the CPU (the collector marked twice as much
		// per byte allocated), for 2.5% fewer of them evicted.
		// The cap is on the resident set, which also holds what the
		// runtime does not manage: the program's own code and data.
		// So do the batches in flight between workers, which the
		// evictions cannot shrink.
		outside := int64(unmanagedRSS + perWorkerRSS*(max(o.workers, 1)-1))
		// And a heap's pages are never all full: 15% for that.
		heapCap := max(int64(o.perf.maxMemory)<<20-outside, int64(o.perf.maxMemory)<<20/2) * 85 / 100
		debug.SetMemoryLimit(heapCap)
		g.capMiB, g.limit, g.evict = o.perf.maxMemory, uint64(heapCap)/2, evict
	} else if os.Getenv("GOMEMLIMIT") == "" {
		targetMu.Lock()
		if targetRuns == 0 {
			targetPrior = debug.SetMemoryLimit(-1)
		}
		targetRuns++
		targetMu.Unlock()
		g.target = memoryTarget(0)
		debug.SetMemoryLimit(g.target)
	}
	return g
}

// active reports whether check has anything to do.
func (g *memGuard) active() bool { return g.limit > 0 || g.target > 0 }

// check ends the oldest connections while the live heap is over the cap,
// or, with no cap, moves the collector's soft limit with the live heap.
func (g *memGuard) check() {
	if !g.active() {
		return
	}
	metrics.Read(g.sample)
	if g.sample[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	live := g.sample[0].Value.Uint64()
	if g.target > 0 {
		if t := memoryTarget(live); t != g.target {
			g.target = t
			debug.SetMemoryLimit(t)
		}
		return
	}
	if live > g.limit {
		g.evicted += g.evict(evictShare)
	}
}

// finish gives back the limit found at the start and says on stderr how
// many connections the cap ended early. Only the first call does anything.
func (g *memGuard) finish(stderr io.Writer) {
	if g.done {
		return
	}
	g.done = true
	if g.target > 0 {
		g.target = 0
		targetMu.Lock()
		if targetRuns--; targetRuns == 0 {
			debug.SetMemoryLimit(targetPrior)
		}
		targetMu.Unlock()
	}
	if g.evicted > 0 {
		fmt.Fprintf(stderr, "padlock: warning: --max-memory: %d connections were ended early to stay under %d MiB (reported with end_seen \"idle\")\n",
			g.evicted, g.capMiB)
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

// Without --max-memory (or GOMEMLIMIT), the collector is given a soft
// limit of baseHeapTarget, or 5/3 of the live heap when that is more.
// Left alone, Go lets the heap grow to twice the live heap before it
// collects: on the 118,517-connection handshake capture, whose live heap
// peaks at 26 MiB, that is 71 MiB resident; with the limit, 59 MiB, for
// up to a tenth more time (the collector runs twice as often). A live
// heap that grows (many open flows) takes the limit up with it: the limit
// also covers what the runtime holds besides the heap (~13 MiB here), so
// the heap keeps about half the live heap to spare once it is big (Go's
// default keeps all of it), and the collector never runs back to back, as
// it would under a fixed limit the live heap nears.
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
