package decrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/rc4"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
)

// TLS 1.2 and older (RFC 5246, Section 6.3; RFC 4346; RFC 2246):
//
//	key_block = PRF(master_secret, "key expansion", server_random + client_random)
//	client_write_MAC_key, server_write_MAC_key,
//	client_write_key, server_write_key,
//	client_write_IV, server_write_IV
func (c *Conn) initTLS12() error {
	prots, err := keyBlock12(c.suite, c.p, c.sec)
	if err != nil {
		return err
	}
	c.dirs[Client].prot, c.dirs[Server].prot = prots[Client], prots[Server]
	return nil
}

// keyBlock12 derives both directions' keys of a TLS 1.2-or-older
// handshake from its master secret.
func keyBlock12(s suite, p Params, sec *Secrets) ([2]protector, error) {
	var prots [2]protector
	ms := sec.MasterSecret
	if ms == nil {
		return prots, &Error{Code: CodeMissingSecret, Msg: "the key log has no CLIENT_RANDOM (master secret) for client random " + hex.EncodeToString(p.ClientRandom)}
	}
	macLen := 0
	if s.mac != 0 {
		macLen = s.mac.Size()
	}
	ivLen := s.fixedIVLen()
	n := 2*macLen + 2*s.keyLen + 2*ivLen
	seed := append(append([]byte{}, p.ServerRandom...), p.ClientRandom...)
	var kb []byte
	if p.Version == 0x0303 {
		kb = prf12(s.prf, ms, "key expansion", seed, n)
	} else {
		kb = prf10(ms, "key expansion", seed, n)
	}
	take := func(k int) []byte { b := kb[:k:k]; kb = kb[k:]; return b }
	cMAC, sMAC := take(macLen), take(macLen)
	cKey, sKey := take(s.keyLen), take(s.keyLen)
	cIV, sIV := take(ivLen), take(ivLen)
	for i, k := range [2]struct{ mac, key, iv []byte }{{cMAC, cKey, cIV}, {sMAC, sKey, sIV}} {
		pr, err := protector12(s, p, k.mac, k.key, k.iv)
		if err != nil {
			return prots, &Error{Code: CodeBadParams, Msg: "key block: " + err.Error()}
		}
		prots[i] = pr
	}
	return prots, nil
}

// Renegotiate gives a TLS 1.2-or-older Conn the parameters of a
// renegotiation (RFC 5746): the new ClientHello's and ServerHello's, as
// the caller dissected them from decrypted handshake records. The new
// client random is looked up in the Conn's Keys, and each direction
// moves to the new keys after its next ChangeCipherSpec. Without it,
// records after a renegotiation's ChangeCipherSpec fail with
// CodeRenegotiation. The error is New's, for the new parameters.
func (c *Conn) Renegotiate(p Params) error {
	if c.tls13 {
		return &Error{Code: CodeUnsupportedVersion, Msg: "TLS 1.3 has no renegotiation"}
	}
	switch p.Version {
	case 0x0301, 0x0302, 0x0303:
	default:
		return &Error{Code: CodeUnsupportedVersion, Msg: fmt.Sprintf("renegotiation to version 0x%04X is not supported", p.Version)}
	}
	s, ok := lookupSuite(p.CipherSuite)
	if !ok || s.tls13 {
		return &Error{Code: CodeUnsupportedSuite, Msg: fmt.Sprintf("renegotiation to cipher suite 0x%04X is not supported", p.CipherSuite)}
	}
	if len(p.ClientRandom) != 32 || len(p.ServerRandom) != 32 {
		return &Error{Code: CodeBadParams, Msg: "renegotiation: client and server randoms must be 32 bytes"}
	}
	var sec *Secrets
	if c.keys != nil {
		sec, _ = again(c.keys, p.ClientRandom)
	}
	if sec == nil {
		return &Error{Code: CodeNoKey, Msg: "renegotiation: no key for client random " + hex.EncodeToString(p.ClientRandom)}
	}
	prots, err := keyBlock12(s, p, sec)
	if err != nil {
		return err
	}
	for i := range c.dirs {
		c.dirs[i].pending = prots[i]
	}
	c.suite = s
	return nil
}

func protector12(s suite, cp Params, macKey, key, iv []byte) (protector, error) {
	var mac hash.Hash
	if s.mac != 0 {
		mac = hmac.New(s.mac.New, macKey)
	}
	switch s.kind {
	case cipherGCM, cipherCCM, cipherCCM8, cipherChaCha20:
		a, err := s.newAEAD(key)
		if err != nil {
			return nil, err
		}
		return &aead12{aead: a, fixed: iv, chacha: s.kind == cipherChaCha20}, nil
	case cipherCBC:
		var b cipher.Block
		var err error
		if s.block == block3DES {
			b, err = des.NewTripleDESCipher(key)
		} else {
			b, err = aes.NewCipher(key)
		}
		if err != nil {
			return nil, err
		}
		p := &cbc12{block: b, mac: mac, etm: cp.EncryptThenMAC}
		if cp.Version == 0x0301 {
			// TLS 1.0: the key block's IV, then each record's last
			// ciphertext block (RFC 2246, Section 6.2.3.2).
			p.chain = append([]byte{}, iv...)
		}
		return p, nil
	case cipherRC4:
		r, err := rc4.NewCipher(key)
		if err != nil {
			return nil, err
		}
		return &stream12{rc4: r, mac: mac}, nil
	case cipherNull:
		return &stream12{mac: mac}, nil
	}
	panic("decrypt: protector12: unhandled cipher kind")
}

// macHeader is seq_num + type + version + length, the start of every TLS
// 1.2 MAC input and the AEAD additional data (RFC 5246, Sections 6.2.3.1
// and 6.2.3.3).
func macHeader(seq uint64, typ uint8, version uint16, n int) []byte {
	var h [13]byte
	binary.BigEndian.PutUint64(h[:8], seq)
	h[8] = typ
	binary.BigEndian.PutUint16(h[9:11], version)
	binary.BigEndian.PutUint16(h[11:13], uint16(n))
	return h[:]
}

// aead12 is an AEAD suite in TLS 1.2. GCM and CCM (RFC 5288, RFC 6655):
// nonce = 4-byte salt from the key block + 8-byte explicit nonce at the
// start of the record. ChaCha20-Poly1305 (RFC 7905, Section 2): nonce =
// 12-byte IV XOR the padded sequence number, no explicit part.
type aead12 struct {
	aead   cipher.AEAD
	fixed  []byte
	chacha bool
}

func (p *aead12) open(seq uint64, typ uint8, version uint16, body []byte) (uint8, []byte, Code, string) {
	var nonce [12]byte
	if p.chacha {
		copy(nonce[:], p.fixed)
		var sb [8]byte
		binary.BigEndian.PutUint64(sb[:], seq)
		subtle.XORBytes(nonce[4:], nonce[4:], sb[:])
	} else {
		if len(body) < 8 {
			return 0, nil, CodeRecordMalformed, "record shorter than the explicit nonce"
		}
		copy(nonce[:4], p.fixed)
		copy(nonce[4:], body[:8])
		body = body[8:]
	}
	if len(body) < p.aead.Overhead() {
		return 0, nil, CodeRecordMalformed, "record shorter than the AEAD tag"
	}
	aad := macHeader(seq, typ, version, len(body)-p.aead.Overhead())
	plain, err := p.aead.Open(nil, nonce[:], body, aad)
	if err != nil {
		return 0, nil, CodeAuthFailed, "authentication failed"
	}
	return typ, plain, "", ""
}

// cbc12 is a CBC suite: MAC-then-encrypt (RFC 5246, Section 6.2.3.2), or
// encrypt-then-MAC (RFC 7366). TLS 1.1 and 1.2 put an explicit IV first
// in each record; TLS 1.0 chains (chain holds the IV of the next record).
type cbc12 struct {
	block cipher.Block
	mac   hash.Hash
	etm   bool
	chain []byte
}

func (p *cbc12) open(seq uint64, typ uint8, version uint16, body []byte) (uint8, []byte, Code, string) {
	bs := p.block.BlockSize()
	macLen := p.mac.Size()
	iv := p.chain
	ct := body
	if p.etm {
		if len(ct) < macLen {
			return 0, nil, CodeRecordMalformed, "record shorter than its MAC"
		}
		ct = body[:len(body)-macLen]
	}
	if iv == nil {
		if len(ct) < bs {
			return 0, nil, CodeRecordMalformed, "record shorter than its explicit IV"
		}
		iv, ct = ct[:bs], ct[bs:]
	}
	if len(ct) == 0 || len(ct)%bs != 0 {
		return 0, nil, CodeRecordMalformed, "ciphertext is not a whole number of blocks"
	}
	if p.chain != nil {
		// The next record's IV is this record's last block, whether or
		// not this one authenticates.
		defer func(last []byte) { p.chain = last }(append([]byte{}, ct[len(ct)-bs:]...))
	}
	if p.etm {
		// MAC(MAC_write_key, seq_num + type + version + length + IV + ciphertext)
		enc := body[:len(body)-macLen]
		p.mac.Reset()
		p.mac.Write(macHeader(seq, typ, version, len(enc)))
		p.mac.Write(enc)
		if !hmac.Equal(p.mac.Sum(nil), body[len(body)-macLen:]) {
			return 0, nil, CodeAuthFailed, "authentication failed: bad MAC (encrypt_then_mac)"
		}
	}
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(p.block, iv).CryptBlocks(plain, ct)
	pad := int(plain[len(plain)-1])
	trailer := pad + 1
	if !p.etm {
		trailer += macLen
	}
	if trailer > len(plain) {
		return 0, nil, CodeAuthFailed, "authentication failed: bad padding"
	}
	for _, b := range plain[len(plain)-pad-1:] {
		if int(b) != pad {
			return 0, nil, CodeAuthFailed, "authentication failed: bad padding"
		}
	}
	content := plain[:len(plain)-trailer]
	if !p.etm {
		p.mac.Reset()
		p.mac.Write(macHeader(seq, typ, version, len(content)))
		p.mac.Write(content)
		got := plain[len(content) : len(content)+macLen]
		if !hmac.Equal(p.mac.Sum(nil), got) {
			return 0, nil, CodeAuthFailed, "authentication failed: bad MAC"
		}
	}
	return typ, content[:len(content):len(content)], "", ""
}

// stream12 is RC4 (or the NULL cipher) with an HMAC after the content
// (RFC 5246, Section 6.2.3.1). The RC4 state runs on across records.
type stream12 struct {
	rc4 *rc4.Cipher
	mac hash.Hash
}

func (p *stream12) open(seq uint64, typ uint8, version uint16, body []byte) (uint8, []byte, Code, string) {
	plain := make([]byte, len(body))
	if p.rc4 != nil {
		p.rc4.XORKeyStream(plain, body)
	} else {
		copy(plain, body)
	}
	macLen := p.mac.Size()
	if len(plain) < macLen {
		return 0, nil, CodeRecordMalformed, "record shorter than its MAC"
	}
	content := plain[:len(plain)-macLen]
	p.mac.Reset()
	p.mac.Write(macHeader(seq, typ, version, len(content)))
	p.mac.Write(content)
	if !hmac.Equal(p.mac.Sum(nil), plain[len(content):]) {
		return 0, nil, CodeAuthFailed, "authentication failed: bad MAC"
	}
	return typ, content[:len(content):len(content)], "", ""
}

// record12: plaintext until the direction's ChangeCipherSpec, then every
// record under the key block's keys, sequence numbers from 0.
func (c *Conn) record12(d *direction, typ uint8, version uint16, body []byte) (Plaintext, error) {
	if d.epoch == EpochPlaintext {
		if typ == typeChangeCipherSpec {
			d.epoch, d.seq = EpochApplication, 0
		}
		return passThrough(typ, body), nil
	}
	seq := d.seq
	d.seq++
	if d.renegotiated {
		return Plaintext{}, c.fail(d, seq, CodeRenegotiation, "keys from a renegotiation are not followed: the renegotiation's hellos were not given to Renegotiate, or its client random has no key")
	}
	inner, plain, code, msg := d.prot.open(seq, typ, version, body)
	var lost uint64
	if code == CodeAuthFailed && d.gap && seekable(d.prot) {
		for k := uint64(1); k <= maxGapRecords; k++ {
			if i, p, cd, _ := d.prot.open(seq+k, typ, version, body); cd == "" {
				inner, plain, code, lost = i, p, "", k
				seq += k
				d.seq = seq + 1
				break
			}
		}
	}
	if code != "" {
		d.gapFailed()
		return Plaintext{}, c.fail(d, seq, code, "%s", msg)
	}
	d.gap = false
	if inner == typeChangeCipherSpec {
		// A renegotiation's ChangeCipherSpec: the next records use its keys.
		if d.pending != nil {
			d.prot, d.pending, d.seq = d.pending, nil, 0
			c.stats.Renegotiations[d.dir]++
		} else {
			d.renegotiated = true
		}
	}
	return Plaintext{Type: inner, Data: plain, Decrypted: true, Epoch: EpochApplication, Seq: seq, Lost: lost}, nil
}

// seekable reports keys that can open a record at any sequence number:
// AEAD, and CBC with an explicit IV. RC4 and TLS 1.0 CBC carry state from
// record to record.
func seekable(p protector) bool {
	switch p := p.(type) {
	case *aead12:
		return true
	case *cbc12:
		return p.chain == nil
	}
	return false
}
