package decrypt

import (
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
)

// CCM (Counter with CBC-MAC) for a 128-bit block cipher, as RFC 3610 and
// NIST SP 800-38C define it. The standard library has no CCM; TLS uses it
// with a 12-byte nonce and a 16- or 8-byte tag (RFC 6655, RFC 8446).
//
// Notation of RFC 3610, Section 2: M is the tag length (4..16, even), L the
// size of the length field (2..8), the nonce is 15-L bytes.
//
//	B_0   = Flags | Nonce N | l(m)          Flags = 64*Adata + 8*M' + L'
//	                                        M' = (M-2)/2, L' = L-1
//	A_i   = Flags' | Nonce N | Counter i    Flags' = L'
//	T     = first M bytes of the CBC-MAC over B_0, the encoded AAD, the message
//	U     = T XOR first M bytes of E(K, A_0)
//	C     = message XOR E(K, A_1) | E(K, A_2) | ...
type ccm struct {
	b        cipher.Block
	nonceLen int
	tagLen   int
}

var errCCMOpen = errors.New("decrypt: ccm: message authentication failed")

// newCCM returns a CCM AEAD over the 16-byte block cipher b. nonceLen is 7
// to 13 and tagLen an even number from 4 to 16.
func newCCM(b cipher.Block, nonceLen, tagLen int) (cipher.AEAD, error) {
	if b.BlockSize() != 16 {
		return nil, errors.New("decrypt: ccm: needs a 128-bit block cipher")
	}
	if nonceLen < 7 || nonceLen > 13 {
		return nil, errors.New("decrypt: ccm: nonce length must be 7 to 13 bytes")
	}
	if tagLen < 4 || tagLen > 16 || tagLen%2 != 0 {
		return nil, errors.New("decrypt: ccm: tag length must be an even number from 4 to 16")
	}
	return &ccm{b: b, nonceLen: nonceLen, tagLen: tagLen}, nil
}

func (c *ccm) NonceSize() int { return c.nonceLen }
func (c *ccm) Overhead() int  { return c.tagLen }

// maxLen is the longest message the length field holds.
func (c *ccm) maxLen() uint64 {
	l := 15 - c.nonceLen
	if l >= 8 {
		return 1<<63 - 1
	}
	return 1<<(8*l) - 1
}

// mac computes T over the AAD and plaintext.
func (c *ccm) mac(nonce, aad, plain []byte) [16]byte {
	var x, blk [16]byte
	l := 15 - c.nonceLen
	flags := byte((c.tagLen-2)/2)<<3 | byte(l-1)
	if len(aad) > 0 {
		flags |= 0x40
	}
	blk[0] = flags
	copy(blk[1:], nonce)
	var lenBuf [8]byte
	binary.BigEndian.PutUint64(lenBuf[:], uint64(len(plain)))
	copy(blk[16-l:], lenBuf[8-l:])
	c.b.Encrypt(x[:], blk[:])

	// absorb XORs data into the running CBC-MAC, padding the last block
	// with zeros.
	absorb := func(data []byte) {
		for len(data) > 0 {
			n := min(16, len(data))
			for i := 0; i < n; i++ {
				x[i] ^= data[i]
			}
			c.b.Encrypt(x[:], x[:])
			data = data[n:]
		}
	}
	if len(aad) > 0 {
		// RFC 3610, Section 2.2: l(a) as 2 bytes below 2^16-2^8, else
		// 0xfffe and 4 bytes, else 0xffff and 8 bytes; then the AAD, the
		// whole padded to a block boundary.
		var hdr []byte
		switch n := uint64(len(aad)); {
		case n < 1<<16-1<<8:
			hdr = binary.BigEndian.AppendUint16(nil, uint16(n))
		case n <= 1<<32-1:
			hdr = binary.BigEndian.AppendUint32([]byte{0xff, 0xfe}, uint32(n))
		default:
			hdr = binary.BigEndian.AppendUint64([]byte{0xff, 0xff}, n)
		}
		absorb(append(hdr, aad...))
	}
	absorb(plain)
	return x
}

// ctr XORs src with the key stream starting at counter 1 into dst and
// returns E(K, A_0), which masks the tag.
func (c *ccm) ctr(dst, src, nonce []byte) [16]byte {
	var a, s0, ks [16]byte
	l := 15 - c.nonceLen
	a[0] = byte(l - 1)
	copy(a[1:], nonce)
	c.b.Encrypt(s0[:], a[:])
	var ctr uint64 = 1
	for len(src) > 0 {
		var cb [8]byte
		binary.BigEndian.PutUint64(cb[:], ctr)
		copy(a[16-l:], cb[8-l:])
		c.b.Encrypt(ks[:], a[:])
		n := min(16, len(src))
		subtle.XORBytes(dst[:n], src[:n], ks[:n])
		dst, src = dst[n:], src[n:]
		ctr++
	}
	return s0
}

func (c *ccm) Seal(dst, nonce, plaintext, additionalData []byte) []byte {
	if len(nonce) != c.nonceLen || uint64(len(plaintext)) > c.maxLen() {
		panic("decrypt: ccm: bad nonce length or message too long") // programmer error, as crypto/cipher does
	}
	t := c.mac(nonce, additionalData, plaintext)
	ret, out := sliceForAppend(dst, len(plaintext)+c.tagLen)
	s0 := c.ctr(out, plaintext, nonce)
	subtle.XORBytes(out[len(plaintext):], t[:c.tagLen], s0[:c.tagLen])
	return ret
}

func (c *ccm) Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error) {
	if len(nonce) != c.nonceLen || len(ciphertext) < c.tagLen {
		return nil, errCCMOpen
	}
	n := len(ciphertext) - c.tagLen
	if uint64(n) > c.maxLen() {
		return nil, errCCMOpen
	}
	ret, out := sliceForAppend(dst, n)
	s0 := c.ctr(out, ciphertext[:n], nonce)
	t := c.mac(nonce, additionalData, out)
	var want [16]byte
	subtle.XORBytes(want[:c.tagLen], t[:c.tagLen], s0[:c.tagLen])
	if subtle.ConstantTimeCompare(want[:c.tagLen], ciphertext[n:]) != 1 {
		clear(out)
		return nil, errCCMOpen
	}
	return ret, nil
}

// sliceForAppend extends in by n bytes and returns the whole slice and the
// new tail, as crypto/cipher's AEADs do.
func sliceForAppend(in []byte, n int) (head, tail []byte) {
	if total := len(in) + n; cap(in) >= total {
		head = in[:total]
	} else {
		head = make([]byte, total)
		copy(head, in)
	}
	tail = head[len(in):]
	return
}
