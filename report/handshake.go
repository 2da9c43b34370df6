package report

import (
	"bytes"
	"encoding/hex"
	"encoding/json"

	"github.com/padlock-tls/padlock/dissect"
	"github.com/padlock-tls/padlock/dissect/fingerprint"
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

// MarshalJSON writes the fixed fields first, then Detail's fields.
func (h Handshake) MarshalJSON() ([]byte, error) {
	type base struct {
		From      string `json:"from"`
		Type      string `json:"type"`
		TypeCode  *int   `json:"type_code,omitempty"`
		Length    int    `json:"length"`
		Frames    []int  `json:"frames"`
		Records   []int  `json:"records"`
		Encrypted bool   `json:"encrypted"`
		Decrypted bool   `json:"decrypted,omitempty"`
		Complete  bool   `json:"complete"`
		Capped    bool   `json:"lists_capped,omitempty"`
	}
	b := base{From: h.From, Type: h.Type, Length: h.Length, Frames: nonNil(h.Frames), Records: nonNil(h.Records),
		Encrypted: h.Encrypted, Decrypted: h.Decrypted, Complete: h.Complete, Capped: h.ListsCapped}
	if !h.Encrypted || h.Decrypted {
		code := h.TypeCode
		b.TypeCode = &code
	}
	out, err := json.Marshal(b)
	if err != nil || h.Detail == nil {
		return out, err
	}
	return spliceObject(out, h.Detail)
}

// spliceObject appends the fields of v (which must marshal to an object)
// to the JSON object obj.
func spliceObject(obj []byte, v any) ([]byte, error) {
	extra, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	extra = bytes.TrimSpace(extra)
	if len(extra) < 2 || extra[0] != '{' || string(extra) == "{}" {
		return obj, nil
	}
	out := make([]byte, 0, len(obj)+len(extra))
	out = append(out, obj[:len(obj)-1]...)
	out = append(out, ',')
	out = append(out, extra[1:]...)
	return out, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
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

func (e Extension) MarshalJSON() ([]byte, error) {
	type base struct {
		Code         int    `json:"code"`
		Name         string `json:"name"`
		Length       int    `json:"length"`
		GREASE       bool   `json:"grease,omitempty"`
		Hex          string `json:"hex,omitempty"`
		HexTruncated bool   `json:"hex_truncated,omitempty"`
	}
	b := base{Code: int(e.ext.Type), Name: e.ext.Type.String(), Length: len(e.ext.Data), GREASE: dissect.IsGREASE(uint16(e.ext.Type))}
	if e.ext.Decoded == nil && len(e.ext.Data) > 0 {
		d := e.ext.Data
		if len(d) > maxExtensionHex {
			d, b.HexTruncated = d[:maxExtensionHex], true
		}
		b.Hex = hex.EncodeToString(d)
	}
	out, err := json.Marshal(b)
	if err != nil || e.ext.Decoded == nil {
		return out, err
	}
	return spliceObject(out, e.ext.Decoded)
}

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

func clientHelloJSON(ch *dissect.ClientHello) any {
	d := clientHelloFields(ch)
	if !ch.SSLv2 {
		j := fingerprint.JA3(ch)
		d.JA3, d.JA3Full = j.Hash, j.Full
		j4 := fingerprint.JA4(ch)
		d.JA4, d.JA4R = j4.JA4, j4.JA4R
	}
	return d
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
