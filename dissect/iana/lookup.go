package iana

// The exported lookups. Each returns (name, true) for a known code and
// ("", false) otherwise; it never returns an empty name with true.
// Precedence: GREASE, then the generated table (tables.go), then the
// hand-written overlay (overlay.go).

// IsGREASE reports whether code is one of the 16 RFC 8701 GREASE values
// 0x0A0A, 0x1A1A, ..., 0xFAFA, reserved in the cipher suite, extension,
// named group, signature scheme, version and ALPN (two-byte) spaces.
func IsGREASE(code uint16) bool {
	return code&0x0F0F == 0x0A0A && code>>8 == code&0xFF
}

// CipherSuiteName names a cipher suite (IANA TLS Cipher Suites), e.g.
// 0x1301 -> "TLS_AES_128_GCM_SHA256".
func CipherSuiteName(code uint16) (string, bool) {
	if IsGREASE(code) {
		return greaseName, true
	}
	if n, ok := cipherSuiteName(code); ok {
		return n, true
	}
	return cipherSuiteOverlay(code)
}

// ExtensionName names a hello extension (IANA ExtensionType Values, plus
// unregistered code points such as 17513 "application_settings"), e.g.
// 0 -> "server_name".
func ExtensionName(code uint16) (string, bool) {
	if IsGREASE(code) {
		return greaseName, true
	}
	if n, ok := extensionName(code); ok {
		return n, true
	}
	return extensionOverlay(code)
}

// GroupName names a supported group (IANA TLS Supported Groups), e.g.
// 29 -> "x25519", 4588 -> "X25519MLKEM768".
func GroupName(code uint16) (string, bool) {
	if IsGREASE(code) {
		return greaseName, true
	}
	if n, ok := groupName(code); ok {
		return n, true
	}
	return groupOverlay(code)
}

// SignatureSchemeName names a TLS 1.3 SignatureScheme / TLS 1.2
// SignatureAndHashAlgorithm pair, e.g. 0x0403 -> "ecdsa_secp256r1_sha256".
func SignatureSchemeName(code uint16) (string, bool) {
	if IsGREASE(code) {
		return greaseName, true
	}
	if n, ok := signatureSchemeName(code); ok {
		return n, true
	}
	return legacySignatureName(code)
}

// VersionName names a protocol version as it appears on the wire, e.g.
// 0x0303 -> "TLS 1.2", 0xFEFD -> "DTLS 1.2", 0x7F1C -> "TLS 1.3 (draft 28)".
func VersionName(code uint16) (string, bool) {
	if IsGREASE(code) {
		return greaseName, true
	}
	if n, ok := versionName(code); ok {
		return n, true
	}
	return versionOverlay(code)
}

// AlertDescriptionName names an alert description (IANA TLS Alerts), e.g.
// 40 -> "handshake_failure".
func AlertDescriptionName(code uint8) (string, bool) { return alertDescriptionName(code) }

// HandshakeTypeName names a handshake message type (IANA TLS HandshakeType),
// e.g. 1 -> "client_hello".
func HandshakeTypeName(code uint8) (string, bool) { return handshakeTypeName(code) }

// ContentTypeName names a record content type (IANA TLS ContentType), e.g.
// 22 -> "handshake".
func ContentTypeName(code uint8) (string, bool) { return contentTypeName(code) }

// ECPointFormatName names an ec_point_formats entry (IANA TLS EC Point
// Format), e.g. 0 -> "uncompressed".
func ECPointFormatName(code uint8) (string, bool) { return ecPointFormatName(code) }

// PSKKeyExchangeModeName names a psk_key_exchange_modes entry (IANA TLS
// PskKeyExchangeMode), e.g. 1 -> "psk_dhe_ke". The RFC 8701 GREASE modes
// (0x0B, 0x2A, ..., 0xE4) are named "GREASE".
func PSKKeyExchangeModeName(code uint8) (string, bool) {
	if isGREASEPSKMode(code) {
		return greaseName, true
	}
	return pskKeyExchangeModeName(code)
}

// CertificateCompressionAlgorithmName names a compress_certificate algorithm
// (RFC 8879), e.g. 2 -> "brotli".
func CertificateCompressionAlgorithmName(code uint16) (string, bool) {
	return certificateCompressionAlgorithmName(code)
}

// CertificateTypeName names a certificate type from the RFC 6091/7250
// registry used by client_certificate_type and server_certificate_type,
// e.g. 0 -> "X.509", 2 -> "Raw Public Key".
func CertificateTypeName(code uint8) (string, bool) { return certificateTypeName(code) }

// CertificateStatusTypeName names a status_request type, e.g. 1 -> "ocsp".
func CertificateStatusTypeName(code uint8) (string, bool) { return certificateStatusTypeName(code) }

// HashAlgorithmName names the TLS 1.2 HashAlgorithm byte, e.g. 4 -> "sha256".
func HashAlgorithmName(code uint8) (string, bool) { return hashAlgorithmName(code) }

// SignatureAlgorithmName names the TLS 1.2 SignatureAlgorithm byte, e.g.
// 3 -> "ecdsa".
func SignatureAlgorithmName(code uint8) (string, bool) { return signatureAlgorithmName(code) }

// ALPNProtocolName maps an ALPN wire identifier to its IANA protocol name,
// e.g. "h2" -> "HTTP/2 over TLS". The RFC 8701 GREASE identifiers (the two
// bytes 0x0A 0x0A, 0x1A 0x1A, ...) are named "GREASE".
func ALPNProtocolName(id string) (string, bool) {
	if len(id) == 2 && IsGREASE(uint16(id[0])<<8|uint16(id[1])) {
		return greaseName, true
	}
	return alpnProtocolName(id)
}
