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
		if dst, err = jsonenc.AppendFields(dst, h.Detail); err != nil {
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

func codeNames[T interface {
	~uint8 | ~uint16
	String() string
}](vals []T) []CodeName {
	out := make([]CodeName, len(vals))
	for i, v := range vals {
		out[i] = CodeName{Code: int(v), Name: v.String()}
	}
	return out
}

// Extension is one hello extension: code, name, length, then its decoded
// fields, or its bytes in hex when padlock does not decode it.
type Extension struct {
	ext dissect.Extension
}

// maxExtensionHex caps the hex dump of an undecoded extension.
const maxExtensionHex = 1024

// AppendJSON writes code, name, length and grease, then the decoded
// fields, or the bytes in hex when they are not decoded.
func (e Extension) AppendJSON(dst []byte) ([]byte, error) {
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
	dst, err := jsonenc.AppendFields(dst, e.ext.Decoded)
	return append(dst, '}'), err
}

// MarshalJSON is AppendJSON for encoding/json.
func (e Extension) MarshalJSON() ([]byte, error) { return e.AppendJSON(nil) }

func extensions(exts []dissect.Extension) []Extension {
	out := make([]Extension, len(exts))
	for i, e := range exts {
		out[i] = Extension{e}
	}
	return out
}

// clientHelloDetail is every field of a ClientHello.
type clientHelloDetail struct {
	Version            string      `json:"version"`
	VersionCode        int         `json:"version_code"`
	Random             string      `json:"random"`
	SessionID          string      `json:"session_id"`
	SessionIDLength    int         `json:"session_id_length"`
	CipherSuites       []CodeName  `json:"cipher_suites"`
	CompressionMethods []int       `json:"compression_methods"`
	Extensions         []Extension `json:"extensions"`
	SNI                string      `json:"sni,omitempty"`
	ALPN               []string    `json:"alpn,omitempty"`
	SupportedVersions  []CodeName  `json:"supported_versions,omitempty"`
	SupportedGroups    []CodeName  `json:"supported_groups,omitempty"`
	SignatureSchemes   []CodeName  `json:"signature_algorithms,omitempty"`
	SSLv2              bool        `json:"sslv2,omitempty"`
	// Fingerprints of this hello (fingerprints{} has the connection's:
	// the last ClientHello's), as tshark shows one per hello.
	JA3     string `json:"ja3,omitempty"`
	JA3Full string `json:"ja3_full,omitempty"`
	JA4     string `json:"ja4,omitempty"`
	JA4R    string `json:"ja4_r,omitempty"`
}

func clientHelloJSON(s *connState, ch *dissect.ClientHello) any {
	d := clientHelloFields(ch)
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
	p := helloPrint{ch: ch, ja3: fingerprint.JA3(ch), ja4: fingerprint.JA4(ch)}
	s.prints = append(s.prints, p)
	return p
}

func clientHelloFields(ch *dissect.ClientHello) clientHelloDetail {
	d := clientHelloDetail{
		Version:           ch.Version.String(),
		VersionCode:       int(ch.Version),
		Random:            hex.EncodeToString(ch.Random),
		SessionID:         hex.EncodeToString(ch.SessionID),
		SessionIDLength:   len(ch.SessionID),
		CipherSuites:      codeNames(ch.CipherSuites),
		Extensions:        extensions(ch.Extensions),
		SNI:               ch.SNI,
		ALPN:              ch.ALPN,
		SupportedVersions: codeNames(ch.SupportedVersions),
		SupportedGroups:   codeNames(ch.SupportedGroups),
		SignatureSchemes:  codeNames(ch.SignatureSchemes),
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
func serverHelloWithFingerprints(sh *dissect.ServerHello, ja4plus bool) any {
	d := serverHelloJSON(sh).(serverHelloDetail)
	j := fingerprint.JA3S(sh)
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
	Random              string      `json:"random"`
	SessionID           string      `json:"session_id"`
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

func serverHelloJSON(sh *dissect.ServerHello) any {
	d := serverHelloDetail{
		Version:           sh.Version.String(),
		VersionCode:       int(sh.Version),
		Random:            hex.EncodeToString(sh.Random),
		SessionID:         hex.EncodeToString(sh.SessionID),
		SessionIDLength:   len(sh.SessionID),
		CipherSuite:       sh.CipherSuite.String(),
		CipherSuiteCode:   int(sh.CipherSuite),
		CompressionMethod: int(sh.Compression),
		Extensions:        extensions(sh.Extensions),
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
