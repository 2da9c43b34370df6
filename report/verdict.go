package report

import (
	"fmt"
	"strings"
)

// Verdict says whether the connection earned the browser's padlock and,
// if not, why. Each rule is documented in README ("The padlock verdict").
type Verdict struct {
	Padlock bool `json:"padlock"`
	// CertificateChecked is false when the server's certificate could not
	// be seen (TLS 1.3 encrypts it) or was not captured: then padlock is
	// never awarded, and a problem says so.
	CertificateChecked bool      `json:"certificate_checked"`
	Problems           []Problem `json:"problems"`
}

// Problem is one reason a connection falls short.
type Problem struct {
	Code        string   `json:"code"`
	Severity    string   `json:"severity"` // critical: no padlock; warning: padlock, but weak; unknown: cannot be judged
	Explanation string   `json:"explanation"`
	Evidence    Evidence `json:"evidence"`
}

// Evidence points at the report field and value a problem rests on.
type Evidence struct {
	Field string `json:"field"`
	Value any    `json:"value"`
}

// Severities.
const (
	severityCritical = "critical"
	severityWarning  = "warning"
	severityUnknown  = "unknown"
)

func (v *Verdict) add(code, severity, field string, value any, format string, args ...any) {
	v.Problems = append(v.Problems, Problem{Code: code, Severity: severity,
		Explanation: fmt.Sprintf(format, args...), Evidence: Evidence{Field: field, Value: value}})
}

// weakCiphers maps a part of a suite name to the problem it means.
var weakCiphers = []struct {
	part, code, why string
}{
	{"_NULL_", "cipher_null", "encrypts nothing"},
	{"WITH_NULL", "cipher_null", "encrypts nothing"},
	{"EXPORT", "cipher_export", "is an EXPORT suite with keys breakable for decades (FREAK, Logjam)"},
	{"_anon_", "cipher_anonymous", "authenticates no one: anyone in the path can impersonate the server"},
	{"RC4", "cipher_rc4", "uses RC4, prohibited by RFC 7465"},
	{"3DES", "cipher_3des", "uses 3DES, a 64-bit block cipher open to SWEET32 (RFC 9325, Section 4.1)"},
	{"_DES_", "cipher_des", "uses single DES, broken by brute force"},
	{"DES40", "cipher_des", "uses 40-bit DES"},
	{"IDEA", "cipher_idea", "uses IDEA, a 64-bit block cipher"},
}

// unseen are the failure reasons where the capture, not the connection,
// is what ended.
var unseen = map[string]bool{"capture_ended": true, "handshake_not_captured": true, "capture_gap": true}

// verdict applies the connection rules (see README for the table and sources).
func verdict(c *Connection, cert certFindings) Verdict {
	v := Verdict{Problems: []Problem{}, CertificateChecked: cert.checked}
	t := c.TLS
	if !t.Established {
		reason := "the handshake did not complete."
		if t.Failure != nil {
			reason = t.Failure.Explanation
		}
		switch {
		case t.Failure != nil && unseen[t.Failure.Reason]:
			// Nothing failed: the capture does not show the end.
			v.add("handshake_not_seen", severityUnknown, "tls.failure.reason", t.Failure.Reason,
				"The capture does not show this handshake complete, so padlock cannot award the padlock. %s", reason)
		default:
			v.add("handshake_failed", severityCritical, "tls.established", false,
				"No padlock without a completed handshake. %s", reason)
		}
	}
	if t.VersionCode != 0 && t.VersionCode < 0x0303 {
		v.add("protocol_outdated", severityCritical, "tls.version", t.Version,
			"%s is deprecated (RFC 8996) and browsers refuse it; TLS 1.2 is the minimum.", t.Version)
	}
	if t.CipherSuite != "" {
		seen := map[string]bool{}
		for _, w := range weakCiphers {
			if strings.Contains(t.CipherSuite, w.part) && !seen[w.code] {
				seen[w.code] = true
				v.add(w.code, severityCritical, "tls.cipher_suite", t.CipherSuite, "%s %s.", t.CipherSuite, w.why)
			}
		}
		if t.Cipher != nil && !t.Cipher.ForwardSecrecy && !seen["cipher_anonymous"] && !seen["cipher_null"] {
			v.add("no_forward_secrecy", severityWarning, "tls.cipher.forward_secrecy", false,
				"%s uses %s key exchange: whoever obtains the server's private key later can decrypt this recorded session (RFC 9325, Section 4.1).", t.CipherSuite, t.Cipher.KeyExchange)
		}
	}
	if t.ExtendedMasterSecret != nil && !*t.ExtendedMasterSecret {
		v.add("no_extended_master_secret", severityWarning, "tls.extended_master_secret", false,
			"The TLS 1.2 handshake did not use the extended master secret (RFC 7627), which RFC 9325 requires: the session is open to triple-handshake attacks.")
	}
	if t.SecureRenegotiation != nil && !*t.SecureRenegotiation {
		v.add("no_secure_renegotiation", severityWarning, "tls.secure_renegotiation", false,
			"The server did not confirm secure renegotiation (RFC 5746), so renegotiation can be abused for prefix injection.")
	}
	for _, hb := range t.Heartbeats {
		if !hb.Overread {
			continue
		}
		if hb.TypeCode == 2 {
			v.add("heartbleed_response", severityCritical, "tls.heartbeats", hb.Frame,
				"The %s answered a heartbeat with more payload than the request could hold (frame %d): it leaked memory, the Heartbleed bug (CVE-2014-0160).", hb.From, hb.Frame)
		} else {
			v.add("heartbleed_probe", severityWarning, "tls.heartbeats", hb.Frame,
				"The %s sent a heartbeat claiming more payload than it carried (frame %d): a Heartbleed (CVE-2014-0160) probe.", hb.From, hb.Frame)
		}
	}
	certStart := len(v.Problems) // the certificate problems follow
	v.Problems = append(v.Problems, cert.problems...)
	if t.Established && !v.CertificateChecked {
		if t.EncryptedHandshake {
			v.add("certificate_not_visible", severityUnknown, "tls.encrypted_handshake", true,
				"TLS 1.3 encrypts the server's certificate: without the session keys padlock cannot check who the server is, so it does not award the padlock.")
		} else {
			v.add("certificate_not_seen", severityUnknown, "certificates", nil,
				"No server certificate was seen (resumed session, or not captured): padlock cannot check who the server is, so it does not award the padlock.")
		}
	}
	if len(v.Problems) > certStart {
		if hint := refusalHint(c); hint != "" {
			v.Problems[certStart].Explanation += " " + hint
		}
	}
	v.Padlock = true
	for _, p := range v.Problems {
		if p.Severity == severityCritical || p.Severity == severityUnknown {
			v.Padlock = false
		}
	}
	return v
}

// lookalike ends a refusal hint that rests on an alert no one can read.
const lookalike = "; a close_notify from a client that only tests the handshake looks the same."

// tls13AlertRecord is the length of a TLS 1.3 record holding one alert:
// the 2-byte alert, its inner content type and a 16-byte AEAD tag (RFC
// 8446, Section 5.2).
const tls13AlertRecord = 2 + 1 + 16

// refusalHint explains an established connection that the client ended
// with an alert before sending any data. That is how a client that checks
// the certificate only after the handshake refuses it (curl does, for a
// name that does not match); a browser or OpenSSL refuses during the
// handshake instead, which is a failed handshake. In TLS 1.3 the alert
// travels as application data: a lone client record of an alert's length
// is taken for one. The hint goes with the first certificate problem
// (what the client most likely refused); "" when the pattern is not there.
func refusalHint(c *Connection) string {
	t := &c.TLS
	if !t.Established || (c.TCP.FINFrame.Client == 0 && c.TCP.RSTFrame.Client == 0) {
		return ""
	}
	how := "hung up"
	if fin, rst := c.TCP.FINFrame.Client, c.TCP.RSTFrame.Client; rst != 0 && (fin == 0 || rst < fin) {
		how = "reset the connection"
	}
	for _, a := range t.Alerts {
		if a.From != "client" {
			continue
		}
		if a.Description == "close_notify" || t.AppData.Records.Client > 0 {
			return ""
		}
		if a.Description != "" {
			return fmt.Sprintf("The client sent a %s %s alert (frame %d) right after the handshake and %s without sending any data: that is how a client that checks the certificate after the handshake (curl does) refuses it.",
				a.Level, a.Description, a.Frame, how)
		}
		return fmt.Sprintf("The client sent an encrypted alert (frame %d) right after the handshake and %s without sending any data: that is how a client that checks the certificate after the handshake (curl does) refuses it%s",
			a.Frame, how, lookalike)
	}
	if t.VersionCode != 0x0304 || t.AppData.Records.Client == 0 || t.AppData.Records.Client > 2 {
		return ""
	}
	// Without keys, the client's Finished is an application_data record
	// too: its first one may be the Finished, then the alert.
	var recs []*Record
	for i := range c.Records {
		if r := &c.Records[i]; r.From == "client" && r.TypeCode == 23 {
			recs = append(recs, r)
		}
	}
	if len(recs) != t.AppData.Records.Client {
		return ""
	}
	last := recs[len(recs)-1]
	if last.Length != tls13AlertRecord || len(last.Frames) == 0 || (len(recs) == 2 && !tls13Finished(recs[0].Length)) {
		return ""
	}
	return fmt.Sprintf("The client's last record (frame %d), right after the handshake, has the length of an encrypted alert, and it then %s without sending any data: that is how a client that checks the certificate after the handshake (curl does) refuses it%s",
		last.Frames[len(last.Frames)-1], how, lookalike)
}

// tls13Finished reports whether n is the length of a TLS 1.3 record that
// holds a Finished alone: a 4-byte header, a SHA-256 or SHA-384 MAC, the
// inner content type and a 16-byte AEAD tag.
func tls13Finished(n int) bool { return n == 4+32+1+16 || n == 4+48+1+16 }
