package sqlite

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"sync"
)

// deflate compresses b (DEFLATE, RFC 1951) with level and, when dict is not nil, a preset
// dictionary (the window starts with it, so that a short input refers to its strings).
func deflate(b []byte, level int, dict []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b)/2 + 16)
	w, err := flate.NewWriterDict(&out, level, dict)
	if err != nil {
		panic(err) // only for a level out of range, which callers never pass
	}
	w.Write(b) // writes to a bytes.Buffer do not fail
	w.Close()
	return out.Bytes()
}

// inflate decompresses what deflate wrote with the same dict; more than limit bytes of output
// are an error, so that a damaged row cannot make a reader allocate without bound.
func inflate(b []byte, dict []byte, limit int) ([]byte, error) {
	r := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(r)
	if err := r.(flate.Resetter).Reset(bytes.NewReader(b), dict); err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("inflate: %w", err)
	}
	if len(out) > limit {
		return nil, fmt.Errorf("inflate: more than %d bytes", limit)
	}
	return out, nil
}

var inflaters = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}
