package fingerprint

import (
	"crypto/sha256"
	"slices"

	"github.com/padlock-tls/padlock/dissect"
)

// JA4Result holds the four forms of a JA4 client fingerprint (JA4.md,
// "Raw Output").
type JA4Result struct {
	// JA4 is ja4: a_b_c with b and c hashed, cipher and extension lists
	// sorted, SNI and ALPN left out of the extension list
	// ("t13d1516h2_8daaf6152771_e5627efa2ab1").
	JA4 string
	// JA4R is ja4_r: JA4 before hashing.
	JA4R string
	// JA4O is ja4_o: lists in wire order, SNI and ALPN kept, hashed.
	JA4O string
	// JA4RO is ja4_ro: JA4O before hashing.
	JA4RO string
}

// Extensions that JA4 section c leaves out of the sorted list because
// section a already shows them (JA4.md, "Extension hash").
const (
	extServerName uint16 = 0x0000
	extALPN       uint16 = 0x0010
)

// maxCount is the cap on JA4's two-digit counts: "If there's > 99, which
// there should never be, then output "99"" (JA4.md, "Number of Ciphers").
const maxCount = 99

// hashLen is the length of a truncated JA4 hash: "sha256 hash ...
// truncated to 12 characters" (JA4.md), i.e. the first 6 bytes in hex.
const hashLen = 12

// emptyHash stands for an empty list: "If there are no ciphers in the
// sorted cipher list, then the value of JA4_b is set to 000000000000"
// (JA4.md; the same for JA4_c, and JA4X uses it for empty parts).
const emptyHash = "000000000000"

// JA4 is the JA4 fingerprint of a ClientHello sent over TCP (JA4.md):
//
//	t (TLS over TCP)
//	2-character version: the highest non-GREASE supported_versions value,
//	    else legacy_version: "13" "12" "11" "10" "s3" "s2", "00" if unknown
//	d if a server_name extension is present, else i
//	2-digit count of cipher suites, 2-digit count of extensions
//	    (GREASE not counted; SNI and ALPN counted; capped at 99)
//	first and last character of the first ALPN protocol, "00" if none
//	_ sha256 of the sorted cipher suites in 4-digit hex, first 12 characters
//	_ sha256 of the sorted extensions without 0000 and 0010, then "_" and
//	    the signature_algorithms values in wire order
//
// GREASE is dropped everywhere, including from signature_algorithms, where
// Chrome sends it since M152 (FoxIO-LLC/ja4#305 fixed the reference
// implementations to match the text). QUIC ("q") and DTLS ("d") hellos are
// out of scope: padlock reads TLS over TCP only.
func JA4(ch *dissect.ClientHello) JA4Result {
	if ch == nil {
		return JA4Result{}
	}
	// Typical hellos fit in these arrays, so the lists stay off the heap.
	var cbuf, ebuf, sbuf [64]uint16
	ciphers := appendNonGREASE(cbuf[:0], ch.CipherSuites)
	sigs := appendNonGREASE(sbuf[:0], ch.SignatureSchemes)
	exts := ebuf[:0]
	sni := false
	for _, e := range ch.Extensions {
		t := uint16(e.Type)
		if dissect.IsGREASE(t) {
			continue
		}
		// "If the SNI extension (0x0000) exists" (JA4.md, "SNI"): the
		// extension, whether or not it holds a usable host name.
		sni = sni || t == extServerName
		exts = append(exts, t)
	}

	var a [10]byte
	a[0] = 't'
	copy(a[1:3], versionCode(clientVersion(ch)))
	a[3] = 'i'
	if sni {
		a[3] = 'd'
	}
	putCount(a[4:6], len(ciphers))
	putCount(a[6:8], len(exts))
	alpn := ""
	if len(ch.ALPN) > 0 {
		alpn = ch.ALPN[0]
	}
	putALPN(a[8:10], alpn)

	// Original order first: the sorted form below reorders the slices.
	ro := newRaw(a[:], ciphers, exts, sigs)

	slices.Sort(ciphers)
	kept := exts[:0]
	for _, t := range exts {
		if t != extServerName && t != extALPN {
			kept = append(kept, t)
		}
	}
	slices.Sort(kept)
	r := newRaw(a[:], ciphers, kept, sigs)

	return JA4Result{JA4: r.hashed(), JA4R: string(r.b), JA4O: ro.hashed(), JA4RO: string(ro.b)}
}

// clientVersion is the version JA4 reports: "If extension 0x002b exists
// (supported_versions), then the version is the highest value in the
// extension. Remember to ignore GREASE values. If the extension doesn't
// exist, then the TLS version is the value of the Protocol Version"
// (JA4.md). "Highest" is numeric, so a TLS 1.3 draft (0x7fNN) beats 0x0304
// and gives "00", as in FoxIO's implementations; this differs on purpose
// from ClientHello.OfferedVersion, which ranks drafts below TLS 1.3. A
// supported_versions extension with no usable value falls back to
// legacy_version.
func clientVersion(ch *dissect.ClientHello) dissect.Version {
	best, found := dissect.Version(0), false
	for _, v := range ch.SupportedVersions {
		if !dissect.IsGREASE(uint16(v)) && (!found || v > best) {
			best, found = v, true
		}
	}
	if !found {
		return ch.Version
	}
	return best
}

// versionCode is JA4's two-character version (JA4.md, "TLS and DTLS
// Version"). The DTLS codes are here for completeness; SSL 2.0 is its wire
// value 0x0002.
func versionCode(v dissect.Version) string {
	switch v {
	case 0x0304:
		return "13"
	case 0x0303:
		return "12"
	case 0x0302:
		return "11"
	case 0x0301:
		return "10"
	case 0x0300:
		return "s3"
	case 0x0002:
		return "s2"
	case 0xfeff:
		return "d1"
	case 0xfefd:
		return "d2"
	case 0xfefc:
		return "d3"
	}
	return "00"
}

// putCount writes n as two decimal digits, capped at maxCount.
func putCount(dst []byte, n int) {
	n = min(n, maxCount)
	dst[0], dst[1] = '0'+byte(n/10), '0'+byte(n%10)
}

// putALPN writes JA4's two ALPN characters for protocol p (JA4.md, "ALPN
// Extension Value"): "00" when there is no protocol or it is empty; the
// first and last byte when both are ASCII alphanumeric (one byte counts as
// both); otherwise the first and last characters of p in hex, so 0xAB
// gives "ab" and 0x30 0xAB gives "3b".
func putALPN(dst []byte, p string) {
	if p == "" {
		dst[0], dst[1] = '0', '0'
		return
	}
	first, last := p[0], p[len(p)-1]
	if isAlnum(first) && isAlnum(last) {
		dst[0], dst[1] = first, last
		return
	}
	dst[0], dst[1] = hexDigits[first>>4], hexDigits[last&0x0f]
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
}

// raw is an unhashed JA4: a, then "_" and section b, then "_" and section
// c, where c is the extension list and, if there are signature algorithms,
// "_" and their list.
type raw struct {
	b          []byte
	aEnd, bEnd int // b[:aEnd] is section a; b[aEnd+1:bEnd] is section b; c follows bEnd+1
}

func newRaw(a []byte, ciphers, exts, sigs []uint16) raw {
	n := len(a) + 3 + 5*(len(ciphers)+len(exts)+len(sigs))
	r := raw{b: make([]byte, 0, n)}
	r.b = append(r.b, a...)
	r.aEnd = len(r.b)
	r.b = append(r.b, '_')
	r.b = appendHexList(r.b, ciphers)
	r.bEnd = len(r.b)
	r.b = append(r.b, '_')
	r.b = appendHexList(r.b, exts)
	// "If there are no signature algorithms in the hello packet, then the
	// string ends without an underscore" (JA4.md, "Extension hash").
	if len(sigs) > 0 {
		r.b = append(r.b, '_')
		r.b = appendHexList(r.b, sigs)
	}
	return r
}

// hashed is the a_b_c form with b and c hashed.
func (r raw) hashed() string {
	var buf [64]byte // section a is 10 bytes: the result fits
	out := append(buf[:0], r.b[:r.aEnd]...)
	out = append(out, '_')
	out = appendHash12(out, r.b[r.aEnd+1:r.bEnd])
	out = append(out, '_')
	out = appendHash12(out, r.b[r.bEnd+1:])
	return string(out)
}

// appendHash12 appends the first 12 lower-case hex digits of SHA-256(s), or
// emptyHash when s is empty. An empty section c can only come from an empty
// extension list: signature algorithms come from an extension.
func appendHash12(dst, s []byte) []byte {
	if len(s) == 0 {
		return append(dst, emptyHash...)
	}
	sum := sha256.Sum256(s)
	for _, c := range sum[:hashLen/2] {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0x0f])
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendHex16 appends v as four lower-case hex digits.
func appendHex16(dst []byte, v uint16) []byte {
	return append(dst, hexDigits[v>>12], hexDigits[v>>8&0x0f], hexDigits[v>>4&0x0f], hexDigits[v&0x0f])
}

// appendHexList appends vs as four-digit hex values joined by ','.
func appendHexList(dst []byte, vs []uint16) []byte {
	for i, v := range vs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendHex16(dst, v)
	}
	return dst
}

// appendNonGREASE appends the values of vs that are not GREASE.
func appendNonGREASE[T ~uint16](dst []uint16, vs []T) []uint16 {
	for _, v := range vs {
		if !dissect.IsGREASE(uint16(v)) {
			dst = append(dst, uint16(v))
		}
	}
	return dst
}
