// Command walk is the second floor padlock is measured against (issue 6):
// plain gopacket reassembly, and on each direction of each TCP connection a
// walk over the TLS record headers, nothing else. It reads the capture as
// bench/readloop does, so that walk / read is what reassembly costs and
// padlock / walk what the dissection and the report cost.
//
//	go run ./bench/walk FILE
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/gopacket/gopacket/reassembly"
)

const (
	flushEvery = 1 << 16         // packets between two idle flushes
	idle       = 2 * time.Minute // capture time, as padlock's --flow-timeout
)

// counts is shared by every stream: walk runs in one goroutine.
type counts struct{ conns, records int64 }

// context gives the assembler the packet's CaptureInfo. One value is reused:
// the assembler reads the timestamp when it stores a segment, and the walk
// never asks for a segment's CaptureInfo back.
type context struct{ ci gopacket.CaptureInfo }

func (c *context) GetCaptureInfo() gopacket.CaptureInfo { return c.ci }

type factory struct{ n *counts }

func (f factory) New(_, _ gopacket.Flow, _ *layers.TCP, _ reassembly.AssemblerContext) reassembly.Stream {
	return &stream{n: f.n}
}

// stream walks both directions; dir[0] is gopacket's client to server
// (TCPDirClientToServer is false).
type stream struct {
	n      *counts
	dir    [2]walker
	opened bool
}

// Accept counts a connection at its first SYN, since gopacket also makes
// empty streams for the last ACK after a FIN. It leaves start alone, so
// gopacket waits for a SYN: forcing a start (reassemblydump's
// -allowmissinginit) lets such an ACK fix the sequence, and a new
// connection on that 4-tuple then loses its data.
func (s *stream) Accept(tcp *layers.TCP, _ gopacket.CaptureInfo, _ reassembly.TCPFlowDirection, _ reassembly.Sequence, _ *bool, _ reassembly.AssemblerContext) bool {
	if tcp.SYN && !tcp.ACK && !s.opened {
		s.opened = true
		s.n.conns++
	}
	return true
}

func (s *stream) ReassembledSG(sg reassembly.ScatterGather, _ reassembly.AssemblerContext) {
	dir, _, _, skip := sg.Info()
	w := &s.dir[0]
	if dir == reassembly.TCPDirServerToClient {
		w = &s.dir[1]
	}
	if skip != 0 {
		w.lost = true // bytes are missing: the next header is not where we are
	}
	n, _ := sg.Lengths()
	if w.lost || n == 0 {
		return
	}
	// Fetch copies only when the delivery is more than one segment (data
	// that came out of order); in order, it is the packet's own bytes.
	s.n.records += w.feed(sg.Fetch(n))
}

func (s *stream) ReassemblyComplete(_ reassembly.AssemblerContext) bool { return true }

// walker follows one direction's TLS records: a 5-byte header (type,
// version, length), then the body, skipped.
type walker struct {
	body int     // body bytes still to skip
	hdr  [5]byte // a header split over deliveries, joined here
	have int     // bytes of hdr filled
	lost bool    // out of step (a gap, or not TLS): walk no more
}

// feed walks b, the next bytes of the direction, and returns how many
// records start in it.
func (w *walker) feed(b []byte) (records int64) {
	for len(b) > 0 && !w.lost {
		if w.body > 0 {
			k := min(w.body, len(b))
			w.body -= k
			b = b[k:]
			continue
		}
		h := b // the header, in place unless it is split
		if w.have > 0 || len(b) < len(w.hdr) {
			k := copy(w.hdr[w.have:], b)
			w.have += k
			b = b[k:]
			if w.have < len(w.hdr) {
				break
			}
			w.have = 0
			h = w.hdr[:]
		} else {
			b = b[len(w.hdr):]
		}
		// Record types 20-24 and major version 3 (RFC 8446, Section 5.1);
		// anything else means the stream is not TLS, or we lost step.
		if h[0] < 20 || h[0] > 24 || h[1] != 3 {
			w.lost = true
			break
		}
		records++
		w.body = int(h[3])<<8 | int(h[4])
	}
	return records
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: walk FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "walk:", err)
		os.Exit(1)
	}
	defer f.Close()
	r, err := pcapgo.NewReader(bufio.NewReaderSize(f, 256<<10))
	if err != nil {
		fmt.Fprintln(os.Stderr, "walk:", err)
		os.Exit(1)
	}

	var n counts
	asm := reassembly.NewAssembler(reassembly.NewStreamPool(factory{&n}))
	// padlock's default caps: gopacket's own are unlimited.
	asm.MaxBufferedPagesPerConnection = 4096
	asm.MaxBufferedPagesTotal = 65536

	var (
		eth     layers.Ethernet
		ip4     layers.IPv4
		ip6     layers.IPv6
		tcp     layers.TCP
		decoded []gopacket.LayerType
		ctx     context
		packets int64
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet, &eth, &ip4, &ip6, &tcp)
	parser.IgnoreUnsupported = true // UDP, ARP, TCP payload: not ours to decode
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "walk:", err)
			os.Exit(1)
		}
		packets++
		if packets%flushEvery == 0 {
			asm.FlushCloseOlderThan(ci.Timestamp.Add(-idle))
		}
		// Ethernet, IPv4 or IPv6, TCP, or the packet is skipped (a decode
		// error, a VLAN tag, an IPv6 extension header, not TCP).
		_ = parser.DecodeLayers(data, &decoded)
		if len(decoded) < 3 || decoded[2] != layers.LayerTypeTCP {
			continue
		}
		flow := ip4.NetworkFlow()
		if decoded[1] == layers.LayerTypeIPv6 {
			flow = ip6.NetworkFlow()
		}
		ctx.ci = ci
		asm.AssembleWithContext(flow, &tcp, &ctx)
	}
	asm.FlushAll()
	fmt.Printf("%d packets, %d TCP connections, %d records\n", packets, n.conns, n.records)
}
