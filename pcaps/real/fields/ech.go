//go:build ignore

// ech runs a Go crypto/tls server and client on 127.0.0.1:8482 with
// Encrypted Client Hello (a fresh X25519 ECHConfig, config_id 7), for
// capture.sh: the outer ClientHello carries encrypted_client_hello (which
// tshark 4.0 shows as bytes) and an X25519MLKEM768 key share.
//
// Usage: go run ech.go CERTDIR KEYLOG
package main

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"os"

	"golang.org/x/crypto/cryptobyte"
)

func main() {
	certs := os.Args[1]
	kl, _ := os.Create(os.Args[2])
	key, _ := ecdh.X25519().GenerateKey(rand.Reader)
	var b cryptobyte.Builder
	b.AddUint16(0xfe0d)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint8(7)
		b.AddUint16(0x0020)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(key.PublicKey().Bytes()) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(1); b.AddUint16(1) })
		b.AddUint8(32)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte("public.example.com")) })
		b.AddUint16(0)
	})
	cfg := b.BytesOrPanic()
	var l cryptobyte.Builder
	l.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(cfg) })
	list := l.BytesOrPanic()
	cert, err := tls.LoadX509KeyPair(certs+"/leaf-ecdsa.pem", certs+"/leaf-ecdsa-key.pem")
	if err != nil {
		panic(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:8482")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert},
				EncryptedClientHelloKeys: []tls.EncryptedClientHelloKey{{Config: cfg, PrivateKey: key.Bytes()}}})
			go func() { s.Handshake(); io.WriteString(s, "HTTP/1.0 200 OK\r\n\r\nhi"); s.Close() }()
		}
	}()
	pool := x509.NewCertPool()
	root, _ := os.ReadFile(certs + "/root.pem")
	inter, _ := os.ReadFile(certs + "/intermediate.pem")
	pool.AppendCertsFromPEM(root)
	pool.AppendCertsFromPEM(inter)
	c, err := tls.Dial("tcp", "127.0.0.1:8482", &tls.Config{ServerName: "example.com", RootCAs: pool, EncryptedClientHelloConfigList: list, KeyLogWriter: kl, NextProtos: []string{"h2", "http/1.1"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("ech accepted:", c.ConnectionState().ECHAccepted)
	io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
	io.ReadAll(c)
	c.Close()
}
