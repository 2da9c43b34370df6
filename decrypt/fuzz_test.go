package decrypt

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// fuzzParams are the connections FuzzDecrypt picks from by its first
// byte: every record protection path, with the RFC 8448 secrets for TLS
// 1.3 and pcaps/tls12-basic.keylog's master secret for the rest.
var fuzzParams = []Params{
	{Version: 0x0304, CipherSuite: 0x1301, EarlyData: true},
	{Version: 0x0304, CipherSuite: 0x1302},
	{Version: 0x0304, CipherSuite: 0x1303},
	{Version: 0x0304, CipherSuite: 0x1304},
	{Version: 0x0304, CipherSuite: 0x1305, EarlyData: true},
	{Version: 0x0303, CipherSuite: 0xc02f},
	{Version: 0x0303, CipherSuite: 0xcca8},
	{Version: 0x0303, CipherSuite: 0xc0a0}, // TLS_RSA_WITH_AES_128_CCM_8
	{Version: 0x0303, CipherSuite: 0x002f}, // AES_128_CBC_SHA
	{Version: 0x0303, CipherSuite: 0x003d, EncryptThenMAC: true},
	{Version: 0x0301, CipherSuite: 0x000a}, // 3DES, chained IV
	{Version: 0x0301, CipherSuite: 0x0035, EncryptThenMAC: true},
	{Version: 0x0302, CipherSuite: 0x0005}, // RC4
	{Version: 0x0303, CipherSuite: 0x0002}, // NULL
}

// fuzzRecords encodes records as FuzzDecrypt reads them: per record a
// byte (bit 7: from the server; low bits: content type), a 2-byte
// length, the body. The byte 0xff followed by a direction byte is a Gap,
// the byte 0xfe a Renegotiate.
func fuzzRecords(recs ...[]byte) []byte {
	var out []byte
	for _, r := range recs {
		from := r[0] // 0 client, 1 server
		body := r[1:]
		out = append(out, from<<7|23, byte(len(body)>>8), byte(len(body)))
		out = append(out, body...)
	}
	return out
}

// FuzzDecrypt feeds arbitrary records to a decryptor of each kind: no
// panic, no plaintext longer than its record, errors always *Error with
// a code.
func FuzzDecrypt(f *testing.F) {
	keys, _, _ := ParseKeyLog(strings.NewReader(r8448KeyLog()+
		"CLIENT_EARLY_TRAFFIC_SECRET "+r8448ClientRandom+" "+r8448ClientHS+"\n"+
		"CLIENT_RANDOM "+r8448ClientRandom+" "+s48+"\n"), "fuzz")
	rec := func(from byte, hexRec string) []byte {
		b := unhex(f, hexRec)
		return append([]byte{from}, b[5:]...)
	}
	f.Add(uint8(0), fuzzRecords(rec(1, r8448ServerFlight), rec(0, r8448ClientFinished), rec(1, r8448NewSessionTicket),
		rec(0, r8448ClientApp), rec(1, r8448ServerApp), rec(0, r8448ClientAlert), rec(1, r8448ServerAlert)))
	f.Add(uint8(5), fuzzRecords([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}))
	f.Add(uint8(8), append([]byte{20, 0, 1, 1}, fuzzRecords(append([]byte{0}, make([]byte, 48)...))...))
	f.Add(uint8(12), append([]byte{0x80 | 20, 0, 1, 1}, fuzzRecords(append([]byte{1}, make([]byte, 21)...))...))
	f.Add(uint8(1), append([]byte{0xff, 1}, fuzzRecords(rec(1, r8448ServerApp), rec(1, r8448ServerAlert))...))
	f.Add(uint8(9), append([]byte{0x80 | 20, 0, 1, 1, 0xff, 1}, fuzzRecords(append([]byte{1}, make([]byte, 64)...))...))
	f.Add(uint8(6), append([]byte{0xfe, 20, 0, 1, 1}, fuzzRecords(append([]byte{0}, make([]byte, 40)...))...))
	cr := unhex(f, r8448ClientRandom)
	f.Fuzz(func(t *testing.T, sel uint8, data []byte) {
		p := fuzzParams[int(sel)%len(fuzzParams)]
		p.ClientRandom, p.ServerRandom = cr, cr
		c, err := New(p, keys)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		for len(data) >= 3 {
			if data[0] == 0xff {
				// a reassembly gap in the direction data[1] names
				c.Gap(Dir(data[1] & 1))
				data = data[2:]
				continue
			}
			if data[0] == 0xfe {
				// a renegotiation to the same parameters (TLS 1.2 and older)
				_ = c.Renegotiate(p)
				data = data[1:]
				continue
			}
			from, typ := Dir(data[0]>>7), data[0]&0x7f
			n := min(int(data[1])<<8|int(data[2]), len(data)-3)
			body := data[3 : 3+n]
			data = data[3+n:]
			pt, err := c.Record(from, typ, 0x0303, body)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Code == "" || pt.Data != nil {
					t.Fatalf("error %v (%T) with %d plaintext bytes", err, err, len(pt.Data))
				}
				continue
			}
			if len(pt.Data) > len(body) {
				t.Fatalf("plaintext of %d bytes from a %d-byte record", len(pt.Data), len(body))
			}
		}
	})
}

// FuzzParseKeyLog: any text parses without panic; each bad line is
// reported with a line number in range.
func FuzzParseKeyLog(f *testing.F) {
	f.Add([]byte(r8448KeyLog()))
	f.Add([]byte("# comment\n\nCLIENT_RANDOM " + cr2 + " " + s48 + "\r\nRSA 0011223344556677 " + s48 + "\n"))
	f.Add([]byte("CLIENT_TRAFFIC_SECRET_N " + cr1 + " " + s32 + "\nbogus"))
	f.Fuzz(func(t *testing.T, in []byte) {
		k, bad, err := ParseKeyLog(bytes.NewReader(in), "fuzz")
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Count(in, []byte("\n")) + 1
		for _, b := range bad {
			if b.Line < 1 || b.Line > lines {
				t.Fatalf("line %d of %d", b.Line, lines)
			}
		}
		if k.Len() > lines {
			t.Fatalf("%d randoms from %d lines", k.Len(), lines)
		}
	})
}
