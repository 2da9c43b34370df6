package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/dissect"
)

// stdJSON is what encoding/json writes for v, as the NDJSON writer's
// reference (no HTML escaping, no newline).
func stdJSON(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// fillString needs escaping, is not ASCII and is not valid UTF-8.
const fillString = "a\"\\\n\t\x01<é>\u2028\xff"

// fill sets every exported field reachable from v (addressable) to a value
// that is not empty: a pointer to a filled value, a list of one filled
// element. An encoder that does not know a field then writes less than
// encoding/json. Interfaces stay nil (encoding/json writes null for a
// field without omitempty); maps are left alone.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(fillString)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5e-7) // written with an exponent
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem())
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0))
		v.Set(s)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	}
}

// handEncoded are the types with a hand-written AppendJSON (and no
// MarshalJSON: encoding/json is the reference).
var handEncoded = []any{
	&Connection{}, &Endpoint{}, &PerSide{}, &PerSide64{}, &TCPInfo{}, &TLSInfo{}, &CipherInfo{}, &ECHInfo{},
	&Timing{}, &Failure{}, &AppData{}, &Alert{}, &Heartbeat{}, &Error{}, &Fingerprints{}, &Decryption{},
	&Verdict{}, &Problem{}, &Evidence{}, &certificateMsgDetail{}, &certificateEntry{}, &compressedCertificateDetail{},
}

func appendOf(t *testing.T, v any) string {
	t.Helper()
	a, ok := v.(interface{ AppendJSON([]byte) ([]byte, error) })
	require.True(t, ok, "%T has no AppendJSON", v)
	_, std := reflect.TypeOf(v).Elem().MethodByName("MarshalJSON")
	require.False(t, std, "%T has a MarshalJSON: encoding/json would not be a reference", v)
	got, err := a.AppendJSON(nil)
	require.NoError(t, err)
	return string(got)
}

// Every hand-written encoder writes what encoding/json writes, for the
// zero value (every omitempty omitted, nil lists null) and for a value
// with every field set (so a field added later and not written fails).
func TestHandEncodersMatchEncodingJSON(t *testing.T) {
	for _, v := range handEncoded {
		name := reflect.TypeOf(v).Elem().Name()
		t.Run(name+"/zero", func(t *testing.T) {
			require.Equal(t, stdJSON(t, v), appendOf(t, v))
		})
		t.Run(name+"/filled", func(t *testing.T) {
			f := reflect.New(reflect.TypeOf(v).Elem())
			fill(f.Elem())
			if c, ok := f.Interface().(*Connection); ok {
				c.Handshake[0].Detail = nil // filled, it would be a string
			}
			require.Equal(t, stdJSON(t, f.Interface()), appendOf(t, f.Interface()))
		})
	}
}

// Values the fill and zero cases miss: empty lists next to nil ones,
// every kind of evidence, floats in both notations, a connection whose
// optional first members are all absent.
func TestHandEncodersCrafted(t *testing.T) {
	yes, no := true, false
	zero, small, big := 0.0, 1e-7, 1e21
	one := 1
	cases := []any{
		&Connection{Handshake: []Handshake{}, Records: []Record{}, Certificates: []Certificate{}, Errors: []Error{},
			Verdict: Verdict{Problems: []Problem{}}, Fingerprints: &Fingerprints{}, Decryption: &Decryption{Labels: []string{}}},
		&TLSInfo{ALPNOffered: []string{}, Alerts: []Alert{}, Heartbeats: []Heartbeat{}, ExtendedMasterSecret: &no,
			EncryptThenMAC: &yes, ClientCertificateSent: &no, Timing: Timing{ClientHelloToServerHello: &zero, Handshake: &big, Connection: small}},
		&TLSInfo{SNI: "ü\x00", Timing: Timing{Connection: 123456.789}},
		&TCPInfo{RTT: 0.000123},
		&TCPInfo{RTT: -2.5e-9, SYNACKFrame: 3},
		&Timing{Connection: 1e20},
		&Fingerprints{JA4X: []string{}},
		&Fingerprints{JA4S: "x"},
		&ECHInfo{ConfigID: &one},
		&Alert{Code: new(int)},
		&Heartbeat{PayloadLength: new(int)},
		&certificateMsgDetail{Entries: []certificateEntry{}},
		&certificateMsgDetail{Context: new(string)},
		&certificateEntry{Extensions: dissect.ExtensionList{}, Index: new(int)},
		&compressedCertificateDetail{Certificate: &certificateMsgDetail{}},
	}
	for _, v := range []any{nil, "s\xfe", true, false, 0, -12, 2.5, []string{"a"}, []string{}, map[string]int{"b": 1, "a": 2}} {
		cases = append(cases, &Evidence{Field: "f", Value: v}, &Problem{Evidence: Evidence{Value: v}})
	}
	for _, v := range cases {
		require.Equal(t, stdJSON(t, v), appendOf(t, v), "%T %+v", v, v)
	}
}

// detailJSON is appendDetail's members as the object they come from.
func detailJSON(t *testing.T, v any) string { return membersJSON(t, appendDetail, v) }

// extensionJSON is appendExtensionFields' members as their object.
func extensionJSON(t *testing.T, v any) string { return membersJSON(t, appendExtensionFields, v) }

// membersJSON is the object of the members enc writes for v.
func membersJSON(t *testing.T, enc func([]byte, any) ([]byte, error), v any) string {
	t.Helper()
	got, err := enc(nil, v)
	require.NoError(t, err)
	if len(got) == 0 {
		return "{}"
	}
	require.Equal(t, byte(','), got[0], "%s", got)
	return "{" + string(got[1:]) + "}"
}

// The handshake messages (and hello extensions) written by hand have the members encoding/json
// writes, zero, filled and crafted; a nil one has none.
func TestDetailEncodersMatchEncodingJSON(t *testing.T) {
	u64, u32 := uint64(5), uint32(0)
	msgs := []any{
		&dissect.ServerKeyExchangeMsg{}, &dissect.ClientKeyExchangeMsg{}, &dissect.NewSessionTicketMsg{},
		&dissect.EncryptedExtensionsMsg{}, &dissect.CertificateRequestMsg{}, &dissect.FinishedMsg{},
		&dissect.CertificateVerifyMsg{}, &dissect.EmptyMsg{},
	}
	exts := []any{&dissect.ServerNameExt{}, &dissect.SessionTicketExt{}, &dissect.KeyShareExt{}}
	for _, set := range []struct {
		values []any
		enc    func([]byte, any) ([]byte, error)
	}{{msgs, appendDetail}, {exts, appendExtensionFields}} {
		for _, v := range set.values {
			name := reflect.TypeOf(v).Elem().Name()
			t.Run(name+"/zero", func(t *testing.T) {
				require.Equal(t, stdJSON(t, v), membersJSON(t, set.enc, v))
			})
			t.Run(name+"/filled", func(t *testing.T) {
				f := reflect.New(reflect.TypeOf(v).Elem())
				fill(f.Elem())
				require.Equal(t, stdJSON(t, f.Interface()), membersJSON(t, set.enc, f.Interface()))
			})
			t.Run(name+"/nil", func(t *testing.T) {
				got, err := set.enc(nil, reflect.Zero(reflect.TypeOf(v)).Interface())
				require.NoError(t, err)
				require.Empty(t, got)
			})
		}
	}
	for _, v := range []any{
		&dissect.ServerNameExt{Names: []dissect.ServerName{}}, &dissect.KeyShareExt{ClientShares: []dissect.KeyShareInfo{}},
		&dissect.KeyShareExt{ServerShare: &dissect.KeyShareInfo{}}, &dissect.SessionTicketExt{Ticket: "ab"},
	} {
		require.Equal(t, stdJSON(t, v), extensionJSON(t, v), "%T %+v", v, v)
	}
	crafted := []any{
		&dissect.ServerKeyExchangeMsg{DHParams: &dissect.DHParams{GInt: &u64}, SignatureInfo: &dissect.SignatureInfo{}},
		&dissect.ServerKeyExchangeMsg{ECDHParams: &dissect.ECDHParams{NamedGroup: &dissect.CodeName{Name: "é"}}},
		&dissect.NewSessionTicketMsg{Lifetime: &u32, Nonce: new(string), Extensions: dissect.ExtensionList{}},
		&dissect.EncryptedExtensionsMsg{Extensions: dissect.ExtensionList{}},
		&dissect.CertificateRequestMsg{CertificateTypes: []dissect.CodeName{}, DistinguishedNames: []string{""}, Context: new(string)},
		certificateMsgDetail{Entries: []certificateEntry{}},
		compressedCertificateDetail{},
	}
	for _, v := range crafted {
		require.Equal(t, stdJSON(t, v), detailJSON(t, v), "%T %+v", v, v)
	}
}

// A code point cached, displaced by another in its slot and cached again
// reads as when rendered afresh, from several goroutines at once.
func TestCodeCache(t *testing.T) {
	suites := codeList[dissect.CipherSuite]{0x1301, 0x1301 + codeCacheSlots, 0x1301, 0x0a0a, 0xfeff, 0x1301}
	schemes := codeList[dissect.SignatureScheme]{0x0303, 0x0303 + codeCacheSlots, 0x0403, 0x0303}
	want := func(l []CodeName) string { return stdJSON(t, l) }
	var wantSuites, wantSchemes []CodeName
	for _, v := range suites {
		wantSuites = append(wantSuites, CodeName{int(v), v.String()})
	}
	for _, v := range schemes {
		wantSchemes = append(wantSchemes, CodeName{int(v), v.String()})
	}
	done := make(chan [2]string)
	for range 4 {
		go func() {
			var got [2]string
			for range 50 {
				a, _ := suites.AppendJSON(nil)
				b, _ := schemes.AppendJSON(nil)
				got = [2]string{string(a), string(b)}
			}
			done <- got
		}()
	}
	for range 4 {
		got := <-done
		require.Equal(t, want(wantSuites), got[0])
		require.Equal(t, want(wantSchemes), got[1])
	}
}
