package capture

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func pkt(frame int, lt layers.LinkType, data []byte) Packet {
	return Packet{Frame: frame, Time: t0.Add(time.Duration(frame) * time.Millisecond), Data: data, Length: len(data) + 4, LinkType: lt}
}

func assertSegment(t *testing.T, seg Segment, frame int, seq uint32, payload string, v6 bool) {
	t.Helper()
	require.NotNil(t, seg.TCP)
	assert.Equal(t, frame, seg.Frame)
	assert.Equal(t, t0.Add(time.Duration(frame)*time.Millisecond), seg.Time)
	assert.Equal(t, layers.TCPPort(cliPort), seg.TCP.SrcPort)
	assert.Equal(t, layers.TCPPort(srvPort), seg.TCP.DstPort)
	assert.Equal(t, seq, seg.TCP.Seq)
	assert.Equal(t, uint32(7), seg.TCP.Ack)
	assert.True(t, seg.TCP.PSH && seg.TCP.ACK)
	assert.Equal(t, payload, string(seg.TCP.Payload))
	assert.Len(t, seg.TCP.Options, 3)
	src, dst := cliIP4, srvIP4
	typ := layers.EndpointIPv4
	if v6 {
		src, dst, typ = cliIP6, srvIP6, layers.EndpointIPv6
	}
	assert.Equal(t, gopacket.NewFlow(typ, src, dst), seg.Net)
	assert.Equal(t, gopacket.NewFlow(layers.EndpointTCPPort, []byte{cliPort >> 8, cliPort & 0xff}, []byte{0x01, 0xbb}), seg.TCP.TransportFlow())
	assert.False(t, seg.Truncated)
}

func TestDecodeLinkTypes(t *testing.T) {
	v4 := ip4TCP(t, 1000, []byte("hello v4"))
	v6 := ip6TCP(t, 2000, []byte("hello v6"))
	le, be := binary.LittleEndian, binary.BigEndian
	cases := []struct {
		name string
		lt   layers.LinkType
		data []byte
		v6   bool
	}{
		{"ethernet ipv4", layers.LinkTypeEthernet, ether(t, v4), false},
		{"ethernet ipv6", layers.LinkTypeEthernet, ether(t, v6), true},
		{"ethernet 802.1q", layers.LinkTypeEthernet, ether(t, v4, 10), false},
		{"ethernet qinq", layers.LinkTypeEthernet, ether(t, v6, 100, 200), true},
		{"ethernet three tags", layers.LinkTypeEthernet, ether(t, v4, 1, 2, 3), false},
		{"ethernet with padding", layers.LinkTypeEthernet, append(ether(t, v4), 0, 0, 0, 0), false},
		{"sll", layers.LinkTypeLinuxSLL, sll(v4), false},
		{"sll ipv6", layers.LinkTypeLinuxSLL, sll(v6), true},
		{"sll2", layers.LinkTypeLinuxSLL2, sll2(v4), false},
		{"sll2 ipv6", layers.LinkTypeLinuxSLL2, sll2(v6), true},
		{"raw ipv4", layers.LinkTypeRaw, v4, false},
		{"raw ipv6", layers.LinkTypeRaw, v6, true},
		{"raw dlt 12", linkTypeRawDLT12, v6, true},
		{"raw dlt 14", linkTypeRawDLT14, v4, false},
		{"linktype ipv4", layers.LinkTypeIPv4, v4, false},
		{"linktype ipv6", layers.LinkTypeIPv6, v6, true},
		{"null af_inet le", layers.LinkTypeNull, null(afINET, le, v4), false},
		{"null af_inet be", layers.LinkTypeNull, null(afINET, be, v4), false},
		{"null af_inet6 24 le", layers.LinkTypeNull, null(afINET6BSD, le, v6), true},
		{"null af_inet6 28 be", layers.LinkTypeNull, null(afINET6FreeBSD, be, v6), true},
		{"null af_inet6 30 le", layers.LinkTypeNull, null(afINET6Darwin, le, v6), true},
		{"null af_inet6 30 be", layers.LinkTypeNull, null(afINET6Darwin, be, v6), true},
		{"loop ipv4", layers.LinkTypeLoop, null(afINET, be, v4), false},
		{"loop ipv6", layers.LinkTypeLoop, null(afINET6BSD, be, v6), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.True(t, Supported(c.lt))
			d := NewDecoder()
			seg, ok, err := d.Decode(pkt(42, c.lt, c.data))
			require.NoError(t, err)
			require.True(t, ok)
			seq, payload := uint32(1000), "hello v4"
			if c.v6 {
				seq, payload = 2000, "hello v6"
			}
			assertSegment(t, seg, 42, seq, payload, c.v6)
			assert.Equal(t, len(c.data)+4, seg.Length)
			assert.Equal(t, DecodeStats{Packets: 1, TCP: 1}, d.Stats())
		})
	}
}

func TestDecodeIPv6ExtensionHeaders(t *testing.T) {
	tcp := tcpLayer(5)
	require.NoError(t, tcp.SetNetworkLayerForChecksum(ip6Layer(layers.IPProtocolTCP)))
	seg := serialize(t, tcp, gopacket.Payload("after ext"))
	// Hop-by-Hop (PadN) -> Routing (type 0, no segments left) -> Destination
	// Options (PadN) -> TCP.
	hbh := []byte{ipv6Routing, 0, 1, 4, 0, 0, 0, 0}
	rt := []byte{ipv6Destination, 0, 0, 0, 0, 0, 0, 0}
	dst := []byte{byte(layers.IPProtocolTCP), 0, 1, 4, 0, 0, 0, 0}
	ip := serialize(t, ip6Layer(ipv6HopByHop), gopacket.Payload(bytes.Join([][]byte{hbh, rt, dst, seg}, nil)))
	d := NewDecoder()
	s, ok, err := d.Decode(pkt(3, layers.LinkTypeRaw, ip))
	require.NoError(t, err)
	require.True(t, ok)
	assertSegment(t, s, 3, 5, "after ext", true)

	// ESP hides the upper layer: not TCP.
	esp := serialize(t, ip6Layer(layers.IPProtocolESP), gopacket.Payload("12345678encrypted"))
	_, ok, err = d.Decode(pkt(4, layers.LinkTypeRaw, esp))
	require.NoError(t, err)
	assert.False(t, ok)

	// An extension header longer than the packet.
	bad := serialize(t, ip6Layer(ipv6Destination), gopacket.Payload([]byte{6, 9, 0, 0, 0, 0, 0, 0}))
	_, ok, err = d.Decode(pkt(5, layers.LinkTypeRaw, bad))
	assert.False(t, ok)
	assert.EqualError(t, err, "capture: frame 5: ipv6: extension header 60 length 80 over the 8 bytes left")
}

func TestDecodeNonTCP(t *testing.T) {
	arp := serialize(t, &layers.Ethernet{SrcMAC: cliMAC, DstMAC: srvMAC, EthernetType: layers.EthernetTypeARP},
		&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
			SourceHwAddress: cliMAC, SourceProtAddress: cliIP4, DstHwAddress: srvMAC, DstProtAddress: srvIP4})
	cases := []struct {
		name string
		p    Packet
	}{
		{"udp", pkt(1, layers.LinkTypeEthernet, ether(t, ip4UDP(t)))},
		{"arp", pkt(2, layers.LinkTypeEthernet, arp)},
		{"icmpv6", pkt(3, layers.LinkTypeRaw, serialize(t, ip6Layer(layers.IPProtocolICMPv6), gopacket.Payload("ping")))},
		{"null af 7", pkt(4, layers.LinkTypeNull, null(7, binary.LittleEndian, ip4UDP(t)))},
		{"802.11", pkt(5, layers.LinkTypeIEEE802_11, []byte{1, 2, 3})},
	}
	d := NewDecoder()
	for _, c := range cases {
		seg, ok, err := d.Decode(c.p)
		assert.NoError(t, err, c.name)
		assert.False(t, ok, c.name)
		assert.Nil(t, seg.TCP, c.name)
	}
	assert.Equal(t, DecodeStats{Packets: 5, NonTCP: 5, UnsupportedLink: 1}, d.Stats())
	assert.False(t, Supported(layers.LinkTypeIEEE802_11))
}

func TestDecodeMalformed(t *testing.T) {
	v4 := ip4TCP(t, 1, []byte("payload"))
	badIHL := append([]byte(nil), v4...)
	badIHL[0] = 0x43
	badOff := append([]byte(nil), v4...)
	badOff[20+12] = 0x20 // data offset 2
	v6in4 := append([]byte(nil), v4...)
	v6in4[0] = 0x65
	cases := []struct {
		name string
		p    Packet
		want string
	}{
		{"short ethernet", pkt(1, layers.LinkTypeEthernet, []byte{1, 2, 3}), "capture: frame 1: ethernet: Ethernet packet too small"},
		{"ip header cut", pkt(2, layers.LinkTypeEthernet, ether(t, v4)[:14+12]), "capture: frame 2: ipv4: Invalid ip4 header. Length 12 less than 20"},
		{"ihl 3", pkt(3, layers.LinkTypeRaw, badIHL), "capture: frame 3: ipv4: Invalid (too small) IP header length (3 < 5)"},
		{"tcp header cut", pkt(4, layers.LinkTypeRaw, v4[:20+10]), "capture: frame 4: tcp: Invalid TCP header. Length 10 less than 20"},
		{"tcp data offset", pkt(5, layers.LinkTypeRaw, badOff), "capture: frame 5: tcp: Invalid TCP data offset 2 < 5"},
		{"version mismatch", pkt(6, layers.LinkTypeIPv4, v6in4), "capture: frame 6: ipv4: version 6 in header"},
		{"raw version", pkt(7, layers.LinkTypeRaw, []byte{0x50, 0}), "capture: frame 7: raw ip: ip version 5"},
		{"raw empty", pkt(8, layers.LinkTypeRaw, nil), "capture: frame 8: raw ip: empty packet"},
		{"short null", pkt(9, layers.LinkTypeNull, []byte{2}), "capture: frame 9: loopback: Loopback packet too small"},
		{"short vlan", pkt(10, layers.LinkTypeEthernet, ether(t, v4, 5)[:16]), "capture: frame 10: 802.1q: 802.1Q tag length 2 too short"},
		{"short sll2", pkt(11, layers.LinkTypeLinuxSLL2, make([]byte, 19)), "capture: frame 11: linux sll2: Linux SLL2 packet too small"},
	}
	d := NewDecoder()
	for _, c := range cases {
		seg, ok, err := d.Decode(c.p)
		assert.False(t, ok, c.name)
		assert.Nil(t, seg.TCP, c.name)
		assert.EqualError(t, err, c.want, c.name)
	}
	assert.Equal(t, len(cases), d.Stats().Errors)
}

// TestDecodePrefixes decodes every prefix of packets for every link type:
// never a panic, and a prefix that cuts the TCP payload is a truncated
// segment, one that cuts a header an error.
func TestDecodePrefixes(t *testing.T) {
	v4 := ip4TCP(t, 1, []byte("0123456789"))
	v6 := ip6TCP(t, 1, []byte("0123456789"))
	inputs := []Packet{
		pkt(1, layers.LinkTypeEthernet, ether(t, v4, 7, 8)),
		pkt(1, layers.LinkTypeEthernet, ether(t, v6)),
		pkt(1, layers.LinkTypeLinuxSLL, sll(v4)),
		pkt(1, layers.LinkTypeLinuxSLL2, sll2(v6)),
		pkt(1, layers.LinkTypeNull, null(afINET6Darwin, binary.LittleEndian, v6)),
		pkt(1, layers.LinkTypeLoop, null(afINET, binary.BigEndian, v4)),
		pkt(1, layers.LinkTypeRaw, fragments6(t, v6, 16)[0]),
		pkt(1, layers.LinkTypeRaw, fragments4(t, v4, 16)[0]),
	}
	for _, in := range inputs {
		full := in.Data
		for i := 0; i < len(full); i++ {
			d := NewDecoder()
			p := in
			p.Data = full[:i]
			seg, ok, err := d.Decode(p)
			if ok {
				require.NoError(t, err)
				assert.True(t, seg.Truncated, "prefix %d of %d (%v)", i, len(full), in.LinkType)
				assert.Less(t, len(seg.TCP.Payload), 10)
			}
		}
	}
}

func TestDecodeSegmentOwnsMemory(t *testing.T) {
	d := NewDecoder()
	data := ether(t, ip4TCP(t, 1, []byte("keep me")))
	seg, ok, err := d.Decode(pkt(1, layers.LinkTypeEthernet, data))
	require.NoError(t, err)
	require.True(t, ok)
	// Scribble over the packet and decode other packets with the same
	// decoder: the segment must not change.
	for i := range data {
		data[i] = 0xff
	}
	_, ok, err = d.Decode(pkt(2, layers.LinkTypeEthernet, ether(t, ip4TCP(t, 2, []byte("other data")))))
	require.NoError(t, err)
	require.True(t, ok)
	assertSegment(t, seg, 1, 1, "keep me", false)
	assert.Equal(t, gopacket.NewFlow(layers.EndpointIPv4, cliIP4, srvIP4), seg.Net)
}

func TestDecodeTruncatedPayload(t *testing.T) {
	// A snap length that cuts the payload: the segment has what was
	// captured, and says so.
	data := ether(t, ip4TCP(t, 1, []byte("a long payload")))
	d := NewDecoder()
	seg, ok, err := d.Decode(pkt(1, layers.LinkTypeEthernet, data[:len(data)-5]))
	require.NoError(t, err)
	require.True(t, ok)
	assert.True(t, seg.Truncated)
	assert.Equal(t, "a long pa", string(seg.TCP.Payload))

	data = ether(t, ip6TCP(t, 1, []byte("a long payload")))
	seg, ok, err = d.Decode(pkt(2, layers.LinkTypeEthernet, data[:len(data)-5]))
	require.NoError(t, err)
	require.True(t, ok)
	assert.True(t, seg.Truncated)
}

func TestDecodeIPv4Fragments(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789"), 10)
	datagram := ip4TCP(t, 77, payload)
	frags := fragments4(t, datagram, 40, 80) // TCP payload is 32+100 bytes: 3 fragments
	require.Len(t, frags, 3)

	d := NewDecoder()
	order := []int{2, 0, 1} // last fragment first, the middle one completes it
	for i, fi := range order {
		frame := 10 + i
		seg, ok, err := d.Decode(pkt(frame, layers.LinkTypeEthernet, ether(t, frags[fi])))
		require.NoError(t, err)
		if i < 2 {
			assert.False(t, ok, "fragment %d held", fi)
			continue
		}
		require.True(t, ok)
		assertSegment(t, seg, 12, 77, string(payload), false)
	}
	assert.Equal(t, DecodeStats{Packets: 3, TCP: 1, FragmentsHeld: 2, Fragments: 3, Reassembled: 1}, d.Stats())

	// The same datagram again (Ids get reused): reassembles again.
	for i, f := range frags {
		seg, ok, err := d.Decode(pkt(20+i, layers.LinkTypeRaw, f))
		require.NoError(t, err)
		if i == 2 {
			require.True(t, ok)
			assertSegment(t, seg, 22, 77, string(payload), false)
		}
	}

	// Overlapping fragments: an error, and the datagram is dropped.
	_, _, err := d.Decode(pkt(30, layers.LinkTypeRaw, frags[0]))
	require.NoError(t, err)
	bad := fragments4(t, datagram, 32, 80)[1] // [32,80) overlaps [0,40)
	_, ok, err := d.Decode(pkt(31, layers.LinkTypeRaw, bad))
	assert.False(t, ok)
	assert.ErrorContains(t, err, "capture: frame 31: ipv4: defrag: fragment overlaps another one")

	// A fragmented UDP datagram is reassembled, and is not TCP.
	udpIP, udpL := ip4Layer(layers.IPProtocolUDP), &layers.UDP{SrcPort: 1, DstPort: 2}
	require.NoError(t, udpL.SetNetworkLayerForChecksum(udpIP))
	udp := fragments4(t, serialize(t, udpIP, udpL, gopacket.Payload(payload)), 64)
	_, ok, err = d.Decode(pkt(40, layers.LinkTypeRaw, udp[0]))
	require.NoError(t, err)
	assert.False(t, ok)
	_, ok, err = d.Decode(pkt(41, layers.LinkTypeRaw, udp[1]))
	require.NoError(t, err)
	assert.False(t, ok)
	st := d.Stats()
	assert.Equal(t, 3, st.Reassembled)
	assert.Equal(t, st.Packets, st.TCP+st.NonTCP+st.FragmentsHeld+st.Errors)
}

func TestDecodeIPv6Fragments(t *testing.T) {
	payload := bytes.Repeat([]byte("abcdefgh"), 20)
	packet := ip6TCP(t, 99, payload)
	frags := fragments6(t, packet, 48, 96, 144)
	require.Len(t, frags, 4)
	d := NewDecoder()
	order := []int{1, 3, 0, 2}
	for i, fi := range order {
		seg, ok, err := d.Decode(pkt(5+i, layers.LinkTypeEthernet, ether(t, frags[fi], 12)))
		require.NoError(t, err)
		if i < 3 {
			assert.False(t, ok)
			continue
		}
		require.True(t, ok)
		assertSegment(t, seg, 8, 99, string(payload), true)
	}
	assert.Equal(t, DecodeStats{Packets: 4, TCP: 1, FragmentsHeld: 3, Fragments: 4, Reassembled: 1}, d.Stats())

	// An atomic fragment (offset 0, no more fragments, RFC 6946).
	seg, ok, err := d.Decode(pkt(9, layers.LinkTypeRaw, fragments6(t, packet)[0]))
	require.NoError(t, err)
	require.True(t, ok)
	assertSegment(t, seg, 9, 99, string(payload), true)

	// A non-final fragment that is not a multiple of 8 bytes.
	_, ok, err = d.Decode(pkt(10, layers.LinkTypeRaw, fragments6(t, packet, 50)[0]))
	assert.False(t, ok)
	assert.EqualError(t, err, "capture: frame 10: ipv6: non-final fragment of 50 bytes, not a multiple of 8")
}

func TestDecodeDefragCaps(t *testing.T) {
	d := NewDecoder()
	datagram := ip4TCP(t, 1, bytes.Repeat([]byte{1}, 64))
	first := fragments4(t, datagram, 40)
	// Fill the table with lone first fragments of distinct datagrams.
	for i := 0; i < maxPendingDatagrams; i++ {
		f := append([]byte(nil), first[0]...)
		binary.BigEndian.PutUint16(f[4:6], uint16(i)) // Id
		_, ok, err := d.Decode(pkt(i+1, layers.LinkTypeRaw, f))
		require.NoError(t, err)
		require.False(t, ok)
	}
	assert.Equal(t, maxPendingDatagrams, len(d.defrag.pending))
	assert.Equal(t, 0, d.Stats().DefragDropped)
	// One more datagram: everything pending is dropped, the new one kept,
	// and it still reassembles.
	_, _, err := d.Decode(pkt(5000, layers.LinkTypeRaw, first[0]))
	require.NoError(t, err)
	assert.Equal(t, maxPendingDatagrams, d.Stats().DefragDropped)
	assert.Equal(t, 1, len(d.defrag.pending))
	seg, ok, err := d.Decode(pkt(5001, layers.LinkTypeRaw, first[1]))
	require.NoError(t, err)
	require.True(t, ok)
	assert.Len(t, seg.TCP.Payload, 64)
	assert.Equal(t, 0, len(d.defrag.pending))
	assert.Equal(t, 0, d.defrag.bytes)

	// Bytes: big IPv6 fragments of distinct packets hit the byte cap
	// before the datagram cap.
	big := bytes.Repeat([]byte{2}, 60000)
	frag := fragments6(t, ip6TCP(t, 1, big), 59992)[0]
	d = NewDecoder()
	held := 0
	for i := 0; d.Stats().DefragDropped == 0; i++ {
		f := append([]byte(nil), frag...)
		binary.BigEndian.PutUint32(f[40+8+4:], uint32(i)) // Identification
		_, ok, err := d.Decode(pkt(i+1, layers.LinkTypeRaw, f))
		require.NoError(t, err)
		require.False(t, ok)
		held++
		require.LessOrEqual(t, d.defrag.bytes, maxPendingBytes)
	}
	assert.Equal(t, maxPendingBytes/(59992+fragOverhead), held-1)
}

func TestDecodeDefragTimeout(t *testing.T) {
	frags := fragments4(t, ip4TCP(t, 1, bytes.Repeat([]byte{1}, 64)), 40)
	d := NewDecoder()
	p := pkt(1, layers.LinkTypeRaw, frags[0])
	_, _, err := d.Decode(p)
	require.NoError(t, err)
	// The rest arrives too late: the first fragment was dropped.
	p = pkt(2, layers.LinkTypeRaw, frags[1])
	p.Time = p.Time.Add(fragTimeout + time.Second)
	_, ok, err := d.Decode(p)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Equal(t, 1, d.Stats().DefragDropped)
	// Within the timeout it works.
	p = pkt(3, layers.LinkTypeRaw, frags[0])
	p.Time = p.Time.Add(fragTimeout + 2*time.Second)
	_, ok, err = d.Decode(p)
	require.NoError(t, err)
	assert.True(t, ok)
}

// TestDecodePcapRoundTrip reads a capture and decodes every packet, as the
// pipeline does.
func TestDecodePcapRoundTrip(t *testing.T) {
	n, _ := mixedPcapng(t)
	s, err := NewSource(bytes.NewReader(n.buf))
	require.NoError(t, err)
	d := NewDecoder()
	var got []string
	for {
		p, err := s.Next()
		if err != nil {
			break
		}
		seg, ok, err := d.Decode(p)
		require.NoError(t, err, "frame %d", p.Frame)
		if ok {
			got = append(got, string(seg.TCP.Payload))
			assert.Equal(t, p.Frame, seg.Frame)
		}
	}
	assert.Equal(t, []string{"hello", "v6 raw", "loop", "spb", "pb"}, got)
	assert.Equal(t, DecodeStats{Packets: 6, TCP: 5, NonTCP: 1}, d.Stats())
}

func TestDecodeIPv6FragmentCut(t *testing.T) {
	f := fragments6(t, ip6TCP(t, 1, bytes.Repeat([]byte{1}, 64)), 48)[1]
	d := NewDecoder()
	_, ok, err := d.Decode(pkt(1, layers.LinkTypeRaw, f[:len(f)-3]))
	assert.False(t, ok)
	assert.ErrorContains(t, err, "capture: frame 1: ipv6: fragment truncated by the capture")
}
