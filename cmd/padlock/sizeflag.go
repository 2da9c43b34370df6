package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// mebibytes is a flag value in MiB that also takes a unit, as people
// write memory sizes: 512, 512M, 512MiB, 1.5G, 2GiB (binary units, case
// and a space before the unit ignored; K rounds up to whole MiB).
type mebibytes int

var sizeUnits = []struct {
	suffix string
	mib    float64
}{
	{"kib", 1.0 / 1024}, {"kb", 1.0 / 1024}, {"k", 1.0 / 1024},
	{"mib", 1}, {"mb", 1}, {"m", 1},
	{"gib", 1024}, {"gb", 1024}, {"g", 1024},
	{"tib", 1 << 20}, {"tb", 1 << 20}, {"t", 1 << 20},
}

func (m *mebibytes) Set(s string) error {
	v := strings.ToLower(strings.TrimSpace(s))
	scale := 1.0
	for _, u := range sizeUnits {
		if strings.HasSuffix(v, u.suffix) {
			v, scale = strings.TrimSpace(strings.TrimSuffix(v, u.suffix)), u.mib
			break
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return fmt.Errorf("%q is not a size: give MiB (512) or a unit (512M, 1.5G, 2GiB)", s)
	}
	mib := math.Ceil(f * scale)
	if mib > math.MaxInt32 {
		return fmt.Errorf("%q is more memory than padlock can cap", s)
	}
	*m = mebibytes(mib)
	return nil
}

func (m *mebibytes) String() string { return strconv.Itoa(int(*m)) }
func (m *mebibytes) Type() string   { return "MIB" }
