package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// An established connection that the client ended with an alert before any
// data is explained as the refusal it most likely was (curl checks the
// name after the handshake); anything else is left alone.
func TestRefusalHint(t *testing.T) {
	tls12 := func(alerts ...Alert) *Connection {
		c := &Connection{}
		c.TLS.Established, c.TLS.VersionCode = true, 0x0303
		c.TLS.Alerts = alerts
		c.TCP.RSTFrame.Client = 13
		return c
	}
	encrypted := Alert{From: "client", Encrypted: true, Frame: 10}
	tls13 := func(n, length int) *Connection {
		c := &Connection{}
		c.TLS.Established, c.TLS.VersionCode = true, 0x0304
		c.TLS.AppData.Records.Client, c.TLS.AppData.Bytes.Client = n, int64(n*length)
		for i := 0; i < n; i++ {
			c.Records = append(c.Records, Record{From: "client", TypeCode: 23, Length: length, Frames: []int{9 + i}})
		}
		c.TCP.FINFrame.Client = 12
		return c
	}
	for _, tc := range []struct {
		name string
		c    *Connection
		want string // a part of the hint; "" for none
	}{
		{"encrypted alert then RST", tls12(encrypted), "encrypted alert (frame 10) right after the handshake and reset the connection"},
		{"readable fatal alert", tls12(Alert{From: "client", Level: "fatal", Description: "bad_certificate", Frame: 10}), "a fatal bad_certificate alert (frame 10)"},
		{"the server's alert only", tls12(Alert{From: "server", Encrypted: true, Frame: 11}), ""},
		{"close_notify", tls12(Alert{From: "client", Level: "warning", Description: "close_notify", Frame: 10}), ""},
		{"data before the alert", func() *Connection {
			c := tls12(encrypted)
			c.TLS.AppData.Records.Client = 1
			return c
		}(), ""},
		{"not established", func() *Connection {
			c := tls12(encrypted)
			c.TLS.Established = false
			return c
		}(), ""},
		{"client still open", func() *Connection {
			c := tls12(encrypted)
			c.TCP.RSTFrame.Client = 0
			return c
		}(), ""},
		{"TLS 1.3 lone alert-sized record then FIN", tls13(1, 19), "last record (frame 9), right after the handshake, has the length of an encrypted alert, and it then hung up"},
		{"TLS 1.3 request-sized record", tls13(1, 90), ""},
		{"TLS 1.3 two alert-sized records", tls13(2, 19), ""},
		{"TLS 1.3 Finished (SHA-384) then alert", func() *Connection {
			c := tls13(2, 19)
			c.Records[0].Length = 69
			return c
		}(), "last record (frame 10)"},
		{"TLS 1.3 Finished then three records", func() *Connection {
			c := tls13(3, 19)
			c.Records[0].Length = 53
			return c
		}(), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := refusalHint(tc.c)
			if tc.want == "" {
				assert.Empty(t, got)
				return
			}
			assert.Contains(t, got, tc.want)
			assert.Contains(t, got, "curl")
		})
	}

	// In the verdict, the hint goes with the certificate problem.
	c := tls12(encrypted)
	v := verdict(c, certFindings{checked: true, problems: []Problem{{Code: "certificate_name_mismatch", Severity: severityCritical, Explanation: "Not valid for x."}}})
	assert.Contains(t, v.Problems[0].Explanation, "Not valid for x. The client sent an encrypted alert")
	v = verdict(tls12(), certFindings{checked: true, problems: []Problem{{Code: "certificate_name_mismatch", Severity: severityCritical, Explanation: "Not valid for x."}}})
	assert.Equal(t, "Not valid for x.", v.Problems[0].Explanation)
}

// The hint goes with the first certificate problem, whatever its code,
// and with the certificate that could not be seen in TLS 1.3.
func TestRefusalHintPlacement(t *testing.T) {
	c := &Connection{}
	c.TLS.Established, c.TLS.VersionCode = true, 0x0303
	c.TLS.Alerts = []Alert{{From: "client", Encrypted: true, Frame: 10}}
	c.TCP.FINFrame.Client = 12
	v := verdict(c, certFindings{checked: true, problems: []Problem{
		{Code: "weak_key", Severity: severityCritical, Explanation: "Weak."},
		{Code: "chain_untrusted", Severity: severityCritical, Explanation: "Untrusted."}}})
	assert.Contains(t, v.Problems[0].Explanation, "Weak. The client sent an encrypted alert")
	assert.Equal(t, "Untrusted.", v.Problems[1].Explanation)

	c.TLS.VersionCode, c.TLS.Alerts, c.TLS.EncryptedHandshake = 0x0304, nil, true
	c.TLS.AppData.Records.Client, c.TLS.AppData.Bytes.Client = 1, 19
	c.Records = []Record{{From: "client", TypeCode: 23, Length: 19, Frames: []int{11}}}
	v = verdict(c, certFindings{})
	assert.Equal(t, "certificate_not_visible", v.Problems[0].Code)
	assert.Contains(t, v.Problems[0].Explanation, "has the length of an encrypted alert, and it then hung up without sending any data")

	// A valid certificate: nothing to explain.
	v = verdict(c, certFindings{checked: true})
	assert.Empty(t, v.Problems)
}
