package fingerprint

// JA4S is part of JA4+ and is licensed by FoxIO under the FoxIO License 1.1;
// see the package documentation. Callers compute it only when asked to.

import (
	"github.com/padlock-tls/padlock/dissect"
)

// JA4S is the JA4S fingerprint of a ServerHello sent over TCP (JA4S.md),
// hashed (ja4s) and raw (ja4s_r):
//
//	t, the 2-character version, the 2-digit extension count, the first and
//	last character of the chosen ALPN ("00" if none)
//	_ the chosen cipher suite in 4-digit hex
//	_ sha256 of the extensions in wire order, first 12 characters
//
// The version is supported_versions' selected_version when present, else
// legacy_version, coded as for JA4. Extensions keep their wire order
// ("JA4S doesn't sort") and include server_name and ALPN, unlike JA4's
// sorted list (FoxIO-LLC/ja4#215 fixed the Wireshark plugin to match); an
// empty list hashes to "000000000000" as in JA4. The ALPN characters
// follow JA4's rules, including the hex form for non-alphanumeric bytes.
// GREASE, which a server may not send (RFC 8701, Section 4), is dropped as
// JA4 says to do everywhere.
//
// A HelloRetryRequest is a ServerHello on the wire; FoxIO's tools
// fingerprint the first ServerHello-typed message of a connection, which is
// the HelloRetryRequest when there is one. The caller chooses which to pass.
func JA4S(sh *dissect.ServerHello) (ja4s, ja4sR string) {
	if sh == nil {
		return "", ""
	}
	var ebuf [32]uint16
	exts := ebuf[:0]
	for _, e := range sh.Extensions {
		if t := uint16(e.Type); !dissect.IsGREASE(t) {
			exts = append(exts, t)
		}
	}
	b := make([]byte, 0, 14+5*len(exts))
	b = append(b, 't')
	b = append(b, versionCode(sh.NegotiatedVersion())...)
	var c [2]byte
	putCount(c[:], len(exts))
	b = append(b, c[:]...)
	putALPN(c[:], sh.ALPN)
	b = append(b, c[:]...)
	b = append(b, '_')
	b = appendHex16(b, uint16(sh.CipherSuite))
	b = append(b, '_')
	head := len(b)
	b = appendHexList(b, exts)

	var buf [32]byte // "t130200_1301_" and 12 hash digits
	h := append(buf[:0], b[:head]...)
	h = appendHash12(h, b[head:])
	return string(h), string(b)
}
