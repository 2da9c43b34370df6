package reassembly

import (
	"fmt"
	"time"
)

// cutState is where a direction's record cutter stands.
type cutState uint8

const (
	cutDetect cutState = iota // stream start seen: the first bytes decide TLS or not
	cutScan                   // looking for a plausible record header (mid-stream start, after a gap)
	cutTLS                    // in step with the record layer
	cutOff                    // not TLS: bytes are counted and dropped
)

// Scanning limits: how far the cutter looks for a record header before it
// decides a direction is not TLS. A TLS record is at most 18 KiB, so a
// window of a few records is plenty and keeps non-TLS streams cheap.
const (
	maxScanBytes = 64 << 10
)

// cutter cuts one direction of a TCP stream into TLS records. Bytes arrive
// in stream order with the frame that carried them; each record leaves with
// the spans of frames that carried its header and body.
type cutter struct {
	dir      Dir
	state    cutState
	buf      []byte
	spans    []Span // Off relative to buf[0]
	off      int64  // stream offset of buf[0]
	scanned  int    // bytes given up while scanning since the last record
	scanPos  int    // positions of buf before this were rejected as headers
	records  int
	skipped  int64 // bytes not in any record (gaps, scanning, non-TLS)
	sink     cutSink
	firstRec bool // no record cut yet: an SSLv2 ClientHello is allowed
	// synced: the cutter found a record header at least once, so the
	// direction spoke TLS (or tried to) even if no record was completed.
	synced bool

	// Application data walked without copying: when the sink says
	// (skipAppData) the handler does not want the body, an
	// application_data record is followed by its header alone and its
	// bytes are never buffered.
	filter  bool       // the sink may not want them; false: every body is kept
	skipRem int        // bytes of the skipped record still to come (0: none)
	skip    *skipState // allocated at the first skipped record
}

// cutSink is where a cutter's records and problems go: the connection
// (Conn), with no closure to allocate for each of its two cutters.
type cutSink interface {
	cutRecord(d Dir, r *Record)
	cutProblem(d Dir, p Problem)
	// skipAppData reports whether application data bodies are unwanted
	// now (asked only of a cutter made with filter).
	skipAppData() bool
}

// skipState is the record being skipped, kept apart from the cutter so
// that directions that never skip (idle flows, handshakes) do not pay for it.
type skipState struct {
	len   int   // the record's length, header included
	off   int64 // stream offset of its header
	hdr   [recordHeaderLen]byte
	spans []Span
	rec   Record  // reused: a skipped record lives only during emit
	room  [2]Span // spans' first room: most records come in one or two segments
}

// init readies c, in place, to cut direction dir for sink.
func (c *cutter) init(dir Dir, sink cutSink, filter bool) {
	*c = cutter{dir: dir, sink: sink, filter: filter, firstRec: true}
}

func (c *cutter) emit(r *Record)    { c.sink.cutRecord(c.dir, r) }
func (c *cutter) problem(p Problem) { c.sink.cutProblem(c.dir, p) }

// start tells the cutter whether the stream's first byte was seen (SYN) or
// the capture joined mid-connection.
func (c *cutter) start(fromSYN bool) {
	if c.state == cutDetect && !fromSYN {
		c.state = cutScan
	}
}

// push hands the cutter the next bytes of the stream, carried by frame.
// stable says data stays valid and unchanged until the capture is closed:
// whole records in it are then emitted where they are, not copied.
func (c *cutter) push(data []byte, frame int, t time.Time, stable bool) {
	if len(data) == 0 {
		return
	}
	if c.state == cutOff {
		c.off += int64(len(data))
		c.skipped += int64(len(data))
		return
	}
walk:
	for {
		switch {
		case c.skipRem > 0 || c.canSkip(data):
			if c.skipRem == 0 {
				c.startSkip(data)
			}
			data = c.skipBody(data, frame, t)
		case stable && c.wholeRecord(data):
			data = c.takeInPlace(data, frame, t)
		default:
			break walk
		}
		if len(data) == 0 {
			return
		}
	}
	c.reserve(len(data), data)
	c.spans = append(c.spans, Span{Frame: frame, Time: t, Off: len(c.buf), Len: len(data)})
	c.buf = append(c.buf, data...)
	c.cut(false)
}

// reserve makes room in buf, at once, for the record that starts it (or
// starts data, with buf empty) when the n bytes coming do not complete it
// but make at least half of it: a record that spans segments then costs
// one allocation of its size, not one per doubling. Never sooner: a
// header alone must not make a flow hold the 16 KiB it announces (a
// hostile or stalled one would, for each of thousands of flows).
func (c *cutter) reserve(n int, data []byte) {
	if c.state != cutTLS && c.state != cutDetect {
		return
	}
	h := c.buf
	if len(h) == 0 {
		h = data
	}
	if len(h) < recordHeaderLen || !plausibleHeader(h) {
		return
	}
	need := recordHeaderLen + (int(h[3])<<8 | int(h[4]))
	have := len(c.buf) + n
	if need <= have || need <= cap(c.buf) || need > 2*have {
		return
	}
	b := make([]byte, len(c.buf), need)
	copy(b, c.buf)
	c.buf = b
}

// wholeRecord reports whether data, at a record boundary with nothing
// buffered, starts with a whole change_cipher_spec or application_data
// record. Handshake records are copied all the same: the session keeps
// their messages until the report is built, which would read the file's
// pages again long after the reader let them go (capture's mapReader).
func (c *cutter) wholeRecord(data []byte) bool {
	if (c.state != cutTLS && c.state != cutDetect) || len(c.buf) != 0 || len(data) < recordHeaderLen || !plausibleHeader(data) {
		return false
	}
	if data[0] != 20 && data[0] != 23 {
		return false
	}
	if c.firstRec {
		if _, _, ok := sslv2Hello(data); ok {
			return false
		}
	}
	if len(data) < recordHeaderLen+(int(data[3])<<8|int(data[4])) {
		return false
	}
	// A stream that starts with a record header is TLS (see cut).
	c.state, c.synced = cutTLS, true
	return true
}

// takeInPlace emits the whole record at the front of data, which stays
// valid, without copying it (as take does from buf), and returns the rest.
func (c *cutter) takeInPlace(data []byte, frame int, t time.Time) []byte {
	end := recordHeaderLen + (int(data[3])<<8 | int(data[4]))
	r := newRecord()
	*r = Record{
		Dir:     c.dir,
		Type:    data[0],
		Version: uint16(data[1])<<8 | uint16(data[2]),
		Length:  end - recordHeaderLen,
		Offset:  c.off,
		Header:  data[:recordHeaderLen:recordHeaderLen],
		Body:    data[recordHeaderLen:end:end],
		Spans:   append(r.Spans, Span{Frame: frame, Time: t, Off: 0, Len: end}),
	}
	c.records++
	c.firstRec = false
	c.scanned = 0
	c.off += int64(end)
	c.emit(r)
	return data[end:]
}

// spannedRecord is a record with room for the spans of most (one or two
// segments): one allocation, not two.
type spannedRecord struct {
	Record
	spans [2]Span
}

// newRecord returns an emptied record whose Spans has room for two.
func newRecord() *Record {
	sr := new(spannedRecord)
	sr.Spans = sr.spans[:0]
	return &sr.Record
}

// canSkip reports whether data, at a record boundary with nothing
// buffered, starts with an application_data record whose body is not
// wanted.
func (c *cutter) canSkip(data []byte) bool {
	return c.filter && c.state == cutTLS && len(c.buf) == 0 && !c.firstRec &&
		len(data) >= recordHeaderLen && data[0] == 23 && plausibleHeader(data) && c.sink.skipAppData()
}

// wantSkip is canSkip for the record at the front of buf.
func (c *cutter) wantSkip() bool {
	return c.filter && !c.firstRec && c.buf[0] == 23 && c.sink.skipAppData()
}

// startSkip begins skipping the record whose header starts hdr, at c.off.
func (c *cutter) startSkip(hdr []byte) {
	if c.skip == nil {
		c.skip = new(skipState)
		c.skip.spans = c.skip.room[:0]
	}
	copy(c.skip.hdr[:], hdr[:recordHeaderLen])
	c.skip.len = recordHeaderLen + (int(hdr[3])<<8 | int(hdr[4]))
	c.skipRem = c.skip.len
	c.skip.off = c.off
	c.skip.spans = c.skip.spans[:0]
}

// skipBody passes over the skipped record's bytes at the front of data and
// returns the rest.
func (c *cutter) skipBody(data []byte, frame int, t time.Time) []byte {
	k := min(c.skipRem, len(data))
	c.skip.spans = append(c.skip.spans, Span{Frame: frame, Time: t, Off: c.skip.len - c.skipRem, Len: k})
	c.skipRem -= k
	c.off += int64(k)
	if c.skipRem == 0 {
		c.emitSkipped()
	}
	return data[k:]
}

// emitSkipped delivers the skipped record: no Body, and the Record and its
// Spans are reused for the next one.
func (c *cutter) emitSkipped() {
	r := &c.skip.rec
	*r = Record{
		Dir:     c.dir,
		Type:    c.skip.hdr[0],
		Version: uint16(c.skip.hdr[1])<<8 | uint16(c.skip.hdr[2]),
		Length:  c.skip.len - recordHeaderLen,
		Spans:   c.skip.spans,
		Offset:  c.skip.off,
		Header:  c.skip.hdr[:],
		Skipped: true,
	}
	c.records++
	c.scanned = 0
	c.emit(r)
}

// gap says n bytes of the stream were never seen (n < 0: unknown amount).
func (c *cutter) gap(n int, frame int) {
	if c.state == cutOff {
		if n > 0 {
			c.off += int64(n)
		}
		return
	}
	lost := len(c.buf)
	skipping := c.skipRem > 0
	if skipping {
		// The skipped record is cut short: its bytes seen so far are
		// lost as a buffered record's would be (they were never
		// buffered, so there is nothing to drop).
		lost = c.skip.len - c.skipRem
		c.off -= int64(lost)
		c.skipRem = 0
	}
	msg := fmt.Sprintf("%d bytes missing from the capture", n)
	if n < 0 {
		msg = "an unknown number of bytes missing from the capture"
	}
	if lost > 0 {
		msg += fmt.Sprintf("; %d buffered bytes of an unfinished record dropped", lost)
	}
	c.problem(Problem{Code: CodeStreamGap, Msg: msg, Dir: c.dir, Frame: frame, Offset: c.off + int64(lost)})
	if skipping {
		c.off += int64(lost)
		c.skipped += int64(lost)
	} else {
		c.drop(lost)
	}
	if n > 0 {
		c.off += int64(n)
		c.skipped += int64(n)
	}
	c.state = cutScan
}

// end flushes what is left when the stream closes.
func (c *cutter) end() {
	if c.state == cutScan {
		c.cut(true)
	}
	if c.skipRem > 0 {
		frame := c.skip.spans[len(c.skip.spans)-1].Frame
		seen := c.skip.len - c.skipRem
		c.problem(Problem{Code: CodeStreamIncomplete, Dir: c.dir, Frame: frame, Offset: c.skip.off,
			Msg: fmt.Sprintf("stream ended inside a record of %d bytes: %d bytes seen", c.skip.len-recordHeaderLen, seen)})
		c.skipRem = 0
		c.skipped += int64(seen)
	}
	if c.state == cutTLS && len(c.buf) > 0 {
		frame := 0
		if len(c.spans) > 0 {
			frame = c.spans[len(c.spans)-1].Frame
		}
		what := "record"
		if len(c.buf) >= recordHeaderLen {
			what = fmt.Sprintf("record of %d bytes", int(c.buf[3])<<8|int(c.buf[4]))
		}
		c.problem(Problem{Code: CodeStreamIncomplete, Dir: c.dir, Frame: frame, Offset: c.off,
			Msg: fmt.Sprintf("stream ended inside a %s: %d bytes seen", what, len(c.buf))})
	}
	c.drop(len(c.buf))
}

// drop discards the first n buffered bytes.
func (c *cutter) drop(n int) {
	if n == 0 {
		return
	}
	c.skipped += int64(n)
	c.consume(n)
}

// consume removes the first n bytes of buf and their spans. The remaining
// bytes stay in the same array: records cut before them alias the part
// before n, which is never written again.
func (c *cutter) consume(n int) {
	c.off += int64(n)
	c.scanPos -= n
	if c.scanPos < 0 {
		c.scanPos = 0
	}
	if n == len(c.buf) {
		c.buf = nil
		c.spans = c.spans[:0]
		return
	}
	c.buf = c.buf[n:]
	k := 0
	for _, s := range c.spans {
		if s.Off+s.Len <= n {
			continue
		}
		if s.Off < n {
			s.Len -= n - s.Off
			s.Off = 0
		} else {
			s.Off -= n
		}
		c.spans[k] = s
		k++
	}
	c.spans = c.spans[:k]
}

// cut emits every complete record in buf. final means no more bytes come.
func (c *cutter) cut(final bool) {
	for {
		switch c.state {
		case cutOff:
			return
		case cutDetect:
			if len(c.buf) < recordHeaderLen {
				return
			}
			if _, _, ok := sslv2Hello(c.buf); ok || plausibleHeader(c.buf) {
				c.state, c.synced = cutTLS, true
				continue
			}
			// The stream began here and does not start with a record.
			// Look for one within maxScanBytes, as after a gap: bytes
			// sent before a ClientHello (a probe, a STARTTLS-like
			// preamble, an evasion attempt) must not hide the TLS that
			// follows. A stream with no record in that window is not TLS
			// and is dropped as before, silently.
			c.state = cutScan
			continue
		case cutScan:
			if !c.scan(final) {
				return
			}
		case cutTLS:
			if !c.record() {
				return
			}
		}
	}
}

// record cuts one record from the front of buf; false when it needs more bytes.
func (c *cutter) record() bool {
	if len(c.buf) < recordHeaderLen {
		return false
	}
	if c.firstRec {
		if hdr, body, ok := sslv2Hello(c.buf); ok {
			if len(c.buf) < hdr+body {
				return false
			}
			c.take(hdr, body, true)
			return true
		}
	}
	if !plausibleHeader(c.buf) {
		code := CodeRecordHeaderInvalid
		msg := fmt.Sprintf("expected a record header, found % x", c.buf[:recordHeaderLen])
		if n := int(c.buf[3])<<8 | int(c.buf[4]); c.buf[0] >= 20 && c.buf[0] <= 24 && c.buf[1] == 3 && n > maxRecordBody {
			code = CodeRecordTooLarge
			msg = fmt.Sprintf("record length %d exceeds the maximum %d", n, maxRecordBody)
		}
		c.problem(Problem{Code: code, Msg: msg, Dir: c.dir, Frame: c.frameAt(0), Offset: c.off})
		c.state = cutScan
		c.scanPos = 1
		return true
	}
	n := int(c.buf[3])<<8 | int(c.buf[4])
	if c.wantSkip() {
		// Follow the rest of the record without buffering it; what is
		// buffered is dropped and the buffer kept for later use (no
		// record aliases it).
		end := min(len(c.buf), recordHeaderLen+n)
		c.startSkip(c.buf)
		for _, s := range c.spans {
			if s.Off >= end {
				break
			}
			s.Len = min(s.Len, end-s.Off)
			c.skip.spans = append(c.skip.spans, s)
		}
		c.skipRem -= end
		c.consumeKeep(end)
		if c.skipRem == 0 {
			c.emitSkipped()
			return true
		}
		return false
	}
	if len(c.buf) < recordHeaderLen+n {
		return false
	}
	c.take(recordHeaderLen, n, false)
	return true
}

// consumeKeep is consume for bytes no record aliases: an emptied buffer
// keeps its array.
func (c *cutter) consumeKeep(n int) {
	if n == len(c.buf) {
		c.off += int64(n)
		c.scanPos = 0
		c.buf = c.buf[:0]
		c.spans = c.spans[:0]
		return
	}
	c.consume(n)
}

// take emits the record of header length hdr and body length n at buf[0].
func (c *cutter) take(hdr, n int, v2 bool) {
	end := hdr + n
	r := newRecord()
	*r = Record{
		Dir:    c.dir,
		Length: n,
		Offset: c.off,
		SSLv2:  v2,
		Header: c.buf[:hdr:hdr],
		Body:   c.buf[hdr:end:end],
		Spans:  r.Spans,
	}
	if v2 {
		r.Type = 22
		r.Version = uint16(c.buf[3])<<8 | uint16(c.buf[4])
	} else {
		r.Type = c.buf[0]
		r.Version = uint16(c.buf[1])<<8 | uint16(c.buf[2])
	}
	for _, s := range c.spans {
		if s.Off >= end {
			break
		}
		if s.Off+s.Len > end {
			s.Len = end - s.Off
		}
		r.Spans = append(r.Spans, s)
	}
	c.records++
	c.firstRec = false
	c.scanned = 0
	c.consume(end)
	c.emit(r)
}

// frameAt is the frame that carried buf[i].
func (c *cutter) frameAt(i int) int {
	for _, s := range c.spans {
		if i < s.Off+s.Len {
			return s.Frame
		}
	}
	return 0
}

// scan looks for the next plausible record header. A candidate is accepted
// when the record it announces is followed by another plausible header (or
// ends exactly where the stream ends), which makes a false match on random
// bytes very unlikely. It returns true when the cutter is in step again.
func (c *cutter) scan(final bool) bool {
	for i := c.scanPos; i+recordHeaderLen <= len(c.buf); i++ {
		if !plausibleHeader(c.buf[i:]) {
			continue
		}
		end := i + recordHeaderLen + (int(c.buf[i+3])<<8 | int(c.buf[i+4]))
		switch {
		case end+recordHeaderLen <= len(c.buf):
			if !plausibleHeader(c.buf[end:]) {
				continue
			}
		case end == len(c.buf) && final:
		default:
			// Not enough bytes to confirm yet: wait, but remember what was ruled out.
			c.scanPos = i
			c.giveUpIfTooFar(i)
			return false
		}
		if i > 0 {
			c.problem(Problem{Code: CodeStreamResync, Dir: c.dir, Frame: c.frameAt(i), Offset: c.off + int64(i),
				Msg: fmt.Sprintf("skipped %d bytes to the next record header", i)})
			c.drop(i)
		}
		c.state, c.synced = cutTLS, true
		return true
	}
	// Keep the last bytes: a header may straddle the next delivery.
	keep := recordHeaderLen - 1
	if n := len(c.buf) - keep; n > 0 {
		c.scanned += n
		c.drop(n)
	}
	c.scanPos = 0
	c.giveUpIfTooFar(0)
	if final {
		c.drop(len(c.buf))
	}
	return false
}

// giveUpIfTooFar turns the direction off after maxScanBytes without a record.
func (c *cutter) giveUpIfTooFar(pending int) {
	if c.scanned+pending < maxScanBytes {
		return
	}
	if c.records > 0 {
		c.problem(Problem{Code: CodeStreamNotTLS, Dir: c.dir, Frame: c.frameAt(0), Offset: c.off,
			Msg: fmt.Sprintf("no record header found in %d bytes; direction no longer followed", c.scanned+pending)})
	}
	c.state = cutOff
	c.drop(len(c.buf))
}
