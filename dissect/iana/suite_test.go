package iana

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCipherSuiteInfo(t *testing.T) {
	type flags struct{ aead, fs, export, tls13 bool }
	tests := []struct {
		code                    uint16
		name, kx, auth, ciph, m string
		f                       flags
	}{
		// TLS 1.3 (RFC 8446 B.4) and TLS 1.3-style names.
		{0x1301, "TLS_AES_128_GCM_SHA256", "any", "any", "AES_128_GCM", "SHA256", flags{aead: true, fs: true, tls13: true}},
		{0x1303, "TLS_CHACHA20_POLY1305_SHA256", "any", "any", "CHACHA20_POLY1305", "SHA256", flags{aead: true, fs: true, tls13: true}},
		{0x1305, "TLS_AES_128_CCM_8_SHA256", "any", "any", "AES_128_CCM_8", "SHA256", flags{aead: true, fs: true, tls13: true}},
		{0x1306, "TLS_AEGIS_256_SHA512", "any", "any", "AEGIS_256", "SHA512", flags{aead: true, fs: true, tls13: true}},
		{0x00C6, "TLS_SM4_GCM_SM3", "any", "any", "SM4_GCM", "SM3", flags{aead: true, fs: true, tls13: true}},
		{0x006E, "TLS_ASCONAEAD128_ASCONHASH256", "any", "any", "ASCONAEAD128", "ASCONHASH256", flags{aead: true, fs: true, tls13: true}},
		{0xC0B4, "TLS_SHA256_SHA256", "any", "any", "NULL", "SHA256", flags{fs: true, tls13: true}},                                                          // RFC 9150 integrity only
		{0xC103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L", "any", "any", "KUZNYECHIK_MGM_L", "GOSTR341112_256", flags{aead: true, fs: true, tls13: true}}, // RFC 9367
		// ECDHE / DHE.
		{0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE", "RSA", "AES_128_GCM", "SHA256", flags{aead: true, fs: true}},
		{0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE", "ECDSA", "AES_256_GCM", "SHA384", flags{aead: true, fs: true}},
		{0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE", "RSA", "CHACHA20_POLY1305", "SHA256", flags{aead: true, fs: true}},
		{0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE", "RSA", "AES_128_CBC", "SHA", flags{fs: true}},
		{0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE", "RSA", "AES_128_CBC", "SHA", flags{fs: true}},
		{0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "ECDHE", "ECDSA", "AES_128_CCM", "SHA256", flags{aead: true, fs: true}}, // PRF hash, RFC 7251
		// Static RSA and (EC)DH, anonymous.
		{0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "RSA", "RSA", "3DES_EDE_CBC", "SHA", flags{}},
		{0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA", "RSA", "AES_128_GCM", "SHA256", flags{aead: true}},
		{0xC09C, "TLS_RSA_WITH_AES_128_CCM", "RSA", "RSA", "AES_128_CCM", "SHA256", flags{aead: true}}, // PRF hash, RFC 6655
		{0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RSA", "RSA", "RC4_128", "MD5", flags{}},
		{0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", "DH", "RSA", "AES_128_CBC", "SHA", flags{}},
		{0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", "ECDH", "ECDSA", "AES_256_CBC", "SHA", flags{}},
		{0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "DH", "anon", "AES_128_CBC", "SHA", flags{}},
		{0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "ECDH", "anon", "AES_128_CBC", "SHA", flags{}},
		// NULL.
		{0x0000, "TLS_NULL_WITH_NULL_NULL", "NULL", "NULL", "NULL", "NULL", flags{}},
		{0x0002, "TLS_RSA_WITH_NULL_SHA", "RSA", "RSA", "NULL", "SHA", flags{}},
		// PSK family.
		{0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA", "PSK", "PSK", "AES_128_CBC", "SHA", flags{}},
		{0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", "DHE", "PSK", "AES_128_GCM", "SHA256", flags{aead: true, fs: true}},
		{0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", "ECDHE", "PSK", "AES_128_CBC", "SHA", flags{fs: true}},
		{0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA", "RSA", "PSK", "AES_128_CBC", "SHA", flags{}},
		{0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8", "DHE", "PSK", "AES_128_CCM_8", "SHA256", flags{aead: true, fs: true}},
		// SRP, KRB5, ECCPWD, GOST (TLS 1.2).
		{0xC01A, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA", "SRP", "SRP", "3DES_EDE_CBC", "SHA", flags{fs: true}},
		{0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", "SRP", "RSA", "AES_128_CBC", "SHA", flags{fs: true}},
		{0x001F, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA", "KRB5", "KRB5", "3DES_EDE_CBC", "SHA", flags{}},
		{0xC0B0, "TLS_ECCPWD_WITH_AES_128_GCM_SHA256", "ECCPWD", "ECCPWD", "AES_128_GCM", "SHA256", flags{aead: true, fs: true}},
		{0xC102, "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT", "GOSTR341112_256", "GOSTR341112_256", "28147_CNT", "IMIT", flags{}},
		// EXPORT.
		{0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "RSA", "RSA", "RC4_40", "MD5", flags{export: true}},
		{0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "DHE", "RSA", "DES40_CBC", "SHA", flags{fs: true, export: true}},
		{0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", "DH", "anon", "DES40_CBC", "SHA", flags{export: true}},
		{0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA", "KRB5", "KRB5", "DES_CBC_40", "SHA", flags{export: true}},
		// Overlay names.
		{0x0063, "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA", "DHE", "DSS", "DES_CBC", "SHA", flags{fs: true, export: true}},
		{0xCC13, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD", "ECDHE", "RSA", "CHACHA20_POLY1305", "SHA256", flags{aead: true, fs: true}},
		{0xFFE0, "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA_2", "RSA", "RSA", "3DES_EDE_CBC", "SHA", flags{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := CipherSuiteInfo(tt.code)
			require.True(t, ok)
			assert.Equal(t, SuiteInfo{
				Name:           tt.name,
				KeyExchange:    tt.kx,
				Authentication: tt.auth,
				Cipher:         tt.ciph,
				MAC:            tt.m,
				AEAD:           tt.f.aead,
				ForwardSecrecy: tt.f.fs,
				Export:         tt.f.export,
				TLS13:          tt.f.tls13,
			}, got)
		})
	}
}

func TestCipherSuiteInfoNotASuite(t *testing.T) {
	for _, code := range []uint16{0x00FF, 0x5600} { // the two SCSVs
		name, _ := CipherSuiteName(code)
		got, ok := CipherSuiteInfo(code)
		require.True(t, ok, "0x%04X", code)
		assert.Equal(t, SuiteInfo{Name: name}, got, "0x%04X", code)
	}
	for _, code := range []uint16{0x0A0A, 0xCACA, 0x1308, 0xFF00} { // GREASE and unknown
		got, ok := CipherSuiteInfo(code)
		assert.False(t, ok, "0x%04X", code)
		assert.Equal(t, SuiteInfo{}, got, "0x%04X", code)
	}
}

// TestCipherSuiteInfoCoversEveryName parses every named suite, so that a
// refreshed registry with a new naming shape fails here instead of
// producing empty report fields.
func TestCipherSuiteInfoCoversEveryName(t *testing.T) {
	n := 0
	for c := 0; c <= 0xFFFF; c++ {
		name, ok := CipherSuiteName(uint16(c))
		if !ok || IsGREASE(uint16(c)) {
			continue
		}
		n++
		si, ok := CipherSuiteInfo(uint16(c))
		require.True(t, ok, name)
		assert.Equal(t, name, si.Name)
		if strings.HasSuffix(name, "_SCSV") {
			continue
		}
		msg := fmt.Sprintf("0x%04X %s: %+v", c, name, si)
		assert.NotEmpty(t, si.KeyExchange, msg)
		assert.NotEmpty(t, si.Authentication, msg)
		assert.NotEmpty(t, si.Cipher, msg)
		assert.NotEmpty(t, si.MAC, msg)
		assert.Equal(t, si.TLS13, si.KeyExchange == "any", msg)
		if si.TLS13 {
			assert.True(t, si.ForwardSecrecy, msg)
			assert.False(t, si.Export, msg)
		}
		assert.Equal(t, strings.Contains(name, "EXPORT"), si.Export, msg)
		if strings.Contains(name, "_GCM") || strings.Contains(name, "_CCM") || strings.Contains(name, "POLY1305") {
			assert.True(t, si.AEAD, msg)
		}
		if strings.Contains(name, "_CBC") || strings.Contains(name, "RC4") {
			assert.False(t, si.AEAD, msg)
		}
	}
	assert.Greater(t, n, 350)
}

func TestSplitCipherMAC(t *testing.T) {
	tests := []struct{ in, cipher, mac string }{
		{"AES_128_CBC_SHA256", "AES_128_CBC", "SHA256"},
		{"3DES_EDE_CBC_SHA", "3DES_EDE_CBC", "SHA"},
		{"NULL_NULL", "NULL", "NULL"},
		{"NULL_SHA384", "NULL", "SHA384"},
		{"AES_256_CCM_8", "AES_256_CCM_8", ""},
		{"CHACHA20_POLY1305_SHA256_OLD", "CHACHA20_POLY1305", "SHA256"},
		{"SHA", "SHA", ""}, // a lone token is a cipher, never a MAC
		{"", "", ""},
	}
	for _, tt := range tests {
		c, m := splitCipherMAC(tt.in)
		assert.Equal(t, tt.cipher, c, tt.in)
		assert.Equal(t, tt.mac, m, tt.in)
	}
}
