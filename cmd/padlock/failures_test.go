package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failuresDir holds one real loopback capture per failure class and per
// verdict rule that OpenSSL or GnuTLS produces (pcaps/real/failures/README.md
// says how each was made). Their chains are signed by that directory's own
// test PKI, so every run judges them against its root alone.
var failuresDir = filepath.Join("..", "..", "pcaps", "real", "failures")

var failuresCA = filepath.Join(failuresDir, "certs", "root.pem")

// failureCase is what padlock must say about one capture: alerts are
// "from:description" ("from:encrypted" for an alert sent after
// ChangeCipherSpec), problems are the verdict's codes in order.
type failureCase struct {
	file        string
	established bool
	reason      string // tls.failure.reason, "" when established
	version     string // tls.version, "" when no ServerHello
	alerts      []string
	problems    []string
	padlock     bool
	checked     bool // verdict.certificate_checked
	// refused is a part of the first problem's explanation when the
	// client refused the certificate after the handshake (curl).
	refused string
}

var failureCases = []failureCase{
	{file: "expired.pcap", reason: "certificate_rejected", version: "TLS 1.2",
		alerts: []string{"client:certificate_expired"}, problems: []string{"handshake_failed", "certificate_expired"}, checked: true},
	// OpenSSL 3.0 sends bad_certificate for a certificate not yet valid.
	{file: "not-yet-valid.pcap", reason: "certificate_rejected", version: "TLS 1.2",
		alerts: []string{"client:bad_certificate"}, problems: []string{"handshake_failed", "certificate_not_yet_valid"}, checked: true},
	// GnuTLS sends bad_certificate for an expired certificate.
	{file: "gnutls-expired.pcap", reason: "certificate_rejected", version: "TLS 1.2",
		alerts: []string{"client:bad_certificate"}, problems: []string{"handshake_failed", "certificate_expired"}, checked: true},
	{file: "unknown-ca.pcap", reason: "certificate_rejected", version: "TLS 1.2",
		alerts: []string{"client:unknown_ca"}, problems: []string{"handshake_failed", "chain_untrusted"}, checked: true},
	// OpenSSL answers a hostname mismatch with bad_certificate.
	{file: "name-mismatch.pcap", reason: "certificate_rejected", version: "TLS 1.2",
		alerts: []string{"client:bad_certificate"}, problems: []string{"handshake_failed", "certificate_name_mismatch"}, checked: true},
	{file: "self-signed.pcap", reason: "certificate_rejected", version: "TLS 1.2",
		alerts: []string{"client:unknown_ca"}, problems: []string{"handshake_failed", "certificate_self_signed"}, checked: true},
	{file: "missing-intermediate.pcap", reason: "certificate_rejected", version: "TLS 1.2",
		alerts: []string{"client:unknown_ca"}, problems: []string{"handshake_failed", "chain_incomplete"}, checked: true},
	{file: "wrong-usage.pcap", reason: "certificate_rejected", version: "TLS 1.2",
		alerts: []string{"client:unsupported_certificate"}, problems: []string{"handshake_failed", "certificate_wrong_usage"}, checked: true},
	{file: "version-refused.pcap", reason: "protocol_version_refused",
		alerts: []string{"server:protocol_version"}, problems: []string{"handshake_failed"}},
	{file: "no-shared-cipher.pcap", reason: "no_shared_parameters",
		alerts: []string{"server:handshake_failure"}, problems: []string{"handshake_failed"}},
	{file: "reset.pcap", reason: "reset", problems: []string{"handshake_failed"}},
	// The server closes (FIN) without answering; OpenSSL's client then
	// sends decode_error: the FIN is the cause, the alert its consequence.
	{file: "closed.pcap", reason: "closed",
		alerts: []string{"client:decode_error"}, problems: []string{"handshake_failed"}},
	// Nothing failed: the capture stops first, so padlock cannot judge.
	{file: "capture-ended.pcap", reason: "capture_ended", problems: []string{"handshake_not_seen"}},
	// TLS 1.3: the certificate is encrypted, so padlock cannot judge it.
	// OpenSSL sends its refusal as a cleartext alert record (type 21, 2
	// bytes: fatal certificate_expired; tshark decodes it): protected TLS
	// 1.3 records are always typed application_data (RFC 8446, 5.2).
	{file: "tls13-expired.pcap", reason: "certificate_rejected", version: "TLS 1.3",
		alerts: []string{"client:certificate_expired"}, problems: []string{"handshake_failed"}},
	{file: "unrecognized-name.pcap", reason: "unrecognized_name",
		alerts: []string{"server:unrecognized_name"}, problems: []string{"handshake_failed"}},
	// The server asked for a client certificate and got none.
	{file: "client-cert-required.pcap", reason: "client_certificate_required", version: "TLS 1.2",
		alerts: []string{"server:handshake_failure"}, problems: []string{"handshake_failed"}, checked: true},
	// Completed handshakes: the verdict alone says what is wrong. The
	// client and server close with encrypted close_notify alerts.
	// Go's crypto/x509 refuses SHA-1 signatures, so the chain does not
	// verify either; weak_signature says why, and is the only problem.
	// curl checks the name itself after the handshake, so the handshake
	// completes and curl hangs up (encrypted alert, then RST): the verdict
	// alone shows why.
	{file: "curl-name-mismatch.pcap", established: true, version: "TLS 1.2",
		alerts: []string{"client:encrypted", "server:encrypted"}, problems: []string{"certificate_name_mismatch"}, checked: true,
		refused: "The client sent an encrypted alert (frame 10) right after the handshake and reset the connection without sending any data"},
	// The same in TLS 1.3: the certificate is encrypted, and curl's alert
	// is an application_data record of an alert's length (19 bytes), after
	// its Finished (69 bytes under SHA-384).
	{file: "curl-tls13-name-mismatch.pcap", established: true, version: "TLS 1.3",
		problems: []string{"certificate_not_visible"},
		refused:  "The client's last record (frame 9), right after the handshake, has the length of an encrypted alert, and it then hung up"},
	{file: "weak-rsa1024.pcap", established: true, version: "TLS 1.2",
		alerts: []string{"client:encrypted", "server:encrypted"}, problems: []string{"weak_key"}, checked: true},
	{file: "sha1-signature.pcap", established: true, version: "TLS 1.2",
		alerts: []string{"client:encrypted", "server:encrypted"}, problems: []string{"weak_signature"}, checked: true},
	{file: "tls10.pcap", established: true, version: "TLS 1.0",
		alerts: []string{"client:encrypted", "server:encrypted"}, problems: []string{"protocol_outdated"}, checked: true},
	{file: "static-rsa.pcap", established: true, version: "TLS 1.2",
		alerts: []string{"client:encrypted", "server:encrypted"}, problems: []string{"no_forward_secrecy"}, padlock: true, checked: true},
	{file: "no-ems.pcap", established: true, version: "TLS 1.2",
		alerts: []string{"client:encrypted", "server:encrypted"}, problems: []string{"no_extended_master_secret"}, padlock: true, checked: true},
}

// failureReport is the part of a connection report the table checks.
type failureReport struct {
	TLS struct {
		Version     string `json:"version"`
		Established bool   `json:"established"`
		Alerts      []struct {
			From        string `json:"from"`
			Description string `json:"description"`
			Encrypted   bool   `json:"encrypted"`
			Frame       int    `json:"frame"`
		} `json:"alerts"`
		Failure *struct {
			Reason      string `json:"reason"`
			Explanation string `json:"explanation"`
			Frame       int    `json:"frame"`
		} `json:"failure"`
	} `json:"tls"`
	Verdict struct {
		Padlock            bool `json:"padlock"`
		CertificateChecked bool `json:"certificate_checked"`
		Problems           []struct {
			Code        string `json:"code"`
			Severity    string `json:"severity"`
			Explanation string `json:"explanation"`
			Evidence    struct {
				Field string `json:"field"`
			} `json:"evidence"`
		} `json:"problems"`
	} `json:"verdict"`
}

// TestFailures runs padlock on each failure capture, asserts the failure
// reason, alerts and verdict codes the table expects, validates the JSON
// against the schema, and pins the JSON and text output byte for byte in
// testdata/golden/failures/ (go test ./cmd/padlock -run TestFailures -update).
func TestFailures(t *testing.T) {
	sch := compileSchema(t)

	// Every capture in the directory has a row, and every row a capture.
	files, err := filepath.Glob(filepath.Join(failuresDir, "*.pcap"))
	require.NoError(t, err)
	var onDisk, inTable []string
	for _, f := range files {
		onDisk = append(onDisk, filepath.Base(f))
	}
	for _, tc := range failureCases {
		inTable = append(inTable, tc.file)
	}
	require.ElementsMatch(t, onDisk, inTable, "pcaps/real/failures and failureCases disagree")

	for _, tc := range failureCases {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(failuresDir, tc.file)
			out, errOut, code := runPadlock("-r", path, "--format", "json", "--ca-file", failuresCA)
			require.Equal(t, 0, code, "stderr: %s", errOut)
			assert.Empty(t, errOut)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			require.Len(t, lines, 1, "one connection per capture")

			v, err := jsonschema.UnmarshalJSON(strings.NewReader(lines[0]))
			require.NoError(t, err)
			require.NoError(t, sch.Validate(v))

			var rep failureReport
			require.NoError(t, json.Unmarshal([]byte(lines[0]), &rep))
			assert.Equal(t, tc.established, rep.TLS.Established, "tls.established")
			assert.Equal(t, tc.version, rep.TLS.Version, "tls.version")
			if tc.reason == "" {
				assert.Nil(t, rep.TLS.Failure, "tls.failure")
			} else if assert.NotNil(t, rep.TLS.Failure, "tls.failure") {
				f := rep.TLS.Failure
				assert.Equal(t, tc.reason, f.Reason, "tls.failure.reason")
				assert.NotEmpty(t, f.Explanation, "tls.failure.explanation")
				assert.True(t, strings.HasSuffix(f.Explanation, "."), "one sentence: %q", f.Explanation)
				if tc.reason != "capture_ended" {
					assert.NotZero(t, f.Frame, "tls.failure.frame")
				}
			}
			alerts := []string{}
			for _, a := range rep.TLS.Alerts {
				d := a.Description
				if a.Encrypted {
					d = "encrypted"
				}
				alerts = append(alerts, a.From+":"+d)
				assert.NotZero(t, a.Frame, "alert frame")
			}
			if tc.alerts == nil {
				tc.alerts = []string{}
			}
			assert.Equal(t, tc.alerts, alerts, "tls.alerts")
			// A failure caused by an alert points at the alert's frame.
			if f := rep.TLS.Failure; f != nil && len(rep.TLS.Alerts) > 0 && !rep.TLS.Alerts[0].Encrypted && f.Reason != "closed" && f.Reason != "reset" {
				assert.Equal(t, rep.TLS.Alerts[0].Frame, f.Frame, "tls.failure.frame")
			}

			codes := []string{}
			for _, p := range rep.Verdict.Problems {
				codes = append(codes, p.Code)
				assert.NotEmpty(t, p.Explanation, p.Code)
				assert.NotEmpty(t, p.Evidence.Field, p.Code)
				assert.Contains(t, []string{"critical", "warning", "unknown"}, p.Severity, p.Code)
			}
			assert.Equal(t, tc.problems, codes, "verdict.problems")
			for i, p := range rep.Verdict.Problems {
				if i == 0 && tc.refused != "" {
					assert.Contains(t, p.Explanation, tc.refused, "refused after the handshake")
				} else {
					assert.NotContains(t, p.Explanation, "refuses it", "no refusal hint on %s", p.Code)
				}
			}
			assert.Equal(t, tc.padlock, rep.Verdict.Padlock, "verdict.padlock")
			assert.Equal(t, tc.checked, rep.Verdict.CertificateChecked, "verdict.certificate_checked")

			goldenDir := filepath.Join("testdata", "golden", "failures")
			if *update {
				require.NoError(t, os.MkdirAll(goldenDir, 0o755))
			}
			compareGolden(t, filepath.Join(goldenDir, tc.file+".ndjson"), out)
			text, errOut, code := runPadlock("-r", path, "--format", "text", "--ca-file", failuresCA)
			require.Equal(t, 0, code, "stderr: %s", errOut)
			compareGolden(t, filepath.Join(goldenDir, tc.file+".txt"), text)
		})
	}
}
