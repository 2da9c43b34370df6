package dissect

import (
	"bytes"

	"golang.org/x/crypto/cryptobyte"
)

// KeyShareEntry is one offered key share without its key bytes.
type KeyShareEntry struct {
	Group     NamedGroup
	KeyLength int
}

// ClientHello is a decoded ClientHello (RFC 8446, Section 4.1.2; RFC 5246,
// Section 7.4.1.2), or an SSLv2-compatible CLIENT-HELLO (SSLv2 set).
//
// Byte slices alias the input.
type ClientHello struct {
	Version            Version // legacy_version
	Random             []byte
	SessionID          []byte
	CipherSuites       []CipherSuite // wire order, GREASE kept
	CompressionMethods []uint8
	Extensions         []Extension // wire order, GREASE and unknown kept

	// Convenience values pulled out of the first extension of each type:
	SNI               string // first host_name in server_name
	ALPN              []string
	SupportedVersions []Version // wire order, GREASE kept
	SupportedGroups   []NamedGroup
	ECPointFormats    []uint8
	SignatureSchemes  []SignatureScheme // signature_algorithms, not _cert
	KeyShares         []KeyShareEntry

	// SSLv2 is set when the hello came in an SSLv2-compatible record
	// (RFC 5246, Appendix E.2); see ParseSSLv2ClientHello.
	SSLv2 bool
	// V2CipherSpecs are the SSLv2 record's 3-byte cipher specs, all of them
	// in wire order; those whose first byte is 0 are also in CipherSuites.
	V2CipherSpecs []uint32
	// Challenge is the SSLv2 challenge; Random holds it right-aligned in 32
	// bytes, as RFC 5246, Appendix E.2 says the server uses it.
	Challenge []byte
}

// ServerHello is a decoded ServerHello or HelloRetryRequest (RFC 8446,
// Section 4.1.3; RFC 5246, Section 7.4.1.3). Byte slices alias the input.
type ServerHello struct {
	Version         Version // legacy_version
	Random          []byte
	SessionID       []byte
	CipherSuite     CipherSuite
	Compression     uint8
	Extensions      []Extension
	SelectedVersion Version    // from supported_versions, 0 if absent
	HelloRetry      bool       // random == SHA-256("HelloRetryRequest") (RFC 8446, Section 4.1.3)
	SelectedGroup   NamedGroup // key_share: HRR selected_group or the ServerHello entry's group, 0 if none
	KeyShareLength  int        // the ServerHello key_share entry's key_exchange length
	ALPN            string     // selected protocol, "" if none
	// Downgrade is "tls12" or "tls11_or_below" when the random ends with
	// the RFC 8446, Section 4.1.3 sentinel DOWNGRD\x01 or DOWNGRD\x00.
	Downgrade string
}

// helloRetryRequestRandom is SHA-256("HelloRetryRequest"), the random that
// marks a HelloRetryRequest (RFC 8446, Section 4.1.3).
var helloRetryRequestRandom = []byte{
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
}

// Downgrade sentinels: the last 8 bytes of ServerHello.random from a TLS 1.3
// capable server that negotiated TLS 1.2, or TLS 1.1 and below (RFC 8446,
// Section 4.1.3).
var (
	downgradeTLS12 = []byte("DOWNGRD\x01")
	downgradeTLS11 = []byte("DOWNGRD\x00")
)

// ParseClientHello decodes a ClientHello body (the handshake message body,
// without the 4-byte handshake header). It always returns the part it could
// read, with coded errors whose offsets count from the start of body.
//
// RFC 8446, Section 4.1.2:
//
//	struct {
//	    ProtocolVersion legacy_version = 0x0303;    /* TLS v1.2 */
//	    Random random;
//	    opaque legacy_session_id<0..32>;
//	    CipherSuite cipher_suites<2..2^16-2>;
//	    opaque legacy_compression_methods<1..2^8-1>;
//	    Extension extensions<8..2^16-1>;
//	} ClientHello;
//
// Extensions are optional before TLS 1.3 (RFC 5246, Section 7.4.1.2:
// "the presence of extensions can be detected by determining whether there
// are bytes following the compression_methods").
func ParseClientHello(body []byte) (*ClientHello, []*Error) {
	ch := &ClientHello{}
	p := &parser{root: body, code: CodeMessageMalformed, what: "client_hello"}
	s := cryptobyte.String(body)
	var v uint16
	var sid, suites, comps cryptobyte.String
	if !p.u16(&s, "legacy_version", &v) {
		return ch, p.errs
	}
	ch.Version = Version(v)
	if !p.bytes(&s, 32, "random", &ch.Random) ||
		!p.vec(&s, 1, "legacy_session_id", 0, 32, &sid) {
		return ch, p.errs
	}
	ch.SessionID = sid
	if !p.vec(&s, 2, "cipher_suites", 2, 0xfffe, &suites) {
		return ch, p.errs
	}
	ch.CipherSuites = make([]CipherSuite, 0, len(suites)/2)
	p.each16(suites, "cipher_suites", func(c uint16) {
		ch.CipherSuites = append(ch.CipherSuites, CipherSuite(c))
	})
	if !p.vec(&s, 1, "legacy_compression_methods", 1, 0xff, &comps) {
		return ch, p.errs
	}
	ch.CompressionMethods = comps
	if s.Empty() {
		return ch, p.errs
	}
	exts, errs := parseExtensionsBlock(p, &s, ExtContextClientHello)
	ch.Extensions = exts
	p.errs = append(p.errs, errs...)
	ch.fill()
	return ch, p.errs
}

// parseExtensionsBlock reads Extension extensions<8..2^16-1> (RFC 8446; the
// lower bound is 0 in RFC 5246) from s, parsing what is there even when the
// length prefix claims more than the message holds, and flags trailing
// bytes after it.
func parseExtensionsBlock(p *parser, s *cryptobyte.String, ctx ExtContext) ([]Extension, []*Error) {
	at := *s
	var n uint16
	if !s.ReadUint16(&n) {
		p.add(CodeExtensionsMalformed, p.at(at), "%s: %d stray byte(s) where the extensions length should be", p.what, len(at))
		s.Skip(len(*s))
		return nil, nil
	}
	data := []byte(*s)
	if int(n) > len(data) {
		p.add(CodeExtensionsMalformed, p.at(at), "%s: extensions length %d exceeds the %d bytes left", p.what, n, len(data))
	} else {
		data = data[:n]
	}
	s.Skip(len(data))
	exts, errs := ParseExtensionsIn(data, ctx, p.at(data))
	if !s.Empty() {
		p.add(CodeMessageTrailingData, p.at(*s), "%s: %d byte(s) after the extensions", p.what, len(*s))
	}
	return exts, errs
}

// fill sets the convenience fields from the first extension of each type.
// The code lists are the decoded extensions' own, which hellos that sent
// the same bytes share (extcache.go): read them, never write into them
// (their capacity ends with them, so an append copies).
func (c *ClientHello) fill() {
	var done [8]bool // one flag per convenience field
	once := func(i int) bool {
		if done[i] {
			return false
		}
		done[i] = true
		return true
	}
	for _, e := range c.Extensions {
		switch v := e.Decoded.(type) {
		case *ServerNameExt:
			if once(0) {
				for _, n := range v.Names {
					if n.Type.Code == 0 {
						c.SNI = n.Name
						break
					}
				}
			}
		case *ALPNExt:
			if once(1) {
				c.ALPN = v.Protocols
			}
		case *SupportedVersionsExt:
			if once(2) && len(v.codes) > 0 {
				c.SupportedVersions = v.codes
			}
		case *SupportedGroupsExt:
			if once(3) && len(v.codes) > 0 {
				c.SupportedGroups = v.codes
			}
		case *ECPointFormatsExt:
			if once(4) && len(v.codes) > 0 {
				c.ECPointFormats = v.codes
			}
		case *SignatureAlgorithmsExt:
			if e.Type == ExtensionSignatureAlgorithms && once(5) && len(v.codes) > 0 {
				c.SignatureSchemes = v.codes
			}
		case *KeyShareExt:
			if once(6) {
				for _, x := range v.ClientShares {
					c.KeyShares = append(c.KeyShares, KeyShareEntry{Group: NamedGroup(x.Group.Code), KeyLength: x.KeyExchangeLength})
				}
			}
		}
	}
}

// OfferedVersion is the highest non-GREASE supported_versions entry, else
// legacy_version: what the client asked for (DESIGN.md "client_version").
// TLS 1.3 drafts (0x7fNN, and Facebook's 0xfbNN) rank below TLS 1.3 and
// above TLS 1.2.
func (c *ClientHello) OfferedVersion() Version {
	best, found := Version(0), false
	for _, v := range c.SupportedVersions {
		if IsGREASE(uint16(v)) {
			continue
		}
		if !found || versionRank(v) > versionRank(best) {
			best, found = v, true
		}
	}
	if !found {
		return c.Version
	}
	return best
}

// versionRank orders versions for OfferedVersion: wire values, except that
// a TLS 1.3 draft 0x7fNN or 0xfbNN sits just below 0x0304.
func versionRank(v Version) uint32 {
	if v>>8 == 0x7f || v>>8 == 0xfb {
		return uint32(VersionTLS13)<<8 - 0x100 + uint32(v&0xff)
	}
	return uint32(v) << 8
}

// NegotiatedVersion is the version the server chose: supported_versions'
// selected_version if present, else legacy_version.
func (s *ServerHello) NegotiatedVersion() Version {
	if s.SelectedVersion != 0 {
		return s.SelectedVersion
	}
	return s.Version
}

// ParseServerHello decodes a ServerHello or HelloRetryRequest body (without
// the 4-byte handshake header), always returning the part it could read.
//
// RFC 8446, Section 4.1.3:
//
//	struct {
//	    ProtocolVersion legacy_version = 0x0303;    /* TLS v1.2 */
//	    Random random;
//	    opaque legacy_session_id_echo<0..32>;
//	    CipherSuite cipher_suite;
//	    uint8 legacy_compression_method = 0;
//	    Extension extensions<6..2^16-1>;
//	} ServerHello;
//
// A HelloRetryRequest is a ServerHello whose random is
// SHA-256("HelloRetryRequest"); its extensions are decoded in the
// hello_retry_request context (key_share holds only selected_group).
func ParseServerHello(body []byte) (*ServerHello, []*Error) {
	sh := &ServerHello{}
	p := &parser{root: body, code: CodeMessageMalformed, what: "server_hello"}
	s := cryptobyte.String(body)
	var v, suite uint16
	var sid cryptobyte.String
	if !p.u16(&s, "legacy_version", &v) {
		return sh, p.errs
	}
	sh.Version = Version(v)
	if !p.bytes(&s, 32, "random", &sh.Random) {
		return sh, p.errs
	}
	sh.HelloRetry = bytes.Equal(sh.Random, helloRetryRequestRandom)
	switch tail := sh.Random[24:]; {
	case bytes.Equal(tail, downgradeTLS12):
		sh.Downgrade = "tls12"
	case bytes.Equal(tail, downgradeTLS11):
		sh.Downgrade = "tls11_or_below"
	}
	if sh.HelloRetry {
		p.what = "hello_retry_request"
	}
	if !p.vec(&s, 1, "legacy_session_id_echo", 0, 32, &sid) {
		return sh, p.errs
	}
	sh.SessionID = sid
	if !p.u16(&s, "cipher_suite", &suite) {
		return sh, p.errs
	}
	sh.CipherSuite = CipherSuite(suite)
	if !p.u8(&s, "legacy_compression_method", &sh.Compression) {
		return sh, p.errs
	}
	if s.Empty() {
		return sh, p.errs
	}
	ctx := ExtContextServerHello
	if sh.HelloRetry {
		ctx = ExtContextHelloRetryRequest
	}
	exts, errs := parseExtensionsBlock(p, &s, ctx)
	sh.Extensions = exts
	p.errs = append(p.errs, errs...)
	sh.fill()
	return sh, p.errs
}

// fill sets the convenience fields from the first extension of each type.
func (s *ServerHello) fill() {
	var seenVersion, seenKeyShare, seenALPN bool
	for _, e := range s.Extensions {
		switch v := e.Decoded.(type) {
		case *SupportedVersionsExt:
			if !seenVersion && v.Selected != nil {
				s.SelectedVersion = Version(v.Selected.Code)
			}
			seenVersion = true
		case *KeyShareExt:
			if !seenKeyShare {
				switch {
				case v.SelectedGroup != nil:
					s.SelectedGroup = NamedGroup(v.SelectedGroup.Code)
				case v.ServerShare != nil:
					s.SelectedGroup = NamedGroup(v.ServerShare.Group.Code)
					s.KeyShareLength = v.ServerShare.KeyExchangeLength
				}
			}
			seenKeyShare = true
		case *ALPNExt:
			if !seenALPN && len(v.Protocols) > 0 {
				s.ALPN = v.Protocols[0]
			}
			seenALPN = true
		}
	}
}
