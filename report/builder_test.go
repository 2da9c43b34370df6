package report

import (
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/reassembly"
)

// conversation feeds records to a Builder as reassembly would, one frame
// per record, and returns the report.
type conversation struct {
	t     *testing.T
	b     *Builder
	c     *reassembly.Conn
	frame int
	got   *Connection
}

var convStart = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

func newConversation(t *testing.T) *conversation {
	cv := &conversation{t: t}
	cv.b = NewBuilder(func(c *Connection) error { cv.got = c; return nil })
	cv.c = &reassembly.Conn{ID: 1, FirstFrame: 1, Start: convStart, End: convStart.Add(time.Second),
		A: reassembly.Endpoint{IP: netip.MustParseAddr("10.0.0.2"), Port: 51600},
		B: reassembly.Endpoint{IP: netip.MustParseAddr("10.0.0.1"), Port: 443}, TLS: true}
	return cv
}

// record sends one record from dir (0: client, 1: server).
func (cv *conversation) record(dir reassembly.Dir, typ uint8, body []byte) {
	cv.frame++
	h := []byte{typ, 3, 3, byte(len(body) >> 8), byte(len(body))}
	cv.b.Record(cv.c, &reassembly.Record{Dir: dir, Type: typ, Version: 0x0303, Length: len(body), Body: body, Header: h,
		Spans: []reassembly.Span{{Frame: cv.frame, Time: convStart.Add(time.Duration(cv.frame) * time.Millisecond), Len: 5 + len(body)}}})
}

// handshake sends a handshake record holding the message in fixture file.
func (cv *conversation) handshake(dir reassembly.Dir, typ uint8, fixture string) {
	body, err := os.ReadFile("../dissect/testdata/" + fixture)
	require.NoError(cv.t, err)
	msg := append([]byte{typ, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
	cv.record(dir, 22, msg)
}

func (cv *conversation) done() *Connection {
	cv.c.LastFrame = cv.frame
	cv.b.Done(cv.c)
	require.NotNil(cv.t, cv.got)
	return cv.got
}

func problemCodes(v Verdict) []string {
	var out []string
	for _, p := range v.Problems {
		out = append(out, p.Code)
	}
	return out
}

// Heartbeat records are decoded in the clear, and the Heartbleed shape
// (payload_length beyond what the record holds) is flagged: a probe from
// the client, a leak in the server's answer. Hellos from Go 1.26 crypto/tls
// (dissect/testdata), heartbeats hand-built (RFC 6520, Section 4).
func TestHeartbeats(t *testing.T) {
	cv := newConversation(t)
	cv.handshake(0, 1, "hello-go126-tls12-client_hello.bin")
	cv.handshake(1, 2, "hello-go126-tls12-server_hello.bin")
	// Request: type 1, payload_length 16384, 1 byte of payload, 16 of padding.
	probe := append([]byte{1, 0x40, 0x00, 'x'}, make([]byte, 16)...)
	cv.record(0, 24, probe)
	// Response: type 2, payload_length 16384, 64 bytes sent.
	leak := append([]byte{2, 0x40, 0x00}, make([]byte, 64)...)
	cv.record(1, 24, leak)
	// An honest request: payload 4, padding 16.
	cv.record(0, 24, append([]byte{1, 0, 4, 'p', 'i', 'n', 'g'}, make([]byte, 16)...))
	rep := cv.done()

	require.Len(t, rep.TLS.Heartbeats, 3)
	hb := rep.TLS.Heartbeats
	assert.Equal(t, "client", hb[0].From)
	assert.Equal(t, "heartbeat_request", hb[0].Type)
	assert.Equal(t, 16384, *hb[0].PayloadLength)
	assert.True(t, hb[0].Overread)
	assert.Equal(t, 3, hb[0].Frame)
	assert.Equal(t, "server", hb[1].From)
	assert.True(t, hb[1].Overread)
	assert.False(t, hb[2].Overread)
	codes := problemCodes(rep.Verdict)
	assert.Contains(t, codes, "heartbleed_probe")
	assert.Contains(t, codes, "heartbleed_response")
}

// A CertificateRequest and the client's Certificate (Go 1.26 crypto/tls,
// mutual TLS 1.2) say a client certificate was asked for and sent; the
// ServerKeyExchange gives the group and signature scheme.
func TestClientCertificate(t *testing.T) {
	cv := newConversation(t)
	cv.handshake(0, 1, "hello-go126-tls12-client_hello.bin")
	cv.handshake(1, 2, "hello-go126-tls12-server_hello.bin")
	cv.handshake(1, 11, "msg-go126-tls12-ecdhe-rsa-server-certificate.bin")
	cv.handshake(1, 12, "msg-go126-tls12-ecdhe-rsa-server-server_key_exchange.bin")
	cv.handshake(1, 13, "msg-go126-tls12-ecdhe-rsa-server-certificate_request.bin")
	cv.handshake(1, 14, "msg-go126-tls12-ecdhe-rsa-server-server_hello_done.bin")
	cv.handshake(0, 11, "msg-go126-tls12-ecdhe-rsa-client-certificate.bin")
	rep := cv.done()

	assert.True(t, rep.TLS.ClientCertificateRequested)
	require.NotNil(t, rep.TLS.ClientCertificateSent)
	assert.True(t, *rep.TLS.ClientCertificateSent)
	assert.NotEmpty(t, rep.TLS.Group)
	assert.NotEmpty(t, rep.TLS.SignatureScheme)
	var from []string
	for _, c := range rep.Certificates {
		from = append(from, c.From)
	}
	assert.Contains(t, from, "server")
	assert.Contains(t, from, "client")
	assert.True(t, rep.Verdict.CertificateChecked)
}

// A long transfer's state stays small: application data records past the
// listed ones are counted, and each costs the builder one int (its frame,
// for numbering), not a Record.
func TestLongTransferState(t *testing.T) {
	cv := newConversation(t)
	cv.handshake(0, 1, "hello-go126-tls12-client_hello.bin")
	const n = 20000
	for i := range n {
		cv.record(reassembly.Dir(i%2), 23, make([]byte, 100))
	}
	s := cv.c.State.(*connState)
	assert.LessOrEqual(t, len(s.records), 1+2*maxListedAppData, "listed records")
	assert.Equal(t, n+1, len(s.recLast), "every record numbered")
	rep := cv.done()
	assert.Equal(t, PerSide{Client: n / 2, Server: n / 2}, rep.TLS.AppData.Records, "all counted")
	require.Len(t, rep.Records, 1+2*maxListedAppData)
	last := rep.Records[len(rep.Records)-1]
	assert.Equal(t, 1+2*maxListedAppData, last.Number, "listed records keep their numbers")
}

// An address's remembered text is its own, also after another address
// took its slot, and for IPv6 and the zero address.
func TestIPTexts(t *testing.T) {
	var ips ipTexts
	addrs := []netip.Addr{{}, netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.1.1"),
		netip.MustParseAddr("::ffff:10.0.0.1"), netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("fe80::1%eth0")}
	for i := 0; i < 300; i++ {
		addrs = append(addrs, netip.AddrFrom4([4]byte{172, 16, byte(i >> 8), byte(i)}))
	}
	for round := 0; round < 2; round++ {
		for _, a := range addrs {
			assert.Equal(t, a.String(), ips.text(a))
		}
	}
}
