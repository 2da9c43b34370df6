package dissect

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"math/bits"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	ctx509 "github.com/google/certificate-transparency-go/x509"
	ctpkix "github.com/google/certificate-transparency-go/x509/pkix"
	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Certificate is one X.509 certificate as padlock reports it (json tags are
// the report's field names, snake_case). It holds what Wireshark's x509af
// fields and Zeek's x509.log show for a certificate of a chain.
//
// Three sources fill it, in this order of trust:
//   - crypto/x509, when it accepts the certificate (Parser "crypto/x509");
//   - certificate-transparency-go/x509, a fork of an older crypto/x509 that
//     tolerates what real servers send and the stdlib refuses (negative
//     serials, duplicate extensions, version 4, ...); its complaints go to
//     Warnings (Parser "certificate-transparency-go/x509");
//   - otherwise a best-effort DER walk of the TBSCertificate done here, so a
//     certificate neither library accepts still shows its serial, names,
//     validity, key and extensions as far as they can be read (Parser "none").
//
// Some fields always come from that walk, whichever parser accepted the
// certificate, because the libraries lose what a passive observer shows:
// Serial (the INTEGER's bytes, not its value), Subject and Issuer (the RDNs
// in wire order, multi-valued RDNs kept), Key (curves the libraries do not
// implement), Signature (OIDs they do not name), ExtKeyUsage (wire order,
// known and unknown interleaved) and SCTs.
//
// No GODEBUG setting is used or needed: the fallback is a different parser,
// not a relaxed stdlib.
type Certificate struct {
	SHA256 string `json:"sha256"` // hex of the DER as it was sent
	SHA1   string `json:"sha1"`
	Length int    `json:"length"`
	Parser string `json:"parser"` // CertParserStdlib, CertParserLenient or CertParserNone

	Version int `json:"version,omitempty"` // 1, 2 or 3 (the wire value plus one)
	// Serial is the lowercase hex of the serialNumber INTEGER's content
	// octets, as Wireshark shows x509af.serialNumber and openssl -serial
	// prints it: a leading 00 that keeps a positive number positive stays,
	// and a negative serial (RFC 5280 Section 4.1.2.2 forbids it, crypto/x509
	// refuses it) keeps its two's complement bytes, e.g. -255 is "ff01".
	Serial    string `json:"serial,omitempty"`
	Subject   string `json:"subject,omitempty"` // RFC 4514, most specific RDN first
	Issuer    string `json:"issuer,omitempty"`
	SubjectCN string `json:"subject_cn,omitempty"` // the last (most specific) commonName, unescaped

	NotBefore     time.Time `json:"-"`
	NotAfter      time.Time `json:"-"`
	NotBeforeText string    `json:"not_before,omitempty"` // RFC 3339, UTC
	NotAfterText  string    `json:"not_after,omitempty"`

	SANs   []string `json:"sans,omitempty"` // subjectAltName dNSName entries
	IPs    []string `json:"san_ips,omitempty"`
	Emails []string `json:"san_emails,omitempty"`
	URIs   []string `json:"san_uris,omitempty"`

	Key          string `json:"key,omitempty"`           // "RSA 2048", "ECDSA P-256", "Ed25519"
	KeyAlgorithm string `json:"key_algorithm,omitempty"` // "RSA", "ECDSA", "Ed25519", ..., else the dotted OID
	KeyBits      int    `json:"key_bits,omitempty"`
	Curve        string `json:"curve,omitempty"` // "P-256", "brainpoolP256r1", ..., else the dotted OID
	KeyOID       string `json:"key_oid,omitempty"`

	Signature    string `json:"signature,omitempty"` // Go's x509.SignatureAlgorithm names ("SHA256-RSA"), else the dotted OID
	SignatureOID string `json:"signature_oid,omitempty"`

	IsCA             bool `json:"is_ca"`
	BasicConstraints bool `json:"basic_constraints"` // the extension is present
	MaxPathLen       *int `json:"max_path_len,omitempty"`

	KeyUsage    []string `json:"key_usage,omitempty"`     // RFC 5280 Section 4.2.1.3 names in snake_case
	ExtKeyUsage []string `json:"ext_key_usage,omitempty"` // "server_auth", ..., unknown OIDs dotted; wire order

	OCSPServers            []string `json:"ocsp_servers,omitempty"` // AIA id-ad-ocsp URIs
	IssuingCertificateURLs []string `json:"ca_issuers,omitempty"`   // AIA id-ad-caIssuers URIs
	CRLDistributionPoints  []string `json:"crl_distribution_points,omitempty"`
	Policies               []string `json:"policies,omitempty"` // dotted policy OIDs

	SCTs []SCT `json:"scts,omitempty"` // embedded SCT list, 1.3.6.1.4.1.11129.2.4.2 (RFC 6962 Section 3.3)

	// SubjectKeyID and AuthorityKeyID are the hex of the subjectKeyIdentifier
	// (2.5.29.14) and of the authorityKeyIdentifier's keyIdentifier
	// (2.5.29.35), RFC 5280 Sections 4.2.1.1-2: what links a certificate to
	// its issuer when names repeat.
	SubjectKeyID   string `json:"subject_key_id,omitempty"`
	AuthorityKeyID string `json:"authority_key_id,omitempty"`
	// RSAExponent is an RSA key's publicExponent, when it fits an int64.
	RSAExponent int64 `json:"rsa_exponent,omitempty"`
	// NameConstraints is a CA's nameConstraints (2.5.29.30, RFC 5280
	// Section 4.2.1.10), as crypto/x509 reads it.
	NameConstraints *CertNameConstraints `json:"name_constraints,omitempty"`
	// Extensions lists every extension in wire order (unknown ones too),
	// as Wireshark's x509af.extension.id and x509af.critical show them.
	Extensions []CertExtension `json:"extensions,omitempty"`

	// SelfSigned: subject == issuer (byte for byte) and the signature
	// verifies with the certificate's own key under crypto/x509's rules
	// (so never for MD5, or for RSA keys under 1024 bits).
	SelfSigned bool `json:"self_signed"`

	Warnings []string `json:"warnings,omitempty"` // what the lenient parser tolerated, or why parsing failed

	// Raw is crypto/x509's value when it accepted the certificate (nil
	// otherwise), for chain verification later.
	Raw *x509.Certificate `json:"-"`
}

// SCT is one SignedCertificateTimestamp of a certificate's embedded SCT list
// (RFC 6962, Section 3.2). Only v1 (Version 0) SCTs have their fields decoded.
type SCT struct {
	Version                int    `json:"version"` // wire value: 0 is v1
	Length                 int    `json:"length"`  // of the SerializedSCT
	LogID                  string `json:"log_id,omitempty"`
	Timestamp              string `json:"timestamp,omitempty"` // RFC 3339 UTC, milliseconds
	SignatureAlgorithm     string `json:"signature_algorithm,omitempty"`
	SignatureAlgorithmCode int    `json:"signature_algorithm_code,omitempty"` // TLS SignatureAndHashAlgorithm as uint16
	ExtensionsLength       int    `json:"extensions_length,omitempty"`
	SignatureLength        int    `json:"signature_length,omitempty"`
}

// CertNameConstraints are the permitted and excluded subtrees of a
// nameConstraints extension, by kind (IP ranges in CIDR notation).
type CertNameConstraints struct {
	PermittedDNS    []string `json:"permitted_dns,omitempty"`
	ExcludedDNS     []string `json:"excluded_dns,omitempty"`
	PermittedIPs    []string `json:"permitted_ips,omitempty"`
	ExcludedIPs     []string `json:"excluded_ips,omitempty"`
	PermittedEmails []string `json:"permitted_emails,omitempty"`
	ExcludedEmails  []string `json:"excluded_emails,omitempty"`
	PermittedURIs   []string `json:"permitted_uris,omitempty"`
	ExcludedURIs    []string `json:"excluded_uris,omitempty"`
}

// certNameConstraints is nil when there are none.
func certNameConstraints(pDNS, eDNS []string, pIP, eIP []*net.IPNet, pEmail, eEmail, pURI, eURI []string) *CertNameConstraints {
	nets := func(in []*net.IPNet) []string {
		var out []string
		for _, n := range in {
			out = append(out, n.String())
		}
		return out
	}
	nc := &CertNameConstraints{PermittedDNS: pDNS, ExcludedDNS: eDNS, PermittedIPs: nets(pIP), ExcludedIPs: nets(eIP),
		PermittedEmails: pEmail, ExcludedEmails: eEmail, PermittedURIs: pURI, ExcludedURIs: eURI}
	if len(pDNS)+len(eDNS)+len(pIP)+len(eIP)+len(pEmail)+len(eEmail)+len(pURI)+len(eURI) == 0 {
		return nil
	}
	return nc
}

// CertExtension is one X.509 extension: its dotted OID and whether it is
// marked critical (RFC 5280 Section 4.1: critical BOOLEAN DEFAULT FALSE).
type CertExtension struct {
	OID      string `json:"oid"`
	Critical bool   `json:"critical"`
}

// maxCertExtensions bounds Certificate.Extensions: a hostile certificate
// can hold thousands.
const maxCertExtensions = 64

// Values of Certificate.Parser.
const (
	CertParserStdlib  = "crypto/x509"
	CertParserLenient = "certificate-transparency-go/x509"
	CertParserNone    = "none"
)

// maxCertWarnings bounds Warnings: the lenient parser adds one per
// tolerated problem, and a hostile certificate can hold thousands.
const maxCertWarnings = 32

// ParseCertificate decodes one DER certificate, as carried in a TLS
// Certificate message's ASN.1Cert<1..2^24-1>. It never returns nil: the
// fingerprints and length are always set, and every other field as far as
// the bytes allow. Problems come back as coded errors (codes_cert.go) with
// offsets counted from the start of der; the reason is in Warnings as well,
// so a report's certificate explains itself.
func ParseCertificate(der []byte) (*Certificate, []*Error) {
	s1, s256 := sha1.Sum(der), sha256.Sum256(der)
	c := &Certificate{
		SHA256: hex.EncodeToString(s256[:]),
		SHA1:   hex.EncodeToString(s1[:]),
		Length: len(der),
		Parser: CertParserNone,
	}
	var errs []*Error

	// Both libraries refuse bytes after the certificate's SEQUENCE. A TLS
	// peer that pads its ASN.1Cert still sent a whole certificate, so parse
	// the SEQUENCE alone and say so.
	body := der
	if n := certOuterLength(der); n > 0 && n < len(der) {
		errs = append(errs, errorf(CodeCertificateTrailingData, n, "%d bytes after the certificate's DER SEQUENCE", len(der)-n))
		c.warn(fmt.Sprintf("%d bytes of trailing data after the certificate were ignored", len(der)-n))
		body = der[:n]
	}

	w := walkCertificate(body)
	exts := w.exts
	// The parser's view of the names, for names fillFromWalk cannot format.
	var names func() (subject, issuer, cn string)
	std, stdErr := x509.ParseCertificate(body)
	switch {
	case stdErr == nil:
		c.Parser, c.Raw = CertParserStdlib, std
		c.fillStd(std)
		w.adopt(std.RawSubject, std.RawIssuer, std.RawSubjectPublicKeyInfo)
		names = func() (string, string, string) {
			return std.Subject.String(), std.Issuer.String(), std.Subject.CommonName
		}
		if !w.extsOK {
			exts = certExtsFromStd(std.Extensions)
		}
	default:
		ct, ctWarn, ctErr := parseLenient(body)
		if ct != nil {
			c.Parser = CertParserLenient
			errs = append(errs, errorf(CodeCertificateLenient, 0, "crypto/x509 refused it (%v); certificate-transparency-go/x509 accepted it", stdErr))
			c.warn("crypto/x509: " + stdErr.Error())
			for _, m := range ctWarn {
				c.warn("certificate-transparency-go/x509: " + m)
			}
			c.fillCT(ct, w)
			w.adopt(ct.RawSubject, ct.RawIssuer, ct.RawSubjectPublicKeyInfo)
			names = func() (string, string, string) { return ct.Subject.String(), ct.Issuer.String(), ct.Subject.CommonName }
			if !w.extsOK {
				exts = certExtsFromCT(ct.Extensions)
			}
			break
		}
		errs = append(errs, errorf(CodeCertificateUnparsable, w.stopOff, "crypto/x509: %v; certificate-transparency-go/x509: %v", stdErr, ctErr))
		c.warn("crypto/x509: " + stdErr.Error())
		c.warn("certificate-transparency-go/x509: " + ctErr.Error())
		if w.stop != "" {
			c.warn(fmt.Sprintf("structure: %s at offset %d", w.stop, w.stopOff))
		}
		c.fillWalk(w)
	}
	if !c.fillFromWalk(w) && names != nil {
		c.Subject, c.Issuer, c.SubjectCN = names()
	}
	errs = append(errs, c.fillFromExtensions(exts)...)
	for _, s := range append([]string{c.SubjectCN}, c.SANs...) {
		if strings.IndexByte(s, 0) >= 0 {
			c.warn(fmt.Sprintf("name %q holds a NUL byte", s))
			errs = append(errs, errorf(CodeCertificateNameNUL, 0, "name %q holds a NUL byte", s))
		}
	}
	return c, errs
}

func (c *Certificate) warn(m string) {
	switch {
	case len(c.Warnings) < maxCertWarnings:
		c.Warnings = append(c.Warnings, m)
	case len(c.Warnings) == maxCertWarnings:
		c.Warnings = append(c.Warnings, "more warnings were dropped")
	}
}

func (c *Certificate) setTimes(nb, na time.Time) {
	c.NotBefore, c.NotAfter = nb, na
	if !nb.IsZero() {
		c.NotBeforeText = nb.UTC().Format(time.RFC3339Nano)
	}
	if !na.IsZero() {
		c.NotAfterText = na.UTC().Format(time.RFC3339Nano)
	}
}

// parseLenient runs certificate-transparency-go's parser. It returns a
// certificate when the parser produced one (possibly with non-fatal
// complaints, returned as ctWarn) and the fatal error otherwise.
func parseLenient(der []byte) (ct *ctx509.Certificate, ctWarn []string, err error) {
	ct, err = ctx509.ParseCertificate(der)
	var nfe ctx509.NonFatalErrors
	if errors.As(err, &nfe) && ct != nil {
		for _, e := range nfe.Errors {
			ctWarn = append(ctWarn, e.Error())
		}
		return ct, ctWarn, nil
	}
	if err == nil && ct == nil {
		err = errors.New("no certificate")
	}
	if err != nil {
		return nil, nil, err
	}
	return ct, nil, nil
}

var certKeyUsageNames = [...]string{ // RFC 5280, Section 4.2.1.3, bit order
	"digital_signature", "non_repudiation", "key_encipherment", "data_encipherment",
	"key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only",
}

func certKeyUsage(bits int) []string {
	var out []string
	for i, n := range certKeyUsageNames {
		if bits&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

func (c *Certificate) setBasicConstraints(valid, isCA bool, maxPathLen int, zero bool) {
	c.BasicConstraints, c.IsCA = valid, valid && isCA
	if valid && (maxPathLen > 0 || (maxPathLen == 0 && zero)) {
		c.MaxPathLen = ptr(maxPathLen)
	}
}

func (c *Certificate) fillStd(x *x509.Certificate) {
	c.Version = x.Version
	c.setTimes(x.NotBefore, x.NotAfter)
	c.SANs, c.Emails = x.DNSNames, x.EmailAddresses
	for _, ip := range x.IPAddresses {
		c.IPs = append(c.IPs, ip.String())
	}
	for _, u := range x.URIs {
		c.URIs = append(c.URIs, u.String())
	}
	c.setBasicConstraints(x.BasicConstraintsValid, x.IsCA, x.MaxPathLen, x.MaxPathLenZero)
	c.KeyUsage = certKeyUsage(int(x.KeyUsage))
	c.OCSPServers, c.IssuingCertificateURLs, c.CRLDistributionPoints = x.OCSPServer, x.IssuingCertificateURL, x.CRLDistributionPoints
	for _, p := range x.Policies {
		c.Policies = append(c.Policies, p.String())
	}
	if c.Policies == nil {
		for _, p := range x.PolicyIdentifiers {
			c.Policies = append(c.Policies, p.String())
		}
	}
	c.NameConstraints = certNameConstraints(x.PermittedDNSDomains, x.ExcludedDNSDomains, x.PermittedIPRanges, x.ExcludedIPRanges,
		x.PermittedEmailAddresses, x.ExcludedEmailAddresses, x.PermittedURIDomains, x.ExcludedURIDomains)
	c.SelfSigned = bytes.Equal(x.RawSubject, x.RawIssuer) &&
		x.CheckSignature(x.SignatureAlgorithm, x.RawTBSCertificate, x.Signature) == nil
	c.Serial = certSerialHex(x.SerialNumber)
	if x.SignatureAlgorithm != x509.UnknownSignatureAlgorithm {
		c.Signature = x.SignatureAlgorithm.String()
	}
}

func (c *Certificate) fillCT(x *ctx509.Certificate, w *certWalk) {
	c.Version = x.Version
	c.setTimes(x.NotBefore, x.NotAfter)
	c.SANs, c.Emails = x.DNSNames, x.EmailAddresses
	for _, ip := range x.IPAddresses {
		c.IPs = append(c.IPs, ip.String())
	}
	for _, u := range x.URIs {
		c.URIs = append(c.URIs, u.String())
	}
	c.setBasicConstraints(x.BasicConstraintsValid, x.IsCA, x.MaxPathLen, x.MaxPathLenZero)
	c.KeyUsage = certKeyUsage(int(x.KeyUsage))
	c.OCSPServers, c.IssuingCertificateURLs, c.CRLDistributionPoints = x.OCSPServer, x.IssuingCertificateURL, x.CRLDistributionPoints
	for _, p := range x.PolicyIdentifiers {
		c.Policies = append(c.Policies, p.String())
	}
	c.NameConstraints = certNameConstraints(x.PermittedDNSDomains, x.ExcludedDNSDomains, x.PermittedIPRanges, x.ExcludedIPRanges,
		x.PermittedEmailAddresses, x.ExcludedEmailAddresses, x.PermittedURIDomains, x.ExcludedURIDomains)
	if w.sigAlg == nil { // BER the walk could not read: trust the library
		c.SelfSigned = bytes.Equal(x.RawSubject, x.RawIssuer) &&
			x.CheckSignature(x.SignatureAlgorithm, x.RawTBSCertificate, x.Signature) == nil
	}
	c.Serial = certSerialHex(x.SerialNumber)
	if x.SignatureAlgorithm != ctx509.UnknownSignatureAlgorithm {
		c.Signature = x.SignatureAlgorithm.String()
	}
}

// fillWalk fills, from the DER walk, what a parser would have filled; used
// when neither parser accepted the certificate.
func (c *Certificate) fillWalk(w *certWalk) {
	c.Version = w.version
	var nb, na time.Time
	for i, t := range []*certTime{&w.notBefore, &w.notAfter} {
		if t.raw == nil {
			continue
		}
		v, ok := t.parse()
		if !ok {
			c.warn(fmt.Sprintf("%s: malformed %s %q", [2]string{"not_before", "not_after"}[i], t.kind(), t.raw))
			continue
		}
		if i == 0 {
			nb = v
		} else {
			na = v
		}
	}
	c.setTimes(nb, na)
	for _, e := range w.exts {
		var ok bool
		switch e.oid {
		case "2.5.29.17":
			ok = c.walkSAN(e.value)
		case "2.5.29.19":
			ok = c.walkBasicConstraints(e.value)
		case "2.5.29.15":
			ok = c.walkKeyUsage(e.value)
		case "1.3.6.1.5.5.7.1.1":
			ok = c.walkAIA(e.value)
		case "2.5.29.31":
			ok = c.walkCRLDP(e.value)
		case "2.5.29.32":
			ok = c.walkPolicies(e.value)
		default:
			ok = true
		}
		if !ok {
			c.warn(fmt.Sprintf("extension %s: malformed at offset %d", e.oid, e.off))
		}
	}
}

// adopt takes the parser's raw names and key for the parts the walk did not
// reach (BER the lenient parser read, say), so fillFromWalk can still
// format them; they stay unformatted if they are not DER either.
func (w *certWalk) adopt(subject, issuer, spki []byte) {
	if w.subject == nil {
		w.subject = subject
	}
	if w.issuer == nil {
		w.issuer = issuer
	}
	if w.spki == nil {
		w.spki = spki
	}
}

// fillFromWalk sets the fields the walk shows better than the libraries
// (see Certificate), when the walk got that far. It reports whether it
// could format both names.
func (c *Certificate) fillFromWalk(w *certWalk) (namesOK bool) {
	if w.serial != nil {
		c.Serial = hex.EncodeToString(w.serial)
	}
	subject, cn, sOK := certName(w.subject)
	issuer, _, iOK := certName(w.issuer)
	if namesOK = sOK && iOK; namesOK {
		c.Subject, c.SubjectCN, c.Issuer = subject, cn, issuer
	}
	if w.spki != nil {
		c.setKey(w.spki)
	}
	if w.sigAlg != nil {
		name, oid, algo := certSignatureAlgorithm(w.sigAlg)
		c.Signature, c.SignatureOID = name, oid
		if c.Parser != CertParserStdlib && w.tbs != nil && w.sig != nil {
			c.SelfSigned = bytes.Equal(w.subject, w.issuer) && certVerify(w.spki, algo, w.tbs, w.sig)
		}
	}
	return namesOK
}

// certSerialHex is the fallback for a serial the walk could not read: the
// minimal two's complement bytes of n, which is what DER holds.
func certSerialHex(n *big.Int) string {
	if n == nil {
		return ""
	}
	if n.Sign() >= 0 {
		b := n.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return hex.EncodeToString(b)
	}
	// -n-1 has the complement bits of n; one extra byte keeps the sign.
	m := new(big.Int).Neg(n)
	m.Sub(m, big.NewInt(1))
	b := m.Bytes()
	if len(b) == 0 || b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	for i := range b {
		b[i] = ^b[i]
	}
	return hex.EncodeToString(b)
}

// certExt is one extension: its dotted OID and the content of extnValue,
// with the content's offset in the DER (-1 when unknown).
type certExt struct {
	oid      string
	value    []byte
	off      int
	critical bool
}

func certExtsFromStd(in []pkix.Extension) []certExt {
	out := make([]certExt, 0, len(in))
	for _, e := range in {
		out = append(out, certExt{oid: e.Id.String(), value: e.Value, off: -1, critical: e.Critical})
	}
	return out
}

func certExtsFromCT(in []ctpkix.Extension) []certExt {
	out := make([]certExt, 0, len(in))
	for _, e := range in {
		out = append(out, certExt{oid: e.Id.String(), value: e.Value, off: -1, critical: e.Critical})
	}
	return out
}

// fillFromExtensions decodes the extensions read here for every parser:
// the list of extensions, extended key usage (to keep wire order), the key
// identifiers and the SCT list (which crypto/x509 does not decode).
func (c *Certificate) fillFromExtensions(exts []certExt) []*Error {
	var errs []*Error
	c.Extensions = nil
	for _, e := range exts {
		if len(c.Extensions) < maxCertExtensions {
			c.Extensions = append(c.Extensions, CertExtension{OID: e.oid, Critical: e.critical})
		}
		switch e.oid {
		case "2.5.29.14":
			// SubjectKeyIdentifier ::= KeyIdentifier ::= OCTET STRING
			v := cryptobyte.String(e.value)
			var id cryptobyte.String
			if v.ReadASN1(&id, casn1.OCTET_STRING) && v.Empty() {
				c.SubjectKeyID = hex.EncodeToString(id)
			} else {
				c.warn(fmt.Sprintf("extension %s: malformed at offset %d", e.oid, e.off))
			}
		case "2.5.29.35":
			// AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] KeyIdentifier OPTIONAL,
			//     authorityCertIssuer [1] GeneralNames OPTIONAL,
			//     authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL }
			v := cryptobyte.String(e.value)
			var seq, id cryptobyte.String
			var has bool
			if v.ReadASN1(&seq, casn1.SEQUENCE) && v.Empty() && seq.ReadOptionalASN1(&id, &has, casn1.Tag(0).ContextSpecific()) {
				if has {
					c.AuthorityKeyID = hex.EncodeToString(id)
				}
			} else {
				c.warn(fmt.Sprintf("extension %s: malformed at offset %d", e.oid, e.off))
			}
		case "2.5.29.37":
			c.ExtKeyUsage = nil
			if !c.walkEKU(e.value) {
				c.warn(fmt.Sprintf("extension %s: malformed at offset %d", e.oid, e.off))
			}
		case oidSCTList:
			c.SCTs = nil
			if off, msg := c.walkSCTList(e.value); msg != "" {
				if e.off >= 0 {
					off += e.off
				} else {
					off = 0
				}
				errs = append(errs, errorf(CodeCertificateSCTMalformed, off, "%s", msg))
				c.warn("embedded SCT list: " + msg)
			}
		}
	}
	return errs
}

const oidSCTList = "1.3.6.1.4.1.11129.2.4.2" // RFC 6962, Section 3.3

// certWalk is what a strict DER walk of the certificate found, up to the
// first element it could not read (stop, at stopOff). Byte slices alias der.
//
// RFC 5280, Section 4.1:
//
//	Certificate ::= SEQUENCE { tbsCertificate TBSCertificate,
//	    signatureAlgorithm AlgorithmIdentifier, signatureValue BIT STRING }
//	TBSCertificate ::= SEQUENCE {
//	    version [0] EXPLICIT Version DEFAULT v1, serialNumber CertificateSerialNumber,
//	    signature AlgorithmIdentifier, issuer Name, validity Validity, subject Name,
//	    subjectPublicKeyInfo SubjectPublicKeyInfo,
//	    issuerUniqueID [1] IMPLICIT UniqueIdentifier OPTIONAL,
//	    subjectUniqueID [2] IMPLICIT UniqueIdentifier OPTIONAL,
//	    extensions [3] EXPLICIT Extensions OPTIONAL }
type certWalk struct {
	tbs                 []byte // the whole TBSCertificate element (the signed bytes)
	version             int
	serial              []byte // INTEGER content octets
	issuer, subject     []byte // Name elements
	notBefore, notAfter certTime
	spki                []byte // SubjectPublicKeyInfo element
	exts                []certExt
	extsOK              bool   // the extensions (or their absence) were read completely
	sigAlg              []byte // outer signatureAlgorithm element
	sig                 []byte // signatureValue bits (whole bytes)

	stop    string // what could not be read, "" when the walk finished
	stopOff int
}

// certTime is a Time (UTCTime or GeneralizedTime) as it was sent.
type certTime struct {
	tag  casn1.Tag
	elem []byte // the whole element
	raw  []byte // its content, the time as text
}

func (t certTime) kind() string {
	switch t.tag {
	case casn1.UTCTime:
		return "UTCTime"
	case casn1.GeneralizedTime:
		return "GeneralizedTime"
	}
	return fmt.Sprintf("time (tag 0x%02x)", uint8(t.tag))
}

// parse reads the time as crypto/x509 does (cryptobyte's rules).
func (t certTime) parse() (time.Time, bool) {
	s := cryptobyte.String(t.elem)
	var v time.Time
	switch t.tag {
	case casn1.UTCTime:
		return v, s.ReadASN1UTCTime(&v)
	case casn1.GeneralizedTime:
		return v, s.ReadASN1GeneralizedTime(&v)
	}
	return v, false
}

// certCursor is a cryptobyte.String that knows where it ends in the bytes the
// walk started from, so the offset of what is left is end - len(s). (The
// strings cryptobyte returns are capped copies of the slice header, so their
// position cannot be recovered from the slices themselves.) A failed read
// leaves the cursor where it was, at the element that failed.
type certCursor struct {
	s   cryptobyte.String
	end int
}

func (c *certCursor) off() int { return c.end - len(c.s) }

// read reads one element with the given tag; out holds its content.
func (c *certCursor) read(out *certCursor, tag casn1.Tag) bool {
	s := c.s
	if !s.ReadASN1(&out.s, tag) {
		return false
	}
	c.s, out.end = s, c.end-len(s)
	return true
}

// readElement reads one element with the given tag; out holds all of it.
func (c *certCursor) readElement(out *[]byte, tag casn1.Tag) bool {
	s := c.s
	var e cryptobyte.String
	if !s.ReadASN1Element(&e, tag) {
		return false
	}
	c.s, *out = s, e
	return true
}

// readOptional is read for an OPTIONAL element: absent is not a failure.
func (c *certCursor) readOptional(out *certCursor, present *bool, tag casn1.Tag) bool {
	if *present = c.s.PeekASN1Tag(tag); !*present {
		return true
	}
	return c.read(out, tag)
}

// certOuterLength is the length of der's leading DER SEQUENCE, 0 if there is none.
func certOuterLength(der []byte) int {
	s := cryptobyte.String(der)
	var e cryptobyte.String
	if !s.ReadASN1Element(&e, casn1.SEQUENCE) {
		return 0
	}
	return len(e)
}

func walkCertificate(der []byte) *certWalk {
	w := &certWalk{}
	fail := func(what string, at *certCursor) *certWalk {
		w.stop, w.stopOff = what, at.off()
		return w
	}
	in := certCursor{der, len(der)}
	var cert, tbs certCursor
	if !in.read(&cert, casn1.SEQUENCE) {
		return fail("Certificate is not a DER SEQUENCE", &in)
	}
	tbsAt := cert
	if !cert.readElement(&w.tbs, casn1.SEQUENCE) {
		return fail("malformed TBSCertificate", &cert)
	}
	if !tbsAt.read(&tbs, casn1.SEQUENCE) {
		return fail("malformed TBSCertificate", &tbsAt)
	}
	var ver certCursor
	var hasVer bool
	w.version = 1
	if !tbs.readOptional(&ver, &hasVer, casn1.Tag(0).Constructed().ContextSpecific()) {
		return fail("malformed version", &tbs)
	}
	if hasVer {
		// Version ::= INTEGER { v1(0), v2(1), v3(2) }; odd values are
		// shown (crypto/x509 refuses them), unreadable ones left out.
		var v int64
		w.version = 0
		if ver.s.ReadASN1Integer(&v) && v >= 0 && v < 1<<20 {
			w.version = int(v) + 1
		}
	}
	var serial, validity certCursor
	if !tbs.read(&serial, casn1.INTEGER) {
		return fail("malformed serialNumber", &tbs)
	}
	w.serial = serial.s
	var innerAlg []byte
	if !tbs.readElement(&innerAlg, casn1.SEQUENCE) {
		return fail("malformed signature AlgorithmIdentifier", &tbs)
	}
	if !tbs.readElement(&w.issuer, casn1.SEQUENCE) {
		return fail("malformed issuer", &tbs)
	}
	if !tbs.read(&validity, casn1.SEQUENCE) {
		return fail("malformed validity", &tbs)
	}
	for _, t := range []*certTime{&w.notBefore, &w.notAfter} {
		var e cryptobyte.String
		if at := validity; !validity.s.ReadAnyASN1Element(&e, &t.tag) {
			return fail("malformed validity", &at)
		}
		t.elem = e
		var content cryptobyte.String
		e.ReadAnyASN1(&content, &t.tag)
		t.raw = content
	}
	if !tbs.readElement(&w.subject, casn1.SEQUENCE) {
		return fail("malformed subject", &tbs)
	}
	if !tbs.readElement(&w.spki, casn1.SEQUENCE) {
		return fail("malformed subjectPublicKeyInfo", &tbs)
	}
	for _, tag := range []casn1.Tag{casn1.Tag(1).ContextSpecific(), casn1.Tag(2).ContextSpecific()} {
		var skip certCursor
		var present bool
		if !tbs.readOptional(&skip, &present, tag) {
			return fail("malformed unique identifier", &tbs)
		}
	}
	var extsOuter, exts certCursor
	var hasExts bool
	if !tbs.readOptional(&extsOuter, &hasExts, casn1.Tag(3).Constructed().ContextSpecific()) {
		return fail("malformed extensions", &tbs)
	}
	if hasExts {
		if !extsOuter.read(&exts, casn1.SEQUENCE) {
			return fail("malformed extensions", &extsOuter)
		}
		// Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER,
		//     critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
		for !exts.s.Empty() {
			var ext, value certCursor
			var oid cryptobyte.String
			e := certExt{}
			if !exts.read(&ext, casn1.SEQUENCE) {
				return fail("malformed extension", &exts)
			}
			if at := ext; !ext.s.ReadASN1(&oid, casn1.OBJECT_IDENTIFIER) {
				return fail("malformed extension", &at)
			}
			e.oid = certOID(oid)
			// critical BOOLEAN DEFAULT FALSE is skipped. (Not with
			// ReadOptionalASN1Boolean: it takes its tag as an EXPLICIT wrapper.)
			var critical bool
			if ext.s.PeekASN1Tag(casn1.BOOLEAN) && !ext.s.ReadASN1Boolean(&critical) {
				return fail("malformed extension "+e.oid, &ext)
			}
			if !ext.read(&value, casn1.OCTET_STRING) || !ext.s.Empty() {
				return fail("malformed extension "+e.oid, &ext)
			}
			e.value, e.off, e.critical = value.s, value.off(), critical
			w.exts = append(w.exts, e)
		}
	}
	w.extsOK = true
	if !tbs.s.Empty() {
		return fail("trailing data in TBSCertificate", &tbs)
	}
	if !cert.readElement(&w.sigAlg, casn1.SEQUENCE) {
		return fail("malformed signatureAlgorithm", &cert)
	}
	var sig asn1.BitString
	if !cert.s.ReadASN1BitString(&sig) || sig.BitLength%8 != 0 {
		return fail("malformed signatureValue", &cert)
	}
	w.sig = sig.Bytes
	if !cert.s.Empty() {
		return fail("trailing data in Certificate", &cert)
	}
	return w
}

// certOID is the dotted form of an OBJECT IDENTIFIER's content octets; arcs
// of any size are kept. Undecodable content is shown as "oid:" plus hex.
func certOID(content []byte) string {
	var o x509.OID
	if err := o.UnmarshalBinary(content); err != nil {
		return "oid:" + hex.EncodeToString(content)
	}
	return o.String()
}

// certReadOID reads one OBJECT IDENTIFIER and returns it dotted.
func certReadOID(s *cryptobyte.String, out *string) bool {
	var c cryptobyte.String
	if !s.ReadASN1(&c, casn1.OBJECT_IDENTIFIER) {
		return false
	}
	*out = certOID(c)
	return true
}

// Attribute type names for RFC 4514 strings: RFC 4514 Section 3's table plus
// the other descriptors registered with IANA for LDAP, spelled as OpenSSL's
// -nameopt RFC2253 (and so Zeek's x509.log) spells them. Anything else is
// shown as dotted OID "=#" hex of the value's DER, as RFC 4514 Section 2.4 asks.
var certAttributeNames = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.4":                    "SN",
	"2.5.4.5":                    "serialNumber",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "street",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.12":                   "title",
	"2.5.4.15":                   "businessCategory",
	"2.5.4.17":                   "postalCode",
	"2.5.4.42":                   "GN",
	"2.5.4.43":                   "initials",
	"2.5.4.44":                   "generationQualifier",
	"2.5.4.46":                   "dnQualifier",
	"2.5.4.65":                   "pseudonym",
	"2.5.4.97":                   "organizationIdentifier",
	"0.9.2342.19200300.100.1.1":  "UID",
	"0.9.2342.19200300.100.1.25": "DC",
	"1.2.840.113549.1.9.1":       "emailAddress",
	"1.3.6.1.4.1.311.60.2.1.1":   "jurisdictionL",
	"1.3.6.1.4.1.311.60.2.1.2":   "jurisdictionST",
	"1.3.6.1.4.1.311.60.2.1.3":   "jurisdictionC",
}

// certName formats a DER Name (RFC 5280 Section 4.1.2.4) as an RFC 4514
// string: RDNs from the last (most specific) to the first, the values of a
// multi-valued RDN joined with "+" in wire order. cn is the last commonName's
// value, unescaped. ok is false when der is not a Name.
//
//	Name ::= SEQUENCE OF RelativeDistinguishedName
//	RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
//	AttributeTypeAndValue ::= SEQUENCE { type OBJECT IDENTIFIER, value ANY }
func certName(der []byte) (dn, cn string, ok bool) {
	if der == nil {
		return "", "", false
	}
	s := cryptobyte.String(der)
	var rdns cryptobyte.String
	if !s.ReadASN1(&rdns, casn1.SEQUENCE) || !s.Empty() {
		return "", "", false
	}
	var parts []string
	for !rdns.Empty() {
		var set cryptobyte.String
		if !rdns.ReadASN1(&set, casn1.SET) {
			return "", "", false
		}
		var atvs []string
		for !set.Empty() {
			var atv, elem cryptobyte.String
			var oid string
			var tag casn1.Tag
			if !set.ReadASN1(&atv, casn1.SEQUENCE) || !certReadOID(&atv, &oid) ||
				!atv.ReadAnyASN1Element(&elem, &tag) || !atv.Empty() {
				return "", "", false
			}
			var content cryptobyte.String
			inner := elem
			inner.ReadAnyASN1(&content, &tag)
			name, known := certAttributeNames[oid]
			text, isString := certString(tag, content)
			if !known || !isString {
				if !known {
					name = oid
				}
				atvs = append(atvs, name+"=#"+hex.EncodeToString(elem))
				continue
			}
			if oid == "2.5.4.3" {
				cn = text
			}
			atvs = append(atvs, name+"="+certEscape(text))
		}
		parts = append(parts, strings.Join(atvs, "+"))
	}
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, ","), cn, true
}

// certString decodes a directory string value. Byte-oriented types keep
// their bytes (invalid UTF-8 is escaped later); BMPString and
// UniversalString are converted from UTF-16 and UTF-32.
func certString(tag casn1.Tag, b []byte) (string, bool) {
	switch tag {
	case casn1.UTF8String, casn1.PrintableString, casn1.IA5String, casn1.T61String,
		casn1.Tag(18), casn1.Tag(26): // NumericString, VisibleString
		return string(b), true
	case casn1.Tag(30): // BMPString, UTF-16BE
		if len(b)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = binary.BigEndian.Uint16(b[2*i:])
		}
		return string(utf16.Decode(u)), true
	case casn1.Tag(28): // UniversalString, UTF-32BE
		if len(b)%4 != 0 {
			return "", false
		}
		var sb strings.Builder
		for i := 0; i < len(b); i += 4 {
			r := rune(binary.BigEndian.Uint32(b[i:]))
			if !utf8.ValidRune(r) {
				return "", false
			}
			sb.WriteRune(r)
		}
		return sb.String(), true
	}
	return "", false
}

// certEscape escapes an attribute value per RFC 4514 Section 2.4: the
// special characters with a backslash, a leading space or "#" and a trailing
// space, NUL as \00. Other control characters and bytes that are not UTF-8
// are escaped as hex pairs too, so a name never carries raw control bytes
// into a log line.
func certEscape(v string) string {
	if !certNeedsEscape(v) {
		return v
	}
	var sb strings.Builder
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRuneInString(v[i:])
		switch {
		case r == utf8.RuneError && size == 1, r < 0x20, r == 0x7f:
			fmt.Fprintf(&sb, "\\%02X", v[i])
		case strings.ContainsRune(`"+,;<>\`, r),
			i == 0 && (r == ' ' || r == '#'),
			i+size == len(v) && r == ' ':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		default:
			sb.WriteString(v[i : i+size])
		}
		i += size
	}
	return sb.String()
}

func certNeedsEscape(v string) bool {
	if v == "" {
		return false
	}
	if v[0] == ' ' || v[0] == '#' || v[len(v)-1] == ' ' {
		return true
	}
	for i := 0; i < len(v); i++ {
		if b := v[i]; b < 0x20 || b >= 0x7f || strings.IndexByte(`"+,;<>\`, b) >= 0 {
			return true // non-ASCII takes the slow path, which checks UTF-8
		}
	}
	return false
}

// Named curves (RFC 5480, RFC 5639, SEC 2, GB/T 32918), with their sizes.
var certCurves = map[string]struct {
	name string
	bits int
}{
	"1.2.840.10045.3.1.1":   {"P-192", 192},
	"1.3.132.0.33":          {"P-224", 224},
	"1.2.840.10045.3.1.7":   {"P-256", 256},
	"1.3.132.0.34":          {"P-384", 384},
	"1.3.132.0.35":          {"P-521", 521},
	"1.3.132.0.10":          {"secp256k1", 256},
	"1.3.36.3.3.2.8.1.1.7":  {"brainpoolP256r1", 256},
	"1.3.36.3.3.2.8.1.1.11": {"brainpoolP384r1", 384},
	"1.3.36.3.3.2.8.1.1.13": {"brainpoolP512r1", 512},
	"1.2.156.10197.1.301":   {"SM2", 256},
}

// setKey describes a SubjectPublicKeyInfo (RFC 5280 Section 4.1.2.7):
//
//	SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
//	AlgorithmIdentifier ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
func (c *Certificate) setKey(spki []byte) {
	s := cryptobyte.String(spki)
	var body, alg, params cryptobyte.String
	var key asn1.BitString
	var oid string
	if !s.ReadASN1(&body, casn1.SEQUENCE) || !body.ReadASN1(&alg, casn1.SEQUENCE) || !certReadOID(&alg, &oid) {
		return
	}
	params = alg
	c.KeyOID = oid
	keyOK := body.ReadASN1BitString(&key)
	var name string
	switch oid {
	case "1.2.840.113549.1.1.1", "1.2.840.113549.1.1.10": // rsaEncryption, RSASSA-PSS (RFC 8017)
		name = "RSA"
		if oid == "1.2.840.113549.1.1.10" {
			name = "RSA-PSS"
		}
		// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
		k := cryptobyte.String(key.Bytes)
		var rsa, n cryptobyte.String
		if keyOK && k.ReadASN1(&rsa, casn1.SEQUENCE) && rsa.ReadASN1(&n, casn1.INTEGER) {
			c.KeyBits = certIntBits(n)
			var e int64
			if rsa.ReadASN1Int64WithTag(&e, casn1.INTEGER) && e > 0 {
				c.RSAExponent = e
			}
		}
	case "1.2.840.10045.2.1": // id-ecPublicKey (RFC 5480)
		name = "ECDSA"
		// ECParameters ::= CHOICE { namedCurve OBJECT IDENTIFIER, implicitCurve NULL, specifiedCurve SpecifiedECDomain }
		var curve string
		switch {
		case params.PeekASN1Tag(casn1.OBJECT_IDENTIFIER) && certReadOID(&params, &curve):
			c.Curve = curve
			if k, ok := certCurves[curve]; ok {
				c.Curve, c.KeyBits = k.name, k.bits
			}
		case params.PeekASN1Tag(casn1.SEQUENCE):
			c.Curve = "explicit"
		}
		// An uncompressed point is 04 || X || Y.
		if c.KeyBits == 0 && keyOK && len(key.Bytes) > 1 && key.Bytes[0] == 4 {
			c.KeyBits = (len(key.Bytes) - 1) / 2 * 8
		}
	case "1.2.840.10040.4.1", "1.2.840.10046.2.1": // DSA (RFC 3279), DH (RFC 3279)
		name = "DSA"
		if oid == "1.2.840.10046.2.1" {
			name = "DH"
		}
		var dp, p cryptobyte.String
		if params.ReadASN1(&dp, casn1.SEQUENCE) && dp.ReadASN1(&p, casn1.INTEGER) {
			c.KeyBits = certIntBits(p)
		}
	case "1.3.101.110":
		name, c.KeyBits = "X25519", 256 // RFC 8410
	case "1.3.101.111":
		name, c.KeyBits = "X448", 448
	case "1.3.101.112":
		name, c.KeyBits = "Ed25519", 256
	case "1.3.101.113":
		name, c.KeyBits = "Ed448", 456
	default:
		name = oid
	}
	c.KeyAlgorithm = name
	switch {
	case c.Curve != "":
		c.Key = name + " " + c.Curve
	case c.KeyBits > 0 && (name == "RSA" || name == "RSA-PSS" || name == "DSA" || name == "DH"):
		c.Key = name + " " + strconv.Itoa(c.KeyBits)
	default:
		c.Key = name
	}
}

// certIntBits is the bit length of a non-negative INTEGER's content.
func certIntBits(b []byte) int {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0
	}
	return (len(b)-1)*8 + bits.Len8(b[0])
}

// Signature algorithms by OID, named as Go's x509.SignatureAlgorithm.String
// names them (and so as crypto/x509 callers see them); the few Go does not
// implement get names in the same style and no algo (so no verification).
var certSignatureAlgorithms = map[string]struct {
	name string
	algo x509.SignatureAlgorithm
}{
	"1.2.840.113549.1.1.2":   {"MD2-RSA", x509.MD2WithRSA}, // RFC 3279
	"1.2.840.113549.1.1.4":   {"MD5-RSA", x509.MD5WithRSA},
	"1.2.840.113549.1.1.5":   {"SHA1-RSA", x509.SHA1WithRSA},
	"1.3.14.3.2.29":          {"SHA1-RSA", x509.SHA1WithRSA}, // OIW, still seen in old certificates
	"1.2.840.113549.1.1.14":  {"SHA224-RSA", x509.UnknownSignatureAlgorithm},
	"1.2.840.113549.1.1.11":  {"SHA256-RSA", x509.SHA256WithRSA}, // RFC 4055
	"1.2.840.113549.1.1.12":  {"SHA384-RSA", x509.SHA384WithRSA},
	"1.2.840.113549.1.1.13":  {"SHA512-RSA", x509.SHA512WithRSA},
	"1.2.840.113549.1.1.10":  {"RSASSA-PSS", x509.UnknownSignatureAlgorithm}, // refined from its parameters below
	"1.2.840.10040.4.3":      {"DSA-SHA1", x509.DSAWithSHA1},
	"2.16.840.1.101.3.4.3.2": {"DSA-SHA256", x509.DSAWithSHA256},
	"1.2.840.10045.4.1":      {"ECDSA-SHA1", x509.ECDSAWithSHA1}, // RFC 5758
	"1.2.840.10045.4.3.1":    {"ECDSA-SHA224", x509.UnknownSignatureAlgorithm},
	"1.2.840.10045.4.3.2":    {"ECDSA-SHA256", x509.ECDSAWithSHA256},
	"1.2.840.10045.4.3.3":    {"ECDSA-SHA384", x509.ECDSAWithSHA384},
	"1.2.840.10045.4.3.4":    {"ECDSA-SHA512", x509.ECDSAWithSHA512},
	"1.3.101.112":            {"Ed25519", x509.PureEd25519}, // RFC 8410
	"1.3.101.113":            {"Ed448", x509.UnknownSignatureAlgorithm},
	"1.2.156.10197.1.501":    {"SM2-SM3", x509.UnknownSignatureAlgorithm}, // GB/T 32918
}

// RSASSA-PSS by the hash in its parameters (RFC 4055 Section 2.1's hash OIDs).
var certPSSAlgorithms = map[string]struct {
	name string
	algo x509.SignatureAlgorithm
}{
	"2.16.840.1.101.3.4.2.1": {"SHA256-RSAPSS", x509.SHA256WithRSAPSS},
	"2.16.840.1.101.3.4.2.2": {"SHA384-RSAPSS", x509.SHA384WithRSAPSS},
	"2.16.840.1.101.3.4.2.3": {"SHA512-RSAPSS", x509.SHA512WithRSAPSS},
}

// certSignatureAlgorithm names an AlgorithmIdentifier element; unknown OIDs
// are named by their dotted form. For RSASSA-PSS the name comes from the
// hash in its parameters (RFC 4055 Section 3.1):
//
//	RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] HashAlgorithm DEFAULT sha1, ... }
func certSignatureAlgorithm(elem []byte) (name, oid string, algo x509.SignatureAlgorithm) {
	s := cryptobyte.String(elem)
	var alg cryptobyte.String
	if !s.ReadASN1(&alg, casn1.SEQUENCE) || !certReadOID(&alg, &oid) {
		return "", "", x509.UnknownSignatureAlgorithm
	}
	a, ok := certSignatureAlgorithms[oid]
	if !ok {
		return oid, oid, x509.UnknownSignatureAlgorithm
	}
	if oid == "1.2.840.113549.1.1.10" {
		var params, hashWrap, hashAlg cryptobyte.String
		var hashOID string
		if alg.ReadASN1(&params, casn1.SEQUENCE) &&
			params.ReadASN1(&hashWrap, casn1.Tag(0).Constructed().ContextSpecific()) &&
			hashWrap.ReadASN1(&hashAlg, casn1.SEQUENCE) && certReadOID(&hashAlg, &hashOID) {
			if h, ok := certPSSAlgorithms[hashOID]; ok {
				a = h
			}
		}
	}
	return a.name, oid, a.algo
}

// certVerify reports whether sig is a valid signature by spki's key over tbs,
// using crypto/x509's own checks on a key it parses by itself (so a
// certificate crypto/x509 refused can still be found self-signed).
func certVerify(spki []byte, algo x509.SignatureAlgorithm, tbs, sig []byte) bool {
	if algo == x509.UnknownSignatureAlgorithm || spki == nil {
		return false
	}
	pub, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		return false
	}
	k := &x509.Certificate{PublicKey: pub}
	return k.CheckSignature(algo, tbs, sig) == nil
}

// Extended key usages in snake_case: RFC 5280 Section 4.2.1.12's, the vendor
// OIDs crypto/x509 names, and a few more seen on TLS certificates.
var certEKUNames = map[string]string{
	"2.5.29.37.0":             "any",
	"1.3.6.1.5.5.7.3.1":       "server_auth",
	"1.3.6.1.5.5.7.3.2":       "client_auth",
	"1.3.6.1.5.5.7.3.3":       "code_signing",
	"1.3.6.1.5.5.7.3.4":       "email_protection",
	"1.3.6.1.5.5.7.3.5":       "ipsec_end_system",
	"1.3.6.1.5.5.7.3.6":       "ipsec_tunnel",
	"1.3.6.1.5.5.7.3.7":       "ipsec_user",
	"1.3.6.1.5.5.7.3.8":       "time_stamping",
	"1.3.6.1.5.5.7.3.9":       "ocsp_signing",
	"1.3.6.1.5.5.7.3.17":      "ipsec_ike",    // RFC 4945
	"1.3.6.1.5.2.3.5":         "kerberos_kdc", // RFC 4556
	"1.3.6.1.4.1.311.10.3.3":  "microsoft_server_gated_crypto",
	"2.16.840.1.113730.4.1":   "netscape_server_gated_crypto",
	"1.3.6.1.4.1.311.2.1.22":  "microsoft_commercial_code_signing",
	"1.3.6.1.4.1.311.61.1.1":  "microsoft_kernel_code_signing",
	"1.3.6.1.4.1.311.20.2.2":  "microsoft_smartcard_logon",
	"1.3.6.1.4.1.11129.2.4.4": "precertificate_signing", // RFC 6962 Section 3.1
}

// walkEKU decodes ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId.
func (c *Certificate) walkEKU(v []byte) bool {
	s := cryptobyte.String(v)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, casn1.SEQUENCE) || !s.Empty() {
		return false
	}
	for !seq.Empty() {
		var oid string
		if !certReadOID(&seq, &oid) {
			return false
		}
		if n, ok := certEKUNames[oid]; ok {
			oid = n
		}
		c.ExtKeyUsage = append(c.ExtKeyUsage, oid)
	}
	return true
}

// General name tags (RFC 5280 Section 4.2.1.6), IMPLICIT and primitive for
// the ones shown.
var (
	certGNEmail = casn1.Tag(1).ContextSpecific() // rfc822Name IA5String
	certGNDNS   = casn1.Tag(2).ContextSpecific() // dNSName IA5String
	certGNURI   = casn1.Tag(6).ContextSpecific() // uniformResourceIdentifier IA5String
	certGNIP    = casn1.Tag(7).ContextSpecific() // iPAddress OCTET STRING
)

// certGeneralNames reads GeneralName elements until s is empty, calling f for
// each with its tag and content.
func certGeneralNames(s cryptobyte.String, f func(tag casn1.Tag, v []byte)) bool {
	for !s.Empty() {
		var v cryptobyte.String
		var tag casn1.Tag
		if !s.ReadAnyASN1(&v, &tag) {
			return false
		}
		f(tag, v)
	}
	return true
}

func (c *Certificate) walkSAN(v []byte) bool {
	s := cryptobyte.String(v)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, casn1.SEQUENCE) || !s.Empty() {
		return false
	}
	return certGeneralNames(seq, func(tag casn1.Tag, v []byte) {
		switch tag {
		case certGNDNS:
			c.SANs = append(c.SANs, string(v))
		case certGNEmail:
			c.Emails = append(c.Emails, string(v))
		case certGNURI:
			c.URIs = append(c.URIs, string(v))
		case certGNIP:
			if len(v) == net.IPv4len || len(v) == net.IPv6len {
				c.IPs = append(c.IPs, net.IP(v).String())
			} else {
				c.IPs = append(c.IPs, "#"+hex.EncodeToString(v))
			}
		}
	})
}

// BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }
func (c *Certificate) walkBasicConstraints(v []byte) bool {
	s := cryptobyte.String(v)
	var seq cryptobyte.String
	var isCA bool
	if !s.ReadASN1(&seq, casn1.SEQUENCE) || (seq.PeekASN1Tag(casn1.BOOLEAN) && !seq.ReadASN1Boolean(&isCA)) {
		return false
	}
	maxPath, zero := -1, false
	if seq.PeekASN1Tag(casn1.INTEGER) {
		var n int64
		if !seq.ReadASN1Integer(&n) || n < 0 || n > 1<<30 {
			return false
		}
		maxPath, zero = int(n), n == 0
	}
	c.setBasicConstraints(true, isCA, maxPath, zero)
	return seq.Empty()
}

// KeyUsage ::= BIT STRING { digitalSignature (0), ... decipherOnly (8) }
func (c *Certificate) walkKeyUsage(v []byte) bool {
	s := cryptobyte.String(v)
	var bs asn1.BitString
	if !s.ReadASN1BitString(&bs) {
		return false
	}
	bits := 0
	for i := range certKeyUsageNames {
		if i < bs.BitLength && bs.Bytes[i/8]&(0x80>>(i%8)) != 0 {
			bits |= 1 << i
		}
	}
	c.KeyUsage = certKeyUsage(bits)
	return true
}

// AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
// AccessDescription ::= SEQUENCE { accessMethod OBJECT IDENTIFIER, accessLocation GeneralName }
func (c *Certificate) walkAIA(v []byte) bool {
	s := cryptobyte.String(v)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, casn1.SEQUENCE) {
		return false
	}
	for !seq.Empty() {
		var ad cryptobyte.String
		var method string
		if !seq.ReadASN1(&ad, casn1.SEQUENCE) || !certReadOID(&ad, &method) {
			return false
		}
		ok := certGeneralNames(ad, func(tag casn1.Tag, v []byte) {
			if tag != certGNURI {
				return
			}
			switch method {
			case "1.3.6.1.5.5.7.48.1":
				c.OCSPServers = append(c.OCSPServers, string(v))
			case "1.3.6.1.5.5.7.48.2":
				c.IssuingCertificateURLs = append(c.IssuingCertificateURLs, string(v))
			}
		})
		if !ok {
			return false
		}
	}
	return true
}

// CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
// DistributionPoint ::= SEQUENCE { distributionPoint [0] DistributionPointName OPTIONAL, ... }
// DistributionPointName ::= CHOICE { fullName [0] GeneralNames, nameRelativeToCRLIssuer [1] ... }
func (c *Certificate) walkCRLDP(v []byte) bool {
	s := cryptobyte.String(v)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, casn1.SEQUENCE) {
		return false
	}
	for !seq.Empty() {
		var dp, name, full cryptobyte.String
		var hasName, hasFull bool
		if !seq.ReadASN1(&dp, casn1.SEQUENCE) ||
			!dp.ReadOptionalASN1(&name, &hasName, casn1.Tag(0).Constructed().ContextSpecific()) {
			return false
		}
		if !hasName {
			continue
		}
		if !name.ReadOptionalASN1(&full, &hasFull, casn1.Tag(0).Constructed().ContextSpecific()) {
			return false
		}
		ok := certGeneralNames(full, func(tag casn1.Tag, v []byte) {
			if tag == certGNURI {
				c.CRLDistributionPoints = append(c.CRLDistributionPoints, string(v))
			}
		})
		if !ok {
			return false
		}
	}
	return true
}

// certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
// PolicyInformation ::= SEQUENCE { policyIdentifier CertPolicyId, policyQualifiers ... OPTIONAL }
func (c *Certificate) walkPolicies(v []byte) bool {
	s := cryptobyte.String(v)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, casn1.SEQUENCE) {
		return false
	}
	for !seq.Empty() {
		var pi cryptobyte.String
		var oid string
		if !seq.ReadASN1(&pi, casn1.SEQUENCE) || !certReadOID(&pi, &oid) {
			return false
		}
		c.Policies = append(c.Policies, oid)
	}
	return true
}

// walkSCTList decodes the embedded SCT list extension: an OCTET STRING that
// holds a TLS-encoded list (RFC 6962, Sections 3.2 and 3.3):
//
//	opaque SerializedSCT<1..2^16-1>;
//	struct { SerializedSCT sct_list <1..2^16-1>; } SignedCertificateTimestampList;
//	struct { Version sct_version; LogID id; uint64 timestamp;
//	         CtExtensions extensions; digitally-signed struct {...}; } SignedCertificateTimestamp;
//	opaque LogID[32]; opaque CtExtensions<0..2^16-1>;
//
// The SCTs decoded before a problem are kept; msg says what was wrong and off
// where, counted from the start of v.
func (c *Certificate) walkSCTList(v []byte) (off int, msg string) {
	in := certCursor{v, len(v)}
	var octets certCursor
	if !in.read(&octets, casn1.OCTET_STRING) || !in.s.Empty() {
		return 0, "extension value is not one OCTET STRING"
	}
	at := octets.off()
	var list cryptobyte.String
	if !octets.s.ReadUint16LengthPrefixed(&list) || !octets.s.Empty() {
		return at, "sct_list length does not match the extension"
	}
	if list.Empty() {
		return at, "sct_list is empty (RFC 6962 requires 1..2^16-1 bytes)"
	}
	lc := certCursor{list, octets.end}
	for !lc.s.Empty() {
		at := lc.off()
		var raw cryptobyte.String
		if !lc.s.ReadUint16LengthPrefixed(&raw) || raw.Empty() {
			return at, "SerializedSCT is cut or empty"
		}
		sct := SCT{Length: len(raw)}
		var ver uint8
		raw.ReadUint8(&ver)
		sct.Version = int(ver)
		if ver != 0 { // only v1 has a known layout; keep the version
			c.SCTs = append(c.SCTs, sct)
			continue
		}
		var id []byte
		var ts uint64
		var exts, sig cryptobyte.String
		var hash, sigAlg uint8
		if !raw.ReadBytes(&id, 32) || !raw.ReadUint64(&ts) || !raw.ReadUint16LengthPrefixed(&exts) ||
			!raw.ReadUint8(&hash) || !raw.ReadUint8(&sigAlg) || !raw.ReadUint16LengthPrefixed(&sig) || !raw.Empty() {
			return at, "v1 SignedCertificateTimestamp does not follow its structure"
		}
		scheme := SignatureScheme(uint16(hash)<<8 | uint16(sigAlg))
		sct.LogID = hex.EncodeToString(id)
		sct.Timestamp = time.UnixMilli(int64(ts)).UTC().Format("2006-01-02T15:04:05.000Z07:00")
		sct.SignatureAlgorithm, sct.SignatureAlgorithmCode = scheme.String(), int(scheme)
		sct.ExtensionsLength, sct.SignatureLength = len(exts), len(sig)
		c.SCTs = append(c.SCTs, sct)
	}
	return 0, ""
}
