package reassembly

import (
	"time"

	gpr "github.com/gopacket/gopacket/reassembly"
)

// The periodic flush is gopacket's FlushWithOptions, which locks and looks
// at every connection gopacket holds: with half a million open flows it
// took half of padlock's time, once per second of capture. Most flushes
// have nothing to do (no connection idle for FlowTimeout, no out-of-order
// data waiting for GapWait), so the tracker counts, by capture second,
// the two things a flush acts on, and runs it only when one of them is
// old enough. The counts may be too old, never too young: a flush that
// has work always runs, and one skipped would have changed nothing.

// secCounts counts things by the capture second (Unix) they belong to.
type secCounts struct {
	n      map[int64]int32
	oldest int64 // no count is at a second before it
}

func (s *secCounts) add(sec int64) {
	if s.n == nil {
		s.n = make(map[int64]int32)
	}
	if len(s.n) == 0 || sec < s.oldest {
		s.oldest = sec
	}
	s.n[sec]++
}

func (s *secCounts) remove(sec int64) {
	if c := s.n[sec]; c > 1 {
		s.n[sec] = c - 1
	} else {
		delete(s.n, sec)
	}
}

// before reports whether anything is counted at a second before sec.
func (s *secCounts) before(sec int64) bool {
	if len(s.n) == 0 {
		return false
	}
	for s.oldest < sec {
		if sec-s.oldest > int64(len(s.n)) {
			// Fewer counts than seconds to step through (the capture
			// jumped ahead): find the oldest among them instead.
			first := true
			for k := range s.n {
				if first || k < s.oldest {
					s.oldest, first = k, false
				}
			}
			return s.oldest < sec
		}
		if s.n[s.oldest] > 0 {
			return true
		}
		s.oldest++
	}
	return false
}

// heldSegs are the segments of a connection whose data gopacket may still
// hold back: released when delivered or when gopacket forgets the
// connection.
type heldSegs struct {
	segs []*segCtx
	live int // how many of segs are still held
}

// seenAt moves c to the capture second of a packet gopacket just took for
// it: gopacket's last-seen time of a connection is the latest of its
// packets' times, which is what ends an idle one.
func (t *Tracker) seenAt(c *Conn, at time.Time) {
	sec := at.Unix()
	switch {
	case !c.counted:
		c.seen, c.counted = sec, true
		t.seen.add(sec)
	case sec > c.seen:
		t.seen.remove(c.seen)
		c.seen = sec
		t.seen.add(sec)
	}
}

// hold counts a segment of c that gopacket took without delivering it.
func (t *Tracker) hold(c *Conn, sc *segCtx) {
	sc.held, sc.sec = true, sc.ci.Timestamp.Unix()
	t.heldAt.add(sc.sec)
	if c.held == nil {
		c.held = &heldSegs{}
	}
	h := c.held
	if len(h.segs) >= 8 && len(h.segs) >= 2*h.live {
		// Most were delivered: drop those, so that a long connection
		// that reorders now and then keeps a short list.
		kept := h.segs[:0]
		for _, s := range h.segs {
			if s.held {
				kept = append(kept, s)
			}
		}
		clear(h.segs[len(kept):])
		h.segs = kept
	}
	h.segs = append(h.segs, sc)
	h.live++
}

// delivered uncounts a held segment gopacket delivered.
func (t *Tracker) delivered(c *Conn, sc *segCtx) {
	if !sc.held {
		return
	}
	sc.held = false
	t.heldAt.remove(sc.sec)
	if c.held != nil {
		c.held.live--
	}
}

// forget uncounts c and whatever gopacket held of it: gopacket has let go
// of the connection (ReassemblyComplete), its pages with it.
func (t *Tracker) forget(c *Conn) {
	if c.counted {
		t.seen.remove(c.seen)
		c.counted = false
	}
	if h := c.held; h != nil {
		for _, sc := range h.segs {
			if sc.held {
				sc.held = false
				t.heldAt.remove(sc.sec)
			}
		}
		c.held = nil
	}
}

// flushWork reports whether the flush with these options would end a
// connection or push held data through: whether a connection gopacket
// holds was last seen, or a held segment arrived, in or before the
// second of its cut-off.
func (t *Tracker) flushWork(o gpr.FlushOptions) bool {
	work := flushAlways || t.seen.before(o.TC.Unix()+1) || t.heldAt.before(o.T.Unix()+1)
	if work {
		t.flushes++
	}
	return work
}

// flushAlways runs every periodic flush (tests compare the two).
var flushAlways = false
