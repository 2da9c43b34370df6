package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testdata/tls-two-dsb.pcapng is pcaps/tls13-basic.pcap with two
// decryption secrets blocks, made with Wireshark 4's editcap:
//
//	editcap --inject-secrets tls,pcaps/tls13-basic.keylog \
//	        --inject-secrets tls,pcaps/tls12-basic.keylog \
//	        pcaps/tls13-basic.pcap capture/testdata/tls-two-dsb.pcapng
//
// tshark decrypts it with no key log option (the DSBs are valid).
func TestSourceSecrets(t *testing.T) {
	s, err := Open("testdata/tls-two-dsb.pcapng", nil)
	require.NoError(t, err)
	defer s.Close()
	assert.Empty(t, s.Secrets(), "nothing read yet")
	ps, err := readAll(t, s)
	require.ErrorIs(t, err, io.EOF)
	assert.Len(t, ps, 17, "the DSBs are not frames")
	assert.Equal(t, 1, ps[0].Frame)
	var want [][]byte
	for _, f := range []string{"../pcaps/tls13-basic.keylog", "../pcaps/tls12-basic.keylog"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		want = append(want, b)
	}
	assert.Equal(t, want, s.Secrets())
	assert.Empty(t, s.Warnings())
}

// dsb builds a decryption secrets block (little-endian).
func dsb(typ uint32, data []byte, lieLen int) []byte {
	pad := (4 - len(data)%4) % 4
	total := 20 + len(data) + pad
	b := binary.LittleEndian.AppendUint32(nil, blockDSB)
	b = binary.LittleEndian.AppendUint32(b, uint32(total))
	b = binary.LittleEndian.AppendUint32(b, typ)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)+lieLen))
	b = append(b, data...)
	b = append(b, make([]byte, pad)...)
	return binary.LittleEndian.AppendUint32(b, uint32(total))
}

// minimal pcapng: a little-endian SHB, then the given blocks.
func pcapngWith(blocks ...[]byte) []byte {
	shb := binary.LittleEndian.AppendUint32(nil, blockSHB)
	shb = binary.LittleEndian.AppendUint32(shb, 28)
	shb = binary.LittleEndian.AppendUint32(shb, byteOrderMagic)
	shb = binary.LittleEndian.AppendUint16(shb, 1)
	shb = binary.LittleEndian.AppendUint16(shb, 0)
	shb = binary.LittleEndian.AppendUint64(shb, ^uint64(0))
	shb = binary.LittleEndian.AppendUint32(shb, 28)
	return bytes.Join(append([][]byte{shb}, blocks...), nil)
}

func TestSourceSecretsBlocks(t *testing.T) {
	log := []byte("CLIENT_RANDOM 00 11\n") // any bytes: capture does not parse them
	for _, tc := range []struct {
		name string
		in   []byte
		want [][]byte
		warn string
	}{
		{"tls key log", pcapngWith(dsb(SecretsTLSKeyLog, log, 0)), [][]byte{log}, ""},
		{"empty key log", pcapngWith(dsb(SecretsTLSKeyLog, nil, 0)), [][]byte{{}}, ""},
		{"two blocks", pcapngWith(dsb(SecretsTLSKeyLog, log, 0), dsb(SecretsTLSKeyLog, log[:7], 0)), [][]byte{log, log[:7]}, ""},
		{"wireguard secrets are not kept", pcapngWith(dsb(0x57474b4c, log, 0)), nil, ""},
		{"secrets length past the block", pcapngWith(dsb(SecretsTLSKeyLog, log, 5), dsb(SecretsTLSKeyLog, log, 0)), [][]byte{log},
			"capture: block 2 (decryption secrets block) at offset 28: secrets length 25 does not fit in block length 40; secrets skipped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSource(bytes.NewReader(tc.in))
			require.NoError(t, err)
			_, err = readAll(t, s)
			assert.ErrorIs(t, err, io.EOF)
			assert.Equal(t, tc.want, s.Secrets())
			if tc.warn == "" {
				assert.Empty(t, s.Warnings())
			} else {
				assert.Equal(t, []string{tc.warn}, s.Warnings())
			}
		})
	}
}
