package reassembly

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// FuzzCutter feeds a byte stream to the record cutter in fuzzer-chosen
// pieces, with gaps: no panic, every record's spans cover exactly its bytes,
// and nothing is buffered beyond one record plus a scan window. Fed pieces
// that stay valid (records emitted in place) or not (records copied), the
// cutter emits the same records and problems.
func FuzzCutter(f *testing.F) {
	f.Add(append(record(22, 40, 1), record(23, 300, 2)...), uint8(7), uint8(0), false)
	f.Add(append([]byte("GET / HTTP/1.1\r\n"), record(21, 2, 1)...), uint8(3), uint8(5), true)
	f.Add([]byte{0x80, 0x2e, 1, 3, 1, 0, 3, 0, 0, 0, 16}, uint8(1), uint8(0), false)
	f.Add(append(append(record(22, 40, 1), record(20, 1, 1)...), record(22, 4000, 2)...), uint8(200), uint8(0), false)
	f.Fuzz(func(t *testing.T, data []byte, step, gapAt uint8, midstream bool) {
		var out [2][]string
		for mode, stable := range []bool{false, true} {
			c := newCutter(AtoB, func(r *Record) {
				total := 0
				for _, s := range r.Spans {
					if s.Off != total || s.Len <= 0 {
						t.Fatalf("spans not contiguous: %+v", r.Spans)
					}
					total += s.Len
				}
				if total != len(r.Header)+len(r.Body) || len(r.Body) != r.Length {
					t.Fatalf("spans cover %d bytes, record has %d+%d", total, len(r.Header), len(r.Body))
				}
				out[mode] = append(out[mode], fmt.Sprintf("record %d %d %d %v %x %x %v", r.Type, r.Version, r.Offset, r.SSLv2, r.Header, r.Body, r.Spans))
			}, func(p Problem) { out[mode] = append(out[mode], fmt.Sprintf("problem %+v", p)) })
			c.start(!midstream)
			n := int(step) + 1
			for i, frame := 0, 1; i < len(data); i, frame = i+n, frame+1 {
				if gapAt != 0 && frame == int(gapAt) {
					c.gap(int(step), frame)
				}
				c.push(data[i:min(i+n, len(data))], frame, time.Unix(int64(frame), 0), stable)
				if len(c.buf) > maxScanBytes+recordHeaderLen+maxRecordBody+n {
					t.Fatalf("cutter buffers %d bytes", len(c.buf))
				}
			}
			c.end()
		}
		if !slices.Equal(out[0], out[1]) {
			t.Fatalf("records copied and emitted in place differ:\n%v\n%v", out[0], out[1])
		}
	})
}
