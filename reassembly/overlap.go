package reassembly

import (
	"bytes"
	"fmt"
)

// Overlap policy. When a segment repeats stream bytes that were already
// delivered, gopacket drops the repeat: the first copy wins, as Linux and
// Windows keep data they have already acknowledged. A repeat with
// DIFFERENT bytes is what insertion and evasion attacks send (Ptacek and
// Newsham, 1998: the receiver and the observer may keep different copies),
// so padlock reports it (CodeStreamOverlapConflict) instead of counting it
// as a plain retransmission. Conflicts are detected against the last
// histSize bytes delivered in each direction, which covers the ClientHello
// and the first flights where a dissector is most often fooled; a repeat
// of older bytes is only counted in retransmitted_bytes.
const histSize = 4096

// history keeps the last bytes delivered in one direction, ending just
// before the next sequence number. It grows with what was delivered (a
// connection that sent a few bytes holds a few bytes) up to 2*histSize,
// then keeps the last histSize.
//
// When the delivered bytes stay valid (capture.Segment.Stable: a packet of
// a mapped file, a defragmented datagram), the history keeps slices of them
// instead of a copy (refs): application data then costs no copy at all.
type history struct {
	b      []byte   // a copy of the last bytes delivered
	refs   [][]byte // or the last deliveries themselves, oldest first
	refLen int      // bytes in refs
}

// maxRefs bounds the deliveries a history refers to; past it (tiny
// segments) the last histSize bytes are copied into one.
const maxRefs = 32

// add records data delivered after what history holds. stable says data
// stays valid and unchanged until the capture is closed. Past
// smallHistory bytes a copy moves to a full-size buffer from free (the
// tracker's, recycled when connections end), so that busy connections do
// not each grow a buffer by doubling.
func (h *history) add(data []byte, stable bool, free *[][]byte) {
	if stable || h.refs != nil {
		h.addRef(data, stable)
		return
	}
	if len(data) >= histSize {
		h.b = h.b[:0] // nothing of it is kept: grow copies none
		h.grow(histSize, free)
		h.b = append(h.b, data[len(data)-histSize:]...)
		return
	}
	if len(h.b)+len(data) > 2*histSize {
		keep := histSize - len(data)
		h.b = append(h.b[:0], h.b[len(h.b)-keep:]...)
	}
	if need := len(h.b) + len(data); need > cap(h.b) && need > smallHistory {
		h.grow(need, free)
	}
	h.b = append(h.b, data...)
}

// addRef is add for a history of references. A delivery that does not stay
// valid (from gopacket's pages of out-of-order data) is copied.
func (h *history) addRef(data []byte, stable bool) {
	if len(data) > histSize {
		data = data[len(data)-histSize:]
	}
	if !stable {
		data = bytes.Clone(data)
	}
	if h.refs == nil {
		h.refs = make([][]byte, 0, 4)
		if len(h.b) > 0 {
			// What was copied before stays, as one more reference; the
			// buffer is no longer written.
			h.refs = append(h.refs, h.b[max(len(h.b)-histSize, 0):])
			h.refLen = len(h.refs[0])
		}
		h.b = nil
	}
	if len(data) == histSize {
		clear(h.refs)
		h.refs, h.refLen = h.refs[:0], 0
	}
	if len(h.refs) == maxRefs {
		one := h.copyLast(histSize - len(data))
		clear(h.refs)
		h.refs, h.refLen = append(h.refs[:0], one), len(one)
	}
	h.refs = append(h.refs, data)
	h.refLen += len(data)
	// Drop the oldest while the rest still hold histSize bytes.
	k := 0
	for k < len(h.refs)-1 && h.refLen-len(h.refs[k]) >= histSize {
		h.refLen -= len(h.refs[k])
		k++
	}
	if k > 0 {
		n := copy(h.refs, h.refs[k:])
		clear(h.refs[n:])
		h.refs = h.refs[:n]
	}
}

// copyLast copies the last n bytes the references hold.
func (h *history) copyLast(n int) []byte {
	n = min(n, h.refLen)
	out := make([]byte, 0, n)
	skip := h.refLen - n
	for _, r := range h.refs {
		if skip >= len(r) {
			skip -= len(r)
			continue
		}
		out = append(out, r[skip:]...)
		skip = 0
	}
	return out
}

// smallHistory is the most a history holds in a buffer of its own size: a
// connection that sent a ClientHello and went idle keeps little.
const smallHistory = 2048

// grow moves the history to a full-size buffer when it has none that
// holds need bytes.
func (h *history) grow(need int, free *[][]byte) {
	if cap(h.b) >= need {
		return
	}
	var b []byte
	if n := len(*free); n > 0 {
		b, *free = (*free)[n-1][:0], (*free)[:n-1]
	} else {
		b = make([]byte, 0, 2*histSize)
	}
	h.b = append(b, h.b...)
}

// release hands a full-size buffer back to free.
func (h *history) release(free *[][]byte) {
	if cap(h.b) == 2*histSize && len(*free) < maxFreeHistories {
		*free = append(*free, h.b[:0])
	}
	h.b, h.refs, h.refLen = nil, nil, 0
}

// maxFreeHistories bounds the recycled buffers (8 KiB each).
const maxFreeHistories = 256

// reset forgets the history (after a gap the bytes before it are unknown
// relative to the new sequence position).
func (h *history) reset() {
	h.b = h.b[:0]
	clear(h.refs)
	h.refs, h.refLen = h.refs[:0], 0
}

// conflict compares payload, sent at seq, with the delivered bytes it
// repeats; next is the sequence number of the next byte to be delivered.
// It returns the offset in payload of the first differing byte, or -1.
func (h *history) conflict(seq uint32, payload []byte, next uint32) int {
	behind := int(int32(next - seq)) // payload bytes before next
	n := len(h.b)
	if h.refs != nil {
		n = h.refLen
	}
	if behind <= 0 || n == 0 {
		return -1
	}
	from := 0
	if behind > n {
		from = behind - n // older than the history: not checked
	}
	to := min(behind, len(payload))
	if from >= to {
		return -1
	}
	if h.refs == nil {
		return differ(h.b[n-behind+from:n-behind+to], payload[from:to], from)
	}
	// payload[i] repeats byte n-behind+i of the concatenated references.
	at := 0 // where the current reference starts in the concatenation
	for _, r := range h.refs {
		lo, hi := max(at, n-behind+from), min(at+len(r), n-behind+to)
		if lo < hi {
			if i := differ(r[lo-at:hi-at], payload[lo-(n-behind):hi-(n-behind)], lo-(n-behind)); i >= 0 {
				return i
			}
		}
		at += len(r)
	}
	return -1
}

// differ returns base plus the index of the first byte where a and b (of
// the same length) differ, or -1.
func differ(a, b []byte, base int) int {
	if bytes.Equal(a, b) {
		return -1
	}
	for i := range a {
		if a[i] != b[i] {
			return base + i
		}
	}
	return -1
}

// checkOverlap reports a segment that contradicts bytes already delivered.
func (s *stream) checkOverlap(d Dir, seq uint32, payload []byte, frame int) {
	c := (*Conn)(s)
	sd := c.sides[d]
	if sd == nil || !c.havePos[d] || len(payload) == 0 {
		return // nothing delivered yet, or the connection ended
	}
	if len(payload) == 1 && c.nextSeq[d]-seq == 1 {
		// A keep-alive: one byte, often garbage, at the last sequence
		// number already sent (RFC 1122, Section 4.2.3.6).
		return
	}
	i := sd.hist.conflict(seq, payload, c.nextSeq[d])
	if i < 0 {
		return
	}
	behind := int64(int32(c.nextSeq[d] - seq))
	off := c.endOff[d] - behind + int64(i)
	c.cutProblem(d, Problem{Code: CodeStreamOverlapConflict, Dir: d, Frame: frame, Offset: off,
		Msg: fmt.Sprintf("frame %d repeats stream bytes from offset %d with different content; the first copy was kept", frame, off)})
}

// Two copies of bytes not yet delivered: while a segment waits out of
// order for a missing one, a second copy of its range may arrive with
// other bytes. gopacket keeps one of them in its queue (the later, when it
// covers the earlier) and delivers only that, so the history above never
// sees the other; the copies are compared here, before either is
// delivered, within maxQueuedCopy bytes per direction.
const maxQueuedCopy = 16 << 10

// queuedCopies are copies of the out-of-order segments of one direction.
type queuedCopies struct {
	segs  []queuedSeg
	bytes int
}

type queuedSeg struct {
	seq   uint32
	frame int
	data  []byte
}

// checkQueued reports a segment ahead of the stream that contradicts an
// earlier out-of-order copy of the same bytes, then keeps a copy of it.
func (s *stream) checkQueued(d Dir, seq uint32, payload []byte, frame int) {
	c := (*Conn)(s)
	if !c.havePos[d] || len(payload) == 0 {
		return
	}
	next := c.nextSeq[d]
	q := c.queued[d]
	if q != nil {
		// Forget what has been delivered since.
		kept := q.segs[:0]
		for _, g := range q.segs {
			if int32(g.seq+uint32(len(g.data))-next) > 0 {
				kept = append(kept, g)
			} else {
				q.bytes -= len(g.data)
			}
		}
		clear(q.segs[len(kept):])
		q.segs = kept
	}
	at := int64(int32(seq - next)) // where payload starts, from the next byte
	if at <= 0 {
		return // in order, or a repeat of delivered bytes (checkOverlap)
	}
	if q != nil {
		for _, g := range q.segs {
			gat := int64(int32(g.seq - next))
			lo, hi := max(at, gat), min(at+int64(len(payload)), gat+int64(len(g.data)))
			for x := lo; x < hi; x++ {
				if payload[x-at] != g.data[x-gat] {
					off := c.endOff[d] + x
					c.cutProblem(d, Problem{Code: CodeStreamOverlapConflict, Dir: d, Frame: frame, Offset: off,
						Msg: fmt.Sprintf("frames %d and %d, both held out of order, carry different bytes for stream offset %d; which copy a receiver keeps depends on its TCP stack, and padlock follows the one gopacket delivers", g.frame, frame, off)})
					return
				}
			}
		}
	}
	if q == nil {
		q = &queuedCopies{}
		c.queued[d] = q
	}
	if q.bytes+len(payload) <= maxQueuedCopy {
		q.segs = append(q.segs, queuedSeg{seq: seq, frame: frame, data: bytes.Clone(payload)})
		q.bytes += len(payload)
	}
}
