package report

import (
	"fmt"
	"strings"

	"github.com/padlock-tls/padlock/dissect"
	"github.com/padlock-tls/padlock/dissect/iana"
)

// ext returns the extension of type t in exts, or nil.
func ext(exts []dissect.Extension, t dissect.ExtensionType) *dissect.Extension {
	for i := range exts {
		if exts[i].Type == t {
			return &exts[i]
		}
	}
	return nil
}

// scsvRenegotiation is TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746, Section 3.3).
const scsvRenegotiation = 0x00FF

func boolPtr(b bool) *bool { return &b }

// agreed fills in what the hellos agreed beyond version and suite.
func agreed(t *TLSInfo, s *connState, ch *dissect.ClientHello, client dissect.Side) {
	sh := s.sess.ServerHello
	if sh != nil {
		if info, ok := iana.CipherSuiteInfo(uint16(sh.CipherSuite)); ok && info.KeyExchange != "" {
			t.Cipher = &CipherInfo{KeyExchange: info.KeyExchange, Authentication: info.Authentication, Encryption: info.Cipher,
				MAC: info.MAC, AEAD: info.AEAD, ForwardSecrecy: info.ForwardSecrecy, Export: info.Export}
		}
		t.Downgrade = sh.Downgrade
	}
	if ch != nil {
		t.SessionTicketOffered = ext(ch.Extensions, dissect.ExtensionSessionTicket) != nil
		t.PSKOffered = ext(ch.Extensions, dissect.ExtensionPreSharedKey) != nil
		t.EarlyDataOffered = ext(ch.Extensions, dissect.ExtensionEarlyData) != nil
		if e := ext(ch.Extensions, dissect.ExtensionEncryptedClientHello); e != nil {
			info := &ECHInfo{Offered: true, OuterSNI: ch.SNI}
			if d, ok := e.Decoded.(*dissect.ECHClientHelloExt); ok {
				info.ConfigID = d.ConfigID
			}
			t.ECH = info
		}
	}
	if hrr := s.sess.HelloRetry; hrr != nil && hrr.SelectedGroup != 0 {
		t.HelloRetryGroup, t.HelloRetryGroupCode = hrr.SelectedGroup.String(), int(hrr.SelectedGroup)
	}
	if ch != nil && sh != nil {
		rsl := PerSide{}
		if d, ok := extDecoded[*dissect.RecordSizeLimitExt](ch.Extensions, dissect.ExtensionRecordSizeLimit); ok {
			rsl.Client = d.RecordSizeLimit
		}
		if d, ok := extDecoded[*dissect.RecordSizeLimitExt](sh.Extensions, dissect.ExtensionRecordSizeLimit); ok {
			rsl.Server = d.RecordSizeLimit
		}
		if rsl != (PerSide{}) {
			t.RecordSizeLimit = &rsl
		}
		if !s.sess.TLS13 {
			both := func(e dissect.ExtensionType) bool {
				return ext(ch.Extensions, e) != nil && ext(sh.Extensions, e) != nil
			}
			t.ExtendedMasterSecret = boolPtr(both(dissect.ExtensionExtendedMasterSecret))
			t.EncryptThenMAC = boolPtr(both(dissect.ExtensionEncryptThenMAC))
			offered := ext(ch.Extensions, dissect.ExtensionRenegotiationInfo) != nil
			for _, cs := range ch.CipherSuites {
				offered = offered || cs == scsvRenegotiation
			}
			t.SecureRenegotiation = boolPtr(offered && ext(sh.Extensions, dissect.ExtensionRenegotiationInfo) != nil)
		}
		if t.Resumed {
			switch {
			case s.sess.TLS13:
				t.Resumption = "psk"
			case sessionTicketSent(ch):
				t.Resumption = "session_ticket"
			default:
				t.Resumption = "session_id"
			}
		}
	}
	t.Timing = timing(s, client)
}

// sessionTicketSent: the ClientHello carried a non-empty ticket (RFC 5077).
func sessionTicketSent(ch *dissect.ClientHello) bool {
	e := ext(ch.Extensions, dissect.ExtensionSessionTicket)
	return e != nil && len(e.Data) > 0
}

func extDecoded[T any](exts []dissect.Extension, t dissect.ExtensionType) (T, bool) {
	var zero T
	e := ext(exts, t)
	if e == nil {
		return zero, false
	}
	d, ok := e.Decoded.(T)
	return d, ok
}

// timing measures the handshake on capture timestamps.
func timing(s *connState, client dissect.Side) Timing {
	var tm Timing
	recTime := s.recordTime
	var chRec, shRec, doneRec int
	for _, m := range s.msgs {
		last := 0
		if len(m.Records) > 0 {
			last = m.Records[len(m.Records)-1]
		}
		switch {
		case m.ClientHello != nil && chRec == 0:
			chRec = last
		case m.ServerHello != nil && !m.ServerHello.HelloRetry && shRec == 0:
			shRec = last
		case m.Encrypted && !s.sess.TLS13 && last > doneRec:
			doneRec = last
		}
	}
	if s.sess.TLS13 && len(s.encRecs[client]) > 0 {
		doneRec = s.encRecs[client][0]
	}
	ch, ok1 := recTime(chRec)
	if shT, ok2 := recTime(shRec); ok1 && ok2 {
		d := shT.Sub(ch).Seconds()
		tm.ClientHelloToServerHello = &d
	}
	if doneT, ok2 := recTime(doneRec); ok1 && ok2 && shRec != 0 {
		d := doneT.Sub(ch).Seconds()
		tm.Handshake = &d
	}
	return tm
}

// answered names the last handshake message the other side sent before
// alert a: what the alert most likely answered.
func answered(s *connState, a dissect.Alert, client dissect.Side) string {
	if s.firstApp != 0 && a.Record > s.firstApp && !(s.sess.TLS13 && s.dec.conn == nil) {
		return "" // after application data: it answers no handshake message
	}
	name := ""
	for _, m := range s.msgs {
		if m.Side == a.Side || len(m.Records) == 0 || m.Records[len(m.Records)-1] >= a.Record {
			continue
		}
		name = messageName(m)
	}
	return name
}

// certificateAlerts are what a client sends when it refuses the server's
// certificate (RFC 8446, Section 6.2), with what each means.
// Stacks use them loosely (OpenSSL sends bad_certificate for a name
// mismatch and for a certificate not yet valid, GnuTLS for an expired one,
// OpenSSL unsupported_certificate for a wrong extended key usage), so the
// texts say what the alert covers, and padlock's own check, when it found
// something, says what is wrong.
var certificateAlerts = map[string]string{
	"bad_certificate":         "it failed the client's checks (a bad signature, a wrong name, dates, or another rule: stacks differ)",
	"unsupported_certificate": "its type or its key usage is not one the client accepts",
	"certificate_revoked":     "it was revoked by its signer",
	"certificate_expired":     "it has expired or is not yet valid",
	"certificate_unknown":     "it was refused for a reason the client does not say",
	"unknown_ca":              "the client does not trust the CA that issued it (or the chain is incomplete)",
	"access_denied":           "the client refused to go on",
}

// failure explains a connection whose handshake did not complete: a
// stable reason code and one plain sentence.
func failure(rep *Connection, s *connState, ch *dissect.ClientHello, client dissect.Side, certs certFindings) *Failure {
	t := &rep.TLS
	if t.Established {
		return nil
	}
	lastMsg := ""
	if n := len(s.msgs); n > 0 {
		m := s.msgs[n-1]
		lastMsg = fmt.Sprintf("the %s's %s", sideName(m.Side, client), camel(messageName(m)))
	}
	// The first FIN or RST of each side: an alert sent after the other
	// side hung up is the consequence, not the cause.
	hungUp := func(side string) int {
		f, r := rep.TCP.FINFrame.Client, rep.TCP.RSTFrame.Client
		if side == "server" {
			f, r = rep.TCP.FINFrame.Server, rep.TCP.RSTFrame.Server
		}
		switch {
		case f == 0:
			return r
		case r == 0 || f < r:
			return f
		}
		return r
	}
	if t.ClientHellos == 0 && s.sess.ServerHello == nil {
		return &Failure{Reason: "handshake_not_captured",
			Explanation: "The capture holds no ClientHello or ServerHello for this connection (it began mid-connection), so its handshake cannot be judged."}
	}
	for _, a := range t.Alerts {
		if a.Description == "close_notify" {
			continue
		}
		other := "server"
		if a.From == "server" {
			other = "client"
		}
		if h := hungUp(other); h != 0 && h < a.Frame {
			break // the other side closed first: said below
		}
		f := &Failure{Frame: a.Frame}
		if a.Encrypted && !a.Decrypted {
			f.Reason = "encrypted_alert"
			f.Explanation = fmt.Sprintf("The %s sent an encrypted alert%s, before the handshake completed; its description cannot be read without keys.", a.From, after(a.InResponseTo))
			return f
		}
		switch {
		case a.From == "server" && (a.InResponseTo == "client_hello" || s.sess.ServerHello == nil):
			switch a.Description {
			case "protocol_version":
				f.Reason = "protocol_version_refused"
				f.Explanation = fmt.Sprintf("The server refused every protocol version the client offered (highest offered: %s).", orUnknown(t.ClientVersion))
			case "handshake_failure", "insufficient_security":
				f.Reason = "no_shared_parameters"
				n := 0
				if ch != nil {
					for _, cs := range ch.CipherSuites {
						// Signalling values are not suites (RFC 5746, RFC 7507, RFC 8701).
						if cs != scsvRenegotiation && cs != 0x5600 && !dissect.IsGREASE(uint16(cs)) {
							n++
						}
					}
				}
				f.Explanation = fmt.Sprintf("The server found nothing it accepts in the ClientHello (%s): most often no cipher suite in common (the client offered %d), or no shared group or signature algorithm.", a.Description, n)
			case "unrecognized_name":
				f.Reason = "unrecognized_name"
				f.Explanation = fmt.Sprintf("The server does not serve the name the client asked for (SNI %q).", t.SNI)
			default:
				f.Reason = "server_alert"
				f.Explanation = fmt.Sprintf("The server answered the ClientHello with a %s %s alert.", a.Level, a.Description)
			}
		case a.From == "client" && certificateAlerts[a.Description] != "":
			f.Reason = "certificate_rejected"
			f.Explanation = fmt.Sprintf("The client refused the server's certificate with %s: %s.", a.Description, certificateAlerts[a.Description])
			for _, p := range certs.problems {
				if p.Severity == severityCritical {
					f.Explanation += " padlock's own check agrees: " + strings.ToLower(p.Explanation[:1]) + p.Explanation[1:]
					break
				}
			}
		case a.From == "server" && t.ClientCertificateRequested && (t.ClientCertificateSent == nil || !*t.ClientCertificateSent):
			f.Reason = "client_certificate_required"
			f.Explanation = fmt.Sprintf("The server asked for a client certificate, the client sent none, and the server refused to go on (%s %s).", a.Level, a.Description)
		default:
			f.Reason = a.From + "_alert"
			f.Explanation = fmt.Sprintf("The %s sent a %s %s alert%s.", a.From, a.Level, a.Description, after(a.InResponseTo))
		}
		return f
	}
	switch {
	case rep.TCP.RSTFrame.Client != 0 || rep.TCP.RSTFrame.Server != 0:
		who, frame := "client", rep.TCP.RSTFrame.Client
		if frame == 0 || (rep.TCP.RSTFrame.Server != 0 && rep.TCP.RSTFrame.Server < frame) {
			who, frame = "server", rep.TCP.RSTFrame.Server
		}
		return &Failure{Reason: "reset", Frame: frame,
			Explanation: fmt.Sprintf("The %s reset the TCP connection before the handshake finished%s.", who, afterMsg(lastMsg))}
	case rep.TCP.Gaps.Client+rep.TCP.Gaps.Server > 0 && s.sess.ServerHello == nil:
		return &Failure{Reason: "capture_gap",
			Explanation: "Packets of the handshake are missing from the capture, so it cannot be followed to its end."}
	case rep.TCP.FINFrame.Client != 0 || rep.TCP.FINFrame.Server != 0:
		who, frame := "client", rep.TCP.FINFrame.Client
		if frame == 0 || (rep.TCP.FINFrame.Server != 0 && rep.TCP.FINFrame.Server < frame) {
			who, frame = "server", rep.TCP.FINFrame.Server
		}
		return &Failure{Reason: "closed", Frame: frame,
			Explanation: fmt.Sprintf("The %s closed the TCP connection before the handshake finished%s.", who, afterMsg(lastMsg))}
	}
	return &Failure{Reason: "capture_ended",
		Explanation: fmt.Sprintf("The capture ended before the handshake finished%s.", afterMsg(lastMsg))}
}

func sideName(side, client dissect.Side) string {
	if side == client {
		return "client"
	}
	return "server"
}

// after names the message an alert answered ("hello_retry_request" reads
// "HelloRetryRequest", as in the ladder).
func after(msg string) string {
	if msg == "" {
		return ""
	}
	if msg == "encrypted_handshake_message" {
		return " after an encrypted handshake message"
	}
	return " after the " + camel(msg)
}

func afterMsg(msg string) string {
	if msg == "" {
		return ""
	}
	return "; the last message seen was " + msg
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
