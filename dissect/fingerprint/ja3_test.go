package fingerprint

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/padlock-tls/padlock/dissect"
)

// TestJA3Spec checks the two worked examples of the salesforce/ja3 README
// ("How it works"), rebuilt as ClientHellos on the wire:
//
//	769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0 --> ada70206e40642a3e4461f35503241d5
//	769,4-5-10-9-100-98-3-6-19-18-99,,, --> de350869b8c85de67a350c8d186f11e6
func TestJA3Spec(t *testing.T) {
	tests := []struct {
		name     string
		body     []byte
		wantFull string
		wantHash string
	}{
		{
			name: "readme_with_extensions",
			body: clientHelloBytes(769,
				[]uint16{47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4},
				[]ext{sniExt("example.com"), groupsExt(23, 24, 25), pointFormatsExt(0)}),
			wantFull: "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0",
			wantHash: "ada70206e40642a3e4461f35503241d5",
		},
		{
			// "If there are no SSL Extensions in the Client Hello, the
			// fields are left empty."
			name:     "readme_no_extensions",
			body:     clientHelloBytes(769, []uint16{4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99}, nil),
			wantFull: "769,4-5-10-9-100-98-3-6-19-18-99,,,",
			wantHash: "de350869b8c85de67a350c8d186f11e6",
		},
		{
			// GREASE in every list JA3 reads: "JA3 ignores these values
			// completely". Same result as readme_with_extensions.
			name: "readme_with_grease",
			body: clientHelloBytes(769,
				[]uint16{0x0a0a, 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4},
				[]ext{{0x1a1a, nil}, sniExt("example.com"), groupsExt(0x2a2a, 23, 24, 25), pointFormatsExt(0), {0x3a3a, []byte{0}}}),
			wantFull: "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0",
			wantHash: "ada70206e40642a3e4461f35503241d5",
		},
		{
			// SSLVersion is legacy_version even when supported_versions
			// offers TLS 1.3; every extension counts, in wire order.
			name: "tls13_legacy_version",
			body: clientHelloBytes(0x0303, []uint16{0x1301, 0xc02f},
				[]ext{versionsExt(0x0304, 0x0303), groupsExt(29, 23), pointFormatsExt(0, 1, 2), plainExt(0x0017)}),
			wantFull: "771,4865-49199,43-10-11-23,29-23,0-1-2",
		},
		{
			name:     "empty_extensions_block",
			body:     clientHelloBytes(0x0301, []uint16{0x002f}, []ext{}),
			wantFull: "769,47,,,",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := JA3(parseCH(t, tc.body))
			assert.Equal(t, tc.wantFull, got.Full)
			if tc.wantHash != "" {
				assert.Equal(t, tc.wantHash, got.Hash)
			}
			assert.Len(t, got.Hash, 32)
		})
	}
}

func TestJA3S(t *testing.T) {
	tests := []struct {
		name     string
		body     []byte
		wantFull string
	}{
		{
			// Seen by tshark 4.0 (tls.handshake.ja3s_full) on
			// pcaps/tls13-basic.pcap: legacy_version 771, not 772.
			name:     "tls13",
			body:     serverHelloBytes(0x0303, 0x1301, []ext{{0x002b, []byte{3, 4}}, plainExt(0x0033)}),
			wantFull: "771,4865,43-51",
		},
		{
			name:     "tls12",
			body:     serverHelloBytes(0x0303, 0xc02f, []ext{{0x0023, nil}, plainExt(0xff01), {0x0017, nil}, alpnExt("http/1.1"), pointFormatsExt(0), {0x0000, nil}}),
			wantFull: "771,49199,35-65281-23-16-11-0",
		},
		{
			name:     "no_extensions",
			body:     serverHelloBytes(0x0301, 0x002f, nil),
			wantFull: "769,47,",
		},
		{
			// A server may not send GREASE (RFC 8701, Section 4); if one
			// does, it is dropped as in JA3 and in Wireshark.
			name:     "grease_dropped",
			body:     serverHelloBytes(0x0303, 0xc02f, []ext{{0x0a0a, nil}, plainExt(0xff01)}),
			wantFull: "771,49199,65281",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := JA3S(parseSH(t, tc.body))
			assert.Equal(t, tc.wantFull, got.Full)
			assert.Len(t, got.Hash, 32)
		})
	}
}

func TestJA3Nil(t *testing.T) {
	assert.Equal(t, JA3Result{}, JA3(nil))
	assert.Equal(t, JA3Result{}, JA3S(nil))
	assert.Equal(t, JA4Result{}, JA4(nil))
	h, r := JA4S(nil)
	assert.Empty(t, h)
	assert.Empty(t, r)
}

// TestJA3HashOfEmptyHello pins the hash of a value built by hand, so JA3
// does not depend on the decoder for its format.
func TestJA3HashOfEmptyHello(t *testing.T) {
	got := JA3(&dissect.ClientHello{Version: 0x0303})
	assert.Equal(t, "771,,,,", got.Full)
	// md5("771,,,,"), from md5sum(1)
	assert.Equal(t, "bddda940f9963577c41d7c28b1a5f65f", got.Hash)
}
