package decrypt

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// The call sequence on the RFC 8448 Section 3 trace: a key log, Params
// from the hellos, then each direction's records in order (a record left
// out would shift the sequence numbers of those after it).
func ExampleNew() {
	keys, bad, err := ParseKeyLog(strings.NewReader(r8448KeyLog()), "rfc8448.keylog")
	if err != nil || len(bad) > 0 {
		panic("key log")
	}
	c, err := New(Params{
		Version:      0x0304, // the ServerHello's supported_versions
		CipherSuite:  0x1301, // TLS_AES_128_GCM_SHA256
		ClientRandom: hexBytes(r8448ClientRandom),
	}, keys)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range []struct {
		from Dir
		rec  string
	}{
		{Server, r8448ServerFlight},
		{Client, r8448ClientFinished},
		{Server, r8448NewSessionTicket},
		{Client, r8448ClientApp},
		{Server, r8448ServerApp},
		{Server, r8448ServerAlert},
	} {
		b := hexBytes(r.rec)
		pt, err := c.Record(r.from, b[0], uint16(b[1])<<8|uint16(b[2]), b[5:])
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s %s keys: type %d, %d bytes\n", r.from, pt.Epoch, pt.Type, len(pt.Data))
	}
	// Output:
	// server handshake keys: type 22, 657 bytes
	// client handshake keys: type 22, 36 bytes
	// server application keys: type 22, 205 bytes
	// client application keys: type 23, 50 bytes
	// server application keys: type 23, 50 bytes
	// server application keys: type 21, 2 bytes
}

func hexBytes(s string) []byte {
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		panic(err)
	}
	return b
}
