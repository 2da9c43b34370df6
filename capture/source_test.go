package capture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAll reads a source to its end and returns the packets and the
// error that ended it.
func readAll(t testing.TB, s *Source) ([]Packet, error) {
	t.Helper()
	var ps []Packet
	for {
		p, err := s.Next()
		if err != nil {
			return ps, err
		}
		ps = append(ps, p)
		require.Less(t, len(ps), 1<<20, "runaway source")
	}
}

func threePackets(t testing.TB) []rec {
	return []rec{
		{data: ether(t, ip4TCP(t, 1, []byte("first"))), ts: t0},
		{data: ether(t, ip4UDP(t)), ts: t0.Add(time.Second)}, // not TCP: still a frame
		{data: ether(t, ip4TCP(t, 6, []byte("third"))), ts: t0.Add(2 * time.Second), orig: 1500},
	}
}

func TestSourcePcap(t *testing.T) { eachReader(t, testSourcePcap) }

func testSourcePcap(t *testing.T, open opener) {
	recs := threePackets(t)
	cases := []struct {
		name  string
		file  []byte
		trunc time.Duration // timestamp resolution of the file
	}{
		{"microseconds", writePcap(t, layers.LinkTypeEthernet, false, recs...), time.Microsecond},
		{"nanoseconds", writePcap(t, layers.LinkTypeEthernet, true, recs...), 1},
		{"big-endian microseconds", writePcapBE(layers.LinkTypeEthernet, false, recs...), time.Microsecond},
		{"big-endian nanoseconds", writePcapBE(layers.LinkTypeEthernet, true, recs...), 1},
		{"gzip", gz(t, writePcap(t, layers.LinkTypeEthernet, true, recs...)), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := open(t, c.file)
			require.NoError(t, err)
			assert.Equal(t, "pcap", s.Format())
			ps, err := readAll(t, s)
			require.Equal(t, io.EOF, err)
			require.Len(t, ps, len(recs))
			for i, p := range ps {
				assert.Equal(t, i+1, p.Frame)
				assert.Equal(t, recs[i].ts.Truncate(c.trunc), p.Time)
				assert.Equal(t, time.UTC, p.Time.Location())
				assert.Equal(t, recs[i].data, p.Data)
				assert.Equal(t, recs[i].ci().Length, p.Length)
				assert.Equal(t, layers.LinkTypeEthernet, p.LinkType)
				assert.Equal(t, 0, p.Interface)
			}
			assert.Empty(t, s.Warnings())
			// The end is sticky.
			_, err = s.Next()
			assert.Equal(t, io.EOF, err)
			assert.NoError(t, s.Close())
		})
	}
}

func TestSourcePacketOwnsData(t *testing.T) { eachReader(t, testSourcePacketOwnsData) }

func testSourcePacketOwnsData(t *testing.T, open opener) {
	s, err := open(t, writePcap(t, layers.LinkTypeEthernet, false, threePackets(t)...))
	require.NoError(t, err)
	p1, err := s.Next()
	require.NoError(t, err)
	keep := append([]byte(nil), p1.Data...)
	_, err = readAll(t, s)
	require.Equal(t, io.EOF, err)
	assert.Equal(t, keep, p1.Data)
}

func TestSourcePcapng(t *testing.T) { eachReader(t, testSourcePcapng) }

func testSourcePcapng(t *testing.T, open opener) {
	n, want := mixedPcapng(t)
	for _, c := range []struct {
		name string
		file []byte
	}{{"plain", n.buf}, {"gzip", gz(t, n.buf)}} {
		t.Run(c.name, func(t *testing.T) {
			s, err := open(t, c.file)
			require.NoError(t, err)
			assert.Equal(t, "pcapng", s.Format())
			ps, err := readAll(t, s)
			require.Equal(t, io.EOF, err)
			require.Len(t, ps, len(want))
			for i := range want {
				assert.Equal(t, want[i], ps[i], "frame %d", i+1)
			}
			assert.Empty(t, s.Warnings())
		})
	}
}

func TestSourcePcapngWriter(t *testing.T) { eachReader(t, testSourcePcapngWriter) }

func testSourcePcapngWriter(t *testing.T, open opener) {
	// What pcapgo's NgWriter writes (nanoseconds, options) reads back.
	recs := threePackets(t)
	s, err := open(t, writePcapng(t, layers.LinkTypeEthernet, recs...))
	require.NoError(t, err)
	ps, err := readAll(t, s)
	require.Equal(t, io.EOF, err)
	require.Len(t, ps, 3)
	for i, p := range ps {
		assert.Equal(t, i+1, p.Frame)
		assert.Equal(t, recs[i].ts, p.Time)
		assert.Equal(t, recs[i].data, p.Data)
		assert.Equal(t, recs[i].ci().Length, p.Length)
	}
}

func TestSourcePcapngSkipsUnknownVersion(t *testing.T) {
	eachReader(t, testSourcePcapngSkipsUnknownVersion)
}

func testSourcePcapngSkipsUnknownVersion(t *testing.T, open opener) {
	pkt := ether(t, ip4TCP(t, 1, []byte("x")))
	n := &ngb{order: binary.LittleEndian}
	n.shb(1).idb(layers.LinkTypeEthernet, 9, 0).epb(0, uint64(t0.UnixNano()), pkt)
	n.shb(2).idb(layers.LinkTypeEthernet, 9, 0).epb(0, 1, pkt) // skipped, with a warning
	n.shb(1).idb(layers.LinkTypeRaw, 9, 0).epb(0, 2, pkt[14:])
	s, err := open(t, n.buf)
	require.NoError(t, err)
	ps, err := readAll(t, s)
	require.Equal(t, io.EOF, err)
	require.Len(t, ps, 2)
	assert.Equal(t, 2, ps[1].Frame)
	assert.Equal(t, layers.LinkTypeRaw, ps[1].LinkType)
	assert.Equal(t, 1, ps[1].Interface, "interfaces count across sections; the skipped one's are not read")
	require.Len(t, s.Warnings(), 1)
	assert.Contains(t, s.Warnings()[0], "unsupported pcapng version 2.0")
}

func TestNgTime(t *testing.T) {
	cases := []struct {
		ts      uint64
		tsresol uint8
		off     int64
		want    time.Time
	}{
		{1_500_000, 6, 0, time.Unix(1, 5e8)},
		{1_500_000_001, 9, 0, time.Unix(1, 500_000_001)},
		{15, 1, 0, time.Unix(1, 5e8)},
		{1_500_000_000_001, 12, 0, time.Unix(1, 500_000_000)},
		{3 << 10, 0x80 | 10, 5, time.Unix(8, 0)},
		{1<<10 | 1<<9, 0x80 | 10, 0, time.Unix(1, 5e8)},
		{1 << 63, 0x80 | 63, 0, time.Unix(1, 0)},
		{1 << 63, 0x80 | 64, 0, time.Unix(0, 5e8)},
		{^uint64(0), 0x80 | 127, 0, time.Unix(0, 0)},
		{^uint64(0), 127, 0, time.Unix(0, 0)},
		{5e18, 19, 0, time.Unix(0, 5e8)},
		{5e18, 20, 0, time.Unix(0, 5e7)},
		{0, 0, -10, time.Unix(-10, 0)},
	}
	for _, c := range cases {
		assert.Equal(t, c.want.UTC(), ngTime(c.ts, c.tsresol, c.off), "ts %d resol %#x", c.ts, c.tsresol)
	}
}

func TestSourceNotACapture(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"html", "<html><body>hi</body></html>\n", "capture: not a pcap or pcapng file (magic 0x3c68746d)"},
		{"empty", "", "capture: not a pcap or pcapng file (empty)"},
		{"short", "ab", "capture: not a pcap or pcapng file (only 2 bytes)"},
		{"gzip text", string(gz(t, []byte("just text"))), "capture: not a pcap or pcapng file (gzip-compressed, magic 0x6a757374)"},
		{"bad gzip", "\x1f\x8b\x00\x00", "capture: gzip: unexpected EOF"},
		{"zstd", "\x28\xb5\x2f\xfd1234", "capture: zstd-compressed input is not supported: decompress it first (zstd -d)"},
		{"pcap header cut", string(writePcap(t, layers.LinkTypeEthernet, false)[:10]), "capture: pcap file header truncated: got 10 of 24 bytes"},
		{"pcap version", "\xd4\xc3\xb2\xa1\x03\x00\x04\x00" + strings.Repeat("\x00", 16), "capture: unsupported pcap version 3.4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := NewSource(strings.NewReader(c.in))
			assert.Nil(t, s)
			require.Error(t, err)
			assert.Equal(t, c.want, err.Error())
		})
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(text, []byte("<html>"), 0o644))
	_, err := Open(text, nil)
	require.Error(t, err)
	assert.Equal(t, "capture: "+text+": not a pcap or pcapng file (magic 0x3c68746d)", err.Error())

	_, err = Open(filepath.Join(dir, "missing.pcap"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing.pcap")
	assert.True(t, strings.HasPrefix(err.Error(), "capture: "))

	// A gzip'd pcapng named .pcap: the name does not matter.
	n, want := mixedPcapng(t)
	file := filepath.Join(dir, "trace.pcap")
	require.NoError(t, os.WriteFile(file, gz(t, n.buf), 0o644))
	s, err := Open(file, nil)
	require.NoError(t, err)
	ps, err := readAll(t, s)
	require.Equal(t, io.EOF, err)
	assert.Len(t, ps, len(want))
	require.NoError(t, s.Close())
	_, err = s.Next()
	assert.ErrorContains(t, err, "closed")

	s, err = Open("-", bytes.NewReader(writePcap(t, layers.LinkTypeEthernet, false, threePackets(t)...)))
	require.NoError(t, err)
	ps, err = readAll(t, s)
	require.Equal(t, io.EOF, err)
	assert.Len(t, ps, 3)
	require.NoError(t, s.Close())

	_, err = Open("-", strings.NewReader("hello"))
	assert.EqualError(t, err, "capture: stdin: not a pcap or pcapng file (magic 0x68656c6c)")
}

// TestSourceTruncated cuts captures at every byte and checks that every
// complete packet comes out, then io.EOF, with a warning unless the cut
// fell between packets.
func TestSourceTruncated(t *testing.T) { eachReader(t, testSourceTruncated) }

func testSourceTruncated(t *testing.T, open opener) {
	recs := threePackets(t)
	pcap := writePcap(t, layers.LinkTypeEthernet, false, recs...)
	var pcapEnds []int // offset after the file header and each packet
	off := 24
	pcapEnds = append(pcapEnds, off)
	for _, r := range recs {
		off += 16 + len(r.data)
		pcapEnds = append(pcapEnds, off)
	}
	ng, _ := mixedPcapng(t)
	packetBlocks := map[int]bool{} // index in ng.ends of blocks holding packets
	for i, b := range []string{"shb", "idb", "idb", "epb", "unk", "dsb", "epb", "isb", "epb", "shb", "idb", "epb", "spb", "pb"} {
		packetBlocks[i] = b == "epb" || b == "spb" || b == "pb"
	}

	check := func(t *testing.T, file []byte, cut int, minLen int, ends []int, isPacket func(i int) bool) {
		s, err := open(t, file[:cut])
		if cut < minLen {
			require.Error(t, err, "cut %d", cut)
			return
		}
		require.NoError(t, err, "cut %d", cut)
		ps, err := readAll(t, s)
		require.Equal(t, io.EOF, err, "cut %d", cut)
		complete, boundary := 0, false
		for i, e := range ends {
			if e <= cut && isPacket(i) {
				complete++
			}
			boundary = boundary || e == cut
		}
		assert.Len(t, ps, complete, "cut %d", cut)
		if boundary {
			assert.Empty(t, s.Warnings(), "cut %d", cut)
		} else {
			require.Len(t, s.Warnings(), 1, "cut %d", cut)
			assert.Contains(t, s.Warnings()[0], "capture: file truncated in ")
		}
	}
	t.Run("pcap", func(t *testing.T) {
		for cut := 0; cut <= len(pcap); cut++ {
			check(t, pcap, cut, 24, pcapEnds, func(i int) bool { return i > 0 })
		}
	})
	t.Run("pcapng", func(t *testing.T) {
		for cut := 0; cut <= len(ng.buf); cut++ {
			check(t, ng.buf, cut, 4, ng.ends, func(i int) bool { return packetBlocks[i] })
		}
	})
	t.Run("gzip", func(t *testing.T) {
		// A cut in the compressed stream: the packets it still holds come
		// out, then a warning.
		z := gz(t, pcap)
		for cut := 20; cut < len(z); cut++ {
			s, err := NewSource(bytes.NewReader(z[:cut]))
			if err != nil {
				continue // the pcap header itself was cut
			}
			ps, err := readAll(t, s)
			require.Equal(t, io.EOF, err, "cut %d", cut)
			assert.LessOrEqual(t, len(ps), 3)
			require.Len(t, s.Warnings(), 1, "cut %d", cut)
		}
	})
	t.Run("messages", func(t *testing.T) {
		s, err := open(t, pcap[:pcapEnds[1]+16+20])
		require.NoError(t, err)
		_, _ = readAll(t, s)
		assert.Equal(t, []string{fmt.Sprintf("capture: file truncated in packet 2 (frame 2): got 20 of %d bytes", len(recs[1].data))}, s.Warnings())

		s, err = open(t, pcap[:pcapEnds[1]+7])
		require.NoError(t, err)
		_, _ = readAll(t, s)
		assert.Equal(t, []string{fmt.Sprintf("capture: file truncated in header of packet 2 (frame 2) at offset %d: got 7 of 16 bytes", pcapEnds[1])}, s.Warnings())

		s, err = open(t, ng.buf[:ng.ends[3]+30])
		require.NoError(t, err)
		_, _ = readAll(t, s)
		assert.Equal(t, []string{fmt.Sprintf("capture: file truncated in block 5 (block type 0x0000beef) at offset %d: got 30 of %d bytes",
			ng.ends[3], ng.ends[4]-ng.ends[3])}, s.Warnings())

		s, err = open(t, ng.buf[:ng.ends[5]+40])
		require.NoError(t, err)
		_, _ = readAll(t, s)
		assert.Equal(t, []string{fmt.Sprintf("capture: file truncated in block 7 (enhanced packet block, frame 2) at offset %d: got 40 of %d bytes",
			ng.ends[5], ng.ends[6]-ng.ends[5])}, s.Warnings())
	})
}

func TestSourceDamaged(t *testing.T) { eachReader(t, testSourceDamaged) }

func testSourceDamaged(t *testing.T, open opener) {
	pkt := ether(t, ip4TCP(t, 1, []byte("x")))
	good := func() *ngb {
		n := &ngb{order: binary.LittleEndian}
		return n.shb(1).idb(layers.LinkTypeEthernet, 9, 0).epb(0, 1, pkt)
	}
	le := binary.LittleEndian
	cases := []struct {
		name string
		file func() []byte
		want string
	}{
		{"pcap caplen over max", func() []byte {
			b := writePcap(t, layers.LinkTypeEthernet, false, rec{data: pkt, ts: t0}, rec{data: pkt, ts: t0})
			le.PutUint32(b[24+16+len(pkt)+8:], 1<<30)
			return b
		}, "capture: packet 2 (frame 2) at offset " + fmt.Sprint(24+16+len(pkt)) + ": captured length 1073741824 is over the maximum 1048576; the file is damaged"},
		{"block lengths differ", func() []byte {
			b := good().buf
			b[len(b)-4]++
			return b
		}, "lengths"},
		{"block length not a multiple of 4", func() []byte {
			n := good()
			le.PutUint32(n.buf[n.ends[1]+4:], 33)
			return n.buf
		}, "invalid block length 33"},
		{"undefined interface", func() []byte {
			n := &ngb{order: binary.LittleEndian}
			return n.shb(1).idb(layers.LinkTypeEthernet, 9, 0).epb(3, 1, pkt).buf
		}, "interface 3 is not defined (the section has 1)"},
		{"packet before interface", func() []byte {
			n := &ngb{order: binary.LittleEndian}
			return n.shb(1).spb(pkt).buf
		}, "interface 0 is not defined (the section has 0)"},
		{"caplen over block", func() []byte {
			n := good()
			le.PutUint32(n.buf[n.ends[1]+20:], 4000)
			return n.buf
		}, "captured length 4000 does not fit in block length"},
		{"byte order magic", func() []byte {
			n := good()
			n.shb(1)
			le.PutUint32(n.buf[n.ends[2]+8:], 0x11223344)
			return n.buf
		}, "bad byte order magic 0x44332211"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := open(t, c.file())
			require.NoError(t, err)
			_, err = readAll(t, s)
			require.Error(t, err)
			require.NotEqual(t, io.EOF, err)
			assert.Contains(t, err.Error(), c.want)
			// Sticky.
			_, err2 := s.Next()
			assert.Equal(t, err, err2)
		})
	}
}

// After a damaged pcapng block, reading goes on at the next whole,
// consistent block, with a warning that says what was skipped (issue 7:
// one bad block must not cost the rest of the capture).
func TestSourceResync(t *testing.T) { eachReader(t, testSourceResync) }

func testSourceResync(t *testing.T, open opener) {
	pkt := ether(t, ip4TCP(t, 1, []byte("x")))
	after := ether(t, ip4TCP(t, 2, []byte("after the damage")))
	le := binary.LittleEndian
	// shb, idb, epb (frame 1), DAMAGED epb, epb (after), epb (after)
	build := func(damage func(n *ngb)) []byte {
		n := &ngb{order: binary.LittleEndian}
		n.shb(1).idb(layers.LinkTypeEthernet, 9, 0).epb(0, 1, pkt).epb(0, 2, pkt).epb(0, 3, after).epb(0, 4, after)
		damage(n)
		return n.buf
	}
	cases := []struct {
		name   string
		damage func(n *ngb)
		want   string
	}{
		{"length past the file", func(n *ngb) { le.PutUint32(n.buf[n.ends[2]+4:], 0x7ffffff0) }, "invalid block length 2147483632"},
		{"length not a multiple of 4", func(n *ngb) { le.PutUint32(n.buf[n.ends[2]+4:], 33) }, "invalid block length 33"},
		{"length too short", func(n *ngb) { le.PutUint32(n.buf[n.ends[2]+4:], 44) }, "block lengths 44 and"},
		{"length too long", func(n *ngb) { le.PutUint32(n.buf[n.ends[2]+4:], n.order.Uint32(n.buf[n.ends[2]+4:])+8) }, "lengths"},
		{"undefined interface", func(n *ngb) { le.PutUint32(n.buf[n.ends[2]+8:], 7) }, "interface 7 is not defined"},
		{"caplen over block", func(n *ngb) { le.PutUint32(n.buf[n.ends[2]+20:], 4000) }, "does not fit in block length"},
		{"garbage over the block", func(n *ngb) {
			for i := n.ends[2]; i < n.ends[3]; i++ {
				n.buf[i] = byte(i*31 + 7)
			}
		}, "invalid block length"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := open(t, build(c.damage))
			require.NoError(t, err)
			assertResynced(t, s, after, c.want)
			assert.Contains(t, s.Warnings()[0], "skipped")
		})
	}
}

// assertResynced reads s to its end and checks that reading went on past
// the damage: the last two packets are after's, frames are numbered on
// from the last good one, and one warning says want. It returns the last
// packet.
func assertResynced(t *testing.T, s *Source, after []byte, want string) Packet {
	t.Helper()
	ps, err := readAll(t, s)
	require.Equal(t, io.EOF, err, "reading goes on")
	require.GreaterOrEqual(t, len(ps), 3, "the packets after the damage are read")
	last := ps[len(ps)-2:]
	assert.Equal(t, after, last[0].Data)
	assert.Equal(t, after, last[1].Data)
	assert.Equal(t, ps[0].Frame+len(ps)-1, last[1].Frame, "frames numbered on")
	require.Len(t, s.Warnings(), 1)
	assert.Contains(t, s.Warnings()[0], want)
	return last[1]
}

// After a damaged classic pcap record, reading goes on at the next offset
// where plausible records follow each other, with a warning that says
// what was skipped: a pcap has no markers to find a record by, only
// headers that look like their neighbours'.
func TestSourceResyncPcap(t *testing.T) { eachReader(t, testSourceResyncPcap) }

func testSourceResyncPcap(t *testing.T, open opener) {
	pkt := ether(t, ip4TCP(t, 1, []byte("x")))
	after := ether(t, ip4TCP(t, 2, []byte("after the damage")))
	le := binary.LittleEndian
	recs := []rec{{data: pkt, ts: t0}, {data: pkt, ts: t0.Add(time.Second)},
		{data: after, ts: t0.Add(2 * time.Second)}, {data: after, ts: t0.Add(3 * time.Second)}}
	for _, nanos := range []bool{false, true} {
		// ends[i] is where record i ends.
		base := writePcap(t, layers.LinkTypeEthernet, nanos, recs...)
		ends := []int{24}
		for _, r := range recs {
			ends = append(ends, ends[len(ends)-1]+16+len(r.data))
		}
		cases := []struct {
			name    string
			damage  func(b []byte) []byte
			want    string
			skipped int
		}{
			{"caplen over max", func(b []byte) []byte {
				le.PutUint32(b[ends[1]+8:], 1<<30)
				return b
			}, "captured length 1073741824 is over the maximum", 16 + len(pkt)},
			{"garbage over a record", func(b []byte) []byte {
				for i := ends[1]; i < ends[2]; i++ {
					b[i] = 0xff
				}
				return b
			}, "is over the maximum", 16 + len(pkt)},
			{"garbage inserted", func(b []byte) []byte {
				junk := bytes.Repeat([]byte{0xee, 0x01, 0x00, 0x20}, 100)
				return slices.Concat(b[:ends[2]], junk, b[ends[2]:])
			}, "is over the maximum", 400},
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s nanos=%v", c.name, nanos), func(t *testing.T) {
				s, err := open(t, c.damage(slices.Clone(base)))
				require.NoError(t, err)
				last := assertResynced(t, s, after, c.want)
				precision := time.Microsecond
				if nanos {
					precision = time.Nanosecond
				}
				assert.Equal(t, t0.Add(3*time.Second).Truncate(precision), last.Time)
				assert.Contains(t, s.Warnings()[0], fmt.Sprintf("skipped %d bytes to the next valid packet record", c.skipped))
			})
		}
	}

	// Nothing plausible after the damage: reading stops there, with the
	// damage as the error.
	b := writePcap(t, layers.LinkTypeEthernet, false, recs...)
	le.PutUint32(b[24+16+len(pkt)+8:], 1<<30)
	b = b[:24+16+len(pkt)+100]
	s, err := open(t, b)
	require.NoError(t, err)
	ps, err := readAll(t, s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is over the maximum")
	assert.Len(t, ps, 1)
}

// TestSourceFrames checks that every packet counts, whatever it holds.
func TestSourceFrames(t *testing.T) { eachReader(t, testSourceFrames) }

func testSourceFrames(t *testing.T, open opener) {
	recs := []rec{
		{data: []byte{1, 2, 3}, ts: t0}, // garbage
		{data: nil, ts: t0},             // empty
		{data: ether(t, ip4UDP(t)), ts: t0},
		{data: ether(t, ip4TCP(t, 9, nil)), ts: t0},
	}
	s, err := open(t, writePcap(t, layers.LinkTypeEthernet, false, recs...))
	require.NoError(t, err)
	ps, err := readAll(t, s)
	require.Equal(t, io.EOF, err)
	require.Len(t, ps, 4)
	assert.Equal(t, 4, ps[3].Frame)
	assert.Empty(t, ps[1].Data)
}
