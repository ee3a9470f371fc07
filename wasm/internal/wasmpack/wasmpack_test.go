package wasmpack

import (
	"bytes"
	"strings"
	"testing"
)

// module builds a module of a type section and a data section holding
// segs in the given order.
func module(segs ...Segment) []byte {
	m := append([]byte(nil), header...)
	typ := []byte{1, 0x60, 0, 0} // one type: func() -> ()
	m = append(m, 1)
	m = appendULEB(m, uint64(len(typ)))
	m = append(m, typ...)
	data := appendData(nil, segs)
	m = append(m, sectionData)
	m = appendULEB(m, uint64(len(data)))
	return append(m, data...)
}

func TestPack(t *testing.T) {
	segs := []Segment{
		{Offset: 4096 + 2 + MaxGap - 1, Data: []byte("joined")}, // a gap of MaxGap-1 after "ab"
		{Offset: 4096, Data: []byte("ab")},
		{Offset: 70000, Data: []byte("apart")}, // far beyond MaxGap
		{Offset: 70005 + MaxGap, Data: []byte("exactly MaxGap after")},
	}
	mod := module(segs...)
	packed, err := Pack(mod)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Segments(packed)
	if err != nil {
		t.Fatal(err)
	}
	var offsets []uint32
	for _, s := range got {
		offsets = append(offsets, s.Offset)
	}
	if want := []uint32{4096, 70000, 70005 + MaxGap}; !equal(offsets, want) {
		t.Fatalf("segments at %v, want %v", offsets, want)
	}
	before, _ := Segments(mod)
	if !bytes.Equal(Image(before), Image(got)) {
		t.Fatal("the memory image changed")
	}
	// The sections before the data section are copied byte for byte.
	if n := len(header) + 6; !bytes.Equal(packed[:n], mod[:n]) {
		t.Fatalf("type section changed: %x, was %x", packed[:n], mod[:n])
	}
	// Packing twice changes nothing more.
	again, err := Pack(packed)
	if err != nil || !bytes.Equal(again, packed) {
		t.Fatalf("packing a packed module: %v", err)
	}
	// An offset with the sign bit of an i32 is an address above 2 GiB.
	high, err := Pack(module(Segment{Offset: 1 << 31, Data: []byte("high")}))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Segments(high); err != nil || len(got) != 1 || got[0].Offset != 1<<31 || string(got[0].Data) != "high" {
		t.Fatalf("high segment: %+v, %v", got, err)
	}
}

func TestPackRefuses(t *testing.T) {
	good := module(Segment{Offset: 8, Data: []byte("x")})
	dataAt := len(header) + 6 // after the type section
	for _, tt := range []struct {
		name, want string
		mod        []byte
	}{
		{"not wasm", "not a WebAssembly", []byte("\x00asm\x02\x00\x00\x00")},
		{"cut short", "ends early", good[:len(good)-1]},
		{"no data section", "no data section", good[:dataAt]},
		{"data count section", "data count", append(append([]byte(nil), good...), sectionDataCount, 1, 1)},
		{"passive segment", "flags 1", append(append([]byte(nil), header...), sectionData, 4, 1, 1, 1, 'x')},
		{"global offset", "not an i32.const", append(append([]byte(nil), header...), sectionData, 6, 1, 0, 0x23, 0, opEnd, 0)},
		{"overlap", "overlap", module(Segment{Offset: 8, Data: []byte("abc")}, Segment{Offset: 10, Data: []byte("d")})},
		{"beyond 4 GiB", "outside", module(Segment{Offset: 1<<32 - 1, Data: []byte("ab")})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Pack(tt.mod)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func equal(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
