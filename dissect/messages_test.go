package dissect

import (
	"bytes"
	"compress/zlib"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"
)

// updateMsg rewrites testdata/msg-go126-*.bin from crypto/tls and the
// hand-built testdata/msg-hand-*.bin. Running the tests needs nothing
// external; the openssl fixtures are refreshed by
// testdata/msg-openssl30-gen.sh.
var updateMsg = flag.Bool("update-msg", false, "rewrite testdata/msg-go126-*.bin and msg-hand-*.bin")

// Message fixtures are handshake message bodies (no 4-byte header), named
// msg-<source>-<case>-<client|server>-<message>[-N].bin:
//
//   - msg-openssl30-*: OpenSSL 3.0.19 s_server and s_client -msg on
//     127.0.0.1, cut out by testdata/msg-openssl30-gen.sh (which lists the
//     command lines); msg-openssl30-ocsp-*.der are the OCSP responses it
//     made with `openssl ocsp` (single: one good status; multi: good and
//     revoked/keyCompromise in one response).
//   - msg-go126-*: Go 1.26 crypto/tls over loopback TCP (goMessages), the
//     cleartext TLS 1.2 messages before each side's ChangeCipherSpec;
//     written by TestGoMessages -update-msg.
//   - msg-hand-*: built by handMessages from the RFC structs (compressed
//     certificates around the OpenSSL TLS 1.3 Certificate, certificate_status
//     ocsp_multi); written by TestHandFixtures -update-msg.

// msgCase is what a fixture's <case> says about its connection.
var msgCases = map[string]MessageContext{
	"tls13":             {TLS13: true, Version: VersionTLS13, CipherSuite: 0x1302},
	"tls12-ecdhe-rsa":   {Version: VersionTLS12, CipherSuite: 0xC02F},
	"tls12-ecdhe-ecdsa": {Version: VersionTLS12, CipherSuite: 0xC02C},
	"tls12-dhe-rsa":     {Version: VersionTLS12, CipherSuite: 0x009E},
	"tls12-rsa":         {Version: VersionTLS12, CipherSuite: 0x009C},
	"tls10-dhe-rsa":     {Version: VersionTLS10, CipherSuite: 0x0033},
	"tls10-ecdhe-rsa":   {Version: VersionTLS10, CipherSuite: 0xC013},
	"tls12-psk":         {Version: VersionTLS12, CipherSuite: 0x00A8},
	"tls12-ecdhe-psk":   {Version: VersionTLS12, CipherSuite: 0xC037},
	"tls12-dhe-psk":     {Version: VersionTLS12, CipherSuite: 0x00AA},
	"tls12-rsa-psk":     {Version: VersionTLS12, CipherSuite: 0x00AC},
	"tls12-dh-anon":     {Version: VersionTLS12, CipherSuite: 0x00A6},
	"tls12-ecdh-anon":   {Version: VersionTLS12, CipherSuite: 0xC018},
}

var msgTypeNames = map[string]HandshakeType{
	"certificate": HandshakeTypeCertificate, "certificate_request": HandshakeTypeCertificateRequest,
	"certificate_verify": HandshakeTypeCertificateVerify, "certificate_status": HandshakeTypeCertificateStatus,
	"server_key_exchange": HandshakeTypeServerKeyExchange, "client_key_exchange": HandshakeTypeClientKeyExchange,
	"server_hello_done": HandshakeTypeServerHelloDone, "finished": HandshakeTypeFinished,
	"new_session_ticket": HandshakeTypeNewSessionTicket, "encrypted_extensions": HandshakeTypeEncryptedExtensions,
	"key_update": HandshakeTypeKeyUpdate, "compressed_certificate": HandshakeTypeCompressedCert,
}

// msgFixtureName splits a fixture name; the optional -N tells apart two
// messages of one type (a number) or two hand-built variants (a word).
var msgFixtureName = regexp.MustCompile(`^msg-(openssl30|go126|hand)-(.+)-(client|server)-([a-z_]+?)(-\w+)?\.bin$`)

// msgFixture is one saved message with what it needs to be decoded.
type msgFixture struct {
	name string
	typ  HandshakeType
	ctx  MessageContext
	body []byte
}

func msgFixtures(t testing.TB) []msgFixture {
	t.Helper()
	files, err := filepath.Glob("testdata/msg-*.bin")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var out []msgFixture
	for _, f := range files {
		name := filepath.Base(f)
		m := msgFixtureName.FindStringSubmatch(name)
		require.NotNil(t, m, "fixture name %s", name)
		ctx, ok := msgCases[m[2]]
		require.True(t, ok, "no context for case %q of %s", m[2], name)
		typ, ok := msgTypeNames[m[4]]
		require.True(t, ok, "unknown message %q in %s", m[4], name)
		ctx.FromServer = m[3] == "server"
		out = append(out, msgFixture{name, typ, ctx, readFixture(t, name)})
	}
	return out
}

func decode(typ HandshakeType, ctx MessageContext, body []byte) (any, []*Error) {
	return DecodeMessage(&Message{Type: typ, Length: len(body), Body: body}, ctx)
}

// reservedKeys are the report's own fields in a handshake entry, which a
// decoded message's JSON must not shadow.
var reservedKeys = []string{"from", "type", "type_code", "length", "frames", "records", "encrypted", "complete"}

// TestMessageFixtures decodes every saved message: no errors, a value whose
// JSON is an object that does not use the report's names, and the same
// result when the version is not known (the layout inference agrees with
// the real version on real bytes).
func TestMessageFixtures(t *testing.T) {
	for _, f := range msgFixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			v, errs := decode(f.typ, f.ctx, f.body)
			require.NotNil(t, v)
			assert.Empty(t, errCodes(errs), "%v", errs)
			js, err := json.Marshal(v)
			require.NoError(t, err)
			var obj map[string]any
			require.NoError(t, json.Unmarshal(js, &obj), "%s", js)
			for _, k := range reservedKeys {
				assert.NotContains(t, obj, k)
			}
			noVer := f.ctx
			noVer.Version = 0
			v2, errs2 := decode(f.typ, noVer, f.body)
			assert.Empty(t, errCodes(errs2), "%v", errs2)
			js2, _ := json.Marshal(v2)
			assert.JSONEq(t, string(js), string(js2), "with the version unknown")
		})
	}
}

func mustDecode[T any](t *testing.T, name string) T {
	t.Helper()
	for _, f := range msgFixtures(t) {
		if f.name == name {
			v, errs := decode(f.typ, f.ctx, f.body)
			require.Empty(t, errs)
			out, ok := v.(T)
			require.True(t, ok, "%s decoded to %T", name, v)
			return out
		}
	}
	t.Fatalf("no fixture %s", name)
	panic("unreachable")
}

func codeName(code int, name string) CodeName { return CodeName{code, name} }

// TestOpenSSLMessages checks what the OpenSSL fixtures must say, field by
// field (the certificates and keys are fresh on every regeneration, so
// only structure is pinned).
func TestOpenSSLMessages(t *testing.T) {
	const pre = "msg-openssl30-"
	ca := "CN=Padlock Test CA,O=Padlock Test,C=US"

	t.Run("tls13 server certificate with OCSP staple", func(t *testing.T) {
		c := mustDecode[*CertificateMsg](t, pre+"tls13-server-certificate.bin")
		assert.True(t, c.TLS13)
		assert.Empty(t, c.Context)
		require.Len(t, c.Entries, 2)
		assert.Equal(t, 2, c.Count)
		leaf := c.Entries[0]
		require.NotNil(t, leaf.Cert)
		assert.Equal(t, "rsa.example.com", leaf.Cert.SubjectCN)
		assert.Equal(t, "Padlock Test CA", c.Entries[1].Cert.SubjectCN)
		assert.Equal(t, []ExtensionType{ExtensionStatusRequest}, extTypes(leaf.Extensions))
		require.NotNil(t, leaf.OCSP)
		assert.Equal(t, "successful", leaf.OCSP.ResponseStatus.Name)
		assert.Equal(t, ca, leaf.OCSP.Responder)
		require.Len(t, leaf.OCSP.Responses, 1)
		assert.Equal(t, "good", leaf.OCSP.Responses[0].CertStatus)
		assert.Equal(t, leaf.Cert.Serial, leaf.OCSP.Responses[0].SerialNumber)
		assert.NotEmpty(t, leaf.OCSP.Responses[0].NextUpdate)
		assert.Empty(t, c.Entries[1].Extensions)
		assert.Same(t, c, CertificateChain(c))
		// DER and Off point at the certificate inside the body.
		body := readFixture(t, pre+"tls13-server-certificate.bin")
		assert.Equal(t, leaf.DER, body[leaf.Off:leaf.Off+len(leaf.DER)])
	})
	t.Run("tls13 client certificate", func(t *testing.T) {
		c := mustDecode[*CertificateMsg](t, pre+"tls13-client-certificate.bin")
		require.Len(t, c.Entries, 2) // s_client sends the chain it built from -CAfile
		assert.Equal(t, "client", c.Entries[0].Cert.SubjectCN)
	})
	t.Run("tls13 certificate_request", func(t *testing.T) {
		m := mustDecode[*CertificateRequestMsg](t, pre+"tls13-server-certificate_request.bin")
		require.NotNil(t, m.Context)
		assert.Equal(t, "", *m.Context)
		assert.Contains(t, extTypes(m.Extensions), ExtensionSignatureAlgorithms)
		cas := findExt(t, m.Extensions, ExtensionCertificateAuthorities).Decoded.(*CertificateAuthoritiesExt)
		assert.Equal(t, []string{ca}, cas.Names)
		assert.Nil(t, m.CertificateTypes)
	})
	t.Run("tls13 certificate_verify", func(t *testing.T) {
		m := mustDecode[*CertificateVerifyMsg](t, pre+"tls13-server-certificate_verify.bin")
		assert.Equal(t, codeName(0x0804, "rsa_pss_rsae_sha256"), *m.SignatureScheme)
		assert.Equal(t, 256, m.SignatureLength)
		m = mustDecode[*CertificateVerifyMsg](t, pre+"tls13-client-certificate_verify.bin")
		assert.Equal(t, codeName(0x0403, "ecdsa_secp256r1_sha256"), *m.SignatureScheme)
	})
	t.Run("tls13 encrypted_extensions", func(t *testing.T) {
		m := mustDecode[*EncryptedExtensionsMsg](t, pre+"tls13-server-encrypted_extensions.bin")
		assert.Equal(t, []ExtensionType{ExtensionALPN}, extTypes(m.Extensions))
		assert.Equal(t, []string{"h2"}, m.Extensions[0].Decoded.(*ALPNExt).Protocols)
		assert.Equal(t, 9, m.ExtensionsLength)
	})
	t.Run("tls13 new_session_ticket", func(t *testing.T) {
		m := mustDecode[*NewSessionTicketMsg](t, pre+"tls13-server-new_session_ticket.bin")
		require.NotNil(t, m.Lifetime)
		assert.Equal(t, uint32(7200), *m.Lifetime)
		assert.NotNil(t, m.AgeAdd)
		assert.Nil(t, m.LifetimeHint)
		assert.Equal(t, "0000000000000000", *m.Nonce)
		assert.Positive(t, m.TicketLen)
		require.NotNil(t, m.MaxEarlyData)
		assert.Equal(t, uint32(16384), *m.MaxEarlyData)
		m2 := mustDecode[*NewSessionTicketMsg](t, pre+"tls13-server-new_session_ticket-2.bin")
		assert.Equal(t, "0000000000000001", *m2.Nonce)
	})
	t.Run("tls13 key_update", func(t *testing.T) {
		m := mustDecode[*KeyUpdateMsg](t, pre+"tls13-client-key_update.bin")
		assert.Equal(t, codeName(1, "update_requested"), m.RequestUpdate)
	})
	t.Run("tls13 finished", func(t *testing.T) {
		m := mustDecode[*FinishedMsg](t, pre+"tls13-server-finished.bin")
		assert.Equal(t, 48, m.VerifyDataLength) // TLS_AES_256_GCM_SHA384
	})

	t.Run("tls12 ecdhe-rsa server_key_exchange", func(t *testing.T) {
		m := mustDecode[*ServerKeyExchangeMsg](t, pre+"tls12-ecdhe-rsa-server-server_key_exchange.bin")
		assert.Equal(t, "ECDHE", m.KeyExchange)
		assert.False(t, m.Guessed)
		require.NotNil(t, m.ECDHParams)
		assert.Equal(t, codeName(3, "named_curve"), m.CurveType)
		assert.Equal(t, codeName(29, "x25519"), *m.NamedGroup)
		assert.Equal(t, 32, *m.PublicKeyLength)
		assert.Equal(t, codeName(0x0804, "rsa_pss_rsae_sha256"), *m.SignatureScheme)
		assert.Equal(t, 256, m.SignatureLength)
		assert.Nil(t, m.DHParams)
	})
	t.Run("tls12 ecdhe-rsa certificate_status", func(t *testing.T) {
		m := mustDecode[*CertificateStatusMsg](t, pre+"tls12-ecdhe-rsa-server-certificate_status.bin")
		assert.Equal(t, codeName(1, "ocsp"), m.StatusType)
		require.NotNil(t, m.OCSP)
		assert.Equal(t, len(readFixture(t, pre+"ocsp-single.der")), m.OCSP.Length)
		require.Len(t, m.OCSP.Responses, 1)
		assert.Equal(t, "good", m.OCSP.Responses[0].CertStatus)
		cert := mustDecode[*CertificateMsg](t, pre+"tls12-ecdhe-rsa-server-certificate.bin")
		assert.Equal(t, cert.Entries[0].Cert.Serial, m.OCSP.Responses[0].SerialNumber)
	})
	t.Run("tls12 ecdhe-rsa certificate", func(t *testing.T) {
		c := mustDecode[*CertificateMsg](t, pre+"tls12-ecdhe-rsa-server-certificate.bin")
		assert.False(t, c.TLS13)
		require.Len(t, c.Entries, 2)
		assert.Nil(t, c.Entries[0].Extensions)
		js, err := json.Marshal(c)
		require.NoError(t, err)
		assert.NotContains(t, string(js), "certificate_request_context")
		assert.Contains(t, string(js), `"certificates_length":`)
	})
	t.Run("tls12 certificate_request", func(t *testing.T) {
		m := mustDecode[*CertificateRequestMsg](t, pre+"tls12-ecdhe-rsa-server-certificate_request.bin")
		assert.Equal(t, []CodeName{codeName(1, "rsa_sign"), codeName(2, "dss_sign"), codeName(64, "ecdsa_sign")}, m.CertificateTypes)
		assert.Contains(t, m.SignatureAlgorithms, codeName(0x0804, "rsa_pss_rsae_sha256"))
		assert.Equal(t, 1, *m.DistinguishedNameCount)
		assert.Equal(t, []int{*m.CertificateAuthoritiesLength - 2}, m.DistinguishedNameLengths)
		assert.Equal(t, []string{ca}, m.DistinguishedNames)
		assert.Nil(t, m.Context)
	})
	t.Run("tls12 client key exchange and verify", func(t *testing.T) {
		cke := mustDecode[*ClientKeyExchangeMsg](t, pre+"tls12-ecdhe-rsa-client-client_key_exchange.bin")
		assert.Equal(t, "ECDHE", cke.KeyExchange)
		assert.Equal(t, 32, *cke.PublicKeyLength)
		cv := mustDecode[*CertificateVerifyMsg](t, pre+"tls12-ecdhe-rsa-client-certificate_verify.bin")
		assert.Equal(t, codeName(0x0403, "ecdsa_secp256r1_sha256"), *cv.SignatureScheme)
	})
	t.Run("tls12 ecdhe-ecdsa", func(t *testing.T) {
		m := mustDecode[*ServerKeyExchangeMsg](t, pre+"tls12-ecdhe-ecdsa-server-server_key_exchange.bin")
		assert.Equal(t, codeName(0x0403, "ecdsa_secp256r1_sha256"), *m.SignatureScheme)
	})
	t.Run("tls12 rsa", func(t *testing.T) {
		cke := mustDecode[*ClientKeyExchangeMsg](t, pre+"tls12-rsa-client-client_key_exchange.bin")
		assert.Equal(t, "RSA", cke.KeyExchange)
		assert.Equal(t, 256, *cke.EncryptedPreMasterLength)
		nst := mustDecode[*NewSessionTicketMsg](t, pre+"tls12-rsa-server-new_session_ticket.bin")
		assert.Equal(t, uint32(7200), *nst.LifetimeHint)
		assert.Nil(t, nst.Lifetime)
		assert.Positive(t, nst.TicketLen)
		fin := mustDecode[*FinishedMsg](t, pre+"tls12-rsa-server-finished.bin")
		assert.Equal(t, 12, fin.VerifyDataLength)
		_ = mustDecode[*EmptyMsg](t, pre+"tls12-rsa-server-server_hello_done.bin")
	})
	t.Run("tls12 dhe-rsa", func(t *testing.T) {
		m := mustDecode[*ServerKeyExchangeMsg](t, pre+"tls12-dhe-rsa-server-server_key_exchange.bin")
		assert.Equal(t, "DHE", m.KeyExchange)
		require.NotNil(t, m.DHParams)
		assert.Equal(t, 2048, m.PrimeBits)
		assert.Equal(t, 256, m.PLength)
		assert.Equal(t, "02", m.G)
		assert.Equal(t, uint64(2), *m.GInt)
		assert.Equal(t, 256, *m.YsLength)
		assert.NotNil(t, m.SignatureScheme)
		cke := mustDecode[*ClientKeyExchangeMsg](t, pre+"tls12-dhe-rsa-client-client_key_exchange.bin")
		assert.Equal(t, 256, *cke.YcLength)
	})
	t.Run("tls10 has no signature schemes", func(t *testing.T) {
		m := mustDecode[*ServerKeyExchangeMsg](t, pre+"tls10-dhe-rsa-server-server_key_exchange.bin")
		assert.Nil(t, m.SignatureScheme)
		assert.Equal(t, 256, m.SignatureLength)
		e := mustDecode[*ServerKeyExchangeMsg](t, pre+"tls10-ecdhe-rsa-server-server_key_exchange.bin")
		assert.Nil(t, e.SignatureScheme)
		assert.Equal(t, 256, e.SignatureLength)
		cr := mustDecode[*CertificateRequestMsg](t, pre+"tls10-dhe-rsa-server-certificate_request.bin")
		assert.Nil(t, cr.SignatureAlgorithms)
		assert.Equal(t, []string{ca}, cr.DistinguishedNames)
		cv := mustDecode[*CertificateVerifyMsg](t, pre+"tls10-dhe-rsa-client-certificate_verify.bin")
		assert.Nil(t, cv.SignatureScheme)
		assert.Positive(t, cv.SignatureLength)
	})
	t.Run("psk", func(t *testing.T) {
		m := mustDecode[*ServerKeyExchangeMsg](t, pre+"tls12-psk-server-server_key_exchange.bin")
		assert.Equal(t, "PSK", m.KeyExchange)
		assert.Equal(t, "padlock-hint", m.PSKIdentityHint)
		assert.Equal(t, 12, *m.PSKIdentityHintLength)
		assert.Nil(t, m.SignatureInfo)
		c := mustDecode[*ClientKeyExchangeMsg](t, pre+"tls12-psk-client-client_key_exchange.bin")
		assert.Equal(t, "padlock-client", c.PSKIdentity)
		assert.Equal(t, 14, *c.PSKIdentityLength)
	})
	t.Run("ecdhe-psk", func(t *testing.T) {
		m := mustDecode[*ServerKeyExchangeMsg](t, pre+"tls12-ecdhe-psk-server-server_key_exchange.bin")
		assert.Equal(t, "ECDHE_PSK", m.KeyExchange)
		assert.Equal(t, "padlock-hint", m.PSKIdentityHint)
		assert.Equal(t, codeName(29, "x25519"), *m.NamedGroup)
		assert.Nil(t, m.SignatureInfo)
		c := mustDecode[*ClientKeyExchangeMsg](t, pre+"tls12-ecdhe-psk-client-client_key_exchange.bin")
		assert.Equal(t, "padlock-client", c.PSKIdentity)
		assert.Equal(t, 32, *c.PublicKeyLength)
	})
	t.Run("dhe-psk", func(t *testing.T) {
		m := mustDecode[*ServerKeyExchangeMsg](t, pre+"tls12-dhe-psk-server-server_key_exchange.bin")
		assert.Equal(t, "DHE_PSK", m.KeyExchange)
		assert.Equal(t, 2048, m.PrimeBits)
		assert.Nil(t, m.SignatureInfo)
		c := mustDecode[*ClientKeyExchangeMsg](t, pre+"tls12-dhe-psk-client-client_key_exchange.bin")
		assert.Equal(t, 256, *c.YcLength)
	})
	t.Run("rsa-psk", func(t *testing.T) {
		m := mustDecode[*ServerKeyExchangeMsg](t, pre+"tls12-rsa-psk-server-server_key_exchange.bin")
		assert.Equal(t, "RSA_PSK", m.KeyExchange)
		assert.Equal(t, "padlock-hint", m.PSKIdentityHint)
		c := mustDecode[*ClientKeyExchangeMsg](t, pre+"tls12-rsa-psk-client-client_key_exchange.bin")
		assert.Equal(t, "padlock-client", c.PSKIdentity)
		assert.Equal(t, 256, *c.EncryptedPreMasterLength)
	})
	t.Run("anonymous", func(t *testing.T) {
		m := mustDecode[*ServerKeyExchangeMsg](t, pre+"tls12-dh-anon-server-server_key_exchange.bin")
		assert.Equal(t, "DH_anon", m.KeyExchange)
		assert.NotNil(t, m.DHParams)
		assert.Nil(t, m.SignatureInfo)
		e := mustDecode[*ServerKeyExchangeMsg](t, pre+"tls12-ecdh-anon-server-server_key_exchange.bin")
		assert.Equal(t, "ECDH_anon", e.KeyExchange)
		assert.NotNil(t, e.ECDHParams)
		assert.Nil(t, e.SignatureInfo)
	})
}

// --- crypto/tls ------------------------------------------------------------

// msgPKI is a throwaway CA with RSA and ECDSA server certificates and a
// client certificate, and an OCSP response for each server certificate.
type msgPKI struct {
	ca         *x509.Certificate
	caDER      []byte
	caKey      crypto.Signer
	rsa, ecdsa tls.Certificate
	client     tls.Certificate
	pool       *x509.CertPool
}

var (
	msgPKIOnce sync.Once
	msgPKIVal  msgPKI
)

func testPKI(t testing.TB) msgPKI {
	msgPKIOnce.Do(func() {
		now := time.Now().Truncate(time.Hour)
		caKey, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		caTmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Padlock Go CA", Organization: []string{"Padlock Test"}},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		}
		caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
		require.NoError(t, err)
		ca, err := x509.ParseCertificate(caDER)
		require.NoError(t, err)
		leaf := func(serial int64, cn string, key crypto.Signer) tls.Certificate {
			tmpl := &x509.Certificate{
				SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn},
				NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
			require.NoError(t, err)
			staple, err := ocsp.CreateResponse(ca, ca, ocsp.Response{
				Status: ocsp.Good, SerialNumber: big.NewInt(serial), ThisUpdate: now, NextUpdate: now.Add(24 * time.Hour),
			}, caKey)
			require.NoError(t, err)
			return tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key, OCSPStaple: staple}
		}
		rk, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		ck, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		pool := x509.NewCertPool()
		pool.AddCert(ca)
		client := leaf(0x2c, "client", ck)
		client.OCSPStaple = nil
		msgPKIVal = msgPKI{ca: ca, caDER: caDER, caKey: caKey, rsa: leaf(0x1a, "rsa.example.com", rk),
			ecdsa: leaf(0x8e, "ecdsa.example.com", ek), client: client, pool: pool}
	})
	return msgPKIVal
}

// goMsgCases are the crypto/tls TLS 1.2 handshakes whose cleartext
// messages TestGoMessages decodes and -update-msg saves.
var goMsgCases = []struct {
	name       string
	suite      uint16
	ecdsa      bool
	clientAuth bool
}{
	{"tls12-ecdhe-rsa", tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, false, true},
	{"tls12-ecdhe-ecdsa", tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, true, false},
	{"tls12-rsa", tls.TLS_RSA_WITH_AES_128_GCM_SHA256, false, true},
}

// goMsg is one cleartext handshake message a crypto/tls endpoint wrote.
type goMsg struct {
	side string
	typ  HandshakeType
	body []byte
}

// cleartextMessages splits the handshake messages out of a stream of TLS
// records, up to the first change_cipher_spec (what follows is encrypted).
func cleartextMessages(t testing.TB, side string, stream []byte) []goMsg {
	t.Helper()
	var hs []byte
	for len(stream) >= 5 && stream[0] != byte(ContentTypeChangeCipherSpec) {
		n := int(stream[3])<<8 | int(stream[4])
		require.LessOrEqual(t, 5+n, len(stream), "record cut short")
		if stream[0] == byte(ContentTypeHandshake) {
			hs = append(hs, stream[5:5+n]...)
		}
		stream = stream[5+n:]
	}
	var out []goMsg
	for len(hs) >= 4 {
		n := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
		require.LessOrEqual(t, 4+n, len(hs))
		out = append(out, goMsg{side, HandshakeType(hs[0]), hs[4 : 4+n]})
		hs = hs[4+n:]
	}
	return out
}

// goMessages runs one crypto/tls TLS 1.2 handshake over loopback TCP and
// returns every cleartext handshake message both sides wrote.
func goMessages(t testing.TB, suite uint16, useECDSA, clientAuth bool) ([]goMsg, tls.ConnectionState) {
	t.Helper()
	pki := testPKI(t)
	cert := pki.rsa
	if useECDSA {
		cert = pki.ecdsa
	}
	server := &tls.Config{Certificates: []tls.Certificate{cert}, CipherSuites: []uint16{suite}, MaxVersion: tls.VersionTLS12}
	name := "rsa.example.com"
	if useECDSA {
		name = "ecdsa.example.com"
	}
	client := &tls.Config{ServerName: name, RootCAs: pki.pool, CipherSuites: []uint16{suite},
		MaxVersion: tls.VersionTLS12, ClientSessionCache: tls.NewLRUClientSessionCache(1)}
	if clientAuth {
		server.ClientAuth, server.ClientCAs = tls.RequestClientCert, pki.pool
		client.Certificates = []tls.Certificate{pki.client}
	}
	c, s := loopbackPair(t)
	rc, rs := &recConn{Conn: c}, &recConn{Conn: s}
	done := make(chan error, 1)
	go func() { done <- tls.Server(rs, server).Handshake() }()
	cl := tls.Client(rc, client)
	require.NoError(t, cl.Handshake())
	require.NoError(t, <-done)
	state := cl.ConnectionState()
	c.Close()
	s.Close()
	msgs := cleartextMessages(t, "client", rc.written())
	return append(msgs, cleartextMessages(t, "server", rs.written())...), state
}

// TestGoMessages decodes live crypto/tls TLS 1.2 handshakes and checks them
// against what crypto/tls negotiated; with -update-msg it saves them.
func TestGoMessages(t *testing.T) {
	pki := testPKI(t)
	for _, tc := range goMsgCases {
		t.Run(tc.name, func(t *testing.T) {
			msgs, state := goMessages(t, tc.suite, tc.ecdsa, tc.clientAuth)
			require.Equal(t, tc.suite, state.CipherSuite)
			ctx := MessageContext{Version: VersionTLS12, CipherSuite: CipherSuite(tc.suite)}
			seen := map[string]int{}
			var types []HandshakeType
			for _, m := range msgs {
				if m.typ == HandshakeTypeClientHello || m.typ == HandshakeTypeServerHello {
					continue
				}
				types = append(types, m.typ)
				ctx.FromServer = m.side == "server"
				v, errs := decode(m.typ, ctx, m.body)
				require.Empty(t, errs, "%s %s", m.side, m.typ)
				switch v := v.(type) {
				case *CertificateMsg:
					want := state.PeerCertificates
					if m.side == "client" {
						want = nil
						for _, der := range pki.client.Certificate {
							c, err := x509.ParseCertificate(der)
							require.NoError(t, err)
							want = append(want, c)
						}
					}
					require.Len(t, v.Entries, len(want))
					for i, e := range v.Entries {
						assert.Equal(t, want[i].Raw, e.DER)
						assert.Equal(t, want[i].Subject.CommonName, e.Cert.SubjectCN)
					}
				case *CertificateStatusMsg:
					assert.Equal(t, len(state.OCSPResponse), v.OCSP.Length)
					assert.Equal(t, "good", v.OCSP.Responses[0].CertStatus)
					assert.Equal(t, "CN=Padlock Go CA,O=Padlock Test", v.OCSP.Responder)
				case *CertificateRequestMsg:
					assert.Equal(t, []string{"CN=Padlock Go CA,O=Padlock Test"}, v.DistinguishedNames)
					assert.NotEmpty(t, v.SignatureAlgorithms)
				case *ServerKeyExchangeMsg:
					assert.Equal(t, "ECDHE", v.KeyExchange)
					assert.Equal(t, int(state.CurveID), v.NamedGroup.Code)
				case *ClientKeyExchangeMsg:
					if tc.suite == tls.TLS_RSA_WITH_AES_128_GCM_SHA256 {
						assert.Equal(t, 256, *v.EncryptedPreMasterLength)
					} else {
						assert.NotNil(t, v.PublicKeyLength)
					}
				case *NewSessionTicketMsg:
					assert.NotNil(t, v.LifetimeHint)
					assert.Positive(t, v.TicketLen)
				}
				if *updateMsg {
					base := fmt.Sprintf("msg-go126-%s-%s-%s", tc.name, m.side, m.typ)
					seen[base]++
					if seen[base] > 1 {
						base += fmt.Sprintf("-%d", seen[base])
					}
					require.NoError(t, os.WriteFile(filepath.Join("testdata", base+".bin"), m.body, 0o644))
				}
			}
			assert.Contains(t, types, HandshakeTypeCertificate)
			assert.Contains(t, types, HandshakeTypeServerHelloDone)
			assert.Contains(t, types, HandshakeTypeClientKeyExchange)
			assert.Contains(t, types, HandshakeTypeNewSessionTicket)
			if tc.clientAuth {
				assert.Contains(t, types, HandshakeTypeCertificateRequest)
				assert.Contains(t, types, HandshakeTypeCertificateVerify)
				assert.Contains(t, types, HandshakeTypeCertificateStatus)
			}
		})
	}
}

// --- hand-built messages ---------------------------------------------------

// u24 renders n as a 3-byte length in hex.
func u24(n int) string { return fmt.Sprintf("%06x", n) }

func compressZlib(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func compressBrotli(b []byte) []byte {
	var buf bytes.Buffer
	w := brotli.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func compressZstd(b []byte) []byte {
	w, _ := zstd.NewWriter(nil)
	defer w.Close()
	return w.EncodeAll(b, nil)
}

// compressedCert builds a CompressedCertificate body (RFC 8879, Section 4).
func compressedCert(alg int, declared int, data []byte) []byte {
	return unhex(fmt.Sprintf("%04x %s %s %x", alg, u24(declared), u24(len(data)), data))
}

// handMessages are the hand-built fixtures saved as msg-hand-*.bin.
func handMessages(t testing.TB) map[string][]byte {
	cert := readFixture(t, "msg-openssl30-tls13-server-certificate.bin")
	multi := readFixture(t, "msg-openssl30-ocsp-multi.der")
	single := readFixture(t, "msg-openssl30-ocsp-single.der")
	return map[string][]byte{
		"msg-hand-tls13-server-compressed_certificate-zlib.bin":   compressedCert(1, len(cert), compressZlib(cert)),
		"msg-hand-tls13-server-compressed_certificate-brotli.bin": compressedCert(2, len(cert), compressBrotli(cert)),
		"msg-hand-tls13-server-compressed_certificate-zstd.bin":   compressedCert(3, len(cert), compressZstd(cert)),
		// ocsp_multi (RFC 6961): the two-status response, then an empty
		// entry for the CA certificate.
		"msg-hand-tls12-ecdhe-rsa-server-certificate_status-multi.bin": unhex(fmt.Sprintf("02 %s %s %x %s %s",
			u24(3+len(multi)+3+3+len(single)), u24(len(multi)), multi, u24(0), u24(len(single))) + fmt.Sprintf("%x", single)),
	}
}

func TestHandFixtures(t *testing.T) {
	for name, b := range handMessages(t) {
		if *updateMsg {
			require.NoError(t, os.WriteFile(filepath.Join("testdata", name), b, 0o644))
		}
		_, err := os.Stat(filepath.Join("testdata", name))
		require.NoError(t, err, "run go test -run TestHandFixtures -update-msg")
	}
	plain := mustDecode[*CertificateMsg](t, "msg-openssl30-tls13-server-certificate.bin")
	for _, alg := range []string{"zlib", "brotli", "zstd"} {
		t.Run(alg, func(t *testing.T) {
			m := mustDecode[*CompressedCertificateMsg](t, "msg-hand-tls13-server-compressed_certificate-"+alg+".bin")
			assert.Equal(t, alg, m.Algorithm.Name)
			assert.Equal(t, len(readFixture(t, "msg-openssl30-tls13-server-certificate.bin")), m.UncompressedLength)
			require.NotNil(t, m.Certificate)
			require.Len(t, m.Certificate.Entries, len(plain.Entries))
			for i := range plain.Entries {
				assert.Equal(t, plain.Entries[i].DER, m.Certificate.Entries[i].DER)
				assert.Equal(t, plain.Entries[i].Cert.SHA256, m.Certificate.Entries[i].Cert.SHA256)
			}
			assert.NotNil(t, m.Certificate.Entries[0].OCSP)
			assert.Same(t, m.Certificate, CertificateChain(m))
		})
	}
	t.Run("ocsp_multi", func(t *testing.T) {
		m := mustDecode[*CertificateStatusMsg](t, "msg-hand-tls12-ecdhe-rsa-server-certificate_status-multi.bin")
		assert.Equal(t, codeName(2, "ocsp_multi"), m.StatusType)
		require.Len(t, m.List, 3)
		// The library reads one SingleResponse; two go through parseOCSPMulti.
		require.Len(t, m.List[0].Responses, 2)
		assert.Equal(t, "good", m.List[0].Responses[0].CertStatus)
		r := m.List[0].Responses[1]
		assert.Equal(t, "revoked", r.CertStatus)
		assert.Equal(t, "2025-01-01T00:00:00Z", r.RevokedAt)
		assert.Equal(t, codeName(1, "keyCompromise"), *r.RevocationReason)
		assert.Equal(t, "CN=Padlock Test CA,O=Padlock Test,C=US", m.List[0].Responder)
		assert.Equal(t, OCSPResponseInfo{}, *m.List[1])
		require.Len(t, m.List[2].Responses, 1)
	})
}

// handCases are hand-written messages for what real captures rarely show:
// bounds, odd values, rare messages, and every way to be malformed.
var handCases = []struct {
	name      string
	typ       HandshakeType
	ctx       MessageContext
	hex       string
	wantCodes []string
	// want is the value's JSON when it is a whole object, else a fragment
	// the JSON must contain (without its leading '{').
	want string
	// anyPrefix: shorter inputs can be valid too (opaque or optional
	// bodies), so the prefix sweep skips this case.
	anyPrefix bool
}{
	// Empty messages.
	{name: "hello_request", typ: HandshakeTypeHelloRequest, hex: "", want: `{}`},
	{name: "hello_request not empty", typ: HandshakeTypeHelloRequest, hex: "00", wantCodes: []string{"message_trailing_data"}},
	{name: "server_hello_done not empty", typ: HandshakeTypeServerHelloDone, hex: "0102", wantCodes: []string{"message_trailing_data"}},
	{name: "end_of_early_data", typ: HandshakeTypeEndOfEarlyData, hex: "", want: `{}`},

	// KeyUpdate (RFC 8446, Section 4.6.3).
	{name: "key_update not requested", typ: HandshakeTypeKeyUpdate, hex: "00", want: `{"request_update":{"code":0,"name":"update_not_requested"}}`},
	{name: "key_update bad value", typ: HandshakeTypeKeyUpdate, hex: "02", wantCodes: []string{"message_value_invalid"}, want: `"name":"0x02"`},
	{name: "key_update empty", typ: HandshakeTypeKeyUpdate, hex: "", wantCodes: []string{"message_malformed"}},
	{name: "key_update long", typ: HandshakeTypeKeyUpdate, hex: "0000", wantCodes: []string{"message_trailing_data"}},

	// NewSessionTicket.
	{name: "nst 1.2 empty ticket", typ: HandshakeTypeNewSessionTicket, hex: "00000000 0000",
		want: `{"ticket_lifetime_hint":0,"ticket_length":0,"ticket":""}`},
	{name: "nst 1.3 lifetime over 7 days", typ: HandshakeTypeNewSessionTicket, ctx: MessageContext{TLS13: true},
		hex: "00093a81 01020304 01aa 0002 bbcc 0000", wantCodes: []string{"message_value_invalid"},
		want: `"ticket_lifetime":604801,"ticket_age_add":16909060,"ticket_nonce":"aa","ticket_length":2,"ticket":"bbcc"`},
	{name: "nst 1.3 empty ticket", typ: HandshakeTypeNewSessionTicket, ctx: MessageContext{TLS13: true},
		hex: "00000e10 00000000 00 0000 0000", wantCodes: []string{"message_malformed"}},
	{name: "nst 1.3 extensions cut", typ: HandshakeTypeNewSessionTicket, ctx: MessageContext{TLS13: true},
		hex: "00000e10 00000000 00 0001 aa 0008 002a0004", wantCodes: []string{"message_malformed"}},
	{name: "nst 1.3 bad early_data", typ: HandshakeTypeNewSessionTicket, ctx: MessageContext{TLS13: true},
		hex: "00000e10 00000000 00 0001 aa 0006 002a0002 0001", wantCodes: []string{"extension_malformed"},
		want: `"extensions":[{"code":42,"name":"early_data","length":2,"malformed":true}]`},

	// HelloVerifyRequest (DTLS).
	{name: "hello_verify_request", typ: HandshakeTypeHelloVerifyRequest, hex: "fefd 04 deadbeef",
		want: `{"server_version":{"code":65277,"name":"DTLS 1.2"},"cookie_length":4,"cookie":"deadbeef"}`},

	// message_hash and unknown types.
	{name: "message_hash", typ: HandshakeTypeMessageHash, hex: repeat("ab", 32), want: `{"hash_length":32,"hash":"` + repeat("ab", 32) + `"}`},
	{name: "unknown type", typ: 99, hex: "0102", want: `{"unknown":true,"hex":"0102"}`},
	{name: "unknown type long", typ: 200, hex: repeat("00", 70), want: `"hex_truncated":true`},

	// certificate_url (RFC 6066, Section 5).
	{name: "certificate_url", typ: HandshakeTypeCertificateURL,
		hex:  "00 001f 0008 687474703a2f2f61 01" + repeat("11", 20),
		want: `{"chain_type":{"code":0,"name":"individual_certs"},"url_and_hash_list_length":31,"url_count":1,"urls":["http://a"]}`},
	{name: "certificate_url bad padding", typ: HandshakeTypeCertificateURL,
		hex: "01 001f 0008 687474703a2f2f61 00" + repeat("11", 20), wantCodes: []string{"message_value_invalid"}, want: `"name":"pkipath"`},
	{name: "certificate_url hash cut", typ: HandshakeTypeCertificateURL,
		hex: "00 000d 0008 687474703a2f2f61 01 1111", wantCodes: []string{"message_malformed"}},

	// supplemental_data (RFC 4680).
	{name: "supplemental_data", typ: 23, hex: "00000b 0000 0002 aabb 4002 0001 cc",
		want: `{"supp_data_length":11,"supp_data":[{"supp_data_type":{"code":0,"name":"user_mapping_data"},"supp_data_length":2},{"supp_data_type":{"code":16386,"name":"authz_data"},"supp_data_length":1}]}`},
	{name: "supplemental_data empty", typ: 23, hex: "000000", wantCodes: []string{"message_malformed"}},

	// DTLS 1.3 and DTLS-SRTP.
	{name: "request_connection_id", typ: 9, hex: "03", want: `{"num_cids":3}`},
	{name: "new_connection_id", typ: 10, hex: "0004 02aabb 00 01", want: `{"cids_length":4,"cids":["aabb",""],"usage":{"code":1,"name":"cid_spare"}}`},
	{name: "new_connection_id no usage", typ: 10, hex: "0000", wantCodes: []string{"message_malformed"}},
	{name: "ekt_key", typ: 26, hex: "02 aabb 01 cc 0102 000e10", want: `{"ekt_key_value_length":2,"srtp_master_salt_length":1,"ekt_spi":258,"ekt_ttl":3600}`},
	{name: "ekt_key ttl cut", typ: 26, hex: "01 aa 01 cc 0102 00", wantCodes: []string{"message_malformed"}},

	// RFC 9261 ClientCertificateRequest, the TLS 1.3 layout.
	{name: "client_certificate_request", typ: 17, hex: "02 0102 0008 000d0004 00020403",
		want: `"certificate_request_context":"0102","extensions":[{"code":13,"name":"signature_algorithms","length":4`},

	// CertificateRequest bounds.
	{name: "certificate_request 1.3 no extensions", typ: HandshakeTypeCertificateRequest, ctx: MessageContext{TLS13: true},
		hex: "00 0000", wantCodes: []string{"message_malformed"}},
	{name: "certificate_request 1.2 unknown type and bad DN", typ: HandshakeTypeCertificateRequest, ctx: MessageContext{Version: VersionTLS12},
		hex:  "02 40 63 0002 0403 0005 0003 010203",
		want: `{"certificate_types":[{"code":64,"name":"ecdsa_sign"},{"code":99,"name":"0x63"}],"signature_algorithms":[{"code":1027,"name":"ecdsa_secp256r1_sha256"}],"certificate_authorities_length":5,"distinguished_name_count":1,"distinguished_name_lengths":[3],"distinguished_names":[""]}`},
	// Two names, each an empty RDNSequence: the lengths are the DER's.
	{name: "certificate_request 1.2 two names", typ: HandshakeTypeCertificateRequest, ctx: MessageContext{Version: VersionTLS12},
		hex:  "01 40 0002 0403 000b 0002 3000 0005 3003 310130",
		want: `"certificate_authorities_length":11,"distinguished_name_count":2,"distinguished_name_lengths":[2,5],`},
	{name: "certificate_request 1.2 no types", typ: HandshakeTypeCertificateRequest, ctx: MessageContext{Version: VersionTLS12},
		hex: "00 0002 0403 0000", wantCodes: []string{"message_malformed"}},
	{name: "certificate_request 1.2 odd algorithms", typ: HandshakeTypeCertificateRequest, ctx: MessageContext{Version: VersionTLS12},
		hex: "01 01 0003 040305 0000", wantCodes: []string{"message_malformed"}},

	// CertificateVerify.
	{name: "certificate_verify 1.3", typ: HandshakeTypeCertificateVerify, ctx: MessageContext{TLS13: true},
		hex: "0807 0003 aabbcc", want: `{"signature_scheme":{"code":2055,"name":"ed25519"},"signature_length":3}`},
	{name: "certificate_verify 1.1", typ: HandshakeTypeCertificateVerify, ctx: MessageContext{Version: VersionTLS11},
		hex: "0003 aabbcc", want: `{"signature_length":3}`},
	{name: "certificate_verify cut", typ: HandshakeTypeCertificateVerify, ctx: MessageContext{TLS13: true},
		hex: "0807 0004 aabbcc", wantCodes: []string{"message_malformed"}},

	// ServerKeyExchange layouts padlock does not meet in the fixtures.
	{name: "ske srp_sha", typ: HandshakeTypeServerKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0xC01D}, // TLS_SRP_SHA_WITH_AES_128_CBC_SHA
		hex:  "0002 00ff 0001 02 02 aabb 0003 010203",
		want: `{"key_exchange":"SRP","srp_n_length":2,"srp_n_bits":8,"srp_g_length":1,"srp_s_length":2,"srp_b_length":3}`},
	{name: "ske srp_sha_rsa", typ: HandshakeTypeServerKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0xC01E}, // TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA
		hex:  "0002 00ff 0001 02 02 aabb 0003 010203 0401 0002 abcd",
		want: `"signature_scheme":{"code":1025,"name":"rsa_pkcs1_sha256"},"signature_length":2`},
	{name: "ske rsa_export", typ: HandshakeTypeServerKeyExchange, ctx: MessageContext{Version: VersionTLS10, CipherSuite: 0x0003}, // TLS_RSA_EXPORT_WITH_RC4_40_MD5
		hex:  "0040 c0" + repeat("11", 63) + " 0003 010001 0024" + repeat("22", 36),
		want: `{"key_exchange":"RSA_EXPORT","rsa_modulus_length":64,"rsa_modulus_bits":512,"rsa_exponent_length":3,"rsa_exponent":65537,"signature_length":36}`},
	{name: "ske explicit curve", typ: HandshakeTypeServerKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0xC02F},
		hex: "01 0102030405", wantCodes: []string{"message_malformed"}, want: `"curve_type":{"code":1,"name":"explicit_prime"}`},
	{name: "ske ecdhe empty point", typ: HandshakeTypeServerKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0xC02F},
		hex: "03 001d 00 0804 0000", wantCodes: []string{"message_malformed"}, want: `"public_key_length":0`},
	{name: "ske ecdhe signature cut", typ: HandshakeTypeServerKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0xC02F},
		hex: "03 001d 01 aa 0804 0005 aabb", wantCodes: []string{"message_malformed"}, want: `"signature_scheme":{"code":2052,"name":"rsa_pss_rsae_sha256"}`},
	{name: "ske dhe g too long for an int", typ: HandshakeTypeServerKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0x009E},
		hex:  "0001 17 0009 010000000000000000 0001 05 0401 0000",
		want: `"dh_p_length":1,"prime_bits":5,"dh_g_length":9,"dh_g":"010000000000000000","dh_ys_length":1`},
	{name: "ske psk binary hint", typ: HandshakeTypeServerKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0x00A8},
		hex: "0003 00ff41", want: `{"key_exchange":"PSK","psk_identity_hint_length":3,"psk_identity_hint_hex":"00ff41"}`},
	{name: "ske psk empty hint", typ: HandshakeTypeServerKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0x00A8},
		hex: "0000", want: `{"key_exchange":"PSK","psk_identity_hint_length":0}`},
	{name: "ske psk trailing", typ: HandshakeTypeServerKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0x00A8},
		hex: "0000 00", wantCodes: []string{"message_trailing_data"}},
	{name: "ske unknown suite reads as ECDHE", typ: HandshakeTypeServerKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0xEEEE},
		hex: "03 0017 02 0405 0403 0002 aabb", wantCodes: []string{"key_exchange_guessed"},
		want: `{"key_exchange":"ECDHE","key_exchange_guessed":true,"curve_type":{"code":3,"name":"named_curve"},"named_group":{"code":23,"name":"secp256r1"}`},
	{name: "ske unknown suite reads as DH_anon", typ: HandshakeTypeServerKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0xEEEE},
		hex: "0001 17 0001 02 0001 05", wantCodes: []string{"key_exchange_guessed"}, want: `{"key_exchange":"DH_anon","key_exchange_guessed":true`},
	{name: "ske static ecdh suite", typ: HandshakeTypeServerKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0xC004}, // TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA
		hex: "aabbcc", wantCodes: []string{"key_exchange_guessed"}, want: `{"key_exchange":"ECDH","params_length":3}`},
	{name: "ske tls13 suite", typ: HandshakeTypeServerKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0x1301},
		hex: "03 001d 01 aa 0804 0001 bb", wantCodes: []string{"key_exchange_guessed"}, want: `"key_exchange":"ECDHE","key_exchange_guessed":true`},

	// ClientKeyExchange.
	{name: "cke ssl3 rsa", typ: HandshakeTypeClientKeyExchange, ctx: MessageContext{Version: VersionSSL30, CipherSuite: 0x000A},
		hex: repeat("5a", 64), want: `{"key_exchange":"RSA","encrypted_pre_master_length":64}`, anyPrefix: true},
	{name: "cke tls rsa cut", typ: HandshakeTypeClientKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0x009C},
		hex: "0100" + repeat("5a", 64), wantCodes: []string{"message_malformed"}},
	{name: "cke static ecdh implicit", typ: HandshakeTypeClientKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0xC004},
		hex: "", want: `{"key_exchange":"ECDH","implicit_public_key":true}`},
	{name: "cke static dh", typ: HandshakeTypeClientKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0x0030}, // TLS_DH_DSS_WITH_AES_128_CBC_SHA
		hex: "0002 aabb", want: `{"key_exchange":"DH","dh_yc_length":2}`, anyPrefix: true}, // empty is implicit
	{name: "cke ecdhe empty", typ: HandshakeTypeClientKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0xC02F},
		hex: "", wantCodes: []string{"message_malformed"}},
	{name: "cke srp", typ: HandshakeTypeClientKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0xC01D},
		hex: "0002 aabb", want: `{"key_exchange":"SRP","srp_a_length":2}`},
	{name: "cke psk trailing", typ: HandshakeTypeClientKeyExchange, ctx: MessageContext{Version: VersionTLS12, CipherSuite: 0x00A8},
		hex: "0001 41 00", wantCodes: []string{"message_trailing_data"}, want: `"psk_identity":"A"`},
	{name: "cke unknown suite point", typ: HandshakeTypeClientKeyExchange, ctx: MessageContext{CipherSuite: 0xEEEE},
		hex: "20" + repeat("11", 32), wantCodes: []string{"key_exchange_guessed"}, want: `{"key_exchange":"ECDHE","key_exchange_guessed":true,"public_key_length":32}`},
	{name: "cke unknown suite vector", typ: HandshakeTypeClientKeyExchange, ctx: MessageContext{CipherSuite: 0xEEEE},
		hex: "0003 112233", wantCodes: []string{"key_exchange_guessed"}, want: `{"key_exchange":"RSA_or_DHE","key_exchange_guessed":true,"exchange_keys_length":3}`},
	{name: "cke unknown suite opaque", typ: HandshakeTypeClientKeyExchange, ctx: MessageContext{CipherSuite: 0xEEEE},
		hex: "ff", wantCodes: []string{"key_exchange_guessed"}, want: `{"key_exchange":"unknown","exchange_keys_length":1}`},

	// Certificate.
	{name: "certificate 1.2 empty", typ: HandshakeTypeCertificate, hex: "000000",
		want: `{"certificates_length":0,"certificate_count":0,"certificates":[]}`},
	{name: "certificate 1.2 list cut", typ: HandshakeTypeCertificate, hex: "000010 000002 3000", wantCodes: []string{"message_malformed"}},
	{name: "certificate 1.2 trailing", typ: HandshakeTypeCertificate, hex: "000000 00", wantCodes: []string{"message_trailing_data"}},
	{name: "certificate 1.2 empty entry", typ: HandshakeTypeCertificate, hex: "000003 000000", wantCodes: []string{"message_malformed"}},
	{name: "certificate 1.3 context", typ: HandshakeTypeCertificate, ctx: MessageContext{TLS13: true}, hex: "02 abcd 000000",
		want: `{"certificate_request_context":"abcd","certificates_length":0,"certificate_count":0,"certificates":[]}`},
	{name: "certificate 1.3 entry extensions cut", typ: HandshakeTypeCertificate, ctx: MessageContext{TLS13: true},
		hex: "00 000003 000000", wantCodes: []string{"message_malformed", "message_malformed"}},

	// CertificateStatus.
	{name: "certificate_status garbage", typ: HandshakeTypeCertificateStatus, hex: "01 000003 010203",
		wantCodes: []string{"ocsp_response_unparsable"}, want: `{"status_type":{"code":1,"name":"ocsp"},"ocsp_response":{"length":3}}`},
	{name: "certificate_status tryLater", typ: HandshakeTypeCertificateStatus, hex: "01 000005 30030a0103",
		want: `"ocsp_response":{"length":5,"response_status":{"code":3,"name":"tryLater"}}`},
	{name: "certificate_status empty response", typ: HandshakeTypeCertificateStatus, hex: "01 000000",
		wantCodes: []string{"message_malformed", "ocsp_response_unparsable"}},
	{name: "certificate_status unknown type", typ: HandshakeTypeCertificateStatus, hex: "07 aabb",
		want: `{"status_type":{"code":7,"name":"0x07"},"response_length":2}`, anyPrefix: true},
	{name: "certificate_status cut", typ: HandshakeTypeCertificateStatus, hex: "01 000009 3003", wantCodes: []string{"message_malformed"}},

	// CompressedCertificate.
	{name: "compressed unknown algorithm", typ: HandshakeTypeCompressedCert, hex: "0009 000004 000002 aabb",
		wantCodes: []string{"compression_algorithm_unknown"}, want: `{"algorithm":{"code":9,"name":"0x0009"},"uncompressed_length":4,"compressed_length":2}`},
	{name: "compressed over the cap", typ: HandshakeTypeCompressedCert, hex: "0001 100001 000002 aabb", wantCodes: []string{"decompression_refused"}},
	{name: "compressed garbage", typ: HandshakeTypeCompressedCert, hex: "0001 000004 000002 aabb", wantCodes: []string{"decompression_failed"}},
	{name: "compressed empty", typ: HandshakeTypeCompressedCert, hex: "0001 000004 000000", wantCodes: []string{"message_malformed", "decompression_failed"}},
}

// handCompressed are CompressedCertificate cases built at run time.
func handCompressed() map[string]struct {
	body  []byte
	codes []string
} {
	inner := unhex("00 000000") // an empty TLS 1.3 Certificate
	bomb := bytes.Repeat([]byte{0}, 64<<10)
	bad := unhex("00 000003 000000") // an empty entry whose extensions are missing
	return map[string]struct {
		body  []byte
		codes []string
	}{
		"zlib empty chain":        {compressedCert(1, len(inner), compressZlib(inner)), nil},
		"zlib shorter than said":  {compressedCert(1, len(inner)+1, compressZlib(inner)), []string{"decompression_failed"}},
		"zlib longer than said":   {compressedCert(1, len(inner)-1, compressZlib(inner)), []string{"decompression_refused"}},
		"brotli bomb":             {compressedCert(2, 1000, compressBrotli(bomb)), []string{"decompression_refused"}},
		"zstd bomb":               {compressedCert(3, 1000, compressZstd(bomb)), []string{"decompression_refused"}},
		"zstd garbage":            {compressedCert(3, 4, []byte{0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3}), []string{"decompression_failed"}},
		"inner problems reported": {compressedCert(1, len(bad), compressZlib(bad)), []string{"message_malformed", "message_malformed"}},
	}
}

func TestDecodeMessage(t *testing.T) {
	for _, tc := range handCases {
		t.Run(tc.name, func(t *testing.T) {
			body := unhex(tc.hex)
			v, errs := decode(tc.typ, tc.ctx, body)
			require.NotNil(t, v)
			assert.Equal(t, tc.wantCodes, errCodes(errs), "%v", errs)
			for _, e := range errs {
				assert.True(t, e.Off >= 0 && e.Off <= len(body), "offset %d outside the %d-byte body: %v", e.Off, len(body), e)
			}
			js, err := json.Marshal(v)
			require.NoError(t, err)
			switch {
			case tc.want == "":
			case json.Valid([]byte(tc.want)):
				assert.JSONEq(t, tc.want, string(js))
			default:
				assert.Contains(t, string(js), strings.TrimPrefix(tc.want, "{"), "JSON: %s", js)
			}
		})
	}
	for name, tc := range handCompressed() {
		t.Run(name, func(t *testing.T) {
			v, errs := decode(HandshakeTypeCompressedCert, MessageContext{TLS13: true}, tc.body)
			require.IsType(t, &CompressedCertificateMsg{}, v)
			assert.Equal(t, tc.codes, errCodes(errs), "%v", errs)
			if tc.codes == nil {
				assert.NotNil(t, v.(*CompressedCertificateMsg).Certificate)
			}
		})
	}
}

func TestDecodeMessageNil(t *testing.T) {
	for _, typ := range []HandshakeType{HandshakeTypeClientHello, HandshakeTypeServerHello} {
		v, errs := decode(typ, MessageContext{}, []byte{1, 2})
		assert.Nil(t, v)
		assert.Nil(t, errs)
	}
	// A message the reader skipped over its cap has no body.
	v, errs := DecodeMessage(&Message{Type: HandshakeTypeCertificate, Length: 2 << 20}, MessageContext{})
	assert.Nil(t, v)
	assert.Nil(t, errs)
	v, _ = DecodeMessage(nil, MessageContext{})
	assert.Nil(t, v)
}

// TestCertificateChainCap: entries past maxChainCertificates are counted,
// not parsed, and the cap says so once.
func TestCertificateChainCap(t *testing.T) {
	der := testPKI(t).caDER
	var list []byte
	for range maxChainCertificates + 3 {
		list = append(list, unhex(u24(len(der)))...)
		list = append(list, der...)
		list = append(list, 0, 0) // TLS 1.3 extensions
	}
	body := append(unhex("00"+u24(len(list))), list...)
	v, errs := decode(HandshakeTypeCertificate, MessageContext{TLS13: true}, body)
	c := v.(*CertificateMsg)
	assert.Equal(t, []string{"certificate_chain_capped"}, errCodes(errs))
	assert.Len(t, c.Entries, maxChainCertificates)
	assert.Equal(t, maxChainCertificates+3, c.Count)
	assert.True(t, c.Capped)
	js, _ := json.Marshal(c)
	assert.Contains(t, string(js), `"certificate_count":67,"certificates_capped":true`)
}

// TestCertificateErrorsShifted: a certificate's own problems keep their
// codes and point into the message body.
func TestCertificateErrorsShifted(t *testing.T) {
	der := testPKI(t).caDER
	bad := append(bytes.Clone(der), 0xEE) // trailing byte after the certificate
	list := append(append(unhex(u24(len(der))), der...), append(unhex(u24(len(bad))), bad...)...)
	body := append(unhex(u24(len(list))), list...)
	v, errs := decode(HandshakeTypeCertificate, MessageContext{}, body)
	c := v.(*CertificateMsg)
	require.Len(t, c.Entries, 2)
	require.NotEmpty(t, errs)
	for _, e := range errs {
		assert.GreaterOrEqual(t, e.Off, c.Entries[1].Off, "%v", e)
		assert.Less(t, e.Off, len(body), "%v", e)
	}
	assert.NotNil(t, c.Entries[1].Cert)
}

func TestParseOCSPResponse(t *testing.T) {
	single := readFixture(t, "msg-openssl30-ocsp-single.der")
	info, err := ParseOCSPResponse(single)
	require.NoError(t, err)
	assert.Equal(t, len(single), info.Length)
	require.Len(t, info.Responses, 1)
	assert.NotEmpty(t, info.ProducedAt)
	// As openssl ocsp -resp_text prints them.
	assert.Equal(t, "1.3.6.1.5.5.7.48.1.1", info.ResponseType)
	assert.Equal(t, "1.3.14.3.2.26", info.Responses[0].HashAlgorithmOID)
	assert.Equal(t, "b3d408b703dbed27c45cb60b9b8a41a4f700aee3", info.Responses[0].IssuerNameHash)
	assert.Equal(t, "004dcc310a1297a045b8b606d83c05e1d2b2afe8", info.Responses[0].IssuerKeyHash)
	assert.Equal(t, "1.2.840.113549.1.1.11", info.SignatureOID)
	assert.Equal(t, 256, info.SignatureLength)
	require.Len(t, info.Certificates, 1)
	assert.Equal(t, "CN=Padlock Test CA,O=Padlock Test,C=US", info.Certificates[0].Subject)

	// Two statuses: the library refuses without a certificate to pick
	// one; parseOCSPMulti reads both.
	info, err = ParseOCSPResponse(readFixture(t, "msg-openssl30-ocsp-multi.der"))
	require.NoError(t, err)
	require.Len(t, info.Responses, 2)
	assert.NotEmpty(t, info.Responses[1].IssuerKeyHash)
	assert.NotEmpty(t, info.SignatureOID)

	// A responder named by key hash, and a revoked certificate.
	pki := testPKI(t)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	der, err := ocsp.CreateResponse(pki.ca, pki.ca, ocsp.Response{Status: ocsp.Revoked, SerialNumber: big.NewInt(-255),
		ThisUpdate: now, RevokedAt: now.Add(-time.Hour), RevocationReason: ocsp.Superseded}, pki.caKey)
	require.NoError(t, err)
	info, err = ParseOCSPResponse(der)
	require.NoError(t, err)
	assert.Equal(t, "CN=Padlock Go CA,O=Padlock Test", info.Responder)
	assert.Empty(t, info.ResponderKeyHash)
	// The CertID's hashes are SHA-1 (x/crypto/ocsp's default) of the
	// issuer's name and of its key's bits.
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	_, err = asn1.Unmarshal(pki.ca.RawSubjectPublicKeyInfo, &spki)
	require.NoError(t, err)
	nameHash, keyHash := sha1.Sum(pki.ca.RawSubject), sha1.Sum(spki.Key.Bytes)
	assert.Equal(t, OCSPSingleResponse{SerialNumber: "ff01", CertStatus: "revoked", RevokedAt: "2026-01-02T02:04:05Z",
		RevocationReason: &CodeName{4, "superseded"}, ThisUpdate: "2026-01-02T03:04:05Z",
		HashAlgorithmOID: "1.3.14.3.2.26", IssuerNameHash: hex.EncodeToString(nameHash[:]), IssuerKeyHash: hex.EncodeToString(keyHash[:])}, info.Responses[0])
	assert.Equal(t, "1.3.6.1.5.5.7.48.1.1", info.ResponseType)
	assert.NotEmpty(t, info.SignatureOID)
	assert.Positive(t, info.SignatureLength)
	assert.Empty(t, info.Certificates, "x/crypto/ocsp sends no certificate unless asked")

	_, err = ParseOCSPResponse([]byte{0x30, 0x00})
	assert.Error(t, err)
}

func TestSerialHex(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "00"}, {1, "01"}, {127, "7f"}, {128, "0080"}, {256, "0100"}, {-1, "ff"}, {-128, "80"}, {-129, "ff7f"}, {-255, "ff01"}, {-256, "ff00"}} {
		assert.Equal(t, tc.want, serialHex(big.NewInt(tc.n)), "%d", tc.n)
	}
}

func TestTextOrHex(t *testing.T) {
	txt, hx := textOrHex([]byte("client-1"))
	assert.Equal(t, "client-1", txt)
	assert.Empty(t, hx)
	txt, hx = textOrHex([]byte{'a', 0x07})
	assert.Empty(t, txt)
	assert.Equal(t, "6107", hx)
	// A rune cut by the cap is dropped, not turned into hex.
	long := strings.Repeat("a", identityCap-1) + "é"
	txt, _ = textOrHex([]byte(long))
	assert.Equal(t, strings.Repeat("a", identityCap-1), txt)
}

func TestExtensionListJSON(t *testing.T) {
	l := ExtensionList{
		{Type: ExtensionALPN, Data: unhex("0003026832"), Decoded: &ALPNExt{Protocols: []string{"h2"}}},
		{Type: 0x1234, Data: unhex("abcd")},
		{Type: 0x0a0a, Data: nil, Decoded: &GREASEExt{}},
		{Type: ExtensionEarlyData, Data: nil, Decoded: &EarlyDataExt{}},
	}
	js, err := json.Marshal(l)
	require.NoError(t, err)
	assert.JSONEq(t, `[
		{"code":16,"name":"application_layer_protocol_negotiation","length":5,"protocols":["h2"]},
		{"code":4660,"name":"0x1234","length":2,"hex":"abcd"},
		{"code":2570,"name":"GREASE","length":0,"grease":true,"data":""},
		{"code":42,"name":"early_data","length":0}
	]`, string(js))
	js, _ = json.Marshal(ExtensionList(nil))
	assert.Equal(t, "[]", string(js))
}

// --- heartbeat -------------------------------------------------------------

func TestParseHeartbeat(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hex   string
		codes []string
		want  string
	}{
		{"request", "01 0003 616263" + repeat("00", 16), nil,
			`{"heartbeat_type":{"code":1,"name":"heartbeat_request"},"payload_length":3,"payload_available":3,"padding_length":16,"overread":false}`},
		{"response", "02 0000" + repeat("00", 20), nil,
			`{"heartbeat_type":{"code":2,"name":"heartbeat_response"},"payload_length":0,"payload_available":4,"padding_length":20,"overread":false}`},
		// Heartbleed: a 3-byte record asking for 16 KiB back.
		{"heartbleed request", "01 4000", []string{"heartbeat_overread"},
			`{"heartbeat_type":{"code":1,"name":"heartbeat_request"},"payload_length":16384,"payload_available":0,"overread":true}`},
		{"short padding", "01 0003 616263" + repeat("00", 15), []string{"heartbeat_overread"},
			`"payload_length":3,"payload_available":2,"padding_length":15,"overread":true`},
		{"unknown type", "07 0000" + repeat("00", 16), []string{"heartbeat_malformed"}, `"name":"0x07"`},
		{"empty", "", []string{"heartbeat_malformed"}, `"payload_length":0`},
		{"cut length", "01 40", []string{"heartbeat_malformed"}, `"name":"heartbeat_request"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, errs := ParseHeartbeat(unhex(tc.hex))
			require.NotNil(t, h)
			assert.Equal(t, tc.codes, errCodes(errs), "%v", errs)
			js, err := json.Marshal(h)
			require.NoError(t, err)
			if strings.HasPrefix(tc.want, "{") {
				assert.JSONEq(t, tc.want, string(js))
			} else {
				assert.Contains(t, string(js), tc.want)
			}
		})
	}
}

// --- prefix sweep ----------------------------------------------------------

// msgSweepInputs are every fixture and every clean hand case with the
// context that decodes it.
func msgSweepInputs(t *testing.T) []msgFixture {
	out := msgFixtures(t)
	for _, tc := range handCases {
		if tc.wantCodes == nil && !tc.anyPrefix {
			out = append(out, msgFixture{"hand " + tc.name, tc.typ, tc.ctx, unhex(tc.hex)})
		}
	}
	return out
}

// sweepExempt are messages with no structure to cut: any prefix is a
// complete message (Finished and message_hash are opaque bytes, an unknown
// type is skipped by its length).
func sweepExempt(typ HandshakeType) bool {
	switch typ {
	case HandshakeTypeFinished, HandshakeTypeMessageHash, 99, 200:
		return true
	}
	return false
}

// TestMessagePrefixSweep decodes every truncation of every valid input: no
// panic, a value, offsets inside the input, and at least one error
// (STYLE.md 2.4). With the version unknown the layout is inferred, so only
// the no-panic part is required there.
func TestMessagePrefixSweep(t *testing.T) {
	for _, f := range msgSweepInputs(t) {
		t.Run(f.name, func(t *testing.T) {
			_, errs := decode(f.typ, f.ctx, f.body)
			require.Empty(t, errs)
			noVer := f.ctx
			noVer.Version = 0
			for i := 0; i < len(f.body); i++ {
				in := bytes.Clone(f.body[:i])
				v, errs := decode(f.typ, f.ctx, in)
				require.NotNil(t, v, "prefix %d", i)
				for _, e := range errs {
					require.True(t, e.Off >= 0 && e.Off <= i, "prefix %d: offset %d: %v", i, e.Off, e)
				}
				if !sweepExempt(f.typ) {
					require.NotEmpty(t, errs, "prefix %d of %d decoded cleanly", i, len(f.body))
				}
				_, err := json.Marshal(v)
				require.NoError(t, err)
				decode(f.typ, noVer, in)
			}
		})
	}
	t.Run("heartbeat", func(t *testing.T) {
		b := unhex("01 0003 616263" + repeat("00", 16))
		for i := 0; i < len(b); i++ {
			_, errs := ParseHeartbeat(b[:i])
			require.NotEmpty(t, errs, "prefix %d", i)
		}
	})
}

func BenchmarkDecodeCertificate(b *testing.B) {
	body := readFixture(b, "msg-openssl30-tls13-server-certificate.bin")
	m := &Message{Type: HandshakeTypeCertificate, Length: len(body), Body: body}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		DecodeMessage(m, MessageContext{TLS13: true})
	}
}
