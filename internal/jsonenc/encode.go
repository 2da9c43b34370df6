// Package jsonenc appends Go values to a byte slice as JSON, the way
// encoding/json encodes them with SetEscapeHTML(false), but without its
// cost for values that write their own JSON: encoding/json re-reads and
// compacts every MarshalJSON result at every level of nesting, which made
// it half of padlock's CPU time. Values implementing Appender write
// straight into the output.
//
// Supported: bool, ints, uints, floats, strings, pointers, interfaces,
// structs (json tags with omitempty and "-", embedded structs), slices,
// arrays, []byte (base64), maps with string or integer keys (sorted),
// Appender, json.Marshaler and encoding.TextMarshaler.
package jsonenc

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Appender is a value that appends its own JSON (valid and compact) to dst.
type Appender interface {
	AppendJSON(dst []byte) ([]byte, error)
}

// Append appends the JSON encoding of v to dst.
func Append(dst []byte, v any) ([]byte, error) {
	if v == nil {
		return append(dst, "null"...), nil
	}
	rv := addressable(reflect.ValueOf(v))
	return encoderOf(rv.Type())(dst, rv)
}

// addressable returns a struct held by value in an interface as an
// addressable copy, which structEncoder reads without reflection.
func addressable(v reflect.Value) reflect.Value {
	if v.Kind() != reflect.Struct || v.CanAddr() || !copySafe(v.Type()) {
		return v
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	return c
}

var copySafeCache sync.Map // reflect.Type -> bool

// copySafe reports whether an addressable copy of a t encodes as t does:
// not when a method with a pointer receiver, which encoding/json uses
// only on addressable values, is reachable without a pointer.
func copySafe(t reflect.Type) bool {
	if ok, found := copySafeCache.Load(t); found {
		return ok.(bool)
	}
	ok := !hasPtrMethod(t, map[reflect.Type]bool{})
	copySafeCache.Store(t, ok)
	return ok
}

func hasPtrMethod(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	pt := reflect.PointerTo(t)
	for _, m := range []reflect.Type{appenderType, marshalerType, textMarshalerType} {
		if pt.Implements(m) && !t.Implements(m) {
			return true
		}
	}
	switch t.Kind() {
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if hasPtrMethod(t.Field(i).Type, seen) {
				return true
			}
		}
	case reflect.Array:
		return hasPtrMethod(t.Elem(), seen)
	}
	return false
}

// Marshal returns the JSON encoding of v.
func Marshal(v any) ([]byte, error) { return Append(nil, v) }

// AppendFields appends the members of v's JSON object, without braces,
// each preceded by a comma, so that they extend an object already open in
// dst. v must encode as an object (or null, which adds nothing).
func AppendFields(dst []byte, v any) ([]byte, error) {
	start := len(dst)
	dst, err := Append(dst, v)
	if err != nil {
		return dst[:start], err
	}
	obj := dst[start:]
	switch {
	case string(obj) == "null" || string(obj) == "{}":
		return dst[:start], nil
	case len(obj) < 2 || obj[0] != '{':
		return dst[:start], fmt.Errorf("jsonenc: %T does not encode as an object", v)
	}
	obj[0] = ','
	return dst[:len(dst)-1], nil
}

// AppendString appends s as a JSON string.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while none needs a look: most strings
		// padlock writes are hex and registry names.
		for i+8 <= len(s) && plain8(uint64(s[i])|uint64(s[i+1])<<8|uint64(s[i+2])<<16|uint64(s[i+3])<<24|
			uint64(s[i+4])<<32|uint64(s[i+5])<<40|uint64(s[i+6])<<48|uint64(s[i+7])<<56) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 break JavaScript string literals;
		// encoding/json escapes them too.
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// plain8 reports whether none of the eight bytes in x is a control
// character, '"', '\\' or non-ASCII (the SWAR tests of "Bit Twiddling
// Hacks": a zero byte, a byte less than n).
func plain8(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	less := (x - ones*0x20) & ^x // high bit set where a byte < 0x20 (or >= 0x80 via ^x)
	q := x ^ (ones * '"')
	bs := x ^ (ones * '\\')
	zero := (q-ones) & ^q | (bs-ones) & ^bs
	return (less|zero|x)&highs == 0
}

// AppendFloat appends f (of bits 32 or 64) as encoding/json writes it,
// for encoders written by hand; NaN and infinities are an error.
func AppendFloat(dst []byte, f float64, bits int) ([]byte, error) { return appendFloat(dst, f, bits) }

func appendFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return dst, fmt.Errorf("jsonenc: unsupported value: %s", strconv.FormatFloat(f, 'g', -1, bits))
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, nil
}

type encoderFunc func(dst []byte, v reflect.Value) ([]byte, error)

var (
	cache sync.Map // reflect.Type -> encoderFunc
	mu    sync.Mutex
	// building holds encoders under construction, for recursive types.
	building = map[reflect.Type]encoderFunc{}
)

func encoderOf(t reflect.Type) encoderFunc {
	if f, ok := cache.Load(t); ok {
		return f.(encoderFunc)
	}
	mu.Lock()
	defer mu.Unlock()
	return buildLocked(t)
}

func buildLocked(t reflect.Type) encoderFunc {
	if f, ok := cache.Load(t); ok {
		return f.(encoderFunc)
	}
	if f, ok := building[t]; ok {
		return f
	}
	var real encoderFunc
	building[t] = func(dst []byte, v reflect.Value) ([]byte, error) { return real(dst, v) }
	real = newEncoder(t, true)
	delete(building, t)
	cache.Store(t, real)
	return real
}

var (
	appenderType      = reflect.TypeFor[Appender]()
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// newEncoder builds t's encoder; allowAddr lets a pointer-receiver
// method be used when the value is addressable, as encoding/json does.
func newEncoder(t reflect.Type, allowAddr bool) encoderFunc {
	if t.Kind() != reflect.Pointer && allowAddr && reflect.PointerTo(t).Implements(appenderType) && !t.Implements(appenderType) ||
		t.Kind() != reflect.Pointer && allowAddr && reflect.PointerTo(t).Implements(marshalerType) && !t.Implements(marshalerType) {
		plain := newEncoder(t, false)
		addr := encoderOfPtrMethod(reflect.PointerTo(t))
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			if v.CanAddr() {
				return addr(dst, v.Addr())
			}
			return plain(dst, v)
		}
	}
	switch {
	case t.Implements(appenderType):
		return appenderEncoder(t)
	case t.Implements(marshalerType):
		return marshalerEncoder(t)
	case t.Implements(textMarshalerType):
		return textEncoder(t)
	}
	switch t.Kind() {
	case reflect.Bool:
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			return strconv.AppendBool(dst, v.Bool()), nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			return strconv.AppendInt(dst, v.Int(), 10), nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			return strconv.AppendUint(dst, v.Uint(), 10), nil
		}
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			return appendFloat(dst, v.Float(), bits)
		}
	case reflect.String:
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			return AppendString(dst, v.String()), nil
		}
	case reflect.Interface:
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			if v.IsNil() {
				return append(dst, "null"...), nil
			}
			e := addressable(v.Elem())
			return encoderOf(e.Type())(dst, e)
		}
	case reflect.Pointer:
		elem := buildLocked(t.Elem())
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			if v.IsNil() {
				return append(dst, "null"...), nil
			}
			return elem(dst, v.Elem())
		}
	case reflect.Struct:
		return structEncoder(t)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !reflect.PointerTo(t.Elem()).Implements(marshalerType) && !reflect.PointerTo(t.Elem()).Implements(textMarshalerType) {
			return func(dst []byte, v reflect.Value) ([]byte, error) {
				if v.IsNil() {
					return append(dst, "null"...), nil
				}
				dst = append(dst, '"')
				dst = base64.StdEncoding.AppendEncode(dst, v.Bytes())
				return append(dst, '"'), nil
			}
		}
		arr := arrayEncoder(t)
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			if v.IsNil() {
				return append(dst, "null"...), nil
			}
			return arr(dst, v)
		}
	case reflect.Array:
		return arrayEncoder(t)
	case reflect.Map:
		return mapEncoder(t)
	}
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		return dst, fmt.Errorf("jsonenc: unsupported type %s", t)
	}
}

func appenderEncoder(t reflect.Type) encoderFunc {
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		if t.Kind() == reflect.Pointer && v.IsNil() {
			return append(dst, "null"...), nil
		}
		if t.Kind() != reflect.Pointer && v.CanAddr() {
			// Through a pointer: boxing a struct value copies it.
			return v.Addr().Interface().(Appender).AppendJSON(dst)
		}
		return v.Interface().(Appender).AppendJSON(dst)
	}
}

func marshalerEncoder(t reflect.Type) encoderFunc {
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		if (t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface) && v.IsNil() {
			return append(dst, "null"...), nil
		}
		b, err := v.Interface().(json.Marshaler).MarshalJSON()
		if err != nil {
			return dst, err
		}
		return appendCompact(dst, b)
	}
}

// encoderOfPtrMethod encodes through a pointer-receiver Appender or
// Marshaler.
func encoderOfPtrMethod(pt reflect.Type) encoderFunc {
	if pt.Implements(appenderType) {
		return appenderEncoder(pt)
	}
	return marshalerEncoder(pt)
}

func appendCompact(dst, b []byte) ([]byte, error) {
	start := len(dst)
	buf := bytes.NewBuffer(dst)
	if err := json.Compact(buf, b); err != nil {
		return dst[:start], err
	}
	return buf.Bytes(), nil
}

func textEncoder(t reflect.Type) encoderFunc {
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		if t.Kind() == reflect.Pointer && v.IsNil() {
			return append(dst, "null"...), nil
		}
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return dst, err
		}
		return AppendString(dst, string(b)), nil
	}
}

func arrayEncoder(t reflect.Type) encoderFunc {
	elem := buildLocked(t.Elem())
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		dst = append(dst, '[')
		n := v.Len()
		var err error
		for i := 0; i < n; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = elem(dst, v.Index(i)); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	}
}

func mapEncoder(t reflect.Type) encoderFunc {
	kt := t.Key()
	switch kt.Kind() {
	case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	default:
		if !kt.Implements(textMarshalerType) {
			return func(dst []byte, v reflect.Value) ([]byte, error) {
				return dst, fmt.Errorf("jsonenc: unsupported map key type %s", kt)
			}
		}
	}
	elem := buildLocked(t.Elem())
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		type kv struct {
			k string
			v reflect.Value
		}
		entries := make([]kv, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			k, err := mapKey(it.Key())
			if err != nil {
				return dst, err
			}
			entries = append(entries, kv{k, it.Value()})
		}
		slices.SortFunc(entries, func(a, b kv) int { return strings.Compare(a.k, b.k) })
		dst = append(dst, '{')
		var err error
		for i, e := range entries {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, e.k)
			dst = append(dst, ':')
			if dst, err = elem(dst, e.v); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	}
}

func mapKey(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return "", nil
		}
		b, err := tm.MarshalText()
		return string(b), err
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	}
	return strconv.FormatUint(k.Uint(), 10), nil
}

// field is one member of a struct's JSON object.
type field struct {
	name      string
	key       []byte // `"name":`
	index     []int
	omitEmpty bool
	tagged    bool
	typ       reflect.Type
	enc       encoderFunc
	// fast, for a plain scalar reached without a pointer, reads the
	// field at offset from the struct's address without reflection.
	fast   fastKind
	offset uintptr
}

type fastKind uint8

const (
	slow fastKind = iota
	fastString
	fastBool
	fastInt
	fastInt64
	fastUint16
	fastFloat64
)

// fastKindOf says how a field of type t can be read directly: only plain
// kinds, with no method of their own that would change their JSON.
func fastKindOf(t reflect.Type) fastKind {
	pt := reflect.PointerTo(t)
	for _, m := range []reflect.Type{appenderType, marshalerType, textMarshalerType} {
		if t.Implements(m) || pt.Implements(m) {
			return slow
		}
	}
	switch t.Kind() {
	case reflect.String:
		return fastString
	case reflect.Bool:
		return fastBool
	case reflect.Int:
		return fastInt
	case reflect.Int64:
		return fastInt64
	case reflect.Uint16:
		return fastUint16
	case reflect.Float64:
		return fastFloat64
	}
	return slow
}

func structEncoder(t reflect.Type) encoderFunc {
	fields, err := typeFields(t)
	if err != nil {
		return func(dst []byte, _ reflect.Value) ([]byte, error) { return dst, err }
	}
	for i := range fields {
		f := &fields[i]
		f.enc = buildLocked(f.typ)
		f.key = AppendString(nil, f.name)
		f.key = append(f.key, ':')
		// The offset is known when no pointer lies on the way.
		st, direct := t, true
		for _, x := range f.index {
			if st.Kind() != reflect.Struct {
				direct = false
				break
			}
			sf := st.Field(x)
			f.offset += sf.Offset
			st = sf.Type
		}
		if direct {
			f.fast = fastKindOf(f.typ)
		}
	}
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		var base unsafe.Pointer
		if v.CanAddr() {
			base = unsafe.Pointer(v.UnsafeAddr())
		}
		dst = append(dst, '{')
		first := true
		var err error
	next:
		for i := range fields {
			f := &fields[i]
			if base != nil && f.fast != slow {
				p := unsafe.Add(base, f.offset)
				start := len(dst)
				if !first {
					dst = append(dst, ',')
				}
				dst = append(dst, f.key...)
				empty := false
				switch f.fast {
				case fastString:
					s := *(*string)(p)
					empty = s == ""
					dst = AppendString(dst, s)
				case fastBool:
					b := *(*bool)(p)
					empty = !b
					dst = strconv.AppendBool(dst, b)
				case fastInt:
					n := *(*int)(p)
					empty = n == 0
					dst = strconv.AppendInt(dst, int64(n), 10)
				case fastInt64:
					n := *(*int64)(p)
					empty = n == 0
					dst = strconv.AppendInt(dst, n, 10)
				case fastUint16:
					n := *(*uint16)(p)
					empty = n == 0
					dst = strconv.AppendUint(dst, uint64(n), 10)
				case fastFloat64:
					x := *(*float64)(p)
					empty = x == 0
					if dst, err = appendFloat(dst, x, 64); err != nil {
						return dst, err
					}
				}
				if empty && f.omitEmpty {
					dst = dst[:start]
					continue
				}
				first = false
				continue
			}
			fv := v
			for _, x := range f.index[:len(f.index)-1] {
				fv = fv.Field(x)
				if fv.Kind() == reflect.Pointer {
					if fv.IsNil() {
						continue next
					}
					fv = fv.Elem()
				}
			}
			fv = fv.Field(f.index[len(f.index)-1])
			if f.omitEmpty && isEmpty(fv) {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, f.key...)
			if dst, err = f.enc(dst, fv); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	}
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// typeFields lists t's JSON members with encoding/json's rules: exported
// fields, json tags, embedded structs promoted, and of several fields
// with one name the shallowest (tagged first) wins, none if still tied.
func typeFields(t reflect.Type) ([]field, error) {
	type scan struct {
		t     reflect.Type
		index []int
	}
	var all []field
	seen := map[reflect.Type]bool{}
	level := []scan{{t: t}}
	for len(level) > 0 {
		var next []scan
		for _, s := range level {
			if seen[s.t] {
				continue
			}
			seen[s.t] = true
			for i := 0; i < s.t.NumField(); i++ {
				sf := s.t.Field(i)
				if sf.Anonymous {
					ft := sf.Type
					if ft.Kind() == reflect.Pointer {
						ft = ft.Elem()
					}
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				index := append(slices.Clip(s.index), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					next = append(next, scan{t: ft, index: index})
					continue
				}
				if opts != "" && hasOpt(opts, "string") {
					// Not used by padlock; encoding/json quotes scalars.
					return nil, fmt.Errorf("jsonenc: the ,string option (%s.%s) is not supported", t, sf.Name)
				}
				tagged := name != ""
				if name == "" {
					name = sf.Name
				}
				all = append(all, field{name: name, index: index, omitEmpty: hasOpt(opts, "omitempty"), tagged: tagged, typ: sf.Type})
			}
		}
		level = next
	}
	// Dominant field per name: shortest index, then tagged; a tie drops
	// the name.
	var out []field
	byName := map[string][]int{}
	for i, f := range all {
		byName[f.name] = append(byName[f.name], i)
	}
	keep := make([]bool, len(all))
	for _, idx := range byName {
		best := idx[0]
		tie := false
		for _, j := range idx[1:] {
			a, b := all[best], all[j]
			switch {
			case len(b.index) < len(a.index) || len(b.index) == len(a.index) && b.tagged && !a.tagged:
				best, tie = j, false
			case len(b.index) == len(a.index) && b.tagged == a.tagged:
				tie = true
			}
		}
		if !tie {
			keep[best] = true
		}
	}
	for i, f := range all {
		if keep[i] {
			out = append(out, f)
		}
	}
	// encoding/json orders fields by index sequence.
	slices.SortStableFunc(out, func(a, b field) int { return slices.Compare(a.index, b.index) })
	return out, nil
}

func hasOpt(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}
