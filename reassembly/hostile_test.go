package reassembly

import (
	"bytes"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Regression tests for issue 7 (hostile input): each failed before the fix
// it names.

// A retransmission that contradicts delivered bytes is reported; the first
// copy stays in the record.
func TestOverlapConflictReported(t *testing.T) {
	f := newFlow(5000, 0xfffffff0, 200) // the conflict crosses the sequence wrap
	f.handshake()
	r := record(22, 500, 0x11)
	s1 := f.send(0, r[:300], "")
	evil := bytes.Clone(r[:300])
	evil[100] ^= 0xff
	f.out = append(f.out, f.segAt(0, s1.TCP.Seq+50, evil[50:200], ""))
	f.out = append(f.out, f.segAt(0, s1.TCP.Seq, r[:300], ""))       // a faithful repeat: no conflict
	f.out = append(f.out, f.segAt(0, s1.TCP.Seq+299, []byte{0}, "")) // a keep-alive's garbage byte: no conflict
	f.send(0, r[300:], "")
	rec := run(t, f.out)
	require.Len(t, rec.records[1], 1)
	assert.Equal(t, r[5:], rec.records[1][0].Body, "the first copy wins")
	require.Equal(t, []Code{CodeStreamOverlapConflict}, rec.codes(1))
	p := rec.problems[1][0]
	assert.Equal(t, 5, p.Frame)
	assert.Equal(t, int64(100), p.Offset, "offset of the first differing byte in the stream")
}

// Two copies of the same bytes that both wait out of order for a missing
// segment, with different content, never reached the delivered history
// (gopacket keeps one in its queue): they are compared while queued.
func TestQueuedOverlapConflictReported(t *testing.T) {
	f := newFlow(5000, 0xffffff00, 200) // across the sequence wrap too
	f.handshake()
	f.send(0, record(22, 45, 0x22), "") // frame 4: 50 bytes delivered
	r := record(22, 500, 0x11)
	base := f.seq[0]
	evil := bytes.Clone(r)
	evil[250] ^= 0xff
	f.out = append(f.out, f.segAt(0, base+200, r[200:], ""))       // frame 5: ahead of a hole
	f.out = append(f.out, f.segAt(0, base+200, r[200:], ""))       // frame 6: a faithful copy
	f.out = append(f.out, f.segAt(0, base+220, evil[220:400], "")) // frame 7: contradicts it
	f.out = append(f.out, f.segAt(0, base, r[:200], ""))           // frame 8: the hole filled
	rec := run(t, f.out)
	require.Len(t, rec.records[1], 2)
	require.Equal(t, []Code{CodeStreamOverlapConflict}, rec.codes(1))
	p := rec.problems[1][0]
	assert.Equal(t, 7, p.Frame)
	assert.Equal(t, int64(50+250), p.Offset, "offset of the first differing byte in the stream")
	assert.Contains(t, p.Msg, "frames 5 and 7")
	assert.Equal(t, evil[250], rec.records[1][1].Body[245], "of bytes both queued, gopacket delivers the later copy")
}

// Bytes missing at the very start of a direction (after its SYN) were
// taken for a non-TLS stream and the whole direction was dropped silently.
func TestGapBeforeFirstDelivery(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	f.send(0, record(22, 40, 1), "")
	f.seq[1] += 120 // the server's first segment was never captured
	f.send(1, record(22, 30, 2), "")
	f.send(1, record(23, 30, 3), "")
	rec := run(t, f.out)
	assert.Contains(t, rec.codes(1), CodeStreamGap)
	var server int
	for _, r := range rec.records[1] {
		if r.Dir == BtoA {
			server++
		}
	}
	assert.Equal(t, 2, server, "the server's records after the gap are cut")
}

// Non-TLS bytes before the first record of a stream hid the TLS that
// followed (the direction was switched off at once).
func TestBytesBeforeFirstRecord(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	junk := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	f.send(0, append(junk, record(22, 60, 1)...), "")
	f.send(0, record(20, 1, 1), "")
	rec := run(t, f.out)
	require.Len(t, rec.records[1], 2)
	assert.Equal(t, []Code{CodeStreamResync}, rec.codes(1))
	assert.Equal(t, int64(len(junk)), rec.problems[1][0].Offset)

	// A stream that never shows a record is still not TLS, silently.
	g := newFlow(5001, 100, 200)
	g.handshake()
	for i := 0; i < 60; i++ {
		g.send(0, bytes.Repeat([]byte("not tls "), 180), "")
	}
	rec = run(t, g.out)
	assert.Empty(t, rec.records[1])
	assert.Empty(t, rec.problems[1])
	require.Len(t, rec.done, 1)
	assert.False(t, rec.done[0].TLS)
}

// An injected RST off the expected sequence number ends nothing.
func TestRSTOutOfWindow(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	f.send(0, record(22, 40, 1), "")
	f.out = append(f.out, f.segAt(1, f.seq[1]+100000, nil, "R"))
	f.send(1, record(22, 30, 2), "")
	rec := run(t, f.out)
	assert.Equal(t, []Code{CodeRSTOutOfWindow}, rec.codes(1))
	require.Len(t, rec.done, 1)
	assert.Equal(t, [2]int{}, rec.done[0].RST)
	assert.Len(t, rec.records[1], 2)
}

// A segment cut by the snap length is named; a connection whose records
// never completed is still reported (Conn.TLS).
func TestTruncatedSegment(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	r := record(22, 200, 1)
	s := f.segAt(0, f.seq[0], r[:10], "")
	s.Truncated = true
	f.out = append(f.out, s)
	f.seq[0] += uint32(len(r))
	f.send(0, nil, "F")
	rec := run(t, f.out)
	assert.Empty(t, rec.records[1])
	assert.Contains(t, rec.codes(1), CodeSegmentTruncated)
	require.Len(t, rec.done, 1)
	assert.True(t, rec.done[0].TLS, "a connection that began a record is reported")
}

// A record sent one byte per segment has a span per byte; asking for the
// frames of each of its many small messages walked every span each time.
func TestFramesOfManySpans(t *testing.T) {
	const n = 50000
	r := &Record{Header: make([]byte, 5), Length: n - 5}
	for i := 0; i < n; i++ {
		r.Spans = append(r.Spans, Span{Frame: i + 1, Off: i, Len: 1})
	}
	for off := 0; off+4 <= n-5; off += 4 {
		fr := r.FramesOf(off, 4)
		require.Len(t, fr, 4)
		require.Equal(t, off+6, fr[0])
	}
	assert.Equal(t, []int{1, 2, 3, 4, 5}, spanFrames(r.Spans, 0, 5), "the header's frames")
}

// history holds what was delivered, up to the last histSize bytes.
func TestHistory(t *testing.T) {
	var h history
	var free [][]byte
	stream := make([]byte, 3*histSize+123)
	for i := range stream {
		stream[i] = byte(i * 7)
	}
	next := uint32(0xfffff000) // wraps
	for off := 0; off < len(stream); off += 1000 {
		chunk := stream[off:min(off+1000, len(stream))]
		h.add(chunk, false, &free)
		next += uint32(len(chunk))
	}
	assert.LessOrEqual(t, cap(h.b), 4*histSize, "bounded")
	end := next
	last := stream[len(stream)-histSize:]
	assert.Equal(t, -1, h.conflict(end-uint32(histSize), last, end), "a faithful repeat")
	bad := bytes.Clone(last)
	bad[10] ^= 1
	assert.Equal(t, 10, h.conflict(end-uint32(histSize), bad, end))
	held := len(h.b)
	assert.GreaterOrEqual(t, held, histSize)
	older := bytes.Clone(stream[len(stream)-held-50:])
	older[0] ^= 1 // older than the history: not checked
	assert.Equal(t, -1, h.conflict(end-uint32(held)-50, older, end))
	older[60] ^= 1 // held: checked
	assert.Equal(t, 60, h.conflict(end-uint32(held)-50, older, end))
	var small history
	small.add([]byte("abc"), false, &free)
	assert.LessOrEqual(t, cap(small.b), 8, "a few bytes delivered, a few held")

	// Ended connections' buffers are reused, and only full-size ones.
	h.release(&free)
	small.release(&free)
	require.Len(t, free, 1)
	var again history
	again.add(make([]byte, smallHistory+1), false, &free)
	assert.Empty(t, free, "the free buffer was taken")
	assert.Equal(t, smallHistory+1, len(again.b))
}

// held is what a history holds, in order.
func (h *history) held() []byte {
	if h.refs == nil {
		return h.b
	}
	return h.copyLast(h.refLen)
}

// A history of references (packets that stay valid) holds the same bytes
// as a copy would, whatever the mix of sizes and of deliveries that had to
// be copied, and finds the same conflicts.
func TestHistoryRefs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var h history
		var free [][]byte
		stream := make([]byte, 6*histSize)
		for i := range stream {
			stream[i] = byte(rng.Uint32())
		}
		next := rng.Uint32()
		off := 0
		for off < len(stream) {
			n := 1 + rng.IntN(1500)
			if rng.IntN(8) == 0 {
				n = 1 + rng.IntN(5*histSize/4) // sometimes more than the window
			}
			if round%4 == 0 {
				n = 1 + rng.IntN(40) // tiny segments: the references are compacted
			}
			chunk := stream[off:min(off+n, len(stream))]
			stable := rng.IntN(10) != 0
			if round%7 == 0 && off == 0 {
				stable = false // starts as a copy, then refers
			}
			var copied []byte
			if !stable {
				copied = bytes.Clone(chunk)
				chunk = copied
			}
			h.add(chunk, stable, &free)
			if copied != nil {
				clear(copied) // not kept by the history: its bytes were copied
			}
			off += len(chunk)
			next += uint32(len(chunk))

			got := h.held()
			want := stream[:off]
			require.GreaterOrEqual(t, len(got), min(histSize, off), "round %d: at least the window", round)
			require.LessOrEqual(t, len(got), 2*histSize, "round %d: bounded", round)
			require.LessOrEqual(t, len(h.refs), maxRefs, "round %d", round)
			require.Equal(t, want[len(want)-len(got):], got, "round %d: the last bytes delivered", round)

			// A repeat of the last bytes, right or with one byte changed.
			back := 1 + rng.IntN(len(got)+100)
			if back > off {
				back = off
			}
			rep := bytes.Clone(stream[off-back : off-back+min(back+rng.IntN(50), len(stream)-(off-back))])
			require.Equal(t, -1, h.conflict(next-uint32(back), rep, next), "round %d: a faithful repeat", round)
			i := rng.IntN(len(rep))
			rep[i] ^= 0x5a
			want1 := -1
			if i < back && back-i <= len(got) {
				want1 = i // inside the history, not beyond next
			}
			require.Equal(t, want1, h.conflict(next-uint32(back), rep, next), "round %d: back %d, byte %d", round, back, i)
		}
	}
}

// A long-lived connection at the start held back every later report, with
// all its state, until it ended: memory grew with every connection of the
// capture. Past MaxHeld it stops holding them back.
func TestMaxHeld(t *testing.T) {
	opts := DefaultOptions
	opts.MaxHeld = 2
	long := newFlow(4000, 1, 2)
	long.handshake()
	segs := long.out
	for i := 0; i < 4; i++ {
		f := newFlow(5000, 100, 200)
		// Another client address: the helper's segments carry no raw
		// ports, so ports alone would not tell the tuples apart.
		f.cli = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 1, byte(i)}), 5000)
		f.frame = 100 * (i + 1)
		f.handshake()
		f.send(0, record(22, 10, 1), "")
		f.send(0, nil, "F")
		f.send(1, nil, "F")
		segs = append(segs, f.out...)
	}
	rec := newRecorder()
	tr := New(opts, rec)
	for i := range segs {
		tr.Add(&segs[i])
	}
	var before []int
	for _, c := range rec.done {
		before = append(before, c.ID)
	}
	assert.Equal(t, []int{2, 3, 4, 5}, before, "connection 1 stopped holding the others back when a third waited")
	tr.Close()
	var ids []int
	for _, c := range rec.done {
		ids = append(ids, c.ID)
	}
	assert.Equal(t, []int{2, 3, 4, 5, 1}, ids)
	assert.Equal(t, 1, tr.Stats().Unordered)
}

// A RST ends the connection, but when its sender goes on sending, the RST
// did not end anything (forged): the rest was dropped as late packets; it
// is now followed as a new connection that says so. The peer's data in
// flight after a RST is still dropped as late.
func TestDataAfterOwnRST(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	f.send(0, record(22, 40, 1), "")
	f.send(1, record(22, 30, 2), "")
	f.out = append(f.out, f.segAt(1, f.seq[1], nil, "R"))
	f.send(0, record(22, 20, 3), "") // the peer's data in flight: late
	f.send(1, record(20, 1, 1), "")  // the RST's sender goes on
	f.send(1, record(22, 40, 4), "")
	rec := run(t, f.out)
	require.Len(t, rec.done, 2)
	assert.Equal(t, []Code{CodeDataAfterRST, CodeDroppedAfterRST}, rec.codes(2))
	assert.Len(t, rec.records[2], 2)
	assert.Equal(t, 8, rec.problems[2][0].Frame)
	// The peer's data in between was dropped, and the report says so.
	lost := rec.problems[2][1]
	assert.Equal(t, 7, lost.Frame)
	assert.Equal(t, BtoA, lost.Dir)
	assert.Contains(t, lost.Msg, "25 bytes in 1 segments")
}
