package report

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/dissect"
)

// testPKI is a root, an intermediate and the leaves the certificate rules
// are tested with, built with crypto/x509 (ECDSA P-256 keys unless a case
// needs another, SHA-256 signatures).
type testPKI struct {
	rootPEM []byte
	der     map[string][]byte // name -> DER
}

func date(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }

type certSpec struct {
	name, cn       string
	issuer         string // "" self-signed
	ca             bool
	from, to       time.Time
	dns            []string
	ips            []net.IP
	eku            []x509.ExtKeyUsage
	key            crypto.Signer // nil: a fresh P-256 key
	serial         int64
	sigAlg         x509.SignatureAlgorithm
	skipIssuerLink bool
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	p := &testPKI{der: map[string][]byte{}}
	keys := map[string]crypto.Signer{}
	certs := map[string]*x509.Certificate{}
	mk := func(s certSpec) {
		key := s.key
		if key == nil {
			k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			require.NoError(t, err)
			key = k
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(s.serial),
			Subject:               pkix.Name{Organization: []string{"Padlock Test"}, CommonName: s.cn},
			NotBefore:             s.from,
			NotAfter:              s.to,
			DNSNames:              s.dns,
			IPAddresses:           s.ips,
			ExtKeyUsage:           s.eku,
			BasicConstraintsValid: true,
			IsCA:                  s.ca,
			SignatureAlgorithm:    s.sigAlg,
		}
		if s.ca {
			tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		} else {
			tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		}
		parent, signer := tmpl, key
		if s.issuer != "" {
			parent, signer = certs[s.issuer], keys[s.issuer]
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
		require.NoError(t, err, s.name)
		c, err := x509.ParseCertificate(der)
		require.NoError(t, err, s.name)
		keys[s.name], certs[s.name], p.der[s.name] = key, c, der
	}
	rsaKey := func(bits int) crypto.Signer {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		require.NoError(t, err)
		return k
	}
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	require.NoError(t, err)
	server := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	for _, s := range []certSpec{
		{name: "root", cn: "Test Root CA", ca: true, from: date(2019), to: date(2049), serial: 1},
		{name: "intermediate", cn: "Test Intermediate CA", issuer: "root", ca: true, from: date(2019), to: date(2049), serial: 2},
		{name: "other-root", cn: "Other Root CA", ca: true, from: date(2019), to: date(2049), serial: 3},
		{name: "other-intermediate", cn: "Other Intermediate CA", issuer: "other-root", ca: true, from: date(2019), to: date(2049), serial: 4},
		// An intermediate that expired in 2025, and one that only starts in 2022.
		{name: "old-intermediate", cn: "Old Intermediate CA", issuer: "root", ca: true, from: date(2019), to: date(2025), serial: 5},
		{name: "late-intermediate", cn: "Late Intermediate CA", issuer: "root", ca: true, from: date(2022), to: date(2049), serial: 6},
		// An RSA intermediate, to sign with SHA-1.
		{name: "rsa-intermediate", cn: "RSA Intermediate CA", issuer: "root", ca: true, from: date(2019), to: date(2049), serial: 7, key: rsaKey(2048)},

		{name: "valid", cn: "example.com", issuer: "intermediate", from: date(2026), to: date(2036), dns: []string{"example.com"}, eku: server, serial: 100},
		{name: "expired", cn: "example.com", issuer: "intermediate", from: date(2020), to: date(2021), dns: []string{"example.com"}, eku: server, serial: 101},
		{name: "not-yet-valid", cn: "example.com", issuer: "intermediate", from: date(2030), to: date(2035), dns: []string{"example.com"}, eku: server, serial: 102},
		{name: "wrong-name", cn: "other.example", issuer: "intermediate", from: date(2026), to: date(2036), dns: []string{"other.example", "www.other.example"}, eku: server, serial: 103},
		{name: "cn-only", cn: "example.com", issuer: "intermediate", from: date(2026), to: date(2036), eku: server, serial: 104},
		{name: "ip", cn: "192.0.2.1", issuer: "intermediate", from: date(2026), to: date(2036), ips: []net.IP{net.ParseIP("192.0.2.1")}, eku: server, serial: 105},
		{name: "self-signed", cn: "example.com", from: date(2026), to: date(2036), dns: []string{"example.com"}, eku: server, serial: 106},
		{name: "rsa1024", cn: "example.com", issuer: "intermediate", from: date(2026), to: date(2036), dns: []string{"example.com"}, eku: server, serial: 107, key: rsaKey(1024)},
		{name: "rsa2048", cn: "example.com", issuer: "intermediate", from: date(2026), to: date(2036), dns: []string{"example.com"}, eku: server, serial: 108, key: rsaKey(2048)},
		{name: "p224", cn: "example.com", issuer: "intermediate", from: date(2026), to: date(2036), dns: []string{"example.com"}, eku: server, serial: 109, key: p224},
		{name: "client-only", cn: "example.com", issuer: "intermediate", from: date(2026), to: date(2036), dns: []string{"example.com"}, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, serial: 110},
		{name: "untrusted", cn: "example.com", issuer: "other-intermediate", from: date(2026), to: date(2036), dns: []string{"example.com"}, eku: server, serial: 111},
		{name: "under-old", cn: "example.com", issuer: "old-intermediate", from: date(2024), to: date(2027), dns: []string{"example.com"}, eku: server, serial: 112},
		{name: "expired-under-late", cn: "example.com", issuer: "late-intermediate", from: date(2020), to: date(2021), dns: []string{"example.com"}, eku: server, serial: 113},
		{name: "sha1", cn: "example.com", issuer: "rsa-intermediate", from: date(2026), to: date(2036), dns: []string{"example.com"}, eku: server, serial: 114, sigAlg: x509.SHA1WithRSA},
	} {
		mk(s)
	}
	p.rootPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.der["root"]})
	return p
}

// chain parses the named certificates with dissect and lists them as the
// server's chain in a report for SNI sni.
func (p *testPKI) chain(t *testing.T, sni string, names ...string) *Connection {
	t.Helper()
	rep := &Connection{Server: Endpoint{IP: "192.0.2.1", Port: 443}}
	rep.TLS.SNI = sni
	for i, n := range names {
		der, ok := p.der[n]
		require.True(t, ok, n)
		rep.Certificates = append(rep.Certificates, Certificate{From: "server", Index: i, Certificate: parse(t, der)})
	}
	return rep
}

func parse(t *testing.T, der []byte) *dissect.Certificate {
	t.Helper()
	c, errs := dissect.ParseCertificate(der)
	require.NotNil(t, c)
	for _, e := range errs {
		t.Logf("dissect: %v", e)
	}
	return c
}

func codes(ps []Problem) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

// TestTrustCheck applies the certificate rules to chains built in the test,
// verified against the test root at the capture time.
func TestTrustCheck(t *testing.T) {
	p := newTestPKI(t)
	tr, err := NewTrust(p.rootPEM, "test roots")
	require.NoError(t, err)
	capture := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

	for _, tc := range []struct {
		name  string
		sni   string
		chain []string
		at    time.Time // zero: capture
		want  []string
		// fields: the evidence field of each problem, when it matters.
		fields []string
	}{
		{name: "valid", sni: "example.com", chain: []string{"valid", "intermediate"}},
		{name: "valid_root_sent_too", sni: "example.com", chain: []string{"valid", "intermediate", "root"}},
		{name: "valid_rsa2048", sni: "example.com", chain: []string{"rsa2048", "intermediate"}},
		{name: "expired", sni: "example.com", chain: []string{"expired", "intermediate"},
			want: []string{"certificate_expired"}, fields: []string{"certificates[0].not_after"}},
		// Verification time is the capture's: a capture dated inside the
		// validity of a certificate that has expired since is not flagged.
		{name: "expired_since_capture", sni: "example.com", chain: []string{"expired", "intermediate"}, at: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)},
		{name: "not_yet_valid", sni: "example.com", chain: []string{"not-yet-valid", "intermediate"},
			want: []string{"certificate_not_yet_valid"}, fields: []string{"certificates[0].not_before"}},
		{name: "valid_by_capture_time", sni: "example.com", chain: []string{"not-yet-valid", "intermediate"}, at: date(2031)},
		{name: "wrong_name", sni: "example.com", chain: []string{"wrong-name", "intermediate"},
			want: []string{"certificate_name_mismatch"}, fields: []string{"tls.sni"}},
		// Browsers ignore the common name (RFC 6125, CA/B Forum BR 7.1.4.3).
		{name: "common_name_only", sni: "example.com", chain: []string{"cn-only", "intermediate"},
			want: []string{"certificate_name_mismatch"}},
		{name: "no_sni_not_covering_ip", chain: []string{"valid", "intermediate"},
			want: []string{"certificate_name_unchecked"}},
		{name: "no_sni_ip_certificate", chain: []string{"ip", "intermediate"}},
		{name: "self_signed", sni: "example.com", chain: []string{"self-signed"},
			want: []string{"certificate_self_signed"}},
		{name: "rsa1024", sni: "example.com", chain: []string{"rsa1024", "intermediate"},
			want: []string{"weak_key"}, fields: []string{"certificates[0].key"}},
		{name: "ecdsa_p224", sni: "example.com", chain: []string{"p224", "intermediate"},
			want: []string{"weak_key"}},
		{name: "lone_leaf_without_intermediate", sni: "example.com", chain: []string{"valid"},
			want: []string{"chain_incomplete"}},
		{name: "wrong_eku", sni: "example.com", chain: []string{"client-only", "intermediate"},
			want: []string{"certificate_wrong_usage"}},
		{name: "untrusted_root_sent", sni: "example.com", chain: []string{"untrusted", "other-intermediate", "other-root"},
			want: []string{"chain_untrusted"}},
		{name: "untrusted_intermediate_only", sni: "example.com", chain: []string{"untrusted", "other-intermediate"},
			want: []string{"chain_untrusted"}},
		// Several rules at once, in rule order.
		{name: "expired_and_wrong_name", sni: "www.example.net", chain: []string{"expired", "intermediate"},
			want: []string{"certificate_expired", "certificate_name_mismatch"}},
		{name: "self_signed_wrong_name", sni: "www.example.net", chain: []string{"self-signed"},
			want: []string{"certificate_name_mismatch", "certificate_self_signed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at := tc.at
			if at.IsZero() {
				at = capture
			}
			rep := p.chain(t, tc.sni, tc.chain...)
			f := tr.check(rep, nil, at)
			assert.True(t, f.checked, "certificate_checked")
			want := tc.want
			if want == nil {
				want = []string{}
			}
			assert.Equal(t, want, codes(f.problems))
			for i, field := range tc.fields {
				if i < len(f.problems) {
					assert.Equal(t, field, f.problems[i].Evidence.Field, f.problems[i].Code)
				}
			}
			for _, pr := range f.problems {
				assert.NotEmpty(t, pr.Explanation, pr.Code)
				assert.Contains(t, []string{severityCritical, severityUnknown}, pr.Severity, pr.Code)
				if pr.Code == "chain_untrusted" || pr.Code == "chain_incomplete" || pr.Code == "certificate_self_signed" {
					assert.Contains(t, pr.Explanation, "test roots", "names the trust store")
				}
			}
			// The same chain again comes from the cache, unchanged.
			again := tr.check(p.chain(t, tc.sni, tc.chain...), nil, at)
			assert.Equal(t, f.problems, again.problems)
		})
	}
}

// TestTrustCheckIntermediates: the rules judge every certificate the
// server sent, not only the leaf.
func TestTrustCheckIntermediates(t *testing.T) {
	p := newTestPKI(t)
	tr, err := NewTrust(p.rootPEM, "test roots")
	require.NoError(t, err)

	// An intermediate that expired before the capture, under a leaf still
	// valid: the expiry is reported once, on the intermediate.
	f := tr.check(p.chain(t, "example.com", "under-old", "old-intermediate"), nil, date(2026))
	require.NotEmpty(t, f.problems)
	assert.Equal(t, "certificate_expired", f.problems[0].Code)
	assert.Equal(t, "certificates[1].not_after", f.problems[0].Evidence.Field)
	assert.Contains(t, f.problems[0].Explanation, "Chain certificate 1 (CN=Old Intermediate CA,O=Padlock Test)")

	// Inside the intermediate's validity the same chain is clean.
	f = tr.check(p.chain(t, "example.com", "under-old", "old-intermediate"), nil, date(2024).AddDate(0, 6, 0))
	assert.Equal(t, []string{}, codes(f.problems))

	// A leaf signed with SHA-1: weak_signature on the leaf (crypto/x509
	// also refuses to verify the signature, which padlock reports as an
	// unverifiable chain; see TestTrustCheckKnownGaps).
	f = tr.check(p.chain(t, "example.com", "sha1", "rsa-intermediate"), nil, date(2027))
	require.NotEmpty(t, f.problems)
	assert.Equal(t, "weak_signature", f.problems[0].Code)
	assert.Equal(t, "certificates[0].signature", f.problems[0].Evidence.Field)
	assert.Equal(t, "SHA1-RSA", f.problems[0].Evidence.Value)

	// The root's own (self-)signature and key are not judged.
	f = tr.check(p.chain(t, "example.com", "valid", "intermediate", "root"), nil, date(2027))
	assert.Equal(t, []string{}, codes(f.problems))
}

// TestTrustCheckSkips: what check does not judge.
func TestTrustCheckSkips(t *testing.T) {
	p := newTestPKI(t)
	tr, err := NewTrust(p.rootPEM, "test roots")
	require.NoError(t, err)

	// No server certificate: not checked, no problem (the verdict says
	// certificate_not_seen / certificate_not_visible).
	f := tr.check(&Connection{}, nil, date(2027))
	assert.False(t, f.checked)
	assert.Empty(t, f.problems)

	// A client certificate is not the server's.
	rep := p.chain(t, "example.com", "self-signed")
	rep.Certificates[0].From = "client"
	f = tr.check(rep, nil, date(2027))
	assert.False(t, f.checked)

	// A chain whose first certificate is not index 0 (its start was not
	// captured) is not judged.
	rep = p.chain(t, "example.com", "valid", "intermediate")
	rep.Certificates = rep.Certificates[1:]
	f = tr.check(rep, nil, date(2027))
	assert.False(t, f.checked)

	// A second chain (renegotiation) does not extend the first: the first
	// is judged alone.
	rep = p.chain(t, "example.com", "valid", "intermediate")
	second := p.chain(t, "example.com", "self-signed")
	rep.Certificates = append(rep.Certificates, second.Certificates...)
	f = tr.check(rep, nil, date(2027))
	assert.True(t, f.checked)
	assert.Equal(t, []string{}, codes(f.problems))
}

// TestTrustCheckMalformed: a leaf crypto/x509 refuses (here: a negative
// serial number, which RFC 5280 Section 4.1.2.2 forbids) is reported as
// certificate_malformed, and padlock judges no further.
func TestTrustCheckMalformed(t *testing.T) {
	p := newTestPKI(t)
	tr, err := NewTrust(p.rootPEM, "test roots")
	require.NoError(t, err)
	der := bytes.Clone(p.der["valid"])
	// The serial INTEGER 100 (02 01 64) becomes -100 (02 01 9c).
	i := bytes.Index(der, []byte{0x02, 0x01, 0x64})
	require.Positive(t, i)
	der[i+2] = 0x9c
	c := parse(t, der)
	if c.Raw != nil {
		t.Skip("crypto/x509 accepts negative serials here (GODEBUG x509negativeserial=1)")
	}
	rep := &Connection{Server: Endpoint{IP: "192.0.2.1"}, Certificates: []Certificate{{From: "server", Certificate: c}}}
	rep.TLS.SNI = "example.com"
	f := tr.check(rep, nil, date(2027))
	assert.True(t, f.checked)
	assert.Equal(t, []string{"certificate_malformed"}, codes(f.problems))
	assert.Equal(t, "certificates[0].parser", f.problems[0].Evidence.Field)
}

// TestNewTrust: a CA file without a certificate is refused with its name.
func TestNewTrust(t *testing.T) {
	_, err := NewTrust([]byte("not a certificate"), "roots.pem")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "roots.pem")
}

// TestTrustCheckKnownGaps pins the part of the rules that is right in
// cases where padlock also says something it should not (reported for a
// fix in issue 4). The extra problems are logged, not asserted, so fixing
// them does not break this test.
func TestTrustCheckKnownGaps(t *testing.T) {
	p := newTestPKI(t)
	tr, err := NewTrust(p.rootPEM, "test roots")
	require.NoError(t, err)
	for _, tc := range []struct {
		name  string
		chain []string
		at    time.Time
		first string
	}{
		// crypto/x509 does not verify SHA-1 signatures: the chain fails with
		// an UnknownAuthorityError, which chainProblem calls chain_untrusted
		// ("its issuer ... is not trusted, or an intermediate is missing")
		// although the root is trusted and nothing is missing.
		{name: "sha1_leaf", chain: []string{"sha1", "rsa-intermediate"}, at: date(2027), first: "weak_signature"},
		// An intermediate expired at the capture: verify also fails with a
		// date error, reported again as chain_invalid.
		{name: "expired_intermediate", chain: []string{"under-old", "old-intermediate"}, at: date(2026), first: "certificate_expired"},
		// An expired leaf whose intermediate is valid at the capture but
		// was not yet valid when the leaf expired: verify runs at the leaf's
		// not_after, where the intermediate is not yet valid.
		{name: "expired_leaf_late_intermediate", chain: []string{"expired-under-late", "late-intermediate"}, at: date(2026), first: "certificate_expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tr.check(p.chain(t, "example.com", tc.chain...), nil, tc.at)
			require.NotEmpty(t, f.problems)
			assert.Equal(t, tc.first, f.problems[0].Code)
			for _, pr := range f.problems[1:] {
				t.Logf("also: %s: %s", pr.Code, pr.Explanation)
			}
		})
	}
}
