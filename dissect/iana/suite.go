package iana

import "strings"

// SuiteInfo is a cipher suite split into its parts. Every field is derived
// from the suite's IANA name; fields that cannot be derived are empty.
type SuiteInfo struct {
	// Name is the suite's name as CipherSuiteName returns it.
	Name string
	// KeyExchange is "RSA", "DH", "DHE", "ECDH", "ECDHE", "PSK", "SRP",
	// "KRB5", "ECCPWD", "GOSTR341112_256" or "NULL"; "any" for TLS 1.3
	// suites, which do not fix it.
	KeyExchange string
	// Authentication is "RSA", "DSS", "ECDSA", "PSK", "SRP", "KRB5",
	// "ECCPWD", "GOSTR341112_256", "anon" or "NULL"; "any" for TLS 1.3.
	Authentication string
	// Cipher is the bulk cipher and mode: "AES_128_GCM", "3DES_EDE_CBC",
	// "RC4_128", "CHACHA20_POLY1305", "NULL", ...
	Cipher string
	// MAC is the record MAC hash ("SHA", "SHA256", "MD5", ...). For AEAD
	// suites, whose record protection has no separate MAC, it is the
	// PRF/HKDF hash: "SHA256" in TLS_AES_128_GCM_SHA256.
	MAC string
	// AEAD reports an AEAD cipher (GCM, CCM, ChaCha20-Poly1305, MGM, ...).
	AEAD bool
	// ForwardSecrecy reports an ephemeral key exchange: DHE, ECDHE, SRP,
	// ECCPWD, or any TLS 1.3 suite. Static (EC)DH, RSA, PSK, KRB5 and the
	// anonymous suites report false.
	ForwardSecrecy bool
	// Export reports an EXPORT or EXPORT1024 suite.
	Export bool
	// TLS13 reports a TLS 1.3 suite (RFC 8446 section B.4 naming, or the
	// RFC 9367 GOST MGM suites).
	TLS13 bool
}

// CipherSuiteInfo splits the named suite code into its parts. ok is false
// for unknown codes and for GREASE. Signalling values
// (TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV) return only Name.
func CipherSuiteInfo(code uint16) (SuiteInfo, bool) {
	if IsGREASE(code) {
		return SuiteInfo{}, false
	}
	name, ok := CipherSuiteName(code)
	if !ok {
		return SuiteInfo{}, false
	}
	return parseSuite(name), true
}

// parseSuite derives a SuiteInfo from a cipher suite name such as
// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 or TLS_AES_128_GCM_SHA256.
func parseSuite(name string) SuiteInfo {
	si := SuiteInfo{Name: name}
	body, ok := strings.CutPrefix(name, "TLS_")
	if !ok {
		body, ok = strings.CutPrefix(name, "SSL_")
	}
	if !ok || strings.HasSuffix(body, "_SCSV") {
		return si
	}

	kxauth, rest, hasWith := strings.Cut(body, "_WITH_")
	if !hasWith {
		// TLS 1.3 naming, TLS_<AEAD>_<HASH> (RFC 8446 section B.4), also used
		// by the AEGIS, Ascon and SM4 (RFC 8998) suites.
		si.Cipher, si.MAC = splitCipherMAC(body)
		si.KeyExchange, si.Authentication = "any", "any"
		si.ForwardSecrecy, si.TLS13 = true, true
		if body == "SHA256_SHA256" || body == "SHA384_SHA384" {
			// RFC 9150 integrity-only suites: the "AEAD" is an HMAC with no
			// confidentiality.
			si.Cipher = "NULL"
			return si
		}
		si.AEAD = isAEAD(si.Cipher)
		return si
	}

	si.Cipher, si.MAC = splitCipherMAC(rest)
	si.AEAD = isAEAD(si.Cipher)

	if kxauth == "GOSTR341112_256" && si.AEAD {
		// RFC 9367: TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L and friends are
		// TLS 1.3 suites; GOSTR341112_256 is their HKDF hash.
		si.KeyExchange, si.Authentication = "any", "any"
		si.MAC = kxauth
		si.ForwardSecrecy, si.TLS13 = true, true
		return si
	}
	if si.MAC == "" && si.AEAD {
		// The TLS 1.2 CCM suites name no hash; they use the TLS PRF with
		// SHA-256 (RFC 6655 section 3, RFC 7251 section 2).
		si.MAC = "SHA256"
	}

	if before, after, ok := strings.Cut(kxauth, "_EXPORT"); ok {
		si.Export = true
		kxauth = before + strings.TrimPrefix(after, "1024")
	}
	kxauth = strings.TrimSuffix(kxauth, "_FIPS") // SSL_RSA_FIPS_WITH_... (overlay.go)

	switch kxauth {
	case "NULL", "RSA", "PSK", "KRB5", "ECCPWD", "GOSTR341112_256":
		si.KeyExchange, si.Authentication = kxauth, kxauth
	case "PSK_DHE": // TLS_PSK_DHE_WITH_AES_128_CCM_8 (RFC 6655), i.e. DHE_PSK
		si.KeyExchange, si.Authentication = "DHE", "PSK"
	case "SRP_SHA":
		si.KeyExchange, si.Authentication = "SRP", "SRP"
	case "SRP_SHA_RSA", "SRP_SHA_DSS":
		si.KeyExchange, si.Authentication = "SRP", strings.TrimPrefix(kxauth, "SRP_SHA_")
	default:
		// DH_DSS, DHE_RSA, DH_anon, ECDH_ECDSA, ECDHE_RSA, ECDH_anon,
		// DHE_PSK, ECDHE_PSK, RSA_PSK, ...
		kx, auth, ok := strings.Cut(kxauth, "_")
		if !ok {
			return si // unknown shape: leave key exchange and auth empty
		}
		si.KeyExchange, si.Authentication = kx, auth
	}
	switch si.KeyExchange {
	case "DHE", "ECDHE", "SRP", "ECCPWD":
		// Anonymous suites are DH/ECDH by name and report false: with no
		// authenticated key, forward secrecy protects nothing.
		si.ForwardSecrecy = true
	}
	return si
}

// splitCipherMAC splits "AES_128_CBC_SHA256" into ("AES_128_CBC", "SHA256").
// The MAC is the last hash-like token; anything after it (the overlay's
// "_OLD" and "_2" suffixes) is dropped. Without a hash token, the whole
// string is the cipher ("AES_128_CCM_8", "KUZNYECHIK_MGM_L").
func splitCipherMAC(s string) (cipher, mac string) {
	end := len(s)
	for end > 0 {
		start := strings.LastIndexByte(s[:end], '_') + 1
		tok := s[start:end]
		if start > 0 && isHashToken(tok) {
			return s[:start-1], tok
		}
		if start == 0 {
			break
		}
		end = start - 1
	}
	return s, ""
}

func isHashToken(t string) bool {
	switch t {
	case "MD5", "SHA", "SHA1", "SHA256", "SHA384", "SHA512", "SM3",
		"ASCONHASH256", "OMAC", "IMIT", "NULL":
		return true
	}
	return false
}

func isAEAD(cipher string) bool {
	for tok := range strings.SplitSeq(cipher, "_") {
		switch {
		case tok == "GCM", tok == "CCM", tok == "POLY1305", tok == "MGM",
			strings.HasPrefix(tok, "AEGIS"), strings.HasPrefix(tok, "ASCONAEAD"):
			return true
		}
	}
	return false
}
