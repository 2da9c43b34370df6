package reassembly

import (
	"slices"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	gpr "github.com/gopacket/gopacket/reassembly"
)

// The periodic flush is gopacket's FlushWithOptions, which locks and looks
// at every connection gopacket holds: with half a million open flows it
// took half of padlock's time, once per second of capture. Most flushes
// have nothing to do, or only a few connections to end as idle, so the
// tracker keeps, by capture second, the connections gopacket holds (by
// when they were last seen) and the segments it may hold back out of
// order (by when they came), and:
//   - with held data old enough to push through (GapWait), runs gopacket's
//     flush as before;
//   - else ends the connections idle for FlowTimeout itself, each as
//     gopacket's flush would (closeIdle), without a walk of the others;
//   - else does nothing.
// Evictions (EvictOldest, EvictIdle, a full flow table) end connections
// the same way (endBefore). The held counts may be too old, never too
// young: a flush with data to push always runs. The output is the same
// as with gopacket's flush every time (TestSkippedFlushesChangeNothing,
// FuzzTracker).

// bySecond keys values by a capture second (Unix). A second whose value
// is gone is deleted, so before needs to know only which seconds are in.
type bySecond[V any] struct {
	at     map[int64]V
	oldest int64 // no second before it is in at
}

// in notes that sec is in at (or about to be).
func (x *bySecond[V]) in(sec int64) {
	if x.at == nil {
		x.at = make(map[int64]V)
	}
	if len(x.at) == 0 || sec < x.oldest {
		x.oldest = sec
	}
}

// before reports whether a second before sec is in.
func (x *bySecond[V]) before(sec int64) bool {
	if len(x.at) == 0 {
		return false
	}
	for x.oldest < sec {
		if sec-x.oldest > int64(len(x.at)) {
			// Fewer seconds in than to step through (the capture
			// jumped ahead): find the oldest of them instead.
			first := true
			for k := range x.at {
				if first || k < x.oldest {
					x.oldest, first = k, false
				}
			}
			return x.oldest < sec
		}
		if _, ok := x.at[x.oldest]; ok {
			return true
		}
		x.oldest++
	}
	return false
}

// upTo calls f for each second in at, up to and including last, in no
// particular order: stepping through the seconds, or through at when it
// holds fewer seconds than that (the capture jumped).
func (x *bySecond[V]) upTo(last int64, f func(V)) {
	if last-x.oldest > int64(len(x.at)) {
		for sec, v := range x.at {
			if sec <= last {
				f(v)
			}
		}
		return
	}
	for sec := x.oldest; sec <= last; sec++ {
		if v, ok := x.at[sec]; ok {
			f(v)
		}
	}
}

// secCounts counts things by the second they belong to.
type secCounts struct{ bySecond[int32] }

func (s *secCounts) add(sec int64) {
	s.in(sec)
	s.at[sec]++
}

func (s *secCounts) remove(sec int64) {
	if c := s.at[sec]; c > 1 {
		s.at[sec] = c - 1
	} else {
		delete(s.at, sec)
	}
}

// connsBySecond are the connections gopacket holds, by the second of
// their last packet (Conn.seen).
type connsBySecond struct{ bySecond[[]*Conn] }

func (x *connsBySecond) add(c *Conn) {
	x.in(c.seen)
	b := x.at[c.seen]
	c.seenIdx = int32(len(b))
	x.at[c.seen] = append(b, c)
}

func (x *connsBySecond) remove(c *Conn) {
	b := x.at[c.seen]
	i, last := c.seenIdx, len(b)-1
	if int(i) > last || b[i] != c {
		return // not there (a bug, but not one to crash on)
	}
	if int(i) != last {
		b[i] = b[last]
		b[i].seenIdx = i
	}
	b[last] = nil
	if last == 0 {
		delete(x.at, c.seen)
	} else {
		x.at[c.seen] = b[:last]
	}
}

// heldSegs are the segments of a connection whose data gopacket may still
// hold back: released when delivered or when gopacket forgets the
// connection.
type heldSegs struct {
	segs []*segCtx
	live int // how many of segs are still held
}

// seenAt moves c to the time of a packet gopacket just took for it:
// gopacket's last-seen time of a connection is the latest of its packets'
// times, which is what ends an idle one.
func (t *Tracker) seenAt(c *Conn, at time.Time) {
	sec, ns := at.Unix(), int32(at.Nanosecond())
	switch {
	case !c.counted:
		c.seen, c.seenNs, c.counted = sec, ns, true
		t.seen.add(c)
	case sec > c.seen:
		t.seen.remove(c)
		c.seen, c.seenNs = sec, ns
		t.seen.add(c)
	case sec == c.seen && ns > c.seenNs:
		c.seenNs = ns
	}
}

// seenBefore reports whether gopacket last saw c before tc.
func seenBefore(c *Conn, tc time.Time) bool {
	sec := tc.Unix()
	return c.seen < sec || (c.seen == sec && c.seenNs < int32(tc.Nanosecond()))
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

// delivered uncounts a segment gopacket delivered, if it was held.
func (t *Tracker) delivered(sc *segCtx) {
	if !sc.held {
		return
	}
	sc.held = false
	t.heldAt.remove(sc.sec)
	if h := sc.owner.held; h != nil {
		h.live--
	}
}

// forget uncounts c and whatever gopacket held of it: gopacket has let go
// of the connection (ReassemblyComplete), its pages with it.
func (t *Tracker) forget(c *Conn) {
	if c.counted {
		t.seen.remove(c)
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

// flush is the periodic flush with options o (see the top of the file).
func (t *Tracker) flush(o gpr.FlushOptions) {
	switch {
	case t.walkAlways || t.heldAt.before(o.T.Unix()+1):
		t.flushes++
		t.walks++
		t.asm.FlushWithOptions(o)
	case t.seen.before(o.TC.Unix() + 1):
		t.flushes++
		t.closeIdle(o.TC)
	}
}

// endBefore is gopacket's flush with T = TC = cut (evictions): it pushes
// the data held since before cut through and ends every connection last
// seen before it; without such data, closeIdle does the same without the
// walk.
func (t *Tracker) endBefore(cut time.Time) {
	if t.walkAlways || t.heldAt.before(cut.Unix()+1) {
		t.walks++
		t.asm.FlushWithOptions(gpr.FlushOptions{T: cut, TC: cut})
		return
	}
	t.closeIdle(cut)
}

// closeIdle ends every connection gopacket last saw before tc, as
// gopacket's flush does when no data is held: their report first (finish,
// where Evicted is decided as for any other), then gopacket lets go of
// them (forceClose).
func (t *Tracker) closeIdle(tc time.Time) {
	due := t.dueScratch[:0]
	t.seen.upTo(tc.Unix(), func(b []*Conn) {
		for _, c := range b {
			if seenBefore(c, tc) {
				due = append(due, c)
			}
		}
	})
	held := false
	for _, c := range due {
		held = held || (c.held != nil && c.held.live > 0)
	}
	if held {
		// Not expected: held data is older than the connection's last
		// packet, so older than T, and the caller ran gopacket's flush
		// then. gopacket's flush knows what to do with it.
		t.walks++
		t.asm.FlushWithOptions(gpr.FlushOptions{T: tc, TC: tc})
	} else {
		missed := false
		for _, c := range due {
			if c.counted { // not let go of by an earlier one's end
				t.finish(c)
				t.forceClose(c)
				missed = missed || c.counted
			}
		}
		if missed {
			// A made-up RST found no connection (a bug): gopacket's walk
			// lets go of what is left, rather than hold it to the end.
			t.walks++
			t.asm.FlushWithOptions(gpr.FlushOptions{T: tc, TC: tc})
		}
	}
	clear(due)
	t.dueScratch = due[:0]
}

// forceClose makes gopacket let go of c: a RST at each half's next
// sequence number, made up here and seen by no one but gopacket (c has
// ended, so Accept lets only these through, and a half already closed
// ignores its one). closePeer does the same for the half a RST left open.
func (t *Tracker) forceClose(c *Conn) {
	t.forcing = c
	defer func() { t.forcing = nil }()
	typ := gopacket.EndpointType(layers.EndpointIPv4)
	if !c.A.IP.Is4() {
		typ = layers.EndpointIPv6
	}
	if fg := c.gen; fg != nil && fg.gen > 0 {
		typ = gopacket.EndpointType(1<<20 + fg.gen)
	}
	net := gopacket.NewFlow(typ, c.A.IP.AsSlice(), c.B.IP.AsSlice())
	t.madeUpRST(net, c.A.Port, c.B.Port, t.now)
	if c.counted { // the B side's half is still open
		t.madeUpRST(net.Reverse(), c.B.Port, c.A.Port, t.now)
	}
}

// kthOldest is the last packet time of the k-th oldest of the open
// connections EvictOldest counts (each tuple's latest), found second by
// second in the index rather than by sorting them all.
func (t *Tracker) kthOldest(k int) time.Time {
	secs := t.secScratch[:0]
	for sec := range t.seen.at {
		secs = append(secs, sec)
	}
	slices.Sort(secs)
	t.secScratch = secs[:0]
	times := t.lastSeen[:0]
	defer func() { t.lastSeen = times[:0] }()
	for _, sec := range secs {
		times = times[:0]
		for _, c := range t.seen.at[sec] {
			if fg := c.gen; !c.done && fg != nil && fg.conn == c && t.flows[fg.key] == fg {
				times = append(times, c.End)
			}
		}
		if k > len(times) {
			k -= len(times)
			continue
		}
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		return times[k-1]
	}
	// Fewer than k in the index (not expected: every open connection is
	// in it): all of them.
	return t.now
}
