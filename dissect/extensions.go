package dissect

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"

	"github.com/padlock-tls/padlock/dissect/iana"
)

// Hello extensions (RFC 8446, Section 4.2 and the IANA "TLS ExtensionType
// Values" registry). Every extension is kept in wire order with its raw body,
// known or not, GREASE or not: the order with unknowns is fingerprint input.
// Known bodies are decoded into the *Ext structs below, one per extension,
// each with snake_case JSON tags and codes beside names, like Wireshark's
// tree under "Extension: ...".

// Extension type code points (IANA TLS ExtensionType Values), named after
// the registry's description.
const (
	ExtensionServerName                         ExtensionType = 0
	ExtensionMaxFragmentLength                  ExtensionType = 1
	ExtensionClientCertificateURL               ExtensionType = 2
	ExtensionTrustedCAKeys                      ExtensionType = 3
	ExtensionTruncatedHMAC                      ExtensionType = 4
	ExtensionStatusRequest                      ExtensionType = 5
	ExtensionUserMapping                        ExtensionType = 6
	ExtensionClientAuthz                        ExtensionType = 7
	ExtensionServerAuthz                        ExtensionType = 8
	ExtensionCertType                           ExtensionType = 9
	ExtensionSupportedGroups                    ExtensionType = 10
	ExtensionECPointFormats                     ExtensionType = 11
	ExtensionSRP                                ExtensionType = 12
	ExtensionSignatureAlgorithms                ExtensionType = 13
	ExtensionUseSRTP                            ExtensionType = 14
	ExtensionHeartbeat                          ExtensionType = 15
	ExtensionALPN                               ExtensionType = 16
	ExtensionStatusRequestV2                    ExtensionType = 17
	ExtensionSignedCertificateTimestamp         ExtensionType = 18
	ExtensionClientCertificateType              ExtensionType = 19
	ExtensionServerCertificateType              ExtensionType = 20
	ExtensionPadding                            ExtensionType = 21
	ExtensionEncryptThenMAC                     ExtensionType = 22
	ExtensionExtendedMasterSecret               ExtensionType = 23
	ExtensionTokenBinding                       ExtensionType = 24
	ExtensionCachedInfo                         ExtensionType = 25
	ExtensionTLSLTS                             ExtensionType = 26
	ExtensionCompressCertificate                ExtensionType = 27
	ExtensionRecordSizeLimit                    ExtensionType = 28
	ExtensionTLSCertWithExternPSK               ExtensionType = 33
	ExtensionDelegatedCredential                ExtensionType = 34
	ExtensionSessionTicket                      ExtensionType = 35
	ExtensionSupportedEKTCiphers                ExtensionType = 39
	ExtensionPreSharedKey                       ExtensionType = 41
	ExtensionEarlyData                          ExtensionType = 42
	ExtensionSupportedVersions                  ExtensionType = 43
	ExtensionCookie                             ExtensionType = 44
	ExtensionPSKKeyExchangeModes                ExtensionType = 45
	ExtensionCertificateAuthorities             ExtensionType = 47
	ExtensionOIDFilters                         ExtensionType = 48
	ExtensionPostHandshakeAuth                  ExtensionType = 49
	ExtensionSignatureAlgorithmsCert            ExtensionType = 50
	ExtensionKeyShare                           ExtensionType = 51
	ExtensionTransparencyInfo                   ExtensionType = 52
	ExtensionConnectionIDDeprecated             ExtensionType = 53
	ExtensionConnectionID                       ExtensionType = 54
	ExtensionExternalIDHash                     ExtensionType = 55
	ExtensionExternalSessionID                  ExtensionType = 56
	ExtensionQUICTransportParameters            ExtensionType = 57
	ExtensionTicketRequest                      ExtensionType = 58
	ExtensionDNSSECChain                        ExtensionType = 59
	ExtensionSequenceNumberEncryptionAlgorithms ExtensionType = 60
	ExtensionRRC                                ExtensionType = 61
	ExtensionTLSFlags                           ExtensionType = 62
	ExtensionNextProtocolNegotiation            ExtensionType = 13172 // not IANA; draft-agl-tls-nextprotoneg
	ExtensionApplicationSettingsOld             ExtensionType = 17513 // ALPS, draft-vvv-tls-alps, first code point
	ExtensionApplicationSettings                ExtensionType = 17613 // ALPS, new code point (Chrome 2024+)
	ExtensionECHOuterExtensions                 ExtensionType = 0xfd00
	ExtensionEncryptedClientHello               ExtensionType = 0xfe0d
	ExtensionQUICTransportParametersDraft       ExtensionType = 0xffa5 // draft-ietf-quic-tls before RFC 9001
	ExtensionRenegotiationInfo                  ExtensionType = 0xff01
)

// Extension is one extension in wire order, kept even when unknown or GREASE.
//
// Data and the strings inside Decoded alias the input where they can; the
// caller must not reuse the input while the value is in use.
type Extension struct {
	Data []byte // raw body (aliases the input)
	// Decoded is a pointer to one of the *Ext structs (snake_case JSON), or
	// nil when the type is unknown. When Malformed is set it holds what was
	// read before the problem. It is shared with every hello that sent
	// the same bytes (see extcache.go): never write into it.
	Decoded any
	// Off is the offset of the extension's 4-byte header within the message
	// body (the same origin as Error.Off). A handshake message is at most
	// 2^24 bytes; int32 with the fields after it fills one word, and a
	// hello keeps ~15 of these per open flow.
	Off  int32
	Type ExtensionType
	// Malformed is set when an extension_malformed or
	// extension_trailing_data error was returned for this body (a value
	// problem such as sni_invalid does not set it).
	Malformed bool
}

// ExtContext is the message an extensions block sits in. The same code point
// has a different body in different messages (RFC 8446, Section 4.2:
// key_share is a list in a ClientHello, one entry in a ServerHello and a bare
// group in a HelloRetryRequest), and a HelloRetryRequest shares its handshake
// type with ServerHello, so the context is its own type rather than a
// HandshakeType.
type ExtContext uint8

// Extension contexts (RFC 8446, Section 4.2 table: CH, SH, HRR, EE, CT, CR, NST).
const (
	ExtContextUnknown ExtContext = iota
	ExtContextClientHello
	ExtContextServerHello
	ExtContextHelloRetryRequest
	ExtContextEncryptedExtensions
	ExtContextCertificate
	ExtContextCertificateRequest
	ExtContextNewSessionTicket
)

func (c ExtContext) String() string {
	switch c {
	case ExtContextClientHello:
		return "client_hello"
	case ExtContextServerHello:
		return "server_hello"
	case ExtContextHelloRetryRequest:
		return "hello_retry_request"
	case ExtContextEncryptedExtensions:
		return "encrypted_extensions"
	case ExtContextCertificate:
		return "certificate"
	case ExtContextCertificateRequest:
		return "certificate_request"
	case ExtContextNewSessionTicket:
		return "new_session_ticket"
	}
	return "unknown"
}

// ExtContextFor maps a handshake type to its extension context. server_hello
// maps to ExtContextServerHello; a HelloRetryRequest can only be told apart
// by its random, which ParseServerHello checks.
func ExtContextFor(msg HandshakeType) ExtContext {
	switch msg {
	case HandshakeTypeClientHello:
		return ExtContextClientHello
	case HandshakeTypeServerHello:
		return ExtContextServerHello
	case HandshakeTypeEncryptedExtensions:
		return ExtContextEncryptedExtensions
	case HandshakeTypeCertificate:
		return ExtContextCertificate
	case HandshakeTypeCertificateRequest:
		return ExtContextCertificateRequest
	case HandshakeTypeNewSessionTicket:
		return ExtContextNewSessionTicket
	}
	return ExtContextUnknown
}

// ParseExtensions decodes an extensions vector body (the bytes after its
// uint16 length) found in a message of type msg. off is the offset of data
// within the message body and is added to every Error.Off.
//
// A HelloRetryRequest has handshake type server_hello; use ParseExtensionsIn
// with ExtContextHelloRetryRequest for it (ParseServerHello does).
func ParseExtensions(data []byte, msg HandshakeType, off int) ([]Extension, []*Error) {
	return ParseExtensionsIn(data, ExtContextFor(msg), off)
}

// countExtensions is how many extensions a block lists (a broken header
// counts as one), so that their slice is allocated once, at its size: a
// connection's hellos stay in memory until it ends.
func countExtensions(data []byte) int {
	n := 0
	for len(data) >= 4 {
		n++
		l := int(data[2])<<8 | int(data[3])
		if l > len(data)-4 {
			return n
		}
		data = data[4+l:]
	}
	if len(data) > 0 {
		n++
	}
	return n
}

// ParseExtensionsIn is ParseExtensions with an explicit context.
//
// RFC 8446, Section 4.2:
//
//	struct {
//	    ExtensionType extension_type;
//	    opaque extension_data<0..2^16-1>;
//	} Extension;
//
// A bad extension body gets a coded error and parsing goes on with the next
// extension; a broken extension header ends the block (its length cannot be
// trusted) after keeping what could be read.
func ParseExtensionsIn(data []byte, ctx ExtContext, off int) ([]Extension, []*Error) {
	d := &dec{ctx: ctx}
	d.root, d.base, d.what = data, off, "extensions"
	var exts []Extension
	if n := countExtensions(data); n > 0 {
		exts = make([]Extension, 0, n)
	}
	// seen is a bitset over all 2^16 code points: 8 KiB on the stack, so
	// duplicate detection stays linear and allocation-free even for a
	// hostile block of 16383 empty extensions.
	var seen [65536 / 64]uint64
	s := cryptobyte.String(data)
	for !s.Empty() {
		at := d.at(s)
		var typ, n uint16
		if !s.ReadUint16(&typ) {
			d.add(CodeExtensionsMalformed, at, "extensions: %d stray byte(s) where a 4-byte extension header should be", len(s))
			break
		}
		t := ExtensionType(typ)
		if !s.ReadUint16(&n) {
			d.add(CodeExtensionsMalformed, at, "extensions: %s header cut short", t)
			exts = append(exts, Extension{Type: t, Off: int32(at), Malformed: true})
			break
		}
		if int(n) > len(s) {
			d.add(CodeExtensionsMalformed, at, "extensions: %s length %d exceeds the %d bytes left", t, n, len(s))
			exts = append(exts, Extension{Type: t, Data: s, Off: int32(at), Malformed: true})
			break
		}
		var body []byte
		s.ReadBytes(&body, int(n))
		if seen[typ/64]&(1<<(typ%64)) != 0 && !d.full() {
			// RFC 8446, Section 4.2: "There MUST NOT be more than one
			// extension of the same type in a given extension block."
			d.add(CodeExtensionDuplicate, at, "extensions: %s appears more than once", t)
		}
		seen[typ/64] |= 1 << (typ % 64)
		e := Extension{Type: t, Data: body, Off: int32(at)}
		e.Decoded, e.Malformed = d.cachedDecode(t, body)
		exts = append(exts, e)
	}
	if ctx == ExtContextClientHello {
		for i, e := range exts {
			if e.Type == ExtensionPreSharedKey && i != len(exts)-1 {
				// RFC 8446, Section 4.2.11: "The "pre_shared_key"
				// extension MUST be the last extension in the ClientHello".
				d.add(CodeExtensionMisplaced, int(e.Off), "extensions: pre_shared_key is extension %d of %d, not the last", i+1, len(exts))
				break
			}
		}
	}
	return exts, d.errs
}

// CodeName is a registry value with its name, as the report shows it:
// {"code":29,"name":"x25519"}. Unknown values are named 0xNNNN (0xNN for
// 8-bit registries) and GREASE values "GREASE".
type CodeName struct {
	Code int    `json:"code"`
	Name string `json:"name"`
}

func (c CodeName) String() string { return c.Name + "(" + strconv.Itoa(c.Code) + ")" }

// enumName names a value of one of the typed registries through its String
// method (iana names RFC 8701 GREASE values "GREASE").
func enumName[T interface {
	~uint16
	String() string
}](v T) CodeName {
	return CodeName{int(v), v.String()}
}

// name16 and name8 name a value through an iana lookup, with the fallback.
func name16(v uint16, lookup func(uint16) (string, bool)) CodeName {
	if n, ok := lookup(v); ok {
		return CodeName{int(v), n}
	}
	return CodeName{int(v), hex4(v)}
}

func name8(v uint8, lookup func(uint8) (string, bool)) CodeName {
	if n, ok := lookup(v); ok {
		return CodeName{int(v), n}
	}
	return CodeName{int(v), hex2(v)}
}

// table8 and table16 turn a small local registry into a lookup. They are for
// registries that iana does not carry; each use cites its source.
type table8 map[uint8]string
type table16 map[uint16]string

func (t table8) lookup(v uint8) (string, bool)   { n, ok := t[v]; return n, ok }
func (t table16) lookup(v uint16) (string, bool) { n, ok := t[v]; return n, ok }
func (t table8) name(v uint8) CodeName           { return name8(v, t.lookup) }
func (t table16) name(v uint16) CodeName         { return name16(v, t.lookup) }
func ptr[T any](v T) *T                          { return &v }
func hexString(b []byte) string                  { return hex.EncodeToString(b) }

// Context tests for decoders whose body differs between client and server.
func (d *dec) client() bool                    { return d.ctx == ExtContextClientHello }
func (d *dec) requestLike() bool               { return d.client() || d.ctx == ExtContextCertificateRequest }
func (d *dec) empty(s *cryptobyte.String) bool { return len(*s) == 0 }

// hexCap bounds the hex dumps kept in decoded bodies (identity prefixes, QUIC
// parameter values, GREASE bodies); the full bytes stay in Extension.Data.
const hexCap = 64

func hexPrefix(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return hexString(b)
}

// parser carries what every decoder needs to report where a problem is.
//
// Offsets come from capacities: cryptobyte only ever re-slices forward
// (s[:n], s[n:]), so every String read out of root shares root's backing
// array and its offset within root is cap(root)-cap(s). That lets nested
// vectors report exact offsets without threading counters through each read.
type parser struct {
	root   []byte
	base   int    // offset of root within the message body
	code   Code   // code for a structural failure
	what   string // prefix for messages: the message name ...
	ext    ExtensionType
	inExt  bool // ... or, when set, ext's name (named only when needed)
	errs   []*Error
	failed bool // a structural failure happened; the rest is not trusted
	bad    bool // a structural problem (p.code) was reported, fatal or not
}

func (p *parser) label() string {
	if p.inExt {
		return p.ext.String()
	}
	return p.what
}

func (p *parser) at(s []byte) int { return p.base + cap(p.root) - cap(s) }

// maxErrors caps the errors kept for one message or extensions block: a
// 64 KiB block of 16383 duplicate extensions would otherwise turn into
// megabytes of near-identical errors. The first ones say what is wrong.
const maxErrors = 64

func (p *parser) add(code Code, off int, format string, args ...any) {
	switch {
	case len(p.errs) < maxErrors:
		p.errs = append(p.errs, errorf(code, off, format, args...))
	case len(p.errs) == maxErrors:
		p.errs = append(p.errs, errorf(CodeErrorsTruncated, off, "%s: more than %d problems; the rest are not reported", p.what, maxErrors))
	}
}

// full reports whether the error cap is reached; hot loops check it before
// building an error's arguments.
func (p *parser) full() bool { return len(p.errs) > maxErrors }

// fail reports a structural failure at s: the caller stops reading.
func (p *parser) fail(s []byte, format string, args ...any) {
	p.failed, p.bad = true, true
	if !p.full() {
		p.add(p.code, p.at(s), p.label()+": "+format, args...)
	}
}

// warn reports a problem at s that does not stop reading (a bound broken
// while the bytes are still delimited).
func (p *parser) warn(code Code, s []byte, format string, args ...any) {
	p.bad = p.bad || code == p.code || code == CodeExtensionTrailingData
	if !p.full() {
		p.add(code, p.at(s), p.label()+": "+format, args...)
	}
}

// vec reads a vector whose length prefix is n bytes (1, 2 or 3) and checks
// the RFC's <min..max> bounds (RFC 8446, Section 3), as Wireshark's
// ssl_add_vector does. A prefix that runs past the input is a failure; a
// length outside the bounds is reported and the vector still used.
func (p *parser) vec(s *cryptobyte.String, n int, name string, lo, hi int, out *cryptobyte.String) bool {
	start := *s
	var ok bool
	switch n {
	case 1:
		ok = s.ReadUint8LengthPrefixed(out)
	case 2:
		ok = s.ReadUint16LengthPrefixed(out)
	default:
		ok = s.ReadUint24LengthPrefixed(out)
	}
	if !ok {
		if len(start) < n {
			p.fail(start, "%s length cut short (%d of %d bytes)", name, len(start), n)
		} else {
			l := 0
			for _, b := range start[:n] {
				l = l<<8 | int(b)
			}
			p.fail(start, "%s length %d exceeds the %d bytes left", name, l, len(start)-n)
		}
		return false
	}
	if len(*out) < lo || len(*out) > hi {
		p.warn(p.code, start, "%s length %d outside <%d..%d>", name, len(*out), lo, hi)
	}
	return true
}

// need checks that n bytes remain for a fixed-size field.
func (p *parser) need(s cryptobyte.String, n int, name string) bool {
	if len(s) < n {
		p.fail(s, "%s cut short (%d of %d bytes)", name, len(s), n)
		return false
	}
	return true
}

func (p *parser) u8(s *cryptobyte.String, name string, out *uint8) bool {
	return p.need(*s, 1, name) && s.ReadUint8(out)
}

func (p *parser) u16(s *cryptobyte.String, name string, out *uint16) bool {
	return p.need(*s, 2, name) && s.ReadUint16(out)
}

func (p *parser) u32(s *cryptobyte.String, name string, out *uint32) bool {
	return p.need(*s, 4, name) && s.ReadUint32(out)
}

func (p *parser) bytes(s *cryptobyte.String, n int, name string, out *[]byte) bool {
	return p.need(*s, n, name) && s.ReadBytes(out, n)
}

// each16 calls f for each uint16 item of a vector body, reporting an odd
// length and keeping the whole items.
func (p *parser) each16(v cryptobyte.String, name string, f func(uint16)) {
	if len(v)%2 != 0 {
		p.warn(p.code, v, "%s length %d is odd", name, len(v))
	}
	var x uint16
	for v.ReadUint16(&x) {
		f(x)
	}
}

// dec decodes extension bodies; one is reused for a whole block.
type dec struct {
	parser
	ctx  ExtContext
	body cryptobyte.String // the body being decoded; a field so that passing &d.body costs no allocation
}

type extDecoder func(d *dec, s *cryptobyte.String) any

// decode runs t's decoder over body and checks that it used every byte
// (crypto/tls's extData.Empty()), reporting whether the body was malformed.
func (d *dec) decode(t ExtensionType, body []byte) (any, bool) {
	return d.decodeWith(extDecoders[t], t, body)
}

// decodeWith is decode with t's decoder, fn, already looked up.
func (d *dec) decodeWith(fn extDecoder, t ExtensionType, body []byte) (any, bool) {
	if fn == nil {
		if IsGREASE(uint16(t)) {
			// RFC 8701: GREASE extensions have arbitrary bodies; keep them.
			return &GREASEExt{Data: hexPrefix(body, hexCap)}, false
		}
		return nil, false
	}
	d.code, d.ext, d.inExt, d.failed, d.bad = CodeExtensionMalformed, t, true, false, false
	d.body = body
	v := fn(d, &d.body)
	if s := d.body; !d.failed && !s.Empty() {
		d.warn(CodeExtensionTrailingData, s, "%d byte(s) after the body", len(s))
	}
	return v, d.bad
}

var extDecoders = map[ExtensionType]extDecoder{
	ExtensionServerName:                         decodeServerName,
	ExtensionMaxFragmentLength:                  decodeMaxFragmentLength,
	ExtensionClientCertificateURL:               decodeEmpty,
	ExtensionTrustedCAKeys:                      decodeTrustedCAKeys,
	ExtensionTruncatedHMAC:                      decodeEmpty,
	ExtensionStatusRequest:                      decodeStatusRequest,
	ExtensionUserMapping:                        decodeUserMapping,
	ExtensionClientAuthz:                        decodeAuthz,
	ExtensionServerAuthz:                        decodeAuthz,
	ExtensionCertType:                           decodeCertificateType,
	ExtensionSupportedGroups:                    decodeSupportedGroups,
	ExtensionECPointFormats:                     decodeECPointFormats,
	ExtensionSRP:                                decodeSRP,
	ExtensionSignatureAlgorithms:                decodeSignatureAlgorithms,
	ExtensionUseSRTP:                            decodeUseSRTP,
	ExtensionHeartbeat:                          decodeHeartbeat,
	ExtensionALPN:                               decodeALPN,
	ExtensionStatusRequestV2:                    decodeStatusRequestV2,
	ExtensionSignedCertificateTimestamp:         decodeSCT,
	ExtensionClientCertificateType:              decodeCertificateType,
	ExtensionServerCertificateType:              decodeCertificateType,
	ExtensionPadding:                            decodePadding,
	ExtensionEncryptThenMAC:                     decodeEmpty,
	ExtensionExtendedMasterSecret:               decodeEmpty,
	ExtensionTokenBinding:                       decodeTokenBinding,
	ExtensionCachedInfo:                         decodeCachedInfo,
	ExtensionTLSLTS:                             decodeEmpty,
	ExtensionCompressCertificate:                decodeCompressCertificate,
	ExtensionRecordSizeLimit:                    decodeRecordSizeLimit,
	ExtensionTLSCertWithExternPSK:               decodeEmpty,
	ExtensionDelegatedCredential:                decodeDelegatedCredential,
	ExtensionSessionTicket:                      decodeSessionTicket,
	ExtensionSupportedEKTCiphers:                decodeSupportedEKTCiphers,
	ExtensionPreSharedKey:                       decodePreSharedKey,
	ExtensionEarlyData:                          decodeEarlyData,
	ExtensionSupportedVersions:                  decodeSupportedVersions,
	ExtensionCookie:                             decodeCookie,
	ExtensionPSKKeyExchangeModes:                decodePSKKeyExchangeModes,
	ExtensionCertificateAuthorities:             decodeCertificateAuthorities,
	ExtensionOIDFilters:                         decodeOIDFilters,
	ExtensionPostHandshakeAuth:                  decodeEmpty,
	ExtensionSignatureAlgorithmsCert:            decodeSignatureAlgorithms,
	ExtensionKeyShare:                           decodeKeyShare,
	ExtensionTransparencyInfo:                   decodeTransparencyInfo,
	ExtensionConnectionIDDeprecated:             decodeConnectionID,
	ExtensionConnectionID:                       decodeConnectionID,
	ExtensionExternalIDHash:                     decodeExternalIDHash,
	ExtensionExternalSessionID:                  decodeExternalSessionID,
	ExtensionQUICTransportParameters:            decodeQUICTransportParameters,
	ExtensionQUICTransportParametersDraft:       decodeQUICTransportParameters,
	ExtensionTicketRequest:                      decodeTicketRequest,
	ExtensionDNSSECChain:                        decodeDNSSECChain,
	ExtensionSequenceNumberEncryptionAlgorithms: decodeSequenceNumberEncryptionAlgorithms,
	ExtensionRRC:                                decodeEmpty,
	ExtensionTLSFlags:                           decodeTLSFlags,
	ExtensionNextProtocolNegotiation:            decodeNPN,
	ExtensionApplicationSettingsOld:             decodeApplicationSettings,
	ExtensionApplicationSettings:                decodeApplicationSettings,
	ExtensionECHOuterExtensions:                 decodeECHOuterExtensions,
	ExtensionEncryptedClientHello:               decodeECH,
	ExtensionRenegotiationInfo:                  decodeRenegotiationInfo,
}

// EmptyExt is the body of an extension whose extension_data is empty by
// definition (encrypt_then_mac, extended_master_secret, post_handshake_auth,
// ...). It marshals as {}.
type EmptyExt struct{}

// GREASEExt is an RFC 8701 GREASE extension: its body is arbitrary, shown as
// hex (at most 64 bytes; the whole body is in Extension.Data).
type GREASEExt struct {
	Data string `json:"data"`
}

// RFC 7366 (encrypt_then_mac), RFC 7627 (extended_master_secret), RFC 6066,
// Section 5 (client_certificate_url) and Section 7 (truncated_hmac), RFC
// 8446, Section 4.2.6 (post_handshake_auth), RFC 8773 (tls_cert_with_extern_psk),
// draft-gutmann-tls-lts (tls_lts), draft-ietf-tls-dtls-rrc (rrc):
// "the "extension_data" field of this extension SHALL be empty".
func decodeEmpty(d *dec, s *cryptobyte.String) any { return &EmptyExt{} }

// ServerNameExt is server_name (0). A ServerHello or EncryptedExtensions
// answers with an empty body, decoded with no names.
type ServerNameExt struct {
	ListLength int          `json:"server_name_list_length,omitempty"`
	Names      []ServerName `json:"server_names,omitempty"`
}

// ServerName is one entry of a server_name list. Name is the host name, or
// the hex of an unknown name type's body.
type ServerName struct {
	Type   CodeName `json:"type"`
	Length int      `json:"length"`
	Name   string   `json:"name"`
}

var nameTypes = table8{0: "host_name"} // RFC 6066, Section 3

// RFC 6066, Section 3:
//
//	struct {
//	    NameType name_type;
//	    select (name_type) {
//	        case host_name: HostName;
//	    } name;
//	} ServerName;
//	enum { host_name(0), (255) } NameType;
//	opaque HostName<1..2^16-1>;
//	struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
func decodeServerName(d *dec, s *cryptobyte.String) any {
	v := &ServerNameExt{}
	if d.empty(s) && !d.client() {
		return v // "the "extension_data" field of this extension SHALL be empty"
	}
	var list cryptobyte.String
	if !d.vec(s, 2, "server_name_list", 1, 0xffff, &list) {
		return v
	}
	v.ListLength = len(list)
	hosts := 0
	for !list.Empty() {
		var typ uint8
		var name cryptobyte.String
		if !d.u8(&list, "name_type", &typ) {
			return v
		}
		at := list
		if typ != 0 {
			// Only host_name has a defined body. Other types are taken as
			// opaque<1..2^16-1>, the only extensible shape; if that does
			// not fit, the rest of the list is unreadable (RFC 6066: "the
			// server ... cannot parse").
			if !d.vec(&list, 2, "name", 1, 0xffff, &name) {
				return v
			}
			v.Names = append(v.Names, ServerName{Type: nameTypes.name(typ), Length: len(name), Name: hexPrefix(name, hexCap)})
			continue
		}
		if !d.vec(&list, 2, "host_name", 1, 0xffff, &name) {
			return v
		}
		host := string(name)
		v.Names = append(v.Names, ServerName{Type: nameTypes.name(typ), Length: len(name), Name: host})
		if hosts++; hosts == 2 {
			// "The ServerNameList MUST NOT contain more than one name of
			// the same name_type." Keep the first, as Zeek does.
			d.warn(CodeSNIMultiple, at, "more than one host_name; using the first")
		}
		if why := checkHostName(host); why != "" {
			d.warn(CodeSNIInvalid, at[2:], "host_name %q %s", host, why)
		}
	}
	return v
}

// checkHostName says what is wrong with an SNI host name, or "". RFC 6066,
// Section 3: "HostName" contains the fully qualified DNS hostname ... in
// ASCII ... without a trailing dot ... Literal IPv4 and IPv6 addresses are
// not permitted". Beyond LDH, '_' is allowed (seen on real names) and so are
// UTF-8 letters and digits (U-labels sent by IDNA-unaware clients).
func checkHostName(h string) string {
	switch {
	case h == "":
		return "is empty"
	case strings.HasSuffix(h, "."):
		return "has a trailing dot"
	case len(h) > 253:
		return "is longer than 253 bytes"
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return "is a literal IP address"
	}
	label := 0
	for i, r := range h {
		switch {
		case r == '.':
			if label == 0 {
				return "has an empty label"
			}
			label = 0
			continue
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		case r == utf8.RuneError:
			return fmt.Sprintf("has a byte that is not UTF-8 at %d", i)
		case r >= 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)):
		default:
			return fmt.Sprintf("has %q at %d, not allowed in a DNS name", r, i)
		}
		if label++; label > 63 {
			return "has a label longer than 63 bytes"
		}
	}
	return ""
}

// MaxFragmentLengthExt is max_fragment_length (1).
type MaxFragmentLengthExt struct {
	MaxFragmentLength CodeName `json:"max_fragment_length"`
}

// IANA "TLS MaxFragmentLength Values" (RFC 6066, Section 4).
var maxFragmentLengths = table8{1: "2^9", 2: "2^10", 3: "2^11", 4: "2^12"}

// RFC 6066, Section 4: enum { 2^9(1), 2^10(2), 2^11(3), 2^12(4), (255) } MaxFragmentLength;
func decodeMaxFragmentLength(d *dec, s *cryptobyte.String) any {
	v := &MaxFragmentLengthExt{}
	var x uint8
	if d.u8(s, "max_fragment_length", &x) {
		v.MaxFragmentLength = maxFragmentLengths.name(x)
	}
	return v
}

// TrustedCAKeysExt is trusted_ca_keys (3); empty in a ServerHello.
type TrustedCAKeysExt struct {
	Authorities []TrustedAuthority `json:"trusted_authorities,omitempty"`
}

// TrustedAuthority is one entry; Identifier is the hash or DN as hex.
type TrustedAuthority struct {
	Type       CodeName `json:"identifier_type"`
	Length     int      `json:"identifier_length"`
	Identifier string   `json:"identifier,omitempty"`
}

var identifierTypes = table8{0: "pre_agreed", 1: "key_sha1_hash", 2: "x509_name", 3: "cert_sha1_hash"} // RFC 6066, Section 6

// RFC 6066, Section 6:
//
//	struct {
//	    IdentifierType identifier_type;
//	    select (identifier_type) {
//	        case pre_agreed: struct {};
//	        case key_sha1_hash: SHA1Hash;
//	        case x509_name: DistinguishedName;
//	        case cert_sha1_hash: SHA1Hash;
//	    } identifier;
//	} TrustedAuthority;
//	opaque DistinguishedName<1..2^16-1>; opaque SHA1Hash[20];
//	struct { TrustedAuthority trusted_authorities_list<0..2^16-1>; } TrustedAuthorities;
func decodeTrustedCAKeys(d *dec, s *cryptobyte.String) any {
	v := &TrustedCAKeysExt{}
	if d.empty(s) && !d.client() {
		return v
	}
	var list cryptobyte.String
	if !d.vec(s, 2, "trusted_authorities_list", 0, 0xffff, &list) {
		return v
	}
	for !list.Empty() {
		var typ uint8
		if !d.u8(&list, "identifier_type", &typ) {
			return v
		}
		var id []byte
		switch typ {
		case 0:
		case 1, 3:
			if !d.bytes(&list, 20, "SHA1Hash", &id) {
				return v
			}
		case 2:
			var dn cryptobyte.String
			if !d.vec(&list, 2, "DistinguishedName", 1, 0xffff, &dn) {
				return v
			}
			id = dn
		default:
			d.fail(list, "unknown identifier_type %d; the rest cannot be delimited", typ)
			return v
		}
		v.Authorities = append(v.Authorities, TrustedAuthority{Type: identifierTypes.name(typ), Length: len(id), Identifier: hexPrefix(id, hexCap)})
	}
	return v
}

// StatusRequestExt is status_request (5): the OCSP request in a ClientHello
// or TLS 1.3 CertificateRequest, the stapled response's length in a TLS 1.3
// CertificateEntry. Empty in a TLS 1.2 ServerHello.
type StatusRequestExt struct {
	StatusType *CodeName `json:"status_type,omitempty"`
	*OCSPRequestInfo
	OCSPResponseLength *int `json:"ocsp_response_length,omitempty"`
}

// OCSPRequestInfo summarises an OCSPStatusRequest. It is embedded, so its
// fields sit beside status_type in JSON.
type OCSPRequestInfo struct {
	ResponderIDCount        int `json:"responder_id_count"`
	ResponderIDListLength   int `json:"responder_id_list_length"`
	RequestExtensionsLength int `json:"request_extensions_length"`
}

func statusTypeName(v uint8) *CodeName { return ptr(name8(v, iana.CertificateStatusTypeName)) }

// readOCSPRequest reads an OCSPStatusRequest (RFC 6066, Section 8):
//
//	struct {
//	    ResponderID responder_id_list<0..2^16-1>;
//	    Extensions  request_extensions;
//	} OCSPStatusRequest;
//	opaque ResponderID<1..2^16-1>; opaque Extensions<0..2^16-1>;
func (d *dec) readOCSPRequest(s *cryptobyte.String) (*OCSPRequestInfo, bool) {
	r := &OCSPRequestInfo{}
	var list, exts cryptobyte.String
	if !d.vec(s, 2, "responder_id_list", 0, 0xffff, &list) {
		return nil, false
	}
	r.ResponderIDListLength = len(list)
	for !list.Empty() {
		var id cryptobyte.String
		if !d.vec(&list, 2, "ResponderID", 1, 0xffff, &id) {
			return r, false
		}
		r.ResponderIDCount++
	}
	if !d.vec(s, 2, "request_extensions", 0, 0xffff, &exts) {
		return r, false
	}
	r.RequestExtensionsLength = len(exts)
	return r, true
}

// RFC 6066, Section 8:
//
//	struct {
//	    CertificateStatusType status_type;
//	    select (status_type) { case ocsp: OCSPStatusRequest; } request;
//	} CertificateStatusRequest;
//
// RFC 8446, Section 4.4.2.1 (in a CertificateEntry), RFC 6066, Section 8:
//
//	struct {
//	    CertificateStatusType status_type;
//	    select (status_type) { case ocsp: OCSPResponse; } response;
//	} CertificateStatus;
//	opaque OCSPResponse<1..2^24-1>;
func decodeStatusRequest(d *dec, s *cryptobyte.String) any {
	v := &StatusRequestExt{}
	if d.empty(s) && !d.requestLike() {
		return v
	}
	var typ uint8
	if !d.u8(s, "status_type", &typ) {
		return v
	}
	v.StatusType = statusTypeName(typ)
	if typ != 1 {
		s.Skip(len(*s)) // no body defined for other types
		return v
	}
	if d.ctx == ExtContextCertificate {
		var resp cryptobyte.String
		if d.vec(s, 3, "ocsp_response", 1, 1<<24-1, &resp) {
			v.OCSPResponseLength = ptr(len(resp))
		}
		return v
	}
	v.OCSPRequestInfo, _ = d.readOCSPRequest(s)
	return v
}

// UserMappingExt is user_mapping (6).
type UserMappingExt struct {
	Types []CodeName `json:"user_mapping_types,omitempty"`
}

var userMappingTypes = table8{64: "upn_domain_hint"} // IANA "TLS UserMappingType Values", RFC 4681

// RFC 4681, Section 2:
//
//	enum { upn_domain_hint(64), (255) } UserMappingType;
//	struct { UserMappingType user_mapping_types<1..2^8-1>; } UserMappingTypeList;
//
// The server's extension is empty.
func decodeUserMapping(d *dec, s *cryptobyte.String) any {
	v := &UserMappingExt{}
	if d.empty(s) && !d.client() {
		return v
	}
	var list cryptobyte.String
	if d.vec(s, 1, "user_mapping_types", 1, 0xff, &list) {
		for _, t := range list {
			v.Types = append(v.Types, userMappingTypes.name(t))
		}
	}
	return v
}

// AuthzExt is client_authz (7) or server_authz (8).
type AuthzExt struct {
	Formats []CodeName `json:"authz_formats"`
}

var authzFormats = table8{0: "x509_attr_cert", 1: "saml_assertion", 2: "x509_attr_cert_url", 3: "saml_assertion_url"} // IANA "TLS Authorization Data Formats", RFC 5878

// RFC 5878, Section 3:
//
//	enum { x509_attr_cert(0), saml_assertion(1), x509_attr_cert_url(2),
//	       saml_assertion_url(3), (255) } AuthzDataFormat;
//	AuthzDataFormat authz_format_list<1..2^8-1>;
func decodeAuthz(d *dec, s *cryptobyte.String) any {
	v := &AuthzExt{}
	var list cryptobyte.String
	if d.vec(s, 1, "authz_format_list", 1, 0xff, &list) {
		for _, f := range list {
			v.Formats = append(v.Formats, authzFormats.name(f))
		}
	}
	return v
}

// CertificateTypeExt is cert_type (9), client_certificate_type (19) or
// server_certificate_type (20): a list in a ClientHello, the selected type
// from a server.
type CertificateTypeExt struct {
	Types    []CodeName `json:"certificate_types,omitempty"`
	Selected *CodeName  `json:"certificate_type,omitempty"`
}

// RFC 6091, Section 3.1 / RFC 7250, Section 3:
//
//	struct {
//	    select(ClientOrServerExtension) {
//	        case client: CertificateType client_certificate_types<1..2^8-1>;
//	        case server: CertificateType client_certificate_type;
//	    }
//	} ClientCertTypeExtension;
func decodeCertificateType(d *dec, s *cryptobyte.String) any {
	v := &CertificateTypeExt{}
	if d.client() {
		var list cryptobyte.String
		if d.vec(s, 1, "certificate_types", 1, 0xff, &list) {
			for _, t := range list {
				v.Types = append(v.Types, name8(t, iana.CertificateTypeName))
			}
		}
		return v
	}
	var t uint8
	if d.u8(s, "certificate_type", &t) {
		v.Selected = ptr(name8(t, iana.CertificateTypeName))
	}
	return v
}

// SupportedGroupsExt is supported_groups (10), formerly elliptic_curves.
type SupportedGroupsExt struct {
	Groups []CodeName   `json:"groups"`
	codes  []NamedGroup // Groups' codes, for ClientHello.SupportedGroups
}

// RFC 8446, Section 4.2.7 (RFC 8422, Section 5.1.1):
//
//	struct { NamedGroup named_group_list<2..2^16-1>; } NamedGroupList;
func decodeSupportedGroups(d *dec, s *cryptobyte.String) any {
	v := &SupportedGroupsExt{}
	var list cryptobyte.String
	if d.vec(s, 2, "named_group_list", 2, 0xffff, &list) {
		v.Groups = make([]CodeName, 0, len(list)/2)
		v.codes = make([]NamedGroup, 0, len(list)/2)
		d.each16(list, "named_group_list", func(g uint16) {
			v.Groups = append(v.Groups, enumName(NamedGroup(g)))
			v.codes = append(v.codes, NamedGroup(g))
		})
	}
	return v
}

// ECPointFormatsExt is ec_point_formats (11).
type ECPointFormatsExt struct {
	Formats []CodeName `json:"ec_point_formats"`
	codes   []uint8    // Formats' codes, for ClientHello.ECPointFormats
}

// RFC 8422, Section 5.1.2:
//
//	enum { uncompressed (0), deprecated (1..2), reserved (248..255) } ECPointFormat;
//	struct { ECPointFormat ec_point_format_list<1..2^8-1> } ECPointFormatList;
func decodeECPointFormats(d *dec, s *cryptobyte.String) any {
	v := &ECPointFormatsExt{}
	var list cryptobyte.String
	if d.vec(s, 1, "ec_point_format_list", 1, 0xff, &list) {
		for _, f := range list {
			v.Formats = append(v.Formats, name8(f, iana.ECPointFormatName))
		}
		v.codes = append([]uint8(nil), list...) // its own: list is the message's
	}
	return v
}

// SRPExt is srp (12).
type SRPExt struct {
	IdentityLength int    `json:"srp_identity_length"`
	Identity       string `json:"srp_identity"`
}

// RFC 5054, Section 2.8.1: opaque srp_I<1..2^8-1>;
func decodeSRP(d *dec, s *cryptobyte.String) any {
	v := &SRPExt{}
	var id cryptobyte.String
	if d.vec(s, 1, "srp_I", 1, 0xff, &id) {
		v.IdentityLength, v.Identity = len(id), string(id)
	}
	return v
}

// SignatureAlgorithmsExt is signature_algorithms (13) or
// signature_algorithms_cert (50).
type SignatureAlgorithmsExt struct {
	Algorithms []CodeName        `json:"signature_algorithms"`
	codes      []SignatureScheme // Algorithms' codes, for ClientHello.SignatureSchemes
}

// RFC 8446, Section 4.2.3:
//
//	struct { SignatureScheme supported_signature_algorithms<2..2^16-2>; } SignatureSchemeList;
func decodeSignatureAlgorithms(d *dec, s *cryptobyte.String) any {
	v := &SignatureAlgorithmsExt{}
	var list cryptobyte.String
	if d.vec(s, 2, "supported_signature_algorithms", 2, 0xfffe, &list) {
		v.Algorithms = make([]CodeName, 0, len(list)/2)
		v.codes = make([]SignatureScheme, 0, len(list)/2)
		d.each16(list, "supported_signature_algorithms", func(a uint16) {
			v.Algorithms = append(v.Algorithms, enumName(SignatureScheme(a)))
			v.codes = append(v.codes, SignatureScheme(a))
		})
	}
	return v
}

// UseSRTPExt is use_srtp (14).
type UseSRTPExt struct {
	Profiles  []CodeName `json:"protection_profiles"`
	MKILength int        `json:"mki_length"`
	MKI       string     `json:"mki,omitempty"`
}

// IANA "DTLS-SRTP Protection Profiles" (RFC 5764, RFC 7714, RFC 8723, RFC 8269).
var srtpProfiles = table16{
	0x0001: "SRTP_AES128_CM_HMAC_SHA1_80",
	0x0002: "SRTP_AES128_CM_HMAC_SHA1_32",
	0x0005: "SRTP_NULL_HMAC_SHA1_80",
	0x0006: "SRTP_NULL_HMAC_SHA1_32",
	0x0007: "SRTP_AEAD_AES_128_GCM",
	0x0008: "SRTP_AEAD_AES_256_GCM",
	0x0009: "DOUBLE_AEAD_AES_128_GCM_AEAD_AES_128_GCM",
	0x000A: "DOUBLE_AEAD_AES_256_GCM_AEAD_AES_256_GCM",
	0x000B: "SRTP_ARIA_128_CTR_HMAC_SHA1_80",
	0x000C: "SRTP_ARIA_128_CTR_HMAC_SHA1_32",
	0x000D: "SRTP_ARIA_256_CTR_HMAC_SHA1_80",
	0x000E: "SRTP_ARIA_256_CTR_HMAC_SHA1_32",
	0x000F: "SRTP_AEAD_ARIA_128_GCM",
	0x0010: "SRTP_AEAD_ARIA_256_GCM",
}

// RFC 5764, Section 4.1.1:
//
//	uint8 SRTPProtectionProfile[2];
//	struct {
//	    SRTPProtectionProfiles SRTPProtectionProfiles;  // <2..2^16-1>
//	    opaque srtp_mki<0..255>;
//	} UseSRTPData;
func decodeUseSRTP(d *dec, s *cryptobyte.String) any {
	v := &UseSRTPExt{}
	var list, mki cryptobyte.String
	if !d.vec(s, 2, "SRTPProtectionProfiles", 2, 0xffff, &list) {
		return v
	}
	d.each16(list, "SRTPProtectionProfiles", func(p uint16) {
		v.Profiles = append(v.Profiles, srtpProfiles.name(p))
	})
	if d.vec(s, 1, "srtp_mki", 0, 0xff, &mki) {
		v.MKILength, v.MKI = len(mki), hexString(mki)
	}
	return v
}

// HeartbeatExt is heartbeat (15).
type HeartbeatExt struct {
	Mode CodeName `json:"mode"`
}

var heartbeatModes = table8{1: "peer_allowed_to_send", 2: "peer_not_allowed_to_send"} // IANA "Heartbeat Modes", RFC 6520

// RFC 6520, Section 2:
//
//	enum { peer_allowed_to_send(1), peer_not_allowed_to_send(2), (255) } HeartbeatMode;
//	struct { HeartbeatMode mode; } HeartbeatExtension;
func decodeHeartbeat(d *dec, s *cryptobyte.String) any {
	v := &HeartbeatExt{}
	var m uint8
	if d.u8(s, "mode", &m) {
		v.Mode = heartbeatModes.name(m)
	}
	return v
}

// ALPNExt is application_layer_protocol_negotiation (16): the offered list,
// or the one selected protocol from a server.
type ALPNExt struct {
	Protocols []string `json:"protocols"`
}

// readProtocolNames reads RFC 7301 ProtocolName entries to the end of list.
func (d *dec) readProtocolNames(list cryptobyte.String, name string) []string {
	var out []string
	for !list.Empty() {
		var p cryptobyte.String
		if !d.vec(&list, 1, name, 1, 0xff, &p) {
			break
		}
		out = append(out, string(p))
	}
	return out
}

// RFC 7301, Section 3.1:
//
//	opaque ProtocolName<1..2^8-1>;
//	struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList;
//
// "the "ProtocolNameList" MUST contain exactly one "ProtocolName"" in a
// server's answer.
func decodeALPN(d *dec, s *cryptobyte.String) any {
	v := &ALPNExt{}
	var list cryptobyte.String
	if !d.vec(s, 2, "protocol_name_list", 2, 0xffff, &list) {
		return v
	}
	at := list
	v.Protocols = d.readProtocolNames(list, "ProtocolName")
	if !d.failed && !d.client() && len(v.Protocols) != 1 {
		d.warn(CodeExtensionMalformed, at, "server selected %d protocols, not exactly one", len(v.Protocols))
	}
	return v
}

// StatusRequestV2Ext is status_request_v2 (17); empty from a server.
type StatusRequestV2Ext struct {
	Requests []StatusRequestItem `json:"certificate_status_req_list,omitempty"`
}

// StatusRequestItem is one CertificateStatusRequestItemV2.
type StatusRequestItem struct {
	StatusType    CodeName `json:"status_type"`
	RequestLength int      `json:"request_length"`
	*OCSPRequestInfo
}

// RFC 6961, Section 2.2:
//
//	struct {
//	    CertificateStatusType status_type;
//	    uint16 request_length; /* Length of request field in bytes */
//	    select (status_type) {
//	        case ocsp: OCSPStatusRequest;
//	        case ocsp_multi: OCSPStatusRequest;
//	    } request;
//	} CertificateStatusRequestItemV2;
//	struct { CertificateStatusRequestItemV2 certificate_status_req_list<1..2^16-1>; } CertificateStatusRequestListV2;
func decodeStatusRequestV2(d *dec, s *cryptobyte.String) any {
	v := &StatusRequestV2Ext{}
	if d.empty(s) && !d.client() {
		return v
	}
	var list cryptobyte.String
	if !d.vec(s, 2, "certificate_status_req_list", 1, 0xffff, &list) {
		return v
	}
	for !list.Empty() {
		var typ uint8
		var req cryptobyte.String
		if !d.u8(&list, "status_type", &typ) || !d.vec(&list, 2, "request", 0, 0xffff, &req) {
			return v
		}
		it := StatusRequestItem{StatusType: *statusTypeName(typ), RequestLength: len(req)}
		if typ == 1 || typ == 2 {
			var ok bool
			it.OCSPRequestInfo, ok = d.readOCSPRequest(&req)
			if !ok {
				v.Requests = append(v.Requests, it)
				return v
			}
			if !req.Empty() {
				d.warn(CodeExtensionMalformed, req, "%d byte(s) after an OCSPStatusRequest", len(req))
			}
		}
		v.Requests = append(v.Requests, it)
	}
	return v
}

// SCTListExt is signed_certificate_timestamp (18): empty in a ClientHello,
// the SCT list from a server (TLS 1.2 ServerHello or TLS 1.3 CertificateEntry).
type SCTListExt struct {
	ListLength int       `json:"sct_list_length,omitempty"`
	SCTs       []SCTInfo `json:"scts,omitempty"`
}

// SCTInfo is one SerializedSCT; the header fields are filled in when the SCT
// is a v1 SCT long enough to hold them.
type SCTInfo struct {
	Length    int     `json:"sct_length"`
	Version   *int    `json:"sct_version,omitempty"`
	LogID     string  `json:"sct_log_id,omitempty"`
	Timestamp *uint64 `json:"sct_timestamp,omitempty"` // ms since the Unix epoch
	// The rest of a v1 SCT: its extensions' length, the signature's
	// algorithm and length.
	ExtensionsLength   *int      `json:"sct_extensions_length,omitempty"`
	SignatureAlgorithm *CodeName `json:"sct_signature_algorithm,omitempty"`
	SignatureLength    *int      `json:"sct_signature_length,omitempty"`
}

// RFC 6962, Section 3.3:
//
//	opaque SerializedSCT<1..2^16-1>;
//	struct { SerializedSCT sct_list <1..2^16-1>; } SignedCertificateTimestampList;
//
// Section 3.2: struct { Version sct_version; LogID id; uint64 timestamp; ... }
// SignedCertificateTimestamp; with opaque key_id[32] as LogID.
func decodeSCT(d *dec, s *cryptobyte.String) any {
	v := &SCTListExt{}
	if d.empty(s) && (d.client() || d.ctx == ExtContextCertificateRequest) {
		return v
	}
	var list cryptobyte.String
	if !d.vec(s, 2, "sct_list", 1, 0xffff, &list) {
		return v
	}
	v.ListLength = len(list)
	for !list.Empty() {
		var sct cryptobyte.String
		if !d.vec(&list, 2, "SerializedSCT", 1, 0xffff, &sct) {
			return v
		}
		info := SCTInfo{Length: len(sct)}
		var ver uint8
		var id []byte
		var ts uint64
		if sct.ReadUint8(&ver) && ver == 0 && sct.ReadBytes(&id, 32) && sct.ReadUint64(&ts) {
			info.Version, info.LogID, info.Timestamp = ptr(int(ver)), hexString(id), &ts
			// CtExtensions extensions<0..2^16-1>; digitally-signed struct
			// (RFC 5246 Section 4.7: SignatureAndHashAlgorithm, opaque<0..2^16-1>).
			var exts, sig cryptobyte.String
			var alg uint16
			if sct.ReadUint16LengthPrefixed(&exts) {
				info.ExtensionsLength = ptr(len(exts))
				if sct.ReadUint16(&alg) && sct.ReadUint16LengthPrefixed(&sig) {
					info.SignatureAlgorithm, info.SignatureLength = ptr(enumName(SignatureScheme(alg))), ptr(len(sig))
				}
			}
		}
		v.SCTs = append(v.SCTs, info)
	}
	return v
}

// PaddingExt is padding (21).
type PaddingExt struct {
	Length  int  `json:"padding_length"`
	AllZero bool `json:"all_zero"`
}

// RFC 7685, Section 3: the "extension_data" field ... "consists of an
// arbitrary number of zero bytes".
func decodePadding(d *dec, s *cryptobyte.String) any {
	v := &PaddingExt{Length: len(*s), AllZero: true}
	for _, b := range *s {
		if b != 0 {
			v.AllZero = false
			break
		}
	}
	s.Skip(len(*s))
	return v
}

// TokenBindingExt is token_binding (24).
type TokenBindingExt struct {
	MajorVersion  int        `json:"major_version"`
	MinorVersion  int        `json:"minor_version"`
	KeyParameters []CodeName `json:"key_parameters"`
}

var tokenBindingKeyParameters = table8{0: "rsa2048_pkcs1.5", 1: "rsa2048_pss", 2: "ecdsap256"} // IANA "Token Binding Key Parameters", RFC 8471

// RFC 8472, Section 3:
//
//	struct { uint8 major; uint8 minor; } TB_ProtocolVersion;
//	struct {
//	    TB_ProtocolVersion token_binding_version;
//	    TokenBindingKeyParameters key_parameters_list<1..2^8-1>
//	} TokenBindingParameters;
func decodeTokenBinding(d *dec, s *cryptobyte.String) any {
	v := &TokenBindingExt{}
	var major, minor uint8
	var list cryptobyte.String
	if !d.u8(s, "major", &major) || !d.u8(s, "minor", &minor) {
		return v
	}
	v.MajorVersion, v.MinorVersion = int(major), int(minor)
	if d.vec(s, 1, "key_parameters_list", 1, 0xff, &list) {
		for _, p := range list {
			v.KeyParameters = append(v.KeyParameters, tokenBindingKeyParameters.name(p))
		}
	}
	return v
}

// CachedInfoExt is cached_info (25).
type CachedInfoExt struct {
	Objects []CachedObject `json:"cached_info"`
}

// CachedObject is one entry; HashValueLength is 0 in a server's answer.
type CachedObject struct {
	Type            CodeName `json:"type"`
	HashValueLength int      `json:"hash_value_length,omitempty"`
}

var cachedInformationTypes = table8{1: "cert", 2: "cert_req"} // IANA "TLS CachedInformationType Values", RFC 7924

// RFC 7924, Section 3:
//
//	struct {
//	    select (type) {
//	        case client: CachedInformationType type; opaque hash_value<1..255>;
//	        case server: CachedInformationType type;
//	    } body;
//	} CachedObject;
//	struct { CachedObject cached_info<1..2^16-1>; } CachedInformation;
func decodeCachedInfo(d *dec, s *cryptobyte.String) any {
	v := &CachedInfoExt{}
	var list cryptobyte.String
	if !d.vec(s, 2, "cached_info", 1, 0xffff, &list) {
		return v
	}
	for !list.Empty() {
		var t uint8
		if !d.u8(&list, "type", &t) {
			return v
		}
		o := CachedObject{Type: cachedInformationTypes.name(t)}
		if d.client() {
			var h cryptobyte.String
			if !d.vec(&list, 1, "hash_value", 1, 0xff, &h) {
				return v
			}
			o.HashValueLength = len(h)
		}
		v.Objects = append(v.Objects, o)
	}
	return v
}

// CompressCertificateExt is compress_certificate (27).
type CompressCertificateExt struct {
	Algorithms []CodeName `json:"algorithms"`
}

// RFC 8879, Section 3:
//
//	struct { CertificateCompressionAlgorithm algorithms<2..2^8-2>; } CertificateCompressionAlgorithms;
func decodeCompressCertificate(d *dec, s *cryptobyte.String) any {
	v := &CompressCertificateExt{}
	var list cryptobyte.String
	if d.vec(s, 1, "algorithms", 2, 0xfe, &list) {
		d.each16(list, "algorithms", func(a uint16) {
			v.Algorithms = append(v.Algorithms, name16(a, iana.CertificateCompressionAlgorithmName))
		})
	}
	return v
}

// RecordSizeLimitExt is record_size_limit (28).
type RecordSizeLimitExt struct {
	RecordSizeLimit int `json:"record_size_limit"`
}

// RFC 8449, Section 4: uint16 RecordSizeLimit; "Endpoints MUST NOT send a
// "record_size_limit" extension with a value smaller than 64."
func decodeRecordSizeLimit(d *dec, s *cryptobyte.String) any {
	v := &RecordSizeLimitExt{}
	start := *s
	var x uint16
	if d.u16(s, "RecordSizeLimit", &x) {
		v.RecordSizeLimit = int(x)
		if x < 64 {
			d.warn(CodeExtensionMalformed, start, "record_size_limit %d is below 64", x)
		}
	}
	return v
}

// DelegatedCredentialExt is delegated_credential (34): the accepted schemes
// in a ClientHello or CertificateRequest, the credential in a CertificateEntry.
type DelegatedCredentialExt struct {
	Algorithms            []CodeName `json:"signature_algorithms,omitempty"`
	ValidTime             *uint32    `json:"valid_time,omitempty"`
	DCCertVerifyAlgorithm *CodeName  `json:"dc_cert_verify_algorithm,omitempty"`
	SPKILength            int        `json:"subject_public_key_info_length,omitempty"`
	Algorithm             *CodeName  `json:"algorithm,omitempty"`
	SignatureLength       int        `json:"signature_length,omitempty"`
}

// RFC 9345, Section 4.1.1 (ClientHello, CertificateRequest):
//
//	struct { SignatureScheme supported_signature_algorithm<2..2^16-2>; } SignatureSchemeList;
//
// Section 4 (CertificateEntry):
//
//	struct {
//	    uint32 valid_time;
//	    SignatureScheme dc_cert_verify_algorithm;
//	    opaque ASN1_subjectPublicKeyInfo<1..2^24-1>;
//	} Credential;
//	struct { Credential cred; SignatureScheme algorithm; opaque signature<1..2^16-1>; } DelegatedCredential;
func decodeDelegatedCredential(d *dec, s *cryptobyte.String) any {
	v := &DelegatedCredentialExt{}
	if d.ctx != ExtContextCertificate {
		var list cryptobyte.String
		if d.vec(s, 2, "supported_signature_algorithm", 2, 0xfffe, &list) {
			d.each16(list, "supported_signature_algorithm", func(a uint16) {
				v.Algorithms = append(v.Algorithms, enumName(SignatureScheme(a)))
			})
		}
		return v
	}
	var t uint32
	var alg uint16
	var spki, sig cryptobyte.String
	if !d.u32(s, "valid_time", &t) || !d.u16(s, "dc_cert_verify_algorithm", &alg) {
		return v
	}
	v.ValidTime, v.DCCertVerifyAlgorithm = &t, ptr(enumName(SignatureScheme(alg)))
	if !d.vec(s, 3, "ASN1_subjectPublicKeyInfo", 1, 1<<24-1, &spki) || !d.u16(s, "algorithm", &alg) {
		return v
	}
	v.SPKILength, v.Algorithm = len(spki), ptr(enumName(SignatureScheme(alg)))
	if d.vec(s, 2, "signature", 1, 0xffff, &sig) {
		v.SignatureLength = len(sig)
	}
	return v
}

// SessionTicketExt is session_ticket (35).
type SessionTicketExt struct {
	Length int `json:"ticket_length"`
	// Ticket is the hex of the ticket's first hexCap bytes, as
	// NewSessionTicket shows it: what ties a resumption to the connection
	// that was given the ticket.
	Ticket string `json:"ticket,omitempty"`
}

// RFC 5077, Section 3.2: the extension_data is the opaque ticket itself
// (empty to ask for a new one, and in a ServerHello).
func decodeSessionTicket(d *dec, s *cryptobyte.String) any {
	v := &SessionTicketExt{Length: len(*s)}
	if len(*s) > 0 {
		v.Ticket = hexPrefix(*s, hexCap)
	}
	s.Skip(len(*s))
	return v
}

// SupportedEKTCiphersExt is supported_ekt_ciphers (39).
type SupportedEKTCiphersExt struct {
	Ciphers  []CodeName `json:"ekt_ciphers,omitempty"`
	Selected *CodeName  `json:"ekt_cipher,omitempty"`
}

var ektCiphers = table8{1: "AESKW128", 2: "AESKW256"} // IANA "EKT Ciphers", RFC 8870

// RFC 8870, Section 5.2:
//
//	struct {
//	    select (Handshake.msg_type) {
//	        case client_hello: EKTCipherType ekt_ciphers<0..254>;
//	        case server_hello: EKTCipherType ekt_cipher;
//	    };
//	} SupportedEKTCiphers;
func decodeSupportedEKTCiphers(d *dec, s *cryptobyte.String) any {
	v := &SupportedEKTCiphersExt{}
	if d.client() {
		var list cryptobyte.String
		if d.vec(s, 1, "ekt_ciphers", 0, 254, &list) {
			for _, c := range list {
				v.Ciphers = append(v.Ciphers, ektCiphers.name(c))
			}
		}
		return v
	}
	var c uint8
	if d.u8(s, "ekt_cipher", &c) {
		v.Selected = ptr(ektCiphers.name(c))
	}
	return v
}

// PreSharedKeyExt is pre_shared_key (41): offered identities and binder
// lengths in a ClientHello, the selected identity from a server.
type PreSharedKeyExt struct {
	Identities       []PSKIdentity `json:"identities,omitempty"`
	BinderLengths    []int         `json:"binder_lengths,omitempty"`
	SelectedIdentity *int          `json:"selected_identity,omitempty"`
}

// PSKIdentity is one offered identity; IdentityPrefix is the hex of its
// first 16 bytes (tickets are long and opaque).
type PSKIdentity struct {
	IdentityLength      int    `json:"identity_length"`
	IdentityPrefix      string `json:"identity_prefix"`
	ObfuscatedTicketAge uint32 `json:"obfuscated_ticket_age"`
}

// RFC 8446, Section 4.2.11:
//
//	struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; } PskIdentity;
//	opaque PskBinderEntry<32..255>;
//	struct {
//	    PskIdentity identities<7..2^16-1>;
//	    PskBinderEntry binders<33..2^16-1>;
//	} OfferedPsks;
//	struct {
//	    select (Handshake.msg_type) {
//	        case client_hello: OfferedPsks;
//	        case server_hello: uint16 selected_identity;
//	    };
//	} PreSharedKeyExtension;
func decodePreSharedKey(d *dec, s *cryptobyte.String) any {
	v := &PreSharedKeyExt{}
	if !d.client() {
		var sel uint16
		if d.u16(s, "selected_identity", &sel) {
			v.SelectedIdentity = ptr(int(sel))
		}
		return v
	}
	var ids, binders cryptobyte.String
	if !d.vec(s, 2, "identities", 7, 0xffff, &ids) {
		return v
	}
	for !ids.Empty() {
		var id cryptobyte.String
		var age uint32
		if !d.vec(&ids, 2, "identity", 1, 0xffff, &id) || !d.u32(&ids, "obfuscated_ticket_age", &age) {
			return v
		}
		v.Identities = append(v.Identities, PSKIdentity{IdentityLength: len(id), IdentityPrefix: hexPrefix(id, 16), ObfuscatedTicketAge: age})
	}
	if !d.vec(s, 2, "binders", 33, 0xffff, &binders) {
		return v
	}
	at := binders
	for !binders.Empty() {
		var b cryptobyte.String
		if !d.vec(&binders, 1, "PskBinderEntry", 32, 255, &b) {
			return v
		}
		v.BinderLengths = append(v.BinderLengths, len(b))
	}
	if len(v.BinderLengths) != len(v.Identities) {
		d.warn(CodeExtensionMalformed, at, "%d binders for %d identities", len(v.BinderLengths), len(v.Identities))
	}
	return v
}

// EarlyDataExt is early_data (42): empty in ClientHello and
// EncryptedExtensions, the limit in a NewSessionTicket.
type EarlyDataExt struct {
	MaxEarlyDataSize *uint32 `json:"max_early_data_size,omitempty"`
}

// RFC 8446, Section 4.2.10:
//
//	struct {} Empty;
//	struct {
//	    select (Handshake.msg_type) {
//	        case new_session_ticket:   uint32 max_early_data_size;
//	        case client_hello:         Empty;
//	        case encrypted_extensions: Empty;
//	    };
//	} EarlyDataIndication;
func decodeEarlyData(d *dec, s *cryptobyte.String) any {
	v := &EarlyDataExt{}
	if d.ctx == ExtContextNewSessionTicket {
		var n uint32
		if d.u32(s, "max_early_data_size", &n) {
			v.MaxEarlyDataSize = &n
		}
	}
	return v
}

// SupportedVersionsExt is supported_versions (43): the offered list in a
// ClientHello, the selected version in a ServerHello or HelloRetryRequest.
type SupportedVersionsExt struct {
	Versions []CodeName `json:"versions,omitempty"`
	Selected *CodeName  `json:"selected_version,omitempty"`
	codes    []Version  // Versions' codes, for ClientHello.SupportedVersions
}

// RFC 8446, Section 4.2.1:
//
//	struct {
//	    select (Handshake.msg_type) {
//	        case client_hello: ProtocolVersion versions<2..254>;
//	        case server_hello: /* and HelloRetryRequest */ ProtocolVersion selected_version;
//	    };
//	} SupportedVersions;
func decodeSupportedVersions(d *dec, s *cryptobyte.String) any {
	v := &SupportedVersionsExt{}
	if d.client() {
		var list cryptobyte.String
		if d.vec(s, 1, "versions", 2, 254, &list) {
			v.Versions = make([]CodeName, 0, len(list)/2)
			v.codes = make([]Version, 0, len(list)/2)
			d.each16(list, "versions", func(x uint16) {
				v.Versions = append(v.Versions, enumName(Version(x)))
				v.codes = append(v.codes, Version(x))
			})
		}
		return v
	}
	var x uint16
	if d.u16(s, "selected_version", &x) {
		v.Selected = ptr(enumName(Version(x)))
	}
	return v
}

// CookieExt is cookie (44).
type CookieExt struct {
	Length int `json:"cookie_length"`
}

// RFC 8446, Section 4.2.2: struct { opaque cookie<1..2^16-1>; } Cookie;
func decodeCookie(d *dec, s *cryptobyte.String) any {
	v := &CookieExt{}
	var c cryptobyte.String
	if d.vec(s, 2, "cookie", 1, 0xffff, &c) {
		v.Length = len(c)
	}
	return v
}

// PSKKeyExchangeModesExt is psk_key_exchange_modes (45).
type PSKKeyExchangeModesExt struct {
	Modes []CodeName `json:"ke_modes"`
}

// RFC 8446, Section 4.2.9:
//
//	enum { psk_ke(0), psk_dhe_ke(1), (255) } PskKeyExchangeMode;
//	struct { PskKeyExchangeMode ke_modes<1..255>; } PskKeyExchangeModes;
func decodePSKKeyExchangeModes(d *dec, s *cryptobyte.String) any {
	v := &PSKKeyExchangeModesExt{}
	var list cryptobyte.String
	if d.vec(s, 1, "ke_modes", 1, 255, &list) {
		for _, m := range list {
			v.Modes = append(v.Modes, name8(m, iana.PSKKeyExchangeModeName))
		}
	}
	return v
}

// CertificateAuthoritiesExt is certificate_authorities (47). Names holds
// each DN in RFC 4514 form, "" where the DER does not parse.
type CertificateAuthoritiesExt struct {
	Count   int      `json:"distinguished_name_count"`
	Lengths []int    `json:"distinguished_name_lengths"`
	Names   []string `json:"distinguished_names"`
}

// RFC 8446, Section 4.2.4:
//
//	opaque DistinguishedName<1..2^16-1>;
//	struct { DistinguishedName authorities<3..2^16-1>; } CertificateAuthoritiesExtension;
func decodeCertificateAuthorities(d *dec, s *cryptobyte.String) any {
	v := &CertificateAuthoritiesExt{}
	var list cryptobyte.String
	if !d.vec(s, 2, "authorities", 3, 0xffff, &list) {
		return v
	}
	for !list.Empty() {
		var dn cryptobyte.String
		if !d.vec(&list, 2, "DistinguishedName", 1, 0xffff, &dn) {
			return v
		}
		v.Count++
		v.Lengths = append(v.Lengths, len(dn))
		v.Names = append(v.Names, dnString(dn))
	}
	return v
}

// dnString renders a DER Name in RFC 4514 form, or "" if it does not parse.
func dnString(der []byte) string {
	var rdn pkix.RDNSequence
	rest, err := asn1.Unmarshal(der, &rdn)
	if err != nil || len(rest) != 0 {
		return ""
	}
	var n pkix.Name
	n.FillFromRDNSequence(&rdn)
	return n.String()
}

// OIDFiltersExt is oid_filters (48).
type OIDFiltersExt struct {
	Filters []OIDFilter `json:"filters"`
}

// OIDFilter is one filter; OID is dotted, or hex when it does not decode.
type OIDFilter struct {
	OID          string `json:"certificate_extension_oid"`
	ValuesLength int    `json:"certificate_extension_values_length"`
}

// RFC 8446, Section 4.2.5:
//
//	struct {
//	    opaque certificate_extension_oid<1..2^8-1>;
//	    opaque certificate_extension_values<0..2^16-1>;
//	} OIDFilter;
//	struct { OIDFilter filters<0..2^16-1>; } OIDFilterExtension;
func decodeOIDFilters(d *dec, s *cryptobyte.String) any {
	v := &OIDFiltersExt{}
	var list cryptobyte.String
	if !d.vec(s, 2, "filters", 0, 0xffff, &list) {
		return v
	}
	for !list.Empty() {
		var oid, vals cryptobyte.String
		if !d.vec(&list, 1, "certificate_extension_oid", 1, 0xff, &oid) ||
			!d.vec(&list, 2, "certificate_extension_values", 0, 0xffff, &vals) {
			return v
		}
		v.Filters = append(v.Filters, OIDFilter{OID: oidString(oid), ValuesLength: len(vals)})
	}
	return v
}

// oidString decodes the content octets of a DER OBJECT IDENTIFIER (X.690,
// Section 8.19) into dotted form, or returns hex if they are not minimal
// base-128.
func oidString(b []byte) string {
	var out []byte
	var x uint64
	first := true
	for i, c := range b {
		if x == 0 && c == 0x80 || x > 1<<56 {
			return hexString(b)
		}
		x = x<<7 | uint64(c&0x7f)
		if c&0x80 != 0 {
			if i == len(b)-1 {
				return hexString(b)
			}
			continue
		}
		if first {
			a := min(x/40, 2)
			out = strconv.AppendUint(out, a, 10)
			out = append(out, '.')
			out = strconv.AppendUint(out, x-40*a, 10)
			first = false
		} else {
			out = append(out, '.')
			out = strconv.AppendUint(out, x, 10)
		}
		x = 0
	}
	if len(out) == 0 {
		return hexString(b)
	}
	return string(out)
}

// KeyShareExt is key_share (51): client_shares in a ClientHello,
// server_share in a ServerHello, selected_group in a HelloRetryRequest.
type KeyShareExt struct {
	ClientShares  []KeyShareInfo `json:"client_shares,omitempty"`
	ServerShare   *KeyShareInfo  `json:"server_share,omitempty"`
	SelectedGroup *CodeName      `json:"selected_group,omitempty"`
}

// KeyShareInfo is one KeyShareEntry without its key bytes.
type KeyShareInfo struct {
	Group             CodeName `json:"group"`
	KeyExchangeLength int      `json:"key_exchange_length"`
}

// readKeyShareEntry reads struct { NamedGroup group; opaque key_exchange<1..2^16-1>; } KeyShareEntry;
func (d *dec) readKeyShareEntry(s *cryptobyte.String) (KeyShareInfo, bool) {
	var g uint16
	var key cryptobyte.String
	if !d.u16(s, "group", &g) || !d.vec(s, 2, "key_exchange", 1, 0xffff, &key) {
		return KeyShareInfo{}, false
	}
	return KeyShareInfo{Group: enumName(NamedGroup(g)), KeyExchangeLength: len(key)}, true
}

// RFC 8446, Section 4.2.8:
//
//	struct { KeyShareEntry client_shares<0..2^16-1>; } KeyShareClientHello;
//	struct { NamedGroup selected_group; } KeyShareHelloRetryRequest;
//	struct { KeyShareEntry server_share; } KeyShareServerHello;
func decodeKeyShare(d *dec, s *cryptobyte.String) any {
	v := &KeyShareExt{}
	switch d.ctx {
	case ExtContextClientHello:
		var list cryptobyte.String
		if !d.vec(s, 2, "client_shares", 0, 0xffff, &list) {
			return v
		}
		for !list.Empty() {
			e, ok := d.readKeyShareEntry(&list)
			if !ok {
				return v
			}
			v.ClientShares = append(v.ClientShares, e)
		}
	case ExtContextHelloRetryRequest:
		var g uint16
		if d.u16(s, "selected_group", &g) {
			v.SelectedGroup = ptr(enumName(NamedGroup(g)))
		}
	default:
		if e, ok := d.readKeyShareEntry(s); ok {
			v.ServerShare = &e
		}
	}
	return v
}

// TransparencyInfoExt is transparency_info (52): empty in a ClientHello.
type TransparencyInfoExt struct {
	Items []TransItemInfo `json:"trans_items,omitempty"`
}

// TransItemInfo is one SerializedTransItem: its length and versioned type.
type TransItemInfo struct {
	Length int       `json:"length"`
	Type   *CodeName `json:"versioned_type,omitempty"`
}

// IANA "VersionedTransType" (RFC 9162, Section 10.2.4).
var versionedTransTypes = table16{
	1: "x509_entry_v2", 2: "precert_entry_v2", 3: "x509_sct_v2", 4: "precert_sct_v2",
	5: "signed_tree_head_v2", 6: "consistency_proof_v2", 7: "inclusion_proof_v2",
}

// RFC 9162, Section 6.5 and 4.5:
//
//	opaque SerializedTransItem<1..2^16-1>;
//	struct { SerializedTransItem trans_item_list<1..2^16-1>; } TransItemList;
//	struct { VersionedTransType versioned_type; select (versioned_type) {...} } TransItem;  // uint16 type
func decodeTransparencyInfo(d *dec, s *cryptobyte.String) any {
	v := &TransparencyInfoExt{}
	if d.empty(s) && d.client() {
		return v
	}
	var list cryptobyte.String
	if !d.vec(s, 2, "trans_item_list", 1, 0xffff, &list) {
		return v
	}
	for !list.Empty() {
		var item cryptobyte.String
		if !d.vec(&list, 2, "SerializedTransItem", 1, 0xffff, &item) {
			return v
		}
		it := TransItemInfo{Length: len(item)}
		var t uint16
		if item.ReadUint16(&t) {
			it.Type = ptr(versionedTransTypes.name(t))
		}
		v.Items = append(v.Items, it)
	}
	return v
}

// ConnectionIDExt is connection_id (54) or its deprecated code point (53).
type ConnectionIDExt struct {
	Length int    `json:"cid_length"`
	CID    string `json:"cid"`
}

// RFC 9146, Section 3: struct { opaque cid<0..2^8-1>; } ConnectionId;
func decodeConnectionID(d *dec, s *cryptobyte.String) any {
	v := &ConnectionIDExt{}
	var cid cryptobyte.String
	if d.vec(s, 1, "cid", 0, 0xff, &cid) {
		v.Length, v.CID = len(cid), hexString(cid)
	}
	return v
}

// ExternalIDHashExt is external_id_hash (55): empty in a ClientHello.
type ExternalIDHashExt struct {
	Length int    `json:"external_id_hash_length"`
	Hash   string `json:"external_id_hash,omitempty"`
}

// RFC 8844, Section 3: the client's extension_data is empty; the server's
// is opaque external_id_hash<0..32>.
func decodeExternalIDHash(d *dec, s *cryptobyte.String) any {
	v := &ExternalIDHashExt{}
	if d.client() {
		return v
	}
	var h cryptobyte.String
	if d.vec(s, 1, "external_id_hash", 0, 32, &h) {
		v.Length, v.Hash = len(h), hexString(h)
	}
	return v
}

// ExternalSessionIDExt is external_session_id (56).
type ExternalSessionIDExt struct {
	Length int    `json:"external_session_id_length"`
	ID     string `json:"external_session_id"`
}

// RFC 8844, Section 4: opaque session_id<20..255>;
func decodeExternalSessionID(d *dec, s *cryptobyte.String) any {
	v := &ExternalSessionIDExt{}
	var id cryptobyte.String
	if d.vec(s, 1, "session_id", 20, 255, &id) {
		v.Length, v.ID = len(id), hexString(id)
	}
	return v
}

// QUICTransportParametersExt is quic_transport_parameters (57, and 0xffa5
// for the pre-RFC drafts that used the same encoding).
type QUICTransportParametersExt struct {
	Parameters []QUICTransportParameter `json:"parameters"`
}

// QUICTransportParameter is one parameter. Value is set for the integer
// parameters; Hex holds (at most 64 bytes of) any other value.
type QUICTransportParameter struct {
	ID     uint64  `json:"id"`
	Name   string  `json:"name"`
	Length int     `json:"length"`
	Value  *uint64 `json:"value,omitempty"`
	Hex    string  `json:"hex,omitempty"`
}

// quicParams names transport parameters; the bool says whether the value is
// a single varint. RFC 9000, Section 18.2, plus RFC 9368 (version_information),
// RFC 9221 (max_datagram_frame_size), RFC 9287 (grease_quic_bit) and
// draft-ietf-quic-ack-frequency (min_ack_delay).
var quicParams = map[uint64]struct {
	name string
	num  bool
}{
	0x00:       {"original_destination_connection_id", false},
	0x01:       {"max_idle_timeout", true},
	0x02:       {"stateless_reset_token", false},
	0x03:       {"max_udp_payload_size", true},
	0x04:       {"initial_max_data", true},
	0x05:       {"initial_max_stream_data_bidi_local", true},
	0x06:       {"initial_max_stream_data_bidi_remote", true},
	0x07:       {"initial_max_stream_data_uni", true},
	0x08:       {"initial_max_streams_bidi", true},
	0x09:       {"initial_max_streams_uni", true},
	0x0a:       {"ack_delay_exponent", true},
	0x0b:       {"max_ack_delay", true},
	0x0c:       {"disable_active_migration", false},
	0x0d:       {"preferred_address", false},
	0x0e:       {"active_connection_id_limit", true},
	0x0f:       {"initial_source_connection_id", false},
	0x10:       {"retry_source_connection_id", false},
	0x11:       {"version_information", false},
	0x20:       {"max_datagram_frame_size", true},
	0x2ab2:     {"grease_quic_bit", false},
	0xff04de1b: {"min_ack_delay", true},
}

// readVarint reads a QUIC variable-length integer (RFC 9000, Section 16):
// the two high bits of the first byte give its length, 1, 2, 4 or 8 bytes.
func readVarint(s *cryptobyte.String, out *uint64) bool {
	if len(*s) == 0 {
		return false
	}
	n := 1 << ((*s)[0] >> 6)
	var b []byte
	if !s.ReadBytes(&b, n) {
		return false
	}
	x := uint64(b[0] & 0x3f)
	for _, c := range b[1:] {
		x = x<<8 | uint64(c)
	}
	*out = x
	return true
}

// RFC 9000, Section 18:
//
//	Transport Parameters { Transport Parameter (..) ... }
//	Transport Parameter {
//	    Transport Parameter ID (i),
//	    Transport Parameter Length (i),
//	    Transport Parameter Value (..),
//	}
//
// RFC 9001, Section 8.2 carries them as the whole extension_data.
func decodeQUICTransportParameters(d *dec, s *cryptobyte.String) any {
	v := &QUICTransportParametersExt{}
	for !s.Empty() {
		at := *s
		var id, n uint64
		if !readVarint(s, &id) {
			d.fail(at, "parameter id varint cut short")
			return v
		}
		lenAt := *s
		if !readVarint(s, &n) {
			d.fail(lenAt, "parameter %#x length varint cut short", id)
			return v
		}
		if n > uint64(len(*s)) {
			d.fail(lenAt, "parameter %#x length %d exceeds the %d bytes left", id, n, len(*s))
			return v
		}
		var val []byte
		s.ReadBytes(&val, int(n))
		p := QUICTransportParameter{ID: id, Length: int(n)}
		known, ok := quicParams[id]
		switch {
		case ok:
			p.Name = known.name
		case id >= 27 && (id-27)%31 == 0:
			p.Name = "GREASE" // RFC 9000, Section 18.1: 31 * N + 27
		default:
			p.Name = fmt.Sprintf("0x%X", id)
		}
		if known.num {
			vs := cryptobyte.String(val)
			var x uint64
			if readVarint(&vs, &x) && vs.Empty() {
				p.Value = &x
			} else {
				d.warn(CodeExtensionMalformed, val, "parameter %s value is not one varint", p.Name)
				p.Hex = hexPrefix(val, hexCap)
			}
		} else if n > 0 {
			p.Hex = hexPrefix(val, hexCap)
		}
		v.Parameters = append(v.Parameters, p)
	}
	return v
}

// TicketRequestExt is ticket_request (58).
type TicketRequestExt struct {
	NewSessionCount *int `json:"new_session_count,omitempty"`
	ResumptionCount *int `json:"resumption_count,omitempty"`
	ExpectedCount   *int `json:"expected_count,omitempty"`
}

// RFC 9149, Section 3:
//
//	struct { uint8 new_session_count; uint8 resumption_count; } ClientTicketRequest;
//	uint8 count; // ServerTicketRequestHint, in EncryptedExtensions
func decodeTicketRequest(d *dec, s *cryptobyte.String) any {
	v := &TicketRequestExt{}
	var a, b uint8
	if d.client() {
		if d.u8(s, "new_session_count", &a) && d.u8(s, "resumption_count", &b) {
			v.NewSessionCount, v.ResumptionCount = ptr(int(a)), ptr(int(b))
		}
		return v
	}
	if d.u8(s, "expected_count", &a) {
		v.ExpectedCount = ptr(int(a))
	}
	return v
}

// DNSSECChainExt is dnssec_chain (59).
type DNSSECChainExt struct {
	PortNumber                *int `json:"port_number,omitempty"`
	ExtSupportLifetime        *int `json:"ext_support_lifetime,omitempty"`
	AuthenticationChainLength *int `json:"authentication_chain_length,omitempty"`
}

// RFC 9102, Section 3:
//
//	struct { uint16 PortNumber; } DnssecChainExtension;  // ClientHello
//	struct {
//	    uint16 ExtSupportLifetime;
//	    opaque AuthenticationChain<1..2^16-1>
//	} DnssecChainExtension;  // server
func decodeDNSSECChain(d *dec, s *cryptobyte.String) any {
	v := &DNSSECChainExt{}
	var x uint16
	if d.client() {
		if d.u16(s, "PortNumber", &x) {
			v.PortNumber = ptr(int(x))
		}
		return v
	}
	var chain cryptobyte.String
	if !d.u16(s, "ExtSupportLifetime", &x) {
		return v
	}
	v.ExtSupportLifetime = ptr(int(x))
	if d.vec(s, 2, "AuthenticationChain", 1, 0xffff, &chain) {
		v.AuthenticationChainLength = ptr(len(chain))
	}
	return v
}

// SequenceNumberEncryptionAlgorithmsExt is
// sequence_number_encryption_algorithms (60). Codes only: the draft's
// registry is not in iana.
type SequenceNumberEncryptionAlgorithmsExt struct {
	Algorithms []int `json:"algorithms,omitempty"`
	Selected   *int  `json:"selected_algorithm,omitempty"`
}

// draft-pismenny-tls-dtls-plaintext-sequence-number-01, Section 3 (as
// implemented by other dissectors; the draft could not be checked here):
//
//	struct {
//	    select (Handshake.msg_type) {
//	        case client_hello: SequenceNumberEncryptionAlgorithm algorithms<2..2^16-2>;
//	        case server_hello: SequenceNumberEncryptionAlgorithm selected;
//	    };
//	} SequenceNumberEncryptionAlgorithms;  // uint16 code points
func decodeSequenceNumberEncryptionAlgorithms(d *dec, s *cryptobyte.String) any {
	v := &SequenceNumberEncryptionAlgorithmsExt{}
	if d.client() {
		var list cryptobyte.String
		if d.vec(s, 2, "algorithms", 2, 0xfffe, &list) {
			d.each16(list, "algorithms", func(a uint16) {
				v.Algorithms = append(v.Algorithms, int(a))
			})
		}
		return v
	}
	var a uint16
	if d.u16(s, "selected", &a) {
		v.Selected = ptr(int(a))
	}
	return v
}

// TLSFlagsExt is tls_flags (62): the numbers of the flags that are set.
type TLSFlagsExt struct {
	Flags []int `json:"flags"`
}

// draft-ietf-tls-tlsflags, Section 2: struct { opaque flags<1..32>; } FlagExtensions;
// flag n is bit n%8 (least significant first) of byte n/8.
func decodeTLSFlags(d *dec, s *cryptobyte.String) any {
	v := &TLSFlagsExt{Flags: []int{}}
	var flags cryptobyte.String
	if d.vec(s, 1, "flags", 1, 32, &flags) {
		for i, b := range flags {
			for bit := range 8 {
				if b&(1<<bit) != 0 {
					v.Flags = append(v.Flags, i*8+bit)
				}
			}
		}
	}
	return v
}

// NPNExt is next_protocol_negotiation (13172): empty in a ClientHello, the
// server's advertised protocols in a ServerHello.
type NPNExt struct {
	Protocols []string `json:"protocols,omitempty"`
}

// draft-agl-tls-nextprotoneg-04, Section 3: the server's extension_data is
// a series of 8-bit length-prefixed strings with no outer length:
// opaque ProtocolName<1..2^8-1>; ProtocolName protocols[...] to the end.
func decodeNPN(d *dec, s *cryptobyte.String) any {
	v := &NPNExt{}
	if d.client() {
		return v
	}
	v.Protocols = d.readProtocolNames(*s, "ProtocolName")
	if !d.failed {
		s.Skip(len(*s))
	}
	return v
}

// ApplicationSettingsExt is application_settings (ALPS, 17513 and 17613):
// the protocols a client supports ALPS for, or the length of the settings
// a server sends in EncryptedExtensions.
type ApplicationSettingsExt struct {
	Protocols      []string `json:"supported_protocols,omitempty"`
	SettingsLength *int     `json:"application_settings_length,omitempty"`
}

// draft-vvv-tls-alps-01, Section 3 (code point 17513; Chrome moved to
// 17613 with the same ClientHello body):
//
//	struct { ProtocolName supported_protocols<2..2^16-1>; } ApplicationSettingsSupport;
//
// In EncryptedExtensions the extension_data is the opaque settings.
func decodeApplicationSettings(d *dec, s *cryptobyte.String) any {
	v := &ApplicationSettingsExt{}
	if !d.client() {
		v.SettingsLength = ptr(len(*s))
		s.Skip(len(*s))
		return v
	}
	var list cryptobyte.String
	if d.vec(s, 2, "supported_protocols", 2, 0xffff, &list) {
		v.Protocols = d.readProtocolNames(list, "ProtocolName")
	}
	return v
}

// ECHOuterExtensionsExt is ech_outer_extensions (0xfd00), found in an inner
// ClientHello.
type ECHOuterExtensionsExt struct {
	Types []CodeName `json:"outer_extensions"`
}

// draft-ietf-tls-esni-25, Section 5.1:
//
//	ExtensionType OuterExtensions<2..254>;
func decodeECHOuterExtensions(d *dec, s *cryptobyte.String) any {
	v := &ECHOuterExtensionsExt{}
	var list cryptobyte.String
	if d.vec(s, 1, "OuterExtensions", 2, 254, &list) {
		d.each16(list, "OuterExtensions", func(t uint16) {
			v.Types = append(v.Types, enumName(ExtensionType(t)))
		})
	}
	return v
}

// ECHClientHelloExt is encrypted_client_hello (0xfe0d) in a ClientHello.
// The outer form sets the cipher suite and lengths; the inner form only Type.
type ECHClientHelloExt struct {
	Type          CodeName  `json:"type"`
	KDF           *CodeName `json:"kdf_id,omitempty"`
	AEAD          *CodeName `json:"aead_id,omitempty"`
	ConfigID      *int      `json:"config_id,omitempty"`
	EncLength     *int      `json:"enc_length,omitempty"`
	PayloadLength *int      `json:"payload_length,omitempty"`
}

// ECHRetryConfigsExt is encrypted_client_hello in EncryptedExtensions: the
// server's retry_configs.
type ECHRetryConfigsExt struct {
	Length  int             `json:"retry_configs_length"`
	Configs []ECHConfigInfo `json:"retry_configs"`
}

// ECHConfigInfo summarises one ECHConfig; the key_config fields are set for
// version 0xfe0d.
type ECHConfigInfo struct {
	Version    int       `json:"version"`
	Length     int       `json:"length"`
	ConfigID   *int      `json:"config_id,omitempty"`
	KEM        *CodeName `json:"kem_id,omitempty"`
	PublicName string    `json:"public_name,omitempty"`
}

// ECHConfirmationExt is encrypted_client_hello in a HelloRetryRequest: the
// 8-byte acceptance confirmation.
type ECHConfirmationExt struct {
	Confirmation string `json:"confirmation"`
}

// IANA "HPKE KEM/KDF/AEAD Identifiers" (RFC 9180, Section 7; ML-KEM from
// draft-ietf-hpke-pq).
var (
	hpkeKEMs = table16{
		0x0010: "DHKEM(P-256, HKDF-SHA256)", 0x0011: "DHKEM(P-384, HKDF-SHA384)",
		0x0012: "DHKEM(P-521, HKDF-SHA512)", 0x0020: "DHKEM(X25519, HKDF-SHA256)",
		0x0021: "DHKEM(X448, HKDF-SHA512)", 0x0040: "ML-KEM-512", 0x0041: "ML-KEM-768",
		0x0042: "ML-KEM-1024", 0x647a: "X25519MLKEM768",
	}
	hpkeKDFs  = table16{1: "HKDF-SHA256", 2: "HKDF-SHA384", 3: "HKDF-SHA512"}
	hpkeAEADs = table16{1: "AES-128-GCM", 2: "AES-256-GCM", 3: "ChaCha20Poly1305", 0xFFFF: "Export-only"}
	echTypes  = table8{0: "outer", 1: "inner"}
)

// draft-ietf-tls-esni-25, Section 5:
//
//	enum { outer(0), inner(1) } ECHClientHelloType;
//	struct {
//	    ECHClientHelloType type;
//	    select (ECHClientHello.type) {
//	        case outer:
//	            HpkeSymmetricCipherSuite cipher_suite;  // uint16 kdf_id, uint16 aead_id
//	            uint8 config_id;
//	            opaque enc<0..2^16-1>;
//	            opaque payload<1..2^16-1>;
//	        case inner:
//	            Empty;
//	    };
//	} ECHClientHello;
//
// Section 7: in EncryptedExtensions, struct { ECHConfigList retry_configs; }
// ECHEncryptedExtensions; in a HelloRetryRequest, opaque confirmation[8].
func decodeECH(d *dec, s *cryptobyte.String) any {
	switch d.ctx {
	case ExtContextEncryptedExtensions:
		return d.decodeECHConfigList(s)
	case ExtContextHelloRetryRequest:
		v := &ECHConfirmationExt{}
		var c []byte
		if d.bytes(s, 8, "confirmation", &c) {
			v.Confirmation = hexString(c)
		}
		return v
	}
	v := &ECHClientHelloExt{}
	var typ uint8
	if !d.u8(s, "type", &typ) {
		return v
	}
	v.Type = echTypes.name(typ)
	if typ != 0 {
		if typ != 1 {
			s.Skip(len(*s)) // unknown type: no body defined
		}
		return v
	}
	var kdf, aead uint16
	var id uint8
	var enc, payload cryptobyte.String
	if !d.u16(s, "kdf_id", &kdf) || !d.u16(s, "aead_id", &aead) {
		return v
	}
	v.KDF, v.AEAD = ptr(hpkeKDFs.name(kdf)), ptr(hpkeAEADs.name(aead))
	if !d.u8(s, "config_id", &id) {
		return v
	}
	v.ConfigID = ptr(int(id))
	if !d.vec(s, 2, "enc", 0, 0xffff, &enc) {
		return v
	}
	v.EncLength = ptr(len(enc))
	if d.vec(s, 2, "payload", 1, 0xffff, &payload) {
		v.PayloadLength = ptr(len(payload))
	}
	return v
}

// decodeECHConfigList reads draft-ietf-tls-esni-25, Section 4:
//
//	struct {
//	    uint16 version;
//	    uint16 length;
//	    select (ECHConfig.version) { case 0xfe0d: ECHConfigContents contents; }
//	} ECHConfig;
//	ECHConfig ECHConfigList<4..2^16-1>;
//	struct {
//	    HpkeKeyConfig key_config;  // uint8 config_id; HpkeKemId kem_id; ...
//	    uint8 maximum_name_length;
//	    opaque public_name<1..255>;
//	    ECHConfigExtension extensions<0..2^16-1>;
//	} ECHConfigContents;
func (d *dec) decodeECHConfigList(s *cryptobyte.String) any {
	v := &ECHRetryConfigsExt{}
	var list cryptobyte.String
	if !d.vec(s, 2, "retry_configs", 4, 0xffff, &list) {
		return v
	}
	v.Length = len(list)
	for !list.Empty() {
		var ver uint16
		var body cryptobyte.String
		if !d.u16(&list, "version", &ver) || !d.vec(&list, 2, "ECHConfig", 0, 0xffff, &body) {
			return v
		}
		c := ECHConfigInfo{Version: int(ver), Length: len(body)}
		var id uint8
		var kem uint16
		var pk, suites, name cryptobyte.String
		var maxLen uint8
		if ver == 0xfe0d && body.ReadUint8(&id) && body.ReadUint16(&kem) {
			c.ConfigID, c.KEM = ptr(int(id)), ptr(hpkeKEMs.name(kem))
			if body.ReadUint16LengthPrefixed(&pk) && body.ReadUint16LengthPrefixed(&suites) &&
				body.ReadUint8(&maxLen) && body.ReadUint8LengthPrefixed(&name) {
				c.PublicName = string(name)
			}
		}
		v.Configs = append(v.Configs, c)
	}
	return v
}

// RenegotiationInfoExt is renegotiation_info (0xff01).
type RenegotiationInfoExt struct {
	Length int `json:"renegotiated_connection_length"`
	// Connection is the hex of renegotiated_connection: in a renegotiation,
	// the client's (then the server's) verify_data of the Finished before.
	Connection string `json:"renegotiated_connection,omitempty"`
}

// RFC 5746, Section 3.2: struct { opaque renegotiated_connection<0..255>; } RenegotiationInfo;
func decodeRenegotiationInfo(d *dec, s *cryptobyte.String) any {
	v := &RenegotiationInfoExt{}
	var rc cryptobyte.String
	if d.vec(s, 1, "renegotiated_connection", 0, 255, &rc) {
		v.Length = len(rc)
		if len(rc) > 0 {
			v.Connection = hexString(rc)
		}
	}
	return v
}
