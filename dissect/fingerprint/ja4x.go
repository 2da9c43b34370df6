package fingerprint

// JA4X is part of JA4+ and is licensed by FoxIO under the FoxIO License 1.1;
// see the package documentation. Callers compute it only when asked to.

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// JA4X is the JA4X fingerprint of one DER certificate (JA4X.md), hashed
// (ja4x) and raw (ja4x_r):
//
//	sha256 of the issuer's attribute OIDs, first 12 characters
//	_ the same for the subject
//	_ the same for the extension OIDs
//
// Each OID is the hex of its DER contents (2.5.4.3 is "550403"), and a list
// is the OIDs in certificate order joined by ','; a multi-valued RDN gives
// all its attributes in encoded order. An empty list (an empty issuer, a v1
// certificate without extensions) is "000000000000" in ja4x and empty in
// ja4x_r.
//
// Only the TBSCertificate fields up to the extensions are read, and only as
// far as JA4X needs: the signature and anything after the TBSCertificate
// are not checked, so a certificate that crypto/x509 rejects (a negative
// serial, an odd time format) still gets a fingerprint. The error names the
// structure that could not be read.
func JA4X(der []byte) (ja4x, ja4xR string, err error) {
	issuer, subject, exts, err := certOIDs(der)
	if err != nil {
		return "", "", err
	}
	parts := [3][]byte{issuer, subject, exts}
	var buf [3*hashLen + 2]byte
	h := buf[:0]
	r := make([]byte, 0, len(issuer)+len(subject)+len(exts)+2)
	for i, p := range parts {
		if i > 0 {
			h = append(h, '_')
			r = append(r, '_')
		}
		h = appendHash12(h, p)
		r = append(r, p...)
	}
	return string(h), string(r), nil
}

var (
	tagVersion    = asn1.Tag(0).Constructed().ContextSpecific()
	tagExtensions = asn1.Tag(3).Constructed().ContextSpecific()
)

// certOIDs reads the three JA4X lists (raw, comma-joined hex) from der.
//
// RFC 5280, Section 4.1:
//
//	Certificate  ::=  SEQUENCE  {
//	     tbsCertificate       TBSCertificate,
//	     signatureAlgorithm   AlgorithmIdentifier,
//	     signatureValue       BIT STRING  }
//
//	TBSCertificate  ::=  SEQUENCE  {
//	     version         [0]  EXPLICIT Version DEFAULT v1,
//	     serialNumber         CertificateSerialNumber,
//	     signature            AlgorithmIdentifier,
//	     issuer               Name,
//	     validity             Validity,
//	     subject              Name,
//	     subjectPublicKeyInfo SubjectPublicKeyInfo,
//	     issuerUniqueID  [1]  IMPLICIT UniqueIdentifier OPTIONAL,
//	     subjectUniqueID [2]  IMPLICIT UniqueIdentifier OPTIONAL,
//	     extensions      [3]  EXPLICIT Extensions OPTIONAL }
func certOIDs(der []byte) (issuer, subject, exts []byte, err error) {
	s := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	if !s.ReadASN1(&cert, asn1.SEQUENCE) {
		return nil, nil, nil, errors.New("fingerprint: ja4x: malformed certificate")
	}
	if !cert.ReadASN1(&tbs, asn1.SEQUENCE) {
		return nil, nil, nil, errors.New("fingerprint: ja4x: malformed tbs certificate")
	}
	if !tbs.SkipOptionalASN1(tagVersion) {
		return nil, nil, nil, errors.New("fingerprint: ja4x: malformed version")
	}
	// serialNumber is skipped, not decoded: RFC 5280 allows up to 20
	// octets, and real certificates carry negative or longer ones.
	if !tbs.SkipASN1(asn1.INTEGER) {
		return nil, nil, nil, errors.New("fingerprint: ja4x: malformed serial number")
	}
	if !tbs.SkipASN1(asn1.SEQUENCE) {
		return nil, nil, nil, errors.New("fingerprint: ja4x: malformed signature algorithm")
	}
	if issuer, err = nameOIDs(&tbs, "issuer"); err != nil {
		return nil, nil, nil, err
	}
	if !tbs.SkipASN1(asn1.SEQUENCE) {
		return nil, nil, nil, errors.New("fingerprint: ja4x: malformed validity")
	}
	if subject, err = nameOIDs(&tbs, "subject"); err != nil {
		return nil, nil, nil, err
	}
	if !tbs.SkipASN1(asn1.SEQUENCE) {
		return nil, nil, nil, errors.New("fingerprint: ja4x: malformed subject public key info")
	}
	// The unique identifiers, if any, then the extensions.
	for !tbs.Empty() {
		var elem cryptobyte.String
		var tag asn1.Tag
		if !tbs.ReadAnyASN1(&elem, &tag) {
			return nil, nil, nil, errors.New("fingerprint: ja4x: malformed element after subject public key info")
		}
		if tag == tagExtensions {
			if exts, err = extensionOIDs(elem); err != nil {
				return nil, nil, nil, err
			}
			break
		}
	}
	return issuer, subject, exts, nil
}

// nameOIDs reads a Name and returns the attribute type OIDs of all its
// RDNs in order.
//
// RFC 5280, Section 4.1.2.4:
//
//	Name ::= CHOICE { -- only one possibility for now --
//	  rdnSequence  RDNSequence }
//	RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
//	RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
//	AttributeTypeAndValue ::= SEQUENCE {
//	  type     AttributeType,
//	  value    AttributeValue }
func nameOIDs(s *cryptobyte.String, which string) ([]byte, error) {
	var name cryptobyte.String
	if !s.ReadASN1(&name, asn1.SEQUENCE) {
		return nil, fmt.Errorf("fingerprint: ja4x: malformed %s", which)
	}
	var out []byte
	n := 0
	for !name.Empty() {
		var rdn cryptobyte.String
		if !name.ReadASN1(&rdn, asn1.SET) {
			return nil, fmt.Errorf("fingerprint: ja4x: malformed %s relative distinguished name", which)
		}
		for !rdn.Empty() {
			var atv, oid cryptobyte.String
			if !rdn.ReadASN1(&atv, asn1.SEQUENCE) || !atv.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) {
				return nil, fmt.Errorf("fingerprint: ja4x: malformed %s attribute", which)
			}
			out = appendOID(out, n, oid)
			n++
		}
	}
	return out, nil
}

// extensionOIDs reads the [3] EXPLICIT Extensions body and returns the
// extnID OIDs in order.
//
// RFC 5280, Section 4.1:
//
//	Extensions  ::=  SEQUENCE SIZE (1..MAX) OF Extension
//	Extension  ::=  SEQUENCE  {
//	     extnID      OBJECT IDENTIFIER,
//	     critical    BOOLEAN DEFAULT FALSE,
//	     extnValue   OCTET STRING  }
func extensionOIDs(explicit cryptobyte.String) ([]byte, error) {
	var list cryptobyte.String
	if !explicit.ReadASN1(&list, asn1.SEQUENCE) {
		return nil, errors.New("fingerprint: ja4x: malformed extensions")
	}
	var out []byte
	for n := 0; !list.Empty(); n++ {
		var ext, oid cryptobyte.String
		if !list.ReadASN1(&ext, asn1.SEQUENCE) || !ext.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) {
			return nil, errors.New("fingerprint: ja4x: malformed extension")
		}
		out = appendOID(out, n, oid)
	}
	return out, nil
}

// appendOID appends the hex of an OID's DER contents to a comma-joined
// list that holds n OIDs so far.
func appendOID(dst []byte, n int, oid []byte) []byte {
	if n > 0 {
		dst = append(dst, ',')
	}
	for _, c := range oid {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0x0f])
	}
	return dst
}
