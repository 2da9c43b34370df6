package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/stretchr/testify/require"
)

// Packet builders. Every test packet is made here with gopacket's
// serializers (or by hand where gopacket has none), so the tests say what
// the bytes are instead of embedding hex.

var (
	cliIP4 = net.IP{10, 0, 0, 2}
	srvIP4 = net.IP{10, 0, 0, 1}
	cliIP6 = net.ParseIP("2001:db8::2")
	srvIP6 = net.ParseIP("2001:db8::1")
	cliMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 2}
	srvMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 1}
	t0     = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
)

const (
	cliPort = 51514
	srvPort = 443
)

func serialize(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	buf := gopacket.NewSerializeBuffer()
	require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...))
	return append([]byte(nil), buf.Bytes()...)
}

func tcpLayer(seq uint32) *layers.TCP {
	return &layers.TCP{SrcPort: cliPort, DstPort: srvPort, Seq: seq, Ack: 7, PSH: true, ACK: true, Window: 512,
		Options: []layers.TCPOption{{OptionType: layers.TCPOptionKindNop}, {OptionType: layers.TCPOptionKindNop},
			{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: make([]byte, 8)}}}
}

func ip4Layer(proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: 0x1234, Protocol: proto, SrcIP: cliIP4, DstIP: srvIP4}
}

func ip6Layer(nh layers.IPProtocol) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: nh, SrcIP: cliIP6, DstIP: srvIP6}
}

// ip4TCP is an IPv4 datagram carrying a TCP segment.
func ip4TCP(t testing.TB, seq uint32, payload []byte) []byte {
	ip, tcp := ip4Layer(layers.IPProtocolTCP), tcpLayer(seq)
	require.NoError(t, tcp.SetNetworkLayerForChecksum(ip))
	return serialize(t, ip, tcp, gopacket.Payload(payload))
}

// ip6TCP is an IPv6 packet carrying a TCP segment.
func ip6TCP(t testing.TB, seq uint32, payload []byte) []byte {
	ip, tcp := ip6Layer(layers.IPProtocolTCP), tcpLayer(seq)
	require.NoError(t, tcp.SetNetworkLayerForChecksum(ip))
	return serialize(t, ip, tcp, gopacket.Payload(payload))
}

// ip4UDP is an IPv4 datagram carrying a UDP datagram (DNS-ish).
func ip4UDP(t testing.TB) []byte {
	ip := ip4Layer(layers.IPProtocolUDP)
	udp := &layers.UDP{SrcPort: 5353, DstPort: 53}
	require.NoError(t, udp.SetNetworkLayerForChecksum(ip))
	return serialize(t, ip, udp, gopacket.Payload("query"))
}

// ether puts an IP packet in an Ethernet frame with the given VLAN tags
// (outer first); the outer tag of a two-tag stack is 802.1ad.
func ether(t testing.TB, ipPacket []byte, vlans ...uint16) []byte {
	etype := layers.EthernetTypeIPv4
	if ipPacket[0]>>4 == 6 {
		etype = layers.EthernetTypeIPv6
	}
	ls := []gopacket.SerializableLayer{}
	eth := &layers.Ethernet{SrcMAC: cliMAC, DstMAC: srvMAC, EthernetType: etype}
	ls = append(ls, eth)
	for i, id := range vlans {
		tag := &layers.Dot1Q{VLANIdentifier: id, Type: etype}
		if i == 0 {
			eth.EthernetType = layers.EthernetTypeDot1Q
			if len(vlans) > 1 {
				eth.EthernetType = layers.EthernetTypeQinQ
			}
		} else {
			ls[len(ls)-1].(*layers.Dot1Q).Type = layers.EthernetTypeDot1Q
		}
		ls = append(ls, tag)
	}
	ls = append(ls, gopacket.Payload(ipPacket))
	return serialize(t, ls...)
}

func etherTypeOf(ipPacket []byte) uint16 {
	if ipPacket[0]>>4 == 6 {
		return uint16(layers.EthernetTypeIPv6)
	}
	return uint16(layers.EthernetTypeIPv4)
}

// sll is a Linux cooked capture v1 header (16 bytes) around ipPacket.
func sll(ipPacket []byte) []byte {
	h := make([]byte, 16)
	binary.BigEndian.PutUint16(h[0:2], 4) // sent by us
	binary.BigEndian.PutUint16(h[2:4], 1) // ARPHRD_ETHER
	binary.BigEndian.PutUint16(h[4:6], 6)
	copy(h[6:12], cliMAC)
	binary.BigEndian.PutUint16(h[14:16], etherTypeOf(ipPacket))
	return append(h, ipPacket...)
}

// sll2 is a Linux cooked capture v2 header (20 bytes) around ipPacket.
func sll2(ipPacket []byte) []byte {
	h := make([]byte, 20)
	binary.BigEndian.PutUint16(h[0:2], etherTypeOf(ipPacket))
	binary.BigEndian.PutUint32(h[4:8], 3)  // ifindex
	binary.BigEndian.PutUint16(h[8:10], 1) // ARPHRD_ETHER
	h[10] = 4                              // outgoing
	h[11] = 6
	copy(h[12:18], cliMAC)
	return append(h, ipPacket...)
}

// null is a BSD loopback header: the address family as a 32-bit integer
// in the given byte order.
func null(af uint32, order binary.ByteOrder, ipPacket []byte) []byte {
	h := make([]byte, 4)
	order.PutUint32(h, af)
	return append(h, ipPacket...)
}

// fragments4 cuts an IPv4 datagram's payload at the given offsets
// (multiples of 8) into fragments, each a whole IPv4 packet.
func fragments4(t testing.TB, datagram []byte, cuts ...int) [][]byte {
	var ip layers.IPv4
	require.NoError(t, ip.DecodeFromBytes(datagram, gopacket.NilDecodeFeedback))
	payload := ip.Payload
	bounds := append(append([]int{0}, cuts...), len(payload))
	var out [][]byte
	for i := 0; i+1 < len(bounds); i++ {
		f := ip4Layer(ip.Protocol)
		f.Id = 0x4242
		f.FragOffset = uint16(bounds[i] / 8)
		if i+2 < len(bounds) {
			f.Flags = layers.IPv4MoreFragments
		}
		out = append(out, serialize(t, f, gopacket.Payload(payload[bounds[i]:bounds[i+1]])))
	}
	return out
}

// fragments6 cuts an IPv6 packet's payload (TCP header and data) at the
// given offsets into fragments with a Fragment header, each preceded by a
// Destination Options header (unfragmentable part).
func fragments6(t testing.TB, packet []byte, cuts ...int) [][]byte {
	var ip layers.IPv6
	require.NoError(t, ip.DecodeFromBytes(packet, gopacket.NilDecodeFeedback))
	payload := ip.Payload
	bounds := append(append([]int{0}, cuts...), len(payload))
	var out [][]byte
	for i := 0; i+1 < len(bounds); i++ {
		hdr := ip6Layer(ipv6Destination)
		// Destination Options: next header 44, length 0 (8 bytes), PadN.
		dst := []byte{ipv6Fragment, 0, 1, 4, 0, 0, 0, 0}
		frag := &layers.IPv6Fragment{NextHeader: ip.NextHeader, FragmentOffset: uint16(bounds[i] / 8),
			MoreFragments: i+2 < len(bounds), Identification: 0xabcdef01}
		body := serialize(t, frag, gopacket.Payload(payload[bounds[i]:bounds[i+1]]))
		out = append(out, serialize(t, hdr, gopacket.Payload(append(dst, body...))))
	}
	return out
}

// Capture builders.

type rec struct {
	data  []byte
	ts    time.Time
	iface int
	orig  int // wire length; len(data) when 0
}

func (r rec) ci() gopacket.CaptureInfo {
	n := r.orig
	if n == 0 {
		n = len(r.data)
	}
	return gopacket.CaptureInfo{Timestamp: r.ts, CaptureLength: len(r.data), Length: n, InterfaceIndex: r.iface}
}

// writePcap writes a pcap with pcapgo (little-endian).
func writePcap(t testing.TB, lt layers.LinkType, nanos bool, recs ...rec) []byte {
	var b bytes.Buffer
	w := pcapgo.NewWriter(&b)
	if nanos {
		w = pcapgo.NewWriterNanos(&b)
	}
	require.NoError(t, w.WriteFileHeader(65536, lt))
	for _, r := range recs {
		require.NoError(t, w.WritePacket(r.ci(), r.data))
	}
	return b.Bytes()
}

// writePcapBE writes a big-endian pcap by hand (pcapgo writes only
// little-endian), microsecond or nanosecond.
func writePcapBE(lt layers.LinkType, nanos bool, recs ...rec) []byte {
	be := binary.BigEndian
	h := make([]byte, 24)
	magic, div := uint32(magicPcapMicroBE), int64(1000)
	if nanos {
		magic, div = magicPcapNanoBE, 1
	}
	be.PutUint32(h[0:], magic)
	be.PutUint16(h[4:], 2)
	be.PutUint16(h[6:], 4)
	be.PutUint32(h[16:], 65535)
	be.PutUint32(h[20:], uint32(lt))
	for _, r := range recs {
		ci := r.ci()
		rh := make([]byte, 16)
		be.PutUint32(rh[0:], uint32(r.ts.Unix()))
		be.PutUint32(rh[4:], uint32(int64(r.ts.Nanosecond())/div))
		be.PutUint32(rh[8:], uint32(ci.CaptureLength))
		be.PutUint32(rh[12:], uint32(ci.Length))
		h = append(append(h, rh...), r.data...)
	}
	return h
}

func writePcapng(t testing.TB, lt layers.LinkType, recs ...rec) []byte {
	var b bytes.Buffer
	w, err := pcapgo.NewNgWriter(&b, lt)
	require.NoError(t, err)
	for _, r := range recs {
		require.NoError(t, w.WritePacket(r.ci(), r.data))
	}
	require.NoError(t, w.Flush())
	return b.Bytes()
}

func gz(t testing.TB, b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	_, err := w.Write(b)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return out.Bytes()
}

// ngb builds pcapng files block by block, in either byte order, for
// what pcapgo's writer cannot make: other timestamp resolutions,
// big-endian sections, unknown blocks, SPB and PB.
type ngb struct {
	order byteOrder
	buf   []byte
	ends  []int // offset after each block
}

func (n *ngb) block(typ uint32, body []byte) *ngb {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	total := uint32(12 + len(body))
	b := make([]byte, 8, total)
	n.order.PutUint32(b[0:], typ)
	n.order.PutUint32(b[4:], total)
	b = append(b, body...)
	b = n.order.AppendUint32(b, total)
	n.buf = append(n.buf, b...)
	n.ends = append(n.ends, len(n.buf))
	return n
}

func (n *ngb) shb(major uint16) *ngb {
	body := n.order.AppendUint32(nil, byteOrderMagic)
	body = n.order.AppendUint16(body, major)
	body = n.order.AppendUint16(body, 0)
	body = n.order.AppendUint64(body, ^uint64(0)) // section length unknown
	return n.block(blockSHB, body)
}

// opt appends one option, padded.
func (n *ngb) opt(b []byte, code uint16, val []byte) []byte {
	b = n.order.AppendUint16(b, code)
	b = n.order.AppendUint16(b, uint16(len(val)))
	b = append(b, val...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func (n *ngb) idb(lt layers.LinkType, tsresol uint8, tsoffset int64) *ngb {
	body := n.order.AppendUint16(nil, uint16(lt))
	body = n.order.AppendUint16(body, 0)
	body = n.order.AppendUint32(body, 0)
	body = n.opt(body, 2, []byte("eth0")) // if_name
	if tsresol != 0 {
		body = n.opt(body, optIfTsresol, []byte{tsresol})
	}
	if tsoffset != 0 {
		body = n.opt(body, optIfTsoffset, n.order.AppendUint64(nil, uint64(tsoffset)))
	}
	body = n.opt(body, optEndOfOpt, nil)
	return n.block(blockIDB, body)
}

// epb writes an enhanced packet block with a raw timestamp (in the
// interface's units) and a comment option.
func (n *ngb) epb(iface uint32, ts uint64, data []byte) *ngb {
	body := n.order.AppendUint32(nil, iface)
	body = n.order.AppendUint32(body, uint32(ts>>32))
	body = n.order.AppendUint32(body, uint32(ts))
	body = n.order.AppendUint32(body, uint32(len(data)))
	body = n.order.AppendUint32(body, uint32(len(data)+10))
	body = append(body, data...)
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	body = n.opt(body, 1, []byte("a comment"))
	body = n.opt(body, optEndOfOpt, nil)
	return n.block(blockEPB, body)
}

func (n *ngb) pb(iface uint16, ts uint64, data []byte) *ngb {
	body := n.order.AppendUint16(nil, iface)
	body = n.order.AppendUint16(body, 0)
	body = n.order.AppendUint32(body, uint32(ts>>32))
	body = n.order.AppendUint32(body, uint32(ts))
	body = n.order.AppendUint32(body, uint32(len(data)))
	body = n.order.AppendUint32(body, uint32(len(data)))
	return n.block(blockPB, append(body, data...))
}

func (n *ngb) spb(data []byte) *ngb {
	body := n.order.AppendUint32(nil, uint32(len(data)))
	return n.block(blockSPB, append(body, data...))
}

type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// mixedPcapng is a two-section pcapng: section 1 (little-endian) has an
// Ethernet interface in microseconds and a raw IPv6 interface in
// nanoseconds with an unknown block, a statistics block and a decryption
// secrets block between packets; section 2 (big-endian) has a LOOP
// interface in 2^-20 s with an offset, an SPB and an obsolete PB.
func mixedPcapng(t testing.TB) (*ngb, []Packet) {
	e1 := ether(t, ip4TCP(t, 100, []byte("hello")))
	r2 := ip6TCP(t, 200, []byte("v6 raw"))
	e3 := ether(t, ip4UDP(t))
	l4 := null(afINET, binary.BigEndian, ip4TCP(t, 400, []byte("loop")))
	l5 := null(afINET, binary.BigEndian, ip4TCP(t, 500, []byte("spb")))
	l6 := null(afINET6Darwin, binary.BigEndian, ip6TCP(t, 600, []byte("pb")))

	n := &ngb{order: binary.LittleEndian}
	n.shb(1)
	n.idb(layers.LinkTypeEthernet, 0, 0) // default: microseconds
	n.idb(layers.LinkTypeIPv6, 9, 0)
	n.epb(0, uint64(t0.UnixMicro()), e1)
	n.block(0x0000beef, []byte("unknown block type, skipped"))
	n.block(blockDSB, []byte("TLSK....secrets"))
	n.epb(1, uint64(t0.UnixNano())+1, r2)
	n.block(blockISB, make([]byte, 12))
	n.epb(0, uint64(t0.UnixMicro())+2, e3)
	n.order = binary.BigEndian
	n.shb(1)
	n.idb(layers.LinkTypeLoop, 0x80|20, 1000)
	n.epb(0, 3<<20|1<<19, l4) // 3.5 s after the offset
	n.spb(l5)
	n.pb(0, 5<<20, l6)

	want := []Packet{
		{Frame: 1, Time: t0.Truncate(time.Microsecond), Data: e1, LinkType: layers.LinkTypeEthernet, Interface: 0},
		{Frame: 2, Time: t0.Add(1), Data: r2, LinkType: layers.LinkTypeIPv6, Interface: 1},
		{Frame: 3, Time: t0.Truncate(time.Microsecond).Add(2 * time.Microsecond), Data: e3, LinkType: layers.LinkTypeEthernet, Interface: 0},
		{Frame: 4, Time: time.Unix(1003, 5e8).UTC(), Data: l4, LinkType: layers.LinkTypeLoop, Interface: 2},
		{Frame: 5, Time: time.Time{}, Data: l5, LinkType: layers.LinkTypeLoop, Interface: 2},
		{Frame: 6, Time: time.Unix(1005, 0).UTC(), Data: l6, LinkType: layers.LinkTypeLoop, Interface: 2},
	}
	for i := range want {
		want[i].Length = len(want[i].Data)
	}
	for _, i := range []int{0, 1, 2, 3} { // EPBs say original length = captured + 10
		want[i].Length += 10
	}
	return n, want
}
