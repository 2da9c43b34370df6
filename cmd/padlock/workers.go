package main

// --workers: the connections of a capture file shared out to several
// reassemblers, with output byte-identical to one.
//
// The main goroutine reads, filters, saves and decodes packets as before,
// and sends each TCP segment (a reference when the packet stays valid, as
// a mapped file's do; a copy when the read buffer is reused) to the
// worker its 4-tuple hashes to, both directions alike. Segments go
// in batches, one per worker, all sent together (a round) when one is
// full, so that every worker moves on through the capture at the pace of
// the others. Each worker has its own tracker and builder, and renders the
// JSON of each report itself, the costliest step.
//
// Everything that depends on time happens at the same point of the
// capture as with one tracker: the dispatcher runs the tracker's clock
// (reassembly.FlushDue) over every segment and puts a flush into every
// worker's batch where one tracker would have flushed; pcapng decryption
// secrets met in the file reach a worker with the segments read after
// them, not before.
//
// A worker tells of every connection it creates and every one that ends
// (non-TLS ones too), each tagged with its position in the capture (the
// frame being added, or the flush after it), in results of at most
// chunkEvents. A merger takes each round's results from every worker,
// puts their events back into capture order,
// numbers connections by first packet (the IDs one tracker gives) and
// writes the reports in that order, holding ended ones back while an
// earlier one is open, up to --max-held, exactly as the single tracker
// does (reassembly.Options.Ordered): the workers' trackers do not order.

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/padlock-tls/padlock/capture"
	"github.com/padlock-tls/padlock/decrypt"
	"github.com/padlock-tls/padlock/reassembly"
	"github.com/padlock-tls/padlock/report"
)

// Batches: a round is sent when one worker's batch holds batchSegments
// segments or batchBytes bytes of them.
const (
	batchSegments = 256
	batchBytes    = 1 << 20
	inFlight      = 4 // batches queued per worker, and results per worker
)

type recKind uint8

const (
	recSegment recKind = iota
	recFlush           // the tracker's periodic flush, after the segment before it
	recEvict           // --max-memory: end the oldest share of the connections
)

// segRec is one entry of a batch: a segment (its TCP header and payload
// are ref, or data[start:end] of the batch when ref is nil) or an order
// for the tracker.
type segRec struct {
	kind       recKind
	truncated  bool
	start, end int32
	ref        []byte // the segment where it is, when it stays valid (capture.Segment.Stable)
	frame      int
	length     int
	time       time.Time
	share      float64
	net        gopacket.Flow
}

type batch struct {
	recs []segRec
	data []byte
	// secrets are the pcapng Decryption Secrets Blocks read before the
	// segments of this batch.
	secrets [][]byte
	last    bool // end of input: the tracker closes after the batch
}

// Positions order events across workers: 2*frame while the segment of that
// frame is added, 2*frame+1 for a flush or an eviction after it.
const posClose = math.MaxInt64

// Rendered lines go from the workers to the merger and back once written,
// in buffers reused by size: a report is ~10 KB of JSON, a new buffer for
// each was a third of all the bytes allocated, and lines often wait in the
// merger for an earlier connection (hundreds at a time on a busy capture),
// so a buffer holds its line with at most lineClass to spare. A worker
// renders into its own scratch buffer and copies the line into one of
// lineBufs[(len-1)/lineClass]; lines over maxPooledLine get one of their
// own, not reused.
const (
	lineClass     = 1 << 10
	maxPooledLine = 64 << 10
)

var lineBufs [maxPooledLine / lineClass]sync.Pool

// lineBuf returns a buffer holding line.
func lineBuf(line []byte) *[]byte {
	if len(line) == 0 || len(line) > maxPooledLine {
		b := append([]byte(nil), line...)
		return &b
	}
	c := (len(line) - 1) / lineClass
	b, _ := lineBufs[c].Get().(*[]byte)
	if b == nil {
		b = new([]byte)
		*b = make([]byte, 0, (c+1)*lineClass)
	}
	*b = append((*b)[:0], line...)
	return b
}

// putLineBuf gives a written line's buffer back for reuse.
func putLineBuf(b *[]byte) {
	if n := cap(*b); n > 0 && n <= maxPooledLine && n%lineClass == 0 {
		lineBufs[n/lineClass-1].Put(b)
	}
}

// gidCell carries the global ID of a connection that a later one may name
// (the connection a RST ended, see reassembly.AfterRSTMessage): the merger
// fills it in when it numbers the connection, before it meets the later one.
type gidCell struct{ id int }

// event is a connection created (open) or ended, in a worker.
type event struct {
	pos   int64
	frame int // the connection's first frame: unique, it names the connection
	open  bool
	// An ended TLS connection's report, rendered (line, with id 0; most
	// wait in the merger for an earlier connection, so each has its own
	// buffer) or not (rep).
	line     *[]byte // from lineBuf
	rep      *report.Connection
	cell     *gidCell // to fill in with this connection's global ID
	ref      *gidCell // the report's data_after_rst names this connection
	refLocal int      // by its ID in the worker
}

type result struct {
	w      int
	events []event
	last   bool
	// more results of this round follow from the worker (worker.event)
	more  bool
	stats reassembly.Stats
	h     handler // counters only
	memEv int     // connections ended by --max-memory
	panic string  // the worker stopped on this panic (a padlock bug)
}

// jsonHead is how a line a worker rendered starts: the merger writes the
// global ID in place of the 0.
const jsonHead = `{"type":"connection","id":0,`

// shard picks the worker of a segment from its 4-tuple, the same for both
// directions.
func shard(seg *capture.Segment, n int) int {
	sp, dp := uint64(seg.TCP.SrcPort), uint64(seg.TCP.DstPort)
	if sp > dp {
		sp, dp = dp, sp
	}
	h := seg.Net.FastHash() ^ (sp<<16|dp)*0x9e3779b97f4a7c15
	h ^= h >> 31
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 29
	return int(h % uint64(n))
}

// workers is the pipeline of --workers N > 1.
type workers struct {
	n     int
	in    []chan *batch
	free  chan *batch
	cur   []*batch
	full  bool // a batch of cur is full: send the round
	clock time.Time
	frame int // frame of the last segment dispatched
	// secrets of the input (nil when it has none) and how many of them
	// the batches being filled may see.
	secrets  func() [][]byte
	nSecrets int
	keys     *keySources
	m        *merger
	done     chan struct{}
	closed   bool
	st       reassembly.Stats
	h        *handler
	memEv    int
}

func newWorkers(w report.Writer, o options) *workers {
	n := o.workers
	p := &workers{n: n, in: make([]chan *batch, n), free: make(chan *batch, n*(inFlight+2)), cur: make([]*batch, n),
		done: make(chan struct{}), keys: o.keys}
	if o.keys != nil && o.keys.secrets != nil {
		p.secrets = o.keys.secrets
	}
	topts := trackerOptions(o)
	topts.Ordered = false // the merger orders
	topts.ExternalFlush = true
	if topts.MaxFlows > 0 {
		topts.MaxFlows = max(topts.MaxFlows/n, 1)
	}
	if topts.MaxPagesTotal > 0 {
		topts.MaxPagesTotal = max(topts.MaxPagesTotal/n, 1)
	}
	p.m = newMerger(w, n, o.caps.maxHeld)
	p.m.unordered = o.iface != ""
	render := p.m.lines != nil // JSON: the workers render the lines
	var first *report.Builder  // whose certificate cache the others share
	for i := range n {
		p.in[i] = make(chan *batch, inFlight)
		p.cur[i] = p.newBatch()
		wk := &worker{idx: i, in: p.in[i], out: p.m.in[i], free: p.free, resFree: p.m.free[i], render: render,
			refs: map[*reassembly.Conn]ref{}}
		wo := o
		if o.keys != nil {
			// Each worker reads the capture's secrets itself, as far as
			// its batches may see them; the files are shared (their
			// lookups lock). Bad lines are told once, by the dispatcher.
			view := &keySources{files: o.keys.files, stderr: io.Discard}
			if o.keys.secrets != nil {
				view.secrets = func() [][]byte { return wk.secrets }
			}
			wo.keys = view
		}
		builder := report.NewBuilder(wk.sink)
		configure(builder, wo)
		if first == nil {
			first = builder
		} else {
			builder.ShareCertificates(first)
		}
		builder.Recover = recoverPanics
		wk.h = &handler{Builder: builder, keys: wo.keys}
		wk.tracker = reassembly.New(topts, workerHandler{wk.h, wk})
		go wk.run()
	}
	go func() {
		p.m.run()
		close(p.done)
	}()
	return p
}

func (p *workers) newBatch() *batch {
	select {
	case b := <-p.free:
		return b
	default:
		return &batch{recs: make([]segRec, 0, batchSegments+8), data: make([]byte, 0, 16<<10)}
	}
}

func (p *workers) add(seg *capture.Segment) {
	if p.secrets != nil {
		if s := p.secrets(); len(s) != p.nSecrets {
			// Segments already read must not see the new secrets.
			p.round(false)
			p.newSecrets(s)
		}
	}
	b := p.cur[shard(seg, p.n)]
	r := segRec{kind: recSegment, truncated: seg.Truncated, frame: seg.Frame, length: seg.Length, time: seg.Time, net: seg.Net}
	if seg.Stable {
		tcp := seg.TCP
		r.ref = tcp.Contents[: len(tcp.Contents)+len(tcp.Payload) : len(tcp.Contents)+len(tcp.Payload)]
	} else {
		// The packet buffer is reused: copy.
		start := len(b.data)
		b.data = append(b.data, seg.TCP.Contents...)
		b.data = append(b.data, seg.TCP.Payload...)
		r.start, r.end = int32(start), int32(len(b.data))
	}
	b.recs = append(b.recs, r)
	p.frame = seg.Frame
	if len(b.recs) >= batchSegments || len(b.data) >= batchBytes {
		p.full = true
	}
	if reassembly.FlushDue(&p.clock, seg.Time) {
		for _, b := range p.cur {
			b.recs = append(b.recs, segRec{kind: recFlush, frame: seg.Frame, time: seg.Time})
		}
	}
	if p.full {
		p.round(false)
	}
}

// newSecrets tells the bad lines of the secrets blocks read since the last
// call, once (each worker reads them again, silently).
func (p *workers) newSecrets(s [][]byte) {
	for _, blk := range s[p.nSecrets:] {
		var kl decrypt.KeyLog
		bad, _ := kl.Read(bytes.NewReader(blk), "pcapng decryption secrets block")
		p.keys.warnBad(bad)
	}
	p.nSecrets = len(s)
}

// round sends every worker its batch, full or not.
func (p *workers) round(last bool) {
	var secrets [][]byte
	if p.secrets != nil {
		secrets = p.secrets()[:p.nSecrets]
	}
	for i, b := range p.cur {
		b.secrets, b.last = secrets, last
		p.in[i] <- b
		p.cur[i] = nil
		if !last {
			p.cur[i] = p.newBatch()
		}
	}
	p.full = false
}

func (p *workers) close() {
	if p.closed {
		return
	}
	p.closed = true
	if p.secrets != nil {
		if s := p.secrets(); len(s) != p.nSecrets {
			p.round(false)
			p.newSecrets(s)
		}
	}
	p.round(true)
	<-p.done
	p.st, p.h = p.m.totals()
}

func (p *workers) stop() { p.close() }

// tick is the live loop's wall-clock tick: every worker flushes its idle
// connections at now, and the batches go out full or not, so that a
// quiet link does not keep reports waiting for a batch to fill.
func (p *workers) tick(now time.Time) {
	for _, b := range p.cur {
		b.recs = append(b.recs, segRec{kind: recFlush, frame: p.frame, time: now})
	}
	p.round(false)
}

// push sends the batches if any holds something: the live loop's way of
// not keeping segments waiting on a quiet link.
func (p *workers) push() {
	for _, b := range p.cur {
		if len(b.recs) > 0 {
			p.round(false)
			return
		}
	}
}

// failed reports, while the workers run, whether writing the output failed.
func (p *workers) failed() bool { return p.m.failed.Load() }

func (p *workers) stats() (reassembly.Stats, *handler) { return p.st, p.h }
func (p *workers) err() error                          { return p.m.err }
func (p *workers) conns() int                          { return int(p.m.conns.Load()) }
func (p *workers) memEvicted() int                     { return p.m.memEv }

// evictOldest asks every worker to end that share of its connections idle
// the longest; they count what they ended (memEvicted).
func (p *workers) evictOldest(share float64) int {
	for _, b := range p.cur {
		b.recs = append(b.recs, segRec{kind: recEvict, frame: p.frame, share: share})
	}
	return 0
}

// ref is a connection's data_after_rst naming an earlier connection.
type ref struct {
	cell  *gidCell
	local int
}

type worker struct {
	idx     int
	in      chan *batch
	out     chan *result
	free    chan *batch
	resFree chan *result
	tracker *reassembly.Tracker
	h       *handler
	render  bool
	secrets [][]byte // what the batch being processed may see
	pos     int64
	res     *result
	rep     *report.Connection // the report the builder just made
	scratch []byte             // where reports are rendered (lineBuf)
	refs    map[*reassembly.Conn]ref
	tcp     layers.TCP
	seg     capture.Segment
	memEv   int
}

func (w *worker) sink(c *report.Connection) error {
	w.rep = c
	return nil
}

func (w *worker) newResult() *result {
	select {
	case r := <-w.resFree:
		clear(r.events) // let the reports go
		r.events, r.more = r.events[:0], false
		return r
	default:
		return &result{w: w.idx}
	}
}

func (w *worker) run() {
	failed := ""
	for b := range w.in {
		w.res = w.newResult()
		if failed == "" {
			failed = w.batch(b)
		}
		r := w.res
		r.last, r.panic = b.last, failed
		r.stats = w.tracker.Stats()
		r.h = handler{skipped: w.h.skipped, evicted: w.h.evicted, capped: w.h.capped}
		r.memEv = w.memEv
		last := b.last
		b.recs, b.data, b.secrets = b.recs[:0], b.data[:0], nil
		select {
		case w.free <- b:
		default:
		}
		w.out <- r
		if last {
			return
		}
	}
}

// batch runs one batch through the tracker. A panic (a padlock bug the
// builder's Recover did not catch) stops this worker, not padlock: the
// merger writes what it has and says so.
func (w *worker) batch(b *batch) (panicked string) {
	if recoverPanics {
		defer func() {
			if p := recover(); p != nil {
				panicked = fmt.Sprint(p)
			}
		}()
	}
	w.secrets = b.secrets
	for i := range b.recs {
		r := &b.recs[i]
		switch r.kind {
		case recSegment:
			w.pos = 2 * int64(r.frame)
			raw := r.ref
			if raw == nil {
				raw = b.data[r.start:r.end]
			}
			if err := w.tcp.DecodeFromBytes(raw, gopacket.NilDecodeFeedback); err != nil {
				continue // the dispatcher decoded these very bytes
			}
			w.seg = capture.Segment{Frame: r.frame, Time: r.time, Net: r.net, TCP: &w.tcp, Length: r.length, Truncated: r.truncated,
				Stable: r.ref != nil}
			w.tracker.Add(&w.seg)
		case recFlush:
			w.pos = 2*int64(r.frame) + 1
			w.tracker.Flush(r.time)
		case recEvict:
			w.pos = 2*int64(r.frame) + 1
			w.memEv += w.tracker.EvictOldest(r.share)
		}
	}
	if b.last {
		w.pos = posClose
		w.tracker.Close()
	}
	return ""
}

// workerHandler is the worker's tracker handler: the builder (through
// handler), and the events for the merger.
type workerHandler struct {
	*handler
	w *worker
}

// Open implements reassembly.Opener.
func (h workerHandler) Open(c *reassembly.Conn) {
	h.w.event(event{pos: h.w.pos, frame: c.FirstFrame, open: true})
}

func (h workerHandler) Problem(c *reassembly.Conn, p reassembly.Problem) {
	if p.Code == reassembly.CodeDataAfterRST && c.AfterRST != nil {
		// The earlier connection has ended already (its tombstone let
		// this one start), so its cell is there.
		if cell, ok := c.AfterRST.State.(*gidCell); ok {
			h.w.refs[c] = ref{cell: cell, local: c.AfterRST.ID}
		}
	}
	h.handler.Problem(c, p)
}

func (h workerHandler) Done(c *reassembly.Conn) {
	w := h.w
	w.rep = nil
	h.handler.Done(c)
	ev := event{pos: w.pos, frame: c.FirstFrame}
	if c.RST != [2]int{} {
		// A later connection may name this one (AfterRST).
		ev.cell = &gidCell{}
		c.State = ev.cell
	}
	if r, ok := w.refs[c]; ok {
		delete(w.refs, c)
		ev.ref, ev.refLocal = r.cell, r.local
	}
	if rep := w.rep; rep != nil {
		w.rep = nil
		ev.rep = rep
		if w.render && ev.ref == nil {
			rep.ID = 0
			line, err := report.AppendJSON(w.scratch[:0], rep)
			if line != nil {
				w.scratch = line
			}
			if err == nil && bytes.HasPrefix(line, []byte(jsonHead)) {
				ev.rep, ev.line = nil, lineBuf(line)
				w.h.Builder.Recycle(rep)
			} // else the merger's writer says what went wrong
		}
	}
	w.event(ev)
}

// event adds ev to the round's result, and sends the result on, with more
// to follow, once it holds chunkEvents: when a flush, an eviction or the
// end of input ends thousands of connections at once, neither the worker
// nor the merger holds all their reports.
func (w *worker) event(ev event) {
	w.res.events = append(w.res.events, ev)
	if len(w.res.events) >= chunkEvents {
		r := w.res
		r.more = true
		w.out <- r
		w.res = w.newResult()
	}
}

// chunkEvents is the most events a result holds.
const chunkEvents = 256

// merger puts the workers' events back in capture order and writes the
// reports.
type merger struct {
	n     int
	in    []chan *result
	free  []chan *result
	w     report.Writer
	lines interface{ WriteLine([]byte) error } // the JSON writer, for rendered lines
	err   error
	// failed is err != nil, for the live loop to read while the merger runs.
	failed atomic.Bool
	// unordered (live capture) writes each report as its connection ends,
	// as the live loop's one tracker does, rather than in first-packet
	// order; connections are still numbered by first packet.
	unordered bool

	conns    atomic.Int64 // connections numbered so far
	nextID   int
	gid      map[int]int // first frame -> global ID, of connections not yet ended
	nextEmit int
	held     map[int]held
	released map[int]bool
	maxHeld  int
	unord    int
	panic    string // a worker's

	last  []*result // each worker's last result: its counters
	memEv int
	buf   []byte
	heads []int
}

// held is an ended connection waiting for its turn.
type held struct {
	line *[]byte
	rep  *report.Connection
	ref  *gidCell
	loc  int
}

func newMerger(w report.Writer, n, maxHeld int) *merger {
	m := &merger{n: n, in: make([]chan *result, n), free: make([]chan *result, n), w: w, gid: map[int]int{},
		nextEmit: 1, held: map[int]held{}, released: map[int]bool{}, maxHeld: maxHeld, last: make([]*result, n), heads: make([]int, n)}
	if lw, ok := w.(interface{ WriteLine([]byte) error }); ok {
		m.lines = lw
	}
	for i := range n {
		m.in[i] = make(chan *result, inFlight)
		m.free[i] = make(chan *result, inFlight+2)
	}
	return m
}

func (m *merger) run() {
	rs := make([]*result, m.n)
	for {
		for i := range rs {
			rs[i] = <-m.in[i]
		}
		if m.merge(rs) {
			break
		}
	}
	// End of input: what is left goes out in order (after a worker's
	// panic, past the connections it never ended too).
	for m.nextEmit <= m.nextID {
		if it, ok := m.held[m.nextEmit]; ok {
			delete(m.held, m.nextEmit)
			m.write(m.nextEmit, it)
		} else if !m.released[m.nextEmit] && m.panic == "" {
			break
		}
		m.nextEmit++
	}
	if m.panic != "" && m.err == nil {
		m.err = workerBug(m.panic)
	}
}

// workerBug is a worker's panic, a padlock bug.
type workerBug string

func (e workerBug) Error() string {
	return fmt.Sprintf("padlock bug in a worker (%s): the reports of some of its connections are missing (--workers 1 may get further)", string(e))
}

// merge handles one round's events in capture order: by position, then
// by worker (several workers end connections in the same flush). A worker
// may send a round in several results (worker.event): the next is taken
// when the one before is used up, before any event after it. It reports
// whether the round was the last.
func (m *merger) merge(rs []*result) (last bool) {
	hs := m.heads
	clear(hs)
	for {
		best := -1
		for i := range rs {
			for hs[i] == len(rs[i].events) && rs[i].more {
				m.recycle(rs[i])
				rs[i], hs[i] = <-m.in[i], 0
			}
			if hs[i] < len(rs[i].events) && (best < 0 || rs[i].events[hs[i]].pos < rs[best].events[hs[best]].pos) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		ev := &rs[best].events[hs[best]]
		hs[best]++
		m.event(ev)
	}
	for i, r := range rs {
		if r.panic != "" && m.panic == "" {
			m.panic = r.panic
		}
		if r.last {
			last = true
			m.last[i] = r
			continue
		}
		m.recycle(r)
	}
	return last
}

// recycle hands a result whose events are handled back to its worker.
func (m *merger) recycle(r *result) {
	select {
	case m.free[r.w] <- r:
	default:
	}
}

func (m *merger) event(ev *event) {
	if ev.open {
		m.nextID++
		m.gid[ev.frame] = m.nextID
		m.conns.Store(int64(m.nextID))
		return
	}
	id, ok := m.gid[ev.frame]
	if !ok {
		return // never opened: cannot happen
	}
	delete(m.gid, ev.frame)
	if ev.cell != nil {
		ev.cell.id = id
	}
	it := held{line: ev.line, rep: ev.rep, ref: ev.ref, loc: ev.refLocal}
	if m.unordered {
		m.write(id, it)
		return
	}
	// As reassembly.Tracker's finish does with Options.Ordered.
	if m.released[id] {
		delete(m.released, id)
		m.write(id, it)
		return
	}
	if id == m.nextEmit {
		m.nextEmit++
		m.write(id, it)
	} else {
		m.held[id] = it
	}
	for {
		next, ok := m.held[m.nextEmit]
		if !ok {
			if m.maxHeld <= 0 || len(m.held) <= m.maxHeld || m.nextEmit > m.nextID {
				return
			}
			m.released[m.nextEmit] = true
			m.unord++
			m.nextEmit++
			continue
		}
		delete(m.held, m.nextEmit)
		m.write(m.nextEmit, next)
		m.nextEmit++
	}
}

// write writes connection id's report, if it has one (it spoke TLS).
func (m *merger) write(id int, it held) {
	if m.err != nil {
		return
	}
	switch {
	case it.rep != nil:
		it.rep.ID = id
		if it.ref != nil {
			fixAfterRST(it.rep, it.loc, it.ref.id)
		}
		m.err = m.w.Write(it.rep)
	case it.line != nil:
		// File output does not flush after each line: the line is
		// written in two parts, its head with the global ID, then the
		// rest. Live output flushes each line, so it goes in one piece.
		m.buf = append(m.buf[:0], jsonHead[:len(jsonHead)-2]...)
		m.buf = strconv.AppendInt(m.buf, int64(id), 10)
		rest := (*it.line)[len(jsonHead)-1:]
		if m.unordered {
			m.err = m.lines.WriteLine(append(m.buf, rest...))
		} else if m.err = m.lines.WriteLine(m.buf); m.err == nil {
			m.err = m.lines.WriteLine(rest)
		}
		putLineBuf(it.line)
	}
	if m.err != nil {
		m.failed.Store(true)
	}
}

// fixAfterRST puts the global ID of the connection a data_after_rst error
// names in place of its ID in the worker.
func fixAfterRST(rep *report.Connection, local, global int) {
	was := "connection " + strconv.Itoa(local) + " "
	for i := range rep.Errors {
		e := &rep.Errors[i]
		if e.Code == string(reassembly.CodeDataAfterRST) && strings.HasPrefix(e.Message, was) {
			e.Message = "connection " + strconv.Itoa(global) + " " + e.Message[len(was):]
		}
	}
}

// totals adds up the workers' counters, after the last round.
func (m *merger) totals() (reassembly.Stats, *handler) {
	var st reassembly.Stats
	h := &handler{}
	for _, r := range m.last {
		s := r.stats
		st.Segments += s.Segments
		st.Connections += s.Connections
		st.TLS += s.TLS
		st.Records += s.Records
		st.Gaps += s.Gaps
		st.RefusedFlows += s.RefusedFlows
		st.RefusedSegments += s.RefusedSegments
		st.LateSegments += s.LateSegments
		st.Evicted += s.Evicted
		h.skipped += r.h.skipped
		h.evicted += r.h.evicted
		h.capped += r.h.capped
		m.memEv += r.memEv
	}
	st.Unordered = m.unord
	return st, h
}
