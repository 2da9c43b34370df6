package dissect

import (
	"fmt"
	"sort"
)

// DefaultMaxMessage caps one handshake message. The protocol allows 2^24-1
// bytes; real certificate chains stay far below 1 MiB, and buffering more
// for a passive observer only helps an attacker.
const DefaultMaxMessage = 1 << 20

// handshakeHeaderLen: msg_type(1) + uint24 length (RFC 8446, Section 4).
const handshakeHeaderLen = 4

// Fragment is one record's worth of handshake bytes handed to a
// HandshakeReader, with a way to tell which frames carried any range of it.
type Fragment struct {
	Data   []byte
	Record int         // record number in the connection
	Frames FrameSource // frames that carried Data[off:off+n]
}

// FrameSource tells which frames carried n bytes at off of a record. An
// interface rather than a func: a record (reassembly.Record) is one
// without the allocation a method value costs, for each of a
// connection's records.
type FrameSource interface {
	FramesOf(off, n int) []int
}

// FramesFunc is a FrameSource from a function.
type FramesFunc func(off, n int) []int

func (f FramesFunc) FramesOf(off, n int) []int { return f(off, n) }

// Message is one handshake message, joined from one or more records.
type Message struct {
	Type    HandshakeType
	Length  int    // body length from the header
	Body    []byte // the body without the 4-byte header (aliases the record when it fits in one)
	Frames  []int  // distinct frames that carried the header and body, in stream order
	Records []int  // records that carried it

	// spans map the message's bytes (header included) back to the records
	// that carried them, for FramesOf. The record callbacks they hold are
	// valid while the record that completed the message is being handled.
	spans []msgSpan

	// room, when set, is a HandshakeMsg allocated with the message, for
	// Session.message to fill: one allocation for both.
	room *HandshakeMsg
	// compacted: Body is a hello's without its key exchange bytes
	// (compactHello), so shorter than Length though the message was whole.
	compacted bool
}

// Complete reports whether the whole message was read (not cut short by
// the end of the stream, or skipped over its cap).
func (m *Message) Complete() bool { return m.compacted || len(m.Body) == m.Length }

// msgSpan is a run of a message's bytes carried by one record.
type msgSpan struct {
	off, n int         // offset in the message (header included) and length
	base   int         // offset of the run in the record's fragment
	frames FrameSource // the record's Fragment.Frames
}

// dropSpans lets go of the records that carried m once it is decoded: its
// frames are known by then, and FramesOf may only be asked while the
// record that completed it is handled anyway. Until the report is built,
// a kept span would keep each of those records, and a message copied
// out of several records would be held twice.
func (m *Message) dropSpans() {
	clear(m.spans)
	m.spans = nil
}

// FramesOf returns the frames that carried Body[off:off+n], in stream
// order: a certificate inside a Certificate message that crossed records
// and packets names exactly the packets its own bytes travelled in. Call it
// while the record that completed the message is being handled.
func (m *Message) FramesOf(off, n int) []int {
	lo, hi := handshakeHeaderLen+off, handshakeHeaderLen+off+n
	var out []int
	var seen map[int]struct{}
	// Spans are in message order: start at the first that ends past lo
	// (a message cut into a million one-byte records has a million spans,
	// and a chain of certificates asks once per certificate).
	i := sort.Search(len(m.spans), func(i int) bool { return m.spans[i].off+m.spans[i].n > lo })
	for _, s := range m.spans[i:] {
		if s.off >= hi {
			break
		}
		a, b := max(lo, s.off), min(hi, s.off+s.n)
		if a >= b || s.frames == nil {
			continue
		}
		out = appendFrames(out, &seen, s.frames.FramesOf(s.base+a-s.off, b-a))
	}
	return out
}

// HandshakeReader joins and splits handshake messages across records
// (RFC 8446, Section 5.1: a message may span records, a record may hold
// several messages). It keeps only an unfinished message between calls.
type HandshakeReader struct {
	// MaxMessage caps one message (DefaultMaxMessage when zero).
	MaxMessage int

	pending  []byte // an unfinished message's bytes (header included)
	frames   []int
	records  []int
	skipping int // bytes still to skip of a message over the cap
	spans    []msgSpan
	seen     map[int]struct{} // frames' set once they are many (appendFrames)
	out      []*Message       // Add's result, reused
}

// Pending reports how many bytes of an unfinished message are buffered.
func (h *HandshakeReader) Pending() int { return len(h.pending) }

// Add consumes one record's handshake bytes and returns every message it
// completed, in order. The slice is valid until the next Add (the
// messages stay).
func (h *HandshakeReader) Add(f Fragment) ([]*Message, []*Error) {
	msgs := h.out[:0]
	var errs []*Error
	maxMsg := h.MaxMessage
	if maxMsg <= 0 {
		maxMsg = DefaultMaxMessage
	}
	data := f.Data
	base := 0 // offset of data within f.Data
	if h.skipping > 0 {
		n := min(h.skipping, len(data))
		h.skipping -= n
		data, base = data[n:], n
	}
	for len(data) > 0 {
		if len(h.pending) == 0 && len(data) >= handshakeHeaderLen {
			// Fast path: a whole message inside this record needs no copy.
			n := int(data[1])<<16 | int(data[2])<<8 | int(data[3])
			if handshakeHeaderLen+n <= len(data) && n <= maxMsg {
				end := handshakeHeaderLen + n
				b := &wholeMessage{
					Message: Message{
						Type:   HandshakeType(data[0]),
						Length: n,
						Body:   data[handshakeHeaderLen:end:end],
						Frames: framesOf(f, base, base+end),
					},
					record: [1]int{f.Record},
					span:   [1]msgSpan{{off: 0, n: end, base: base, frames: f.Frames}},
				}
				b.Records, b.spans, b.room = b.record[:], b.span[:], &b.hm
				msgs = append(msgs, &b.Message)
				data, base = data[end:], base+end
				continue
			}
		}
		// Slow path: accumulate until the header and body are complete.
		need := handshakeHeaderLen
		if len(h.pending) >= handshakeHeaderLen {
			need += int(h.pending[1])<<16 | int(h.pending[2])<<8 | int(h.pending[3])
		}
		take := min(need-len(h.pending), len(data))
		if len(h.pending) < handshakeHeaderLen {
			take = min(handshakeHeaderLen-len(h.pending), len(data))
		}
		h.spans = append(h.spans, msgSpan{off: len(h.pending), n: take, base: base, frames: f.Frames})
		h.pending = append(h.pending, data[:take]...)
		h.frames = appendFrames(h.frames, &h.seen, framesOf(f, base, base+take))
		if len(h.records) == 0 || h.records[len(h.records)-1] != f.Record {
			h.records = append(h.records, f.Record)
		}
		data, base = data[take:], base+take
		if len(h.pending) < handshakeHeaderLen {
			continue
		}
		n := int(h.pending[1])<<16 | int(h.pending[2])<<8 | int(h.pending[3])
		if n > maxMsg {
			errs = append(errs, errorf(CodeHandshakeTooLarge, base-take,
				"%s message of %d bytes exceeds the cap of %d; skipped", HandshakeType(h.pending[0]), n, maxMsg))
			msgs = append(msgs, &Message{Type: HandshakeType(h.pending[0]), Length: n, Frames: h.frames, Records: h.records})
			rest := n - (len(h.pending) - handshakeHeaderLen)
			skip := min(rest, len(data))
			data, base = data[skip:], base+skip
			h.skipping = rest - skip
			h.reset()
			continue
		}
		if len(h.pending) < handshakeHeaderLen+n {
			continue
		}
		msgs = append(msgs, &Message{
			Type:    HandshakeType(h.pending[0]),
			Length:  n,
			Body:    h.pending[handshakeHeaderLen:],
			Frames:  h.frames,
			Records: h.records,
			spans:   h.spans,
		})
		h.reset()
	}
	h.out = msgs
	return msgs, errs
}

// wholeMessage is a message that one record carried whole, with its
// one-entry lists: one allocation, not three (most messages are).
type wholeMessage struct {
	Message
	record [1]int
	span   [1]msgSpan
	hm     HandshakeMsg
}

// Flush reports an unfinished message at the end of the stream.
func (h *HandshakeReader) Flush() *Message {
	if len(h.pending) == 0 {
		return nil
	}
	m := &Message{Frames: h.frames, Records: h.records}
	if len(h.pending) >= 1 {
		m.Type = HandshakeType(h.pending[0])
	}
	if len(h.pending) >= handshakeHeaderLen {
		m.Length = int(h.pending[1])<<16 | int(h.pending[2])<<8 | int(h.pending[3])
		m.Body = h.pending[handshakeHeaderLen:]
	}
	h.reset()
	return m
}

// IncompleteError describes a message Flush returned.
func IncompleteError(m *Message) *Error {
	return errorf(CodeHandshakeIncomplete, 0, "%s message cut off: %d of %d body bytes seen", m.Type, len(m.Body), m.Length)
}

func (h *HandshakeReader) reset() {
	h.pending, h.frames, h.records, h.spans, h.seen = nil, nil, nil, nil, nil
}

func framesOf(f Fragment, from, to int) []int {
	if f.Frames == nil || to <= from {
		return nil
	}
	return f.Frames.FramesOf(from, to-from)
}

// linearFrames is how many distinct frames appendFrames checks one by one
// before it keeps a set: a message sent one byte per record and per
// segment has as many frames as bytes (up to the 1 MiB cap), and a linear
// check of each would be quadratic, hours of CPU for a crafted capture.
const linearFrames = 32

// appendFrames adds frames to dst, keeping each frame once, in first-seen
// order. seen is the set of dst's frames once dst outgrows linearFrames
// (nil before); the caller keeps it with dst.
func appendFrames(dst []int, seen *map[int]struct{}, frames []int) []int {
next:
	for _, fr := range frames {
		if n := len(dst); n > 0 && dst[n-1] == fr {
			continue
		}
		if *seen == nil {
			if len(dst) < linearFrames {
				for _, have := range dst {
					if have == fr {
						continue next
					}
				}
				dst = append(dst, fr)
				continue
			}
			*seen = make(map[int]struct{}, 2*len(dst))
			for _, have := range dst {
				(*seen)[have] = struct{}{}
			}
		}
		if _, ok := (*seen)[fr]; ok {
			continue
		}
		(*seen)[fr] = struct{}{}
		dst = append(dst, fr)
	}
	return dst
}

// String is for debugging and tests.
func (m *Message) String() string {
	return fmt.Sprintf("%s(%d) frames %v", m.Type, m.Length, m.Frames)
}
