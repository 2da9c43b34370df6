package reassembly

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A flood of SYNs with new initial sequence numbers on ONE 4-tuple makes a
// new connection each: the flow cap must count them, or the flood would
// bypass it (each generation stays in gopacket's pool until it idles out).
func TestSYNFloodOnOneTuple(t *testing.T) {
	opts := DefaultOptions
	opts.MaxFlows = 4
	f := newFlow(5000, 100, 200)
	for i := 0; i < 100; i++ {
		f.out = append(f.out, f.segAt(0, uint32(i)*7919+1, nil, "Sn"))
	}
	rec := newRecorder()
	tr := New(opts, rec)
	for i := range f.out {
		tr.Add(&f.out[i])
	}
	assert.LessOrEqual(t, tr.Stats().Connections, opts.MaxFlows)
	assert.Equal(t, 100-tr.Stats().Connections, tr.Stats().RefusedSegments)
	tr.Close()
}
