package report

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/dissect"
)

// The cache gives what ParseCertificate gives, parses each certificate
// once, and its JSON is the one encoding/json writes for the same value.
// Fixture: the RSA leaf pcaps/gen serves (dissect/testdata).
func TestCertCache(t *testing.T) {
	der, err := os.ReadFile("../dissect/testdata/cert-padlock-leaf-rsa.der")
	require.NoError(t, err)
	var c certCache
	a, errsA := c.parse(der)
	b, errsB := c.parse(append([]byte(nil), der...))
	assert.Same(t, a, b, "one parse per distinct certificate")
	assert.Equal(t, errsA, errsB)
	want, wantErrs := dissect.ParseCertificate(der)
	assert.Equal(t, want, a)
	assert.Equal(t, wantErrs, errsA)

	cached := Certificate{From: "server", Index: 1, Message: 2, Certificate: a, Frames: []int{5, 6}, JA4X: "x", cache: &c}
	plain := cached
	plain.cache = nil
	type alias Certificate // encoding/json's own encoding of the struct
	ref, err := json.Marshal(alias(plain))
	require.NoError(t, err)
	for _, v := range []Certificate{cached, cached, plain} {
		got, err := json.Marshal(v)
		require.NoError(t, err)
		assert.JSONEq(t, string(ref), string(got))
		assert.Equal(t, string(ref), string(got), "same bytes, same field order")
	}
}
