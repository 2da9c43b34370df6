package iana

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/dissect/iana/internal/ianagen"
)

// TestTablesUpToDate reruns the generator into memory and compares it with
// the checked-in tables.go, byte for byte (the gofmt golden pattern applied
// to code generation, STYLE.md 2.3).
func TestTablesUpToDate(t *testing.T) {
	want, err := ianagen.Generate("registry")
	require.NoError(t, err)
	got, err := os.ReadFile("tables.go")
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(got, []byte(ianagen.Header+"\n")),
		"tables.go must start with %q", ianagen.Header)
	if !bytes.Equal(got, want) {
		t.Fatalf("tables.go is stale: run `go generate ./dissect/iana` and review the diff\n%s",
			firstDiff(got, want))
	}
}

func firstDiff(got, want []byte) string {
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return fmt.Sprintf("line %d:\n  tables.go: %q\n  generated: %q", i+1, g, w)
		}
	}
	return "(no line differs)"
}

type lookupCase struct {
	code int
	want string // "" means unknown: ("", false)
}

func u16(f func(uint16) (string, bool)) func(int) (string, bool) {
	return func(c int) (string, bool) { return f(uint16(c)) }
}

func u8(f func(uint8) (string, bool)) func(int) (string, bool) {
	return func(c int) (string, bool) { return f(uint8(c)) }
}

// Known values from every registry. Origins: the registry/ CSV row for
// generated names, overlay.go for the hand-written ones.
var lookupTests = []struct {
	registry string
	lookup   func(int) (string, bool)
	cases    []lookupCase
}{
	{"CipherSuite", u16(CipherSuiteName), []lookupCase{
		{0x0000, "TLS_NULL_WITH_NULL_NULL"},
		{0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
		{0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"},
		{0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
		{0x1301, "TLS_AES_128_GCM_SHA256"},
		{0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
		{0x1307, "TLS_AEGIS_128L_SHA256"},
		{0x5600, "TLS_FALLBACK_SCSV"},
		{0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
		{0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
		{0xC106, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S"},
		{0xD005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256"},
		{0x0060, "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5"},              // overlay
		{0xCC13, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD"}, // overlay
		{0xFEFF, "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA"},              // overlay
		{0x0A0A, "GREASE"},
		{0xFAFA, "GREASE"},
		{0x001C, ""}, // "Reserved to avoid conflicts with SSLv3" range
		{0x0047, ""}, // multi-line "Reserved to avoid conflicts" range
		{0x1300, ""},
		{0x1308, ""},
		{0xC0B6, ""},
		{0xD004, ""},
		{0xFF00, ""}, // private use
		{0xFFFF, ""},
	}},
	{"Extension", u16(ExtensionName), []lookupCase{
		{0, "server_name"},
		{10, "supported_groups"}, // "supported_groups (renamed from "elliptic_curves")"
		{13, "signature_algorithms"},
		{16, "application_layer_protocol_negotiation"},
		{35, "session_ticket"}, // "session_ticket (renamed from "SessionTicket TLS")"
		{43, "supported_versions"},
		{51, "key_share"},
		{53, "connection_id_deprecated"}, // "connection_id (deprecated)"
		{54, "connection_id"},
		{57, "quic_transport_parameters"},
		{62, "tls_flags"},
		{13172, "next_protocol_negotiation"},
		{17513, "application_settings"},
		{30032, "channel_id"},
		{35655, "padding_old_experimental"},
		{64768, "ech_outer_extensions"},
		{65037, "encrypted_client_hello"},
		{65281, "renegotiation_info"},
		{65445, "quic_transport_parameters_drafts_version"},
		{65486, "encrypted_server_name"},
		{40, "key_share_old"},          // overlay
		{46, "ticket_early_data_info"}, // overlay
		{0x0A0A, "GREASE"},
		{0xDADA, "GREASE"},
		{63, ""},
		{65280, ""},
		{65535, ""},
	}},
	{"Group", u16(GroupName), []lookupCase{
		{23, "secp256r1"},
		{29, "x25519"},
		{30, "x448"},
		{256, "ffdhe2048"},
		{513, "MLKEM768"},
		{4588, "X25519MLKEM768"},
		{25497, "X25519Kyber768Draft00"}, // "X25519Kyber768Draft00 (OBSOLETE)"
		{65281, "arbitrary_explicit_prime_curves"},
		{4590, "curveSM2MLKEM768"}, // overlay
		{16696, "CECPQ2"},          // overlay
		{0x2A2A, "GREASE"},
		{0, ""},
		{42, ""},
		{508, ""}, // private use
		{65280, ""},
	}},
	{"SignatureScheme", u16(SignatureSchemeName), []lookupCase{
		{0x0201, "rsa_pkcs1_sha1"},
		{0x0403, "ecdsa_secp256r1_sha256"},
		{0x0420, "rsa_pkcs1_sha256_legacy"},
		{0x0708, "sm2sig_sm3"},
		{0x0804, "rsa_pss_rsae_sha256"},
		{0x0807, "ed25519"},
		{0x080B, "rsa_pss_pss_sha512"},
		{0x081C, "ecdsa_brainpoolP512r1tls13_sha512"},
		{0x0905, "mldsa65"},
		{0x0A0A, "GREASE"},
		{0x0000, ""},
		{0x0202, "dsa_sha1"}, // IANA: "Reserved for backward compatibility"; named from its (hash, signature) pair
		{0x0840, ""},         // "Reserved for backward compatibility" single row
		{0xFE00, ""},
	}},
	{"Version", u16(VersionName), []lookupCase{
		{0x0002, "SSL 2.0"},
		{0x0300, "SSL 3.0"},
		{0x0301, "TLS 1.0"},
		{0x0302, "TLS 1.1"},
		{0x0303, "TLS 1.2"},
		{0x0304, "TLS 1.3"},
		{0xFEFF, "DTLS 1.0"},
		{0xFEFD, "DTLS 1.2"},
		{0xFEFC, "DTLS 1.3"},
		{0x7F0E, "TLS 1.3 (draft 14)"},          // overlay
		{0x7F17, "TLS 1.3 (draft 23)"},          // overlay
		{0x7F1C, "TLS 1.3 (draft 28)"},          // overlay
		{0xFB17, "TLS 1.3 (Facebook draft 23)"}, // overlay
		{0xFB1A, "TLS 1.3 (Facebook draft 26)"}, // overlay
		{0x0100, "DTLS 1.0 (OpenSSL pre 0.9.8f)"},
		{0x1A1A, "GREASE"},
		{0x0000, ""},
		{0x0305, ""},
		{0x7E01, ""},
		{0xFEFE, ""},
	}},
	{"AlertDescription", u8(AlertDescriptionName), []lookupCase{
		{0, "close_notify"},
		{10, "unexpected_message"},
		{40, "handshake_failure"},
		{70, "protocol_version"},
		{112, "unrecognized_name"},
		{116, "certificate_required"},
		{120, "no_application_protocol"},
		{121, "ech_required"},
		{1, ""},
		{122, ""},
		{255, ""},
	}},
	{"HandshakeType", u8(HandshakeTypeName), []lookupCase{
		{0, "hello_request"},
		{1, "client_hello"},
		{2, "server_hello"},
		{6, "hello_retry_request_RESERVED"},
		{8, "encrypted_extensions"},
		{11, "certificate"},
		{20, "finished"},
		{25, "compressed_certificate"},
		{254, "message_hash"},
		{7, ""},
		{255, ""},
	}},
	{"ContentType", u8(ContentTypeName), []lookupCase{
		{20, "change_cipher_spec"},
		{21, "alert"},
		{22, "handshake"},
		{23, "application_data"},
		{24, "heartbeat"},
		{25, "tls12_cid"},
		{26, "ACK"},
		{0, ""},
		{27, ""},
		{255, ""},
	}},
	{"ECPointFormat", u8(ECPointFormatName), []lookupCase{
		{0, "uncompressed"},
		{1, "ansiX962_compressed_prime"},
		{2, "ansiX962_compressed_char2"},
		{3, ""},
		{248, ""},
	}},
	{"PSKKeyExchangeMode", u8(PSKKeyExchangeModeName), []lookupCase{
		{0, "psk_ke"},
		{1, "psk_dhe_ke"},
		{0x0B, "GREASE"},
		{0xE4, "GREASE"},
		{2, ""},
		{0x0A, ""},
		{254, ""},
	}},
	{"CertificateCompressionAlgorithm", u16(CertificateCompressionAlgorithmName), []lookupCase{
		{1, "zlib"},
		{2, "brotli"},
		{3, "zstd"},
		{0, ""},
		{0x0A0A, ""}, // RFC 8701 does not GREASE this registry
		{16384, ""},
	}},
	{"CertificateType", u8(CertificateTypeName), []lookupCase{
		{0, "X.509"},
		{1, "OpenPGP"},
		{2, "Raw Public Key"},
		{3, "1609Dot2"},
		{4, ""},
		{224, ""},
	}},
	{"CertificateStatusType", u8(CertificateStatusTypeName), []lookupCase{
		{1, "ocsp"},
		{2, "ocsp_multi"},
		{0, ""},
		{3, ""},
	}},
	{"HashAlgorithm", u8(HashAlgorithmName), []lookupCase{
		{0, "none"},
		{1, "md5"},
		{2, "sha1"},
		{4, "sha256"},
		{6, "sha512"},
		{8, "Intrinsic"},
		{7, ""},
		{224, ""},
	}},
	{"SignatureAlgorithm", u8(SignatureAlgorithmName), []lookupCase{
		{0, "anonymous"},
		{1, "rsa"},
		{3, "ecdsa"},
		{7, "ed25519"},
		{8, "ed448"},
		{65, "gostr34102012_512"},
		{4, ""},
		{255, ""},
	}},
}

func TestLookups(t *testing.T) {
	for _, reg := range lookupTests {
		for _, c := range reg.cases {
			t.Run(fmt.Sprintf("%s/0x%04X", reg.registry, c.code), func(t *testing.T) {
				got, ok := reg.lookup(c.code)
				assert.Equal(t, c.want, got)
				assert.Equal(t, c.want != "", ok)
			})
		}
	}
}

func TestALPNProtocolName(t *testing.T) {
	tests := []struct {
		id, want string
	}{
		{"h2", "HTTP/2 over TLS"},
		{"h2c", "HTTP/2 over TCP"},
		{"h3", "HTTP/3"},
		{"http/1.1", "HTTP/1.1"},
		{"http/1.0", "HTTP/1.0"},
		{"spdy/3", "SPDY/3"},
		{"acme-tls/1", "acme-tls/1"},
		{"dot", "DNS-over-TLS"},
		{"ntske/1", "Network Time Security Key Establishment, version 1"},
		{"stun.nat-discovery", "NAT discovery using Session Traversal Utilities for NAT (STUN)"},
		{"\x0a\x0a", "GREASE"},
		{"\xfa\xfa", "GREASE"},
		{"", ""},
		{"H2", ""},
		{"h2-16", ""},
		{"spdy/3.1", ""},
		{"\x0a\x0b", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.id), func(t *testing.T) {
			got, ok := ALPNProtocolName(tt.id)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want != "", ok)
		})
	}
}

// TestGREASENames checks that the 16-bit lookups name exactly the GREASE
// values "GREASE", and that no other lookup does.
func TestGREASENames(t *testing.T) {
	var grease []uint16
	for c := 0; c <= 0xFFFF; c++ {
		if IsGREASE(uint16(c)) {
			grease = append(grease, uint16(c))
		}
	}
	require.Len(t, grease, 16)
	for i, g := range grease {
		assert.Equal(t, uint16(0x0A0A+0x1010*i), g)
	}

	named := map[string]func(uint16) (string, bool){
		"CipherSuiteName":     CipherSuiteName,
		"ExtensionName":       ExtensionName,
		"GroupName":           GroupName,
		"SignatureSchemeName": SignatureSchemeName,
		"VersionName":         VersionName,
	}
	for fn, lookup := range named {
		for c := 0; c <= 0xFFFF; c++ {
			n, ok := lookup(uint16(c))
			if IsGREASE(uint16(c)) {
				assert.True(t, ok, "%s(0x%04X)", fn, c)
				assert.Equal(t, "GREASE", n, "%s(0x%04X)", fn, c)
			} else {
				assert.NotEqual(t, "GREASE", n, "%s(0x%04X)", fn, c)
			}
		}
	}
	n, ok := CertificateCompressionAlgorithmName(0x0A0A)
	assert.False(t, ok)
	assert.Empty(t, n)
}

// TestNoEmptyNames walks every code of every lookup: ok must be true exactly
// when the name is non-empty, and names must be clean single-line strings.
func TestNoEmptyNames(t *testing.T) {
	check := func(fn string, c int, n string, ok bool) {
		t.Helper()
		if ok != (n != "") {
			t.Errorf("%s(0x%04X) = (%q, %v)", fn, c, n, ok)
		}
		if n != strings.TrimSpace(n) || strings.ContainsAny(n, "\r\n\t") || strings.Contains(n, "  ") {
			t.Errorf("%s(0x%04X) = %q: untidy white space", fn, c, n)
		}
	}
	lookups16 := []struct {
		fn string
		f  func(uint16) (string, bool)
	}{
		{"CipherSuiteName", CipherSuiteName},
		{"ExtensionName", ExtensionName},
		{"GroupName", GroupName},
		{"SignatureSchemeName", SignatureSchemeName},
		{"VersionName", VersionName},
		{"CertificateCompressionAlgorithmName", CertificateCompressionAlgorithmName},
	}
	for _, l := range lookups16 {
		known := 0
		for c := 0; c <= 0xFFFF; c++ {
			n, ok := l.f(uint16(c))
			check(l.fn, c, n, ok)
			if ok {
				known++
			}
		}
		assert.Positive(t, known, l.fn)
	}
	lookups8 := []struct {
		fn string
		f  func(uint8) (string, bool)
	}{
		{"AlertDescriptionName", AlertDescriptionName},
		{"HandshakeTypeName", HandshakeTypeName},
		{"ContentTypeName", ContentTypeName},
		{"ECPointFormatName", ECPointFormatName},
		{"PSKKeyExchangeModeName", PSKKeyExchangeModeName},
		{"CertificateTypeName", CertificateTypeName},
		{"CertificateStatusTypeName", CertificateStatusTypeName},
		{"HashAlgorithmName", HashAlgorithmName},
		{"SignatureAlgorithmName", SignatureAlgorithmName},
	}
	for _, l := range lookups8 {
		known := 0
		for c := 0; c <= 0xFF; c++ {
			n, ok := l.f(uint8(c))
			check(l.fn, c, n, ok)
			if ok {
				known++
			}
		}
		assert.Positive(t, known, l.fn)
	}
	// ALPN: every one- and two-byte identifier, plus the registered ones.
	for c := 0; c <= 0xFFFF; c++ {
		id := string([]byte{byte(c >> 8), byte(c)})
		n, ok := ALPNProtocolName(id)
		check("ALPNProtocolName", c, n, ok)
		n, ok = ALPNProtocolName(id[1:])
		check("ALPNProtocolName", c&0xFF, n, ok)
	}
}

// TestOverlayDoesNotShadowTables fails when a refreshed CSV starts naming a
// code that overlay.go also names: delete the overlay entry then, so the
// IANA name is the only one.
func TestOverlayDoesNotShadowTables(t *testing.T) {
	pairs := []struct {
		fn                 string
		overlay, generated func(uint16) (string, bool)
	}{
		{"cipherSuite", cipherSuiteOverlay, cipherSuiteName},
		{"extension", extensionOverlay, extensionName},
		{"group", groupOverlay, groupName},
		{"version", versionOverlay, versionName},
	}
	for _, p := range pairs {
		entries := 0
		for c := 0; c <= 0xFFFF; c++ {
			on, ok := p.overlay(uint16(c))
			if !ok {
				continue
			}
			entries++
			assert.NotEmpty(t, on, "%s overlay 0x%04X", p.fn, c)
			assert.False(t, IsGREASE(uint16(c)), "%s overlay names GREASE value 0x%04X", p.fn, c)
			if gn, ok := p.generated(uint16(c)); ok {
				t.Errorf("%s: overlay names 0x%04X %q but registry/ now names it %q; delete the overlay entry",
					p.fn, c, on, gn)
			}
		}
		assert.Positive(t, entries, p.fn)
	}
	for c := 0; c <= 0xFF; c++ {
		if isGREASEPSKMode(uint8(c)) {
			_, ok := pskKeyExchangeModeName(uint8(c))
			assert.False(t, ok, "PSK mode 0x%02X is GREASE but the registry names it", c)
		}
	}
}

// TestNamesAreUnique: two codes of one registry never share a name, so a
// name in a report identifies its code.
func TestNamesAreUnique(t *testing.T) {
	lookups := []struct {
		fn string
		f  func(uint16) (string, bool)
	}{
		{"CipherSuiteName", CipherSuiteName},
		{"ExtensionName", ExtensionName},
		{"GroupName", GroupName},
		{"SignatureSchemeName", SignatureSchemeName},
		{"VersionName", VersionName},
	}
	for _, l := range lookups {
		seen := map[string]int{}
		for c := 0; c <= 0xFFFF; c++ {
			n, ok := l.f(uint16(c))
			if !ok || n == "GREASE" {
				continue
			}
			if prev, dup := seen[n]; dup {
				t.Errorf("%s: 0x%04X and 0x%04X are both %q", l.fn, prev, c, n)
			}
			seen[n] = c
		}
	}
}

func BenchmarkLookups(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c := uint16(i)
		CipherSuiteName(c)
		ExtensionName(c)
		GroupName(c)
		SignatureSchemeName(c)
		VersionName(c)
		AlertDescriptionName(uint8(c))
	}
}

func TestLegacySignatureAndHashNames(t *testing.T) {
	for code, want := range map[uint16]string{0x0303: "ecdsa_sha224", 0x0402: "dsa_sha256", 0x0301: "rsa_sha224", 0x0403: "ecdsa_secp256r1_sha256"} {
		got, ok := SignatureSchemeName(code)
		assert.True(t, ok)
		assert.Equal(t, want, got, "0x%04X", code)
	}
	_, ok := SignatureSchemeName(0x0E0E)
	assert.False(t, ok)
}
