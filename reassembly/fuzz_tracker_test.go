package reassembly

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/padlock-tls/padlock/capture"
)

// fuzzSegments turns fuzzer bytes into segments of up to four connections
// (two 4-tuples, each possibly reused). Each segment takes 4 bytes:
//
//	b0: bit 0 direction, 1 SYN, 2 FIN, 3 RST, 4 no ACK, 5 tuple, 6 big, 7 jump
//	b1, b2: signed offset of the sequence number from the direction's next byte
//	b3: payload length (x37 when big, so segments cross gopacket's pages)
//
// and its payload follows (the input's next bytes, cycled when short).
// "jump" moves capture time 40 s on, past the gap wait.
func fuzzSegments(data []byte) []capture.Segment {
	flows := [2]*flow{newFlow(5000, 0xfffff000, 1000), newFlow(5001, 7, 0x7fffffff)}
	var out []capture.Segment
	frame := 0
	for i := 0; i+4 <= len(data) && len(out) < 512; {
		b0, off, n := data[i], int16(uint16(data[i+1])<<8|uint16(data[i+2])), int(data[i+3])
		i += 4
		if b0&0x40 != 0 {
			n *= 37
		}
		payload := make([]byte, n)
		for k := range payload {
			if len(data) > 0 {
				payload[k] = data[(i+k)%len(data)]
			}
		}
		i += min(n, len(data)-i)
		f := flows[b0>>5&1]
		dir := int(b0 & 1)
		flags := ""
		if b0&2 != 0 {
			flags += "S"
		}
		if b0&4 != 0 {
			flags += "F"
		}
		if b0&8 != 0 {
			flags += "R"
		}
		if b0&0x10 != 0 {
			flags += "n"
		}
		if b0&0x80 != 0 {
			f.t = f.t.Add(40 * time.Second)
		}
		seq := f.seq[dir] + uint32(int32(off))
		s := f.segAt(dir, seq, payload, flags)
		frame++
		s.Frame = frame
		if d := seq + uint32(n) - f.seq[dir]; int32(d) > 0 {
			f.seq[dir] = seq + uint32(n)
		}
		out = append(out, s)
	}
	// Both flows share one clock: capture order is time order.
	for k := 1; k < len(out); k++ {
		if out[k].Time.Before(out[k-1].Time) {
			out[k].Time = out[k-1].Time
		}
	}
	return out
}

// FuzzTracker feeds fuzzer-built TCP segments (any flags, sequence
// numbers, sizes and reuse of tuples) to a tracker with small caps: no
// panic, every record's spans cover exactly its bytes with frames that
// exist, every connection is done exactly once, and problems say where.
// Segments that stay valid (Segment.Stable: overlap histories refer to
// them, records are cut in place) give the same records and problems, and
// so does running gopacket's flush every time.
func FuzzTracker(f *testing.F) {
	f.Add([]byte{0x02, 0, 0, 0, 0x03, 0, 0, 0, 0x00, 0, 0, 10, 22, 3, 3, 0, 5, 1, 2, 3, 4, 5})
	f.Add([]byte{0x00, 0, 0, 200, 0x00, 0, 100, 50, 0x00, 0xff, 0x00, 20, 0x80, 0, 0, 1, 0x08, 0x10, 0, 0})
	f.Add([]byte{0x40, 0, 0, 60, 0x40, 0x00, 0x20, 60, 0x21, 0, 0, 5, 0x23, 0, 0, 0, 0x22, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		segs := fuzzSegments(data)
		opts := DefaultOptions
		opts.MaxPagesPerConn, opts.MaxPagesTotal, opts.MaxFlows = 8, 12, 3
		rec := newRecorder()
		tr := New(opts, rec)
		for i := range segs {
			tr.Add(&segs[i])
		}
		tr.Close()
		seen := map[int]bool{}
		for _, c := range rec.done {
			if seen[c.ID] {
				t.Fatalf("connection %d done twice", c.ID)
			}
			seen[c.ID] = true
		}
		if len(seen) != tr.Stats().Connections {
			t.Fatalf("%d connections, %d done", tr.Stats().Connections, len(seen))
		}
		for id, rs := range rec.records {
			for _, r := range rs {
				total := 0
				for _, s := range r.Spans {
					if s.Off != total || s.Len <= 0 || s.Frame < 1 || s.Frame > len(segs) {
						t.Fatalf("connection %d: bad spans %+v", id, r.Spans)
					}
					total += s.Len
				}
				if total != len(r.Header)+len(r.Body) || len(r.Body) != r.Length {
					t.Fatalf("spans cover %d bytes, record has %d+%d", total, len(r.Header), len(r.Body))
				}
			}
		}
		for id, ps := range rec.problems {
			for _, p := range ps {
				if p.Code == "" || p.Msg == "" || p.Offset < 0 || p.Frame < 0 || p.Frame > len(segs) {
					t.Fatalf("connection %d: problem %+v", id, p)
				}
			}
		}

		stable := newRecorder()
		tr = New(opts, stable)
		for i := range segs {
			segs[i].Stable = true // each payload is its own, never written again
			tr.Add(&segs[i])
		}
		tr.Close()
		if a, b := trackerOutput(rec), trackerOutput(stable); a != b {
			t.Fatalf("copied and stable segments differ:\n%s\n%s", a, b)
		}

		// The flushes the tracker skips, and the idle connections it
		// ends itself, change nothing (flushwork.go).
		walked := newRecorder()
		tr = New(opts, walked)
		tr.walkAlways = true
		for i := range segs {
			tr.Add(&segs[i])
		}
		tr.Close()
		if a, b := trackerOutput(stable), trackerOutput(walked); a != b {
			t.Fatalf("with gopacket's flush every time:\n%s\n%s", a, b)
		}
	})
}

// trackerOutput is what a recorder saw, as text to compare.
func trackerOutput(r *recorder) string {
	var b strings.Builder
	for _, c := range r.done {
		fmt.Fprintf(&b, "connection %d evicted %v last %d end %s\n", c.ID, c.Evicted, c.LastFrame, c.End.Format(time.RFC3339Nano))
		for _, rec := range r.records[c.ID] {
			fmt.Fprintf(&b, " record %d %d %d %v %x %x %v\n", rec.Type, rec.Version, rec.Offset, rec.SSLv2, rec.Header, rec.Body, rec.Spans)
		}
		for _, p := range r.problems[c.ID] {
			fmt.Fprintf(&b, " problem %+v\n", p)
		}
	}
	return b.String()
}
