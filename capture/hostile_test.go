package capture

import (
	"bytes"
	"testing"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A fragment that repeats held bytes with different content (issue 7) was
// ignored silently; it is now refused with an error naming its frame, and
// the first copy is what the datagram carries.
func TestDecodeIPv4FragmentConflict(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789"), 10)
	datagram := ip4TCP(t, 77, payload)
	frags := fragments4(t, datagram, 40, 80)
	evil := bytes.Clone(datagram)
	evil[20+50] ^= 0xff // a byte of the second fragment's range
	evilFrags := fragments4(t, evil, 40, 80)

	d := NewDecoder()
	_, _, err := d.Decode(pkt(1, layers.LinkTypeRaw, frags[0]))
	require.NoError(t, err)
	_, _, err = d.Decode(pkt(2, layers.LinkTypeRaw, frags[1]))
	require.NoError(t, err)
	_, ok, err := d.Decode(pkt(3, layers.LinkTypeRaw, evilFrags[1]))
	assert.False(t, ok)
	assert.ErrorContains(t, err, "capture: frame 3: ipv4: fragment at offset 40")
	assert.ErrorContains(t, err, "different content; the first copy was kept")
	// A faithful repeat is still ignored, without an error.
	_, ok, err = d.Decode(pkt(4, layers.LinkTypeRaw, frags[1]))
	assert.NoError(t, err)
	assert.False(t, ok)
	seg, ok, err := d.Decode(pkt(5, layers.LinkTypeRaw, frags[2]))
	require.NoError(t, err)
	require.True(t, ok)
	assertSegment(t, seg, 5, 77, string(payload), false)
}

// The same for IPv6: ip6defrag ignores an exact repeat whatever it carries.
func TestDecodeIPv6FragmentConflict(t *testing.T) {
	payload := bytes.Repeat([]byte("abcdefgh"), 20)
	packet := ip6TCP(t, 99, payload)
	frags := fragments6(t, packet, 48, 96, 144)
	evil := bytes.Clone(packet)
	evil[40+60] ^= 0xff // a byte of the second fragment's range
	evilFrags := fragments6(t, evil, 48, 96, 144)

	d := NewDecoder()
	for i, f := range [][]byte{frags[0], frags[1]} {
		_, _, err := d.Decode(pkt(1+i, layers.LinkTypeRaw, f))
		require.NoError(t, err)
	}
	_, ok, err := d.Decode(pkt(3, layers.LinkTypeRaw, evilFrags[1]))
	assert.False(t, ok)
	assert.ErrorContains(t, err, "capture: frame 3: ipv6: fragment at offset 48")
	assert.ErrorContains(t, err, "different content; the first copy was kept")
	_, _, err = d.Decode(pkt(4, layers.LinkTypeRaw, frags[2]))
	require.NoError(t, err)
	seg, ok, err := d.Decode(pkt(5, layers.LinkTypeRaw, frags[3]))
	require.NoError(t, err)
	require.True(t, ok)
	assertSegment(t, seg, 5, 99, string(payload), true)
}
