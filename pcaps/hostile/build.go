package hostile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// base is the capture time of the first frame of every case.
var base = time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC)

// file collects the frames of one capture.
type file struct {
	frames []frame
	now    time.Time
}

type frame struct {
	t    time.Time
	data []byte
	orig int // wire length (> len(data) when a snap length cut the frame)
}

func newFile() *file { return &file{now: base} }

// add appends a frame 1 ms after the previous one.
func (f *file) add(data []byte) {
	f.now = f.now.Add(time.Millisecond)
	f.frames = append(f.frames, frame{t: f.now, data: data, orig: len(data)})
}

// addCut appends a frame of which only the first snap bytes were captured.
func (f *file) addCut(data []byte, snap int) {
	f.add(data)
	if len(data) > snap {
		f.frames[len(f.frames)-1].data = data[:snap]
	}
}

// pcap writes the frames as a microsecond pcap of Ethernet frames.
func (f *file) pcap() []byte {
	var out bytes.Buffer
	w := pcapgo.NewWriter(&out)
	must(w.WriteFileHeader(262144, layers.LinkTypeEthernet))
	for _, fr := range f.frames {
		ci := gopacket.CaptureInfo{Timestamp: fr.t, CaptureLength: len(fr.data), Length: fr.orig}
		must(w.WritePacket(ci, fr.data))
	}
	return out.Bytes()
}

// pcapng writes the frames as a pcapng with one Ethernet interface.
func (f *file) pcapng() []byte {
	var out bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&out, pcapgo.NgInterface{Name: "eth0", LinkType: layers.LinkTypeEthernet, SnapLength: 262144},
		pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "padlock pcaps/hostile"}})
	must(err)
	for _, fr := range f.frames {
		ci := gopacket.CaptureInfo{Timestamp: fr.t, CaptureLength: len(fr.data), Length: fr.orig}
		must(w.WritePacket(ci, fr.data))
	}
	must(w.Flush())
	return out.Bytes()
}

func must(err error) {
	if err != nil {
		panic("hostile: " + err.Error())
	}
}

// conn is one TCP connection between a client (side 0) and a server (side 1).
type conn struct {
	f    *file
	ip   [2]net.IP
	mac  [2]net.HardwareAddr
	port [2]uint16
	next [2]uint32 // sequence number of the next byte each side sends
	ipID uint16
	snap int // > 0: frames of this connection are cut to snap bytes
}

// newConn returns connection n: client 10.0.n.2 port 40000+n, server
// 10.0.n.1 port 443, with initial sequence numbers isnC and isnS.
func (f *file) newConn(n int, isnC, isnS uint32) *conn {
	return &conn{
		f:    f,
		ip:   [2]net.IP{net.IPv4(10, 0, byte(n), 2).To4(), net.IPv4(10, 0, byte(n), 1).To4()},
		mac:  [2]net.HardwareAddr{{2, 0, 0, 0, byte(n), 2}, {2, 0, 0, 0, byte(n), 1}},
		port: [2]uint16{uint16(40000 + n), 443},
		next: [2]uint32{isnC, isnS},
	}
}

// Port of the client of connection n.
func clientPort(n int) int { return 40000 + n }

// tcpFlags are written as in tcpdump: S, A, P, F, R.
func tcpLayer(c *conn, dir int, seq uint32, flags string) *layers.TCP {
	t := &layers.TCP{SrcPort: layers.TCPPort(c.port[dir]), DstPort: layers.TCPPort(c.port[1-dir]), Seq: seq, Window: 502}
	for _, ch := range flags {
		switch ch {
		case 'S':
			t.SYN = true
			t.Window = 64240
		case 'A':
			t.ACK = true
			t.Ack = c.next[1-dir]
		case 'P':
			t.PSH = true
		case 'F':
			t.FIN = true
		case 'R':
			t.RST = true
		}
	}
	return t
}

// packet builds the Ethernet frame of one segment.
func (c *conn) packet(dir int, seq uint32, flags string, payload []byte) []byte {
	c.ipID++
	ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: c.ipID, Flags: layers.IPv4DontFragment,
		Protocol: layers.IPProtocolTCP, SrcIP: c.ip[dir], DstIP: c.ip[1-dir]}
	tcp := tcpLayer(c, dir, seq, flags)
	must(tcp.SetNetworkLayerForChecksum(ip))
	eth := &layers.Ethernet{SrcMAC: c.mac[dir], DstMAC: c.mac[1-dir], EthernetType: layers.EthernetTypeIPv4}
	return serialize(eth, ip, tcp, gopacket.Payload(payload))
}

func serialize(ls ...gopacket.SerializableLayer) []byte {
	buf := gopacket.NewSerializeBuffer()
	must(gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...))
	return bytes.Clone(buf.Bytes())
}

// emit adds a frame of the connection (cut to c.snap when set).
func (c *conn) emit(b []byte) {
	if c.snap > 0 {
		c.f.addCut(b, c.snap)
		return
	}
	c.f.add(b)
}

// raw sends a segment at an explicit sequence number; next is unchanged.
func (c *conn) raw(dir int, seq uint32, flags string, payload []byte) {
	c.emit(c.packet(dir, seq, flags, payload))
}

// seg sends payload (or a bare flag segment) at the next sequence number.
func (c *conn) seg(dir int, flags string, payload []byte) {
	c.raw(dir, c.next[dir], flags, payload)
	c.next[dir] += uint32(len(payload))
	if bytes.ContainsAny([]byte(flags), "SF") {
		c.next[dir]++
	}
}

// open is the three-way handshake.
func (c *conn) open() {
	c.seg(0, "S", nil)
	c.seg(1, "SA", nil)
	c.seg(0, "A", nil)
}

// close is a FIN from each side and the last ACK.
func (c *conn) close() {
	c.seg(0, "FA", nil)
	c.seg(1, "FA", nil)
	c.seg(0, "A", nil)
}

// send sends b in segments of at most mss bytes.
func (c *conn) send(dir int, b []byte, mss int) {
	for len(b) > 0 {
		n := min(mss, len(b))
		c.seg(dir, "PA", b[:n])
		b = b[n:]
	}
}

// flight is what one side writes at once.
type flight struct {
	dir  int
	data []byte
}

// play sends the flights in order, each in segments of at most 1448 bytes.
func (c *conn) play(fl []flight) {
	for _, x := range fl {
		c.send(x.dir, x.data, 1448)
	}
}

// full is a whole connection: handshake, the flights, FIN both ways.
func (c *conn) full(fl []flight) {
	c.open()
	c.play(fl)
	c.close()
}

// --- TLS bytes ---------------------------------------------------------

const (
	ctCCS       = 20
	ctAlert     = 21
	ctHandshake = 22
	ctAppData   = 23

	hsClientHello       = 1
	hsServerHello       = 2
	hsCertificate       = 11
	hsServerKeyExchange = 12
	hsServerHelloDone   = 14
	hsClientKeyExchange = 16
	hsCompressedCert    = 25

	// The suite every case's connections agree on.
	suite = 0xc02f // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
)

// rec is one TLS 1.2 record.
func rec(typ byte, body []byte) []byte {
	if len(body) > 0xffff {
		panic("hostile: record body too long")
	}
	return append([]byte{typ, 3, 3, byte(len(body) >> 8), byte(len(body))}, body...)
}

// recs cuts b into records of type typ with at most n bytes of body each.
func recs(typ byte, b []byte, n int) []byte {
	var out []byte
	for len(b) > 0 {
		k := min(n, len(b))
		out = append(out, rec(typ, b[:k])...)
		b = b[k:]
	}
	return out
}

// hs is one handshake message.
func hs(typ byte, body []byte) []byte {
	n := len(body)
	return append([]byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

// filler returns n deterministic bytes that look random.
func filler(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func u16(b *cryptobyte.Builder, f func(*cryptobyte.Builder)) { b.AddUint16LengthPrefixed(f) }

// clientHello is a TLS 1.2 ClientHello offering two ECDHE suites, with SNI
// and padding bytes of padding extension (0: none).
func clientHello(sni string, padding int) []byte {
	var b cryptobyte.Builder
	b.AddUint16(0x0303)
	b.AddBytes(filler(32, 1))
	b.AddUint8(0) // session id
	u16(&b, func(b *cryptobyte.Builder) { b.AddUint16(suite); b.AddUint16(0xc030) })
	b.AddUint8(1)
	b.AddUint8(0) // null compression
	u16(&b, func(b *cryptobyte.Builder) {
		b.AddUint16(0) // server_name
		u16(b, func(b *cryptobyte.Builder) {
			u16(b, func(b *cryptobyte.Builder) {
				b.AddUint8(0)
				u16(b, func(b *cryptobyte.Builder) { b.AddBytes([]byte(sni)) })
			})
		})
		b.AddUint16(10) // supported_groups
		u16(b, func(b *cryptobyte.Builder) {
			u16(b, func(b *cryptobyte.Builder) { b.AddUint16(0x001d); b.AddUint16(0x0017) })
		})
		b.AddUint16(11) // ec_point_formats
		u16(b, func(b *cryptobyte.Builder) { b.AddUint8(1); b.AddUint8(0) })
		b.AddUint16(13) // signature_algorithms
		u16(b, func(b *cryptobyte.Builder) {
			u16(b, func(b *cryptobyte.Builder) { b.AddUint16(0x0804); b.AddUint16(0x0403) })
		})
		b.AddUint16(23) // extended_master_secret
		b.AddUint16(0)
		b.AddUint16(0xff01) // renegotiation_info
		u16(b, func(b *cryptobyte.Builder) { b.AddUint8(0) })
		if padding > 0 {
			b.AddUint16(21) // padding
			u16(b, func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, padding)) })
		}
	})
	return hs(hsClientHello, b.BytesOrPanic())
}

// serverHello selects suite with extended_master_secret and renegotiation_info.
func serverHello() []byte {
	var b cryptobyte.Builder
	b.AddUint16(0x0303)
	b.AddBytes(filler(32, 2))
	b.AddUint8(0)
	b.AddUint16(suite)
	b.AddUint8(0)
	u16(&b, func(b *cryptobyte.Builder) {
		b.AddUint16(23)
		b.AddUint16(0)
		b.AddUint16(0xff01)
		u16(b, func(b *cryptobyte.Builder) { b.AddUint8(0) })
		b.AddUint16(11)
		u16(b, func(b *cryptobyte.Builder) { b.AddUint8(1); b.AddUint8(0) })
	})
	return hs(hsServerHello, b.BytesOrPanic())
}

// certificate12 is a TLS 1.2 Certificate message with the given DER entries.
func certificate12(certs ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, c := range certs {
			b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(c) })
		}
	})
	return hs(hsCertificate, b.BytesOrPanic())
}

// serverKeyExchange is an ECDHE x25519 ServerKeyExchange with an
// rsa_pss_rsae_sha256 signature of 256 filler bytes.
func serverKeyExchange() []byte {
	var b cryptobyte.Builder
	b.AddUint8(3) // named_curve
	b.AddUint16(0x001d)
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(filler(32, 3)) })
	b.AddUint16(0x0804)
	u16(&b, func(b *cryptobyte.Builder) { b.AddBytes(filler(256, 4)) })
	return hs(hsServerKeyExchange, b.BytesOrPanic())
}

func clientKeyExchange() []byte {
	return hs(hsClientKeyExchange, append([]byte{32}, filler(32, 5)...))
}

// tls12 is a whole TLS 1.2 conversation: the ClientHello (as given), the
// server's flight with the certificate message cert (nil: none), both
// sides' ChangeCipherSpec and encrypted Finished, and one application_data
// record each way.
func tls12(ch []byte, cert []byte) []flight {
	server := rec(ctHandshake, serverHello())
	if cert != nil {
		server = append(server, recs(ctHandshake, cert, 1<<14)...)
	}
	server = append(server, rec(ctHandshake, serverKeyExchange())...)
	server = append(server, rec(ctHandshake, hs(hsServerHelloDone, nil))...)
	return []flight{
		{0, ch},
		{1, server},
		{0, cat(rec(ctHandshake, clientKeyExchange()), rec(ctCCS, []byte{1}), rec(ctHandshake, filler(40, 6)))},
		{1, cat(rec(ctCCS, []byte{1}), rec(ctHandshake, filler(40, 7)))},
		{0, rec(ctAppData, filler(64, 8))},
		{1, rec(ctAppData, filler(96, 9))},
	}
}

func cat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

// NormalSNI is the SNI of the normal connection each case carries.
const NormalSNI = "normal.example"

// HostileSNI is the SNI of the hostile connection, where it has one.
const HostileSNI = "hostile.example"

// NormalPort is the client port of the normal connection.
const NormalPort = 40000

// normal adds the normal connection: a complete TLS 1.2 handshake.
func normal(f *file) {
	c := f.newConn(0, 1000, 5000)
	c.full(tls12(rec(ctHandshake, clientHello(NormalSNI, 0)), nil))
}

// --- X.509 by hand ------------------------------------------------------

// certSpec is what a hand-built certificate says. The signature is
// filler: padlock never verifies.
type certSpec struct {
	serial    []byte // two's-complement content octets of the INTEGER
	cn        string
	notBefore asn1Time
	notAfter  asn1Time
}

type asn1Time struct {
	tag byte // 0x17 UTCTime, 0x18 GeneralizedTime
	s   string
}

var (
	oidCN       = []byte{0x55, 0x04, 0x03}
	oidEd25519  = []byte{0x2b, 0x65, 0x70}
	defaultCert = certSpec{serial: []byte{0x01}, cn: "cert.example",
		notBefore: asn1Time{0x17, "250101000000Z"}, notAfter: asn1Time{0x17, "260101000000Z"}}
)

// der builds one certificate.
func (s certSpec) der() []byte {
	name := func(b *cryptobyte.Builder) {
		b.AddASN1(0x30, func(b *cryptobyte.Builder) { // Name
			b.AddASN1(0x31, func(b *cryptobyte.Builder) { // RDN
				b.AddASN1(0x30, func(b *cryptobyte.Builder) {
					b.AddASN1(0x06, func(b *cryptobyte.Builder) { b.AddBytes(oidCN) })
					b.AddASN1(0x0c, func(b *cryptobyte.Builder) { b.AddBytes([]byte(s.cn)) })
				})
			})
		})
	}
	alg := func(b *cryptobyte.Builder) {
		b.AddASN1(0x30, func(b *cryptobyte.Builder) {
			b.AddASN1(0x06, func(b *cryptobyte.Builder) { b.AddBytes(oidEd25519) })
		})
	}
	var b cryptobyte.Builder
	b.AddASN1(0x30, func(b *cryptobyte.Builder) { // Certificate
		b.AddASN1(0x30, func(b *cryptobyte.Builder) { // TBSCertificate
			b.AddASN1(0xa0, func(b *cryptobyte.Builder) {
				b.AddASN1(0x02, func(b *cryptobyte.Builder) { b.AddUint8(2) }) // v3
			})
			b.AddASN1(0x02, func(b *cryptobyte.Builder) { b.AddBytes(s.serial) })
			alg(b)
			name(b)
			b.AddASN1(0x30, func(b *cryptobyte.Builder) { // Validity
				b.AddASN1(asn1Tag(s.notBefore.tag), func(b *cryptobyte.Builder) { b.AddBytes([]byte(s.notBefore.s)) })
				b.AddASN1(asn1Tag(s.notAfter.tag), func(b *cryptobyte.Builder) { b.AddBytes([]byte(s.notAfter.s)) })
			})
			name(b)
			b.AddASN1(0x30, func(b *cryptobyte.Builder) { // SubjectPublicKeyInfo
				alg(b)
				b.AddASN1(0x03, func(b *cryptobyte.Builder) { b.AddUint8(0); b.AddBytes(filler(32, 10)) })
			})
		})
		alg(b)
		b.AddASN1(0x03, func(b *cryptobyte.Builder) { b.AddUint8(0); b.AddBytes(filler(64, 11)) })
	})
	return b.BytesOrPanic()
}

func asn1Tag(t byte) casn1.Tag { return casn1.Tag(t) }

// --- pcapng by hand -----------------------------------------------------

// ngBlock is one pcapng block with an explicit total length (which may lie).
func ngBlock(typ uint32, body []byte, totalLen uint32) []byte {
	b := make([]byte, 8, 12+len(body))
	binary.LittleEndian.PutUint32(b[0:], typ)
	binary.LittleEndian.PutUint32(b[4:], totalLen)
	b = append(b, body...)
	return binary.LittleEndian.AppendUint32(b, totalLen)
}

func checkf(ok bool, format string, args ...any) {
	if !ok {
		panic(fmt.Sprintf("hostile: "+format, args...))
	}
}
