package dissect

import (
	"bytes"
	"compress/zlib"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/ocsp"

	"github.com/padlock-tls/padlock/dissect/iana"
	"github.com/padlock-tls/padlock/internal/jsonenc"
)

// Handshake messages other than ClientHello and ServerHello (hello.go):
// one decoder per message, each opening with its RFC citation and
// presentation-language struct, each enforcing the struct's <min..max>
// bounds, each returning the partial value read so far with coded errors.
// What a message means often depends on the connection (TLS 1.2 or 1.3, the
// chosen cipher suite's key exchange); MessageContext carries that.
//
// Decoded values are pointers to the *Msg structs below. Their JSON is
// flattened into the report's handshake entry next to from, type,
// type_code, length, frames, records, encrypted and complete, so no field
// here uses those names. Byte slices alias Message.Body.

// MessageContext is what a message's meaning depends on.
type MessageContext struct {
	// TLS13: the connection negotiated TLS 1.3 (Certificate,
	// CertificateRequest and NewSessionTicket differ).
	TLS13 bool
	// CipherSuite is the negotiated suite: ServerKeyExchange and
	// ClientKeyExchange follow its key exchange.
	CipherSuite CipherSuite
	// FromServer: the message was sent by the server.
	FromServer bool
	// Version is the negotiated version, 0 when unknown. Before TLS 1.2
	// signatures carry no SignatureAndHashAlgorithm and CertificateRequest
	// has no supported_signature_algorithms (RFC 5246, Section 1.2); when
	// Version is 0 the layout is inferred from the lengths.
	Version Version
	// ParseCertificate, when set, parses each certificate of a chain in
	// place of the package's ParseCertificate: a caller that sees the same
	// certificates again and again (every connection to one server)
	// passes a cache. It must return what ParseCertificate would.
	ParseCertificate func(der []byte) (*Certificate, []*Error)
	// MaxCertificates caps the certificates parsed per chain (the rest
	// are counted); 0 means maxChainCertificates.
	MaxCertificates int
}

// handshakeTypeSupplementalData and the others below are handshake types
// that types.go does not name (IANA "TLS HandshakeType" registry).
const (
	handshakeTypeRequestConnectionID      HandshakeType = 9  // RFC 9147, Section 9
	handshakeTypeNewConnectionID          HandshakeType = 10 // RFC 9147, Section 9
	handshakeTypeClientCertificateRequest HandshakeType = 17 // RFC 9261, Section 4
	handshakeTypeSupplementalData         HandshakeType = 23 // RFC 4680
	handshakeTypeEKTKey                   HandshakeType = 26 // RFC 8870, Section 5.2.2
)

// DecodeMessage decodes a complete handshake message body. It returns nil
// for client_hello and server_hello (ParseClientHello and ParseServerHello
// decode those) and for a message the HandshakeReader skipped over its cap
// (no body; the reader reported it). Otherwise the value is never nil: an
// unknown type gives an *UnknownMsg. Error offsets count from the start of
// m.Body.
func DecodeMessage(m *Message, ctx MessageContext) (any, []*Error) {
	if m == nil || m.Body == nil && m.Length > 0 {
		return nil, nil
	}
	b := m.Body
	switch m.Type {
	case HandshakeTypeClientHello, HandshakeTypeServerHello:
		return nil, nil
	case HandshakeTypeHelloRequest:
		return decodeEmptyMsg(b, "hello_request")
	case HandshakeTypeHelloVerifyRequest:
		return decodeHelloVerifyRequest(b)
	case HandshakeTypeNewSessionTicket:
		return decodeNewSessionTicket(b, ctx.TLS13)
	case HandshakeTypeEndOfEarlyData:
		return decodeEmptyMsg(b, "end_of_early_data")
	case HandshakeTypeEncryptedExtensions:
		return decodeEncryptedExtensions(b)
	case handshakeTypeRequestConnectionID:
		return decodeRequestConnectionID(b)
	case handshakeTypeNewConnectionID:
		return decodeNewConnectionID(b)
	case HandshakeTypeCertificate:
		if ctx.TLS13 {
			return decodeCertificate13(b, "certificate", ctx.certParser())
		}
		return decodeCertificate12(b, ctx.certParser())
	case HandshakeTypeServerKeyExchange:
		return decodeServerKeyExchange(b, ctx)
	case HandshakeTypeCertificateRequest:
		if ctx.TLS13 {
			return decodeCertificateRequest13(b, "certificate_request")
		}
		return decodeCertificateRequest12(b, ctx.Version)
	case handshakeTypeClientCertificateRequest:
		return decodeCertificateRequest13(b, "client_certificate_request")
	case HandshakeTypeServerHelloDone:
		return decodeEmptyMsg(b, "server_hello_done")
	case HandshakeTypeCertificateVerify:
		return decodeCertificateVerify(b, ctx)
	case HandshakeTypeClientKeyExchange:
		return decodeClientKeyExchange(b, ctx)
	case HandshakeTypeFinished:
		return decodeFinished(b)
	case HandshakeTypeCertificateURL:
		return decodeCertificateURL(b)
	case HandshakeTypeCertificateStatus:
		return decodeCertificateStatus(b)
	case handshakeTypeSupplementalData:
		return decodeSupplementalData(b)
	case HandshakeTypeKeyUpdate:
		return decodeKeyUpdate(b)
	case HandshakeTypeCompressedCert:
		return decodeCompressedCertificate(b, ctx.certParser())
	case handshakeTypeEKTKey:
		return decodeEKTKey(b)
	case HandshakeTypeMessageHash:
		return &MessageHashMsg{HashLength: len(b), Hash: hexPrefix(b, hexCap)}, nil
	}
	// Skipped by its length, as Zeek does (`* -> unhandled: skip bytes
	// &size=self.length`): the type is shown by the report.
	return &UnknownMsg{Unknown: true, Hex: hexPrefix(b, hexCap), HexTruncated: len(b) > hexCap}, nil
}

// msgParser starts a parser over a message body.
func msgParser(body []byte, what string) *parser {
	return &parser{root: body, code: CodeMessageMalformed, what: what}
}

// done reports bytes left after a message's structure (crypto/tls's
// `|| !s.Empty()`) unless reading already failed.
func (p *parser) done(s cryptobyte.String) []*Error {
	if !p.failed && !s.Empty() {
		p.add(CodeMessageTrailingData, p.at(s), "%s: %d byte(s) after the body", p.what, len(s))
	}
	return p.errs
}

// mergeAt adds errors found by another decoder over a slice that starts at
// off within the message body, keeping p's error cap.
func (p *parser) mergeAt(errs []*Error, off int) {
	for _, e := range errs {
		if p.full() {
			return
		}
		p.add(e.Code, e.Off+off, "%s", e.Msg)
	}
}

// ExtensionList is an extensions block inside a decoded message. It
// marshals each extension as {"code","name","length", decoded fields...},
// or with "hex" when the body is not decoded, the same shape the report
// gives hello extensions.
type ExtensionList []Extension

// extensionHexCap caps the hex of an undecoded extension body in JSON.
const extensionHexCap = 1024

// AppendJSON writes the list as a JSON array.
func (l ExtensionList) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, '[')
	for i, e := range l {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"code":`...)
		dst = strconv.AppendInt(dst, int64(e.Type), 10)
		dst = append(dst, `,"name":`...)
		dst = jsonenc.AppendString(dst, e.Type.String())
		dst = append(dst, `,"length":`...)
		dst = strconv.AppendInt(dst, int64(len(e.Data)), 10)
		if IsGREASE(uint16(e.Type)) {
			dst = append(dst, `,"grease":true`...)
		}
		if e.Malformed {
			dst = append(dst, `,"malformed":true`...)
		}
		if e.Decoded == nil {
			if len(e.Data) > 0 {
				dst = append(dst, `,"hex":`...)
				dst = jsonenc.AppendString(dst, hexPrefix(e.Data, extensionHexCap))
				if len(e.Data) > extensionHexCap {
					dst = append(dst, `,"hex_truncated":true`...)
				}
			}
		} else {
			var err error
			if dst, err = jsonenc.AppendFields(dst, e.Decoded); err != nil {
				return dst, err
			}
		}
		dst = append(dst, '}')
	}
	return append(dst, ']'), nil
}

// MarshalJSON is AppendJSON for encoding/json.
func (l ExtensionList) MarshalJSON() ([]byte, error) { return l.AppendJSON(nil) }

// readExtensions reads Extension extensions<lo..hi> as a delimited vector
// and decodes it in ctx.
func (p *parser) readExtensions(s *cryptobyte.String, ctx ExtContext, lo, hi int, out *ExtensionList) bool {
	var block cryptobyte.String
	if !p.vec(s, 2, "extensions", lo, hi, &block) {
		return false
	}
	exts, errs := ParseExtensionsIn(block, ctx, p.at(block))
	*out = exts
	if *out == nil {
		*out = ExtensionList{}
	}
	p.mergeAt(errs, 0)
	return true
}

// Small registries that iana does not carry; each cites its source.
var (
	// IANA "TLS ClientCertificateType Identifiers" (RFC 5246, Section
	// 7.4.4; RFC 8422, Section 5.5; RFC 9189). 5, 6 and 20 are marked
	// _RESERVED in the registry; Wireshark and RFC 5246 still name them.
	clientCertificateTypes = table8{
		1: "rsa_sign", 2: "dss_sign", 3: "rsa_fixed_dh", 4: "dss_fixed_dh",
		5: "rsa_ephemeral_dh", 6: "dss_ephemeral_dh", 20: "fortezza_dms",
		64: "ecdsa_sign", 65: "rsa_fixed_ecdh", 66: "ecdsa_fixed_ecdh",
		67: "gost_sign256", 68: "gost_sign512",
	}
	// IANA "EC Curve Type" (RFC 8422, Section 5.4; explicit curves are deprecated).
	ecCurveTypes = table8{1: "explicit_prime", 2: "explicit_char2", 3: "named_curve"}
	// RFC 8446, Section 4.6.3: enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest;
	keyUpdateRequests = table8{0: "update_not_requested", 1: "update_requested"}
	// RFC 6066, Section 5: enum { individual_certs(0), pkipath(1), (255) } CertChainType;
	certChainTypes = table8{0: "individual_certs", 1: "pkipath"}
	// IANA "TLS Supplemental Data Formats (SupplementalDataType)" (RFC 4681, RFC 5878).
	supplementalDataTypes = table16{0: "user_mapping_data", 16386: "authz_data"}
	// RFC 9147, Section 9: enum { cid_immediate(0), cid_spare(1), (255) } ConnectionIdUsage;
	connectionIDUsages = table8{0: "cid_immediate", 1: "cid_spare"}
)

// EmptyMsg is a message whose body is empty by definition: hello_request,
// server_hello_done and end_of_early_data. It marshals as {}.
type EmptyMsg struct{}

// RFC 5246, Section 7.4.1.1 and 7.4.5; RFC 8446, Section 4.5:
//
//	struct { } HelloRequest;
//	struct { } ServerHelloDone;
//	struct {} EndOfEarlyData;
func decodeEmptyMsg(b []byte, what string) (any, []*Error) {
	p := msgParser(b, what)
	return &EmptyMsg{}, p.done(b)
}

// --- Certificate -----------------------------------------------------------

// maxChainCertificates caps the certificates parsed from one Certificate
// message. Real chains hold a handful; a 1 MiB message of tiny entries
// would otherwise mean tens of thousands of certificate parses and error
// lists for one message. Entries past the cap are counted, not parsed.
const maxChainCertificates = 64

// CertificateMsg is a Certificate message (TLS 1.2 or 1.3), or the inner
// message of a CompressedCertificate. Entries are in wire order, the
// sender's own certificate first.
type CertificateMsg struct {
	TLS13 bool
	// Context is the TLS 1.3 certificate_request_context (nil in TLS 1.2).
	Context []byte
	// ListLength is certificate_list's length in bytes.
	ListLength int
	Entries    []CertificateEntry
	// Count is the number of entries on the wire, including those past
	// maxChainCertificates; Capped is set when there were more.
	Count  int
	Capped bool

	parse certParser // from the MessageContext
}

// certParser is how a chain's certificates are parsed and how many.
type certParser struct {
	parse func(der []byte) (*Certificate, []*Error)
	max   int
}

func (ctx MessageContext) certParser() certParser {
	p := certParser{parse: ctx.ParseCertificate, max: ctx.MaxCertificates}
	if p.parse == nil {
		p.parse = ParseCertificate
	}
	if p.max <= 0 {
		p.max = maxChainCertificates
	}
	return p
}

// CertificateEntry is one certificate in a chain.
type CertificateEntry struct {
	DER  []byte       // cert_data (ASN1_subjectPublicKeyInfo for a raw public key)
	Cert *Certificate // nil for an empty entry
	// Extensions are the TLS 1.3 per-certificate extensions.
	Extensions ExtensionList
	// OCSP is the stapled response from a TLS 1.3 status_request extension.
	OCSP *OCSPResponseInfo
	// Off is the offset of DER within the message body; in a
	// CompressedCertificate's chain, DER is in the decompressed copy and
	// Off is the offset of the compressed data.
	Off int
}

// MarshalJSON writes {"certificate_request_context" (TLS 1.3),
// "certificates_length", "certificate_count", "certificates": [...]}.
func (c *CertificateMsg) AppendJSON(dst []byte) ([]byte, error) {
	type entry struct {
		Length     int               `json:"length"`
		Cert       *Certificate      `json:"certificate"`
		Extensions ExtensionList     `json:"extensions,omitempty"`
		OCSP       *OCSPResponseInfo `json:"ocsp_response,omitempty"`
	}
	type out struct {
		Context    *string `json:"certificate_request_context,omitempty"`
		ListLength int     `json:"certificates_length"`
		Count      int     `json:"certificate_count"`
		Capped     bool    `json:"certificates_capped,omitempty"`
		Entries    []entry `json:"certificates"`
	}
	o := out{ListLength: c.ListLength, Count: c.Count, Capped: c.Capped, Entries: make([]entry, len(c.Entries))}
	if c.TLS13 {
		o.Context = ptr(hexString(c.Context))
	}
	for i, e := range c.Entries {
		o.Entries[i] = entry{Length: len(e.DER), Cert: e.Cert, Extensions: e.Extensions, OCSP: e.OCSP}
	}
	return jsonenc.Append(dst, o)
}

// MarshalJSON is AppendJSON for encoding/json.
func (c *CertificateMsg) MarshalJSON() ([]byte, error) { return c.AppendJSON(nil) }

// CertificateChain returns the certificate chain inside a value returned by
// DecodeMessage: the *CertificateMsg itself, or the inner message of a
// *CompressedCertificateMsg. It returns nil for anything else.
func CertificateChain(decoded any) *CertificateMsg {
	switch v := decoded.(type) {
	case *CertificateMsg:
		return v
	case *CompressedCertificateMsg:
		return v.Certificate
	}
	return nil
}

// addEntry parses one certificate unless the cap is reached.
func (c *CertificateMsg) addEntry(p *parser, der []byte) *CertificateEntry {
	c.Count++
	max := c.parse.max
	if max <= 0 {
		max = maxChainCertificates
	}
	if len(c.Entries) >= max {
		if !c.Capped {
			c.Capped = true
			p.add(CodeCertificateChainCapped, p.at(der), "%s: more than %d certificates; the rest are counted, not parsed", p.what, max)
		}
		return nil
	}
	e := CertificateEntry{DER: der, Off: p.at(der)}
	if len(der) > 0 { // an empty entry already broke its <1..2^24-1> bound
		parse := c.parse.parse
		if parse == nil {
			parse = ParseCertificate
		}
		cert, errs := parse(der)
		e.Cert = cert
		p.mergeAt(errs, e.Off)
	}
	c.Entries = append(c.Entries, e)
	return &c.Entries[len(c.Entries)-1]
}

// RFC 5246, Section 7.4.2:
//
//	opaque ASN.1Cert<1..2^24-1>;
//	struct {
//	    ASN.1Cert certificate_list<0..2^24-1>;
//	} Certificate;
func decodeCertificate12(b []byte, parse certParser) (any, []*Error) {
	c := &CertificateMsg{parse: parse}
	p := msgParser(b, "certificate")
	s := cryptobyte.String(b)
	var list cryptobyte.String
	if !p.vec(&s, 3, "certificate_list", 0, 1<<24-1, &list) {
		return c, p.errs
	}
	c.ListLength = len(list)
	for !list.Empty() {
		var der cryptobyte.String
		if !p.vec(&list, 3, "ASN.1Cert", 1, 1<<24-1, &der) {
			break
		}
		c.addEntry(p, der)
	}
	return c, p.done(s)
}

// RFC 8446, Section 4.4.2:
//
//	struct {
//	    select (certificate_type) {
//	        case RawPublicKey:
//	          /* From RFC 7250 ASN.1_subjectPublicKeyInfo */
//	          opaque ASN1_subjectPublicKeyInfo<1..2^24-1>;
//	        case X509:
//	          opaque cert_data<1..2^24-1>;
//	    };
//	    Extension extensions<0..2^16-1>;
//	} CertificateEntry;
//
//	struct {
//	    opaque certificate_request_context<0..2^8-1>;
//	    CertificateEntry certificate_list<0..2^24-1>;
//	} Certificate;
//
// Per-certificate extensions are decoded in the certificate context; a
// status_request extension's OCSP response (RFC 8446, Section 4.4.2.1) is
// decoded into the entry's OCSP.
func decodeCertificate13(b []byte, what string, parse certParser) (*CertificateMsg, []*Error) {
	c := &CertificateMsg{TLS13: true, parse: parse}
	p := msgParser(b, what)
	s := cryptobyte.String(b)
	var rc, list cryptobyte.String
	if !p.vec(&s, 1, "certificate_request_context", 0, 0xff, &rc) {
		return c, p.errs
	}
	c.Context = rc
	if !p.vec(&s, 3, "certificate_list", 0, 1<<24-1, &list) {
		return c, p.errs
	}
	c.ListLength = len(list)
	for !list.Empty() {
		var der cryptobyte.String
		if !p.vec(&list, 3, "cert_data", 1, 1<<24-1, &der) {
			break
		}
		e := c.addEntry(p, der)
		var exts ExtensionList
		if e == nil {
			// Past the cap: delimit the extensions without decoding them.
			var block cryptobyte.String
			if !p.vec(&list, 2, "extensions", 0, 0xffff, &block) {
				break
			}
			continue
		}
		if !p.readExtensions(&list, ExtContextCertificate, 0, 0xffff, &exts) {
			break
		}
		e.Extensions = exts
		for _, x := range exts {
			if x.Type == ExtensionStatusRequest && !x.Malformed {
				e.OCSP = p.stapledOCSP(x)
			}
		}
	}
	return c, p.done(s)
}

// stapledOCSP decodes the OCSPResponse inside a CertificateEntry's
// status_request (RFC 6066, Section 8 CertificateStatus, which the
// extension decoder has already checked).
func (p *parser) stapledOCSP(x Extension) *OCSPResponseInfo {
	s := cryptobyte.String(x.Data)
	var typ uint8
	var resp cryptobyte.String
	if !s.ReadUint8(&typ) || typ != 1 || !s.ReadUint24LengthPrefixed(&resp) {
		return nil
	}
	off := int(x.Off) + 4 + 4 // extension header, status_type, uint24 length
	info, err := ParseOCSPResponse(resp)
	if err != nil {
		p.add(CodeOCSPResponseUnparsable, off, "%s: %s: stapled OCSP response: %v", p.what, x.Type, err)
	}
	return info
}

// --- CertificateStatus -----------------------------------------------------

// CertificateStatusMsg is a CertificateStatus message.
type CertificateStatusMsg struct {
	StatusType CodeName `json:"status_type"`
	// OCSP is the response for status_type ocsp(1).
	OCSP *OCSPResponseInfo `json:"ocsp_response,omitempty"`
	// ListLength and List are the ocsp_multi(2) responses (RFC 6961), one
	// per certificate in chain order; an empty one has Length 0.
	ListLength *int                `json:"ocsp_response_list_length,omitempty"`
	List       []*OCSPResponseInfo `json:"ocsp_responses,omitempty"`
	// Length is the body's length after status_type for other types.
	Length *int `json:"response_length,omitempty"`
}

// RFC 6066, Section 8, extended by RFC 6961, Section 2.2:
//
//	struct {
//	    CertificateStatusType status_type;
//	    select (status_type) {
//	        case ocsp: OCSPResponse;
//	        case ocsp_multi: OCSPResponseList;
//	    } response;
//	} CertificateStatus;
//
//	opaque OCSPResponse<0..2^24-1>;   /* <1..2^24-1> in RFC 6066 */
//
//	struct {
//	    OCSPResponse ocsp_response_list<1..2^24-1>;
//	} OCSPResponseList;
func decodeCertificateStatus(b []byte) (any, []*Error) {
	m := &CertificateStatusMsg{}
	p := msgParser(b, "certificate_status")
	s := cryptobyte.String(b)
	var typ uint8
	if !p.u8(&s, "status_type", &typ) {
		return m, p.errs
	}
	m.StatusType = *statusTypeName(typ)
	switch typ {
	case 1: // ocsp
		var resp cryptobyte.String
		if !p.vec(&s, 3, "OCSPResponse", 1, 1<<24-1, &resp) {
			return m, p.errs
		}
		m.OCSP = p.ocsp(resp)
	case 2: // ocsp_multi
		var list cryptobyte.String
		if !p.vec(&s, 3, "ocsp_response_list", 1, 1<<24-1, &list) {
			return m, p.errs
		}
		m.ListLength = ptr(len(list))
		for !list.Empty() && len(m.List) < maxChainCertificates {
			var resp cryptobyte.String
			if !p.vec(&list, 3, "OCSPResponse", 0, 1<<24-1, &resp) {
				break
			}
			if len(resp) == 0 {
				m.List = append(m.List, &OCSPResponseInfo{})
				continue
			}
			m.List = append(m.List, p.ocsp(resp))
		}
		if !list.Empty() && !p.failed {
			p.add(CodeCertificateChainCapped, p.at(list), "%s: more than %d OCSP responses; the rest are not decoded", p.what, maxChainCertificates)
		}
	default:
		m.Length = ptr(len(s))
		s = nil // no structure defined for other types
	}
	return m, p.done(s)
}

// ocsp decodes one OCSPResponse, reporting a failure at its start.
func (p *parser) ocsp(resp []byte) *OCSPResponseInfo {
	info, err := ParseOCSPResponse(resp)
	if err != nil {
		p.add(CodeOCSPResponseUnparsable, p.at(resp), "%s: OCSP response: %v", p.what, err)
	}
	return info
}

// --- ServerKeyExchange and ClientKeyExchange -------------------------------

// keyExchange is what a cipher suite's key exchange puts in
// ServerKeyExchange and ClientKeyExchange (RFC 5246, Section 7.4.3 and
// 7.4.7; RFC 4279; RFC 4492/8422; RFC 5489; RFC 5054).
type keyExchange struct {
	name      string // shown as key_exchange: ECDHE, DHE, RSA, PSK, ECDHE_PSK, DH_anon, ...
	psk       bool   // psk_identity_hint / psk_identity comes first (RFC 4279, RFC 5489)
	dh        bool   // Diffie-Hellman over a finite field
	ecdh      bool   // elliptic-curve Diffie-Hellman
	rsa       bool   // RSA-encrypted premaster secret in ClientKeyExchange
	srp       bool   // SRP (RFC 5054)
	ephemeral bool   // ServerKeyExchange carries (EC)DH parameters
	signed    bool   // ServerKeyExchange carries a signature
	export    bool   // RSA_EXPORT: ServerKeyExchange may carry a temporary RSA key (RFC 2246, Section 7.4.3)
	known     bool   // the layout is defined; otherwise it is guessed
}

// keyExchangeOf derives the layout from the suite's IANA name.
func keyExchangeOf(cs CipherSuite) keyExchange {
	si, ok := iana.CipherSuiteInfo(uint16(cs))
	if !ok {
		return keyExchange{name: "unknown"}
	}
	kx, auth := si.KeyExchange, si.Authentication
	k := keyExchange{name: kx, known: true}
	anon := auth == "anon"
	switch kx {
	case "RSA":
		k.rsa = true
		if auth == "PSK" {
			k.name, k.psk = "RSA_PSK", true
		} else if si.Export {
			k.name, k.export, k.signed = "RSA_EXPORT", true, true
		}
	case "DHE", "DH", "ECDHE", "ECDH":
		k.dh, k.ecdh = kx[0] == 'D', kx[0] == 'E'
		switch {
		case auth == "PSK":
			k.name, k.psk, k.ephemeral = kx+"_PSK", true, true
		case anon:
			k.name, k.ephemeral = kx+"_anon", true
		case kx == "DHE" || kx == "ECDHE":
			k.ephemeral, k.signed = true, true
		}
	case "PSK":
		k.psk = true
	case "SRP":
		k.srp, k.signed = true, auth != "SRP"
	default:
		// KRB5, ECCPWD, GOST, NULL, and TLS 1.3 suites ("any"): no
		// layout padlock decodes.
		k.known = false
		if kx == "" {
			k.name = "unknown"
		}
	}
	return k
}

// ServerKeyExchangeMsg is a ServerKeyExchange. Which fields are set follows
// the key exchange; lengths are the vectors' lengths in bytes.
type ServerKeyExchangeMsg struct {
	// KeyExchange is the layout used: ECDHE, DHE, DH_anon, ECDH_anon, PSK,
	// DHE_PSK, ECDHE_PSK, RSA_PSK, RSA_EXPORT, SRP, or what the suite names.
	KeyExchange string `json:"key_exchange"`
	// Guessed: the suite did not say; the layout is the first that fits.
	Guessed bool `json:"key_exchange_guessed,omitempty"`

	PSKIdentityHintLength *int   `json:"psk_identity_hint_length,omitempty"`
	PSKIdentityHint       string `json:"psk_identity_hint,omitempty"`
	PSKIdentityHintHex    string `json:"psk_identity_hint_hex,omitempty"`

	*ECDHParams
	*DHParams
	*RSAParams
	*SRPParams

	*SignatureInfo

	// ParamsLength is the body length when no layout could be applied.
	ParamsLength *int `json:"params_length,omitempty"`
}

// ECDHParams are ServerECDHParams (RFC 8422, Section 5.4).
type ECDHParams struct {
	CurveType       CodeName  `json:"curve_type"`
	NamedGroup      *CodeName `json:"named_group,omitempty"`
	PublicKeyLength *int      `json:"public_key_length,omitempty"`
}

// DHParams are ServerDHParams (RFC 5246, Section 7.4.3).
type DHParams struct {
	PLength   int `json:"dh_p_length"`
	PrimeBits int `json:"prime_bits"`
	GLength   int `json:"dh_g_length"`
	// G is the generator in hex (at most 64 bytes); GInt is its value when
	// it fits in 64 bits (almost always 2 or 5).
	G        string  `json:"dh_g"`
	GInt     *uint64 `json:"dh_g_int,omitempty"`
	YsLength *int    `json:"dh_ys_length,omitempty"`
}

// RSAParams are ServerRSAParams (RFC 2246, Section 7.4.3), sent with
// RSA_EXPORT suites.
type RSAParams struct {
	ModulusLength  int     `json:"rsa_modulus_length"`
	ModulusBits    int     `json:"rsa_modulus_bits"`
	ExponentLength int     `json:"rsa_exponent_length"`
	Exponent       *uint64 `json:"rsa_exponent,omitempty"`
}

// SRPParams are ServerSRPParams (RFC 5054, Section 2.8.1).
type SRPParams struct {
	NLength    int `json:"srp_n_length"`
	NBits      int `json:"srp_n_bits"`
	GLength    int `json:"srp_g_length"`
	SaltLength int `json:"srp_s_length"`
	BLength    int `json:"srp_b_length"`
}

// SignatureInfo is a digitally-signed element: the scheme (TLS 1.2 and
// 1.3; absent before TLS 1.2) and the signature's length.
type SignatureInfo struct {
	SignatureScheme *CodeName `json:"signature_scheme,omitempty"`
	SignatureLength int       `json:"signature_length"`
}

// RFC 5246, Section 7.4.3 (with RFC 4279, Section 2 and 3; RFC 8422,
// Section 5.4; RFC 5489, Section 2; RFC 5054, Section 2.8.1; RFC 2246,
// Section 7.4.3 for RSA_EXPORT):
//
//	struct {
//	    select (KeyExchangeAlgorithm) {
//	        case dh_anon:   ServerDHParams params;
//	        case dhe_dss:
//	        case dhe_rsa:   ServerDHParams params;
//	                        digitally-signed struct { ... } signed_params;
//	        case ec_diffie_hellman:
//	                        ServerECDHParams params; Signature signed_params;
//	        case psk:       opaque psk_identity_hint<0..2^16-1>;
//	        case dhe_psk:   opaque psk_identity_hint<0..2^16-1>; ServerDHParams params;
//	        case rsa_psk:   opaque psk_identity_hint<0..2^16-1>;
//	        case ecdhe_psk: opaque psk_identity_hint<0..2^16-1>; ServerECDHParams params;
//	        case srp:       ServerSRPParams params; [digitally-signed for SRP_RSA/SRP_DSS]
//	        case rsa (export): ServerRSAParams params; digitally-signed ...;
//	    };
//	} ServerKeyExchange;
//
// The signature's layout depends on the version (see readSignature).
// Anonymous (EC)DH and (EC)DHE_PSK parameters are not signed.
func decodeServerKeyExchange(b []byte, ctx MessageContext) (any, []*Error) {
	m := &ServerKeyExchangeMsg{}
	k := keyExchangeOf(ctx.CipherSuite)
	m.KeyExchange = k.name
	if !k.known || !(k.psk || k.ephemeral || k.srp || k.export) {
		return guessServerKeyExchange(b, ctx, m, k)
	}
	p := msgParser(b, "server_key_exchange")
	s := cryptobyte.String(b)
	readServerKeyExchange(p, &s, ctx.Version, k, m)
	return m, p.done(s)
}

// readServerKeyExchange reads k's layout into m; it reports whether every
// read succeeded.
func readServerKeyExchange(p *parser, s *cryptobyte.String, ver Version, k keyExchange, m *ServerKeyExchangeMsg) bool {
	if k.psk {
		var hint cryptobyte.String
		if !p.vec(s, 2, "psk_identity_hint", 0, 0xffff, &hint) {
			return false
		}
		m.PSKIdentityHintLength = ptr(len(hint))
		m.PSKIdentityHint, m.PSKIdentityHintHex = textOrHex(hint)
	}
	switch {
	case k.ephemeral && k.ecdh:
		m.ECDHParams = &ECDHParams{}
		if !p.readECDHParams(s, m.ECDHParams) {
			return false
		}
	case k.ephemeral && k.dh:
		m.DHParams = &DHParams{}
		if !p.readDHParams(s, m.DHParams) {
			return false
		}
	case k.srp:
		m.SRPParams = &SRPParams{}
		if !p.readSRPParams(s, m.SRPParams) {
			return false
		}
	case k.export:
		m.RSAParams = &RSAParams{}
		if !p.readRSAParams(s, m.RSAParams) {
			return false
		}
	}
	if k.signed {
		m.SignatureInfo = &SignatureInfo{}
		return p.readSignature(s, ver, m.SignatureInfo)
	}
	return true
}

// guessServerKeyExchange tries the layouts a ServerKeyExchange most often
// has, ECDHE then DHE (each signed, or not as for anonymous suites), and
// keeps the first that reads cleanly, flagged as guessed.
func guessServerKeyExchange(b []byte, ctx MessageContext, m *ServerKeyExchangeMsg, k keyExchange) (any, []*Error) {
	p := msgParser(b, "server_key_exchange")
	for _, try := range []keyExchange{
		{name: "ECDHE", ecdh: true, ephemeral: true, signed: true},
		{name: "ECDH_anon", ecdh: true, ephemeral: true},
		{name: "DHE", dh: true, ephemeral: true, signed: true},
		{name: "DH_anon", dh: true, ephemeral: true},
		{name: "RSA_EXPORT", export: true, signed: true},
	} {
		q := msgParser(b, p.what)
		s := cryptobyte.String(b)
		g := &ServerKeyExchangeMsg{KeyExchange: try.name, Guessed: true}
		if readServerKeyExchange(q, &s, ctx.Version, try, g) && s.Empty() && len(q.errs) == 0 {
			p.add(CodeKeyExchangeGuessed, 0, "%s: cipher suite %s (key exchange %s) does not define the layout; it reads as %s", p.what, ctx.CipherSuite, k.name, try.name)
			return g, p.errs
		}
	}
	m.ParamsLength = ptr(len(b))
	p.add(CodeKeyExchangeGuessed, 0, "%s: cipher suite %s (key exchange %s) does not define the layout, and no ECDHE, DHE or RSA parameters fit", p.what, ctx.CipherSuite, k.name)
	return m, p.errs
}

// RFC 8422, Section 5.4:
//
//	enum { explicit_prime(1), explicit_char2(2), named_curve(3), reserved(248..255) } ECCurveType;
//	struct {
//	    ECCurveType    curve_type;
//	    select (curve_type) {
//	        case named_curve:
//	            NamedCurve namedcurve;
//	    };
//	} ECParameters;
//	struct {
//	    opaque point <1..2^8-1>;
//	} ECPoint;
//	struct {
//	    ECParameters    curve_params;
//	    ECPoint         public;
//	} ServerECDHParams;
//
// Explicit curves (RFC 4492, Section 5.4), deprecated by RFC 8422, cannot
// be delimited here: the rest of the message is not read.
func (p *parser) readECDHParams(s *cryptobyte.String, e *ECDHParams) bool {
	var ct uint8
	var group uint16
	var point cryptobyte.String
	if !p.u8(s, "curve_type", &ct) {
		return false
	}
	e.CurveType = ecCurveTypes.name(ct)
	if ct != 3 {
		p.fail(*s, "curve_type %s is not named_curve; the parameters cannot be read", e.CurveType)
		return false
	}
	if !p.u16(s, "namedcurve", &group) {
		return false
	}
	e.NamedGroup = ptr(enumName(NamedGroup(group)))
	if !p.vec(s, 1, "point", 1, 0xff, &point) {
		return false
	}
	e.PublicKeyLength = ptr(len(point))
	return true
}

// RFC 5246, Section 7.4.3:
//
//	struct {
//	    opaque dh_p<1..2^16-1>;
//	    opaque dh_g<1..2^16-1>;
//	    opaque dh_Ys<1..2^16-1>;
//	} ServerDHParams;     /* Ephemeral DH parameters */
func (p *parser) readDHParams(s *cryptobyte.String, d *DHParams) bool {
	var dp, dg, ys cryptobyte.String
	if !p.vec(s, 2, "dh_p", 1, 0xffff, &dp) {
		return false
	}
	d.PLength, d.PrimeBits = len(dp), bitLen(dp)
	if !p.vec(s, 2, "dh_g", 1, 0xffff, &dg) {
		return false
	}
	d.GLength, d.G, d.GInt = len(dg), hexPrefix(dg, hexCap), uintValue(dg)
	if !p.vec(s, 2, "dh_Ys", 1, 0xffff, &ys) {
		return false
	}
	d.YsLength = ptr(len(ys))
	return true
}

// RFC 2246, Section 7.4.3:
//
//	struct {
//	    opaque rsa_modulus<1..2^16-1>;
//	    opaque rsa_exponent<1..2^16-1>;
//	} ServerRSAParams;
func (p *parser) readRSAParams(s *cryptobyte.String, r *RSAParams) bool {
	var mod, exp cryptobyte.String
	if !p.vec(s, 2, "rsa_modulus", 1, 0xffff, &mod) {
		return false
	}
	r.ModulusLength, r.ModulusBits = len(mod), bitLen(mod)
	if !p.vec(s, 2, "rsa_exponent", 1, 0xffff, &exp) {
		return false
	}
	r.ExponentLength, r.Exponent = len(exp), uintValue(exp)
	return true
}

// RFC 5054, Section 2.8.1:
//
//	struct {
//	    opaque srp_N<1..2^16-1>;
//	    opaque srp_g<1..2^16-1>;
//	    opaque srp_s<1..2^8-1>;
//	    opaque srp_B<1..2^16-1>;
//	} ServerSRPParams;     /* SRP parameters */
func (p *parser) readSRPParams(s *cryptobyte.String, r *SRPParams) bool {
	var n, g, salt, b cryptobyte.String
	if !p.vec(s, 2, "srp_N", 1, 0xffff, &n) {
		return false
	}
	r.NLength, r.NBits = len(n), bitLen(n)
	if !p.vec(s, 2, "srp_g", 1, 0xffff, &g) {
		return false
	}
	r.GLength = len(g)
	if !p.vec(s, 1, "srp_s", 1, 0xff, &salt) {
		return false
	}
	r.SaltLength = len(salt)
	if !p.vec(s, 2, "srp_B", 1, 0xffff, &b) {
		return false
	}
	r.BLength = len(b)
	return true
}

// RFC 5246, Section 4.7, and RFC 8446, Section 4.4.3:
//
//	struct {
//	    SignatureAndHashAlgorithm algorithm;   /* TLS 1.2; SignatureScheme in TLS 1.3 */
//	    opaque signature<0..2^16-1>;
//	} DigitallySigned;
//
// Before TLS 1.2 (RFC 4346, Section 4.7) only the signature vector is sent.
// With the version unknown, the layout whose lengths add up wins, TLS 1.2's
// first.
func (p *parser) readSignature(s *cryptobyte.String, ver Version, sig *SignatureInfo) bool {
	withScheme := ver >= VersionTLS12
	if ver == 0 {
		r := *s
		fits12 := len(r) >= 4 && int(r[2])<<8|int(r[3]) == len(r)-4
		fitsOld := len(r) >= 2 && int(r[0])<<8|int(r[1]) == len(r)-2
		withScheme = fits12 || !fitsOld
	}
	if withScheme {
		var scheme uint16
		if !p.u16(s, "signature algorithm", &scheme) {
			return false
		}
		sig.SignatureScheme = ptr(enumName(SignatureScheme(scheme)))
	}
	var v cryptobyte.String
	if !p.vec(s, 2, "signature", 0, 0xffff, &v) {
		return false
	}
	sig.SignatureLength = len(v)
	return true
}

// ClientKeyExchangeMsg is a ClientKeyExchange. Which fields are set follows
// the key exchange; lengths are in bytes.
type ClientKeyExchangeMsg struct {
	KeyExchange string `json:"key_exchange"`
	Guessed     bool   `json:"key_exchange_guessed,omitempty"`

	PSKIdentityLength *int   `json:"psk_identity_length,omitempty"`
	PSKIdentity       string `json:"psk_identity,omitempty"`
	PSKIdentityHex    string `json:"psk_identity_hex,omitempty"`

	// EncryptedPreMasterLength is the RSA-encrypted premaster secret.
	EncryptedPreMasterLength *int `json:"encrypted_pre_master_length,omitempty"`
	// PublicKeyLength is the client's ECDH point.
	PublicKeyLength *int `json:"public_key_length,omitempty"`
	// YcLength is the client's DH public value.
	YcLength *int `json:"dh_yc_length,omitempty"`
	// SRPALength is the client's SRP public value.
	SRPALength *int `json:"srp_a_length,omitempty"`
	// Implicit: the client's (EC)DH key is in its certificate (fixed_dh,
	// fixed_ecdh), so the exchange is empty.
	Implicit bool `json:"implicit_public_key,omitempty"`
	// ExchangeKeysLength is the body length when no layout could be applied.
	ExchangeKeysLength *int `json:"exchange_keys_length,omitempty"`
}

// RFC 5246, Section 7.4.7 (with RFC 4279, RFC 8422, Section 5.7, RFC 5489,
// RFC 5054, Section 2.8.2):
//
//	struct {
//	    select (KeyExchangeAlgorithm) {
//	        case rsa:       EncryptedPreMasterSecret;   /* opaque <0..2^16-1> in TLS */
//	        case dhe_dss, dhe_rsa, dh_dss, dh_rsa, dh_anon:
//	                        ClientDiffieHellmanPublic;  /* opaque dh_Yc<1..2^16-1>, or empty if implicit */
//	        case ec_diffie_hellman:
//	                        ClientECDiffieHellmanPublic; /* opaque point <1..2^8-1>, or empty if implicit */
//	        case psk:       opaque psk_identity<0..2^16-1>;
//	        case dhe_psk:   opaque psk_identity<0..2^16-1>; ClientDiffieHellmanPublic public;
//	        case rsa_psk:   opaque psk_identity<0..2^16-1>; EncryptedPreMasterSecret;
//	        case ecdhe_psk: opaque psk_identity<0..2^16-1>; ClientECDiffieHellmanPublic public;
//	        case srp:       opaque srp_A<1..2^16-1>;
//	    } exchange_keys;
//	} ClientKeyExchange;
//
// SSL 3.0 sends the encrypted premaster secret without its length
// (RFC 6101, Section 5.6.7.1); that form is read only when ctx.Version
// says SSL 3.0, since a cut TLS body would read the same way.
func decodeClientKeyExchange(b []byte, ctx MessageContext) (any, []*Error) {
	m := &ClientKeyExchangeMsg{}
	k := keyExchangeOf(ctx.CipherSuite)
	m.KeyExchange = k.name
	p := msgParser(b, "client_key_exchange")
	s := cryptobyte.String(b)
	if !k.known {
		return guessClientKeyExchange(b, ctx, m, k, p)
	}
	if k.psk {
		var id cryptobyte.String
		if !p.vec(&s, 2, "psk_identity", 0, 0xffff, &id) {
			return m, p.errs
		}
		m.PSKIdentityLength = ptr(len(id))
		m.PSKIdentity, m.PSKIdentityHex = textOrHex(id)
		if k.name == "PSK" {
			return m, p.done(s)
		}
	}
	switch {
	case k.rsa:
		if ctx.Version == VersionSSL30 && !k.psk {
			m.EncryptedPreMasterLength = ptr(len(s))
			s = nil
			break
		}
		var v cryptobyte.String
		if !p.vec(&s, 2, "encrypted_pre_master_secret", 0, 0xffff, &v) {
			return m, p.errs
		}
		m.EncryptedPreMasterLength = ptr(len(v))
	case k.ecdh:
		if s.Empty() && !k.ephemeral {
			m.Implicit = true
			break
		}
		var v cryptobyte.String
		if !p.vec(&s, 1, "point", 1, 0xff, &v) {
			return m, p.errs
		}
		m.PublicKeyLength = ptr(len(v))
	case k.dh:
		if s.Empty() && !k.ephemeral {
			m.Implicit = true
			break
		}
		var v cryptobyte.String
		if !p.vec(&s, 2, "dh_Yc", 1, 0xffff, &v) {
			return m, p.errs
		}
		m.YcLength = ptr(len(v))
	case k.srp:
		var v cryptobyte.String
		if !p.vec(&s, 2, "srp_A", 1, 0xffff, &v) {
			return m, p.errs
		}
		m.SRPALength = ptr(len(v))
	}
	return m, p.done(s)
}

// guessClientKeyExchange reads a ClientKeyExchange whose suite does not say
// its layout: an ECDH point (uint8 length) or a uint16 vector (RSA or DH).
func guessClientKeyExchange(b []byte, ctx MessageContext, m *ClientKeyExchangeMsg, k keyExchange, p *parser) (any, []*Error) {
	m.Guessed = true
	switch {
	case len(b) >= 2 && int(b[0]) == len(b)-1:
		m.KeyExchange, m.PublicKeyLength = "ECDHE", ptr(len(b)-1)
	case fitsVec16(b):
		m.KeyExchange, m.ExchangeKeysLength = "RSA_or_DHE", ptr(len(b)-2)
	default:
		m.KeyExchange, m.Guessed, m.ExchangeKeysLength = k.name, false, ptr(len(b))
		p.add(CodeKeyExchangeGuessed, 0, "%s: cipher suite %s (key exchange %s) does not define the layout, and no ECDH point or length-prefixed value fits", p.what, ctx.CipherSuite, k.name)
		return m, p.errs
	}
	p.add(CodeKeyExchangeGuessed, 0, "%s: cipher suite %s (key exchange %s) does not define the layout; it reads as %s", p.what, ctx.CipherSuite, k.name, m.KeyExchange)
	return m, p.errs
}

// fitsVec16 reports whether b is exactly one uint16-length-prefixed vector.
func fitsVec16(b []byte) bool { return len(b) >= 2 && int(b[0])<<8|int(b[1]) == len(b)-2 }

// --- CertificateRequest ----------------------------------------------------

// CertificateRequestMsg is a CertificateRequest (TLS 1.2 and older, or
// TLS 1.3) or an RFC 9261 ClientCertificateRequest.
type CertificateRequestMsg struct {
	// TLS 1.2 and older:
	CertificateTypes []CodeName `json:"certificate_types,omitempty"`
	// SignatureAlgorithms is supported_signature_algorithms (TLS 1.2 only).
	SignatureAlgorithms          []CodeName `json:"signature_algorithms,omitempty"`
	CertificateAuthoritiesLength *int       `json:"certificate_authorities_length,omitempty"`
	DistinguishedNameCount       *int       `json:"distinguished_name_count,omitempty"`
	// DistinguishedNameLengths are each DistinguishedName's length, as the
	// certificate_authorities extension shows them (tshark's
	// tls.handshake.dname_len).
	DistinguishedNameLengths []int `json:"distinguished_name_lengths,omitempty"`
	// DistinguishedNames are RFC 4514 strings, "" where the DER does not
	// parse.
	DistinguishedNames []string `json:"distinguished_names,omitempty"`

	// TLS 1.3: certificate_request_context in hex, and the extensions.
	Context    *string       `json:"certificate_request_context,omitempty"`
	Extensions ExtensionList `json:"extensions,omitempty"`
}

// RFC 5246, Section 7.4.4 (TLS 1.0 and 1.1, RFC 4346, Section 7.4.4, have
// no supported_signature_algorithms):
//
//	struct {
//	    ClientCertificateType certificate_types<1..2^8-1>;
//	    SignatureAndHashAlgorithm
//	      supported_signature_algorithms<2^16-1>;   /* <2..2^16-2> */
//	    DistinguishedName certificate_authorities<0..2^16-1>;
//	} CertificateRequest;
//
//	opaque DistinguishedName<1..2^16-1>;
//
// With the version unknown, TLS 1.2's layout is used when its lengths add
// up, else the older one.
func decodeCertificateRequest12(b []byte, ver Version) (any, []*Error) {
	m := &CertificateRequestMsg{}
	p := msgParser(b, "certificate_request")
	s := cryptobyte.String(b)
	var types, algs, cas cryptobyte.String
	if !p.vec(&s, 1, "certificate_types", 1, 0xff, &types) {
		return m, p.errs
	}
	m.CertificateTypes = make([]CodeName, len(types))
	for i, t := range types {
		m.CertificateTypes[i] = clientCertificateTypes.name(t)
	}
	withAlgs := ver >= VersionTLS12
	if ver == 0 {
		withAlgs = certificateRequestHasAlgorithms(s)
	}
	if withAlgs {
		if !p.vec(&s, 2, "supported_signature_algorithms", 2, 0xfffe, &algs) {
			return m, p.errs
		}
		m.SignatureAlgorithms = make([]CodeName, 0, len(algs)/2)
		p.each16(algs, "supported_signature_algorithms", func(v uint16) {
			m.SignatureAlgorithms = append(m.SignatureAlgorithms, enumName(SignatureScheme(v)))
		})
	}
	if !p.vec(&s, 2, "certificate_authorities", 0, 0xffff, &cas) {
		return m, p.errs
	}
	m.CertificateAuthoritiesLength = ptr(len(cas))
	n := 0
	m.DistinguishedNameCount = &n
	for !cas.Empty() {
		var dn cryptobyte.String
		if !p.vec(&cas, 2, "DistinguishedName", 1, 0xffff, &dn) {
			break
		}
		n++
		m.DistinguishedNameLengths = append(m.DistinguishedNameLengths, len(dn))
		m.DistinguishedNames = append(m.DistinguishedNames, dnString(dn))
	}
	return m, p.done(s)
}

// certificateRequestHasAlgorithms reports whether what follows
// certificate_types is not exactly the older single certificate_authorities
// vector (a first vector that ends the body leaves no room for TLS 1.2's
// second one, so the two readings never both fit).
func certificateRequestHasAlgorithms(s cryptobyte.String) bool { return !fitsVec16(s) }

// RFC 8446, Section 4.3.2, and RFC 9261, Section 4 (ClientCertificateRequest):
//
//	struct {
//	    opaque certificate_request_context<0..2^8-1>;
//	    Extension extensions<2..2^16-1>;
//	} CertificateRequest;
func decodeCertificateRequest13(b []byte, what string) (any, []*Error) {
	m := &CertificateRequestMsg{}
	p := msgParser(b, what)
	s := cryptobyte.String(b)
	var rc cryptobyte.String
	if !p.vec(&s, 1, "certificate_request_context", 0, 0xff, &rc) {
		return m, p.errs
	}
	m.Context = ptr(hexString(rc))
	var exts ExtensionList
	if !p.readExtensions(&s, ExtContextCertificateRequest, 2, 0xffff, &exts) {
		return m, p.errs
	}
	m.Extensions = exts
	return m, p.done(s)
}

// --- CertificateVerify, Finished --------------------------------------------

// CertificateVerifyMsg is a CertificateVerify.
type CertificateVerifyMsg struct {
	SignatureInfo
}

// RFC 8446, Section 4.4.3, and RFC 5246, Section 7.4.8:
//
//	struct {
//	    SignatureScheme algorithm;
//	    opaque signature<0..2^16-1>;
//	} CertificateVerify;
//
// Before TLS 1.2: struct { digitally-signed struct { ... }; } CertificateVerify,
// the signature vector alone (see readSignature).
func decodeCertificateVerify(b []byte, ctx MessageContext) (any, []*Error) {
	m := &CertificateVerifyMsg{}
	p := msgParser(b, "certificate_verify")
	s := cryptobyte.String(b)
	ver := ctx.Version
	if ctx.TLS13 {
		ver = VersionTLS13
	}
	p.readSignature(&s, ver, &m.SignatureInfo)
	return m, p.done(s)
}

// FinishedMsg is a Finished message.
type FinishedMsg struct {
	VerifyDataLength int    `json:"verify_data_length"`
	VerifyData       string `json:"verify_data"`
}

// RFC 5246, Section 7.4.9, and RFC 8446, Section 4.4.4:
//
//	struct {
//	    opaque verify_data[verify_data_length];
//	} Finished;
//
// verify_data_length is 12 in TLS 1.0-1.2 unless the suite says otherwise,
// 36 in SSL 3.0 and the HMAC's length (32 or 48) in TLS 1.3, so any length
// is accepted.
func decodeFinished(b []byte) (any, []*Error) {
	return &FinishedMsg{VerifyDataLength: len(b), VerifyData: hexPrefix(b, hexCap)}, nil
}

// --- NewSessionTicket, EncryptedExtensions, KeyUpdate ----------------------

// maxTicketLifetime is RFC 8446, Section 4.6.1's limit: "Servers MUST NOT
// use any value greater than 604800 seconds (7 days)."
const maxTicketLifetime = 604800

// NewSessionTicketMsg is a NewSessionTicket (RFC 5077 in TLS 1.2, RFC 8446
// in TLS 1.3).
type NewSessionTicketMsg struct {
	// TLS 1.2:
	LifetimeHint *uint32 `json:"ticket_lifetime_hint,omitempty"`
	// TLS 1.3:
	Lifetime     *uint32       `json:"ticket_lifetime,omitempty"`
	AgeAdd       *uint32       `json:"ticket_age_add,omitempty"`
	Nonce        *string       `json:"ticket_nonce,omitempty"`
	TicketLen    int           `json:"ticket_length"`
	Ticket       string        `json:"ticket"` // hex, at most 64 bytes
	Extensions   ExtensionList `json:"extensions,omitempty"`
	MaxEarlyData *uint32       `json:"max_early_data_size,omitempty"` // from early_data
}

// RFC 5077, Section 3.3:
//
//	struct {
//	    uint32 ticket_lifetime_hint;
//	    opaque ticket<0..2^16-1>;
//	} NewSessionTicket;
//
// RFC 8446, Section 4.6.1:
//
//	struct {
//	    uint32 ticket_lifetime;
//	    uint32 ticket_age_add;
//	    opaque ticket_nonce<0..255>;
//	    opaque ticket<1..2^16-1>;
//	    Extension extensions<0..2^16-2>;
//	} NewSessionTicket;
func decodeNewSessionTicket(b []byte, tls13 bool) (any, []*Error) {
	m := &NewSessionTicketMsg{}
	p := msgParser(b, "new_session_ticket")
	s := cryptobyte.String(b)
	var life uint32
	var ticket cryptobyte.String
	if !tls13 {
		if !p.u32(&s, "ticket_lifetime_hint", &life) {
			return m, p.errs
		}
		m.LifetimeHint = &life
		if !p.vec(&s, 2, "ticket", 0, 0xffff, &ticket) {
			return m, p.errs
		}
		m.TicketLen, m.Ticket = len(ticket), hexPrefix(ticket, hexCap)
		return m, p.done(s)
	}
	var age uint32
	var nonce cryptobyte.String
	if !p.u32(&s, "ticket_lifetime", &life) {
		return m, p.errs
	}
	m.Lifetime = &life
	if life > maxTicketLifetime {
		p.add(CodeMessageValueInvalid, 0, "%s: ticket_lifetime %d exceeds %d seconds (7 days)", p.what, life, maxTicketLifetime)
	}
	if !p.u32(&s, "ticket_age_add", &age) {
		return m, p.errs
	}
	m.AgeAdd = &age
	if !p.vec(&s, 1, "ticket_nonce", 0, 255, &nonce) {
		return m, p.errs
	}
	m.Nonce = ptr(hexString(nonce))
	if !p.vec(&s, 2, "ticket", 1, 0xffff, &ticket) {
		return m, p.errs
	}
	m.TicketLen, m.Ticket = len(ticket), hexPrefix(ticket, hexCap)
	var exts ExtensionList
	if !p.readExtensions(&s, ExtContextNewSessionTicket, 0, 0xfffe, &exts) {
		return m, p.errs
	}
	m.Extensions = exts
	for _, x := range exts {
		if ed, ok := x.Decoded.(*EarlyDataExt); ok && ed.MaxEarlyDataSize != nil && m.MaxEarlyData == nil {
			m.MaxEarlyData = ed.MaxEarlyDataSize
		}
	}
	return m, p.done(s)
}

// EncryptedExtensionsMsg is an EncryptedExtensions message.
type EncryptedExtensionsMsg struct {
	ExtensionsLength int           `json:"extensions_length"`
	Extensions       ExtensionList `json:"extensions"`
}

// RFC 8446, Section 4.3.1:
//
//	struct {
//	    Extension extensions<0..2^16-1>;
//	} EncryptedExtensions;
func decodeEncryptedExtensions(b []byte) (any, []*Error) {
	m := &EncryptedExtensionsMsg{Extensions: ExtensionList{}}
	p := msgParser(b, "encrypted_extensions")
	s := cryptobyte.String(b)
	if len(b) >= 2 {
		m.ExtensionsLength = int(b[0])<<8 | int(b[1])
	}
	var exts ExtensionList
	if !p.readExtensions(&s, ExtContextEncryptedExtensions, 0, 0xffff, &exts) {
		return m, p.errs
	}
	m.Extensions = exts
	return m, p.done(s)
}

// KeyUpdateMsg is a KeyUpdate.
type KeyUpdateMsg struct {
	RequestUpdate CodeName `json:"request_update"`
}

// RFC 8446, Section 4.6.3:
//
//	enum {
//	    update_not_requested(0), update_requested(1), (255)
//	} KeyUpdateRequest;
//
//	struct {
//	    KeyUpdateRequest request_update;
//	} KeyUpdate;
func decodeKeyUpdate(b []byte) (any, []*Error) {
	m := &KeyUpdateMsg{}
	p := msgParser(b, "key_update")
	s := cryptobyte.String(b)
	var v uint8
	if !p.u8(&s, "request_update", &v) {
		return m, p.errs
	}
	m.RequestUpdate = keyUpdateRequests.name(v)
	if v > 1 {
		// "If an implementation receives any other value, it MUST
		// terminate the connection with an "illegal_parameter" alert."
		p.add(CodeMessageValueInvalid, 0, "%s: request_update %d is neither 0 nor 1", p.what, v)
	}
	return m, p.done(s)
}

// --- smaller and rarer messages --------------------------------------------

// HelloVerifyRequestMsg is a DTLS HelloVerifyRequest.
type HelloVerifyRequestMsg struct {
	ServerVersion CodeName `json:"server_version"`
	CookieLength  int      `json:"cookie_length"`
	Cookie        string   `json:"cookie"`
}

// RFC 6347, Section 4.2.1:
//
//	struct {
//	  ProtocolVersion server_version;
//	  opaque cookie<0..2^8-1>;
//	} HelloVerifyRequest;
func decodeHelloVerifyRequest(b []byte) (any, []*Error) {
	m := &HelloVerifyRequestMsg{}
	p := msgParser(b, "hello_verify_request")
	s := cryptobyte.String(b)
	var v uint16
	var cookie cryptobyte.String
	if !p.u16(&s, "server_version", &v) {
		return m, p.errs
	}
	m.ServerVersion = enumName(Version(v))
	if !p.vec(&s, 1, "cookie", 0, 0xff, &cookie) {
		return m, p.errs
	}
	m.CookieLength, m.Cookie = len(cookie), hexString(cookie)
	return m, p.done(s)
}

// MessageHashMsg is message_hash, the synthetic message that stands for
// ClientHello1 in the transcript after a HelloRetryRequest (RFC 8446,
// Section 4.4.1). It is never sent; a decoder sees one only in a crafted
// stream.
type MessageHashMsg struct {
	HashLength int    `json:"hash_length"`
	Hash       string `json:"hash"`
}

// CertificateURLMsg is a client certificate_url message.
type CertificateURLMsg struct {
	ChainType  CodeName `json:"chain_type"`
	ListLength int      `json:"url_and_hash_list_length"`
	URLCount   int      `json:"url_count"`
	URLs       []string `json:"urls"`
}

// RFC 6066, Section 5:
//
//	enum {
//	    individual_certs(0), pkipath(1), (255)
//	} CertChainType;
//
//	struct {
//	    CertChainType type;
//	    URLAndHash url_and_hash_list<1..2^16-1>;
//	} CertificateURL;
//
//	struct {
//	    opaque url<1..2^16-1>;
//	    unint8 padding;
//	    opaque SHA1Hash[20];
//	} URLAndHash;
//
// "The "padding" byte MUST be 0x01."
func decodeCertificateURL(b []byte) (any, []*Error) {
	m := &CertificateURLMsg{URLs: []string{}}
	p := msgParser(b, "certificate_url")
	s := cryptobyte.String(b)
	var typ uint8
	var list cryptobyte.String
	if !p.u8(&s, "type", &typ) {
		return m, p.errs
	}
	m.ChainType = certChainTypes.name(typ)
	if !p.vec(&s, 2, "url_and_hash_list", 1, 0xffff, &list) {
		return m, p.errs
	}
	m.ListLength = len(list)
	for !list.Empty() {
		var url cryptobyte.String
		var pad uint8
		var hash []byte
		if !p.vec(&list, 2, "url", 1, 0xffff, &url) || !p.u8(&list, "padding", &pad) || !p.bytes(&list, 20, "SHA1Hash", &hash) {
			break
		}
		if pad != 1 {
			p.add(CodeMessageValueInvalid, p.at(hash)-1, "%s: padding byte is %d, not 1", p.what, pad)
		}
		m.URLCount++
		if len(m.URLs) < maxChainCertificates {
			t, h := textOrHex(url)
			if t == "" {
				t = "hex:" + h
			}
			m.URLs = append(m.URLs, t)
		}
	}
	return m, p.done(s)
}

// SupplementalDataMsg is a supplemental_data message.
type SupplementalDataMsg struct {
	Length  int                     `json:"supp_data_length"`
	Entries []SupplementalDataEntry `json:"supp_data"`
}

// SupplementalDataEntry is one entry, by type and length.
type SupplementalDataEntry struct {
	Type   CodeName `json:"supp_data_type"`
	Length int      `json:"supp_data_length"`
}

// RFC 4680, Section 2:
//
//	struct {
//	    SupplementalDataEntry supp_data<1..2^24-1>;
//	} SupplementalData;
//
//	struct {
//	    SupplementalDataType supp_data_type;
//	    uint16 supp_data_length;
//	    select(SupplementalDataType) { }
//	} SupplementalDataEntry;
func decodeSupplementalData(b []byte) (any, []*Error) {
	m := &SupplementalDataMsg{Entries: []SupplementalDataEntry{}}
	p := msgParser(b, "supplemental_data")
	s := cryptobyte.String(b)
	var list cryptobyte.String
	if !p.vec(&s, 3, "supp_data", 1, 1<<24-1, &list) {
		return m, p.errs
	}
	m.Length = len(list)
	for !list.Empty() && !p.full() {
		var typ uint16
		var data cryptobyte.String
		if !p.u16(&list, "supp_data_type", &typ) || !p.vec(&list, 2, "supp_data", 0, 0xffff, &data) {
			break
		}
		if len(m.Entries) < maxChainCertificates {
			m.Entries = append(m.Entries, SupplementalDataEntry{Type: supplementalDataTypes.name(typ), Length: len(data)})
		}
	}
	return m, p.done(s)
}

// RequestConnectionIDMsg is a DTLS 1.3 RequestConnectionId.
type RequestConnectionIDMsg struct {
	NumCIDs int `json:"num_cids"`
}

// RFC 9147, Section 9:
//
//	struct {
//	    uint8 num_cids;
//	} RequestConnectionId;
func decodeRequestConnectionID(b []byte) (any, []*Error) {
	m := &RequestConnectionIDMsg{}
	p := msgParser(b, "request_connection_id")
	s := cryptobyte.String(b)
	var n uint8
	if !p.u8(&s, "num_cids", &n) {
		return m, p.errs
	}
	m.NumCIDs = int(n)
	return m, p.done(s)
}

// NewConnectionIDMsg is a DTLS 1.3 NewConnectionId.
type NewConnectionIDMsg struct {
	CIDsLength int       `json:"cids_length"`
	CIDs       []string  `json:"cids"`
	Usage      *CodeName `json:"usage,omitempty"`
}

// RFC 9147, Section 9:
//
//	opaque ConnectionId<0..2^8-1>;
//	struct {
//	    ConnectionId cids<0..2^16-1>;
//	    ConnectionIdUsage usage;
//	} NewConnectionId;
func decodeNewConnectionID(b []byte) (any, []*Error) {
	m := &NewConnectionIDMsg{CIDs: []string{}}
	p := msgParser(b, "new_connection_id")
	s := cryptobyte.String(b)
	var list cryptobyte.String
	if !p.vec(&s, 2, "cids", 0, 0xffff, &list) {
		return m, p.errs
	}
	m.CIDsLength = len(list)
	for !list.Empty() {
		var cid cryptobyte.String
		if !p.vec(&list, 1, "ConnectionId", 0, 0xff, &cid) {
			break
		}
		if len(m.CIDs) < maxChainCertificates {
			m.CIDs = append(m.CIDs, hexString(cid))
		}
	}
	if p.failed {
		return m, p.errs
	}
	var usage uint8
	if !p.u8(&s, "usage", &usage) {
		return m, p.errs
	}
	m.Usage = ptr(connectionIDUsages.name(usage))
	return m, p.done(s)
}

// EKTKeyMsg is a DTLS-SRTP EKTKey message.
type EKTKeyMsg struct {
	KeyLength  int    `json:"ekt_key_value_length"`
	SaltLength int    `json:"srtp_master_salt_length"`
	SPI        uint16 `json:"ekt_spi"`
	TTL        uint32 `json:"ekt_ttl"`
}

// RFC 8870, Section 5.2.2:
//
//	struct {
//	    opaque ekt_key_value<1..256>;
//	    opaque srtp_master_salt<1..256>;
//	    uint16 ekt_spi;
//	    uint24 ekt_ttl;
//	} EKTKey;
//
// The vectors' lengths are one byte, as RFC 8446, Section 3 requires for a
// ceiling of 256; RFC 8870 is read as a ceiling of 255.
func decodeEKTKey(b []byte) (any, []*Error) {
	m := &EKTKeyMsg{}
	p := msgParser(b, "ekt_key")
	s := cryptobyte.String(b)
	var key, salt cryptobyte.String
	if !p.vec(&s, 1, "ekt_key_value", 1, 255, &key) {
		return m, p.errs
	}
	m.KeyLength = len(key)
	if !p.vec(&s, 1, "srtp_master_salt", 1, 255, &salt) {
		return m, p.errs
	}
	m.SaltLength = len(salt)
	if !p.u16(&s, "ekt_spi", &m.SPI) || !p.need(s, 3, "ekt_ttl") {
		return m, p.errs
	}
	s.ReadUint24(&m.TTL)
	return m, p.done(s)
}

// UnknownMsg is a message of a type padlock does not decode.
type UnknownMsg struct {
	Unknown      bool   `json:"unknown"`
	Hex          string `json:"hex"` // the first 64 bytes of the body
	HexTruncated bool   `json:"hex_truncated,omitempty"`
}

// --- helpers ---------------------------------------------------------------

// bitLen is the bit length of a big-endian unsigned integer.
func bitLen(b []byte) int {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0
	}
	return (len(b)-1)*8 + new(big.Int).SetBytes(b[:1]).BitLen()
}

// uintValue is a big-endian unsigned integer's value, or nil if it does not
// fit in 64 bits.
func uintValue(b []byte) *uint64 {
	b = bytes.TrimLeft(b, "\x00")
	if len(b) > 8 {
		return nil
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return &v
}

// identityCap bounds a PSK identity or hint shown in JSON.
const identityCap = 256

// textOrHex shows a PSK identity or identity hint, which RFC 4279, Section
// 5.1 says is UTF-8, as text when it is printable UTF-8, else as hex; both
// are capped at identityCap bytes. Exactly one result is set for a
// non-empty input.
func textOrHex(b []byte) (text, hx string) {
	if len(b) == 0 {
		return "", ""
	}
	c := b
	if len(c) > identityCap {
		c = c[:identityCap]
		// Do not count a rune cut by the cap as invalid UTF-8.
		for i := 0; i < utf8.UTFMax-1 && !utf8.Valid(c); i++ {
			c = c[:len(c)-1]
		}
	}
	if utf8.Valid(c) && strings.IndexFunc(string(c), func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
		return string(c), ""
	}
	return "", hexPrefix(b, identityCap)
}

// --- CompressedCertificate -------------------------------------------------

// maxDecompressedCertificate caps a CompressedCertificate's
// uncompressed_length, like DefaultMaxMessage caps any message: a few bytes
// of brotli or zstd can claim megabytes (a decompression bomb), and no real
// chain needs more.
const maxDecompressedCertificate = 1 << 20

// maxZstdWindow bounds the zstd history buffer: the output is capped far
// below it, and a frame header can ask for up to 3.75 TB.
const maxZstdWindow = 8 << 20

// CompressedCertificateMsg is a CompressedCertificate. Certificate is the
// decompressed TLS 1.3 Certificate message, nil when it could not be
// decompressed.
type CompressedCertificateMsg struct {
	Algorithm          CodeName        `json:"algorithm"`
	UncompressedLength int             `json:"uncompressed_length"`
	CompressedLength   int             `json:"compressed_length"`
	Certificate        *CertificateMsg `json:"certificate,omitempty"`
}

// RFC 8879, Section 4:
//
//	struct {
//	     CertificateCompressionAlgorithm algorithm;
//	     uint24 uncompressed_length;
//	     opaque compressed_certificate_message<1..2^24-1>;
//	} CompressedCertificate;
//
// enum { zlib(1), brotli(2), zstd(3), (65535) } CertificateCompressionAlgorithm;
//
// The compressed bytes are the Certificate message's body (BoringSSL and
// Wireshark agree), decoded here in its TLS 1.3 form. Problems inside it are
// reported at the compressed data's offset, with the offset inside the
// decompressed body in the message.
func decodeCompressedCertificate(b []byte, parse certParser) (any, []*Error) {
	m := &CompressedCertificateMsg{}
	p := msgParser(b, "compressed_certificate")
	s := cryptobyte.String(b)
	var alg uint16
	var n uint32
	var data cryptobyte.String
	if !p.u16(&s, "algorithm", &alg) {
		return m, p.errs
	}
	m.Algorithm = name16(alg, iana.CertificateCompressionAlgorithmName)
	if !p.need(s, 3, "uncompressed_length") {
		return m, p.errs
	}
	s.ReadUint24(&n)
	m.UncompressedLength = int(n)
	if !p.vec(&s, 3, "compressed_certificate_message", 1, 1<<24-1, &data) {
		return m, p.errs
	}
	m.CompressedLength = len(data)
	p.done(s)
	off := p.at(data)
	if n > maxDecompressedCertificate {
		p.add(CodeDecompressionRefused, 2, "%s: uncompressed_length %d exceeds the %d-byte cap; not decompressed", p.what, n, maxDecompressedCertificate)
		return m, p.errs
	}
	raw, code, why := decompressCertificate(alg, data, int(n))
	if code != "" {
		p.add(code, off, "%s: %s: %s", p.what, m.Algorithm.Name, why)
		return m, p.errs
	}
	inner, innerErrs := decodeCertificate13(raw, "certificate", parse)
	m.Certificate = inner
	// The inner entries' DER and offsets point into the decompressed copy,
	// not into b: keep DER, but report problems at the compressed data.
	for i := range inner.Entries {
		inner.Entries[i].Off = off
	}
	for _, e := range innerErrs {
		if p.full() {
			break
		}
		p.add(e.Code, off, "decompressed certificate offset %d: %s", e.Off, e.Msg)
	}
	return m, p.errs
}

// decompressCertificate inflates data, which must come to exactly n bytes.
// It reads at most n+1 bytes, so a bomb stops at the cap.
func decompressCertificate(alg uint16, data []byte, n int) ([]byte, Code, string) {
	var r io.Reader
	var err error
	switch alg {
	case 1:
		r, err = zlib.NewReader(bytes.NewReader(data))
	case 2:
		r = brotli.NewReader(bytes.NewReader(data))
	case 3:
		var d *zstd.Decoder
		d, err = zstd.NewReader(bytes.NewReader(data), zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(maxZstdWindow))
		if err == nil {
			defer d.Close()
			r = d
		}
	default:
		return nil, CodeCompressionAlgorithmUnknown, "padlock decompresses only zlib, brotli and zstd"
	}
	if err != nil {
		return nil, CodeDecompressionFailed, err.Error()
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(n)+1))
	switch {
	case len(out) > n:
		return nil, CodeDecompressionRefused, fmt.Sprintf("decompresses to more than uncompressed_length %d", n)
	case err != nil:
		return nil, CodeDecompressionFailed, err.Error()
	case len(out) < n:
		return nil, CodeDecompressionFailed, fmt.Sprintf("decompresses to %d bytes, not uncompressed_length %d", len(out), n)
	}
	return out, "", ""
}

// --- OCSP ------------------------------------------------------------------

// OCSPResponseInfo summarises an OCSP response (RFC 6960, Section 4.2.1).
// Length is always set; the rest is what parsed.
type OCSPResponseInfo struct {
	Length         int       `json:"length"`
	ResponseStatus *CodeName `json:"response_status,omitempty"`
	// Responder is the responder's name (RFC 4514), or ResponderKeyHash
	// the SHA-1 of its key in hex.
	Responder        string               `json:"responder,omitempty"`
	ResponderKeyHash string               `json:"responder_key_hash,omitempty"`
	ProducedAt       string               `json:"produced_at,omitempty"`
	Responses        []OCSPSingleResponse `json:"responses,omitempty"`
	// ResponseType is responseBytes' responseType (1.3.6.1.5.5.7.48.1.1 for
	// id-pkix-ocsp-basic), dotted.
	ResponseType string `json:"response_type,omitempty"`
	// SignatureOID and SignatureLength describe the BasicOCSPResponse's
	// signature (its algorithm, dotted, and its length in bytes).
	SignatureOID    string `json:"signature_oid,omitempty"`
	SignatureLength int    `json:"signature_length,omitempty"`
	// Certificates are the certs the responder sent to help verify the
	// signature (a delegated responder's own certificate, usually).
	Certificates []*Certificate `json:"certificates,omitempty"`
}

// OCSPSingleResponse is one certificate's status. Times are RFC 3339, UTC.
type OCSPSingleResponse struct {
	SerialNumber     string    `json:"serial_number"` // hex
	CertStatus       string    `json:"cert_status"`   // good, revoked or unknown
	RevokedAt        string    `json:"revoked_at,omitempty"`
	RevocationReason *CodeName `json:"revocation_reason,omitempty"`
	ThisUpdate       string    `json:"this_update"`
	NextUpdate       string    `json:"next_update,omitempty"`
	// The CertID: its hash algorithm (dotted) and the issuer's name and
	// key hashes (hex).
	HashAlgorithmOID string `json:"hash_algorithm_oid,omitempty"`
	IssuerNameHash   string `json:"issuer_name_hash,omitempty"`
	IssuerKeyHash    string `json:"issuer_key_hash,omitempty"`
}

var (
	// RFC 6960, Section 4.2.1: OCSPResponseStatus.
	ocspResponseStatuses = table8{0: "successful", 1: "malformedRequest", 2: "internalError", 3: "tryLater", 5: "sigRequired", 6: "unauthorized"}
	// RFC 5280, Section 5.3.1: CRLReason.
	crlReasons = table8{0: "unspecified", 1: "keyCompromise", 2: "cACompromise", 3: "affiliationChanged", 4: "superseded",
		5: "cessationOfOperation", 6: "certificateHold", 8: "removeFromCRL", 9: "privilegeWithdrawn", 10: "aACompromise"}
	ocspCertStatuses = []string{ocsp.Good: "good", ocsp.Revoked: "revoked", ocsp.Unknown: "unknown"}
)

// ParseOCSPResponse decodes a DER OCSPResponse with golang.org/x/crypto/ocsp
// (no signature check: there is no issuer to check it against). A
// non-successful response (tryLater, ...) is a valid response and has only
// ResponseStatus. The library reads a single SingleResponse; a response
// with several is read by parseOCSPMulti. The returned value is never nil.
func ParseOCSPResponse(der []byte) (*OCSPResponseInfo, error) {
	info := &OCSPResponseInfo{Length: len(der)}
	r, err := ocsp.ParseResponse(der, nil)
	if err != nil {
		var re ocsp.ResponseError
		if errors.As(err, &re) && re.Status >= 0 && re.Status < 256 {
			info.ResponseStatus = ptr(ocspResponseStatuses.name(uint8(re.Status)))
			return info, nil
		}
		if strings.Contains(err.Error(), "bad number of responses") && parseOCSPMulti(der, info) {
			return info, nil
		}
		return info, err
	}
	info.ResponseStatus = ptr(ocspResponseStatuses.name(0))
	if r.RawResponderName != nil {
		info.Responder = dnString(r.RawResponderName)
	}
	info.ResponderKeyHash = hexString(r.ResponderKeyHash)
	info.ProducedAt = rfc3339(r.ProducedAt)
	one := OCSPSingleResponse{SerialNumber: serialHex(r.SerialNumber), CertStatus: "server_failed",
		ThisUpdate: rfc3339(r.ThisUpdate), NextUpdate: rfc3339(r.NextUpdate)}
	if r.Status >= 0 && r.Status < len(ocspCertStatuses) {
		one.CertStatus = ocspCertStatuses[r.Status]
	}
	if r.Status == ocsp.Revoked {
		one.RevokedAt = rfc3339(r.RevokedAt)
		one.RevocationReason = ptr(crlReasons.name(uint8(r.RevocationReason)))
	}
	info.Responses = []OCSPSingleResponse{one}
	ocspDetails(der, info)
	return info, nil
}

// ocspDetails adds what golang.org/x/crypto/ocsp does not return: the
// response type, each CertID's hashes, the signature's algorithm and
// length, and the certificates, from the basic response read again with
// encoding/asn1. Whatever does not parse is left out.
func ocspDetails(der []byte, info *OCSPResponseInfo) {
	var outer ocspOuter
	var basic ocspBasic
	if rest, err := asn1.Unmarshal(der, &outer); err != nil || len(rest) != 0 || outer.Status != 0 {
		return
	}
	info.ResponseType = outer.Response.Type.String()
	if rest, err := asn1.Unmarshal(outer.Response.Bytes, &basic); err != nil || len(rest) != 0 {
		return
	}
	for i, r := range basic.TBS.Responses {
		if i == len(info.Responses) {
			break
		}
		one := &info.Responses[i]
		one.HashAlgorithmOID = r.CertID.HashAlgorithm.Algorithm.String()
		one.IssuerNameHash, one.IssuerKeyHash = hexString(r.CertID.NameHash), hexString(r.CertID.KeyHash)
	}
	info.SignatureOID = basic.SignatureAlgorithm.Algorithm.String()
	info.SignatureLength = len(basic.Signature.Bytes)
	for i, c := range basic.Certs {
		if i == maxChainCertificates {
			break
		}
		cert, _ := ParseCertificate(c.FullBytes)
		info.Certificates = append(info.Certificates, cert)
	}
}

// RFC 6960, Section 4.2.1, for responses with several SingleResponses,
// which golang.org/x/crypto/ocsp does not return without the certificate
// they are for:
//
//	BasicOCSPResponse ::= SEQUENCE {
//	   tbsResponseData      ResponseData,
//	   signatureAlgorithm   AlgorithmIdentifier,
//	   signature            BIT STRING,
//	   certs            [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
//	ResponseData ::= SEQUENCE {
//	   version              [0] EXPLICIT Version DEFAULT v1,
//	   responderID              ResponderID,
//	   producedAt               GeneralizedTime,
//	   responses                SEQUENCE OF SingleResponse,
//	   responseExtensions   [1] EXPLICIT Extensions OPTIONAL }
//	SingleResponse ::= SEQUENCE {
//	   certID                       CertID,
//	   certStatus                   CertStatus,
//	   thisUpdate                   GeneralizedTime,
//	   nextUpdate         [0]       EXPLICIT GeneralizedTime OPTIONAL,
//	   singleExtensions   [1]       EXPLICIT Extensions OPTIONAL }
//	CertStatus ::= CHOICE {
//	   good        [0]     IMPLICIT NULL,
//	   revoked     [1]     IMPLICIT RevokedInfo,
//	   unknown     [2]     IMPLICIT UnknownInfo }
//	RevokedInfo ::= SEQUENCE {
//	   revocationTime              GeneralizedTime,
//	   revocationReason    [0]     EXPLICIT CRLReason OPTIONAL }
type ocspOuter struct {
	Status   asn1.Enumerated
	Response struct {
		Type  asn1.ObjectIdentifier
		Bytes []byte
	} `asn1:"explicit,tag:0,optional"`
}

type ocspBasic struct {
	TBS struct {
		Version     int `asn1:"optional,explicit,default:0,tag:0"`
		ResponderID asn1.RawValue
		ProducedAt  time.Time `asn1:"generalized"`
		Responses   []ocspSingle
		Extensions  []pkix.Extension `asn1:"optional,explicit,tag:1"`
	}
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          asn1.BitString
	Certs              []asn1.RawValue `asn1:"optional,explicit,tag:0"`
}

type ocspSingle struct {
	CertID struct {
		HashAlgorithm pkix.AlgorithmIdentifier
		NameHash      []byte
		KeyHash       []byte
		Serial        *big.Int
	}
	Status     asn1.RawValue
	ThisUpdate time.Time        `asn1:"generalized"`
	NextUpdate time.Time        `asn1:"generalized,explicit,tag:0,optional"`
	Extensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type ocspRevoked struct {
	Time   time.Time       `asn1:"generalized"`
	Reason asn1.Enumerated `asn1:"explicit,tag:0,optional"`
}

// maxOCSPResponses caps the SingleResponses kept from one response.
const maxOCSPResponses = maxChainCertificates

// parseOCSPMulti fills info from a successful basic response with several
// SingleResponses, reporting whether it parsed.
func parseOCSPMulti(der []byte, info *OCSPResponseInfo) bool {
	var outer ocspOuter
	var basic ocspBasic
	if rest, err := asn1.Unmarshal(der, &outer); err != nil || len(rest) != 0 || outer.Status != 0 {
		return false
	}
	if rest, err := asn1.Unmarshal(outer.Response.Bytes, &basic); err != nil || len(rest) != 0 {
		return false
	}
	info.ResponseStatus = ptr(ocspResponseStatuses.name(0))
	switch id := basic.TBS.ResponderID; id.Tag {
	case 1:
		info.Responder = dnString(id.Bytes)
	case 2:
		var h []byte
		if _, err := asn1.Unmarshal(id.Bytes, &h); err == nil {
			info.ResponderKeyHash = hexString(h)
		}
	}
	info.ProducedAt = rfc3339(basic.TBS.ProducedAt)
	for i, r := range basic.TBS.Responses {
		if i == maxOCSPResponses {
			break
		}
		one := OCSPSingleResponse{SerialNumber: serialHex(r.CertID.Serial), ThisUpdate: rfc3339(r.ThisUpdate), NextUpdate: rfc3339(r.NextUpdate)}
		switch r.Status.Tag {
		case 0:
			one.CertStatus = "good"
		case 1:
			one.CertStatus = "revoked"
			var rv ocspRevoked
			if _, err := asn1.UnmarshalWithParams(r.Status.FullBytes, &rv, "tag:1"); err == nil {
				one.RevokedAt = rfc3339(rv.Time)
				one.RevocationReason = ptr(crlReasons.name(uint8(rv.Reason)))
			}
		default:
			one.CertStatus = "unknown"
		}
		info.Responses = append(info.Responses, one)
	}
	ocspDetails(der, info)
	return true
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// serialHex renders a serial number as the hex of its DER INTEGER content
// octets, as Certificate.Serial does, so the two can be matched: a leading
// 00 keeps a positive number positive, a negative one is two's complement.
func serialHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	if n.Sign() >= 0 {
		b := n.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return hexString(b)
	}
	// Two's complement, as encoding/asn1 writes it: invert the bytes of -n-1.
	b := new(big.Int).Sub(new(big.Int).Neg(n), big.NewInt(1)).Bytes()
	for i := range b {
		b[i] ^= 0xff
	}
	if len(b) == 0 || b[0]&0x80 == 0 {
		b = append([]byte{0xff}, b...)
	}
	return hexString(b)
}
