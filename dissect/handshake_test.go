package dissect

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// msg builds a handshake message of type typ with an n-byte body.
func msg(typ byte, n int) []byte {
	b := []byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}
	return append(b, bytes.Repeat([]byte{typ}, n)...)
}

// frag makes a Fragment whose every byte came from frame.
func frag(data []byte, record, frame int) Fragment {
	return Fragment{Data: data, Record: record, Frames: FramesFunc(func(off, n int) []int { return []int{frame} })}
}

func TestHandshakeReader(t *testing.T) {
	cert := msg(11, 3000)
	two := append(msg(2, 70), msg(14, 0)...)
	tests := []struct {
		name    string
		frags   []Fragment
		want    []string // type(length) per message
		frames  [][]int
		records [][]int
		pending int
	}{
		{
			name:    "one message in one record",
			frags:   []Fragment{frag(msg(1, 200), 1, 4)},
			want:    []string{"client_hello(200)"},
			frames:  [][]int{{4}},
			records: [][]int{{1}},
		},
		{
			name:    "several messages in one record",
			frags:   []Fragment{frag(two, 2, 6)},
			want:    []string{"server_hello(70)", "server_hello_done(0)"},
			frames:  [][]int{{6}, {6}},
			records: [][]int{{2}, {2}},
		},
		{
			name:    "one message over three records",
			frags:   []Fragment{frag(cert[:2], 3, 7), frag(cert[2:1500], 4, 8), frag(cert[1500:], 5, 9)},
			want:    []string{"certificate(3000)"},
			frames:  [][]int{{7, 8, 9}},
			records: [][]int{{3, 4, 5}},
		},
		{
			name: "a message ends and the next begins in the same record",
			frags: []Fragment{
				frag(cert[:1000], 1, 5),
				frag(append(append([]byte{}, cert[1000:]...), msg(14, 0)...), 2, 6),
			},
			want:    []string{"certificate(3000)", "server_hello_done(0)"},
			frames:  [][]int{{5, 6}, {6}},
			records: [][]int{{1, 2}, {2}},
		},
		{
			name:    "unfinished message stays pending",
			frags:   []Fragment{frag(cert[:100], 1, 5)},
			pending: 100,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h HandshakeReader
			var got []*Message
			for _, f := range tc.frags {
				msgs, errs := h.Add(f)
				require.Empty(t, errs)
				got = append(got, msgs...)
			}
			require.Len(t, got, len(tc.want))
			for i, m := range got {
				assert.Equal(t, tc.want[i], m.Type.String()+"("+itoa(m.Length)+")")
				assert.Equal(t, tc.frames[i], m.Frames)
				assert.Equal(t, tc.records[i], m.Records)
				assert.Len(t, m.Body, m.Length)
			}
			assert.Equal(t, tc.pending, h.Pending())
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestHandshakeReaderJoinedBodyIsExact(t *testing.T) {
	m := msg(11, 500)
	for i := range m[4:] {
		m[4+i] = byte(i)
	}
	var h HandshakeReader
	var got []*Message
	for i := 0; i < len(m); i += 7 { // seven bytes per record
		end := min(i+7, len(m))
		msgs, _ := h.Add(frag(m[i:end], i/7+1, i/7+1))
		got = append(got, msgs...)
	}
	require.Len(t, got, 1)
	assert.Equal(t, m[4:], got[0].Body)
	assert.Len(t, got[0].Records, (len(m)+6)/7)
}

func TestHandshakeReaderCap(t *testing.T) {
	h := HandshakeReader{MaxMessage: 100}
	big := msg(11, 300)
	msgs, errs := h.Add(frag(big[:150], 1, 1))
	require.Len(t, errs, 1)
	assert.Equal(t, CodeHandshakeTooLarge, errs[0].Code)
	require.Len(t, msgs, 1)
	assert.Nil(t, msgs[0].Body)
	// The rest of the oversized message is skipped; the next one is found.
	rest := append(append([]byte{}, big[150:]...), msg(14, 0)...)
	msgs, errs = h.Add(frag(rest, 2, 2))
	assert.Empty(t, errs)
	require.Len(t, msgs, 1)
	assert.Equal(t, HandshakeTypeServerHelloDone, msgs[0].Type)
}

func TestHandshakeReaderFlushReportsCut(t *testing.T) {
	var h HandshakeReader
	h.Add(frag(msg(11, 300)[:50], 1, 9))
	m := h.Flush()
	require.NotNil(t, m)
	assert.Equal(t, HandshakeTypeCertificate, m.Type)
	assert.Equal(t, 300, m.Length)
	assert.Len(t, m.Body, 46)
	assert.Equal(t, CodeHandshakeIncomplete, IncompleteError(m).Code)
	assert.Nil(t, h.Flush())
}

// FuzzHandshakeReader cuts a byte string into records at fuzzer-chosen
// points: no panic, and every message body has the length its header says.
func FuzzHandshakeReader(f *testing.F) {
	f.Add(append(msg(1, 40), msg(2, 30)...), uint8(3))
	f.Add(msg(11, 3000), uint8(200))
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		h := HandshakeReader{MaxMessage: 1 << 12}
		n := int(step) + 1
		for i := 0; i < len(data); i += n {
			msgs, _ := h.Add(frag(data[i:min(i+n, len(data))], i/n+1, i/n+1))
			for _, m := range msgs {
				if m.Body != nil && len(m.Body) != m.Length {
					t.Fatalf("body %d bytes, header says %d", len(m.Body), m.Length)
				}
			}
		}
		h.Flush()
	})
}
