package decrypt

import (
	"crypto"
	"crypto/hkdf"
	"crypto/hmac"
)

// pHash is P_hash from RFC 5246, Section 5:
//
//	P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
//	                       HMAC_hash(secret, A(2) + seed) + ...
//	A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
func pHash(h crypto.Hash, out, secret, seed []byte) {
	mac := hmac.New(h.New, secret)
	mac.Write(seed)
	a := mac.Sum(nil)
	for len(out) > 0 {
		mac.Reset()
		mac.Write(a)
		mac.Write(seed)
		n := copy(out, mac.Sum(nil))
		out = out[n:]
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(a[:0])
	}
}

// prf12 is the TLS 1.2 PRF with the suite's hash (RFC 5246, Section 5).
func prf12(h crypto.Hash, secret []byte, label string, seed []byte, n int) []byte {
	out := make([]byte, n)
	pHash(h, out, secret, append([]byte(label), seed...))
	return out
}

// prf10 is the TLS 1.0 and 1.1 PRF (RFC 2246, Section 5; RFC 4346,
// Section 5): P_MD5 over the first half of the secret XOR P_SHA-1 over the
// second half, the halves sharing the middle byte when the length is odd.
func prf10(secret []byte, label string, seed []byte, n int) []byte {
	ls := append([]byte(label), seed...)
	half := (len(secret) + 1) / 2
	a := make([]byte, n)
	b := make([]byte, n)
	pHash(crypto.MD5, a, secret[:half], ls)
	pHash(crypto.SHA1, b, secret[len(secret)-half:], ls)
	for i := range a {
		a[i] ^= b[i]
	}
	return a
}

// expandLabel is HKDF-Expand-Label from RFC 8446, Section 7.1:
//
//	struct {
//	    uint16 length = Length;
//	    opaque label<7..255> = "tls13 " + Label;
//	    opaque context<0..255> = Context;
//	} HkdfLabel;
func expandLabel(h crypto.Hash, secret []byte, label string, context []byte, n int) ([]byte, error) {
	full := "tls13 " + label
	info := make([]byte, 0, 4+len(full)+len(context))
	info = append(info, byte(n>>8), byte(n), byte(len(full)))
	info = append(info, full...)
	info = append(info, byte(len(context)))
	info = append(info, context...)
	return hkdf.Expand(h.New, secret, string(info), n)
}
