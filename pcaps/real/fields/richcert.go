//go:build ignore

// richcert writes a chain with most of what real certificates carry, for
// capture.sh: a P-384 CA with nameConstraints and a P-256 leaf with every
// subjectAltName kind, authorityInfoAccess, CRL distribution points,
// certificatePolicies, an embedded SCT list, an unknown extension and a
// subject with UTF-8, serialNumber, street, postalCode, emailAddress and DC;
// chain.pem (leaf and CA), ca.pem, key.pem; and serverinfo.pem, the same
// SCTs for the TLS extension.
//
// Usage: go run richcert.go DIR
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"net"
	"net/url"
	"os"
	"time"
)

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func mustOID(a ...uint64) x509.OID {
	o, err := x509.OIDFromInts(a)
	must(err)
	return o
}

func main() {
	dir := os.Args[1]
	caKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Rich CA", Organization: []string{"Padlock, Test"}, Country: []string{"US"}, Province: []string{"CA"}, Locality: []string{"SF"}, OrganizationalUnit: []string{"Unit+One"}},
		NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA: true, BasicConstraintsValid: true, MaxPathLen: 2, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		PermittedDNSDomains: []string{"example.com"}, ExcludedIPRanges: []*net.IPNet{{IP: net.IP{192, 0, 2, 0}, Mask: net.CIDRMask(24, 32)}}, PermittedEmailAddresses: []string{"example.com"}}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	must(err)
	caCert, _ := x509.ParseCertificate(caDER)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	u, _ := url.Parse("https://example.com/id")
	// SCT list: 2 SCTs, TLS-encoded inside an OCTET STRING.
	sct := func(id byte, ts uint64) []byte {
		b := []byte{0}
		for i := 0; i < 32; i++ {
			b = append(b, id)
		}
		for i := 7; i >= 0; i-- {
			b = append(b, byte(ts>>(8*i)))
		}
		b = append(b, 0, 0)                   // extensions
		b = append(b, 4, 3, 0, 2, 0xaa, 0xbb) // sig alg + sig
		return b
	}
	var list []byte
	for _, s := range [][]byte{sct(0xaa, 1700000000123), sct(0xbb, 1700000001000)} {
		list = append(list, byte(len(s)>>8), byte(len(s)))
		list = append(list, s...)
	}
	list = append([]byte{byte(len(list) >> 8), byte(len(list))}, list...)
	sctExt, _ := asn1.Marshal(list)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(0x1234), Subject: pkix.Name{CommonName: "exämple.com", Organization: []string{"Padlock Test"}, SerialNumber: "42", StreetAddress: []string{"1 Main St"}, PostalCode: []string{"94000"},
		ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: asn1.RawValue{Tag: 22, Bytes: []byte("admin@example.com")}}, {Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, Value: asn1.RawValue{Tag: 22, Bytes: []byte("com")}}}},
		NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2055, 1, 1, 0, 0, 0, 0, time.UTC),
		DNSNames: []string{"example.com", "*.example.com"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("2001:db8::1")},
		EmailAddresses: []string{"admin@example.com"}, URIs: []*url.URL{u},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		UnknownExtKeyUsage:    []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 99999, 1}},
		BasicConstraintsValid: true,
		OCSPServer:            []string{"http://ocsp.example.com"}, IssuingCertificateURL: []string{"http://ca.example.com/ca.der"},
		CRLDistributionPoints: []string{"http://crl.example.com/ca.crl"},
		Policies:              []x509.OID{mustOID(2, 23, 140, 1, 2, 1), mustOID(1, 3, 6, 1, 4, 1, 99999, 2)},
		ExtraExtensions:       []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11129, 2, 4, 2}, Value: sctExt}, {Id: asn1.ObjectIdentifier{1, 2, 3, 4, 5}, Critical: false, Value: []byte{5, 0}}},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &leafKey.PublicKey, caKey)
	must(err)
	// serverinfo: the signed_certificate_timestamp TLS extension with the same list.
	si := []byte{0, 18, byte(len(list) >> 8), byte(len(list))}
	si = append(si, list...)
	sf, _ := os.Create(dir + "/serverinfo.pem")
	pem.Encode(sf, &pem.Block{Type: "SERVERINFO FOR signed_certificate_timestamp", Bytes: si})
	sf.Close()
	f, _ := os.Create(dir + "/chain.pem")
	pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: leafDER})
	pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	f.Close()
	cf, _ := os.Create(dir + "/ca.pem")
	pem.Encode(cf, &pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	cf.Close()
	kb, _ := x509.MarshalECPrivateKey(leafKey)
	k, _ := os.Create(dir + "/key.pem")
	pem.Encode(k, &pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	k.Close()
}
