package report

// Encoders written by hand for the connection's own types: reflection was
// most of a report's JSON cost. Each writes what encoding/json writes for
// the type (TestHandEncodersMatchEncodingJSON fills every field, so a field
// added later and not written here fails it). None has a MarshalJSON, so
// encoding/json stays the reference they are tested against.

import (
	"strconv"

	"github.com/padlock-tls/padlock/internal/jsonenc"
)

// AppendJSON writes the connection as encoding/json would.
func (c *Connection) AppendJSON(dst []byte) ([]byte, error) {
	var err error
	dst = appendStr(dst, `{"type":`, c.Type)
	dst = appendInt(dst, `,"id":`, c.ID)
	dst = appendStr(dst, `,"transport":`, c.Transport)
	dst = appendStr(dst, `,"community_id":`, c.CommunityID)
	dst = append(dst, `,"client":`...)
	dst, _ = c.Client.AppendJSON(dst)
	dst = append(dst, `,"server":`...)
	dst, _ = c.Server.AppendJSON(dst)
	dst = appendInt(dst, `,"first_frame":`, c.FirstFrame)
	dst = appendInt(dst, `,"last_frame":`, c.LastFrame)
	dst = appendStr(dst, `,"start":`, c.Start)
	dst = appendStr(dst, `,"end":`, c.End)
	dst = append(dst, `,"packets":`...)
	dst, _ = c.Packets.AppendJSON(dst)
	dst = append(dst, `,"bytes":`...)
	dst, _ = c.Bytes.AppendJSON(dst)
	dst = append(dst, `,"tcp":`...)
	if dst, err = c.TCP.AppendJSON(dst); err != nil {
		return dst, err
	}
	dst = append(dst, `,"tls":`...)
	if dst, err = c.TLS.AppendJSON(dst); err != nil {
		return dst, err
	}
	dst = append(dst, `,"handshake":`...)
	if dst, err = appendList(dst, c.Handshake, (*Handshake).AppendJSON); err != nil {
		return dst, err
	}
	dst = append(dst, `,"records":`...)
	if dst, err = appendList(dst, c.Records, (*Record).AppendJSON); err != nil {
		return dst, err
	}
	if c.RecordsCapped {
		dst = append(dst, `,"records_capped":true`...)
	}
	dst = append(dst, `,"certificates":`...)
	if dst, err = appendList(dst, c.Certificates, (*Certificate).AppendJSON); err != nil {
		return dst, err
	}
	if c.Fingerprints != nil {
		dst = append(dst, `,"fingerprints":`...)
		dst, _ = c.Fingerprints.AppendJSON(dst)
	}
	if c.Decryption != nil {
		dst = append(dst, `,"decryption":`...)
		dst, _ = c.Decryption.AppendJSON(dst)
	}
	dst = append(dst, `,"verdict":`...)
	if dst, err = c.Verdict.AppendJSON(dst); err != nil {
		return dst, err
	}
	dst = append(dst, `,"errors":`...)
	if dst, err = appendList(dst, c.Errors, (*Error).AppendJSON); err != nil {
		return dst, err
	}
	return append(dst, '}'), nil
}

// AppendJSON writes the endpoint as encoding/json would.
func (e *Endpoint) AppendJSON(dst []byte) ([]byte, error) {
	dst = appendStr(dst, `{"ip":`, e.IP)
	dst = appendInt(dst, `,"port":`, e.Port)
	return append(dst, '}'), nil
}

// AppendJSON writes the counts as encoding/json would.
func (p *PerSide) AppendJSON(dst []byte) ([]byte, error) {
	dst = appendInt(dst, `{"client":`, p.Client)
	dst = appendInt(dst, `,"server":`, p.Server)
	return append(dst, '}'), nil
}

// AppendJSON writes the counts as encoding/json would.
func (p *PerSide64) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"client":`...)
	dst = strconv.AppendInt(dst, p.Client, 10)
	dst = append(dst, `,"server":`...)
	dst = strconv.AppendInt(dst, p.Server, 10)
	return append(dst, '}'), nil
}

// AppendJSON writes what the TCP layer showed as encoding/json would.
func (t *TCPInfo) AppendJSON(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = appendOptInt(dst, `,"syn_frame":`, t.SYNFrame)
	dst = appendOptInt(dst, `,"synack_frame":`, t.SYNACKFrame)
	if t.RTT != 0 {
		dst = append(dst, `,"rtt":`...)
		var err error
		if dst, err = jsonenc.AppendFloat(dst, t.RTT, 64); err != nil {
			return dst, err
		}
	}
	dst = appendStr(dst, `,"start_seen":`, t.Start)
	dst = appendStr(dst, `,"end_seen":`, t.End)
	dst = append(dst, `,"fin_frame":`...)
	dst, _ = t.FINFrame.AppendJSON(dst)
	dst = append(dst, `,"rst_frame":`...)
	dst, _ = t.RSTFrame.AppendJSON(dst)
	dst = append(dst, `,"gaps":`...)
	dst, _ = t.Gaps.AppendJSON(dst)
	dst = append(dst, `,"retransmitted_bytes":`...)
	dst, _ = t.Retransmit.AppendJSON(dst)
	return closeObject(dst, start), nil
}

// AppendJSON writes what the handshake agreed as encoding/json would.
func (t *TLSInfo) AppendJSON(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = appendOptString(dst, `,"version":`, t.Version)
	dst = appendOptInt(dst, `,"version_code":`, t.VersionCode)
	dst = appendOptString(dst, `,"cipher_suite":`, t.CipherSuite)
	dst = appendOptInt(dst, `,"cipher_suite_code":`, t.CipherSuiteCode)
	dst = appendOptString(dst, `,"client_version":`, t.ClientVersion)
	dst = appendOptInt(dst, `,"client_version_code":`, t.ClientVersionCode)
	dst = appendOptString(dst, `,"group":`, t.Group)
	dst = appendOptInt(dst, `,"group_code":`, t.GroupCode)
	dst = appendOptString(dst, `,"sni":`, t.SNI)
	dst = appendOptString(dst, `,"alpn":`, t.ALPN)
	if len(t.ALPNOffered) > 0 {
		dst = append(dst, `,"alpn_offered":`...)
		dst = appendStrings(dst, t.ALPNOffered)
	}
	dst = appendBool(dst, `,"established":`, t.Established)
	dst = appendBool(dst, `,"resumed":`, t.Resumed)
	dst = appendBool(dst, `,"hello_retry":`, t.HelloRetry)
	dst = appendBool(dst, `,"encrypted_handshake":`, t.EncryptedHandshake)
	dst = appendInt(dst, `,"client_hellos":`, t.ClientHellos)
	dst = append(dst, `,"records":`...)
	dst, _ = t.Records.AppendJSON(dst)
	dst = append(dst, `,"application_data":`...)
	dst, _ = t.AppData.AppendJSON(dst)
	dst = append(dst, `,"alerts":`...)
	dst, _ = appendList(dst, t.Alerts, (*Alert).AppendJSON)
	if t.Cipher != nil {
		dst = append(dst, `,"cipher":`...)
		dst, _ = t.Cipher.AppendJSON(dst)
	}
	dst = appendOptBool(dst, `,"extended_master_secret":`, t.ExtendedMasterSecret)
	dst = appendOptBool(dst, `,"encrypt_then_mac":`, t.EncryptThenMAC)
	dst = appendOptBool(dst, `,"secure_renegotiation":`, t.SecureRenegotiation)
	if t.RecordSizeLimit != nil {
		dst = append(dst, `,"record_size_limit":`...)
		dst, _ = t.RecordSizeLimit.AppendJSON(dst)
	}
	dst = appendOptString(dst, `,"resumption":`, t.Resumption)
	dst = appendBool(dst, `,"session_ticket_offered":`, t.SessionTicketOffered)
	dst = appendBool(dst, `,"psk_offered":`, t.PSKOffered)
	dst = appendBool(dst, `,"early_data_offered":`, t.EarlyDataOffered)
	dst = appendOptString(dst, `,"early_data":`, t.EarlyData)
	dst = appendOptString(dst, `,"hello_retry_group":`, t.HelloRetryGroup)
	dst = appendOptInt(dst, `,"hello_retry_group_code":`, t.HelloRetryGroupCode)
	if t.ECH != nil {
		dst = append(dst, `,"ech":`...)
		dst, _ = t.ECH.AppendJSON(dst)
	}
	dst = appendOptString(dst, `,"downgrade_sentinel":`, t.Downgrade)
	dst = appendOptString(dst, `,"signature_scheme":`, t.SignatureScheme)
	dst = appendOptInt(dst, `,"signature_scheme_code":`, t.SignatureSchemeCode)
	dst = appendOptInt(dst, `,"dh_bits":`, t.DHBits)
	dst = appendBool(dst, `,"client_certificate_requested":`, t.ClientCertificateRequested)
	dst = appendOptBool(dst, `,"client_certificate_sent":`, t.ClientCertificateSent)
	dst = appendOptInt(dst, `,"renegotiations":`, t.Renegotiations)
	if len(t.Heartbeats) > 0 {
		dst = append(dst, `,"heartbeats":`...)
		dst, _ = appendList(dst, t.Heartbeats, (*Heartbeat).AppendJSON)
	}
	dst = append(dst, `,"timing":`...)
	var err error
	if dst, err = t.Timing.AppendJSON(dst); err != nil {
		return dst, err
	}
	if t.Failure != nil {
		dst = append(dst, `,"failure":`...)
		dst, _ = t.Failure.AppendJSON(dst)
	}
	return closeObject(dst, start), nil
}

// AppendJSON writes the cipher suite's parts as encoding/json would.
func (c *CipherInfo) AppendJSON(dst []byte) ([]byte, error) {
	dst = appendStr(dst, `{"key_exchange":`, c.KeyExchange)
	dst = appendStr(dst, `,"authentication":`, c.Authentication)
	dst = appendStr(dst, `,"encryption":`, c.Encryption)
	dst = appendStr(dst, `,"mac":`, c.MAC)
	dst = appendBool(dst, `,"aead":`, c.AEAD)
	dst = appendBool(dst, `,"forward_secrecy":`, c.ForwardSecrecy)
	if c.Export {
		dst = append(dst, `,"export":true`...)
	}
	return append(dst, '}'), nil
}

// AppendJSON writes the ECH offer as encoding/json would.
func (e *ECHInfo) AppendJSON(dst []byte) ([]byte, error) {
	dst = appendBool(dst, `{"offered":`, e.Offered)
	dst = appendOptString(dst, `,"outer_sni":`, e.OuterSNI)
	dst = appendOptIntPtr(dst, `,"config_id":`, e.ConfigID)
	return append(dst, '}'), nil
}

// AppendJSON writes the timings as encoding/json would.
func (t *Timing) AppendJSON(dst []byte) ([]byte, error) {
	start := len(dst)
	var err error
	if dst, err = appendOptFloat(dst, `,"client_hello_to_server_hello":`, t.ClientHelloToServerHello); err != nil {
		return dst, err
	}
	if dst, err = appendOptFloat(dst, `,"handshake":`, t.Handshake); err != nil {
		return dst, err
	}
	dst = append(dst, `,"connection":`...)
	if dst, err = jsonenc.AppendFloat(dst, t.Connection, 64); err != nil {
		return dst, err
	}
	return closeObject(dst, start), nil
}

// AppendJSON writes the failure as encoding/json would.
func (f *Failure) AppendJSON(dst []byte) ([]byte, error) {
	dst = appendStr(dst, `{"reason":`, f.Reason)
	dst = appendStr(dst, `,"explanation":`, f.Explanation)
	dst = appendOptInt(dst, `,"frame":`, f.Frame)
	return append(dst, '}'), nil
}

// AppendJSON writes the application data counts as encoding/json would.
func (a *AppData) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"records":`...)
	dst, _ = a.Records.AppendJSON(dst)
	dst = append(dst, `,"bytes":`...)
	dst, _ = a.Bytes.AppendJSON(dst)
	return append(dst, '}'), nil
}

// AppendJSON writes the alert as encoding/json would.
func (a *Alert) AppendJSON(dst []byte) ([]byte, error) {
	dst = appendStr(dst, `{"from":`, a.From)
	dst = appendOptString(dst, `,"level":`, a.Level)
	dst = appendOptInt(dst, `,"level_code":`, a.LevelCode)
	dst = appendOptString(dst, `,"description":`, a.Description)
	dst = appendOptIntPtr(dst, `,"code":`, a.Code)
	dst = appendBool(dst, `,"encrypted":`, a.Encrypted)
	if a.Decrypted {
		dst = append(dst, `,"decrypted":true`...)
	}
	dst = appendInt(dst, `,"frame":`, a.Frame)
	dst = appendInt(dst, `,"record":`, a.Record)
	dst = appendOptString(dst, `,"in_response_to":`, a.InResponseTo)
	return append(dst, '}'), nil
}

// AppendJSON writes the heartbeat as encoding/json would.
func (h *Heartbeat) AppendJSON(dst []byte) ([]byte, error) {
	dst = appendStr(dst, `{"from":`, h.From)
	dst = appendBool(dst, `,"encrypted":`, h.Encrypted)
	dst = appendOptString(dst, `,"heartbeat_type":`, h.Type)
	dst = appendOptInt(dst, `,"heartbeat_type_code":`, h.TypeCode)
	dst = appendOptIntPtr(dst, `,"payload_length":`, h.PayloadLength)
	dst = appendOptIntPtr(dst, `,"payload_available":`, h.PayloadAvailable)
	dst = appendBool(dst, `,"overread":`, h.Overread)
	dst = appendInt(dst, `,"length":`, h.Length)
	dst = appendInt(dst, `,"frame":`, h.Frame)
	dst = appendInt(dst, `,"record":`, h.Record)
	return append(dst, '}'), nil
}

// AppendJSON writes the error as encoding/json would.
func (e *Error) AppendJSON(dst []byte) ([]byte, error) {
	dst = appendStr(dst, `{"code":`, e.Code)
	dst = appendStr(dst, `,"message":`, e.Message)
	dst = appendStr(dst, `,"where":`, e.Where)
	dst = appendOptString(dst, `,"from":`, e.From)
	dst = appendOptInt(dst, `,"frame":`, e.Frame)
	dst = append(dst, `,"offset":`...)
	dst = strconv.AppendInt(dst, e.Offset, 10)
	dst = appendOptInt(dst, `,"record":`, e.Record)
	return append(dst, '}'), nil
}

// AppendJSON writes the fingerprints as encoding/json would.
func (f *Fingerprints) AppendJSON(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = appendOptString(dst, `,"ja3":`, f.JA3)
	dst = appendOptString(dst, `,"ja3_full":`, f.JA3Full)
	dst = appendOptString(dst, `,"ja3s":`, f.JA3S)
	dst = appendOptString(dst, `,"ja3s_full":`, f.JA3SFull)
	dst = appendOptString(dst, `,"ja4":`, f.JA4)
	dst = appendOptString(dst, `,"ja4_r":`, f.JA4R)
	dst = appendOptString(dst, `,"ja4_o":`, f.JA4O)
	dst = appendOptString(dst, `,"ja4_ro":`, f.JA4RO)
	dst = appendOptString(dst, `,"ja4s":`, f.JA4S)
	dst = appendOptString(dst, `,"ja4s_r":`, f.JA4SR)
	if len(f.JA4X) > 0 {
		dst = append(dst, `,"ja4x":`...)
		dst = appendStrings(dst, f.JA4X)
	}
	return closeObject(dst, start), nil
}

// AppendJSON writes the decryption outcome as encoding/json would.
func (d *Decryption) AppendJSON(dst []byte) ([]byte, error) {
	dst = appendStr(dst, `{"status":`, d.Status)
	if len(d.Labels) > 0 {
		dst = append(dst, `,"labels":`...)
		dst = appendStrings(dst, d.Labels)
	}
	dst = appendOptString(dst, `,"cipher_suite":`, d.Suite)
	dst = append(dst, `,"records_decrypted":`...)
	dst, _ = d.Records.AppendJSON(dst)
	dst = append(dst, `,"records_failed":`...)
	dst, _ = d.Failed.AppendJSON(dst)
	dst = append(dst, `,"key_updates":`...)
	dst, _ = d.KeyUpdates.AppendJSON(dst)
	dst = appendOptInt(dst, `,"early_data_records":`, d.EarlyData)
	dst = appendOptInt(dst, `,"early_data_skipped":`, d.EarlySkipped)
	if d.EarlyRejected {
		dst = append(dst, `,"early_data_rejected":true`...)
	}
	dst = append(dst, `,"renegotiations":`...)
	dst, _ = d.Renegotiations.AppendJSON(dst)
	dst = appendOptString(dst, `,"code":`, d.Code)
	dst = appendOptString(dst, `,"reason":`, d.Reason)
	dst = appendOptInt(dst, `,"frame":`, d.Frame)
	return append(dst, '}'), nil
}

// AppendJSON writes the verdict as encoding/json would.
func (v *Verdict) AppendJSON(dst []byte) ([]byte, error) {
	dst = appendBool(dst, `{"padlock":`, v.Padlock)
	dst = appendBool(dst, `,"certificate_checked":`, v.CertificateChecked)
	dst = append(dst, `,"problems":`...)
	dst, err := appendList(dst, v.Problems, (*Problem).AppendJSON)
	return append(dst, '}'), err
}

// AppendJSON writes the problem as encoding/json would.
func (p *Problem) AppendJSON(dst []byte) ([]byte, error) {
	dst = appendStr(dst, `{"code":`, p.Code)
	dst = appendStr(dst, `,"severity":`, p.Severity)
	dst = appendStr(dst, `,"explanation":`, p.Explanation)
	dst = append(dst, `,"evidence":`...)
	dst, err := p.Evidence.AppendJSON(dst)
	return append(dst, '}'), err
}

// AppendJSON writes the evidence as encoding/json would: the values the
// verdict rules give by hand, anything else by reflection.
func (e *Evidence) AppendJSON(dst []byte) ([]byte, error) {
	dst = appendStr(dst, `{"field":`, e.Field)
	dst = append(dst, `,"value":`...)
	var err error
	switch v := e.Value.(type) {
	case nil:
		dst = append(dst, "null"...)
	case string:
		dst = jsonenc.AppendString(dst, v)
	case bool:
		dst = strconv.AppendBool(dst, v)
	case int:
		dst = strconv.AppendInt(dst, int64(v), 10)
	default:
		dst, err = jsonenc.Append(dst, v)
	}
	return append(dst, '}'), err
}

// appendList writes a list with each element's encoder (null for a nil
// list, as encoding/json writes it).
func appendList[T any](dst []byte, v []T, enc func(*T, []byte) ([]byte, error)) ([]byte, error) {
	if v == nil {
		return append(dst, "null"...), nil
	}
	dst = append(dst, '[')
	for i := range v {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = enc(&v[i], dst); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

// closeObject makes an object of the members written from start, each
// with a leading comma because any of them may be omitted: the first
// comma becomes the '{'.
func closeObject(dst []byte, start int) []byte {
	if len(dst) == start {
		return append(dst, "{}"...)
	}
	dst[start] = '{'
	return append(dst, '}')
}

func appendStr(dst []byte, key, s string) []byte {
	dst = append(dst, key...)
	return jsonenc.AppendString(dst, s)
}

func appendInt(dst []byte, key string, n int) []byte {
	dst = append(dst, key...)
	return strconv.AppendInt(dst, int64(n), 10)
}

func appendBool(dst []byte, key string, b bool) []byte {
	dst = append(dst, key...)
	return strconv.AppendBool(dst, b)
}

// appendOptBool writes key and *b unless b is nil (omitempty).
func appendOptBool(dst []byte, key string, b *bool) []byte {
	if b == nil {
		return dst
	}
	return appendBool(dst, key, *b)
}

// appendOptIntPtr writes key and *n unless n is nil (omitempty).
func appendOptIntPtr(dst []byte, key string, n *int) []byte {
	if n == nil {
		return dst
	}
	return appendInt(dst, key, *n)
}

// appendOptFloat writes key and *f unless f is nil (omitempty).
func appendOptFloat(dst []byte, key string, f *float64) ([]byte, error) {
	if f == nil {
		return dst, nil
	}
	dst = append(dst, key...)
	return jsonenc.AppendFloat(dst, *f, 64)
}
