package reassembly

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A RST ends the connection at once (both directions), so ordered output
// does not wait for the idle timeout; a new SYN on the tuple afterwards is
// a new connection, and late packets of the old one are not.
func TestRSTEndsConnectionAtOnce(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	f.send(0, record(22, 10, 1), "")
	f.send(1, record(22, 20, 2), "")
	f.send(0, nil, "R")
	f.send(1, nil, "") // a late ACK from the server
	rec := newRecorder()
	tr := New(DefaultOptions, rec)
	for i := range f.out {
		tr.Add(&f.out[i])
	}
	require.Len(t, rec.done, 1, "reported before the input ends")
	c := rec.done[0]
	assert.False(t, c.Evicted)
	assert.Equal(t, [2]int{6, 0}, c.RST)
	assert.Equal(t, [2]int{1, 1}, c.Records)

	g := newFlow(5000, 5555, 6666)
	g.frame, g.t = f.frame, f.t
	g.handshake()
	g.send(0, record(22, 30, 3), "F")
	g.send(1, nil, "F")
	for i := range g.out {
		tr.Add(&g.out[i])
	}
	tr.Close()
	require.Len(t, rec.done, 2)
	assert.Equal(t, 2, rec.done[1].ID)
	assert.Equal(t, 30, rec.records[2][0].Length)
	assert.Equal(t, 1, tr.Stats().Connections-1, "the late ACK made no connection")
}

// An ended connection leaves a tombstone: its last ACK makes no new
// connection (which would hold back ordered output until the idle
// timeout), and a new SYN on the tuple is a new connection.
func TestLatePacketsAfterFINAreDropped(t *testing.T) {
	f := newFlow(5000, 100, 200)
	f.handshake()
	f.send(0, record(22, 10, 1), "F")
	f.send(1, record(22, 20, 2), "F")
	f.send(0, nil, "") // the last ACK, after both FINs
	f.send(0, nil, "") // and a duplicate
	f.seq = [2]uint32{4444, 5555}
	f.handshake()
	f.send(0, record(22, 30, 3), "F")
	f.send(1, nil, "F")
	rec := newRecorder()
	tr := New(DefaultOptions, rec)
	for i := range f.out {
		tr.Add(&f.out[i])
	}
	require.Len(t, rec.done, 2, "both reported before the input ends")
	tr.Close()
	require.Len(t, rec.done, 2)
	assert.Equal(t, 2, tr.Stats().Connections)
	assert.Equal(t, 2, tr.Stats().LateSegments)
	assert.Equal(t, 30, rec.records[2][0].Length)
	assert.Equal(t, 0, tr.liveFlows())
}
