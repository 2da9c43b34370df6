package report

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/padlock-tls/padlock/dissect"
)

// Trust checks the server's certificate chain the way a browser would, at
// the time of the capture rather than now: a capture of last year's traffic
// is judged by last year's certificates.
type Trust struct {
	roots *x509.CertPool // nil: the system's roots
	// what names the trust store in explanations.
	what string
	err  error // the trust store could not be loaded

	mu    sync.Mutex
	cache map[string]chainResult
	names map[nameKey]bool // VerifyHostname's answers, by leaf and name
}

// nameKey is a leaf certificate (its SHA-256) and a name checked against it.
type nameKey struct{ leaf, name string }

// maxTrustCache bounds the verification cache: a capture of many
// connections to few servers verifies each chain once.
const maxTrustCache = 4096

// NewTrust trusts exactly the PEM certificates in pem (as curl --cacert
// does); what names them in explanations (a file name).
func NewTrust(pem []byte, what string) (*Trust, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("report: %s holds no PEM certificate", what)
	}
	return &Trust{roots: pool, what: what}, nil
}

var (
	sysTrustOnce sync.Once
	sysTrust     *Trust
)

// systemTrust is the system's root store, loaded once.
func systemTrust() *Trust {
	sysTrustOnce.Do(func() {
		sysTrust = &Trust{what: "the system's trusted roots"}
		pool, err := x509.SystemCertPool()
		if err != nil {
			sysTrust.err = err
			return
		}
		sysTrust.roots = pool
	})
	return sysTrust
}

// chainResult is what verifying one chain found.
type chainResult struct {
	problems []Problem
}

// certFindings is what the certificate rules found for one connection.
type certFindings struct {
	checked  bool // the server's certificate was seen
	problems []Problem
}

// Weak keys and signatures (CA/Browser Forum Baseline Requirements,
// Section 6.1.5 and 7.1.3: RSA keys of at least 2048 bits, ECDSA on P-256
// or larger; no SHA-1 or MD5 signatures since 2016).
const (
	minRSABits = 2048
	minECBits  = 256
)

var weakSignatures = []string{"MD2", "MD5", "SHA1"}

// check applies the certificate rules to the server's chain.
func (tr *Trust) check(rep *Connection, s *connState, start time.Time) certFindings {
	var f certFindings
	var chain []Certificate
	for _, c := range rep.Certificates {
		if c.From != "server" {
			continue
		}
		if c.Index == 0 && len(chain) > 0 {
			break // a second chain (renegotiation): judge the first
		}
		chain = append(chain, c)
	}
	if len(chain) == 0 || chain[0].Index != 0 {
		return f
	}
	f.checked = true
	add := func(code, severity, field string, value any, format string, args ...any) {
		f.problems = append(f.problems, Problem{Code: code, Severity: severity,
			Explanation: fmt.Sprintf(format, args...), Evidence: Evidence{Field: field, Value: value}})
	}
	leaf := chain[0]
	// The words of a finding are made only when there is one: most
	// connections have none.
	when := func() string { return start.UTC().Format(time.RFC3339) }
	for i, c := range chain {
		field := func(member string) string {
			return fmt.Sprintf("certificates[%d].%s", indexOf(rep.Certificates, c), member)
		}
		name := func() string {
			if i > 0 {
				return fmt.Sprintf("chain certificate %d (%s)", i, orUnknown(c.Subject))
			}
			return "the server's certificate"
		}
		if !c.NotAfter.IsZero() && start.After(c.NotAfter) {
			add("certificate_expired", severityCritical, field("not_after"), c.NotAfterText,
				"%s expired on %s, before this connection (%s): browsers refuse it.", upper(name()), c.NotAfterText, when())
		}
		if !c.NotBefore.IsZero() && start.Before(c.NotBefore) {
			add("certificate_not_yet_valid", severityCritical, field("not_before"), c.NotBeforeText,
				"%s is valid only from %s, after this connection (%s): browsers refuse it.", upper(name()), c.NotBeforeText, when())
		}
		if c.SelfSigned && i > 0 {
			continue // a root's own key and signature do not matter
		}
		switch {
		case c.KeyAlgorithm == "RSA" && c.KeyBits > 0 && c.KeyBits < minRSABits:
			add("weak_key", severityCritical, field("key"), c.Key,
				"%s has an %s key; the CA/Browser Forum requires at least %d bits.", upper(name()), c.Key, minRSABits)
		case c.KeyAlgorithm == "ECDSA" && c.KeyBits > 0 && c.KeyBits < minECBits:
			add("weak_key", severityCritical, field("key"), c.Key,
				"%s has an %s key; at least %d-bit curves are required.", upper(name()), c.Key, minECBits)
		}
		for _, w := range weakSignatures {
			if strings.Contains(strings.ToUpper(c.Signature), w) && !(c.SelfSigned && i == 0 && len(chain) == 1) {
				add("weak_signature", severityCritical, field("signature"), c.Signature,
					"%s is signed with %s, which browsers have refused since 2017 (collisions are practical).", upper(name()), c.Signature)
				break
			}
		}
	}
	sni := rep.TLS.SNI
	if leaf.Raw == nil {
		add("certificate_malformed", severityCritical, "certificates[0].parser", leaf.Parser,
			"crypto/x509 refuses the server's certificate (%s), as browsers would.", firstWarning(leaf.Certificate))
		return f
	}
	if sni != "" {
		if !tr.coversName(leaf, sni) {
			add("certificate_name_mismatch", severityCritical, "tls.sni", sni,
				"The certificate is not valid for %q, the name the client asked for (it covers %s).", sni, coverage(leaf.Certificate))
		}
	} else {
		ip := rep.Server.IP
		if !tr.coversName(leaf, ip) {
			add("certificate_name_unchecked", severityUnknown, "tls.sni", nil,
				"The client sent no SNI, so the name it expected is unknown, and the certificate does not cover the server's address %s.", ip)
		}
	}
	f.problems = append(f.problems, tr.verify(chain, start, leaf.Raw)...)
	return f
}

// coversName reports whether leaf is valid for name (crypto/x509's
// VerifyHostname), remembered per leaf and name: the connections to one
// server ask the same question.
func (tr *Trust) coversName(leaf Certificate, name string) bool {
	if leaf.SHA256 == "" {
		return leaf.Raw.VerifyHostname(name) == nil
	}
	k := nameKey{leaf.SHA256, name}
	tr.mu.Lock()
	ok, seen := tr.names[k]
	tr.mu.Unlock()
	if seen {
		return ok
	}
	ok = leaf.Raw.VerifyHostname(name) == nil
	tr.mu.Lock()
	if tr.names == nil || len(tr.names) >= maxTrustCache {
		tr.names = map[nameKey]bool{}
	}
	tr.names[k] = ok
	tr.mu.Unlock()
	return ok
}

// verify builds a path from the leaf to a trusted root, with the sent
// certificates as intermediates, at a time inside the leaf's validity (the
// dates are judged above, one by one).
func (tr *Trust) verify(chain []Certificate, start time.Time, leaf *x509.Certificate) []Problem {
	if tr.err != nil {
		return []Problem{{Code: "chain_not_checked", Severity: severityUnknown,
			Explanation: fmt.Sprintf("The chain could not be checked: %s could not be loaded (%v); give a CA file with --ca-file.", tr.what, tr.err),
			Evidence:    Evidence{Field: "certificates", Value: nil}}}
	}
	at := verifyTime(chain, start)
	// The key: the chain's hashes and the day of at (a lookup with a
	// string made of bytes does not allocate).
	var kb [256]byte
	key := kb[:0]
	for _, c := range chain {
		key = append(key, c.SHA256...)
	}
	day := at.Unix() / 86400
	if at.Unix() < 0 && at.Unix()%86400 != 0 {
		day-- // floor, for dates before 1970
	}
	key = strconv.AppendInt(append(key, '@'), day, 10)
	tr.mu.Lock()
	if r, ok := tr.cache[string(key)]; ok {
		tr.mu.Unlock()
		return r.problems
	}
	tr.mu.Unlock()

	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		if c.Raw != nil {
			inter.AddCert(c.Raw)
		}
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: tr.roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	var r chainResult
	if err != nil && !judgedElsewhere(err) {
		r.problems = []Problem{chainProblem(err, chain, tr.what)}
	}
	tr.mu.Lock()
	if tr.cache == nil || len(tr.cache) >= maxTrustCache {
		tr.cache = map[string]chainResult{}
	}
	tr.cache[string(key)] = r
	tr.mu.Unlock()
	return r.problems
}

// verifyTime is a time inside every sent certificate's validity when there
// is one, else inside the leaf's, as close to the capture time as that
// allows: the dates are judged one by one (certificate_expired and
// certificate_not_yet_valid), the path here.
func verifyTime(chain []Certificate, start time.Time) time.Time {
	lo, hi := chain[0].NotBefore, chain[0].NotAfter
	for _, c := range chain[1:] {
		if c.SelfSigned || c.NotBefore.IsZero() || c.NotAfter.IsZero() {
			continue
		}
		if c.NotBefore.After(lo) && !c.NotBefore.After(hi) {
			lo = c.NotBefore
		}
		if c.NotAfter.Before(hi) && !c.NotAfter.Before(lo) {
			hi = c.NotAfter
		}
	}
	at := start
	if at.After(hi) {
		at = hi
	}
	if at.Before(lo) {
		at = lo
	}
	return at
}

// judgedElsewhere: failures other rules already name. Dates are judged per
// certificate; crypto/x509 refuses SHA-1 and MD5 signatures (an
// UnknownAuthorityError whose text names the "insecure algorithm"), which
// weak_signature names.
func judgedElsewhere(err error) bool {
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) && inv.Reason == x509.Expired {
		return true
	}
	return strings.Contains(err.Error(), "insecure algorithm")
}

// chainProblem says why a chain did not verify, in the browser's terms.
func chainProblem(err error, chain []Certificate, what string) Problem {
	p := Problem{Severity: severityCritical, Evidence: Evidence{Field: "certificates", Value: err.Error()}}
	var ua x509.UnknownAuthorityError
	var inv x509.CertificateInvalidError
	top := chain[len(chain)-1]
	switch {
	case errors.As(err, &ua) && len(chain) == 1 && chain[0].SelfSigned:
		p.Code = "certificate_self_signed"
		p.Explanation = fmt.Sprintf("The server's certificate is self-signed and not in %s: anyone can make one, so browsers refuse it.", what)
	case errors.As(err, &ua) && top.SelfSigned:
		p.Code = "chain_untrusted"
		p.Explanation = fmt.Sprintf("The chain ends at %s, a root that is not in %s.", orUnknown(top.Subject), what)
	case errors.As(err, &ua) && len(chain) == 1:
		// Leaves are issued by intermediates; a lone leaf whose issuer is
		// not trusted most often means the server forgot its chain.
		p.Code = "chain_incomplete"
		p.Explanation = fmt.Sprintf("The server sent its certificate alone, and its issuer %s is not in %s: the server most likely did not send its intermediate certificate.",
			orUnknown(top.Issuer), what)
	case errors.As(err, &ua):
		p.Code = "chain_untrusted"
		p.Explanation = fmt.Sprintf("No path from the chain's last certificate (%s) to %s: its issuer %s is not trusted, or an intermediate is missing.",
			orUnknown(top.Subject), what, orUnknown(top.Issuer))
	case errors.As(err, &inv) && inv.Reason == x509.IncompatibleUsage:
		p.Code = "certificate_wrong_usage"
		p.Explanation = "The certificate chain is not valid for TLS server authentication (extended key usage)."
	default:
		p.Code = "chain_invalid"
		p.Explanation = fmt.Sprintf("The certificate chain does not verify: %v.", err)
	}
	return p
}

func indexOf(all []Certificate, c Certificate) int {
	for i := range all {
		if all[i].Certificate == c.Certificate {
			return i
		}
	}
	return 0
}

// coverage lists the names a certificate is valid for.
func coverage(c *dissect.Certificate) string {
	names := append(append([]string{}, c.SANs...), c.IPs...)
	if len(names) == 0 {
		if c.SubjectCN != "" {
			return fmt.Sprintf("only the common name %q, which browsers ignore", c.SubjectCN)
		}
		return "no names"
	}
	if len(names) > 5 {
		return strings.Join(names[:5], ", ") + fmt.Sprintf(" and %d more", len(names)-5)
	}
	return strings.Join(names, ", ")
}

func firstWarning(c *dissect.Certificate) string {
	if len(c.Warnings) > 0 {
		return c.Warnings[0]
	}
	return "unparsable"
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
