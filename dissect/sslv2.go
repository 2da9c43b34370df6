package dissect

import (
	"golang.org/x/crypto/cryptobyte"
)

// ssl2ClientHello is the SSLv2 message type of a CLIENT-HELLO.
const ssl2ClientHello = 1

// V2CipherSpecName names an SSLv2 3-byte cipher spec: a TLS cipher suite
// when the first byte is 0 (RFC 5246, Appendix E.2), else one of the SSLv2
// kinds (draft-hickman-netscape-ssl-00, Appendix C), else 0xNNNNNN.
func V2CipherSpecName(spec uint32) string {
	if spec>>16 == 0 {
		return enumName(CipherSuite(spec)).Name
	}
	if n, ok := sslv2CipherKinds[spec]; ok {
		return n
	}
	const digits = "0123456789ABCDEF"
	b := []byte("0x000000")
	for i := 7; i >= 2; i-- {
		b[i] = digits[spec&0xf]
		spec >>= 4
	}
	return string(b)
}

// sslv2CipherKinds are the SSLv2 CIPHER-KINDs (draft-hickman-netscape-ssl-00,
// Appendix C).
var sslv2CipherKinds = map[uint32]string{
	0x010080: "SSL_CK_RC4_128_WITH_MD5",
	0x020080: "SSL_CK_RC4_128_EXPORT40_WITH_MD5",
	0x030080: "SSL_CK_RC2_128_CBC_WITH_MD5",
	0x040080: "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5",
	0x050080: "SSL_CK_IDEA_128_CBC_WITH_MD5",
	0x060040: "SSL_CK_DES_64_CBC_WITH_MD5",
	0x0700C0: "SSL_CK_DES_192_EDE3_CBC_WITH_MD5",
}

// IsSSLv2ClientHello reports whether b starts like an SSLv2-compatible
// CLIENT-HELLO record (2-byte header, msg_type 1, a 3.x or 2.0 version), the
// test a passive observer needs before choosing ParseSSLv2ClientHello over
// the TLS record layer.
func IsSSLv2ClientHello(b []byte) bool {
	return len(b) >= 5 && b[0]&0x80 != 0 && b[2] == ssl2ClientHello &&
		(b[3] == 0x03 || b[3] == 0x00 && b[4] == 0x02)
}

// ParseSSLv2ClientHello decodes a whole SSLv2 record holding a CLIENT-HELLO,
// including its 2-byte (or 3-byte) record header. Error offsets count from
// the start of record. It always returns the part it could read.
//
// Record header (draft-hickman-netscape-ssl-00, "SSL Record Header Format"):
// if the high bit of the first byte is set the header is 2 bytes and the
// length is the low 15 bits; otherwise it is 3 bytes, the length is the low
// 14 bits and the third byte is the padding length.
//
// RFC 5246, Appendix E.2:
//
//	uint8 V2CipherSpec[3];
//	struct {
//	    uint16 msg_length;
//	    uint8 msg_type;           /* 1: CLIENT-HELLO */
//	    Version version;
//	    uint16 cipher_spec_length;
//	    uint16 session_id_length;
//	    uint16 challenge_length;
//	    V2CipherSpec cipher_specs[V2ClientHello.cipher_spec_length];
//	    opaque session_id[V2ClientHello.session_id_length];
//	    opaque challenge[V2ClientHello.challenge_length];
//	} V2ClientHello;
//
// cipher_spec_length is a multiple of 3, session_id_length is 0 or 16
// (draft-hickman), and challenge_length is 16..32 (RFC 5246, Appendix E.2:
// "Historically, permissible values are between 16 and 32 bytes inclusive").
func ParseSSLv2ClientHello(record []byte) (*ClientHello, []*Error) {
	ch := &ClientHello{SSLv2: true}
	p := &parser{root: record, code: CodeMessageMalformed, what: "sslv2_client_hello"}
	s := cryptobyte.String(record)
	if len(s) < 2 {
		p.add(CodeSSLv2Malformed, 0, "sslv2: record header cut short (%d bytes)", len(s))
		return ch, p.errs
	}
	var length, padding int
	if s[0]&0x80 != 0 {
		length = int(s[0]&0x7f)<<8 | int(s[1])
		s = s[2:]
	} else {
		if len(s) < 3 {
			p.add(CodeSSLv2Malformed, 0, "sslv2: 3-byte record header cut short (%d bytes)", len(s))
			return ch, p.errs
		}
		length, padding = int(s[0]&0x3f)<<8|int(s[1]), int(s[2])
		s = s[3:]
	}
	body := s
	switch {
	case length > len(s):
		p.add(CodeSSLv2Malformed, 0, "sslv2: record length %d exceeds the %d bytes left", length, len(s))
	case length < len(s):
		p.add(CodeMessageTrailingData, p.at(s[length:]), "sslv2: %d byte(s) after the record", len(s)-length)
		body = s[:length]
	}
	if padding > 0 {
		// A CLIENT-HELLO is sent in the clear; padding only exists for
		// block ciphers.
		p.add(CodeSSLv2Malformed, 2, "sslv2: %d padding byte(s) on a cleartext record", padding)
		if padding <= len(body) {
			body = body[:len(body)-padding]
		}
	}
	var typ uint8
	var csLen, sidLen, chLen uint16
	if !p.u8(&body, "msg_type", &typ) {
		return ch, p.errs
	}
	if typ != ssl2ClientHello {
		p.add(CodeSSLv2Malformed, p.at(body)-1, "sslv2: msg_type %d is not CLIENT-HELLO (1)", typ)
		return ch, p.errs
	}
	var v uint16
	if !p.u16(&body, "version", &v) {
		return ch, p.errs
	}
	ch.Version = Version(v)
	lens := body
	if !p.u16(&body, "cipher_spec_length", &csLen) ||
		!p.u16(&body, "session_id_length", &sidLen) ||
		!p.u16(&body, "challenge_length", &chLen) {
		return ch, p.errs
	}
	if csLen%3 != 0 {
		p.warn(CodeMessageMalformed, lens, "cipher_spec_length %d is not a multiple of 3", csLen)
	}
	if sidLen != 0 && sidLen != 16 {
		p.warn(CodeMessageMalformed, lens[2:], "session_id_length %d is neither 0 nor 16", sidLen)
	}
	if chLen < 16 || chLen > 32 {
		p.warn(CodeMessageMalformed, lens[4:], "challenge_length %d outside 16..32", chLen)
	}
	var specs, sid, chal []byte
	if !p.bytes(&body, int(csLen), "cipher_specs", &specs) {
		return ch, p.errs
	}
	ch.V2CipherSpecs = make([]uint32, 0, len(specs)/3)
	for i := 0; i+3 <= len(specs); i += 3 {
		spec := uint32(specs[i])<<16 | uint32(specs[i+1])<<8 | uint32(specs[i+2])
		ch.V2CipherSpecs = append(ch.V2CipherSpecs, spec)
		if specs[i] == 0 {
			ch.CipherSuites = append(ch.CipherSuites, CipherSuite(spec))
		}
	}
	if !p.bytes(&body, int(sidLen), "session_id", &sid) {
		return ch, p.errs
	}
	ch.SessionID = sid
	if !p.bytes(&body, int(chLen), "challenge", &chal) {
		return ch, p.errs
	}
	ch.Challenge = chal
	// RFC 5246, Appendix E.2: a challenge shorter than 32 bytes becomes
	// ClientHello.random "with leading (note: not trailing) zero bytes".
	ch.Random = make([]byte, 32)
	if len(chal) <= 32 {
		copy(ch.Random[32-len(chal):], chal)
	} else {
		copy(ch.Random, chal[len(chal)-32:])
	}
	if !body.Empty() {
		p.add(CodeMessageTrailingData, p.at(body), "sslv2_client_hello: %d byte(s) after the challenge", len(body))
	}
	return ch, p.errs
}
