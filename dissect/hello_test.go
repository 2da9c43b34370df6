package dissect

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// updateHello rewrites testdata/hello-go126-*.bin from crypto/tls. Running
// the tests needs nothing external; refreshing the openssl fixtures needs
// openssl (see the comment on helloFixtures).
var updateHello = flag.Bool("update-hello", false, "rewrite testdata/hello-go126-*.bin from crypto/tls")

// Binary fixtures: handshake message bodies (no 4-byte handshake header).
//
//   - hello-openssl30-*: captured on loopback from OpenSSL 3.0.19
//     (`openssl s_client -connect` through a recording proxy to
//     `openssl s_server` with an ECDSA P-256 key), first handshake message
//     in each direction:
//     tls13: s_client -servername example.com -alpn h2,http/1.1 -status;
//     tls12: the same with -tls1_2 -alpn http/1.1 (the ServerHello carries
//     the DOWNGRD\x01 sentinel because s_server also speaks TLS 1.3);
//     hrr: s_client -groups X25519:P-256 against s_server -groups P-256.
//   - hello-go126-*: written by TestGoFixtures -update-hello from Go 1.26's
//     crypto/tls (see goHellos); the tests also regenerate them live.
//   - hello-sslv2-*: see sslv2Hello below (built by hand per RFC 5246, E.2).
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// unhex decodes hex written for people: whitespace is ignored and '#'
// starts a comment that runs to the end of the line. Bad hex is a bug in
// the test, so it panics.
func unhex(s string) []byte {
	var clean strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		clean.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(clean.String())
	if err != nil {
		panic(fmt.Sprintf("unhex: %v in %q", err, s))
	}
	return b
}

// helloExt renders one extension as hex: type, uint16 length, hand-written body.
func helloExt(typ uint16, body string) string {
	b := unhex(body)
	return fmt.Sprintf("%04x%04x%x", typ, len(b), b)
}

// handClientHello wraps hand-written extensions in a ClientHello body:
// legacy_version 0x0303, random 0x11 x 32, an empty session id, the given
// cipher suites and null compression.
func handClientHello(suites string, exts ...string) []byte {
	cs := unhex(suites)
	e := unhex(strings.Join(exts, ""))
	return unhex(fmt.Sprintf("0303 %s 00 %04x%x 0100 %04x%x", strings.Repeat("11", 32), len(cs), cs, len(e), e))
}

// handServerHello appends hand-written extensions, with their block length,
// to the hex of a ServerHello's fixed fields.
func handServerHello(head string, exts ...string) []byte {
	e := unhex(strings.Join(exts, ""))
	return unhex(fmt.Sprintf("%s %04x%x", head, len(e), e))
}

// repeat is n copies of the hex byte b, for key shares and payloads.
func repeat(b string, n int) string { return strings.Repeat(b, n) }

func errCodes(errs []*Error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, string(e.Code))
	}
	return out
}

func extTypes(exts []Extension) []ExtensionType {
	var out []ExtensionType
	for _, e := range exts {
		out = append(out, e.Type)
	}
	return out
}

// findExt returns the first extension of type t.
func findExt(t testing.TB, exts []Extension, typ ExtensionType) Extension {
	t.Helper()
	for _, e := range exts {
		if e.Type == typ {
			return e
		}
	}
	t.Fatalf("no %s extension", typ)
	return Extension{}
}

// recConn records everything written through it.
type recConn struct {
	net.Conn
	mu  sync.Mutex
	out bytes.Buffer
}

func (c *recConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.out.Write(b)
	c.mu.Unlock()
	return c.Conn.Write(b)
}

func (c *recConn) written() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.out.Bytes())
}

// firstHandshakeBody cuts the first handshake message's body out of a
// stream of TLS records, joining records if it spans several.
func firstHandshakeBody(t testing.TB, stream []byte) []byte {
	t.Helper()
	var hs []byte
	for len(stream) >= 5 {
		n := int(stream[3])<<8 | int(stream[4])
		require.LessOrEqual(t, 5+n, len(stream), "record cut short")
		if stream[0] == byte(ContentTypeHandshake) {
			hs = append(hs, stream[5:5+n]...)
		}
		stream = stream[5+n:]
		if len(hs) >= 4 {
			l := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
			if len(hs) >= 4+l {
				return hs[4 : 4+l]
			}
		}
	}
	t.Fatal("no complete handshake message in the stream")
	return nil
}

var (
	testCertOnce sync.Once
	testCert     tls.Certificate
)

// serverCert is a throwaway ECDSA P-256 certificate for example.com.
func serverCert(t testing.TB) tls.Certificate {
	testCertOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1),
			Subject:      pkix.Name{CommonName: "example.com"},
			DNSNames:     []string{"example.com"},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(time.Hour),
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		require.NoError(t, err)
		testCert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	})
	return testCert
}

// goRun is one crypto/tls handshake over loopback: the first
// handshake message each side wrote, and what each side saw.
type goRun struct {
	ch, sh []byte // ClientHello and ServerHello (or HelloRetryRequest) bodies
	info   *tls.ClientHelloInfo
	state  tls.ConnectionState
}

// loopbackPair is a connected TCP pair on 127.0.0.1. net.Pipe will not do:
// it has no buffer, and in TLS 1.3 both ends write a compatibility
// change_cipher_spec at the same moment.
func loopbackPair(t testing.TB) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	acc := make(chan net.Conn, 1)
	go func() {
		s, _ := ln.Accept()
		acc <- s
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	s := <-acc
	require.NotNil(t, s)
	return c, s
}

// goHellos runs a real crypto/tls handshake between client and server
// configs over loopback TCP, recording both directions.
func goHellos(t testing.TB, client, server *tls.Config) goRun {
	t.Helper()
	var run goRun
	server = server.Clone()
	server.Certificates = []tls.Certificate{serverCert(t)}
	server.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		if run.info == nil { // the first ClientHello, not the one after a HelloRetryRequest
			run.info = h
		}
		return nil, nil
	}
	c, s := loopbackPair(t)
	rc, rs := &recConn{Conn: c}, &recConn{Conn: s}
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The server may still be writing session tickets when the client
		// is done; its error after the client hangs up is expected.
		_ = tls.Server(rs, server).Handshake()
	}()
	cl := tls.Client(rc, client)
	require.NoError(t, cl.Handshake())
	run.state = cl.ConnectionState()
	c.Close()
	<-done
	s.Close()
	run.ch = firstHandshakeBody(t, rc.written())
	run.sh = firstHandshakeBody(t, rs.written())
	return run
}

func goClientConfig(max uint16) *tls.Config {
	return &tls.Config{ServerName: "example.com", InsecureSkipVerify: true, NextProtos: []string{"h2", "http/1.1"}, MaxVersion: max}
}

// goCases are the crypto/tls handshakes the tests run live and save as
// hello-go126-<name>-{client_hello,server_hello}.bin.
var goCases = []struct {
	name           string
	client, server *tls.Config
}{
	{"tls13", goClientConfig(0), &tls.Config{NextProtos: []string{"h2"}}},
	{"tls12", goClientConfig(tls.VersionTLS12), &tls.Config{NextProtos: []string{"h2"}}},
	// The client's default key shares are X25519MLKEM768 and X25519; a
	// server that only takes P-256 must ask again.
	{"hrr", goClientConfig(0), &tls.Config{CurvePreferences: []tls.CurveID{tls.CurveP256}}},
}

// TestGoHellos parses live crypto/tls hellos and checks them against what
// crypto/tls itself parsed (ClientHelloInfo) and negotiated (ConnectionState).
func TestGoHellos(t *testing.T) {
	for _, tc := range goCases {
		t.Run(tc.name, func(t *testing.T) {
			run := goHellos(t, tc.client, tc.server)
			require.NotNil(t, run.info)

			ch, errs := ParseClientHello(run.ch)
			require.Empty(t, errs)
			assert.Equal(t, run.info.ServerName, ch.SNI)
			assert.Equal(t, run.info.SupportedProtos, ch.ALPN)
			var suites []uint16
			for _, c := range ch.CipherSuites {
				suites = append(suites, uint16(c))
			}
			assert.Equal(t, run.info.CipherSuites, suites)
			var groups []tls.CurveID
			for _, g := range ch.SupportedGroups {
				groups = append(groups, tls.CurveID(g))
			}
			assert.Equal(t, run.info.SupportedCurves, groups)
			assert.Equal(t, run.info.SupportedPoints, ch.ECPointFormats)
			var schemes []tls.SignatureScheme
			for _, s := range ch.SignatureSchemes {
				schemes = append(schemes, tls.SignatureScheme(s))
			}
			assert.Equal(t, run.info.SignatureSchemes, schemes)
			var types []uint16
			for _, e := range ch.Extensions {
				types = append(types, uint16(e.Type))
				assert.NotNil(t, e.Decoded, "%s not decoded", e.Type)
				assert.False(t, e.Malformed, "%s", e.Type)
			}
			assert.Equal(t, run.info.Extensions, types)
			var vers []uint16
			for _, v := range ch.SupportedVersions {
				vers = append(vers, uint16(v))
			}
			assert.Equal(t, run.info.SupportedVersions, vers)
			if tc.client.MaxVersion == tls.VersionTLS12 {
				assert.Equal(t, VersionTLS12, ch.OfferedVersion())
				assert.Empty(t, ch.KeyShares)
			} else {
				assert.Equal(t, VersionTLS13, ch.OfferedVersion())
				assert.Contains(t, ch.KeyShares, KeyShareEntry{Group: 4588, KeyLength: 1216}) // X25519MLKEM768
				assert.Contains(t, ch.KeyShares, KeyShareEntry{Group: 29, KeyLength: 32})
			}

			sh, errs := ParseServerHello(run.sh)
			require.Empty(t, errs)
			for _, e := range sh.Extensions {
				assert.NotNil(t, e.Decoded, "%s not decoded", e.Type)
			}
			if tc.name == "hrr" {
				assert.True(t, sh.HelloRetry)
				assert.Equal(t, NamedGroup(tls.CurveP256), sh.SelectedGroup)
				assert.Equal(t, 0, sh.KeyShareLength)
				assert.Equal(t, NamedGroup(run.state.CurveID), sh.SelectedGroup)
				return
			}
			assert.False(t, sh.HelloRetry)
			assert.Equal(t, Version(run.state.Version), sh.NegotiatedVersion())
			assert.Equal(t, CipherSuite(run.state.CipherSuite), sh.CipherSuite)
			if run.state.Version == tls.VersionTLS13 {
				assert.Equal(t, NamedGroup(run.state.CurveID), sh.SelectedGroup)
				assert.Empty(t, sh.Downgrade)
			} else {
				// A TLS 1.3 server that settles for 1.2 says so in its random.
				assert.Equal(t, "tls12", sh.Downgrade)
				assert.Equal(t, run.state.NegotiatedProtocol, sh.ALPN) // TLS 1.3 sends ALPN in EncryptedExtensions
				assert.Equal(t, NamedGroup(0), sh.SelectedGroup)
			}
		})
	}
}

// TestGoFixtures keeps the saved crypto/tls fixtures parseable and, with
// -update-hello, rewrites them.
func TestGoFixtures(t *testing.T) {
	for _, tc := range goCases {
		chName := "hello-go126-" + tc.name + "-client_hello.bin"
		shName := "hello-go126-" + tc.name + "-server_hello.bin"
		if *updateHello {
			run := goHellos(t, tc.client, tc.server)
			require.NoError(t, os.WriteFile(filepath.Join("testdata", chName), run.ch, 0o644))
			require.NoError(t, os.WriteFile(filepath.Join("testdata", shName), run.sh, 0o644))
		}
		_, errs := ParseClientHello(readFixture(t, chName))
		assert.Empty(t, errs, chName)
		_, errs = ParseServerHello(readFixture(t, shName))
		assert.Empty(t, errs, shName)
	}
}

// grease is a Chrome-style ClientHello with RFC 8701 GREASE values in every
// place Chrome puts them, hand-written.
var greaseClientHello = handClientHello("dada 1301 1302 1303 c02b",
	helloExt(0x2a2a, ""), // GREASE extension first, empty
	helloExt(0, "000e 00 000b 6578616d706c652e636f6d"),             // example.com
	helloExt(10, "000a 8a8a 11ec 001d 0017 0018"),                  // GREASE, X25519MLKEM768, x25519, P-256, P-384
	helloExt(43, "06 3a3a 0304 0303"),                              // GREASE, TLS 1.3, TLS 1.2
	helloExt(51, "0029 8a8a 0001 00   001d 0020"+repeat("77", 32)), // GREASE share of 1 byte, x25519
	helloExt(45, "02 2a 01"),                                       // GREASE mode, psk_dhe_ke
	helloExt(16, "000f 02 0a0a 02 6832 08 687474702f312e31"),       // GREASE ALPN id, h2, http/1.1
	helloExt(0xfafa, "00"),                                         // GREASE extension last, one byte
)

// echClientHello is a Chrome-131-like outer ClientHello with ECH, ALPS
// (both code points), certificate compression, SCT, padding and a PSK,
// hand-written.
var echClientHello = handClientHello("1301 1302 1303 c02b c02f",
	helloExt(0, "000e 00 000b 6578616d706c652e636f6d"),
	helloExt(23, ""),
	helloExt(0xff01, "00"),
	helloExt(10, "0006 11ec 001d 0017"),
	helloExt(11, "01 00"),
	helloExt(35, ""),
	helloExt(16, "000c 02 6832 08 687474702f312e31"),
	helloExt(5, "01 0000 0000"),
	helloExt(13, "0008 0403 0804 0401 0503"),
	helloExt(18, ""),
	helloExt(51, "0024 001d 0020"+repeat("42", 32)),
	helloExt(45, "01 01"),
	helloExt(43, "04 0304 0303"),
	helloExt(27, "02 0002"),         // brotli
	helloExt(17613, "0003 02 6832"), // ALPS, new code point
	helloExt(17513, "0003 02 6832"), // ALPS, old code point
	// ECH outer: HKDF-SHA256, AES-128-GCM, config 0x2a, 32-byte enc, 144-byte payload
	helloExt(0xfe0d, "00 0001 0001 2a 0020"+repeat("e5", 32)+"0090"+repeat("cd", 144)),
	helloExt(21, repeat("00", 20)), // padding
	// pre_shared_key, last: one 16-byte identity aged 0x01020304, one 32-byte binder
	helloExt(41, "0016 0010"+repeat("1d", 16)+"01020304 0021 20"+repeat("b1", 32)),
)

// quicClientHello is a QUIC-style ClientHello: transport parameters under
// both code points (RFC 9000, Section 18; draft 0xffa5), hand-written.
var quicParamsHex = `
	01 04 80007530       # max_idle_timeout 30000 (4-byte varint)
	04 04 80100000       # initial_max_data 1048576
	0f 08 0102030405060708 # initial_source_connection_id
	0c 00                # disable_active_migration
	20 02 44b0           # max_datagram_frame_size 1200 (2-byte varint)
	4c37 01 00           # GREASE id 3127 = 31*100+27
	3b 01 ff             # unknown id 0x3b
	0e 01 08             # active_connection_id_limit 8
`
var quicClientHello = handClientHello("1301",
	helloExt(0, "000e 00 000b 6578616d706c652e636f6d"),
	helloExt(16, "0003 02 6833"), // h3
	helloExt(43, "02 0304"),
	helloExt(51, "0024 001d 0020"+repeat("42", 32)),
	helloExt(57, quicParamsHex),
	helloExt(0xffa5, quicParamsHex),
)

func TestParseClientHello(t *testing.T) {
	tests := []struct {
		name      string
		in        []byte
		check     func(t *testing.T, ch *ClientHello)
		wantCodes []string
	}{
		{
			name: "openssl30-tls13",
			in:   readFixture(t, "hello-openssl30-tls13-client_hello.bin"),
			check: func(t *testing.T, ch *ClientHello) {
				assert.Equal(t, VersionTLS12, ch.Version)
				assert.Len(t, ch.Random, 32)
				assert.Len(t, ch.SessionID, 32)
				assert.Len(t, ch.CipherSuites, 31)
				assert.Equal(t, CipherSuite(0x1302), ch.CipherSuites[0])
				assert.Equal(t, CipherSuite(0x00ff), ch.CipherSuites[30]) // TLS_EMPTY_RENEGOTIATION_INFO_SCSV
				assert.Equal(t, []uint8{0}, ch.CompressionMethods)
				assert.Equal(t, []ExtensionType{0, 11, 10, 35, 5, 16, 22, 23, 13, 43, 45, 51}, extTypes(ch.Extensions))
				assert.Equal(t, "example.com", ch.SNI)
				assert.Equal(t, []string{"h2", "http/1.1"}, ch.ALPN)
				assert.Equal(t, []Version{VersionTLS13, VersionTLS12, VersionTLS11, VersionTLS10}, ch.SupportedVersions)
				assert.Equal(t, VersionTLS13, ch.OfferedVersion())
				assert.Equal(t, []NamedGroup{29, 23, 30, 25, 24, 256, 257, 258, 259, 260}, ch.SupportedGroups)
				assert.Equal(t, []uint8{0, 1, 2}, ch.ECPointFormats)
				assert.Len(t, ch.SignatureSchemes, 20)
				assert.Equal(t, SignatureScheme(0x0403), ch.SignatureSchemes[0])
				assert.Equal(t, []KeyShareEntry{{Group: 29, KeyLength: 32}}, ch.KeyShares)
				assert.Equal(t, &StatusRequestExt{StatusType: &CodeName{1, "ocsp"}, OCSPRequestInfo: &OCSPRequestInfo{}},
					findExt(t, ch.Extensions, ExtensionStatusRequest).Decoded)
				assert.Equal(t, &SessionTicketExt{}, findExt(t, ch.Extensions, ExtensionSessionTicket).Decoded)
				assert.Equal(t, &EmptyExt{}, findExt(t, ch.Extensions, ExtensionExtendedMasterSecret).Decoded)
				assert.Equal(t, &PSKKeyExchangeModesExt{Modes: []CodeName{{1, "psk_dhe_ke"}}}, findExt(t, ch.Extensions, ExtensionPSKKeyExchangeModes).Decoded)
				assert.Equal(t, int32(135), ch.Extensions[0].Off) // 2+32+1+32+2+62+1+1+2
			},
		},
		{
			name: "openssl30-tls12",
			in:   readFixture(t, "hello-openssl30-tls12-client_hello.bin"),
			check: func(t *testing.T, ch *ClientHello) {
				assert.Equal(t, []ExtensionType{0, 11, 10, 35, 16, 22, 23, 13}, extTypes(ch.Extensions))
				assert.Empty(t, ch.SupportedVersions)
				assert.Empty(t, ch.KeyShares)
				assert.Equal(t, VersionTLS12, ch.OfferedVersion())
				assert.Equal(t, []string{"http/1.1"}, ch.ALPN)
			},
		},
		{
			name: "openssl30-hrr-first",
			in:   readFixture(t, "hello-openssl30-hrr-client_hello.bin"),
			check: func(t *testing.T, ch *ClientHello) {
				assert.Equal(t, []NamedGroup{29, 23}, ch.SupportedGroups)
				assert.Equal(t, []KeyShareEntry{{Group: 29, KeyLength: 32}}, ch.KeyShares)
			},
		},
		{
			name: "go126-tls13",
			in:   readFixture(t, "hello-go126-tls13-client_hello.bin"),
			check: func(t *testing.T, ch *ClientHello) {
				assert.Equal(t, "example.com", ch.SNI)
				assert.Equal(t, VersionTLS13, ch.OfferedVersion())
			},
		},
		{
			name: "grease",
			in:   greaseClientHello,
			check: func(t *testing.T, ch *ClientHello) {
				assert.Equal(t, CipherSuite(0xdada), ch.CipherSuites[0])
				assert.Equal(t, "GREASE", ch.CipherSuites[0].String())
				assert.Equal(t, []ExtensionType{0x2a2a, 0, 10, 43, 51, 45, 16, 0xfafa}, extTypes(ch.Extensions))
				assert.Equal(t, &GREASEExt{Data: ""}, ch.Extensions[0].Decoded)
				assert.Equal(t, &GREASEExt{Data: "00"}, ch.Extensions[7].Decoded)
				assert.Equal(t, []Version{0x3a3a, VersionTLS13, VersionTLS12}, ch.SupportedVersions)
				assert.Equal(t, VersionTLS13, ch.OfferedVersion())
				assert.Equal(t, []NamedGroup{0x8a8a, 4588, 29, 23, 24}, ch.SupportedGroups)
				assert.Equal(t, []CodeName{{0x8a8a, "GREASE"}, {4588, "X25519MLKEM768"}, {29, "x25519"}, {23, "secp256r1"}, {24, "secp384r1"}},
					ch.Extensions[2].Decoded.(*SupportedGroupsExt).Groups)
				assert.Equal(t, []KeyShareEntry{{Group: 0x8a8a, KeyLength: 1}, {Group: 29, KeyLength: 32}}, ch.KeyShares)
				assert.Equal(t, []CodeName{{0x2a, "GREASE"}, {1, "psk_dhe_ke"}}, ch.Extensions[5].Decoded.(*PSKKeyExchangeModesExt).Modes)
				assert.Equal(t, []string{"\x0a\x0a", "h2", "http/1.1"}, ch.ALPN)
			},
		},
		{
			name: "ech-alps-padding-psk",
			in:   echClientHello,
			check: func(t *testing.T, ch *ClientHello) {
				assert.Equal(t, &ECHClientHelloExt{
					Type: CodeName{0, "outer"}, KDF: &CodeName{1, "HKDF-SHA256"}, AEAD: &CodeName{1, "AES-128-GCM"},
					ConfigID: ptr(0x2a), EncLength: ptr(32), PayloadLength: ptr(144),
				}, findExt(t, ch.Extensions, ExtensionEncryptedClientHello).Decoded)
				assert.Equal(t, &ApplicationSettingsExt{Protocols: []string{"h2"}}, findExt(t, ch.Extensions, ExtensionApplicationSettings).Decoded)
				assert.Equal(t, &ApplicationSettingsExt{Protocols: []string{"h2"}}, findExt(t, ch.Extensions, ExtensionApplicationSettingsOld).Decoded)
				assert.Equal(t, &PaddingExt{Length: 20, AllZero: true}, findExt(t, ch.Extensions, ExtensionPadding).Decoded)
				assert.Equal(t, &CompressCertificateExt{Algorithms: []CodeName{{2, "brotli"}}}, findExt(t, ch.Extensions, ExtensionCompressCertificate).Decoded)
				assert.Equal(t, &SCTListExt{}, findExt(t, ch.Extensions, ExtensionSignedCertificateTimestamp).Decoded)
				assert.Equal(t, &PreSharedKeyExt{
					Identities:    []PSKIdentity{{IdentityLength: 16, IdentityPrefix: repeat("1d", 16), ObfuscatedTicketAge: 0x01020304}},
					BinderLengths: []int{32},
				}, findExt(t, ch.Extensions, ExtensionPreSharedKey).Decoded)
				assert.Equal(t, []SignatureScheme{0x0403, 0x0804, 0x0401, 0x0503}, ch.SignatureSchemes)
			},
		},
		{
			name: "quic",
			in:   quicClientHello,
			check: func(t *testing.T, ch *ClientHello) {
				want := &QUICTransportParametersExt{Parameters: []QUICTransportParameter{
					{ID: 0x01, Name: "max_idle_timeout", Length: 4, Value: ptr[uint64](30000)},
					{ID: 0x04, Name: "initial_max_data", Length: 4, Value: ptr[uint64](1048576)},
					{ID: 0x0f, Name: "initial_source_connection_id", Length: 8, Hex: "0102030405060708"},
					{ID: 0x0c, Name: "disable_active_migration", Length: 0},
					{ID: 0x20, Name: "max_datagram_frame_size", Length: 2, Value: ptr[uint64](1200)},
					{ID: 3127, Name: "GREASE", Length: 1, Hex: "00"},
					{ID: 0x3b, Name: "0x3B", Length: 1, Hex: "ff"},
					{ID: 0x0e, Name: "active_connection_id_limit", Length: 1, Value: ptr[uint64](8)},
				}}
				assert.Equal(t, want, findExt(t, ch.Extensions, ExtensionQUICTransportParameters).Decoded)
				assert.Equal(t, want, findExt(t, ch.Extensions, ExtensionQUICTransportParametersDraft).Decoded)
				assert.Equal(t, []string{"h3"}, ch.ALPN)
			},
		},
		{
			name: "no extensions (TLS 1.0 style)",
			in:   unhex("0301" + repeat("22", 32) + "00 0004 002f 0035 0100"),
			check: func(t *testing.T, ch *ClientHello) {
				assert.Equal(t, VersionTLS10, ch.OfferedVersion())
				assert.Equal(t, []CipherSuite{0x2f, 0x35}, ch.CipherSuites)
				assert.Nil(t, ch.Extensions)
			},
		},
		{
			name:      "empty",
			in:        []byte{},
			wantCodes: []string{"message_malformed"},
		},
		{
			name: "cut inside the random keeps the version",
			in:   unhex("0303 1111"),
			check: func(t *testing.T, ch *ClientHello) {
				assert.Equal(t, VersionTLS12, ch.Version)
				assert.Nil(t, ch.Random)
			},
			wantCodes: []string{"message_malformed"},
		},
		{
			name: "odd cipher_suites length keeps whole suites",
			in:   unhex("0303" + repeat("11", 32) + "00 0005 1301 1302 13 0100"),
			check: func(t *testing.T, ch *ClientHello) {
				assert.Equal(t, []CipherSuite{0x1301, 0x1302}, ch.CipherSuites)
				assert.Equal(t, []uint8{0}, ch.CompressionMethods)
			},
			wantCodes: []string{"message_malformed"},
		},
		{
			name: "session id over 32 bytes is reported and kept",
			in:   unhex("0303" + repeat("11", 32) + "21" + repeat("5a", 33) + "0002 1301 0100"),
			check: func(t *testing.T, ch *ClientHello) {
				assert.Len(t, ch.SessionID, 33)
				assert.Equal(t, []CipherSuite{0x1301}, ch.CipherSuites)
			},
			wantCodes: []string{"message_malformed"},
		},
		{
			name: "extensions length overruns: what is there is parsed",
			in:   unhex("0303" + repeat("11", 32) + "00 0002 1301 0100  0100  0017 0000 0016 0000"),
			check: func(t *testing.T, ch *ClientHello) {
				assert.Equal(t, []ExtensionType{23, 22}, extTypes(ch.Extensions))
			},
			wantCodes: []string{"extensions_malformed"},
		},
		{
			name: "bytes after the extensions",
			in:   unhex("0303" + repeat("11", 32) + "00 0002 1301 0100  0004 0017 0000  ffff"),
			check: func(t *testing.T, ch *ClientHello) {
				assert.Equal(t, []ExtensionType{23}, extTypes(ch.Extensions))
			},
			wantCodes: []string{"message_trailing_data"},
		},
		{
			name:      "one stray byte where the extensions length should be",
			in:        unhex("0303" + repeat("11", 32) + "00 0002 1301 0100 00"),
			wantCodes: []string{"extensions_malformed"},
		},
		{
			name: "bad SNI and duplicate groups: the rest still parses",
			in: handClientHello("1301",
				helloExt(0, "000f 00 000c 6578616d706c652e636f6d2e"), // "example.com."
				helloExt(10, "0002 001d"),
				helloExt(10, "0002 0017"),
				helloExt(43, "02 0304"),
			),
			check: func(t *testing.T, ch *ClientHello) {
				assert.Equal(t, "example.com.", ch.SNI)
				assert.Equal(t, []NamedGroup{29}, ch.SupportedGroups) // the first one
				assert.Equal(t, []Version{VersionTLS13}, ch.SupportedVersions)
			},
			wantCodes: []string{"sni_invalid", "extension_duplicate"},
		},
		{
			name: "pre_shared_key not last",
			in: handClientHello("1301",
				helloExt(41, "0016 0010"+repeat("1d", 16)+"01020304 0021 20"+repeat("b1", 32)),
				helloExt(43, "02 0304"),
			),
			wantCodes: []string{"extension_misplaced"},
		},
		{
			name: "a malformed extension does not stop the next",
			in: handClientHello("1301",
				helloExt(43, "05 0304 0303"), // versions length 5 exceeds the 4 bytes left
				helloExt(0, "000e 00 000b 6578616d706c652e636f6d"),
			),
			check: func(t *testing.T, ch *ClientHello) {
				assert.True(t, ch.Extensions[0].Malformed)
				assert.Equal(t, "example.com", ch.SNI)
				assert.Equal(t, VersionTLS12, ch.OfferedVersion())
			},
			wantCodes: []string{"extension_malformed"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch, errs := ParseClientHello(tc.in)
			require.NotNil(t, ch)
			assert.Equal(t, tc.wantCodes, errCodes(errs), "%v", errs)
			if tc.check != nil {
				tc.check(t, ch)
			}
			for _, e := range errs {
				assert.True(t, e.Off >= 0 && e.Off <= len(tc.in), "offset %d outside the input: %v", e.Off, e)
			}
		})
	}
}

// TestErrorOffsets pins where errors point, counted from the body start.
func TestErrorOffsets(t *testing.T) {
	// Extensions start at 2+32+1+2+2+1+1 = 41; the first extension's header
	// is at 43, its body at 47.
	in := handClientHello("1301",
		helloExt(0, "000f 00 000c 6578616d706c652e636f6d2e"), // trailing dot
		helloExt(11, "02 00"),                                // list length 2 exceeds the 1 byte left
		helloExt(23, "00"),                                   // a byte in an empty extension
	)
	ch, errs := ParseClientHello(in)
	require.Len(t, errs, 3)
	assert.Equal(t, int32(43), ch.Extensions[0].Off)
	assert.Equal(t, Error{Code: CodeSNIInvalid, Off: 47 + 2 + 1 + 2, Msg: `server_name: host_name "example.com." has a trailing dot`}, *errs[0])
	ecOff := int(ch.Extensions[1].Off)
	assert.Equal(t, Error{Code: CodeExtensionMalformed, Off: ecOff + 4, Msg: "ec_point_formats: ec_point_format_list length 2 exceeds the 1 bytes left"}, *errs[1])
	assert.Equal(t, Error{Code: CodeExtensionTrailingData, Off: int(ch.Extensions[2].Off) + 4, Msg: "extended_master_secret: 1 byte(s) after the body"}, *errs[2])
	assert.Equal(t, byte('e'), in[errs[0].Off])
}

// hrrHand is a hand-written HelloRetryRequest: TLS 1.3, X25519MLKEM768,
// a cookie and an ECH acceptance confirmation.
var hrrHand = unhex(`
	0303                                                             # legacy_version
	cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c # SHA-256("HelloRetryRequest")
	00                                                               # legacy_session_id_echo
	1301 00                                                          # cipher_suite, compression
	0023                                                             # extensions length 35
	002b 0002 0304                                                   # supported_versions: TLS 1.3
	0033 0002 11ec                                                   # key_share: selected_group X25519MLKEM768
	002c 0007 0005 0102030405                                        # cookie of 5 bytes
	fe0d 0008 1122334455667788                                       # encrypted_client_hello: confirmation
`)

func TestParseServerHello(t *testing.T) {
	tests := []struct {
		name      string
		in        []byte
		check     func(t *testing.T, sh *ServerHello)
		wantCodes []string
	}{
		{
			name: "openssl30-tls13",
			in:   readFixture(t, "hello-openssl30-tls13-server_hello.bin"),
			check: func(t *testing.T, sh *ServerHello) {
				assert.Equal(t, VersionTLS12, sh.Version)
				assert.Equal(t, VersionTLS13, sh.SelectedVersion)
				assert.Equal(t, VersionTLS13, sh.NegotiatedVersion())
				assert.Equal(t, CipherSuite(0x1302), sh.CipherSuite)
				assert.False(t, sh.HelloRetry)
				assert.Equal(t, NamedGroup(29), sh.SelectedGroup)
				assert.Equal(t, 32, sh.KeyShareLength)
				assert.Len(t, sh.SessionID, 32)
				assert.Empty(t, sh.Downgrade)
				assert.Equal(t, &KeyShareExt{ServerShare: &KeyShareInfo{Group: CodeName{29, "x25519"}, KeyExchangeLength: 32}}, sh.Extensions[1].Decoded)
			},
		},
		{
			name: "openssl30-tls12 with DOWNGRD sentinel",
			in:   readFixture(t, "hello-openssl30-tls12-server_hello.bin"),
			check: func(t *testing.T, sh *ServerHello) {
				assert.Equal(t, VersionTLS12, sh.NegotiatedVersion())
				assert.Equal(t, Version(0), sh.SelectedVersion)
				assert.Equal(t, "tls12", sh.Downgrade)
				assert.Equal(t, CipherSuite(0xc02c), sh.CipherSuite)
				assert.Equal(t, []ExtensionType{0xff01, 11, 35, 23}, extTypes(sh.Extensions))
				assert.Equal(t, &RenegotiationInfoExt{Length: 0}, sh.Extensions[0].Decoded)
			},
		},
		{
			name: "openssl30-hello_retry_request",
			in:   readFixture(t, "hello-openssl30-hello_retry_request.bin"),
			check: func(t *testing.T, sh *ServerHello) {
				assert.True(t, sh.HelloRetry)
				assert.Equal(t, NamedGroup(23), sh.SelectedGroup)
				assert.Equal(t, &KeyShareExt{SelectedGroup: &CodeName{23, "secp256r1"}}, sh.Extensions[1].Decoded)
			},
		},
		{
			name: "hand-written hello_retry_request",
			in:   hrrHand,
			check: func(t *testing.T, sh *ServerHello) {
				assert.True(t, sh.HelloRetry)
				assert.Equal(t, VersionTLS13, sh.NegotiatedVersion())
				assert.Equal(t, NamedGroup(4588), sh.SelectedGroup)
				assert.Equal(t, &CookieExt{Length: 5}, sh.Extensions[2].Decoded)
				assert.Equal(t, &ECHConfirmationExt{Confirmation: "1122334455667788"}, sh.Extensions[3].Decoded)
			},
		},
		{
			name: "TLS 1.1 from a TLS 1.3 server: DOWNGRD\\x00",
			in:   unhex("0302" + repeat("ab", 24) + "444f574e47524400" + "00 c014 00"),
			check: func(t *testing.T, sh *ServerHello) {
				assert.Equal(t, "tls11_or_below", sh.Downgrade)
				assert.Equal(t, VersionTLS11, sh.NegotiatedVersion())
				assert.Nil(t, sh.Extensions)
			},
		},
		{
			name: "TLS 1.2 ServerHello with ALPN, EMS, status_request and SCTs",
			in: handServerHello("0303"+repeat("ab", 32)+"00 c02f 00",
				helloExt(0xff01, "00"),
				helloExt(23, ""),
				helloExt(16, "0003 02 6832"),
				helloExt(18, "0033 0031 00"+repeat("ee", 32)+"0000018f00000000 0000 0403 0002 aabb"),
				helloExt(5, "")),
			check: func(t *testing.T, sh *ServerHello) {
				assert.Equal(t, "h2", sh.ALPN)
				assert.Equal(t, &SCTListExt{ListLength: 0x33, SCTs: []SCTInfo{{Length: 0x31, Version: ptr(0), LogID: repeat("ee", 32), Timestamp: ptr[uint64](0x18f00000000),
					ExtensionsLength: ptr(0), SignatureAlgorithm: &CodeName{0x0403, "ecdsa_secp256r1_sha256"}, SignatureLength: ptr(2)}}},
					sh.Extensions[3].Decoded)
				assert.Equal(t, &StatusRequestExt{}, sh.Extensions[4].Decoded)
			},
		},
		{
			name: "server ALPN with two protocols",
			in:   handServerHello("0303"+repeat("ab", 32)+"00 c02f 00", helloExt(16, "0006 02 6832 02 6833")),
			check: func(t *testing.T, sh *ServerHello) {
				assert.Equal(t, "h2", sh.ALPN)
			},
			wantCodes: []string{"extension_malformed"},
		},
		{
			name: "cut after the cipher suite keeps it",
			in:   unhex("0303" + repeat("ab", 32) + "00 1301"),
			check: func(t *testing.T, sh *ServerHello) {
				assert.Equal(t, CipherSuite(0x1301), sh.CipherSuite)
			},
			wantCodes: []string{"message_malformed"},
		},
		{
			name:      "key_share entry cut short",
			in:        handServerHello("0303"+repeat("ab", 32)+"00 1301 00", helloExt(51, "001d 0020 aabb")),
			wantCodes: []string{"extension_malformed"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh, errs := ParseServerHello(tc.in)
			require.NotNil(t, sh)
			assert.Equal(t, tc.wantCodes, errCodes(errs), "%v", errs)
			if tc.check != nil {
				tc.check(t, sh)
			}
		})
	}
}

// sslv2Hello is an SSLv2-compatible CLIENT-HELLO record built by hand from
// RFC 5246, Appendix E.2, the kind old clients and scanners still send.
var sslv2Hello = unhex(`
	802e       # 2-byte header: length 46
	01         # msg_type CLIENT-HELLO
	0301       # version TLS 1.0
	0015       # cipher_spec_length 21: seven specs
	0000       # session_id_length
	0010       # challenge_length 16
	000039 000038 000035 # TLS_DHE_RSA_WITH_AES_256_CBC_SHA, TLS_DHE_DSS_..., TLS_RSA_WITH_AES_256_CBC_SHA
	010080     # SSL_CK_RC4_128_WITH_MD5
	0700c0     # SSL_CK_DES_192_EDE3_CBC_WITH_MD5
	0000ff     # TLS_EMPTY_RENEGOTIATION_INFO_SCSV
	00000a     # TLS_RSA_WITH_3DES_EDE_CBC_SHA
	000102030405060708090a0b0c0d0e0f # challenge
`)

func TestParseSSLv2ClientHello(t *testing.T) {
	tests := []struct {
		name      string
		in        []byte
		check     func(t *testing.T, ch *ClientHello)
		wantCodes []string
	}{
		{
			name: "2-byte header",
			in:   sslv2Hello,
			check: func(t *testing.T, ch *ClientHello) {
				assert.True(t, ch.SSLv2)
				assert.Equal(t, VersionTLS10, ch.Version)
				assert.Equal(t, VersionTLS10, ch.OfferedVersion())
				assert.Equal(t, []uint32{0x39, 0x38, 0x35, 0x010080, 0x0700c0, 0xff, 0x0a}, ch.V2CipherSpecs)
				assert.Equal(t, []CipherSuite{0x39, 0x38, 0x35, 0xff, 0x0a}, ch.CipherSuites)
				assert.Empty(t, ch.SessionID)
				assert.Equal(t, unhex("000102030405060708090a0b0c0d0e0f"), ch.Challenge)
				assert.Equal(t, append(make([]byte, 16), ch.Challenge...), ch.Random)
				assert.Equal(t, "SSL_CK_RC4_128_WITH_MD5", V2CipherSpecName(ch.V2CipherSpecs[3]))
				assert.Equal(t, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", V2CipherSpecName(ch.V2CipherSpecs[0]))
				assert.Equal(t, "0x08FFFF", V2CipherSpecName(0x08ffff))
				assert.True(t, IsSSLv2ClientHello(sslv2Hello))
			},
		},
		{
			name: "3-byte header",
			in:   unhex("002e00" + hex.EncodeToString(sslv2Hello[2:])),
			check: func(t *testing.T, ch *ClientHello) {
				assert.Len(t, ch.V2CipherSpecs, 7)
				assert.False(t, IsSSLv2ClientHello(unhex("002e00"+hex.EncodeToString(sslv2Hello[2:]))))
			},
		},
		{
			name: "real SSL 2.0 with a 32-byte challenge and a session id",
			in:   unhex("803c 01 0002 0003 0010 0020 010080" + repeat("5e", 16) + repeat("c4", 32)),
			check: func(t *testing.T, ch *ClientHello) {
				assert.Equal(t, VersionSSL20, ch.Version)
				assert.Empty(t, ch.CipherSuites)
				assert.Len(t, ch.SessionID, 16)
				assert.Equal(t, ch.Challenge, ch.Random)
			},
		},
		{
			name: "record length beyond the bytes",
			in:   sslv2Hello[:40],
			check: func(t *testing.T, ch *ClientHello) {
				assert.Equal(t, VersionTLS10, ch.Version)
				assert.Len(t, ch.V2CipherSpecs, 7)
				assert.Nil(t, ch.Challenge)
			},
			wantCodes: []string{"sslv2_malformed", "message_malformed"},
		},
		{
			name:      "not a CLIENT-HELLO",
			in:        unhex("8003 04 0301"),
			wantCodes: []string{"sslv2_malformed"},
		},
		{
			name: "bad lengths are reported and parsing goes on",
			in:   unhex("8016 01 0301 0004 0001 0008 00002f00 aa 0001020304050607"),
			check: func(t *testing.T, ch *ClientHello) {
				assert.Equal(t, []uint32{0x2f}, ch.V2CipherSpecs)
				assert.Len(t, ch.Challenge, 8)
			},
			wantCodes: []string{"message_malformed", "message_malformed", "message_malformed"},
		},
		{
			name: "bytes after the record",
			in:   append(bytes.Clone(sslv2Hello), 0x16, 0x03),
			check: func(t *testing.T, ch *ClientHello) {
				assert.Len(t, ch.Challenge, 16)
			},
			wantCodes: []string{"message_trailing_data"},
		},
		{
			name:      "empty",
			in:        nil,
			wantCodes: []string{"sslv2_malformed"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch, errs := ParseSSLv2ClientHello(tc.in)
			require.NotNil(t, ch)
			assert.True(t, ch.SSLv2)
			assert.Equal(t, tc.wantCodes, errCodes(errs), "%v", errs)
			if tc.check != nil {
				tc.check(t, ch)
			}
		})
	}
}

func TestOfferedVersion(t *testing.T) {
	tests := []struct {
		name   string
		legacy Version
		list   []Version
		want   Version
	}{
		{"no list", VersionTLS11, nil, VersionTLS11},
		{"highest wins", VersionTLS12, []Version{VersionTLS12, VersionTLS13, VersionTLS11}, VersionTLS13},
		{"GREASE skipped", VersionTLS12, []Version{0xfafa, VersionTLS12}, VersionTLS12},
		{"only GREASE", VersionTLS12, []Version{0x0a0a}, VersionTLS12},
		{"draft below final", VersionTLS12, []Version{0x7f1c, VersionTLS13}, VersionTLS13},
		{"draft above 1.2", VersionTLS12, []Version{VersionTLS12, 0x7f17}, 0x7f17},
		{"Facebook draft below final", VersionTLS12, []Version{0xfb1a, VersionTLS13, VersionTLS12}, VersionTLS13},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch := &ClientHello{Version: tc.legacy, SupportedVersions: tc.list}
			assert.Equal(t, tc.want, ch.OfferedVersion())
		})
	}
	assert.Equal(t, VersionTLS12, (&ServerHello{Version: VersionTLS12}).NegotiatedVersion())
	assert.Equal(t, VersionTLS13, (&ServerHello{Version: VersionTLS12, SelectedVersion: VersionTLS13}).NegotiatedVersion())
}

// sweepInput is one valid input for the prefix sweep, with the prefix
// lengths at which a shorter input is itself valid.
type sweepInput struct {
	name  string
	in    []byte
	parse func([]byte) []*Error
	valid map[int]bool // prefix lengths that are complete messages
}

func sweepInputs(t testing.TB) []sweepInput {
	var out []sweepInput
	chParse := func(b []byte) []*Error { _, e := ParseClientHello(b); return e }
	shParse := func(b []byte) []*Error { _, e := ParseServerHello(b); return e }
	// A hello cut right before its extensions is a valid hello without
	// extensions (RFC 5246, Section 7.4.1.2), so that one prefix may parse
	// cleanly.
	noExt := func(b []byte, exts []Extension) map[int]bool {
		if len(exts) == 0 {
			return nil
		}
		return map[int]bool{int(exts[0].Off) - 2: true}
	}
	files, err := filepath.Glob("testdata/hello-*.bin")
	require.NoError(t, err)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		name := filepath.Base(f)
		switch {
		case strings.Contains(name, "client_hello"):
			ch, _ := ParseClientHello(b)
			out = append(out, sweepInput{name, b, chParse, noExt(b, ch.Extensions)})
		default:
			sh, _ := ParseServerHello(b)
			out = append(out, sweepInput{name, b, shParse, noExt(b, sh.Extensions)})
		}
	}
	for name, b := range map[string][]byte{"grease": greaseClientHello, "ech": echClientHello, "quic": quicClientHello} {
		ch, _ := ParseClientHello(b)
		out = append(out, sweepInput{name, b, chParse, noExt(b, ch.Extensions)})
	}
	sh, _ := ParseServerHello(hrrHand)
	out = append(out, sweepInput{"hrr-hand", hrrHand, shParse, noExt(hrrHand, sh.Extensions)})
	out = append(out, sweepInput{"sslv2", sslv2Hello, func(b []byte) []*Error { _, e := ParseSSLv2ClientHello(b); return e }, nil})
	return out
}

// TestHelloPrefixSweep parses every truncation of every fixture: no panic,
// a non-nil value, and at least one error unless the prefix is itself a
// complete message (STYLE.md 2.4).
func TestHelloPrefixSweep(t *testing.T) {
	for _, si := range sweepInputs(t) {
		t.Run(si.name, func(t *testing.T) {
			require.Empty(t, si.parse(si.in), "the whole input must parse cleanly")
			for i := 0; i < len(si.in); i++ {
				errs := si.parse(si.in[:i])
				if si.valid[i] {
					continue
				}
				require.NotEmpty(t, errs, "prefix of %d bytes parsed without an error", i)
				for _, e := range errs {
					require.True(t, e.Off >= 0 && e.Off <= i, "offset %d outside a %d-byte prefix: %v", e.Off, i, e)
				}
			}
		})
	}
}

// TestManyEmptyExtensions: a hostile block of 16383 identical empty
// extensions is parsed in linear time, every extension is kept, and the
// 16382 duplicate errors are capped.
func TestManyEmptyExtensions(t *testing.T) {
	block := bytes.Repeat([]byte{0x00, 0x17, 0, 0}, 16383)
	in := append(unhex("0303"+repeat("11", 32)+"00 0002 1301 0100 fffc"), block...)
	ch, errs := ParseClientHello(in)
	require.Len(t, ch.Extensions, 16383)
	require.Len(t, errs, maxErrors+1)
	assert.Equal(t, CodeExtensionDuplicate, errs[0].Code)
	assert.Equal(t, CodeErrorsTruncated, errs[maxErrors].Code)
	allocs := testing.AllocsPerRun(3, func() { ParseClientHello(in) })
	assert.Less(t, allocs, float64(4*maxErrors+64))
}

// TestDecodedJSON checks the shape the report layer gets.
func TestDecodedJSON(t *testing.T) {
	ch, errs := ParseClientHello(greaseClientHello)
	require.Empty(t, errs)
	b, _ := json.Marshal(findExt(t, ch.Extensions, ExtensionSupportedGroups).Decoded)
	assert.JSONEq(t, `{"groups":[{"code":35466,"name":"GREASE"},{"code":4588,"name":"X25519MLKEM768"},{"code":29,"name":"x25519"},{"code":23,"name":"secp256r1"},{"code":24,"name":"secp384r1"}]}`, string(b))
	b, _ = json.Marshal(findExt(t, ch.Extensions, ExtensionKeyShare).Decoded)
	assert.JSONEq(t, `{"client_shares":[{"group":{"code":35466,"name":"GREASE"},"key_exchange_length":1},{"group":{"code":29,"name":"x25519"},"key_exchange_length":32}]}`, string(b))
	b, _ = json.Marshal(findExt(t, ch.Extensions, ExtensionServerName).Decoded)
	assert.JSONEq(t, `{"server_name_list_length":14,"server_names":[{"type":{"code":0,"name":"host_name"},"length":11,"name":"example.com"}]}`, string(b))
}

func BenchmarkParseClientHello(b *testing.B) {
	for _, name := range []string{"hello-openssl30-tls13-client_hello.bin", "hello-go126-tls13-client_hello.bin"} {
		in := readFixture(b, name)
		b.Run(strings.TrimSuffix(name, ".bin"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if _, errs := ParseClientHello(in); errs != nil {
					b.Fatal(errs)
				}
			}
		})
	}
}
