package decrypt

import (
	"crypto"
	"strings"

	"github.com/padlock-tls/padlock/dissect/iana"

	// The hashes the suites name, linked in for crypto.Hash.New.
	_ "crypto/md5"
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// cipherKind is how a suite protects records.
type cipherKind uint8

const (
	cipherNull     cipherKind = iota + 1 // MAC only (TLS_RSA_WITH_NULL_SHA)
	cipherRC4                            // RC4 stream + HMAC
	cipherCBC                            // block cipher in CBC mode + HMAC
	cipherGCM                            // AES-GCM (RFC 5288, RFC 8446)
	cipherCCM                            // AES-CCM with a 16-byte tag (RFC 6655, RFC 8446)
	cipherCCM8                           // AES-CCM with an 8-byte tag
	cipherChaCha20                       // ChaCha20-Poly1305 (RFC 7905, RFC 8446)
)

// block ciphers for cipherCBC
const (
	blockAES  = "AES"
	block3DES = "3DES"
)

// suite is what record protection needs to know about a cipher suite.
type suite struct {
	code   uint16
	name   string
	tls13  bool
	kind   cipherKind
	block  string      // cipherCBC: blockAES or block3DES
	keyLen int         // bulk cipher key
	mac    crypto.Hash // record MAC (0 for AEAD suites)
	prf    crypto.Hash // TLS 1.2 PRF hash, TLS 1.3 HKDF hash
}

// lookupSuite derives record protection parameters from the suite's IANA
// name (dissect/iana), so every key exchange variant of a supported bulk
// cipher works: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_PSK_WITH_AES_128_CCM,
// TLS_AES_128_CCM_8_SHA256, ... It returns false for suites whose record
// protection this package does not implement (Camellia, ARIA, SM4, GOST,
// export and pre-RFC ChaCha20 suites, ...).
func lookupSuite(code uint16) (suite, bool) {
	si, ok := iana.CipherSuiteInfo(code)
	if !ok || si.Export || si.Cipher == "" || strings.HasSuffix(si.Name, "_OLD") {
		return suite{}, false
	}
	s := suite{code: code, name: si.Name, tls13: si.TLS13}
	switch si.Cipher {
	case "NULL":
		s.kind = cipherNull
	case "RC4_128":
		s.kind, s.keyLen = cipherRC4, 16
	case "AES_128_CBC":
		s.kind, s.block, s.keyLen = cipherCBC, blockAES, 16
	case "AES_256_CBC":
		s.kind, s.block, s.keyLen = cipherCBC, blockAES, 32
	case "3DES_EDE_CBC":
		s.kind, s.block, s.keyLen = cipherCBC, block3DES, 24
	case "AES_128_GCM":
		s.kind, s.keyLen = cipherGCM, 16
	case "AES_256_GCM":
		s.kind, s.keyLen = cipherGCM, 32
	case "AES_128_CCM":
		s.kind, s.keyLen = cipherCCM, 16
	case "AES_256_CCM":
		s.kind, s.keyLen = cipherCCM, 32
	case "AES_128_CCM_8":
		s.kind, s.keyLen = cipherCCM8, 16
	case "AES_256_CCM_8":
		s.kind, s.keyLen = cipherCCM8, 32
	case "CHACHA20_POLY1305":
		s.kind, s.keyLen = cipherChaCha20, 32
	default:
		return suite{}, false
	}
	h, ok := hashByName(si.MAC)
	if !ok {
		return suite{}, false
	}
	aead := s.kind >= cipherGCM
	switch {
	case s.tls13:
		if !aead || s.kind == cipherNull {
			return suite{}, false // RFC 9150 integrity-only suites
		}
		s.prf = h
	case aead:
		s.prf = h // the AEAD suites name their PRF hash
	default:
		// RFC 5246, Section 5: the TLS 1.2 PRF is SHA-256 unless the
		// suite names SHA-384 (RFC 5289, RFC 5487).
		s.mac, s.prf = h, crypto.SHA256
		if h == crypto.SHA384 {
			s.prf = crypto.SHA384
		}
	}
	if s.tls13 && s.prf != crypto.SHA256 && s.prf != crypto.SHA384 {
		return suite{}, false
	}
	return s, true
}

func hashByName(name string) (crypto.Hash, bool) {
	switch name {
	case "MD5":
		return crypto.MD5, true
	case "SHA":
		return crypto.SHA1, true
	case "SHA256":
		return crypto.SHA256, true
	case "SHA384":
		return crypto.SHA384, true
	}
	return 0, false
}

// aead reports an AEAD suite.
func (s suite) aead() bool { return s.kind >= cipherGCM }

// tagLen is the AEAD tag length.
func (s suite) tagLen() int {
	if s.kind == cipherCCM8 {
		return 8
	}
	return 16
}

// blockSize is the CBC block size.
func (s suite) blockSize() int {
	if s.block == block3DES {
		return 8
	}
	return 16
}

// fixedIVLen is the length of the write IV in the TLS 1.2 key block: the
// implicit nonce part for AEAD suites (RFC 5288 Section 3, RFC 6655
// Section 3, RFC 7905 Section 2), the first IV for TLS 1.0 CBC.
func (s suite) fixedIVLen() int {
	switch s.kind {
	case cipherGCM, cipherCCM, cipherCCM8:
		return 4
	case cipherChaCha20:
		return 12
	case cipherCBC:
		return s.blockSize()
	}
	return 0
}
