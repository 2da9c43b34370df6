package fingerprint

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"

	"github.com/padlock-tls/padlock/dissect"
)

// JA3Result is a JA3 or JA3S fingerprint.
type JA3Result struct {
	// Full is the fingerprint string: decimal values, fields separated by
	// ',' and values within a field by '-'
	// ("771,4865-4866,0-11-10,29-23,0").
	Full string
	// Hash is the MD5 of Full in 32 lower-case hex digits.
	Hash string
}

// JA3 is the client fingerprint from salesforce/ja3:
//
//	SSLVersion,Cipher,SSLExtension,EllipticCurve,EllipticCurvePointFormat
//
// SSLVersion is the ClientHello's legacy_version (not supported_versions);
// the lists are in wire order with GREASE values removed. Missing
// extensions leave their fields empty ("769,4-5-10,,,").
//
// An SSLv2-compatible ClientHello (ch.SSLv2) has no JA3 in the reference
// tools, which only read TLS handshake records; here it gets one from the
// legacy version and the cipher specs that map to TLS cipher suites, so the
// caller must decide whether to show it.
func JA3(ch *dissect.ClientHello) JA3Result {
	if ch == nil {
		return JA3Result{}
	}
	b := make([]byte, 0, 64+6*(len(ch.CipherSuites)+len(ch.Extensions)+len(ch.SupportedGroups)))
	b = strconv.AppendUint(b, uint64(ch.Version), 10)
	b = append(b, ',')
	b = appendDecimals(b, ch.CipherSuites)
	b = append(b, ',')
	b = appendExtensionDecimals(b, ch.Extensions)
	b = append(b, ',')
	b = appendDecimals(b, ch.SupportedGroups)
	b = append(b, ',')
	for i, f := range ch.ECPointFormats {
		// 8-bit values: none of them can be GREASE.
		if i > 0 {
			b = append(b, '-')
		}
		b = strconv.AppendUint(b, uint64(f), 10)
	}
	return ja3Result(b)
}

// JA3S is the server fingerprint from salesforce/ja3:
//
//	SSLVersion,Cipher,SSLExtension
//
// SSLVersion is the ServerHello's legacy_version (771 for TLS 1.3, whose
// real version is in supported_versions). A HelloRetryRequest is a
// ServerHello on the wire and gets a JA3S like any other, as in tshark.
//
// GREASE extensions are removed as for JA3. A server may not send them
// (RFC 8701, Section 4), and the reference ja3s.py does not filter them,
// but Wireshark does; the results differ only for a broken server.
func JA3S(sh *dissect.ServerHello) JA3Result {
	if sh == nil {
		return JA3Result{}
	}
	b := make([]byte, 0, 32+6*len(sh.Extensions))
	b = strconv.AppendUint(b, uint64(sh.Version), 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(sh.CipherSuite), 10)
	b = append(b, ',')
	b = appendExtensionDecimals(b, sh.Extensions)
	return ja3Result(b)
}

func ja3Result(full []byte) JA3Result {
	sum := md5.Sum(full)
	return JA3Result{Full: string(full), Hash: hex.EncodeToString(sum[:])}
}

// appendDecimals appends the non-GREASE values of vs in decimal, joined by '-'.
func appendDecimals[T ~uint16](b []byte, vs []T) []byte {
	first := true
	for _, v := range vs {
		if dissect.IsGREASE(uint16(v)) {
			continue
		}
		if !first {
			b = append(b, '-')
		}
		first = false
		b = strconv.AppendUint(b, uint64(v), 10)
	}
	return b
}

// appendExtensionDecimals appends the non-GREASE extension types in wire order.
func appendExtensionDecimals(b []byte, exts []dissect.Extension) []byte {
	first := true
	for _, e := range exts {
		if dissect.IsGREASE(uint16(e.Type)) {
			continue
		}
		if !first {
			b = append(b, '-')
		}
		first = false
		b = strconv.AppendUint(b, uint64(e.Type), 10)
	}
	return b
}
