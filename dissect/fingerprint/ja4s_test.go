package fingerprint

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestJA4SSpec checks JA4S.md's worked example and the JA4S values in
// FoxIO's README ("Examples") and in the reference tool's snapshot of
// pcap/sigalg-grease.pcapng. The README gives only hashes; the extension
// lists below are the ones those servers send (TLS 1.3: supported_versions
// and key_share in either order; IcedID's TLS 1.2 server:
// renegotiation_info, session_ticket, extended_master_secret), and they
// reproduce the published hashes exactly.
func TestJA4SSpec(t *testing.T) {
	sv13 := ext{0x002b, []byte{0x03, 0x04}}
	ks := ext{0x0033, []byte{0x00, 0x1d, 0x00, 0x20}}
	ks.body = append(ks.body, make([]byte, 32)...)
	tests := []struct {
		name     string
		version  uint16
		cipher   uint16
		exts     []ext
		want     string
		wantRaw  string
		rawCheck bool
	}{
		{
			// JA4S.md: "An example where the extensions are:
			// 0005,0017,ff01,0000 ... JA4S = t120400_c030_4e8089b08790",
			// "JA4S_r = t120400_c030_0005,0017,ff01,0000".
			name: "ja4s_md", version: 0x0303, cipher: 0xc030,
			exts:    []ext{{0x0005, nil}, {0x0017, nil}, plainExt(0xff01), {0x0000, nil}},
			want:    "t120400_c030_4e8089b08790",
			wantRaw: "t120400_c030_0005,0017,ff01,0000",
		},
		{
			name: "readme_sliver", version: 0x0303, cipher: 0x1301,
			exts: []ext{sv13, ks}, want: "t130200_1301_a56c5b993250", wantRaw: "t130200_1301_002b,0033",
		},
		{
			name: "readme_softether", version: 0x0303, cipher: 0x1302,
			exts: []ext{sv13, ks}, want: "t130200_1302_a56c5b993250",
		},
		{
			name: "readme_icedid", version: 0x0303, cipher: 0xc030,
			exts: []ext{plainExt(0xff01), {0x0023, nil}, {0x0017, nil}}, want: "t120300_c030_5e2616a54c73",
		},
		{
			// Order matters: key_share first gives another hash.
			name: "snapshot_sigalg_grease", version: 0x0303, cipher: 0x1302,
			exts: []ext{ks, sv13}, want: "t130200_1302_234ea6891581", wantRaw: "t130200_1302_0033,002b",
		},
		{
			name: "alpn_chosen", version: 0x0303, cipher: 0xc02f,
			exts:    []ext{plainExt(0xff01), alpnExt("http/1.1")},
			wantRaw: "t1202h1_c02f_ff01,0010",
		},
		{
			name: "no_extensions", version: 0x0301, cipher: 0x002f,
			want: "t100000_002f_000000000000", wantRaw: "t100000_002f_",
		},
		{
			// A ServerHello selecting a TLS 1.3 draft.
			name: "draft_version", version: 0x0303, cipher: 0x1301,
			exts:    []ext{{0x002b, []byte{0x7f, 0x1c}}},
			wantRaw: "t000100_1301_002b",
		},
		{
			name: "grease_dropped", version: 0x0303, cipher: 0xc02f,
			exts:    []ext{{0x0a0a, nil}, plainExt(0xff01)},
			wantRaw: "t120100_c02f_ff01",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, raw := JA4S(parseSH(t, serverHelloBytes(tc.version, tc.cipher, tc.exts)))
			if tc.want != "" {
				assert.Equal(t, tc.want, got)
			}
			if tc.wantRaw != "" {
				assert.Equal(t, tc.wantRaw, raw)
			}
			// The hash is the raw extension list hashed.
			head := raw[:len("t000000_0000_")]
			assert.Equal(t, head+hash12(t, raw[len(head):]), got)
		})
	}
}

// TestJA4SHelloRetryRequest: a HelloRetryRequest is fingerprinted like any
// ServerHello; its version comes from its supported_versions.
func TestJA4SHelloRetryRequest(t *testing.T) {
	body := serverHelloBytes(0x0303, 0x1301, []ext{{0x002b, []byte{0x03, 0x04}}, {0x0033, []byte{0x00, 0x17}}})
	copy(body[2:34], []byte{
		0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
		0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
	})
	sh := parseSH(t, body)
	assert.True(t, sh.HelloRetry)
	got, raw := JA4S(sh)
	assert.Equal(t, "t130200_1301_002b,0033", raw)
	assert.Equal(t, "t130200_1301_a56c5b993250", got)
}
