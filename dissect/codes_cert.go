package dissect

// Codes for X.509 certificates (ParseCertificate), in addition to codes.go.
const (
	// CodeCertificateUnparsable: neither crypto/x509 nor certificate-transparency-go/x509 accepts the certificate; fingerprints and whatever a DER walk could read are still reported.
	CodeCertificateUnparsable Code = "certificate_unparsable"
	// CodeCertificateLenient: crypto/x509 refuses the certificate (the message says why) and only certificate-transparency-go/x509 accepts it.
	CodeCertificateLenient Code = "certificate_lenient"
	// CodeCertificateTrailingData: bytes follow the certificate's DER SEQUENCE inside its ASN.1Cert; the certificate is parsed without them.
	CodeCertificateTrailingData Code = "certificate_trailing_data"
	// CodeCertificateSCTMalformed: the embedded SCT list extension does not follow RFC 6962 Section 3.3; the SCTs before the problem are kept.
	CodeCertificateSCTMalformed Code = "certificate_sct_malformed"
	// CodeCertificateNameNUL: the subject CN or a dNSName SAN holds a NUL byte, the null-prefix attack on clients that compare names as C strings (CVE-2009-2408); the name is kept whole.
	CodeCertificateNameNUL Code = "certificate_name_nul"
)
