package main

import (
	"bytes"
	"fmt"
	"net"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// TCP flag bits of seg.flags.
const (
	fFIN = 1 << iota
	fSYN
	fRST
	fPSH
	fACK
)

// seg is one TCP segment before it gets addresses and a link layer.
type seg struct {
	dir   int    // 0: client to server, 1: server to client
	seq   int    // relative sequence number: 0 = SYN, 1 = first data byte
	ack   int    // relative acknowledgment number (valid with fACK)
	flags int    // fSYN | fACK | ...
	data  []byte // payload
	// delay is extra time before this segment (e.g. a retransmission
	// timeout), on top of the usual spacing.
	delay time.Duration
}

func (s seg) isData() bool { return len(s.data) > 0 }

// tcpOpts shapes how the recorded TLS writes become TCP segments.
type tcpOpts struct {
	mss int // max payload per segment (default 1460)
	// cuts forces a segment boundary at these stream offsets, per direction
	// (offset 0 is the first payload byte of that direction).
	cuts [2][]int
	// coalesce merges consecutive writes of one side into one run of
	// segments, so several TLS writes can share a segment.
	coalesce bool
	// noHandshake omits SYN, SYN/ACK, ACK.
	noHandshake bool
}

// flow is the byte streams plus segments of one TCP connection.
type flow struct {
	segs    []seg
	streams [2][]byte
}

// buildFlow turns recorded events into TCP segments: the three-way
// handshake, data segments cut at MSS (and forced cut points), a pure ACK
// whenever the receiver has nothing to send next, FIN/ACK at close.
func buildFlow(evs []event, o tcpOpts) *flow {
	if o.mss == 0 {
		o.mss = 1460
	}
	// Merge consecutive same-direction writes if asked.
	var runs []event
	for _, e := range evs {
		if o.coalesce && len(runs) > 0 && !e.fin {
			last := &runs[len(runs)-1]
			if last.dir == e.dir && !last.fin {
				last.data = append(bytes.Clone(last.data), e.data...)
				continue
			}
		}
		runs = append(runs, e)
	}
	f := &flow{}
	var sent [2]int
	var finSent [2]bool
	next := func(d int) int { // relative seq of next byte from d
		n := 1 + sent[d]
		if finSent[d] {
			n++
		}
		return n
	}
	if !o.noHandshake {
		f.segs = append(f.segs,
			seg{dir: 0, seq: 0, flags: fSYN},
			seg{dir: 1, seq: 0, ack: 1, flags: fSYN | fACK},
			seg{dir: 0, seq: 1, ack: 1, flags: fACK},
		)
	}
	isCut := func(d, off int) bool {
		for _, c := range o.cuts[d] {
			if c == off {
				return true
			}
		}
		return false
	}
	for i, e := range runs {
		d := e.dir
		if len(e.data) > 0 {
			f.streams[d] = append(f.streams[d], e.data...)
			data := e.data
			for len(data) > 0 {
				n := 0
				for n < len(data) && n < o.mss {
					n++
					if isCut(d, sent[d]+n) {
						break
					}
				}
				fl := fACK
				if n == len(data) {
					fl |= fPSH
				}
				f.segs = append(f.segs, seg{dir: d, seq: next(d), ack: next(1 - d), flags: fl, data: data[:n]})
				sent[d] += n
				data = data[n:]
			}
		}
		if e.fin {
			f.segs = append(f.segs, seg{dir: d, seq: next(d), ack: next(1 - d), flags: fFIN | fACK})
			finSent[d] = true
		}
		// The receiver acknowledges unless it answers with data right away.
		if i+1 == len(runs) || runs[i+1].dir == d {
			p := 1 - d
			f.segs = append(f.segs, seg{dir: p, seq: next(p), ack: next(d), flags: fACK})
		}
	}
	return f
}

// dataSeg returns the index in segs of the k-th (0-based) data segment sent
// in direction d.
func dataSeg(segs []seg, d, k int) int {
	for i, s := range segs {
		if s.dir == d && s.isData() {
			if k == 0 {
				return i
			}
			k--
		}
	}
	panic(fmt.Sprintf("no data segment %d in direction %d", k, d))
}

// rangeSeg makes a segment in direction d carrying stream bytes [from, to),
// e.g. a retransmission that overlaps earlier segments only partly. ack is
// the relative acknowledgment number it carries.
func (f *flow) rangeSeg(d, from, to, ack int) seg {
	return seg{dir: d, seq: 1 + from, ack: ack, flags: fACK | fPSH, data: f.streams[d][from:to]}
}

// streamOffset returns the stream offset of segment s's first byte.
func streamOffset(s seg) int { return s.seq - 1 }

func insertAt(segs []seg, i int, s seg) []seg {
	segs = append(segs, seg{})
	copy(segs[i+1:], segs[i:])
	segs[i] = s
	return segs
}

func removeAt(segs []seg, i int) []seg {
	return append(segs[:i:i], segs[i+1:]...)
}

// endpoint addressing and link layer of one connection.
type netOpts struct {
	ipv6         bool
	clientIP     net.IP
	serverIP     net.IP
	clientPort   uint16
	serverPort   uint16
	link         layers.LinkType // Ethernet, LinuxSLL2, Raw, Null
	vlans        []uint16        // 802.1Q tags (two = QinQ, outer first)
	clientMAC    net.HardwareAddr
	serverMAC    net.HardwareAddr
	isnClient    uint32
	isnServer    uint32
	mss          int // announced in SYN options
	ipIDClient   uint16
	ipIDServer   uint16
	sll2IfIndex  uint32
	sll2Outgoing int // direction recorded as outgoing (PACKET_OUTGOING) in SLL2
}

func defaultNet() netOpts {
	return netOpts{
		clientIP:     net.IPv4(10, 0, 0, 2).To4(),
		serverIP:     net.IPv4(10, 0, 0, 1).To4(),
		clientPort:   51514,
		serverPort:   443,
		link:         layers.LinkTypeEthernet,
		clientMAC:    net.HardwareAddr{0x02, 0x00, 0x00, 0x00, 0x00, 0x02},
		serverMAC:    net.HardwareAddr{0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
		isnClient:    0x1a2b3c4d,
		isnServer:    0x5e6f7081,
		ipIDClient:   0x1000,
		ipIDServer:   0x2000,
		sll2IfIndex:  2,
		sll2Outgoing: 1,
	}
}

func v6(s string) net.IP { return net.ParseIP(s) }

// frame is one packet of the output file.
type frame struct {
	t       time.Time
	iface   int
	data    []byte
	origLen int // 0: len(data)
}

// timing gives packets timestamps: small steps within a burst of one side,
// a longer step when the other side speaks (about one RTT).
type timing struct {
	base       time.Time
	step, turn time.Duration
}

func defaultTiming(base time.Time) timing {
	return timing{base: base, step: 37*time.Microsecond + 211*time.Nanosecond, turn: 1180*time.Microsecond + 373*time.Nanosecond}
}

// serialize turns segments into frames with link, IP and TCP headers.
func serialize(segs []seg, n netOpts, tm timing, iface int) ([]frame, error) {
	var frames []frame
	t := tm.base
	ipID := [2]uint16{n.ipIDClient, n.ipIDServer}
	for i, s := range segs {
		if i > 0 {
			if s.dir != segs[i-1].dir {
				t = t.Add(tm.turn)
			} else {
				t = t.Add(tm.step)
			}
		}
		t = t.Add(s.delay)
		b, err := encode(s, n, ipID[s.dir])
		if err != nil {
			return nil, err
		}
		ipID[s.dir]++
		frames = append(frames, frame{t: t, iface: iface, data: b})
	}
	return frames, nil
}

func encode(s seg, n netOpts, ipID uint16) ([]byte, error) {
	srcIP, dstIP := n.clientIP, n.serverIP
	srcPort, dstPort := n.clientPort, n.serverPort
	srcMAC, dstMAC := n.clientMAC, n.serverMAC
	isn, peerISN := n.isnClient, n.isnServer
	if s.dir == 1 {
		srcIP, dstIP = dstIP, srcIP
		srcPort, dstPort = dstPort, srcPort
		srcMAC, dstMAC = dstMAC, srcMAC
		isn, peerISN = peerISN, isn
	}
	tcp := &layers.TCP{
		SrcPort: layers.TCPPort(srcPort),
		DstPort: layers.TCPPort(dstPort),
		Seq:     isn + uint32(s.seq),
		FIN:     s.flags&fFIN != 0,
		SYN:     s.flags&fSYN != 0,
		RST:     s.flags&fRST != 0,
		PSH:     s.flags&fPSH != 0,
		ACK:     s.flags&fACK != 0,
		Window:  502,
	}
	if tcp.ACK {
		tcp.Ack = peerISN + uint32(s.ack)
	}
	if tcp.SYN {
		mss := n.mss
		if mss == 0 {
			mss = 1460
		}
		tcp.Window = 64240
		tcp.Options = []layers.TCPOption{
			{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{byte(mss >> 8), byte(mss)}},
			{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2},
			{OptionType: layers.TCPOptionKindNop},
			{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{7}},
		}
	}
	var ip gopacket.SerializableLayer
	var ethType layers.EthernetType
	if n.ipv6 {
		ip6 := &layers.IPv6{Version: 6, NextHeader: layers.IPProtocolTCP, HopLimit: 64, SrcIP: srcIP, DstIP: dstIP}
		if err := tcp.SetNetworkLayerForChecksum(ip6); err != nil {
			return nil, err
		}
		ip, ethType = ip6, layers.EthernetTypeIPv6
	} else {
		ip4 := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: ipID, Flags: layers.IPv4DontFragment, Protocol: layers.IPProtocolTCP, SrcIP: srcIP, DstIP: dstIP}
		if err := tcp.SetNetworkLayerForChecksum(ip4); err != nil {
			return nil, err
		}
		ip, ethType = ip4, layers.EthernetTypeIPv4
	}
	ls := []gopacket.SerializableLayer{ip, tcp, gopacket.Payload(s.data)}
	var prefix []byte
	switch n.link {
	case layers.LinkTypeEthernet:
		ls = append(linkEthernet(srcMAC, dstMAC, ethType, n.vlans), ls...)
	case layers.LinkTypeLinuxSLL2:
		pktType := byte(0) // PACKET_HOST
		if s.dir == n.sll2Outgoing {
			pktType = 4 // PACKET_OUTGOING
		}
		prefix = sll2Header(uint16(ethType), n.sll2IfIndex, 1, pktType, srcMAC)
	case layers.LinkTypeRaw:
	case layers.LinkTypeNull:
		fam := layers.ProtocolFamilyIPv4
		if n.ipv6 {
			fam = layers.ProtocolFamilyIPv6BSD
		}
		ls = append([]gopacket.SerializableLayer{&layers.Loopback{Family: fam}}, ls...)
	default:
		return nil, fmt.Errorf("unsupported link type %v", n.link)
	}
	return serializeLayers(prefix, ls...)
}

func serializeLayers(prefix []byte, ls ...gopacket.SerializableLayer) ([]byte, error) {
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		return nil, err
	}
	return append(bytes.Clone(prefix), buf.Bytes()...), nil
}

func linkEthernet(src, dst net.HardwareAddr, typ layers.EthernetType, vlans []uint16) []gopacket.SerializableLayer {
	if len(vlans) == 0 {
		return []gopacket.SerializableLayer{&layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: typ}}
	}
	first := layers.EthernetTypeDot1Q
	if len(vlans) > 1 {
		first = layers.EthernetTypeQinQ
	}
	ls := []gopacket.SerializableLayer{&layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: first}}
	for i, v := range vlans {
		next := typ
		if i+1 < len(vlans) {
			next = layers.EthernetTypeDot1Q
		}
		ls = append(ls, &layers.Dot1Q{VLANIdentifier: v, Type: next})
	}
	return ls
}

// sll2Header is the 20-byte LINKTYPE_LINUX_SLL2 header, written by hand
// because gopacket's LinuxSLL2 layer cannot serialize.
func sll2Header(proto uint16, ifIndex uint32, arphrd uint16, pktType byte, addr net.HardwareAddr) []byte {
	h := make([]byte, 20)
	h[0], h[1] = byte(proto>>8), byte(proto)
	// h[2:4] reserved
	h[4], h[5], h[6], h[7] = byte(ifIndex>>24), byte(ifIndex>>16), byte(ifIndex>>8), byte(ifIndex)
	h[8], h[9] = byte(arphrd>>8), byte(arphrd)
	h[10] = pktType
	h[11] = byte(len(addr))
	copy(h[12:20], addr)
	return h
}
