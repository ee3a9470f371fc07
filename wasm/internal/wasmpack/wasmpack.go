// Package wasmpack rewrites the data section of a module Go's linker wrote
// for js/wasm so that brotli compresses it better, without changing what
// the module does: the linear memory it starts with is byte for byte the
// same.
//
// Go's linker omits every run of eight or more zero bytes from the data
// and starts a new active data segment after it (WebAssembly core spec
// §5.5.12), which makes tens of thousands of segments (mxauth.wasm: 81,001;
// session.wasm: the linker's limit, 100,000). Each carries a header of
// about 8 bytes whose memory offset changes every time, which brotli
// cannot predict: in mxauth.wasm they cost ~80 KB of brotli, while the
// zero runs they save cost almost nothing compressed. Pack puts the short
// zero runs back and joins the segments (issue 11).
package wasmpack

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
)

// MaxGap bounds the runs of zeros put back between two segments: shorter
// runs are written out, longer ones still separate segments. Measured on
// mxauth.wasm (brotli -q 11):
// 16 → 930.8 KB, 32 → 862.1, 64 → 860.5, 128 → 860.8, one segment 861.9.
const MaxGap = 64

const (
	sectionData      = 11
	sectionDataCount = 12
	opI32Const       = 0x41
	opEnd            = 0x0b
)

var header = []byte("\x00asm\x01\x00\x00\x00")

// Segment is one active data segment of memory 0.
type Segment struct {
	Offset uint32
	Data   []byte
}

// Pack returns mod with its data segments joined across zero runs of at
// most MaxGap bytes. It fails, rather than guess, on any module that is not
// of the shape Go's linker writes (a data count section, passive
// segments, other memories or offset expressions, overlapping segments).
func Pack(mod []byte) ([]byte, error) {
	out := bytes.NewBuffer(make([]byte, 0, len(mod)+len(mod)/4))
	out.Write(header)
	found := false
	err := sections(mod, func(id byte, raw, body []byte) error {
		switch id {
		case sectionDataCount:
			return errors.New("wasmpack: a data count section (not written by Go's linker)")
		case sectionData:
			segs, err := parseData(body)
			if err != nil {
				return err
			}
			found = true
			body = appendData(nil, join(segs))
			out.WriteByte(id)
			out.Write(appendULEB(nil, uint64(len(body))))
			out.Write(body)
		default:
			// Every other section is copied as it is, header included.
			out.Write(raw)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errors.New("wasmpack: no data section")
	}
	return out.Bytes(), nil
}

// Segments returns the data segments of mod, sorted by offset.
func Segments(mod []byte) ([]Segment, error) {
	var segs []Segment
	err := sections(mod, func(id byte, _, body []byte) error {
		if id != sectionData {
			return nil
		}
		var err error
		segs, err = parseData(body)
		return err
	})
	return segs, err
}

// Image is the initial linear memory the segments write, up to the end of
// the last one.
func Image(segs []Segment) []byte {
	var img []byte
	for _, s := range segs {
		end := int(s.Offset) + len(s.Data)
		if end > len(img) {
			img = append(img, make([]byte, end-len(img))...)
		}
		copy(img[s.Offset:], s.Data)
	}
	return img
}

// sections calls fn with each section of mod in order: its id, the whole
// section (header too) and its contents.
func sections(mod []byte, fn func(id byte, raw, body []byte) error) error {
	if !bytes.HasPrefix(mod, header) {
		return errors.New("wasmpack: not a WebAssembly 1 module")
	}
	r := reader{b: mod[len(header):]}
	for len(r.b) > 0 {
		start := r.b
		id := r.byte()
		n := r.uleb()
		body := r.take(n)
		if r.err != nil {
			return r.err
		}
		if err := fn(id, start[:len(start)-len(r.b)], body); err != nil {
			return err
		}
	}
	return nil
}

func parseData(body []byte) ([]Segment, error) {
	r := reader{b: body}
	n := r.uleb()
	segs := make([]Segment, 0, min(n, uint64(len(body))))
	for i := uint64(0); i < n && r.err == nil; i++ {
		if flags := r.uleb(); flags != 0 {
			return nil, fmt.Errorf("wasmpack: data segment %d has flags %d, not an active segment of memory 0", i, flags)
		}
		if op := r.byte(); op != opI32Const {
			return nil, fmt.Errorf("wasmpack: data segment %d: offset is not an i32.const", i)
		}
		// The constant is an i32; as a memory address it is unsigned.
		off := uint32(r.sleb32())
		if op := r.byte(); op != opEnd {
			return nil, fmt.Errorf("wasmpack: data segment %d: offset expression has more than a constant", i)
		}
		data := r.take(r.uleb())
		if r.err == nil && uint64(off)+uint64(len(data)) > 1<<32 {
			return nil, fmt.Errorf("wasmpack: data segment %d lies outside 32-bit memory", i)
		}
		segs = append(segs, Segment{Offset: off, Data: data})
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, errors.New("wasmpack: bytes after the last data segment")
	}
	slices.SortStableFunc(segs, func(a, b Segment) int { return int(int64(a.Offset) - int64(b.Offset)) })
	for i := 1; i < len(segs); i++ {
		if int64(segs[i].Offset) < int64(segs[i-1].Offset)+int64(len(segs[i-1].Data)) {
			return nil, fmt.Errorf("wasmpack: data segments at %d and %d overlap", segs[i-1].Offset, segs[i].Offset)
		}
	}
	return segs, nil
}

// join merges sorted, non-overlapping segments separated by fewer than MaxGap
// bytes, writing the zeros between them.
func join(segs []Segment) []Segment {
	var out []Segment
	for _, s := range segs {
		if len(out) > 0 {
			last := &out[len(out)-1]
			end := int64(last.Offset) + int64(len(last.Data))
			if gap := int64(s.Offset) - end; gap < MaxGap {
				last.Data = append(append(last.Data, make([]byte, gap)...), s.Data...)
				continue
			}
		}
		out = append(out, Segment{Offset: s.Offset, Data: append([]byte(nil), s.Data...)})
	}
	return out
}

func appendData(b []byte, segs []Segment) []byte {
	b = appendULEB(b, uint64(len(segs)))
	for _, s := range segs {
		b = append(b, 0, opI32Const)
		b = appendSLEB(b, int64(int32(s.Offset)))
		b = append(b, opEnd)
		b = appendULEB(b, uint64(len(s.Data)))
		b = append(b, s.Data...)
	}
	return b
}

func appendULEB(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func appendSLEB(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 && c&0x40 == 0 || v == -1 && c&0x40 != 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// reader reads LEB128 (WebAssembly core spec §5.2.2) and bytes, keeping
// the first error.
type reader struct {
	b   []byte
	err error
}

var errShort = errors.New("wasmpack: module ends early")

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.err = cmpErr(r.err, errShort)
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) take(n uint64) []byte {
	if uint64(len(r.b)) < n {
		r.err = cmpErr(r.err, errShort)
		r.b = nil
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func (r *reader) uleb() uint64 {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v
		}
	}
	r.err = cmpErr(r.err, errors.New("wasmpack: LEB128 too long"))
	return 0
}

// sleb32 reads a signed LEB128 of at most 5 bytes (an i32).
func (r *reader) sleb32() int32 {
	var v int64
	shift := 0
	for i := 0; i < 5; i++ {
		c := r.byte()
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if c&0x40 != 0 && shift < 64 {
				v |= -1 << shift
			}
			return int32(v)
		}
	}
	r.err = cmpErr(r.err, errors.New("wasmpack: i32 LEB128 too long"))
	return 0
}

func cmpErr(old, new error) error {
	if old != nil {
		return old
	}
	return new
}
