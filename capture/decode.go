package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Segment is one TCP segment decoded from a packet (after IP
// defragmentation). It owns all its memory: callers may keep it.
type Segment struct {
	Frame  int       // the packet's frame; for a defragmented datagram, the frame of its last fragment
	Time   time.Time // that packet's time
	Net    gopacket.Flow
	TCP    *layers.TCP // header fields; TCP.Payload is the segment payload
	Length int         // the packet's wire length

	// Truncated is set when the capture holds fewer bytes of the IP
	// datagram than its header announces (a snap length cut it): the
	// segment then carries only the first len(TCP.Payload) bytes of its
	// payload.
	Truncated bool

	// Stable says TCP's header and payload stay valid and unchanged until
	// the capture is closed, so they may be kept without a copy. The
	// Decoder sets it for a datagram reassembled from fragments (a fresh
	// buffer); a caller whose packets stay valid (Source.Stable) sets it
	// for the others.
	Stable bool
}

// DecodeStats counts what Decode saw. Every call counts in Packets and in
// exactly one of TCP, NonTCP, FragmentsHeld and Errors.
type DecodeStats struct {
	Packets         int `json:"packets"`
	TCP             int `json:"tcp"`              // segments returned, reassembled ones included
	NonTCP          int `json:"non_tcp"`          // not TCP over IP: ARP, UDP, ICMP, unsupported link types, ...
	FragmentsHeld   int `json:"fragments_held"`   // IP fragments kept for reassembly, nothing returned yet
	Errors          int `json:"decode_errors"`    // malformed packets (including fragments defragmentation refused)
	Fragments       int `json:"fragments"`        // IP fragments seen, IPv4 and IPv6
	Reassembled     int `json:"reassembled"`      // datagrams completed by defragmentation
	DefragDropped   int `json:"defrag_dropped"`   // incomplete datagrams dropped by timeout or cap
	UnsupportedLink int `json:"unsupported_link"` // packets whose link type the decoder does not know (also in NonTCP)
}

// Decoder turns packets into TCP segments. It decodes the link layer
// (Ethernet with 802.1Q/802.1ad tags, Linux SLL and SLL2, raw IP, BSD
// null/loopback), IPv4 and IPv6 with extension headers, and reassembles IP
// fragments. The zero value is not usable; call NewDecoder. A Decoder is not
// safe for concurrent use, and holds fragment state across calls, so one
// capture goes through one Decoder in frame order.
type Decoder struct {
	// Layers reused from packet to packet; nothing returned points
	// into them.
	eth  layers.Ethernet
	vlan layers.Dot1Q
	sll  layers.LinuxSLL
	sll2 layers.LinuxSLL2
	loop layers.Loopback
	ip4  layers.IPv4
	ip6  layers.IPv6

	defrag defrag
	stats  DecodeStats

	// DecodeShared: the segment points into the packet and into tcp.
	shared bool
	tcp    layers.TCP
}

// NewDecoder returns a Decoder with empty fragment state.
func NewDecoder() *Decoder {
	d := &Decoder{}
	d.defrag.reset()
	return d
}

// Stats returns the counters so far.
func (d *Decoder) Stats() DecodeStats {
	s := d.stats
	s.DefragDropped = d.defrag.dropped
	return s
}

// Link types the Decoder knows, beyond those gopacket names.
const (
	linkTypeRawDLT12 layers.LinkType = 12 // DLT_RAW on most BSDs, found in old files
	linkTypeRawDLT14 layers.LinkType = 14 // DLT_RAW on OpenBSD
)

// BSD loopback address families (the 4-byte header of DLT_NULL and LOOP).
const (
	afINET          = 2
	afINET6BSD      = 24     // NetBSD, OpenBSD, BSD/OS
	afINET6FreeBSD  = 28     // FreeBSD, DragonFly BSD
	afINET6Darwin   = 30     // macOS, iOS
	ethernetTypeOld = 0x9100 // pre-802.1ad QinQ outer tag, still in use
)

// Supported reports whether Decode understands packets of link type lt.
// Packets of other link types are counted as non-TCP.
func Supported(lt layers.LinkType) bool {
	switch lt {
	case layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL, layers.LinkTypeLinuxSLL2,
		layers.LinkTypeRaw, linkTypeRawDLT12, linkTypeRawDLT14, layers.LinkTypeIPv4, layers.LinkTypeIPv6,
		layers.LinkTypeNull, layers.LinkTypeLoop:
		return true
	}
	return false
}

// errNotTCP is Decode's internal "fine, but nothing for us".
var errNotTCP = errors.New("not tcp")

// errHeld says a fragment was stored for reassembly.
var errHeld = errors.New("fragment held")

// Decode decodes one packet. It returns ok=false and a nil error for a
// packet that is not TCP over IP, and for an IP fragment held until its
// datagram is complete; it returns an error for a malformed packet. It
// never panics on packet data. When a fragment completes a datagram, the
// segment carries that (last) fragment's frame, time and length, as
// Wireshark shows the reassembled datagram in the last fragment's frame.
func (d *Decoder) Decode(p Packet) (seg Segment, ok bool, err error) {
	d.stats.Packets++
	seg, err = d.decode(p)
	switch err {
	case nil:
		d.stats.TCP++
		return seg, true, nil
	case errNotTCP:
		d.stats.NonTCP++
		return Segment{}, false, nil
	case errHeld:
		d.stats.FragmentsHeld++
		return Segment{}, false, nil
	}
	d.stats.Errors++
	return Segment{}, false, fmt.Errorf("capture: frame %d: %w", p.Frame, err)
}

// DecodeShared is Decode without a copy: the segment's payload points into
// p.Data and its TCP header is the Decoder's own, both valid only until the
// next call (and p.Data only as long as the caller keeps it). A segment
// reassembled from IP fragments owns its bytes as with Decode. It costs no
// allocation per packet, for a pipeline that is done with each segment
// before decoding the next.
func (d *Decoder) DecodeShared(p Packet) (seg Segment, ok bool, err error) {
	d.shared = true
	seg, ok, err = d.Decode(p)
	d.shared = false
	return seg, ok, err
}

// layerErr names the layer a gopacket error came from. gopacket's messages
// are capitalised; ours are not, so they are quoted after the layer name.
func layerErr(layer string, err error) error {
	return fmt.Errorf("%s: %v", layer, err)
}

func (d *Decoder) decode(p Packet) (Segment, error) {
	data := p.Data
	var etype layers.EthernetType
	switch p.LinkType {
	case layers.LinkTypeEthernet:
		if err := d.eth.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			return Segment{}, layerErr("ethernet", err)
		}
		etype, data = d.eth.EthernetType, d.eth.Payload
	case layers.LinkTypeLinuxSLL:
		if err := d.sll.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			return Segment{}, layerErr("linux sll", err)
		}
		etype, data = d.sll.EthernetType, d.sll.Payload
	case layers.LinkTypeLinuxSLL2:
		if err := d.sll2.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			return Segment{}, layerErr("linux sll2", err)
		}
		etype, data = d.sll2.ProtocolType, d.sll2.Payload
	case layers.LinkTypeRaw, linkTypeRawDLT12, linkTypeRawDLT14:
		if len(data) == 0 {
			return Segment{}, errors.New("raw ip: empty packet")
		}
		switch data[0] >> 4 {
		case 4:
			etype = layers.EthernetTypeIPv4
		case 6:
			etype = layers.EthernetTypeIPv6
		default:
			return Segment{}, fmt.Errorf("raw ip: ip version %d", data[0]>>4)
		}
	case layers.LinkTypeIPv4:
		etype = layers.EthernetTypeIPv4
	case layers.LinkTypeIPv6:
		etype = layers.EthernetTypeIPv6
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		// The family is in host byte order for DLT_NULL and network byte
		// order for LOOP; gopacket's Loopback reads either.
		if err := d.loop.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			return Segment{}, layerErr("loopback", err)
		}
		switch d.loop.Family {
		case afINET:
			etype = layers.EthernetTypeIPv4
		case afINET6BSD, afINET6FreeBSD, afINET6Darwin:
			etype = layers.EthernetTypeIPv6
		default:
			return Segment{}, errNotTCP
		}
		data = d.loop.Payload
	default:
		d.stats.UnsupportedLink++
		return Segment{}, errNotTCP
	}

	// VLAN tags: 802.1Q, 802.1ad (QinQ) and the older 0x9100 outer tag,
	// any number of them. Each takes 4 bytes, so the loop ends.
	for etype == layers.EthernetTypeDot1Q || etype == layers.EthernetTypeQinQ || etype == ethernetTypeOld {
		if err := d.vlan.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			return Segment{}, layerErr("802.1q", err)
		}
		etype, data = d.vlan.Type, d.vlan.Payload
	}

	switch etype {
	case layers.EthernetTypeIPv4:
		return d.decodeIPv4(p, data)
	case layers.EthernetTypeIPv6:
		return d.decodeIPv6(p, data)
	}
	return Segment{}, errNotTCP
}

func (d *Decoder) decodeIPv4(p Packet, data []byte) (Segment, error) {
	ip := &d.ip4
	if err := ip.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
		return Segment{}, layerErr("ipv4", err)
	}
	if ip.Version != 4 {
		return Segment{}, fmt.Errorf("ipv4: version %d in header", ip.Version)
	}
	if ip.Flags&layers.IPv4MoreFragments != 0 || ip.FragOffset != 0 {
		d.stats.Fragments++
		whole, err := d.defrag.ipv4(ip, data, p.Time)
		if err != nil || whole == nil {
			return Segment{}, err
		}
		d.stats.Reassembled++
		if whole.Protocol != layers.IPProtocolTCP {
			return Segment{}, errNotTCP
		}
		// The reassembled payload is a fresh buffer nobody else holds.
		return d.newSegment(p, whole.NetworkFlow(), whole.Payload, false, false)
	}
	if ip.Protocol != layers.IPProtocolTCP {
		return Segment{}, errNotTCP
	}
	truncated := int(ip.Length) > len(data)
	return d.newSegment(p, ip.NetworkFlow(), ip.Payload, truncated, true)
}

// IPv6 extension headers that may come before the upper layer
// (RFC 8200 section 4, RFC 7045). ESP (50) hides what follows, and No Next
// Header (59) ends the packet: both are not TCP.
const (
	ipv6HopByHop    = 0
	ipv6Routing     = 43
	ipv6Fragment    = 44
	ipv6AH          = 51
	ipv6Destination = 60
	ipv6Mobility    = 135
	ipv6HIP         = 139
	ipv6Shim6       = 140
)

func (d *Decoder) decodeIPv6(p Packet, data []byte) (Segment, error) {
	ip := &d.ip6
	if err := ip.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
		return Segment{}, layerErr("ipv6", err)
	}
	if ip.Version != 6 {
		return Segment{}, fmt.Errorf("ipv6: version %d in header", ip.Version)
	}
	// gopacket has already consumed a Hop-by-Hop header.
	nh := ip.NextHeader
	if ip.HopByHop != nil {
		nh = ip.HopByHop.NextHeader
	}
	truncated := ip.Length != 0 && 40+int(ip.Length) > len(data)
	nh, payload, frag, err := walkIPv6(nh, ip.Payload)
	if err != nil {
		return Segment{}, err
	}
	if frag != nil {
		d.stats.Fragments++
		if truncated {
			// A receiver never sees a cut fragment; stored, it would
			// take the place of the real one (ip4defrag refuses them too).
			return Segment{}, fmt.Errorf("ipv6: fragment truncated by the capture: %d of %d bytes", len(data)-40, ip.Length)
		}
		whole, err := d.defrag.ipv6(ip, frag, p.Time)
		if err != nil || whole == nil {
			return Segment{}, err
		}
		d.stats.Reassembled++
		// Extension headers after the Fragment header belong to the
		// reassembled payload.
		nh, payload, frag, err = walkIPv6(whole.NextHeader, whole.Payload)
		if err != nil {
			return Segment{}, err
		}
		if frag != nil {
			return Segment{}, errors.New("ipv6: fragment header inside a reassembled packet")
		}
		if nh != layers.IPProtocolTCP {
			return Segment{}, errNotTCP
		}
		return d.newSegment(p, whole.NetworkFlow(), payload, false, false)
	}
	if nh != layers.IPProtocolTCP {
		return Segment{}, errNotTCP
	}
	return d.newSegment(p, ip.NetworkFlow(), payload, truncated, true)
}

// walkIPv6 skips extension headers from next header nh over b. It stops at
// the upper layer, returning its protocol and bytes, or at a Fragment
// header, which it returns decoded (pointing into b) with the fragment's
// bytes as its payload.
func walkIPv6(nh layers.IPProtocol, b []byte) (layers.IPProtocol, []byte, *layers.IPv6Fragment, error) {
	for {
		switch nh {
		case ipv6HopByHop, ipv6Routing, ipv6Destination, ipv6Mobility, ipv6HIP, ipv6Shim6, ipv6AH:
			if len(b) < 8 {
				return 0, nil, nil, fmt.Errorf("ipv6: extension header %d truncated: %d bytes", nh, len(b))
			}
			n := (int(b[1]) + 1) * 8 // RFC 8200 section 4.3: 8-octet units, not counting the first 8
			if nh == ipv6AH {
				n = (int(b[1]) + 2) * 4 // RFC 4302 section 2.2: 4-octet units, minus 2
			}
			if n > len(b) {
				return 0, nil, nil, fmt.Errorf("ipv6: extension header %d length %d over the %d bytes left", nh, n, len(b))
			}
			nh, b = layers.IPProtocol(b[0]), b[n:]
		case ipv6Fragment:
			// RFC 8200 section 4.5: next header u8, reserved u8,
			// offset u13 + res u2 + M u1, identification u32.
			if len(b) < 8 {
				return 0, nil, nil, fmt.Errorf("ipv6: fragment header truncated: %d bytes", len(b))
			}
			off := binary.BigEndian.Uint16(b[2:4])
			f := &layers.IPv6Fragment{
				BaseLayer:      layers.BaseLayer{Contents: b[:8], Payload: b[8:]},
				NextHeader:     layers.IPProtocol(b[0]),
				Reserved1:      b[1],
				FragmentOffset: off >> 3,
				Reserved2:      uint8(off>>1) & 3,
				MoreFragments:  off&1 != 0,
				Identification: binary.BigEndian.Uint32(b[4:8]),
			}
			return nh, b[8:], f, nil
		default:
			return nh, b, nil, nil
		}
	}
}

// newSegment decodes the TCP header from b. With borrowed, b belongs to the
// packet: Decode copies it, DecodeShared does not. Otherwise the segment
// takes b over: it must be memory nobody else holds.
func (d *Decoder) newSegment(p Packet, net gopacket.Flow, b []byte, truncated, borrowed bool) (Segment, error) {
	var tcp *layers.TCP
	if d.shared {
		tcp = &d.tcp
	} else {
		tcp = new(layers.TCP)
		if borrowed {
			b = clone(b)
		}
	}
	if err := tcp.DecodeFromBytes(b, gopacket.NilDecodeFeedback); err != nil {
		return Segment{}, layerErr("tcp", err)
	}
	return Segment{
		Frame:     p.Frame,
		Time:      p.Time,
		Net:       net,
		TCP:       tcp,
		Length:    p.Length,
		Truncated: truncated,
		Stable:    !borrowed,
	}, nil
}

func clone(b []byte) []byte {
	c := make([]byte, len(b))
	copy(c, b)
	return c
}
