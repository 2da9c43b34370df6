// Package hostile builds the hostile-capture suite (issue 7): captures
// crafted to hurt a passive TLS dissector, from cut packets and lying
// length fields to SYN floods, conflicting retransmissions and
// decompression bombs. Every capture also carries one normal TLS 1.2
// connection (client port NormalPort, SNI NormalSNI), which must be
// reported in full whatever the hostile one does.
//
// The captures are built in memory (tests call Cases) and written to files
// by `go run ./pcaps/hostile/gen -out DIR`. Everything is deterministic:
// no clock, no randomness.
package hostile

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/klauspost/compress/zstd"
)

// Case is one hostile capture.
type Case struct {
	Name  string // file name without extension
	Ext   string // ".pcap" or ".pcapng"
	Doc   string // what is hostile about it
	Build func() []byte
}

// SYNFlood is how many half-open flows the syn-flood case opens.
const SYNFlood = 100000

// Cases returns every case, in a fixed order.
func Cases() []Case {
	return []Case{
		{"snaplen-64", ".pcap", "every packet of the hostile connection cut to 64 bytes (10 bytes of TCP payload)", func() []byte { return snaplenCase(64) }},
		{"snaplen-96", ".pcap", "every packet of the hostile connection cut to 96 bytes (42 bytes of TCP payload)", func() []byte { return snaplenCase(96) }},
		{"record-length-65535", ".pcap", "a record header claiming 65535 bytes in the client's second flight", recordLength65535},
		{"handshake-length-16m", ".pcap", "a Certificate message header claiming 2^24-1 bytes, followed by 64 KiB of it", handshake16M},
		{"zero-length-records", ".pcap", "empty handshake, alert, change_cipher_spec and application_data records before and after the ClientHello", zeroLength},
		{"one-byte-records", ".pcap", "a ClientHello padded to 10,000 bytes, sent as 10,000 one-byte handshake records", oneByteRecords},
		{"one-byte-records-one-per-segment", ".pcap", "the same 10,000-byte ClientHello, one one-byte record per TCP segment (10,000 frames for one message)", oneByteRecordSegments},
		{"clienthello-one-byte-segments", ".pcap", "the ClientHello record split one byte per TCP segment", oneByteSegments},
		{"overlap-conflict", ".pcap", "a retransmission of the ClientHello segment carrying different bytes (another SNI)", overlapConflict},
		{"seq-wraparound", ".pcap", "both initial sequence numbers just below 2^32: the ClientHello and the server's flight cross the wrap", seqWrap},
		{"rst-mid-handshake", ".pcap", "an out-of-window RST injected after the ServerHello; the handshake goes on", rstMidHandshake},
		{"rst-in-window", ".pcap", "an in-window RST forged from the server after the ServerHello (it never reached the client); both sides go on", rstInWindow},
		{"syn-flood", ".pcap", "100,000 half-open flows (SYN only) while the normal connection is open", synFlood},
		{"tuple-reuse", ".pcap", "the same 4-tuple used at once by a second connection (new SYN, new ISN) right after the first one's FIN", tupleReuse},
		{"tuple-reuse-open", ".pcap", "a new SYN (new ISN) on the 4-tuple of a connection still in its handshake, no FIN or RST between", tupleReuseOpen},
		{"garbage-before-clienthello", ".pcap", "200 bytes of HTTP-like text before the ClientHello on the same stream", garbageFirst},
		{"ip-fragments", ".pcap", "the ClientHello in IPv4 fragments with an overlapping fragment of different bytes; a server datagram missing a fragment", ipFragments},
		{"ooo-window-64k", ".pcap", "a 64 KiB server flight delivered in reverse segment order", oooWindow},
		{"cert-chain-500", ".pcap", "a Certificate message with 500 certificates", certChain500},
		{"cert-malformed", ".pcap", "certificates with a negative serial, impossible dates, NUL bytes in the CN and a DER length of 16 MB", certMalformed},
		{"cert-entry-length-16m", ".pcap", "a Certificate message whose certificate entry claims 2^24-1 bytes of the 10 that follow", certEntry16M},
		{"compression-bomb", ".pcap", "cleartext CompressedCertificate messages (zlib, brotli, zstd) inflating to 16 MiB of zeros, declared at the 1 MiB cap", compressionBomb},
		{"long-lived-first", ".pcap", "a connection open from the first packet to the last (keep-alives every 30 s) while 100 short TLS connections come and go", longLivedFirst},
		{"sni-control-bytes", ".pcap", "an SNI carrying terminal escape sequences, a BEL, CR and LF", sniControl},
		{"pcapng-corrupt-block", ".pcapng", "a pcapng whose block after the normal connection has a corrupt total length", pcapngCorrupt},
		{"pcap-cut-mid-header", ".pcap", "a pcap cut 7 bytes into a packet record header", pcapCut},
		{"pcap-corrupt-record", ".pcap", "a pcap whose packet record after the normal connection has a corrupt captured length, then 300 bytes of garbage", pcapCorrupt},
	}
}

// hostileConn is connection 1, the hostile one in most cases.
func hostileConn(f *file) *conn { return f.newConn(1, 0x10000000, 0x20000000) }

func hostileHello() []byte { return rec(ctHandshake, clientHello(HostileSNI, 0)) }

func snaplenCase(snap int) []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	c.snap = snap
	c.full(tls12(hostileHello(), nil))
	return f.pcap()
}

func recordLength65535() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	fl := tls12(hostileHello(), nil)
	// The client's second flight starts with a header that claims 65535
	// bytes, followed by 100 bytes; then the real flight.
	fl[2].data = cat([]byte{ctHandshake, 3, 3, 0xff, 0xff}, filler(100, 20), fl[2].data)
	c.full(fl)
	return f.pcap()
}

func handshake16M() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	c.open()
	c.send(0, hostileHello(), 1448)
	msg := append([]byte{hsCertificate, 0xff, 0xff, 0xff}, filler(64<<10, 21)...)
	c.send(1, cat(rec(ctHandshake, serverHello()), recs(ctHandshake, msg, 1<<14)), 1448)
	c.close()
	return f.pcap()
}

func zeroLength() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	fl := tls12(hostileHello(), nil)
	fl[0].data = cat(rec(ctHandshake, nil), rec(ctAlert, nil), rec(ctAppData, nil), rec(ctCCS, nil), fl[0].data, rec(ctHandshake, nil))
	fl[1].data = cat(rec(ctHandshake, nil), fl[1].data)
	c.full(fl)
	return f.pcap()
}

// oneByteRecordsN is the number of one-byte records of one-byte-records.
const oneByteRecordsN = 10000

func oneByteRecords() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	ch := clientHello(HostileSNI, 0)
	ch = clientHello(HostileSNI, oneByteRecordsN-len(ch)-4) // padding ext header is 4 bytes
	checkf(len(ch) == oneByteRecordsN, "padded ClientHello is %d bytes", len(ch))
	c.full(tls12(recs(ctHandshake, ch, 1), nil))
	return f.pcap()
}

func oneByteRecordSegments() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	ch := clientHello(HostileSNI, 0)
	ch = clientHello(HostileSNI, oneByteRecordsN-len(ch)-4)
	fl := tls12(recs(ctHandshake, ch, 1), nil)
	c.open()
	c.send(0, fl[0].data, 6) // one record per segment
	c.play(fl[1:])
	c.close()
	return f.pcap()
}

func oneByteSegments() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	fl := tls12(hostileHello(), nil)
	c.open()
	c.send(0, fl[0].data, 1)
	c.play(fl[1:])
	c.close()
	return f.pcap()
}

// ConflictSNI is the SNI the conflicting retransmission of overlap-conflict
// carries; the first copy (HostileSNI) wins.
const ConflictSNI = "evilxxx.example"

func overlapConflict() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	fl := tls12(hostileHello(), nil)
	evil := rec(ctHandshake, clientHello(ConflictSNI, 0))
	checkf(len(evil) == len(fl[0].data), "conflicting hello differs in length")
	c.open()
	seq := c.next[0]
	c.send(0, fl[0].data, 1448)
	c.raw(0, seq, "PA", evil) // same range, different bytes
	c.play(fl[1:])
	c.close()
	return f.pcap()
}

func seqWrap() []byte {
	f := newFile()
	normal(f)
	c := f.newConn(1, 0xffffff80, 0xfffffff0)
	c.full(tls12(hostileHello(), nil))
	return f.pcap()
}

func rstMidHandshake() []byte { return injectedRST(1000000) } // out of window
func rstInWindow() []byte     { return injectedRST(0) }       // at the expected sequence number

// injectedRST is a handshake with a RST from the server injected after the
// first two messages, ahead of the expected sequence number, then the rest
// of the handshake as if nothing happened.
func injectedRST(ahead uint32) []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	fl := tls12(hostileHello(), nil)
	c.open()
	c.play(fl[:2])
	c.raw(1, c.next[1]+ahead, "R", nil)
	c.play(fl[2:])
	c.close()
	return f.pcap()
}

func synFlood() []byte {
	f := newFile()
	n := f.newConn(0, 1000, 5000)
	fl := tls12(rec(ctHandshake, clientHello(NormalSNI, 0)), nil)
	n.open()
	n.play(fl[:2])
	// The flood: one SYN per source address and port, 10 µs apart.
	step := 10 * time.Microsecond
	victim := f.newConn(1, 0, 0)
	for i := 0; i < SYNFlood; i++ {
		victim.ip[0] = []byte{10, 200, byte(i >> 16), byte(i >> 8)}
		victim.port[0] = uint16(1024 + i%50000)
		victim.next[0] = uint32(i) * 7919
		b := victim.packet(0, victim.next[0], "S", nil)
		f.now = f.now.Add(step)
		f.frames = append(f.frames, frame{t: f.now, data: b, orig: len(b)})
	}
	n.play(fl[2:])
	n.close()
	return f.pcap()
}

// ReuseSNI are the SNIs of the two connections of tuple-reuse.
var ReuseSNI = [2]string{"first.example", "second.example"}

func tupleReuse() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	c.full(tls12(rec(ctHandshake, clientHello(ReuseSNI[0], 0)), nil))
	c.next = [2]uint32{0x50000000, 0x60000000}
	c.full(tls12(rec(ctHandshake, clientHello(ReuseSNI[1], 0)), nil))
	return f.pcap()
}

func tupleReuseOpen() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	fl := tls12(rec(ctHandshake, clientHello(ReuseSNI[0], 0)), nil)
	c.open()
	c.play(fl[:3])
	c.next = [2]uint32{0x50000000, 0x60000000}
	c.full(tls12(rec(ctHandshake, clientHello(ReuseSNI[1], 0)), nil))
	return f.pcap()
}

func garbageFirst() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	fl := tls12(hostileHello(), nil)
	junk := []byte("GET / HTTP/1.1\r\nHost: hostile.example\r\nUser-Agent: not-tls\r\n")
	for len(junk) < 200 {
		junk = append(junk, "X-Pad: aaaaaaaaaaaaaaaa\r\n"...)
	}
	fl[0].data = cat(junk[:200], fl[0].data)
	c.full(fl)
	return f.pcap()
}

// fragments sends one TCP segment as IPv4 fragments of the TCP bytes
// [off, off+len) each, with the given payload overrides (nil: the real bytes).
type fragPiece struct {
	off, n int
	data   []byte // nil: the segment's own bytes
}

func (c *conn) fragmented(dir int, payload []byte, pieces []fragPiece) {
	ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: c.ip[dir], DstIP: c.ip[1-dir]}
	tcp := tcpLayer(c, dir, c.next[dir], "PA")
	must(tcp.SetNetworkLayerForChecksum(ip))
	seg := serialize(tcp, gopacket.Payload(payload))
	c.next[dir] += uint32(len(payload))
	c.ipID++
	for _, p := range pieces {
		data := p.data
		if data == nil {
			data = seg[p.off : p.off+p.n]
		}
		fip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: c.ipID, Protocol: layers.IPProtocolTCP,
			SrcIP: c.ip[dir], DstIP: c.ip[1-dir], FragOffset: uint16(p.off / 8)}
		if p.off+p.n < len(seg) {
			fip.Flags = layers.IPv4MoreFragments
		}
		eth := &layers.Ethernet{SrcMAC: c.mac[dir], DstMAC: c.mac[1-dir], EthernetType: layers.EthernetTypeIPv4}
		c.emit(serialize(eth, fip, gopacket.Payload(data)))
	}
}

func ipFragments() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	fl := tls12(hostileHello(), nil)
	c.open()
	// The ClientHello segment (20 bytes of TCP header + the record) in
	// 64-byte fragments, then a fragment overlapping the second one with
	// other bytes, before the last fragment completes the datagram.
	n := 20 + len(fl[0].data)
	var pieces []fragPiece
	for off := 0; off < n; off += 64 {
		pieces = append(pieces, fragPiece{off: off, n: min(64, n-off)})
	}
	last := pieces[len(pieces)-1]
	pieces = append(pieces[:len(pieces)-1], fragPiece{off: 64, n: 64, data: bytes.Repeat([]byte{0xee}, 64)}, last)
	c.fragmented(0, fl[0].data, pieces)
	// The server's first segment as fragments, the middle one missing:
	// the datagram never completes, and the rest of the flight follows.
	first := fl[1].data[:200]
	c.fragmented(1, first, []fragPiece{{off: 0, n: 96}, {off: 176, n: 44}})
	c.send(1, fl[1].data[200:], 1448)
	c.play(fl[2:])
	c.close()
	return f.pcap()
}

func oooWindow() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	// A chain big enough that the server's flight is 64 KiB.
	var chain [][]byte
	for size := 0; size < 64<<10; {
		d := defaultCert.der()
		chain = append(chain, d)
		size += len(d) + 3
	}
	fl := tls12(hostileHello(), certificate12(chain...))
	c.open()
	c.play(fl[:1])
	// The server's flight, segments in reverse order.
	data := fl[1].data
	start := c.next[1]
	var offs []int
	for off := 0; off < len(data); off += 1448 {
		offs = append(offs, off)
	}
	for i := len(offs) - 1; i >= 0; i-- {
		off := offs[i]
		c.raw(1, start+uint32(off), "PA", data[off:min(off+1448, len(data))])
	}
	c.next[1] += uint32(len(data))
	c.play(fl[2:])
	c.close()
	return f.pcap()
}

// ChainLen is the number of certificates in cert-chain-500.
const ChainLen = 500

func certChain500() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	chain := make([][]byte, ChainLen)
	for i := range chain {
		s := defaultCert
		s.serial = []byte{byte(i>>8) | 0x10, byte(i)}
		chain[i] = s.der()
	}
	c.full(tls12(hostileHello(), certificate12(chain...)))
	return f.pcap()
}

// MalformedCerts are the certificates of cert-malformed, in chain order.
func MalformedCerts() [][]byte {
	neg := defaultCert
	neg.serial = []byte{0xff, 0x7f} // -129
	dates := defaultCert
	dates.notBefore = asn1Time{0x17, "991399999999Z"}  // month 13, day 99
	dates.notAfter = asn1Time{0x18, "00000000000000Z"} // year 0
	nul := defaultCert
	nul.cn = "good.example\x00.evil.example"
	huge := defaultCert.der()
	// Outer SEQUENCE length rewritten to claim 16 MB (long form, 3 octets).
	huge = cat([]byte{0x30, 0x83, 0xff, 0xff, 0xff}, huge[2+lenOctets(huge):])
	return [][]byte{neg.der(), dates.der(), nul.der(), huge}
}

// lenOctets is the number of extra length octets of a DER header.
func lenOctets(d []byte) int {
	if d[1]&0x80 == 0 {
		return 0
	}
	return int(d[1] & 0x7f)
}

func certMalformed() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	c.full(tls12(hostileHello(), certificate12(MalformedCerts()...)))
	return f.pcap()
}

func certEntry16M() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	body := append([]byte{0, 0, 13, 0xff, 0xff, 0xff}, filler(10, 3)...)
	c.full(tls12(hostileHello(), hs(hsCertificate, body)))
	return f.pcap()
}

// BombSize is what each compression bomb inflates to.
const BombSize = 16 << 20

// Bombs returns CompressedCertificate message bodies (RFC 8879) whose data
// inflates to BombSize zeros while uncompressed_length says 1 MiB (the
// cap), for zlib (1), brotli (2) and zstd (3).
func Bombs() map[uint16][]byte {
	zeros := make([]byte, BombSize)
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(zeros)
	zw.Close()
	var br bytes.Buffer
	bw := brotli.NewWriterLevel(&br, brotli.BestSpeed)
	bw.Write(zeros)
	bw.Close()
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	must(err)
	zs := enc.EncodeAll(zeros, nil)
	enc.Close()
	out := map[uint16][]byte{}
	for alg, data := range map[uint16][]byte{1: z.Bytes(), 2: br.Bytes(), 3: zs} {
		b := binary.BigEndian.AppendUint16(nil, alg)
		b = append(b, 0x10, 0, 0) // uncompressed_length 1 MiB
		n := len(data)
		b = append(b, byte(n>>16), byte(n>>8), byte(n))
		out[alg] = append(b, data...)
	}
	return out
}

func compressionBomb() []byte {
	f := newFile()
	normal(f)
	c := hostileConn(f)
	bombs := Bombs()
	var msgs []byte
	for _, alg := range []uint16{1, 2, 3} {
		msgs = append(msgs, hs(hsCompressedCert, bombs[alg])...)
	}
	fl := tls12(hostileHello(), msgs)
	c.full(fl)
	return f.pcap()
}

// LongLivedShort is the number of short connections of long-lived-first.
const LongLivedShort = 100

func longLivedFirst() []byte {
	f := newFile()
	long := f.newConn(0, 1000, 5000)
	fl := tls12(rec(ctHandshake, clientHello(NormalSNI, 0)), nil)
	long.open()
	long.play(fl)
	for i := 0; i < LongLivedShort; i++ {
		c := f.newConn(1, uint32(i)*100000, 77)
		c.port[0] = uint16(10000 + i)
		c.full(tls12(hostileHello(), nil))
		if i%10 == 9 {
			f.now = f.now.Add(30 * time.Second)
			long.seg(0, "A", nil) // a keep-alive keeps it from idling out
		}
	}
	long.close()
	return f.pcap()
}

// ControlSNI is the SNI of sni-control-bytes: it clears a terminal, sets
// its title and starts a new line.
const ControlSNI = "evil\x1b[2J\x1b]0;pwned\x07\r\n.example"

func sniControl() []byte {
	f := newFile()
	normal(f)
	hostileConn(f).full(tls12(rec(ctHandshake, clientHello(ControlSNI, 0)), nil))
	return f.pcap()
}

func pcapngCorrupt() []byte {
	f := newFile()
	normal(f)
	good := f.pcapng()
	// An Enhanced Packet Block whose total length (0x7ffffff0) runs far
	// past the end of the file, then the hostile connection's packets.
	bad := ngBlock(6, make([]byte, 20), 0x7ffffff0)
	h := newFile()
	h.now = f.now
	hostileConn(h).full(tls12(hostileHello(), nil))
	rest := h.pcapng()
	// Drop the second file's section header and interface blocks.
	rest = rest[ngHeaderLen(rest):]
	return cat(good, bad, rest)
}

// ngHeaderLen is the length of the SHB and IDB at the start of a pcapng.
func ngHeaderLen(b []byte) int {
	off := 0
	for off+8 <= len(b) {
		typ := binary.LittleEndian.Uint32(b[off:])
		if typ != 0x0a0d0d0a && typ != 1 {
			return off
		}
		off += int(binary.LittleEndian.Uint32(b[off+4:]))
	}
	return off
}

func pcapCorrupt() []byte {
	f := newFile()
	normal(f)
	good := f.pcap()
	// A record header claiming a 2 GiB packet, garbage where its data and
	// more would be, then the hostile connection's records.
	bad := make([]byte, 16+300)
	binary.LittleEndian.PutUint32(bad[8:], 0x7ffffff0)
	binary.LittleEndian.PutUint32(bad[12:], 0x7ffffff0)
	copy(bad[16:], filler(300, 23))
	h := newFile()
	h.now = f.now
	hostileConn(h).full(tls12(hostileHello(), nil))
	rest := h.pcap()[24:] // without its file header
	return cat(good, bad, rest)
}

func pcapCut() []byte {
	f := newFile()
	normal(f)
	b := f.pcap()
	c := hostileConn(f)
	c.open()
	full := f.pcap()
	return full[:len(b)+7]
}
