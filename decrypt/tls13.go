package decrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"strconv"

	"golang.org/x/crypto/chacha20poly1305"
)

// TLS 1.3 record protection (RFC 8446, Section 5.2):
//
//	struct {
//	    opaque content[TLSPlaintext.length];
//	    ContentType type;
//	    uint8 zeros[length_of_padding];
//	} TLSInnerPlaintext;
//
//	nonce = write_iv XOR (64-bit sequence number, left-padded to iv_length)
//	additional_data = TLSCiphertext.opaque_type || legacy_record_version || length
type aead13 struct {
	aead cipher.AEAD
	iv   [12]byte
}

// newAEAD makes the suite's AEAD for key, with a 12-byte nonce.
func (s suite) newAEAD(key []byte) (cipher.AEAD, error) {
	switch s.kind {
	case cipherChaCha20:
		return chacha20poly1305.New(key)
	case cipherGCM, cipherCCM, cipherCCM8:
		b, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		if s.kind == cipherGCM {
			return cipher.NewGCM(b)
		}
		return newCCM(b, 12, s.tagLen())
	}
	panic("decrypt: newAEAD on a non-AEAD suite")
}

// trafficKeys derives the record keys of a TLS 1.3 traffic secret
// (RFC 8446, Section 7.3).
func (c *Conn) trafficKeys(secret []byte) (protector, error) {
	key, err := expandLabel(c.suite.prf, secret, "key", nil, c.suite.keyLen)
	if err != nil {
		return nil, err
	}
	iv, err := expandLabel(c.suite.prf, secret, "iv", nil, 12)
	if err != nil {
		return nil, err
	}
	a, err := c.suite.newAEAD(key)
	if err != nil {
		return nil, err
	}
	p := &aead13{aead: a}
	copy(p.iv[:], iv)
	return p, nil
}

func (p *aead13) open(seq uint64, typ uint8, version uint16, body []byte) (uint8, []byte, Code, string) {
	if len(body) < p.aead.Overhead()+1 {
		return 0, nil, CodeRecordMalformed, "record shorter than the AEAD tag and content type"
	}
	nonce := p.iv
	var sb [8]byte
	binary.BigEndian.PutUint64(sb[:], seq)
	for i := range sb {
		nonce[4+i] ^= sb[i]
	}
	aad := [5]byte{typ, byte(version >> 8), byte(version), byte(len(body) >> 8), byte(len(body))}
	plain, err := p.aead.Open(nil, nonce[:], body, aad[:])
	if err != nil {
		return 0, nil, CodeAuthFailed, "authentication failed"
	}
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 {
		return 0, nil, CodeRecordMalformed, "inner plaintext is all padding: no content type (RFC 8446, Section 5.4)"
	}
	return plain[i], plain[:i:i], "", ""
}

// secret13 returns the traffic secret for (epoch, gen) of a direction,
// looking the client random up again when the key log lacked it (a live
// key log file may have grown).
func (c *Conn) secret13(d *direction, epoch Epoch, gen int) ([]byte, string) {
	var label string
	var get func(*Secrets) []byte
	switch {
	case epoch == EpochEarly:
		label, get = LabelClientEarlyTraffic, func(s *Secrets) []byte { return s.ClientEarlyTraffic }
	case epoch == EpochHandshake && d.dir == Client:
		label, get = LabelClientHandshakeTraffic, func(s *Secrets) []byte { return s.ClientHandshakeTraffic }
	case epoch == EpochHandshake:
		label, get = LabelServerHandshakeTraffic, func(s *Secrets) []byte { return s.ServerHandshakeTraffic }
	case d.dir == Client:
		label, get = LabelClientTraffic0, func(s *Secrets) []byte { return s.ClientTraffic0 }
	default:
		label, get = LabelServerTraffic0, func(s *Secrets) []byte { return s.ServerTraffic0 }
	}
	sec := get(c.sec)
	if sec == nil && c.keys != nil {
		if s, ok := again(c.keys, c.p.ClientRandom); ok {
			c.sec = s
			sec = get(s)
		}
	}
	if sec == nil {
		return nil, label
	}
	if epoch != EpochApplication || gen == 0 {
		return sec, label
	}
	// RFC 8446, Section 7.2:
	// application_traffic_secret_N+1 = HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
	if d.epoch == EpochApplication && d.appSecret != nil && gen >= d.gen {
		sec, gen = d.appSecret, gen-d.gen
	}
	for ; gen > 0; gen-- {
		next, err := expandLabel(c.suite.prf, sec, "traffic upd", nil, c.suite.prf.Size())
		if err != nil {
			return nil, label
		}
		sec = next
	}
	return sec, label
}

// keys13 returns the protector for (epoch, gen), or why there is none.
func (c *Conn) keys13(d *direction, epoch Epoch, gen int) (protector, []byte, *Error) {
	sec, label := c.secret13(d, epoch, gen)
	if sec == nil {
		return nil, nil, &Error{Code: CodeMissingSecret, Msg: "the key log has no " + label + " for this client random"}
	}
	if len(sec) != c.suite.prf.Size() {
		return nil, nil, &Error{Code: CodeBadParams, Msg: label + " has the wrong length for " + c.suite.name}
	}
	p, err := c.trafficKeys(sec)
	if err != nil {
		return nil, nil, &Error{Code: CodeBadParams, Msg: "deriving keys from " + label + ": " + err.Error()}
	}
	return p, sec, nil
}

// enter switches a direction to (epoch, gen) with sequence number 0.
func (d *direction) enter(epoch Epoch, gen int, p protector, sec []byte) {
	d.epoch, d.gen, d.prot, d.seq = epoch, gen, p, 0
	d.appSecret = nil
	if epoch == EpochApplication {
		d.appSecret = sec
	}
	d.hs = hsScanner{}
}

// keyCache holds the keys derived for one record's candidates.
type keyCache struct {
	epoch Epoch
	gen   int
	p     protector
	sec   []byte
	err   *Error
}

// try opens a record with the keys of (epoch, gen) at seq; kc keeps the
// keys of the last (epoch, gen) asked for, so a gap search derives them once.
func (c *Conn) try(d *direction, kc *keyCache, epoch Epoch, gen int, seq uint64, typ uint8, version uint16, body []byte) (protector, []byte, uint8, []byte, *Error) {
	if kc.p == nil && kc.err == nil || kc.epoch != epoch || kc.gen != gen {
		*kc = keyCache{epoch: epoch, gen: gen}
		if epoch == d.epoch && gen == d.gen && d.prot != nil {
			kc.p, kc.sec = d.prot, d.appSecret
		} else {
			kc.p, kc.sec, kc.err = c.keys13(d, epoch, gen)
		}
	}
	if kc.err != nil {
		e := *kc.err
		return nil, nil, 0, nil, &e
	}
	inner, plain, code, msg := kc.p.open(seq, typ, version, body)
	if code != "" {
		return kc.p, kc.sec, 0, nil, &Error{Code: code, Msg: msg + " with " + epochKeys(epoch, gen)}
	}
	return kc.p, kc.sec, inner, plain, nil
}

func epochKeys(e Epoch, gen int) string {
	if e == EpochApplication && gen > 0 {
		return "application keys (generation " + strconv.Itoa(gen) + ")"
	}
	return e.String() + " keys"
}

// record13 follows RFC 8446's key schedule per direction: 0-RTT keys
// (client, when early_data was offered) until EndOfEarlyData, handshake
// keys until the direction's Finished, then application keys, moved on by
// each KeyUpdate. When the current keys fail, the next keys are tried at
// sequence number 0, which also covers a 0-RTT attempt the server
// rejected (the client then sends no EndOfEarlyData) and a capture that
// lost a Finished or KeyUpdate.
func (c *Conn) record13(d *direction, typ uint8, version uint16, body []byte) (Plaintext, error) {
	if typ != typeApplicationData {
		// ClientHello, ServerHello, HelloRetryRequest, the compatibility
		// ChangeCipherSpec and plaintext alerts (RFC 8446, Section 5).
		return passThrough(typ, body), nil
	}
	seq := d.seq
	epoch, gen := d.epoch, d.gen
	// The next keys, from sequence number 0.
	nextEpoch, nextGen := EpochApplication, 0
	switch epoch {
	case EpochEarly:
		nextEpoch = EpochHandshake
	case EpochApplication:
		nextGen = gen + 1
	}
	// Candidates in order: the expected keys and sequence number, the
	// next keys from 0; after a Gap, later sequence numbers of both.
	type cand struct {
		epoch Epoch
		gen   int
		seq   uint64
		lost  uint64
	}
	cands := []cand{{epoch, gen, seq, 0}, {nextEpoch, nextGen, 0, 0}}
	if d.gap {
		for k := uint64(1); k <= maxGapRecords; k++ {
			cands = append(cands, cand{epoch, gen, seq + k, k})
		}
		for k := uint64(1); k <= maxGapRecords; k++ {
			cands = append(cands, cand{nextEpoch, nextGen, k, k})
		}
	}
	var p protector
	var sec, plain []byte
	var inner uint8
	var e *Error
	var lost uint64
	var kc keyCache
	for i, cd := range cands {
		p2, sec2, inner2, plain2, e2 := c.try(d, &kc, cd.epoch, cd.gen, cd.seq, typ, version, body)
		if i == 0 {
			p, sec, inner, plain, e = p2, sec2, inner2, plain2, e2
			if e == nil || e.Code == CodeRecordMalformed {
				break
			}
			continue
		}
		if e2 != nil {
			continue
		}
		if cd.epoch != epoch || cd.gen != gen {
			switch epoch {
			case EpochApplication:
				c.stats.KeyUpdates[d.dir]++ // a KeyUpdate this capture did not show
			case EpochEarly:
				if c.sec.ClientEarlyTraffic != nil {
					c.stats.EarlyRejected = true
				}
			}
			d.enter(cd.epoch, cd.gen, p2, sec2)
		}
		p, sec, inner, plain, e = p2, sec2, inner2, plain2, nil
		epoch, gen, seq, lost = cd.epoch, cd.gen, cd.seq, cd.lost
		break
	}
	if e != nil {
		d.seq++
		d.hs = hsScanner{lost: true}
		d.gapFailed()
		if d.epoch == EpochEarly && !d.opened {
			c.stats.EarlySkipped++
			e.Code = CodeEarlyDataSkipped
			e.Msg += "; neither the early nor the handshake keys open it: taken as 0-RTT data the server rejected, and skipped"
		}
		e.Dir, e.Record, e.Seq = d.dir, d.records, seq
		return Plaintext{}, e
	}
	d.gap = false
	if d.prot == nil || d.epoch != epoch {
		d.enter(epoch, gen, p, sec)
	}
	d.prot = p
	d.seq = seq + 1
	if epoch != EpochEarly {
		d.opened = true
	} else {
		c.stats.EarlyData++
	}
	pt := Plaintext{Type: inner, Data: plain, Decrypted: true, Epoch: epoch, Generation: gen, Seq: seq, Lost: lost}

	// Move the key schedule on after the record whose message ends the
	// epoch (handshake messages do not span key changes, RFC 8446 Section 5.1).
	if inner == typeHandshake {
		var finished, eoed, keyUpdate bool
		d.hs.feed(plain, func(t uint8) {
			switch t {
			case hsEndOfEarlyData:
				eoed = true
			case hsFinished:
				finished = true
			case hsKeyUpdate:
				keyUpdate = true
			}
		})
		switch {
		case epoch == EpochEarly && eoed:
			c.advance(d, EpochHandshake, 0)
		case epoch == EpochHandshake && finished:
			c.advance(d, EpochApplication, 0)
		case epoch == EpochApplication && keyUpdate:
			c.stats.KeyUpdates[d.dir]++
			c.advance(d, EpochApplication, gen+1)
		}
	}
	return pt, nil
}

// advance moves a direction to new keys, derived when first needed.
func (c *Conn) advance(d *direction, epoch Epoch, gen int) {
	var sec []byte
	if epoch == EpochApplication && gen > 0 && d.appSecret != nil {
		next, err := expandLabel(c.suite.prf, d.appSecret, "traffic upd", nil, c.suite.prf.Size())
		if err == nil {
			sec = next
		}
	}
	d.enter(epoch, gen, nil, sec)
	if sec == nil {
		return
	}
	if p, err := c.trafficKeys(sec); err == nil {
		d.prot = p
	}
}

// hsScanner finds handshake message boundaries in a direction's stream
// of decrypted handshake bytes (msg_type u8, length u24, body), without
// keeping the bodies.
type hsScanner struct {
	hdr    [4]byte
	n      int // header bytes seen
	remain int // body bytes still to come
	lost   bool
}

// feed calls done with the type of each message that ends in b.
func (s *hsScanner) feed(b []byte, done func(uint8)) {
	if s.lost {
		// A record failed mid-stream: start over at this record, which is
		// most likely the start of a message.
		*s = hsScanner{}
	}
	for len(b) > 0 {
		if s.n < 4 {
			k := copy(s.hdr[s.n:], b)
			s.n += k
			b = b[k:]
			if s.n < 4 {
				return
			}
			s.remain = int(s.hdr[1])<<16 | int(s.hdr[2])<<8 | int(s.hdr[3])
		}
		k := min(s.remain, len(b))
		s.remain -= k
		b = b[k:]
		if s.remain == 0 {
			done(s.hdr[0])
			s.n = 0
		}
	}
}
