package iana

import "strconv"

// Hand-written names for code points that the registry/ snapshots do not
// name but that real traffic carries. Every entry cites its source.
//
// The generated tables win: the lookups in lookup.go consult an overlay only
// for codes tables.go leaves unnamed, and TestOverlayDoesNotShadowTables
// fails once a refreshed CSV names one of these codes, so the entry can be
// deleted. GREASE is handled before both (lookup.go).

// greaseName is what every lookup returns for an RFC 8701 GREASE value
// (STYLE.md 2.2: "GREASE values: name them GREASE and keep the code").
const greaseName = "GREASE"

// tls13DraftNames[n] names version 0x7F00+n.
//
// Source: implementations of draft-ietf-tls-tls13 advertised
// 0x7F00 | draft_version ("Draft Version Indicator" section of the drafts,
// removed in RFC 8446); registry/tls-versions.csv lists the range as
// "0x7F00-0x7FFF, TLS 1.3 draft-N (0x7F00+N)". The spelling is Wireshark's
// (epan/dissectors/packet-tls-utils.c, ssl_versions:
// `{ 0x7F1C, "TLS 1.3 (draft 28)" }`), which lists drafts 14-28; Zeek
// (consts.zeek, version_strings &default) names every 0x7Fxx value too.
var tls13DraftNames = func() (a [256]string) {
	for n := range a {
		a[n] = "TLS 1.3 (draft " + strconv.Itoa(n) + ")"
	}
	return a
}()

func versionOverlay(code uint16) (string, bool) {
	if code>>8 == 0x7F {
		return tls13DraftNames[code&0xFF], true
	}
	switch code {
	// Facebook's fizz: ProtocolVersion::tls_1_3_23_fb = 0xfb17 and
	// tls_1_3_26_fb = 0xfb1a (fizz/record/Types.h). Names from Wireshark
	// packet-tls-utils.c ssl_versions.
	case 0xFB17:
		return "TLS 1.3 (Facebook draft 23)", true
	case 0xFB1A:
		return "TLS 1.3 (Facebook draft 26)", true
	// OpenSSL before 0.9.8f sent DTLS 1.0 as 0x0100. Wireshark
	// packet-tls-utils.c ssl_versions: DTLSV1DOT0_OPENSSL_VERSION.
	case 0x0100:
		return "DTLS 1.0 (OpenSSL pre 0.9.8f)", true
	}
	return "", false
}

func cipherSuiteOverlay(code uint16) (string, bool) {
	switch code {
	// draft-ietf-tls-56-bit-ciphersuites-01, never registered, offered by old
	// OpenSSL (0.9.x) default lists. Names from Zeek consts.zeek (cipher_desc)
	// and Wireshark packet-tls-utils.c (ssl_31_ciphersuite).
	case 0x0060:
		return "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5", true
	case 0x0061:
		return "TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5", true
	case 0x0062:
		return "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", true
	case 0x0063:
		return "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA", true
	case 0x0064:
		return "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", true
	case 0x0065:
		return "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA", true
	case 0x0066:
		return "TLS_DHE_DSS_WITH_RC4_128_SHA", true

	// draft-agl-tls-chacha20poly1305: the code points Chrome used before RFC
	// 7905 assigned 0xCCA8-0xCCAA. Zeek consts.zeek spells them with an _OLD
	// suffix; Wireshark reuses the RFC 7905 names, which would make two codes
	// share one name.
	case 0xCC13:
		return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD", true
	case 0xCC14:
		return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256_OLD", true
	case 0xCC15:
		return "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD", true

	// Netscape/NSS FIPS suites in IANA's "Reserved to avoid conflicts with
	// widely deployed implementations" (0xFEFE-0xFEFF) and private-use
	// (0xFFE0-0xFFE1) ranges. Names from Zeek consts.zeek, which adds _2 to
	// the private-use pair; Wireshark uses the same two names for both pairs.
	case 0xFEFE:
		return "SSL_RSA_FIPS_WITH_DES_CBC_SHA", true
	case 0xFEFF:
		return "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA", true
	case 0xFFE0:
		return "SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA_2", true
	case 0xFFE1:
		return "SSL_RSA_FIPS_WITH_DES_CBC_SHA_2", true
	}
	return "", false
}

func extensionOverlay(code uint16) (string, bool) {
	switch code {
	// key_share as numbered in TLS 1.3 drafts up to -22 (moved to 51 in
	// -23); IANA now lists 40 as Reserved. Name from Zeek consts.zeek
	// ("key_share_old"); Wireshark shows "Reserved (key_share)".
	case 40:
		return "key_share_old", true
	// ticket_early_data_info, draft-ietf-tls-tls13-18 (removed in -19); IANA
	// lists 46 as Reserved. Wireshark packet-tls-utils.c shows
	// "Reserved (ticket_early_data_info)"; Zeek says "TicketEarlyDataInfo".
	case 46:
		return "ticket_early_data_info", true
	}
	return "", false
}

func groupOverlay(code uint16) (string, bool) {
	switch code {
	// draft-yang-tls-hybrid-sm2-mlkem; listed in Zeek consts.zeek ec_curves,
	// missing from the registry/tls-parameters-8.csv snapshot.
	case 4590:
		return "curveSM2MLKEM768", true
	// CECPQ2 (HRSS + X25519), BoringSSL/Chrome experiment, never registered.
	// Zeek consts.zeek ec_curves.
	case 16696:
		return "CECPQ2", true
	}
	return "", false
}

// isGREASEPSKMode reports the RFC 8701 section 2 GREASE values for
// PskKeyExchangeMode: 0x0B, 0x2A, ..., 0xE4 (0x0B + 0x1F*k).
func isGREASEPSKMode(code uint8) bool {
	return code >= 0x0B && (code-0x0B)%0x1F == 0
}

// legacySignatureName names a TLS 1.2 SignatureAndHashAlgorithm pair
// (RFC 5246, Section 7.4.1.4.1) that has no SignatureScheme name, such as
// 0x0303 (sha224, ecdsa) or 0x0402 (sha256, dsa): "<signature>_<hash>",
// from the HashAlgorithm and SignatureAlgorithm registries. Wireshark shows
// the same pair as "Hash: SHA224, Signature: ECDSA".
func legacySignatureName(code uint16) (string, bool) {
	hash, sig := uint8(code>>8), uint8(code)
	if hash < 1 || hash > 6 || sig < 1 || sig > 3 {
		return "", false
	}
	h, ok1 := HashAlgorithmName(hash)
	s, ok2 := SignatureAlgorithmName(sig)
	if !ok1 || !ok2 {
		return "", false
	}
	return s + "_" + h, true
}
