package report

import (
	"encoding/hex"
	"strconv"

	"github.com/padlock-tls/padlock/dissect"
	"github.com/padlock-tls/padlock/dissect/fingerprint"
	"github.com/padlock-tls/padlock/internal/jsonenc"
)

// Handshake is one handshake message: where it came from, which frames and
// records carried it, and every field decoded from it (Detail, flattened
// into the same JSON object).
type Handshake struct {
	From      string
	Type      string
	TypeCode  int
	Length    int
	Frames    []int
	Records   []int
	Encrypted bool
	Decrypted bool
	Complete  bool
	// ListsCapped: Records and Frames hold only their first entries.
	ListsCapped bool
	Detail      any
}

// AppendJSON writes the fixed fields first, then Detail's fields.
func (h Handshake) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"from":`...)
	dst = jsonenc.AppendString(dst, h.From)
	dst = append(dst, `,"type":`...)
	dst = jsonenc.AppendString(dst, h.Type)
	if !h.Encrypted || h.Decrypted {
		dst = append(dst, `,"type_code":`...)
		dst = strconv.AppendInt(dst, int64(h.TypeCode), 10)
	}
	dst = append(dst, `,"length":`...)
	dst = strconv.AppendInt(dst, int64(h.Length), 10)
	dst = append(dst, `,"frames":`...)
	dst = appendInts(dst, h.Frames)
	dst = append(dst, `,"records":`...)
	dst = appendInts(dst, h.Records)
	dst = append(dst, `,"encrypted":`...)
	dst = strconv.AppendBool(dst, h.Encrypted)
	if h.Decrypted {
		dst = append(dst, `,"decrypted":true`...)
	}
	dst = append(dst, `,"complete":`...)
	dst = strconv.AppendBool(dst, h.Complete)
	if h.ListsCapped {
		dst = append(dst, `,"lists_capped":true`...)
	}
	if h.Detail != nil {
		var err error
		if dst, err = appendDetail(dst, h.Detail); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// MarshalJSON is AppendJSON for encoding/json.
func (h Handshake) MarshalJSON() ([]byte, error) { return h.AppendJSON(nil) }

// appendInts writes a JSON array of ints ([] for none).
func appendInts(dst []byte, v []int) []byte {
	dst = append(dst, '[')
	for i, n := range v {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(n), 10)
	}
	return append(dst, ']')
}

// CodeName is a registry value with its name.
type CodeName struct {
	Code int    `json:"code"`
	Name string `json:"name"`
}

// codeList is a list of code points shown as CodeName objects, rendered
// straight from the parsed values: a hello has several, in every report.
type codeList[T interface {
	~uint8 | ~uint16
	String() string
}] []T

// AppendJSON writes the list as []CodeName would be (an empty list, never
// null).
func (l codeList[T]) AppendJSON(dst []byte) ([]byte, error) {
	c := codeCacheOf[T]()
	dst = append(dst, '[')
	for i, v := range l {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCode(dst, c, v)
	}
	return append(dst, ']'), nil
}

// MarshalJSON is AppendJSON for encoding/json.
func (l codeList[T]) MarshalJSON() ([]byte, error) { return l.AppendJSON(nil) }

// hexBytes is bytes shown as a hex string, encoded as the JSON is written.
type hexBytes []byte

// AppendJSON writes the bytes as a JSON string of lowercase hex.
func (b hexBytes) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, '"')
	dst = hex.AppendEncode(dst, b)
	return append(dst, '"'), nil
}

// MarshalJSON is AppendJSON for encoding/json.
func (b hexBytes) MarshalJSON() ([]byte, error) { return b.AppendJSON(nil) }

// Extension is one hello extension: code, name, length, then its decoded
// fields, or its bytes in hex when padlock does not decode it.
type Extension struct {
	ext  *dissect.Extension // in the parsed hello's list
	json []byte             // rendered already (extCache), or nil
}

// maxExtensionHex caps the hex dump of an undecoded extension.
const maxExtensionHex = 1024

// AppendJSON writes code, name, length and grease, then the decoded
// fields, or the bytes in hex when they are not decoded.
func (e Extension) AppendJSON(dst []byte) ([]byte, error) {
	if e.json != nil {
		return append(dst, e.json...), nil
	}
	dst = append(dst, `{"code":`...)
	dst = strconv.AppendInt(dst, int64(e.ext.Type), 10)
	dst = append(dst, `,"name":`...)
	dst = jsonenc.AppendString(dst, e.ext.Type.String())
	dst = append(dst, `,"length":`...)
	dst = strconv.AppendInt(dst, int64(len(e.ext.Data)), 10)
	if dissect.IsGREASE(uint16(e.ext.Type)) {
		dst = append(dst, `,"grease":true`...)
	}
	if e.ext.Decoded == nil {
		if len(e.ext.Data) > 0 {
			d := e.ext.Data
			if len(d) > maxExtensionHex {
				d = d[:maxExtensionHex]
			}
			dst = append(dst, `,"hex":"`...)
			dst = hex.AppendEncode(dst, d)
			dst = append(dst, '"')
			if len(e.ext.Data) > maxExtensionHex {
				dst = append(dst, `,"hex_truncated":true`...)
			}
		}
		return append(dst, '}'), nil
	}
	dst, err := appendExtensionFields(dst, e.ext.Decoded)
	return append(dst, '}'), err
}

// MarshalJSON is AppendJSON for encoding/json.
func (e Extension) MarshalJSON() ([]byte, error) { return e.AppendJSON(nil) }

func extensions(exts []dissect.Extension, ctx dissect.ExtContext, cache *extCache) []Extension {
	out := make([]Extension, len(exts))
	for i := range exts {
		out[i] = Extension{ext: &exts[i], json: cache.json(ctx, &exts[i])}
	}
	return out
}

// extCache keeps the JSON of extensions seen before, by their bytes: most
// clients send the same supported_groups, signature_algorithms and so on
// in every hello, and rendering them was a third of a report's JSON. An
// extension's JSON depends only on its bytes and the message it is in
// (dissect is pure). One builder's; not safe for concurrent use.
type extCache struct {
	m   map[string][]byte
	key []byte
}

// Bounds: entries, and the body of an extension worth keeping.
const (
	maxExtCache   = 1024
	maxCachedBody = 256
)

// json returns e's JSON from the cache, rendering and keeping it on a
// miss; nil for an extension not kept (too long, or different in most
// connections, as server names, key shares and tickets are).
func (c *extCache) json(ctx dissect.ExtContext, e *dissect.Extension) []byte {
	if c == nil || len(e.Data) > maxCachedBody {
		return nil
	}
	switch e.Type {
	case dissect.ExtensionServerName, dissect.ExtensionKeyShare, dissect.ExtensionPreSharedKey, dissect.ExtensionSessionTicket,
		dissect.ExtensionCookie, dissect.ExtensionEncryptedClientHello:
		return nil
	}
	c.key = append(c.key[:0], byte(ctx), byte(e.Type>>8), byte(e.Type))
	c.key = append(c.key, e.Data...)
	if b, ok := c.m[string(c.key)]; ok {
		return b
	}
	b, err := Extension{ext: e}.AppendJSON(nil)
	if err != nil {
		return nil
	}
	if c.m == nil || len(c.m) >= maxExtCache {
		c.m = make(map[string][]byte, 64)
	}
	c.m[string(c.key)] = b
	return b
}

// clientHelloDetail is every field of a ClientHello.
type clientHelloDetail struct {
	Version            string                            `json:"version"`
	VersionCode        int                               `json:"version_code"`
	Random             hexBytes                          `json:"random"`
	SessionID          hexBytes                          `json:"session_id"`
	SessionIDLength    int                               `json:"session_id_length"`
	CipherSuites       codeList[dissect.CipherSuite]     `json:"cipher_suites"`
	CompressionMethods []int                             `json:"compression_methods"`
	Extensions         []Extension                       `json:"extensions"`
	SNI                string                            `json:"sni,omitempty"`
	ALPN               []string                          `json:"alpn,omitempty"`
	SupportedVersions  codeList[dissect.Version]         `json:"supported_versions,omitempty"`
	SupportedGroups    codeList[dissect.NamedGroup]      `json:"supported_groups,omitempty"`
	SignatureSchemes   codeList[dissect.SignatureScheme] `json:"signature_algorithms,omitempty"`
	SSLv2              bool                              `json:"sslv2,omitempty"`
	// Fingerprints of this hello (fingerprints{} has the connection's:
	// the last ClientHello's), as tshark shows one per hello.
	JA3     string `json:"ja3,omitempty"`
	JA3Full string `json:"ja3_full,omitempty"`
	JA4     string `json:"ja4,omitempty"`
	JA4R    string `json:"ja4_r,omitempty"`
}

func clientHelloJSON(s *connState, ch *dissect.ClientHello) any {
	d := clientHelloFields(ch, s.exts)
	if !ch.SSLv2 {
		p := s.helloPrints(ch)
		d.JA3, d.JA3Full = p.ja3.Hash, p.ja3.Full
		d.JA4, d.JA4R = p.ja4.JA4, p.ja4.JA4R
	}
	return d
}

// helloPrint is a ClientHello's JA3 and JA4, computed once: they appear
// both in the hello and in the connection's fingerprints.
type helloPrint struct {
	ch  *dissect.ClientHello
	ja3 fingerprint.JA3Result
	ja4 fingerprint.JA4Result
}

func (s *connState) helloPrints(ch *dissect.ClientHello) helloPrint {
	for _, p := range s.prints {
		if p.ch == ch {
			return p
		}
	}
	p := helloPrint{ch: ch}
	p.ja3, p.ja4 = fingerprint.ClientPrints(ch)
	s.prints = append(s.prints, p)
	return p
}

func clientHelloFields(ch *dissect.ClientHello, cache *extCache) clientHelloDetail {
	d := clientHelloDetail{
		Version:           ch.Version.String(),
		VersionCode:       int(ch.Version),
		Random:            hexBytes(ch.Random),
		SessionID:         hexBytes(ch.SessionID),
		SessionIDLength:   len(ch.SessionID),
		CipherSuites:      ch.CipherSuites,
		Extensions:        extensions(ch.Extensions, dissect.ExtContextClientHello, cache),
		SNI:               ch.SNI,
		ALPN:              ch.ALPN,
		SupportedVersions: ch.SupportedVersions,
		SupportedGroups:   ch.SupportedGroups,
		SignatureSchemes:  ch.SignatureSchemes,
		SSLv2:             ch.SSLv2,
	}
	d.CompressionMethods = make([]int, len(ch.CompressionMethods))
	for i, m := range ch.CompressionMethods {
		d.CompressionMethods[i] = int(m)
	}
	return d
}

// serverHelloWithFingerprints adds the hello's own JA3S (and JA4S with
// ja4plus) to its fields.
func serverHelloWithFingerprints(sh *dissect.ServerHello, ja4plus bool, cache *extCache) any {
	d := serverHelloJSON(sh, cache).(serverHelloDetail)
	j := fingerprint.ServerPrint(sh)
	d.JA3S, d.JA3SFull = j.Hash, j.Full
	if ja4plus {
		d.JA4S, d.JA4SR = fingerprint.JA4S(sh)
	}
	return d
}

// serverHelloDetail is every field of a ServerHello or HelloRetryRequest.
type serverHelloDetail struct {
	Version             string      `json:"version"`
	VersionCode         int         `json:"version_code"`
	Random              hexBytes    `json:"random"`
	SessionID           hexBytes    `json:"session_id"`
	SessionIDLength     int         `json:"session_id_length"`
	CipherSuite         string      `json:"cipher_suite"`
	CipherSuiteCode     int         `json:"cipher_suite_code"`
	CompressionMethod   int         `json:"compression_method"`
	Extensions          []Extension `json:"extensions"`
	SelectedVersion     string      `json:"selected_version,omitempty"`
	SelectedVersionCode int         `json:"selected_version_code,omitempty"`
	HelloRetryRequest   bool        `json:"hello_retry_request"`
	SelectedGroup       string      `json:"selected_group,omitempty"`
	SelectedGroupCode   int         `json:"selected_group_code,omitempty"`
	KeyShareLength      int         `json:"key_share_length,omitempty"`
	ALPN                string      `json:"alpn,omitempty"`
	Downgrade           string      `json:"downgrade_sentinel,omitempty"`
	JA3S                string      `json:"ja3s,omitempty"`
	JA3SFull            string      `json:"ja3s_full,omitempty"`
	JA4S                string      `json:"ja4s,omitempty"` // --ja4plus
	JA4SR               string      `json:"ja4s_r,omitempty"`
}

func serverHelloJSON(sh *dissect.ServerHello, cache *extCache) any {
	ctx := dissect.ExtContextServerHello
	if sh.HelloRetry {
		ctx = dissect.ExtContextHelloRetryRequest
	}
	d := serverHelloDetail{
		Version:           sh.Version.String(),
		VersionCode:       int(sh.Version),
		Random:            hexBytes(sh.Random),
		SessionID:         hexBytes(sh.SessionID),
		SessionIDLength:   len(sh.SessionID),
		CipherSuite:       sh.CipherSuite.String(),
		CipherSuiteCode:   int(sh.CipherSuite),
		CompressionMethod: int(sh.Compression),
		Extensions:        extensions(sh.Extensions, ctx, cache),
		HelloRetryRequest: sh.HelloRetry,
		KeyShareLength:    sh.KeyShareLength,
		ALPN:              sh.ALPN,
		Downgrade:         sh.Downgrade,
	}
	if sh.SelectedVersion != 0 {
		d.SelectedVersion, d.SelectedVersionCode = sh.SelectedVersion.String(), int(sh.SelectedVersion)
	}
	if sh.SelectedGroup != 0 {
		d.SelectedGroup, d.SelectedGroupCode = sh.SelectedGroup.String(), int(sh.SelectedGroup)
	}
	return d
}

// AppendJSON writes the ClientHello's fields as encoding/json would
// (TestHelloDetailsAsEncodingJSON), without reflection: there is one or two
// in every report.
func (d clientHelloDetail) AppendJSON(dst []byte) ([]byte, error) {
	dst = appendHelloHead(dst, d.Version, d.VersionCode, d.Random, d.SessionID, d.SessionIDLength)
	dst = append(dst, `,"cipher_suites":`...)
	dst, _ = d.CipherSuites.AppendJSON(dst)
	dst = append(dst, `,"compression_methods":`...)
	dst = appendIntsOrNull(dst, d.CompressionMethods)
	dst = append(dst, `,"extensions":`...)
	dst, err := appendExtensions(dst, d.Extensions)
	if err != nil {
		return dst, err
	}
	dst = appendOptString(dst, `,"sni":`, d.SNI)
	if len(d.ALPN) > 0 {
		dst = append(dst, `,"alpn":`...)
		dst = appendStrings(dst, d.ALPN)
	}
	if len(d.SupportedVersions) > 0 {
		dst = append(dst, `,"supported_versions":`...)
		dst, _ = d.SupportedVersions.AppendJSON(dst)
	}
	if len(d.SupportedGroups) > 0 {
		dst = append(dst, `,"supported_groups":`...)
		dst, _ = d.SupportedGroups.AppendJSON(dst)
	}
	if len(d.SignatureSchemes) > 0 {
		dst = append(dst, `,"signature_algorithms":`...)
		dst, _ = d.SignatureSchemes.AppendJSON(dst)
	}
	if d.SSLv2 {
		dst = append(dst, `,"sslv2":true`...)
	}
	dst = appendOptString(dst, `,"ja3":`, d.JA3)
	dst = appendOptString(dst, `,"ja3_full":`, d.JA3Full)
	dst = appendOptString(dst, `,"ja4":`, d.JA4)
	dst = appendOptString(dst, `,"ja4_r":`, d.JA4R)
	return append(dst, '}'), nil
}

// MarshalJSON is AppendJSON for encoding/json.
func (d clientHelloDetail) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// AppendJSON writes the ServerHello's fields as encoding/json would.
func (d serverHelloDetail) AppendJSON(dst []byte) ([]byte, error) {
	dst = appendHelloHead(dst, d.Version, d.VersionCode, d.Random, d.SessionID, d.SessionIDLength)
	dst = append(dst, `,"cipher_suite":`...)
	dst = jsonenc.AppendString(dst, d.CipherSuite)
	dst = append(dst, `,"cipher_suite_code":`...)
	dst = strconv.AppendInt(dst, int64(d.CipherSuiteCode), 10)
	dst = append(dst, `,"compression_method":`...)
	dst = strconv.AppendInt(dst, int64(d.CompressionMethod), 10)
	dst = append(dst, `,"extensions":`...)
	dst, err := appendExtensions(dst, d.Extensions)
	if err != nil {
		return dst, err
	}
	dst = appendOptString(dst, `,"selected_version":`, d.SelectedVersion)
	dst = appendOptInt(dst, `,"selected_version_code":`, d.SelectedVersionCode)
	dst = append(dst, `,"hello_retry_request":`...)
	dst = strconv.AppendBool(dst, d.HelloRetryRequest)
	dst = appendOptString(dst, `,"selected_group":`, d.SelectedGroup)
	dst = appendOptInt(dst, `,"selected_group_code":`, d.SelectedGroupCode)
	dst = appendOptInt(dst, `,"key_share_length":`, d.KeyShareLength)
	dst = appendOptString(dst, `,"alpn":`, d.ALPN)
	dst = appendOptString(dst, `,"downgrade_sentinel":`, d.Downgrade)
	dst = appendOptString(dst, `,"ja3s":`, d.JA3S)
	dst = appendOptString(dst, `,"ja3s_full":`, d.JA3SFull)
	dst = appendOptString(dst, `,"ja4s":`, d.JA4S)
	dst = appendOptString(dst, `,"ja4s_r":`, d.JA4SR)
	return append(dst, '}'), nil
}

// MarshalJSON is AppendJSON for encoding/json.
func (d serverHelloDetail) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil) }

// appendHelloHead opens a hello's object with the fields both hellos
// start with.
func appendHelloHead(dst []byte, version string, code int, random, sessionID hexBytes, sessionIDLen int) []byte {
	dst = append(dst, `{"version":`...)
	dst = jsonenc.AppendString(dst, version)
	dst = append(dst, `,"version_code":`...)
	dst = strconv.AppendInt(dst, int64(code), 10)
	dst = append(dst, `,"random":`...)
	dst, _ = random.AppendJSON(dst)
	dst = append(dst, `,"session_id":`...)
	dst, _ = sessionID.AppendJSON(dst)
	dst = append(dst, `,"session_id_length":`...)
	return strconv.AppendInt(dst, int64(sessionIDLen), 10)
}

// appendExtensions writes a list of extensions (null for none at all, as
// encoding/json writes a nil slice).
func appendExtensions(dst []byte, exts []Extension) ([]byte, error) {
	if exts == nil {
		return append(dst, "null"...), nil
	}
	dst = append(dst, '[')
	for i, e := range exts {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = e.AppendJSON(dst); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

// appendStrings writes a non-empty list of strings.
func appendStrings(dst []byte, v []string) []byte {
	dst = append(dst, '[')
	for i, s := range v {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonenc.AppendString(dst, s)
	}
	return append(dst, ']')
}

// appendOptString writes key and s unless s is empty (omitempty).
func appendOptString(dst []byte, key, s string) []byte {
	if s == "" {
		return dst
	}
	return appendStr(dst, key, s)
}

// appendOptInt writes key and n unless n is 0 (omitempty).
func appendOptInt(dst []byte, key string, n int) []byte {
	if n == 0 {
		return dst
	}
	return appendInt(dst, key, n)
}

// appendIntsOrNull is appendInts, with null for a nil list as
// encoding/json writes it.
func appendIntsOrNull(dst []byte, v []int) []byte {
	if v == nil {
		return append(dst, "null"...)
	}
	return appendInts(dst, v)
}
