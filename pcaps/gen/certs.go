package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"embed"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// The certificates and keys were made once with `go run ./pcaps/gen -mkcerts`
// and are committed under certs/. Key generation is not reproducible in Go
// 1.26 (the rand argument is ignored), so they are embedded rather than
// generated on every run.
//
//go:embed certs/*.pem
var certFS embed.FS

var (
	certNotBefore = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	certNotAfter  = time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC)
)

// mkcerts writes a small PKI to dir: a root CA, an intermediate CA and three
// example.com leaves (RSA 2048, ECDSA P-256, Ed25519).
func mkcerts(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rootKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	interKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	org := []string{"Padlock Test"}
	root := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Organization: org, CommonName: "Padlock Test Root CA"},
		NotBefore:             certNotBefore,
		NotAfter:              certNotAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	rootDER, err := x509.CreateCertificate(rand.Reader, root, root, rootKey.Public(), rootKey)
	if err != nil {
		return err
	}
	root, _ = x509.ParseCertificate(rootDER)
	inter := &x509.Certificate{
		SerialNumber:          big.NewInt(2),
		Subject:               pkix.Name{Organization: org, CommonName: "Padlock Test Intermediate CA"},
		NotBefore:             certNotBefore,
		NotAfter:              certNotAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	interDER, err := x509.CreateCertificate(rand.Reader, inter, root, interKey.Public(), rootKey)
	if err != nil {
		return err
	}
	inter, _ = x509.ParseCertificate(interDER)
	leaf := func(serial int64, pub crypto.PublicKey) ([]byte, error) {
		t := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{Organization: org, CommonName: "example.com"},
			DNSNames:     []string{"example.com", "www.example.com"},
			NotBefore:    certNotBefore,
			NotAfter:     certNotAfter,
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		if _, ok := pub.(*rsa.PublicKey); ok {
			t.KeyUsage |= x509.KeyUsageKeyEncipherment
		}
		return x509.CreateCertificate(rand.Reader, t, inter, pub, interKey)
	}
	rsaDER, err := leaf(0x1001, rsaKey.Public())
	if err != nil {
		return err
	}
	ecDER, err := leaf(0x1002, ecKey.Public())
	if err != nil {
		return err
	}
	edDER, err := leaf(0x1003, edKey.Public())
	if err != nil {
		return err
	}
	write := func(name, typ string, der []byte) error {
		return os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o644)
	}
	writeKey := func(name string, key any) error {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return err
		}
		return write(name, "PRIVATE KEY", der)
	}
	for _, f := range []struct {
		name string
		der  []byte
	}{{"root.pem", rootDER}, {"intermediate.pem", interDER}, {"leaf-rsa.pem", rsaDER}, {"leaf-ecdsa.pem", ecDER}, {"leaf-ed25519.pem", edDER}} {
		if err := write(f.name, "CERTIFICATE", f.der); err != nil {
			return err
		}
	}
	for _, k := range []struct {
		name string
		key  any
	}{{"root-key.pem", rootKey}, {"intermediate-key.pem", interKey}, {"leaf-rsa-key.pem", rsaKey}, {"leaf-ecdsa-key.pem", ecKey}, {"leaf-ed25519-key.pem", edKey}} {
		if err := writeKey(k.name, k.key); err != nil {
			return err
		}
	}
	return nil
}

func loadPEM(name string) []byte {
	b, err := certFS.ReadFile("certs/" + name)
	if err != nil {
		panic(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		panic("no PEM block in " + name)
	}
	return blk.Bytes
}

// pki holds the parsed embedded certificates.
type pki struct {
	root, inter []byte
	roots       *x509.CertPool
	leaves      map[string]leafKey
}

type leafKey struct {
	der []byte
	key crypto.Signer
}

func loadPKI() *pki {
	p := &pki{root: loadPEM("root.pem"), inter: loadPEM("intermediate.pem"), leaves: map[string]leafKey{}}
	rc, err := x509.ParseCertificate(p.root)
	if err != nil {
		panic(err)
	}
	p.roots = x509.NewCertPool()
	p.roots.AddCert(rc)
	for _, k := range []string{"rsa", "ecdsa", "ed25519"} {
		key, err := x509.ParsePKCS8PrivateKey(loadPEM("leaf-" + k + "-key.pem"))
		if err != nil {
			panic(err)
		}
		p.leaves[k] = leafKey{der: loadPEM("leaf-" + k + ".pem"), key: key.(crypto.Signer)}
	}
	return p
}

// cert returns a tls.Certificate for the leaf of the given kind ("rsa",
// "ecdsa", "ed25519"); withChain adds the intermediate CA.
func (p *pki) cert(kind string, withChain bool) tls.Certificate {
	l, ok := p.leaves[kind]
	if !ok {
		panic(fmt.Sprintf("no leaf %q", kind))
	}
	c := tls.Certificate{Certificate: [][]byte{l.der}, PrivateKey: l.key}
	if withChain {
		c.Certificate = append(c.Certificate, p.inter)
	}
	return c
}
