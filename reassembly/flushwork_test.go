package reassembly

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/capture"
)

// The periodic flushes the tracker skips change nothing: over many flows
// that pause around GapWait and FlowTimeout, lose and reorder segments,
// start mid-stream and end every way, everything reported (records, their
// frames, problems, the order and manner in which connections end) is the
// same as with every flush run, and most flushes were skipped.
func TestSkippedFlushesChangeNothing(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		segs := pausingFlows(rand.New(rand.NewPCG(seed, 99)), 150)
		skipping, ran := flushLog(t, segs, false)
		always, all := flushLog(t, segs, true)
		require.Equal(t, always, skipping, "seed %d", seed)
		assert.Less(t, ran, all, "seed %d: some flushes were skipped", seed)
		assert.Greater(t, ran, 0, "seed %d: some flushes had work", seed)

		// Evictions (--max-memory) find the oldest in the index and end
		// them without the walk, with the same result.
		every := 50 + int(seed)*10
		evicting, _ := evictLog(t, segs, false, every)
		walking, _ := evictLog(t, segs, true, every)
		require.Equal(t, walking, evicting, "seed %d, evicting every %d segments", seed, every)
		assert.Contains(t, evicting, "done evicted true", "seed %d", seed)
	}

	t.Run("open idle flows", func(t *testing.T) {
		// A minute of handshakes that never go on, in order: no flush
		// has anything to do, until the first is idle for FlowTimeout.
		// Then one flow goes on, a packet a second, for three minutes:
		// every second ends the flows that went quiet FlowTimeout ago,
		// which the tracker finds itself (closeIdle), without gopacket's
		// walk of all the others.
		var segs []capture.Segment
		start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		for i := range 3000 {
			f := newFlow(uint16(10000+i), uint32(i), uint32(i)<<8)
			f.t = start.Add(time.Duration(i) * 20 * time.Millisecond)
			f.handshake()
			f.send(0, record(22, 200, 1), "")
			segs = append(segs, f.out...)
		}
		skipping, ran := flushLog(t, segs, false)
		always, all := flushLog(t, segs, true)
		require.Equal(t, always, skipping)
		assert.Zero(t, ran)
		assert.Equal(t, 59, all)

		f := newFlow(9000, 1, 2)
		f.t = start.Add(time.Minute)
		f.handshake()
		for range 180 {
			f.t = f.t.Add(time.Second)
			f.send(0, []byte{23, 3, 3, 0, 1, 0}, "")
		}
		segs = append(segs, f.out...)
		slices.SortStableFunc(segs, func(a, b capture.Segment) int { return a.Time.Compare(b.Time) })
		for i := range segs {
			segs[i].Frame = i + 1
		}
		skipping, ran = flushLog(t, segs, false)
		always, all = flushLog(t, segs, true)
		require.Equal(t, always, skipping)
		assert.Equal(t, 3000, strings.Count(skipping, "done evicted true"), "the quiet flows ended as idle")
		assert.Equal(t, 240, all)
		assert.Equal(t, 61, ran, "work only in the seconds when flows went quiet FlowTimeout ago: 0 to 60 s after the start")
	})
}

// flushLog runs segs through a tracker and returns what it reported, one
// line per event, grouped by connection (a flush visits connections in
// gopacket's map order, so the events of two connections ended by one
// flush interleave in any order), then the order in which they were done;
// and how many periodic flushes it ran.
func flushLog(t *testing.T, segs []capture.Segment, always bool) (string, int) {
	return evictLog(t, segs, always, 0)
}

// evictLog is flushLog with EvictOldest(0.25) after every evictEvery
// segments (0: never), as --max-memory does.
func evictLog(t *testing.T, segs []capture.Segment, always bool, evictEvery int) (string, int) {
	t.Helper()
	h := &eventLog{conns: map[int]*strings.Builder{}}
	tr := New(DefaultOptions, h)
	tr.walkAlways = always
	for i := range segs {
		tr.Add(&segs[i])
		if evictEvery > 0 && i%evictEvery == evictEvery-1 {
			tr.EvictOldest(0.25)
		}
	}
	ran := tr.flushes
	tr.Close()
	var out strings.Builder
	for _, id := range slices.Sorted(maps.Keys(h.conns)) {
		out.WriteString(h.conns[id].String())
	}
	fmt.Fprintf(&out, "done in order %v\n", h.done)
	return out.String(), ran
}

type eventLog struct {
	conns map[int]*strings.Builder
	done  []int
}

func (l *eventLog) of(c *Conn) *strings.Builder {
	b := l.conns[c.ID]
	if b == nil {
		b = &strings.Builder{}
		l.conns[c.ID] = b
	}
	return b
}

func (l *eventLog) Record(c *Conn, r *Record) {
	fmt.Fprintf(l.of(c), "%d record %d len %d off %d frames %v\n", c.ID, r.Type, r.Length, r.Offset, r.Frames())
}

func (l *eventLog) Problem(c *Conn, p Problem) {
	fmt.Fprintf(l.of(c), "%d problem %s frame %d off %d\n", c.ID, p.Code, p.Frame, p.Offset)
}

func (l *eventLog) Done(c *Conn) {
	fmt.Fprintf(l.of(c), "%d done evicted %v last %d end %s gaps %v overlap %v records %v\n", c.ID, c.Evicted, c.LastFrame, c.End.Format(time.RFC3339Nano), c.Gaps, c.Overlap, c.Records)
	l.done = append(l.done, c.ID)
}

// pausingFlows makes n connections over ten minutes of capture time, in
// capture order, whose pauses straddle GapWait and FlowTimeout.
func pausingFlows(r *rand.Rand, n int) []capture.Segment {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	pause := func() time.Duration {
		switch r.IntN(12) {
		case 0:
			return DefaultOptions.GapWait + time.Duration(r.IntN(4000)-2000)*time.Millisecond
		case 1:
			return DefaultOptions.FlowTimeout + time.Duration(r.IntN(4000)-2000)*time.Millisecond
		case 2:
			return time.Duration(r.IntN(10)) * time.Second
		}
		return time.Duration(r.IntN(50)) * time.Millisecond
	}
	var all []capture.Segment
	for i := range n {
		port := uint16(10000 + i)
		if i > 0 && r.IntN(5) == 0 {
			port-- // the previous flow's tuple, used again (or still)
		}
		f := newFlow(port, r.Uint32(), r.Uint32())
		at := start.Add(time.Duration(r.IntN(600)) * time.Second)
		send := func(side int, payload []byte, flags string) {
			at = at.Add(pause())
			f.t = at.Add(-time.Millisecond) // segAt adds one
			f.send(side, payload, flags)
		}
		var late []func()
		if r.IntN(4) != 0 {
			send(0, nil, "Sn")
			send(1, nil, "S")
			send(0, nil, "")
		}
		for range 2 + r.IntN(8) {
			side := r.IntN(2)
			rec := record(byte(22+r.IntN(2)), 1+r.IntN(3000), byte(r.IntN(256)))
			for len(rec) > 0 {
				k := min(len(rec), 1+r.IntN(1500))
				switch r.IntN(15) {
				case 0: // lost
					f.seq[side] += uint32(k)
				case 1: // sent again later: out of order until then
					seq := f.seq[side]
					f.seq[side] += uint32(k)
					part := append([]byte(nil), rec[:k]...)
					late = append(late, func() {
						at = at.Add(pause())
						f.t = at.Add(-time.Millisecond)
						f.out = append(f.out, f.segAt(side, seq, part, ""))
					})
				default:
					send(side, rec[:k], "")
				}
				rec = rec[k:]
			}
		}
		switch r.IntN(4) {
		case 0:
			send(0, nil, "F")
			send(1, nil, "F")
		case 1:
			send(r.IntN(2), nil, "R")
		case 2:
			send(0, nil, "F")
		}
		// The late copies go out after the flow's end, some of them
		// past GapWait.
		for _, send := range late {
			send()
		}
		all = append(all, f.out...)
	}
	slices.SortStableFunc(all, func(a, b capture.Segment) int { return a.Time.Compare(b.Time) })
	for i := range all {
		all[i].Frame = i + 1
	}
	return all
}

// closeIdle finds the gopacket connection of every kind of flow: IPv4,
// IPv6, and a second connection on a tuple in use (its own key): each is
// reported as idle and let go of by gopacket, and nothing new is made.
func TestCloseIdleLetsGo(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	v4 := newFlow(5000, 100, 200)
	v6 := newFlow(5001, 300, 400)
	v6.cli = netip.AddrPortFrom(netip.MustParseAddr("2001:db8::2"), 5001)
	v6.srv = netip.AddrPortFrom(netip.MustParseAddr("2001:db8::1"), 443)
	again := newFlow(5000, 9000, 9900) // v4's tuple, a new SYN
	var segs []capture.Segment
	for i, f := range []*flow{v4, v6, again} {
		f.t = start.Add(time.Duration(i) * time.Second)
		f.handshake()
		f.send(0, record(22, 100, 1), "")
		segs = append(segs, f.out...)
	}
	slices.SortStableFunc(segs, func(a, b capture.Segment) int { return a.Time.Compare(b.Time) })
	for i := range segs {
		segs[i].Frame = i + 1
	}
	rec := newRecorder()
	tr := New(DefaultOptions, rec)
	for i := range segs {
		tr.Add(&segs[i])
	}
	require.Equal(t, 3, tr.held, "gopacket holds the three")
	tr.Flush(start.Add(DefaultOptions.FlowTimeout + 5*time.Second))
	require.Len(t, rec.done, 3)
	for _, c := range rec.done {
		assert.True(t, c.Evicted, "connection %d ended as idle", c.ID)
	}
	assert.Zero(t, tr.held, "gopacket let go of them all")
	assert.Zero(t, tr.walks, "without its walk of every connection")
	assert.Zero(t, len(tr.seen.at), "and they are out of the index")
	assert.Equal(t, 3, tr.Stats().Connections, "no connection made up")
	tr.Close()
	assert.Len(t, rec.done, 3)
}

// BenchmarkFlushManyOpenFlows is one periodic flush (a second of capture
// time) with 50,000 open flows and nothing to end or push: what the index
// costs against gopacket's walk of every connection (walk).
func BenchmarkFlushManyOpenFlows(b *testing.B) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var segs []capture.Segment
	for i := range 50000 {
		f := newFlow(uint16(i%60000+1), uint32(i), uint32(i)<<8)
		f.cli = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), f.cli.Port())
		f.t = start
		f.handshake()
		segs = append(segs, f.out...)
	}
	for _, walk := range []bool{false, true} {
		name := "index"
		if walk {
			name = "walk"
		}
		b.Run(name, func(b *testing.B) {
			tr := New(DefaultOptions, newRecorder())
			tr.walkAlways = walk
			for i := range segs {
				tr.Add(&segs[i])
			}
			now := start
			b.ResetTimer()
			for b.Loop() {
				now = now.Add(time.Second)
				if now.Sub(start) > DefaultOptions.FlowTimeout/2 {
					now = start.Add(time.Second) // stay clear of the idle timeout
				}
				tr.Flush(now)
			}
			b.StopTimer()
			tr.Close()
		})
	}
}
