package dissect

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Fuzz targets for the hello decoders (STYLE.md 2.4), seeded from the
// testdata/hello-*.bin fixtures and the hand-written hellos. Crashers land
// in testdata/fuzz/<FuzzName>/ and are replayed by every `go test`.
//
// The property: no panic, a non-nil value, errors that point inside the
// input, extensions whose Off and Data agree with the input, decoded bodies
// that marshal to JSON, and a bounded number of errors.

// helloSeeds returns the fixture bodies whose names contain kind.
func helloSeeds(f *testing.F, kind string) [][]byte {
	files, err := filepath.Glob("testdata/hello-*.bin")
	if err != nil {
		f.Fatal(err)
	}
	var out [][]byte
	for _, name := range files {
		if !strings.Contains(name, kind) {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// checkHello asserts the fuzz property for one parse of in.
func checkHello(t *testing.T, in []byte, exts []Extension, errs []*Error, extBase int) {
	// Two capped lists (message and extensions block) plus a few more.
	if len(errs) > 2*(maxErrors+1)+4 {
		t.Fatalf("%d errors", len(errs))
	}
	for _, e := range errs {
		if e.Code == "" || e.Msg == "" || e.Off < 0 || e.Off > len(in) {
			t.Fatalf("bad error %+v for %d-byte input", e, len(in))
		}
	}
	clean := len(errs) == 0
	for _, e := range exts {
		if e.Data != nil {
			start := int(e.Off) + 4 - extBase
			if start < 0 || start+len(e.Data) > len(in) || !bytes.Equal(in[start:start+len(e.Data)], e.Data) {
				t.Fatalf("%s at %d: Data does not match the input", e.Type, e.Off)
			}
		}
		if e.Malformed && clean {
			t.Fatalf("%s is malformed but no error was returned", e.Type)
		}
		if e.Decoded != nil {
			if _, err := json.Marshal(e.Decoded); err != nil {
				t.Fatalf("%s: %v", e.Type, err)
			}
		}
	}
}

func FuzzParseClientHello(f *testing.F) {
	for _, b := range helloSeeds(f, "client_hello") {
		f.Add(b)
	}
	f.Add(greaseClientHello)
	f.Add(echClientHello)
	f.Add(quicClientHello)
	f.Fuzz(func(t *testing.T, in []byte) {
		ch, errs := ParseClientHello(in)
		if ch == nil {
			t.Fatal("nil ClientHello")
		}
		checkHello(t, in, ch.Extensions, errs, 0)
		_ = ch.OfferedVersion()

		// Compacting (dissect/compact.go) keeps every value but the key
		// exchange bytes, and leaves nothing pointing into the input.
		body := bytes.Clone(in)
		cc, _ := ParseClientHello(body)
		if _, ok := compactHello(cc, body); ok {
			if why := compactedLike(body, [][]byte{cc.Random, cc.SessionID, cc.CompressionMethods},
				[][]byte{ch.Random, ch.SessionID, ch.CompressionMethods}, cc.Extensions, ch.Extensions); why != "" {
				t.Fatal(why)
			}
		}
	})
}

func FuzzParseServerHello(f *testing.F) {
	for _, b := range helloSeeds(f, "server_hello") {
		f.Add(b)
	}
	for _, b := range helloSeeds(f, "hello_retry_request") {
		f.Add(b)
	}
	f.Add(hrrHand)
	f.Fuzz(func(t *testing.T, in []byte) {
		sh, errs := ParseServerHello(in)
		if sh == nil {
			t.Fatal("nil ServerHello")
		}
		checkHello(t, in, sh.Extensions, errs, 0)
		if sh.HelloRetry && sh.KeyShareLength != 0 {
			t.Fatal("a HelloRetryRequest has no key share entry")
		}
		_ = sh.NegotiatedVersion()

		// Compacting keeps every value but the key exchange bytes.
		body := bytes.Clone(in)
		cs, _ := ParseServerHello(body)
		if _, ok := compactServerHello(cs, body); ok {
			if why := compactedLike(body, [][]byte{cs.Random, cs.SessionID}, [][]byte{sh.Random, sh.SessionID}, cs.Extensions, sh.Extensions); why != "" {
				t.Fatal(why)
			}
		}
	})
}

func FuzzParseExtensions(f *testing.F) {
	// Seed with each fixture's extensions block, in its own context.
	add := func(exts []Extension, body []byte, ctx ExtContext) {
		if len(exts) > 0 {
			f.Add(body[exts[0].Off:], uint8(ctx))
		}
	}
	for _, b := range append(helloSeeds(f, "client_hello"), greaseClientHello, echClientHello, quicClientHello) {
		ch, _ := ParseClientHello(b)
		add(ch.Extensions, b, ExtContextClientHello)
	}
	for _, b := range append(helloSeeds(f, "server_hello"), hrrHand) {
		sh, _ := ParseServerHello(b)
		ctx := ExtContextServerHello
		if sh.HelloRetry {
			ctx = ExtContextHelloRetryRequest
		}
		add(sh.Extensions, b, ctx)
	}
	f.Add(unhex(helloExt(0xfe0d, "003e "+echConfig)), uint8(ExtContextEncryptedExtensions))
	f.Add(unhex(helloExt(5, "01 000003 308201")+helloExt(18, "0006 0004 01020304")), uint8(ExtContextCertificate))
	f.Add(unhex(helloExt(42, "00004000")), uint8(ExtContextNewSessionTicket))
	f.Fuzz(func(t *testing.T, data []byte, ctx uint8) {
		const base = 7 // a nonzero offset, to check that it is applied
		exts, errs := ParseExtensionsIn(data, ExtContext(ctx%8), base)
		for _, e := range errs {
			if e.Off < base || e.Off > base+len(data) {
				t.Fatalf("offset %d outside [%d, %d]: %v", e.Off, base, base+len(data), e)
			}
			e.Off -= base
		}
		checkHello(t, data, exts, errs, base)

		// Again, from another copy of the bytes: what the cache of
		// decoded extensions gives (a hit now, for the bodies it
		// keeps) is what decoding gives.
		again := append([]byte(nil), data...)
		exts2, errs2 := ParseExtensionsIn(again, ExtContext(ctx%8), base)
		for i := range exts2 {
			exts2[i].Data = exts[i].Data // the raw bodies alias their input, as they should
		}
		for _, e := range errs2 {
			e.Off -= base
		}
		if !reflect.DeepEqual(exts, exts2) || !reflect.DeepEqual(errs, errs2) {
			t.Fatalf("decoded differently the second time:\n%#v\n%#v", exts, exts2)
		}
	})
}

func FuzzParseSSLv2ClientHello(f *testing.F) {
	f.Add(sslv2Hello)
	f.Add(unhex("002e00" + hex.EncodeToString(sslv2Hello[2:]))) // 3-byte header
	f.Add(unhex("803c 01 0002 0003 0010 0020 010080" + repeat("5e", 16) + repeat("c4", 32)))
	f.Fuzz(func(t *testing.T, in []byte) {
		ch, errs := ParseSSLv2ClientHello(in)
		if ch == nil || !ch.SSLv2 {
			t.Fatal("no SSLv2 ClientHello")
		}
		checkHello(t, in, nil, errs, 0)
		if len(ch.Random) != 0 && len(ch.Random) != 32 {
			t.Fatalf("random of %d bytes", len(ch.Random))
		}
		if len(ch.CipherSuites) > len(ch.V2CipherSpecs) {
			t.Fatal("more cipher suites than specs")
		}
	})
}
