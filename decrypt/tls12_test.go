package decrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/rc4"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sealer12 protects records the way a TLS 1.2-or-older sender does,
// written here from RFC 5246 Section 6.2.3 (and RFC 2246 for TLS 1.0's
// chained IV) with the standard library's ciphers, apart from the code
// under test. It covers the suites no OpenSSL here can make a capture
// with: RC4, 3DES and NULL.
type sealer12 struct {
	t       *testing.T
	s       suite
	version uint16
	macKey  []byte
	rc4     *rc4.Cipher
	block   cipher.Block
	iv      []byte // TLS 1.0: the chained IV
	seq     uint64
}

// newSealer12 derives the client's write keys from the key block.
func newSealer12(t *testing.T, code, version uint16, ms, cr, sr []byte) *sealer12 {
	s, ok := lookupSuite(code)
	require.True(t, ok)
	seed := append(append([]byte{}, sr...), cr...)
	macLen := s.mac.Size()
	n := 2*macLen + 2*s.keyLen + 2*s.fixedIVLen()
	var kb []byte
	if version == 0x0303 {
		kb = prf12(s.prf, ms, "key expansion", seed, n)
	} else {
		kb = prf10(ms, "key expansion", seed, n)
	}
	w := &sealer12{t: t, s: s, version: version, macKey: kb[:macLen]}
	key := kb[2*macLen : 2*macLen+s.keyLen]
	iv := kb[2*macLen+2*s.keyLen : 2*macLen+2*s.keyLen+s.fixedIVLen()]
	var err error
	switch {
	case s.kind == cipherRC4:
		w.rc4, err = rc4.NewCipher(key)
	case s.block == block3DES:
		w.block, err = des.NewTripleDESCipher(key)
	case s.kind == cipherCBC:
		w.block, err = aes.NewCipher(key)
	}
	require.NoError(t, err)
	if version == 0x0301 {
		w.iv = append([]byte{}, iv...)
	}
	return w
}

func (w *sealer12) seal(typ uint8, content []byte) []byte {
	mac := hmac.New(w.s.mac.New, w.macKey)
	var h [13]byte
	binary.BigEndian.PutUint64(h[:], w.seq)
	h[8] = typ
	binary.BigEndian.PutUint16(h[9:], w.version)
	binary.BigEndian.PutUint16(h[11:], uint16(len(content)))
	mac.Write(h[:])
	mac.Write(content)
	w.seq++
	plain := append(append([]byte{}, content...), mac.Sum(nil)...)
	switch {
	case w.rc4 != nil:
		w.rc4.XORKeyStream(plain, plain)
		return plain
	case w.block == nil: // NULL cipher
		return plain
	}
	bs := w.block.BlockSize()
	pad := bs - (len(plain)+1)%bs + bs // some extra padding, as allowed
	for i := 0; i <= pad; i++ {
		plain = append(plain, byte(pad))
	}
	iv := w.iv
	var out []byte
	if iv == nil {
		iv = make([]byte, bs)
		for i := range iv {
			iv[i] = byte(w.seq*7 + uint64(i))
		}
		out = append(out, iv...)
	}
	ct := make([]byte, len(plain))
	cipher.NewCBCEncrypter(w.block, iv).CryptBlocks(ct, plain)
	if w.iv != nil {
		w.iv = append([]byte{}, ct[len(ct)-bs:]...)
	}
	return append(out, ct...)
}

func TestSelfSealedTLS12(t *testing.T) {
	cr := unhex(t, cr2)
	sr := unhex(t, strings.Repeat("a5", 32))
	ms := unhex(t, s48)
	keys, _, err := ParseKeyLog(strings.NewReader("CLIENT_RANDOM "+cr2+" "+s48+"\n"), "self")
	require.NoError(t, err)
	for _, tc := range []struct {
		code    uint16
		version uint16
	}{
		{0x0005, 0x0303}, // TLS_RSA_WITH_RC4_128_SHA
		{0x0004, 0x0301}, // TLS_RSA_WITH_RC4_128_MD5
		{0xc011, 0x0303}, // TLS_ECDHE_RSA_WITH_RC4_128_SHA
		{0x000a, 0x0303}, // TLS_RSA_WITH_3DES_EDE_CBC_SHA, explicit IV
		{0x000a, 0x0301}, // the same in TLS 1.0, chained IV
		{0x0002, 0x0303}, // TLS_RSA_WITH_NULL_SHA
		{0x003b, 0x0303}, // TLS_RSA_WITH_NULL_SHA256
		{0x003d, 0x0302}, // TLS_RSA_WITH_AES_256_CBC_SHA256 in TLS 1.1
	} {
		t.Run(fmt.Sprintf("0x%04x/0x%04x", tc.code, tc.version), func(t *testing.T) {
			c, err := New(Params{Version: tc.version, CipherSuite: tc.code, ClientRandom: cr, ServerRandom: sr}, keys)
			require.NoError(t, err)
			w := newSealer12(t, tc.code, tc.version, ms, cr, sr)
			pt, err := c.Record(Client, typeChangeCipherSpec, tc.version, []byte{1})
			require.NoError(t, err)
			assert.False(t, pt.Decrypted)
			finished := []byte{20, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
			recs := []struct {
				typ     uint8
				content []byte
			}{
				{typeHandshake, finished},
				{typeApplicationData, []byte("GET / HTTP/1.1\r\n\r\n")},
				{typeApplicationData, []byte{}},
				{typeApplicationData, []byte(strings.Repeat("x", 1000))},
				{typeAlert, []byte{1, 0}},
			}
			for i, r := range recs {
				body := w.seal(r.typ, r.content)
				if i == 2 && c.suite.kind != cipherCBC || i == 3 && c.suite.kind == cipherCBC {
					// Damage one record: it fails alone, the next ones
					// (RC4 state, TLS 1.0 IV chain) still open. CBC gets
					// its first byte changed: the last block is the next
					// record's IV in TLS 1.0.
					bad := append([]byte{}, body...)
					if c.suite.kind == cipherCBC {
						bad[0] ^= 0x40
					} else {
						bad[len(bad)-1] ^= 0x40
					}
					_, err := c.Record(Client, r.typ, tc.version, bad)
					assert.Equal(t, CodeAuthFailed, codeOf(err), "record %d", i)
					continue
				}
				pt, err := c.Record(Client, r.typ, tc.version, body)
				require.NoError(t, err, "record %d", i)
				assert.True(t, pt.Decrypted)
				assert.Equal(t, r.typ, pt.Type)
				assert.Equal(t, r.content, pt.Data, "record %d", i)
				assert.Equal(t, uint64(i), pt.Seq)
			}
			// A ChangeCipherSpec under encryption: a renegotiation, whose
			// keys this package does not follow.
			pt, err = c.Record(Client, typeChangeCipherSpec, tc.version, w.seal(typeChangeCipherSpec, []byte{1}))
			require.NoError(t, err)
			assert.Equal(t, []byte{1}, pt.Data)
			_, err = c.Record(Client, typeHandshake, tc.version, w.seal(typeHandshake, finished))
			assert.Equal(t, CodeRenegotiation, codeOf(err))
		})
	}
}

// TestCBCMalformed: bodies that no CBC record can be.
func TestCBCMalformed(t *testing.T) {
	cr := unhex(t, cr2)
	keys, _, _ := ParseKeyLog(strings.NewReader("CLIENT_RANDOM "+cr2+" "+s48+"\n"), "self")
	for _, etm := range []bool{false, true} {
		c, err := New(Params{Version: 0x0303, CipherSuite: 0x002f, ClientRandom: cr, ServerRandom: cr, EncryptThenMAC: etm}, keys)
		require.NoError(t, err)
		_, err = c.Record(Server, typeChangeCipherSpec, 0x0303, []byte{1})
		require.NoError(t, err)
		for _, n := range []int{0, 1, 15, 16, 17, 20, 31, 36, 47, 48, 64} {
			_, err := c.Record(Server, typeApplicationData, 0x0303, make([]byte, n))
			require.Error(t, err, "etm %v length %d", etm, n)
			assert.Contains(t, []Code{CodeRecordMalformed, CodeAuthFailed}, codeOf(err))
		}
	}
}
