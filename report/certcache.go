package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/padlock-tls/padlock/dissect"
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
	b, err := json.Marshal(cert)
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

// MarshalJSON writes from, index and message, the certificate's own
// fields (encoded once per distinct certificate), then frames and JA4X:
// the same object encoding/json would write for the embedded struct.
func (c Certificate) MarshalJSON() ([]byte, error) {
	var inner []byte
	var err error
	switch {
	case c.Certificate == nil:
		inner = []byte("{}")
	case c.cache != nil:
		inner, err = c.cache.json(c.Certificate)
	default:
		inner, err = json.Marshal(c.Certificate)
	}
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(len(inner) + 128)
	b.WriteString(`{"from":`)
	from, _ := json.Marshal(c.From)
	b.Write(from)
	b.WriteString(`,"index":`)
	b.WriteString(strconv.Itoa(c.Index))
	b.WriteString(`,"message":`)
	b.WriteString(strconv.Itoa(c.Message))
	if body := bytes.TrimSpace(inner); len(body) > 2 {
		b.WriteByte(',')
		b.Write(body[1 : len(body)-1])
	}
	b.WriteString(`,"frames":`)
	frames, err := json.Marshal(nonNil(c.Frames))
	if err != nil {
		return nil, err
	}
	b.Write(frames)
	if c.JA4X != "" {
		b.WriteString(`,"ja4x":`)
		v, _ := json.Marshal(c.JA4X)
		b.Write(v)
	}
	if c.JA4XR != "" {
		b.WriteString(`,"ja4x_r":`)
		v, _ := json.Marshal(c.JA4XR)
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
