package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/layers"
)

// seedCaptures are the test-built captures the fuzzers start from.
func seedCaptures(t testing.TB) [][]byte {
	recs := threePackets(t)
	ng, _ := mixedPcapng(t)
	pcap := writePcap(t, layers.LinkTypeEthernet, false, recs...)
	// Damaged blocks that reading resynchronises after (TestSourceResync).
	badLen, _ := mixedPcapng(t)
	binary.LittleEndian.PutUint32(badLen.buf[badLen.ends[1]+4:], 0x7ffffff0)
	badTrailer, _ := mixedPcapng(t)
	badTrailer.buf[badTrailer.ends[2]-4]++
	// A classic pcap record with a damaged length (TestSourceResyncPcap).
	badRec := writePcap(t, layers.LinkTypeEthernet, false, recs...)
	binary.LittleEndian.PutUint32(badRec[24+16+len(recs[0].data)+8:], 1<<30)
	return [][]byte{
		badLen.buf,
		badRec,
		badTrailer.buf,
		pcap,
		writePcap(t, layers.LinkTypeEthernet, true, recs...),
		writePcapBE(layers.LinkTypeRaw, false, rec{data: ip6TCP(t, 1, []byte("x")), ts: t0}),
		writePcapng(t, layers.LinkTypeEthernet, recs...),
		ng.buf,
		gz(t, ng.buf),
		gz(t, pcap),
		pcap[:len(pcap)-7],
		ng.buf[:len(ng.buf)-30],
	}
}

// FuzzSource reads arbitrary bytes as a capture: it must never panic,
// and must end (every packet or block read consumes input).
func FuzzSource(f *testing.F) {
	for _, b := range seedCaptures(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := NewSource(bytes.NewReader(b))
		if err != nil {
			if s != nil {
				t.Fatal("source and error")
			}
			return
		}
		for n := 0; ; n++ {
			p, err := s.Next()
			if err != nil {
				// A cut file is reported once, as the last warning.
				ws := s.Warnings()
				for i, w := range ws {
					if strings.Contains(w, "truncated") && (i != len(ws)-1 || err != io.EOF) {
						t.Fatalf("warnings %q, error %v", ws, err)
					}
				}
				break
			}
			if p.Frame != n+1 {
				t.Fatalf("frame %d after %d packets", p.Frame, n)
			}
			if len(p.Data) > maxCaptureLen {
				t.Fatalf("packet of %d bytes", len(p.Data))
			}
		}
		s.Close()
	})
}

// fuzzLinkTypes are the link types FuzzDecode picks from: every supported
// one and an unsupported one.
var fuzzLinkTypes = []layers.LinkType{
	layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL, layers.LinkTypeLinuxSLL2, layers.LinkTypeRaw,
	linkTypeRawDLT12, linkTypeRawDLT14, layers.LinkTypeIPv4, layers.LinkTypeIPv6,
	layers.LinkTypeNull, layers.LinkTypeLoop, layers.LinkTypeIEEE802_11,
}

// FuzzDecode decodes arbitrary bytes as a packet of the link type chosen
// by the first argument, then splits the bytes into several packets
// (each prefixed with a 16-bit length) and decodes those with one
// Decoder, so that fragments can meet. It must never panic, and a
// segment must own its memory.
func FuzzDecode(f *testing.F) {
	v4 := ip4TCP(f, 1, []byte("hello"))
	v6 := ip6TCP(f, 2, []byte("hello"))
	f.Add(uint8(0), ether(f, v4, 1, 2))
	f.Add(uint8(1), sll(v6))
	f.Add(uint8(2), sll2(v4))
	f.Add(uint8(3), v6)
	f.Add(uint8(8), null(afINET6Darwin, binary.LittleEndian, v6))
	f.Add(uint8(9), null(afINET, binary.BigEndian, v4))
	var multi []byte
	for _, fr := range fragments4(f, ip4TCP(f, 3, bytes.Repeat([]byte("z"), 40)), 16, 32) {
		multi = binary.BigEndian.AppendUint16(multi, uint16(len(fr)))
		multi = append(multi, fr...)
	}
	f.Add(uint8(3), multi)
	multi = nil
	for _, fr := range fragments6(f, ip6TCP(f, 3, bytes.Repeat([]byte("z"), 40)), 16, 32) {
		multi = binary.BigEndian.AppendUint16(multi, uint16(len(fr)))
		multi = append(multi, fr...)
	}
	f.Add(uint8(7), multi)

	f.Fuzz(func(t *testing.T, lt uint8, b []byte) {
		link := fuzzLinkTypes[int(lt)%len(fuzzLinkTypes)]
		d := NewDecoder()
		check := func(p Packet) {
			keep := append([]byte(nil), p.Data...)
			seg, ok, err := d.Decode(p)
			if ok != (err == nil && seg.TCP != nil) {
				t.Fatalf("ok %v, err %v, tcp %v", ok, err, seg.TCP != nil)
			}
			if !ok {
				return
			}
			payload := append([]byte(nil), seg.TCP.Payload...)
			for i := range p.Data {
				p.Data[i] ^= 0xff
			}
			if !bytes.Equal(payload, seg.TCP.Payload) {
				t.Fatal("segment payload shares the packet's memory")
			}
			copy(p.Data, keep)
		}
		check(Packet{Frame: 1, Data: append([]byte(nil), b...), Length: len(b), LinkType: link})
		frame := 2
		for len(b) >= 2 {
			n := int(binary.BigEndian.Uint16(b))
			b = b[2:]
			n = min(n, len(b))
			check(Packet{Frame: frame, Data: append([]byte(nil), b[:n]...), Length: n, LinkType: link})
			b = b[n:]
			frame++
		}
		st := d.Stats()
		if st.Packets != st.TCP+st.NonTCP+st.FragmentsHeld+st.Errors {
			t.Fatalf("stats do not add up: %+v", st)
		}
	})
}
