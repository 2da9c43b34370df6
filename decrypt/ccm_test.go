package decrypt

import (
	"crypto/aes"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// CCM known answers. RFC 3610, Section 8: Packet Vector #1 (M=8, L=2,
// 13-byte nonce). NIST SP 800-38C, Appendix C: Examples 1-3 (4-, 6- and
// 8-byte tags; 7-, 8- and 12-byte nonces). Ciphertexts include the tag.
func TestCCMVectors(t *testing.T) {
	for _, tc := range []struct {
		name, key, nonce, aad, plain, sealed string
		tagLen                               int
	}{
		{"RFC 3610 packet vector 1", "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "00000003020100a0a1a2a3a4a5", "0001020304050607",
			"08090a0b0c0d0e0f101112131415161718191a1b1c1d1e",
			"588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0", 8},
		{"SP 800-38C C.1", "404142434445464748494a4b4c4d4e4f", "10111213141516", "0001020304050607",
			"20212223", "7162015b4dac255d", 4},
		{"SP 800-38C C.2", "404142434445464748494a4b4c4d4e4f", "1011121314151617", "000102030405060708090a0b0c0d0e0f",
			"202122232425262728292a2b2c2d2e2f", "d2a1f0e051ea5f62081a7792073d593d1fc64fbfaccd", 6},
		{"SP 800-38C C.3", "404142434445464748494a4b4c4d4e4f", "101112131415161718191a1b", "000102030405060708090a0b0c0d0e0f10111213",
			"202122232425262728292a2b2c2d2e2f3031323334353637",
			"e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5484392fbc1b09951", 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := aes.NewCipher(unhex(t, tc.key))
			require.NoError(t, err)
			nonce := unhex(t, tc.nonce)
			c, err := newCCM(b, len(nonce), tc.tagLen)
			require.NoError(t, err)
			aad, plain := unhex(t, tc.aad), unhex(t, tc.plain)
			assert.Equal(t, tc.sealed, hex.EncodeToString(c.Seal(nil, nonce, plain, aad)))
			got, err := c.Open(nil, nonce, unhex(t, tc.sealed), aad)
			require.NoError(t, err)
			assert.Equal(t, plain, got)

			// Any flipped bit, in tag, ciphertext or AAD, fails.
			sealed := unhex(t, tc.sealed)
			for i := range sealed {
				bad := append([]byte{}, sealed...)
				bad[i] ^= 0x01
				_, err := c.Open(nil, nonce, bad, aad)
				assert.Error(t, err, "byte %d flipped", i)
			}
			badAAD := append([]byte{}, aad...)
			badAAD[0] ^= 0x80
			_, err = c.Open(nil, nonce, sealed, badAAD)
			assert.Error(t, err)
			_, err = c.Open(nil, nonce, sealed[:tc.tagLen-1], aad)
			assert.Error(t, err, "shorter than the tag")
		})
	}
}

func TestCCMParams(t *testing.T) {
	b, err := aes.NewCipher(make([]byte, 16))
	require.NoError(t, err)
	for _, tc := range []struct{ nonce, tag int }{{6, 16}, {14, 16}, {12, 3}, {12, 18}, {12, 7}} {
		_, err := newCCM(b, tc.nonce, tc.tag)
		assert.Error(t, err, "nonce %d tag %d", tc.nonce, tc.tag)
	}
	// A long AAD takes the 0xfffe length encoding (RFC 3610, Section 2.2):
	// sealing and opening agree.
	c, err := newCCM(b, 12, 16)
	require.NoError(t, err)
	aad := make([]byte, 70000)
	nonce := make([]byte, 12)
	sealed := c.Seal(nil, nonce, []byte("x"), aad)
	got, err := c.Open(nil, nonce, sealed, aad)
	require.NoError(t, err)
	assert.Equal(t, []byte("x"), got)
}
