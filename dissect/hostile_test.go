package dissect

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A message cut into one-byte records, each in its own frame (issue 7):
// joining the frames was quadratic (a linear duplicate check per byte),
// hours of CPU for a 1 MiB message; it is linear now, and FramesOf finds
// its spans by binary search.
func TestHandshakeReaderOneFramePerByte(t *testing.T) {
	n := 100000
	msg := append([]byte{byte(HandshakeTypeCertificate), byte(n >> 16), byte(n >> 8), byte(n)}, make([]byte, n)...)
	var h HandshakeReader
	var got []*Message
	for i := range msg {
		frame := i + 1
		msgs, errs := h.Add(Fragment{Data: msg[i : i+1], Record: i + 1, Frames: FramesFunc(func(off, k int) []int { return []int{frame} })})
		require.Empty(t, errs)
		got = append(got, msgs...)
		if i == len(msg)-1 {
			require.Len(t, got, 1)
			m := got[0]
			assert.Len(t, m.Frames, len(msg), "one frame per byte, each once")
			assert.Equal(t, len(msg), m.Frames[len(m.Frames)-1])
			assert.Equal(t, []int{4 + 1000 + 1, 4 + 1000 + 2}, m.FramesOf(1000, 2))
			for j := 0; j < 1000; j++ {
				m.FramesOf(j*97, 5) // one binary search each, not a walk of every span
			}
		}
	}
}

func TestAppendFramesDedup(t *testing.T) {
	var seen map[int]struct{}
	var dst []int
	for i := 0; i < 3*linearFrames; i++ {
		dst = appendFrames(dst, &seen, []int{i % (2 * linearFrames), i % 7})
	}
	assert.Len(t, dst, 2*linearFrames)
	for i, fr := range dst {
		assert.Equal(t, i, fr, "first-seen order")
	}
}
