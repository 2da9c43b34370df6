package report

import (
	"crypto/sha256"
	"strconv"
	"sync"

	"github.com/padlock-tls/padlock/dissect"
	"github.com/padlock-tls/padlock/internal/jsonenc"
)

// certCache parses each distinct certificate once: a capture holds the
// same few server chains thousands of times, and parsing (a self-signature
// check for roots, the lenient fallback, the SCT walk) is most of the cost
// of a handshake. Values are shared between connections and never
// modified after parsing.
type certCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]parsedCert
	// js holds each cached certificate's JSON object, written once.
	js map[*dissect.Certificate][]byte
}

type parsedCert struct {
	cert *dissect.Certificate
	errs []*dissect.Error
}

// maxCertCache bounds the cache (a certificate and its decoding are a few
// KiB); when full it starts over, so hostile traffic of endless distinct
// certificates costs a parse each, as without the cache.
const maxCertCache = 4096

func (c *certCache) parse(der []byte) (*dissect.Certificate, []*dissect.Error) {
	key := sha256.Sum256(der)
	c.mu.Lock()
	p, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return p.cert, p.errs
	}
	cert, errs := dissect.ParseCertificate(der)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCertCache {
		c.m = make(map[[sha256.Size]byte]parsedCert)
		c.js = make(map[*dissect.Certificate][]byte)
	}
	c.m[key] = parsedCert{cert, errs}
	c.mu.Unlock()
	return cert, errs
}

// json returns the JSON object of a certificate, encoded once per cached
// certificate.
func (c *certCache) json(cert *dissect.Certificate) ([]byte, error) {
	c.mu.Lock()
	b, ok := c.js[cert]
	c.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := jsonenc.Marshal(cert)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.js != nil && len(c.js) < maxCertCache {
		c.js[cert] = b
	}
	c.mu.Unlock()
	return b, nil
}

// AppendJSON writes from, index and message, the certificate's own
// fields (encoded once per distinct certificate), then frames and JA4X:
// the same object encoding/json would write for the embedded struct.
func (c Certificate) AppendJSON(dst []byte) ([]byte, error) {
	var inner []byte
	var err error
	switch {
	case c.Certificate == nil:
	case c.cache != nil:
		inner, err = c.cache.json(c.Certificate)
	default:
		inner, err = jsonenc.Marshal(c.Certificate)
	}
	if err != nil {
		return dst, err
	}
	dst = append(dst, `{"from":`...)
	dst = jsonenc.AppendString(dst, c.From)
	dst = append(dst, `,"index":`...)
	dst = strconv.AppendInt(dst, int64(c.Index), 10)
	dst = append(dst, `,"message":`...)
	dst = strconv.AppendInt(dst, int64(c.Message), 10)
	if len(inner) > 2 {
		dst = append(dst, ',')
		dst = append(dst, inner[1:len(inner)-1]...)
	}
	dst = append(dst, `,"frames":`...)
	dst = appendInts(dst, c.Frames)
	if c.JA4X != "" {
		dst = append(dst, `,"ja4x":`...)
		dst = jsonenc.AppendString(dst, c.JA4X)
	}
	if c.JA4XR != "" {
		dst = append(dst, `,"ja4x_r":`...)
		dst = jsonenc.AppendString(dst, c.JA4XR)
	}
	return append(dst, '}'), nil
}

// MarshalJSON is AppendJSON for encoding/json.
func (c Certificate) MarshalJSON() ([]byte, error) { return c.AppendJSON(nil) }
