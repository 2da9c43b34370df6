package ianagen

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const registryDir = "../../registry"

func TestGenerateIsDeterministic(t *testing.T) {
	a, err := Generate(registryDir)
	require.NoError(t, err)
	b, err := Generate(registryDir)
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.True(t, bytes.HasPrefix(a, []byte(Header+"\n")))
}

func TestCleanName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"server_name", "server_name"},
		{`supported_groups (renamed from "elliptic_curves")`, "supported_groups"},
		{`session_ticket (renamed from "SessionTicket TLS")`, "session_ticket"},
		{"token_binding (TEMPORARY - registered 2016-02-04, expires 2017-02-04)", "token_binding"},
		{"X25519Kyber768Draft00 (OBSOLETE)", "X25519Kyber768Draft00"},
		{"connection_id (deprecated)", "connection_id_deprecated"},
		{"padding (old experimental)", "padding_old_experimental"},
		{"hello_retry_request_RESERVED", "hello_retry_request_RESERVED"},
		{"Raw Public Key", "Raw Public Key"},
		{"Traversal Using Relays around NAT (TURN)", "Traversal Using Relays around NAT (TURN)"},
		{"  TLS_AES_128_GCM_SHA256 ", "TLS_AES_128_GCM_SHA256"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, CleanName(tt.in), tt.in)
	}
}

func TestParseValue(t *testing.T) {
	tests := []struct {
		in   string
		bits int
		want uint16
		err  bool
	}{
		{"0", 8, 0, false},
		{"255", 8, 255, false},
		{"256", 8, 0, true},
		{"65281", 16, 65281, false},
		{"0x0403", 16, 0x0403, false},
		{"0xFEFD", 16, 0xFEFD, false},
		{"0x13,0x01", 16, 0x1301, false},
		{"0xC0,0x2F", 16, 0xC02F, false},
		{"0x13,0x01", 8, 0, true},
		{"0x1G", 16, 0, true},
		{"", 16, 0, true},
	}
	for _, tt := range tests {
		got, err := ParseValue(tt.in, tt.bits)
		if tt.err {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestSkippedRows(t *testing.T) {
	for _, v := range []string{"42-255", "0x0000-0x0200", `0x00,0x1C-1D`, "0x01-09,*", "0xCB,*"} {
		assert.True(t, IsRange(v), v)
	}
	for _, v := range []string{"0", "0x0403", "0x13,0x01"} {
		assert.False(t, IsRange(v), v)
	}
	for _, d := range []string{"Unassigned", "Unassigned (Requires coordination; see [RFC9443])",
		"Reserved", "Reserved for Private Use", "Reserved for backward compatibility",
		"Reserved (GREASE)", "Reserved to avoid conflicts with\ndeployed implementations", ""} {
		assert.True(t, Unnamed(d), d)
	}
	for _, d := range []string{"hello_retry_request_RESERVED", "x25519", "ReservedWord"} {
		assert.False(t, Unnamed(d), d)
	}
}

func writeCSV(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	return p
}

func TestReadRegistry(t *testing.T) {
	p := writeCSV(t, "t.csv", "Value,Description,Reference\r\n"+
		"0,zero,[RFC0]\r\n"+
		"1-9,Unassigned,\r\n"+
		"10,Reserved,\r\n"+
		"11,\"eleven (renamed from \"\"xi\"\")\",[RFC1]\r\n")
	es, err := ReadRegistry(p, nil, 8, true)
	require.NoError(t, err)
	require.Len(t, es, 2)
	assert.Equal(t, Entry{Code: 0, Name: "zero", File: "t.csv", Line: 2}, es[0])
	assert.Equal(t, Entry{Code: 11, Name: "eleven", File: "t.csv", Line: 5}, es[1])
}

func TestReadRegistryErrors(t *testing.T) {
	tests := map[string]string{
		"bad value":       "Value,Description\r\nzz,name\r\n",
		"not identifier":  "Value,Description\r\n1,two words\r\n",
		"no name column":  "Value,Name\r\n1,x\r\n",
		"ragged record":   "Value,Description\r\n1,x,extra\r\n",
		"8-bit overflow":  "Value,Description\r\n300,x\r\n",
		"unterminated qu": "Value,Description\r\n1,\"x\r\n",
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ReadRegistry(writeCSV(t, "t.csv", body), nil, 8, true)
			assert.Error(t, err)
		})
	}
}

func TestGenerateRejectsDuplicateCodes(t *testing.T) {
	dir := t.TempDir()
	entries, err := os.ReadDir(registryDir)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(registryDir, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644))
	}
	_, err = Generate(dir)
	require.NoError(t, err)

	// An unregistered extension that collides with an IANA one must fail.
	f := filepath.Join(dir, "tls-extensiontype-unregistered.csv")
	b, err := os.ReadFile(f)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(f, append(b, []byte("0,not_server_name,test,test\r\n")...), 0o644))
	_, err = Generate(dir)
	assert.ErrorContains(t, err, "named twice")
}

func TestReadALPN(t *testing.T) {
	es, err := ReadALPN(filepath.Join(registryDir, alpnFile))
	require.NoError(t, err)
	assert.Contains(t, es, ALPNEntry{ID: "h2", Protocol: "HTTP/2 over TLS"})
	assert.Contains(t, es, ALPNEntry{ID: "http/1.1", Protocol: "HTTP/1.1"})
	for _, e := range es {
		assert.NotEqual(t, "Reserved", e.Protocol)
	}

	p := writeCSV(t, "alpn.csv", "Protocol,Identification Sequence,Reference\r\n"+
		"X,\"0x68 0x32 (\"\"h3\"\")\",[x]\r\n")
	_, err = ReadALPN(p)
	assert.ErrorContains(t, err, "disagree")
}
