package jsonenc

import (
	"bytes"
	"encoding/json"
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stdJSON is what encoding/json writes with SetEscapeHTML(false), the
// encoder padlock's NDJSON used before.
func stdJSON(t testing.TB, v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

type inner struct {
	A int    `json:"a"`
	B string `json:"b,omitempty"`
}

type Embedded struct {
	E1 int `json:"e1"`
	// Shadowed by outer.A.
	A int `json:"a"`
}

type selfWriter struct{ n int }

func (s selfWriter) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"n":`...)
	dst, err := Append(dst, s.n)
	return append(dst, '}'), err
}

func (s selfWriter) MarshalJSON() ([]byte, error) { return s.AppendJSON(nil) }

type ptrWriter struct{ s string }

func (p *ptrWriter) AppendJSON(dst []byte) ([]byte, error) { return AppendString(dst, "p:"+p.s), nil }
func (p *ptrWriter) MarshalJSON() ([]byte, error)          { return p.AppendJSON(nil) }

type oldMarshaler struct{}

func (oldMarshaler) MarshalJSON() ([]byte, error) { return []byte(` { "x" : [1, 2] } `), nil }

type outer struct {
	Embedded
	*inner
	A        int               `json:"a"`
	Skip     int               `json:"-"`
	private  int               //nolint: checked to be left out
	Untagged string            //
	Float    float64           `json:"float"`
	Float32  float32           `json:"float32"`
	Ptr      *int              `json:"ptr,omitempty"`
	NilPtr   *int              `json:"nil_ptr"`
	Any      any               `json:"any"`
	Bytes    []byte            `json:"bytes"`
	NilSlice []int             `json:"nil_slice"`
	Empty    []string          `json:"empty,omitempty"`
	Array    [3]uint8          `json:"array"`
	Map      map[string]int    `json:"map"`
	IntMap   map[int]string    `json:"int_map"`
	Self     selfWriter        `json:"self"`
	Selves   []selfWriter      `json:"selves"`
	PtrW     ptrWriter         `json:"ptr_w"`
	PtrWs    []ptrWriter       `json:"ptr_ws"`
	Old      oldMarshaler      `json:"old"`
	Addr     netip.Addr        `json:"addr"`
	Time     time.Time         `json:"time"`
	Nested   map[string]*inner `json:"nested,omitempty"`
	Bool     bool              `json:"bool,omitempty"`
	U64      uint64            `json:"u64"`
}

func TestMatchesEncodingJSON(t *testing.T) {
	seven := 7
	v := outer{
		Embedded: Embedded{E1: 1, A: 99},
		inner:    &inner{A: 5, B: "in"},
		A:        2, Skip: 3, private: 4, Untagged: "u<>&\u2028\x01\"\\\n\t\x7f é \xff",
		Float: 1e-7, Float32: 3.25, Ptr: &seven, Any: []any{1.5, "s", nil, map[string]any{"k": true}},
		Bytes: []byte{0, 1, 2, 250}, Array: [3]uint8{1, 2, 3},
		Map: map[string]int{"z": 1, "a": 2, "m": 3}, IntMap: map[int]string{10: "x", 2: "y"},
		Self: selfWriter{3}, Selves: []selfWriter{{1}, {2}},
		PtrW: ptrWriter{"a"}, PtrWs: []ptrWriter{{"b"}},
		Addr: netip.MustParseAddr("2001:db8::1"), Time: time.Date(2026, 12, 1, 10, 0, 0, 5, time.UTC),
		Nested: map[string]*inner{"n": {A: 1}, "nil": nil}, U64: math.MaxUint64,
	}
	for _, x := range []any{v, &v, []outer{v, {}}, nil, 0.0, -0.0, 1e21, 123456789.125, float32(1e-7), "", map[string]any{}} {
		got, err := Marshal(x)
		require.NoError(t, err)
		assert.Equal(t, stdJSON(t, x), string(got))
	}
}

func TestAppendFields(t *testing.T) {
	dst := []byte(`{"a":1`)
	dst, err := AppendFields(dst, inner{A: 2, B: "x"})
	require.NoError(t, err)
	dst, err = AppendFields(dst, struct{}{})
	require.NoError(t, err)
	dst, err = AppendFields(dst, (*inner)(nil))
	require.NoError(t, err)
	assert.Equal(t, `{"a":1,"a":2,"b":"x"`, string(dst))
	_, err = AppendFields(dst, []int{1})
	assert.Error(t, err)
}

func TestErrors(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), make(chan int), struct {
		F func() `json:"f"`
	}{}} {
		_, err := Marshal(v)
		assert.Error(t, err, "%T", v)
		_, stdErr := json.Marshal(v)
		assert.Error(t, stdErr, "encoding/json refuses %T too", v)
	}
}

// FuzzStrings checks string and float encoding against encoding/json on
// arbitrary input.
func FuzzStrings(f *testing.F) {
	for _, s := range []string{"", "plain", "<tag>&amp;", "\x00\x1f\x7f", "\u2028\u2029", "\xff\xfe", "é中😀", `"\`} {
		f.Add(s, 0.5)
	}
	f.Add("x", 1e-7)
	f.Add("x", 1e21)
	f.Fuzz(func(t *testing.T, s string, x float64) {
		type pair struct {
			S string         `json:"s"`
			M map[string]int `json:"m"`
			F float64        `json:"f"`
			G float32        `json:"g"`
		}
		v := pair{S: s, M: map[string]int{s: 1, "k": 2}}
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			v.F = x
			if math.Abs(x) < math.MaxFloat32 {
				v.G = float32(x)
			}
		}
		got, err := Marshal(v)
		require.NoError(t, err)
		assert.Equal(t, stdJSON(t, v), string(got))
	})
}

func BenchmarkAppend(b *testing.B) {
	v := outer{Untagged: "some text", Map: map[string]int{"a": 1}, Selves: []selfWriter{{1}, {2}}, Bytes: []byte("abc")}
	b.Run("jsonenc", func(b *testing.B) {
		var dst []byte
		b.ReportAllocs()
		for b.Loop() {
			dst, _ = Append(dst[:0], v)
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = json.Marshal(v)
		}
	})
}
